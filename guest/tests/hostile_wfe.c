/*
 * The guest waits for an event in a loop (WFE).  QEMU never traps WFE
 * (it is a hint it treats as a yield), so the loop is a spin; on hardware
 * that traps it (HCR_EL2.TWE), each WFE is an exit that gets nowhere,
 * which the core's exit limit counts.
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
	if (cpu_endless(CPU_ENDLESS_WFE) < 0) {
		report_skip("the hypervisor has no watchdog on this architecture: the loop would hang the suite");
		return 0;
	}
	report(false, "the endless loop returned");
	return 0;
}
