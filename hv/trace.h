/*
 * TRACE=1's words for the hypercall ABI, and TRACE=2's table dumps (trace.c).
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

struct vm;

/*
 * TRACE=2: print VM's tables as mm/pt_dump.h dumps them (docs/mm.md), each
 * line behind "trace: NAME s2: " (the second-level tables) or "trace:
 * NAME gpt: " (the guest's page tables the hypervisor built, as the guest
 * left them: entries only, at most a bounded number of them).
 */
void trace_vm_tables(const struct vm *vm);

#endif
