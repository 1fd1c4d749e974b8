/*
 * The hypervisor core's entry point, called by boot/ once it has memory.
 *
 * boot/ is only a shell around the core: it gathers what the platform
 * provides into a struct hv_platform and calls in.  Nothing in hv/, mm/ or
 * arch/ calls back into boot/; what the core needs from the firmware comes
 * in this record.
 */
#ifndef HV_HV_H
#define HV_HV_H

#include <stdint.h>

struct hv_config;

/*
 * What boot/ loaded from the boot volume for one guest of the config, all
 * of it in memory taken from the firmware for that guest alone, given back
 * when hv_main returns.  NULL / 0 where the guest names no such file.
 */
struct hv_guest_files {
	const void *kernel;
	uint64_t kernel_len;
	const void *initrd;
	uint64_t initrd_len;
	/* A Linux guest's RAM: ram_size bytes (the config's memory), 2 MiB
	 * aligned, as the firmware left it: the core zeroes it before use. */
	void *ram;
	uint64_t ram_size;
};

struct hv_platform {
	/* One block of memory, the hypervisor's for as long as hv_main runs:
	 * every VM is allocated from it. */
	void *pool_base;
	uint64_t pool_size;
	/* The firmware's own power-off (UEFI ResetSystem).  Never returns.
	 * The arch's power-off falls back to it when the machine has no
	 * emulator exit that carries a status. */
	void (*firmware_power_off)(void);
	/* The firmware's description of the machine, from the UEFI
	 * configuration table, or NULL where it gives none: the ACPI 2.0 RSDP
	 * and the flattened device tree.  The aarch64 power-off reads from
	 * them how to reach PSCI (arch/aarch64/power.c). */
	const void *acpi_rsdp;
	const void *device_tree;
	/*
	 * Guests from files (boot/efi_files.c, docs/config.md): the parsed
	 * \minihv\minihv.cfg, or NULL when there is none and the embedded
	 * suite runs as it always has; and for each of its guests, what boot/
	 * loaded (guest_files[i] for config->guests[i]).  boot/ writes a
	 * guest's own problem (a missing file, too much memory) into that
	 * guest's error before the core starts.
	 */
	const struct hv_config *config;
	const struct hv_guest_files *guest_files;
};

/* Run every embedded guest test, each in a fresh VM, and print a verdict
 * line per test and a SUMMARY.  Returns the power-off status: 0 when no test
 * failed, 1 otherwise, 3 when this CPU cannot run guests (every test is then
 * a SKIP).  (2, the hypervisor itself could not start, comes from boot/.)
 * The platform record must outlive the call. */
int hv_main(const struct hv_platform *platform);

/* Power off, the end of every run (boot/ when hv_main returns, or a
 * panic): print "minihv: power off, status N", then the arch's way, then
 * the firmware's.  That line, which no guest can forge (guest lines start
 * with "["), is what carries the status to the launcher: an emulator's
 * exit status may say nothing (PSCI SYSTEM_OFF and ResetSystem end QEMU
 * with 0) and must never be the only word on a pass. */
__attribute__((noreturn)) void hv_power_off(int status);

/* Remember the platform for hv_power_off and hv_power_platform (boot/ calls
 * it first thing, hv_main again).  The record must outlive the run. */
void hv_power_init(const struct hv_platform *platform);

/* The recorded platform, or NULL before hv_power_init: the arch's
 * power-off reads the firmware's tables from it. */
const struct hv_platform *hv_power_platform(void);

#endif
