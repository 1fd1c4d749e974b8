#!/bin/sh
# make list-tests: every guest test, one line each: its name and the first
# sentence of the comment that opens its source (for a test of several
# programs, guest/tests/NAME/, that of its first program, without the
# "NAME, VM 1 of N:" that starts it).  Names go to TESTS="a b".
#
#   list-tests.sh [DIR...]      (default: guest/tests)
set -eu
cd "$(dirname "$0")/.."
[ "$#" -gt 0 ] || set -- guest/tests

for dir in "$@"; do
	for path in "$dir"/*; do
		name=$(basename "$path" .c)
		if [ -d "$path" ]; then
			# The first program: 1_*.c (the glob is sorted).
			for src in "$path"/*.c; do break; done
		else
			src=$path
		fi
		case $src in *.c) ;; *) continue ;; esac
		# The opening comment's text, joined into one line, up to the
		# first full stop that ends a sentence.
		desc=$(awk 'NR == 1 && !/^\/\*/ { exit }
			{ sub(/^\/\*+ ?/, ""); sub(/^ *\*+ ?/, "") }
			/\*\// { sub(/ *\*\/.*/, ""); t = t " " $0; exit }
			{ t = t " " $0 }
			END { gsub(/  +/, " ", t); sub(/^ /, "", t); print t }' "$src" |
			sed 's/^[a-z0-9_]*, VM [0-9]* of [0-9]*: //' |
			sed "s/\([.!?]\) [A-Z(].*/\1/" | cut -c 1-100)
		printf '%-28s %s\n' "$name" "${desc:-(no opening comment)}"
	done
done
