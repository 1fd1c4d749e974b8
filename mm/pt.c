/*
 * The page-table engine: walks and edits trees of any format.
 *
 * Nothing here knows a bit layout; every question about an entry ("is it a
 * table?", "what address does it hold?") goes to pt->fmt.  Every table
 * address goes through table_at(), which may refuse it, so the same code
 * can walk the hypervisor's own tables and a guest's untrusted ones.
 *
 * The range operations (map, unmap, protect) are built from three pieces:
 *
 *   visit()     calls a function on every leaf or empty entry in a range,
 *               descending into tables;
 *   map_in()    fills a range with the largest leaves that fit;
 *   split_at()  breaks up the one block (per level) that straddles an
 *               address, so that afterwards no leaf crosses it.
 *
 * Each operation first checks that it can succeed (visit() with a function
 * that only looks), and only then changes anything.  That is how "refused,
 * and nothing changed" is kept without any undo log.
 *
 * The caller must flush the TLBs after a change: the engine writes entries,
 * the CPU may still hold the old translation.  minihv builds a VM's tables
 * before its vCPUs first run, and each backend flushes the VM's stale
 * translations when it first runs a vCPU (TLBI VMALLS12E1, INVEPT,
 * TLB_CONTROL).  It edits a VM's tables only while none of its vCPUs runs,
 * so a block can be
 * replaced by a table directly; a hypervisor editing live tables on Arm
 * would need "break-before-make" (invalidate, flush, then write) instead.
 * pt.h ("TLB maintenance") states the rule for every caller.
 */
#include "pt.h"

/*
 * Entries are read and written through volatile pointers: each access then
 * happens exactly once, where the code says.  A guest on another CPU may be
 * rewriting its tables while we walk them; the walk reads an entry once and
 * decides on that one value, and cannot be made to see two.  And a table is
 * filled before the entry pointing to it is written, in that order.
 */
static uint64_t read_entry(const uint64_t *table, unsigned i)
{
	return *(const volatile uint64_t *)&table[i];
}

static void write_entry(uint64_t *table, unsigned i, uint64_t entry)
{
	*(volatile uint64_t *)&table[i] = entry;
}

/* Which of a table's 512 entries covers address in. */
static unsigned index_at(uint64_t in, unsigned level)
{
	return (unsigned)(in >> pt_level_shift(level)) & (PT_ENTRIES - 1);
}

static bool leaf_allowed(const struct pt_format *f, unsigned level)
{
	return (f->leaf_levels >> level) & 1;
}

/*
 * The format's kind(), plus the engine's own rules: a leaf where this
 * format (or a backend's restricted copy of it) allows none is invalid, and
 * level 0 never holds a table.  The second rule is what bounds a walk to
 * fmt->levels steps whatever the entries say.
 */
static enum pt_entry_kind entry_kind(const struct pt_format *f, uint64_t entry,
				     unsigned level)
{
	enum pt_entry_kind kind = f->kind(entry, level);

	if (kind == PT_ENTRY_LEAF && !leaf_allowed(f, level))
		return PT_ENTRY_INVALID;
	if (kind == PT_ENTRY_TABLE && level == 0)
		return PT_ENTRY_INVALID;
	return kind;
}

/* The table at address pa, or NULL if pt->mem will not let us reach it. */
static uint64_t *table_at(const struct pt *pt, uint64_t pa)
{
	if (!is_aligned(pa, PAGE_SIZE))
		return NULL;
	return pt->mem.table_ptr(pt->mem.ctx, pa);
}

/* log2 of a power of two n in 1..16, or -1 for anything else. */
static int root_tables_log2(unsigned n)
{
	int l;

	for (l = 0; l <= 4; l++)
		if (n == 1u << l)
			return l;
	return -1;
}

static bool format_ok(const struct pt_format *f)
{
	int concat = root_tables_log2(f->root_tables);

	if (f->levels < 1 || f->levels > PT_MAX_LEVELS || !leaf_allowed(f, 0) || concat < 0)
		return false;
	/* The root level must resolve at least one input bit ... */
	if (f->in_bits <= pt_level_shift(f->levels - 1))
		return false;
	/* ... and a concatenated root exactly the bits its pages cover: no
	 * root page may be unreachable, no address beyond the last one. */
	if (concat == 0)
		return f->in_bits <= pt_level_shift(f->levels);
	return f->in_bits == pt_level_shift(f->levels) + (unsigned)concat;
}

