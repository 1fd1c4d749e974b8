/*
 * A hypercall that writes over the guest's own page table on its way.
 *
 * The hypercall window's 2 MiB region is mapped with 4 KiB pages, so it
 * has a level-0 table of its own: entry 0 maps the window, the other 511
 * are free.  The guest points entry 508 at that table itself and entry
 * 509 at a free page of RAM, then asks for the boot info (64 bytes) at the
 * last 32 bytes of page 508: the first half lands in the table, on entries
 * 508..511 -- among them the one that maps page 509, where the second half
 * goes.  Where the bytes go must be decided when the call is made: the
 * second half lands in the free page, and the call succeeds.  A hypervisor
 * that translated each page only when it came to write it would find entry
 * 509 already overwritten, and stop the guest after writing half.
 */
#include "minihv.h"

#define ADDR_MASK 0x0000fffffffff000ull

int test_main(const struct minihv_boot_info *info)
{
	uint64_t *dir = guest_pt_entry(info, info->window_gva, 1);
	uint64_t *table = guest_pt_entry(info, info->window_gva, 0);
	if (!report(dir != NULL && table != NULL && (info->window_gva & 0x1fffff) == 0,
		    "found the level-0 table of the hypercall window's 2 MiB region"))
		return 0;
	uint64_t table_gpa = *dir & ADDR_MASK;
	uint64_t free_gva = ((uintptr_t)__image_end + 4095) & ~4095ull;
	uint64_t free_gpa = info->ram_gpa + (free_gva - info->ram_gva);
	uint64_t *free_page = (uint64_t *)(uintptr_t)free_gva;
	uint64_t q = info->window_gva + 509 * 4096;

	memset(free_page, 0, 64);
	table[508] = table[0];
	guest_pt_set_addr(&table[508], table_gpa);   /* page 508: the table itself */
	table[509] = table[0];
	guest_pt_set_addr(&table[509], free_gpa);    /* page 509: a free page */

	int64_t r = hc_call(MINIHV_CALL_MEMINFO, q - 32, 0, 0, 0);
	report(r == MINIHV_OK, "meminfo at gva 0x%llx, across the table and the page it maps",
	       (unsigned long long)(q - 32));
	const uint64_t *want = (const uint64_t *)info;
	report(memcmp(&table[508], want, 32) == 0,
	       "the first 32 bytes landed in the table (entry 508 now 0x%llx)",
	       (unsigned long long)table[508]);
	report(memcmp(free_page, want + 4, 32) == 0,
	       "the other 32 landed in the page entry 509 mapped when the call was made");
	return 0;
}
