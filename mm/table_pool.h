/*
 * Where page-table pages come from: the two pt_mem providers (table_pool.c).
 * Each is named for the memory its tables live in and the kind of address
 * their entries store: host_table_pool (hypervisor memory, host-physical)
 * and guest_table_pool (guest RAM, guest-physical).
 */
#ifndef MM_TABLE_POOL_H
#define MM_TABLE_POOL_H

#include "bump.h"
#include "guest_mem.h"
#include "pt.h"

/*
 * Where guest page tables are built: a bump allocator over part of guest RAM.
 * The table addresses entries store are guest-physical.  ram->gpa and
 * ram->host must be page aligned (so a page-aligned host pointer is a
 * page-aligned guest address).  If [start, start+size) is not inside ram,
 * the pool is empty and every allocation fails.  table_ptr accepts only
 * pages this pool has handed out.
 */
struct guest_table_pool {
	struct bump bump;              /* over host memory inside ram */
	const struct guest_ram *ram;
};
void guest_table_pool_init(struct guest_table_pool *p, const struct guest_ram *ram,
			   gpa_t start, uint64_t size);
void guest_table_pool_mem(struct guest_table_pool *p, struct pt_mem *out);

/*
 * A pt_mem whose tables come from a hypervisor bump allocator and store host
 * physical addresses, for second-level tables.  hpa_minus_hva is the host's
 * mapping (0 under UEFI's identity map; an offset in the unit tests).
 * table_ptr accepts only page-aligned pages the bump has handed out.
 * alloc_tables (a concatenated root) aligns in the hypervisor's view, so
 * hpa_minus_hva must be a multiple of 64 KiB, the largest such root, for
 * the physical address to be aligned the same.
 */
struct host_table_pool {
	struct bump *bump;
	int64_t hpa_minus_hva;         /* hpa = (uintptr_t)ptr + hpa_minus_hva */
};
void host_table_pool_mem(struct host_table_pool *p, struct pt_mem *out);

#endif