/*
 * The table that holds the entry for address in at level, where table_pa is
 * the table the walk reached there; *i is the entry's index in it.  Below
 * the root that is table_pa itself.  A concatenated root is root_tables
 * pages side by side, and the input bits above the root level's nine say
 * which page (for a one-page root those bits are zero: in_bits forbids
 * them).  Each page is asked of table_at on its own, so a pool only ever
 * vouches for single pages.
 */
static uint64_t *table_for(const struct pt *pt, uint64_t table_pa, unsigned level,
			   uint64_t in, unsigned *i)
{
	const struct pt_format *f = pt->fmt;

	if (level == f->levels - 1)
		table_pa += ((in >> pt_level_shift(level + 1)) & (f->root_tables - 1)) *
			    PAGE_SIZE;
	*i = index_at(in, level);
	return table_at(pt, table_pa);
}

/* Allocate, count and clear a table page. */
static int new_table(struct pt *pt, uint64_t *pa_out, uint64_t **table_out)
{
	uint64_t pa;
	uint64_t *table;
	int err = pt->mem.alloc_table(pt->mem.ctx, &pa);

	if (err)
		return err;
	pt->table_pages++;
	table = table_at(pt, pa);
	if (!table)
		return MM_EFAULT;
	/* alloc_table promises a zeroed page.  Clearing it again costs little,
	 * and a stale entry in a new table would be a mapping nobody asked
	 * for. */
	__builtin_memset(table, 0, PAGE_SIZE);
	*pa_out = pa;
	*table_out = table;
	return 0;
}

/* A concatenated root: fmt->root_tables contiguous pages, all cleared. */
static int new_concatenated_root(struct pt *pt)
{
	unsigned n = pt->fmt->root_tables;
	uint64_t pa;
	unsigned p;
	int err;

	if (!pt->mem.alloc_tables)
		return MM_EINVAL;
	err = pt->mem.alloc_tables(pt->mem.ctx, n, &pa);
	if (err)
		return err;
	pt->table_pages += n;
	/* The architecture finds the root by its alignment (VTTBR_EL2 has
	 * no room for the low bits): a pool that broke that promise would
	 * give a tree the MMU reads differently. */
	if (!is_aligned(pa, (uint64_t)n * PAGE_SIZE))
		return MM_EFAULT;
	for (p = 0; p < n; p++) {
		uint64_t *table = table_at(pt, pa + (uint64_t)p * PAGE_SIZE);

		if (!table)
			return MM_EFAULT;
		__builtin_memset(table, 0, PAGE_SIZE);
	}
	pt->root_pa = pa;
	return 0;
}

/* ---- giving tables back ---- */

/* Hand pages of table memory at pa back to the provider, if it takes them. */
static void give_back(struct pt *pt, uint64_t pa, unsigned pages)
{
	if (!pt->mem.free_table)
		return;
	pt->mem.free_table(pt->mem.ctx, pa, pages);
	pt->table_pages -= pages;
}

/*
 * Give back the table at table_pa (at level) and every table below it,
 * deepest first.  Only called with a free_table hook, on tables of our own
 * tree that no entry points to any more.  MM_EFAULT if a table cannot be
 * reached (that subtree is then lost, the rest still given back).
 */
static int free_subtree(struct pt *pt, uint64_t table_pa, unsigned level)
{
	const struct pt_format *f = pt->fmt;
	uint64_t *table = table_at(pt, table_pa);
	int result = 0;
	unsigned i;

	if (!table)
		return MM_EFAULT;
	for (i = 0; level > 0 && i < PT_ENTRIES; i++) {
		uint64_t entry = read_entry(table, i);

		if (entry_kind(f, entry, level) == PT_ENTRY_TABLE) {
			int err = free_subtree(pt, f->entry_addr(entry, level), level - 1);
			if (err)
				result = err;
		}
	}
	give_back(pt, table_pa, 1);
	return result;
}

