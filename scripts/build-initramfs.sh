#!/bin/sh
# Build the Linux guest's initramfs: busybox and one /init script.
#
#   build-initramfs.sh OUT.cpio [BUSYBOX]
#
# BUSYBOX is Debian's busybox-static:arm64 (default
# build/deps/busybox-arm64/bin/busybox, from scripts/install-deps.sh).  The
# archive is an uncompressed "newc" cpio, the format the kernel unpacks
# into its first root file system (Documentation/driver-api/early-userspace/
# buffer-format.rst); uncompressed, because the kernel needs no decompressor
# for it and it is small (about 2 MiB: busybox is nearly all of it).
#
# What /init does, under minihv (docs/linux-guest.md):
#   1. "minihv-linux: init running (Linux VERSION)": the kernel got as far
#      as user space;
#   2. finds the device-tree node /hypercall@ADDR the hypervisor wrote,
#      checks its compatible ("minihv,hypercall-v1") and takes the window's
#      guest-physical address from its reg property;
#   3. loads the ABI VERSION register (a 32-bit load, busybox's devmem) and
#      prints "minihv-linux: ABI VERSION register reads 0xN";
#   4. makes the EXIT hypercall with devmem: ARG0 (a 64-bit store) = 0 when
#      everything checked out and VERSION is the MINIHV_ABI_VERSION this
#      script was built with, 1 otherwise; then CALL (32-bit) = EXIT.  The
#      hypervisor ends the guest there, so the verdict comes from inside
#      Linux, from a value only the hypervisor could have supplied.
#   With minihv.test=MODE on the kernel command line it misbehaves on
#   purpose instead, for scripts/linux-arm64.sh's tests of what the
#   hypervisor does then: poweroff and panic (before the EXIT hypercall),
#   hang (sleeps for ever), spin (a busy loop), exitcode (EXIT with 7),
#   userpointer (a CONSOLE_WRITE call from user space), wild (a load from
#   0x10000000), gicr (a GICv3's LPI registers written and read back: they
#   must stay off).
#   5. Without the node (plain QEMU: scripts/linux-el1-baseline.sh), or if
#      devmem returns from the EXIT call (it must not), it says so and
#      powers off (poweroff -f: PSCI SYSTEM_OFF).  Under minihv that is a
#      failure, as it should be: the EXIT hypercall never happened.
#
# No root needed: the archive holds no device node.  The kernel opens
# /dev/console before it starts /init; Debian's kernel finds one in the
# small initramfs built into it (this archive is unpacked on top), but a
# kernel without that would start /init with no stdin, stdout or stderr.
# So /init first mounts devtmpfs on /dev (which has the console) and
# reopens its standard streams there.  Every file is stored as owned by
# root (cpio -R 0:0), whoever built it.
#
# The register offsets, the EXIT call's number and MINIHV_ABI_VERSION are
# read from include/minihv/hypercall_abi.h here, so they never drift from
# what the hypervisor was built with.
set -eu

out=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
busybox=${2:-$top/build/deps/busybox-arm64/bin/busybox}
abi_h="$top/include/minihv/hypercall_abi.h"

if [ ! -f "$busybox" ]; then
	echo "build-initramfs: $busybox is missing: run make deps (scripts/install-deps.sh)" >&2
	exit 1
fi

# abi NAME: the number "#define NAME N" gives in the ABI header (a "u" or
# "ull" suffix dropped), or an error naming it.
abi() {
	v=$(awk -v n="$1" '$1 == "#define" && $2 == n { print $3 }' "$abi_h" | sed 's/[uUlL]*$//')
	case $v in
	[0-9]* | 0x[0-9a-fA-F]*) ;;
	*) v= ;;
	esac
	if [ -z "$v" ] || [ "$(printf '%s\n' "$v" | wc -l)" -ne 1 ]; then
		echo "build-initramfs: no single number for $1 in $abi_h" >&2
		exit 1
	fi
	echo "$v"
}
abi_version=$(abi MINIHV_ABI_VERSION)
reg_version=$(abi MINIHV_HC_VERSION)
reg_arg0=$(abi MINIHV_HC_ARG0)
reg_call=$(abi MINIHV_HC_CALL)
reg_arg1=$(abi MINIHV_HC_ARG1)
call_console_write=$(abi MINIHV_CALL_CONSOLE_WRITE)
call_exit=$(abi MINIHV_CALL_EXIT)

root=$(mktemp -d)
chmod 755 "$root"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys"
cp "$busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
# The applets /init uses (and a few more, for a look around by hand with
# rdinit=/bin/sh): busybox runs the one its name says.
for applet in sh mount umount mkdir cat ls echo tr cut od hexdump uname \
	devmem poweroff sleep dmesg grep sed; do
	ln -s busybox "$root/bin/$applet"
