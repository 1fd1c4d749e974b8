# shellcheck shell=sh disable=SC2034,SC2154 # sourced: cpu and log come from, and mem, smp, icount, esp_name go to, the launcher
# Sourced by the QEMU launchers: the shape of the machine, from the
# environment, checked once here so that a typo is an error and not a
# machine QEMU quietly makes of it.
#
#   MINIHV_MEM      guest RAM of the emulated machine, MiB (default 512)
#   MINIHV_SMP      its CPUs (default 1; minihv runs on the first, the others
#                   stay parked in the firmware)
#   MINIHV_MACHINE  aarch64: more options for -machine virt (gic-version=3,
#                   highmem=off, ...); x86: the machine type (pc, q35)
#   MINIHV_ICOUNT   1: QEMU counts instructions (-icount shift=0,sleep=off):
#                   virtual time advances 1 ns per instruction run, so the
#                   guests' counters count instructions (make bench,
#                   docs/performance.md); sleep=off makes idle time jump
#                   to the next timer rather than follow the host clock,
#                   so two runs are the same to the instruction.  TCG only.
#
# Sets mem, smp, icount, and esp_name (the CPU model as a folder name: QEMU's
# "fat:" drive syntax takes a comma in the path as an option separator).

# setting_number NAME VALUE: VALUE must be a whole number of at least 1.
setting_number() {
	case $2 in
	'' | *[!0-9]* | 0)
		echo "launch: $1 must be a whole number of at least 1, not '$2'" >&2
		exit 2
		;;
	esac
}

mem=${MINIHV_MEM:-512}
smp=${MINIHV_SMP:-1}
setting_number MINIHV_MEM "$mem"
setting_number MINIHV_SMP "$smp"
case ${MINIHV_ICOUNT:-0} in
0) icount= ;;
1) icount="-icount shift=0,sleep=off" ;;
*)
	echo "launch: MINIHV_ICOUNT must be 0 or 1, not '$MINIHV_ICOUNT'" >&2
	exit 2
	;;
esac
esp_name=$(printf '%s' "$cpu" | tr -c 'A-Za-z0-9_.-' '_')

# pflash_drives CODE VARS: the firmware as two flash devices, as libvirt
# starts a machine: its code, read-only, and a copy of a variable store
# (Secure Boot's keys and setting live there), next to LOG because the
# firmware writes to it.
pflash_drives() {
	vars="${log%.log}.vars.fd"
	cp "$2" "$vars"
	echo "-drive if=pflash,format=raw,unit=0,readonly=on,file=$1" \
		"-drive if=pflash,format=raw,unit=1,file=$vars"
}
