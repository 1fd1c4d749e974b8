#!/bin/sh
# TRACE=1 must print exactly one "trace:" line per VM exit.
#
#   check-trace.sh LOG [LABEL [LIST]]
#
# LOG is the serial output of a TRACE=1 build.  For every guest, the number
# of its trace lines must equal the exit count the hypervisor reports at the
# end of the guest ("minihv: NAME: N VM exits; ...").  With LIST (the
# build's guests.list), every guest named there must have run, so a run that
# died half-way fails; without it, the guests the log names are checked.
# One TAP line per guest, then "LABEL: N passed, N failed" (LABEL defaults
# to "trace").
set -eu

log=$1
label=${2:-trace}
list=${3:-}
clean=$(mktemp)
trap 'rm -f "$clean"' EXIT
tr -d '\r' <"$log" >"$clean"

passed=0
failed=0
n=0
names=$(mktemp)
trap 'rm -f "$clean" "$names"' EXIT
if [ -n "$list" ]; then
	cp "$list" "$names"
else
	sed -n 's/^minihv: \([a-z0-9_]*\): [0-9]* VM exits;.*/\1/p' "$clean" >"$names"
fi
while read -r name; do
	n=$((n + 1))
	# A test of several programs runs a VM per program, each with its
	# own exit count: their sum is the test's.
	exits=$(sed -n "s/^minihv: $name: \([0-9]*\) VM exits;.*/\1/p" "$clean" |
		awk '{ s += $1 } END { if (NR) print s }')
	traced=$(grep -c "^trace: $name vcpu" "$clean" || true)
	if [ -z "$exits" ]; then
		echo "not ok $n - $label: $name: no exit count in the log (the run stopped before it?)"
		failed=$((failed + 1))
	elif [ "$exits" -gt 0 ] && [ "$exits" = "$traced" ]; then
		echo "ok $n - $label: $name: $traced trace lines for $exits exits"
		passed=$((passed + 1))
	else
		echo "not ok $n - $label: $name: $traced trace lines for $exits exits"
		failed=$((failed + 1))
	fi
done <"$names"
if [ "$n" -eq 0 ]; then
	echo "not ok 1 - $label: no guest reported its exits"
	failed=1
fi
echo "1..$n"
echo "$label: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
