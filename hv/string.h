/*
 * Freestanding string functions: the C library subset in hv/string.c, and
 * str_find in hv/str_find.c (apart, so the host tests can link it alone).
 */
#ifndef HV_STRING_H
#define HV_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* First occurrence of needle in haystack, or NULL. */
const char *str_find(const char *haystack, const char *needle);

#endif
