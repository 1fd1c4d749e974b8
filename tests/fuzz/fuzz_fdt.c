/*
 * libFuzzer target: the FDT writer and reader (lib/fdt_write.c,
 * lib/fdt_read.c).
 *
 * The low two bits of byte 0 pick one of three games (3 is 0 again):
 *
 *   0  the rest is a program of writer calls (below), with a fuzzed buffer
 *      size.  Then:
 *        - nothing is written at or past cap: the buffer is a heap block
 *          of cap + 64 bytes (ASan traps past it), those 64 filled with a
 *          canary that must survive;
 *        - fdt_finish gives an error (one of the three, the same as
 *          w.err) or a blob of at most cap bytes that fdt_valid accepts at
 *          exactly its size and refuses one byte shorter;
 *        - on a blob, the reader's answers equal a model kept here while
 *          the calls were made, sharing no code with lib/: for each of
 *          the compatible strings "fz0".."fz7", the first node whose
 *          "compatible" list holds it, that node's first "reg", its
 *          parent's #address-cells/#size-cells (last one-cell value,
 *          default 2/1), so every fdt_find_prop(.., "reg") and
 *          fdt_find_reg(.., idx) answer is known in advance.
 *   1  the rest is a blob for the reader, as it is (with a plausible
 *      header pasted over its first bytes when bit 2 of byte 0 is set):
 *      nothing may crash or hang, in an exact-size heap copy.
 *   2  as 0, then the blob is damaged by (offset, byte or delta) pairs from
 *      the input's tail and given to the reader: nothing may crash or hang.
 *      With bit 3 of byte 0 set, the strings block is first moved in
 *      front of the struct block (zero bytes keep the struct aligned):
 *      the reader must give the model's answers on that layout too, and
 *      the damage then hits a struct block that ends the heap block.
 *
 * The program, after byte 0: two bytes of cap (little-endian; above 4096
 * means 4096), one of flags (bit 0: close every open node before
 * fdt_finish), then operations of one byte each, kind = low nibble,
 * arg = high nibble, with their operands after them:
 *
 *   0 begin_node NAME      5 prop_u64 NAME u64     10 begin_node ""
 *   1 end_node             6 prop_cells NAME, arg cells
 *   2 prop NAME len bytes  7 prop_string NAME STR  11 "compatible" of arg%3+1 "fzN"
 *   3 prop_empty NAME      8 prop_strings NAME, arg%5 STRs
 *   4 prop_u32 NAME u32    9 reservation u64 u64   12 "reg" of arg cells
 *  13 "#address-cells" (arg bit 0: "#size-cells") = next byte % 4,
 *     or a raw u32 when arg bit 1 is set
 *  14 fdt_finish now (what follows must all fail)
 *  15 end of the program (game 2: the damage follows)
 *
 * NAME is one byte: below 0x80 one of a few names, good and bad; else
 * (byte & 63) raw bytes follow.  STR is a length byte (& 63) and the bytes.
 * Numbers are little-endian in the input.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/fdt.h"

#define ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

#define MAX_CAP   4096
#define CANARY    0xa5
#define NCOMPAT   8
#define MAX_NODES 512
#define MAX_DEPTH 64

#include "fuzz_input.h"

static const char *const names[] = {
	"compatible", "reg", "#address-cells", "#size-cells", "a", "b@1", "cpus", "cpu@0",
	"memory@80000000", "x,y._+-?#", "", "a@", "a b", "node-with-a-name-of-32-characters",
	"abcdefghijklmnopqrstuvwxyz01234", "status",
};

/* A name: from the table, or raw bytes (the first NUL, if any, ends it). */
static void pick_name(struct in *in, char *buf)
{
	uint8_t b = byte(in);
	if (b < 0x80) {
		strcpy(buf, names[b % (sizeof(names) / sizeof(names[0]))]);
		return;
	}
	unsigned n = b & 63;
	for (unsigned i = 0; i < n; i++)
		buf[i] = (char)byte(in);
	buf[n] = 0;
}

static void pick_str(struct in *in, char *buf)
{
	unsigned n = byte(in) & 63;
	for (unsigned i = 0; i < n; i++)
		buf[i] = (char)byte(in);
	buf[n] = 0;
}

/* ------------------------------------------------------------- model --- */

/*
 * What the reader must answer, from the calls as they were made.  The
 * writer keeps document order = call order, so "the first node whose
 * compatible holds fzK" is the node open at the first such property.
 */
