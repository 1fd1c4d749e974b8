#!/bin/sh
# Which folder may include what (docs/architecture.md, "Layers").
#
#   check-includes.sh              check the tree, then the self-test
#   check-includes.sh --tree DIR   check only DIR (a copy of the tree)
#   check-includes.sh --selftest   only the self-test
#
# Every '#include "..."' line of boot/ hv/ mm/ arch/ guest/ lib/ include/ is
# followed to the file the compiler would open: next to the including file
# first, then from the top of the tree (-I.), and for guest code from
# guest/lib/ and guest/arch/<arch>/ (its -I flags).  Then the rules:
#
#   hv/, mm/                nothing from arch/ or boot/
#   mm/                     nothing outside mm/
#   guest/                  nothing from hv/, arch/, boot/ or mm/
#   lib/, include/minihv/   nothing outside lib/ and include/
#   arch/                   nothing from boot/
#
# (boot/, the shell around the core, may include anything.)  An include that
# leads nowhere fails too: a rule cannot be checked on a file not found.
#
# One check per source file; a "not ok" line names file:line and the rule.
# The self-test plants one bad include per rule in a copy of the tree and
# counts one check per planted file that the checker refuses.  Ends with
# "includes: N passed, N failed".
set -eu
set -f  # include names are never globs

here=$(cd "$(dirname "$0")" && pwd)
self="$here/check-includes.sh"
top=$(cd "$here/.." && pwd)
FOLDERS="boot hv mm arch guest lib include"

# resolve ROOT FILE NAME: set target to the file "#include "NAME"" in FILE
# opens, relative to ROOT (absolute if outside ROOT); empty if there is none.
resolve() {
	target=""
	dirs="${2%/*} ."
	case $2 in
	guest/*) dirs="$dirs guest/lib $guest_arch_dirs" ;;
	esac
	for d in $dirs; do
		[ -f "$1/$d/$3" ] || continue
		full=$(cd "$1/$d/$(dirname "$3")" && pwd -P)/${3##*/}
		target=${full#"$rootp"/}
		return
	done
}

# broken_rule FILE TARGET: the rule FILE breaks by including TARGET, if any.
broken_rule() {
	case $1 in
	hv/* | mm/*)
		case $2 in
		arch/* | boot/*) echo "hv/ and mm/ include nothing from arch/ or boot/"; return ;;
		esac ;;
	esac
	case $1 in
	mm/*)
		case $2 in
		mm/*) ;;
		*) echo "mm/ includes nothing outside mm/" ;;
		esac ;;
	guest/*)
		case $2 in
		hv/* | arch/* | boot/* | mm/*) echo "guest/ includes nothing from hv/, arch/, boot/ or mm/" ;;
		esac ;;
	lib/* | include/minihv/*)
		case $2 in
		lib/* | include/*) ;;
		*) echo "lib/ and include/minihv/ include nothing outside lib/ and include/" ;;
		esac ;;
	arch/*)
		case $2 in
		boot/*) echo "arch/ includes nothing from boot/" ;;
		esac ;;
	esac
}

# check_tree ROOT: one check per source file; sets tree_passed, tree_failed.
check_tree() {
	rootp=$(cd "$1" && pwd -P)
	guest_arch_dirs=$(cd "$1" && set +f && for d in guest/arch/*/; do
		[ -d "$d" ] && echo "${d%/}"
	done)
	tree_passed=0
	tree_failed=0
	files=$(cd "$1" && for d in $FOLDERS; do
		[ -d "$d" ] && find "$d" -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' \)
	done | LC_ALL=C sort)
	for f in $files; do
		bad=""
		incs=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$1/$f" |
			sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1:\2/' || true)
		for inc in $incs; do
			line=${inc%%:*}
			name=${inc#*:}
			resolve "$1" "$f" "$name"
			if [ -z "$target" ]; then
				why="\"$name\" is not found"
			else
				why=$(broken_rule "$f" "$target")
				[ -z "$why" ] || why="includes $target: $why"
			fi
			[ -z "$why" ] || bad="$bad
#   $f:$line: $why"
		done
		if [ -n "$bad" ]; then
			echo "not ok - $f$bad"
			tree_failed=$((tree_failed + 1))
		else
			tree_passed=$((tree_passed + 1))
		fi
	done
	echo "# $((tree_passed + tree_failed)) files checked in $FOLDERS"
}

# selftest: plant a bad include per rule in a copy of the tree; each must be
# refused, naming the planted file and line, with exactly one failure.  And
# the unchanged copy must pass.  Sets self_passed, self_failed.
selftest() {
	self_passed=0
	self_failed=0
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	# shellcheck disable=SC2086 # $FOLDERS is a list
	(cd "$top" && cp -R $FOLDERS "$tmp/")

	if out=$(sh "$self" --tree "$tmp" 2>&1); then
		echo "ok - selftest: a copy of the tree passes"
		self_passed=$((self_passed + 1))
	else
		echo "not ok - selftest: a copy of the tree does not pass"
		printf '%s\n' "$out" | sed 's/^/#   /'
		self_failed=$((self_failed + 1))
	fi

	# FILE|INCLUDE|what the refusal must say
	cases='hv/planted.c|../arch/x86_64/x86.h|hv/ and mm/ include nothing from arch/
hv/planted.c|arch/aarch64/arm.h|hv/ and mm/ include nothing from arch/
mm/planted.c|../boot/efi_main.c|hv/ and mm/ include nothing from arch/ or boot/
mm/planted.c|../lib/format.h|mm/ includes nothing outside mm/
guest/tests/planted.c|../../hv/vm.h|guest/ includes nothing from hv/
guest/lib/planted.c|../../mm/pt.h|guest/ includes nothing from hv/, arch/, boot/ or mm/
lib/planted.c|../hv/print.h|lib/ and include/minihv/ include nothing outside
include/minihv/planted.h|../../hv/vm.h|lib/ and include/minihv/ include nothing outside
arch/x86_64/planted.c|../../boot/efi_main.c|arch/ includes nothing from boot/
guest/tests/planted.c|no_such_header.h|is not found'
	old_ifs=$IFS
	IFS='
'
	for c in $cases; do
		IFS='|' read -r file name want <<EOF
$c
EOF
		printf '/* planted by check-includes.sh --selftest */\n#include "%s"\n' "$name" >"$tmp/$file"
		out=$(sh "$self" --tree "$tmp" 2>&1) && status=0 || status=$?
		rm -f "$tmp/$file"
		if [ "$status" -ne 0 ] &&
			printf '%s\n' "$out" | grep -qF "#   $file:2: " &&
			printf '%s\n' "$out" | grep -qF "$want" &&
			printf '%s\n' "$out" | grep -q '^includes: [0-9]* passed, 1 failed$'; then
			echo "ok - selftest: $file including \"$name\" is refused"
			self_passed=$((self_passed + 1))
		else
			echo "not ok - selftest: $file including \"$name\" is not refused with \"$want\" (exit $status)"
			printf '%s\n' "$out" | sed 's/^/#   /'
			self_failed=$((self_failed + 1))
		fi
	done
	IFS=$old_ifs
}

case ${1:-} in
--tree)
	check_tree "$2"
	passed=$tree_passed
	failed=$tree_failed
	;;
--selftest)
	selftest
	passed=$self_passed
	failed=$self_failed
	;;
"")
	check_tree "$top"
	selftest
	passed=$((tree_passed + self_passed))
	failed=$((tree_failed + self_failed))
	;;
*)
	echo "usage: $0 [--tree DIR | --selftest]" >&2
	exit 2
	;;
esac
echo "includes: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
