/*
 * Reaching guest memory: copies through two levels of tables, and a guest
 * whose tables point where they should not.
 *
 * The guest's RAM is a heap buffer of exactly RAM_SIZE bytes, so under
 * AddressSanitizer any read or write outside it aborts the test: "refused
 * without reading outside" is checked by the sanitizer, not only by the
 * return codes.
 *
 * Each test runs three times: EPT with x86-64 guest tables, NPT with x86-64
 * guest tables, and Arm stage 2 with Arm stage-1 guest tables.
 */
#include <string.h>

#include "mm/pt_arm.h"
#include "tests/fake_phys.h"
#include "tests/unit.h"

#define RAM_GPA      0x00100000ull   /* the guest sees its RAM at 1 MiB */
#define RAM_HPA      0x80000000ull   /* and it "really" is at 2 GiB */
#define RAM_SIZE     0x00100000ull   /* 1 MiB */
#define TABLES_GPA   (RAM_GPA + RAM_SIZE - 0x10000)  /* last 64K: guest tables */
#define OUTSIDE_GPA  0x00400000ull   /* stage 2 maps it just past the RAM block */
#define UNMAPPED_GPA 0x40000000ull   /* stage 2 maps nothing here */

/* Guest-virtual layout built by fixture_init. */
#define VA_DATA      0x00400000ull   /* 3 user pages: gpa +0x7000, +0x3000 (RW), +0x5000 (R) */
#define VA_KERNEL    0x00600000ull   /* kernel RW page at gpa +0x9000 */
#define VA_OUTSIDE   0x00700000ull   /* leaf -> OUTSIDE_GPA */
#define VA_UNMAPPED  0x00701000ull   /* leaf -> UNMAPPED_GPA */

struct fixture {
	const char *name;
	struct fake_phys host;          /* the hypervisor's stage-2 tables */
	struct pt s2;
	uint8_t *ram_buf;
	struct guest_ram ram;
	struct guest_table_pool tables;
	struct pt_mem table_mem;
	struct pt gpt;
	struct guest_mmu mmu;
};

/* The host byte behind guest-physical RAM_GPA + off. */
static uint8_t *ram_at(struct fixture *v, uint64_t off)
{
	return v->ram_buf + off;
}

static void fixture_init(struct fixture *v, const struct pt_format *s2f,
			 const struct pt_format *gptf)
{
	int err = 0;

	v->name = s2f->name;
	fake_phys_init(&v->host, 32);
	err |= pt_init(&v->s2, s2f, &v->host.mem);
	err |= s2_map_range(&v->s2, gpa(RAM_GPA), hpa(RAM_HPA), RAM_SIZE, PT_RWX, PT_MEM_NORMAL);
	err |= s2_map_range(&v->s2, gpa(OUTSIDE_GPA), hpa(RAM_HPA + RAM_SIZE), PAGE_SIZE,
			    PT_RW, PT_MEM_DEVICE);

	/* Exactly RAM_SIZE bytes, so the sanitizer fences both sides. */
	v->ram_buf = aligned_alloc(PAGE_SIZE, RAM_SIZE);
	if (!v->ram_buf)
		abort();
	memset(v->ram_buf, 0, RAM_SIZE);
	v->ram = (struct guest_ram){ gpa(RAM_GPA), hpa(RAM_HPA), v->ram_buf, RAM_SIZE };

	guest_table_pool_init(&v->tables, &v->ram, gpa(TABLES_GPA), 0x10000);
	guest_table_pool_mem(&v->tables, &v->table_mem);
	err |= pt_init(&v->gpt, gptf, &v->table_mem);
	err |= gpt_map_range(&v->gpt, gva(VA_DATA), gpa(RAM_GPA + 0x7000), PAGE_SIZE,
			     PT_RW | PT_USER, PT_MEM_NORMAL);
	err |= gpt_map_range(&v->gpt, gva(VA_DATA + 0x1000), gpa(RAM_GPA + 0x3000), PAGE_SIZE,
			     PT_RW | PT_USER, PT_MEM_NORMAL);
	err |= gpt_map_range(&v->gpt, gva(VA_DATA + 0x2000), gpa(RAM_GPA + 0x5000), PAGE_SIZE,
			     PT_R | PT_USER, PT_MEM_NORMAL);
	err |= gpt_map_range(&v->gpt, gva(VA_KERNEL), gpa(RAM_GPA + 0x9000), PAGE_SIZE,
			     PT_RW, PT_MEM_NORMAL);
	err |= gpt_map_range(&v->gpt, gva(VA_OUTSIDE), gpa(OUTSIDE_GPA), PAGE_SIZE,
			     PT_RW, PT_MEM_NORMAL);
	err |= gpt_map_range(&v->gpt, gva(VA_UNMAPPED), gpa(UNMAPPED_GPA), PAGE_SIZE,
			     PT_RW, PT_MEM_NORMAL);
	CHECK(err == 0, "%s: set up stage 2 and guest tables", v->name);

	v->mmu = (struct guest_mmu){ .ram = &v->ram, .s2 = &v->s2, .gpt_fmt = gptf,
				     .gpt_root = gpa(v->gpt.root_pa), .gpt_enabled = true };
}

