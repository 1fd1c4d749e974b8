/*
 * The table dump (pt_dump.h).  Lines are built in a fixed buffer with the
 * few formatting helpers below: mm/ is freestanding, without printf.
 */
#include "pt_dump.h"

struct line {
	char s[PT_DUMP_LINE_MAX];
	unsigned n;
};

static void add_str(struct line *l, const char *str)
{
	while (*str && l->n < PT_DUMP_LINE_MAX - 1)
		l->s[l->n++] = *str++;
	l->s[l->n] = 0;
}

/* v in hex: "0x" and the digits, at least `digits` of them. */
static void add_hex(struct line *l, uint64_t v, unsigned digits)
{
	char tmp[19];
	unsigned i = sizeof(tmp) - 1;

	tmp[i] = 0;
	do {
		tmp[--i] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while ((v || sizeof(tmp) - 1 - i < digits) && i > 2);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	add_str(l, &tmp[i]);
}

static void add_dec(struct line *l, uint64_t v)
{
	char tmp[21];
	unsigned i = sizeof(tmp) - 1;

	tmp[i] = 0;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	add_str(l, &tmp[i]);
}

static const char *size_name(unsigned level)
{
	static const char *const names[] = { "4K", "2M", "1G", "512G" };

	return names[level < 4 ? level : 3];
}

void pt_perms_str(unsigned perms, char out[5])
{
	out[0] = (perms & PT_R) ? 'r' : '-';
	out[1] = (perms & PT_W) ? 'w' : '-';
	out[2] = (perms & PT_X) ? 'x' : '-';
	out[3] = (perms & PT_USER) ? 'u' : '-';
	out[4] = 0;
}

/* ---- ranges ---- */

struct range_dump {
	pt_dump_put_fn put;
	void *ctx;
	uint64_t left;           /* visits the limit still allows (UINT64_MAX: none) */
	bool open;              /* a range is being gathered */
	struct pt_leaf first;   /* its first leaf: in, out, perms, type */
	uint64_t size;
	uint64_t count[3];      /* its leaves per level */
};

static void flush_range(struct range_dump *d)
{
	struct line l = { { 0 }, 0 };
	char perms[5];
	unsigned level;
	bool first = true;

	if (!d->open)
		return;
	pt_perms_str(d->first.perms, perms);
	add_str(&l, "range in=");
	add_hex(&l, d->first.in, 1);
	add_str(&l, " size=");
	add_hex(&l, d->size, 1);
	add_str(&l, " out=");
	add_hex(&l, d->first.out, 1);
	add_str(&l, " perms=");
	add_str(&l, perms);
	add_str(&l, d->first.type == PT_MEM_NORMAL ? " type=normal" : " type=device");
	add_str(&l, " leaves=");
	for (level = 3; level-- > 0;) {
		if (!d->count[level])
			continue;
		if (!first)
			add_str(&l, ",");
		add_str(&l, size_name(level));
		add_str(&l, "*");
		add_dec(&l, d->count[level]);
		first = false;
	}
	d->put(d->ctx, l.s);
	d->open = false;
}

static int range_leaf(const struct pt_leaf *leaf, void *arg)
{
	struct range_dump *d = arg;

	if (d->left-- == 0)
		return MM_ELIMIT;

	if (d->open && leaf->in == d->first.in + d->size &&
	    leaf->out == d->first.out + d->size && leaf->perms == d->first.perms &&
	    leaf->type == d->first.type) {
		d->size += leaf->size;
		d->count[leaf->level < 3 ? leaf->level : 2]++;
		return 0;
	}
	flush_range(d);
	d->open = true;
	d->first = *leaf;
	d->size = leaf->size;
	d->count[0] = d->count[1] = d->count[2] = 0;
	d->count[leaf->level < 3 ? leaf->level : 2] = 1;
	return 0;
}

/* ---- entries ---- */

/*
 * Entries are printed one line each, except that a run of leaves side by
 * side in one table, alike but for an address that advances by the leaf
 * size each time (a split block, a large range of pages), is one line:
 * "[first-last]" and the first leaf's values.  So a dump stays short
 * enough to read and to keep as a golden file.
 */
struct entry_dump {
	const struct pt_format *fmt;
	pt_dump_put_fn put;
	void *ctx;
	uint64_t left;                /* visits the limit still allows */
	bool pending;                 /* a run of leaves waits to be printed */
	struct pt_entry_info first;   /* its first leaf */
	unsigned count;               /* its length */
};

static void add_fields(struct line *l, const struct pt_field *fields, uint64_t raw,
		       unsigned where)
{
	const struct pt_field *fd;

	for (fd = fields; fd && fd->name; fd++) {
		uint64_t mask = fd->width >= 64 ? ~0ull : ((uint64_t)1 << fd->width) - 1;
		uint64_t v = (raw >> fd->lsb) & mask;

		if (!(fd->where & where))
			continue;
		if (fd->width == 1) {
			if (v) {
				add_str(l, " ");
				add_str(l, fd->name);
			}
			continue;
		}
		add_str(l, " ");
		add_str(l, fd->name);
		add_str(l, "=");
		add_dec(l, v);
	}
}

static void print_entry(struct entry_dump *d, const struct pt_entry_info *e, unsigned count)
{
	struct line l = { { 0 }, 0 };
	unsigned depth = d->fmt->levels - 1 - e->level;
	unsigned where;

	while (depth--)
		add_str(&l, "  ");
	add_str(&l, "L");
	add_dec(&l, e->level);
	add_str(&l, " [");
	add_dec(&l, e->index);
	if (count > 1) {
		add_str(&l, "-");
		add_dec(&l, e->index + count - 1);
	}
	add_str(&l, "] in=");
	add_hex(&l, e->in, 1);
	if (e->kind == PT_ENTRY_TABLE) {
		add_str(&l, " table bits=");
		add_hex(&l, e->entry & ~d->fmt->oa_mask, 1);
		where = PT_FIELD_TABLE;
	} else {
		if (e->level == 0) {
			add_str(&l, " page");
			where = PT_FIELD_PAGE;
		} else {
			add_str(&l, " block=");
			add_str(&l, size_name(e->level));
			where = PT_FIELD_BLOCK;
		}
		add_str(&l, " out=");
		add_hex(&l, e->addr, 1);
		add_str(&l, " raw=");
		add_hex(&l, e->entry, 16);
	}
	add_fields(&l, d->fmt->fields, e->entry, where);
	d->put(d->ctx, l.s);
}

static void flush_run(struct entry_dump *d)
{
	if (d->pending)
		print_entry(d, &d->first, d->count);
	d->pending = false;
}

/* Does leaf e continue the pending run? */
static bool continues_run(const struct entry_dump *d, const struct pt_entry_info *e)
{
	const struct pt_entry_info *f = &d->first;
	uint64_t step = (uint64_t)d->count * pt_level_size(e->level);

	return d->pending && e->kind == PT_ENTRY_LEAF && e->level == f->level &&
	       e->table_pa == f->table_pa && e->index == f->index + d->count &&
	       e->addr == f->addr + step &&
	       (e->entry & ~d->fmt->oa_mask) == (f->entry & ~d->fmt->oa_mask);
}

static int entry_line(const struct pt_entry_info *e, void *arg)
{
	struct entry_dump *d = arg;

	if (d->left-- == 0)
		return MM_ELIMIT;

	if (continues_run(d, e)) {
		d->count++;
		return 0;
	}
	flush_run(d);
	if (e->kind == PT_ENTRY_TABLE) {
		print_entry(d, e, 1);
		return 0;
	}
	d->pending = true;
	d->first = *e;
	d->count = 1;
	return 0;
}

int pt_dump(const struct pt *pt, unsigned what, pt_dump_put_fn put, void *ctx)
{
	return pt_dump_limited(pt, what, put, ctx, 0);
}

int pt_dump_limited(const struct pt *pt, unsigned what, pt_dump_put_fn put, void *ctx,
		    uint64_t limit)
{
	uint64_t left = limit ? limit : UINT64_MAX;
	const struct pt_format *f = pt->fmt;
	struct line l = { { 0 }, 0 };
	int err = 0;

	add_str(&l, "format ");
	add_str(&l, f->name);
	add_str(&l, " levels=");
	add_dec(&l, f->levels);
	add_str(&l, " in_bits=");
	add_dec(&l, f->in_bits);
	add_str(&l, " root_tables=");
	add_dec(&l, f->root_tables);
	add_str(&l, " table_pages=");
	add_dec(&l, pt->table_pages);
	put(ctx, l.s);

	if (what & PT_DUMP_RANGES) {
		struct range_dump d;

		__builtin_memset(&d, 0, sizeof(d));
		d.left = left;
		d.put = put;
		d.ctx = ctx;
		put(ctx, "ranges");
		err = pt_for_each_leaf(pt, range_leaf, &d);
		flush_range(&d);
		if (err == MM_ELIMIT)
			put(ctx, "stopped: the dump's limit of entries visited was reached");
		if (err)
			return err;
		left = d.left;
	}
	if (what & PT_DUMP_ENTRIES) {
		struct entry_dump d;

		__builtin_memset(&d, 0, sizeof(d));
		d.fmt = f;
		d.left = left;
		d.put = put;
		d.ctx = ctx;
		put(ctx, "entries");
		err = pt_for_each_entry(pt, entry_line, &d);
		flush_run(&d);
		if (err == MM_ELIMIT)
			put(ctx, "stopped: the dump's limit of entries visited was reached");
	}
	return err;
}
