#!/bin/sh
# The tour's labs (docs/tour/labs.md): one function of minihv replaced by a
# stub, so that one test fails until the student writes it again.
#
#   lab.sh list          the labs, one line each
#   lab.sh make N        copy the tree to build/lab-N/ with lab N's stub in
#   lab.sh test N        build that copy and run lab N's test there
#   lab.sh check         every lab: its test must FAIL with the stub, and
#                        PASS with the real code (make labs-check)
#   lab.sh verify        every lab's stub still applies: its function is
#                        defined once in its file, in the form the stubbing
#                        recognises (cheap; part of make check)
#
# A lab is a file docs/tour/labs/N-NAME.lab of "key: value" lines: file and
# function (the one to stub), backend and test (what must flip), title,
# chapter and task (what to write), then "stub:" and the stub's body to the
# end of the file.  The transformation is by name: in the copy, the body of
# the function defined in that file -- the lines between the "{" and "}"
# that start a line after its definition, the kernel style minihv is
# written in -- is replaced by the stub.  No markers in the code, no
# patches: when the code moves on, the lab follows the function's name,
# and when a name goes away "make labs-check" says so.
#
# Backends: "host" (TEST is a host unit test, tests/TEST.c, built in the
# copy and run), "qemu-arm64" (guest TEST in the aarch64 suite on QEMU
# cortex-a57), "qemu-x86-svm" (guest TEST in the x86 suite on QEMU TCG
# -cpu max, SVM).  A guest suite cannot yet run a single test, so the whole
# suite runs and only TEST's verdict line counts.  The real code is run
# once per backend for all labs, not once per lab.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
labdir=docs/tour/labs
MAKE=${MAKE:-make}
# A stub leaves helpers of the real function unused: a warning, not an
# error, in a lab's copy only.
LAB_WARN='-Wall -Wextra -Werror -Wno-error=unused-function -Wno-error=unused-parameter -Wno-error=unused-variable -Wno-error=unused-but-set-variable'

die() {
	echo "lab: $*" >&2
	exit 1
}

# lab_file N: the definition file of lab N.
lab_file() {
	for f in "$labdir/$1"-*.lab; do
		break
	done
	[ -f "$f" ] || die "no lab $1 (docs/tour/labs/$1-*.lab); try: sh scripts/lab.sh list"
	echo "$f"
}

# field FILE KEY: the value of "KEY: value" (before the stub).
field() {
	sed -n '/^stub:/q; s/^'"$2"': *//p' "$1" | head -n 1
}

# stub_body FILE: the lines after "stub:".
stub_body() {
	sed -n '/^stub:/,$p' "$1" | sed 1d
}

# stub_function SRC FUNCTION STUBFILE OUT: SRC with FUNCTION's body replaced.
# The definition is a line that starts with a type or the name, contains
# "FUNCTION(" and does not end in ";" (a prototype does); its body runs
# from the next line that is exactly "{" to the next that is exactly "}".
# Fails unless exactly one definition was found and replaced.
stub_function() {
	awk -v fn="$2" -v stub="$3" '
	BEGIN { state = 0; found = 0 }
	state == 0 && ($0 ~ "^[A-Za-z_].*[^A-Za-z0-9_]" fn "\\(" || $0 ~ "^" fn "\\(") { state = 1 }
	state == 1 && /;[ \t]*$/ { state = 0 }
	state == 1 && $0 == "{" {
		found++
		print
		while ((getline line < stub) > 0)
			print line
		state = 2
		next
	}
	state == 2 {
		if ($0 == "}") {
			print
			state = 3
		}
		next
	}
	{ print }
	END { exit (found == 1 && state >= 3) ? 0 : 1 }' "$1" >"$4"
}

# original_function SRC FUNCTION: the real definition, for the student to
# compare with afterwards.
original_function() {
	awk -v fn="$2" '
	state == 0 && ($0 ~ "^[A-Za-z_].*[^A-Za-z0-9_]" fn "\\(" || $0 ~ "^" fn "\\(") { state = 1 }
	state == 1 && /;[ \t]*$/ { state = 0; next }
	state >= 1 { print }
	state >= 1 && $0 == "}" { exit }' "$1"
}

# build_in DIR TARGET: make TARGET in DIR; in a lab's copy with LAB_WARN, in
# the real tree with the Makefile's own flags (what make check builds there
# must stay built with -Werror as it is).
build_in() {
	if [ "$1" = . ]; then
		$MAKE "$2"
	else
		(cd "$1" && $MAKE WARN="$LAB_WARN" "$2")
	fi
}