static bool table_empty(const struct pt_format *f, const uint64_t *table, unsigned level)
{
	unsigned i;

	for (i = 0; i < PT_ENTRIES; i++)
		if (entry_kind(f, read_entry(table, i), level) != PT_ENTRY_INVALID)
			return false;
	return true;
}

/*
 * Give back every table below table_pa (at level) in [start, end) that is
 * left with no valid entry, bottom up, so that a table emptied by this
 * pruning goes too.  The entry pointing to a freed table is cleared first.
 * The root is never given back.  Called after an unmap, and after a
 * failed map, only with a free_table hook.
 */
static int prune(struct pt *pt, uint64_t table_pa, unsigned level,
		 uint64_t start, uint64_t end)
{
	const struct pt_format *f = pt->fmt;
	uint64_t size = pt_level_size(level);
	uint64_t s = start;

	while (level > 0 && s < end) {
		uint64_t slot_end = align_down(s, size) + size;
		uint64_t e = slot_end < end ? slot_end : end;
		unsigned i;
		uint64_t *table = table_for(pt, table_pa, level, s, &i);
		uint64_t entry, child_pa;
		uint64_t *child;
		int err;

		if (!table)
			return MM_EFAULT;
		entry = read_entry(table, i);
		if (entry_kind(f, entry, level) != PT_ENTRY_TABLE) {
			s = e;
			continue;
		}
		child_pa = f->entry_addr(entry, level);
		err = prune(pt, child_pa, level - 1, s, e);
		s = e;
		if (err)
			return err;
		child = table_at(pt, child_pa);
		if (!child)
			return MM_EFAULT;
		if (table_empty(f, child, level - 1)) {
			write_entry(table, i, 0);
			give_back(pt, child_pa, 1);
		}
	}
	return 0;
}

static int prune_range(struct pt *pt, uint64_t start, uint64_t end)
{
	if (!pt->mem.free_table)
		return 0;
	return prune(pt, pt->root_pa, pt->fmt->levels - 1, start, end);
}

int pt_init(struct pt *pt, const struct pt_format *fmt, const struct pt_mem *mem)
{
	uint64_t *root;

	pt->fmt = fmt;
	pt->mem = *mem;
	pt->root_pa = 0;
	pt->table_pages = 0;
	if (!format_ok(fmt))
		return MM_EINVAL;
	if (fmt->root_tables > 1)
		return new_concatenated_root(pt);
	return new_table(pt, &pt->root_pa, &root);
}

void pt_attach(struct pt *pt, const struct pt_format *fmt, const struct pt_mem *mem,
	       uint64_t root_pa)
{
	pt->fmt = fmt;
	pt->mem = *mem;
	pt->root_pa = root_pa;
	pt->table_pages = 0;
}

int pt_destroy(struct pt *pt)
{
	int err = 0;

	if (pt->table_pages == 0)
		return pt->root_pa ? MM_EINVAL : 0;  /* attached, or destroyed already */
	if (pt->mem.free_table) {
		const struct pt_format *f = pt->fmt;
		unsigned n = f->root_tables;
		unsigned p, i;

		/* The root's pages one by one (each may be refused on its own),
		 * then the root in one piece, as it was allocated. */
		for (p = 0; p < n; p++) {
			uint64_t *table = table_at(pt, pt->root_pa + (uint64_t)p * PAGE_SIZE);

			if (!table) {
				err = MM_EFAULT;
				continue;
			}
			for (i = 0; f->levels > 1 && i < PT_ENTRIES; i++) {
				uint64_t entry = read_entry(table, i);
				unsigned level = f->levels - 1;

				if (entry_kind(f, entry, level) == PT_ENTRY_TABLE) {
					int e = free_subtree(pt, f->entry_addr(entry, level), level - 1);
					if (e)
						err = e;
				}
			}
		}
		give_back(pt, pt->root_pa, n);
	}
	pt->root_pa = 0;
	pt->table_pages = 0;
	return err;
}

/* ---- visiting the whole tree (the public walkers) ---- */

