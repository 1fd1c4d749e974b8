#!/bin/sh
# Debian's arm64 Linux as a minihv guest, between two of minihv's own guests,
# in one boot under QEMU (make linux-arm64; docs/linux-guest.md).
#
#   linux-arm64.sh CPU BUILDDIR LABEL
#
# Makes the folder build/linux/esp-LABEL/ whose minihv/ goes onto the ESP
# (the launcher's MINIHV_ESP_EXTRA) as \minihv\: the kernel's Image
# (build/deps/linux-arm64/Image, scripts/install-deps.sh), the initramfs
# (build/linux/initrd.cpio, scripts/build-initramfs.sh) and minihv.cfg, the
# list of guests the app runs, in order (the format: docs/config.md):
#
#   before  hello, leftover   minihv's own, embedded in the app
#   debian  the Linux guest   its /init makes the EXIT hypercall with 0
#                             when the ABI VERSION register it reads
#                             through devmem is right
#   after   mmio_widths, hostile_spin   after Linux has been and gone:
#                             the MMIO path and the watchdog still work
#
# The hypervisor prints one verdict line per embedded test, by its name,
# and one for the Linux guest by its section's name ("PASS: debian: ..."),
# so the judge expects the names in build/linux/LABEL.list, not the app's
# guests.list (run-suite.sh's MINIHV_LIST).  QEMU gets 1024 MiB: the
# hypervisor takes the Linux guest's RAM and the buffers for the kernel and
# initramfs files from the firmware.  Ends with the run's wall time.
#
# Environment: MINIHV_TIMEOUT (default 180 here: see below), and the rest
# of run-suite.sh's (MINIHV_QUIET=1, MINIHV_STALL, ...).
set -eu

cpu=$1
builddir=$2
label=$3
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
image=build/deps/linux-arm64/Image
initrd=build/linux/initrd.cpio

for f in "$image" "$initrd" "$builddir/BOOTAA64.EFI"; do
	if [ ! -f "$f" ]; then
		echo "linux-arm64: $f is missing: make linux-arm64 builds it (make deps fetches the kernel)" >&2
		exit 1
	fi
done

extra="build/linux/esp-$label"
rm -rf "$extra"
mkdir -p "$extra/minihv"
cp "$image" "$extra/minihv/Image"
cp "$initrd" "$extra/minihv/initrd.cpio"
# earlycon: the kernel's messages from its first instructions on, before
# the PL011 driver binds (a hang that early would otherwise be silent).
# panic=-1: a panic reboots at once (PSCI SYSTEM_RESET), which ends the
# guest, rather than spinning until the stall detector steps in.
cat >"$extra/minihv/minihv.cfg" <<'EOF'
[guest before]
kind = minihv
embedded = hello leftover

[guest debian]
kind = linux
kernel = \minihv\Image
initrd = \minihv\initrd.cpio
cmdline = console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1
memory = 256M

[guest after]
kind = minihv
embedded = mmio_widths hostile_spin
EOF
list="build/linux/$label.list"
printf '%s\n' hello leftover debian mmio_widths hostile_spin >"$list"

# The time limit: the stall detector (MINIHV_STALL, 45 s of silence) ends
# a hang long before it; the limit only bounds a guest that keeps talking.
# Measured on a 2-core machine shared with other work: Linux ran for 1.6
# to 1.9 s under minihv (cortex-a57 and max alike, about 100 VM exits),
# the whole run, firmware and embedded guests included (hostile_spin waits
# for the 2 s watchdog), took 6 to 8 s.  180 s leaves room for a machine
# many times slower.
start=$(date +%s)
status=0
MINIHV_ESP_EXTRA="$extra" MINIHV_MEM=1024 MINIHV_LIST="$list" \
	MINIHV_TIMEOUT=${MINIHV_TIMEOUT:-180} \
	sh scripts/run-suite.sh qemu-arm64 "$cpu" "$builddir" "$label" || status=$?
echo "# $label: the run took $(($(date +%s) - start)) s (wall time, firmware to power-off, with the judge)"
exit "$status"
