/*
 * A fake architecture backend, for testing the hypervisor core on the host.
 *
 * hv/arch.h is the whole contract between the core (hv/) and a backend, so
 * a backend that implements it without a CPU lets vm.c, run.c and
 * hypercall.c run unchanged inside an ordinary test program.  This is the
 * approach of Hafnium's host tests: the real core, a fake machine.
 *
 * What the fake does instead of hardware:
 *
 *   - Page-table formats are real ones (EPT and x86-64 paging, or Arm
 *     stage 2 and stage 1), chosen by the test: the core builds real tables
 *     and walks them with the real mm/ code.
 *   - A vCPU does not execute anything.  Its "guest program" is a script:
 *     the list of VM exits arch_vcpu_run hands out, one per call, in order.
 *     A test writes the script with the helpers below (a store to the
 *     hypercall window, a halt, a fault...), runs vcpu_run, then looks at
 *     what the core did: the VM's state, its console output, the values it
 *     delivered for loads.  If the script runs out while the VM still runs,
 *     the fake reports a guest fault saying so, so a test that forgot to
 *     end its guest fails visibly instead of looping.
 *   - The console is a buffer the test can read.
 *
 * Guest RAM and every other allocation come from the test's bump pool, as
 * they would from the hypervisor's.  Host pointers double as host-physical
 * addresses (hpa_from_ptr), exactly as under UEFI's identity map.
 */
#ifndef TESTS_FAKE_ARCH_H
#define TESTS_FAKE_ARCH_H

#include "hv/arch.h"
#include "hv/vm.h"

#define FAKE_SCRIPT_MAX 64
#define FAKE_LOADS_MAX  64
#define FAKE_FACTS      14   /* enum arch_fact's values */

/* What arch_vm_init allocates from the VM's pool (like a VMID and VTTBR). */
struct fake_vm {
	unsigned vmid;
};

/* What arch_vcpu_init allocates: the vCPU's "registers" and its script. */
struct fake_vcpu {
	struct vcpu_boot boot;      /* as the core asked the vCPU to start */

	/* What arch_vcpu_gpt_root / arch_vcpu_gpt_enabled report.  They start
	 * as the core's boot request; a test changes them to play a guest
	 * that wrote CR3 / TTBR0_EL1 or turned its paging off. */
	gpa_t gpt_root;
	bool gpt_enabled;
	/* What arch_vcpu_user_mode reports: false (the guest kernel) until a
	 * test plays a user program. */
	bool user_mode;

	struct vm_exit script[FAKE_SCRIPT_MAX];
	unsigned script_len;
	unsigned next;              /* exits handed out so far */

	/* arch_vcpu_mmio_done: the value each completed load delivered to
	 * the guest, in order, and how many accesses completed at all.
	 * load_exit_values: what the exit's mmio.value said for each load
	 * (the core puts the value there too, for the TRACE line). */
	uint64_t loads[FAKE_LOADS_MAX];
	uint64_t load_exit_values[FAKE_LOADS_MAX];
	unsigned nr_loads;
	unsigned mmio_done;
	/* The guest's program counter, in instructions: mmio_done steps
	 * it, as the real backends step RIP / ELR_EL2. */
	unsigned pc;
};

/* The fake machine: configuration a test sets, and what it can observe. */
struct fake_arch {
	const struct pt_format *s2_fmt;     /* arch_s2_format() */
	const struct pt_format *gpt_fmt;    /* arch_gpt_format() */

	bool fail_cpu_init;                 /* make arch_cpu_init refuse */
	bool fail_vm_init;                  /* make arch_vm_init refuse */
	bool fail_vcpu_init;                /* make arch_vcpu_init refuse */

	/* What arch_fact answers (all false after fake_arch_reset), and how
	 * often it was asked. */
	bool facts[FAKE_FACTS];
	unsigned facts_asked;

	/* arch_vcpu_watchdog_arm: what it answers (false after
	 * fake_arch_reset, like a backend without a timer), and the last
	 * time it was given (0: never called). */
	bool watchdog;
	uint64_t watchdog_armed_ms;

	/* Called at the end of arch_vcpu_init: where a test that does not
	 * create the vCPU itself (hv_main does) writes its script. */
	void (*on_vcpu_init)(struct vcpu *vcpu);

	unsigned cpu_inits, cpu_finis, vm_inits, vm_finis, vcpu_inits;

	/* Everything the core printed (through hv/console.c, so each "\n"
	 * arrives as "\r\n"), NUL-terminated. */
	char console[1 << 16];
	size_t console_len;
	bool console_overflow;
};

extern struct fake_arch fake_arch;

/* Forget everything and choose the formats for the VMs to come. */
void fake_arch_reset(const struct pt_format *s2, const struct pt_format *gpt);

/* The captured console, and emptying it. */
const char *fake_console(void);
void fake_console_clear(void);

/* The fake state behind a vCPU the core created. */
struct fake_vcpu *fake_vcpu(const struct vcpu *vcpu);

/* ---- writing a vCPU's script ----
 *
 * Each returns the position of the exit it queued, counting from 1, which
 * is what fake_vcpu.next says once the core has taken that exit: a test
 * compares the two to see exactly where a guest was stopped.
 */

/* Append one exit (copied). */
unsigned fake_queue(struct vcpu *vcpu, const struct vm_exit *e);

/* An MMIO access at a guest-physical address. */
unsigned fake_queue_mmio(struct vcpu *vcpu, uint64_t addr, unsigned size, bool write,
			 uint64_t value);

/* An exit of another kind (EXIT_HANDLED, EXIT_HALT, EXIT_GUEST_FAULT,
 * EXIT_HOST_ERROR); name and reason as a backend would give them. */
unsigned fake_queue_exit(struct vcpu *vcpu, enum exit_kind kind, const char *name,
			 const char *reason);

/* What the minihv guest library does (guest/lib/hypercall.c), as exits:
 * a load or store of one window register, and a whole call: store ARG0..3,
 * store the number to CALL, load RESULT.  fake_hc_call returns the
 * position of the CALL store, where a refused call stops the guest. */
unsigned fake_hc_store(struct vcpu *vcpu, uint64_t off, unsigned size, uint64_t value);
unsigned fake_hc_load(struct vcpu *vcpu, uint64_t off, unsigned size);
unsigned fake_hc_call(struct vcpu *vcpu, uint64_t nr, uint64_t a0, uint64_t a1,
		      uint64_t a2, uint64_t a3);

#endif
