/*
 * The page-table engine: leaf-size choice, exact table counts, refusal
 * without change, block splitting, permissions across levels, and walks
 * over trees it cannot trust.
 */
#include "tests/fake_phys.h"
#include "tests/unit.h"

#define SZ_4K PAGE_SIZE
#define BIT(n) ((uint64_t)1 << (n))

/* Does in translate to out, with a leaf at level and these perms? */
static bool maps(const struct pt *pt, uint64_t in, uint64_t out, unsigned level,
		 unsigned perms)
{
	struct pt_walk w;
	int err = pt_translate(pt, in, &w);

	if (err) {
		printf("# translate %#llx: %s\n", (unsigned long long)in, mm_strerror(err));
		return false;
	}
	if (w.out != out || w.level != level || w.perms != perms) {
		printf("# translate %#llx: out %#llx level %u perms %#x\n",
		       (unsigned long long)in, (unsigned long long)w.out, w.level, w.perms);
		return false;
	}
	return true;
}

static bool unmapped(const struct pt *pt, uint64_t in)
{
	struct pt_walk w;

	return pt_translate(pt, in, &w) == MM_ENOTMAPPED;
}

/* Leaf-size choice and exact table-page counts, on EPT. */
static void test_map_sizes(void)
{
	struct fake_phys fp;
	struct pt pt;
	struct pt_walk w;
	uint64_t base = 0x80000000; /* 2G: start of the third 1G slot */

	fake_phys_init(&fp, 64);
	CHECK_EQ(pt_init(&pt, &pt_format_x86_ept, &fp.mem), 0, "init");
	CHECK_EQ(pt.table_pages, 1, "init: the root table");
	CHECK_EQ(pt.root_pa, FAKE_HPA_BASE, "root lives at the fake physical base");
	CHECK(unmapped(&pt, 0), "empty tree maps nothing");

	CHECK_EQ(pt_map(&pt, 0x1000, 0x5000, SZ_4K, PT_RWX, PT_MEM_NORMAL), 0, "map one 4K page");
	CHECK_EQ(pt.table_pages, 4, "4K page needs three new tables");
	CHECK(maps(&pt, 0x1abc, 0x5abc, 0, PT_RWX), "4K page translates with offset");
	CHECK(pt_translate(&pt, 0x1abc, &w) == 0 && w.type == PT_MEM_NORMAL, "memory type normal");

	CHECK_EQ(pt_map(&pt, SZ_2M, 0x40200000, SZ_2M, PT_RW, PT_MEM_NORMAL), 0, "map aligned 2M");
	CHECK_EQ(pt.table_pages, 4, "aligned 2M is one block: no new table");
	CHECK(maps(&pt, SZ_2M + 0x12345, 0x40212345, 1, PT_RW), "2M block translates");

	CHECK_EQ(pt_map(&pt, SZ_1G, 0x100000000ull, SZ_1G, PT_R, PT_MEM_NORMAL), 0, "map aligned 1G");
	CHECK_EQ(pt.table_pages, 4, "aligned 1G is one block: no new table");
	CHECK(maps(&pt, SZ_1G + 0x3456789, 0x103456789ull, 2, PT_R), "1G block translates");

	CHECK_EQ(pt_map(&pt, 2 * SZ_2M, 0x10001000, SZ_2M, PT_RW, PT_MEM_DEVICE), 0,
		 "map 2M with output only 4K aligned");
	CHECK_EQ(pt.table_pages, 5, "misaligned output: one page table of 4K leaves");
	CHECK(maps(&pt, 2 * SZ_2M + 0x1ff234, 0x10200234, 0, PT_RW), "last 4K of it translates");
	CHECK(pt_translate(&pt, 2 * SZ_2M, &w) == 0 && w.type == PT_MEM_DEVICE, "memory type device");

	/* [2G+2M-4K, 2G+6M+4K): a page, two 2M blocks, a page. */
	CHECK_EQ(pt_map(&pt, base + SZ_2M - SZ_4K, 0x200000000ull + SZ_2M - SZ_4K,
			2 * SZ_2M + 2 * SZ_4K, PT_RW, PT_MEM_NORMAL), 0, "map a ragged range");
	CHECK_EQ(pt.table_pages, 8, "ragged range: one 2M-level table and two page tables");
	CHECK(maps(&pt, base + SZ_2M - SZ_4K, 0x200000000ull + SZ_2M - SZ_4K, 0, PT_RW), "head is a page");
	CHECK(maps(&pt, base + SZ_2M, 0x200000000ull + SZ_2M, 1, PT_RW), "then a 2M block");
	CHECK(maps(&pt, base + 2 * SZ_2M + 5, 0x200000000ull + 2 * SZ_2M + 5, 1, PT_RW), "another block");
	CHECK(maps(&pt, base + 3 * SZ_2M, 0x200000000ull + 3 * SZ_2M, 0, PT_RW), "tail is a page");
	CHECK(unmapped(&pt, base + 3 * SZ_2M + SZ_4K), "the range ends where it should");
	CHECK(unmapped(&pt, base + SZ_2M - 2 * SZ_4K), "and starts where it should");

	/* A 1G-aligned input with a 2M-aligned output gets 2M blocks. */
	CHECK_EQ(pt_map(&pt, 3 * SZ_1G, 0x300200000ull, SZ_1G, PT_RW, PT_MEM_NORMAL), 0,
		 "map 1G with a 2M-aligned output");
	CHECK_EQ(pt.table_pages, 9, "512 2M blocks in one new table");
	CHECK(maps(&pt, 4 * SZ_1G - 1, 0x300200000ull + SZ_1G - 1, 1, PT_RW), "last byte of it");

	/* The top of the 48-bit space. */
	CHECK_EQ(pt_map(&pt, BIT(48) - SZ_4K, 0x7000, SZ_4K, PT_R, PT_MEM_NORMAL), 0,
		 "map the last page below 2^48");
	CHECK(maps(&pt, BIT(48) - 1, 0x7fff, 0, PT_R), "last byte below 2^48 translates");
	fake_phys_free(&fp);
}