# make_copy N: build/lab-N/, the tree with lab N's stub in.  Objects of the
# real build (when there are any) are copied with their times kept, so only
# the stubbed file and what links it are rebuilt.
make_copy() {
	f=$(lab_file "$1")
	file=$(field "$f" file)
	fn=$(field "$f" function)
	[ -f "$file" ] || die "lab $1: $file does not exist"
	out="build/lab-$1"
	rm -rf "$out"
	mkdir -p "$out/build"
	tar -cf - --exclude=./build --exclude=./.git . | tar -C "$out" -xf -
	ln -s "$top/build/deps" "$out/build/deps"
	case $(field "$f" backend) in
	qemu-arm64) arches=aarch64 ;;
	qemu-x86*) arches=x86_64 ;;
	*) arches="" ;;
	esac
	for d in $arches; do
		if [ -d "build/$d" ]; then
			cp -pR "build/$d" "$out/build/$d"
		fi
	done
	stub=$(mktemp)
	stub_body "$f" >"$stub"
	if ! stub_function "$file" "$fn" "$stub" "$out/$file"; then
		rm -f "$stub"
		die "lab $1: no single definition of $fn() in $file: the lab no longer matches the code"
	fi
	rm -f "$stub"
	mkdir -p "$out/.lab"
	original_function "$file" "$fn" >"$out/.lab/solution.c"
}

# run_test DIR BACKEND TEST LABEL: build in DIR and run TEST there; prints
# one line and returns 0 when TEST passed, 1 when it failed.
run_test() {
	dir=$1
	backend=$2
	t=$3
	label=$4
	log="$top/build/labs/$label.build.log"
	mkdir -p "$top/build/labs"
	case $backend in
	host)
		if ! build_in "$dir" "build/host/plain/$t" >"$log" 2>&1; then
			echo "$label: $t: does not build (see $log)"
			return 1
		fi
		if (cd "$dir" && "build/host/plain/$t") >"$top/build/labs/$label.log" 2>&1; then
			echo "$label: $t: PASS"
			return 0
		fi
		echo "$label: $t: FAIL ($(grep -c '^not ok' "$top/build/labs/$label.log" || true) checks failed; build/labs/$label.log)"
		return 1
		;;
	qemu-arm64 | qemu-x86-svm)
		verdict=$(suite_verdict "$dir" "$backend" "$t" "$label")
		echo "$label: $t: $verdict"
		[ "$verdict" = PASS ]
		;;
	*)
		die "unknown backend $backend"
		;;
	esac
}

# suite_verdict DIR BACKEND TEST LABEL: run BACKEND's suite in DIR (once per
# DIR and backend: the log is reused) and print TEST's verdict from it.
suite_verdict() {
	dir=$1
	t=$3
	case $2 in
	qemu-arm64) arch=aarch64 app=BOOTAA64.EFI target=qemu-arm64 cpu=cortex-a57 ;;
	*) arch=x86_64 app=BOOTX64.EFI target=qemu-x86 cpu=max ;;
	esac
	label="$4-$2"
	tap="$top/build/labs/$label.tap"
	if [ ! -s "$tap" ]; then
		if ! build_in "$dir" "build/$arch/$app" >"$top/build/labs/$label.build.log" 2>&1; then
			echo "NOBUILD (build/labs/$label.build.log)"
			return 0
		fi
		(cd "$dir" && MINIHV_QUIET=1 MINIHV_LOGDIR="$top/build/labs" \
			sh scripts/run-suite.sh "$target" "$cpu" "build/$arch" "$label") >"$tap.new" 2>&1 || true
		mv "$tap.new" "$tap"
	fi
	line=$(grep -E "^(not )?ok [0-9]+ - $label: $t( |\$)" "$tap" | head -n 1 || true)
	case $line in
	"") echo "NOVERDICT (build/labs/$label.tap)" ;;
	"not ok"*) echo FAIL ;;
	# Never reached: an earlier guest hung the run (with a stub, that is
	# how a broken watchdog shows) -- the test did not pass.
	*"# SKIP not run"*) echo "FAIL (not run: the run stopped in an earlier guest)" ;;
	*"# SKIP"*) echo SKIP ;;
	*) echo PASS ;;
	esac
}

cmd=${1:-list}
case $cmd in
list)
	for f in "$labdir"/*.lab; do
		n=$(basename "$f" | sed 's/-.*//')
		printf '%s\t%s (%s: %s; flips %s on %s)\n' "$n" "$(field "$f" title)" \
			"$(field "$f" file)" "$(field "$f" function)" "$(field "$f" test)" "$(field "$f" backend)"
	done
	echo "new-hypercall: docs/tour/labs/new-hypercall.md (a written lab with a checklist)"
	;;
