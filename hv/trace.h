/*
 * TRACE=1's words for the hypercall ABI (trace.c).
 */
#ifndef HV_TRACE_H
#define HV_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../mm/types.h"

/*
 * Into BUF: " (CALL = console_write)", " (ARG0)", ... when GPA is in the
 * hypercall window, or "" when it is not.  WRITE and VALUE: the access.
 */
void trace_hypercall_words(gpa_t gpa, bool write, uint64_t value, char *buf, size_t len);

#endif
