/*
 * A pt_mem provider that can take table pages back: host_page_pool.
 *
 * minihv's own pools (table_pool.h) sit on a bump allocator, which frees
 * nothing one by one: a VM's tables go back all at once when the VM ends.
 * A library user who edits long-lived tables wants pages back as soon as a
 * tree stops using them, and a test wants to see that every page came
 * back.  This pool manages a fixed block of pages with one bit per page,
 * so it can allocate, free, and allocate a concatenated root (contiguous,
 * aligned pages) again after frees.  Like host_table_pool, entries store
 * host-physical addresses: hpa = (uintptr_t)pointer + hpa_minus_hva.
 *
 * table_ptr accepts only pages that are allocated now: a stale entry
 * pointing to a freed page is refused, not followed.
 */
#ifndef MM_PAGE_POOL_H
#define MM_PAGE_POOL_H

#include "pt.h"

#define HOST_PAGE_POOL_MAX_PAGES 4096  /* 16 MiB of tables; the bitmap is 512 bytes */

struct host_page_pool {
	uint8_t *base;          /* first page (page aligned) */
	unsigned pages;         /* pages managed: at most HOST_PAGE_POOL_MAX_PAGES */
	int64_t hpa_minus_hva;
	unsigned in_use;        /* pages allocated now: 0 when all came back */
	unsigned peak;          /* most pages ever allocated at once */
	uint64_t allocs;        /* successful allocations (a root counts once) */
	uint64_t frees;         /* pages given back */
	uint64_t bad_frees;     /* frees of pages not allocated (ignored) */
	uint64_t used[HOST_PAGE_POOL_MAX_PAGES / 64]; /* bit k: page k allocated */
};

/*
 * Manage the pages of [base, base + size): base must be page aligned, and
 * hpa_minus_hva a multiple of PAGE_SIZE (so pages are aligned in both
 * views); size is rounded down to pages and capped at the maximum.
 * MM_EINVAL otherwise (the pool is then empty).  Nothing is written here.
 */
int host_page_pool_init(struct host_page_pool *p, void *base, uint64_t size,
			int64_t hpa_minus_hva);
void host_page_pool_mem(struct host_page_pool *p, struct pt_mem *out);

#endif
