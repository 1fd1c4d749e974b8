/*
 * x86-64 long-mode paging entries: a guest's own 4-level tables, and AMD's
 * nested page tables (NPT), which are the very same format walked a second
 * time for guest-physical addresses.
 *
 *   bit 0   P    present
 *   bit 1   R/W  writable (ANDed across levels)
 *   bit 2   U/S  user mode may access (ANDed across levels)
 *   bit 3   PWT  } with the PAT bit, an index into the PAT register: the
 *   bit 4   PCD  } memory type.  Index 0 is write-back, 3 uncacheable
 *   bit 7   PS   at levels 1, 2: this entry is a 2 MiB / 1 GiB page;
 *                reserved at level 3; at level 0 it is the PAT bit
 *   bit 12  PAT  of a 2 MiB / 1 GiB page (its bits 20:13 / 29:13 are reserved)
 *   51:12   address
 *   bit 63  NX   no execute (ANDed across levels).  Only when no-execute is
 *                enabled (EFER.NXE; for nested tables, the host's EFER):
 *                otherwise bit 63 is reserved and the walk faults.  The
 *                backend must turn NXE on.
 *
 * Any present entry is readable: x86 has no "present but not readable".
 *
 * Table entries we build are P|R/W|U/S without NX: a table restricts
 * nothing, and the leaf alone says what is allowed.
 */
#include "pt.h"
#include "pt_x86_bits.h"

static enum pt_entry_kind x86_kind(uint64_t e, unsigned level)
{
	uint64_t below_block;

	if (!(e & X86_P))
		return PT_ENTRY_INVALID;
	if (level == 0)
		return PT_ENTRY_LEAF;
	if (!(e & X86_PS))
		return PT_ENTRY_TABLE;
	if (level == 3)
		return PT_ENTRY_INVALID;
	/* Address bits below the page size, other than PAT, are reserved: the
	 * CPU would fault, so this is no mapping. */
	below_block = X86_OA_MASK & (pt_level_size(level) - 1) & ~X86_PAT_LARGE;
	return (e & below_block) ? PT_ENTRY_INVALID : PT_ENTRY_LEAF;
}

static uint64_t x86_entry_addr(uint64_t e, unsigned level)
{
	uint64_t addr = e & X86_OA_MASK;

	if (x86_kind(e, level) == PT_ENTRY_LEAF)
		addr &= ~(pt_level_size(level) - 1); /* drops PAT of a large page */
	return addr;
}

static uint64_t x86_make_table(uint64_t table_pa)
{
	return (table_pa & X86_OA_MASK) | X86_US | X86_RW | X86_P;
}

/* user: whether to set U/S.  NPT always does; the guest format for PT_USER. */
static uint64_t x86_leaf(uint64_t oa, unsigned level, unsigned perms,
			 enum pt_memtype type, bool user)
{
	uint64_t e = (oa & X86_OA_MASK) | X86_P;

	if (level > 0)
		e |= X86_PS;
	if (perms & PT_W)
		e |= X86_RW;
	if (user)
		e |= X86_US;
	if (!(perms & PT_X))
		e |= X86_NX;
	if (type == PT_MEM_DEVICE)
		e |= X86_PCD | X86_PWT; /* PAT index 3: uncacheable */
	return e;
}

static unsigned x86_perms(uint64_t e)
{
	unsigned perms = PT_R;

	if (e & X86_RW)
		perms |= PT_W;
	if (e & X86_US)
		perms |= PT_USER;
	if (!(e & X86_NX))
		perms |= PT_X;
	return perms;
}

/* Tables and leaves report the same way: the bits mean the same at every
 * level, and pt_translate ANDs them. */
static unsigned x86_entry_perms(uint64_t e, unsigned level)
{
	if (x86_kind(e, level) == PT_ENTRY_INVALID)
		return 0;
	return x86_perms(e);
}

/* PAT index 0 (PWT, PCD and PAT all clear) is write-back; anything else is
 * treated as device memory. */
static enum pt_memtype x86_entry_memtype(uint64_t e, unsigned level)
{
	uint64_t pat = level == 0 ? X86_PAT_4K : X86_PAT_LARGE;

	return (e & (X86_PWT | X86_PCD | pat)) ? PT_MEM_DEVICE : PT_MEM_NORMAL;
}

/* For dumps: the fields as the Intel SDM names them (Vol. 3A, "4-Level
 * Paging": the tables of paging-structure entry formats), the same for
 * NPT (AMD APM Vol. 2, "Nested Paging"). */
static const struct pt_field x86_fields[] = {
	{ "P", 0, 1, PT_FIELD_ALL },
	{ "RW", 1, 1, PT_FIELD_ALL },
	{ "US", 2, 1, PT_FIELD_ALL },
	{ "PWT", 3, 1, PT_FIELD_ALL },
	{ "PCD", 4, 1, PT_FIELD_ALL },
	{ "A", 5, 1, PT_FIELD_ALL },
	{ "D", 6, 1, PT_FIELD_LEAF },
	{ "PS", 7, 1, PT_FIELD_TABLE | PT_FIELD_BLOCK },
	{ "PAT", 7, 1, PT_FIELD_PAGE },
	{ "G", 8, 1, PT_FIELD_LEAF },
	{ "PAT", 12, 1, PT_FIELD_BLOCK },
	{ "XD", 63, 1, PT_FIELD_ALL },
	{ NULL, 0, 0, 0 },
};

