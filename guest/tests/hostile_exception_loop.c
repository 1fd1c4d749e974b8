/*
 * The guest installs exception vectors that return to the faulting
 * instruction, then executes an undefined one: it takes the same exception
 * forever, all inside the guest (on aarch64 at EL1, never at EL2).
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
	if (cpu_endless(CPU_ENDLESS_EXCEPTION_LOOP) < 0) {
		report_skip("the hypervisor has no watchdog on this architecture: the loop would hang the suite");
		return 0;
	}
	report(false, "the endless loop returned");
	return 0;
}
