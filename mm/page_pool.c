/*
 * host_page_pool: table pages from a fixed block, one bit per page, so
 * they can be given back one by one (page_pool.h).
 *
 * Allocation is first fit: the lowest free page, or for a concatenated
 * root the lowest run of free pages whose first page is aligned to the
 * run's size in the physical view (VTTBR_EL2 finds a root by alignment).
 * A linear scan of at most 4096 bits is cheap next to zeroing a page.
 */
#include "page_pool.h"

static bool page_used(const struct host_page_pool *p, unsigned k)
{
	return (p->used[k / 64] >> (k % 64)) & 1;
}

static void set_used(struct host_page_pool *p, unsigned k, bool used)
{
	if (used)
		p->used[k / 64] |= 1ull << (k % 64);
	else
		p->used[k / 64] &= ~(1ull << (k % 64));
}

int host_page_pool_init(struct host_page_pool *p, void *base, uint64_t size,
			int64_t hpa_minus_hva)
{
	uint64_t pages = size / PAGE_SIZE;

	__builtin_memset(p, 0, sizeof(*p));
	p->base = base;
	p->hpa_minus_hva = hpa_minus_hva;
	if (!is_aligned((uintptr_t)base, PAGE_SIZE) ||
	    !is_aligned((uint64_t)hpa_minus_hva, PAGE_SIZE))
		return MM_EINVAL;
	p->pages = pages > HOST_PAGE_POOL_MAX_PAGES ? HOST_PAGE_POOL_MAX_PAGES
						    : (unsigned)pages;
	return 0;
}

/* Page k's address as entries store it. */
static uint64_t page_pa(const struct host_page_pool *p, unsigned k)
{
	return (uint64_t)(uintptr_t)(p->base + (uint64_t)k * PAGE_SIZE) +
	       (uint64_t)p->hpa_minus_hva;
}

/* The page index of table address pa, or -1 if pa is no page of ours. */
static long page_index(const struct host_page_pool *p, uint64_t pa)
{
	uint64_t off = pa - page_pa(p, 0);  /* wraps for pa below: then too big */

	if (!is_aligned(pa, PAGE_SIZE) || off >= (uint64_t)p->pages * PAGE_SIZE)
		return -1;
	return (long)(off / PAGE_SIZE);
}

/* Allocate n contiguous pages whose first is aligned to n pages. */
static int alloc_run(struct host_page_pool *p, unsigned n, uint64_t *pa_out)
{
	unsigned k, j;

	for (k = 0; k + n <= p->pages; k++) {
		if (!is_aligned(page_pa(p, k), (uint64_t)n * PAGE_SIZE))
			continue;
		for (j = 0; j < n && !page_used(p, k + j); j++)
			;
		if (j < n)
			continue;
		for (j = 0; j < n; j++)
			set_used(p, k + j, true);
		__builtin_memset(p->base + (uint64_t)k * PAGE_SIZE, 0, (uint64_t)n * PAGE_SIZE);
		p->in_use += n;
		if (p->in_use > p->peak)
			p->peak = p->in_use;
		p->allocs++;
		*pa_out = page_pa(p, k);
		return 0;
	}
	return MM_ENOMEM;
}

static int pool_alloc_table(void *ctx, uint64_t *pa_out)
{
	return alloc_run(ctx, 1, pa_out);
}

static int pool_alloc_tables(void *ctx, unsigned pages, uint64_t *pa_out)
{
	if (pages < 2 || pages > 16 || (pages & (pages - 1)))
		return MM_EINVAL;
	return alloc_run(ctx, pages, pa_out);
}

static uint64_t *pool_table_ptr(void *ctx, uint64_t pa)
{
	struct host_page_pool *p = ctx;
	long k = page_index(p, pa);

	if (k < 0 || !page_used(p, (unsigned)k))
		return NULL;
	return (uint64_t *)(void *)(p->base + (uint64_t)k * PAGE_SIZE);
}

static void pool_free_table(void *ctx, uint64_t pa, unsigned pages)
{
	struct host_page_pool *p = ctx;
	unsigned j;

	for (j = 0; j < pages; j++) {
		long k = page_index(p, pa + (uint64_t)j * PAGE_SIZE);

		if (k < 0 || !page_used(p, (unsigned)k)) {
			p->bad_frees++;
			continue;
		}
		set_used(p, (unsigned)k, false);
		p->in_use--;
		p->frees++;
	}
}

void host_page_pool_mem(struct host_page_pool *p, struct pt_mem *out)
{
	out->alloc_table = pool_alloc_table;
	out->alloc_tables = pool_alloc_tables;
	out->table_ptr = pool_table_ptr;
	out->free_table = pool_free_table;
	out->ctx = p;
}
