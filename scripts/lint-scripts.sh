#!/bin/sh
# The harness is POSIX sh: check every script with "sh -n" and shellcheck
# (-x: follow the files a script sources, e.g. scripts/launch/watch.sh).
# One TAP line per script, then "lint: N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
passed=0
failed=0
n=0
for f in scripts/*.sh scripts/launch/*.sh; do
	n=$((n + 1))
	if ! sh -n "$f" 2>/dev/null; then
		echo "not ok $n - $f does not parse as POSIX sh"
		failed=$((failed + 1))
	elif head -n 1 "$f" | grep -q bash; then
		echo "not ok $n - $f asks for bash"
		failed=$((failed + 1))
	elif ! out=$(shellcheck -x -s sh "$f" 2>&1); then
		echo "not ok $n - shellcheck $f"
		printf '%s\n' "$out" | sed 's/^/#   /'
		failed=$((failed + 1))
	else
		echo "ok $n - $f: sh -n, shellcheck"
		passed=$((passed + 1))
	fi
done
echo "1..$n"
echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