struct tree_walk {
	pt_leaf_fn leaf_fn;
	pt_entry_fn entry_fn;
	void *arg;
};

/*
 * Visit the n entries of the table at table_pa (level), the first of which
 * covers input address base; perms is what the tables above allow.  For
 * the root, n may exceed 512 (a concatenated root: its pages side by side)
 * or fall short of it (in_bits reaches only the first entries).
 */
static int walk_tree(const struct pt *pt, uint64_t table_pa, unsigned level,
		     uint64_t base, unsigned n, unsigned perms, const struct tree_walk *w)
{
	const struct pt_format *f = pt->fmt;
	unsigned j;

	for (j = 0; j < n; j++) {
		uint64_t page_pa = table_pa + (uint64_t)(j / PT_ENTRIES) * PAGE_SIZE;
		const uint64_t *table = table_at(pt, page_pa);
		struct pt_entry_info info;
		int err = 0;

		if (!table)
			return MM_EFAULT;
		info.entry = read_entry(table, j % PT_ENTRIES);
		info.kind = entry_kind(f, info.entry, level);
		if (info.kind == PT_ENTRY_INVALID)
			continue;
		info.in = base + (uint64_t)j * pt_level_size(level);
		info.table_pa = page_pa;
		info.index = j;
		info.level = level;
		info.addr = f->entry_addr(info.entry, level);
		if (w->entry_fn)
			err = w->entry_fn(&info, w->arg);
		if (!err && info.kind == PT_ENTRY_TABLE)
			err = walk_tree(pt, info.addr, level - 1, info.in, PT_ENTRIES,
					perms & f->entry_perms(info.entry, level), w);
		if (!err && info.kind == PT_ENTRY_LEAF && w->leaf_fn) {
			struct pt_leaf leaf;

			leaf.in = info.in;
			leaf.size = pt_level_size(level);
			leaf.out = info.addr;
			leaf.perms = perms & f->entry_perms(info.entry, level);
			leaf.type = f->entry_memtype(info.entry, level);
			leaf.level = level;
			err = w->leaf_fn(&leaf, w->arg);
		}
		if (err)
			return err;
	}
	return 0;
}

static int walk_whole_tree(const struct pt *pt, const struct tree_walk *w)
{
	const struct pt_format *f = pt->fmt;
	unsigned root = f->levels - 1;
	unsigned n;

	if (!format_ok(f))
		return MM_EINVAL;
	/* Root entries that in_bits reaches: all of a concatenated root's,
	 * else 2^(in_bits - the root level's shift), at most 512. */
	if (f->in_bits >= pt_level_shift(root + 1))
		n = PT_ENTRIES * f->root_tables;
	else
		n = 1u << (f->in_bits - pt_level_shift(root));
	return walk_tree(pt, pt->root_pa, root, 0, n, PT_PERMS_ALL, w);
}

int pt_for_each_leaf(const struct pt *pt, pt_leaf_fn fn, void *arg)
{
	struct tree_walk w = { fn, NULL, arg };

	return walk_whole_tree(pt, &w);
}

int pt_for_each_entry(const struct pt *pt, pt_entry_fn fn, void *arg)
{
	struct tree_walk w = { NULL, fn, arg };

	return walk_whole_tree(pt, &w);
}

/* ---- translate: the hot path ---- */

int pt_translate(const struct pt *pt, uint64_t in, struct pt_walk *out)
{
	const struct pt_format *f = pt->fmt;
	uint64_t table_pa = pt->root_pa;
	unsigned perms = PT_PERMS_ALL;
	unsigned level;

	if (!format_ok(f))
		return MM_EINVAL;
	if (in >> f->in_bits)
		return MM_ENOTMAPPED;

	/* One step per level, root first.  No entry can send the walk back
	 * up: each step goes one level down, and level 0 has no tables. */
	for (level = f->levels; level-- > 0;) {
		unsigned i;
		const uint64_t *table = table_for(pt, table_pa, level, in, &i);
		uint64_t entry;

		if (!table)
			return MM_EFAULT;
		entry = read_entry(table, i);

		switch (entry_kind(f, entry, level)) {
		case PT_ENTRY_INVALID:
			return MM_ENOTMAPPED;
		case PT_ENTRY_TABLE:
			perms &= f->entry_perms(entry, level);
			table_pa = f->entry_addr(entry, level);
			break;
		case PT_ENTRY_LEAF:
			out->out = f->entry_addr(entry, level) +
				   (in & (pt_level_size(level) - 1));
			out->perms = perms & f->entry_perms(entry, level);
			out->type = f->entry_memtype(entry, level);
			out->level = level;
			return 0;
		}
	}
	return MM_ENOTMAPPED; /* not reached: entry_kind has no level-0 tables */
}

