#!/bin/sh
# Run the host unit tests, each twice: plain (-O2) and under ASan+UBSan.
#
#   run-unit.sh HOSTDIR TEST...
#
# Each test program prints TAP-like lines and ends with
# "NAME: N passed, N failed".  This script adds them up and ends with
# "unit: N passed, N failed".  A program that crashes or whose closing line
# is missing counts as one failure, and so does one that made no checks
# ("0 passed, 0 failed": unit.h says so itself; this catches a program
# that does not use unit_done).
set -eu

dir=$1
shift
passed=0
failed=0
for t in "$@"; do
	for variant in plain san; do
		out=$(mktemp)
		set +e
		"$dir/$variant/$t" >"$out" 2>&1
		status=$?
		set -e
		cat "$out"
		line=$(grep -E "^$t: [0-9]+ passed, [0-9]+ failed" "$out" | tail -n 1 || true)
		rm -f "$out"
		if [ -z "$line" ]; then
			echo "not ok - $t ($variant): no closing line, exit status $status"
			failed=$((failed + 1))
			continue
		fi
		p=$(echo "$line" | sed 's/^[^:]*: \([0-9]*\) passed.*/\1/')
		f=$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
			echo "not ok - $t ($variant): no checks were made"
			failed=$((failed + 1))
		fi
		if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "not ok - $t ($variant): exit status $status"
			failed=$((failed + 1))
		fi
		echo "# $t ($variant): $p passed, $f failed"
	done
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