static void test_bad_arguments(void)
{
	struct fake_phys fp;
	struct pt pt;
	struct pt_format bad;
	struct pt_walk w;

	fake_phys_init(&fp, 8);
	pt_init(&pt, &pt_format_x86_ept, &fp.mem);
	CHECK_EQ(pt_map(&pt, 0, 0, 0, PT_RW, PT_MEM_NORMAL), MM_EINVAL, "size 0 refused");
	CHECK_EQ(pt_map(&pt, 0x800, 0, SZ_4K, PT_RW, PT_MEM_NORMAL), MM_EINVAL, "misaligned input refused");
	CHECK_EQ(pt_map(&pt, 0, 0x800, SZ_4K, PT_RW, PT_MEM_NORMAL), MM_EINVAL, "misaligned output refused");
	CHECK_EQ(pt_map(&pt, 0, 0, 0x1800, PT_RW, PT_MEM_NORMAL), MM_EINVAL, "misaligned size refused");
	CHECK_EQ(pt_map(&pt, BIT(48), 0, SZ_4K, PT_RW, PT_MEM_NORMAL), MM_EINVAL, "input at 2^48 refused");
	CHECK_EQ(pt_map(&pt, BIT(48) - SZ_4K, 0, 2 * SZ_4K, PT_RW, PT_MEM_NORMAL), MM_EINVAL,
		 "range running past 2^48 refused");
	CHECK_EQ(pt_map(&pt, 0, 0, ~0xfffull, PT_RW, PT_MEM_NORMAL), MM_EINVAL, "size near 2^64 refused");
	CHECK_EQ(pt_map(&pt, ~0xfffull, 0, 2 * SZ_4K, PT_RW, PT_MEM_NORMAL), MM_EINVAL,
		 "wrapping input range refused");
	CHECK_EQ(pt_map(&pt, 0, BIT(52), SZ_4K, PT_RW, PT_MEM_NORMAL), MM_EINVAL,
		 "output beyond oa_mask refused");
	CHECK_EQ(pt_map(&pt, 0, BIT(52) - SZ_4K, 2 * SZ_4K, PT_RW, PT_MEM_NORMAL), MM_EINVAL,
		 "output range running past oa_mask refused");
	CHECK_EQ(pt_map(&pt, 0, ~0xfffull, 2 * SZ_4K, PT_RW, PT_MEM_NORMAL), MM_EINVAL,
		 "wrapping output range refused");
	CHECK_EQ(pt_map(&pt, 0, 0, SZ_4K, PT_W, PT_MEM_NORMAL), MM_EINVAL, "write without read refused");
	CHECK_EQ(pt_map(&pt, 0, 0, SZ_4K, 0, PT_MEM_NORMAL), MM_EINVAL, "no permissions refused");
	CHECK_EQ(pt_map(&pt, 0, 0, SZ_4K, PT_R | 0x100, PT_MEM_NORMAL), MM_EINVAL, "unknown perm bit refused");
	CHECK_EQ(pt_map(&pt, 0, 0, SZ_4K, PT_R, (enum pt_memtype)7), MM_EINVAL, "unknown memory type refused");
	CHECK_EQ(pt.table_pages, 1, "refused calls allocated nothing");
	CHECK_EQ(fake_phys_used(&fp), SZ_4K, "pool holds only the root");
	CHECK_EQ(pt_unmap(&pt, 0, 0), MM_EINVAL, "unmap size 0 refused");
	CHECK_EQ(pt_protect(&pt, 0x800, SZ_4K, PT_R), MM_EINVAL, "protect misaligned refused");

	CHECK_EQ(pt_translate(&pt, BIT(48), &w), MM_ENOTMAPPED, "translate at 2^48: not mapped");
	CHECK_EQ(pt_translate(&pt, ~0ull, &w), MM_ENOTMAPPED, "translate at 2^64-1: not mapped");

	bad = pt_format_x86_ept;
	bad.levels = 5;
	CHECK_EQ(pt_init(&pt, &bad, &fp.mem), MM_EINVAL, "5-level format refused");
	bad = pt_format_x86_ept;
	bad.leaf_levels = 6;
	CHECK_EQ(pt_init(&pt, &bad, &fp.mem), MM_EINVAL, "format without 4K leaves refused");
	fake_phys_free(&fp);
}

