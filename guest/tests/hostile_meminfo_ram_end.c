/*
 * MEMINFO into the last 16 bytes of RAM: the 64-byte boot info would run
 * 48 bytes past the end of the guest's memory, into whatever the host has
 * next.  The hypervisor checks the whole destination before it writes a
 * byte, so the call must be refused (and nothing written).
 *
 * minihv-expect: stopped "meminfo: destination gva 0x7f003ffff0 is not writable guest memory"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t dst = info->ram_alias_gva + info->ram_size - 16;
	hc_call(MINIHV_CALL_MEMINFO, dst, 0, 0, 0);
	report(false, "the hypervisor wrote the boot info across the end of RAM at 0x%llx",
	       (unsigned long long)dst);
	return 0;
}