static void fixture_fini(struct fixture *v)
{
	fake_phys_free(&v->host);
	free(v->ram_buf);
}

static void test_table_pool(struct fixture *v)
{
	struct bump_stats s;
	struct guest_table_pool bad;
	uint64_t pa;

	CHECK_EQ(v->gpt.root_pa, TABLES_GPA, "%s: guest root is the pool's first page (a GPA)", v->name);
	bump_get_stats(&v->tables.bump, &s);
	CHECK_EQ(s.used, v->gpt.table_pages * PAGE_SIZE, "%s: every guest table came from the pool", v->name);
	CHECK(v->table_mem.table_ptr(v->table_mem.ctx, TABLES_GPA) ==
	      (uint64_t *)(void *)ram_at(v, TABLES_GPA - RAM_GPA),
	      "%s: table_ptr of the root is its place in guest RAM", v->name);
	CHECK(v->table_mem.table_ptr(&v->tables, TABLES_GPA + 8) == NULL,
	      "%s: unaligned table address refused", v->name);
	CHECK(v->table_mem.table_ptr(&v->tables, RAM_GPA) == NULL,
	      "%s: RAM outside the pool is not a table", v->name);
	CHECK(v->table_mem.table_ptr(&v->tables, RAM_GPA + RAM_SIZE - PAGE_SIZE) == NULL,
	      "%s: pool page not yet allocated is not a table", v->name);
	CHECK(v->table_mem.table_ptr(&v->tables, 0) == NULL &&
	      v->table_mem.table_ptr(&v->tables, ~0xfffull) == NULL,
	      "%s: addresses outside RAM refused", v->name);

	guest_table_pool_init(&bad, &v->ram, gpa(RAM_GPA + RAM_SIZE - PAGE_SIZE), 2 * PAGE_SIZE);
	CHECK(bad.bump.end == bad.bump.base, "%s: pool running past RAM is empty", v->name);
	guest_table_pool_init(&bad, &v->ram, gpa(RAM_GPA - PAGE_SIZE), PAGE_SIZE);
	CHECK(bad.bump.end == bad.bump.base, "%s: pool below RAM is empty", v->name);
	guest_table_pool_init(&bad, &v->ram, gpa(RAM_GPA + 0x20000), PAGE_SIZE);
	CHECK(v->table_mem.alloc_table(&bad, &pa) == 0 && pa == RAM_GPA + 0x20000,
	      "%s: pool inside RAM hands out GPAs", v->name);
	CHECK(v->table_mem.alloc_table(&bad, &pa) == MM_ENOMEM, "%s: and runs out", v->name);
}

static void test_host_pool(struct fixture *v)
{
	struct pt_mem *m = &v->host.mem;
	uint64_t top = FAKE_HPA_BASE + v->s2.table_pages * PAGE_SIZE;

	CHECK(m->table_ptr(m->ctx, FAKE_HPA_BASE) == (uint64_t *)(void *)v->host.buf,
	      "%s: host pool: first table at the fake base", v->name);
	CHECK(m->table_ptr(m->ctx, top - PAGE_SIZE) != NULL, "%s: host pool: last table", v->name);
	CHECK(m->table_ptr(m->ctx, top) == NULL, "%s: host pool: past the last allocation refused", v->name);
	CHECK(m->table_ptr(m->ctx, FAKE_HPA_BASE - PAGE_SIZE) == NULL, "%s: host pool: below the pool refused", v->name);
	CHECK(m->table_ptr(m->ctx, FAKE_HPA_BASE + 0x800) == NULL, "%s: host pool: unaligned refused", v->name);
	CHECK(m->table_ptr(m->ctx, FAKE_HPA_BASE | (1ull << 63)) == NULL,
	      "%s: host pool: high bits refused", v->name);
}