/* A refused map must leave the tree, and the pool, exactly as they were. */
static void test_overlap(void)
{
	struct fake_phys fp;
	struct pt pt;
	uint64_t used;
	unsigned tables;

	fake_phys_init(&fp, 16);
	pt_init(&pt, &pt_format_arm_stage2, &fp.mem);
	pt_map(&pt, 0x3000, 0x9000, SZ_4K, PT_RW, PT_MEM_NORMAL);
	pt_map(&pt, SZ_1G, SZ_1G, SZ_1G, PT_RW, PT_MEM_NORMAL);
	used = fake_phys_used(&fp);
	tables = pt.table_pages;

	CHECK_EQ(pt_map(&pt, 0, 0, 0x10000, PT_RW, PT_MEM_NORMAL), MM_EOVERLAP,
		 "range with a mapped page in the middle refused");
	CHECK(unmapped(&pt, 0) && unmapped(&pt, 0x2000) && unmapped(&pt, 0x4000),
	      "no page of the refused range got mapped");
	CHECK(maps(&pt, 0x3000, 0x9000, 0, PT_RW), "the old page is as it was");

	CHECK_EQ(pt_map(&pt, SZ_1G - 0x10000, 0, 0x11000, PT_RW, PT_MEM_NORMAL), MM_EOVERLAP,
		 "range ending inside a 1G block refused");
	CHECK(unmapped(&pt, SZ_1G - 0x10000), "its first page is still unmapped");
	CHECK_EQ(pt_map(&pt, SZ_1G + 0x5000, 0, SZ_4K, PT_RW, PT_MEM_NORMAL), MM_EOVERLAP,
		 "page inside a 1G block refused");
	CHECK_EQ(pt_map(&pt, 3 * SZ_1G, 0, 2 * SZ_1G, PT_RW, PT_MEM_NORMAL), 0,
		 "an untouched 2G range still maps");
	CHECK(maps(&pt, SZ_1G + 0x5000, SZ_1G + 0x5000, 2, PT_RW), "the 1G block is whole");
	CHECK_EQ(pt.table_pages, tables, "refusals allocated no table");
	CHECK_EQ(fake_phys_used(&fp), used, "refusals took nothing from the pool");
	fake_phys_free(&fp);
}

