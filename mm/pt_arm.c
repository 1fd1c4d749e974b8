/*
 * Arm VMSAv8-64 descriptors, 4 KiB granule: stage 2 (the hypervisor's
 * IPA -> PA tables) and stage 1 (a guest's VA -> IPA tables, TTBR0_EL1).
 *
 * Both stages share the descriptor shape.  Bits [1:0] say what it is:
 *
 *   x0  invalid (the other 63 bits are free for software)
 *   11  table at our levels 3..1 (Arm's levels 0..2),
 *       page at our level 0 (Arm's level 3)
 *   01  block at our levels 2 and 1 (1 GiB, 2 MiB); reserved at our
 *       level 3 (no 512 GiB blocks with a 4 KiB granule) and at level 0
 *
 * The output address is bits [47:12].  Beside it, a leaf has a lower
 * attribute field (bits 11:2) and an upper one (bits 63:51), and it is there
 * that the stages differ: see the two halves of this file.
 *
 * Every leaf gets AF (the Access Flag, bit 10).  Without it the first access
 * faults so that software can track use; minihv does no such tracking.
 */
#include "pt_arm.h"

#define ARM_VALID    (1ull << 0)
#define ARM_TABLE    (1ull << 1)  /* with VALID: table, or page at level 0 */
#define ARM_AF       (1ull << 10)
#define ARM_SH_INNER (3ull << 8)  /* inner shareable: coherent for all CPUs */
#define ARM_OA_MASK  0x0000fffffffff000ull

static enum pt_entry_kind arm_kind(uint64_t e, unsigned level)
{
	if (!(e & ARM_VALID))
		return PT_ENTRY_INVALID;
	if (level == 0)
		return (e & ARM_TABLE) ? PT_ENTRY_LEAF : PT_ENTRY_INVALID;
	if (e & ARM_TABLE)
		return PT_ENTRY_TABLE;
	return level == 3 ? PT_ENTRY_INVALID : PT_ENTRY_LEAF;
}

/* A block's address is aligned to the block: the bits below are not part
 * of it (the architecture makes them RES0), so drop them. */
static uint64_t arm_entry_addr(uint64_t e, unsigned level)
{
	uint64_t addr = e & ARM_OA_MASK;

	if (arm_kind(e, level) == PT_ENTRY_LEAF)
		addr &= ~(pt_level_size(level) - 1);
	return addr;
}

static uint64_t arm_make_table(uint64_t table_pa)
{
	return (table_pa & ARM_OA_MASK) | ARM_TABLE | ARM_VALID;
}

/* What both stages put in a leaf: address, type bits, AF. */
static uint64_t arm_leaf_base(uint64_t oa, unsigned level)
{
	return (oa & ARM_OA_MASK) | (level == 0 ? ARM_TABLE : 0) | ARM_VALID | ARM_AF;
}

/* ---- stage 2 ----
 *
 * The hypervisor's word on guest-physical memory.  The leaf says directly
 * what the guest may do (S2AP: bit 6 read, bit 7 write; XN bit 54 forbids
 * execution) and what the memory is (MemAttr, bits 5:2, a memory type in
 * itself, not an index as at stage 1).  Stage-2 table descriptors carry no
 * permissions.
 */
#define S2_MEMATTR_MASK      (0xfull << 2)
#define S2_MEMATTR_NORMAL_WB (0xfull << 2)  /* Normal, outer and inner write-back */
#define S2_MEMATTR_DEVICE    (0x0ull << 2)  /* Device-nGnRnE */
#define S2AP_READ            (1ull << 6)
#define S2AP_WRITE           (1ull << 7)
#define S2_XN                (1ull << 54)

static uint64_t s2_make_leaf(uint64_t oa, unsigned level, unsigned perms,
			     enum pt_memtype type)
{
	uint64_t e = arm_leaf_base(oa, level);

	if (type == PT_MEM_NORMAL)
		e |= S2_MEMATTR_NORMAL_WB | ARM_SH_INNER;
	else
		e |= S2_MEMATTR_DEVICE; /* shareability means nothing for Device */
	if (perms & PT_R)
		e |= S2AP_READ;
	if (perms & PT_W)
		e |= S2AP_WRITE;
	if (!(perms & PT_X))
		e |= S2_XN;
	return e;
}

static unsigned s2_entry_perms(uint64_t e, unsigned level)
{
	unsigned perms = 0;

	switch (arm_kind(e, level)) {
	case PT_ENTRY_INVALID:
		return 0;
	case PT_ENTRY_TABLE:
		return PT_PERMS_ALL;
	case PT_ENTRY_LEAF:
		break;
	}
	if (e & S2AP_READ)
		perms |= PT_R;
	if (e & S2AP_WRITE)
		perms |= PT_W;
	if (!(e & S2_XN))
		perms |= PT_X;
	return perms;
}

