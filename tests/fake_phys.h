/*
 * A fake physical memory for the host tests.
 *
 * The hypervisor's tables store host-physical addresses; under UEFI those
 * equal pointers.  In a test they must not: if the engine ever used an
 * address from an entry as a pointer without asking table_ptr, it would
 * only work by accident.  So the fake memory is a heap buffer that claims
 * to sit at physical address FAKE_HPA_BASE, and host_table_pool converts
 * between the two with hpa_minus_hva.
 */
#ifndef TESTS_FAKE_PHYS_H
#define TESTS_FAKE_PHYS_H

#include <stdlib.h>

#include "mm/table_pool.h"

#define FAKE_HPA_BASE 0x40000000ull
#define FAKE_ALIGN    0x10000ull

struct fake_phys {
	uint8_t *buf;
	uint64_t size;
	struct bump bump;
	struct host_table_pool pool;
	struct pt_mem mem;        /* table memory for pt_init */
};

/* Set up npages of fake memory.  f must stay where it is afterwards: mem
 * points into it. */
static inline void fake_phys_init(struct fake_phys *f, uint64_t npages)
{
	f->size = npages * PAGE_SIZE;
	/* 64 KiB aligned, as FAKE_HPA_BASE is, so that hpa_minus_hva keeps a
	 * concatenated root (up to 16 pages) aligned (guest_mem.h).
	 * aligned_alloc wants a size that is a multiple of the alignment. */
	f->buf = aligned_alloc(FAKE_ALIGN, (f->size + FAKE_ALIGN - 1) & ~(FAKE_ALIGN - 1));
	if (!f->buf)
		abort();
	bump_init(&f->bump, "fake", f->buf, f->size);
	f->pool.bump = &f->bump;
	f->pool.hpa_minus_hva = (int64_t)(FAKE_HPA_BASE - (uint64_t)(uintptr_t)f->buf);
	host_table_pool_mem(&f->pool, &f->mem);
}

static inline void fake_phys_free(struct fake_phys *f)
{
	free(f->buf);
	f->buf = NULL;
}

/* Bytes of the pool in use now. */
static inline uint64_t fake_phys_used(const struct fake_phys *f)
{
	struct bump_stats s;

	bump_get_stats(&f->bump, &s);
	return s.used;
}

/* A pointer to the table at physical address pa of tree pt. */
static inline uint64_t *fake_table(const struct pt *pt, uint64_t pa)
{
	return pt->mem.table_ptr(pt->mem.ctx, pa);
}

#endif
