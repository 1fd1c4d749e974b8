/*
 * The FDT writer (lib/fdt.h says what a blob holds and how to use this).
 *
 * The blob grows front to back in w->buf: the header's 40 bytes are left
 * blank at first (fdt_finish fills them once every size is known), the
 * reservation entries follow, then from the first fdt_begin_node the struct
 * block, token by token.  Property names go to w->strings meanwhile, and
 * fdt_finish copies that table behind the struct block.
 *
 * Every store goes through room(), which is the single place that compares
 * against w->cap: a write past the buffer would need a second path that
 * forgot to check.
 */
#include "fdt.h"
#include "minihv_string.h"

#define FDT_MAGIC       0xd00dfeedu
#define FDT_BEGIN_NODE  1u
#define FDT_END_NODE    2u
#define FDT_PROP        3u
#define FDT_END         9u

#define HEADER_SIZE     40u   /* version 17's header: ten u32 fields */
#define NAME_MAX_CHARS  31u   /* node-name and property name, spec 2.2.1, 2.2.4 */

/* w->state: what may come next. */
enum {
	FDT_W_RSV,       /* reservations, or the root node */
	FDT_W_TREE,      /* inside the root: nodes and properties */
	FDT_W_CLOSED,    /* the root is closed: only fdt_finish */
	FDT_W_FINISHED,  /* fdt_finish ran: nothing */
};

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* Record the first error only: the one that explains the rest. */
static void fail(struct fdt_writer *w, int err)
{
	if (!w->err)
		w->err = err;
}

/*
 * n bytes at the end of the blob, zeroed, or NULL (and FDT_ENOSPC) if the
 * buffer is too small.  "n > cap - off" rather than "off + n > cap": off
 * never exceeds cap, so the subtraction cannot wrap, while the sum could
 * for a huge n (a length from a caller's bug).
 */
static uint8_t *room(struct fdt_writer *w, size_t n)
{
	if (w->err)
		return NULL;
	if (n > w->cap - w->off) {
		fail(w, FDT_ENOSPC);
		return NULL;
	}
	uint8_t *p = w->buf + w->off;
	memset(p, 0, n);
	w->off += n;
	return p;
}

/* Tokens, names and values all start on 4-byte boundaries of the blob. */
static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == ',' || c == '.' || c == '_' || c == '+' || c == '-';
}

/* node-name[@unit-address]: 1..31 name characters, then optionally '@' and
 * one or more of the same characters (the unit address is the node's first
 * reg address in hex, by convention: "memory@80000000"). */
static bool node_name_ok(const char *s)
{
	size_t i = 0;
	while (name_char(s[i]))
		i++;
	if (i < 1 || i > NAME_MAX_CHARS)
		return false;
	if (s[i] == 0)
		return true;
	if (s[i] != '@')
		return false;
	size_t j = ++i;
	while (name_char(s[i]))
		i++;
	return i > j && s[i] == 0;
}

/* Property names allow two more characters than node names: '?' and '#'
 * ("#address-cells"). */
static bool prop_name_ok(const char *s)
{
	size_t i = 0;
	while (name_char(s[i]) || s[i] == '?' || s[i] == '#')
		i++;
	return i >= 1 && i <= NAME_MAX_CHARS && s[i] == 0;
}

/*
 * The offset of name in the strings table, adding it if it is new.  Any
 * place where name and its NUL already sit will do, including the tail of
 * a longer name ("cells" inside "#size-cells\0"), as dtc does: the table
 * holds only whole NUL-terminated strings, so such a tail is a string too.
 */
static bool string_offset(struct fdt_writer *w, const char *name, uint32_t *off)
{
	size_t n = strlen(name) + 1;
	for (size_t p = 0; p + n <= w->strings_len; p++) {
		if (memcmp(w->strings + p, name, n) == 0) {
			*off = (uint32_t)p;
			return true;
		}
	}
	if (n > sizeof(w->strings) - w->strings_len) {
		fail(w, FDT_ENOSPC);
		return false;
	}
	memcpy(w->strings + w->strings_len, name, n);
	*off = (uint32_t)w->strings_len;
	w->strings_len += n;
	return true;
}

