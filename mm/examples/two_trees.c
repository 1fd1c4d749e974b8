/*
 * A program outside minihv using libminihv-mm: it builds an Intel EPT tree
 * and a 3-level Arm stage-2 tree (a 40-bit IPA, walked from Arm's level 1
 * with two concatenated root tables, as on a CPU with 40-bit physical
 * addresses), walks and dumps both, destroys them, and checks that every
 * table page went back to the pool.
 *
 * Built against build/host/include/ and build/host/libminihv-mm.a only
 * (make libmm), and run by make check: it exits 0 only if every step did
 * what the comment above it says.  docs/mm.md quotes the parts between the
 * "docs:" markers (scripts/check-mm-docs.sh keeps the quotes exact).
 */
#include <stdio.h>
#include <stdlib.h>

#include <minihv_mm.h>

#if MINIHV_MM_VERSION < 2
#error "needs libminihv-mm 0.2: pt_for_each_leaf, pt_destroy, host_page_pool"
#endif

static int failures;

static void expect(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAILED", what);
	if (!ok)
		failures++;
}

static void put_line(void *ctx, const char *line)
{
	fprintf(ctx, "  %s\n", line);
}

/* pt_for_each_leaf callback: count the leaves and their bytes, and the
 * read-only ones. */
struct tally {
	unsigned leaves, read_only;
	uint64_t bytes;
};

static int count_leaf(const struct pt_leaf *leaf, void *arg)
{
	struct tally *t = arg;

	t->leaves++;
	t->bytes += leaf->size;
	if (!(leaf->perms & PT_W))
		t->read_only++;
	return 0;
}

/* Map 4 MiB + 8 KiB of RAM and one MMIO page, punch a hole, make a page
 * read-only; then walk, dump and destroy the tree. */
static void one_tree(const struct pt_format *fmt, struct pt_mem *mem)
{
	struct tally t = { 0, 0, 0 };
	hpa_t where = hpa(0);
	unsigned perms = 0;
	/* docs:begin tree */
	struct pt s2;
	int err = pt_init(&s2, fmt, mem);            /* an empty root */

	if (!err)                                      /* 2 x 2 MiB + 2 x 4 KiB */
		err = s2_map_range(&s2, gpa(0x80000000), hpa(0x40000000),
				   (4 << 20) + 0x2000, PT_RWX, PT_MEM_NORMAL);
	if (!err)                                      /* a device page */
		err = s2_map_range(&s2, gpa(0x09000000), hpa(0x09000000),
				   0x1000, PT_RW, PT_MEM_DEVICE);
	if (!err)                                      /* splits a 2 MiB block */
		err = s2_unmap_range(&s2, gpa(0x80100000), 0x1000);
	if (!err)
		err = s2_protect_range(&s2, gpa(0x80200000), 0x1000, PT_R);
	if (!err)
		err = s2_translate(&s2, gpa(0x80001234), &where, &perms);
	/* ... flush the TLBs here before a CPU uses the tree (pt.h) ... */
	/* docs:end */
	printf("%s: %s\n", fmt->name, mm_strerror(err));
	expect(err == 0, "built, and 0x80001234 translates");
	expect(hpa_val(where) == 0x40001234 && perms == PT_RWX, "to 0x40001234, rwx");
	expect(s2_translate(&s2, gpa(0x80100000), &where, &perms) == MM_ENOTMAPPED,
	       "the unmapped page is a hole");

	/* Walk.  Both 2 MiB blocks were split into pages (one by the hole,
	 * one by the read-only page): 1 device page, 511 + 512 + 2 RAM pages. */
	expect(pt_for_each_leaf(&s2, count_leaf, &t) == 0, "walked");
	expect(t.bytes == 0x1000 + (4 << 20) + 0x2000 - 0x1000, "the leaves cover what is mapped");
	expect(t.leaves == 1 + 511 + 512 + 2, "1026 leaves: every block split into pages");
	expect(t.read_only == 1, "one of them read-only");

	/* The dump, ranges only (the entries would be 1000 lines). */
	expect(pt_dump(&s2, PT_DUMP_RANGES, put_line, stdout) == 0, "dumped");
	expect(pt_destroy(&s2) == 0 && s2.table_pages == 0, "destroyed");
}

int main(void)
{
	enum { POOL_PAGES = 64 };
	void *block = aligned_alloc(0x10000, POOL_PAGES * 0x1000);
	struct host_page_pool pool;
	struct pt_mem mem;
	struct pt_arm_s2_geometry g;
	struct pt_format arm40;

	if (!block)
		return 2;
	printf("libminihv-mm %d.%d\n", MINIHV_MM_VERSION_MAJOR, MINIHV_MM_VERSION_MINOR);
	/* docs:begin pool */
	/* Table pages from a block of our own; entries store "physical"
	 * addresses 0x100000000 apart from the pointers (any page multiple;
	 * 64 KiB keeps a concatenated root aligned in both views). */
	host_page_pool_init(&pool, block, POOL_PAGES * 0x1000,
			    (int64_t)(0x100000000ull - (uint64_t)(uintptr_t)block));
	host_page_pool_mem(&pool, &mem);
	/* docs:end */

	one_tree(&pt_format_x86_ept, &mem);
	expect(pool.in_use == 0, "EPT: every table page is back in the pool");

	pt_arm_s2_geometry(2, &g);          /* ID_AA64MMFR0_EL1.PARange 2: 40 bits */
	pt_arm_s2_format(&g, &arm40);
	expect(arm40.levels == 3 && arm40.root_tables == 2, "40-bit stage 2: 3 levels, 2 root tables");
	one_tree(&arm40, &mem);
	expect(pool.in_use == 0, "Arm stage 2: every table page is back in the pool");
	expect(pool.bad_frees == 0 && pool.frees > 0, "nothing freed twice or from elsewhere");

	free(block);
	printf("%s\n", failures ? "two_trees: FAILED" : "two_trees: ok");
	return failures ? 1 : 0;
}