/* Running out of table memory half-way takes back the leaves written. */
static void test_out_of_memory(void)
{
	struct fake_phys fp;
	struct pt pt;

	/* root + 1G-level + 2M-level + page table: the 4th table (the page
	 * table at 4M) does not fit. */
	fake_phys_init(&fp, 4);
	pt_init(&pt, &pt_format_x86_npt, &fp.mem);
	CHECK_EQ(pt_map(&pt, SZ_2M - SZ_4K, SZ_2M - SZ_4K, SZ_2M + 2 * SZ_4K, PT_RW, PT_MEM_NORMAL),
		 MM_ENOMEM, "map needing 5 tables in a 4-page pool fails");
	CHECK(unmapped(&pt, SZ_2M - SZ_4K), "the page mapped before the failure was taken back");
	CHECK(unmapped(&pt, SZ_2M), "the 2M block mapped before the failure was taken back");
	CHECK_EQ(pt.table_pages, 4, "tables allocated meanwhile are counted");
	CHECK_EQ(fp.bump.failures, 1, "the pool counted the failure");
	CHECK_EQ(pt_map(&pt, SZ_2M, SZ_2M, SZ_2M, PT_RW, PT_MEM_NORMAL), 0,
		 "the tree still works: a 2M block needs no new table");
	fake_phys_free(&fp);
}

