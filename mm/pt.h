/*
 * The page-table engine.
 *
 * Every page table minihv deals with -- Intel EPT, AMD NPT, Arm stage-2, and
 * the guest's own x86-64 and Arm stage-1 tables -- is the same idea: a radix
 * tree of 4 KiB tables holding 512 eight-byte entries, where an entry is
 * either empty, a pointer to the next table, or a leaf that maps a 4 KiB
 * page or a larger aligned block.  Only the bit layout of an entry differs.
 *
 * So the engine (pt.c) walks and edits trees without knowing any bit layout,
 * and a struct pt_format (pt_arm.c, pt_x86.c, pt_ept.c) supplies the
 * encoding.  Adding a new format means writing one pt_format, not another
 * walker.
 *
 * Levels are numbered from the leaf up, the same for every format:
 *   level 0 maps 4 KiB pages   (address bits 12..20 index the table)
 *   level 1 maps 2 MiB blocks  (bits 21..29)
 *   level 2 maps 1 GiB blocks  (bits 30..38)
 *   level 3 is a 512 GiB slot  (bits 39..47), never a leaf
 * (Arm's manuals count the other way, from the root: our level 3 is Arm's
 * level 0.  Intel calls them PT, PD, PDPT and PML4.)
 *
 * Table memory is not taken from a fixed place: struct pt_mem says how to get
 * a fresh zeroed table page and how to reach a table given the address an
 * entry stores.  Second-level tables live in hypervisor memory and store host
 * physical addresses; guest stage-1 tables live in guest RAM and store guest
 * physical addresses; the host unit tests use a fake physical memory.  The
 * engine treats every table address as untrusted: table_ptr may refuse it,
 * and then the operation fails with MM_EFAULT.  That is what makes walking a
 * hostile guest's page tables safe.
 */
#ifndef MM_PT_H
#define MM_PT_H

#include "mm_err.h"
#include "types.h"

struct pt_field;

#define PT_ENTRIES     512
#define PT_MAX_LEVELS  4

static inline unsigned pt_level_shift(unsigned level) { return PAGE_SHIFT + 9 * level; }
static inline uint64_t pt_level_size(unsigned level) { return (uint64_t)1 << pt_level_shift(level); }

/* Format-neutral permissions. */
#define PT_R    0x1u
#define PT_W    0x2u
#define PT_X    0x4u
#define PT_USER 0x8u  /* stage-1 only: reachable from the guest's user mode */
#define PT_RW   (PT_R | PT_W)
#define PT_RWX  (PT_R | PT_W | PT_X)
#define PT_PERMS_ALL (PT_RWX | PT_USER)  /* what a table entry that restricts
					     nothing reports (see entry_perms) */

enum pt_memtype {
	PT_MEM_NORMAL,  /* cacheable write-back RAM */
	PT_MEM_DEVICE,  /* uncached, strongly ordered: MMIO */
};

enum pt_entry_kind { PT_ENTRY_INVALID, PT_ENTRY_TABLE, PT_ENTRY_LEAF };

struct pt_format {
	const char *name;
	unsigned levels;       /* levels in a walk: the root is level levels-1 */
	unsigned in_bits;      /* input address bits the tree translates */
	unsigned leaf_levels;  /* bit L set: a leaf may sit at level L (bit 0 always) */
	unsigned root_tables;  /* pages the root is made of: 1, or 2..16 concatenated */
	uint64_t oa_mask;      /* output-address bits an entry can hold */

	uint64_t (*make_table)(uint64_t table_pa);
	uint64_t (*make_leaf)(uint64_t oa, unsigned level, unsigned perms,
			      enum pt_memtype type);
	enum pt_entry_kind (*kind)(uint64_t entry, unsigned level);
	uint64_t (*entry_addr)(uint64_t entry, unsigned level); /* table or leaf address */
	unsigned (*entry_perms)(uint64_t entry, unsigned level);
	enum pt_memtype (*entry_memtype)(uint64_t entry, unsigned level);

	/* The entry's bits by name, for dumps only (pt_dump.h); may be NULL. */
	const struct pt_field *fields;
};