/* ---- visiting a range ---- */

/* Called by visit() for each leaf or invalid entry (table[i]) in a range. */
typedef int (*visit_fn)(struct pt *pt, uint64_t *table, unsigned i,
			unsigned level, enum pt_entry_kind kind, void *arg);

/*
 * Call fn on every leaf and invalid entry that covers part of [start, end),
 * descending into tables.  Stops at the first non-zero return.  The
 * recursion is at most fmt->levels deep: each call is one level lower.
 */
static int visit(struct pt *pt, uint64_t table_pa, unsigned level,
		 uint64_t start, uint64_t end, visit_fn fn, void *arg)
{
	const struct pt_format *f = pt->fmt;
	uint64_t size = pt_level_size(level);
	uint64_t s = start;

	while (s < end) {
		/* This entry covers [slot start, slot_end); we want the part
		 * of it inside the range, [s, e). */
		uint64_t slot_end = align_down(s, size) + size;
		uint64_t e = slot_end < end ? slot_end : end;
		unsigned i;
		uint64_t *table = table_for(pt, table_pa, level, s, &i);
		uint64_t entry;
		enum pt_entry_kind kind;
		int err;

		if (!table)
			return MM_EFAULT;
		entry = read_entry(table, i);
		kind = entry_kind(f, entry, level);
		if (kind == PT_ENTRY_TABLE)
			err = visit(pt, f->entry_addr(entry, level), level - 1,
				    s, e, fn, arg);
		else
			err = fn(pt, table, i, level, kind, arg);
		if (err)
			return err;
		s = e;
	}
	return 0;
}

static int visit_range(struct pt *pt, uint64_t start, uint64_t end,
		       visit_fn fn, void *arg)
{
	return visit(pt, pt->root_pa, pt->fmt->levels - 1, start, end, fn, arg);
}

/* visit_fn: fail on any mapping (pt_map's check). */
static int refuse_leaf(struct pt *pt, uint64_t *table, unsigned i,
		       unsigned level, enum pt_entry_kind kind, void *arg)
{
	(void)pt; (void)table; (void)i; (void)level; (void)arg;
	return kind == PT_ENTRY_LEAF ? MM_EOVERLAP : 0;
}

/* visit_fn: fail on any hole (pt_protect's check). */
static int refuse_hole(struct pt *pt, uint64_t *table, unsigned i,
		       unsigned level, enum pt_entry_kind kind, void *arg)
{
	(void)pt; (void)table; (void)i; (void)level; (void)arg;
	return kind == PT_ENTRY_INVALID ? MM_ENOTMAPPED : 0;
}

/* visit_fn: remove a leaf.  Only used once no leaf crosses the range's
 * edges, so the whole leaf is inside the range. */
static int clear_leaf(struct pt *pt, uint64_t *table, unsigned i,
		      unsigned level, enum pt_entry_kind kind, void *arg)
{
	(void)pt; (void)level; (void)arg;
	if (kind == PT_ENTRY_LEAF)
		write_entry(table, i, 0);
	return 0;
}

/* visit_fn: rewrite a leaf with new permissions (*(unsigned *)arg),
 * keeping its address and memory type.  Same precondition as clear_leaf. */
static int reprotect_leaf(struct pt *pt, uint64_t *table, unsigned i,
			  unsigned level, enum pt_entry_kind kind, void *arg)
{
	const struct pt_format *f = pt->fmt;
	uint64_t entry = read_entry(table, i);

	if (kind == PT_ENTRY_LEAF)
		write_entry(table, i, f->make_leaf(f->entry_addr(entry, level), level,
						   *(const unsigned *)arg,
						   f->entry_memtype(entry, level)));
	return 0;
}