static void test_unmap(void)
{
	struct fake_phys fp;
	struct pt pt;
	uint64_t g = SZ_1G, out = 0x140000000ull;

	fake_phys_init(&fp, 16);
	pt_init(&pt, &pt_format_x86_ept, &fp.mem);
	pt_map(&pt, g, out, SZ_1G, PT_RWX, PT_MEM_NORMAL);
	CHECK_EQ(pt.table_pages, 2, "1G block: root and one table");

	CHECK_EQ(pt_unmap(&pt, g + 3 * SZ_2M + 0x2000, SZ_4K), 0, "unmap one page inside the 1G block");
	CHECK_EQ(pt.table_pages, 4, "split into 2M blocks, then one of them into pages");
	CHECK(unmapped(&pt, g + 3 * SZ_2M + 0x2000), "that page is gone");
	CHECK(maps(&pt, g + 3 * SZ_2M + 0x1fff, out + 3 * SZ_2M + 0x1fff, 0, PT_RWX), "page below it remains");
	CHECK(maps(&pt, g + 3 * SZ_2M + 0x3000, out + 3 * SZ_2M + 0x3000, 0, PT_RWX), "page above it remains");
	CHECK(maps(&pt, g, out, 1, PT_RWX), "first 2M of the old block is a 2M block");
	CHECK(maps(&pt, 2 * g - 1, out + g - 1, 1, PT_RWX), "last byte of the old block remains");

	CHECK_EQ(pt_unmap(&pt, g + 3 * SZ_2M, 0x1000), 0, "unmap another page in the same 2M");
	CHECK_EQ(pt.table_pages, 4, "no new split needed");
	CHECK_EQ(pt_unmap(&pt, 0, SZ_1G), 0, "unmapping a never-mapped range is fine");
	CHECK_EQ(pt_unmap(&pt, g + 5 * SZ_2M, SZ_2M), 0, "unmap a whole 2M block");
	CHECK_EQ(pt.table_pages, 4, "a whole block needs no split");
	CHECK(unmapped(&pt, g + 5 * SZ_2M) && unmapped(&pt, g + 6 * SZ_2M - 1), "whole block gone");
	CHECK(maps(&pt, g + 6 * SZ_2M, out + 6 * SZ_2M, 1, PT_RWX), "its neighbour stays");

	/* A range whose two ends fall inside two different blocks. */
	CHECK_EQ(pt_unmap(&pt, g + 7 * SZ_2M + 0x10000, SZ_2M), 0, "unmap across a 2M boundary");
	CHECK_EQ(pt.table_pages, 6, "both blocks at the edges split");
	CHECK(maps(&pt, g + 7 * SZ_2M + 0xf000, out + 7 * SZ_2M + 0xf000, 0, PT_RWX), "below the range stays");
	CHECK(unmapped(&pt, g + 7 * SZ_2M + 0x10000) && unmapped(&pt, g + 8 * SZ_2M + 0xf000),
	      "both ends gone");
	CHECK(maps(&pt, g + 8 * SZ_2M + 0x10000, out + 8 * SZ_2M + 0x10000, 0, PT_RWX), "above the range stays");

	CHECK_EQ(pt_map(&pt, g + 5 * SZ_2M, 0x9000000, SZ_2M, PT_R, PT_MEM_NORMAL), 0,
		 "the hole can be mapped again");
	CHECK(maps(&pt, g + 5 * SZ_2M, 0x9000000, 1, PT_R), "with the new mapping");

	/* Block 3 is now a page table with its pages unmapped one by one
	 * until it is empty.  Mapping the whole 2M again still makes the
	 * largest leaf: a block replaces the empty table. */
	CHECK_EQ(pt_unmap(&pt, g + 3 * SZ_2M, SZ_2M), 0, "empty the split block's page table");
	CHECK_EQ(pt_map(&pt, g + 3 * SZ_2M, 0x600000, SZ_2M, PT_RW, PT_MEM_NORMAL), 0,
		 "map 2M over the empty page table");
	CHECK(maps(&pt, g + 3 * SZ_2M + 0x2000, 0x602000, 1, PT_RW), "it is one 2M block again");
	CHECK_EQ(pt.table_pages, 6, "no table allocated (the empty one is left unused)");

	/* Splitting needs memory: with none left, nothing is unmapped. */
	pt_map(&pt, 2 * SZ_1G, 0, SZ_1G, PT_RW, PT_MEM_NORMAL);
	while (bump_alloc_page(&fp.bump))
		;
	CHECK_EQ(pt_unmap(&pt, 2 * SZ_1G, SZ_1G / 2 + SZ_4K), MM_ENOMEM,
		 "unmap that needs a split fails when the pool is empty");
	CHECK(maps(&pt, 2 * SZ_1G, 0, 2, PT_RW), "and nothing was unmapped");
	fake_phys_free(&fp);
}

