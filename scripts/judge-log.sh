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
# Prints a TAP line per test, the hostile group's line
# "hostile: N contained, N escaped, N xfailed, N skipped (LABEL)" (the
# tests named hostile_*: see below), and last
# "LABEL: N passed, N failed, N skipped, N xfailed".
# A test whose "[name] " lines reached the log with a control or non-ASCII
# byte fails, whatever its verdict.
# A missing verdict, a missing SUMMARY line (the hypervisor crashed or
# hung), more than one SUMMARY or power-off line (a forgery), or an emulator status or a hypervisor power-off line
# ("minihv: power off, status N") that disagrees with the verdicts is a
# failure; STATUS alone never makes a pass: the verdicts are the log's; the launcher's "minihv-harness:" lines in LOG say why, and are
# shown.  Exits 0 only when nothing failed.
#
# A guest the hypervisor lent the serial line to (a Linux guest, which owns
# the UART) could write any line at all: the stretches between the
# hypervisor's "serial line lent to guest" and "serial line back from
# guest" lines are left out of everything here (scripts/launch/hv-lines.sh
# says how), and a guest that never gave the line back fails the run, and
# nothing after its "lent" line counts.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

log=$1
list=$2
label=$3
status=$4
seconds=${5:-?}

clean=$(mktemp)
dirty=$(mktemp)
outside=$(mktemp)
keptfile=$(mktemp)
trap 'rm -f "$clean" "$dirty" "$outside" "$keptfile"' EXIT
# outside: the log without the lent stretches (each line without its
# serial "\r", NUL as \001); clean: that with no "\r" at all.
sh "$here/launch/hv-lines.sh" "$log" "$keptfile" >"$outside"
tr -d '\r' <"$outside" >"$clean"
# The guest that kept the serial line, if one did.
kept=$(cat "$keptfile")

# Tests whose output (a "[name] " line, or the message of the verdict
# line) reached the log with a byte that is not printable ASCII or a tab: a raw ESC, BEL, backspace, NUL or "\r" would drive the
# terminal of whoever reads the log, or hide text on it.  The hypervisor
# prints such bytes as "?" (hv/console.c); if one got through, the test
# that wrote it fails.  Read from the raw log, where only the serial
# line's own "\r" before each newline is dropped (NUL made visible to awk),
# outside the lent stretches: a guest that owns the UART writes what it likes
# there, and none of it is read as a verdict.
if [ -f "$log" ]; then
	LC_ALL=C awk '/[^ -~\t]/ {
			if (match($0, /^\[[^] ]*\] /))
				print substr($0, 2, RLENGTH - 3)
			else if (match($0, /^(PASS|FAIL|SKIP|XFAIL): [^ :]+: /)) {
				s = substr($0, 1, RLENGTH - 2)
				print substr(s, index(s, ": ") + 2)
			}
		}' "$outside" |
		sort -u >"$dirty"
fi

# When the run stopped before its SUMMARY (a hang, a crash, a timeout), the
# guest it stopped in is the last one the hypervisor announced
# ("minihv: --- guest 'NAME' ---"); the guests after it never ran.  That
# one is named as the one the run stopped in, the others are "not run":
# counted apart, not as failures of their own.
# A guest that kept the serial line is the one the run stopped in.
stopped_in=""
if [ -n "$kept" ]; then
	stopped_in=$kept
elif ! grep -q '^SUMMARY: ' "$clean"; then
	stopped_in=$(sed -n "s/^minihv: --- guest '\([A-Za-z0-9_]*\)' ---.*/\1/p" "$clean" | tail -n 1)
fi
kept_why="the Linux guest '$kept' kept the serial line: no 'serial line back' line with its token"
seen_stop=""
[ -n "$stopped_in" ] || seen_stop=none

