/*
 * libFuzzer target: the page-table engine (mm/pt.c) against a reference
 * model, on every format.
 *
 * The input is a format, a table-memory budget and a sequence of map /
 * unmap / protect / translate calls with fuzz-chosen addresses, sizes,
 * permissions and memory types -- good ones and bad ones.  Beside the real
 * tree, a model keeps what should be mapped as a list of extents
 * (input start, size, output start, permissions, type), built from pt.h's
 * contract alone, never from how pt.c does it.  After every call:
 *
 *   - the call's result is the model's: 0, or MM_EINVAL for what pt.h
 *     calls invalid, MM_EOVERLAP for a map over a mapped page,
 *     MM_ENOTMAPPED for a protect over a hole; MM_ENOMEM only when the
 *     budget is short (the model cannot predict that, so it accepts it and
 *     then demands that nothing changed);
 *   - a refusal other than MM_ENOMEM leaves every byte of table memory and
 *     the table count as they were;
 *   - pt_translate agrees with the model on the call's edges and on the
 *     edges of every extent: mapped or not, output address, permissions
 *     (as the format can express them), memory type;
 *   - table pages are counted: table_pages pages are exactly what the
 *     pool handed out.
 * The fake memory is freed at the end, so LeakSanitizer sees any leak.
 */
#include <stdlib.h>
#include <string.h>

#include "mm/pt_arm.h"
#include "tests/fake_phys.h"

#define ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

/* ---- the formats ---- */

struct fmt_case {
	const struct pt_format *f;
	bool stage1;          /* reports PT_USER; second-level formats do not */
};

#define N_ARM_GEOMETRIES 7   /* PARange 0..6 */
static struct pt_format arm_geometry[N_ARM_GEOMETRIES];
static struct pt_format ept_no1g;  /* EPT on a CPU without 1 GiB pages */
static struct fmt_case cases[5 + N_ARM_GEOMETRIES + 1];
static unsigned n_cases;

static void formats_init(void)
{
	cases[n_cases++] = (struct fmt_case){ &pt_format_x86_ept, false };
	cases[n_cases++] = (struct fmt_case){ &pt_format_x86_npt, false };
	cases[n_cases++] = (struct fmt_case){ &pt_format_x86_64, true };
	cases[n_cases++] = (struct fmt_case){ &pt_format_arm_stage1, true };
	cases[n_cases++] = (struct fmt_case){ &pt_format_arm_stage2, false };
	for (unsigned r = 0; r < N_ARM_GEOMETRIES; r++) {
		struct pt_arm_s2_geometry g;
		pt_arm_s2_geometry(r, &g);
		pt_arm_s2_format(&g, &arm_geometry[r]);
		cases[n_cases++] = (struct fmt_case){ &arm_geometry[r], false };
	}
	ept_no1g = pt_format_x86_ept;
	ept_no1g.leaf_levels &= ~(1u << 2);
	cases[n_cases++] = (struct fmt_case){ &ept_no1g, false };
}

/* ---- the model ---- */

struct extent {
	uint64_t in, size, out;
	unsigned perms;
	enum pt_memtype type;
};

#define MAX_EXTENTS 1024
#define MAX_OPS 64
static struct extent ext[MAX_EXTENTS];
static unsigned n_ext;

static const struct extent *model_find(uint64_t a)
{
	for (unsigned i = 0; i < n_ext; i++)
		if (a >= ext[i].in && a - ext[i].in < ext[i].size)
			return &ext[i];
	return NULL;
}

/* Does [in, in+size) touch any extent?  (end may be 2^64: computed as
 * sizes, never as sums that wrap) */
static bool model_overlaps(uint64_t in, uint64_t size)
{
	for (unsigned i = 0; i < n_ext; i++) {
		uint64_t a = ext[i].in, s = ext[i].size;
		if (a < in ? in - a < s : a - in < size)
			return true;
	}
	return false;
}

/* Is every byte of [in, in+size) inside some extent? */
static bool model_covers(uint64_t in, uint64_t size)
{
	while (size > 0) {
		const struct extent *e = model_find(in);
		uint64_t left;
		if (!e)
			return false;
		left = e->size - (in - e->in);
		if (left >= size)
			return true;
		in += left;
		size -= left;
	}
	return true;
}

/* Remove [in, in+size) from every extent, keeping the parts outside. */
static void model_cut(uint64_t in, uint64_t size)
{
	uint64_t end = in + size;  /* in + size <= 2^in_bits: no wrap */

	for (unsigned i = 0; i < n_ext;) {
		struct extent e = ext[i];
		uint64_t e_end = e.in + e.size;

		if (e_end <= in || e.in >= end) {
			i++;
			continue;
		}
		ext[i] = ext[--n_ext];          /* drop it, re-add the parts */
		if (e.in < in) {
			ASSERT(n_ext < MAX_EXTENTS);
			ext[n_ext++] = (struct extent){ e.in, in - e.in, e.out, e.perms, e.type };
		}
		if (e_end > end) {
			ASSERT(n_ext < MAX_EXTENTS);
			ext[n_ext++] = (struct extent){ end, e_end - end, e.out + (end - e.in),
							e.perms, e.type };
		}
	}
}

