/*
 * Are the golden dumps right?  scripts/check-ptdump.sh only says ptdump
 * still prints what the tests/ptdump/ dumps hold.  This test says that what
 * they hold is what the layouts ask for, by the architecture manuals, with
 * nothing taken from mm/: it includes no mm/ header and calls no mm/ code.
 *
 * For each layout (tests/ptdump/NAME.layout) it builds a model of its own:
 * a list of mapped intervals, to which it applies the steps with the
 * refusal rules mm/pt.h promises.  Then for each format the layout names
 * it reads the golden dump NAME.FORMAT.out and checks
 *
 *   - the refusals: exactly the steps the model refuses, for its reason;
 *   - the header: levels, input bits and root tables of that format;
 *   - the tree's shape: each entry's input address follows from its index
 *     and its parent's, indexes are within the table, indentation is depth;
 *   - every table entry decodes, by the manual, as a table that restricts
 *     nothing;
 *   - every leaf (each one of a run) decodes, by the manual, to the output
 *     address, permissions and memory type the model has for its range,
 *     with its reserved bits clear;
 *   - the leaves add up to exactly what the model maps;
 *   - the "range" lines are the model's intervals, coalesced.
 *
 * The bit positions below are written out from the Intel SDM Vol. 3
 * ("4-Level Paging" tables of entry formats; "EPT Translation Mechanism";
 * the PAT's power-up value), the AMD APM Vol. 2 ("Nested Paging": all
 * nested accesses are user accesses) and the Arm ARM (VMSAv8-64 stage 1
 * and stage 2 descriptors, MAIR_EL1 attribute encodings).
 */
#define _POSIX_C_SOURCE 200809L  /* opendir */

#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>

#include "tests/unit.h"

#ifndef PTDUMP_DIR
#define PTDUMP_DIR "tests/ptdump"
#endif

#define R_ 1u
#define W_ 2u
#define X_ 4u
#define U_ 8u
#define NORMAL 0
#define DEVICE 1
#define K4 0x1000ull
#define BIT(n) ((uint64_t)1 << (n))
#define FIELD(v, hi, lo) (((v) >> (lo)) & (BIT((hi) - (lo) + 1) - 1))

/* ---- the formats, as the ptdump command line names them (docs/mm.md) ---- */

enum family { EPT, NPT, X86_64, ARM_S1, ARM_S2 };

struct fmt {
	enum family fam;
	const char *name;      /* as the dump's header says it */
	unsigned levels, in_bits, root_tables, oa_bits;
	bool user;             /* stage-1: PT_USER means something */
};

static int parse_fmt(const char *arg, struct fmt *f)
{
	unsigned a, b;
	char extra;

	f->root_tables = 1;
	f->levels = 4;
	f->in_bits = 48;
	f->oa_bits = 52;
	f->user = false;
	if (strcmp(arg, "ept") == 0) {
		f->fam = EPT;
		f->name = "x86-ept";
	} else if (strcmp(arg, "npt") == 0) {
		f->fam = NPT;
		f->name = "x86-npt";
	} else if (strcmp(arg, "x86-64") == 0) {
		f->fam = X86_64;
		f->name = "x86-64";
		f->user = true;
	} else if (strncmp(arg, "arm-s1", 6) == 0) {
		f->fam = ARM_S1;
		f->name = "arm-stage1";
		f->user = true;
		f->oa_bits = 48;
		if (arg[6] == ':' && sscanf(arg + 7, "%u%c", &a, &extra) == 1)
			f->in_bits = a;
		else if (arg[6])
			return -1;
		/* Arm ARM: 4 KiB granule, the walk starts at level 0 above
		 * 39 bits, level 1 above 30, level 2 below. */
		f->levels = f->in_bits > 39 ? 4 : f->in_bits > 30 ? 3 : 2;
	} else if (strncmp(arg, "arm-s2", 6) == 0) {
		unsigned span;

		f->fam = ARM_S2;
		f->name = "arm-stage2";
		f->oa_bits = 48;
		a = 48;
		b = 0;
		if (arg[6] == ':' && sscanf(arg + 7, "%u:%u%c", &a, &b, &extra) != 2)
			return -1;
		else if (arg[6] && arg[6] != ':')
			return -1;
		/* A table at Arm level b resolves down to bit 12 + 9 * (4 - b);
		 * concatenation adds up to 4 bits. */
		span = 12 + 9 * (4 - b);
		f->in_bits = a;
		f->levels = 4 - b;
		f->root_tables = a > span ? 1u << (a - span) : 1;
	} else
		return -1;
	return 0;
}

