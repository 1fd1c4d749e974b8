/*
 * The hypercall device (hypercall.c): serves loads and stores in the
 * hypercall window, as described in hypercall_abi.h.
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "arch.h"
#include "vm.h"

static inline bool hypercall_window_contains(gpa_t a)
{
	return gpa_val(a) >= MINIHV_HC_WINDOW_GPA &&
	       gpa_val(a) < MINIHV_HC_WINDOW_GPA + MINIHV_HC_WINDOW_SIZE;
}

/*
 * Emulate one access to the window.  For a load, *load_value is what the
 * guest reads.  Returns false if the access was refused and the VM stopped.
 */
bool hypercall_mmio(struct vcpu *vcpu, const struct mmio_access *a, uint64_t *load_value);

/* Print any partial console line the guest left. */
void hypercall_flush_console(struct vm *vm);

#endif