static void test_protect(void)
{
	struct fake_phys fp;
	struct pt pt;
	struct pt_walk w;
	uint64_t a = 4 * SZ_2M;

	fake_phys_init(&fp, 16);
	pt_init(&pt, &pt_format_arm_stage2, &fp.mem);
	pt_map(&pt, a, 0x9000000, SZ_2M, PT_RWX, PT_MEM_DEVICE);
	pt_map(&pt, a + SZ_2M, 0x20000000, SZ_2M, PT_RWX, PT_MEM_NORMAL);
	CHECK_EQ(pt.table_pages, 3, "two 2M blocks: three tables");

	CHECK_EQ(pt_protect(&pt, a + 0x1000, SZ_4K, PT_R), 0, "make one page read-only");
	CHECK_EQ(pt.table_pages, 4, "its block was split");
	CHECK(maps(&pt, a + 0x1000, 0x9001000, 0, PT_R), "the page is read-only");
	CHECK(maps(&pt, a, 0x9000000, 0, PT_RWX), "the page below kept its rights");
	CHECK(maps(&pt, a + 0x2000, 0x9002000, 0, PT_RWX), "the page above kept its rights");
	CHECK(pt_translate(&pt, a + 0x1000, &w) == 0 && w.type == PT_MEM_DEVICE,
	      "protect keeps the memory type");
	CHECK(pt_translate(&pt, a + 0x1ff000, &w) == 0 && w.type == PT_MEM_DEVICE,
	      "split keeps the memory type");

	CHECK_EQ(pt_protect(&pt, a + SZ_2M, SZ_2M, PT_R | PT_X), 0, "protect a whole block");
	CHECK_EQ(pt.table_pages, 4, "no split for a whole block");
	CHECK(maps(&pt, a + SZ_2M + 5, 0x20000005, 1, PT_R | PT_X), "the block changed");

	CHECK_EQ(pt_protect(&pt, a + SZ_2M, 2 * SZ_2M, PT_R), MM_ENOTMAPPED,
		 "range running into unmapped memory refused");
	CHECK(maps(&pt, a + SZ_2M, 0x20000000, 1, PT_R | PT_X), "and nothing was changed");
	CHECK_EQ(pt_protect(&pt, a - SZ_4K, 2 * SZ_4K, PT_R), MM_ENOTMAPPED,
		 "range starting in unmapped memory refused");
	CHECK(maps(&pt, a, 0x9000000, 0, PT_RWX), "and its mapped page kept its rights");
	CHECK_EQ(pt_protect(&pt, a + SZ_2M + SZ_4K, SZ_4K, PT_W), MM_EINVAL, "write-only refused");
	CHECK_EQ(pt.table_pages, 4, "refusals split nothing");
	fake_phys_free(&fp);
}

/* A backend without 1G pages restricts leaf_levels in a copy. */
static void test_restricted_format(void)
{
	struct fake_phys fp;
	struct pt full, pt;
	struct pt_format no1g = pt_format_x86_ept;
	uint64_t *root, *l2;

	no1g.leaf_levels &= ~4u;
	fake_phys_init(&fp, 16);
	pt_init(&pt, &no1g, &fp.mem);
	CHECK_EQ(pt_map(&pt, SZ_1G, SZ_1G, SZ_1G, PT_RW, PT_MEM_NORMAL), 0, "map 1G without 1G pages");
	CHECK_EQ(pt.table_pages, 3, "built from 2M blocks in one more table");
	CHECK(maps(&pt, SZ_1G + 0x345678, SZ_1G + 0x345678, 1, PT_RW), "as 2M blocks");

	/* Plant a 1G leaf by hand: the restricted copy must not follow it. */
	root = fake_table(&pt, pt.root_pa);
	l2 = fake_table(&pt, pt_format_x86_ept.entry_addr(root[0], 3));
	l2[3] = pt_format_x86_ept.make_leaf(0x80000000, 2, PT_RW, PT_MEM_NORMAL);
	CHECK(unmapped(&pt, 3 * SZ_1G), "a 1G leaf is invalid when 1G leaves are off");
	pt_attach(&full, &pt_format_x86_ept, &fp.mem, pt.root_pa);
	CHECK(maps(&full, 3 * SZ_1G + 7, 0x80000007, 2, PT_RW), "the full format follows it");
	CHECK_EQ(pt_map(&pt, 3 * SZ_1G, 0, SZ_4K, PT_RW, PT_MEM_NORMAL), 0,
		 "and the restricted tree treats that slot as empty");
	fake_phys_free(&fp);
}

