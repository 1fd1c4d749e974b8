#!/bin/sh
# make bench: what minihv costs, in instructions counted by the emulator,
# on QEMU aarch64 (cortex-a57), QEMU x86 SVM (TCG -cpu max) and Bochs VMX
# (corei7_haswell_4770), compared with bench/baseline.txt.
#
#   bench.sh          run, print "BENCH platform.name=value unit" lines and
#                     the difference from the baseline
#   bench.sh update   run, and write the figures to bench/baseline.txt
#
# The method (docs/performance.md): the BENCH=1 build (build/<arch>-bench)
# holds the bench guest alone (guest/tests/bench.c), and runs under an
# emulator that counts instructions: QEMU with -icount shift=0,sleep=off
# (MINIHV_ICOUNT=1), Bochs with "clock: sync=none", as its launcher always
# sets it.  The guest times its round trips and checks its own method; the
# hypervisor reports what each VM cost (hv/main.c).  Those figures are
# exact and the same on every run; "info_" figures (wall-clock, the
# firmware's share of a run) are for information only and are left out of
# the comparison.  This script adds what is measured outside a run: sizes,
# and the table pages the layout needs at least, computed here from the
# layout's constants (hv/vm.h, include/minihv/hypercall_abi.h), not by mm/.
#
# Environment: MINIHV_BENCH_SUITE=0 skips the whole-suite runs that the
# info_ wall-clock ratio needs (they take minutes under Bochs);
# MINIHV_BENCH_ONLY=a57 (or svm, vmx; several separated by spaces) runs
# those platforms alone, for quick iterations: then there is no
# comparison of the missing figures, and `update` refuses.
# Exit status: 0, or 1 when a run failed or a method check did not hold.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
mode=${1:-compare}
out=build/run/bench
baseline=bench/baseline.txt
results=$out/results.txt
mkdir -p "$out"
: >"$results"
status=0

say() { printf '%s\n' "$*"; }
fail() {
	say "bench: FAIL: $*"
	status=1
}
emit() { # emit NAME VALUE UNIT
	printf 'BENCH %s=%s %s\n' "$1" "$2" "$3" | tee -a "$results"
}

# A constant from a C header: "#define NAME value" (value a number or
# (N << M) with ull suffixes), as a decimal.
constant() {
	v=$(sed -n "s/^#define $1[[:space:]]*\\(.*\\)/\\1/p" "$2" | sed 's/ull//g; s/\/\*.*//')
	# shellcheck disable=SC2004 # $v is an expression, "(4 << 20)", not a number
	echo $(($v))
}

# The fewest table pages that map the regions, each "address:size:leaf
# bits" (21 for 2 MiB leaves, 12 for 4 KiB pages), with 4-level tables of
# 512 entries from one root (4 KiB granule; x86-64, EPT, NPT, and Arm
# stage 1 and stage 2 started at level 0).  A table at level l (3 is the
# root) covers 2^(12 + 9 (l + 1)) bytes; a leaf of 2^s bytes sits in a
# level-(s - 12)/9 table, so that one and every one above it are needed.
optimum_pages() {
	printf '%s\n' "$@" | awk -F: '
		{ va = $1; size = $2; s = $3; leaf = (s - 12) / 9
		  for (a = va; a < va + size; a += 2 ^ s)
			for (l = 3; l >= leaf; l--)
				need[l ":" int(a / 2 ^ (12 + 9 * (l + 1)))] = 1 }
		END { n = 0; for (k in need) n++; print n }'
}