static void test_copies(struct fixture *v)
{
	uint8_t buf[64], want[64];
	gpa_t pa;
	int i;

	/* The two data pages are backwards in guest-physical memory. */
	for (i = 0; i < 32; i++) {
		*ram_at(v, 0x7ff0 + i) = (uint8_t)(0x10 + i);  /* end of page +0x7000 */
		*ram_at(v, 0x3000 + i) = (uint8_t)(0x80 + i);  /* start of page +0x3000 */
	}
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(guest_read_virt(&v->mmu, gva(VA_DATA + 0xff0), buf, 32), 0,
		 "%s: read across a page boundary", v->name);
	for (i = 0; i < 16; i++) {
		want[i] = (uint8_t)(0x10 + i);
		want[16 + i] = (uint8_t)(0x80 + i);
	}
	CHECK(memcmp(buf, want, 32) == 0, "%s: bytes come from both (non-adjacent) pages", v->name);

	for (i = 0; i < 64; i++)
		buf[i] = (uint8_t)(0xc0 ^ i);
	CHECK_EQ(guest_write_virt(&v->mmu, gva(VA_DATA + 0xfe0), buf, 64), 0,
		 "%s: write across a page boundary", v->name);
	CHECK(memcmp(ram_at(v, 0x7fe0), buf, 32) == 0 && memcmp(ram_at(v, 0x3000), buf + 32, 32) == 0,
	      "%s: bytes land in both pages", v->name);
	CHECK(*ram_at(v, 0x7fdf) == 0 && *ram_at(v, 0x3020) == 0,
	      "%s: and nowhere else", v->name);

	CHECK_EQ(guest_read_virt(&v->mmu, gva(VA_DATA), buf, 0), 0, "%s: zero-length read", v->name);

	/* A write translates all its pages before it writes (into a fixed
	 * array): up to GUEST_WRITE_MAX_PAGES pages, and one byte more is
	 * refused with nothing written.  With guest paging off, gva = gpa. */
	{
		static uint8_t big[GUEST_WRITE_MAX_PAGES * PAGE_SIZE + 1];
		struct guest_mmu flat = v->mmu;
		bool zero = true;

		flat.gpt_enabled = false;
		memset(big, 0x77, sizeof(big));
		CHECK_EQ(guest_write_virt(&flat, gva(RAM_GPA + 0x10000), big, sizeof(big) - 1), 0,
			 "%s: a write of GUEST_WRITE_MAX_PAGES pages", v->name);
		memset(ram_at(v, 0x10000), 0, sizeof(big));
		CHECK_EQ(guest_write_virt(&flat, gva(RAM_GPA + 0x10000), big, sizeof(big)), MM_EINVAL,
			 "%s: one byte more (one page more) is refused", v->name);
		for (size_t j = 0; j < sizeof(big); j++)
			if (*ram_at(v, 0x10000 + j) != 0)
				zero = false;
		CHECK(zero, "%s: ... and writes nothing", v->name);
	}

	CHECK_EQ(guest_virt_to_phys(&v->mmu, gva(VA_DATA + 0x1234), PT_R, &pa), 0,
		 "%s: virt to phys", v->name);
	CHECK_EQ(gpa_val(pa), RAM_GPA + 0x3234, "%s: virt to phys result", v->name);
	CHECK_EQ(guest_virt_to_phys(&v->mmu, gva(VA_DATA), PT_R | PT_W | PT_USER, &pa), 0,
		 "%s: user page allows a user write", v->name);
	CHECK_EQ(guest_virt_to_phys(&v->mmu, gva(VA_KERNEL), PT_R | PT_USER, &pa), MM_EPERM,
		 "%s: kernel page refuses a user access", v->name);
}

