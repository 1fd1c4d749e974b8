/*
 * The direct x86-64 walk (pt_x86_64_translate_flat) and the RAM-layout
 * shortcut of guest_mem.c (guest_mmu.s2_is_ram) against the generic ones.
 *
 * Both are shortcuts on the x86 exit path and must answer exactly what the
 * engine answers, for any table contents a hostile guest can write: the
 * same error, or the same address, permissions, memory type and level.  So
 * the tables here are random -- entries present or not, tables pointing
 * inside RAM, past it, at unaligned or reserved-bit addresses, large pages
 * with stray low bits, PS where it is reserved -- and every walk is done
 * both ways and compared.  The generic walk reads tables through a pt_mem
 * whose table_ptr reaches the same flat block with the same bounds.  The
 * exit path's instruction fetch (guest_read_virt_prefix, and the exit
 * path's own, guest_x86_64_fetch) is compared with guest_read_virt page by
 * page, both ways.
 */
#include <stdlib.h>
#include <string.h>

#include "mm/guest_mem.h"
#include "tests/fake_phys.h"
#include "tests/unit.h"

#define BASE   0x00200000ull   /* guest-physical address of the block */
#define PAGES  32
#define SIZE   (PAGES * PAGE_SIZE)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure repeats. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

struct flat_ctx {
	struct pt_flat flat;
};

/* The generic engine's view of the same block, with flat_table's rule. */
static uint64_t *flat_table_ptr(void *ctx, uint64_t pa)
{
	const struct flat_ctx *c = ctx;

	if (pa < c->flat.base || pa - c->flat.base >= c->flat.size ||
	    c->flat.size - (pa - c->flat.base) < PAGE_SIZE)
		return NULL;
	return (uint64_t *)(void *)(c->flat.host + (pa - c->flat.base));
}

static int no_alloc(void *ctx, uint64_t *pa)
{
	(void)ctx;
	(void)pa;
	return MM_ENOMEM;
}

/* An address an entry might hold: mostly a page of the block, sometimes
 * just past it, below it, far away, or with low bits set. */
static uint64_t random_target(void)
{
	switch (rnd() % 8) {
	case 0: return BASE + SIZE + (rnd() % 4) * PAGE_SIZE;
	case 1: return BASE - PAGE_SIZE * (1 + rnd() % 4);
	case 2: return (rnd() & 0x000ffffffffff000ull);
	case 3: return BASE + (rnd() % PAGES) * PAGE_SIZE + (rnd() % 2) * 0x1000 * (rnd() % 512);
	default: return BASE + (rnd() % PAGES) * PAGE_SIZE;
	}
}

/* An entry: present most of the time, random R/W, U/S, PWT, PCD, PS,
 * PAT (bit 12 of a large page), NX, and sometimes other bits. */
static uint64_t random_entry(void)
{
	uint64_t e = random_target() & 0x000ffffffffff000ull;

	if (rnd() % 8)
		e |= 1;                         /* P */
	e |= rnd() & 0x1e;                      /* R/W, U/S, PWT, PCD */
	if (rnd() % 4 == 0)
		e |= 0x80;                      /* PS (PAT at level 0) */
	if (rnd() % 2)
		e |= 1ull << 63;                /* NX */
	if (rnd() % 8 == 0)
		e |= rnd() & 0x001ff000ull;     /* stray bits below a 2 MiB block */
	if (rnd() % 8 == 0)
		e |= 1ull << 12;
	return e;
}

/* An input address: one whose indexes tend to hit the same few entries,
 * so walks go deep, and now and then a non-canonical or huge one. */
static uint64_t random_input(void)
{
	uint64_t in = 0;

	for (unsigned level = 0; level < 4; level++)
		in |= (rnd() % 4) << (12 + 9 * level);
	in |= rnd() & 0xfff;
	if (rnd() % 16 == 0)
		in |= rnd() & 0x001ff000ull;
	if (rnd() % 32 == 0)
		in |= 1ull << (47 + rnd() % 17);
	return in;
}

static void fill_random(uint8_t *block)
{
	uint64_t *e = (uint64_t *)(void *)block;

	memset(block, 0, SIZE);
	for (unsigned p = 0; p < PAGES; p++)
		for (unsigned i = 0; i < 4; i++)  /* the entries random_input uses */
			e[p * PT_ENTRIES + i] = random_entry();
	for (unsigned n = 0; n < 64; n++)
		e[rnd() % (SIZE / 8)] = random_entry();
}

