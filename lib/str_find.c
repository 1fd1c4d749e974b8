/*
 * str_find: the one string helper of minihv's own (declared in
 * minihv_string.h).
 *
 * It lives apart from minihv_string.c on purpose.  That file holds the
 * functions the C library also defines (memcpy, memset, ...); the host unit
 * tests cannot link those over the C library's, but they do need this one,
 * so it must be linkable on its own.
 */
#include "minihv_string.h"

const char *str_find(const char *haystack, const char *needle)
{
	/*
	 * A character at a time, stopping at the first difference.  The
	 * shorter-looking memcmp(haystack, needle, strlen(needle)) would, near
	 * the end of the haystack, be asked to read past its NUL: that only
	 * works with a memcmp that happens to stop early, and a C library's
	 * need not (AddressSanitizer's does not).  Here the haystack's NUL
	 * always differs from the needle character it meets, so no read
	 * goes beyond it.
	 */
	for (;; haystack++) {
		size_t i = 0;
		while (needle[i] && haystack[i] == needle[i])
			i++;
		if (!needle[i])
			return haystack;
		if (!*haystack)
			return NULL;
	}
}
