/*
 * The run loop (run.c).
 */
#ifndef HV_RUN_H
#define HV_RUN_H

#include "arch.h"
#include "hypercall.h"
#include "vm.h"

#ifndef MINIHV_TRACE
#define MINIHV_TRACE 0
#endif

/* Run the vCPU until its VM exits or is stopped. */
void vcpu_run(struct vcpu *vcpu);

/*
 * For backends: refuse the exit the vCPU just took.  Formats the reason
 * into vcpu->exit_reason and sets exit->kind (EXIT_GUEST_FAULT: the guest
 * did something minihv does not allow; EXIT_HOST_ERROR: the CPU would not
 * run the guest) and exit->reason.  The core then stops the VM, adding the
 * exit's name and description (vcpu_run).  One helper, so every backend
 * says "no" the same way and keeps no reason buffer of its own.
 */
__attribute__((format(printf, 4, 5)))
void vcpu_refuse(struct vcpu *vcpu, struct vm_exit *exit, enum exit_kind kind,
		 const char *fmt, ...);

/*
 * For backends: the hypercall fast path, KVM's arrangement.  A backend
 * whose exit path can decode a window access before it returns from
 * arch_vcpu_run (aarch64: the syndrome of a stage-2 data abort describes
 * it whole) offers it here first.  If this returns true the access was
 * served exactly as vcpu_run and hypercall_mmio would have served it --
 * the same checks, the exit counted, the watchdog told the guest made
 * progress -- and the backend completes it (*load_value for a load, the
 * PC stepped) and re-enters the guest at once, without the round trip
 * through vcpu_run.  False: nothing was touched; the backend reports the
 * exit to vcpu_run as usual, which serves or refuses it.  user_mode is
 * arch_vcpu_user_mode(vcpu), which the backend knows at that point
 * without a call: an access from the guest's user mode is refused, by
 * the ordinary path.  Only accesses
 * that cannot stop the guest or print are served here (the value
 * registers: VERSION, ARG0-3, RESULT, SCRATCH), and none under TRACE=1,
 * which prints every exit from vcpu_run.  The time watchdog needs nothing
 * here: its timer interrupt ends the next entry (a backend that reads its
 * clock before each entry, x86, reads it before the fast path's too).
 *
 * This is a call from arch/ back into hv/, against the usual direction,
 * as vcpu_refuse is: the alternative, the backend serving the registers
 * itself, would copy the ABI's checks into every backend.  It is inline,
 * with hypercall_value_register, so that it compiles into the backend's
 * exit path with no call, frame or memory round trip for the access: the
 * code and its checks stay hv's, written once.
 */
static inline bool hv_fast_mmio(struct vcpu *vcpu, const struct mmio_access *a, bool user_mode,
				uint64_t *load_value)
{
	/*
	 * The checks of vcpu_run and hypercall_mmio, in their order.  The VM
	 * is running: vcpu_run enters no other, and nothing stops one while
	 * its guest runs.
	 */
	if (MINIHV_TRACE || !hypercall_window_contains(a->gpa) || user_mode)
		return false;
	*load_value = 0;
	if (hypercall_value_register(vcpu, a, gpa_val(a->gpa) - MINIHV_HC_WINDOW_GPA,
				     load_value) != WINDOW_DONE)
		return false;
	/* What vcpu_run does after an access the device accepted. */
	vcpu->exits++;
	vcpu->idle_exits = 0;
	return true;
}

/*
 * For backends: an exit the backend has handled completely by itself, one
 * that is not progress by the watchdog's measure (aarch64: the null call,
 * HVC #0), taken without leaving the backend's exit path, as
 * hv_fast_mmio does.  True: counted as vcpu_run counts it (one more exit,
 * one more without progress) and the guest may go on at once.  False,
 * counting nothing: under TRACE=1, or when this exit would reach the
 * watchdog's limit of exits without progress -- the backend then reports
 * it to vcpu_run, which counts it and stops the guest.
 */
static inline bool hv_fast_exit(struct vcpu *vcpu)
{
	uint64_t limit = vcpu->vm->watchdog_exits;

	if (MINIHV_TRACE || (limit && vcpu->idle_exits + 1 >= limit))
		return false;
	vcpu->exits++;
	vcpu->idle_exits++;
	return true;
}

#endif