void fdt_begin(struct fdt_writer *w, void *buf, size_t cap)
{
	w->buf = buf;
	/* Every size in the header is a u32: never build more than that. */
	w->cap = cap > 0xffffffffu ? 0xffffffffu : cap;
	w->off = 0;
	w->off_struct = 0;
	w->depth = 0;
	w->state = FDT_W_RSV;
	w->after_child = false;
	w->node_props = 0;
	w->strings_len = 0;
	w->err = 0;
	/* The header's place, blank until fdt_finish; it ends 8-byte aligned,
	 * where the reservation block must start. */
	room(w, HEADER_SIZE);
}

void fdt_add_reservation(struct fdt_writer *w, uint64_t addr, uint64_t size)
{
	if (w->err)
		return;
	if (w->state != FDT_W_RSV) {
		fail(w, FDT_EBADSTATE);
		return;
	}
	uint8_t *p = room(w, 16);
	if (p) {
		put_be64(p, addr);
		put_be64(p + 8, size);
	}
}

/*
 * A property's token, with its name's offset and room for a value of len
 * bytes (zeroed, padding included): the caller stores the value there.
 * NULL on any error.
 */
static uint8_t *prop_start(struct fdt_writer *w, const char *name, size_t len)
{
	uint32_t nameoff;

	if (w->err)
		return NULL;
	if (w->state != FDT_W_TREE || w->after_child) {
		fail(w, FDT_EBADSTATE);
		return NULL;
	}
	if (!prop_name_ok(name)) {
		fail(w, FDT_EBADNAME);
		return NULL;
	}
	/* len is a u32 in the token; room() refuses it anyway when it is
	 * larger than the buffer, but cap may be up to 4 GiB. */
	if (len > 0xffffffffu - 3) {
		fail(w, FDT_ENOSPC);
		return NULL;
	}
	if (!string_offset(w, name, &nameoff))
		return NULL;
	/*
	 * The open node's properties so far lie from w->node_props to the end,
	 * nothing but PROP tokens (a child would have closed them).  A name
	 * always gets the same offset in the table (the search finds the same
	 * first place every time), so equal offsets mean equal names.
	 */
	for (size_t o = w->node_props; o < w->off;) {
		const uint8_t *t = w->buf + o;
		uint32_t tlen = (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 | (uint32_t)t[6] << 8 | t[7];
		uint32_t toff = (uint32_t)t[8] << 24 | (uint32_t)t[9] << 16 | (uint32_t)t[10] << 8 | t[11];
		if (toff == nameoff) {
			fail(w, FDT_EBADNAME);
			return NULL;
		}
		o += 12 + align4(tlen);
	}
	uint8_t *p = room(w, 12 + align4(len));
	if (!p)
		return NULL;
	put_be32(p, FDT_PROP);
	put_be32(p + 4, (uint32_t)len);
	put_be32(p + 8, nameoff);
	return p + 12;
}

void fdt_begin_node(struct fdt_writer *w, const char *name)
{
	if (w->err)
		return;
	if (w->state == FDT_W_RSV) {
		/* The root: the reservation block ends here, with its (0, 0)
		 * entry, and the struct block begins. */
		if (name[0] != 0) {
			fail(w, FDT_EBADNAME);
			return;
		}
		if (!room(w, 16))
			return;
		w->off_struct = w->off;
		w->state = FDT_W_TREE;
	} else if (w->state == FDT_W_TREE) {
		if (!node_name_ok(name)) {
			fail(w, FDT_EBADNAME);
			return;
		}
	} else {
		/* A second root, or anything after fdt_finish. */
		fail(w, FDT_EBADSTATE);
		return;
	}
	size_t n = strlen(name) + 1;
	uint8_t *p = room(w, 4 + align4(n));
	if (!p)
		return;
	put_be32(p, FDT_BEGIN_NODE);
	memcpy(p + 4, name, n);
	w->depth++;
	w->after_child = false;
	w->node_props = w->off;
}

void fdt_end_node(struct fdt_writer *w)
{
	if (w->err)
		return;
	if (w->state != FDT_W_TREE || w->depth == 0) {
		fail(w, FDT_EBADSTATE);
		return;
	}
	uint8_t *p = room(w, 4);
	if (!p)
		return;
	put_be32(p, FDT_END_NODE);
	w->depth--;
	/* Back in the parent, which now has a child: its properties are
	 * over.  Closing the root closes the tree. */
	w->after_child = true;
	if (w->depth == 0)
		w->state = FDT_W_CLOSED;
}

void fdt_prop(struct fdt_writer *w, const char *name, const void *val, size_t len)
{
	uint8_t *p = prop_start(w, name, len);
	if (p && len)
		memcpy(p, val, len);
}

void fdt_prop_empty(struct fdt_writer *w, const char *name)
{
	prop_start(w, name, 0);
}

void fdt_prop_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
	uint8_t *p = prop_start(w, name, 4);
	if (p)
		put_be32(p, v);
}