/* ---- the model ---- */

struct iv {
	uint64_t in, size, out;
	unsigned perms;
	int type;
};

struct model {
	struct iv v[512];
	unsigned n;
	/* refused steps: layout line and reason */
	unsigned refused_line[64];
	const char *refused_why[64];
	unsigned refused;
};

static int iv_cmp(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;

	return x->in < y->in ? -1 : x->in > y->in;
}

static void model_sort(struct model *m)
{
	qsort(m->v, m->n, sizeof(m->v[0]), iv_cmp);
}

static bool model_overlaps(const struct model *m, uint64_t in, uint64_t size)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		if (m->v[i].in < in + size && in < m->v[i].in + m->v[i].size)
			return true;
	return false;
}

static bool model_covers(const struct model *m, uint64_t in, uint64_t size)
{
	uint64_t at = in;
	unsigned i;

	for (i = 0; i < m->n && at < in + size; i++)   /* sorted */
		if (m->v[i].in <= at && at < m->v[i].in + m->v[i].size)
			at = m->v[i].in + m->v[i].size;
	return at >= in + size;
}

/* Cut the intervals at address a, so none crosses it. */
static void model_cut(struct model *m, uint64_t a)
{
	unsigned i;

	for (i = 0; i < m->n; i++) {
		struct iv *v = &m->v[i];

		if (v->in < a && a < v->in + v->size && m->n < 512) {
			struct iv right = *v;

			right.in = a;
			right.out = v->out + (a - v->in);
			right.size = v->in + v->size - a;
			v->size = a - v->in;
			m->v[m->n++] = right;
		}
	}
	model_sort(m);
}

static void model_refuse(struct model *m, unsigned line, const char *why)
{
	if (m->refused < 64) {
		m->refused_line[m->refused] = line;
		m->refused_why[m->refused] = why;
		m->refused++;
	}
}

static bool range_ok(const struct fmt *f, uint64_t in, uint64_t size)
{
	uint64_t limit = BIT(f->in_bits);

	return size && !(in % K4) && !(size % K4) && in < limit && size <= limit - in;
}

/* One step, with the rules of mm/pt.h (pt_map, pt_unmap, pt_protect). */
static void model_map(struct model *m, const struct fmt *f, unsigned line, uint64_t in,
		      uint64_t out, uint64_t size, unsigned perms, int type)
{
	uint64_t oa_top = BIT(f->oa_bits) - 1;

	if (!range_ok(f, in, size) || out % K4 || out > oa_top || size - 1 > oa_top - out ||
	    !(perms & R_))
		return model_refuse(m, line, "invalid argument");
	if (model_overlaps(m, in, size))
		return model_refuse(m, line, "range already mapped");
	if (m->n < 512)
		m->v[m->n++] = (struct iv){ in, size, out, perms, type };
	model_sort(m);
}

static void model_unmap(struct model *m, const struct fmt *f, unsigned line, uint64_t in,
			uint64_t size)
{
	unsigned i, j;

	if (!range_ok(f, in, size))
		return model_refuse(m, line, "invalid argument");
	model_cut(m, in);
	model_cut(m, in + size);
	for (i = j = 0; i < m->n; i++)
		if (!(m->v[i].in >= in && m->v[i].in < in + size))
			m->v[j++] = m->v[i];
	m->n = j;
}

