#!/bin/sh
# Make a bootable UEFI disk image holding one application.
#
#   mkdisk.sh EFI-FILE IMAGE
#
# The image is what a PC firmware boots from a plain hard disk: an MBR with
# one partition of type 0xEF (EFI system partition), formatted FAT, with the
# application at \EFI\BOOT\BOOTX64.EFI, the path the firmware's boot manager
# tries when it has no boot entries.  Made with sfdisk, mkfs.fat and mtools,
# so no root, loop devices or mounting are needed.
#
# The disk's size is a whole number of cylinders of 16 heads x 63 sectors,
# so an emulator that derives a CHS geometry from the size (Bochs) gets an
# exact one.
set -eu
# mkfs.fat and sfdisk live in /usr/sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

efi=$1
image=$2

cylinders=20
total=$((cylinders * 16 * 63))   # 512-byte sectors: about 10 MB
start=2048                       # the first partition's usual 1 MiB offset
part_sectors=$((total - start))

part="$image.part"
rm -f "$image" "$part"
trap 'rm -f "$part"' EXIT

# The partition: a FAT file system built on its own, then copied in.
mkfs.fat -C -n MINIHV -h "$start" "$part" $((part_sectors / 2)) >/dev/null
MTOOLS_SKIP_CHECK=1 mmd -i "$part" ::/EFI ::/EFI/BOOT
MTOOLS_SKIP_CHECK=1 mcopy -i "$part" "$efi" ::/EFI/BOOT/BOOTX64.EFI

# The disk: zeros, an MBR partition table, the partition at its offset.
truncate -s $((total * 512)) "$image"
printf 'label: dos\nstart=%s, size=%s, type=ef\n' "$start" "$part_sectors" |
	sfdisk -q "$image" >/dev/null
dd if="$part" of="$image" bs=512 seek="$start" conv=notrunc status=none
