/*
 * Intel VMX: the parts of the backend's files share.
 *
 * The backend is four files, one idea each:
 *   vmx_cpu.c    turning VMX on and off (capabilities, VMXON, host GDT/TSS)
 *   vmx_vmcs.c   VMs and vCPUs: EPT pointer, VPID, filling a VMCS
 *   vmx_exit.c   entering the guest and making sense of VM exits
 *   vmx_entry.S  the world switch: guest registers in and out
 * and vmx_sdm.c holds the SDM's tables (exit reasons, error numbers).
 *
 * A VMCS is not memory we read and write: the CPU caches it, and we reach
 * its fields only through VMREAD/VMWRITE with a field encoding (SDM vol. 3,
 * appendix B).  The encodings below are the ones minihv uses.
 */
#ifndef ARCH_X86_64_VMX_H
#define ARCH_X86_64_VMX_H

#include "x86.h"
#include "x86_insn.h"
#include "x86_regs.h"
#include "vmx_sdm.h"

/* ---- MSRs ---- */
#define MSR_IA32_FEATURE_CONTROL   0x03a
#define MSR_IA32_VMX_BASIC         0x480
#define MSR_IA32_VMX_CR0_FIXED0    0x486
#define MSR_IA32_VMX_CR0_FIXED1    0x487
#define MSR_IA32_VMX_CR4_FIXED0    0x488
#define MSR_IA32_VMX_CR4_FIXED1    0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP  0x48c
#define MSR_IA32_VMX_MISC          0x485  /* bits 4:0: the preemption timer's rate */
#define MSR_IA32_VMX_TRUE_PINBASED 0x48d  /* the TRUE_* MSRs: 0x48d..0x490 */

#define FEATURE_CONTROL_LOCK       (1ull << 0)
#define FEATURE_CONTROL_VMX        (1ull << 2)  /* VMXON outside SMX */

/* ---- VMCS field encodings ---- */
enum vmcs_field {
	/* 16-bit */
	VMCS_VPID                 = 0x0000,
	VMCS_GUEST_ES_SEL         = 0x0800, /* ES CS SS DS FS GS LDTR TR, step 2 */
	VMCS_HOST_ES_SEL          = 0x0c00, /* ES CS SS DS FS GS TR, step 2 */
	VMCS_HOST_TR_SEL          = 0x0c0c,
	/* 64-bit */
	VMCS_MSR_BITMAP           = 0x2004,
	VMCS_EPT_POINTER          = 0x201a,
	VMCS_GUEST_PHYS_ADDR      = 0x2400,
	VMCS_LINK_POINTER         = 0x2800,
	VMCS_GUEST_DEBUGCTL       = 0x2802,
	VMCS_GUEST_EFER           = 0x2806,
	VMCS_HOST_EFER            = 0x2c02,
	/* 32-bit */
	VMCS_PIN_CONTROLS         = 0x4000,
	VMCS_PROC_CONTROLS        = 0x4002,
	VMCS_EXCEPTION_BITMAP     = 0x4004,
	VMCS_EXIT_CONTROLS        = 0x400c,
	VMCS_ENTRY_CONTROLS       = 0x4012,
	VMCS_PROC2_CONTROLS       = 0x401e,
	VMCS_INSN_ERROR           = 0x4400,
	VMCS_EXIT_REASON          = 0x4402,
	VMCS_EXIT_INTR_INFO       = 0x4404,
	VMCS_EXIT_INTR_ERROR      = 0x4406,
	VMCS_IDT_VECTORING_INFO   = 0x4408,
	VMCS_EXIT_INSN_LEN        = 0x440c,
	VMCS_GUEST_ES_LIMIT       = 0x4800, /* ES .. TR, then GDTR, IDTR */
	VMCS_GUEST_GDTR_LIMIT     = 0x4810,
	VMCS_GUEST_IDTR_LIMIT     = 0x4812,
	VMCS_GUEST_ES_AR          = 0x4814, /* access rights, ES .. TR */
	VMCS_GUEST_INTERRUPTIBILITY = 0x4824,
	VMCS_GUEST_ACTIVITY       = 0x4826,
	VMCS_PREEMPTION_TIMER     = 0x482e, /* guest VMX-preemption timer value */
	VMCS_HOST_SYSENTER_CS     = 0x4c00,
	/* natural width */
	VMCS_CR0_MASK             = 0x6000,
	VMCS_CR4_MASK             = 0x6002,
	VMCS_CR0_SHADOW           = 0x6004,
	VMCS_CR4_SHADOW           = 0x6006,
	VMCS_EXIT_QUALIFICATION   = 0x6400,
	VMCS_GUEST_LINEAR_ADDR    = 0x640a,
	VMCS_GUEST_CR0            = 0x6800,
	VMCS_GUEST_CR3            = 0x6802,
	VMCS_GUEST_CR4            = 0x6804,
	VMCS_GUEST_ES_BASE        = 0x6806, /* ES .. TR, then GDTR, IDTR */
	VMCS_GUEST_GDTR_BASE      = 0x6816,
	VMCS_GUEST_IDTR_BASE      = 0x6818,
	VMCS_GUEST_DR7            = 0x681a,
	VMCS_GUEST_RSP            = 0x681c,
	VMCS_GUEST_RIP            = 0x681e,
	VMCS_GUEST_RFLAGS         = 0x6820,
	VMCS_HOST_CR0             = 0x6c00,
	VMCS_HOST_CR3             = 0x6c02,
	VMCS_HOST_CR4             = 0x6c04,
	VMCS_HOST_FS_BASE         = 0x6c06,
	VMCS_HOST_GS_BASE         = 0x6c08,
	VMCS_HOST_TR_BASE         = 0x6c0a,
	VMCS_HOST_GDTR_BASE       = 0x6c0c,
	VMCS_HOST_IDTR_BASE       = 0x6c0e,
	VMCS_HOST_SYSENTER_ESP    = 0x6c10,
	VMCS_HOST_SYSENTER_EIP    = 0x6c12,
	VMCS_HOST_RSP             = 0x6c14, /* written by vmx_entry.S */
	VMCS_HOST_RIP             = 0x6c16,
};

