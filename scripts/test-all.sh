#!/bin/sh
# make test: every test this machine can run, one closing line.
#
#   1. host unit tests (mm/, the x86 decoder, hv/ on a fake arch), plain and
#      under ASan+UBSan; sh -n and shellcheck over every script
#   2. the guest suite on every backend and CPU model that runs here, and
#      Debian's arm64 Linux as a guest between embedded ones (cortex-a57,
#      max, and cortex-a57 with a GICv3: scripts/linux-arm64.sh)
#   3. TRACE=1 builds print exactly one line per VM exit
#   4. gdb-multiarch on a GDB=1 build: breakpoints hit, backtraces sane
#   5. the runner's own self-test: it must fail a failing suite
#
# Each part prints its own lines; this script adds up the closing
# "LABEL: N passed, N failed[, N skipped[, N xfailed]]" lines, shows every
# guest suite's "hostile: N contained, N escaped, ..." line together, and ends with
# "N known failures (xfailed)" and then "N passed, N failed, N skipped" --
# the last line in the shape CI reads, the known failures on the line
# before it.  Exit status 0 only when nothing failed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
logdir=build/run
mkdir -p "$logdir"
total_p=0
total_f=0
total_s=0
total_x=0
MAKE=${MAKE:-make}
# Each build says which variant it wants, whatever TRACE or SELFTEST the
# caller's environment or "make test TRACE=1" passed down.  TESTS="a b"
# (make test TESTS=...) is kept: every guest suite then builds and runs only
# those guests, in the build folders make names (print-builddir-ARCH).
plain="TRACE=0 SELFTEST=0"
# builddir ARCH [VARIABLE=VALUE...]: where make builds ARCH so.
builddir() {
	a=$1
	shift
	"$MAKE" -s --no-print-directory "$@" "print-builddir-$a"
}
# shellcheck disable=SC2086 # $plain is two words
arm=$(builddir aarch64 $plain)
# shellcheck disable=SC2086
x86=$(builddir x86_64 $plain)
arm_trace=$(builddir aarch64 TRACE=1 SELFTEST=0)
x86_trace=$(builddir x86_64 TRACE=1 SELFTEST=0)

# add_counts LABEL OUTPUT_FILE STATUS
add_counts() {
	line=$(grep -E "^$1: [0-9]+ passed, [0-9]+ failed" "$2" | tail -n 1 || true)
	if [ -z "$line" ]; then
		echo "not ok - $1: no closing line (exit status $3)"
		total_f=$((total_f + 1))
		return
	fi
	p=$(echo "$line" | sed 's/^[^:]*: \([0-9]*\) passed.*/\1/')
	f=$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')
	s=0
	x=0
	case "$line" in
	*skipped*) s=$(echo "$line" | sed 's/.* \([0-9]*\) skipped.*/\1/') ;;
	esac
	case "$line" in
	*xfailed*) x=$(echo "$line" | sed 's/.* \([0-9]*\) xfailed.*/\1/') ;;
	esac
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $1: exit status $3 with no failed test"
		f=1
	fi
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	total_s=$((total_s + s))
	total_x=$((total_x + x))
}

# part LABEL COMMAND...: run a part, show its output, count it, and say
# at once how it ended, with a running count: "[3/23] LABEL: ... (12s)".
part_n=0
part() {
	label=$1
	shift
	out="$logdir/part-$label.out"
	part_n=$((part_n + 1))
	echo "=== $label"
	part_start=$(date +%s)
# How many parts there are, for the running count: unit, lint, fuzz-smoke,
# includes, launch-selftest; four aarch64 CPU models; three Linux guest runs;
# the x86 suites; two TRACE=1 checks; four gdb checks; two signed boots.
parts=$((5 + 4 + 3 + $(sh scripts/x86-suites.sh | wc -l) + 2 + 4 + 2))
	set +e
	"$@" >"$out" 2>&1
	status=$?
	set -e
	cat "$out"
	add_counts "$label" "$out" "$status"
	closing=$(grep -E "^$label: [0-9]+ passed, [0-9]+ failed" "$out" | tail -n 1 | sed "s/^$label: //")
	echo "[$part_n/$parts] $label: ${closing:-no closing line (exit status $status)} ($(($(date +%s) - part_start))s)"
	grep '^hostile: ' "$out" >>"$hostile_lines" || true
}

