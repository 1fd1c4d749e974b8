#!/bin/sh
# Boot build/aarch64/BOOTAA64.EFI under QEMU's virt board at EL2.
#
#   qemu-arm64.sh CPU BUILDDIR LOG
#
# virtualization=on gives the firmware (and so us) EL2.  -semihosting lets
# the hypervisor end QEMU with its verdict as the exit status.  The app is
# found by the firmware's boot manager as \EFI\BOOT\BOOTAA64.EFI on a FAT
# drive QEMU makes from a folder; splash-time=0 skips the boot menu's wait.
# Exit status: the hypervisor's (0 all passed, 1 failures, 2 hypervisor
# error, 3 no virtualization), 124 on timeout.
set -eu

cpu=$1
builddir=$2
log=$3

esp="$builddir/esp-$cpu"
mkdir -p "$esp/EFI/BOOT"
cp "$builddir/BOOTAA64.EFI" "$esp/EFI/BOOT/BOOTAA64.EFI"
rm -f "$log"

exec timeout --foreground -k 5 "${MINIHV_TIMEOUT:-120}" \
	qemu-system-aarch64 -machine virt,virtualization=on -cpu "$cpu" -m 512 \
	-bios /usr/share/qemu-efi-aarch64/QEMU_EFI.fd \
	-display none -monitor none -nic none -no-reboot \
	-boot menu=on,splash-time=0 -semihosting \
	-serial "file:$log" \
	-drive "format=raw,readonly=on,file=fat:$esp" </dev/null