struct mnode {
	uint32_t pac, psc;         /* the parent's cells when this node began */
	uint32_t ac, sc;           /* its own, for its children */
	int has_reg;
	uint8_t reg[64 * 4];       /* its first "reg" (model stops past 256 bytes) */
	uint32_t reg_len;
};

static struct model {
	struct mnode nodes[MAX_NODES];
	int stack[MAX_DEPTH];
	int depth;
	int count;
	int first[NCOMPAT];        /* node index, -1: none */
	int lost;                  /* too many nodes / too deep: no comparison */
	int too_deep;              /* past the reader's 32 levels: it stops there */
} m;

#define CELLS_BAD 0xffffffffu

static void model_reset(void)
{
	m.depth = 0;
	m.count = 0;
	m.lost = 0;
	m.too_deep = 0;
	for (int k = 0; k < NCOMPAT; k++)
		m.first[k] = -1;
}

static void model_begin(void)
{
	if (m.count == MAX_NODES || m.depth == MAX_DEPTH) {
		m.lost = 1;
		return;
	}
	struct mnode *n = &m.nodes[m.count];
	if (m.depth) {
		struct mnode *p = &m.nodes[m.stack[m.depth - 1]];
		n->pac = p->ac;
		n->psc = p->sc;
	} else {
		n->pac = 2;
		n->psc = 1;
	}
	n->ac = 2;
	n->sc = 1;
	n->has_reg = 0;
	m.stack[m.depth++] = m.count++;
	/* The reader refuses a tree nested deeper than 32 (lib/fdt.h): what
	 * it has not found before such a node, it never finds. */
	if (m.depth > 32)
		m.too_deep = 1;
}

static void model_end(void)
{
	if (m.depth)
		m.depth--;
}

static uint32_t rd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A property as it goes into the blob (val: its bytes, big-endian). */
static void model_prop(const char *name, const uint8_t *val, size_t len)
{
	if (m.lost || m.depth == 0)
		return;
	int idx = m.stack[m.depth - 1];
	struct mnode *n = &m.nodes[idx];
	if (strcmp(name, "#address-cells") == 0)
		n->ac = len == 4 ? rd_be32(val) : CELLS_BAD;
	else if (strcmp(name, "#size-cells") == 0)
		n->sc = len == 4 ? rd_be32(val) : CELLS_BAD;
	else if (strcmp(name, "reg") == 0 && !n->has_reg) {
		if (len > sizeof(n->reg)) {
			m.lost = 1;
			return;
		}
		n->has_reg = 1;
		memcpy(n->reg, val, len);
		n->reg_len = (uint32_t)len;
	} else if (strcmp(name, "compatible") == 0) {
		/* Each NUL-terminated element; a last one without NUL is
		 * not an element. */
		size_t start = 0;
		for (size_t i = 0; i < len; i++) {
			if (val[i])
				continue;
			const char *e = (const char *)val + start;
			if (i - start == 3 && e[0] == 'f' && e[1] == 'z' && e[2] >= '0' &&
			    e[2] < '0' + NCOMPAT && m.first[e[2] - '0'] < 0 && !m.too_deep)
				m.first[e[2] - '0'] = idx;
			start = i + 1;
		}
	}
}

/* The reader's answers on a good blob, against the model. */
static void model_check(const uint8_t *blob, size_t size)
{
	for (int k = 0; k < NCOMPAT; k++) {
		char compat[4] = { 'f', 'z', (char)('0' + k), 0 };
		uint32_t len = 0;
		const uint8_t *p = fdt_find_prop(blob, size, compat, "reg", &len);
		int idx = m.first[k];
		if (idx < 0) {
			uint64_t a, s;
			ASSERT(p == NULL);
			ASSERT(fdt_find_reg(blob, size, compat, 0, &a, &s) == -1);
			continue;
		}
		const struct mnode *n = &m.nodes[idx];
		ASSERT((p != NULL) == (n->has_reg != 0));
		if (p) {
			ASSERT(len == n->reg_len);
			ASSERT(memcmp(p, n->reg, len) == 0);
		}
		bool cells_ok = n->pac >= 1 && n->pac <= 2 && n->psc <= 2;
		uint32_t entry = 4 * (n->pac + n->psc);
		for (unsigned i = 0; i < 5; i++) {
			uint64_t a = 0, s = 0;
			int r = fdt_find_reg(blob, size, compat, i, &a, &s);
			bool there = cells_ok && n->has_reg && (uint64_t)(i + 1) * entry <= n->reg_len;
			ASSERT(r == (there ? 0 : -1));
			if (!there)
				continue;
			const uint8_t *e = n->reg + i * entry;
			uint64_t wa = 0, ws = 0;
			for (uint32_t c = 0; c < n->pac; c++)
				wa = wa << 32 | rd_be32(e + 4 * c);
			for (uint32_t c = 0; c < n->psc; c++)
				ws = ws << 32 | rd_be32(e + 4 * (n->pac + c));
			ASSERT(a == wa && s == ws);
		}
	}
}