make)
	[ $# -ge 2 ] || die "usage: lab.sh make N"
	f=$(lab_file "$2")
	make_copy "$2"
	echo "lab $2: $(field "$f" title)"
	echo "  build/lab-$2/$(field "$f" file): $(field "$f" function)() is now a stub."
	echo "  What to write: $(field "$f" task)"
	echo "  Chapter: docs/tour/$(field "$f" chapter)"
	echo "  Edit build/lab-$2/$(field "$f" file), then: sh scripts/lab.sh test $2"
	echo "  ($(field "$f" test) on $(field "$f" backend) fails until it is right; the original"
	echo "  is in build/lab-$2/.lab/solution.c, for afterwards.)"
	;;
test)
	[ $# -ge 2 ] || die "usage: lab.sh test N"
	f=$(lab_file "$2")
	[ -d "build/lab-$2" ] || die "no build/lab-$2: run make lab $2 first"
	rm -f "build/labs/lab-$2-"*.tap
	run_test "build/lab-$2" "$(field "$f" backend)" "$(field "$f" test)" "lab-$2"
	;;
verify)
	n=0
	bad=0
	for f in "$labdir"/*.lab; do
		n=$((n + 1))
		file=$(field "$f" file)
		fn=$(field "$f" function)
		stub=$(mktemp)
		out=$(mktemp)
		stub_body "$f" >"$stub"
		if [ -f "$file" ] && stub_function "$file" "$fn" "$stub" "$out" && ! cmp -s "$file" "$out"; then
			echo "ok $n - $f: the body of $fn() in $file can be replaced"
		else
			echo "not ok $n - $f: no single definition of $fn() in $file to replace"
			bad=$((bad + 1))
		fi
		rm -f "$stub" "$out"
	done
	echo "labs verify: $((n - bad)) passed, $bad failed"
	[ "$bad" -eq 0 ]
	;;
check)
	# The real code first, once per backend; then each lab's stub.
	rm -rf build/labs
	mkdir -p build/labs
	passed=0
	failed=0
	n=0
	for f in "$labdir"/*.lab; do
		n=$((n + 1))
		lab=$(basename "$f" | sed 's/-.*//')
		backend=$(field "$f" backend)
		t=$(field "$f" test)
		for k in file function backend test title chapter task; do
			[ -n "$(field "$f" "$k")" ] || die "$f has no $k"
		done
		[ -f "docs/tour/$(field "$f" chapter)" ] || die "$f: docs/tour/$(field "$f" chapter) does not exist"
		real=$(run_test . "$backend" "$t" real || true)
		if ! make_copy "$lab" 2>"build/labs/lab-$lab.err"; then
			echo "not ok $n - lab $lab: $(cat "build/labs/lab-$lab.err")"
			failed=$((failed + 1))
			continue
		fi
		stubbed=$(run_test "build/lab-$lab" "$backend" "$t" "lab-$lab" || true)
		case $real in *": PASS") real_ok=1 ;; *) real_ok=0 ;; esac
		case $stubbed in *": FAIL"*) stub_ok=1 ;; *) stub_ok=0 ;; esac
		if [ "$real_ok" = 1 ] && [ "$stub_ok" = 1 ]; then
			echo "ok $n - lab $lab ($(field "$f" function) in $(field "$f" file)): $t on $backend fails with the stub, passes with the code"
			passed=$((passed + 1))
			rm -rf "build/lab-$lab"
		else
			echo "not ok $n - lab $lab: with the code: $real; with the stub: $stubbed"
			failed=$((failed + 1))
		fi
	done
	# The written lab: every file its checklist names must exist.
	n=$((n + 1))
	# shellcheck disable=SC2016 # literal backquotes, not a command
	missing=$(grep -o '`[a-z_/.]*\.[a-zA-Z]*`' docs/tour/labs/new-hypercall.md | tr -d '`' |
		sort -u | while read -r p; do [ -e "$p" ] || echo "$p"; done)
	if [ -z "$missing" ]; then
		echo "ok $n - new-hypercall: every file its checklist names exists"
		passed=$((passed + 1))
	else
		echo "not ok $n - new-hypercall: missing: $missing"
		failed=$((failed + 1))
	fi
	echo "1..$n"
	echo "labs: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	;;
*)
	die "usage: lab.sh list | make N | test N | check | verify"
	;;
esac
