/*
 * The x86_64 backend: one arch interface (hv/arch.h), two ways to
 * virtualize -- Intel VMX with EPT (vmx*.c) and AMD SVM with NPT (svm*.c).
 *
 * What the two share is declared here: the backend table x86.c chooses
 * from at run time and forwards the arch_* calls to, the 64-bit guest start
 * state, the FP/SIMD state at the VM boundary (x86_fpu.c) and CPUID
 * emulation (x86_cpuid.c).  Elsewhere: exit handling (x86_exit.h),
 * instruction wrappers (x86_insn.h), register bits (x86_regs.h).
 */
#ifndef ARCH_X86_64_X86_H
#define ARCH_X86_64_X86_H

#include "../../hv/arch.h"
#include "../../hv/vm.h"
#include "x86_decode.h"
#include "x86_regs.h"

/* Guest general-purpose registers, in the instruction encoding's order
 * (the decoder's register numbers index this array directly). */
enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_NR_GPRS
};

struct x86_guest_mode;

struct x86_backend {
	const char *name;              /* "x86_64 VMX, EPT" */
	/* Can this CPU run it?  If not, why (one line, for the banner). */
	bool (*probe)(char *why, size_t len);
	int (*cpu_init)(void);
	void (*cpu_fini)(void);
	const struct pt_format *(*s2_format)(void);
	int (*vm_init)(struct vm *vm);
	void (*vm_fini)(struct vm *vm);
	int (*vcpu_init)(struct vcpu *vcpu, const struct vcpu_boot *boot);
	void (*vcpu_run)(struct vcpu *vcpu, struct vm_exit *exit);
	void (*vcpu_mmio_done)(struct vcpu *vcpu, const struct vm_exit *exit, uint64_t value);
	gpa_t (*vcpu_gpt_root)(const struct vcpu *vcpu);
	bool (*vcpu_gpt_enabled)(const struct vcpu *vcpu);
	/* CPL 3 at the last exit (the DPL of SS, which the CPU keeps equal to
	 * the CPL). */
	bool (*vcpu_user_mode)(const struct vcpu *vcpu);
	void (*vcpu_guest_mode)(const struct vcpu *vcpu, struct x86_guest_mode *out);
	void (*describe_exit)(const struct vcpu *vcpu, const struct vm_exit *exit,
			      char *buf, size_t len);
	/* Can this backend stop a guest that never exits (the watchdog)?
	 * NULL if so, else why not (one line).  Asked after cpu_init. */
	const char *(*watchdog_missing)(void);
};

extern const struct x86_backend x86_vmx_backend;
extern const struct x86_backend x86_svm_backend;

/*
 * The state a minihv guest starts in, the same for VMX and SVM: 64-bit long
 * mode, paging on with the tables the hypervisor built (CR3 = gpt_root),
 * flat segments, interrupts off.
 */
#define X86_GUEST_CR0   (CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE)
#define X86_GUEST_CR4   CR4_PAE  /* VMX adds VMXE's fixed bits as required */
/* NXE is needed: the guest page tables hv/vm.c builds (pt_format_x86_64)
 * set the no-execute bit on every mapping without PT_X, and with NXE clear
 * that bit is reserved, so the guest's first access through one would #PF. */
#define X86_GUEST_EFER  (EFER_NXE | EFER_LMA | EFER_LME)  /* SVM adds SVME */
#define X86_GUEST_RFLAGS RFLAGS_FIXED
/* XCR0: x87 state only, its power-on value.  Set for each new vCPU (x86_fpu.c),
 * so that no guest starts with what the previous one or the firmware
 * enabled; the guest then enables what it wants with XSETBV (AVX, say),
 * which minihv checks and writes into the CPU (x86_exit.c, x86_fpu.c). */
#define X86_GUEST_XCR0  0x1ull

