#!/bin/sh
# make fuzz-smoke: the fuzzers of tests/fuzz/ as regression tests.
#
# For each fuzzer: build it (make fuzz-build), replay every input of its
# committed corpus (tests/fuzz/corpus/NAME/; libFuzzer runs each file given
# as an argument once -- crashes found earlier stay fixed), then a short
# fuzzing run from that corpus (FUZZ_SMOKE_RUNS executions, at most
# FUZZ_SMOKE_SECONDS seconds, new inputs kept in a temporary folder, never
# in the committed one).  Then the differential decoder check against
# objdump (scripts/fuzz-decode-diff.sh).  One TAP line each, then
#   fuzz-smoke: N passed, N failed, N skipped
#
# Without clang and libFuzzer (Debian: clang, libclang-rt-14-dev; make
# deps installs them) every check is reported SKIPPED with the reason:
# never a silent pass.
set -eu
cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
fuzzers="x86_decode guest_walk pt hypercall fdt config"
runs=${FUZZ_SMOKE_RUNS:-20000}
secs=${FUZZ_SMOKE_SECONDS:-8}
passed=0
failed=0
skipped=0
n=0
start=$(date +%s)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - # SKIP $*"; }
finish() {
	echo "1..$n"
	echo "# fuzz-smoke took $(($(date +%s) - start))s"
	echo "fuzz-smoke: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

# Can this machine build a libFuzzer program with the sanitizers?
reason=""
if ! command -v clang >/dev/null 2>&1; then
	reason="clang is not installed (Debian: clang; make deps)"
else
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' >"$tmp/probe.c"
	if ! clang -fsanitize=fuzzer,address,undefined "$tmp/probe.c" -o "$tmp/probe" >"$tmp/probe.err" 2>&1; then
		reason="clang cannot link -fsanitize=fuzzer (libFuzzer missing: Debian's libclang-rt-14-dev; make deps): $(head -n 1 "$tmp/probe.err")"
	fi
fi
if [ -n "$reason" ]; then
	for f in $fuzzers; do
		skip "fuzz_$f: $reason"
	done
	skip "decode-diff: $reason"
	finish
fi

if ! "$MAKE" --no-print-directory fuzz-build >"$tmp/build.out" 2>&1; then
	sed 's/^/#   /' "$tmp/build.out"
	for f in $fuzzers; do
		notok "fuzz_$f: the fuzzers do not build"
	done
	notok "decode-diff: the fuzzers do not build"
	finish
fi

for f in $fuzzers; do
	bin=build/fuzz/fuzz_$f
	seeds=tests/fuzz/corpus/$f
	log=$tmp/$f.log
	nseeds=$(find "$seeds" -type f | wc -l)
	mkdir -p "$tmp/corpus-$f"
	# Replay: each committed input once (files as arguments).
	# shellcheck disable=SC2046 # one argument per corpus file
	if ! "$bin" -artifact_prefix="$tmp/crash-$f-" $(find "$seeds" -type f | sort) >"$log" 2>&1; then
		notok "fuzz_$f: replaying its $nseeds corpus inputs fails"
		tail -n 30 "$log" | sed 's/^/#   /'
		continue
	fi
	if ! nice -n 10 "$bin" -runs="$runs" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$tmp/crash-$f-" "$tmp/corpus-$f" "$seeds" >"$log" 2>&1; then
		notok "fuzz_$f: corpus replayed, but the smoke run found a failure"
		tail -n 40 "$log" | sed 's/^/#   /'
		continue
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -E '^#[0-9]+.*(DONE|INITED)' "$log" | tail -n 1 | sed 's/.*\(cov: [0-9]*\).*/\1/')
	ok "fuzz_$f: $nseeds corpus inputs replayed; smoke run $execs executions, $cov"
done

out=$tmp/diff.out
# Only the committed inputs (and the generated MOV forms): what this run's
# fuzzing found differs from run to run, and a test must give the same
# answer every time.  make fuzz compares what fuzzing finds, too.
if sh scripts/fuzz-decode-diff.sh build/fuzz/decode_print tests/fuzz/corpus/x86_decode >"$out" 2>&1; then
	if grep -q '^decode-diff: SKIP' "$out"; then
		skip "$(grep '^decode-diff: SKIP' "$out")"
	else
		ok "$(tail -n 1 "$out") (objdump)"
	fi
else
	notok "$(tail -n 1 "$out") (objdump)"
	grep '^not ok' "$out" | head -n 20 | sed 's/^/#   /'
fi
finish