/*
 * One named bit field of an entry, as the architecture manual names it:
 * bits [lsb, lsb + width) of the entries `where` says (PT_FIELD_* below).
 * A format's list ends with a field whose name is NULL.  The engine never
 * reads these; pt_dump prints a raw entry with them ("R W X MT=6 IPAT"),
 * so a dump says what the bits mean without a manual at hand.
 */
#define PT_FIELD_TABLE 0x1u  /* a table entry (levels 1..3) */
#define PT_FIELD_PAGE  0x2u  /* a level-0 leaf (4 KiB page) */
#define PT_FIELD_BLOCK 0x4u  /* a leaf above level 0 (2 MiB, 1 GiB block) */
#define PT_FIELD_LEAF  (PT_FIELD_PAGE | PT_FIELD_BLOCK)
#define PT_FIELD_ALL   (PT_FIELD_TABLE | PT_FIELD_LEAF)
struct pt_field {
	const char *name;
	unsigned char lsb;
	unsigned char width;   /* 1: printed as its name when set; more: NAME=value */
	unsigned char where;
};

/*
 * Notes on the fields above.
 *
 * leaf_levels is the only place the engine learns where leaves may go: it
 * never asks kind() for that.  So a backend whose CPU lacks 1 GiB pages
 * (EPT without the capability bit) copies a format and clears bit 2:
 *
 *	static struct pt_format ept;
 *	ept = pt_format_x86_ept;
 *	ept.leaf_levels &= ~(1u << 2);
 *
 * and the engine then builds 2 MiB blocks instead, and treats a level-2 leaf
 * found in a walk as invalid.  The set must be contiguous from bit 0 (0b001,
 * 0b011, 0b111): splitting a block makes leaves one level down.
 *
 * kind() returns PT_ENTRY_INVALID for anything the hardware would not
 * accept as a mapping: not present, and also reserved encodings (a block
 * where the format has none, misconfigured bits).  entry_addr() keeps only
 * oa_mask bits (and, for a block, clears the bits below the block size), so
 * a hostile entry cannot smuggle other bits into an address.
 *
 * entry_perms() reports what one entry allows.  For a table entry that is
 * the limit it puts on everything below it (x86 R/W, U/S and NX are ANDed
 * across levels); a table entry that limits nothing reports PT_PERMS_ALL.
 * pt_translate ANDs the table entries' and the leaf's permissions.
 *
 * in_bits must need the root level: pt_level_shift(levels - 1) < in_bits
 * (a root that resolves no address bit is a level too many).
 *
 * root_tables is 1 for every format but Arm stage-2, which may "concatenate"
 * up to 16 root tables instead of adding a level: the root is then that many
 * contiguous pages, aligned to their total size, read as one table of
 * 512 * root_tables entries.  The input bits just above the root level's nine
 * pick the page, so in_bits must be exactly
 * pt_level_shift(levels) + log2(root_tables).  (A 40-bit IPA is a level-1
 * start with two tables, instead of a level-0 table with two entries in use:
 * one lookup less on every TLB miss.)  Such a root comes from
 * pt_mem.alloc_tables.
 */

/* The formats minihv knows. */
extern const struct pt_format pt_format_arm_stage2;  /* Arm VMSAv8-64 stage-2, 4K granule, 48-bit IPA
							(other IPA sizes: pt_arm.h) */
extern const struct pt_format pt_format_arm_stage1;  /* Arm VMSAv8-64 stage-1, 4K granule, 48-bit VA, TTBR0 */
extern const struct pt_format pt_format_x86_ept;     /* Intel EPT, 4-level */
extern const struct pt_format pt_format_x86_npt;     /* AMD NPT: x86-64 long mode with U/S set everywhere */
extern const struct pt_format pt_format_x86_64;      /* x86-64 4-level guest paging (CR4.PAE, EFER.LMA) */

/*
 * Memory attribute register values the Arm stage-1 format assumes: attribute
 * index 0 is Normal write-back, index 1 is Device-nGnRnE.
 */
#define PT_ARM_MAIR_VALUE 0x00ffull

