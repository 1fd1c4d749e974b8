#!/bin/sh
# Boot build/x86_64/BOOTX64.EFI under QEMU's PC machine with OVMF.
#
#   qemu-x86.sh CPU BUILDDIR LOG
#
# CPU is one of:
#   max   TCG (QEMU's own CPU emulation), -cpu max: an AMD-like CPU with SVM
#         and nested paging, so the SVM backend runs.  TCG has no VMX.
#   kvm   KVM with -cpu host: the host CPU's own VMX or SVM, passed through
#         by nested virtualization.  Needs a usable /dev/kvm, a vmx or svm
#         flag in /proc/cpuinfo, and kvm_intel/kvm_amd loaded with nested=1.
#   auto  kvm when this machine can, else max.
#   any other name: that QEMU TCG CPU model (EPYC, Opteron_G5, phenom, ...)
#         for make test-matrix; a model without SVM gets a SKIP with the
#         hypervisor's reason.
#
# The firmware's boot manager finds the app as \EFI\BOOT\BOOTX64.EFI on a FAT
# drive QEMU makes from a folder.  The hypervisor ends QEMU by writing its
# status V to the isa-debug-exit port, which QEMU turns into exit status
# (V << 1) | 1; we hand back V.  If QEMU exits 0 instead (the firmware powered
# off without that write), we hand back the status of the hypervisor's line
# "minihv: power off, status N" (hv/power.c), or 0 when there is none: the
# judge fails a run without a SUMMARY anyway.  A guest cannot reach the port:
# the hypervisor intercepts every I/O port (guest/tests/hostile_exit_port.c).
#
# Environment:
#   MINIHV_TIMEOUT   seconds before the run is stopped whatever it does (120)
#   MINIHV_STALL     seconds of silence on the serial line that count as a
#                    hang (45; scripts/launch/watch.sh says why)
#   MINIHV_FIRMWARE  plain (default): Debian's OVMF.fd, no Secure Boot, on
#                    the PC machine.  secboot: OVMF_CODE_4M.secboot.fd with
#                    OVMF_VARS_4M.ms.fd, the variables with Microsoft's keys
#                    enrolled and Secure Boot on, as virt-manager sets a
#                    machine up; the unsigned app is then refused
#                    (docs/secure-boot.md).  That firmware keeps its
#                    variables safe from the OS with SMM, so it needs the
#                    q35 machine with smm=on and its flash marked secure; the
#                    variables are copied next to LOG (the firmware writes
#                    to them).  snakeoil: the same with Debian's test key
#                    in PK, KEK and db instead, to boot an app signed with
#                    it (docs/secure-boot.md).
#                    pflash: OVMF_CODE_4M.fd and OVMF_VARS_4M.fd as flash.
#   MINIHV_MEM, MINIHV_SMP  the machine (scripts/launch/settings.sh);
#   MINIHV_MACHINE   the machine type for plain and pflash: pc (default), q35
#   QEMU_X86         the QEMU to run (default qemu-system-x86_64 on PATH)
#   MINIHV_QEMU_ARGS more QEMU arguments, split at spaces (scripts/gdb.sh:
#                    the gdbstub)
#   MINIHV_EMULATOR  a program to run instead of qemu-system-x86_64 (the
#                    harness's self-test, scripts/selftest-launch.sh)
#
# Exit status: the hypervisor's (0 all passed, 1 failures, 2 hypervisor
# error, 3 no virtualization), 124 on timeout, 123 when the serial line
# stalled, 122 when the firmware refused to start the app (Secure Boot);
# the last three also append a "minihv-harness:" line to LOG saying so.
# 77 when CPU=kvm cannot run here (the reason is the last line on stderr).
set -eu

cpu=$1
builddir=$2
log=$3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/watch.sh
. "$here/watch.sh"
# shellcheck source=SCRIPTDIR/settings.sh
. "$here/settings.sh"

