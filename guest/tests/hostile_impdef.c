/*
 * The guest reads an IMPLEMENTATION DEFINED register (S3_1_C11_C0_2,
 * L2CTLR_EL1 on Cortex-A53/A57/A72): the encodings Op0 3, CRn 11 and 15 hold
 * the CPU's tuning and errata switches, which nothing switches between
 * guests.  minihv traps them (HCR_EL2.TIDCP).  QEMU 7.2 does not implement
 * that trap: there the read succeeds, a known failure of the platform
 * that the hypervisor recognises (tidcp-ignored); on a CPU that honours
 * TIDCP it must be stopped.
 *
 * minihv-expect: stopped "IMPLEMENTATION DEFINED registers"
 * minihv-needs: arm-system-registers
 * minihv-xfail: "QEMU's TCG ignores HCR_EL2.TIDCP" when tidcp-ignored
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t v;
	(void)info;
	if (cpu_read_impdef_register(&v) < 0) {
		report_skip("this architecture has no IMPLEMENTATION DEFINED system registers");
		return 0;
	}
	report(false, "S3_1_C11_C0_2 read as 0x%llx", (unsigned long long)v);
	return 0;
}
