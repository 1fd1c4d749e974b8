#!/bin/sh
# Where the instructions of one aarch64 hypercall round trip go, by function
# (docs/performance.md).
#
#   profile-exit-arm64.sh [BUILDDIR]     (default build/aarch64-bench)
#
# Runs the BENCH=1 build once under QEMU with -icount shift=0,sleep=off and
# an execution trace of the hypervisor's and the guest's code (-d
# exec,nochain,in_asm, -dfilter), then follows one round trip of the bench
# guest's SCRATCH store loop and of its null-call loop: from the guest's
# block that traps to the guest's block after it, each hypervisor block's
# instructions (counted from its in_asm listing) go to the symbol it starts
# in (nm).  The hypervisor is relocated by the firmware: the run prints
# where hv_main is, and the run before it (same build, same firmware, under
# icount the same addresses) says where to filter.  Needs a few hundred MB
# in build/run/profile for the trace.
set -eu

builddir=${1:-build/aarch64-bench}
out=build/run/profile
mkdir -p "$out"
efi=$builddir/BOOTAA64.EFI
so=$builddir/hypervisor.so
elf=$builddir/guests/bench.elf
for f in "$efi" "$so" "$elf"; do
	if [ ! -f "$f" ]; then
		echo "profile: $f is missing: make BENCH=1 first" >&2
		exit 1
	fi
done
esp=$out/esp
mkdir -p "$esp/EFI/BOOT"
cp "$efi" "$esp/EFI/BOOT/BOOTAA64.EFI"

# run LOG [QEMU OPTIONS...]
run() {
	log=$1
	shift
	timeout 300 qemu-system-aarch64 -machine virt,virtualization=on -cpu cortex-a57 -m 512 \
		-icount shift=0,sleep=off -bios /usr/share/qemu-efi-aarch64/QEMU_EFI.fd \
		-display none -monitor none -nic none -no-reboot -boot menu=on,splash-time=0 \
		-serial "file:$log" -drive "format=raw,readonly=on,file=fat:$esp" "$@" || true
}

run "$out/serial-1.log"
at=$(tr -d '\r' <"$out/serial-1.log" | sed -n 's/^minihv: bench: hv_main at \(0x\)\{0,1\}\([0-9a-f]*\)$/\2/p')
off=$(aarch64-linux-gnu-nm "$so" | awk '$3 == "hv_main" { print $1 }')
if [ -z "$at" ] || [ -z "$off" ]; then
	echo "profile: the run did not say where hv_main is ($out/serial-1.log)" >&2
	exit 1
fi
base=$(printf '0x%x' $((0x$at - 0x$off)))
echo "profile: hypervisor at $base"

rm -f "$out/trace.log"
run "$out/serial-2.log" -d exec,nochain,in_asm -dfilter "$base+0x40000,0x40000000+0x10000" \
	-D "$out/trace.log"
at2=$(tr -d '\r' <"$out/serial-2.log" | sed -n 's/^minihv: bench: hv_main at \(0x\)\{0,1\}\([0-9a-f]*\)$/\2/p')
if [ "$at2" != "$at" ]; then
	echo "profile: the hypervisor moved between the two runs ($at, $at2)" >&2
	exit 1
fi
aarch64-linux-gnu-nm -n "$so" | awk '$2 ~ /^[Tt]$/ { print $1, $3 }' >"$out/syms.txt"

# The bench guest's loops (guest/arch/aarch64/bench.h): the SCRATCH store is
# a block "str xN, [xM]; subs; b.ne" that traps at its first instruction and
# resumes at the subs; the null call a block "mov x0, #0; hvc #0; ..." that
# resumes after the hvc.
aarch64-linux-gnu-objdump -d "$elf" | awk '/<cpu_bench_loop>:/, /^$/' >"$out/loops.txt"
store=$(awk '/\tstr\tx[0-9]+, \[x[0-9]+\]$/ { a = $1 } /\tsubs\t/ && a { sub(":", "", a); print a; exit } { if (!/\tstr\t/) a = "" }' "$out/loops.txt")
hvc=$(awk '/\thvc\t#0x0/ { sub(":", "", $1); print $1; exit }' "$out/loops.txt")

# profile NAME BLOCK RESUME: the 500th round trip from BLOCK to RESUME.
profile() {
	echo "profile: $1 (guest block 0x$2, resumes at 0x$3), hypervisor instructions by function:"
	awk -v base=$((base)) -v loop=$((0x$2)) -v resume=$((0x$3)) -v nth=500 '
		function hex(s,   i, v) { s = tolower(s); sub(/^0x/, "", s); v = 0
			for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v }
		function sym(pc,   lo, hi, mid) { pc -= base; lo = 1; hi = nsym
			while (lo < hi) { mid = int((lo + hi + 1) / 2); if (saddr[mid] <= pc) lo = mid; else hi = mid - 1 }
			return sname[lo] }
		FNR == NR { nsym++; saddr[nsym] = hex($1); sname[nsym] = $2; next }
		/^IN:/ { inblk = 1; n = 0; next }
		inblk && /^0x[0-9a-f]+:/ { n++; next }
		/^Trace/ { match($0, /\/[0-9a-f]+\//); pc = hex(substr($0, RSTART + 1, RLENGTH - 2))
			host = $3
			if (inblk) { size[host] = n; inblk = 0 }
			if (pc == loop) { on = 1; total = 0; split("", per); next }
			if (pc == resume && on) { on = 0
				if (++trips == nth) { for (f in per) printf "  %5d %s\n", per[f], f | "sort -rn"
					close("sort -rn"); printf "  %5d in all\n", total; exit }
				next }
			if (on && pc >= base) { per[sym(pc)] += size[host]; total += size[host] } }
	' "$out/syms.txt" "$out/trace.log"
}
profile "SCRATCH store" "$store" "$(printf '%x' $((0x$store + 4)))"
profile "null call (HVC #0)" "$(printf '%x' $((0x$hvc - 4)))" "$(printf '%x' $((0x$hvc + 4)))"