static enum pt_memtype s2_entry_memtype(uint64_t e, unsigned level)
{
	(void)level;
	return (e & S2_MEMATTR_MASK) == S2_MEMATTR_NORMAL_WB ? PT_MEM_NORMAL
							     : PT_MEM_DEVICE;
}

/* For dumps: the stage-2 descriptor fields as the Arm ARM names them
 * (D8.3, "Translation table descriptor formats"; bit 1 is "table" above
 * Arm's level 3 and "page" at it).  XN is bit 54 alone: bit 53 is XN[0]
 * only with FEAT_XNX, which minihv does not use. */
static const struct pt_field s2_fields[] = {
	{ "V", 0, 1, PT_FIELD_ALL },
	{ "T", 1, 1, PT_FIELD_TABLE | PT_FIELD_PAGE },
	{ "MemAttr", 2, 4, PT_FIELD_LEAF },
	{ "S2AP", 6, 2, PT_FIELD_LEAF },
	{ "SH", 8, 2, PT_FIELD_LEAF },
	{ "AF", 10, 1, PT_FIELD_LEAF },
	{ "DBM", 51, 1, PT_FIELD_LEAF },
	{ "Cont", 52, 1, PT_FIELD_LEAF },
	{ "XN", 54, 1, PT_FIELD_LEAF },
	{ NULL, 0, 0, 0 },
};

const struct pt_format pt_format_arm_stage2 = {
	.name = "arm-stage2",
	.levels = 4,            /* the 48-bit shape: VTCR_EL2.SL0 = 2 (Arm level 0) */
	.in_bits = 48,          /* VTCR_EL2.T0SZ = 16; other sizes: pt_arm_s2_format */
	.leaf_levels = 0x7,
	.root_tables = 1,
	.oa_mask = ARM_OA_MASK,
	.make_table = arm_make_table,
	.make_leaf = s2_make_leaf,
	.kind = arm_kind,
	.entry_addr = arm_entry_addr,
	.entry_perms = s2_entry_perms,
	.entry_memtype = s2_entry_memtype,
	.fields = s2_fields,
};

/* ---- stage-2 geometry ----
 *
 * Which IPA sizes each start level can walk, 4 KiB granule.  A table
 * resolves 9 address bits, and the page offset is 12, so a walk that starts
 * at Arm level L has the tables below it resolve bits up to
 * 12 + 9 * (3 - L), and the start level itself 9 more:
 *
 *   start level   one table covers   legal IPA sizes (VTCR_EL2.T0SZ)
 *   2             30 bits (1 GiB)    22..34 bits   (T0SZ 42..30)
 *   1             39 bits (512 GiB)  31..43 bits   (T0SZ 33..21)
 *   0             48 bits (256 TiB)  40..48 bits   (T0SZ 24..16)
 *
 * The low end: the start level must resolve at least one bit, or it is a
 * level too many.  The high end: stage 2 (unlike stage 1) may widen the
 * first lookup by up to 4 bits by "concatenating" up to 16 tables, which
 * sit in contiguous memory aligned to their total size and act as one
 * table of 512 * 2^k entries.  Beyond that, a lower start level is needed.
 * Two more rules: with a 4 KiB granule, SL0 may select level 0 only if the
 * CPU's PARange is at least 44 bits (a CPU with less never needs it: 43
 * bits fit level 1 with 16 tables), and the IPA size may not exceed the
 * CPU's physical address size.  A VTCR_EL2 that breaks these makes every
 * stage-2 walk fault, which is what a 40-bit CPU did with a level-0 start.
 *
 * The choice, for each PARange:
 *   - IPA size = the PA size (capped at 48: 52-bit addresses need FEAT_LPA2
 *     descriptors, which pt_arm does not write).  Guests then can be given
 *     anything the machine has.
 *   - Start level = the deepest one that can hold that IPA size with at most
 *     16 concatenated tables: every level less is one memory read less per
 *     TLB miss, for a few extra pages of root.
 * which gives
 *   PA 32: level 2, 4 tables     PA 40: level 1, 2 tables
 *   PA 36: level 1, 1 table      PA 42: level 1, 8 tables
 *   PA 44: level 0, 1 table (level 1 would reach 43 bits only: 16 x 512 GiB)
 *   PA 48 and 52: level 0, 1 table
 */
static const unsigned pa_range_bits[] = { 32, 36, 40, 42, 44, 48, 52 };

unsigned pt_arm_pa_range_bits(unsigned pa_range)
{
	return pa_range < 6 ? pa_range_bits[pa_range] : 52;
}

/* Bits translated by one table whose lookup is at Arm level L, with all the
 * levels below it: the page offset and 9 bits per level from L to 3. */
