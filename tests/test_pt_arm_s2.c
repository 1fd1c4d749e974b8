/*
 * Arm stage-2 geometry (mm/pt_arm.c) and the trees it shapes: 2, 3 and 4
 * levels, concatenated roots, every IPA size, every legal start level.
 *
 * The geometry is checked against the Arm ARM's rules written out here
 * again, as the manual states them, not computed the way pt_arm.c computes
 * them: a shared mistake would otherwise pass.  The table-page counts are
 * worked out from first principles (how many distinct tables a range
 * touches at each level), not from the engine.
 */
#include "mm/page_pool.h"
#include "mm/pt_arm.h"
#include "tests/fake_phys.h"
#include "tests/unit.h"

#define SZ_4K PAGE_SIZE
#define BIT(n) ((uint64_t)1 << (n))

/* ID_AA64MMFR0_EL1.PARange: 0..6 encode these sizes; 7..15 are reserved
 * and we treat them as the largest. */
static const unsigned arm_pa_bits[16] = { 32, 36, 40, 42, 44, 48, 52, 52, 52, 52,
					  52, 52, 52, 52, 52, 52 };

/*
 * The Arm ARM's stage-2 rules for the 4 KiB granule (VTCR_EL2.SL0 and
 * T0SZ, "concatenated translation tables for the initial stage 2 lookup"):
 *
 *   SL0  first lookup  legal T0SZ  one table resolves  needs
 *   0    level 2       30..42      IA bits 29:21
 *   1    level 1       21..33      IA bits 38:30
 *   2    level 0       16..24      IA bits 47:39      PARange >= 44 bits
 *   3    (level 3 only with FEAT_TTST: not for us)
 *
 * An input size above what one table at the first level resolves is
 * covered by 2^(excess bits) concatenated tables, at most 16.  The IPA
 * size may not exceed the PA size.
 */
struct sl0_rule {
	unsigned sl0, level, t0sz_min, t0sz_max, top_bit, min_pa_bits;
};
static const struct sl0_rule sl0_rules[] = {
	{ 0, 2, 30, 42, 29, 0 },
	{ 1, 1, 21, 33, 38, 0 },
	{ 2, 0, 16, 24, 47, 44 },
};

static const struct sl0_rule *rule_for_sl0(unsigned sl0)
{
	for (unsigned i = 0; i < sizeof(sl0_rules) / sizeof(sl0_rules[0]); i++)
		if (sl0_rules[i].sl0 == sl0)
			return &sl0_rules[i];
	return NULL;
}

/* What we chose, per PARange value 0..7 (see pt_arm.c for why):
 * IPA size, start level, concatenated tables. */
static const struct { unsigned ipa, level, tables; } chosen[8] = {
	{ 32, 2, 4 }, { 36, 1, 1 }, { 40, 1, 2 }, { 42, 1, 8 },
	{ 44, 0, 1 }, { 48, 0, 1 }, { 48, 0, 1 }, { 48, 0, 1 },
};