static void test_walks(void)
{
	uint8_t *block = aligned_alloc(PAGE_SIZE, SIZE);
	struct flat_ctx ctx;
	struct pt_mem mem = { .alloc_table = no_alloc, .table_ptr = flat_table_ptr, .ctx = &ctx };
	unsigned same = 0, walks = 0, mapped = 0, faults = 0;

	if (!block)
		abort();
	ctx.flat = (struct pt_flat){ .host = block, .base = BASE, .size = SIZE };
	for (unsigned round = 0; round < 400; round++) {
		fill_random(block);
		uint64_t root = rnd() % 16 ? BASE + (rnd() % PAGES) * PAGE_SIZE : random_target();
		struct pt pt;

		pt_attach(&pt, &pt_format_x86_64, &mem, root);
		for (unsigned k = 0; k < 200; k++) {
			uint64_t in = random_input();
			struct pt_walk a = { 0 }, b = { 0 };
			int ea = pt_translate(&pt, in, &a);
			int eb = pt_x86_64_translate_flat(&ctx.flat, root, in, &b);
			bool ok = ea == eb && (ea != 0 || (a.out == b.out && a.perms == b.perms &&
							   a.type == b.type && a.level == b.level));
			walks++;
			same += ok;
			mapped += ea == 0;
			faults += ea == MM_EFAULT;
			if (!ok)
				printf("# differs: root 0x%llx in 0x%llx: generic %d out 0x%llx perms %x level %u, direct %d out 0x%llx perms %x level %u\n",
				       (unsigned long long)root, (unsigned long long)in, ea,
				       (unsigned long long)a.out, a.perms, a.level, eb,
				       (unsigned long long)b.out, b.perms, b.level);
		}
	}
	CHECK_EQ(same, walks, "direct x86-64 walk answers as pt_translate on %u random walks", walks);
	/* The comparison means something only if the random tables reach
	 * every outcome. */
	CHECK(mapped > walks / 50, "%u of them mapped", mapped);
	CHECK(faults > walks / 100, "%u of them met a table outside the block", faults);
	free(block);
}

/* The instruction fetch as the x86 exit path did it before
 * guest_read_virt_prefix: guest_read_virt page by page, keeping what it
 * got. */
static uint64_t fetch_by_pages(const struct guest_mmu *m, uint64_t va, uint8_t *buf,
			       uint64_t len, int *err)
{
	uint64_t got = 0;

	*err = 0;
	while (got < len) {
		uint64_t at = va + got;
		uint64_t chunk = PAGE_SIZE - (at & (PAGE_SIZE - 1));
		if (chunk > len - got)
			chunk = len - got;
		int e = guest_read_virt(m, gva(at), buf + got, chunk);
		if (e) {
			if (got == 0)
				*err = e;
			break;
		}
		got += chunk;
	}
	return got;
}

/*
 * guest_mem.c with s2_is_ram against the same with the second-level walk:
 * NPT tables that map the RAM block and nothing else, random guest tables
 * inside RAM.  Translations, reads (which cross pages) and their errors
 * must agree.
 */
