#!/bin/sh
# make test-matrix: the suite on every platform minihv has been tried on,
# one line per platform.  Too long for make test (Bochs takes 15 s a model);
# run it before a release, or after touching a backend.
#
#   test-matrix.sh [PATTERN]      only the platforms whose line matches PATTERN
#
# Each platform is "TARGET CPU EXPECT [VAR=VALUE ...]": the launcher
# (scripts/launch/TARGET.sh), the CPU model, what must happen, and settings
# for the launcher.  EXPECT is
#   pass          every test passes or SKIPs with a reason;
#   refuse:TEXT   the run cannot pass on this platform, and its output must
#                 say why, with TEXT in it (a firmware that dies before
#                 minihv starts, a CPU without what minihv needs); a "+"
#                 in TEXT stands for a space.
# What is never acceptable anywhere: a silent hang.  A launcher stops an
# emulator whose serial line stays silent (MINIHV_STALL) and names it.
#
# Prints "PLATFORM: ok|FAIL (result, seconds)" for each, and at the end
# "test-matrix: N passed, N failed".  Exit status 0 when every platform did
# what it is expected to do.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
pattern=${1:-}
logdir=build/matrix
mkdir -p "$logdir"

platforms='
qemu-arm64 cortex-a57 pass
qemu-arm64 cortex-a53 pass
qemu-arm64 cortex-a35 pass
qemu-arm64 cortex-a72 pass
qemu-arm64 cortex-a76 pass
qemu-arm64 neoverse-n1 pass
qemu-arm64 a64fx pass
qemu-arm64 max pass
qemu-arm64 max,sve=off,pauth=off pass
qemu-arm64 cortex-a57 pass MINIHV_MEM=128
qemu-arm64 cortex-a57 pass MINIHV_MEM=8192
qemu-arm64 cortex-a57 pass MINIHV_SMP=4
qemu-arm64 cortex-a53 pass MINIHV_MACHINE=gic-version=3
qemu-arm64 cortex-a72 pass MINIHV_MACHINE=highmem=off
qemu-arm64 cortex-a57 pass MINIHV_FIRMWARE=pflash
qemu-x86 max pass
qemu-x86 EPYC pass
qemu-x86 EPYC-Rome pass
qemu-x86 EPYC-Milan pass
qemu-x86 Opteron_G3 refuse:no+nested+paging
qemu-x86 Opteron_G4 refuse:refusing+this+QEMU+TCG+CPU+model
qemu-x86 Opteron_G5 refuse:refusing+this+QEMU+TCG+CPU+model
qemu-x86 phenom pass
qemu-x86 max pass MINIHV_MEM=2048
qemu-x86 max pass MINIHV_SMP=2
qemu-x86 max pass MINIHV_MACHINE=q35
qemu-x86 max pass MINIHV_FIRMWARE=pflash
bochs-x86 corei7_haswell_4770 pass
bochs-x86 tigerlake pass
bochs-x86 ryzen pass
bochs-x86 corei7_skylake_x pass
bochs-x86 corei7_icelake_u pass
bochs-x86 broadwell_ult pass
bochs-x86 corei7_ivy_bridge_3770k pass
bochs-x86 corei7_sandy_bridge_2600k pass
bochs-x86 corei5_lynnfield_750 pass
bochs-x86 zambezi pass
bochs-x86 trinity_apu pass
bochs-x86 atom_n270 refuse:the+firmware+died+before+starting+minihv
'

build_for() {
	case $1 in
	qemu-arm64) echo build/aarch64 ;;
	*) echo build/x86_64 ;;
	esac
}

rm -f "$logdir/.tally"
echo "$platforms" | while read -r target cpu expect settings; do
	[ -n "$target" ] || continue
	name="$target-$cpu${settings:+ $settings}"
	case $name in *"$pattern"*) ;; *) continue ;; esac
	label=$(echo "matrix-$target-$cpu-$settings" | tr -c 'A-Za-z0-9_.\n-' '_' | sed 's/_*$//')
	out="$logdir/$label.out"
	start=$(date +%s)
	set +e
	# shellcheck disable=SC2086 # $settings is zero or more VAR=VALUE words
	env MINIHV_LOGDIR="$logdir" MINIHV_QUIET=1 MINIHV_ALLOW_SKIP=1 $settings \
		sh scripts/run-suite.sh "$target" "$cpu" "$(build_for "$target")" "$label" \
		>"$out" 2>&1
	status=$?
	set -e
	secs=$(( $(date +%s) - start ))
	result=$(grep -E "^$label: [0-9]+ passed" "$out" | tail -n 1 | sed "s/^$label: //")
	[ -n "$result" ] || result="no closing line (status $status)"
	# The first reason given: a harness line, or a failed test.
	reason=$(grep -E '^(not ok|# minihv-harness:|minihv-harness:)' "$out" | head -n 1 |
		sed 's/^# //' | cut -c 1-160)
	verdict=FAIL
	case $expect in
	pass)
		if [ "$status" -eq 0 ]; then
			verdict=ok
		fi
		;;
	refuse:*)
		want=$(echo "${expect#refuse:}" | tr + " ")
		# The reason may be in the serial log only (a quiet run shows
		# little of it); a stall or a timeout is never the reason.
		if cat "$out" "$logdir/$label.log" 2>/dev/null | grep -q -- "$want" &&
			! grep -q -e "no progress" -e "timed out" "$out"; then
			verdict=ok
			why=$(cat "$out" "$logdir/$label.log" 2>/dev/null | tr -d "\r" |
				grep -m 1 -- "$want" | sed "s/^# //" | cut -c 1-160)
			result="refused as expected: $why"
		fi
		;;
	esac
	if [ "$verdict" = ok ]; then
		echo "$name: ok ($result, ${secs}s)"
		echo pass >>"$logdir/.tally"
	else
		echo "$name: FAIL ($result, ${secs}s; expected $expect)${reason:+: $reason}"
		echo "#   log: $out"
		echo fail >>"$logdir/.tally"
	fi
done
passed=$(grep -c pass "$logdir/.tally" 2>/dev/null || true)
failed=$(grep -c fail "$logdir/.tally" 2>/dev/null || true)
rm -f "$logdir/.tally"
echo "test-matrix: ${passed:-0} passed, ${failed:-0} failed"
[ "${failed:-0}" -eq 0 ]