/* Protect: cut the range out, put it back with new permissions. */
static void model_protect(uint64_t in, uint64_t size, unsigned perms)
{
	struct extent parts[MAX_EXTENTS];
	unsigned n = 0;
	uint64_t a = in, left = size;

	while (left > 0) {
		const struct extent *e = model_find(a);
		uint64_t off = a - e->in, take = e->size - off;
		if (take > left)
			take = left;
		parts[n++] = (struct extent){ a, take, e->out + off, perms, e->type };
		a += take;
		left -= take;
	}
	model_cut(in, size);
	for (unsigned i = 0; i < n; i++) {
		ASSERT(n_ext < MAX_EXTENTS);
		ext[n_ext++] = parts[i];
	}
}

/* ---- checking the tree against the model ---- */

static unsigned expected_perms(const struct fmt_case *c, unsigned perms)
{
	return c->stage1 ? perms : perms & ~PT_USER;
}

static void probe(const struct pt *pt, const struct fmt_case *c, uint64_t a)
{
	const struct extent *e;
	struct pt_walk w;
	int err;

	a &= ~(PAGE_SIZE - 1);
	e = model_find(a);
	err = pt_translate(pt, a | 0x123, &w);
	if (!e) {
		ASSERT(err == MM_ENOTMAPPED);
		return;
	}
	ASSERT(err == 0);
	ASSERT(w.out == e->out + (a - e->in) + 0x123);
	ASSERT(w.perms == expected_perms(c, e->perms));
	ASSERT(w.type == e->type);
	/* A leaf no larger than the extent allows: its whole block must be
	 * one piece of the same mapping. */
	ASSERT(w.level < c->f->levels);
}

static void probe_edges(const struct pt *pt, const struct fmt_case *c, uint64_t in,
			uint64_t size)
{
	probe(pt, c, in - PAGE_SIZE);
	probe(pt, c, in);
	probe(pt, c, in + size / 2);
	probe(pt, c, in + size - PAGE_SIZE);
	probe(pt, c, in + size);
}

static void probe_all(const struct pt *pt, const struct fmt_case *c)
{
	for (unsigned i = 0; i < n_ext; i++)
		probe_edges(pt, c, ext[i].in, ext[i].size);
}

/* ---- decoding the input into calls ---- */

/* An address with the structure that matters to a radix tree: which
 * 4 KiB page in a 2 MiB block, which block in a 1 GiB one, which 1 GiB and
 * 512 GiB slot; or one just below the top of the space (limit_bits). */
static uint64_t pick_addr(uint8_t hi, uint8_t lo, unsigned limit_bits)
{
	uint64_t a;

	if (hi & 0x80)
		return ((uint64_t)1 << limit_bits) - ((uint64_t)(lo & 31) + 1) * PAGE_SIZE -
		       ((uint64_t)(lo >> 5) << 21);
	a = (uint64_t)(lo & 7) << 12 | (uint64_t)((lo >> 3) & 7) << 21 |
	    (uint64_t)(hi & 7) << 30 | (uint64_t)((hi >> 3) & 3) << 39;
	if (hi & 0x20)
		a |= (uint64_t)511 << 12;
	if (hi & 0x40)
		a |= (uint64_t)511 << 21;
	return a;
}

static uint64_t pick_size(uint8_t s)
{
	switch (s >> 6) {
	case 0:  return ((uint64_t)(s & 63) + 1) * PAGE_SIZE;
	case 1:  return ((uint64_t)(s & 7) + 1) * SZ_2M + (uint64_t)((s >> 3) & 7) * PAGE_SIZE;
	case 2:  return ((uint64_t)(s & 1) + 1) * SZ_1G + (uint64_t)((s >> 1) & 3) * SZ_2M;
	default: return (uint64_t)(s & 63) * 0x800;  /* 0 and unaligned sizes too */
	}
}

static unsigned bits_of(uint64_t mask)
{
	return 64 - (unsigned)__builtin_clzll(mask);
}

/* The pool's bytes in use and the tree's table count, to prove a refusal
 * changed nothing.  Taken only when the model predicts a refusal: copying
 * the pool before every call would cost more than the calls. */
struct snapshot {
	uint8_t *bytes;
	uint64_t used;
	unsigned tables;
};

static void snap(struct snapshot *s, const struct fake_phys *fp, const struct pt *pt)
{
	s->used = fake_phys_used(fp);
	s->bytes = malloc(s->used ? s->used : 1);
	ASSERT(s->bytes);
	memcpy(s->bytes, fp->buf, s->used);
	s->tables = pt->table_pages;
}

