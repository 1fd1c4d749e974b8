/*
 * The guest turns its own timer on with its compare value long past, masks
 * interrupts and waits for one (WFI) in a loop.  A pending interrupt,
 * masked or not, makes WFI complete at once instead of trapping (the
 * architecture allows it and QEMU does it), so the halt the hypervisor
 * would stop never comes: it is a spin.  And once the hypervisor routes
 * physical interrupts to itself (for its watchdog), the timer's interrupt
 * comes to EL2 on every entry.  minihv gives guests no interrupts: it
 * masks the timer (IMASK), after which WFI traps and the guest is stopped
 * as halted.  Either way the next test must run.
 * Where the backend has no watchdog (ARCH_FACT_WATCHDOG), the hypervisor
 * does not start it at all: SKIP.
 *
 * minihv-expect: stopped "the guest halted"
 * minihv-needs: watchdog
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	if (cpu_endless(CPU_ENDLESS_WFI_MASKED_TIMER) < 0) {
		report_skip("the hypervisor has no watchdog on this architecture: the loop would hang the suite");
		return 0;
	}
	report(false, "the endless loop returned");
	return 0;
}
