/*
 * The one printf engine, shared by the hypervisor (hv/print.c) and the guest
 * library (guest/lib): format to a character sink.  Freestanding.
 *
 * Conversions: %s %c %d %i %u %x %p %%, with length modifiers l and ll, a
 * field width, and the flags 0 and -.
 */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(void *ctx, char c);

/* Returns the number of characters produced. */
int format_v(format_sink sink, void *ctx, const char *fmt, va_list ap);

/* Format into buf (size len), NUL-terminated and truncated as needed. */
int format_buf_v(char *buf, size_t len, const char *fmt, va_list ap);

#endif