/* ------------------------------------------------------- the program --- */

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Run the program; returns fdt_finish's answer, *size the blob's. */
static int run_program(struct in *in, struct fdt_writer *w, uint8_t *buf, size_t cap, size_t *size)
{
	uint8_t flags = byte(in);
	char name[64], strs[4][64];
	uint8_t val[256];
	bool finished = false;

	model_reset();
	fdt_begin(w, buf, cap);
	while (in->n) {
		uint8_t op = byte(in), arg = op >> 4;
		int before = w->err;
		switch (op & 15) {
		case 0:
			pick_name(in, name);
			fdt_begin_node(w, name);
			if (!w->err)
				model_begin();
			break;
		case 1:
			fdt_end_node(w);
			if (!w->err)
				model_end();
			break;
		case 2: {
			pick_name(in, name);
			unsigned len = byte(in);
			for (unsigned i = 0; i < len; i++)
				val[i] = byte(in);
			fdt_prop(w, name, val, len);
			if (!w->err)
				model_prop(name, val, len);
			break;
		}
		case 3:
			pick_name(in, name);
			fdt_prop_empty(w, name);
			if (!w->err)
				model_prop(name, val, 0);
			break;
		case 4: {
			pick_name(in, name);
			uint32_t v = (uint32_t)le(in, 4);
			fdt_prop_u32(w, name, v);
			be32(val, v);
			if (!w->err)
				model_prop(name, val, 4);
			break;
		}
		case 5: {
			pick_name(in, name);
			uint64_t v = le(in, 8);
			fdt_prop_u64(w, name, v);
			be32(val, (uint32_t)(v >> 32));
			be32(val + 4, (uint32_t)v);
			if (!w->err)
				model_prop(name, val, 8);
			break;
		}
		case 6:
		case 12: {
			uint32_t cells[16];
			if ((op & 15) == 6)
				pick_name(in, name);
			else
				strcpy(name, "reg");
			for (unsigned i = 0; i < arg; i++) {
				cells[i] = (uint32_t)le(in, 4);
				be32(val + 4 * i, cells[i]);
			}
			fdt_prop_cells(w, name, cells, arg);
			if (!w->err)
				model_prop(name, val, 4 * (size_t)arg);
			break;
		}
		case 7:
			pick_name(in, name);
			pick_str(in, strs[0]);
			fdt_prop_string(w, name, strs[0]);
			if (!w->err)
				model_prop(name, (const uint8_t *)strs[0], strlen(strs[0]) + 1);
			break;
		case 8:
		case 11: {
			const char *list[4];
			unsigned n = (op & 15) == 8 ? arg % 5 : arg % 3 + 1;
			size_t len = 0;
			if ((op & 15) == 8)
				pick_name(in, name);
			else
				strcpy(name, "compatible");
			for (unsigned i = 0; i < n; i++) {
				if ((op & 15) == 8) {
					pick_str(in, strs[i]);
				} else {
					strcpy(strs[i], "fz0");
					strs[i][2] = (char)('0' + byte(in) % NCOMPAT);
				}
				list[i] = strs[i];
				size_t l = strlen(strs[i]) + 1;
				memcpy(val + len, strs[i], l);
				len += l;
			}
			fdt_prop_strings(w, name, list, n);
			if (!w->err)
				model_prop(name, val, len);
			break;
		}
		case 9: {
			uint64_t a = le(in, 8);
			fdt_add_reservation(w, a, le(in, 8));
			break;
		}
		case 10:
			fdt_begin_node(w, "");
			if (!w->err)
				model_begin();
			break;
		case 13: {
			uint32_t v = arg & 2 ? (uint32_t)le(in, 4) : byte(in) % 4;
			strcpy(name, arg & 1 ? "#size-cells" : "#address-cells");
			fdt_prop_u32(w, name, v);
			be32(val, v);
			if (!w->err)
				model_prop(name, val, 4);
			break;
		}
		case 14: {
			size_t s;
			int r = fdt_finish(w, &s);
			ASSERT(r == w->err);
			finished = true;
			break;
		}
		default:
			goto done;
		}
		/* Sticky: an error, once there, stays the same. */
		ASSERT(!before || w->err == before);
	}
done:
	if (flags & 1)
		while (!w->err && w->depth)
			fdt_end_node(w);
	int r = fdt_finish(w, size);
	ASSERT(r == w->err);
	/* After an fdt_finish, a second one must fail. */
	ASSERT(!finished || r != 0);
	return r;
}

