/*
 * The run loop: enter the guest, take the exit, decide, repeat.
 *
 * This is the hot path of any hypervisor.  The backend does the minimum to
 * tell us what happened (struct vm_exit); we dispatch on the kind.  The long
 * description of an exit is only built when TRACE=1 or when something went
 * wrong.
 */
#include "run.h"
#include "hypercall.h"
#include "print.h"
#include "trace.h"
#include "../lib/format.h"

void vcpu_refuse(struct vcpu *vcpu, struct vm_exit *exit, enum exit_kind kind,
		 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	format_buf_v(vcpu->exit_reason, sizeof(vcpu->exit_reason), fmt, ap);
	va_end(ap);
	exit->kind = kind;
	exit->reason = vcpu->exit_reason;
}

static void trace_exit(const struct vcpu *vcpu, const struct vm_exit *e,
		       const char *handled)
{
	char desc[256];
	char abi[64]; /* the hypercall register and call, by name (trace.c) */
	arch_describe_exit(vcpu, e, desc, sizeof(desc));
	if (e->kind == EXIT_MMIO) {
		trace_hypercall_words(e->mmio.gpa, e->mmio.write, e->mmio.value, abi, sizeof(abi));
		hv_printf("trace: %s vcpu%u exit %llu: %s: gpa 0x%llx%s %u-byte %s value 0x%llx: %s [%s]\n",
			  vcpu->vm->name, vcpu->id, (unsigned long long)vcpu->exits,
			  e->name, (unsigned long long)gpa_val(e->mmio.gpa), abi, e->mmio.size,
			  e->mmio.write ? "store" : "load",
			  (unsigned long long)e->mmio.value, handled, desc);
	} else
		hv_printf("trace: %s vcpu%u exit %llu: %s: %s [%s]\n", vcpu->vm->name,
			  vcpu->id, (unsigned long long)vcpu->exits, e->name, handled, desc);
}

/* *progress: the hypercall device accepted the access. */
static const char *handle_mmio(struct vcpu *vcpu, struct vm_exit *e, bool *progress)
{
	uint64_t value;

	if (!hypercall_window_contains(e->mmio.gpa)) {
		vm_stop(vcpu->vm, "%u-byte %s at guest-physical 0x%llx: nothing is there (not RAM, not the hypercall window)",
			e->mmio.size, e->mmio.write ? "store" : "load",
			(unsigned long long)gpa_val(e->mmio.gpa));
		return "refused: unmapped address";
	}
	if (!hypercall_mmio(vcpu, &e->mmio, &value))
		return "refused by the hypercall device";
	*progress = true;
	/* For a load this is where the value reaches the guest: the backend
	 * writes it into the destination register and steps the PC. */
	if (!e->mmio.write)
		e->mmio.value = value;
	arch_vcpu_mmio_done(vcpu, e, value);
	return e->mmio.write ? "hypercall store" : "hypercall load";
}

static void stop_with_description(struct vcpu *vcpu, const struct vm_exit *e)
{
	char desc[256];
	arch_describe_exit(vcpu, e, desc, sizeof(desc));
	vm_stop(vcpu->vm, "%s%s: %s (%s)",
		e->kind == EXIT_HOST_ERROR ? "the CPU refused to run the guest: " : "",
		e->name, e->reason ? e->reason : "not handled", desc);
}

/*
 * Two watchdogs keep a guest from holding the CPU forever (the next test
 * would never run):
 *   - time: the backend's timer (arch_vcpu_watchdog_arm) ends the run
 *     after vm->watchdog_ms, which is the only thing that can stop a guest
 *     that never exits at all;
 *   - exits: vm->watchdog_exits exits in a row with no hypercall access
 *     the device accepted is a guest going nowhere (a trapped WFE in a
 *     loop, an interrupt storm, a CPUID loop on x86), stopped here whether
 *     or not the backend has a timer.  A guest that keeps calling the
 *     hypervisor is making progress by this measure; only the timer bounds
 *     that one.
 */
void vcpu_run(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct vm_exit e;

	vcpu->idle_exits = 0;
	if (vm->watchdog_ms)
		(void)arch_vcpu_watchdog_arm(vcpu, vm->watchdog_ms);
	while (vm->state == VM_RUNNING) {
		arch_vcpu_run(vcpu, &e);
		vcpu->exits++;

		const char *handled;
		bool progress = false;
		switch (e.kind) {
		case EXIT_MMIO:
			handled = handle_mmio(vcpu, &e, &progress);
			break;
		case EXIT_HANDLED:
			handled = "emulated";
			break;
		case EXIT_HALT:
			/* No interrupt will ever wake it: minihv guests get
			 * none.  A halted guest is a finished one. */
			vm_stop(vm, "the guest halted (%s) without calling exit", e.name);
			handled = "guest stopped";
			break;
		case EXIT_WATCHDOG:
			vm_stop(vm, "watchdog: guest ran for %llu ms without finishing",
				(unsigned long long)vm->watchdog_ms);
			handled = "guest stopped";
			break;
		case EXIT_POWER_OFF:
		case EXIT_RESET:
			/* The guest's own way to end: the machine it sees
			 * goes off, this VM with it.  Without the EXIT
			 * hypercall first, there is no verdict: say how it
			 * ended (a Linux panic with panic=-1 resets). */
			vm_stop(vm, "the guest %s (%s) without making the EXIT hypercall",
				e.kind == EXIT_POWER_OFF ? "powered off" : "reset the machine",
				e.name);
			handled = "guest stopped";
			break;
		default:
			stop_with_description(vcpu, &e);
			handled = "guest stopped";
			break;
		}
		vcpu->idle_exits = progress ? 0 : vcpu->idle_exits + 1;
		if (vm->state == VM_RUNNING && vm->watchdog_exits &&
		    vcpu->idle_exits >= vm->watchdog_exits) {
			vm_stop(vm, "watchdog: %llu exits without progress (the last: %s)",
				(unsigned long long)vcpu->idle_exits, e.name);
			handled = "guest stopped";
		}
		if (MINIHV_TRACE)
			trace_exit(vcpu, &e, handled);
	}
}
