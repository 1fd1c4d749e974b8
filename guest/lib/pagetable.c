/*
 * Finding an entry in the guest's own page tables, for the hostile tests.
 *
 * The hypervisor builds both aarch64 stage-1 and x86-64 tables with four
 * levels of 512 entries, and in both formats bits 47:12 of a table entry
 * hold the next table's address, and bits 47:21 of a 2 MiB leaf its
 * output address.  That common ground is all these tests need.
 */
#include "minihv.h"
#include "cpu.h"

#define ADDR_MASK 0x0000fffffffff000ull

/* A pointer to a table page, which lies in RAM: convert its guest-physical
 * address through RAM's main virtual view. */
static uint64_t *table_at(const struct minihv_boot_info *info, uint64_t gpa)
{
	return (uint64_t *)(uintptr_t)(info->ram_gva + (gpa - info->ram_gpa));
}

uint64_t *guest_pt_entry(const struct minihv_boot_info *info, uint64_t gva, unsigned level)
{
	uint64_t *table = table_at(info, cpu_page_table_root());
	for (unsigned l = 3; l > level; l--) {
		uint64_t e = table[(gva >> (12 + 9 * l)) & 511];
		uint64_t next = e & ADDR_MASK;
		if (!(e & 1) || next < info->ram_gpa || next >= info->ram_gpa + info->ram_size)
			return NULL;
		table = table_at(info, next);
	}
	return &table[(gva >> (12 + 9 * level)) & 511];
}

void guest_pt_set_addr(uint64_t *entry, uint64_t addr)
{
	*entry = (*entry & ~ADDR_MASK) | (addr & ADDR_MASK);
	cpu_flush_tlb();
}

/*
 * Map the 2 MiB block of guest-physical space holding gpa at the spare
 * block right after RAM's main view, with the main view's attributes
 * (read, write, execute), and return the guest-virtual address of gpa
 * there, or 0 if the main view is not made of 2 MiB blocks.  The hostile
 * tests use it to reach guest-physical addresses the hypervisor never
 * mapped for them: their own tables may say anything, but the
 * second-level tables decide.
 */
uint64_t guest_map_gpa(const struct minihv_boot_info *info, uint64_t gpa)
{
	uint64_t spare = info->ram_gva + info->ram_size;
	uint64_t *ram = guest_pt_entry(info, info->ram_gva, 1);
	uint64_t *slot = guest_pt_entry(info, spare, 1);

	if (!ram || !slot || (spare & 0x1fffff) || (*ram & ADDR_MASK) != info->ram_gpa)
		return 0;
	*slot = *ram;
	guest_pt_set_addr(slot, gpa & ~0x1fffffull);
	return spare + (gpa & 0x1fffff);
}
