/*
 * libFuzzer target: walking a hostile guest's own page tables
 * (mm/guest_mem.c over the engine's pt_translate).
 *
 * The input becomes the guest's RAM -- its page tables included -- and a
 * root and virtual addresses to look up.  Then:
 *
 *   - nothing may crash or read outside guest RAM: RAM is a heap block of
 *     exactly RAM_SIZE bytes, so ASan traps any stray read or write;
 *   - guest_virt_to_phys must agree with ref_walk() below, a reference
 *     walker written here straight from the architecture's rules (Intel SDM
 *     vol. 3 4.5, "4-level paging"; Arm ARM D8, VMSAv8-64 4 KiB granule),
 *     sharing no code with mm/: translate or refuse (and why), the
 *     resulting guest-physical address, the permissions;
 *   - guest_read_virt / guest_write_virt succeed exactly when the reference
 *     says the page is mapped with the rights and lies in RAM, and touch
 *     exactly the RAM bytes the reference names;
 *   - with kernel_no_user (PAN, SMAP; byte 0, bit 4) every one of them
 *     refuses a page the reference marks user-accessible.
 *   - on x86, under the second stage hv/vm.c builds (RAM only, RWX), the
 *     direct path (guest_mmu.s2_is_ram: pt_x86_64_translate_flat and RAM's
 *     bounds) and the exit path's instruction fetch (guest_x86_64_fetch)
 *     give exactly what the walk through s2 gives.
 *
 * The second-level tables (EPT for x86, Arm stage 2 for Arm) are real and
 * fixed: RAM is mapped RWX except one read-only page and one hole; a page
 * outside RAM is mapped too (to memory that is not the VM's).
 *
 * Where the engine's model is narrower than the architecture, the reference
 * follows the model, and says so: only the lower 48-bit half (x86's upper
 * canonical half and Arm's TTBR1 are not modelled), MAXPHYADDR 52 and
 * EFER.NXE=1 on x86, a 48-bit output size on Arm, and Arm's Access Flag is
 * not checked (as with hardware AF management, FEAT_HAFDBS).
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fake_phys.h"

#define ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

#define RAM_GPA     0x00200000ull
#define RAM_HPA     0x80000000ull
#define RAM_PAGES   16ull
#define RAM_SIZE    (RAM_PAGES * PAGE_SIZE)
#define RO_PAGE     14              /* stage 2: read-only */
#define HOLE_PAGE   15              /* stage 2: not mapped */
#define OUTSIDE_GPA 0x00400000ull   /* stage 2: mapped, but not to RAM */

/* ---- the reference walker ---- */

struct ref {
	int err;            /* 0, MM_ENOTMAPPED or MM_EFAULT */
	uint64_t out;
	unsigned perms;     /* PT_R, PT_W, PT_X, PT_USER */
};

/* Where a guest-physical page is, from the fixed stage-2 layout above:
 * an index into RAM, or -1 if the hypervisor may not read it. */
static long ram_page(uint64_t pa)
{
	if (pa < RAM_GPA || pa >= RAM_GPA + RAM_SIZE)
		return -1;
	if ((pa - RAM_GPA) / PAGE_SIZE == HOLE_PAGE)
		return -1;
	return (long)((pa - RAM_GPA) / PAGE_SIZE);
}

static uint64_t ram_entry(const uint8_t *ram, uint64_t table, unsigned idx)
{
	uint64_t e;
	memcpy(&e, ram + (table - RAM_GPA) + 8 * idx, 8);
	return e;
}

/*
 * x86-64 4-level paging, SDM vol. 3 4.5.  PML4E (our level 3), PDPTE (2),
 * PDE (1), PTE (0).  P is bit 0; PS (bit 7) makes a PDPTE a 1 GiB page and
 * a PDE a 2 MiB page and is reserved in a PML4E; in a large page bits 12
 * (PAT) .. size-1 other than 12 are reserved.  Address bits 51:12.  R/W
 * and U/S must be set at every level for write / user access; NX (bit 63)
 * at any level forbids execution.
 */
static struct ref ref_x86(const uint8_t *ram, uint64_t root, uint64_t va)
{
	struct ref r = { MM_ENOTMAPPED, 0, 0 };
	uint64_t table = root;
	bool w = true, u = true, nx = false;