# selftest_run LABEL COMMAND...: run one self-test's command, its output in
# $out and its exit status in $status (for the expect_* below), and
# selftest_verdict OK LINE: count it, and show its output when it failed.
selftest_run() {
	out="$logdir/selftest-$1.out"
	shift
	set +e
	"$@" >"$out" 2>&1
	status=$?
	set -e
}
selftest_verdict() {
	if [ "$1" = 1 ]; then
		echo "ok - runner-selftest: $2"
		total_p=$((total_p + 1))
	else
		echo "not ok - runner-selftest: $2"
		sed 's/^/#   /' "$out"
		total_f=$((total_f + 1))
	fi
}

# expect_failure LABEL COMMAND...: a self-test that passes when the command
# fails and says which test failed.
expect_failure() {
	label=$1
	selftest_run "$@"
	if [ "$status" -ne 0 ] && grep -q '^not ok' "$out"; then
		selftest_verdict 1 "$label is reported as failing (exit $status)"
	else
		selftest_verdict 0 "$label was not reported as failing (exit $status)"
	fi
}

# expect_pass LABEL LINE COMMAND...: a self-test that passes when the command
# succeeds and its closing line is LINE.
expect_pass() {
	label=$1
	want=$2
	shift 2
	selftest_run "$label" "$@"
	if [ "$status" -eq 0 ] && [ "$(tail -n 1 "$out")" = "$want" ]; then
		selftest_verdict 1 "$label passes with \"$want\""
	else
		selftest_verdict 0 "$label: exit $status, not \"$want\""
	fi
}

# expect_line LABEL STATUS LINE COMMAND...: a self-test that passes when the
# command exits with STATUS (0, or 1 for a failing suite) and prints LINE.
expect_line() {
	label=$1
	want_status=$2
	want=$3
	shift 3
	selftest_run "$label" "$@"
	if [ "$status" -eq "$want_status" ] && grep -Fxq -- "$want" "$out"; then
		selftest_verdict 1 "$label prints \"$want\""
	else
		selftest_verdict 0 "$label: exit $status (not $want_status) or no line \"$want\""
	fi
}

start=$(date +%s)
# Every guest suite's hostile line, shown together at the end.
hostile_lines="$logdir/hostile.lines"
: >"$hostile_lines"

# shellcheck disable=SC2086 # $plain is two words
part unit "$MAKE" --no-print-directory $plain check
part lint sh scripts/lint-scripts.sh
part fuzz-smoke sh scripts/fuzz-smoke.sh
part includes sh scripts/check-includes.sh

# shellcheck disable=SC2086
"$MAKE" --no-print-directory $plain all >"$logdir/build.out" 2>&1 || {
	cat "$logdir/build.out"
	echo "not ok - build failed"
	echo "$total_p passed, $((total_f + 1)) failed, $total_s skipped"
	exit 1
}

# The launchers themselves: a stall, the firmware's Secure Boot refusal and a
# timeout are each named, and no emulator outlives its launcher.
part launch-selftest env MINIHV_BUILD_X86="$x86" MINIHV_BUILD_ARM64="$arm" sh scripts/selftest-launch.sh

export MINIHV_QUIET=1
# A suite this machine cannot run (no KVM, no Bochs) is counted as SKIP.
export MINIHV_ALLOW_SKIP=1
for cpu in cortex-a57 cortex-a53 cortex-a72 max; do
	part "qemu-arm64-$cpu" sh scripts/run-suite.sh qemu-arm64 "$cpu" "$arm" "qemu-arm64-$cpu"
