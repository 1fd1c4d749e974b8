/*
 * Flattened device tree (FDT, "DTB"): a small writer and a smaller reader.
 * Freestanding; the hypervisor and the host tests both build it.
 *
 * Why our own and not libfdt.  Issue 10 prefers libfdt if Debian's packages
 * give it to us freestanding for the aarch64 UEFI app and the host tests.
 * They do not (checked on Debian 12, dtc/libfdt 1.6.1):
 *   - libfdt-dev holds only the headers and a host libfdt.a/.so, built for
 *     hosted Linux (x86_64 here; libfdt-dev:arm64 is the same for arm64):
 *     not -mgeneral-regs-only, not -mno-red-zone, calling the C library's
 *     string functions.  No object fit for a UEFI app, and no source.
 *   - Its source is only in the device-tree-compiler *source* package
 *     (apt-get source: no deb-src lines on our machines) or inside the
 *     140 MB linux-source-6.1 tarball (scripts/dtc/libfdt): pulling either
 *     in to compile ten files with our flags is more weight and glue than
 *     the ~500 lines below.
 * So: our own writer, with host unit tests that check its blobs with
 * Debian's dtc (device-tree-compiler), and a libFuzzer target.
 *
 * The format (Devicetree Specification v0.4, chapter 5), all integers
 * big-endian, every piece 4-byte aligned:
 *
 *	header       40 bytes: magic 0xd00dfeed, totalsize, the offsets of the
 *	             three blocks below, version 17, last compatible 16,
 *	             boot CPU, the sizes of the strings and struct blocks
 *	rsvmap       (address, size) pairs of u64, 8-byte aligned, ended by
 *	             a (0, 0) pair: memory the OS must not touch
 *	struct       a token stream: BEGIN_NODE name, PROP len nameoff value,
 *	             END_NODE, ... END.  Names and values padded to 4 bytes.
 *	strings      every property name once, NUL-terminated; a PROP token
 *	             gives its name as an offset into this block
 *
 * The writer builds the blob front to back in the caller's buffer, in the
 * order of the calls: fdt_begin, fdt_add_reservation..., then the tree by
 * fdt_begin_node / fdt_prop_* / fdt_end_node, then fdt_finish.  Property
 * names are collected in a table inside the writer (fdt_finish appends it
 * as the strings block), because the struct block is still growing while
 * they arrive and we do not know where the strings will land.
 *
 * Errors are sticky, as in stdio's ferror: the first failing call records
 * its error in w->err, every later call does nothing, and fdt_finish
 * returns it.  The caller can write the whole tree without checking each
 * call and still never ship half a blob.  No call ever writes at or past
 * buf + cap.
 *
 *	struct fdt_writer w;
 *	size_t size;
 *	fdt_begin(&w, buf, sizeof(buf));
 *	fdt_begin_node(&w, "");
 *	fdt_prop_u32(&w, "#address-cells", 2);
 *	fdt_begin_node(&w, "chosen");
 *	fdt_prop_string(&w, "bootargs", "console=ttyAMA0");
 *	fdt_end_node(&w);
 *	fdt_end_node(&w);
 *	if (fdt_finish(&w, &size) != 0) ... fdt_strerror(w.err) ...
 *
 * The reader answers the two questions the hypervisor asks of the tree the
 * firmware hands it (where is device X, what is its property Y).  That tree
 * is trusted, but the reader is still written as if it were not: every read
 * is checked against max and against the blob's own sizes, and every loop
 * advances, so a corrupt blob gives "not found", never a fault or a hang.
 * Its one limit: a tree nested deeper than 32 levels counts as bad (real
 * ones nest 3 or 4; the walk keeps each open node's cells on a stack).
 */
#ifndef LIB_FDT_H
#define LIB_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes (negative, so "if (err)" and "err < 0" both work). */
#define FDT_ENOSPC    (-1)  /* the buffer, or the property-name table, is full */
#define FDT_EBADNAME  (-2)  /* a node or property name the DT spec does not allow */
#define FDT_EBADSTATE (-3)  /* a call out of order (see each call below) */

/* Room for the property names of one tree, each once (the tree QEMU builds
 * for its virt machine has 454 bytes of them).  The table lives inside
 * struct fdt_writer, which is so about 1.1 KiB: no allocator needed, but
 * mind a small stack. */
#define FDT_STRINGS_MAX 1024

