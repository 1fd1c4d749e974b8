/*
 * The FDT reader (lib/fdt.h): find a node by compatible string, read its
 * "reg" or another property.
 *
 * Safety rules, because the blob's numbers decide where we read:
 *   - fdt_valid's checks come first: after them the struct and strings
 *     blocks lie inside totalsize, and totalsize inside max.
 *   - Every later read is of an offset inside one of those blocks,
 *     checked before the read, with 64-bit arithmetic so that offset + a
 *     length from the blob cannot wrap.
 *   - Every loop moves forward by at least one token (4 bytes) or one
 *     byte, so the walk ends, at the latest at the end of the block.
 *   - Bytes are read one at a time: the blob may sit at any address, and
 *     aarch64 builds with -mstrict-align.
 */
#include "fdt.h"
#include "minihv_string.h"

#define FDT_MAGIC       0xd00dfeedu
#define FDT_BEGIN_NODE  1u
#define FDT_END_NODE    2u
#define FDT_PROP        3u
#define FDT_NOP         4u
#define FDT_END         9u

#define HEADER_SIZE     40u
/* Deeper trees are refused: the #address-cells/#size-cells of every open
 * node is kept on a stack of this many entries.  Real trees nest 3 or 4. */
#define MAX_DEPTH       32
/* A #address-cells or #size-cells property that is not one cell. */
#define CELLS_BAD       0xffffffffu

struct view {
	const uint8_t *b;
	uint32_t struct_off, struct_size;
	uint32_t strings_off, strings_size;
};