static void model_protect(struct model *m, const struct fmt *f, unsigned line, uint64_t in,
			  uint64_t size, unsigned perms)
{
	unsigned i;

	if (!range_ok(f, in, size) || !(perms & R_))
		return model_refuse(m, line, "invalid argument");
	if (!model_covers(m, in, size))
		return model_refuse(m, line, "not mapped");
	model_cut(m, in);
	model_cut(m, in + size);
	for (i = 0; i < m->n; i++)
		if (m->v[i].in >= in && m->v[i].in < in + size)
			m->v[i].perms = perms;
}

/* ---- reading a layout (docs/mm.md, "The layout") ---- */

static int parse_num(const char *s, uint64_t *out)
{
	char *end;
	unsigned shift = 0;
	uint64_t v = strtoull(s, &end, 0);

	if (end == s)
		return -1;
	if (*end == 'K')
		shift = 10;
	else if (*end == 'M')
		shift = 20;
	else if (*end == 'G')
		shift = 30;
	if (shift)
		end++;
	if (*end)
		return -1;
	*out = v << shift;
	return 0;
}

static int parse_perms(const char *s, unsigned *out)
{
	*out = 0;
	for (; *s; s++) {
		if (*s == 'r') *out |= R_;
		else if (*s == 'w') *out |= W_;
		else if (*s == 'x') *out |= X_;
		else if (*s == 'u') *out |= U_;
		else if (*s != '-') return -1;
	}
	return 0;
}

/* Apply the layout at path to m in format f; its "# formats:" list into
 * formats.  -1 if the layout cannot be read. */