/* ---- splitting blocks ---- */

/*
 * Replace the block leaf table[i] (level >= 1) by a table of 512 leaves one
 * level down that map the same memory the same way.
 */
static int split_leaf(struct pt *pt, uint64_t *table, unsigned i, unsigned level)
{
	const struct pt_format *f = pt->fmt;
	uint64_t entry = read_entry(table, i);
	unsigned child = level - 1;
	uint64_t oa = f->entry_addr(entry, level);
	unsigned perms = f->entry_perms(entry, level);
	enum pt_memtype type = f->entry_memtype(entry, level);
	uint64_t child_pa;
	uint64_t *child_table;
	unsigned j;
	int err;

	if (!leaf_allowed(f, child))
		return MM_EINVAL; /* leaf_levels not contiguous: see pt.h */
	err = new_table(pt, &child_pa, &child_table);
	if (err)
		return err;
	for (j = 0; j < PT_ENTRIES; j++)
		write_entry(child_table, j,
			    f->make_leaf(oa + j * pt_level_size(child), child, perms, type));
	/* Only now, with the new table complete, swap it in. */
	write_entry(table, i, f->make_table(child_pa));
	return 0;
}

/*
 * Make addr a boundary between leaves: split, level by level, the block
 * that has addr strictly inside it.  Translations do not change.  At each
 * level, once addr is aligned to that level's size, no entry there or below
 * can straddle it, and we are done.
 */
static int split_at(struct pt *pt, uint64_t addr)
{
	const struct pt_format *f = pt->fmt;
	uint64_t table_pa = pt->root_pa;
	unsigned level;

	for (level = f->levels; level-- > 0;) {
		uint64_t *table;
		unsigned i;
		enum pt_entry_kind kind;

		if (is_aligned(addr, pt_level_size(level)))
			return 0; /* always true at level 0: addr is page aligned */
		table = table_for(pt, table_pa, level, addr, &i);
		if (!table)
			return MM_EFAULT;
		kind = entry_kind(f, read_entry(table, i), level);
		if (kind == PT_ENTRY_INVALID)
			return 0;
		if (kind == PT_ENTRY_LEAF) {
			int err = split_leaf(pt, table, i, level);
			if (err)
				return err;
		}
		table_pa = f->entry_addr(read_entry(table, i), level);
	}
	return 0;
}

/* ---- argument checks ---- */

static int check_range(const struct pt *pt, uint64_t in, uint64_t size)
{
	const struct pt_format *f = pt->fmt;
	uint64_t limit;

	if (!format_ok(f))
		return MM_EINVAL;
	if (size == 0 || !is_aligned(in, PAGE_SIZE) || !is_aligned(size, PAGE_SIZE))
		return MM_EINVAL;
	limit = (uint64_t)1 << f->in_bits;
	if (in >= limit || size > limit - in)
		return MM_EINVAL;
	return 0;
}

static bool perms_ok(unsigned perms)
{
	return (perms & PT_R) && (perms & ~PT_PERMS_ALL) == 0;
}

/* ---- map ---- */

struct map_job {
	uint64_t delta;      /* out - in: added to an input address gives its output */
	unsigned perms;
	enum pt_memtype type;
	uint64_t done;       /* input addresses below this are mapped by this job */
};

/*
 * Map [start, end), which lies inside the table at table_pa (at level).
 * For each entry the range touches: if the range covers the entry's whole
 * slot, the format allows a leaf here, and the output address is aligned
 * too, write one leaf.  Otherwise go down a level, making a table first if
 * there is none.  pt_map has checked there are no leaves in the range, so a
 * table found here is empty; if a leaf now covers its slot, it is dropped:
 * given back to pt->mem.free_table if there is one, else its page returns
 * to the pool when the VM's memory is reset.
 */
