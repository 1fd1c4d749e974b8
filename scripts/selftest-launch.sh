#!/bin/sh
# The launchers' own self-test: they must stop a machine that makes no
# progress, or whose firmware refuses to start the app, quickly and with a
# named reason, and leave no process behind.
#
#   selftest-launch.sh
#
# Most tests use a stand-in emulator (MINIHV_EMULATOR, a small sh script
# written here) that prints a line to the serial log and then sleeps
# forever, or prints the firmware's Secure Boot refusal; MINIHV_STALL=3
# keeps them short.  Two boot the real app under QEMU with the Secure Boot
# firmware (MINIHV_FIRMWARE=secboot), on x86 and on aarch64; they need
# "make" first and skip when the build or the firmware is missing.
# One TAP line per test, then "launch-selftest: N passed, N failed, N skipped".
# Exit status 0 only when nothing failed.  About 40 s.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
dir=build/run/launch-selftest
rm -rf "$dir"
mkdir -p "$dir"
stall=3

passed=0
failed=0
skipped=0
n=0
ok() {
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $*"
}
skip() {
	n=$((n + 1))
	skipped=$((skipped + 1))
	echo "ok $n - $1 # SKIP $2"
}

# The stand-in emulator.  FAKE_MODE says what it plays; it writes its own
# pid and its children's to FAKE_PIDS so the test can look for orphans.
fake="$dir/fake-emulator"
cat >"$fake" <<'EOF'
#!/bin/sh
echo $$ >>"$FAKE_PIDS"
case $FAKE_MODE in
stall)
	printf 'minihv: CPU vendor "AuthenticAMD"\r\n' >>"$MINIHV_SERIAL_LOG"
	;;
silent) ;;
refuse)
	printf 'BdsDxe: failed to load Boot0002 "UEFI QEMU HARDDISK QM00001 " from PciRoot(0x0)/Pci(0x1,0x1): Access Denied\r\n' >>"$MINIHV_SERIAL_LOG"
	;;
chatter)
	# Busy forever: only MINIHV_TIMEOUT stops this one.
	while :; do
		echo tick >>"$MINIHV_SERIAL_LOG"
		sleep 1
	done
	;;
esac
sleep 100000 &
echo $! >>"$FAKE_PIDS"
wait
EOF
chmod +x "$fake"

# Is this process still there (a zombie does not count: it is gone, only
# not yet reaped by its new parent)?
alive() {
	state=$(ps -o stat= -p "$1" 2>/dev/null || true)
	case $state in
	"" | Z*) return 1 ;;
	esac
	return 0
}

# The processes of a stand-in emulator that outlived its launcher.
leftovers() {
	left=""
	if [ -f "$1" ]; then
		while read -r pid; do
			if alive "$pid"; then
				left="$left $pid"
			fi
		done <"$1"
	fi
	echo "$left"
}

# The stand-in's build folder: the launchers copy an app from it (or make
# a disk of it), and run-suite.sh reads its guests.list.
fakebuild="$dir/build"
mkdir -p "$fakebuild"
: >"$fakebuild/BOOTX64.EFI"
: >"$fakebuild/BOOTAA64.EFI"
echo hello >"$fakebuild/guests.list"
stalled='^minihv-harness: no progress: the serial line has been silent for [0-9]+ s; last line: "minihv: CPU vendor "AuthenticAMD""'

# fake_run NAME LAUNCHER CPU MODE WANT_STATUS MAX_SECONDS PATTERN [ENV...]:
# run LAUNCHER with the stand-in emulator playing MODE; it must exit with
# WANT_STATUS within MAX_SECONDS, append a "minihv-harness:" line matching
# PATTERN (grep -E) to its log, and leave no process of the stand-in alive.
fake_run() {
	name=$1 launcher=$2 cpu=$3 mode=$4 want=$5 max=$6 pattern=$7
	shift 7
	log="$dir/$name.log"
	pids="$dir/$name.pids"
	start=$(date +%s)
	set +e
	env MINIHV_EMULATOR="$fake" FAKE_MODE="$mode" FAKE_PIDS="$pids" \
		MINIHV_STALL="$stall" "$@" \
		sh "scripts/launch/$launcher.sh" "$cpu" "$fakebuild" "$log" \
		</dev/null >"$dir/$name.out" 2>&1
	status=$?
	set -e
	took=$(($(date +%s) - start))
	left=$(leftovers "$pids")
	said=$(grep '^minihv-harness: ' "$log" 2>/dev/null | head -n 1 || true)
	if [ "$status" -ne "$want" ]; then
		not_ok "$name: exit status $status, not $want"
		sed 's/^/#   /' "$dir/$name.out"
	elif [ "$took" -gt "$max" ]; then
		not_ok "$name: took $took s, more than $max s"
	elif ! printf '%s\n' "$said" | grep -Eq "$pattern"; then
		not_ok "$name: no harness line matching /$pattern/ (got: $said)"
	elif [ -n "$left" ]; then
		not_ok "$name: left processes behind:$left"
		for pid in $left; do kill -KILL "$pid" 2>/dev/null || true; done
	else
		ok "$name: exit $status in $took s: $said"
	fi
}

