/*
 * The architecture interface.
 *
 * This header is the whole contract between the arch-neutral core (hv/) and
 * a backend (arch/aarch64/, arch/x86_64/).  A backend implements these plain
 * functions and nothing more; the core never looks inside struct arch_vcpu or
 * struct arch_vm.  Keeping the list short is the point: it is what a student
 * has to write to port minihv to a new CPU.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include "../mm/pt.h"

struct vm;
struct vcpu;
struct guest_mmu;

/* ---- the CPU ---- */

/* Check for and turn on the virtualization extensions (EL2 set-up, VMXON,
 * EFER.SVME).  Prints what it found; returns 0, or -1 after printing why
 * this CPU cannot run guests. */
int arch_cpu_init(void);

/* Undo arch_cpu_init: give the CPU back to the firmware as it was. */
void arch_cpu_fini(void);

/* "aarch64 EL2", "x86_64 VMX", ... for banners. */
const char *arch_name(void);

/*
 * Facts about this CPU that only the hypervisor can vouch for.  The test
 * runner (hv/main.c) asks them to judge what a guest says:
 *
 *   - a test that declares it needs a feature ("minihv-needs: xcr0") may
 *     SKIP only when the backend confirms the feature is absent here -- a
 *     guest's "there is nothing to try on this CPU" is not taken on trust,
 *     or a test that expects a stop could silence itself by skipping;
 *   - a known failure ("minihv-xfail: ... when xsetbv-intercept-ignored")
 *     is excused only where the backend recognises the platform that has
 *     the hole, never because the guest asks.
 *
 * The names in parentheses are how tests' metadata spells them.  Called
 * only after arch_cpu_init succeeded.
 */
enum arch_fact {
	ARCH_FACT_CPUID,            /* ("cpuid") guests can run CPUID */
	ARCH_FACT_XCR0,             /* ("xcr0") guests can reach XCR0 through
				       XSETBV (x86 with XSAVE) */
	ARCH_FACT_DEBUG_REGISTERS,  /* ("debug-registers") the CPU has debug
				       registers a guest could try to write */
	ARCH_FACT_XSETBV_INTERCEPT_IGNORED,
				    /* ("xsetbv-intercept-ignored") this CPU is
				       one known to run a guest's XSETBV although
				       the VMCB intercepts it (QEMU's TCG with
				       SVM): a platform's flaw, not minihv's */
	ARCH_FACT_IO_PORTS,         /* ("io-ports") the CPU has an I/O port space
				       (IN/OUT) a guest could try to reach */
	ARCH_FACT_SEMIHOSTING,      /* ("semihosting") the architecture has a
				       semihosting instruction (Arm HLT #0xf000)
				       a guest could try to call the host with */
	ARCH_FACT_POINTER_AUTH,     /* ("pointer-auth") the CPU has Arm pointer
				       authentication (PACIA...), which minihv
				       traps and refuses */
	ARCH_FACT_ARM_SYSTEM_REGISTERS,
				    /* ("arm-system-registers") the CPU has Arm's
				       EL1 configuration a guest could reach:
				       ACTLR_EL1, set/way cache maintenance */
	ARCH_FACT_USER_MODE,        /* ("user-mode") the CPU has a user level a
				       guest can drop to (Arm EL0, x86 CPL 3),
				       which guest/tests/hostile_user_hypercall
				       tries hypercalls from */
	ARCH_FACT_SVE,              /* ("sve") the CPU has Arm's SVE, which minihv
				       traps and refuses */
	ARCH_FACT_TIDCP_IGNORED,    /* ("tidcp-ignored") this platform is one known
				       to let EL1 reach IMPLEMENTATION DEFINED
				       registers although HCR_EL2.TIDCP traps
				       them (QEMU's TCG up to 7.2 at least) */
	ARCH_FACT_WATCHDOG,         /* ("watchdog") arch_vcpu_watchdog_arm works
				       here: a guest that spins without exiting
				       is stopped (tests hostile_spin, ...) */
	ARCH_FACT_X86_INSTRUCTIONS, /* ("x86-instructions") guests run x86 code,
				       so STI, WBINVD and INVD exist to try */
	ARCH_FACT_PAN_SMAP,         /* ("pan-or-smap") the CPU offers guests Arm's
				       PAN or x86's SMAP, which forbid the kernel
				       data accesses to user pages (and so forbid
				       them to the hypervisor on its behalf) */
};
bool arch_fact(enum arch_fact f);