static void snap_same(struct snapshot *s, const struct fake_phys *fp, const struct pt *pt)
{
	ASSERT(fake_phys_used(fp) == s->used && pt->table_pages == s->tables);
	ASSERT(memcmp(s->bytes, fp->buf, s->used) == 0);
	free(s->bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	const struct fmt_case *c;
	struct fake_phys fp;
	struct pt pt;
	unsigned in_bits, oa_bits;

	if (!ready) {
		formats_init();
		ready = true;
	}
	if (size < 2)
		return 0;
	c = &cases[data[0] % n_cases];
	/* 1..64 pages of table memory: small budgets make MM_ENOMEM part-way */
	fake_phys_init(&fp, 1 + data[1] % 64);
	if (pt_init(&pt, c->f, &fp.mem) != 0) {
		ASSERT(fake_phys_used(&fp) <= c->f->root_tables * PAGE_SIZE);
		fake_phys_free(&fp);
		return 0;
	}
	ASSERT(pt.table_pages == c->f->root_tables);
	in_bits = c->f->in_bits;
	oa_bits = bits_of(c->f->oa_mask);
	n_ext = 0;

	/* At most MAX_OPS calls: every predicted refusal copies the pool, so
	 * long inputs get slow, and 64 calls already build trees with dozens
	 * of extents. */
	for (size_t p = 2; p + 8 <= size && p < 2 + 8 * MAX_OPS; p += 8) {
		const uint8_t *op = data + p;
		uint64_t in = pick_addr(op[1], op[2], in_bits);
		uint64_t out = pick_addr(op[4], op[5], oa_bits);
		uint64_t sz = pick_size(op[3]);
		unsigned perms = op[6] & 0xf;
		enum pt_memtype type = (op[6] >> 4) & 1 ? PT_MEM_DEVICE : PT_MEM_NORMAL;
		uint64_t limit = (uint64_t)1 << in_bits;
		uint64_t oa_top = c->f->oa_mask | (PAGE_SIZE - 1);
		bool bad_range, bad_perms;
		int want, err;
		struct snapshot s;

		/* Now and then, something plainly wrong. */
		if (op[7] & 0x80) {
			if (op[7] & 1) in |= 0x800;
			if (op[7] & 2) out |= 0x10;
			if (op[7] & 4) perms |= 0x10;
			if (op[7] & 8) type = (enum pt_memtype)7;
			if (op[7] & 16) in = limit + (in & 0xfffff000);
		}
		bad_range = sz == 0 || (in & 0xfff) || (sz & 0xfff) || in >= limit ||
			    sz > limit - in;
		bad_perms = !(perms & PT_R) || (perms & ~PT_PERMS_ALL);

		switch (op[0] % 4) {
		case 0: /* map */
			want = bad_range || (out & 0xfff) || out > oa_top || sz - 1 > oa_top - out ||
			       bad_perms || (type != PT_MEM_NORMAL && type != PT_MEM_DEVICE)
			       ? MM_EINVAL
			       : model_overlaps(in, sz) ? MM_EOVERLAP : 0;
			if (want)
				snap(&s, &fp, &pt);
			err = pt_map(&pt, in, out, sz, perms, type);
			if (err == 0) {
				ASSERT(want == 0);
				ASSERT(n_ext < MAX_EXTENTS);
				ext[n_ext++] = (struct extent){ in, sz, out, perms, type };
			} else if (err == MM_ENOMEM) {
				ASSERT(want == 0);
			} else {
				ASSERT(err == want);
				snap_same(&s, &fp, &pt);
			}
			break;
		case 1: /* unmap */
			want = bad_range ? MM_EINVAL : 0;
			if (want)
				snap(&s, &fp, &pt);
			err = pt_unmap(&pt, in, sz);
			if (err == 0) {
				ASSERT(want == 0);
				model_cut(in, sz);
			} else if (err == MM_ENOMEM) {
				ASSERT(want == 0);
			} else {
				ASSERT(err == want);
				snap_same(&s, &fp, &pt);
			}
			break;
		case 2: /* protect */
			want = bad_range || bad_perms ? MM_EINVAL
			       : !model_covers(in, sz) ? MM_ENOTMAPPED : 0;
			if (want)
				snap(&s, &fp, &pt);
			err = pt_protect(&pt, in, sz, perms);
			if (err == 0) {
				ASSERT(want == 0);
				model_protect(in, sz, perms);
			} else if (err == MM_ENOMEM) {
				ASSERT(want == 0);
			} else {
				ASSERT(err == want);
				snap_same(&s, &fp, &pt);
			}
			break;
		default: /* translate, anywhere (beyond in_bits: not mapped) */
			if (in >= limit) {
				struct pt_walk w;
				ASSERT(pt_translate(&pt, in, &w) == MM_ENOTMAPPED);
			} else {
				probe(&pt, c, in);
			}
			break;
		}
		/* The table count is the pool's use: tables are never freed,
		 * and nothing else comes from this pool. */
		ASSERT(fake_phys_used(&fp) == (uint64_t)pt.table_pages * PAGE_SIZE);
		if (!bad_range && op[0] % 4 != 3)
			probe_edges(&pt, c, in, sz);
	}
	probe_all(&pt, c);
	fake_phys_free(&fp);
	return 0;
}