struct fdt_writer {
	uint8_t *buf;
	size_t cap;          /* bytes of buf we may use (at most 4 GiB: u32 sizes) */
	size_t off;          /* next free byte: the blob is buf[0..off) so far */
	size_t off_struct;   /* where the struct block starts (0: no node yet) */
	unsigned depth;      /* nodes begun and not yet ended */
	int state;           /* FDT_W_*, in fdt_write.c: what may come next */
	bool after_child;    /* the open node has had a child: no more props */
	size_t node_props;   /* where the open node's properties start */
	size_t strings_len;
	char strings[FDT_STRINGS_MAX];
	int err;             /* sticky: first error, 0 if none */
};

/* Start a blob in buf[0..cap).  boot_cpuid 0.  buf needs no alignment: the
 * writer stores byte by byte (the blob's own offsets are aligned). */
void fdt_begin(struct fdt_writer *w, void *buf, size_t cap);

/* Reserve a memory range in the blob's reservation block.  Only before the
 * first fdt_begin_node (the block sits in front of the tree), else
 * FDT_EBADSTATE. */
void fdt_add_reservation(struct fdt_writer *w, uint64_t addr, uint64_t size);

/* Open a node.  The first is the root, named "", and there is exactly one;
 * every other name is node-name[@unit-address]: node-name 1..31 of
 * [A-Za-z0-9,._+-], unit-address 1 or more of the same, else FDT_EBADNAME.
 * A second root, or a node after the root was closed: FDT_EBADSTATE. */
void fdt_begin_node(struct fdt_writer *w, const char *name);

/* Close the innermost open node (none open: FDT_EBADSTATE). */
void fdt_end_node(struct fdt_writer *w);

/* Properties of the innermost open node.  Name: 1..31 of
 * [A-Za-z0-9,._+?#-], and not one the node already has (dtc refuses such a
 * tree, and a reader would see only the first), else FDT_EBADNAME.  (Two
 * sibling nodes of the same name are not caught.)  The spec puts a node's
 * properties before its children, so a property after a child node (or
 * outside any node) is FDT_EBADSTATE.  The name table being full is
 * FDT_ENOSPC. */
void fdt_prop(struct fdt_writer *w, const char *name, const void *val, size_t len);
/* A boolean property: present, no value ("interrupt-controller;"). */
void fdt_prop_empty(struct fdt_writer *w, const char *name);
/* One cell, big-endian. */
void fdt_prop_u32(struct fdt_writer *w, const char *name, uint32_t v);
/* Two cells, big-endian: the high one first. */
void fdt_prop_u64(struct fdt_writer *w, const char *name, uint64_t v);
/* n cells, each stored big-endian. */
void fdt_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells, unsigned n);
/* A string, with its NUL. */
void fdt_prop_string(struct fdt_writer *w, const char *name, const char *s);
/* A string list ("a\0b\0"): n strings, each with its NUL. */
void fdt_prop_strings(struct fdt_writer *w, const char *name, const char *const *s, unsigned n);

/* Close the blob: checks every node was ended (and that there was a root),
 * appends the strings block, fills the header (version 17,
 * last_comp_version 16, totalsize, off_* and size_*).  Returns 0 and sets
 * *size (size may be NULL) to the blob's size, or returns the first error
 * (the sticky one) and sets *size to 0.  After a successful one, every call
 * is FDT_EBADSTATE. */
int fdt_finish(struct fdt_writer *w, size_t *size);

/* A short text for an error code ("buffer full", ...). */
const char *fdt_strerror(int err);

/* ------------------------------------------------------------ reader --- */

/* Does blob look like an FDT: magic, version >= 16 (and a last compatible
 * version we can read), the blocks inside totalsize and totalsize inside
 * max, the struct block 4-byte aligned? */
bool fdt_valid(const void *blob, size_t max);

/* The idx-th "reg" entry (addr, size) of the first node, in document order,
 * whose "compatible" list contains compatible, decoded with the
 * #address-cells/#size-cells of its parent (absent: 2 and 1, as the spec
 * says).  #address-cells 1 or 2, #size-cells 0, 1 or 2 (0: size 0, as
 * under /cpus); anything else is -1.  0 on success, -1 if no such node or
 * entry, or the blob is bad. */
int fdt_find_reg(const void *blob, size_t max, const char *compatible, unsigned idx,
		 uint64_t *addr, uint64_t *size);

/* A property of that same node (the first node whose compatible contains
 * `compatible`): a pointer into the blob and its length, or NULL (no such
 * node or property, or a bad blob; len may be NULL).  The value is
 * big-endian and has no alignment (read it byte by byte). */
const void *fdt_find_prop(const void *blob, size_t max, const char *compatible,
			  const char *prop, uint32_t *len);

#endif
