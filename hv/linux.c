/*
 * A Linux partition: a kernel minihv did not write, booted as a guest.
 *
 * Everything a minihv test guest gets from the hypervisor -- page tables
 * already on, a stack, boot info -- a Linux kernel brings or builds itself.
 * What it needs instead is what its architecture's boot protocol promises
 * (the kernel where the protocol says, a description of the machine, the
 * CPU in a given state) and a machine to drive: here, the devices of the
 * real one, handed through, and RAM of its own.  The arch backend knows
 * the protocol and the devices (arch_linux_setup); this file is the part
 * every architecture shares: the VM around the RAM boot/ took from the
 * firmware for it, the run, and the verdict.
 *
 * The verdict comes from inside Linux, through the same ABI as every
 * minihv guest: its init reads the VERSION register and makes the EXIT
 * hypercall with 0 when it found what it expected (scripts/
 * build-initramfs.sh).  Exit code 0 is the PASS; anything else that ends
 * the VM -- a power-off or a reset before that call (a panic, with
 * panic=-1), the watchdog, an access the hypervisor refuses -- is a FAIL
 * that says which.
 */
#include "linux.h"
#include "arch.h"
#include "hypercall.h"
#include "print.h"
#include "run.h"

/* Print the "serial line lent" bracket (hv/vm.h, owns_serial).  A new
 * line first: the guest may have left the line unfinished, and the
 * judge only reads a bracket at a line's start. */
static void serial_bracket(const struct vm *vm, const char *what, uint64_t token)
{
	if (vm->owns_serial)
		hv_printf("\nminihv: serial line %s guest '%s' (token %016llx)\n", what, vm->name,
			  (unsigned long long)token);
}

unsigned linux_guest_run(struct bump *pool, const struct guest_config *g,
			 const struct hv_guest_files *f, char *msg, size_t len)
{
	struct vm *vm = vm_create_with_ram(pool, g->name, f->ram, f->ram_size, gpa(LINUX_RAM_GPA));
	if (!vm) {
		hv_snprintf(msg, len, "could not create the VM around its %llu MiB of RAM (see above)",
			    (unsigned long long)(f->ram_size >> 20));
		return MINIHV_VERDICT_FAIL;
	}
	/*
	 * A kernel exits for reasons of its own all the time (timers, PSCI,
	 * the registers it may not touch), none of them a hypercall: the
	 * limit of exits without progress is for minihv guests, the time
	 * limit stays.  Its kernel may hand the window to root's programs.
	 */
	vm->watchdog_ms = g->timeout ? (uint64_t)g->timeout * 1000 : LINUX_WATCHDOG_MS;
	vm->watchdog_exits = 0;
	vm->user_hypercalls = true;
	hv_printf("minihv: %s: Linux guest: RAM at gpa 0x%llx = hpa 0x%llx (%llu MiB, from the firmware); kernel %llu bytes, initrd %llu bytes; cmdline \"%s\"\n",
		  vm->name, (unsigned long long)gpa_val(vm->ram.gpa),
		  (unsigned long long)hpa_val(vm->ram.hpa), (unsigned long long)(vm->ram.size >> 20),
		  (unsigned long long)f->kernel_len, (unsigned long long)f->initrd_len, g->cmdline);

	struct linux_boot lb = {
		.kernel = f->kernel, .kernel_len = f->kernel_len,
		.initrd = f->initrd, .initrd_len = f->initrd_len,
		.cmdline = g->cmdline,
		.psci_smc = g->psci_smc,
	};
	char why[256];
	struct vcpu *vcpu = arch_linux_setup(vm, &lb, why, sizeof(why));
	if (!vcpu) {
		hv_snprintf(msg, len, "%s", why);
		vm_destroy(vm);
		return MINIHV_VERDICT_FAIL;
	}

	uint64_t token = arch_random_u64();
	serial_bracket(vm, "lent to", token);
	uint64_t t0 = arch_clock_ns();
	vcpu_run(vcpu);
	uint64_t ms = (arch_clock_ns() - t0) / 1000000;
	serial_bracket(vm, "back from", token);
	hypercall_flush_console(vm);
	hv_printf("minihv: %s: Linux ran for %llu.%03llu s, %llu VM exits\n", vm->name,
		  (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
		  (unsigned long long)vcpu->exits);

	unsigned v = MINIHV_VERDICT_FAIL;
	if (vm->state == VM_STOPPED) {
		hv_snprintf(msg, len, "%s", vm->stop_reason);
	} else if (vm->exit_code != 0) {
		hv_snprintf(msg, len, "Linux's init made the EXIT hypercall with code %llu, not 0 (its lines above say why)",
			    (unsigned long long)vm->exit_code);
	} else {
		v = MINIHV_VERDICT_PASS;
		hv_snprintf(msg, len, "Linux booted and its init made the EXIT hypercall with 0 from user space, after %llu.%03llu s and %llu VM exits",
			    (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
			    (unsigned long long)vcpu->exits);
	}
	vm_destroy(vm);
	return v;
}
