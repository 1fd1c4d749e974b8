/* The bump allocator: alignment, zeroing, exhaustion, statistics, marks. */
#include <stdlib.h>
#include <string.h>

#include "mm/bump.h"
#include "tests/unit.h"

#define POOL_SIZE (16 * PAGE_SIZE)

static uint8_t *new_pool(void)
{
	uint8_t *p = aligned_alloc(PAGE_SIZE, POOL_SIZE);

	if (!p)
		abort();
	memset(p, 0xa5, POOL_SIZE); /* garbage, so zeroing shows */
	return p;
}

static int all_zero(const uint8_t *p, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void test_init(uint8_t *mem)
{
	struct bump b;
	struct bump_stats s;

	bump_init(&b, "pool", mem, POOL_SIZE);
	bump_get_stats(&b, &s);
	CHECK_EQ(s.size, POOL_SIZE, "init: size");
	CHECK_EQ(s.used, 0, "init: nothing used");
	CHECK_EQ(s.free, POOL_SIZE, "init: all free");
	CHECK_EQ(s.allocs + s.failures + s.peak, 0, "init: counters zero");
	CHECK(mem[0] == 0xa5 && mem[POOL_SIZE - 1] == 0xa5, "init writes nothing to the pool");
}

static void test_alignment_and_zeroing(uint8_t *mem)
{
	struct bump b;
	uint8_t *p1, *p2, *p3, *page;

	bump_init(&b, "pool", mem, POOL_SIZE);
	p1 = bump_alloc(&b, 3, 1);
	CHECK(p1 == mem, "first byte-aligned allocation at base");
	p2 = bump_alloc(&b, 8, 8);
	CHECK(p2 == mem + 8, "8-aligned allocation skips to 8");
	p3 = bump_alloc(&b, 100, 64);
	CHECK(p3 == mem + 64, "64-aligned allocation skips to 64");
	CHECK(all_zero(p1, 3) && all_zero(p2, 8) && all_zero(p3, 100), "allocations are zeroed");
	CHECK(mem[3] == 0xa5, "padding between allocations is not touched");
	CHECK(mem[164] == 0xa5, "bytes past the last allocation are not touched");

	page = bump_alloc_page(&b);
	CHECK(page == mem + PAGE_SIZE, "page allocation is page aligned");
	CHECK(all_zero(page, PAGE_SIZE), "page is zeroed");
	CHECK_EQ(b.allocs, 4, "four allocations counted");

	/* Alignment larger than the pool's own: the offset still works. */
	bump_init(&b, "odd", mem + 1, POOL_SIZE - 1);
	p1 = bump_alloc(&b, 1, PAGE_SIZE);
	CHECK(p1 == mem + PAGE_SIZE, "unaligned pool base: aligned up to a page");
}

static void test_bad_arguments(uint8_t *mem)
{
	struct bump b;

	bump_init(&b, "pool", mem, POOL_SIZE);
	CHECK(bump_alloc(&b, 16, 3) == NULL, "align 3 refused");
	CHECK(bump_alloc(&b, 16, 0) == NULL, "align 0 refused");
	CHECK(bump_alloc(&b, 16, 48) == NULL, "align 48 refused");
	CHECK(bump_alloc(&b, 0, 8) == NULL, "size 0 refused");
	CHECK_EQ(b.failures, 4, "bad arguments count as failures");
	CHECK_EQ(b.allocs, 0, "and not as allocations");
	CHECK(b.next == b.base, "and use no memory");
	CHECK(bump_alloc(&b, 1, (uint64_t)1 << 63) == NULL, "huge alignment refused");
	CHECK(bump_alloc(&b, UINT64_MAX, 1) == NULL, "huge size refused without wrapping");
	CHECK(bump_alloc(&b, UINT64_MAX - 4095, PAGE_SIZE) == NULL, "size near 2^64 refused");
	CHECK(b.next == b.base, "still nothing used");
}

static void test_exhaustion(uint8_t *mem)
{
	struct bump b;
	struct bump_stats s;
	int i, got = 0;

	bump_init(&b, "pool", mem, POOL_SIZE);
	for (i = 0; i < 16; i++)
		if (bump_alloc_page(&b))
			got++;
	CHECK_EQ(got, 16, "pool holds exactly 16 pages");
	CHECK(bump_alloc_page(&b) == NULL, "17th page refused");
	CHECK(bump_alloc(&b, 1, 1) == NULL, "even one byte refused when full");
	CHECK_EQ(b.failures, 2, "failures counted");
	CHECK_EQ(b.last_failed_size, 1, "last failed size remembered");
	bump_get_stats(&b, &s);
	CHECK_EQ(s.used, POOL_SIZE, "full: used = size");
	CHECK_EQ(s.free, 0, "full: nothing free");
	CHECK_EQ(s.allocs, 16, "full: 16 allocations");
	CHECK_EQ(s.failures, 2, "full: 2 failures in stats");

	/* A request that fits in the bytes left but not after alignment. */
	bump_init(&b, "pool", mem, 2 * PAGE_SIZE);
	CHECK(bump_alloc(&b, 1, 1) != NULL, "one byte");
	CHECK(bump_alloc(&b, PAGE_SIZE, PAGE_SIZE) != NULL, "page after alignment fits");
	CHECK(bump_alloc(&b, 8, 1) == (void *)(mem + 1),
	      "8 bytes still fit: in the gap the page's alignment skipped");
	CHECK(bump_alloc(&b, PAGE_SIZE, 1) == NULL, "a page does not: nothing left");
	bump_init(&b, "pool", mem, 2 * PAGE_SIZE);
	CHECK(bump_alloc(&b, 8, 1) != NULL, "8 bytes");
	CHECK(bump_alloc(&b, PAGE_SIZE + 8, PAGE_SIZE) == NULL,
	      "fits in free bytes but not once aligned: refused");
	CHECK_EQ(b.last_failed_size, PAGE_SIZE + 8, "last failed size");

	/* A pool ending at the top of the address space must not wrap. */
	bump_init(&b, "top", (void *)(UINTPTR_MAX - 0xfff), 0x2000);
	CHECK(b.end == UINTPTR_MAX, "pool past the top is cut");
}

static void test_marks_and_stats(uint8_t *mem)
{
	struct bump b;
	struct bump_mark m, inner;
	struct bump_stats s;
	uint8_t *a, *vm1, *vm2;

	bump_init(&b, "pool", mem, POOL_SIZE);
	a = bump_alloc_page(&b);
	m = bump_mark(&b);
	CHECK_EQ(m.allocs, 1, "mark records allocation count");
	vm1 = bump_alloc(&b, 3 * PAGE_SIZE, PAGE_SIZE);
	memset(vm1, 0x77, 3 * PAGE_SIZE);
	bump_get_stats(&b, &s);
	CHECK_EQ(s.used, 4 * PAGE_SIZE, "used after a 'VM'");
	CHECK_EQ(b.allocs - m.allocs, 1, "allocations since the mark");

	bump_reset(&b, m);
	bump_get_stats(&b, &s);
	CHECK_EQ(s.used, PAGE_SIZE, "reset gives memory back");
	CHECK_EQ(s.peak, 4 * PAGE_SIZE, "peak remembers the high point");
	CHECK_EQ(s.allocs, 2, "allocs count since init");

	vm2 = bump_alloc(&b, 2 * PAGE_SIZE, PAGE_SIZE);
	CHECK(vm2 == vm1, "memory after reset is reused");
	CHECK(all_zero(vm2, 2 * PAGE_SIZE), "reused memory is zeroed again");
	CHECK(a[0] == 0, "allocation before the mark untouched");

	inner = bump_mark(&b);
	bump_reset(&b, m);
	bump_reset(&b, inner); /* already given back: must be ignored */
	bump_get_stats(&b, &s);
	CHECK_EQ(s.used, PAGE_SIZE, "a mark ahead of next is ignored");
	bump_reset(&b, (struct bump_mark){ .next = b.base - 1, .allocs = 0 });
	CHECK(b.next == b.base + PAGE_SIZE, "a mark below base is ignored");
	CHECK_EQ(s.size, s.used + s.free, "size = used + free");
}

/*
 * The gap an aligned allocation skips (guest RAM is 2 MiB aligned) is used
 * by the allocations after it that fit, and a reset gives back what was put
 * there since the mark, as it gives back the rest.
 */
static void test_gap(void)
{
	struct bump b;
	struct bump_stats s;
	/* 64 pages, 8-page aligned: a block aligned to 8 pages lands 8 pages
	 * in, and 8 pages still fit after it. */
	uint8_t *mem = aligned_alloc(8 * PAGE_SIZE, 64 * PAGE_SIZE);

	if (!mem)
		abort();
	memset(mem, 0xa5, 64 * PAGE_SIZE);
	bump_init(&b, "gap", mem, 64 * PAGE_SIZE);
	uint8_t *first = bump_alloc(&b, 100, 1);
	struct bump_mark m = bump_mark(&b);
	uint8_t *big = bump_alloc(&b, 4 * PAGE_SIZE, 8 * PAGE_SIZE);
	uintptr_t gap = (uintptr_t)first + 100, gap_end = (uintptr_t)big;
	CHECK(big == mem + 8 * PAGE_SIZE && gap_end - gap == 8 * PAGE_SIZE - 100,
	      "an aligned block skips a gap (%llu bytes)", (unsigned long long)(gap_end - gap));
	uint8_t *page = bump_alloc_page(&b);
	uint8_t *small = bump_alloc(&b, 64, 64);
	CHECK(page && (uintptr_t)page >= gap && (uintptr_t)page + PAGE_SIZE <= gap_end &&
	      ((uintptr_t)page & (PAGE_SIZE - 1)) == 0,
	      "a page that fits goes into the gap, aligned");
	CHECK(small && (uintptr_t)small >= gap && (uintptr_t)small + 64 <= gap_end &&
	      ((uintptr_t)small & 63) == 0 && (small + 64 <= page || small >= page + PAGE_SIZE),
	      "... and 64 bytes too, apart from it");
	CHECK(all_zero(page, PAGE_SIZE) && all_zero(small, 64), "... zeroed");
	uint8_t *after = bump_alloc(&b, 8 * PAGE_SIZE, 1);
	CHECK(after == big + 4 * PAGE_SIZE, "what does not fit goes after the block");
	bump_get_stats(&b, &s);
	CHECK_EQ(s.used, (uint64_t)(after + 8 * PAGE_SIZE - mem), "used counts up to next (gap included)");

	bump_reset(&b, m);
	CHECK(b.next == (uintptr_t)first + 100 && b.hole == b.hole_end,
	      "reset: next and the gap as at the mark (no gap)");
	uint8_t *again = bump_alloc(&b, 64, 64);
	CHECK(again == (uint8_t *)(((uintptr_t)first + 100 + 63) & ~(uintptr_t)63),
	      "reset gave back what was put in the gap");

	/* A mark taken with a gap open: reset restores it, half used or not. */
	bump_init(&b, "gap2", mem, POOL_SIZE);
	bump_alloc(&b, 8, 1);
	bump_alloc(&b, PAGE_SIZE, 2 * PAGE_SIZE);
	m = bump_mark(&b);
	CHECK(bump_alloc(&b, 16, 8) == mem + 8, "the gap serves after a mark too");
	bump_reset(&b, m);
	CHECK(bump_alloc(&b, 16, 8) == mem + 8, "and a reset gives that back");
	free(mem);
}

/*
 * Zeroing is done in 8-byte words with byte-wise edges: every start
 * offset (mod 8) and size around the word and 64-byte steps clears
 * exactly the block, not a byte before or after it.
 */
static void test_zeroing_edges(uint8_t *mem)
{
	unsigned bad = 0, runs = 0;

	for (unsigned off = 0; off < 16; off++) {
		for (uint64_t size = 1; size <= 200; size++) {
			struct bump b;

			memset(mem, 0xa5, 512);
			bump_init(&b, "edges", mem, POOL_SIZE);
			if (off && !bump_alloc(&b, off, 1))
				bad++;
			uint8_t *p = bump_alloc(&b, size, 1);
			runs++;
			if (p != mem + off || !all_zero(p, size))
				bad++;
			for (uint64_t i = 0; i < off; i++)
				bad += mem[i] != (i < off ? 0 : 0xa5);
			for (uint64_t i = off + size; i < 512; i++)
				bad += mem[i] != 0xa5;
		}
	}
	CHECK_EQ(bad, 0, "zeroing clears exactly the block, at %u offsets and sizes", runs);
}

int main(void)
{
	uint8_t *mem = new_pool();

	unit_begin("test_bump");
	test_init(mem);
	test_alignment_and_zeroing(mem);
	test_bad_arguments(mem);
	memset(mem, 0xa5, POOL_SIZE);
	test_exhaustion(mem);
	test_marks_and_stats(mem);
	test_zeroing_edges(mem);
	test_gap();
	free(mem);
	return unit_done();
}