/* ---- control bits (SDM vol. 3, chapter 25.6-25.8) ---- */
#define PIN_NMI_EXITING       (1u << 3)
#define PIN_PREEMPTION_TIMER  (1u << 6)
#define PROC_INTR_WINDOW_EXITING (1u << 2)
#define PROC_HLT_EXITING      (1u << 7)
#define PROC_MWAIT_EXITING    (1u << 10)
#define PROC_RDPMC_EXITING    (1u << 11)
#define PROC_CR3_LOAD_EXITING (1u << 15)
#define PROC_CR3_STORE_EXITING (1u << 16)
#define PROC_CR8_LOAD_EXITING (1u << 19)
#define PROC_CR8_STORE_EXITING (1u << 20)
#define PROC_MOV_DR_EXITING   (1u << 23)
#define PROC_UNCOND_IO_EXITING (1u << 24)
#define PROC_USE_MSR_BITMAPS  (1u << 28)
#define PROC_MONITOR_EXITING  (1u << 29)
#define PROC_SECONDARY        (1u << 31)
#define PROC2_EPT             (1u << 1)
#define PROC2_VPID            (1u << 5)
#define PROC2_RDTSCP          (1u << 3)
#define PROC2_WBINVD_EXITING  (1u << 6)
#define PROC2_INVPCID         (1u << 12)
#define EXIT_HOST_64BIT       (1u << 9)
#define EXIT_SAVE_EFER        (1u << 20)
#define EXIT_LOAD_EFER        (1u << 21)
#define ENTRY_GUEST_64BIT     (1u << 9)
#define ENTRY_LOAD_EFER       (1u << 15)

/* ---- what vmx_cpu.c learned about the CPU ---- */
struct vmx_caps {
	uint32_t revision;            /* VMCS revision identifier */
	uint32_t controls[VMX_CTL_GROUPS];
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_vpid_cap;
	bool vpid;                    /* VPIDs in use */
	unsigned invept_type;         /* 1 single-context, 2 all-context */
	unsigned preemption_rate;     /* the timer counts TSC ticks >> this */
};
extern struct vmx_caps vmx_caps;
extern struct pt_format vmx_ept_format;

/* Host state every VMCS gets (vmx_cpu.c builds the GDT and TSS). */
struct vmx_host {
	uint64_t gdt_base, idt_base, tss_base;
	uint16_t tr_sel;
	uint64_t kernel_gs_base;      /* the firmware's, put back when a VM ends */
};
extern struct vmx_host vmx_host;

/* ---- per VM and per vCPU ---- */
struct vmx_vm {
	uint64_t eptp;
	uint16_t vpid;
	uint64_t msr_bitmap_pa;       /* if "use MSR bitmaps" is on */
};

