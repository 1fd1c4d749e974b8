/*
 * Giving table pages back, and the public walkers: host_page_pool (a
 * provider that can free), pt_unmap/pt_map returning emptied and dropped
 * tables, pt_destroy, pt_for_each_leaf and pt_for_each_entry.  The pool
 * claims to sit at physical FAKE_HPA_BASE, so an address used as a pointer
 * without table_ptr would fail (tests/fake_phys.h explains).
 */
#include "tests/fake_phys.h"
#include "tests/unit.h"
#include "mm/page_pool.h"
#include "mm/pt_arm.h"
#include "mm/pt_dump.h"

#define SZ_4K PAGE_SIZE
#define BIT(n) ((uint64_t)1 << (n))

struct freeing {
	uint8_t *buf;
	struct host_page_pool pool;
	struct pt_mem mem;
};

static void freeing_init(struct freeing *f, unsigned pages)
{
	f->buf = aligned_alloc(FAKE_ALIGN, ((uint64_t)pages * PAGE_SIZE + FAKE_ALIGN - 1) &
					   ~(FAKE_ALIGN - 1));
	if (!f->buf)
		abort();
	host_page_pool_init(&f->pool, f->buf, (uint64_t)pages * PAGE_SIZE,
			    (int64_t)(FAKE_HPA_BASE - (uint64_t)(uintptr_t)f->buf));
	host_page_pool_mem(&f->pool, &f->mem);
}

static void freeing_fini(struct freeing *f)
{
	free(f->buf);
}

static void test_pool(void)
{
	struct freeing f;
	struct pt_mem *m = &f.mem;
	uint64_t a, b, c, r;
	unsigned i;

	struct host_page_pool bad;

	freeing_init(&f, 32);
	CHECK_EQ(host_page_pool_init(&bad, f.buf + 1, PAGE_SIZE, 0), MM_EINVAL,
		 "pool: unaligned base refused");
	CHECK_EQ(host_page_pool_init(&bad, f.buf, PAGE_SIZE, 0x800), MM_EINVAL,
		 "pool: unaligned offset refused");
	CHECK_EQ(bad.pages, 0, "pool: ... and left empty");

	CHECK(m->alloc_table(m->ctx, &a) == 0 && a == FAKE_HPA_BASE, "pool: first page at the base");
	CHECK(m->alloc_table(m->ctx, &b) == 0 && b == FAKE_HPA_BASE + PAGE_SIZE, "pool: then the next");
	CHECK(m->table_ptr(m->ctx, a) == (uint64_t *)(void *)f.buf, "pool: table_ptr of an allocated page");
	CHECK(m->table_ptr(m->ctx, a + 0x800) == NULL, "pool: unaligned refused");
	CHECK(m->table_ptr(m->ctx, FAKE_HPA_BASE + 5 * PAGE_SIZE) == NULL, "pool: a page never handed out refused");
	m->free_table(m->ctx, a, 1);
	CHECK(m->table_ptr(m->ctx, a) == NULL, "pool: a freed page is refused");
	CHECK_EQ(f.pool.in_use, 1, "pool: one page in use after a free");
	m->free_table(m->ctx, a, 1);
	CHECK_EQ(f.pool.bad_frees, 1, "pool: freeing it twice is counted, not done");
	m->free_table(m->ctx, FAKE_HPA_BASE - PAGE_SIZE, 1);
	CHECK_EQ(f.pool.bad_frees, 2, "pool: freeing a page from elsewhere is counted");
	CHECK(m->alloc_table(m->ctx, &c) == 0 && c == a, "pool: a freed page is handed out again");
	CHECK(((uint64_t *)(void *)f.buf)[0] == 0, "pool: zeroed");

	/* Pages 0, 1 used: a 16-page root must start at page 16. */
	CHECK(m->alloc_tables(m->ctx, 16, &r) == 0 && r == FAKE_HPA_BASE + 16 * PAGE_SIZE,
	      "pool: 16 pages, 64 KiB aligned, past the used ones");
	CHECK(m->alloc_tables(m->ctx, 3, &r) == MM_EINVAL, "pool: 3 pages is no root size");
	CHECK(m->alloc_tables(m->ctx, 16, &r) == MM_ENOMEM, "pool: no room for another");
	m->free_table(m->ctx, FAKE_HPA_BASE + 16 * PAGE_SIZE, 16);
	CHECK_EQ(f.pool.in_use, 2, "pool: the root's 16 pages back");
	for (i = 0; i < 30 && m->alloc_table(m->ctx, &c) == 0; i++)
		;
	CHECK_EQ(i, 30, "pool: every page can be handed out");
	CHECK(m->alloc_table(m->ctx, &c) == MM_ENOMEM, "pool: then it is empty");
	CHECK_EQ(f.pool.peak, 32, "pool: the peak is all 32");
	freeing_fini(&f);
}