static unsigned arm_table_span_bits(unsigned arm_level)
{
	return PAGE_SHIFT + 9 * (4 - arm_level);
}

void pt_arm_s2_geometry(unsigned pa_range, struct pt_arm_s2_geometry *out)
{
	unsigned pa_bits = pt_arm_pa_range_bits(pa_range);
	unsigned ipa = pa_bits > 48 ? 48 : pa_bits;
	unsigned level = 2;

	/* Deepest first; a level is legal if concatenation (at most 4 extra
	 * bits) covers the IPA.  Level 0 covers up to 48 bits on its own. */
	while (level > 0 && ipa > arm_table_span_bits(level) + 4)
		level--;

	out->pa_bits = pa_bits;
	out->ipa_bits = ipa;
	out->start_level = level;
	out->root_tables = ipa > arm_table_span_bits(level)
				   ? 1u << (ipa - arm_table_span_bits(level)) : 1;
	out->levels = 4 - level;
	out->vtcr_t0sz = 64 - ipa;
	out->vtcr_sl0 = 2 - level;
	/* The output size: the addresses our tables hold are the machine's
	 * own, so PS says the PA size -- 48 bits at most, like the IPA. */
	out->vtcr_ps = pa_range > 5 ? 5 : pa_range;
}

int pt_arm_s2_geometry_for(unsigned pa_range, unsigned ipa_bits, unsigned start_level,
			   struct pt_arm_s2_geometry *out)
{
	unsigned pa_bits = pt_arm_pa_range_bits(pa_range);
	unsigned span, below;

	if (start_level > 2 || ipa_bits > 48 || ipa_bits > pa_bits)
		return -1;
	if (start_level == 0 && pa_bits < 44)
		return -1;  /* SL0 may not select level 0 on such a CPU */
	span = arm_table_span_bits(start_level);
	below = arm_table_span_bits(start_level + 1);
	/* At least one bit for the start level, at most 16 tables there. */
	if (ipa_bits <= below || ipa_bits > span + 4)
		return -1;
	out->pa_bits = pa_bits;
	out->ipa_bits = ipa_bits;
	out->start_level = start_level;
	out->root_tables = ipa_bits > span ? 1u << (ipa_bits - span) : 1;
	out->levels = 4 - start_level;
	out->vtcr_t0sz = 64 - ipa_bits;
	out->vtcr_sl0 = 2 - start_level;
	out->vtcr_ps = pa_range > 5 ? 5 : pa_range;
	return 0;
}

void pt_arm_s2_format(const struct pt_arm_s2_geometry *g, struct pt_format *out)
{
	*out = pt_format_arm_stage2;
	out->levels = g->levels;
	out->in_bits = g->ipa_bits;
	out->root_tables = g->root_tables;
	/* Blocks exist at Arm levels 1 and 2 (1 GiB, 2 MiB), our 2 and 1;
	 * a 2-level tree starts at Arm level 2 and has no 1 GiB slot. */
	out->leaf_levels = g->levels >= 3 ? 0x7 : 0x3;
}

int pt_arm_s1_format(unsigned va_bits, struct pt_format *out)
{
	if (va_bits < 25 || va_bits > 48)
		return -1;
	*out = pt_format_arm_stage1;
	out->in_bits = va_bits;
	out->levels = va_bits > 39 ? 4 : va_bits > 30 ? 3 : 2;
	/* Blocks at Arm levels 1 and 2; a walk from level 2 has no level 1. */
	out->leaf_levels = out->levels >= 3 ? 0x7 : 0x3;
	return 0;
}

/* ---- stage 1 ----
 *
 * The guest's own tables.  The memory type is an index (AttrIndx, bits 4:2)
 * into the MAIR_EL1 register; this format assumes PT_ARM_MAIR_VALUE, where
 * index 0 is Normal write-back and index 1 is Device-nGnRnE.
 *
 * Access is two bits, AP[2:1] in bits 7:6: AP[1] lets EL0 (user mode) in,
 * AP[2] makes the page read-only.  There is no "not readable": every valid
 * stage-1 mapping can be read at EL1, so PT_R is always reported.
 *
 * Execution has a bit per privilege: UXN (54) forbids it at EL0, PXN (53)
 * at EL1.  PT_X means "executable by the mode that owns the page": for a
 * user page, EL0 may run it and the kernel may not (PXN); for a kernel page
 * only EL1 may (UXN).  Without PT_X, both are set.
 *
 * Table descriptors can take rights away from everything below them:
 * APTable (62:61: no-write, no-EL0), UXNTable (60), PXNTable (59).  We write
 * tables that take nothing away, but a guest's may, and entry_perms reports
 * it.  PT_X cannot say which mode lost execution, so either XN-table bit
 * removes it (the cautious reading).
 */