struct vmx_vcpu {
	uint64_t gprs[X86_NR_GPRS];   /* first: vmx_entry.S indexes it */
	uint64_t cr2;                 /* the guest's CR2, which the VMCS does not
					 hold: vmx_entry.S loads it at entry and
					 saves it at exit, right after gprs[] */
	uint64_t vmcs_pa;             /* VMX instructions take physical addresses */
	uint64_t kernel_gs_base;      /* the guest's IA32_KERNEL_GS_BASE, which
					 SWAPGS reaches without an exit and VM
					 entry and exit do not switch */
	bool launched;                /* VMLAUNCH done; VMRESUME from now on */
	bool flushed;                 /* INVEPT done since the VMCS was loaded */

	/* The last exit, as read from the VMCS, for the handlers and for
	 * vmx_describe_exit. */
	uint32_t exit_reason;
	uint64_t qualification, guest_rip, guest_phys, guest_linear;
	uint32_t intr_info, intr_error, idt_vectoring, insn_len, insn_error;

	struct x86_mmio_insn mmio;    /* the access of an EXIT_MMIO */
};

_Static_assert(offsetof(struct vmx_vcpu, cr2) == 8 * X86_NR_GPRS,
	       "vmx_entry.S finds the guest's CR2 right after gprs[]");

/* ---- VMX instructions ---- */

/* Each of these sets CF (VMfailInvalid: no current VMCS, bad pointer) or
 * ZF (VMfailValid: the VMCS's VM-instruction error field says why) when it
 * fails; "setna" turns either into true. */
static inline bool vmx_on(uint64_t pa)
{
	bool fail;
	__asm__ volatile("vmxon %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline void vmx_off(void)
{
	__asm__ volatile("vmxoff" ::: "cc", "memory");
}

static inline bool vmclear(uint64_t pa)
{
	bool fail;
	__asm__ volatile("vmclear %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmptrld(uint64_t pa)
{
	bool fail;
	__asm__ volatile("vmptrld %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline uint64_t vmread(enum vmcs_field f)
{
	uint64_t v;
	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"((uint64_t)f) : "cc");
	return v;
}

static inline bool vmwrite(enum vmcs_field f, uint64_t v)
{
	bool fail;
	__asm__ volatile("vmwrite %2, %1; setna %0" : "=qm"(fail) : "r"((uint64_t)f), "r"(v) : "cc");
	return !fail;
}

/* INVEPT type 1 (single context: this EPTP) or 2 (all contexts). */
static inline bool invept(unsigned type, uint64_t eptp)
{
	struct { uint64_t eptp, zero; } desc = { eptp, 0 };
	bool fail;
	__asm__ volatile("invept %1, %2; setna %0"
			 : "=qm"(fail) : "m"(desc), "r"((uint64_t)type) : "cc", "memory");
	return !fail;
}

/* INVVPID type 2: every linear mapping of every VPID but 0. */
static inline bool invvpid_all(void)
{
	struct { uint64_t vpid, addr; } desc = { 0, 0 };
	bool fail;
	__asm__ volatile("invvpid %1, %2; setna %0"
			 : "=qm"(fail) : "m"(desc), "r"((uint64_t)2) : "cc", "memory");
	return !fail;
}

/* ---- between the files ---- */

/* vmx_entry.S: load gprs (and CR2, which follows them in struct
 * vmx_vcpu), VMLAUNCH (resume = 0) or VMRESUME, and on the next VM exit
 * save them back.  Returns 0 after a VM exit, 1 if the
 * instruction failed with VMfailInvalid, 2 with VMfailValid. */
int vmx_enter_guest(uint64_t *gprs, int resume);
void vmx_exit_stub(void);

/* vmx_vmcs.c */
int vmx_vm_init(struct vm *vm);
void vmx_vm_fini(struct vm *vm);
void vmx_s2_flush(struct vm *vm);
int vmx_vcpu_init(struct vcpu *vcpu, const struct vcpu_boot *boot);
gpa_t vmx_vcpu_gpt_root(const struct vcpu *vcpu);
bool vmx_vcpu_gpt_enabled(const struct vcpu *vcpu);
bool vmx_vcpu_user_mode(const struct vcpu *vcpu);
void vmx_vcpu_guest_mode(const struct vcpu *vcpu, struct x86_guest_mode *out);
void vmx_load_vcpu(const struct vcpu *vcpu);
/* vmx_load_vcpu, and the guest's IA32_KERNEL_GS_BASE on the CPU: before
 * VM entry. */
void vmx_load_vcpu_to_run(const struct vcpu *vcpu);

/* vmx_exit.c */
void vmx_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit);
void vmx_vcpu_mmio_done(struct vcpu *vcpu, const struct vm_exit *exit, uint64_t value);
void vmx_describe_exit(const struct vcpu *vcpu, const struct vm_exit *exit,
		       char *buf, size_t len);

#endif
