#!/bin/sh
# The baseline for make linux-arm64: plain QEMU boots the same kernel and
# initramfs at EL1, with no firmware and no hypervisor, and we time it.
#
#   linux-el1-baseline.sh CPU
#
# QEMU loads build/deps/linux-arm64/Image (scripts/install-deps.sh) and
# build/linux/initrd.cpio (scripts/build-initramfs.sh) itself and starts the
# kernel at EL1 with a device tree of its own: no hypercall node there, so
# the initramfs's /init says so and powers off (PSCI SYSTEM_OFF), and QEMU
# exits.  The time from launch to that exit is what booting this kernel to
# init costs on this CPU model under TCG, the figure a minihv run of the
# same kernel is compared with.  (On -cpu max most of it, about 4.5 of
# 6 s, is QEMU emulating pointer authentication, which the kernel uses
# where the CPU has it: -cpu max,pauth=off boots in 1.6 s.)  The run also
# proves the kernel, the initramfs and /init work without minihv: the log
# must hold /init's marker line ("minihv-linux: init running") and its
# no-node line.
#
# Prints "linux-el1 CPU: plain QEMU boots the kernel to init and powers off
# in N s"; the serial output is in build/run/linux-el1-CPU.log.  Exit
# status 0 when the marker is there and QEMU exited by itself.
#
# Environment: MINIHV_TIMEOUT (seconds, default 300), QEMU_ARM64.
set -eu

cpu=$1
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
image=build/deps/linux-arm64/Image
initrd=build/linux/initrd.cpio
logdir=${MINIHV_LOGDIR:-build/run}
log="$logdir/linux-el1-$cpu.log"
qemu=${QEMU_ARM64:-qemu-system-aarch64}
limit=${MINIHV_TIMEOUT:-300}

for f in "$image" "$initrd"; do
	if [ ! -f "$f" ]; then
		echo "linux-el1 $cpu: $f is missing: make linux-arm64 builds it (make deps fetches the kernel)" >&2
		exit 1
	fi
done
mkdir -p "$logdir"
rm -f "$log"

# now_ms: the time in milliseconds (GNU date's %N; whole seconds where
# date has no %N).
now_ms() {
	t=$(date +%s%N)
	case $t in
	*N) echo $(($(date +%s) * 1000)) ;;
	*) echo $((t / 1000000)) ;;
	esac
}
start=$(now_ms)
status=0
# -no-reboot: a kernel panic (panic=-1 reboots at once) ends QEMU too,
# rather than booting again.  No -semihosting (scripts/launch/qemu-arm64.sh
# says why).
timeout -k 5 "$limit" "$qemu" -machine virt -cpu "$cpu" -m 1024 \
	-display none -monitor none -nic none -no-reboot \
	-serial "file:$log" \
	-kernel "$image" -initrd "$initrd" -append "console=ttyAMA0 panic=-1" \
	</dev/null || status=$?
ms=$(($(now_ms) - start))
took=$((ms / 1000)).$((ms % 1000 / 100))

# tr: the serial line's "\r\n".
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
	echo "linux-el1 $cpu: QEMU ran out of time after $limit s (MINIHV_TIMEOUT); the log: $log" >&2
	exit 1
fi
if [ "$status" -ne 0 ]; then
	echo "linux-el1 $cpu: QEMU exited with status $status after $took s; the log: $log" >&2
	exit 1
fi
if ! tr -d '\r' <"$log" | grep -q '^minihv-linux: init running (Linux '; then
	echo "linux-el1 $cpu: QEMU exited after $took s, but /init never ran (no \"minihv-linux: init running\" line in $log)" >&2
	tr -d '\r' <"$log" | tail -n 5 | sed 's/^/#   /' >&2
	exit 1
fi
if ! tr -d '\r' <"$log" | grep -q '^minihv-linux: no hypercall node'; then
	echo "linux-el1 $cpu: /init ran but did not report the missing hypercall node (see $log)" >&2
	exit 1
fi
echo "linux-el1 $cpu: plain QEMU boots the kernel to init and powers off in $took s"