static void test_s2_is_ram(void)
{
	struct fake_phys host;
	struct pt s2;
	uint8_t *ram_buf = aligned_alloc(PAGE_SIZE, SIZE);
	const uint64_t ram_hpa = 0x80000000ull;
	unsigned same = 0, n = 0, ok_reads = 0, fetches = 0, partial = 0;

	if (!ram_buf)
		abort();
	fake_phys_init(&host, 16);
	int err = pt_init(&s2, &pt_format_x86_npt, &host.mem);
	err |= s2_map_range(&s2, gpa(BASE), hpa(ram_hpa), SIZE, PT_RWX, PT_MEM_NORMAL);
	CHECK(err == 0, "NPT maps the RAM block");

	struct guest_ram ram = { gpa(BASE), hpa(ram_hpa), ram_buf, SIZE };
	struct guest_mmu walk = { .ram = &ram, .s2 = &s2, .gpt_fmt = &pt_format_x86_64,
				  .gpt_enabled = true };
	struct guest_mmu layout = walk;
	layout.s2_is_ram = true;

	for (unsigned round = 0; round < 200; round++) {
		fill_random(ram_buf);
		walk.gpt_root = layout.gpt_root = gpa(rnd() % 16 ? BASE + (rnd() % PAGES) * PAGE_SIZE
							 : random_target());
		walk.gpt_enabled = layout.gpt_enabled = rnd() % 8 != 0;
		for (unsigned k = 0; k < 100; k++) {
			uint64_t in = random_input();
			unsigned need = (unsigned)(rnd() % 16);
			gpa_t pa = gpa(0), pb = gpa(0);
			int ea = guest_virt_to_phys(&walk, gva(in), need, &pa);
			int eb = guest_virt_to_phys(&layout, gva(in), need, &pb);
			uint8_t ba[24], bb[24];
			uint64_t at = walk.gpt_enabled ? in : BASE + rnd() % (SIZE + 2 * PAGE_SIZE) - PAGE_SIZE;
			uint64_t len = 1 + rnd() % sizeof(ba);
			memset(ba, 0, sizeof(ba));
			memset(bb, 0, sizeof(bb));
			int ra = guest_read_virt(&walk, gva(at), ba, len);
			int rb = guest_read_virt(&layout, gva(at), bb, len);
			void *ha = NULL, *hb = NULL;
			int xa = 0, xb = 0;
			ha = guest_phys_ptr(&walk, gpa(at), len, need, &xa);
			hb = guest_phys_ptr(&layout, gpa(at), len, need, &xb);

			/* The prefix copy, near a page end half of the time. */
			uint64_t fva = rnd() % 2 ? (in | 0xff0) + rnd() % 16 : in;
			if (rnd() % 64 == 0)
				fva = ~0ull - rnd() % 32;
			uint8_t fr[15], fw[15], fl[15], fx[15];
			int er = -99, ew = -99, el = -99, ex = -99;
			memset(fr, 0, 15);
			memset(fw, 0, 15);
			memset(fl, 0, 15);
			memset(fx, 0, 15);
			uint64_t nr = fetch_by_pages(&walk, fva, fr, 15, &er);
			uint64_t nw = guest_read_virt_prefix(&walk, gva(fva), fw, 15, &ew);
			uint64_t nl = guest_read_virt_prefix(&layout, gva(fva), fl, 15, &el);
			/* ... and the exit path's own, without a guest_mmu. */
			uint64_t nx = guest_x86_64_fetch(&ram, layout.gpt_enabled, layout.gpt_root,
							 gva(fva), fx, 15, &ex);
			bool fetch_ok = nr == nw && nr == nl && nr == nx && er == ew && er == el &&
					er == ex && memcmp(fr, fw, 15) == 0 && memcmp(fr, fl, 15) == 0 &&
					memcmp(fr, fx, 15) == 0;
			if (!fetch_ok)
				printf("# prefix differs at 0x%llx: %llu/%llu/%llu/%llu bytes, err %d/%d/%d/%d\n",
				       (unsigned long long)fva, (unsigned long long)nr,
				       (unsigned long long)nw, (unsigned long long)nl,
				       (unsigned long long)nx, er, ew, el, ex);
			fetches += nr > 0;
			partial += nr > 0 && nr < 15;

			n++;
			ok_reads += ra == 0;
			bool ok = fetch_ok && ea == eb && (ea || gpa_val(pa) == gpa_val(pb)) && ra == rb &&
				  (ra || memcmp(ba, bb, len) == 0) && ha == hb && (ha || xa == xb);
			same += ok;
			if (!ok)
				printf("# differs: in 0x%llx need %x: translate %d/%d, read at 0x%llx len %llu %d/%d, phys_ptr %p/%p %d/%d\n",
				       (unsigned long long)in, need, ea, eb, (unsigned long long)at,
				       (unsigned long long)len, ra, rb, ha, hb, xa, xb);
		}
	}
	CHECK_EQ(same, n, "the RAM layout answers as the NPT walk on %u random accesses", n);
	CHECK(ok_reads > n / 50, "%u of the reads succeeded", ok_reads);
	CHECK(fetches > n / 200 && partial > 0,
	      "guest_read_virt_prefix and guest_x86_64_fetch answer as guest_read_virt page by page: %u fetches got bytes, %u only the first page's",
	      fetches, partial);
	fake_phys_free(&host);
	free(ram_buf);
}

int main(void)
{
	unit_begin("test_pt_direct");
	test_walks();
	test_s2_is_ram();
	return unit_done();
}
