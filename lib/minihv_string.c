/*
 * The C library functions the compiler may call on its own (memset, memcpy,
 * memmove, memcmp: it emits calls to them for struct copies and zeroing even
 * in freestanding code), strlen and strcmp.  Shared with the guest library.
 *
 * Nothing else belongs here: the host unit tests link the hypervisor core
 * against the C library's versions of exactly these functions (two
 * definitions of memcpy would collide, and the sanitizers need their own),
 * so helpers of minihv's own go in files of their own, like str_find.c.
 */
#include <stddef.h>

#include "minihv_string.h"

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}