static void test_geometry_is_legal(void)
{
	for (unsigned r = 0; r < 16; r++) {
		struct pt_arm_s2_geometry g;
		unsigned pa = arm_pa_bits[r];

		pt_arm_s2_geometry(r, &g);
		const struct sl0_rule *rule = rule_for_sl0(g.vtcr_sl0);

		CHECK_EQ(g.pa_bits, pa, "PARange %u: %u-bit PA", r, pa);
		CHECK(rule != NULL, "PARange %u: SL0=%u is a 4 KiB-granule encoding", r, g.vtcr_sl0);
		if (!rule)
			continue;
		CHECK_EQ(g.start_level, rule->level, "PARange %u: SL0=%u means level %u",
			 r, g.vtcr_sl0, rule->level);
		CHECK(g.vtcr_t0sz >= rule->t0sz_min && g.vtcr_t0sz <= rule->t0sz_max,
		      "PARange %u: T0SZ %u is legal at level %u (%u..%u)", r, g.vtcr_t0sz,
		      rule->level, rule->t0sz_min, rule->t0sz_max);
		CHECK(pa >= rule->min_pa_bits, "PARange %u: level %u allowed with a %u-bit PA",
		      r, rule->level, pa);

		unsigned ia = 64 - g.vtcr_t0sz;
		unsigned excess = ia > rule->top_bit + 1 ? ia - (rule->top_bit + 1) : 0;
		CHECK_EQ(g.ipa_bits, ia, "PARange %u: ipa_bits is 64 - T0SZ", r);
		CHECK(excess <= 4 && g.root_tables == 1u << excess,
		      "PARange %u: %u-bit IPA at level %u: %u concatenated tables (at most 16)",
		      r, ia, rule->level, 1u << excess);
		CHECK(ia <= pa, "PARange %u: IPA size %u <= PA size %u", r, ia, pa);
		CHECK(g.vtcr_ps <= 5 && arm_pa_bits[g.vtcr_ps] <= pa && arm_pa_bits[g.vtcr_ps] >= ia,
		      "PARange %u: PS=%u (%u bits): no larger than the PA, no smaller than the IPA",
		      r, g.vtcr_ps, arm_pa_bits[g.vtcr_ps]);
		CHECK_EQ(g.levels, 4 - rule->level, "PARange %u: %u lookups", r, 4 - rule->level);

		unsigned c = r < 8 ? r : 7;
		CHECK(g.ipa_bits == chosen[c].ipa && g.start_level == chosen[c].level &&
		      g.root_tables == chosen[c].tables,
		      "PARange %u: the choice is %u bits, level %u, %u tables", r,
		      chosen[c].ipa, chosen[c].level, chosen[c].tables);

		struct pt_format f;
		pt_arm_s2_format(&g, &f);
		CHECK(f.levels == g.levels && f.in_bits == g.ipa_bits &&
		      f.root_tables == g.root_tables && f.make_leaf == pt_format_arm_stage2.make_leaf,
		      "PARange %u: the format has the geometry's shape and stage-2 descriptors", r);
	}
}

/* The 48-bit geometry is the fixed format, exactly. */
static void test_48_bit_is_the_fixed_format(void)
{
	struct pt_arm_s2_geometry g;
	struct pt_format f;

	pt_arm_s2_geometry(5, &g);
	pt_arm_s2_format(&g, &f);
	CHECK(f.levels == pt_format_arm_stage2.levels && f.in_bits == pt_format_arm_stage2.in_bits &&
	      f.root_tables == 1 && f.leaf_levels == pt_format_arm_stage2.leaf_levels,
	      "PARange 5: same shape as pt_format_arm_stage2");
}

/*
 * Table pages (root excluded) a tree of `levels` levels needs to hold these
 * ranges, each mapped with leaves at its leaf level, from first principles:
 * a table at level l covers one slot of level l + 1 (pt_level_size(l + 1)
 * bytes), and a range needs one at every level from its leaf level up to
 * just below the root, for each distinct slot it touches.
 */
struct piece { uint64_t in, size; unsigned leaf; };

static unsigned tables_needed(unsigned levels, const struct piece *p, unsigned np)
{
	unsigned n = 0;

	for (unsigned l = 0; l + 1 < levels; l++) {
		uint64_t span = pt_level_size(l + 1), seen[64];
		unsigned nseen = 0;

		for (unsigned i = 0; i < np; i++) {
			if (p[i].leaf > l)
				continue;
			for (uint64_t s = p[i].in / span; s <= (p[i].in + p[i].size - 1) / span; s++) {
				unsigned k = 0;
				while (k < nseen && seen[k] != s)
					k++;
				if (k == nseen && nseen < 64)
					seen[nseen++] = s;
			}
		}
		n += nseen;
	}
	return n;
}

/* Does in translate to out, with a leaf at level and these perms? */
static bool maps(const struct pt *pt, uint64_t in, uint64_t out, unsigned level, unsigned perms)
{
	struct pt_walk w;
	int err = pt_translate(pt, in, &w);

	if (err || w.out != out || w.level != level || w.perms != perms) {
		printf("# translate %#llx: err %d out %#llx level %u perms %#x\n",
		       (unsigned long long)in, err, (unsigned long long)w.out, w.level, w.perms);
		return false;
	}
	return true;
}

static bool unmapped(const struct pt *pt, uint64_t in)
{
	struct pt_walk w;

	return pt_translate(pt, in, &w) == MM_ENOTMAPPED;
}