	if (va >> 48)
		return r;
	for (int level = 3; level >= 0; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;
		uint64_t e;

		if ((table & 0xfff) || ram_page(table) < 0) {
			r.err = MM_EFAULT;
			return r;
		}
		e = ram_entry(ram, table, (va >> shift) & 511);
		if (!(e & 1))
			return r;
		w = w && (e & 2);
		u = u && (e & 4);
		nx = nx || (e >> 63);
		if (level == 3 && (e & 0x80))
			return r;                      /* PS in a PML4E: reserved */
		if (level == 0 || (e & 0x80)) {
			uint64_t size = 1ull << shift;
			uint64_t addr = e & 0x000ffffffffff000ull;
			if (level > 0 && (addr & (size - 1) & ~0x1000ull))
				return r;              /* reserved bits: a fault */
			addr &= ~(size - 1);
			r.err = 0;
			r.out = addr | (va & (size - 1));
			r.perms = PT_R | (w ? PT_W : 0) | (u ? PT_USER : 0) | (nx ? 0 : PT_X);
			return r;
		}
		table = e & 0x000ffffffffff000ull;
	}
	return r;
}

/*
 * Arm VMSAv8-64 stage 1, 4 KiB granule, 48-bit VA, TTBR0 (Arm ARM D8.3).
 * Arm's lookup levels 0..3 are our 3..0.  Bits [1:0]: x0 invalid; 11 a
 * table at Arm levels 0-2, a page at level 3; 01 a block at Arm levels 1
 * and 2, reserved (a fault) at levels 0 and 3.  Output address bits 47:12
 * (a block's bits below its size are RES0, ignored).  Tables may take
 * rights away for everything below: APTable[1] (bit 62) write,
 * APTable[0] (61) EL0, UXNTable (60) / PXNTable (59) execution.  A leaf:
 * AP[2] (bit 7) read-only, AP[1] (6) EL0 access, UXN (54) / PXN (53).
 * PT_X is "executable at the EL the page is for": UXN for an EL0 page,
 * PXN otherwise, and either XNTable removes it.
 */
static struct ref ref_arm_s1(const uint8_t *ram, uint64_t root, uint64_t va)
{
	struct ref r = { MM_ENOTMAPPED, 0, 0 };
	uint64_t table = root;
	bool tbl_ro = false, tbl_noel0 = false, tbl_xn = false;

	if (va >> 48)
		return r;
	for (int arm_level = 0; arm_level <= 3; arm_level++) {
		unsigned shift = 12 + 9 * (unsigned)(3 - arm_level);
		uint64_t e;

		if ((table & 0xfff) || ram_page(table) < 0) {
			r.err = MM_EFAULT;
			return r;
		}
		e = ram_entry(ram, table, (va >> shift) & 511);
		if ((e & 3) == 3 && arm_level < 3) {
			tbl_ro = tbl_ro || (e >> 62 & 1);
			tbl_noel0 = tbl_noel0 || (e >> 61 & 1);
			tbl_xn = tbl_xn || (e >> 60 & 1) || (e >> 59 & 1);
			table = e & 0x0000fffffffff000ull;
			continue;
		}
		if (!((e & 3) == 3 || ((e & 3) == 1 && (arm_level == 1 || arm_level == 2))))
			return r;
		{
			uint64_t size = 1ull << shift;
			bool el0 = (e >> 6 & 1) && !tbl_noel0;
			bool ro = (e >> 7 & 1) || tbl_ro;
			bool xn = tbl_xn || (e >> ((e >> 6 & 1) ? 54 : 53) & 1);

			r.err = 0;
			r.out = (e & 0x0000fffffffff000ull & ~(size - 1)) | (va & (size - 1));
			r.perms = PT_R | (ro ? 0 : PT_W) | (el0 ? PT_USER : 0) | (xn ? 0 : PT_X);
			return r;
		}
	}
	return r;
}

/* ---- the fixed second stage ---- */

struct stage2 {
	struct fake_phys host;
	struct pt s2;
};
static struct stage2 s2_x86, s2_arm, s2_x86_plain;

static void stage2_init(struct stage2 *s, const struct pt_format *f)
{
	int err = 0;

	fake_phys_init(&s->host, 32);
	err |= pt_init(&s->s2, f, &s->host.mem);
	err |= s2_map_range(&s->s2, gpa(RAM_GPA), hpa(RAM_HPA), RO_PAGE * PAGE_SIZE,
			    PT_RWX, PT_MEM_NORMAL);
	err |= s2_map_range(&s->s2, gpa(RAM_GPA + RO_PAGE * PAGE_SIZE),
			    hpa(RAM_HPA + RO_PAGE * PAGE_SIZE), PAGE_SIZE, PT_R, PT_MEM_NORMAL);
	err |= s2_map_range(&s->s2, gpa(OUTSIDE_GPA), hpa(RAM_HPA + RAM_SIZE), PAGE_SIZE,
			    PT_RW, PT_MEM_NORMAL);
	ASSERT(err == 0);
}

/* The second stage hv/vm.c builds: RAM, all of it PT_RWX, and nothing else
 * -- the layout guest_mmu.s2_is_ram promises, under which mm/ answers
 * from RAM's bounds and walks x86-64 tables directly. */
