/*
 * Intel EPT (extended page tables), 4 levels.
 *
 * Intel did not reuse the x86 paging format for its second-level tables;
 * EPT entries have their own layout:
 *
 *   bits 2:0  R, W, X  (an entry with none of them is not present)
 *   bits 5:3  memory type of a leaf: 6 write-back, 0 uncacheable
 *             (2, 3 and 7 are reserved)
 *   bit 6     "ignore PAT" of a leaf: use our memory type as it is, whatever
 *             the guest's own PAT says
 *   bit 7     at levels 1, 2: this entry is a 2 MiB / 1 GiB page
 *             (reserved at level 3; ignored at level 0)
 *   51:12     address
 *
 * R, W and X are ANDed across levels, so the table entries we build allow
 * all three and leave the decision to the leaf.  An entry that is writable
 * but not readable is an "EPT misconfiguration" (a VM exit of its own), so
 * kind() calls it invalid, as it does a reserved memory type.
 *
 * A CPU may lack 1 GiB EPT pages (bit 17 of IA32_VMX_EPT_VPID_CAP): the
 * backend then uses a copy of this format with bit 2 of leaf_levels clear
 * (see pt.h).
 */
#include "pt.h"

#define EPT_R             (1ull << 0)
#define EPT_W             (1ull << 1)
#define EPT_X             (1ull << 2)
#define EPT_RWX           (EPT_R | EPT_W | EPT_X)
#define EPT_MEMTYPE_SHIFT 3
#define EPT_MEMTYPE_MASK  (7ull << EPT_MEMTYPE_SHIFT)
#define EPT_MEMTYPE_UC    0ull
#define EPT_MEMTYPE_WB    6ull
#define EPT_IGNORE_PAT    (1ull << 6)
#define EPT_LARGE         (1ull << 7)
#define EPT_OA_MASK       0x000ffffffffff000ull

static bool ept_memtype_ok(uint64_t e)
{
	uint64_t type = (e & EPT_MEMTYPE_MASK) >> EPT_MEMTYPE_SHIFT;

	return type != 2 && type != 3 && type != 7;
}

static enum pt_entry_kind ept_kind(uint64_t e, unsigned level)
{
	uint64_t below_block;

	if (!(e & EPT_RWX))
		return PT_ENTRY_INVALID;
	if ((e & EPT_W) && !(e & EPT_R))
		return PT_ENTRY_INVALID; /* misconfiguration */
	if (level > 0 && !(e & EPT_LARGE))
		return PT_ENTRY_TABLE;
	if (level == 3)
		return PT_ENTRY_INVALID;
	if (!ept_memtype_ok(e))
		return PT_ENTRY_INVALID;
	/* Address bits below a large page's size are reserved. */
	below_block = EPT_OA_MASK & (pt_level_size(level) - 1);
	return (e & below_block) ? PT_ENTRY_INVALID : PT_ENTRY_LEAF;
}

static uint64_t ept_entry_addr(uint64_t e, unsigned level)
{
	uint64_t addr = e & EPT_OA_MASK;

	if (ept_kind(e, level) == PT_ENTRY_LEAF)
		addr &= ~(pt_level_size(level) - 1);
	return addr;
}

static uint64_t ept_make_table(uint64_t table_pa)
{
	return (table_pa & EPT_OA_MASK) | EPT_RWX;
}

static uint64_t ept_make_leaf(uint64_t oa, unsigned level, unsigned perms,
			      enum pt_memtype type)
{
	uint64_t e = (oa & EPT_OA_MASK) | EPT_IGNORE_PAT;
	uint64_t memtype = type == PT_MEM_NORMAL ? EPT_MEMTYPE_WB : EPT_MEMTYPE_UC;

	e |= memtype << EPT_MEMTYPE_SHIFT;
	if (level > 0)
		e |= EPT_LARGE;
	if (perms & PT_R)
		e |= EPT_R;
	if (perms & PT_W)
		e |= EPT_W;
	if (perms & PT_X)
		e |= EPT_X;
	return e;
}

/* The same three bits in a table entry and in a leaf. */
static unsigned ept_entry_perms(uint64_t e, unsigned level)
{
	unsigned perms = 0;

	if (ept_kind(e, level) == PT_ENTRY_INVALID)
		return 0;
	if (e & EPT_R)
		perms |= PT_R;
	if (e & EPT_W)
		perms |= PT_W;
	if (e & EPT_X)
		perms |= PT_X;
	return perms;
}

/* Write-back is normal memory; any other type is treated as device. */
static enum pt_memtype ept_entry_memtype(uint64_t e, unsigned level)
{
	(void)level;
	return ((e & EPT_MEMTYPE_MASK) >> EPT_MEMTYPE_SHIFT) == EPT_MEMTYPE_WB
		? PT_MEM_NORMAL : PT_MEM_DEVICE;
}

/* For dumps: the entry's fields as the Intel SDM names them (Vol. 3C,
 * "EPT Translation Mechanism": the tables of EPT entry formats). */
static const struct pt_field ept_fields[] = {
	{ "R", 0, 1, PT_FIELD_ALL },
	{ "W", 1, 1, PT_FIELD_ALL },
	{ "X", 2, 1, PT_FIELD_ALL },
	{ "MT", 3, 3, PT_FIELD_LEAF },
	{ "IPAT", 6, 1, PT_FIELD_LEAF },
	{ "PS", 7, 1, PT_FIELD_TABLE | PT_FIELD_BLOCK },
	{ "A", 8, 1, PT_FIELD_ALL },
	{ "D", 9, 1, PT_FIELD_LEAF },
	{ "XU", 10, 1, PT_FIELD_ALL },
	{ "SVE", 63, 1, PT_FIELD_LEAF },
	{ NULL, 0, 0, 0 },
};

const struct pt_format pt_format_x86_ept = {
	.name = "x86-ept",
	.levels = 4,            /* EPTP bits 5:3 = 3 (walk length minus one) */
	.in_bits = 48,
	.leaf_levels = 0x7,
	.root_tables = 1,
	.oa_mask = EPT_OA_MASK,
	.make_table = ept_make_table,
	.make_leaf = ept_make_leaf,
	.kind = ept_kind,
	.entry_addr = ept_entry_addr,
	.entry_perms = ept_entry_perms,
	.entry_memtype = ept_entry_memtype,
	.fields = ept_fields,
};