#define S1_ATTRIDX_MASK   (7ull << 2)
#define S1_ATTRIDX_NORMAL (0ull << 2)  /* MAIR byte 0: 0xff */
#define S1_ATTRIDX_DEVICE (1ull << 2)  /* MAIR byte 1: 0x00 */
#define S1_AP_EL0         (1ull << 6)  /* AP[1] */
#define S1_AP_RO          (1ull << 7)  /* AP[2] */
#define S1_PXN            (1ull << 53)
#define S1_UXN            (1ull << 54)
#define S1_PXNTABLE       (1ull << 59)
#define S1_UXNTABLE       (1ull << 60)
#define S1_APTABLE_NO_EL0 (1ull << 61)
#define S1_APTABLE_RO     (1ull << 62)

static uint64_t s1_make_leaf(uint64_t oa, unsigned level, unsigned perms,
			     enum pt_memtype type)
{
	uint64_t e = arm_leaf_base(oa, level);

	if (type == PT_MEM_NORMAL)
		e |= S1_ATTRIDX_NORMAL | ARM_SH_INNER;
	else
		e |= S1_ATTRIDX_DEVICE;
	if (perms & PT_USER)
		e |= S1_AP_EL0;
	if (!(perms & PT_W))
		e |= S1_AP_RO;
	if (!(perms & PT_X))
		e |= S1_UXN | S1_PXN;
	else if (perms & PT_USER)
		e |= S1_PXN;
	else
		e |= S1_UXN;
	return e;
}

static unsigned s1_entry_perms(uint64_t e, unsigned level)
{
	unsigned perms = PT_PERMS_ALL;

	switch (arm_kind(e, level)) {
	case PT_ENTRY_INVALID:
		return 0;
	case PT_ENTRY_TABLE:
		if (e & S1_APTABLE_NO_EL0)
			perms &= ~PT_USER;
		if (e & S1_APTABLE_RO)
			perms &= ~PT_W;
		if (e & (S1_UXNTABLE | S1_PXNTABLE))
			perms &= ~PT_X;
		return perms;
	case PT_ENTRY_LEAF:
		break;
	}
	perms = PT_R;
	if (e & S1_AP_EL0)
		perms |= PT_USER;
	if (!(e & S1_AP_RO))
		perms |= PT_W;
	if (!(e & ((perms & PT_USER) ? S1_UXN : S1_PXN)))
		perms |= PT_X;
	return perms;
}

static enum pt_memtype s1_entry_memtype(uint64_t e, unsigned level)
{
	(void)level;
	return (e & S1_ATTRIDX_MASK) == S1_ATTRIDX_NORMAL ? PT_MEM_NORMAL
							 : PT_MEM_DEVICE;
}

/* For dumps: the stage-1 fields, Arm ARM D8.3 (table descriptors carry
 * the hierarchical limits PXNTable, UXNTable, APTable, NSTable). */
static const struct pt_field s1_fields[] = {
	{ "V", 0, 1, PT_FIELD_ALL },
	{ "T", 1, 1, PT_FIELD_TABLE | PT_FIELD_PAGE },
	{ "AttrIndx", 2, 3, PT_FIELD_LEAF },
	{ "NS", 5, 1, PT_FIELD_LEAF },
	{ "AP", 6, 2, PT_FIELD_LEAF },
	{ "SH", 8, 2, PT_FIELD_LEAF },
	{ "AF", 10, 1, PT_FIELD_LEAF },
	{ "nG", 11, 1, PT_FIELD_LEAF },
	{ "DBM", 51, 1, PT_FIELD_LEAF },
	{ "Cont", 52, 1, PT_FIELD_LEAF },
	{ "PXN", 53, 1, PT_FIELD_LEAF },
	{ "UXN", 54, 1, PT_FIELD_LEAF },
	{ "PXNTable", 59, 1, PT_FIELD_TABLE },
	{ "UXNTable", 60, 1, PT_FIELD_TABLE },
	{ "APTable", 61, 2, PT_FIELD_TABLE },
	{ "NSTable", 63, 1, PT_FIELD_TABLE },
	{ NULL, 0, 0, 0 },
};

const struct pt_format pt_format_arm_stage1 = {
	.name = "arm-stage1",
	.levels = 4,            /* TCR_EL1.T0SZ = 16, TG0 = 4 KiB */
	.in_bits = 48,
	.leaf_levels = 0x7,
	.root_tables = 1,
	.oa_mask = ARM_OA_MASK,
	.make_table = arm_make_table,
	.make_leaf = s1_make_leaf,
	.kind = arm_kind,
	.entry_addr = arm_entry_addr,
	.entry_perms = s1_entry_perms,
	.entry_memtype = s1_entry_memtype,
	.fields = s1_fields,
};