static void test_permissions(struct fixture *v)
{
	uint8_t buf[32];
	unsigned i;

	memset(ram_at(v, 0x5000), 0x5a, 16);
	CHECK_EQ(guest_read_virt(&v->mmu, gva(VA_DATA + 0x2000), buf, 16), 0,
		 "%s: read a read-only page", v->name);
	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(guest_write_virt(&v->mmu, gva(VA_DATA + 0x2000), buf, 16), MM_EPERM,
		 "%s: write to a read-only page refused", v->name);
	CHECK(*ram_at(v, 0x5000) == 0x5a, "%s: read-only page unchanged", v->name);

	memset(ram_at(v, 0x3ff0), 0x11, 16);
	CHECK_EQ(guest_write_virt(&v->mmu, gva(VA_DATA + 0x1ff0), buf, 32), MM_EPERM,
		 "%s: write running into a read-only page refused", v->name);
	for (i = 0; i < 16; i++)
		if (*ram_at(v, 0x3ff0 + i) != 0x11)
			break;
	CHECK(i == 16, "%s: the writable first page was not written either", v->name);

	/* Stage 2 can say no as well: the guest thinks the page is RW. */
	CHECK_EQ(s2_protect_range(&v->s2, gpa(RAM_GPA + 0x9000), PAGE_SIZE, PT_R), 0,
		 "%s: stage 2 makes a page read-only", v->name);
	CHECK_EQ(guest_write_virt(&v->mmu, gva(VA_KERNEL), buf, 4), MM_EPERM,
		 "%s: write refused by stage 2", v->name);
	CHECK_EQ(guest_read_virt(&v->mmu, gva(VA_KERNEL), buf, 4), 0,
		 "%s: read still allowed by stage 2", v->name);
	s2_protect_range(&v->s2, gpa(RAM_GPA + 0x9000), PAGE_SIZE, PT_RWX);
}

/* PAN / SMAP (kernel_no_user): the kernel's data accesses to user pages
 * fail as the CPU's would; its own pages, and everything once it is off,
 * stay reachable. */
static void test_kernel_no_user(struct fixture *v)
{
	struct guest_mmu m = v->mmu;
	uint8_t buf[8] = { 0 };
	gpa_t pa;

	m.kernel_no_user = true;
	CHECK_EQ(guest_read_virt(&m, gva(VA_DATA), buf, 4), MM_EPERM,
		 "%s: PAN/SMAP: a user page refuses the kernel's read", v->name);
	CHECK_EQ(guest_write_virt(&m, gva(VA_DATA + 0x1000), buf, 4), MM_EPERM,
		 "%s: PAN/SMAP: ... and its write", v->name);
	CHECK_EQ(guest_virt_to_phys(&m, gva(VA_DATA + 0x2000), PT_R, &pa), MM_EPERM,
		 "%s: PAN/SMAP: ... and a read-only user page its translation", v->name);
	CHECK_EQ(guest_read_virt(&m, gva(VA_KERNEL), buf, 4), 0,
		 "%s: PAN/SMAP: a kernel page is still the kernel's", v->name);
	CHECK_EQ(guest_read_virt(&v->mmu, gva(VA_DATA), buf, 4), 0,
		 "%s: without PAN/SMAP the user page is readable", v->name);
}