passed=0
failed=0
skipped=0
xfailed=0
notrun=0
# The hostile group: tests named hostile_*, each a guest that attacks the
# hypervisor or the harness.  Contained: its verdict is PASS (it was
# stopped as it expected, or checked that the attack failed).  Escaped:
# anything else that is not an honest SKIP or a vouched-for XFAIL -- a
# FAIL, no verdict, two verdicts.
h_contained=0
h_escaped=0
h_xfailed=0
h_skipped=0
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
	if [ "$count" -eq 1 ] && grep -Fxq -- "$name" "$dirty"; then
		word=FAIL
		msg="its output reached the log with control or non-ASCII bytes (its \"[$name] \" lines or its verdict line in $log)"
	fi
	# Not run: after the guest the run stopped in, or (no guest ever
	# announced) none ran at all; the "run" line below says why.
	if [ "$count" -eq 0 ] && { [ -n "$seen_stop" ] || [ -z "$stopped_in" ]; } &&
		! grep -q "^SUMMARY: " "$clean"; then
		echo "ok $n - $label: $name # SKIP not run: the run stopped${stopped_in:+ in $stopped_in} before it"
		notrun=$((notrun + 1))
		continue
	fi
	[ "$name" != "$stopped_in" ] || seen_stop=yes
	case "$name" in
	hostile_*)
		case "$count:$word" in
		1:PASS) h_contained=$((h_contained + 1)) ;;
		1:SKIP) h_skipped=$((h_skipped + 1)) ;;
		1:XFAIL) h_xfailed=$((h_xfailed + 1)) ;;
		*) h_escaped=$((h_escaped + 1)) ;;
		esac
		;;
	esac
	if [ "$count" -eq 0 ] && [ -n "$kept" ] && [ "$name" = "$kept" ]; then
		printf '%s\n' "not ok $n - $label: $name # $kept_why (see $log)"
		failed=$((failed + 1))
	elif [ "$count" -eq 0 ] && [ "$name" = "$stopped_in" ]; then
		echo "not ok $n - $label: $name # the run stopped in this guest: it hung or crashed (no verdict; see $log)"
		failed=$((failed + 1))
	elif [ "$count" -eq 0 ]; then
		echo "not ok $n - $label: $name # no verdict (crash, hang or timeout; see $log)"
		failed=$((failed + 1))
	elif [ "$count" -gt 1 ]; then
		echo "not ok $n - $label: $name # $count verdict lines"
		failed=$((failed + 1))
	elif [ "$word" = PASS ]; then
		printf '%s\n' "ok $n - $label: $name # $msg"
		passed=$((passed + 1))
	elif [ "$word" = SKIP ]; then
		printf '%s\n' "ok $n - $label: $name # SKIP $msg"
		skipped=$((skipped + 1))
	elif [ "$word" = XFAIL ]; then
		printf '%s\n' "ok $n - $label: $name # TODO $msg"
		xfailed=$((xfailed + 1))
	else
		printf '%s\n' "not ok $n - $label: $name # $msg"
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

# The hypervisor prints one SUMMARY and one power-off line; a second one
# is someone else's (a guest's forgery that got through, or a second
# boot), and which of them to believe is not the judge's guess to make.
summaries=$(grep -c '^SUMMARY: ' "$clean" || true)
poweroffs=$(grep -c '^minihv: power off, status ' "$clean" || true)

extra=""
if [ -n "$kept" ]; then
	extra=$kept_why
elif [ "$summaries" -gt 1 ] || [ "$poweroffs" -gt 1 ]; then
	extra="$summaries SUMMARY lines and $poweroffs power-off lines: the hypervisor prints at most one of each"
elif ! grep -q '^SUMMARY: ' "$clean" && [ -n "$first" ]; then
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
# The hostile group's line, before the closing line, which
# stays last: scripts/test-all.sh reads that one.
echo "hostile: $h_contained contained, $h_escaped escaped, $h_xfailed xfailed, $h_skipped skipped ($label)"
tail=""
[ "$notrun" -eq 0 ] || tail=", $notrun not run"
echo "$label: $passed passed, $failed failed, $skipped skipped, $xfailed xfailed$tail"
[ "$failed" -eq 0 ]
