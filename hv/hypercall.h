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
 * The registers that only hold a value: VERSION, ARG0-3, RESULT and
 * SCRATCH.  An access to them that the ABI allows changes nothing but the
 * vCPU's hypercall registers, cannot stop the guest and prints nothing,
 * which is what lets hv_fast_mmio (run.h) serve them from inside the
 * backend.
 * Returns WINDOW_DONE (served; *load_value for a load), WINDOW_REFUSED (a
 * width or direction the register does not allow: nothing latched), or
 * WINDOW_OTHER (not one of these registers: the caller decides).  Every
 * register is at a multiple of 8: a misaligned offset matches none, and
 * the aligned ones, divided by 8, index one jump table.
 */
enum window_result { WINDOW_DONE, WINDOW_REFUSED, WINDOW_OTHER };

static inline enum window_result hypercall_value_register(struct vcpu *vcpu,
							 const struct mmio_access *a,
							 uint64_t off, uint64_t *load_value)
{
	switch ((off & 7) ? ~0ull : off / 8) {
	case MINIHV_HC_VERSION / 8:
		if (a->write || a->size != 4)
			return WINDOW_REFUSED;
		*load_value = MINIHV_ABI_VERSION;
		return WINDOW_DONE;
	case MINIHV_HC_ARG0 / 8:
	case MINIHV_HC_ARG1 / 8:
	case MINIHV_HC_ARG2 / 8:
	case MINIHV_HC_ARG3 / 8:
		if (!a->write || a->size != 8)
			return WINDOW_REFUSED;
		vcpu->hc_arg[(off - MINIHV_HC_ARG0) / 8] = a->value;
		return WINDOW_DONE;
	case MINIHV_HC_RESULT / 8:
		if (a->write || a->size != 8)
			return WINDOW_REFUSED;
		*load_value = vcpu->hc_result;
		return WINDOW_DONE;
	case MINIHV_HC_SCRATCH / 8:
		/* The echo register, any width: a store keeps the low bytes
		 * it writes, a load returns the low bytes it reads. */
		if (a->write)
			vcpu->hc_scratch = a->value;
		else
			*load_value = a->size == 8 ? vcpu->hc_scratch
				      : vcpu->hc_scratch & ((1ull << (a->size * 8)) - 1);
		return WINDOW_DONE;
	default:
		return WINDOW_OTHER;
	}
}


/*
 * Emulate one access to the window.  For a load, *load_value is what the
 * guest reads.  Returns false if the access was refused and the VM stopped.
 */
bool hypercall_mmio(struct vcpu *vcpu, const struct mmio_access *a, uint64_t *load_value);

/* Print any partial console line the guest left. */
void hypercall_flush_console(struct vm *vm);

#endif