/*
 * The guest's mode at an exit, as the backend reads it from the VMCS or
 * VMCB: what decides how its addresses translate (CR0.PG, CR4.PAE,
 * CR4.LA57, EFER.LMA), how its instructions decode (CS.L, CS.D) and what
 * CPUID reports as enabled (CR4.OSXSAVE, CR4.PKE).
 */
struct x86_guest_mode {
	uint64_t cr0, cr4, efer;
	uint64_t rflags;        /* AC (bit 18) lifts SMAP for the kernel */
	bool cs_l;      /* 64-bit code segment (with EFER.LMA: 64-bit mode) */
	bool cs_d;      /* default operand and address size 32 (else 16) */
};

/*
 * The guest's translation regime, from mode: NULL where minihv's walk of
 * the guest's tables (pt_format_x86_64, 4 levels) is the CPU's -- 4-level
 * long-mode paging -- or where there is none (paging off: linear =
 * physical); else what the regime is ("5-level paging (CR4.LA57)"), which
 * minihv must then refuse to walk rather than resolve another page than
 * the CPU would (x86_exit.c, x86.c).
 */
const char *x86_unsupported_regime(const struct x86_guest_mode *mode);

/* The root of the guest's tables (CR3's address bits), straight from the
 * backend: for a caller that has checked the regime itself (x86_exit.c). */
gpa_t x86_vcpu_gpt_root(const struct vcpu *vcpu);

/* Which instructions the backend lets a guest run: CPUID hides the others
 * (an advertised feature must work).  The backend sets it in cpu_init;
 * SVM has nothing to enable, so all stay true there. */
struct x86_guest_insns {
	bool rdtscp;      /* RDTSCP and RDPID (VMX: "enable RDTSCP") */
	bool invpcid;     /* INVPCID (VMX: "enable INVPCID") */
	bool xsaves;      /* XSAVES, XRSTORS (VMX: left off, vmx_cpu.c says why) */
};
extern struct x86_guest_insns x86_guest_insns;

/* ---- x86_fpu.c: the FP/SIMD registers and XCR0 at the VM boundary ---- */

/* Decide how XCR0 is reached on this CPU and read the firmware's; -1,
 * after saying why, on a CPU model whose CR4.OSXSAVE is known not to work. */
int x86_fpu_init(void);

/* Reset state (FNINIT, zeroed x87 and XMM registers, MXCSR, XCR0 =
 * X86_GUEST_XCR0) before a new vCPU first runs. */
void x86_fpu_for_new_vcpu(void);

/* The firmware's XCR0 again, when a VM ends. */
void x86_fpu_for_firmware(void);

/* A guest's XSETBV of XCR0: NULL once value is in the CPU's XCR0, else
 * why XSETBV would refuse it (#GP) and nothing changed. */
const char *x86_xcr0_set_for_guest(uint64_t value);

/* Does this CPU have an XCR0 (for minihv, and so for a guest)? */
bool x86_xcr0_exists(void);

/* ---- x86_cpuid.c ---- */

/*
 * CPUID as the guest sees it: the host's values, with the hypervisor
 * present bit (leaf 1 ECX bit 31) set, VMX/SVM hidden, and the hypervisor
 * leaves 0x40000000 ("minihv" signature, max leaf) added.
 */
void x86_emulate_cpuid(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4,
		       uint64_t *rax, uint64_t *rbx, uint64_t *rcx, uint64_t *rdx);

/* The pure half of it: change the host's answer r[] = {EAX, EBX, ECX, EDX}
 * into the guest's, for a guest whose CR4 is guest_cr4 and which may run
 * the instructions in can (x86_cpuid.c; tests/test_x86_cpuid.c). */
void x86_cpuid_adjust(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4,
		      const struct x86_guest_insns *can, uint32_t r[4]);

/* NULL if XSETBV would take value as XCR0 on a CPU supporting the bits
 * supported (CPUID.(EAX=0DH,ECX=0):EDX:EAX); else why it would #GP. */
