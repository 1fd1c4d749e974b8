#!/bin/sh
# Debug the hypervisor (or one guest) under QEMU's gdbstub with gdb-multiarch.
#
#   gdb.sh ARCH BUILDDIR [GUEST]            interactive (make gdb-arm64, gdb-x86)
#   gdb.sh --batch ARCH BUILDDIR [GUEST]    the self-test make test runs
#
# BUILDDIR is a GDB=1 build (boot/efi_main.c: the hypervisor prints
# "minihv: image base 0x..." and then waits in a loop until a debugger
# clears minihv_gdb_wait).  This script boots it under QEMU with a gdbstub
# on a Unix socket (no TCP port to collide with another run), waits for that
# line, and starts gdb-multiarch with
#   - the hypervisor's symbols, hypervisor.so (the ELF file before objcopy
#     made the .efi: the .efi has none), loaded at the image base: the .so
#     is linked at 0, so the base is the offset (symbol-file -o BASE);
#   - GUEST's symbols too when given (its .elf is linked at the guest-virtual
#     address it runs at, so no offset), with a hardware breakpoint on its
#     test_main: a software one would be written through the hypervisor's
#     page tables, not the guest's;
#   - minihv_gdb_wait cleared, so "continue" runs on.
# Interactive: then on to a temporary breakpoint on hv_main, the core's
# entry, called by efi_main once it has its memory: the prompt comes there.
#
# --batch: the same, without a user: a breakpoint on hypercall_mmio (the
# handler of the guest's hypercalls, called for every MMIO exit) or on
# GUEST's test_main must be hit, with a backtrace that goes back through
# vcpu_run to efi_main (for the guest: test_main called from the guest's
# start code).  One TAP line per check, then "LABEL: N passed, N failed";
# LABEL is gdb-ARCH (gdb-guest-ARCH with GUEST).
#
# Environment: CPU (QEMU CPU model: cortex-a57, max), MINIHV_LOGDIR.
set -eu

mode=interactive
if [ "${1:-}" = --batch ]; then
	mode="batch"
	shift
fi
arch=$1
builddir=$2
guest=${3:-}
here=$(cd "$(dirname "$0")" && pwd)

case $arch in
aarch64)
	target=qemu-arm64
	cpu=${CPU:-cortex-a57}
	gdbarch=aarch64
	label=gdb-arm64
	[ -z "${3:-}" ] || label=gdb-guest-arm64
	;;
x86_64)
	# TCG: the gdbstub under KVM sees the host's view of the nested
	# hypervisor only partly (and needs KVM).  -cpu max runs the SVM backend.
	target=qemu-x86
	cpu=${CPU:-max}
	gdbarch=i386:x86-64
	label=gdb-x86
	[ -z "${3:-}" ] || label=gdb-guest-x86
	;;
*)
	echo "gdb: ARCH is aarch64 or x86_64, not '$arch'" >&2
	exit 2
	;;
esac

if ! command -v gdb-multiarch >/dev/null 2>&1; then
	echo "$label: gdb-multiarch is not installed: run make deps (Debian package gdb-multiarch)" >&2
	if [ "$mode" = batch ] && [ "${MINIHV_ALLOW_SKIP:-0}" = 1 ]; then
		echo "ok 1 - $label # SKIP gdb-multiarch is not installed"
		echo "$label: 0 passed, 0 failed, 1 skipped"
		exit 0
	fi
	exit 77
fi
so=$builddir/hypervisor.so
if [ ! -f "$so" ]; then
	echo "$label: $so is missing: build first (make GDB=1 ...)" >&2
	exit 1
fi
if [ -n "$guest" ] && [ ! -f "$builddir/guests/$guest.elf" ]; then
	echo "$label: no $builddir/guests/$guest.elf: GUEST names a test of one program (make list-tests)" >&2
	exit 1
fi

dir=${MINIHV_LOGDIR:-build/run}/$label
mkdir -p "$dir"
sock=$dir/gdb.sock
log=$dir/serial.log
cmds=$dir/gdb.cmds
out=$dir/gdb.out
rm -f "$sock" "$log" "$out"

# The run must not be stopped while the CPU sits at a breakpoint: no stall
# detector (a day of silence), and no time limit for a person at the
# prompt; the batch test gets 120 s.
limit=0
[ "$mode" = interactive ] || limit=120
MINIHV_QEMU_ARGS="-chardev socket,id=gdb0,path=$sock,server=on,wait=off -gdb chardev:gdb0" \
	MINIHV_STALL=86400 MINIHV_TIMEOUT=$limit \
	sh "$here/launch/$target.sh" "$cpu" "$builddir" "$log" 2>"$dir/launcher.err" &