/* Stage-1 permissions are ANDed over the levels. */
static void test_perms_across_levels(void)
{
	struct fake_phys fp;
	struct pt pt;
	uint64_t *root, *l2, *l1;
	const struct pt_format *f = &pt_format_x86_64;
	struct pt_walk w;

	fake_phys_init(&fp, 16);
	pt_init(&pt, f, &fp.mem);
	pt_map(&pt, 0x1000, 0x8000, SZ_4K, PT_RWX | PT_USER, PT_MEM_NORMAL);
	pt_map(&pt, 0x2000, 0x9000, SZ_4K, PT_R, PT_MEM_NORMAL);
	CHECK(maps(&pt, 0x1000, 0x8000, 0, PT_RWX | PT_USER), "user RWX page");
	CHECK(maps(&pt, 0x2000, 0x9000, 0, PT_R), "kernel read-only page");

	root = fake_table(&pt, pt.root_pa);
	l2 = fake_table(&pt, f->entry_addr(root[0], 3));
	l1 = fake_table(&pt, f->entry_addr(l2[0], 2));
	root[0] &= ~BIT(1);
	CHECK(maps(&pt, 0x1000, 0x8000, 0, PT_R | PT_X | PT_USER), "R/W clear at level 3 removes write");
	l2[0] |= BIT(63);
	CHECK(maps(&pt, 0x1000, 0x8000, 0, PT_R | PT_USER), "NX at level 2 removes execute");
	l1[0] &= ~BIT(2);
	CHECK(maps(&pt, 0x1000, 0x8000, 0, PT_R), "U/S clear at level 1 removes user");
	CHECK(pt_translate(&pt, 0x1000, &w) == 0 && w.level == 0, "still a 4K leaf");
	fake_phys_free(&fp);

	/* Arm stage 1: APTable bits in a table descriptor. */
	fake_phys_init(&fp, 16);
	f = &pt_format_arm_stage1;
	pt_init(&pt, f, &fp.mem);
	pt_map(&pt, SZ_2M, SZ_2M, SZ_2M, PT_RWX | PT_USER, PT_MEM_NORMAL);
	CHECK(maps(&pt, SZ_2M, SZ_2M, 1, PT_RWX | PT_USER), "arm s1: user RWX block");
	root = fake_table(&pt, pt.root_pa);
	root[0] |= BIT(62) | BIT(61);
	CHECK(maps(&pt, SZ_2M, SZ_2M, 1, PT_R | PT_X), "arm s1: APTable takes write and EL0 away");
	fake_phys_free(&fp);

	/* NPT: a table entry without U/S shuts everything below it. */
	fake_phys_init(&fp, 16);
	f = &pt_format_x86_npt;
	pt_init(&pt, f, &fp.mem);
	pt_map(&pt, 0, 0, SZ_2M, PT_RWX, PT_MEM_NORMAL);
	CHECK(maps(&pt, 0x1234, 0x1234, 1, PT_RWX), "npt: RWX block");
	root = fake_table(&pt, pt.root_pa);
	root[0] &= ~BIT(2);
	CHECK(maps(&pt, 0x1234, 0x1234, 1, 0), "npt: U/S clear in a table allows nothing");
	fake_phys_free(&fp);
}