static void test_bad_addresses(struct fixture *v)
{
	uint8_t buf[32];
	int err;

	CHECK_EQ(guest_read_virt(&v->mmu, gva(0x800000), buf, 4), MM_ENOTMAPPED,
		 "%s: guest tables do not map it: not mapped", v->name);
	CHECK_EQ(guest_read_virt(&v->mmu, gva(VA_DATA + 0x2ff0), buf, 32), MM_ENOTMAPPED,
		 "%s: read running off the mapped pages: not mapped", v->name);
	CHECK_EQ(guest_read_virt(&v->mmu, gva(VA_OUTSIDE), buf, 4), MM_EFAULT,
		 "%s: leaf to memory stage 2 maps outside RAM: fault", v->name);
	CHECK_EQ(guest_write_virt(&v->mmu, gva(VA_OUTSIDE), buf, 4), MM_EFAULT,
		 "%s: write there: fault", v->name);
	CHECK_EQ(guest_read_virt(&v->mmu, gva(VA_UNMAPPED), buf, 4), MM_EFAULT,
		 "%s: leaf to memory stage 2 does not map: fault", v->name);

	CHECK_EQ(guest_read_virt(&v->mmu, gva(0xfffffffffffff000ull), buf, 0x2000), MM_EFAULT,
		 "%s: gva + len wrapping past 2^64 refused", v->name);
	CHECK_EQ(guest_read_virt(&v->mmu, gva(VA_DATA), buf, UINT64_MAX), MM_EFAULT,
		 "%s: huge length refused", v->name);
	CHECK_EQ(guest_write_virt(&v->mmu, gva(~0ull), buf, 2), MM_EFAULT,
		 "%s: write wrapping refused", v->name);
	CHECK_EQ(guest_read_virt(&v->mmu, gva(1ull << 48), buf, 4), MM_ENOTMAPPED,
		 "%s: address beyond 48 bits is not mapped", v->name);

	CHECK(guest_phys_ptr(&v->mmu, gpa(UNMAPPED_GPA), 4, PT_R, &err) == NULL && err == MM_ENOTMAPPED,
	      "%s: phys ptr: no stage-2 mapping", v->name);
	CHECK(guest_phys_ptr(&v->mmu, gpa(OUTSIDE_GPA), 4, PT_R, &err) == NULL && err == MM_EFAULT,
	      "%s: phys ptr: mapped outside RAM", v->name);
	CHECK(guest_phys_ptr(&v->mmu, gpa(OUTSIDE_GPA), 4, PT_X, &err) == NULL && err == MM_EPERM,
	      "%s: phys ptr: stage 2 lacks the permission", v->name);
	CHECK(guest_phys_ptr(&v->mmu, gpa(RAM_GPA + 0xffc), 8, PT_R, &err) == NULL && err == MM_EINVAL,
	      "%s: phys ptr: crossing a page refused", v->name);
	CHECK(guest_phys_ptr(&v->mmu, gpa(RAM_GPA), 0, PT_R, &err) == NULL && err == MM_EINVAL,
	      "%s: phys ptr: zero length refused", v->name);
	CHECK(guest_phys_ptr(&v->mmu, gpa(RAM_GPA + RAM_SIZE - 8), 8, PT_RW, &err) ==
	      ram_at(v, RAM_SIZE - 8), "%s: phys ptr: last bytes of RAM", v->name);
}

/* Guest tables that point where they should not. */
static void test_hostile_tables(struct fixture *v)
{
	const struct pt_format *f = v->mmu.gpt_fmt;
	uint64_t *root = (uint64_t *)(void *)ram_at(v, v->gpt.root_pa - RAM_GPA);
	uint64_t self = (2ull << 39) | (2ull << 30) | (2ull << 21) | (2ull << 12);
	uint8_t buf[16];
	gpa_t pa;

	root[1] = f->make_table(UNMAPPED_GPA);
	CHECK_EQ(guest_read_virt(&v->mmu, gva(1ull << 39), buf, 4), MM_EFAULT,
		 "%s: table pointer stage 2 does not map: fault", v->name);
	root[1] = f->make_table(OUTSIDE_GPA);
	CHECK_EQ(guest_virt_to_phys(&v->mmu, gva(1ull << 39), PT_R, &pa), MM_EFAULT,
		 "%s: table pointer mapped outside RAM: fault, nothing read there", v->name);
	root[1] = f->make_table(RAM_GPA + RAM_SIZE);
	CHECK_EQ(guest_read_virt(&v->mmu, gva(1ull << 39), buf, 4), MM_EFAULT,
		 "%s: table pointer just past RAM: fault", v->name);
	root[1] = f->make_table(RAM_GPA) | 0x800;
	CHECK_EQ(guest_read_virt(&v->mmu, gva(1ull << 39), buf, 4), MM_ENOTMAPPED,
		 "%s: table pointer into (empty) RAM: just not mapped", v->name);
	root[1] = 0;

	/* A guest may point a root entry at the root itself (a "recursive"
	 * mapping is a real OS technique).  Each level then reads the root
	 * again, and after four steps the root page itself is the data. */
	root[2] = f->make_table(v->gpt.root_pa);
	CHECK_EQ(guest_virt_to_phys(&v->mmu, gva(self + 0x10), PT_R, &pa), 0,
		 "%s: self-referencing table: the walk ends", v->name);
	CHECK_EQ(gpa_val(pa), v->gpt.root_pa + 0x10, "%s: at the root page", v->name);
	CHECK(guest_read_virt(&v->mmu, gva(self), buf, 16) == 0 && memcmp(buf, root, 16) == 0,
	      "%s: reading it reads the root table", v->name);
	root[2] = 0;

	CHECK_EQ(guest_read_virt(&v->mmu, gva(VA_DATA), buf, 4), 0,
		 "%s: after all that, normal reads still work", v->name);
}