void fdt_prop_u64(struct fdt_writer *w, const char *name, uint64_t v)
{
	uint8_t *p = prop_start(w, name, 8);
	if (p)
		put_be64(p, v);
}

void fdt_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells, unsigned n)
{
	uint8_t *p = prop_start(w, name, (size_t)n * 4);
	if (p)
		for (unsigned i = 0; i < n; i++)
			put_be32(p + 4 * (size_t)i, cells[i]);
}

void fdt_prop_string(struct fdt_writer *w, const char *name, const char *s)
{
	fdt_prop(w, name, s, strlen(s) + 1);
}

void fdt_prop_strings(struct fdt_writer *w, const char *name, const char *const *s, unsigned n)
{
	/* Measure first, so the token's length is right before the copy. */
	size_t len = 0;
	for (unsigned i = 0; i < n; i++) {
		size_t l = strlen(s[i]) + 1;
		if (l > (size_t)-1 - len) {
			fail(w, FDT_ENOSPC);
			return;
		}
		len += l;
	}
	uint8_t *p = prop_start(w, name, len);
	if (!p)
		return;
	for (unsigned i = 0; i < n; i++) {
		size_t l = strlen(s[i]) + 1;
		memcpy(p, s[i], l);
		p += l;
	}
}

int fdt_finish(struct fdt_writer *w, size_t *size)
{
	if (size)
		*size = 0;
	if (!w->err && w->state != FDT_W_CLOSED)
		fail(w, FDT_EBADSTATE);   /* no root, open nodes, or finished twice */
	uint8_t *end = room(w, 4);
	if (!end)
		return w->err;
	put_be32(end, FDT_END);
	size_t size_struct = w->off - w->off_struct;
	size_t off_strings = w->off;
	uint8_t *s = room(w, w->strings_len);
	if (!s)
		return w->err;
	memcpy(s, w->strings, w->strings_len);
	w->state = FDT_W_FINISHED;

	uint8_t *h = w->buf;
	put_be32(h + 0, FDT_MAGIC);
	put_be32(h + 4, (uint32_t)w->off);            /* totalsize */
	put_be32(h + 8, (uint32_t)w->off_struct);     /* off_dt_struct */
	put_be32(h + 12, (uint32_t)off_strings);      /* off_dt_strings */
	put_be32(h + 16, HEADER_SIZE);                /* off_mem_rsvmap */
	put_be32(h + 20, 17);                         /* version */
	put_be32(h + 24, 16);                         /* last_comp_version */
	put_be32(h + 28, 0);                          /* boot_cpuid_phys */
	put_be32(h + 32, (uint32_t)w->strings_len);   /* size_dt_strings */
	put_be32(h + 36, (uint32_t)size_struct);      /* size_dt_struct */
	if (size)
		*size = w->off;
	return 0;
}

const char *fdt_strerror(int err)
{
	switch (err) {
	case 0:
		return "no error";
	case FDT_ENOSPC:
		return "buffer or property-name table full";
	case FDT_EBADNAME:
		return "node or property name not allowed by the devicetree spec";
	case FDT_EBADSTATE:
		return "call out of order (property after a child, unbalanced nodes, "
		       "reservation after the tree, ...)";
	default:
		return "unknown FDT error";
	}
}
