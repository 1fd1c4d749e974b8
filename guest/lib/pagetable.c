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