/*
 * The entry the MMU reads first for address in: concatenated tables act as
 * one table indexed by IA[ipa-1 : first level's low bit], so the entry is
 * number (in >> shift) of the whole root, in page number / 512.
 */
static uint64_t root_entry(const struct pt *pt, uint64_t in)
{
	unsigned shift = pt_level_shift(pt->fmt->levels - 1);
	uint64_t index = in >> shift;
	uint64_t *page = fake_table(pt, pt->root_pa + (index / 512) * PAGE_SIZE);

	return page ? page[index % 512] : 0;
}

static void test_layout(unsigned pa_range)
{
	struct pt_arm_s2_geometry g;
	struct pt_format f;
	struct fake_phys fp;
	struct pt pt;
	struct pt_walk w;
	const uint64_t ram = 0x80000000, ram_size = 4ull << 20;
	const uint64_t hpa = 0x40000000; /* 2 MiB aligned output */
	unsigned expect;

	pt_arm_s2_geometry(pa_range, &g);
	pt_arm_s2_format(&g, &f);
	uint64_t top = BIT(g.ipa_bits);
	const char *n = "";
	char name[64];
	snprintf(name, sizeof(name), "%u-bit IPA, %u levels, %u root tables", g.ipa_bits,
		 g.levels, g.root_tables);
	n = name;

	fake_phys_init(&fp, 256);
	/* Knock the pool off 64 KiB alignment: the root must still be aligned
	 * to its size. */
	bump_alloc_page(&fp.bump);
	CHECK_EQ(pt_init(&pt, &f, &fp.mem), 0, "%s: init", n);
	CHECK_EQ(pt.table_pages, g.root_tables, "%s: the root is %u pages", n, g.root_tables);
	CHECK(is_aligned(pt.root_pa, g.root_tables * PAGE_SIZE),
	      "%s: root at %#llx, aligned to %u KiB (VTTBR_EL2.BADDR)", n,
	      (unsigned long long)pt.root_pa, g.root_tables * 4);

	/* The guest's RAM, 2 MiB aligned on both sides: two 2 MiB blocks. */
	struct piece pieces[2] = { { ram, ram_size, 1 }, { ram + (64ull << 20), ram_size, 0 } };
	CHECK_EQ(pt_map(&pt, ram, hpa, ram_size, PT_RWX, PT_MEM_NORMAL), 0, "%s: map guest RAM", n);
	expect = g.root_tables + tables_needed(g.levels, pieces, 1);
	CHECK_EQ(pt.table_pages, expect, "%s: guest RAM as 2 MiB blocks: %u table pages", n, expect);
	CHECK(maps(&pt, ram + ram_size - 1, hpa + ram_size - 1, 1, PT_RWX), "%s: RAM's last byte", n);

	/* The same size 64 MiB higher, with an output only 4 KiB aligned:
	 * 4 KiB pages. */
	uint64_t in2 = pieces[1].in;
	CHECK_EQ(pt_map(&pt, in2, hpa + SZ_4K, ram_size, PT_RW, PT_MEM_NORMAL), 0,
		 "%s: map 4 MiB with a 4 KiB-aligned output", n);
	expect = g.root_tables + tables_needed(g.levels, pieces, 2);
	CHECK_EQ(pt.table_pages, expect, "%s: ... as pages: %u table pages in all", n, expect);
	CHECK(maps(&pt, in2 + 0x1234, hpa + SZ_4K + 0x1234, 0, PT_RW), "%s: as 4 KiB pages", n);

	/* The top of the IPA space: the last root entry, in the last page of
	 * a concatenated root. */
	CHECK_EQ(pt_map(&pt, top - SZ_4K, 0x7000, SZ_4K, PT_R, PT_MEM_DEVICE), 0,
		 "%s: map the last page below 2^%u", n, g.ipa_bits);
	CHECK(maps(&pt, top - 1, 0x7fff, 0, PT_R), "%s: the last byte translates", n);
	CHECK(root_entry(&pt, top - 1) & 1, "%s: through the last entry of root page %u", n,
	      g.root_tables - 1);

	/* Where one root page ends and the next begins (or, for one page,
	 * the middle of the root): a range across it, as 2 MiB blocks. */
	uint64_t edge = g.root_tables > 1 ? top / g.root_tables : top / 2;
	CHECK_EQ(pt_map(&pt, edge - SZ_2M, 0x200000000ull, 2 * SZ_2M, PT_RW, PT_MEM_NORMAL), 0,
		 "%s: map 4 MiB across %#llx", n, (unsigned long long)edge);
	CHECK(maps(&pt, edge - 1, 0x200000000ull + SZ_2M - 1, 1, PT_RW) &&
	      maps(&pt, edge, 0x200000000ull + SZ_2M, 1, PT_RW), "%s: both sides translate", n);
	if (g.root_tables > 1)
		CHECK((root_entry(&pt, edge - 1) & 1) && (root_entry(&pt, edge) & 1),
		      "%s: from root pages 0 and 1", n);
	CHECK_EQ(pt_protect(&pt, edge - SZ_4K, 2 * SZ_4K, PT_R), 0, "%s: protect across it", n);
	CHECK(maps(&pt, edge - SZ_4K, 0x200000000ull + SZ_2M - SZ_4K, 0, PT_R) &&
	      maps(&pt, edge, 0x200000000ull + SZ_2M, 0, PT_R) &&
	      maps(&pt, edge - 2 * SZ_4K, 0x200000000ull + SZ_2M - 2 * SZ_4K, 0, PT_RW) &&
	      maps(&pt, edge + SZ_4K, 0x200000000ull + SZ_2M + SZ_4K, 0, PT_RW),
	      "%s: two pages read-only, their neighbours split off unchanged", n);
	CHECK_EQ(pt_unmap(&pt, edge - SZ_4K, 2 * SZ_4K), 0, "%s: unmap across it", n);
	CHECK(unmapped(&pt, edge - SZ_4K) && unmapped(&pt, edge) &&
	      maps(&pt, edge + SZ_4K, 0x200000000ull + SZ_2M + SZ_4K, 0, PT_RW),
	      "%s: gone, neighbours stay", n);

	/* The largest block the tree has, at the very top (1 GiB for 3 and
	 * 4 levels; 2 MiB for 2), then unmapped from the middle. */
	unsigned big = g.levels >= 3 ? 2 : 1;
	uint64_t bsz = pt_level_size(big);
	CHECK_EQ(pt_unmap(&pt, top - SZ_4K, SZ_4K), 0, "%s: unmap the last page", n);
	CHECK_EQ(pt_map(&pt, top - bsz, 0x400000000ull, bsz, PT_RWX, PT_MEM_NORMAL), 0,
		 "%s: map the top %llu MiB", n, (unsigned long long)(bsz >> 20));
	CHECK(maps(&pt, top - 1, 0x400000000ull + bsz - 1, big, PT_RWX), "%s: as one block", n);
	CHECK_EQ(pt_unmap(&pt, top - bsz / 2, SZ_4K), 0, "%s: unmap a page inside it", n);
	/* Split only as far as needed: the last byte ends up in a leaf one
	 * level below the block (a 2 MiB block, or a page under 2 MiB). */
	CHECK(unmapped(&pt, top - bsz / 2) &&
	      maps(&pt, top - 1, 0x400000000ull + bsz - 1, big - 1, PT_RWX),
	      "%s: the rest stays mapped", n);

	/* Nothing at or above 2^ipa_bits. */
	CHECK_EQ(pt_map(&pt, top, 0x1000, SZ_4K, PT_R, PT_MEM_NORMAL), MM_EINVAL,
		 "%s: map at 2^%u refused", n, g.ipa_bits);
	CHECK_EQ(pt_map(&pt, top - SZ_4K, 0x1000, 2 * SZ_4K, PT_R, PT_MEM_NORMAL), MM_EINVAL,
		 "%s: map across 2^%u refused", n, g.ipa_bits);
	CHECK_EQ(pt_unmap(&pt, top, SZ_4K), MM_EINVAL, "%s: unmap at 2^%u refused", n, g.ipa_bits);
	CHECK_EQ(pt_protect(&pt, top, SZ_4K, PT_R), MM_EINVAL, "%s: protect at 2^%u refused", n,
		 g.ipa_bits);
	CHECK_EQ(pt_translate(&pt, top, &w), MM_ENOTMAPPED, "%s: 2^%u does not translate", n,
		 g.ipa_bits);
	if (g.ipa_bits < 48)
		CHECK_EQ(pt_translate(&pt, BIT(47) | 0x1000, &w), MM_ENOTMAPPED,
			 "%s: neither does bit 47 (no aliasing into the root)", n);
	fake_phys_free(&fp);
}

