/*
 * str_find: the one string helper of minihv's own (declared in string.h).
 *
 * It lives apart from string.c on purpose.  string.c holds the functions
 * the C library also defines (memcpy, memset, ...); the host unit tests
 * cannot link those over the C library's, but they do need this one, so it
 * must be linkable on its own.
 */
#include "string.h"

const char *str_find(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);
	for (; *haystack; haystack++)
		if (memcmp(haystack, needle, n) == 0)
			return haystack;
	return n == 0 ? haystack : NULL;
}