struct pt_mem {
	/*
	 * Allocate one zeroed, 4 KiB-aligned table page.  Store the address
	 * entries use for it (host- or guest-physical) in *pa_out.  Return 0,
	 * or MM_ENOMEM.
	 */
	int (*alloc_table)(void *ctx, uint64_t *pa_out);
	/*
	 * Allocate `pages` (a power of two, 2..16) zeroed, contiguous table
	 * pages aligned to pages * 4 KiB: a concatenated root (see
	 * root_tables).  Store the first page's address.  May be NULL in a
	 * pt_mem that never holds such a tree; pt_init then refuses one.
	 */
	int (*alloc_tables)(void *ctx, unsigned pages, uint64_t *pa_out);
	/* A pointer to the 512 entries at table address pa, or NULL if pa is
	 * not memory the tables may live in. */
	uint64_t *(*table_ptr)(void *ctx, uint64_t pa);
	/*
	 * Optional (NULL: the provider cannot free, like a bump allocator).
	 * Take back a table the tree no longer uses: one page from
	 * alloc_table (pages == 1), or a concatenated root from alloc_tables
	 * (pages == root_tables, pa its first page).  With this hook set,
	 * pt_unmap gives back every table it leaves empty, pt_map gives back
	 * tables it dropped, and pt_destroy gives back the whole tree.
	 * Without it tables stay in the tree until the memory is reclaimed
	 * wholesale (bump_reset), as minihv does per VM.
	 *
	 * A CPU may keep reading a freed table from its page-walk caches until
	 * the caller has flushed (see "TLB maintenance" below): the caller
	 * must not hand a freed page out for other use before that flush.
	 */
	void (*free_table)(void *ctx, uint64_t pa, unsigned pages);
	void *ctx;
};

struct pt {
	const struct pt_format *fmt;
	struct pt_mem mem;
	uint64_t root_pa;       /* address of the root table, as entries store it
				   (of its first page, for a concatenated root) */
	unsigned table_pages;   /* table pages this tree has allocated and not
				   given back (root's fmt->root_tables pages
				   included) */
};

/* Allocate an empty root table (fmt->root_tables pages).  MM_EINVAL if fmt
 * breaks the rules above, or needs alloc_tables and mem has none. */
int pt_init(struct pt *pt, const struct pt_format *fmt, const struct pt_mem *mem);

/*
 * Attach to an existing tree (for walking tables someone else built, such as
 * the guest's current ones).  Allocates nothing.
 */
void pt_attach(struct pt *pt, const struct pt_format *fmt, const struct pt_mem *mem,
	       uint64_t root_pa);

/*
 * Map [in, in+size) to [out, out+size).  in, out and size must be 4 KiB
 * aligned.  The largest leaf the format allows at each step is used where
 * both addresses are aligned to it and the rest of the range covers it.
 * Refused with MM_EOVERLAP if any page of the range is already mapped (and
 * then nothing is changed).
 *
 * perms must include PT_R: every format can say "readable", but not every
 * format can say anything else (an x86 page is readable whenever present;
 * an EPT entry that is writable but not readable is a misconfiguration).
 * To take all access away, unmap.  PT_USER means nothing to second-level
 * formats and is ignored by them.
 *
 * MM_EINVAL for a zero or misaligned size, a range beyond in_bits or beyond
 * what oa_mask can hold, or bad perms or type.  On MM_ENOMEM (or MM_EFAULT
 * from table_ptr) the leaves already written are removed again, so the
 * mappings are as before; table pages allocated meanwhile stay in the tree.
 */
int pt_map(struct pt *pt, uint64_t in, uint64_t out, uint64_t size,
	   unsigned perms, enum pt_memtype type);

/*
 * Unmap [in, in+size) (in and size checked as for pt_map).  Blocks that are
 * only partly covered are split into smaller leaves first.  Pages that were not mapped are skipped.  Splitting
 * allocates; if that fails (MM_ENOMEM) nothing has been unmapped yet.
 * A split copies a block's address, permissions and memory type to the new
 * leaves (not other bits such as accessed/dirty).
 */
int pt_unmap(struct pt *pt, uint64_t in, uint64_t size);

