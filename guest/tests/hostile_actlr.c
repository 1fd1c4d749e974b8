/*
 * The guest reads ACTLR_EL1, the CPU's IMPLEMENTATION DEFINED auxiliary
 * control register (a write could change how the CPU behaves for every
 * later guest; the read is enough to show the register is reachable).
 * minihv traps it (HCR_EL2.TACR) and names it.  Before, the guest read it.
 *
 * minihv-expect: stopped "ACTLR_EL1, the CPU's auxiliary control, is not given to guests"
 * minihv-needs: arm-system-registers
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t v;
	(void)info;
	if (cpu_read_aux_control(&v) < 0) {
		report_skip("this architecture has no ACTLR_EL1");
		return 0;
	}
	report(false, "ACTLR_EL1 read as 0x%llx: the guest reached the CPU's configuration",
	       (unsigned long long)v);
	return 0;
}