static void stage2_init_plain(struct stage2 *s, const struct pt_format *f)
{
	int err = 0;

	fake_phys_init(&s->host, 32);
	err |= pt_init(&s->s2, f, &s->host.mem);
	err |= s2_map_range(&s->s2, gpa(RAM_GPA), hpa(RAM_HPA), RAM_SIZE, PT_RWX, PT_MEM_NORMAL);
	ASSERT(err == 0);
}

/*
 * The direct path against the generic one, on the same hostile tables: with
 * s2_is_ram (hv/vm.c's VMs; x86-64 tables walked by
 * pt_x86_64_translate_flat, guest-physical checked against RAM's bounds)
 * every answer must be the one the walk through s2 gives -- the same
 * error, the same address, the same bytes, the same prefix length.
 */
static void check_direct(struct guest_mmu *m, uint64_t va, unsigned need)
{
	struct guest_mmu direct = *m;
	gpa_t out_g = gpa(0), out_d = gpa(0);
	uint8_t buf_g[24], buf_d[24];
	int eg, ed;

	direct.s2_is_ram = true;
	eg = guest_virt_to_phys(m, gva(va), need, &out_g);
	ed = guest_virt_to_phys(&direct, gva(va), need, &out_d);
	ASSERT(eg == ed);
	if (eg == 0)
		ASSERT(gpa_val(out_g) == gpa_val(out_d));

	/* An instruction fetch of up to 15 bytes that may cross a page. */
	uint64_t at = va | 0xff8;
	uint64_t ng = guest_read_virt_prefix(m, gva(at), buf_g, 15, &eg);
	uint64_t nd = guest_read_virt_prefix(&direct, gva(at), buf_d, 15, &ed);
	ASSERT(ng == nd);
	ASSERT(memcmp(buf_g, buf_d, ng) == 0);
	if (ng == 0)
		ASSERT(eg == ed);

	/* The x86 exit path's own fetch (guest_x86_64_fetch: no guest_mmu,
	 * inline within a page), at the same place and inside one page:
	 * the generic answer again, for an instruction fetch (no SMAP). */
	if (!m->kernel_no_user) {
		uint64_t starts[2] = { at, va & ~0xfull };
		for (int i = 0; i < 2; i++) {
			ng = guest_read_virt_prefix(m, gva(starts[i]), buf_g, 15, &eg);
			nd = guest_x86_64_fetch(m->ram, m->gpt_enabled, m->gpt_root, gva(starts[i]),
						buf_d, 15, &ed);
			ASSERT(ng == nd);
			ASSERT(memcmp(buf_g, buf_d, ng) == 0);
			if (ng == 0)
				ASSERT(eg == ed);
		}
	}

	eg = guest_read_virt(m, gva(va), buf_g, 8);
	ed = guest_read_virt(&direct, gva(va), buf_d, 8);
	ASSERT(eg == ed);
	if (eg == 0)
		ASSERT(memcmp(buf_g, buf_d, 8) == 0);
}

/* ---- the input ----)
 *
 *   byte 0     bit 0: Arm (else x86); bits 1..3: extra rights asked for
 *              (W, X, USER); bit 4: kernel_no_user (PAN, SMAP); bit 5
 *              (x86): also compare the direct path (check_direct)
 *   byte 1     the root: RAM page (b % 18): 16 is OUTSIDE_GPA, 17 an
 *              unaligned address in RAM
 *   bytes 2-9  the virtual address (little-endian)
 *   then 11-byte records, each writing one entry into RAM:
 *              page (bit 7: "aim" the entry at a RAM page, i.e. replace its
 *              address bits 12..47 with RAM page (entry >> 12) % 18, so
 *              the fuzzer reaches deep walks without guessing addresses),
 *              index (2 bytes, % 512), entry (8 bytes)
 */
static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t page_addr(unsigned sel)
{
	sel %= RAM_PAGES + 2;
	if (sel == RAM_PAGES)
		return OUTSIDE_GPA;
	if (sel == RAM_PAGES + 1)
		return RAM_GPA + 8;
	return RAM_GPA + sel * PAGE_SIZE;
}

