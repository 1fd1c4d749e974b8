/*
 * The x86_64 backend: one arch interface (hv/arch.h), two ways to
 * virtualize -- Intel VMX with EPT (vmx*.c) and AMD SVM with NPT (svm*.c).
 *
 * Everything the two share lives in x86.c and is declared here: choosing the
 * backend from CPUID at run time, the 64-bit guest start state, turning an
 * MMIO exit into an EXIT_MMIO for the core (and finishing it), CPUID
 * emulation, the serial console and power-off.  A backend fills in struct
 * x86_backend and x86.c forwards the arch_* calls to it.
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
	void (*describe_exit)(const struct vcpu *vcpu, const struct vm_exit *exit,
			      char *buf, size_t len);
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
/* XCR0: x87 state only, its power-on value.  Set for each new vCPU (x86.c),
 * so that no guest starts with what the previous one or the firmware
 * enabled -- AVX, with the previous guest's upper YMM halves. */
#define X86_GUEST_XCR0  0x1ull

/*
 * What the CPU reported about a guest load or store to guest-physical memory
 * the second-level tables leave unmapped (an EPT violation, a #NPF): where,
 * and in which direction -- but not how wide, which register, or how long
 * the instruction is.  For those we decode the instruction at rip.
 */
struct x86_mmio_fault {
	gva_t rip;             /* the instruction that made the access */
	gpa_t gpa;             /* the address it touched */
	bool write;            /* the CPU's word on the direction */
	/* The instruction's bytes if the CPU supplied them (SVM decode
	 * assists), else NULL and 0: they are then read from guest memory. */
	const uint8_t *bytes;
	size_t n;
};

/*
 * The MMIO exit, for both backends: decode the instruction at f->rip (from
 * f->bytes, or fetched through the guest's page tables and the second-level
 * tables, bounds-checked), check it moves data in the direction the CPU
 * reported, and describe the access in exit->mmio (for a store, the value
 * comes from gpr[]).  Sets exit->kind to EXIT_MMIO, and keeps the decoded
 * instruction in *insn for x86_mmio_complete -- or to EXIT_GUEST_FAULT, with
 * the reason written into reason[len] and exit->reason pointing at it.
 *
 * gpr[] must hold all sixteen guest registers as they were at the exit
 * (on SVM that includes RAX and RSP, which live in the VMCB).
 */
void x86_mmio_exit(const struct vcpu *vcpu, const struct x86_mmio_fault *f,
		   const uint64_t gpr[X86_NR_GPRS], struct x86_mmio_insn *insn,
		   struct vm_exit *exit, char *reason, size_t len);

/*
 * Finish what x86_mmio_exit started: for a load, put value (what the core
 * read) into the destination register in gpr[], sign- or zero-extended as
 * the instruction says.  A store needs nothing.  The caller then steps RIP
 * by insn->len; where RIP lives (VMCS, VMCB) is the backend's business.
 */
void x86_mmio_complete(const struct x86_mmio_insn *insn, uint64_t gpr[X86_NR_GPRS],
		       uint64_t value);

/*
 * Copy the instruction bytes at rip (guest-virtual) into buf: up to
 * X86_MAX_INSN_LEN bytes, page by page, stopping at the first page that is
 * not readable guest RAM.  Returns how many bytes were copied (0 if the first
 * page is unreadable, with *err set to the MM_E* reason).
 */
size_t x86_fetch_guest_insn(const struct vcpu *vcpu, gva_t rip,
			    uint8_t buf[X86_MAX_INSN_LEN], int *err);

/*
 * CPUID as the guest sees it: the host's values, with the hypervisor
 * present bit (leaf 1 ECX bit 31) set, VMX/SVM hidden, and the hypervisor
 * leaves 0x40000000 ("minihv" signature, max leaf) added.
 */
void x86_emulate_cpuid(uint32_t leaf, uint32_t subleaf, uint64_t *rax, uint64_t *rbx,
		       uint64_t *rcx, uint64_t *rdx);

/* The pure half of it: change the host's answer r[] = {EAX, EBX, ECX, EDX}
 * into the guest's (x86_cpuid.c; tests/test_x86_cpuid.c). */
void x86_cpuid_adjust(uint32_t leaf, uint32_t subleaf, uint32_t r[4]);

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

/* The plan for f; for X86_XCR0_REFUSE, *why names the flaw (one line,
 * static text), else *why is NULL. */
enum x86_xcr0_plan x86_xcr0_plan(const struct x86_xsave_facts *f, const char **why);

/*
 * XSETBV, for both backends: the guest asks to set XCR<ECX> to EDX:EAX
 * (from gpr[]).  true if that changes nothing (the value is the XCR0 in
 * effect): the caller steps the guest past the instruction.  false, with
 * the reason in buf, for anything else: a value the CPU would refuse with
 * #GP, or a different XCR0, which minihv does not switch between guest and
 * host.
 */
bool x86_emulate_xsetbv(const uint64_t gpr[X86_NR_GPRS], char *buf, size_t len);

/*
 * Why a guest that touched an MSR is stopped, in the same words on both
 * backends: "WRMSR of MSR 0x174 (IA32_SYSENTER_CS), value 0x8: ...".
 */
void x86_msr_refusal(char *buf, size_t len, uint32_t msr, bool write, uint64_t value);

/*
 * Why a guest that used a debug register is stopped, in the same words on
 * both backends: "MOV to DR0 from RAX (0x5ec2e7): minihv guests have no
 * debug registers".  gpr is the general-purpose register the MOV named, or
 * -1 where the CPU does not say (SVM without decode assists); gprs[] holds
 * the guest's registers, for the value of a MOV to DRn.
 */
void x86_dr_refusal(char *buf, size_t len, unsigned dr, bool write, int gpr,
		    const uint64_t gprs[X86_NR_GPRS]);

/* Why a guest is stopped when an NMI arrives while it runs, in the same
 * words on both backends. */
void x86_nmi_refusal(char *buf, size_t len, uint64_t rip);

/* Names of the x86 exception vectors: 0 "#DE divide error" ... */
const char *x86_exception_name(unsigned vector);

/* "RAX", "RCX", ... "R15": register r in encoding order. */
const char *x86_gpr_name(unsigned r);

#endif
