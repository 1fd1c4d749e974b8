/*
 * A guest writes the CPU's debug controls rather than a breakpoint
 * register (hostile_debug_register does that): the OS lock (OSLAR_EL1) on
 * Arm, which holds off the external debugger; IA32_DEBUGCTL on x86, which
 * turns on branch recording for whatever the CPU runs next, the host
 * included.  Both must be stopped (MDCR_EL2.TDOSA; every MSR is
 * intercepted) with the same reason as the debug registers.
 *
 * minihv-expect: stopped "minihv guests have no debug registers"
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	int r = cpu_debug_control_write();
	report(false, "wrote the CPU's debug control (%d)", r);
	return 0;
}
