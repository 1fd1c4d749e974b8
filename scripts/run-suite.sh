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
# the serial log's essential lines, once the run is over), MINIHV_LIST=FILE
# (the tests to expect, one name a line, instead of BUILDDIR/guests.list:
# a run whose guests a \minihv\minihv.cfg chose, scripts/linux-arm64.sh).
set -eu

target=$1
cpu=$2
builddir=$3
label=${4:-$target-$cpu}
here=$(cd "$(dirname "$0")" && pwd)
logdir=${MINIHV_LOGDIR:-build/run}
mkdir -p "$logdir"
log="$logdir/$label.log"
list=${MINIHV_LIST:-$builddir/guests.list}

if [ ! -f "$list" ]; then
	if [ -n "${MINIHV_LIST:-}" ]; then
		echo "run-suite: MINIHV_LIST=$list does not exist" >&2
	else
		echo "run-suite: $list is missing: build first" >&2
	fi
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

# Live output (not for make test, MINIHV_QUIET=1, which shows a summary):
# while the launcher runs, every second, the serial log's new complete
# lines are shown, from minihv's banner on (the firmware's own output and
# the launcher's "minihv-harness:" lines are left out, as below).  Lines
# are counted, not bytes, because the launcher removes and recreates the
# log: a "tail -f" would follow the removed file.
live=0
[ "${MINIHV_QUIET:-0}" = 1 ] || live=1
shown=0
banner=0
show_new() {
	[ -f "$log" ] || return 0
	if [ "$banner" = 0 ]; then
		at=$(tr -d '\r' <"$log" | grep -n '^minihv ' | head -n 1 | cut -d: -f1)
		[ -n "$at" ] || return 0
		banner=1
		shown=$((at - 1))
	fi
	if [ "${1:-}" = all ]; then
		upto='$'
	else
		upto=$(tr -d '\r' <"$log" | wc -l | tr -d ' ')
		[ "$upto" -gt "$shown" ] || return 0
	fi
	tr -d '\r' <"$log" | sed -n "$((shown + 1)),${upto}p" | grep -v '^minihv-harness: ' || true
	[ "$upto" = '$' ] || shown=$upto
}
# Said once the launcher has got the emulator going (a launcher that cannot
# run here has stopped within that second).
booting() {
	case $target in
	bochs-*) echo "# $label: booting the firmware (OVMF under Bochs is silent for 7 to 25 s before minihv starts)" ;;
	*) echo "# $label: booting the firmware" ;;
	esac
}
MINIHV_TIMEOUT=${MINIHV_TIMEOUT:-$timeout} sh "$here/launch/$target.sh" "$cpu" "$builddir" "$log" 2>"$errfile" &
launcher=$!
# Ctrl-C or a kill: the launcher stops its emulator (scripts/launch/watch.sh)
# and is waited for, so nothing outlives this script.
trap 'kill -TERM "$launcher" 2>/dev/null; wait "$launcher"; exit 130' INT
trap 'kill -TERM "$launcher" 2>/dev/null; wait "$launcher"; exit 143' TERM
polls=0
while [ "$live" = 1 ] && kill -0 "$launcher" 2>/dev/null; do
	sleep 1
	polls=$((polls + 1))
	[ "$polls" -ne 1 ] || [ "$banner" = 1 ] || ! kill -0 "$launcher" 2>/dev/null || booting
	show_new
done
wait "$launcher"
status=$?
trap - INT TERM
[ "$live" = 0 ] || show_new all
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
if [ -f "$log" ] && [ "$status" -ne 77 ]; then
	if [ "$live" = 1 ]; then
		: # shown while it ran
	else
		# (Without the stretches a guest had the serial line to itself:
		# scripts/launch/hv-lines.sh.)
		sh "$here/launch/hv-lines.sh" "$log" | tr -d '\r' | awk '/^minihv / || /^minihv: (memory pool|backend|EL2|pool:|VMX|SVM)/ || /^SUMMARY/ { print; next }
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
