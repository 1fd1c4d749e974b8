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

struct hv_platform {
	/* One block of memory, the hypervisor's for as long as hv_main runs:
	 * every VM is allocated from it. */
	void *pool_base;
	uint64_t pool_size;
	/* The firmware's own power-off (UEFI ResetSystem).  Never returns.
	 * The arch's power-off falls back to it when the machine has no
	 * emulator exit that carries a status. */
	void (*firmware_power_off)(void);
};

/* Run every embedded guest test, each in a fresh VM, and print a verdict
 * line per test and a SUMMARY.  Returns the power-off status: 0 when no test
 * failed, 1 otherwise, 3 when this CPU cannot run guests (every test is then
 * a SKIP).  (2, the hypervisor itself could not start, comes from boot/.)
 * The platform record must outlive the call. */
int hv_main(const struct hv_platform *platform);

/* Power off from inside the hypervisor (a panic): the arch's way with a
 * status, then the firmware's, as recorded by hv_main. */
__attribute__((noreturn)) void hv_power_off(int status);

/* hv_main's first step: remember the platform for hv_power_off. */
void hv_power_init(const struct hv_platform *platform);

#endif