# Why KVM cannot run a hypervisor here, or nothing if it can.
kvm_problem() {
	if [ ! -e /dev/kvm ]; then
		echo "no /dev/kvm (KVM is not available on this machine)"
		return
	fi
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "/dev/kvm exists but is not readable and writable by $(id -un)"
		return
	fi
	if grep -qw vmx /proc/cpuinfo; then
		module=kvm_intel
	elif grep -qw svm /proc/cpuinfo; then
		module=kvm_amd
	else
		echo "the host CPU has neither the vmx nor the svm flag, so KVM cannot give a guest either"
		return
	fi
	param=/sys/module/$module/parameters/nested
	if [ ! -r "$param" ]; then
		echo "$module is not loaded ($param is missing)"
		return
	fi
	case $(cat "$param") in
	Y | y | 1) ;;
	*) echo "$module has nested virtualization off ($param is $(cat "$param")); try: modprobe -r $module && modprobe $module nested=1" ;;
	esac
}

case $cpu in
max)
	accel="-accel tcg -cpu max"
	;;
kvm)
	why=$(kvm_problem)
	if [ -n "$why" ]; then
		echo "qemu-x86: cannot use KVM: $why" >&2
		exit 77
	fi
	accel="-accel kvm -cpu host"
	;;
auto)
	why=$(kvm_problem)
	if [ -z "$why" ]; then
		accel="-accel kvm -cpu host"
	else
		echo "qemu-x86: VMX cannot run here: KVM is not usable ($why)." >&2
		echo "qemu-x86: running the SVM backend under QEMU TCG -cpu max instead (VMX runs under Bochs: make bochs-x86)." >&2
		accel="-accel tcg -cpu max"
	fi
	;;
*)
	# A CPU model QEMU does not know makes QEMU exit at once with its
	# own message, which the launcher's stderr shows.
	accel="-accel tcg -cpu $cpu"
	;;
esac

case ${MINIHV_FIRMWARE:-plain} in
plain)
	firmware="-machine ${MINIHV_MACHINE:-pc} -bios /usr/share/ovmf/OVMF.fd"
	;;
pflash)
	firmware="-machine ${MINIHV_MACHINE:-pc}
		$(pflash_drives /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_VARS_4M.fd)"
	;;
secboot | snakeoil)
	keys=ms
	[ "$MINIHV_FIRMWARE" = secboot ] || keys=snakeoil
	firmware="-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on
		$(pflash_drives /usr/share/OVMF/OVMF_CODE_4M.secboot.fd "/usr/share/OVMF/OVMF_VARS_4M.$keys.fd")"
	;;
*)
	echo "qemu-x86: unknown MINIHV_FIRMWARE '$MINIHV_FIRMWARE' (use plain, pflash, secboot or snakeoil)" >&2
	exit 2
	;;
esac

qemu=${QEMU_X86:-qemu-system-x86_64}
need_emulator "$qemu" QEMU_X86
case ${MINIHV_FIRMWARE:-plain} in
plain) need_firmware /usr/share/ovmf/OVMF.fd ;;
*) need_firmware /usr/share/OVMF/OVMF_CODE_4M.fd ;;
esac

esp="$builddir/esp-$esp_name"
mkdir -p "$esp/EFI/BOOT"
cp "$builddir/BOOTX64.EFI" "$esp/EFI/BOOT/BOOTX64.EFI"
rm -f "$log"
echo "qemu-x86: $accel" >&2

# shellcheck disable=SC2086 # $accel, $firmware and $icount are several words on purpose
watch_run "$log" BOOTX64.EFI \
	"$qemu" $firmware $accel $icount -m "$mem" -smp "$smp" \
	-drive "format=raw,file=fat:rw:$esp" \
	-serial "file:$log" -display none -monitor none -no-reboot -net none \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 ${MINIHV_QEMU_ARGS:-}
status=$watch_status

case $status in
0) exit "$(hv_power_status "$log" | grep . || echo 0)" ;; # the firmware powered off
124 | 137) exit 124 ;; # timeout (137: killed after the grace period)
122 | 123) exit "$status" ;; # refused, stalled: watch_run said why in the log
esac
# isa-debug-exit: (V << 1) | 1, for the hypervisor's statuses 0 to 3.  Any
# other status is QEMU's own (a crash, a signal): pass it on as it is, and
# the judge fails the run.
case $status in
1 | 3 | 5 | 7) exit $((status >> 1)) ;;
esac
exit "$status"
