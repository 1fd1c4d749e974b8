/*
 * A text dump of a page-table tree, the same for every format, meant to be
 * diffed: against a golden copy in the tests (tests/ptdump/), and against
 * the dump of another implementation that built the "same" tables.  The
 * exact text is specified in docs/mm.md ("ptdump"); in short:
 *
 *   format x86-ept levels=4 in_bits=48 root_tables=1 table_pages=3
 *   ranges
 *   range in=0x80000000 size=0x400000 out=0x40000000 perms=rwx- type=normal leaves=2M*2
 *   entries
 *   L3 [0] in=0x0 table bits=0x7 R W X
 *     L2 [2] in=0x80000000 table bits=0x7 R W X
 *       L1 [0] in=0x80000000 block=2M out=0x40000000 raw=0x00000000400000f7 R W X MT=6 IPAT PS
 *
 * "ranges" coalesces the leaves (pt_for_each_leaf) into runs that are
 * contiguous in input and output with the same permissions and type.
 * "entries" lists every valid entry, depth first, with its raw value and
 * the format's named fields (pt_format.fields).  A table entry prints its
 * bits without the table's address: where a table lives is the allocator's
 * business, and would make two correct dumps differ.
 *
 * mm/ has no printf: each line goes, without its newline, to put().
 */
#ifndef MM_PT_DUMP_H
#define MM_PT_DUMP_H

#include "pt.h"

#define PT_DUMP_RANGES  0x1u
#define PT_DUMP_ENTRIES 0x2u
#define PT_DUMP_ALL     (PT_DUMP_RANGES | PT_DUMP_ENTRIES)

#define PT_DUMP_LINE_MAX 256   /* no line is longer, its NUL included */

typedef void (*pt_dump_put_fn)(void *ctx, const char *line);

/* Dump the parts `what` asks for.  0, or the walk's error (MM_EFAULT). */
int pt_dump(const struct pt *pt, unsigned what, pt_dump_put_fn put, void *ctx);

/*
 * The same, stopping once the walk has made `limit` visits (0: no limit),
 * with a last line "stopped: ..." and MM_ELIMIT.  For tables someone else
 * wrote -- a guest's own, which may point every entry at one table -- where
 * a dump must end in bounded time: use PT_DUMP_ENTRIES there.  Its walk
 * visits every valid entry, tables included, so the limit bounds the work;
 * PT_DUMP_RANGES visits leaves only, and a tree of tables without leaves
 * would cost 512 steps per table entry with no visit counted.
 */
int pt_dump_limited(const struct pt *pt, unsigned what, pt_dump_put_fn put, void *ctx,
		    uint64_t limit);

/* "rwxu" with '-' for what perms lacks, into out[5]. */
void pt_perms_str(unsigned perms, char out[5]);

#endif