done
# Linux as a guest, in the full build only (its minihv.cfg names embedded
# guests that a TESTS=... build may not hold): 6 to 8 s a run.
# shellcheck disable=SC2086 # $plain is two words
full_arm=$(builddir aarch64 $plain TESTS=)
"$MAKE" --no-print-directory build/linux/initrd.cpio >"$logdir/build-initrd.out" 2>&1 || cat "$logdir/build-initrd.out"
for cpu in cortex-a57 max; do
	label=linux-${cpu#cortex-}
	if [ "$arm" = "$full_arm" ]; then
		part "$label" sh scripts/linux-arm64.sh "$cpu" "$arm" "$label"
	else
		part "$label" echo "$label: 0 passed, 0 failed, 1 skipped (the Linux guest runs in the full build only, not with TESTS=...)"
	fi
done
# Once more with a GICv3 (most arm64 machines have one; QEMU's default is a
# GICv2): its distributor and redistributor handed through (gicv3.c).  ~20 s.
if [ "$arm" = "$full_arm" ]; then
	part linux-a57-gicv3 env MINIHV_MACHINE=gic-version=3 sh scripts/linux-arm64.sh cortex-a57 "$arm" linux-a57-gicv3
else
	part linux-a57-gicv3 echo "linux-a57-gicv3: 0 passed, 0 failed, 1 skipped (the Linux guest runs in the full build only, not with TESTS=...)"
fi
for suite in $(sh scripts/x86-suites.sh); do
	target=${suite%%:*}
	cpu=${suite#*:}
	part "$target-$cpu" sh scripts/run-suite.sh "$target" "$cpu" "$x86" "$target-$cpu"
done

# TRACE=1 must print one line per VM exit, on both architectures.
"$MAKE" --no-print-directory TRACE=1 SELFTEST=0 "$arm_trace/BOOTAA64.EFI" "$x86_trace/BOOTX64.EFI" \
	>"$logdir/build-trace.out" 2>&1 || cat "$logdir/build-trace.out"
sh scripts/run-suite.sh qemu-arm64 cortex-a57 "$arm_trace" trace-arm64 >/dev/null 2>&1 || true
part trace-arm64 sh scripts/check-trace.sh "$logdir/trace-arm64.log" trace-arm64 "$arm_trace/guests.list"
sh scripts/run-suite.sh qemu-x86 max "$x86_trace" trace-x86 >/dev/null 2>&1 || true
part trace-x86 sh scripts/check-trace.sh "$logdir/trace-x86.log" trace-x86 "$x86_trace/guests.list"

# GDB: in a GDB=1 build of one guest, a breakpoint on the hypercall handler
# is hit with a backtrace back to efi_main, and one on the guest's
# test_main is hit, on both architectures (scripts/gdb.sh --batch).
arm_gdb=$(builddir aarch64 GDB=1 TRACE=0 SELFTEST=0 TESTS=hello)
x86_gdb=$(builddir x86_64 GDB=1 TRACE=0 SELFTEST=0 TESTS=hello)
"$MAKE" --no-print-directory GDB=1 TRACE=0 SELFTEST=0 TESTS=hello "$arm_gdb/BOOTAA64.EFI" "$x86_gdb/BOOTX64.EFI" \
	>"$logdir/build-gdb.out" 2>&1 || cat "$logdir/build-gdb.out"
part gdb-arm64 sh scripts/gdb.sh --batch aarch64 "$arm_gdb"
part gdb-x86 sh scripts/gdb.sh --batch x86_64 "$x86_gdb"
part gdb-guest-arm64 sh scripts/gdb.sh --batch aarch64 "$arm_gdb" hello
part gdb-guest-x86 sh scripts/gdb.sh --batch x86_64 "$x86_gdb" hello

# Secure Boot: the signed build boots where the firmware trusts the key
# (Debian's test key; the unsigned build's refusal is in launch-selftest).
# shellcheck disable=SC2086 # $plain is two words
"$MAKE" --no-print-directory $plain sign >"$logdir/build-sign.out" 2>&1 || cat "$logdir/build-sign.out"
part signed-x86 env MINIHV_FIRMWARE=snakeoil sh scripts/run-suite.sh qemu-x86 max "$x86-signed" signed-x86
part signed-arm64 env MINIHV_FIRMWARE=snakeoil sh scripts/run-suite.sh qemu-arm64 cortex-a57 "$arm-signed" signed-arm64

# The runner must notice failures: canned logs of a crash, a failed test, a
# hang, forged lines, and a real build that includes a deliberately failing
# guest; and it must pass what is good.
echo "=== runner-selftest"
canned="$logdir/canned"
mkdir -p "$canned"
printf 'hello\nbad_pointer\n' >"$canned/list"
printf 'minihv x\nPASS: hello: ok\n' >"$canned/crash.log"
expect_failure crash-without-summary sh scripts/judge-log.sh "$canned/crash.log" "$canned/list" canned 0
printf 'PASS: hello: ok\nSUMMARY: 2 tests, 0 failed, 0 skipped\n' >"$canned/missing.log"
expect_failure missing-verdict sh scripts/judge-log.sh "$canned/missing.log" "$canned/list" canned 0
printf 'PASS: hello: ok\nFAIL: bad_pointer: x\nSUMMARY: 2 tests, 1 failed, 0 skipped\n' >"$canned/fail.log"
expect_failure failed-verdict sh scripts/judge-log.sh "$canned/fail.log" "$canned/list" canned 1
printf 'PASS: hello: ok\nPASS: bad_pointer: x\nSUMMARY: 2 tests, 0 failed, 0 skipped\n' >"$canned/status.log"
expect_failure bad-exit-status sh scripts/judge-log.sh "$canned/status.log" "$canned/list" canned 124
# A guest cannot write a verdict or the SUMMARY: its lines start "[name] ".
printf 'PASS: hello: ok\n[hello] PASS: bad_pointer: x\nSUMMARY: 2 tests, 0 failed, 0 skipped\n' >"$canned/forged.log"
expect_failure forged-verdict sh scripts/judge-log.sh "$canned/forged.log" "$canned/list" canned 0
printf 'PASS: hello: ok\n[hello] x\rPASS: bad_pointer: x\nSUMMARY: 2 tests, 0 failed, 0 skipped\n' >"$canned/forged-cr.log"
expect_failure forged-verdict-cr sh scripts/judge-log.sh "$canned/forged-cr.log" "$canned/list" canned 0
printf 'PASS: hello: ok\nPASS: bad_pointer: x\n[hello] SUMMARY: 2 tests, 0 failed, 0 skipped\n' >"$canned/forged-summary.log"
expect_failure forged-summary sh scripts/judge-log.sh "$canned/forged-summary.log" "$canned/list" canned 0
# ... and had one got through, there would be two SUMMARY lines: a failure.
printf 'PASS: hello: ok\nSUMMARY: 1 tests, 0 failed, 0 skipped\nPASS: bad_pointer: x\nSUMMARY: 2 tests, 0 failed, 0 skipped\n' >"$canned/two-summaries.log"
expect_failure two-summaries sh scripts/judge-log.sh "$canned/two-summaries.log" "$canned/list" canned 0
printf 'PASS: hello: ok\nPASS: hello: again\nPASS: bad_pointer: x\nSUMMARY: 2 tests, 0 failed, 0 skipped\n' >"$canned/twice.log"
expect_failure two-verdicts sh scripts/judge-log.sh "$canned/twice.log" "$canned/list" canned 0
# A name that begins another is not that one's verdict.
printf 'hello\nhello_world\n' >"$canned/list2"
printf 'PASS: hello_world: ok\nSUMMARY: 2 tests, 0 failed, 0 skipped\n' >"$canned/prefix.log"
expect_failure name-prefix sh scripts/judge-log.sh "$canned/prefix.log" "$canned/list2" canned 0
# ... and a good log passes: serial line ends (\r\n), a SKIP, and the
# status 3 of a CPU that cannot run guests (every test SKIPs).
printf 'PASS: hello: ok\r\nSKIP: hello_world: x\r\nSUMMARY: 2 tests, 0 failed, 1 skipped\r\n' >"$canned/good.log"
expect_pass good-log "canned: 1 passed, 0 failed, 1 skipped, 0 xfailed" \
	sh scripts/judge-log.sh "$canned/good.log" "$canned/list2" canned 0
printf 'SKIP: hello: x\nSKIP: hello_world: x\nSUMMARY: 2 tests, 0 failed, 2 skipped\n' >"$canned/novirt.log"
expect_pass no-virtualization "canned: 0 passed, 0 failed, 2 skipped, 0 xfailed" \
	sh scripts/judge-log.sh "$canned/novirt.log" "$canned/list2" canned 3
# A known failure the hypervisor vouched for (XFAIL) passes and is counted
# apart; an XPASS is a FAIL line, and fails; a guest's forged XFAIL line
# ("[name] XFAIL: ...") is no verdict.
printf 'PASS: hello: ok\nXFAIL: hello_world: known failure where x: y\nSUMMARY: 2 tests, 0 failed, 0 skipped, 1 xfailed\n' >"$canned/xfail.log"
expect_pass xfail "canned: 1 passed, 0 failed, 0 skipped, 1 xfailed" \
	sh scripts/judge-log.sh "$canned/xfail.log" "$canned/list2" canned 0
printf 'PASS: hello: ok\nFAIL: hello_world: XPASS: known to fail where x (y), but it passed: z\nSUMMARY: 2 tests, 1 failed, 0 skipped, 0 xfailed\n' >"$canned/xpass.log"
expect_failure xpass sh scripts/judge-log.sh "$canned/xpass.log" "$canned/list2" canned 1
printf 'PASS: hello: ok\n[hello] XFAIL: hello_world: x\nSUMMARY: 2 tests, 0 failed, 0 skipped, 1 xfailed\n' >"$canned/forged-xfail.log"
expect_failure forged-xfail sh scripts/judge-log.sh "$canned/forged-xfail.log" "$canned/list2" canned 0
# A guest line that reached the log with a raw control byte (here ESC[2J,
# which clears the reader's terminal) fails that guest's test.
printf 'PASS: hello: ok\n[hello_world] a\033[2Jb\nPASS: hello_world: x\nSUMMARY: 2 tests, 0 failed, 0 skipped\n' >"$canned/control.log"
expect_failure control-bytes sh scripts/judge-log.sh "$canned/control.log" "$canned/list2" canned 0
# The hostile group's line: hostile_* tests only; a PASS is contained, a
# FAIL or a missing verdict escaped; XFAIL and SKIP are said apart.
printf 'hello\nhostile_a\nhostile_b\nhostile_c\n' >"$canned/list-hostile"
printf 'PASS: hello: ok\nPASS: hostile_a: x\nXFAIL: hostile_b: y\nSKIP: hostile_c: z\nSUMMARY: 4 tests, 0 failed, 1 skipped, 1 xfailed\n' >"$canned/hostile.log"
expect_line hostile-contained 0 "hostile: 1 contained, 0 escaped, 1 xfailed, 1 skipped (canned)" \
	sh scripts/judge-log.sh "$canned/hostile.log" "$canned/list-hostile" canned 0
printf 'PASS: hello: ok\nFAIL: hostile_a: x\nPASS: hostile_b: y\nSUMMARY: 4 tests, 1 failed, 0 skipped\n' >"$canned/hostile-escaped.log"
expect_line hostile-escaped 1 "hostile: 1 contained, 2 escaped, 0 xfailed, 0 skipped (canned)" \
	sh scripts/judge-log.sh "$canned/hostile-escaped.log" "$canned/list-hostile" canned 1
# add_counts sums the xfailed count too (tried on the canned closing line,
# then the totals are put back: canned tests are not real ones).
saved="$total_p $total_f $total_s $total_x"
add_counts canned "$logdir/selftest-xfail.out" 0
got_x=$((total_x - ${saved##* }))
read -r total_p total_f total_s total_x <<EOF
$saved
EOF
if [ "$got_x" -eq 1 ]; then
	echo "ok - runner-selftest: add_counts counts the xfailed test"
	total_p=$((total_p + 1))
else
	echo "not ok - runner-selftest: add_counts counted $got_x xfailed tests, not 1"
	total_f=$((total_f + 1))
fi
# The hypervisor's power-off line carries its status where the emulator's
# exit cannot (aarch64: PSCI SYSTEM_OFF, QEMU exits 0).  A stand-in QEMU
# plays the canned log and exits 0; the aarch64 launcher must read the
# status from the hypervisor's line, believe no guest's copy of it, and the
# judge must hold that status to the verdicts.
fakeqemu="$canned/fake-qemu"
cat >"$fakeqemu" <<'EOF'
#!/bin/sh
cat "$FAKE_LOG" >"$MINIHV_SERIAL_LOG"
EOF
chmod +x "$fakeqemu"
mkdir -p "$canned/build"
: >"$canned/build/BOOTAA64.EFI"
cp "$canned/list" "$canned/build/guests.list"
# fake_arm64 LABEL LOG: the aarch64 launcher and the judge on a canned log.
fake_arm64() {
	env MINIHV_LOGDIR="$canned" MINIHV_EMULATOR="$fakeqemu" FAKE_LOG="$2" \
		sh scripts/run-suite.sh qemu-arm64 cortex-a57 "$canned/build" "$1"
}
printf 'PASS: hello: ok\nPASS: bad_pointer: x\nSUMMARY: 2 tests, 0 failed, 0 skipped\nminihv: power off, status 0\n' >"$canned/hv-good.log"
expect_pass hv-status-good "canned-hv-good: 2 passed, 0 failed, 0 skipped, 0 xfailed" \
	fake_arm64 canned-hv-good "$canned/hv-good.log"
printf 'PASS: hello: ok\nFAIL: bad_pointer: x\nSUMMARY: 2 tests, 1 failed, 0 skipped\nminihv: power off, status 1\n' >"$canned/hv-failed.log"
expect_failure qemu-0-hv-failures fake_arm64 canned-hv-failed "$canned/hv-failed.log"
printf 'PASS: hello: ok\nPASS: bad_pointer: x\nSUMMARY: 2 tests, 0 failed, 0 skipped\nminihv: power off, status 1\n' >"$canned/hv-disagrees.log"
expect_failure hv-status-disagrees sh scripts/judge-log.sh "$canned/hv-disagrees.log" "$canned/list" canned 0
printf 'PASS: hello: ok\nPASS: bad_pointer: x\nSUMMARY: 2 tests, 0 failed, 0 skipped\n[hello] minihv: power off, status 0\n' >"$canned/hv-forged.log"
expect_failure forged-power-off fake_arm64 canned-hv-forged "$canned/hv-forged.log"
# TRACE=1: one trace line per exit, and a run that stopped half-way fails.
printf 'minihv: hello: 2 VM exits; x\ntrace: hello vcpu0 exit 1: a\ntrace: hello vcpu0 exit 2: b\n' >"$canned/trace.log"
printf 'hello\n' >"$canned/list1"
expect_pass trace-good "canned: 1 passed, 0 failed" \
	sh scripts/check-trace.sh "$canned/trace.log" canned "$canned/list1"
expect_failure trace-stopped sh scripts/check-trace.sh "$canned/trace.log" canned "$canned/list"
# An emulator that does not start at all.
expect_failure no-emulator env MINIHV_LOGDIR="$canned" \
	sh scripts/run-suite.sh no-such-emulator max "$arm" no-emulator
# (TESTS= : the whole suite plus the failing guest, whatever TESTS says.)
"$MAKE" --no-print-directory SELFTEST=1 TRACE=0 TESTS= build/aarch64-selftest/BOOTAA64.EFI >"$logdir/build-selftest.out" 2>&1 || cat "$logdir/build-selftest.out"
expect_failure failing-guest sh scripts/run-suite.sh qemu-arm64 cortex-a57 build/aarch64-selftest selftest

echo "=== hostile (the hostile_* guests of each suite)"
cat "$hostile_lines"
echo "# make test took $(( $(date +%s) - start ))s"
echo "$total_x known failures (xfailed)"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