/* One token of the struct block, decoded by next_token. */
struct token {
	uint32_t type;
	uint32_t nameoff;        /* FDT_PROP: its name, in the strings block */
	uint32_t len;            /* FDT_PROP: its value's length ... */
	const uint8_t *val;      /* ... and its bytes, inside the struct block */
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool view_of(const void *blob, size_t max, struct view *v)
{
	const uint8_t *b = blob;

	if (!b || max < HEADER_SIZE || be32(b) != FDT_MAGIC)
		return false;
	uint64_t total = be32(b + 4);
	uint32_t off_struct = be32(b + 8), off_strings = be32(b + 12);
	uint32_t off_rsv = be32(b + 16);
	uint32_t version = be32(b + 20), last_comp = be32(b + 24);
	uint32_t size_strings = be32(b + 32), size_struct = be32(b + 36);

	/* Version 16 is the oldest with today's layout; a blob whose
	 * last_comp_version is above 17 says readers of 17 cannot read it. */
	if (version < 16 || last_comp > 17)
		return false;
	if (total < HEADER_SIZE || total > max)
		return false;
	/* The reservation block: 8-byte aligned, room for its (0, 0) end. */
	if (off_rsv < HEADER_SIZE || off_rsv % 8 || (uint64_t)off_rsv + 16 > total)
		return false;
	/* Version 16 has no size_dt_struct: the block runs to the end. */
	if (version < 17)
		size_struct = (uint32_t)(total - (off_struct < total ? off_struct : total));
	if (off_struct < HEADER_SIZE || off_struct % 4 ||
	    (uint64_t)off_struct + size_struct > total)
		return false;
	if ((uint64_t)off_strings + size_strings > total)
		return false;
	v->b = b;
	v->struct_off = off_struct;
	v->struct_size = size_struct;
	v->strings_off = off_strings;
	v->strings_size = size_strings;
	return true;
}

bool fdt_valid(const void *blob, size_t max)
{
	struct view v;
	return view_of(blob, max, &v);
}

/*
 * Decode the token at *off (an offset into the struct block) and move *off
 * past it, 4-byte aligned.  false if it does not fit in the block, or a
 * node name has no NUL before the block ends.
 */
static bool next_token(const struct view *v, uint32_t *off, struct token *t)
{
	const uint8_t *s = v->b + v->struct_off;
	uint64_t o = *off;

	if (o + 4 > v->struct_size)
		return false;
	t->type = be32(s + o);
	o += 4;
	switch (t->type) {
	case FDT_BEGIN_NODE:
		/* The name, NUL-terminated, then padding to 4 bytes. */
		while (o < v->struct_size && s[o])
			o++;
		if (o >= v->struct_size)
			return false;
		o++;
		break;
	case FDT_PROP:
		if (o + 8 > v->struct_size)
			return false;
		t->len = be32(s + o);
		t->nameoff = be32(s + o + 4);
		o += 8;
		if (o + t->len > v->struct_size)
			return false;
		t->val = s + o;
		o += t->len;
		break;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		break;
	default:
		return false;
	}
	o = (o + 3) & ~(uint64_t)3;
	/* Padding may run past the end only for the last token. */
	*off = (uint32_t)(o < v->struct_size ? o : v->struct_size);
	return true;
}

/* Is the name at nameoff in the strings block exactly want?  Compared in
 * place, a byte at a time, never past the block: an unterminated name at
 * the end of the block simply does not match. */
static bool name_is(const struct view *v, uint32_t nameoff, const char *want)
{
	const uint8_t *s = v->b + v->strings_off;
	uint64_t o = nameoff;

	for (size_t i = 0;; i++, o++) {
		if (o >= v->strings_size)
			return false;
		if (s[o] != (uint8_t)want[i])
			return false;
		if (!want[i])
			return true;
	}
}

/* Does a string list ("a\0b\0") contain want?  An element without its NUL
 * (a list cut short) never matches. */
static bool list_has(const uint8_t *val, uint32_t len, const char *want)
{
	size_t n = strlen(want);
	uint32_t i = 0;

	while (i < len) {
		uint32_t start = i;
		while (i < len && val[i])
			i++;
		if (i == len)
			return false;
		if (i - start == n && memcmp(val + start, want, n) == 0)
			return true;
		i++;
	}
	return false;
}

/* The node found: where its properties start, and its parent's cells. */
struct node {
	uint32_t props;
	uint32_t addr_cells, size_cells;
};

/*
 * The first node in document order whose compatible contains compatible.
 *
 * A node's properties come before its children (spec 5.4.1), so when the
 * walk meets a node's "compatible", the parent's #address-cells and
 * #size-cells are already known: they sit on the stack one level up.  The
 * cells a node declares apply to its children; a node without them gives
 * its children the defaults 2 and 1 (spec 2.3.5), not its parent's.
 */
static bool find_node(const struct view *v, const char *compatible, struct node *found)
{
	uint32_t ac[MAX_DEPTH + 1], sc[MAX_DEPTH + 1];
	uint32_t props[MAX_DEPTH + 1];
	unsigned depth = 0;
	uint32_t off = 0;
	struct token t;

	/* Level 0 stands for the root's (missing) parent. */
	ac[0] = 2;
	sc[0] = 1;
	for (;;) {
		uint32_t at = off;
		if (!next_token(v, &off, &t) || off == at)
			return false;
		switch (t.type) {
		case FDT_BEGIN_NODE:
			if (depth == MAX_DEPTH)
				return false;
			depth++;
			ac[depth] = 2;
			sc[depth] = 1;
			props[depth] = off;
			break;
		case FDT_END_NODE:
			if (depth == 0)
				return false;
			depth--;
			break;
		case FDT_PROP:
			if (depth == 0)
				return false;  /* a property outside any node */
			if (name_is(v, t.nameoff, "#address-cells"))
				ac[depth] = t.len == 4 ? be32(t.val) : CELLS_BAD;
			else if (name_is(v, t.nameoff, "#size-cells"))
				sc[depth] = t.len == 4 ? be32(t.val) : CELLS_BAD;
			else if (name_is(v, t.nameoff, "compatible") &&
				 list_has(t.val, t.len, compatible)) {
				found->props = props[depth];
				found->addr_cells = ac[depth - 1];
				found->size_cells = sc[depth - 1];
				return true;
			}
			break;
		case FDT_NOP:
			break;
		default:  /* FDT_END: the whole tree, and no such node */
			return false;
		}
	}
}

/* The property prop of the node whose properties start at n->props. */
static const uint8_t *node_prop(const struct view *v, const struct node *n, const char *prop,
				uint32_t *len)
{
	uint32_t off = n->props;
	struct token t;

	for (;;) {
		uint32_t at = off;
		if (!next_token(v, &off, &t) || off == at)
			return NULL;
		if (t.type == FDT_NOP)
			continue;
		if (t.type != FDT_PROP)
			return NULL;   /* a child or the node's end: no such property */
		if (name_is(v, t.nameoff, prop)) {
			*len = t.len;
			return t.val;
		}
	}
}

const void *fdt_find_prop(const void *blob, size_t max, const char *compatible,
			  const char *prop, uint32_t *len)
{
	struct view v;
	struct node n;
	uint32_t l;

	if (!view_of(blob, max, &v) || !find_node(&v, compatible, &n))
		return NULL;
	const uint8_t *p = node_prop(&v, &n, prop, &l);
	if (p && len)
		*len = l;
	return p;
}

/* cells big-endian cells at p, as one number (cells <= 2). */
static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
	uint64_t x = 0;
	for (uint32_t i = 0; i < cells; i++)
		x = x << 32 | be32(p + 4 * i);
	return x;
}

int fdt_find_reg(const void *blob, size_t max, const char *compatible, unsigned idx,
		 uint64_t *addr, uint64_t *size)
{
	struct view v;
	struct node n;
	uint32_t len;

	if (!view_of(blob, max, &v) || !find_node(&v, compatible, &n))
		return -1;
	/* One or two cells of address (32- or 64-bit buses); zero to two of
	 * size (zero: things with an address but no extent, such as CPUs
	 * under /cpus).  Anything else we could not return in a u64. */
	if (n.addr_cells < 1 || n.addr_cells > 2 || n.size_cells > 2)
		return -1;
	const uint8_t *reg = node_prop(&v, &n, "reg", &len);
	if (!reg)
		return -1;
	uint64_t entry = 4 * (uint64_t)(n.addr_cells + n.size_cells);
	if (((uint64_t)idx + 1) * entry > len)
		return -1;
	const uint8_t *e = reg + idx * entry;
	*addr = read_cells(e, n.addr_cells);
	*size = read_cells(e + 4 * n.addr_cells, n.size_cells);
	return 0;
}