done

# The script, with the ABI's numbers put in (@NAME@).  It runs under
# busybox sh; "set -u" only: a failing command must not end it (the kernel
# panics when init exits), each one is checked where it matters.
cat >"$root/init.in" <<'EOF'
#!/bin/sh
# The minihv Linux guest's init (scripts/build-initramfs.sh wrote it).
set -u
export PATH=/bin

# The console first (see build-initramfs.sh): devtmpfs has /dev/console.
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1

say() {
	echo "minihv-linux: $*"
}
# done_here: the end, when the EXIT hypercall could not be made or came
# back.  poweroff -f is PSCI SYSTEM_OFF, at once (no init to ask).
done_here() {
	say "powering off (PSCI SYSTEM_OFF)"
	poweroff -f
	sleep 5
	say "poweroff -f returned"
	exec sleep 1000000
}

say "init running (Linux $(uname -r))"
mount -t proc proc /proc
mount -t sysfs sysfs /sys

# A test of what goes wrong (scripts/linux-arm64.sh): minihv.test=MODE on
# the kernel's command line makes this init misbehave in one way, and the
# config expects the hypervisor to name it.  Without it: the real test.
mode=""
for w in $(cat /proc/cmdline); do
	case $w in
	minihv.test=*) mode=${w#minihv.test=} ;;
	esac
done
case $mode in
poweroff)
	say "test: powering off without the EXIT hypercall"
	poweroff -f
	;;
panic)
	say "test: init exits, so the kernel panics (and panic=-1 resets)"
	exit 1
	;;
hang)
	say "test: init waits for ever (the kernel idles in WFI)"
	exec sleep 100000000
	;;
spin)
	say "test: init spins for ever (a busy loop: the kernel never idles)"
	while :; do :; done
	;;
esac

# The hypervisor's node: /hypercall@ADDR (a child of the root, where
# /proc/device-tree points).
node=""
for d in /proc/device-tree/hypercall@*; do
	[ -d "$d" ] && node=$d && break
done
if [ -z "$node" ]; then
	say "no hypercall node in the device tree (/proc/device-tree/hypercall@*): not running under minihv"
	done_here
fi
# Properties are raw bytes: strings end in NUL (a list of them is several
# NUL-terminated strings), numbers are big-endian 32-bit cells.
compatible=$(tr '\000' '\n' <"$node/compatible" 2>/dev/null | head -n 1)
ok=1
if [ "$compatible" != "minihv,hypercall-v1" ]; then
	say "$node: compatible is \"$compatible\", not \"minihv,hypercall-v1\""
	ok=0
fi
# The address: the first #address-cells cells of reg (the root's
# #address-cells, 2 on the virt board: one 64-bit address), as hex.
cells=$(od -An -tx1 -v /proc/device-tree/#address-cells 2>/dev/null | tr -d ' \n')
cells=$((0x${cells:-2}))
reg=$(od -An -tx1 -v "$node/reg" 2>/dev/null | tr -d ' \n')
hex=$(printf '%s' "$reg" | cut -c "1-$((cells * 8))")
if [ -z "$hex" ] || [ "${#hex}" -ne $((cells * 8)) ]; then
	say "$node: no usable reg property (\"$reg\", #address-cells $cells)"
	done_here
fi
base=$((0x$hex))
# The unit address in the node's name must be reg's first address (the
# device-tree specification says so); a hypervisor that wrote two
# different ones wrote a wrong tree.
unit=${node##*@}
case $unit in
'' | *[!0-9a-fA-F]*) unit_ok=0 ;;
*) [ "$((0x$unit))" -eq "$base" ] && unit_ok=1 || unit_ok=0 ;;
esac
if [ "$unit_ok" = 0 ]; then
	say "$node: the unit address $unit is not reg's address 0x$hex"
	ok=0
fi
say "hypercall window at $(printf '0x%x' "$base") ($node, compatible \"$compatible\")"

# VERSION: a 32-bit load.  devmem prints the value as 0x%08X.  Where
# nothing answers at that address (plain QEMU), devmem dies of SIGBUS and
# prints nothing; this script goes on.  (Its stores write and never read
# back: ARG0 and CALL are store-only registers.)
version=$(devmem "$(printf '0x%x' $((base + @REG_VERSION@)))" 32)
case $version in
0x[0-9A-Fa-f]*)
	say "ABI VERSION register reads $version"
	if [ "$((version))" -ne @ABI_VERSION@ ]; then
		say "expected ABI version @ABI_VERSION@ (include/minihv/hypercall_abi.h)"
		ok=0
	fi
	;;
