/*
 * The hypercall device: what a load or store in the hypercall window means.
 *
 * The backend has already decoded the trapped access into (address, width,
 * direction, value).  Here we check it against the ABI (hypercall_abi.h)
 * and act.  Every value comes from an untrusted guest: offsets, widths,
 * call numbers, pointers and lengths are all checked, and a bad one stops
 * the guest with a reason rather than being guessed at.
 */
#include "hypercall.h"
#include "console.h"
#include "print.h"
#include "../lib/minihv_string.h"

void hypercall_flush_console(struct vm *vm)
{
	console_guest_flush(vm);
}

/*
 * Copy a guest buffer (gva, len) into buf.  On failure stop the VM with a
 * message naming the call, the address and why it was refused.
 */
static bool copy_guest_buffer(struct vcpu *vcpu, const char *what, uint64_t gva_arg,
			      uint64_t len, char *buf)
{
	if (len > MINIHV_MAX_MESSAGE) {
		vm_stop(vcpu->vm, "%s: length %llu is larger than the ABI's limit of %u",
			what, (unsigned long long)len, MINIHV_MAX_MESSAGE);
		return false;
	}
	struct guest_mmu mmu;
	vcpu_guest_mmu(vcpu, &mmu);
	int err = guest_read_virt(&mmu, gva(gva_arg), buf, len);
	if (err) {
		vm_stop(vcpu->vm, "%s: buffer at gva 0x%llx (%llu bytes) is not readable guest memory: %s",
			what, (unsigned long long)gva_arg, (unsigned long long)len,
			mm_strerror(err));
		return false;
	}
	buf[len] = '\0';
	return true;
}

/*
 * Charge len bytes of console output to the VM's budget (vm->console_budget,
 * 0: none).  Past it the guest is stopped and the bytes are not printed:
 * a guest must not be able to fill the host's log and disk.
 */
static bool console_charge(struct vm *vm, uint64_t len)
{
	if (vm->console_budget && len > vm->console_budget - vm->console_used) {
		vm_stop(vm, "console: the guest wrote more than %llu bytes, its console budget",
			(unsigned long long)vm->console_budget);
		return false;
	}
	vm->console_used += len;
	return true;
}

static void do_call(struct vcpu *vcpu, uint64_t nr)
{
	struct vm *vm = vcpu->vm;
	uint64_t *arg = vcpu->hc_arg;
	char buf[MINIHV_MAX_MESSAGE + 1];

	vcpu->hc_result = MINIHV_OK;
	switch (nr) {
	case MINIHV_CALL_CONSOLE_WRITE:
		if (copy_guest_buffer(vcpu, "console_write", arg[0], arg[1], buf) &&
		    console_charge(vm, arg[1]))
			for (uint64_t i = 0; i < arg[1]; i++)
				console_guest_putc(vm, buf[i]);
		return;
	case MINIHV_CALL_REPORT:
		if (arg[0] > MINIHV_VERDICT_SKIP) {
			vm_stop(vm, "report: verdict %llu is not PASS (0), FAIL (1) or SKIP (2)",
				(unsigned long long)arg[0]);
			return;
		}
		if (!copy_guest_buffer(vcpu, "report", arg[1], arg[2], buf))
			return;
		for (char *p = buf; *p; p++)
			if (*p < ' ' || *p > '~')
				*p = '?';
		/* A FAIL is sticky: a later PASS must not hide it. */
		if (!vm->reported || vm->verdict != MINIHV_VERDICT_FAIL) {
			vm->verdict = (unsigned)arg[0];
			memcpy(vm->report_msg, buf, arg[2] + 1);
		}
		vm->reported = true;
		return;
	case MINIHV_CALL_EXIT:
		vm->exit_code = arg[0];
		vm->state = VM_EXITED;
		return;
	case MINIHV_CALL_MEMINFO: {
		struct minihv_boot_info info;
		vm_boot_info(vm, vcpu->id, &info);
		struct guest_mmu mmu;
		vcpu_guest_mmu(vcpu, &mmu);
		int err = guest_write_virt(&mmu, gva(arg[0]), &info, sizeof(info));
		if (err)
			vm_stop(vm, "meminfo: destination gva 0x%llx is not writable guest memory: %s",
				(unsigned long long)arg[0], mm_strerror(err));
		return;
	}
	default:
		/* Unknown calls are an error the guest can see, not a stop:
		 * that is how a guest probes for newer calls. */
		vcpu->hc_result = (uint64_t)MINIHV_ENOSYS;
		return;
	}
}

