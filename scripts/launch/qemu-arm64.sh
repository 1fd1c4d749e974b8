#!/bin/sh
# Boot build/aarch64/BOOTAA64.EFI under QEMU's virt board at EL2.
#
#   qemu-arm64.sh CPU BUILDDIR LOG
#
# virtualization=on gives the firmware (and so us) EL2.  The app is found by the firmware's boot manager as \EFI\BOOT\BOOTAA64.EFI on a FAT
# drive QEMU makes from a folder; splash-time=0 skips the boot menu's wait.
#
# Environment:
#   MINIHV_TIMEOUT   seconds before the run is stopped whatever it does (120)
#   MINIHV_STALL     seconds of silence on the serial line that count as a
#                    hang (45; scripts/launch/watch.sh says why)
#   MINIHV_FIRMWARE  plain (default): Debian's QEMU_EFI.fd, no Secure Boot.
#                    pflash: AAVMF_CODE.fd and AAVMF_VARS.fd as flash.
#                    secboot: AAVMF_CODE.fd with AAVMF_VARS.ms.fd, the
#                    variables with Microsoft's keys enrolled and Secure Boot
#                    on, as virt-manager sets a machine up; the unsigned app
#                    is then refused (docs/secure-boot.md).  The variables
#                    are copied next to LOG: the firmware writes to them.
#                    snakeoil: the same with Debian's test key in PK, KEK
#                    and db instead, to boot an app signed with it
#                    (docs/secure-boot.md).
#   MINIHV_MEM, MINIHV_SMP, MINIHV_MACHINE  the machine (scripts/launch/settings.sh)
#   MINIHV_ESP_EXTRA a folder whose contents go into the ESP's root, next to
#                    EFI/: DIR/minihv/minihv.cfg is \minihv\minihv.cfg, the
#                    configuration the app reads (scripts/linux-arm64.sh:
#                    a Linux guest's kernel, initramfs and config)
#   QEMU_ARM64       the QEMU to run (default qemu-system-aarch64 on PATH)
#   MINIHV_QEMU_ARGS more QEMU arguments, split at spaces (scripts/gdb.sh:
#                    the gdbstub)
#   MINIHV_EMULATOR  a program to run instead of qemu-system-aarch64 (the
#                    harness's self-test, scripts/selftest-launch.sh)
#
# No -semihosting, ever: QEMU serves semihosting calls (HLT #0xf000) from
# EL1 as well as from EL2, so it would give every guest a shell on this
# host (SYS_SYSTEM), its files (SYS_OPEN, SYS_WRITE), the serial log
# (SYS_WRITE0: a forged "PASS:" line) and the exit status (SYS_EXIT).
# Without it that instruction is undefined, and a guest that tries it is
# stopped (guest/tests/hostile_semihosting.c).  So QEMU has no exit with a
# status: the hypervisor powers off through PSCI SYSTEM_OFF, QEMU exits 0,
# and the status is read from the hypervisor's last line,
# "minihv: power off, status N" (hv/power.c), which no guest can write.
# The verdict itself is the log's (scripts/judge-log.sh); this status only
# has to agree with it.
#
# Exit status: the hypervisor's, from that line (0 all passed, 1 failures,
# 2 hypervisor error, 3 no virtualization); 2 as well when QEMU exited 0
# without that line (a "minihv-harness:" line in LOG says so); 124 on
# timeout, 123 when the serial line stalled, 122 when the firmware refused
# to start the app (Secure Boot), each with a "minihv-harness:" line; any
# other status is QEMU's own (it crashed, or was killed), passed on.
set -eu

cpu=$1
builddir=$2
log=$3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/watch.sh
. "$here/watch.sh"
# shellcheck source=SCRIPTDIR/settings.sh
. "$here/settings.sh"

case ${MINIHV_FIRMWARE:-plain} in
plain)
	firmware="-bios /usr/share/qemu-efi-aarch64/QEMU_EFI.fd"
	;;
pflash)
	firmware=$(pflash_drives /usr/share/AAVMF/AAVMF_CODE.fd /usr/share/AAVMF/AAVMF_VARS.fd)
	;;
secboot | snakeoil)
	keys=ms
	[ "$MINIHV_FIRMWARE" = secboot ] || keys=snakeoil
	firmware=$(pflash_drives /usr/share/AAVMF/AAVMF_CODE.fd "/usr/share/AAVMF/AAVMF_VARS.$keys.fd")
	;;
*)
	echo "qemu-arm64: unknown MINIHV_FIRMWARE '$MINIHV_FIRMWARE' (use plain, pflash, secboot or snakeoil)" >&2
	exit 2
	;;
esac

qemu=${QEMU_ARM64:-qemu-system-aarch64}
need_emulator "$qemu" QEMU_ARM64
case ${MINIHV_FIRMWARE:-plain} in
plain) need_firmware /usr/share/qemu-efi-aarch64/QEMU_EFI.fd ;;
*) need_firmware /usr/share/AAVMF/AAVMF_CODE.fd ;;
esac

# The ESP holds the app, and MINIHV_ESP_EXTRA's files if it is set.
# Nothing else an earlier run put there may stay: above all not a
# \minihv\minihv.cfg, which would make a plain suite run boot the guests
# an earlier MINIHV_ESP_EXTRA run configured.  So everything but EFI/ goes
# (EFI/ holds only the app, which is copied over).
esp="$builddir/esp-$esp_name"
if [ -n "${MINIHV_ESP_EXTRA:-}" ] && [ ! -d "$MINIHV_ESP_EXTRA" ]; then
	echo "qemu-arm64: MINIHV_ESP_EXTRA=$MINIHV_ESP_EXTRA is not a folder" >&2
	exit 2
fi
for f in "$esp"/* "$esp"/.[!.]*; do
	case ${f##*/} in
	EFI | '*' | '.[!.]*') ;;
	*) rm -rf "$f" ;;
	esac
done
mkdir -p "$esp/EFI/BOOT"
cp "$builddir/BOOTAA64.EFI" "$esp/EFI/BOOT/BOOTAA64.EFI"
if [ -n "${MINIHV_ESP_EXTRA:-}" ]; then
	cp -R "$MINIHV_ESP_EXTRA/." "$esp/"
fi
rm -f "$log"

# shellcheck disable=SC2086 # $firmware, $icount, MINIHV_QEMU_ARGS: several words on purpose
watch_run "$log" BOOTAA64.EFI \
	"$qemu" -machine "virt,virtualization=on${MINIHV_MACHINE:+,$MINIHV_MACHINE}" \
	-cpu "$cpu" -m "$mem" -smp "$smp" $icount \
	$firmware \
	-display none -monitor none -nic none -no-reboot \
	-boot menu=on,splash-time=0 \
	-serial "file:$log" \
	-drive "format=raw,readonly=on,file=fat:$esp" ${MINIHV_QEMU_ARGS:-}
if [ "$watch_status" -ne 0 ]; then
	exit "$watch_status"
fi
hv=$(hv_power_status "$log")
if [ -z "$hv" ]; then
	harness_says "QEMU exited 0, but the hypervisor did not say it powered off (no \"minihv: power off, status N\" line): something else ended the machine"
	exit 2
fi
exit "$hv"
