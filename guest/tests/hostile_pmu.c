/*
 * A guest turns on the CPU's performance counters: PMCR_EL0 on Arm, the
 * first event selector MSR on x86.  They are one set per CPU, counting the
 * host's work as well as the guest's (a side channel), and nothing
 * switches them between VMs.  minihv gives guests none: the write must be
 * stopped by name (MDCR_EL2.TPM/TPMCR; every MSR is intercepted).
 *
 * minihv-expect: stopped "minihv guests have no performance monitors"
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	int r = cpu_pmu_write();
	report(false, "wrote the performance monitor control (%d)", r);
	return 0;
}