static void test_paging_off(struct fixture *v)
{
	uint8_t buf[8];
	gpa_t pa;

	v->mmu.gpt_enabled = false;
	memcpy(ram_at(v, 0x3ffc), "abcdefgh", 8);
	CHECK_EQ(guest_virt_to_phys(&v->mmu, gva(RAM_GPA + 0x42), PT_RW, &pa), 0,
		 "%s: paging off: translate", v->name);
	CHECK_EQ(gpa_val(pa), RAM_GPA + 0x42, "%s: paging off: gva == gpa", v->name);
	CHECK(guest_read_virt(&v->mmu, gva(RAM_GPA + 0x3ffc), buf, 8) == 0 &&
	      memcmp(buf, "abcdefgh", 8) == 0, "%s: paging off: read across pages", v->name);
	CHECK(guest_write_virt(&v->mmu, gva(RAM_GPA + 0x4000), "XY", 2) == 0 &&
	      memcmp(ram_at(v, 0x4000), "XY", 2) == 0, "%s: paging off: write", v->name);
	CHECK_EQ(guest_read_virt(&v->mmu, gva(UNMAPPED_GPA), buf, 8), MM_EFAULT,
		 "%s: paging off: address stage 2 does not map faults", v->name);
	CHECK_EQ(guest_read_virt(&v->mmu, gva(OUTSIDE_GPA), buf, 8), MM_EFAULT,
		 "%s: paging off: address mapped outside RAM faults", v->name);
	v->mmu.gpt_enabled = true;
}

/*
 * Arm's EL1&0 regime as the backend describes it from TCR_EL1 (guest_mmu's
 * split fields): each half's size decides where the walk starts, bit 55
 * picks TTBR0 or TTBR1, the top byte is ignored only with TBI, a disabled
 * half faults, and an unsupported regime refuses everything.
 */