/* Unmapping gives back the tables it empties, and only those. */
static void test_unmap_frees(void)
{
	struct freeing f;
	struct pt pt;
	struct pt_walk w;

	freeing_init(&f, 64);
	CHECK_EQ(pt_init(&pt, &pt_format_x86_ept, &f.mem), 0, "unmap: init");
	CHECK_EQ(pt_map(&pt, 0x80000000, 0x1000000, 2 * SZ_4K, PT_RW, PT_MEM_NORMAL), 0,
		 "unmap: two pages");
	CHECK(pt.table_pages == 4 && f.pool.in_use == 4, "unmap: root and three tables");
	CHECK_EQ(pt_unmap(&pt, 0x80000000, SZ_4K), 0, "unmap: one of them");
	CHECK(pt.table_pages == 4 && f.pool.in_use == 4, "unmap: the page table still has a leaf");
	CHECK_EQ(pt_unmap(&pt, 0x80001000, SZ_4K), 0, "unmap: the other");
	CHECK(pt.table_pages == 1 && f.pool.in_use == 1,
	      "unmap: all three tables given back, up to the root");
	CHECK_EQ(pt_translate(&pt, 0x80001000, &w), MM_ENOTMAPPED, "unmap: gone");

	/* A split block: the new page table goes when its last page does. */
	CHECK_EQ(pt_map(&pt, 0x40000000, 0x40000000, SZ_2M, PT_RWX, PT_MEM_NORMAL), 0, "unmap: a 2M block");
	CHECK_EQ(pt_map(&pt, 0x40200000, 0x40200000, SZ_4K, PT_RWX, PT_MEM_NORMAL), 0,
		 "unmap: and a page beside it");
	CHECK_EQ(f.pool.in_use, 4, "unmap: root, PDPT, PD, one PT");
	CHECK_EQ(pt_unmap(&pt, 0x40000000, SZ_4K), 0, "unmap: a page out of the block");
	CHECK_EQ(f.pool.in_use, 5, "unmap: the split made a page table");
	CHECK_EQ(pt_unmap(&pt, 0x40001000, SZ_2M - SZ_4K), 0, "unmap: the rest of the block");
	CHECK_EQ(f.pool.in_use, 4, "unmap: its page table went back, the PD stays (a page is left)");
	CHECK_EQ(pt_unmap(&pt, 0x40200000, SZ_4K), 0, "unmap: the last page");
	CHECK(f.pool.in_use == 1 && pt.table_pages == 1, "unmap: only the root is left");
	CHECK_EQ(pt_unmap(&pt, 0, BIT(47)), 0, "unmap: half the space, nothing mapped");
	CHECK_EQ(f.pool.in_use, 1, "unmap: the root stays");
	CHECK_EQ(pt_destroy(&pt), 0, "unmap: destroy");
	CHECK(f.pool.in_use == 0 && f.pool.bad_frees == 0, "unmap: pool empty, nothing freed twice");
	freeing_fini(&f);
}

/* A map that runs out of table pages gives back the ones it took; a leaf
 * written over an empty table gives that table back. */