/* The formats of the second-level tables (stage-2, EPT, NPT) and of the
 * guest page tables (Arm stage-1, x86-64 paging). */
const struct pt_format *arch_s2_format(void);
const struct pt_format *arch_gpt_format(void);

/* Power off, with status 0 for "all tests passed".  Called after
 * arch_cpu_fini.  Where the machine has no way to end with a status (an
 * emulator's exit device), or it does not work, call firmware_power_off
 * (struct hv_platform's; NULL: none) and, should that return, spin. */
__attribute__((noreturn)) void arch_power_off(int status, void (*firmware_power_off)(void));

/* Write one character to the serial line (polled, no firmware call, so it
 * works at any point, including with the firmware's interrupts masked). */
void arch_console_putc(char c);

/* ---- VMs and vCPUs ---- */

/* Per-VM hardware state: VMID/ASID, the register value that points the MMU
 * at vm->s2 (VTTBR, EPTP, nCR3).  May allocate from vm->mem. */
int arch_vm_init(struct vm *vm);
void arch_vm_fini(struct vm *vm);

/* How a vCPU starts.  All addresses are the guest's view. */
struct vcpu_boot {
	gva_t entry;     /* first instruction */
	gva_t stack_top; /* initial stack pointer */
	gpa_t gpt_root;  /* root of the guest page tables the hypervisor built */
	uint64_t arg0;   /* first argument register */
	/* Start as an operating system's boot protocol asks instead: the
	 * guest's paging off (entry is then a guest-physical address and
	 * gpt_root, stack_top unused), interrupts masked, arg0 in the first
	 * argument register and every other register zero. */
	bool paging_off;
};

/* Allocate (from vcpu->vm->mem) and fill the vCPU's hardware state. */
int arch_vcpu_init(struct vcpu *vcpu, const struct vcpu_boot *boot);

/* The guest's current page-table root and whether its paging is on, read
 * from the vCPU (the guest may have changed them). */
gpa_t arch_vcpu_gpt_root(const struct vcpu *vcpu);
bool arch_vcpu_gpt_enabled(const struct vcpu *vcpu);

/*
 * The rest of the guest's translation regime, as the CPU would apply it
 * to a data access now (see struct guest_mmu in mm/guest_mem.h): called
 * with m filled for one space with arch_gpt_format and
 * arch_vcpu_gpt_root, the backend adds what its registers say -- another
 * size (a reshaped format), an upper space, top-byte-ignore, disabled
 * walks -- or sets m->unsupported where the walk could not match the CPU.
 * A backend whose regime is that one space (x86-64 paging here) does
 * nothing.
 */
void arch_vcpu_gpt_regime(const struct vcpu *vcpu, struct guest_mmu *m);

/* Was the vCPU in the guest's user mode (Arm EL0, x86 CPL 3) when it last
 * exited?  The hypercall device refuses callers there (hv/hypercall.c). */
bool arch_vcpu_user_mode(const struct vcpu *vcpu);

/* ---- the run loop ---- */

enum exit_kind {
	EXIT_MMIO,        /* a load/store the core must emulate: exit->mmio */
	EXIT_HANDLED,     /* the backend dealt with it (CPUID, XSETBV, ...) */
	EXIT_HALT,        /* WFI, HLT: the vCPU has nothing to do */
	EXIT_GUEST_FAULT, /* the guest did something minihv will not allow or
			     cannot emulate: stop it, exit->reason says why */
	EXIT_HOST_ERROR,  /* the hardware refused to run the guest (VM-entry
			     failure, VMRUN invalid): stop it, reason says why */
	EXIT_WATCHDOG,    /* the time given to arch_vcpu_watchdog_arm ran out */
	EXIT_POWER_OFF,   /* the guest asked the platform to power off (PSCI
			     SYSTEM_OFF): the VM ends, exit->name says how */
	EXIT_RESET,       /* ... or to reset (PSCI SYSTEM_RESET): the VM ends too */
};

struct mmio_access {
	gpa_t gpa;
	uint8_t size;    /* 1, 2, 4 or 8 bytes */
	bool write;
	uint64_t value;  /* for a store: the value, zero-extended */
};

struct vm_exit {
	enum exit_kind kind;
	const char *name;       /* hardware reason in words: "data abort", "CPUID" */
	struct mmio_access mmio;
	const char *reason;     /* EXIT_GUEST_FAULT/HOST_ERROR: points into the
				   vcpu's own buffer, valid until the next run */
};

