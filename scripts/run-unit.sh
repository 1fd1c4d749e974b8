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
#
# One line per program and variant (name, checks, time); each program's own
# lines go to HOSTDIR/unit.log, and are shown in full only when it fails.
set -eu

dir=$1
shift
passed=0
failed=0
log=$dir/unit.log
: >"$log"
# Milliseconds since the epoch (GNU date's %N; whole seconds without it).
now_ms() {
	t=$(date +%s%N)
	case $t in
	*N) echo $(($(date +%s) * 1000)) ;;
	*) echo $((t / 1000000)) ;;
	esac
}
for t in "$@"; do
	for variant in plain san; do
		out=$(mktemp)
		start=$(now_ms)
		set +e
		"$dir/$variant/$t" >"$out" 2>&1
		status=$?
		set -e
		ms=$(($(now_ms) - start))
		{
			echo "=== $t ($variant)"
			cat "$out"
		} >>"$log"
		line=$(grep -E "^$t: [0-9]+ passed, [0-9]+ failed" "$out" | tail -n 1 || true)
		# A failure is shown in full: the program's own lines.
		bad=0
		if [ -z "$line" ] || [ "$status" -ne 0 ] || ! echo "$line" | grep -q ' 0 failed'; then
			bad=1
			sed 's/^/  /' "$out"
		fi
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
		if [ "$bad" = 0 ]; then
			printf '  %-24s %-6s %5d checks  %d.%03ds\n' "$t" "$variant" "$p" $((ms / 1000)) $((ms % 1000))
		else
			echo "not ok - $t ($variant): $p passed, $f failed, exit status $status"
		fi
	done
done
echo "# each check's line: $log"
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