static void test_map_gives_back(void)
{
	struct freeing f;
	struct pt pt;
	uint64_t *pd, pd_pa;
	struct pt_walk w;

	freeing_init(&f, 3);
	CHECK_EQ(pt_init(&pt, &pt_format_x86_ept, &f.mem), 0, "map: init, 3 pages");
	CHECK_EQ(pt_map(&pt, 0x1000, 0x1000, SZ_4K, PT_R, PT_MEM_NORMAL), MM_ENOMEM,
		 "map: a page needs three tables, there are two");
	CHECK(f.pool.in_use == 1 && pt.table_pages == 1, "map: the two it took are back");
	CHECK_EQ(pt_map(&pt, SZ_2M, SZ_2M, SZ_2M, PT_R, PT_MEM_NORMAL), 0,
		 "map: a 2M block needs only two: fits now");
	CHECK_EQ(pt_destroy(&pt), 0, "map: destroy");
	CHECK_EQ(f.pool.in_use, 0, "map: pool empty");
	freeing_fini(&f);

	freeing_init(&f, 8);
	CHECK_EQ(pt_init(&pt, &pt_format_x86_ept, &f.mem), 0, "map: init");
	CHECK_EQ(pt_map(&pt, 0, 0, SZ_4K, PT_R, PT_MEM_NORMAL), 0, "map: one page: 4 tables");
	/* Empty the page table behind the engine's back (as a failed map on
	 * a provider without free_table would leave it). */
	CHECK(pt_translate(&pt, 0, &w) == 0, "map: mapped");
	pd = fake_table(&pt, pt.root_pa);
	pd = fake_table(&pt, pd[0] & 0xffffffffff000ull);
	pd_pa = pd[0] & 0xffffffffff000ull;                 /* the PD */
	pd = fake_table(&pt, pd_pa);
	fake_table(&pt, pd[0] & 0xffffffffff000ull)[0] = 0;  /* the PT's only leaf */
	CHECK_EQ(f.pool.in_use, 4, "map: still 4 tables, one of them empty");
	CHECK_EQ(pt_map(&pt, 0, 0, SZ_2M, PT_RW, PT_MEM_NORMAL), 0, "map: a 2M block over it");
	CHECK(f.pool.in_use == 3 && pt.table_pages == 3, "map: the empty page table given back");
	CHECK(pt_translate(&pt, 0x1234, &w) == 0 && w.level == 1, "map: the block translates");
	CHECK_EQ(pt_destroy(&pt), 0, "map: destroy");
	CHECK_EQ(f.pool.in_use, 0, "map: pool empty");
	freeing_fini(&f);
}

/* pt_destroy: everything back, a concatenated root in one piece; refuses
 * an attached tree; harmless twice; clears only the struct without a hook. */
static void test_destroy(void)
{
	struct freeing f;
	struct fake_phys fp;
	struct pt_arm_s2_geometry g;
	struct pt_format arm;
	struct pt pt, other;

	freeing_init(&f, 64);
	pt_arm_s2_geometry(3, &g);  /* 42 bits: level 1 start, 8 root tables */
	pt_arm_s2_format(&g, &arm);
	CHECK_EQ(pt_init(&pt, &arm, &f.mem), 0, "destroy: 8-table root");
	CHECK_EQ(f.pool.in_use, 8, "destroy: 8 pages");
	CHECK_EQ(pt_map(&pt, 0, 0, SZ_4K, PT_RW, PT_MEM_NORMAL), 0, "destroy: map in the first root page");
	CHECK_EQ(pt_map(&pt, BIT(41) + BIT(39), 0x100000, 3 * SZ_2M + SZ_4K, PT_RW, PT_MEM_DEVICE), 0,
		 "destroy: and in the sixth");
	pt_attach(&other, &arm, &f.mem, pt.root_pa);
	CHECK_EQ(pt_destroy(&other), MM_EINVAL, "destroy: an attached tree is refused");
	CHECK(f.pool.in_use == pt.table_pages && f.pool.frees == 0, "destroy: ... and nothing freed");
	CHECK_EQ(pt_destroy(&pt), 0, "destroy");
	CHECK(f.pool.in_use == 0 && f.pool.bad_frees == 0, "destroy: every page back, once");
	CHECK(pt.table_pages == 0 && pt.root_pa == 0, "destroy: the struct says so");
	CHECK_EQ(pt_destroy(&pt), 0, "destroy: twice is harmless");
	CHECK_EQ(f.pool.bad_frees, 0, "destroy: ... and frees nothing");
	freeing_fini(&f);

	/* Without free_table (a bump pool) nothing changes in the tables. */
	fake_phys_init(&fp, 16);
	CHECK_EQ(pt_init(&pt, &pt_format_x86_npt, &fp.mem), 0, "no hook: init");
	CHECK_EQ(pt_map(&pt, 0, 0, SZ_4K, PT_RW, PT_MEM_NORMAL), 0, "no hook: a page");
	CHECK_EQ(pt_unmap(&pt, 0, SZ_4K), 0, "no hook: unmap it");
	CHECK_EQ(pt.table_pages, 4, "no hook: the tables stay (minihv's per-VM pools)");
	CHECK_EQ(pt_map(&pt, 0, 0, SZ_4K, PT_RW, PT_MEM_NORMAL), 0, "no hook: map again");
	CHECK_EQ(pt.table_pages, 4, "no hook: ... into the same tables");
	CHECK(pt_destroy(&pt) == 0 && pt.table_pages == 0, "no hook: destroy clears the struct");
	fake_phys_free(&fp);
}