/* Concatenated roots the engine must refuse, and a pool without them. */
static void test_bad_concatenation(void)
{
	struct pt_arm_s2_geometry g;
	struct pt_format f, bad;
	struct fake_phys fp;
	struct pt pt;
	struct pt_mem no_multi;

	pt_arm_s2_geometry(2, &g);
	pt_arm_s2_format(&g, &f);
	fake_phys_init(&fp, 16);

	bad = f;
	bad.root_tables = 3;
	CHECK_EQ(pt_init(&pt, &bad, &fp.mem), MM_EINVAL, "3 root tables: not a power of two");
	bad = f;
	bad.root_tables = 32;
	bad.in_bits = 44;
	CHECK_EQ(pt_init(&pt, &bad, &fp.mem), MM_EINVAL, "32 root tables: more than 16");
	bad = f;
	bad.root_tables = 4;
	CHECK_EQ(pt_init(&pt, &bad, &fp.mem), MM_EINVAL, "4 tables for 40 bits: two never reached");
	bad = f;
	bad.root_tables = 1;
	CHECK_EQ(pt_init(&pt, &bad, &fp.mem), MM_EINVAL, "1 table for 40 bits: too few");
	bad = pt_format_arm_stage2;
	bad.in_bits = 39;
	CHECK_EQ(pt_init(&pt, &bad, &fp.mem), MM_EINVAL,
		 "4 levels for 39 bits: the root would resolve nothing");
	CHECK_EQ(fake_phys_used(&fp), 0, "nothing allocated for a refused format");

	no_multi = fp.mem;
	no_multi.alloc_tables = NULL;
	CHECK_EQ(pt_init(&pt, &f, &no_multi), MM_EINVAL, "a pool without alloc_tables: refused");
	fake_phys_free(&fp);

	fake_phys_init(&fp, 1);
	CHECK_EQ(pt_init(&pt, &f, &fp.mem), MM_ENOMEM, "no room for a 2-page root: MM_ENOMEM");
	fake_phys_free(&fp);
}