/* ---- the guest's own tables ---- */

static uint64_t x86_64_make_leaf(uint64_t oa, unsigned level, unsigned perms,
				 enum pt_memtype type)
{
	return x86_leaf(oa, level, perms, type, (perms & PT_USER) != 0);
}

const struct pt_format pt_format_x86_64 = {
	.name = "x86-64",
	.levels = 4,
	.in_bits = 48,      /* the lower canonical half only */
	.leaf_levels = 0x7, /* 1 GiB pages need CPUID pdpe1gb */
	.root_tables = 1,
	.oa_mask = X86_OA_MASK,
	.make_table = x86_make_table,
	.make_leaf = x86_64_make_leaf,
	.kind = x86_kind,
	.entry_addr = x86_entry_addr,
	.entry_perms = x86_entry_perms,
	.entry_memtype = x86_entry_memtype,
	.fields = x86_fields,
};

/* ---- AMD nested page tables ----
 *
 * The CPU treats every access through nested tables as a user-mode access,
 * so U/S must be set at every level, or the guest can reach nothing.  For
 * the same reason an entry without U/S allows nothing at all, and PT_USER
 * (a stage-1 idea) is not reported.
 */
static uint64_t npt_make_leaf(uint64_t oa, unsigned level, unsigned perms,
			      enum pt_memtype type)
{
	return x86_leaf(oa, level, perms, type, true);
}

static unsigned npt_entry_perms(uint64_t e, unsigned level)
{
	if (x86_kind(e, level) == PT_ENTRY_INVALID || !(e & X86_US))
		return 0;
	return x86_perms(e) & ~PT_USER;
}

const struct pt_format pt_format_x86_npt = {
	.name = "x86-npt",
	.levels = 4,
	.in_bits = 48,
	.leaf_levels = 0x7,
	.root_tables = 1,
	.oa_mask = X86_OA_MASK,
	.make_table = x86_make_table,
	.make_leaf = npt_make_leaf,
	.kind = x86_kind,
	.entry_addr = x86_entry_addr,
	.entry_perms = npt_entry_perms,
	.entry_memtype = x86_entry_memtype,
	.fields = x86_fields,
};

/* ---- the guest's tables, walked directly (pt.h) ---- */

/*
 * pt_translate for pt_format_x86_64, step for step: x86_kind, entry_addr,
 * entry_perms and entry_memtype above, with the engine's rules (leaves at
 * levels 0 to 2 only, each entry read once through a volatile pointer,
 * the AND of the permissions down the walk -- kept here as the AND of the
 * R/W and U/S bits and the OR of NX, turned into PT_* once at the leaf).
 * A table must lie wholly inside the block: off = pa - base at most
 * size - 4 KiB, where an address below base wraps to a huge off.
 */
int pt_x86_64_translate_flat(const struct pt_flat *mem, uint64_t root_pa, uint64_t in,
			     struct pt_walk *out)
{
	uint64_t table_pa = root_pa;
	uint64_t and_bits = ~0ull, or_bits = 0;

	if (in >> 48)
		return MM_ENOTMAPPED;
	/* Entries hold 4 KiB-aligned addresses; only the root may not be. */
	if (mem->size < PAGE_SIZE || (root_pa & (PAGE_SIZE - 1)))
		return MM_EFAULT;
	uint64_t last = mem->size - PAGE_SIZE;
	for (unsigned level = 4; level-- > 0;) {
		uint64_t off = table_pa - mem->base;
		if (off > last)
			return MM_EFAULT;
		const uint64_t *table = (const uint64_t *)(mem->host + off);
		unsigned shift = PAGE_SHIFT + 9 * level;
		uint64_t e = *(const volatile uint64_t *)&table[(in >> shift) & (PT_ENTRIES - 1)];

		if (!(e & X86_P))
			return MM_ENOTMAPPED;
		and_bits &= e;
		or_bits |= e;
		if (level > 0 && !(e & X86_PS)) {
			table_pa = e & X86_OA_MASK;
			continue;
		}
		uint64_t size = (uint64_t)1 << shift;
		if (level == 3)
			return MM_ENOTMAPPED;          /* PS in a PML4E is reserved */
		if (level > 0 && (e & X86_OA_MASK & (size - 1) & ~X86_PAT_LARGE))
			return MM_ENOTMAPPED;          /* reserved address bits */
		out->out = (e & X86_OA_MASK & ~(size - 1)) + (in & (size - 1));
		out->perms = PT_R | ((and_bits & X86_RW) ? PT_W : 0) |
			     ((and_bits & X86_US) ? PT_USER : 0) |
			     ((or_bits & X86_NX) ? 0 : PT_X);
		out->type = x86_entry_memtype(e, level);
		out->level = level;
		return 0;
	}
	return MM_ENOTMAPPED; /* not reached: level 0 is always a leaf */
}