/* ---- walkers ---- */

struct seen {
	unsigned n;
	struct pt_leaf leaf[8];
	unsigned stop_at;          /* return 1 at this leaf (0: never) */
};

static int record_leaf(const struct pt_leaf *leaf, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		s->leaf[s->n] = *leaf;
	s->n++;
	return s->stop_at && s->n == s->stop_at ? 1 : 0;
}

struct entries {
	unsigned tables, leaves, max_index;
	uint64_t last_in;
	bool ordered;
};

static int record_entry(const struct pt_entry_info *e, void *arg)
{
	struct entries *s = arg;

	if (e->kind == PT_ENTRY_TABLE)
		s->tables++;
	else
		s->leaves++;
	if (e->index > s->max_index)
		s->max_index = e->index;
	if (e->in < s->last_in)
		s->ordered = false;
	s->last_in = e->in;
	return 0;
}

static void test_walkers(void)
{
	struct freeing f;
	struct pt pt;
	struct seen s;
	struct entries e;
	struct pt_arm_s2_geometry g;
	struct pt_format arm;
	uint64_t *root;

	freeing_init(&f, 64);
	CHECK_EQ(pt_init(&pt, &pt_format_x86_64, &f.mem), 0, "walk: x86-64");
	memset(&s, 0, sizeof(s));
	CHECK(pt_for_each_leaf(&pt, record_leaf, &s) == 0 && s.n == 0, "walk: empty tree, no leaf");
	/* Mapped out of order: the walk reports in address order. */
	CHECK_EQ(pt_map(&pt, BIT(39), 0x200000, SZ_4K, PT_RW | PT_USER, PT_MEM_NORMAL), 0, "walk: a user page at 512G");
	CHECK_EQ(pt_map(&pt, SZ_1G, SZ_1G, SZ_1G, PT_RWX, PT_MEM_NORMAL), 0, "walk: a 1G page");
	CHECK_EQ(pt_map(&pt, SZ_2M, 0x7000000, SZ_2M + SZ_4K, PT_R, PT_MEM_DEVICE), 0,
		 "walk: a 2M device block and a page");
	memset(&s, 0, sizeof(s));
	CHECK_EQ(pt_for_each_leaf(&pt, record_leaf, &s), 0, "walk: leaves");
	CHECK_EQ(s.n, 4, "walk: four leaves");
	CHECK(s.leaf[0].in == SZ_2M && s.leaf[0].size == SZ_2M && s.leaf[0].out == 0x7000000 &&
	      s.leaf[0].level == 1 && s.leaf[0].perms == PT_R && s.leaf[0].type == PT_MEM_DEVICE,
	      "walk: first the 2M device block, read-only");
	CHECK(s.leaf[1].in == 2 * SZ_2M && s.leaf[1].size == SZ_4K && s.leaf[1].out == 0x7200000 &&
	      s.leaf[1].level == 0, "walk: then its page");
	CHECK(s.leaf[2].in == SZ_1G && s.leaf[2].size == SZ_1G && s.leaf[2].perms == PT_RWX &&
	      s.leaf[2].type == PT_MEM_NORMAL, "walk: then the 1G page, rwx");
	CHECK(s.leaf[3].in == BIT(39) && s.leaf[3].perms == (PT_RW | PT_USER),
	      "walk: last the user page in the second root slot");

	/* Table entries limit what is below them: clear R/W in the root's
	 * entry for the 512G slot; the walk reports what a translation gets. */
	root = fake_table(&pt, pt.root_pa);
	root[1] &= ~2ull;
	memset(&s, 0, sizeof(s));
	CHECK(pt_for_each_leaf(&pt, record_leaf, &s) == 0 && s.leaf[3].perms == (PT_R | PT_USER),
	      "walk: a read-only table entry makes its leaves read-only");
	root[1] |= 2ull;

	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	CHECK_EQ(pt_for_each_leaf(&pt, record_leaf, &s), 1, "walk: the callback's non-zero is returned");
	CHECK_EQ(s.n, 2, "walk: ... and stops it");

	memset(&e, 0, sizeof(e));
	e.ordered = true;
	CHECK_EQ(pt_for_each_entry(&pt, record_entry, &e), 0, "entries: walked");
	/* root[0] -> PDPT, its [0] -> PD, its [2] -> PT, and PDPT[1] the 1G
	 * leaf; root[1] -> PDPT -> PD -> PT. */
	CHECK(e.tables == 6 && e.leaves == 4, "entries: 6 table entries, 4 leaves");
	CHECK(e.ordered, "entries: in address order, tables before what they hold");

	root[0] = 0x7 | (FAKE_HPA_BASE + 60 * PAGE_SIZE);     /* a page never handed out */
	memset(&s, 0, sizeof(s));
	CHECK_EQ(pt_for_each_leaf(&pt, record_leaf, &s), MM_EFAULT,
		 "walk: a table the pool refuses is MM_EFAULT");
	root[0] = 0;  /* drop the bad entry (its real subtree is lost to destroy) */
	CHECK_EQ(pt_destroy(&pt), 0, "walk: destroy");
	CHECK_EQ(f.pool.in_use, 3, "walk: the 3 tables cut off stay allocated, the rest is back");
	freeing_fini(&f);

	/* A concatenated root: entries of its second page are reached, with
	 * their index counted across pages. */
	freeing_init(&f, 64);
	pt_arm_s2_geometry(2, &g);  /* 40 bits: level 1, 2 tables */
	pt_arm_s2_format(&g, &arm);
	CHECK_EQ(pt_init(&pt, &arm, &f.mem), 0, "walk: 40-bit stage 2");
	CHECK_EQ(pt_map(&pt, BIT(39) + SZ_1G, 0x80000000, SZ_1G, PT_RW, PT_MEM_NORMAL), 0,
		 "walk: a 1G block in the second root page");
	memset(&s, 0, sizeof(s));
	CHECK(pt_for_each_leaf(&pt, record_leaf, &s) == 0 && s.n == 1 &&
	      s.leaf[0].in == BIT(39) + SZ_1G && s.leaf[0].out == 0x80000000 && s.leaf[0].level == 2,
	      "walk: found at 512G + 1G");
	memset(&e, 0, sizeof(e));
	CHECK(pt_for_each_entry(&pt, record_entry, &e) == 0 && e.max_index == 513,
	      "entries: its index is 512 + 1");
	CHECK_EQ(pt_destroy(&pt), 0, "walk: destroy");
	CHECK_EQ(f.pool.in_use, 0, "walk: pool empty");
	freeing_fini(&f);
}