/*
 * pt_arm_s2_geometry_for: every (PARange, IPA size, start level) the rules
 * above allow is accepted with the right shape, and every other refused.
 */
static void test_every_shape_is_legal(void)
{
	unsigned accepted = 0, wrong = 0;

	for (unsigned r = 0; r <= 6; r++) {
		for (unsigned ipa = 16; ipa <= 52; ipa++) {
			for (unsigned level = 0; level <= 3; level++) {
				const struct sl0_rule *rule = level <= 2 ? rule_for_sl0(2 - level) : NULL;
				unsigned t0sz = 64 - ipa;
				bool legal = rule && t0sz >= rule->t0sz_min && t0sz <= rule->t0sz_max &&
					     arm_pa_bits[r] >= rule->min_pa_bits &&
					     ipa <= arm_pa_bits[r] && ipa <= 48;
				struct pt_arm_s2_geometry g;
				int got = pt_arm_s2_geometry_for(r, ipa, level, &g);

				if ((got == 0) != legal) {
					if (wrong++ < 5)
						printf("# PARange %u, %u bits, level %u: %s, should be %s\n",
						       r, ipa, level, got ? "refused" : "accepted",
						       legal ? "accepted" : "refused");
					continue;
				}
				if (!legal)
					continue;
				accepted++;
				unsigned excess = ipa > rule->top_bit + 1 ? ipa - (rule->top_bit + 1) : 0;
				if (g.root_tables != 1u << excess || g.levels != 4 - level ||
				    g.vtcr_t0sz != t0sz || g.vtcr_sl0 != rule->sl0 || g.ipa_bits != ipa ||
				    g.start_level != level) {
					if (wrong++ < 5)
						printf("# PARange %u, %u bits, level %u: shape %u tables, %u levels, "
						       "T0SZ %u, SL0 %u\n", r, ipa, level, g.root_tables,
						       g.levels, g.vtcr_t0sz, g.vtcr_sl0);
				}
			}
		}
	}
	CHECK_EQ(wrong, 0, "every shape the Arm ARM allows is accepted, right, and no other");
	/* Level 2: 22..34 bits, level 1: 31..43, level 0: 40..48 on PA >= 44
	 * only, each capped by the PA size: counted by hand per PARange. */
	CHECK_EQ(accepted, (11 + 2) + (13 + 6) + (13 + 10) + (13 + 12) + (13 + 13 + 5) +
			   (13 + 13 + 9) + (13 + 13 + 9), "%u shapes in all", accepted);
}

