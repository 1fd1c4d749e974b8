#!/bin/sh
# The ptdump golden tests (docs/mm.md, "ptdump").
#
#   check-ptdump.sh PTDUMP...            compare with the golden dumps
#   check-ptdump.sh --update PTDUMP      rewrite the golden dumps
#
# Each tests/ptdump/NAME.layout names, in a "# formats:" line, the formats
# it is built in.  For each format F the dump PTDUMP F NAME.layout prints
# must equal tests/ptdump/NAME.F.out byte for byte (F with ':' written as
# '_').  Every PTDUMP given is checked (make check passes the plain and the
# sanitizer build).  A golden file no layout asks for fails too: a renamed
# layout must not leave a dump behind that nothing checks.
#
# The golden dumps are what this code printed, checked once by hand; that
# the bits in them mean what the layout asked for, by the architecture
# manuals, is tests/test_ptdump_golden.c's job.  One check per layout,
# format and binary.  Ends with "ptdump: N passed, N failed".
set -eu

here=$(cd "$(dirname "$0")" && pwd)
dir="$here/../tests/ptdump"
update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
[ $# -ge 1 ] || { echo "usage: $0 [--update] PTDUMP..." >&2; exit 2; }

passed=0
failed=0
expected=""
for layout in "$dir"/*.layout; do
	name=$(basename "$layout" .layout)
	formats=$(sed -n 's/^# formats:[[:space:]]*//p' "$layout" | head -n 1)
	if [ -z "$formats" ]; then
		echo "not ok - ptdump $name: no \"# formats:\" line"
		failed=$((failed + 1))
		continue
	fi
	for f in $formats; do
		golden="$dir/$name.$(echo "$f" | tr ':' '_').out"
		expected="$expected $(basename "$golden")"
		for bin in "$@"; do
			out=$(mktemp)
			status=0
			"$bin" "$f" "$layout" >"$out" 2>&1 || status=$?
			if [ "$update" -eq 1 ]; then
				mv "$out" "$golden"
				echo "updated $golden"
				break
			fi
			if [ "$status" -eq 0 ] && [ -f "$golden" ] && cmp -s "$out" "$golden"; then
				echo "ok - ptdump $f $name ($bin)"
				passed=$((passed + 1))
			else
				echo "not ok - ptdump $f $name ($bin): exit $status"
				if [ -f "$golden" ]; then
					diff -u "$golden" "$out" | head -n 40 | sed 's/^/#   /' || true
				else
					echo "#   no golden file $golden"
				fi
				failed=$((failed + 1))
			fi
			rm -f "$out"
		done
	done
done

for golden in "$dir"/*.out; do
	[ -f "$golden" ] || continue
	case " $expected " in
	*" $(basename "$golden") "*) ;;
	*)
		echo "not ok - ptdump: $(basename "$golden") is not asked for by any layout"
		failed=$((failed + 1))
		;;
	esac
done

[ "$update" -eq 1 ] && exit 0
echo "ptdump: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
