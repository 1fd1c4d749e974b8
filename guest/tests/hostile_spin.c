/*
 * The guest spins (`for (;;);`): no instruction of it ever exits to the
 * hypervisor, so nothing but a timer the guest cannot mask ends it.  Before
 * the watchdog it held the CPU until the runner's stall detector gave up on
 * the whole boot, and every later test got no verdict.
 *
 * The watchdog must stop it and the next test must run.
 * Where the backend has no watchdog (ARCH_FACT_WATCHDOG), the hypervisor
 * does not start it at all: SKIP.
 *
 * minihv-expect: stopped "watchdog:"
 * minihv-needs: watchdog
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	if (cpu_endless(CPU_ENDLESS_SPIN) < 0) {
		report_skip("the hypervisor has no watchdog on this architecture: the loop would hang the suite");
		return 0;
	}
	report(false, "the endless loop returned");
	return 0;
}