/*
 * A tree in each of those shapes (48-bit PA, so every IPA size): the first
 * and the last page of the IPA space map, the address past it does not,
 * the last page's root entry is the root's last one (in the last
 * concatenated page), and destroying it gives every page back.
 */
static void test_every_shape_builds(void)
{
	unsigned bad = 0, shapes = 0;
	uint8_t *block = aligned_alloc(0x10000, 64 * SZ_4K);
	struct host_page_pool pool;
	struct pt_mem mem;

	if (!block)
		abort();
	host_page_pool_init(&pool, block, 64 * SZ_4K,
			    (int64_t)(FAKE_HPA_BASE - (uint64_t)(uintptr_t)block));
	host_page_pool_mem(&pool, &mem);
	for (unsigned level = 0; level <= 2; level++) {
		for (unsigned ipa = 22; ipa <= 48; ipa++) {
			struct pt_arm_s2_geometry g;
			struct pt_format f;
			struct pt pt;
			struct pt_walk w;
			uint64_t top = BIT(ipa) - SZ_4K;
			unsigned root_shift = 12 + 9 * (3 - level);
			int err;

			if (pt_arm_s2_geometry_for(5, ipa, level, &g))
				continue;
			shapes++;
			pt_arm_s2_format(&g, &f);
			err = pt_init(&pt, &f, &mem);
			if (!err)
				err = pt_map(&pt, 0, 0x40000000, SZ_4K, PT_RW, PT_MEM_NORMAL);
			if (!err)
				err = pt_map(&pt, top, 0x40001000, SZ_4K, PT_R, PT_MEM_DEVICE);
			if (err || pt_translate(&pt, top + 0x123, &w) || w.out != 0x40001123 ||
			    w.perms != PT_R || pt_translate(&pt, 0x10, &w) || w.out != 0x40000010 ||
			    (ipa < 48 && pt_translate(&pt, BIT(ipa), &w) != MM_ENOTMAPPED) ||
			    pt_map(&pt, BIT(ipa), 0, SZ_4K, PT_R, PT_MEM_NORMAL) != MM_EINVAL) {
				if (bad++ < 5)
					printf("# %u bits from level %u: %s\n", ipa, level, mm_strerror(err));
			} else {
				/* The top page's entry in the root: index top >> root_shift,
				 * which for a concatenated root is 512 * tables - 1. */
				uint64_t *last = fake_table(&pt, pt.root_pa + (g.root_tables - 1) * SZ_4K);
				unsigned idx = (unsigned)((top >> root_shift) & 511);

				if (!last || !(last[idx] & 1) ||
				    (g.root_tables > 1 && (top >> root_shift) != 512 * g.root_tables - 1)) {
					if (bad++ < 5)
						printf("# %u bits from level %u: the top's root entry is not "
						       "where it should be\n", ipa, level);
				}
			}
			if (pt_destroy(&pt) || pool.in_use != 0) {
				if (bad++ < 5)
					printf("# %u bits from level %u: %u pages not given back\n", ipa,
					       level, pool.in_use);
			}
		}
	}
	CHECK_EQ(bad, 0, "every legal shape builds, reaches its last page, and is given back");
	CHECK_EQ(shapes, 35, "35 shapes (13 from level 2, 13 from level 1, 9 from level 0)");
	CHECK(pool.bad_frees == 0, "no page given back twice");
	free(block);
}

int main(void)
{
	unit_begin("test_pt_arm_s2");
	test_geometry_is_legal();
	test_48_bit_is_the_fixed_format();
	for (unsigned r = 0; r <= 6; r++)
		test_layout(r);
	test_bad_concatenation();
	test_every_shape_is_legal();
	test_every_shape_builds();
	return unit_done();
}