static int read_layout(const char *path, const struct fmt *f, struct model *m,
		       char *formats, size_t formats_len)
{
	FILE *fp = fopen(path, "r");
	char text[512];
	unsigned line = 0;

	if (!fp)
		return -1;
	memset(m, 0, sizeof(*m));
	if (formats)
		formats[0] = 0;
	while (fgets(text, sizeof(text), fp)) {
		char cmd[16], a[32], b[32], c[32], d[32], e[32];
		uint64_t in, out, size;
		unsigned perms;
		char *hash;
		int n;

		line++;
		if (formats && strncmp(text, "# formats:", 10) == 0 && !formats[0]) {
			snprintf(formats, formats_len, "%.200s", text + 10);
			continue;
		}
		if ((hash = strchr(text, '#')) != NULL)
			*hash = 0;
		n = sscanf(text, "%15s %31s %31s %31s %31s %31s", cmd, a, b, c, d, e);
		if (n <= 0)
			continue;
		if (strcmp(cmd, "map") == 0 && n == 6 && !parse_num(a, &in) && !parse_num(b, &out) &&
		    !parse_num(c, &size) && !parse_perms(d, &perms) &&
		    (!strcmp(e, "normal") || !strcmp(e, "device")))
			model_map(m, f, line, in, out, size, perms, strcmp(e, "normal") ? DEVICE : NORMAL);
		else if (strcmp(cmd, "unmap") == 0 && n == 3 && !parse_num(a, &in) && !parse_num(b, &size))
			model_unmap(m, f, line, in, size);
		else if (strcmp(cmd, "protect") == 0 && n == 4 && !parse_num(a, &in) &&
			 !parse_num(b, &size) && !parse_perms(c, &perms))
			model_protect(m, f, line, in, size, perms);
		else {
			fclose(fp);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

/* ---- decoding entries by the manuals ---- */

struct decoded {
	uint64_t out;
	unsigned perms;
	int type;
	const char *bad;   /* why it is not the leaf it should be, or NULL */
};

/* A leaf at level (0 page, 1 2M, 2 1G) in family f. */
static struct decoded decode_leaf(const struct fmt *f, uint64_t e, unsigned level)
{
	struct decoded d = { 0, 0, NORMAL, NULL };
	uint64_t size = BIT(12 + 9 * level);

	switch (f->fam) {
	case EPT: {
		/* SDM: bits 2:0 read, write, execute; 5:3 memory type
		 * (0 UC, 6 WB; 2, 3, 7 reserved); 6 ignore PAT; 7 "maps a
		 * page" above the PT level; 51:12 address, with the bits
		 * below a large page's size reserved. */
		unsigned mt = (unsigned)FIELD(e, 5, 3);

		if (!(e & 1))
			d.bad = "not readable (or write without read: misconfigured)";
		else if (level > 0 && !(e & BIT(7)))
			d.bad = "bit 7 clear: a table, not a large page";
		else if (mt != 6 && mt != 0)
			d.bad = "memory type neither WB (6) nor UC (0)";
		d.perms = (e & 1 ? R_ : 0) | (e & 2 ? W_ : 0) | (e & 4 ? X_ : 0);
		d.type = mt == 6 ? NORMAL : DEVICE;
		d.out = e & 0x000ffffffffff000ull;
		if (d.out & (size - 1))
			d.bad = "address bits below the page size set (reserved)";
		if (!(e & BIT(6)))
			d.bad = "IPAT clear: the guest's PAT would change the type";
		break;
	}
	case NPT:
	case X86_64: {
		/* SDM 4-level paging: 0 P, 1 R/W, 2 U/S, 3 PWT, 4 PCD, 7 PS
		 * (above the PT level) or PAT (in a PTE), 12 PAT (in a large
		 * page), 51:12 address (large: 51:21 or 51:30, the rest of
		 * 20:13 / 29:13 reserved), 63 XD.  The PAT at power-up,
		 * 0x0007040600070406: index 0 WB, 1 WT, 2 UC-, 3 UC, 4 WB,
		 * 5 WT, 6 UC-, 7 UC. */
		static const unsigned char pat_type[8] = { 6, 4, 7, 0, 6, 4, 7, 0 };
		unsigned pat_bit = level == 0 ? 7 : 12;
		unsigned idx = (unsigned)(((e >> pat_bit) & 1) << 2 | FIELD(e, 4, 3));
		unsigned t = pat_type[idx];

		if (!(e & 1))
			d.bad = "not present";
		else if (level > 0 && !(e & BIT(7)))
			d.bad = "PS clear: a table, not a large page";
		else if (t != 6 && t != 0 && t != 7)
			d.bad = "memory type write-through: neither WB nor uncached";
		d.type = t == 6 ? NORMAL : DEVICE;
		d.out = e & 0x000ffffffffff000ull;
		if (level > 0)
			d.out &= ~(uint64_t)BIT(12);
		if (d.out & (size - 1))
			d.bad = "address bits below the page size set (reserved)";
		d.perms = R_ | (e & 2 ? W_ : 0) | (e & BIT(63) ? 0 : X_);
		if (f->fam == X86_64)
			d.perms |= e & 4 ? U_ : 0;
		else if (!(e & 4))  /* APM: nested accesses are user accesses */
			d.bad = "NPT leaf without U/S: the guest can reach nothing";
		break;
	}
	case ARM_S1:
	case ARM_S2: {
		/* Arm ARM, VMSAv8-64, 4 KiB granule: bits 1:0 = 0b11 a page at
		 * level 3, 0b01 a block at levels 1 and 2; AF bit 10; output
		 * address 47:12 (47:21, 47:30 for blocks; bits below RES0);
		 * 50:48 zero without FEAT_LPA. */
		unsigned want_type = level == 0 ? 3 : 1;

		if (FIELD(e, 1, 0) != want_type)
			d.bad = level == 0 ? "bits 1:0 not 0b11 (page)" : "bits 1:0 not 0b01 (block)";
		else if (!(e & BIT(10)))
			d.bad = "AF clear: the first access faults";
		else if (FIELD(e, 50, 48))
			d.bad = "output address above 48 bits";
		d.out = e & 0x0000fffffffff000ull;
		if (d.out & (size - 1))
			d.bad = "address bits below the block size set (RES0)";
		if (f->fam == ARM_S2) {
			/* Stage 2: MemAttr 5:2 is the type itself: 0b1111
			 * Normal, outer and inner write-back; 0b0000
			 * Device-nGnRnE.  S2AP 7:6: bit 6 read, bit 7 write.
			 * XN bit 54 (bit 53 is XN[0] only with FEAT_XNX). */
			unsigned attr = (unsigned)FIELD(e, 5, 2);

			if (attr != 0xf && attr != 0)
				d.bad = "MemAttr neither Normal WB (0b1111) nor Device-nGnRnE (0b0000)";
			else if (attr == 0xf && FIELD(e, 9, 8) != 3)
				d.bad = "Normal memory not inner shareable";
			else if (e & BIT(53))
				d.bad = "bit 53 set (XN[0] needs FEAT_XNX)";
			d.type = attr == 0xf ? NORMAL : DEVICE;
			d.perms = (e & BIT(6) ? R_ : 0) | (e & BIT(7) ? W_ : 0) |
				  (e & BIT(54) ? 0 : X_);
		} else {
			/* Stage 1: AttrIndx 4:2 picks a MAIR_EL1 byte; the
			 * MAIR minihv programs is 0x00ff (mm/pt.h), byte 0
			 * 0xff Normal WB, byte 1 0x00 Device-nGnRnE.  AP[2:1]
			 * in 7:6: AP[1] (6) EL0 access, AP[2] (7) read-only.
			 * PXN 53, UXN 54: execute never at EL1, at EL0.  nG
			 * (11) and NS (5) clear. */
			static const unsigned long long mair = 0x00ff;
			unsigned attr = (unsigned)((mair >> (8 * FIELD(e, 4, 2))) & 0xff);
			bool user = (e & BIT(6)) != 0;

			if (attr != 0xff && attr != 0x00)
				d.bad = "AttrIndx selects neither Normal WB nor Device-nGnRnE";
			else if (e & (BIT(11) | BIT(5)))
				d.bad = "nG or NS set";
			else if (attr == 0xff && FIELD(e, 9, 8) != 3)
				d.bad = "Normal memory not inner shareable";
			d.type = attr == 0xff ? NORMAL : DEVICE;
			d.perms = R_ | (e & BIT(7) ? 0 : W_) | (user ? U_ : 0);
			if (!(e & (user ? BIT(54) : BIT(53))))
				d.perms |= X_;
		}
		break;
	}
	}
	return d;
}

/* Is e (with its address bits cleared) a table entry that restricts
 * nothing below it? */
static const char *check_table(const struct fmt *f, uint64_t bits)
{
	switch (f->fam) {
	case EPT:
		/* SDM: R, W, X all set (they AND down the walk), bit 7 clear
		 * (else a large page); nothing else. */
		return bits == 0x7 ? NULL : "EPT table entry is not exactly R W X";
	case NPT:
	case X86_64:
		/* P, R/W, U/S set, PS and XD clear. */
		return bits == 0x7 ? NULL : "x86 table entry is not exactly P RW US";
	case ARM_S1:
	case ARM_S2:
		/* bits 1:0 = 0b11; stage 1's PXNTable, UXNTable, APTable,
		 * NSTable (63:59) clear. */
		return bits == 0x3 ? NULL : "Arm table entry is not exactly 0b11";
	}
	return "unknown family";
}

/* ---- reading a golden dump and checking it ---- */

static unsigned effective(const struct fmt *f, unsigned perms)
{
	return f->user ? perms : perms & ~U_;
}

static unsigned perms_from(const char *s)
{
	unsigned p = 0;

	parse_perms(s, &p);
	return p;
}

struct verdict {
	unsigned bad;          /* how many problems */
	char first[256];       /* the first one, for the failure line */
};

__attribute__((format(printf, 2, 3)))
static void problem(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (v->bad++ == 0) {
		va_start(ap, fmt);
		vsnprintf(v->first, sizeof(v->first), fmt, ap);
		va_end(ap);
	}
}

static void check_golden(const char *name, const char *fmt_arg, const char *layout_path)
{
	struct fmt f;
	static struct model m;
	char path[512], line[512];
	FILE *fp;
	struct verdict shape = { 0, "" }, tables = { 0, "" }, leaves = { 0, "" }, ranges = { 0, "" },
		       refusals = { 0, "" }, header = { 0, "" };
	uint64_t base[5] = { 0 }, leaf_bytes = 0, model_bytes = 0;
	unsigned refused = 0, nranges = 0, i;
	struct iv coalesced[512];
	unsigned ncoalesced = 0;
	bool saw_header = false;
	char fname[64];

	if (parse_fmt(fmt_arg, &f)) {
		CHECK(0, "%s: format %s is one the test knows", name, fmt_arg);
		return;
	}
	if (read_layout(layout_path, &f, &m, NULL, 0)) {
		CHECK(0, "%s: layout readable", name);
		return;
	}
	for (i = 0; fmt_arg[i] && i < sizeof(fname) - 1; i++)
		fname[i] = fmt_arg[i] == ':' ? '_' : fmt_arg[i];
	fname[i] = 0;
	snprintf(path, sizeof(path), "%s/%.100s.%.60s.out", PTDUMP_DIR, name, fname);
	fp = fopen(path, "r");
	if (!CHECK(fp != NULL, "%s %s: golden dump exists", name, fmt_arg))
		return;

	/* The model's ranges, coalesced as the dump promises. */
	for (i = 0; i < m.n; i++) {
		struct iv v = m.v[i];

		v.perms = effective(&f, v.perms);
		model_bytes += v.size;
		if (ncoalesced) {
			struct iv *p = &coalesced[ncoalesced - 1];

			if (p->in + p->size == v.in && p->out + p->size == v.out &&
			    p->perms == v.perms && p->type == v.type) {
				p->size += v.size;
				continue;
			}
		}
		coalesced[ncoalesced++] = v;
	}

	while (fgets(line, sizeof(line), fp)) {
		unsigned ln, level, first, last, depth = 0, nread;
		char step[16], why[64], kind[16], perms[8], type[8], hname[32];
		unsigned long long in, out, raw, size, bits;
		unsigned hl, hb, hr;
		const char *p = line;

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "refused line=%u %15[a-z]: %63[a-z ]", &ln, step, why) == 3) {
			if (refused >= m.refused || m.refused_line[refused] != ln ||
			    strcmp(m.refused_why[refused], why) != 0)
				problem(&refusals, "refused line %u (%s), the model %s", ln, why,
					refused < m.refused ? "refuses another" : "refuses no more");
			refused++;
			continue;
		}
		if (sscanf(line, "format %31s levels=%u in_bits=%u root_tables=%u", hname, &hl, &hb,
			   &hr) == 4) {
			saw_header = true;
			if (strcmp(hname, f.name) || hl != f.levels || hb != f.in_bits ||
			    hr != f.root_tables)
				problem(&header, "header \"%s\", want %s levels=%u in_bits=%u root_tables=%u",
					line, f.name, f.levels, f.in_bits, f.root_tables);
			continue;
		}
		if (!strcmp(line, "ranges") || !strcmp(line, "entries"))
			continue;
		if (sscanf(line, "range in=%llx size=%llx out=%llx perms=%7s type=%7s", &in, &size,
			   &out, perms, type) == 5) {
			struct iv *c = nranges < ncoalesced ? &coalesced[nranges] : NULL;

			if (!c || c->in != in || c->size != size || c->out != out ||
			    c->perms != perms_from(perms) || c->type != (strcmp(type, "normal") ? DEVICE : NORMAL))
				problem(&ranges, "\"%s\" is not the model's range %u", line, nranges);
			nranges++;
			continue;
		}

		/* An entry line. */
		while (*p == ' ')
			p++, depth++;
		if (sscanf(p, "L%u [%u-%u] in=%llx %15s%n", &level, &first, &last, &in, kind, &nread) == 5)
			;
		else if (sscanf(p, "L%u [%u] in=%llx %15s%n", &level, &first, &in, kind, &nread) == 4)
			last = first;
		else {
			problem(&shape, "line not understood: \"%s\"", line);
			continue;
		}
		p += nread;
		if (level >= f.levels || depth != 2 * (f.levels - 1 - level)) {
			problem(&shape, "\"%s\": level or indentation wrong", line);
			continue;
		}
		{
			uint64_t esize = BIT(12 + 9 * level);
			unsigned nmax = level == f.levels - 1 ? 512 * f.root_tables : 512;
			uint64_t want = (level == f.levels - 1 ? 0 : base[level]) + (uint64_t)first * esize;

			if (last >= nmax || first > last || in != want ||
			    (level == f.levels - 1 && (in >> f.in_bits)))
				problem(&shape, "\"%s\": in should be 0x%llx (index in range?)", line,
					(unsigned long long)want);
			if (!strcmp(kind, "table")) {
				const char *bad;

				if (first != last || sscanf(p, " bits=%llx", &bits) != 1) {
					problem(&shape, "\"%s\": table line malformed", line);
					continue;
				}
				if (level == 0)
					problem(&tables, "\"%s\": a table at the page level", line);
				else
					base[level - 1] = in;
				bad = check_table(&f, bits);
				if (bad)
					problem(&tables, "\"%s\": %s", line, bad);
				continue;
			}
			if ((level == 0 && strcmp(kind, "page")) ||
			    (level > 0 && strcmp(kind, level == 1 ? "block=2M" : "block=1G"))) {
				problem(&leaves, "\"%s\": wrong leaf kind for level %u", line, level);
				continue;
			}
			if (sscanf(p, " out=%llx raw=%llx", &out, &raw) != 2) {
				problem(&shape, "\"%s\": leaf line malformed", line);
				continue;
			}
			for (i = 0; i <= last - first; i++) {
				uint64_t at = in + i * esize;
				struct decoded d = decode_leaf(&f, raw + i * esize, level);
				const struct iv *v = NULL;
				unsigned k;

				for (k = 0; k < m.n; k++)
					if (m.v[k].in <= at && at < m.v[k].in + m.v[k].size)
						v = &m.v[k];
				if (d.bad) {
					problem(&leaves, "\"%s\" entry %u: %s", line, first + i, d.bad);
				} else if (!v || at + esize > v->in + v->size) {
					problem(&leaves, "\"%s\" entry %u: the model does not map all of 0x%llx+0x%llx",
						line, first + i, (unsigned long long)at, (unsigned long long)esize);
				} else if (d.out != v->out + (at - v->in) || d.out != out + i * esize ||
					   d.perms != effective(&f, v->perms) || d.type != v->type) {
					problem(&leaves, "\"%s\" entry %u: decodes to out 0x%llx perms %x type %d, "
						"the model says 0x%llx perms %x type %d", line, first + i,
						(unsigned long long)d.out, d.perms, d.type,
						(unsigned long long)(v->out + (at - v->in)),
						effective(&f, v->perms), v->type);
				}
				leaf_bytes += esize;
			}
		}
	}
	fclose(fp);

	if (refused != m.refused)
		problem(&refusals, "%u steps refused, the model refuses %u", refused, m.refused);
	if (nranges != ncoalesced)
		problem(&ranges, "%u ranges, the model has %u", nranges, ncoalesced);
	if (!saw_header)
		problem(&header, "no format line");
	if (leaf_bytes != model_bytes)
		problem(&leaves, "the leaves map 0x%llx bytes, the model 0x%llx",
			(unsigned long long)leaf_bytes, (unsigned long long)model_bytes);

#define VERDICT(v, what) \
	if (!CHECK((v).bad == 0, "%s %s: %s", name, fmt_arg, what)) \
		printf("#   %u problem(s); the first: %s\n", (v).bad, (v).first)
	VERDICT(header, "header names the format's shape");
	VERDICT(refusals, "exactly the steps the model refuses were refused");
	VERDICT(shape, "entries' input addresses follow from their indexes");
	VERDICT(tables, "table entries are tables that restrict nothing");
	VERDICT(leaves, "every leaf decodes, by the manual, to the model's mapping; together all of it");
	VERDICT(ranges, "the ranges are the model's, coalesced");
#undef VERDICT
}

/* The model itself, on a case worked out by hand. */
static void test_model(void)
{
	struct fmt f;
	static struct model m;

	parse_fmt("ept", &f);
	memset(&m, 0, sizeof(m));
	model_map(&m, &f, 1, 0x40000000, 0x80000000, 0x40000000, R_ | W_, NORMAL);
	model_unmap(&m, &f, 2, 0x40201000, 0x1000);
	model_protect(&m, &f, 3, 0x40000000, 0x2000, R_);
	model_protect(&m, &f, 4, 0x40200000, 0x2000, R_);
	model_map(&m, &f, 5, 0x40000000, 0, 0x1000, R_, NORMAL);
	CHECK(m.n == 3 && m.v[0].in == 0x40000000 && m.v[0].size == 0x2000 && m.v[0].perms == R_ &&
	      m.v[1].in == 0x40002000 && m.v[1].out == 0x80002000 && m.v[1].size == 0x1ff000 &&
	      m.v[1].perms == (R_ | W_) && m.v[2].in == 0x40202000 && m.v[2].out == 0x80202000 &&
	      m.v[2].size == 0x3fdfe000,
	      "model: unmap and protect cut intervals where they should");
	CHECK(m.refused == 2 && m.refused_line[0] == 4 && !strcmp(m.refused_why[0], "not mapped") &&
	      m.refused_line[1] == 5 && !strcmp(m.refused_why[1], "range already mapped"),
	      "model: a protect over the hole and an overlapping map are refused");
	parse_fmt("arm-s2:40:1", &f);
	CHECK(f.levels == 3 && f.root_tables == 2 && f.in_bits == 40, "model: arm-s2:40:1 is 3 levels, 2 roots");
	parse_fmt("arm-s2:32:2", &f);
	CHECK(f.levels == 2 && f.root_tables == 4, "model: arm-s2:32:2 is 2 levels, 4 roots");
	/* Decoders on entries from the manuals' examples, not from mm/. */
	parse_fmt("ept", &f);
	CHECK(decode_leaf(&f, 0x12345000ull | 0x40 | (6 << 3) | 3, 0).perms == (R_ | W_),
	      "decode: EPT page, R W, WB");
	CHECK(decode_leaf(&f, 0x40000000ull | 0x80 | 0x40 | (6 << 3) | 1, 2).bad == NULL,
	      "decode: EPT 1G page");
	CHECK(decode_leaf(&f, 0x40200000ull | 0x80 | 0x40 | (6 << 3) | 1, 2).bad != NULL,
	      "decode: EPT 1G page with address bits below 1G is refused");
	parse_fmt("arm-s2", &f);
	CHECK(decode_leaf(&f, 0x80000000ull | BIT(10) | (3 << 8) | BIT(6) | (0xf << 2) | 3, 0).perms ==
	      (R_ | X_), "decode: stage-2 page, read and execute");
	CHECK(decode_leaf(&f, 0x80000000ull | BIT(10) | BIT(6) | 3, 1).bad != NULL,
	      "decode: stage-2 0b11 at the 2M level is no block");
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int main(void)
{
	DIR *d = opendir(PTDUMP_DIR);
	struct dirent *de;
	char names[64][128];
	unsigned n = 0, i, golden = 0;

	unit_begin("test_ptdump_golden");
	test_model();
	if (!CHECK(d != NULL, "%s readable (run from the top of the tree)", PTDUMP_DIR))
		return unit_done();
	while ((de = readdir(d)) != NULL && n < 64) {
		size_t len = strlen(de->d_name);

		if (len > 7 && len < 128 && strcmp(de->d_name + len - 7, ".layout") == 0) {
			memcpy(names[n], de->d_name, len - 7);
			names[n++][len - 7] = 0;
		}
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	CHECK(n >= 12, "a dozen layouts or more (%u)", n);

	for (i = 0; i < n; i++) {
		char path[512], formats[256], *save, *tok;
		struct fmt f0;
		static struct model scratch;

		snprintf(path, sizeof(path), "%s/%.100s.layout", PTDUMP_DIR, names[i]);
		parse_fmt("ept", &f0);
		if (!CHECK(read_layout(path, &f0, &scratch, formats, sizeof(formats)) == 0 && formats[0],
			   "%s: layout readable, with a formats line", names[i]))
			continue;
		for (tok = strtok_r(formats, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
			check_golden(names[i], tok, path);
			golden++;
		}
	}
	CHECK(golden >= 40, "%u golden dumps checked", golden);
	return unit_done();
}
