/*
 * The five entry formats on their own: encode, decode, the bits the
 * hardware insists on, and refusal of encodings the hardware would refuse.
 */
#include "mm/pt.h"
#include "tests/unit.h"

#define BIT(n) ((uint64_t)1 << (n))

static const struct pt_format *const formats[] = {
	&pt_format_arm_stage2, &pt_format_arm_stage1, &pt_format_x86_ept,
	&pt_format_x86_npt, &pt_format_x86_64,
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static bool is_stage1(const struct pt_format *f)
{
	return f == &pt_format_arm_stage1 || f == &pt_format_x86_64;
}

/* An output address aligned for a leaf at level, with bits set at many
 * positions so that a dropped or shifted bit shows. */
static uint64_t sample_oa(unsigned level)
{
	return 0x0000a5a5c0000000ull + (level < 2 ? 0x12a00000ull : 0) +
	       (level < 1 ? 0x000ff000ull : 0);
}

/* Every perms combination pt_map accepts. */
static const unsigned all_perms[] = {
	PT_R, PT_RW, PT_R | PT_X, PT_RWX,
	PT_R | PT_USER, PT_RW | PT_USER, PT_R | PT_X | PT_USER, PT_RWX | PT_USER,
};
#define NPERMS (sizeof(all_perms) / sizeof(all_perms[0]))

static void test_leaf_round_trip(const struct pt_format *f)
{
	unsigned level, p, t;

	for (level = 0; level < 3; level++) {
		int bad = 0;

		for (p = 0; p < NPERMS; p++) {
			for (t = 0; t < 2; t++) {
				uint64_t oa = sample_oa(level);
				enum pt_memtype type = t ? PT_MEM_DEVICE : PT_MEM_NORMAL;
				uint64_t e = f->make_leaf(oa, level, all_perms[p], type);
				/* Second-level formats have no user/kernel idea. */
				unsigned want = is_stage1(f) ? all_perms[p]
							     : all_perms[p] & PT_RWX;

				if (f->kind(e, level) != PT_ENTRY_LEAF ||
				    f->entry_addr(e, level) != oa ||
				    f->entry_perms(e, level) != want ||
				    f->entry_memtype(e, level) != type) {
					if (!bad)
						printf("# %s level %u perms %#x type %u: entry %#llx\n",
						       f->name, level, all_perms[p], t,
						       (unsigned long long)e);
					bad++;
				}
			}
		}
		CHECK(bad == 0, "%s: level-%u leaves decode to what was encoded", f->name, level);
	}
}

static void test_table_round_trip(const struct pt_format *f)
{
	unsigned level;
	uint64_t pa = 0x0000123456789000ull;

	for (level = 1; level < 4; level++) {
		uint64_t e = f->make_table(pa);
		unsigned leaf_perms = f->entry_perms(f->make_leaf(0x1000, 0, PT_RWX | PT_USER,
								  PT_MEM_NORMAL), 0);

		CHECK(f->kind(e, level) == PT_ENTRY_TABLE, "%s: level-%u table is a table",
		      f->name, level);
		CHECK_EQ(f->entry_addr(e, level), pa, "%s: level-%u table address", f->name, level);
		CHECK((f->entry_perms(e, level) & leaf_perms) == leaf_perms,
		      "%s: level-%u table we build restricts nothing", f->name, level);
	}
	CHECK(f->kind(0, 0) == PT_ENTRY_INVALID && f->kind(0, 3) == PT_ENTRY_INVALID,
	      "%s: zero entry is invalid", f->name);
	CHECK(f->entry_perms(0, 0) == 0, "%s: invalid entry allows nothing", f->name);
}

/* Whatever a hostile entry holds, its address has only oa_mask bits. */
static void test_hostile_addresses(const struct pt_format *f)
{
	static const uint64_t hostile[] = {
		~0ull, 0xfff0000000000fffull, 0x8000000000000001ull,
		0x7ff0000000000083ull, 0xffff000000000003ull, 0x00ff00000000f087ull,
	};
	unsigned i, level;
	int bad = 0;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		for (level = 0; level < 4; level++)
			if (f->entry_addr(hostile[i], level) & ~f->oa_mask)
				bad++;
	CHECK(bad == 0, "%s: entry_addr never returns bits outside oa_mask", f->name);
	CHECK((f->oa_mask & 0xfff) == 0 && (f->oa_mask >> 52) == 0,
	      "%s: oa_mask is page aligned and below 2^52", f->name);
}

static void test_arm_stage2(void)
{
	const struct pt_format *f = &pt_format_arm_stage2;
	uint64_t page = f->make_leaf(0x80000000, 0, PT_RW, PT_MEM_NORMAL);
	uint64_t block = f->make_leaf(0x80000000, 1, PT_R | PT_X, PT_MEM_NORMAL);
	uint64_t dev = f->make_leaf(0x09000000, 0, PT_RW, PT_MEM_DEVICE);

	CHECK_EQ(page & 3, 3, "arm s2: page descriptor is 0b11");
	CHECK_EQ(block & 3, 1, "arm s2: block descriptor is 0b01");
	CHECK_EQ(f->make_table(0x1000) & 3, 3, "arm s2: table descriptor is 0b11");
	CHECK(page & BIT(10), "arm s2: AF set on pages");
	CHECK(block & BIT(10), "arm s2: AF set on blocks");
	CHECK_EQ((page >> 2) & 0xf, 0xf, "arm s2: normal MemAttr is 0b1111 (write-back)");
	CHECK_EQ((page >> 8) & 3, 3, "arm s2: normal memory inner shareable");
	CHECK_EQ((dev >> 2) & 0xf, 0, "arm s2: device MemAttr is 0b0000 (nGnRnE)");
	CHECK_EQ((page >> 6) & 3, 3, "arm s2: S2AP read+write = 0b11");
	CHECK_EQ((block >> 6) & 3, 1, "arm s2: S2AP read-only = 0b01");
	CHECK(page & BIT(54), "arm s2: XN set without PT_X");
	CHECK(!(block & BIT(54)), "arm s2: XN clear with PT_X");
	CHECK_EQ(page, 0x80000000ull | BIT(54) | BIT(10) | (3 << 8) | (3 << 6) | (0xf << 2) | 3,
		 "arm s2: whole page descriptor");

	CHECK(f->kind(0x40000001, 3) == PT_ENTRY_INVALID, "arm s2: block at level 3 (Arm 0) invalid");
	CHECK(f->kind(0x40000001, 2) == PT_ENTRY_LEAF, "arm s2: block at level 2 (1G)");
	CHECK(f->kind(0x1001, 0) == PT_ENTRY_INVALID, "arm s2: 0b01 at level 0 reserved");
	CHECK(f->kind(0x1002, 1) == PT_ENTRY_INVALID, "arm s2: valid bit clear is invalid");
	CHECK(f->kind(0x1003, 3) == PT_ENTRY_TABLE, "arm s2: 0b11 at root is a table");
	CHECK_EQ(f->entry_addr(0x80123003 | BIT(10), 0), 0x80123000, "arm s2: page address");
	CHECK_EQ(f->entry_addr(0x80123001 | BIT(10), 1), 0x80000000,
		 "arm s2: RES0 bits below a 2M block are dropped");
	CHECK_EQ(f->entry_perms(f->make_table(0x1000), 2), PT_PERMS_ALL,
		 "arm s2: tables carry no permissions");
}

static void test_arm_stage1(void)
{
	const struct pt_format *f = &pt_format_arm_stage1;
	uint64_t kcode = f->make_leaf(0x1000, 0, PT_R | PT_X, PT_MEM_NORMAL);
	uint64_t kdata = f->make_leaf(0x1000, 0, PT_RW, PT_MEM_NORMAL);
	uint64_t ucode = f->make_leaf(0x1000, 0, PT_R | PT_X | PT_USER, PT_MEM_NORMAL);
	uint64_t udata = f->make_leaf(0x200000, 1, PT_RW | PT_USER, PT_MEM_NORMAL);
	uint64_t dev = f->make_leaf(0x9000000, 0, PT_RW, PT_MEM_DEVICE);
	uint64_t t = f->make_table(0x2000);

	CHECK_EQ(PT_ARM_MAIR_VALUE & 0xff, 0xff, "arm s1: MAIR attr 0 is normal write-back");
	CHECK_EQ((PT_ARM_MAIR_VALUE >> 8) & 0xff, 0x00, "arm s1: MAIR attr 1 is Device-nGnRnE");
	CHECK_EQ((kdata >> 2) & 7, 0, "arm s1: normal memory uses AttrIndx 0");
	CHECK_EQ((dev >> 2) & 7, 1, "arm s1: device memory uses AttrIndx 1");
	CHECK_EQ((kdata >> 8) & 3, 3, "arm s1: normal memory inner shareable");
	CHECK(kdata & BIT(10), "arm s1: AF set");
	CHECK_EQ(kdata & 3, 3, "arm s1: page descriptor 0b11");
	CHECK_EQ(udata & 3, 1, "arm s1: block descriptor 0b01");
	CHECK_EQ((kdata >> 6) & 3, 0, "arm s1: kernel read-write: AP[2:1] = 00");
	CHECK_EQ((kcode >> 6) & 3, 2, "arm s1: kernel read-only: AP[2:1] = 10");
	CHECK_EQ((udata >> 6) & 3, 1, "arm s1: user read-write: AP[2:1] = 01");
	CHECK_EQ((ucode >> 6) & 3, 3, "arm s1: user read-only: AP[2:1] = 11");
	CHECK((kdata & BIT(53)) && (kdata & BIT(54)), "arm s1: no PT_X: PXN and UXN");
	CHECK(!(kcode & BIT(53)) && (kcode & BIT(54)), "arm s1: kernel code: UXN only");
	CHECK((ucode & BIT(53)) && !(ucode & BIT(54)), "arm s1: user code: PXN only");
	CHECK_EQ(t, 0x2003, "arm s1: table restricts nothing (no APTable/XNTable bits)");
	CHECK_EQ(f->entry_perms(t | BIT(62), 2), PT_PERMS_ALL & ~PT_W, "arm s1: APTable[1] removes write");
	CHECK_EQ(f->entry_perms(t | BIT(61), 2), PT_PERMS_ALL & ~PT_USER, "arm s1: APTable[0] removes EL0");
	CHECK_EQ(f->entry_perms(t | BIT(60), 2), PT_PERMS_ALL & ~PT_X, "arm s1: UXNTable removes exec");
	CHECK_EQ(f->entry_perms(t | BIT(59), 2), PT_PERMS_ALL & ~PT_X, "arm s1: PXNTable removes exec");
	CHECK(f->kind(0x40000001, 3) == PT_ENTRY_INVALID, "arm s1: block at level 3 invalid");
}

static void test_ept(void)
{
	const struct pt_format *f = &pt_format_x86_ept;
	uint64_t page = f->make_leaf(0x5000, 0, PT_RWX, PT_MEM_NORMAL);
	uint64_t big = f->make_leaf(0x200000, 1, PT_R, PT_MEM_NORMAL);
	uint64_t huge = f->make_leaf(0x40000000, 2, PT_RW, PT_MEM_NORMAL);
	uint64_t dev = f->make_leaf(0xfee00000, 0, PT_RW, PT_MEM_DEVICE);

	CHECK_EQ((page >> 3) & 7, 6, "ept: leaf memory type write-back (6)");
	CHECK_EQ((big >> 3) & 7, 6, "ept: 2M leaf memory type write-back");
	CHECK_EQ((dev >> 3) & 7, 0, "ept: device leaf uncacheable (0)");
	CHECK(page & dev & big & BIT(6), "ept: ignore-PAT set on leaves");
	CHECK(!(page & BIT(7)), "ept: 4K leaf has no large bit");
	CHECK((big & BIT(7)) && (huge & BIT(7)), "ept: 2M and 1G leaves have the large bit");
	CHECK_EQ(page & 7, 7, "ept: RWX in bits 2:0");
	CHECK_EQ(big & 7, 1, "ept: read-only is R alone");
	CHECK_EQ(huge & 7, 3, "ept: RW without X");
	CHECK_EQ(page, 0x5000 | BIT(6) | (6 << 3) | 7, "ept: whole 4K leaf");
	CHECK_EQ(f->make_table(0x7000), 0x7007, "ept: table entry is address | RWX");

	CHECK(f->kind(0x1002, 0) == PT_ENTRY_INVALID, "ept: write without read is a misconfiguration");
	CHECK(f->kind(0x1000 | (2 << 3) | 1, 0) == PT_ENTRY_INVALID, "ept: memory type 2 reserved");
	CHECK(f->kind(0x1000 | (7 << 3) | 1, 0) == PT_ENTRY_INVALID, "ept: memory type 7 reserved");
	CHECK(f->kind(0x1000 | BIT(7) | (6 << 3) | 7, 3) == PT_ENTRY_INVALID, "ept: large bit at level 3 reserved");
	CHECK(f->kind(0x1000 | BIT(7) | (6 << 3) | 7, 0) == PT_ENTRY_LEAF, "ept: bit 7 at level 0 is ignored");
	CHECK(f->kind(0x201000 | BIT(7) | (6 << 3) | 7, 1) == PT_ENTRY_INVALID,
	      "ept: address bits below a 2M page are reserved");
	CHECK(f->kind(0x1000 | (6 << 3) | 4, 0) == PT_ENTRY_LEAF, "ept: execute-only is a leaf");
	CHECK_EQ(f->entry_perms(0x1000 | (6 << 3) | 4, 0), PT_X, "ept: execute-only perms");
	CHECK_EQ(f->entry_perms(0x1000 | 1, 2), PT_R, "ept: table entry reports its own RWX");
}

static void test_x86_long_mode(void)
{
	const struct pt_format *npt = &pt_format_x86_npt;
	const struct pt_format *g = &pt_format_x86_64;
	uint64_t n4k = npt->make_leaf(0x5000, 0, PT_RW, PT_MEM_NORMAL);
	uint64_t n2m = npt->make_leaf(0x200000, 1, PT_RWX, PT_MEM_NORMAL);
	uint64_t n1g = npt->make_leaf(0x40000000, 2, PT_R, PT_MEM_DEVICE);
	uint64_t k4k = g->make_leaf(0x5000, 0, PT_RW, PT_MEM_NORMAL);
	uint64_t u2m = g->make_leaf(0x200000, 1, PT_R | PT_X | PT_USER, PT_MEM_NORMAL);
	unsigned level;

	CHECK(n4k & n2m & n1g & BIT(2), "npt: U/S set on every leaf, without PT_USER");
	for (level = 1; level < 4; level++)
		CHECK((npt->make_table(0x3000) & 7) == 7, "npt: table at level %u is P|RW|US", level);
	CHECK_EQ(n4k, 0x5000 | BIT(63) | 7, "npt: whole 4K RW leaf");
	CHECK(!(n4k & BIT(7)) && (n2m & BIT(7)) && (n1g & BIT(7)), "npt: PS only on 2M/1G leaves");
	CHECK(!(n2m & BIT(63)), "npt: PT_X clears NX");
	CHECK(!(n1g & BIT(1)), "npt: read-only has RW clear");
	CHECK_EQ(n1g & (BIT(3) | BIT(4)), BIT(3) | BIT(4), "npt: device sets PCD|PWT");
	CHECK_EQ(npt->entry_perms(n4k & ~BIT(2), 0), 0, "npt: an entry without U/S allows nothing");
	CHECK_EQ(npt->entry_perms(npt->make_table(0x3000) & ~BIT(2), 2), 0,
		 "npt: a table without U/S allows nothing");

	CHECK(!(k4k & BIT(2)), "x86-64: kernel page has U/S clear");
	CHECK(u2m & BIT(2), "x86-64: user page has U/S set");
	CHECK_EQ(g->make_table(0x3000), 0x3007, "x86-64: table is P|RW|US");
	CHECK_EQ(g->entry_perms(0x3001 | BIT(63), 3), PT_R,
		 "x86-64: table with RW, U/S clear and NX reports R only");
	CHECK_EQ(g->entry_perms(0x3007, 3), PT_PERMS_ALL, "x86-64: P|RW|US table restricts nothing");

	CHECK(g->kind(0x1000 | BIT(7) | 1, 3) == PT_ENTRY_INVALID, "x86: PS at level 3 is invalid");
	CHECK(g->kind(0x1000 | BIT(7) | 1, 0) == PT_ENTRY_LEAF, "x86: PS at level 0 is PAT: a 4K leaf");
	CHECK_EQ(g->entry_memtype(0x1000 | BIT(7) | 1, 0), PT_MEM_DEVICE, "x86: 4K PAT bit is not write-back");
	CHECK(g->kind(0x1000 | 1, 2) == PT_ENTRY_TABLE, "x86: level 2 without PS is a table");
	CHECK(g->kind(0x202000 | BIT(7) | 1, 1) == PT_ENTRY_INVALID,
	      "x86: reserved bits below a 2M page make it invalid");
	CHECK(g->kind(0x201000 | BIT(7) | 1, 1) == PT_ENTRY_LEAF, "x86: bit 12 of a 2M page is PAT");
	CHECK_EQ(g->entry_addr(0x201000 | BIT(7) | 1, 1), 0x200000, "x86: PAT is not part of the address");
	CHECK_EQ(g->entry_memtype(0x201000 | BIT(7) | 1, 1), PT_MEM_DEVICE, "x86: 2M PAT bit is not write-back");
	CHECK(g->kind(0x1006, 0) == PT_ENTRY_INVALID, "x86: P clear is invalid");
}

int main(void)
{
	unsigned i;

	unit_begin("test_formats");
	for (i = 0; i < NFORMATS; i++) {
		const struct pt_format *f = formats[i];

		CHECK(f->levels == 4 && f->in_bits == 48 && f->leaf_levels == 7,
		      "%s: 4 levels, 48 bits, leaves at 0-2", f->name);
		test_leaf_round_trip(f);
		test_table_round_trip(f);
		test_hostile_addresses(f);
	}
	test_arm_stage2();
	test_arm_stage1();
	test_ept();
	test_x86_long_mode();
	return unit_done();
}