/*
 * Change the permissions of every mapped page in [in, in+size), splitting
 * blocks at the edges.  MM_ENOTMAPPED if any page in the range is unmapped
 * (nothing is changed then).  The memory type is kept; perms follow the
 * pt_map rules.  On MM_ENOMEM no permission has changed yet.
 */
int pt_protect(struct pt *pt, uint64_t in, uint64_t size, unsigned perms);

/*
 * Give every table page of a tree built by pt_init back to mem.free_table,
 * deepest first, the root last; afterwards table_pages is 0 and the tree
 * is unusable (pt_init it again).  With no free_table hook nothing is given
 * back and only the struct is cleared.  Not for a tree from pt_attach,
 * whose pages belong to someone else: that returns MM_EINVAL and frees
 * nothing.  MM_EFAULT if a table the tree points to is refused by
 * table_ptr; the pages that could be reached are still given back.
 * The caller must have stopped every CPU from walking the tree (and
 * flushed) before the pages are used again.
 */
int pt_destroy(struct pt *pt);

/*
 * TLB maintenance: the engine only writes entries in memory.  A CPU may
 * hold translations (TLB) and table entries (page-walk caches) from before,
 * so after any call that changed a tree the caller must invalidate what
 * the change made stale before relying on it:
 *
 *   pt_map      nothing: it only fills entries that were invalid, and
 *               neither architecture caches an invalid entry (Intel SDM
 *               4.10.4.3; Arm ARM: entries that fault are not cached) --
 *               unless it replaced an empty table by a leaf (see
 *               free_table), which is a change to a valid entry: flush
 *               that range, and on Arm break-before-make as for a split.
 *   pt_unmap    every page of the range, and the tables given back.
 *   pt_protect  every page of the range.
 *   split       pt_unmap and pt_protect may replace a block by a table of
 *               smaller leaves with the same translation.  On x86 that is
 *               allowed live (the old and new entry translate the same).
 *               On Arm, changing a live block into a table needs
 *               break-before-make: write the entry invalid, TLBI the
 *               block's range (IPAS2E1IS/VMALLS12E1IS at stage 2, then
 *               DSB), and only then write the table entry -- or FEAT_BBM
 *               level 1/2.  The engine does not do this: it writes the
 *               table entry directly.  So on Arm, edit a tree only while
 *               no CPU walks it (minihv edits a VM's tables only while its
 *               vCPUs are stopped, and each backend flushes the VM's
 *               translations when a vCPU next runs: TLBI VMALLS12E1,
 *               INVEPT, VMCB TLB_CONTROL).
 */

/*
 * Visiting a tree.  pt_for_each_leaf calls fn once per leaf, in input
 * address order, with what the leaf maps; the permissions are the ones a
 * translation would get (table entries' limits ANDed in, as pt_translate
 * does).  pt_for_each_entry calls fn once per valid entry, tables too,
 * root first and depth first, with the raw entry and where it sits.
 * Invalid entries are skipped.  A non-zero return from fn stops the walk
 * and is returned.  Every table goes through table_ptr: MM_EFAULT if one
 * is refused.  A walk reads each entry once and goes at most fmt->levels
 * deep, so it is safe on a tree someone else is editing (it then sees some
 * mix of old and new entries).
 */
struct pt_leaf {
	uint64_t in;            /* first input address the leaf maps */
	uint64_t size;          /* 4 KiB, 2 MiB or 1 GiB */
	uint64_t out;           /* output address of in */
	unsigned perms;         /* PT_R | PT_W | PT_X | PT_USER */
	enum pt_memtype type;
	unsigned level;         /* 0 page, 1 2M block, 2 1G block */
};
typedef int (*pt_leaf_fn)(const struct pt_leaf *leaf, void *arg);
int pt_for_each_leaf(const struct pt *pt, pt_leaf_fn fn, void *arg);

