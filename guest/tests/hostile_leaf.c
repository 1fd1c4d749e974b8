/*
 * A hostile page table: the guest points one 2 MiB block of its alias view
 * at guest-physical 0x100000000, which is not its RAM, then hands the
 * hypervisor a pointer into that block.  The hypervisor walks the guest's
 * tables, finds the leaf, and must refuse to follow it out of RAM.
 *
 * minihv-expect: stopped "console_write: buffer at gva 0x7f00200100 (16 bytes) is not readable guest memory: address outside its memory"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t gva = info->ram_alias_gva + 0x200000;
	uint64_t *leaf = guest_pt_entry(info, gva, 1);
	if (!report(leaf != NULL, "found the 2 MiB leaf for 0x%llx", (unsigned long long)gva))
		return 0;
	guest_pt_set_addr(leaf, 0x100000000ull);
	hc_console_write((const void *)(uintptr_t)(gva + 0x100), 16);
	report(false, "the hypervisor followed a guest leaf out of guest RAM");
	return 0;
}