static int map_in(struct pt *pt, uint64_t table_pa, unsigned level,
		  uint64_t start, uint64_t end, struct map_job *job)
{
	const struct pt_format *f = pt->fmt;
	uint64_t size = pt_level_size(level);
	uint64_t s = start;

	while (s < end) {
		uint64_t slot_end = align_down(s, size) + size;
		uint64_t e = slot_end < end ? slot_end : end;
		unsigned i;
		uint64_t *table = table_for(pt, table_pa, level, s, &i);
		uint64_t oa = s + job->delta;
		uint64_t entry;
		int err;

		if (!table)
			return MM_EFAULT;
		if (leaf_allowed(f, level) && e - s == size && is_aligned(oa, size)) {
			uint64_t old = read_entry(table, i);

			write_entry(table, i, f->make_leaf(oa, level, job->perms, job->type));
			/* An (empty) table was here: give it back if we can. */
			if (level > 0 && pt->mem.free_table &&
			    entry_kind(f, old, level) == PT_ENTRY_TABLE)
				free_subtree(pt, f->entry_addr(old, level), level - 1);
			job->done = e;
			s = e;
			continue;
		}
		if (level == 0)
			return MM_EINVAL; /* not reached: pages always fit */

		entry = read_entry(table, i);
		switch (entry_kind(f, entry, level)) {
		case PT_ENTRY_LEAF:
			return MM_EOVERLAP; /* not reached: pt_map checked */
		case PT_ENTRY_INVALID: {
			uint64_t child_pa;
			uint64_t *child;

			err = new_table(pt, &child_pa, &child);
			if (err)
				return err;
			entry = f->make_table(child_pa);
			write_entry(table, i, entry);
			break;
		}
		case PT_ENTRY_TABLE:
			break;
		}
		err = map_in(pt, f->entry_addr(entry, level), level - 1, s, e, job);
		if (err)
			return err;
		s = e;
	}
	return 0;
}

int pt_map(struct pt *pt, uint64_t in, uint64_t out, uint64_t size,
	   unsigned perms, enum pt_memtype type)
{
	const struct pt_format *f = pt->fmt;
	uint64_t oa_top = f->oa_mask | (PAGE_SIZE - 1);
	struct map_job job = { out - in, perms, type, in };
	int err = check_range(pt, in, size);

	if (err)
		return err;
	if (!is_aligned(out, PAGE_SIZE) || out > oa_top || size - 1 > oa_top - out)
		return MM_EINVAL;
	if (!perms_ok(perms) || (type != PT_MEM_NORMAL && type != PT_MEM_DEVICE))
		return MM_EINVAL;

	/* Look before writing: refuse while nothing has changed. */
	err = visit_range(pt, in, in + size, refuse_leaf, NULL);
	if (err)
		return err;

	err = map_in(pt, pt->root_pa, f->levels - 1, in, in + size, &job);
	if (err && job.done > in) {
		/* Out of table memory part-way.  Every leaf this call wrote lies
		 * inside [in, job.done), and nothing else does, so clearing that
		 * range needs no split and cannot fail for lack of memory. */
		visit_range(pt, in, job.done, clear_leaf, NULL);
	}
	if (err)
		prune_range(pt, in, in + size); /* tables made meanwhile, if it can */
	return err;
}

/* ---- unmap and protect ---- */

/* Split the blocks that cross either end of [in, in+size). */
static int split_edges(struct pt *pt, uint64_t in, uint64_t size)
{
	int err = split_at(pt, in);

	if (err)
		return err;
	return split_at(pt, in + size);
}

int pt_unmap(struct pt *pt, uint64_t in, uint64_t size)
{
	int err = check_range(pt, in, size);

	if (err)
		return err;
	err = split_edges(pt, in, size);
	if (err)
		return err;
	err = visit_range(pt, in, in + size, clear_leaf, NULL);
	if (err)
		return err;
	return prune_range(pt, in, in + size);
}

int pt_protect(struct pt *pt, uint64_t in, uint64_t size, unsigned perms)
{
	int err = check_range(pt, in, size);

	if (err)
		return err;
	if (!perms_ok(perms))
		return MM_EINVAL;
	err = visit_range(pt, in, in + size, refuse_hole, NULL);
	if (err)
		return err;
	err = split_edges(pt, in, size);
	if (err)
		return err;
	return visit_range(pt, in, in + size, reprotect_leaf, &perms);
}