/* pt_dump_limited on a hostile tree: every entry of every table points at
 * the root itself, 512^4 paths; the dump must stop at its limit. */
static unsigned dump_lines;
static char dump_last[PT_DUMP_LINE_MAX];

static void count_line(void *ctx, const char *line)
{
	(void)ctx;
	dump_lines++;
	snprintf(dump_last, sizeof(dump_last), "%s", line);
}

static void test_dump_limit(void)
{
	struct freeing f;
	struct pt pt;
	uint64_t *root;

	freeing_init(&f, 8);
	CHECK_EQ(pt_init(&pt, &pt_format_x86_64, &f.mem), 0, "dump limit: x86-64 tree");
	root = fake_table(&pt, pt.root_pa);
	for (unsigned i = 0; i < 512; i++)
		root[i] = pt.root_pa | 0x3;      /* P, RW: a table, itself */
	dump_lines = 0;
	CHECK_EQ(pt_dump_limited(&pt, PT_DUMP_ENTRIES, count_line, NULL, 1000), MM_ELIMIT,
		 "dump limit: a looping tree stops at the limit");
	CHECK(dump_lines <= 1000 + 3, "dump limit: %u lines for a limit of 1000 visits", dump_lines);
	CHECK(strncmp(dump_last, "stopped:", 8) == 0, "dump limit: the last line says it stopped (\"%s\")",
	      dump_last);
	/* An ordinary tree is dumped whole under a limit it stays within. */
	memset(root, 0, PAGE_SIZE);
	CHECK_EQ(pt_map(&pt, SZ_2M, SZ_2M, SZ_2M, PT_RW, PT_MEM_NORMAL), 0, "dump limit: one 2M block");
	dump_lines = 0;
	CHECK_EQ(pt_dump_limited(&pt, PT_DUMP_ALL, count_line, NULL, 1000), 0,
		 "dump limit: a small tree is dumped whole");
	freeing_fini(&f);
}

int main(void)
{
	unit_begin("test_pt_free");
	test_pool();
	test_unmap_frees();
	test_map_gives_back();
	test_destroy();
	test_walkers();
	test_dump_limit();
	return unit_done();
}