static void test_arm_regimes(void)
{
	static const struct {
		unsigned bits;
		int levels;  /* -1: refused */
	} sizes[] = { { 24, -1 }, { 25, 2 }, { 30, 2 }, { 31, 3 }, { 39, 3 },
		      { 40, 4 }, { 48, 4 }, { 49, -1 } };
	struct pt_format f;
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int r = pt_arm_s1_format(sizes[i].bits, &f);
		CHECK(sizes[i].levels < 0 ? r == -1 : r == 0 && (int)f.levels == sizes[i].levels &&
		      f.in_bits == sizes[i].bits,
		      "pt_arm_s1_format(%u): %s%d", sizes[i].bits,
		      sizes[i].levels < 0 ? "refused " : "levels ", sizes[i].levels);
	}

	/* A 39-bit lower half (T0SZ 25): a 3-level tree. */
	struct pt_format f39;
	pt_arm_s1_format(39, &f39);
	struct fixture v;
	fixture_init(&v, &pt_format_arm_stage2, &f39);
	v.name = "arm T0SZ=25";
	memset(ram_at(&v, 0x7000), 'L', PAGE_SIZE);
	memset(ram_at(&v, 0x3000), 'U', PAGE_SIZE);
	uint8_t buf[8];

	/* What the fixed 4-level walk did: the root read as level 0. */
	struct guest_mmu four = v.mmu;
	four.gpt_fmt = &pt_format_arm_stage1;
	int e = guest_read_virt(&four, gva(VA_DATA), buf, sizeof(buf));
	CHECK(e != 0 || buf[0] != 'L',
	      "%s: a 4-level walk of the 3-level tree does not find the page the CPU would", v.name);

	v.mmu.split = true;
	v.mmu.upper_disabled = true;
	memset(buf, 0, sizeof(buf));
	CHECK(guest_read_virt(&v.mmu, gva(VA_DATA), buf, sizeof(buf)) == 0 && buf[0] == 'L',
	      "%s: the 39-bit walk, from level 1, finds it", v.name);
	CHECK_EQ(guest_read_virt(&v.mmu, gva(VA_DATA | (1ull << 40)), buf, sizeof(buf)), MM_ENOTMAPPED,
		 "%s: an address above 39 bits, below bit 55, faults", v.name);

	/* Top-byte-ignore. */
	uint64_t tagged = VA_DATA | (0x5aull << 56);
	CHECK_EQ(guest_read_virt(&v.mmu, gva(tagged), buf, sizeof(buf)), MM_ENOTMAPPED,
		 "%s: a tagged pointer faults without TBI0", v.name);
	v.mmu.lower_tbi = true;
	memset(buf, 0, sizeof(buf));
	CHECK(guest_read_virt(&v.mmu, gva(tagged), buf, sizeof(buf)) == 0 && buf[0] == 'L',
	      "%s: with TBI0 the top byte is ignored", v.name);
	CHECK_EQ(guest_read_virt(&v.mmu, gva(tagged | (1ull << 50)), buf, sizeof(buf)), MM_ENOTMAPPED,
		 "%s: ... but not bits 55:39", v.name);
	v.mmu.lower_tbi = false;

	/* The upper half, TTBR1, its own 39-bit tree. */
	struct pt up;
	int err = pt_init(&up, &f39, &v.table_mem);
	err |= gpt_map_range(&up, gva(VA_DATA), gpa(RAM_GPA + 0x3000), PAGE_SIZE,
			     PT_RW | PT_USER, PT_MEM_NORMAL);
	CHECK(err == 0, "%s: built the upper half's tables", v.name);
	uint64_t high = ~((1ull << 39) - 1) | VA_DATA;
	CHECK_EQ(guest_read_virt(&v.mmu, gva(high), buf, sizeof(buf)), MM_ENOTMAPPED,
		 "%s: with EPD1 the upper half faults", v.name);
	v.mmu.upper_disabled = false;
	v.mmu.upper_fmt = &f39;
	v.mmu.upper_root = gpa(up.root_pa);
	memset(buf, 0, sizeof(buf));
	CHECK(guest_read_virt(&v.mmu, gva(high), buf, sizeof(buf)) == 0 && buf[0] == 'U',
	      "%s: bit 55 set: TTBR1's tables, indexed by the low 39 bits", v.name);
	CHECK_EQ(guest_read_virt(&v.mmu, gva(high & ~(1ull << 45)), buf, sizeof(buf)), MM_ENOTMAPPED,
		 "%s: an upper address whose bits 55:39 are not all ones faults", v.name);
	CHECK_EQ(guest_read_virt(&v.mmu, gva(high & ~(0xffull << 56)), buf, sizeof(buf)), MM_ENOTMAPPED,
		 "%s: ... and with the top byte clear, without TBI1", v.name);
	v.mmu.upper_tbi = true;
	CHECK(guest_read_virt(&v.mmu, gva(high & ~(0xffull << 56)), buf, sizeof(buf)) == 0 &&
	      buf[0] == 'U', "%s: ... which TBI1 ignores", v.name);

	v.mmu.unsupported = "a 64 KiB granule";
	CHECK_EQ(guest_read_virt(&v.mmu, gva(VA_DATA), buf, sizeof(buf)), MM_EUNSUPPORTED,
		 "%s: an unsupported regime refuses every address", v.name);
	CHECK_STR(mm_strerror(MM_EUNSUPPORTED), "unsupported translation regime",
		  "%s: ... naming why", v.name);
	fixture_fini(&v);
}

int main(void)
{
	static const struct pt_format *const pairs[][2] = {
		{ &pt_format_x86_ept, &pt_format_x86_64 },
		{ &pt_format_x86_npt, &pt_format_x86_64 },
		{ &pt_format_arm_stage2, &pt_format_arm_stage1 },
	};
	unsigned i;

	unit_begin("test_guest_mem");
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct fixture v;

		fixture_init(&v, pairs[i][0], pairs[i][1]);
		test_table_pool(&v);
		test_host_pool(&v);
		test_copies(&v);
		test_permissions(&v);
		test_kernel_no_user(&v);
		test_bad_addresses(&v);
		test_hostile_tables(&v);
		test_paging_off(&v);
		fixture_fini(&v);
	}
	test_arm_regimes();
	return unit_done();
}