/*
 * The refusals, out of the hot path: they format a message, and the
 * compiler need not prepare for that on every access.
 */
static bool __attribute__((noinline, cold)) refuse_user(struct vcpu *vcpu,
							const struct mmio_access *a, uint64_t off)
{
	vm_stop(vcpu->vm, "hypercall window: %u-byte %s at offset 0x%llx from the guest's user mode refused: hypercalls are for the guest kernel",
		a->size, a->write ? "store" : "load", (unsigned long long)off);
	return false;
}

/*
 * A VM whose kernel may hand the window to its user programs
 * (vm->user_hypercalls: a Linux guest, where only root can map it, through
 * /dev/mem) still keeps from them every call that takes a pointer: the
 * hypervisor would walk it with the kernel's reach, so a user program could
 * have the kernel's own pages printed or written.  The value registers,
 * PUTC and EXIT carry no pointer.
 */
static bool call_takes_pointer(uint64_t nr)
{
	return nr == MINIHV_CALL_CONSOLE_WRITE || nr == MINIHV_CALL_REPORT ||
	       nr == MINIHV_CALL_MEMINFO;
}

static bool __attribute__((noinline, cold)) refuse_user_pointer(struct vcpu *vcpu, uint64_t nr)
{
	vm_stop(vcpu->vm, "hypercall window: call %llu from the guest's user mode refused: it takes a guest pointer, which only the guest kernel may pass",
		(unsigned long long)nr);
	return false;
}

static bool __attribute__((noinline, cold)) refuse_access(struct vcpu *vcpu,
							  const struct mmio_access *a, uint64_t off)
{
	vm_stop(vcpu->vm, "hypercall window: %u-byte %s at offset 0x%llx is not a register access the ABI allows",
		a->size, a->write ? "store" : "load", (unsigned long long)off);
	return false;
}

/*
 * One access to the window.  This is the hot path of every hypercall (the
 * value registers have a faster one still, hv_fast_mmio in run.h), so it
 * is one dispatch on the offset, and each register checks there the
 * width and direction the ABI allows it (hypercall_abi.h): anything else,
 * at any other offset, is refused before anything is latched.
 */
bool hypercall_mmio(struct vcpu *vcpu, const struct mmio_access *a, uint64_t *load_value)
{
	uint64_t off = gpa_val(a->gpa) - MINIHV_HC_WINDOW_GPA;

	/*
	 * The ABI is the guest kernel's.  Its pointers are walked through the
	 * guest's page tables with the hypervisor's reach, not the caller's
	 * permissions, so a user program that reached the window (a kernel
	 * that mapped it for EL0 / CPL 3) could have the hypervisor read or
	 * write the kernel's pages for it.  Refuse every access from user
	 * mode, before anything is latched -- unless the VM lets its kernel
	 * hand the window to user programs (vm->user_hypercalls), and then
	 * still every call that takes a pointer (call_takes_pointer).
	 */
	bool user = arch_vcpu_user_mode(vcpu);
	if (user && !vcpu->vm->user_hypercalls)
		return refuse_user(vcpu, a, off);
	*load_value = 0;
	switch (hypercall_value_register(vcpu, a, off, load_value)) {
	case WINDOW_DONE:
		return true;
	case WINDOW_REFUSED:
		return refuse_access(vcpu, a, off);
	case WINDOW_OTHER:
		break;
	}
	if (off == MINIHV_HC_PUTC && a->write && a->size == 1) {
		/* Over the VM's console budget: stopped, nothing printed. */
		if (!console_charge(vcpu->vm, 1))
			return false;
		console_guest_putc(vcpu->vm, (char)a->value);
		return true;
	}
	if (off == MINIHV_HC_CALL && a->write && a->size == 4) {
		if (user && call_takes_pointer(a->value))
			return refuse_user_pointer(vcpu, a->value);
		do_call(vcpu, a->value);
		/* A call may stop the guest (a bad pointer). */
		return vcpu->vm->state != VM_STOPPED;
	}
	return refuse_access(vcpu, a, off);
}