struct pt_entry_info {
	uint64_t in;            /* first input address the entry covers */
	uint64_t table_pa;      /* the table (page) holding the entry */
	unsigned index;         /* its index there: 0..511, or 0..512*n-1 in a
				   concatenated root (page index * 512 + i) */
	unsigned level;
	enum pt_entry_kind kind;  /* PT_ENTRY_TABLE or PT_ENTRY_LEAF */
	uint64_t entry;         /* the raw value */
	uint64_t addr;          /* fmt->entry_addr: the next table or the output */
};
typedef int (*pt_entry_fn)(const struct pt_entry_info *e, void *arg);
int pt_for_each_entry(const struct pt *pt, pt_entry_fn fn, void *arg);

struct pt_walk {
	uint64_t out;           /* translated address */
	unsigned perms;         /* leaf permissions (for stage-1 formats, the
				   AND of the levels where the format says so) */
	enum pt_memtype type;
	unsigned level;         /* level of the leaf: 0 page, 1 2M, 2 1G */
};

/*
 * Translate one address.  Returns 0, MM_ENOTMAPPED when the walk meets an
 * invalid entry or in is beyond in_bits, or MM_EFAULT when a table address
 * the walk must follow is refused by mem.table_ptr (or is not 4 KiB
 * aligned).  At most fmt->levels entries are read, each exactly once, so a
 * tree the guest is rewriting meanwhile cannot make the walk loop.
 * (MM_EINVAL only for a malformed format.)
 */
int pt_translate(const struct pt *pt, uint64_t in, struct pt_walk *out);

/*
 * The same walk as pt_translate on pt_format_x86_64, written out for that
 * one format: a loop over the four levels with the entry bits tested in
 * place, no call through the format's or the pt_mem's function pointers.
 * It is the walk behind every exit that must read the guest's instruction
 * (x86 MMIO), where the generic engine's indirections cost more than the
 * rest of the exit together.
 *
 * Its tables are reached only inside one flat block of memory: the table at
 * address pa is host + (pa - base) when the whole page [pa, pa + 4 KiB) lies
 * in [base, base + size), and the walk fails with MM_EFAULT otherwise --
 * exactly as pt_translate with a table_ptr that answered so.  Results and
 * errors are pt_translate's (tests/test_pt_direct.c compares the two on
 * random tables).
 */
struct pt_flat {
	const uint8_t *host;    /* the block, as the hypervisor reaches it */
	uint64_t base;          /* the address entries use for its first byte */
	uint64_t size;
};
int pt_x86_64_translate_flat(const struct pt_flat *mem, uint64_t root_pa, uint64_t in,
			     struct pt_walk *out);

/*
 * Typed wrappers.  Second-level tables map guest-physical to host-physical;
 * guest tables map guest-virtual to guest-physical.  Use these across layers
 * so the address kinds cannot be swapped.
 */
static inline int s2_map_range(struct pt *s2, gpa_t in, hpa_t out, uint64_t size,
			       unsigned perms, enum pt_memtype type)
{
	return pt_map(s2, gpa_val(in), hpa_val(out), size, perms, type);
}

static inline int s2_unmap_range(struct pt *s2, gpa_t in, uint64_t size)
{
	return pt_unmap(s2, gpa_val(in), size);
}

static inline int s2_protect_range(struct pt *s2, gpa_t in, uint64_t size, unsigned perms)
{
	return pt_protect(s2, gpa_val(in), size, perms);
}

static inline int s2_translate(const struct pt *s2, gpa_t in, hpa_t *out, unsigned *perms)
{
	struct pt_walk w;
	int err = pt_translate(s2, gpa_val(in), &w);
	if (err == 0) {
		*out = hpa(w.out);
		if (perms)
			*perms = w.perms;
	}
	return err;
}

static inline int gpt_map_range(struct pt *g, gva_t in, gpa_t out, uint64_t size,
				unsigned perms, enum pt_memtype type)
{
	return pt_map(g, gva_val(in), gpa_val(out), size, perms, type);
}

static inline int gpt_translate(const struct pt *g, gva_t in, gpa_t *out, unsigned *perms)
{
	struct pt_walk w;
	int err = pt_translate(g, gva_val(in), &w);
	if (err == 0) {
		*out = gpa(w.out);
		if (perms)
			*perms = w.perms;
	}
	return err;
}

#endif