ram_gpa=$(constant VM_RAM_GPA hv/vm.h)
ram_gva=$(constant VM_RAM_GVA hv/vm.h)
alias_gva=$(constant VM_RAM_ALIAS_GVA hv/vm.h)
ram_size=$(constant VM_RAM_SIZE hv/vm.h)
window_gva=$(constant MINIHV_HC_WINDOW_GVA include/minihv/hypercall_abi.h)
# RAM in 2 MiB leaves (its GPA, GVA and alias are 2 MiB aligned; the HPA
# is the hypervisor's to align); the window in one 4 KiB page.
s2_optimum=$(optimum_pages "$ram_gpa:$ram_size:21")
gpt_optimum=$(optimum_pages "$ram_gva:$ram_size:21" "$alias_gva:$ram_size:21" "$window_gva:4096:12")

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# bench_platform LABEL TARGET CPU ARCH ICOUNT
bench_platform() {
	label=$1 target=$2 cpu=$3 arch=$4 icount=$5
	case " ${MINIHV_BENCH_ONLY:-$label} " in
	*" $label "*) ;;
	*) return ;;
	esac
	log=$out/bench-$label.log
	say "bench: $label: $target $cpu, build/$arch-bench$([ "$icount" = 1 ] && echo ", -icount shift=0")"
	# OVMF boots for about two minutes of wall-clock under icount.
	if ! MINIHV_ICOUNT=$icount MINIHV_QUIET=1 MINIHV_STALL=400 MINIHV_TIMEOUT=600 \
		MINIHV_LOGDIR=$out sh scripts/run-suite.sh "$target" "$cpu" "build/$arch-bench" \
		"bench-$label" >"$out/bench-$label.tap" 2>&1; then
		fail "$label: the bench run failed ($out/bench-$label.tap, $log):"
		grep '^not ok' "$out/bench-$label.tap" | sed 's/^/bench:   /' || true
		return
	fi
	if ! tr -d '\r' <"$log" | grep -q '^\[bench\] BENCH-METHOD ok'; then
		fail "$label: the bench guest did not confirm its method ($log)"
		return
	fi
	tr -d '\r' <"$log" | sed -n 's/^\(\[bench\] \)\{0,1\}BENCH \([a-z0-9_]*\)=\([0-9]*\) \(.*\)$/\2 \3 \4/p' |
		while read -r name value unit; do
			emit "$label.$name" "$value" "$unit"
		done
	emit "$label.s2_table_pages_optimum" "$s2_optimum" pages
	emit "$label.gpt_table_pages_optimum" "$gpt_optimum" pages

	# The firmware floor, and the whole suite, in ordinary runs.
	mkdir -p "$out/floor-$label"
	t0=$(now_ms)
	sh "scripts/launch/$target.sh" "$cpu" "build/$arch-floor" "$out/floor-$label.log" \
		>/dev/null 2>&1 || true
	floor_ms=$(($(now_ms) - t0))
	floor=$(tr -d '\r' <"$out/floor-$label.log" | sed -n 's/^minihv-floor: counter \([0-9]*\) .*/\1/p')
	if [ -z "$floor" ]; then
		fail "$label: the firmware floor app printed no counter ($out/floor-$label.log)"
		return
	fi
	emit "$label.info_floor_counter" "$floor" "insns (real time: counter ticks as instructions)"
	emit "$label.info_floor_wall" "$floor_ms" ms
	if [ "${MINIHV_BENCH_SUITE:-1}" != 0 ]; then
		t0=$(now_ms)
		MINIHV_QUIET=1 MINIHV_LOGDIR=$out sh scripts/run-suite.sh "$target" "$cpu" "build/$arch" \
			"suite-$label" >"$out/suite-$label.tap" 2>&1 || true
		suite_ms=$(($(now_ms) - t0))
		emit "$label.info_suite_wall" "$suite_ms" ms
		emit "$label.info_floor_share_of_suite" "$((floor_ms * 100 / suite_ms))" "%"
	fi
}

# Sizes, from the ordinary build: the .efi, the hypervisor's own code and
# read-only data (its objects' text, without the guest table and GNU-EFI's
# libraries), and the guest images it embeds.
sizes() {
	arch=$1 size=$2
	emit "$arch.image_bytes" "$(wc -c <"build/$arch/$(cd "build/$arch" && ls BOOT*.EFI)")" bytes
	# Only the objects and guests this build links: a build folder may
	# still hold objects of sources since removed, and guests since renamed.
	objs=$(cd "build/$arch/hv" && find . -name '*.c.o' -o -name '*.S.o' | sed 's|^\./||' |
		while read -r o; do if [ -f "$root/${o%.o}" ]; then echo "build/$arch/hv/$o"; fi; done)
	# shellcheck disable=SC2086 # one word per object file
	emit "$arch.hv_code_bytes" "$("$size" -t $objs | tail -n 1 | awk '{ print $1 }')" bytes
	emit "$arch.guest_blob_bytes" \
		"$(sed -n 's/^[[:space:]]*\.incbin "\(.*\)"$/\1/p' "build/$arch/guests.S" | xargs cat | wc -c)" bytes
}

sizes aarch64 aarch64-linux-gnu-size
sizes x86_64 size
bench_platform a57 qemu-arm64 cortex-a57 aarch64 1
bench_platform svm qemu-x86 max x86_64 1
bench_platform vmx bochs-x86 corei7_haswell_4770 x86_64 0

if [ "$status" -ne 0 ]; then
	say "bench: FAILED: no comparison, baseline unchanged"
	exit 1
fi

# The comparison: every figure but info_ ones, against the baseline.
if [ "$mode" = update ]; then
	if [ -n "${MINIHV_BENCH_ONLY:-}" ]; then
		say "bench: MINIHV_BENCH_ONLY is set: a partial run does not rewrite $baseline"
		exit 1
	fi
	{
		echo "# make bench figures (scripts/bench.sh; docs/performance.md). make bench-update rewrites this."
		grep -v '\.info_' "$results" | sed 's/^BENCH //'
	} >"$baseline"
	say "bench: wrote $baseline"
	exit 0
fi
if [ ! -f "$baseline" ]; then
	say "bench: no $baseline yet (make bench-update writes it)"
	exit 0
fi
say "bench: against $baseline (name: baseline -> now):"
grep -v '\.info_' "$results" | sed 's/^BENCH //' | awk -v base="$baseline" '
	BEGIN { while ((getline l < base) > 0) if (l !~ /^#/) {
			split(l, p, "[= ]"); was[p[1]] = p[2] } }
	{ split($0, p, "[= ]"); name = p[1]; v = p[2]
	  if (!(name in was)) { printf "  %s: new, %s\n", name, v; next }
	  d = v - was[name]
	  if (d == 0) { same++; next }
	  printf "  %s: %s -> %s (%+d, %+.1f%%)\n", name, was[name], v, d,
		 was[name] ? 100 * d / was[name] : 0; changed++ }
	END { printf "bench: %d unchanged, %d changed\n", same, changed }'
