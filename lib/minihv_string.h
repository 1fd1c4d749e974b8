/*
 * minihv's freestanding string functions, for the hypervisor and the guests:
 * the C library subset in lib/minihv_string.c, and str_find in
 * lib/str_find.c (apart, so the host tests can link it alone).
 *
 * Not called string.h on purpose: a "string.h" of our own would read as the
 * C library's <string.h>, and on a host build could be taken for it.
 */
#ifndef LIB_MINIHV_STRING_H
#define LIB_MINIHV_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* First occurrence of needle in haystack, or NULL. */
const char *str_find(const char *haystack, const char *needle);

#endif
