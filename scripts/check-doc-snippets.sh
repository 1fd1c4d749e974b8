#!/bin/sh
# Every C snippet in README.md and docs/*.md must compile, so that none of
# them can rot (make check).
#
#   check-doc-snippets.sh [CC]
#
# Each ```c block is written to build/host/snippets/ and compiled as a
# guest test would be (-Wall -Wextra -Werror, freestanding, the guest
# library's headers: README.md's "Adding a guest test" is one).  A block
# right after a "<!-- quote: FILE NAME -->" line is a fragment quoted from a
# file make check compiles, and scripts/check-mm-docs.sh holds it equal to
# that file: it is counted here as checked there.  One TAP line per block,
# then "doc-snippets: N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
cc=${1:-gcc}
out=build/host/snippets
rm -rf "$out"
mkdir -p "$out"

# Split the blocks out: FILE.md's Nth block into $out/FILE-N.c (a quote's
# into FILE-N.quote), so the loop below sees one file per block.
for md in README.md docs/*.md; do
	base=$(echo "$md" | tr '/.' '__')
	awk -v out="$out" -v base="$base" -v md="$md" '
		/^```c[ \t]*$/ {
			n++
			ext = (prev ~ /^<!-- quote: /) ? "quote" : "c"
			f = out "/" base "-" n "." ext
			printf "/* %s, C block %d (line %d) */\n", md, n, NR + 1 >f
			inb = 1
			next
		}
		inb && /^```/ { inb = 0; close(f); next }
		inb { print >f; next }
		/[^ \t]/ { prev = $0 }
	' "$md"
done

passed=0
failed=0
n=0
for f in "$out"/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	where=$(head -n 1 "$f" | sed 's|^/\* \(.*\) \*/$|\1|')
	case $f in
	*.quote)
		echo "ok $n - $where: a quote, checked by scripts/check-mm-docs.sh"
		passed=$((passed + 1))
		continue
		;;
	esac
	if msg=$($cc -std=gnu11 -Wall -Wextra -Werror -ffreestanding -mgeneral-regs-only \
		-I. -Iguest/lib -Iguest/arch/x86_64 -c "$f" -o "${f%.c}.o" 2>&1); then
		echo "ok $n - $where compiles"
		passed=$((passed + 1))
	else
		echo "not ok $n - $where does not compile ($f):"
		printf '%s\n' "$msg" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
echo "doc-snippets: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