const char *x86_xcr0_invalid(uint64_t value, uint64_t supported);

/*
 * XCR0 and CR4.OSXSAVE: what minihv may do on this CPU.
 *
 * XCR0 exists only where CPUID.1:ECX.XSAVE (bit 26) is set, and XGETBV and
 * XSETBV #UD unless CR4.OSXSAVE is set -- a bit that is in turn reserved
 * (MOV to CR4 #GPs) where XSAVE is absent (Intel SDM vol. 3A 2.5, AMD APM
 * vol. 2 3.1.3).  The firmware need not set it (OVMF does not), yet guests
 * can still reach XCR0: each runs with its own CR4, so one that sets its
 * own OSXSAVE can XGETBV and, where the CPU ignores the XSETBV intercept
 * (QEMU's TCG under SVM), XSETBV.  So on an XSAVE CPU minihv must set XCR0
 * at the VM boundary even when the firmware never uses it, lifting
 * CR4.OSXSAVE for just that moment; on a CPU without XSAVE neither is
 * touched.  x86_xcr0_plan decides which, from these facts (x86_cpuid.c).
 */
struct x86_xsave_facts {
	uint32_t leaf1_ecx;      /* CPUID.1:ECX: XSAVE is bit 26 */
	uint32_t leaf_d1_eax;    /* CPUID.(EAX=0DH,ECX=1):EAX: XSAVEOPT, XSAVEC,
				  * XGETBV1, XSAVES; 0 when leaf 0xD is absent */
	uint32_t hv_sig[3];      /* CPUID 4000_0000 EBX, ECX, EDX: who emulates us */
	uint64_t firmware_cr4;   /* CR4 as the firmware left it */
};

enum x86_xcr0_plan {
	X86_XCR0_ABSENT,         /* no XSAVE: no XCR0; CR4.OSXSAVE is reserved */
	X86_XCR0_READY,          /* the firmware set CR4.OSXSAVE: use XGETBV/XSETBV as they are */
	X86_XCR0_LIFT_OSXSAVE,   /* XSAVE, OSXSAVE clear: set it only around each XGETBV/XSETBV */
	X86_XCR0_REFUSE,         /* a known emulator flaw: CR4.OSXSAVE cannot be set */
};

/* CPUID 4000_0000's EBX, ECX, EDX are QEMU TCG's "TCGTCGTCGTCG" (no real
 * CPU, and no QEMU under KVM, answers with it). */
bool x86_is_qemu_tcg(const uint32_t sig[3]);
/* The same question asked of this CPU, answered once by arch_cpu_init. */
bool x86_host_is_qemu_tcg(void);

/* ---- x86_watchdog.c: the watchdog's deadline, in TSC ticks ---- */

/* Measure the TSC's rate against the PIT, once; -1 if that failed (then
 * x86_watchdog_set always says false). */
int x86_tsc_calibrate(void);
bool x86_tsc_known(void);
/* The deadline is now + ms; false if the TSC's rate is unknown. */
bool x86_watchdog_set(uint64_t ms);
void x86_watchdog_clear(void);

/* The deadline, a TSC value; 0: not armed.  Written by x86_watchdog.c
 * only; read inline below, since every VM entry looks at it. */
extern uint64_t x86_watchdog_deadline;

static inline bool x86_watchdog_armed(void)
{
	return x86_watchdog_deadline != 0;
}

/* TSC ticks left before the deadline: 0 once it has passed, UINT64_MAX
 * when the watchdog is not armed.  (A function, not inline: lab 8 and
 * tests/test_hv_x86_exit.c replace it.) */
uint64_t x86_watchdog_left(void);

/* The plan for f; for X86_XCR0_REFUSE, *why names the flaw (one line,
 * static text), else *why is NULL. */
enum x86_xcr0_plan x86_xcr0_plan(const struct x86_xsave_facts *f, const char **why);

#endif
