/*
 * A guest reads a performance counter: PMCCNTR_EL0 on Arm, RDPMC on x86.
 * The counters are the CPU's, counting the host's and every other guest's
 * work too -- a side channel -- and RDPMC at CPL 0 needs no permission
 * from CR4.PCE.  Neither backend used to intercept RDPMC: Bochs ran it
 * and QEMU answered #UD (named only as an exception).  Now the read is
 * stopped by name everywhere (MDCR_EL2.TPM; VMX RDPMC exiting; the SVM
 * RDPMC intercept).
 *
 * minihv-expect: stopped "minihv guests have no performance monitors"
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t v = 0;
	(void)info;
	int r = cpu_pmu_read(&v);
	report(false, "read a performance counter: 0x%llx (%d)", (unsigned long long)v, r);
	return 0;
}
