/*
 * The bump allocator (see bump.h for why minihv allocates this way).
 *
 * All arithmetic is on integers (uintptr_t), and every comparison is
 * written so that it cannot overflow: "start + size > end" could wrap
 * around and pass, "size > end - start" cannot.
 */
#include "bump.h"

void bump_init(struct bump *b, const char *name, void *base, uint64_t size)
{
	uintptr_t start = (uintptr_t)base;

	b->name = name;
	b->base = start;
	/* A pool that would run past the top of the address space is cut. */
	b->end = size > UINTPTR_MAX - start ? UINTPTR_MAX : start + size;
	b->next = start;
	b->peak = start;
	b->allocs = 0;
	b->failures = 0;
	b->last_failed_size = 0;
	b->hole = b->hole_end = start;
}

static void *refuse(struct bump *b, uint64_t size)
{
	b->failures++;
	b->last_failed_size = size;
	return NULL;
}

/*
 * Clear [start, start + size) with 8-byte stores, eight to a loop step,
 * and single bytes only for an unaligned head or tail: a VM's 4 MiB of
 * RAM is 64 Ki loop steps instead of 4 Mi byte stores (the C library's
 * memset here, lib/minihv_string.c, is a byte loop).  Plain stores the
 * compiler may not turn back into a memset call (the build says
 * -fno-tree-loop-distribute-patterns).
 */
static void zero(uintptr_t start, uint64_t size)
{
	uint8_t *p = (uint8_t *)start;

	while (size > 0 && ((uintptr_t)p & 7)) {
		*p++ = 0;
		size--;
	}
	uint64_t *w = (uint64_t *)(void *)p;
	for (; size >= 64; size -= 64, w += 8) {
		w[0] = 0; w[1] = 0; w[2] = 0; w[3] = 0;
		w[4] = 0; w[5] = 0; w[6] = 0; w[7] = 0;
	}
	for (; size >= 8; size -= 8)
		*w++ = 0;
	p = (uint8_t *)w;
	while (size-- > 0)
		*p++ = 0;
}

void *bump_alloc(struct bump *b, uint64_t size, uint64_t align)
{
	uintptr_t start;

	/* A power of two has exactly one bit set: clearing the lowest set
	 * bit (x & (x - 1)) leaves zero. */
	if (size == 0 || align == 0 || (align & (align - 1)) != 0)
		return refuse(b, size);

	/* The gap first (its bounds are inside the pool, so nothing here
	 * can overflow but the alignment, checked as below). */
	if (b->hole_end - b->hole >= size && align - 1 <= UINTPTR_MAX - b->hole) {
		start = (b->hole + (align - 1)) & ~(uintptr_t)(align - 1);
		if (start <= b->hole_end && size <= b->hole_end - start) {
			b->hole = start + size;
			b->allocs++;
			zero(start, size);
			return (void *)start;
		}
	}

	if (align - 1 > UINTPTR_MAX - b->next)
		return refuse(b, size);
	start = (b->next + (align - 1)) & ~(uintptr_t)(align - 1);
	if (start > b->end || size > b->end - start)
		return refuse(b, size);

	/* Keep the larger of the old gap and the one this skips. */
	if (start - b->next > b->hole_end - b->hole) {
		b->hole = b->next;
		b->hole_end = start;
	}
	b->next = start + size;
	if (b->next > b->peak)
		b->peak = b->next;
	b->allocs++;
	/* Zero now, not at reset: memory a previous VM used may still hold
	 * its data, and the next owner must not see it. */
	zero(start, size);
	return (void *)start;
}

void *bump_alloc_page(struct bump *b)
{
	return bump_alloc(b, PAGE_SIZE, PAGE_SIZE);
}

struct bump_mark bump_mark(const struct bump *b)
{
	return (struct bump_mark){ .next = b->next, .allocs = b->allocs,
				   .hole = b->hole, .hole_end = b->hole_end };
}

void bump_reset(struct bump *b, struct bump_mark m)
{
	/* A mark can only move the pointer back.  One that is not between
	 * base and next (taken from another pool, or already released by an
	 * earlier reset) is ignored rather than trusted. */
	if (m.next < b->base || m.next > b->next)
		return;
	b->next = m.next;
	/* The gap as it was: what was placed in it since is given back, and
	 * a gap found since lies above m.next, given back with the rest. */
	if (m.hole <= m.hole_end && m.hole_end <= m.next && m.hole >= b->base) {
		b->hole = m.hole;
		b->hole_end = m.hole_end;
	} else {
		b->hole = b->hole_end = m.next;
	}
}

void bump_get_stats(const struct bump *b, struct bump_stats *out)
{
	out->size = b->end - b->base;
	out->used = b->next - b->base;
	out->peak = b->peak - b->base;
	out->free = b->end - b->next;
	out->allocs = b->allocs;
	out->failures = b->failures;
}
