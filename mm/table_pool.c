/*
 * Where page-table pages come from: the two pt_mem providers.
 *
 * A table entry stores a physical address, but the code that fills the
 * table needs a pointer.  Each pool turns one into the other, and refuses
 * any address that is not a page it handed out: the engine asks table_ptr
 * before every table it touches, so a corrupted entry is caught here
 * instead of becoming a write to random memory.
 *
 *   host_table_pool   the hypervisor's second-level tables, in its own
 *                     bump pool; entries hold host-physical addresses
 *   guest_table_pool  guest page tables the hypervisor builds for the
 *                     guest, inside guest RAM; entries hold guest-physical
 *                     addresses
 */
#include "table_pool.h"

/* Is [p, p + PAGE_SIZE) a page-aligned page the bump has handed out? */
static bool in_allocated_page(const struct bump *b, uintptr_t p)
{
	return is_aligned(p, PAGE_SIZE) && p >= b->base && p < b->next &&
	       b->next - p >= PAGE_SIZE;
}

/* ---- host tables ---- */

static int host_alloc_table(void *ctx, uint64_t *pa_out)
{
	struct host_table_pool *p = ctx;
	void *page = bump_alloc_page(p->bump);

	if (!page)
		return MM_ENOMEM;
	*pa_out = (uint64_t)(uintptr_t)page + (uint64_t)p->hpa_minus_hva;
	return 0;
}

/* A concatenated root: one allocation, so the pages are contiguous, and
 * aligned to its whole size, as the MMU finds it (VTTBR_EL2.BADDR). */
static int host_alloc_tables(void *ctx, unsigned pages, uint64_t *pa_out)
{
	struct host_table_pool *p = ctx;
	uint64_t size = (uint64_t)pages * PAGE_SIZE;
	void *first = bump_alloc(p->bump, size, size);

	if (!first)
		return MM_ENOMEM;
	*pa_out = (uint64_t)(uintptr_t)first + (uint64_t)p->hpa_minus_hva;
	return 0;
}

static uint64_t *host_table_ptr(void *ctx, uint64_t pa)
{
	struct host_table_pool *p = ctx;
	/* Unsigned arithmetic wraps, so this is right for either sign of the
	 * offset; a wild pa gives a wild number, which the check refuses. */
	uintptr_t hva = (uintptr_t)(pa - (uint64_t)p->hpa_minus_hva);

	if (!in_allocated_page(p->bump, hva))
		return NULL;
	return (uint64_t *)hva;
}

void host_table_pool_mem(struct host_table_pool *p, struct pt_mem *out)
{
	out->alloc_table = host_alloc_table;
	out->alloc_tables = host_alloc_tables;
	out->table_ptr = host_table_ptr;
	out->free_table = NULL;    /* a bump cannot free: see host_page_pool */
	out->ctx = p;
}

/* ---- guest tables ---- */

void guest_table_pool_init(struct guest_table_pool *p, const struct guest_ram *ram,
			   gpa_t start, uint64_t size)
{
	uint64_t off = gpa_val(start) - gpa_val(ram->gpa);

	p->ram = ram;
	if (gpa_val(start) < gpa_val(ram->gpa) || off > ram->size ||
	    size > ram->size - off) {
		/* Not inside the VM's RAM: an empty pool, so every allocation
		 * fails (and is counted) instead of writing elsewhere. */
		bump_init(&p->bump, "guest tables", ram->host, 0);
		return;
	}
	bump_init(&p->bump, "guest tables", ram->host + off, size);
}

static int guest_alloc_table(void *ctx, uint64_t *pa_out)
{
	struct guest_table_pool *p = ctx;
	uint8_t *page = bump_alloc_page(&p->bump);

	if (!page)
		return MM_ENOMEM;
	*pa_out = gpa_val(p->ram->gpa) + (uint64_t)(page - p->ram->host);
	return 0;
}

static uint64_t *guest_pool_table_ptr(void *ctx, uint64_t pa)
{
	struct guest_table_pool *p = ctx;
	uint64_t off = pa - gpa_val(p->ram->gpa);

	if (pa < gpa_val(p->ram->gpa) || off >= p->ram->size)
		return NULL;
	if (!in_allocated_page(&p->bump, (uintptr_t)(p->ram->host + off)))
		return NULL;
	return (uint64_t *)(void *)(p->ram->host + off);
}

void guest_table_pool_mem(struct guest_table_pool *p, struct pt_mem *out)
{
	out->alloc_table = guest_alloc_table;
	out->alloc_tables = NULL;  /* guest formats have one-page roots */
	out->table_ptr = guest_pool_table_ptr;
	out->free_table = NULL;
	out->ctx = p;
}