/*
 * Enter the guest and run it until the next exit, then describe the exit.
 * This is the hot path: the backend decodes only what the core needs; the
 * long description is built by arch_describe_exit, which the core calls only
 * for TRACE=1 or an error.
 */
void arch_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit);

/*
 * The watchdog.  A guest can keep the CPU without ever exiting: a spin
 * (`for (;;);`), a loop through its own exception vectors, WFE where the
 * CPU does not trap it, WFI that a pending but masked interrupt keeps from
 * sleeping.  The run loop never hears of them, so only a timer the guest
 * can neither see nor mask ends them, and the next test gets its turn.
 *
 * arch_vcpu_watchdog_arm(vcpu, ms): from this call on, arch_vcpu_run must
 * return EXIT_WATCHDOG once ms milliseconds have passed, whatever the
 * guest does, its interrupt masks included.  It is a bound on the vCPU's
 * turn, wall-clock: time the hypervisor spends on exits counts too.  An
 * exit the backend has already decoded when the time runs out is
 * reported as usual; the next entry then ends at once with EXIT_WATCHDOG.
 * The core calls it at the start of vcpu_run, before the first
 * arch_vcpu_run, with vm->watchdog_ms.
 *
 * Returns false where the backend has no such timer (yet): nothing else
 * changes, only the core's limit on exits without progress (hv/run.c)
 * bounds the guest then, and ARCH_FACT_WATCHDOG must say false, so the
 * tests that would hang the suite there SKIP.
 *
 * aarch64: the EL2 physical timer (CNTHP), whose interrupt HCR_EL2.IMO
 * brings to EL2 even while the guest masks IRQs.  x86: a TSC deadline
 * (x86_watchdog.c); SVM makes the firmware's timer interrupt exit the guest
 * (INTR intercept) and looks at the clock then -- under QEMU TCG only: Bochs
 * sends no INTR exit while the guest's IF is clear (platforms.md).  VMX:
 * the preemption timer, which counts down only in guest mode and so is
 * reloaded with what is left on each entry.
 */
bool arch_vcpu_watchdog_arm(struct vcpu *vcpu, uint64_t ms);

/* Finish an EXIT_MMIO: for a load, put value into the destination register
 * (sign- or zero-extended as the instruction says); for both, step the
 * guest's program counter past the instruction. */
void arch_vcpu_mmio_done(struct vcpu *vcpu, const struct vm_exit *exit, uint64_t value);

/* The raw exit in words (syndrome registers, addresses, decoded fields),
 * for the TRACE line and for FAIL messages. */
void arch_describe_exit(const struct vcpu *vcpu, const struct vm_exit *exit,
			char *buf, size_t len);

/*
 * For make bench (MINIHV_BENCH=1, docs/performance.md): the instructions
 * run since the machine started, as an emulator that counts them shows
 * them -- the PMU's cycle counter PMCCNTR_EL0 under QEMU's -icount
 * shift=0 (1 GHz of virtual time, 1 ns an instruction), the TSC under
 * QEMU's icount and Bochs's "clock: sync=none".  Elsewhere it is only a
 * clock.  Read around VM creation and destruction, never on the exit path.
 */
uint64_t arch_bench_insns(void);

/* ---- operating-system guests (hv/linux.c) ---- */

/* A Linux kernel and what it is handed, as boot/ loaded them. */
struct linux_boot {
	const void *kernel;
	uint64_t kernel_len;
	const void *initrd;     /* NULL: none */
	uint64_t initrd_len;
	const char *cmdline;
	bool psci_smc;          /* PSCI by SMC, not HVC (the config's psci = smc) */
};

/*
 * Make vm (its RAM mapped, nothing loaded) a Linux partition, as this
 * architecture's boot protocol says: check the kernel's header, place the
 * kernel and initrd in RAM, describe the machine to it (aarch64: a device
 * tree), hand through the devices it gets (mapping them in the second-level
 * tables), and create its vCPU in the state the protocol asks for.  Sets
 * vm->owns_serial when the guest is handed the serial line.  NULL, with
 * why filled (one line, for the FAIL message), when the kernel cannot boot
 * here; the caller then destroys the VM.
 */
struct vcpu *arch_linux_setup(struct vm *vm, const struct linux_boot *lb, char *why, size_t len);

/* A number no guest can predict: the token of the "serial line lent" lines
 * (hv/linux.c).  From the CPU's random number generator where it has one. */
uint64_t arch_random_u64(void);

/* A clock, in nanoseconds since some fixed point: how long a Linux guest
 * ran.  Never on the exit path. */
uint64_t arch_clock_ns(void);

#endif
