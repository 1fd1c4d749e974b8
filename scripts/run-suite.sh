#!/bin/sh
# Run one guest suite on one emulator and judge it.
#
#   run-suite.sh TARGET CPU BUILDDIR [LABEL]
#
# TARGET names a launcher, scripts/launch/TARGET.sh, which boots
# BUILDDIR/BOOT*.EFI on CPU, writes the serial output to a log and exits
# with the emulator's status (or 77 when this machine cannot run it, with
# the reason on its last line of stderr).  This script then reads the log:
# one TAP line per guest test listed in BUILDDIR/guests.list, where a test
# with no verdict line (a crash, a hang, a missing guest) is a failure, and
# ends with "LABEL: N passed, N failed, N skipped, N xfailed".  Exit status: 0 when
# nothing failed.
#
# When the launcher says this machine cannot run TARGET (status 77: no
# emulator, no firmware, no usable KVM), that is one line with the reason
# and the fix, and exit status 77: the user asked for this suite and got
# none of it.  make test (MINIHV_ALLOW_SKIP=1) counts the suite's tests as
# SKIP instead, and exits 0.
#
# Environment: MINIHV_TIMEOUT (seconds, default 120; Bochs 300; 0: no time
# limit, only the stall detector, MINIHV_STALL, ends a run), MINIHV_LOGDIR
# (default build/run), MINIHV_ALLOW_SKIP (see above), MINIHV_QUIET=1 (only
# the serial log's essential lines, once the run is over).
set -eu

target=$1
cpu=$2
builddir=$3
label=${4:-$target-$cpu}
here=$(cd "$(dirname "$0")" && pwd)
logdir=${MINIHV_LOGDIR:-build/run}
mkdir -p "$logdir"
log="$logdir/$label.log"
list="$builddir/guests.list"

if [ ! -f "$list" ]; then
	echo "run-suite: $list is missing: build first" >&2
	exit 1
fi

case ${MINIHV_TIMEOUT:-} in
'' | *[!0-9]*)
	if [ -n "${MINIHV_TIMEOUT:-}" ]; then
		echo "run-suite: MINIHV_TIMEOUT='$MINIHV_TIMEOUT' is not a number of seconds (0: no limit)" >&2
		exit 2
	fi
	;;
esac

errfile="$logdir/$label.stderr"
# No earlier run's log may pass for this one's (a launcher that stops
# before the emulator starts writes none).
rm -f "$log"
start=$(date +%s)
set +e
# Bochs counts guest time in instructions and runs them several times more
# slowly than QEMU (more so on a loaded machine): each watchdog test costs
# it 80 million, and a suite that outran 120 s would leave every later test
# without a verdict.  Hangs are caught sooner anyway, by the stall detector.
case $target in
bochs-*) timeout=300 ;;
*) timeout=120 ;;
esac
MINIHV_TIMEOUT=${MINIHV_TIMEOUT:-$timeout} sh "$here/launch/$target.sh" "$cpu" "$builddir" "$log" 2>"$errfile"
status=$?
set -e
elapsed=$(( $(date +%s) - start ))

# What the launcher had to say (which accelerator, why not KVM, ...).
if [ "$status" -ne 77 ]; then
	sed 's/^/# /' "$errfile"
fi

# The serial log, for the reader: all of it for the demo; for make test
# (MINIHV_QUIET=1) the banner, the first guest's memory line (GPA, HPA,
# second-level table pages), the pool statistics and the summary.  The
# launcher's "minihv-harness:" lines are left to judge-log.sh, which shows
# them all, also those from before the banner (a firmware that failed).
if [ -f "$log" ]; then
	if [ "${MINIHV_QUIET:-0}" != 1 ]; then
		tr -d '\r' <"$log" | sed -n '/^minihv /,$p' | grep -v '^minihv-harness: ' || true
	else
		tr -d '\r' <"$log" | awk '/^minihv / || /^minihv: (memory pool|backend|EL2|pool:|VMX|SVM)/ || /^SUMMARY/ { print; next }
			/RAM at gpa/ && !ram { print; ram = 1 }'
	fi
fi

if [ "$status" -eq 77 ] && [ "${MINIHV_ALLOW_SKIP:-0}" != 1 ]; then
	echo "$label: cannot run here: $(tail -n 1 "$errfile")" >&2
	exit 77
fi
if [ "$status" -eq 77 ]; then
	why=$(tail -n 1 "$errfile")
	n=0
	while read -r name; do
		n=$((n + 1))
		echo "ok $n - $label: $name # SKIP $why"
	done <"$list"
	echo "1..$n"
	hostile=$(grep -c "^hostile_" "$list" || true)
	echo "hostile: 0 contained, 0 escaped, 0 xfailed, $hostile skipped ($label)"
	echo "$label: 0 passed, 0 failed, $n skipped, 0 xfailed"
	exit 0
fi

sh "$here/judge-log.sh" "$log" "$list" "$label" "$status" "$elapsed"
