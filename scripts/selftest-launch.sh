#!/bin/sh
# The launchers' own self-test: they must stop a machine that makes no
# progress, or whose firmware refuses to start the app, quickly and with a
# named reason, and leave no process behind.
#
#   selftest-launch.sh
#
# Most tests use a stand-in emulator (MINIHV_EMULATOR, a small sh script
# written here) that prints a line to the serial log and then sleeps
# forever, or prints the firmware's Secure Boot refusal, or lists the ESP
# it was given; MINIHV_STALL=3 keeps them short.  The judge's handling of a
# serial line lent to a guest (scripts/launch/hv-lines.sh) is tried on
# canned logs.  Two boot the real app under QEMU with the Secure Boot
# firmware (MINIHV_FIRMWARE=secboot), on x86 and on aarch64; they need
# "make" first and skip when the build or the firmware is missing.
# One TAP line per test, then "launch-selftest: N passed, N failed, N skipped".
# Exit status 0 only when nothing failed.  About 50 s.
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
canned)
	# A whole canned serial log, then power off (exit 0).
	cat "$FAKE_LOG" >>"$MINIHV_SERIAL_LOG"
	exit 0
	;;
refuse)
	printf 'BdsDxe: failed to load Boot0002 "UEFI QEMU HARDDISK QM00001 " from PciRoot(0x0)/Pci(0x1,0x1): Access Denied\r\n' >>"$MINIHV_SERIAL_LOG"
	;;
