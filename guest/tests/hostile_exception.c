/*
 * The guest dereferences an address its page tables do not map.  The
 * guest cannot handle the fault; the hypervisor must stop it and say so.
 *
 * minihv-expect: stopped "the guest took an exception"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	volatile uint64_t *nowhere = (volatile uint64_t *)(uintptr_t)0x10000000ull;
	uint64_t v = *nowhere;
	report(false, "a load from an unmapped address returned 0x%llx", (unsigned long long)v);
	return 0;
}
