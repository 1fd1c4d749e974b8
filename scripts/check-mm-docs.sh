#!/bin/sh
# docs/mm.md's code must be real code: each quote in it is a copy of a
# marked part of a file that make check compiles and runs.
#
#   check-mm-docs.sh
#
# In docs/mm.md, a line
#     <!-- quote: FILE NAME -->
# followed by a ```c block says the block is the part of FILE between
# "/* docs:begin NAME */" and "/* docs:end */" (those lines left out),
# with the indentation of the begin line taken off each line.  One check
# per quote; a quote of a missing file or part fails.  Ends with
# "mm-docs: N passed, N failed".
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
doc="$top/docs/mm.md"
passed=0
failed=0

quotes=$(sed -n 's/^<!-- quote: \([^ ]*\) \([^ ]*\) -->$/\1 \2/p' "$doc")
if [ -z "$quotes" ]; then
	echo "not ok - docs/mm.md quotes no example"
	failed=1
fi

old_ifs=$IFS
IFS='
'
for q in $quotes; do
	IFS=$old_ifs
	file=${q% *}
	name=${q#* }
	want=$(mktemp)
	got=$(mktemp)
	# The part of the file: drop the begin line's indentation.
	if [ -f "$top/$file" ]; then
		awk -v name="$name" '
			!inside && $0 ~ "/\\* docs:begin " name " \\*/" {
				inside = 1; match($0, /^[\t ]*/); indent = RLENGTH; next
			}
			inside && $0 ~ /\/\* docs:end \*\// { inside = 0; next }
			inside { print substr($0, indent + 1) }
		' "$top/$file" >"$want"
	fi
	# The block after the marker in the doc.
	awk -v marker="<!-- quote: $file $name -->" '
		$0 == marker { state = 1; next }
		state == 1 && /^```c$/ { state = 2; next }
		state == 1 { state = 0 }
		state == 2 && /^```$/ { state = 0; next }
		state == 2 { print }
	' "$doc" >"$got"
	if [ -s "$want" ] && cmp -s "$want" "$got"; then
		echo "ok - docs/mm.md quotes $file ($name) exactly"
		passed=$((passed + 1))
	else
		echo "not ok - docs/mm.md's quote of $file ($name) differs from the file"
		diff -u "$want" "$got" | sed 's/^/#   /' || true
		failed=$((failed + 1))
	fi
	rm -f "$want" "$got"
	IFS='
'
done
IFS=$old_ifs
echo "mm-docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