/* Walking a tree whose entries point anywhere. */
static void test_hostile_tree(void)
{
	struct fake_phys fp;
	struct pt pt, bad;
	struct pt_walk w;
	uint64_t *root, *l2;
	const struct pt_format *f = &pt_format_x86_ept;

	fake_phys_init(&fp, 16);
	pt_init(&pt, f, &fp.mem);
	pt_map(&pt, 0, 0, SZ_4K, PT_RW, PT_MEM_NORMAL);

	pt_attach(&bad, f, &fp.mem, 0x1000);
	CHECK_EQ(pt_translate(&bad, 0, &w), MM_EFAULT, "root outside the pool: fault");
	pt_attach(&bad, f, &fp.mem, pt.root_pa + 8);
	CHECK_EQ(pt_translate(&bad, 0, &w), MM_EFAULT, "unaligned root: fault");
	pt_attach(&bad, f, &fp.mem, pt.root_pa + 15 * SZ_4K);
	CHECK_EQ(pt_translate(&bad, 0, &w), MM_EFAULT, "root in the pool but not allocated: fault");
	CHECK_EQ(bad.table_pages, 0, "attach allocates nothing");

	root = fake_table(&pt, pt.root_pa);
	l2 = fake_table(&pt, f->entry_addr(root[0], 3));
	root[1] = f->make_table(0xdead000);
	CHECK_EQ(pt_translate(&pt, BIT(39), &w), MM_EFAULT, "table pointer outside the pool: fault");
	/* Garbage in the high bits: masked off, so root[1] points to the root
	 * itself, and following index 1 at every level ends at the root. */
	root[1] = 0xfff0000000000007ull | pt.root_pa;
	CHECK_EQ(pt_translate(&pt, BIT(39) | BIT(30) | BIT(21) | BIT(12), &w), 0,
		 "high garbage bits are masked off the address");
	CHECK_EQ(w.out, pt.root_pa, "so the walk stays in the pool");

	/* Self-reference: root[2] points to the root.  Every level reads the
	 * root again; the walk still ends after four steps. */
	root[2] = f->make_table(pt.root_pa);
	CHECK(maps(&pt, (2ull << 39) | (2ull << 30) | (2ull << 21) | (2ull << 12) | 0x18,
		   pt.root_pa + 0x18, 0, PT_RWX),
	      "self-referencing root: the walk ends after 4 levels, at the root page");
	CHECK_EQ(pt_translate(&pt, (2ull << 39) | (3ull << 30), &w), MM_ENOTMAPPED,
		 "a hole in the self-referenced table is still a hole");
	l2[0] = 0;
	CHECK(unmapped(&pt, 0), "cleared table entry: not mapped");
	fake_phys_free(&fp);
}

/* Every format goes through the same engine; a short tour of each. */
static void test_every_format(void)
{
	static const struct pt_format *const formats[] = {
		&pt_format_arm_stage2, &pt_format_arm_stage1, &pt_format_x86_ept,
		&pt_format_x86_npt, &pt_format_x86_64,
	};
	unsigned i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const struct pt_format *f = formats[i];
		unsigned rw = (f == &pt_format_x86_64 || f == &pt_format_arm_stage1)
			? PT_RW | PT_USER : PT_RW;
		struct fake_phys fp;
		struct pt pt;
		bool ok;

		fake_phys_init(&fp, 16);
		ok = pt_init(&pt, f, &fp.mem) == 0 &&
		     pt_map(&pt, 0, 0x10000000, SZ_1G + SZ_2M + SZ_4K, rw, PT_MEM_NORMAL) == 0 &&
		     pt.table_pages == 5;
		CHECK(ok, "%s: map 1G+2M+4K as three leaves in five tables", f->name);
		CHECK(maps(&pt, 0, 0x10000000, 1, rw) && maps(&pt, SZ_1G, 0x50000000, 1, rw) &&
		      maps(&pt, SZ_1G + SZ_2M, 0x50200000, 0, rw),
		      "%s: output 256M aligned, so 2M blocks and a page", f->name);
		ok = pt_protect(&pt, 0x3000, SZ_4K, PT_R) == 0 && pt_unmap(&pt, 0x5000, SZ_4K) == 0;
		CHECK(ok && maps(&pt, 0x3000, 0x10003000, 0, PT_R) && unmapped(&pt, 0x5000) &&
		      maps(&pt, 0x4000, 0x10004000, 0, rw) && pt.table_pages == 6,
		      "%s: protect and unmap split a 2M block", f->name);
		fake_phys_free(&fp);
	}
}

int main(void)
{
	unit_begin("test_pt");
	test_map_sizes();
	test_bad_arguments();
	test_overlap();
	test_out_of_memory();
	test_unmap();
	test_protect();
	test_restricted_format();
	test_perms_across_levels();
	test_hostile_tree();
	test_every_format();
	return unit_done();
}
