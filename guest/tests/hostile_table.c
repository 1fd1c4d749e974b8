/*
 * A hostile page table: the guest points the table entry above its alias
 * view's 2 MiB blocks at guest-physical 0x100000000, so the next table the
 * walk would read lies outside RAM.  The hypervisor must not read it.
 *
 * minihv-expect: stopped "console_write: buffer at gva 0x7f00000100 (16 bytes) is not readable guest memory: address outside its memory"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t gva = info->ram_alias_gva;
	uint64_t *table = guest_pt_entry(info, gva, 2);
	if (!report(table != NULL, "found the table entry for 0x%llx", (unsigned long long)gva))
		return 0;
	guest_pt_set_addr(table, 0x100000000ull);
	hc_console_write((const void *)(uintptr_t)(gva + 0x100), 16);
	report(false, "the hypervisor read a guest page table outside guest RAM");
	return 0;
}
