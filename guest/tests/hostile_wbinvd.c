/*
 * A guest writes back and invalidates every cache of the machine (WBINVD):
 * slow for every core, and nothing a minihv guest (no devices, no DMA)
 * needs.  The hypervisor stops it by name on both backends (VMX used to
 * call it an "unexpected exit"; SVM let it run).
 *
 * minihv-expect: stopped "WBINVD at rip"
 * minihv-needs: x86-instructions
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	if (cpu_cache_writeback_invalidate() < 0) {
		report_skip("no WBINVD on this architecture");
		return 0;
	}
	report(false, "WBINVD ran in the guest");
	return 0;
}