esp)
	# The files of the ESP folder QEMU was given (-drive ...,file=fat:DIR).
	for a in "$@"; do
		case $a in
		*file=fat:*) esp=${a##*file=fat:} ;;
		esac
	done
	(cd "$esp" && find . -type f | sort) >>"$MINIHV_SERIAL_LOG"
	exit 0
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

# MINIHV_ESP_EXTRA: its files go into the ESP's root; and a run without it
# finds no \minihv\ folder an earlier run left there (the app would read
# that run's minihv.cfg).
extra="$dir/esp-extra"
mkdir -p "$extra/minihv"
echo '[guest x]' >"$extra/minihv/minihv.cfg"
# esp_run NAME [ENV...]: the aarch64 launcher with the stand-in listing its ESP.
esp_run() {
	name=$1
	shift
	status=0
	env MINIHV_EMULATOR="$fake" FAKE_MODE=esp FAKE_PIDS="$dir/$name.pids" "$@" \
		sh scripts/launch/qemu-arm64.sh cortex-a57 "$fakebuild" "$dir/$name.log" \
		</dev/null >"$dir/$name.out" 2>&1 || status=$?
}
esp_run esp-extra MINIHV_ESP_EXTRA="$extra"
if grep -qx './minihv/minihv.cfg' "$dir/esp-extra.log" &&
	grep -qx './EFI/BOOT/BOOTAA64.EFI' "$dir/esp-extra.log"; then
	ok "MINIHV_ESP_EXTRA: its minihv/minihv.cfg is on the ESP, next to EFI/BOOT/BOOTAA64.EFI"
else
	not_ok "MINIHV_ESP_EXTRA: the ESP did not hold minihv/minihv.cfg and the app (exit $status)"
	sed 's/^/#   /' "$dir/esp-extra.log" "$dir/esp-extra.out"
fi
esp_run esp-plain
if grep -qx './EFI/BOOT/BOOTAA64.EFI' "$dir/esp-plain.log" && ! grep -q 'minihv/' "$dir/esp-plain.log"; then
	ok "no MINIHV_ESP_EXTRA: the next run's ESP has the app and no minihv/ folder"
else
	not_ok "no MINIHV_ESP_EXTRA: the ESP was not just the app (exit $status)"
	sed 's/^/#   /' "$dir/esp-plain.log" "$dir/esp-plain.out"
fi
esp_run esp-missing MINIHV_ESP_EXTRA="$dir/no-such-folder"
if [ "$status" -eq 2 ] && grep -q 'MINIHV_ESP_EXTRA=.* is not a folder' "$dir/esp-missing.out"; then
	ok "MINIHV_ESP_EXTRA naming no folder is an error (exit 2)"
else
	not_ok "MINIHV_ESP_EXTRA naming no folder: exit $status"
	sed 's/^/#   /' "$dir/esp-missing.out"
fi

# The serial line lent to a guest (a Linux guest owns the UART): between
# the hypervisor's "lent" line and the "back" line with the same name and
# token, nothing is a verdict, a SUMMARY or a power-off line; a guest that
# never gives the line back fails the run, named.
lent="minihv: serial line lent to guest 'debian' (token 9f86d081884c7d65)"
back="minihv: serial line back from guest 'debian' (token 9f86d081884c7d65)"
printf 'hello\ndebian\nafter\n' >"$dir/lent.list"
# judge_case NAME STATUS LINE LOG_TEXT: judge-log.sh on LOG_TEXT (printf
# format, \r\n ends as the serial line's), given emulator status 0, must
# exit with STATUS and print the line LINE.
judge_case() {
	name=$1 want=$2 line=$3
	# shellcheck disable=SC2059 # the log text is a printf format on purpose
	printf "$4" >"$dir/$name.log"
	status=0
	sh scripts/judge-log.sh "$dir/$name.log" "$dir/lent.list" lent 0 >"$dir/$name.out" 2>&1 || status=$?
	if [ "$status" -eq "$want" ] && grep -Fxq -- "$line" "$dir/$name.out"; then
		ok "lent serial line: $name: exit $status, \"$line\""
	else
		not_ok "lent serial line: $name: exit $status (not $want) or no line \"$line\""
		sed 's/^/#   /' "$dir/$name.out"
	fi
}
good_end='PASS: after: ok\r\nSUMMARY: 3 tests, 0 failed, 0 skipped\r\nminihv: power off, status 0\r\n'
# A forged PASS, FAIL, SUMMARY and power-off line, and raw control bytes,
# inside the stretch: none counts, the real verdicts around it do.
judge_case forged-inside 0 "lent: 3 passed, 0 failed, 0 skipped, 0 xfailed" \
	"PASS: hello: ok\r\n$lent\r\nPASS: after: forged\r\nFAIL: hello: forged\r\nSUMMARY: 1 tests, 0 failed, 0 skipped\r\nminihv: power off, status 0\r\nraw \033[2J\000 bytes\r\n$back\r\nPASS: debian: exit code 0\r\n$good_end"
# The same with a failing guest: its real FAIL stands, the forged PASS
# inside does not make it two verdicts.
judge_case forged-pass-ignored 1 "not ok 2 - lent: debian # exit code 1" \
	"PASS: hello: ok\r\n$lent\r\nPASS: debian: forged\r\n$back\r\nFAIL: debian: exit code 1\r\nPASS: after: ok\r\nSUMMARY: 3 tests, 1 failed, 0 skipped\r\nminihv: power off, status 1\r\n"
# No "back" line: the run fails, naming the guest; the verdicts and
# SUMMARY after the "lent" line are the guest's (forged), and count for nothing.
kept="the Linux guest 'debian' kept the serial line: no 'serial line back' line with its token"
judge_case never-back 1 "not ok 4 - lent: run # $kept" \
	"PASS: hello: ok\r\n$lent\r\nPASS: debian: forged\r\n$good_end"
judge_case never-back-named 1 "not ok 2 - lent: debian # $kept (see $dir/never-back-named.log)" \
	"PASS: hello: ok\r\n$lent\r\nPASS: debian: forged\r\n$good_end"
# A "back" line with another token (the guest's guess) closes nothing.
judge_case wrong-token 1 "not ok 4 - lent: run # $kept" \
	"PASS: hello: ok\r\n$lent\r\nminihv: serial line back from guest 'debian' (token 0000000000000000)\r\nPASS: debian: forged\r\n$good_end"
# ... nor does one with another guest's name, nor a "lent" line inside.
judge_case wrong-name 1 "not ok 4 - lent: run # $kept" \
	"PASS: hello: ok\r\n$lent\r\nminihv: serial line lent to guest 'x' (token 1111111111111111)\r\nminihv: serial line back from guest 'x' (token 9f86d081884c7d65)\r\nPASS: debian: forged\r\n$good_end"
# Two stretches, and a "back" line that ends a line the guest began.
lent2="minihv: serial line lent to guest 'debian' (token 0123456789abcdef)"
back2="minihv: serial line back from guest 'debian' (token 0123456789abcdef)"
judge_case two-stretches 0 "lent: 3 passed, 0 failed, 0 skipped, 0 xfailed" \
	"$lent\r\nPASS: hello: forged\r\n$back\r\nPASS: hello: ok\r\n$lent2\r\nSUMMARY: forged\r\nno newline$back2\r\nPASS: debian: exit code 0\r\n$good_end"
# The aarch64 launcher takes its status from the hypervisor's power-off
# line: not from one the guest wrote while it held the line.
printf 'PASS: hello: ok\r\n%s\r\nPASS: debian: x\r\nPASS: after: x\r\nSUMMARY: 3 tests, 0 failed, 0 skipped\r\nminihv: power off, status 0\r\n' \
	"$lent" >"$dir/kept-power-off.canned"
status=0
env MINIHV_EMULATOR="$fake" FAKE_MODE=canned FAKE_LOG="$dir/kept-power-off.canned" FAKE_PIDS="$dir/kept.pids" \
	MINIHV_LOGDIR="$dir" MINIHV_QUIET=1 MINIHV_LIST="$dir/lent.list" \
	sh scripts/run-suite.sh qemu-arm64 cortex-a57 "$fakebuild" kept-power-off \
	</dev/null >"$dir/kept-power-off.out" 2>&1 || status=$?
if [ "$status" -ne 0 ] && grep -q '^# qemu-arm64: QEMU exited 0, but the hypervisor did not say it powered off' "$dir/kept-power-off.out" &&
	grep -Fxq "not ok 4 - kept-power-off: run # $kept" "$dir/kept-power-off.out"; then
	ok "lent serial line: the launcher ignores a power-off line the guest wrote, and the run fails naming the guest"
else
	not_ok "lent serial line: a forged power-off line while the guest kept the line (exit $status)"
	sed 's/^/#   /' "$dir/kept-power-off.out"
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
