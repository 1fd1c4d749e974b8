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
#   debian-smc  the same, told to call PSCI by SMC (psci = smc)
#   linux-* the same kernel, misbehaving on purpose (the initramfs's
#           minihv.test=MODE): powering off or panicking before the EXIT
#           hypercall, hanging (a 6 s timeout), exiting with code 7, a
#           pointer call from user space, a load from an address with
#           nothing behind it
#   bad-*   entries the hypervisor must refuse: a missing file, more
#           memory than the machine, a file that is no Image, a kernel too
#           big for its RAM, an initrd that is no archive, an unknown key
#   linux-gicr  with a GICv3 only: the same kernel, writing its
#           redistributor's LPI registers, which must stay off
#   after   mmio_widths, hostile_spin   after Linux has been and gone:
#                             the MMIO path and the watchdog still work
#
# Each linux-* and bad-* entry says what it expects (expect = TEXT): it
# passes when minihv refuses or stops it with that text, and the next guest
# still runs.
#
# The hypervisor prints one verdict line per embedded test, by its name,
# and one for the Linux guest by its section's name ("PASS: debian: ..."),
# so the judge expects the names in build/linux/LABEL.list, read from the
# config, not the app's guests.list (run-suite.sh's MINIHV_LIST).  QEMU gets
# 1536 MiB: boot/ takes every Linux guest's RAM (256 MiB, and 64 MiB for
# the others) and the kernel and initramfs files (once each) from
# the firmware before the first guest runs.  Ends with the run's wall time.
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

# The same, with PSCI through SMC (trapped by HCR_EL2.TSC) instead of HVC.
[guest debian-smc]
kind = linux
kernel = \minihv\Image
initrd = \minihv\initrd.cpio
cmdline = console=ttyAMA0 panic=-1
memory = 64M
psci = smc

# What must go wrong, and how: each of these passes when minihv refuses or
# stops it with the words after "expect", and the next guest still runs.
# Linux that misbehaves (the initramfs's minihv.test=MODE):
[guest linux-poweroff]
kind = linux
kernel = \minihv\Image
initrd = \minihv\initrd.cpio
cmdline = console=ttyAMA0 panic=-1 minihv.test=poweroff
memory = 64M
expect = powered off (PSCI SYSTEM_OFF) without making the EXIT hypercall

[guest linux-panic]
kind = linux
kernel = \minihv\Image
initrd = \minihv\initrd.cpio
cmdline = console=ttyAMA0 panic=-1 minihv.test=panic
memory = 64M
expect = reset the machine (PSCI SYSTEM_RESET) without making the EXIT hypercall

[guest linux-hang]
kind = linux
kernel = \minihv\Image
initrd = \minihv\initrd.cpio
cmdline = console=ttyAMA0 panic=-1 minihv.test=hang
memory = 64M
timeout = 6
expect = watchdog: guest ran for 6000 ms

[guest linux-spin]
kind = linux
kernel = \minihv\Image
initrd = \minihv\initrd.cpio
cmdline = console=ttyAMA0 panic=-1 minihv.test=spin
memory = 64M
timeout = 6
expect = watchdog: guest ran for 6000 ms

[guest linux-exitcode]
kind = linux
kernel = \minihv\Image
initrd = \minihv\initrd.cpio
cmdline = console=ttyAMA0 panic=-1 minihv.test=exitcode
memory = 64M
expect = EXIT hypercall with code 7

[guest linux-userpointer]
kind = linux
kernel = \minihv\Image
initrd = \minihv\initrd.cpio
cmdline = console=ttyAMA0 panic=-1 minihv.test=userpointer
memory = 64M
expect = it takes a guest pointer

[guest linux-wild]
kind = linux
kernel = \minihv\Image
initrd = \minihv\initrd.cpio
cmdline = console=ttyAMA0 panic=-1 minihv.test=wild
memory = 64M
expect = guest-physical 0x10000000: nothing is there

# Config entries the hypervisor must refuse, each with its own message:
[guest bad-file]
kind = linux
kernel = \minihv\vmlinuz-missing
memory = 64M
expect = no such file on the boot volume

[guest bad-memory]
kind = linux
kernel = \minihv\Image
memory = 1600M
expect = is more than this machine has

[guest bad-magic]
kind = linux
kernel = \minihv\initrd.cpio
memory = 64M
expect = not an arm64 Image: magic

[guest bad-fit]
kind = linux
kernel = \minihv\Image
initrd = \minihv\initrd.cpio
memory = 32M
expect = needs more than the

[guest bad-initrd]
kind = linux
kernel = \minihv\Image
initrd = \minihv\minihv.cfg
memory = 64M
expect = initrd: the initrd is neither

[guest bad-key]
kind = linux
kernel = \minihv\Image
memroy = 64M
expect = unknown key "memroy"
EOF
# With a GICv3 (MINIHV_MACHINE=gic-version=3 or 4): a Linux guest that
# writes its redistributor's LPI registers (minihv.test=gicr) and passes
# with the EXIT hypercall's 0 only if they stayed off (gicv3.c emulates
# that page).  A GICv2 has no such registers: there is no such guest.
# iomem=relaxed: the GIC driver claims the region, and Debian's kernel
# (CONFIG_IO_STRICT_DEVMEM) keeps /dev/mem away from claimed I/O otherwise.
case ${MINIHV_MACHINE:-} in
*gic-version=3* | *gic-version=4*)
	cat >>"$extra/minihv/minihv.cfg" <<'EOF'

[guest linux-gicr]
kind = linux
kernel = \minihv\Image
initrd = \minihv\initrd.cpio
cmdline = console=ttyAMA0 panic=-1 iomem=relaxed minihv.test=gicr
memory = 64M
EOF
	;;
esac
cat >>"$extra/minihv/minihv.cfg" <<'EOF'

[guest after]
kind = minihv
embedded = mmio_widths hostile_spin
EOF
# The verdicts to expect, from the config itself: each embedded test by
# its own name, every other guest by its section's name (hv/main.c).
list="build/linux/$label.list"
awk '
	function flush() { if (name != "" && !embedded) print name }
	/^\[guest / { flush(); name = $2; sub(/\]$/, "", name); embedded = 0; next }
	/^embedded *=/ { sub(/^embedded *= */, ""); for (i = 1; i <= NF; i++) print $i; embedded = 1 }
	END { flush() }
' "$extra/minihv/minihv.cfg" >"$list"

# The time limit: the stall detector (MINIHV_STALL, 45 s of silence) ends
# a hang long before it; the limit only bounds a guest that keeps talking.
# Measured on a 2-core machine shared with other work: Linux ran for 1.6
# to 1.9 s under minihv (cortex-a57 and max alike, about 100 VM exits),
# the whole run, firmware and embedded guests included (hostile_spin waits
# for the 2 s watchdog), took 6 to 8 s.  180 s leaves room for a machine
# many times slower.
start=$(date +%s)
status=0
MINIHV_ESP_EXTRA="$extra" MINIHV_MEM=1536 MINIHV_LIST="$list" \
	MINIHV_TIMEOUT=${MINIHV_TIMEOUT:-180} \
	sh scripts/run-suite.sh qemu-arm64 "$cpu" "$builddir" "$label" || status=$?
echo "# $label: the run took $(($(date +%s) - start)) s (wall time, firmware to power-off, with the judge)"
exit "$status"
