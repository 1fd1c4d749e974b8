/*
 * The bump allocator.
 *
 * minihv takes one contiguous block of memory from the firmware at boot and
 * never asks again.  Every second-level table, VMCS/VMCB and guest RAM block
 * is carved from it by moving a pointer forward ("bumping").  There is no
 * free(): instead a caller takes a mark before creating a VM and resets to it
 * when the VM ends, which gives back everything allocated in between at once.
 * That is exactly the lifetime hypervisor objects have, and it makes leaks
 * impossible to hide: the usage statistics show them.
 *
 * Allocations are zeroed and aligned to any power of two.  Exhaustion is an
 * error the caller sees (NULL, and the allocator remembers the failed
 * request for the error message), never a crash.
 */
#ifndef MM_BUMP_H
#define MM_BUMP_H

#include "types.h"

struct bump {
	const char *name;
	uintptr_t base;     /* first byte of the pool (a host pointer) */
	uintptr_t end;      /* one past the last byte */
	uintptr_t next;     /* next free byte */
	uintptr_t peak;     /* highest value next has reached */
	uint64_t allocs;    /* number of successful allocations */
	uint64_t failures;  /* number of refused allocations */
	uint64_t last_failed_size; /* size of the most recent refused request */
	/*
	 * The gap an aligned allocation skipped, [hole, hole_end): a VM's
	 * RAM is 2 MiB aligned, and the up to 2 MiB before it would be lost
	 * for as long as the VM lives.  Later allocations that fit there go
	 * there instead (its tables, VMCS or VMCB, ...).  One gap at a time:
	 * a larger new one replaces it.
	 */
	uintptr_t hole, hole_end;
};

struct bump_mark {
	uintptr_t next;
	uint64_t allocs;    /* allocs when the mark was taken: allocs minus
			       this is how many allocations came since */
	uintptr_t hole, hole_end;  /* the gap as it was: a reset gives back
				      what was placed in it since, too */
};

struct bump_stats {
	uint64_t size;      /* pool size in bytes */
	uint64_t used;      /* bytes below next (including alignment padding,
			       and the gap, which later allocations fill) */
	uint64_t peak;      /* most bytes ever in use */
	uint64_t free;      /* bytes left */
	uint64_t allocs;    /* successful allocations since init */
	uint64_t failures;  /* refused allocations since init */
};

/* Manage [base, base+size).  Nothing is written to the pool here. */
void bump_init(struct bump *b, const char *name, void *base, uint64_t size);

/*
 * Allocate size bytes aligned to align (a power of two, at least 1), zeroed:
 * in the gap an earlier aligned allocation skipped if it fits there, else
 * at next.  Returns NULL when the pool cannot hold it, or when align is not
 * a power of two or size is 0.
 */
void *bump_alloc(struct bump *b, uint64_t size, uint64_t align);

/* A zeroed, page-aligned page (PAGE_SIZE bytes), or NULL. */
void *bump_alloc_page(struct bump *b);

/*
 * Remember the current position, and later give back all allocated since.
 * Reset only moves next (and the gap) back: allocs and failures keep counting since init,
 * and the peak stays.  A mark that is not between base and the current
 * position (another pool's, or one already given back) is ignored.
 */
struct bump_mark bump_mark(const struct bump *b);
void bump_reset(struct bump *b, struct bump_mark m);

void bump_get_stats(const struct bump *b, struct bump_stats *out);

#endif