# A hang after some output, on each launcher: the reason names the silence
# and the last line, well within MINIHV_STALL + a few seconds.
limit=$((stall + 5))
fake_run stall-qemu-arm64 qemu-arm64 cortex-a57 stall 123 "$limit" "$stalled"
fake_run stall-qemu-x86 qemu-x86 max stall 123 "$limit" "$stalled"
fake_run stall-bochs-x86 bochs-x86 tigerlake stall 123 "$limit" "$stalled"

# A machine that never says anything at all.
fake_run stall-silent qemu-x86 max silent 123 "$limit" \
	'^minihv-harness: no progress: nothing on the serial line for [0-9]+ s'

# The firmware's Secure Boot refusal is recognised at once, not after the
# stall time.
fake_run refused-canned qemu-x86 max refuse 122 3 \
	'^minihv-harness: the firmware refused to start BOOTX64.EFI: Secure Boot is on'

# A machine that keeps talking is no stall: MINIHV_TIMEOUT ends it.
fake_run timeout-chatter qemu-arm64 cortex-a57 chatter 124 $((5 + 3)) \
	'^minihv-harness: the emulator ran out of time: MINIHV_TIMEOUT=5 s' MINIHV_TIMEOUT=5

# The judge shows the harness's reason in the failure.
set +e
env MINIHV_EMULATOR="$fake" FAKE_MODE=stall FAKE_PIDS="$dir/judge.pids" MINIHV_STALL="$stall" \
	MINIHV_LOGDIR="$dir" sh scripts/run-suite.sh qemu-x86 max "$fakebuild" judge-stall \
	</dev/null >"$dir/judge-stall.out" 2>&1
status=$?
set -e
if [ "$status" -ne 0 ] && grep -Eq '^not ok [0-9]+ - judge-stall: run # no SUMMARY line: no progress: ' "$dir/judge-stall.out"; then
	ok "judge-log: the stall is the failure's reason"
else
	not_ok "judge-log: the stall is not the failure's reason (exit $status)"
	sed 's/^/#   /' "$dir/judge-stall.out"
fi

# A launcher that is itself stopped (Ctrl-C, a CI job cancelled) takes its
# emulator with it.
pids="$dir/killed.pids"
env MINIHV_EMULATOR="$fake" FAKE_MODE=stall FAKE_PIDS="$pids" MINIHV_STALL=60 \
	sh scripts/launch/qemu-x86.sh max "$fakebuild" "$dir/killed.log" </dev/null >"$dir/killed.out" 2>&1 &
launcher=$!
sleep 2
kill -TERM "$launcher"
status=0
wait "$launcher" || status=$?
sleep 1
left=$(leftovers "$pids")
if [ "$status" -eq 143 ] && [ -n "$(cat "$pids" 2>/dev/null)" ] && [ -z "$left" ]; then
	ok "a launcher stopped with TERM exits 143 and stops its emulator"
else
	not_ok "a launcher stopped with TERM: exit $status, left behind:${left:- nothing}"
	for pid in $left; do kill -KILL "$pid" 2>/dev/null || true; done
fi

# The real thing: the unsigned app under the Secure Boot firmware.
secboot() {
	name=$1 launcher=$2 cpu=$3 builddir=$4 app=$5 code=$6 vars=$7
	log="$dir/$name.log"
	if [ ! -f "$builddir/$app" ]; then
		skip "$name" "$builddir/$app is missing: run make first"
		return
	fi
	if [ ! -f "$code" ] || [ ! -f "$vars" ]; then
		skip "$name" "no Secure Boot firmware ($code, $vars; Debian packages ovmf, qemu-efi-aarch64)"
		return
	fi
	start=$(date +%s)
	status=0
	MINIHV_FIRMWARE=secboot MINIHV_TIMEOUT=60 \
		sh "scripts/launch/$launcher.sh" "$cpu" "$builddir" "$log" </dev/null >"$dir/$name.out" 2>&1 ||
		status=$?
	took=$(($(date +%s) - start))
	said=$(grep '^minihv-harness: ' "$log" 2>/dev/null | head -n 1 || true)
	if [ "$status" -eq 122 ] && [ "$took" -le 30 ] &&
		printf '%s\n' "$said" | grep -q "the firmware refused to start $app: Secure Boot is on"; then
		ok "$name: refused in $took s: $said"
	else
		not_ok "$name: exit $status after $took s (want 122 within 30 s): $said"
		sed 's/^/#   /' "$dir/$name.out"
	fi
}
# (make test TESTS=... says where it built: MINIHV_BUILD_X86, _ARM64.)
secboot secboot-x86 qemu-x86 max "${MINIHV_BUILD_X86:-build/x86_64}" BOOTX64.EFI \
	/usr/share/OVMF/OVMF_CODE_4M.secboot.fd /usr/share/OVMF/OVMF_VARS_4M.ms.fd
secboot secboot-arm64 qemu-arm64 cortex-a57 "${MINIHV_BUILD_ARM64:-build/aarch64}" BOOTAA64.EFI \
	/usr/share/AAVMF/AAVMF_CODE.fd /usr/share/AAVMF/AAVMF_VARS.ms.fd

echo "1..$n"
echo "launch-selftest: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