launcher=$!
stop() {
	kill -TERM "$launcher" 2>/dev/null || true
	wait "$launcher" 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

# The image base, once the hypervisor has said it (the firmware takes a
# few seconds; a minute is plenty even on a loaded machine).
base=""
n=0
while [ -z "$base" ] && [ "$n" -lt 60 ] && kill -0 "$launcher" 2>/dev/null; do
	sleep 1
	n=$((n + 1))
	base=$(tr -d '\r' <"$log" 2>/dev/null |
		sed -n 's/^minihv: image base \(0x[0-9a-f]*\).*/\1/p' | head -n 1)
done
if [ -z "$base" ]; then
	stop
	echo "not ok 1 - $label: no \"minihv: image base\" line from the hypervisor in ${n}s (is $builddir a GDB=1 build?); see $log and $dir/launcher.err"
	sed 's/^/# /' "$dir/launcher.err"
	echo "$label: 0 passed, 1 failed"
	exit 1
fi

{
	echo "set pagination off"
	echo "set confirm off"
	echo "set architecture $gdbarch"
	echo "symbol-file -o $base $so"
	[ -z "$guest" ] || echo "add-symbol-file $builddir/guests/$guest.elf"
	echo "target remote $sock"
	echo "set var minihv_gdb_wait = 0"
} >"$cmds"
# Interactive: on to hv_main, the core's entry, where efi_main hands over
# (the stop above may have landed in the firmware's timer interrupt).
[ "$mode" = batch ] || printf 'tbreak hv_main
continue
' >>"$cmds"

if [ "$mode" = interactive ]; then
	echo "# $label: the hypervisor is at $base, stopped at hv_main (the core's entry); symbols: $so"
	[ -z "$guest" ] || echo "# $label: guest $guest's symbols loaded: hbreak test_main, then continue"
	echo "# $label: e.g. break hypercall_mmio, continue, bt; quit ends the run (docs/debugging.md)"
	status=0
	gdb-multiarch -q -x "$cmds" || status=$?
	stop
	exit "$status"
fi

# Batch: one breakpoint, hit once, and its backtrace.
if [ -n "$guest" ]; then
	want_fn=test_main
	echo "hbreak test_main" >>"$cmds"
else
	want_fn=hypercall_mmio
	echo "break hypercall_mmio" >>"$cmds"
fi
{
	echo "continue"
	echo "bt 12"
	echo "kill"
} >>"$cmds"
status=0
timeout 60 gdb-multiarch -q -batch -x "$cmds" >"$out" 2>&1 || status=$?
stop

passed=0
failed=0
check() {
	if [ "$1" = ok ]; then
		passed=$((passed + 1))
		echo "ok $((passed + failed)) - $label: $2"
	else
		failed=$((failed + 1))
		echo "not ok $((passed + failed)) - $label: $2"
	fi
}
bt=$(grep -E '^#[0-9]+ ' "$out" || true)
if grep -Eq "^(Temporary breakpoint|Breakpoint|Hardware assisted breakpoint) [0-9]+, .*$want_fn" "$out"; then
	check ok "the breakpoint on $want_fn is hit (image base $base)"
else
	check no "the breakpoint on $want_fn is not hit (gdb exit $status; see $out)"
fi
if [ -n "$guest" ]; then
	want="$want_fn"
else
	want="$want_fn vcpu_run efi_main"
fi
missing=""
for fn in $want; do
	printf '%s\n' "$bt" | grep -q " $fn " || printf '%s\n' "$bt" | grep -q "^#0 *$fn " ||
		missing="$missing $fn"
done
if [ -n "$bt" ] && [ -z "$missing" ]; then
	check ok "backtrace: $(printf '%s\n' "$bt" | sed 's/^#[0-9]* *\(0x[0-9a-f]* in \)\{0,1\}\([A-Za-z_0-9]*\).*/\2/' | tr '\n' ' ')"
else
	check no "backtrace without${missing:- any frame} (see $out)"
fi
if [ "$failed" -gt 0 ]; then
	sed 's/^/#   /' "$out" | tail -n 20
fi
echo "1..$((passed + failed))"
echo "$label: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
