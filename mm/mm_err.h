/*
 * Error codes shared by all of mm/.  Functions return 0 or a negative
 * MM_E* value; mm_strerror() (mm_err.c) names it for a FAIL line.
 */
#ifndef MM_MM_ERR_H
#define MM_MM_ERR_H

enum mm_err {
	MM_OK = 0,
	MM_ENOMEM = -1,     /* allocator exhausted */
	MM_EINVAL = -2,     /* misaligned or malformed argument */
	MM_EOVERLAP = -3,   /* range already (partly) mapped */
	MM_ENOTMAPPED = -4, /* translation found no mapping */
	MM_EFAULT = -5,     /* address outside the memory it must lie in */
	MM_EPERM = -6,      /* mapped, but without the permission asked for */
	MM_EUNSUPPORTED = -7, /* the guest's translation regime is one this
				 code cannot walk exactly as the CPU would */
	MM_ELIMIT = -8,     /* a walk stopped at the limit its caller set */
};

const char *mm_strerror(int err);

#endif