*)
	say "devmem could not read the ABI VERSION register (\"$version\"; see above)"
	ok=0
	;;
esac

# EXIT: ARG0 = the code (a 64-bit store), then CALL = EXIT (32-bit).
code=1
[ "$ok" = 0 ] || code=0
case $mode in
exitcode)
	say "test: EXIT with code 7"
	code=7
	;;
userpointer)
	# CONSOLE_WRITE takes a pointer: from user space it is refused.
	say "test: CONSOLE_WRITE from user space"
	devmem "$(printf '0x%x' $((base + @REG_ARG0@)))" 64 0x400000
	devmem "$(printf '0x%x' $((base + @REG_ARG1@)))" 64 16
	devmem "$(printf '0x%x' $((base + @REG_CALL@)))" 32 @CALL_CONSOLE_WRITE@
	;;
wild)
	# An address that is neither RAM nor the window nor a device handed
	# through: the hypervisor stops the guest there.
	say "test: a load from 0x10000000, where the partition has nothing"
	devmem 0x10000000 32
	;;
gicr)
	# A GICv3's redistributor: aim its LPI tables at physical memory
	# (GICR_PROPBASER, GICR_PENDBASER: addresses the GIC itself would
	# read and write, past stage-2) and turn LPIs on (GICR_CTLR bit 0).
	# minihv emulates that page: both must read back as off, and
	# GICR_TYPER must say Last and no LPIs.  The node's reg: the
	# distributor's address and size, then the redistributor's, two
	# cells each (the root's #address-cells and #size-cells).
	gic=""
	for d in /proc/device-tree/interrupt-controller@*; do
		[ -d "$d" ] && gic=$d && break
	done
	gcompat=$(tr '\000' '\n' <"$gic/compatible" 2>/dev/null | head -n 1)
	greg=$(od -An -tx1 -v "$gic/reg" 2>/dev/null | tr -d ' \n')
	if [ "$gcompat" != "arm,gic-v3" ] || [ "${#greg}" -ne 64 ]; then
		say "test: no GICv3 in the device tree (\"$gcompat\", reg \"$greg\")"
		code=1
	else
		rd=$((0x$(printf '%s' "$greg" | cut -c 33-48)))
		say "test: redistributor at $(printf '0x%x' "$rd"): LPI tables at physical 0x400000, EnableLPIs"
		devmem "$(printf '0x%x' $((rd + 0x70)))" 64 0x40000f
		devmem "$(printf '0x%x' $((rd + 0x78)))" 64 0x400000
		devmem "$(printf '0x%x' "$rd")" 32 1
		ctlr=$(devmem "$(printf '0x%x' "$rd")" 32)
		prop=$(devmem "$(printf '0x%x' $((rd + 0x70)))" 64)
		pend=$(devmem "$(printf '0x%x' $((rd + 0x78)))" 64)
		typer=$(devmem "$(printf '0x%x' $((rd + 8)))" 64)
		say "GICR_CTLR $ctlr, GICR_PROPBASER $prop, GICR_PENDBASER $pend, GICR_TYPER $typer"
		if [ $((${ctlr:-1} & 1)) -ne 0 ] || [ $((${prop:-1})) -ne 0 ] ||
			[ $((${pend:-1})) -ne 0 ] || [ $((${typer:-0} & 0x1b)) -ne 16 ]; then
			say "test: the redistributor's LPIs are within the partition's reach"
			code=1
		fi
	fi
	;;
esac
say "EXIT hypercall with code $code"
devmem "$(printf '0x%x' $((base + @REG_ARG0@)))" 64 "$code"
devmem "$(printf '0x%x' $((base + @REG_CALL@)))" 32 @CALL_EXIT@
say "the EXIT hypercall returned: the hypervisor did not end this guest"
done_here
EOF
sed -e "s/@ABI_VERSION@/$abi_version/g" -e "s/@REG_VERSION@/$reg_version/g" \
	-e "s/@REG_ARG0@/$reg_arg0/g" -e "s/@REG_CALL@/$reg_call/g" \
	-e "s/@REG_ARG1@/$reg_arg1/g" -e "s/@CALL_CONSOLE_WRITE@/$call_console_write/g" \
	-e "s/@CALL_EXIT@/$call_exit/g" "$root/init.in" >"$root/init"
rm "$root/init.in"
chmod 755 "$root/init"
if grep -q '@[A-Z_]*@' "$root/init"; then
	echo "build-initramfs: a placeholder is left in /init" >&2
	exit 1
fi

mkdir -p "$(dirname "$out")"
# Sorted names: the same inputs give the same archive order.
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.part"
mv "$out.part" "$out"
echo "build-initramfs: $out ($(wc -c <"$out" | tr -d ' ') bytes; ABI version $abi_version)"
