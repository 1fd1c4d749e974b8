/*
 * hv_printf: a small printf for the hypervisor, writing to the console.
 * Supports %s %c %d %i %u %x %lx %lu %ld %llx %llu %p %%, a field width and
 * the 0 flag (%016lx).  hv_snprintf formats into a buffer, always
 * NUL-terminated, truncating.
 */
#ifndef HV_PRINT_H
#define HV_PRINT_H

#include <stdarg.h>
#include <stddef.h>

__attribute__((format(printf, 1, 2))) void hv_printf(const char *fmt, ...);
__attribute__((format(printf, 3, 4))) int hv_snprintf(char *buf, size_t len, const char *fmt, ...);
int hv_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);

#endif