static void reader_on(const uint8_t *blob, size_t size)
{
	uint64_t a, s;
	uint32_t len;
	(void)fdt_valid(blob, size);
	for (int k = 0; k < 3; k++) {
		static const char *const compat[] = { "fz0", "fz1", "arm,pl011" };
		for (unsigned i = 0; i < 3; i++)
			(void)fdt_find_reg(blob, size, compat[k], i, &a, &s);
		const uint8_t *p = fdt_find_prop(blob, size, compat[k], "compatible", &len);
		/* The pointer is inside the blob, its length too. */
		if (p)
			ASSERT(p >= blob && p + len <= blob + size);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	uint8_t game = byte(&in);

	if ((game & 3) == 1) {
		uint8_t *b = malloc(in.n ? in.n : 1);
		memcpy(b, in.p, in.n);
		if ((game & 4) && in.n >= 40) {
			be32(b, 0xd00dfeed);
			be32(b + 4, (uint32_t)in.n);
			be32(b + 20, 17);
			be32(b + 24, 16);
		}
		reader_on(b, in.n);
		free(b);
		return 0;
	}

	size_t cap = (size_t)le(&in, 2);
	if (cap > MAX_CAP)
		cap = MAX_CAP;
	static struct fdt_writer w;
	uint8_t *buf = malloc(cap + 64);
	memset(buf, CANARY, cap + 64);
	size_t blob_size = 12345;
	int r = run_program(&in, &w, buf, cap, &blob_size);
	for (size_t i = cap; i < cap + 64; i++)
		ASSERT(buf[i] == CANARY);
	if (r) {
		ASSERT(r == FDT_ENOSPC || r == FDT_EBADNAME || r == FDT_EBADSTATE);
		ASSERT(blob_size == 0);
		free(buf);
		return 0;
	}
	ASSERT(blob_size <= cap && blob_size >= 40);
	/* The blob alone, in a block of its size. */
	uint8_t *blob = malloc(blob_size);
	memcpy(blob, buf, blob_size);
	free(buf);
	ASSERT(fdt_valid(blob, blob_size));
	ASSERT(!fdt_valid(blob, blob_size - 1));
	if (!m.lost)
		model_check(blob, blob_size);
	if ((game & 3) == 2) {
		if (game & 8) {
			/* The same tree with its strings block in front of its
			 * struct block: also a valid layout (the header says
			 * where each is), and one where the struct block ends the
			 * blob, so that a read past it leaves the heap block.
			 * Zero bytes between keep the struct block aligned. */
			uint32_t st = rd_be32(blob + 8), str = rd_be32(blob + 12);
			uint32_t sst = rd_be32(blob + 36), sstr = rd_be32(blob + 32);
			uint32_t pad = (4 - sstr % 4) % 4;
			size_t size2 = blob_size + pad;
			uint8_t *r = calloc(1, size2);
			memcpy(r, blob, st);
			memcpy(r + st, blob + str, sstr);
			memcpy(r + st + sstr + pad, blob + st, sst);
			be32(r + 4, (uint32_t)size2);
			be32(r + 12, st);
			be32(r + 8, st + sstr + pad);
			free(blob);
			blob = r;
			blob_size = size2;
			ASSERT(fdt_valid(blob, blob_size));
			ASSERT(!fdt_valid(blob, blob_size - 1));
			if (!m.lost)
				model_check(blob, blob_size);
		}
		/* Damage: (offset, v) pairs.  v below 0x80 is the new byte;
		 * else the aligned u32 there (a length, an offset, a token)
		 * moves by (v & 0x7f) - 64: lengths a little off are the
		 * likely corruption, and the hardest to find byte by byte. */
		while (in.n >= 3) {
			size_t off = (size_t)le(&in, 2) % blob_size;
			uint8_t v = byte(&in);
			if (v < 0x80) {
				blob[off] = v;
			} else if ((off & ~(size_t)3) + 4 <= blob_size) {
				off &= ~(size_t)3;
				be32(blob + off, rd_be32(blob + off) + (uint32_t)((v & 0x7f) - 64));
			}
		}
		reader_on(blob, blob_size);
	}
	free(blob);
	return 0;
}
