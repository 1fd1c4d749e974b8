#!/bin/sh
# Judge one suite's serial log.
#
#   judge-log.sh LOG LIST LABEL STATUS [SECONDS]
#
# LIST names the tests, one per line.  For each, the log must hold exactly
# one verdict line "PASS: name: ...", "FAIL: name: ...", "SKIP: name: ..."
# or "XFAIL: name: ..." (a known failure the hypervisor vouched for: it is
# not a failure, but it is not a pass either: counted apart, and shown as
# TAP's TODO).
# Only the hypervisor can write one: it starts every line of guest output
# with "[name] " and prints no control character a guest sends (so no "\r"
# can start a line of the guest's own).
# Prints a TAP line per test and
# "LABEL: N passed, N failed, N skipped, N xfailed".
# A missing verdict, a missing SUMMARY line (the hypervisor crashed or
# hung), or an emulator status or a hypervisor power-off line
# ("minihv: power off, status N") that disagrees with the verdicts is a
# failure; STATUS alone never makes a pass: the verdicts are the log's; the launcher's "minihv-harness:" lines in LOG say why, and are
# shown.  Exits 0 only when nothing failed.
set -eu

log=$1
list=$2
label=$3
status=$4
seconds=${5:-?}

clean=$(mktemp)
trap 'rm -f "$clean"' EXIT
if [ -f "$log" ]; then
	tr -d '\r' <"$log" >"$clean"
fi

passed=0
failed=0
skipped=0
xfailed=0
n=0
while read -r name; do
	n=$((n + 1))
	# The name is compared as text, not as a regular expression.
	lines=$(awk -v n="$name" 'index($0, "PASS: " n ": ") == 1 ||
		index($0, "FAIL: " n ": ") == 1 || index($0, "SKIP: " n ": ") == 1 ||
		index($0, "XFAIL: " n ": ") == 1' "$clean")
	count=$(printf '%s' "$lines" | grep -c . || true)
	word=${lines%%:*}
	msg=${lines#*: "$name": }
	if [ "$count" -eq 0 ]; then
		echo "not ok $n - $label: $name # no verdict (crash, hang or timeout; see $log)"
		failed=$((failed + 1))
	elif [ "$count" -gt 1 ]; then
		echo "not ok $n - $label: $name # $count verdict lines"
		failed=$((failed + 1))
	elif [ "$word" = PASS ]; then
		echo "ok $n - $label: $name # $msg"
		passed=$((passed + 1))
	elif [ "$word" = SKIP ]; then
		echo "ok $n - $label: $name # SKIP $msg"
		skipped=$((skipped + 1))
	elif [ "$word" = XFAIL ]; then
		echo "ok $n - $label: $name # TODO $msg"
		xfailed=$((xfailed + 1))
	else
		echo "not ok $n - $label: $name # $msg"
		failed=$((failed + 1))
	fi
done <"$list"

# The launcher's own findings ("minihv-harness: ..." lines: a stall, the
# firmware's refusal, a timeout, what Bochs said) name the reason for a
# failure better than an exit status can: the first one goes into the
# failure's line, all of them are shown as TAP comments.
harness=$(sed -n 's/^minihv-harness: //p' "$clean")
first=$(printf '%s\n' "$harness" | head -n 1)

# The hypervisor's own status, from its last line (hv/power.c); where the
# emulator has no exit with a status (aarch64), the launcher returns it.
hv=$(sed -n 's/^minihv: power off, status \([0-9][0-9]*\)$/\1/p' "$clean" | tail -n 1)

extra=""
if ! grep -q '^SUMMARY: ' "$clean" && [ -n "$first" ]; then
	extra="no SUMMARY line: $first"
elif ! grep -q '^SUMMARY: ' "$clean" && [ "$status" -eq 124 ]; then
	extra="no SUMMARY line: the emulator timed out (MINIHV_TIMEOUT=seconds gives it longer)"
elif ! grep -q '^SUMMARY: ' "$clean"; then
	extra="no SUMMARY line: the hypervisor did not finish (the emulator's exit status: $status)"
elif [ "$failed" -eq 0 ] && [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
	extra="the emulator exited with status $status${first:+: $first}"
elif [ "$failed" -gt 0 ] && [ "$status" -eq 0 ]; then
	extra="tests failed but the emulator exited 0"
elif [ -n "$hv" ] && [ "$failed" -eq 0 ] && [ "$hv" -ne 0 ] && [ "$hv" -ne 3 ]; then
	extra="the hypervisor powered off with status $hv"
elif [ -n "$hv" ] && [ "$failed" -gt 0 ] && [ "$hv" -eq 0 ]; then
	extra="tests failed but the hypervisor powered off with status 0"
fi
if [ -n "$harness" ]; then
	printf '%s\n' "$harness" | sed 's/^/# minihv-harness: /'
fi
if [ -n "$extra" ]; then
	n=$((n + 1))
	echo "not ok $n - $label: run # $extra"
	failed=$((failed + 1))
fi
echo "1..$n"
echo "# $label: ${seconds}s"
echo "$label: $passed passed, $failed failed, $skipped skipped, $xfailed xfailed"
[ "$failed" -eq 0 ]
