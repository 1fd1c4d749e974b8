/*
 * A guest sets the machine's clock: WRMSR to IA32_TIME_STAMP_COUNTER on
 * x86, which VM entry does not switch (the host's TSC, and the watchdog
 * that counts with it, would jump); an MSR to CNTFRQ_EL0 on Arm, the
 * frequency every level reads the system counter by.  The first is
 * intercepted with every MSR, the second is UNDEFINED at EL1 and reported
 * by the guest's own vectors; both stops must say what was tried.
 *
 * minihv-expect: stopped "is the host's clock"
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	int r = cpu_clock_write();
	report(false, "came back from writing the clock (%d)", r);
	return 0;
}