static void check_one(const struct guest_mmu *m, uint8_t *ram, bool arm, uint64_t va,
		      unsigned need)
{
	struct ref r = arm ? ref_arm_s1(ram, gpa_val(m->gpt_root), va)
			   : ref_x86(ram, gpa_val(m->gpt_root), va);
	gpa_t out = gpa(0);
	int err = guest_virt_to_phys(m, gva(va), need, &out);
	int want = r.err;
	uint8_t buf[16];
	uint64_t len = 16 - (va & 7);   /* stays inside va's page when it can */
	long page;

	if (want == 0 && (r.perms & need) != need)
		want = MM_EPERM;
	/* PAN/SMAP: the kernel's data accesses to user pages fault. */
	bool no_user = r.err == 0 && m->kernel_no_user && (r.perms & PT_USER);
	if (want == 0 && no_user)
		want = MM_EPERM;
	ASSERT(err == want);
	if (err == 0)
		ASSERT(gpa_val(out) == r.out);

	/* A read: only through the reference's mapping, only from RAM. */
	if (PAGE_SIZE - (va & (PAGE_SIZE - 1)) < len)
		len = PAGE_SIZE - (va & (PAGE_SIZE - 1));
	err = guest_read_virt(m, gva(va), buf, len);
	page = r.err == 0 ? ram_page(r.out) : -1;
	if (r.err)
		ASSERT(err == r.err);
	else if (no_user)
		ASSERT(err == MM_EPERM);
	else if (page < 0)
		ASSERT(err == MM_EFAULT);
	else
		ASSERT(err == 0 && memcmp(buf, ram + (r.out - RAM_GPA), len) == 0);

	/* A one-byte write, where the reference allows it, lands there. */
	{
		uint8_t v = (uint8_t)(va * 7 + 1);
		bool may = r.err == 0 && (r.perms & PT_W) && !no_user && page >= 0 &&
			   page != RO_PAGE;
		uint8_t before = page >= 0 ? ram[r.out - RAM_GPA] : 0;

		err = guest_write_virt(m, gva(va), &v, 1);
		ASSERT((err == 0) == may);
		if (may)
			ASSERT(ram[r.out - RAM_GPA] == v);
		else if (page >= 0)
			ASSERT(ram[r.out - RAM_GPA] == before);
		if (may)
			ram[r.out - RAM_GPA] = before;  /* keep the tables as they were */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct guest_ram gram;
	struct guest_mmu m;
	uint8_t *ram;
	bool arm;
	unsigned need = PT_R;
	uint64_t va;

	if (!ready) {
		stage2_init(&s2_x86, &pt_format_x86_ept);
		stage2_init(&s2_arm, &pt_format_arm_stage2);
		stage2_init_plain(&s2_x86_plain, &pt_format_x86_ept);
		ready = true;
	}
	if (size < 10)
		return 0;
	arm = data[0] & 1;
	if (data[0] & 2)
		need |= PT_W;
	if (data[0] & 4)
		need |= PT_X;
	if (data[0] & 8)
		need |= PT_USER;

	ram = aligned_alloc(PAGE_SIZE, RAM_SIZE);   /* exactly RAM: ASan fences it */
	ASSERT(ram);
	memset(ram, 0, RAM_SIZE);
	for (size_t p = 10; p + 11 <= size; p += 11) {
		uint64_t page = page_addr(data[p] & 0x7f);
		unsigned idx = (unsigned)(data[p + 1] | data[p + 2] << 8) % 512;
		uint64_t e = le64(data + p + 3);

		if (data[p] & 0x80)
			e = (e & ~0x0000fffffffff000ull) | page_addr((unsigned)(e >> 12));
		if (page >= RAM_GPA && page - RAM_GPA < RAM_SIZE && !(page & 0xfff))
			memcpy(ram + (page - RAM_GPA) + 8 * idx, &e, 8);
	}

	gram = (struct guest_ram){ gpa(RAM_GPA), hpa(RAM_HPA), ram, RAM_SIZE };
	m = (struct guest_mmu){
		.ram = &gram,
		.s2 = arm ? &s2_arm.s2 : &s2_x86.s2,
		.gpt_fmt = arm ? &pt_format_arm_stage1 : &pt_format_x86_64,
		.gpt_root = gpa(page_addr(data[1])),
		.gpt_enabled = true,
		.kernel_no_user = data[0] & 16,
	};
	va = le64(data + 2);
	/* The address and its neighbours one entry over at each level. */
	check_one(&m, ram, arm, va, need);
	check_one(&m, ram, arm, va ^ (1ull << 12), need);
	check_one(&m, ram, arm, va ^ (1ull << 21), need);
	check_one(&m, ram, arm, va ^ (1ull << 30), need);
	check_one(&m, ram, arm, va & 0x0000ffffffffffffull, need);
	/* Byte 0, bit 5 (x86): the same tables under hv/vm.c's second stage,
	 * walked both ways. */
	if (!arm && (data[0] & 32)) {
		m.s2 = &s2_x86_plain.s2;
		check_direct(&m, va, need);
		check_direct(&m, va ^ (1ull << 21), need);
		check_direct(&m, va & 0x0000ffffffffffffull, need);
	}
	free(ram);
	return 0;
}
