/*
 * AMD SVM (AMD-V) with nested paging: the backend's private definitions.
 *
 * SVM is driven through one 4 KiB structure per vCPU, the VMCB (virtual
 * machine control block).  Its first 1 KiB, the control area, says what
 * the guest may not do (intercepts) and reports why it exited (exit code,
 * EXITINFO1/2); the rest, the state save area, holds the guest's segment,
 * control and system registers, which VMRUN loads and #VMEXIT stores.  The
 * general-purpose registers other than RAX and RSP are not in the VMCB: the
 * hypervisor saves and restores them itself (svm_entry.S).
 *
 * Reference: AMD64 Architecture Programmer's Manual, volume 2, chapter 15
 * ("Secure Virtual Machine") and appendix B ("Layout of VMCB").
 *
 * The files: svm_cpu.c finds and enables SVM; svm_vmcb.c builds a VMCB for a
 * new vCPU; svm_exit.c runs the vCPU and decodes its exits; svm_entry.S is
 * the VMRUN itself.
 */
#ifndef ARCH_X86_64_SVM_H
#define ARCH_X86_64_SVM_H

#include <stddef.h>
#include "x86.h"
#include "x86_insn.h"
#include "x86_regs.h"

/* ---- SVM's MSRs (the architectural ones are in x86_regs.h) ---- */

#define MSR_VM_CR        0xc0010114u
#define VM_CR_LOCK       (1ull << 3)  /* SVMDIS can no longer change */
#define VM_CR_SVMDIS     (1ull << 4)  /* the firmware turned SVM off */
#define MSR_VM_HSAVE_PA  0xc0010117u  /* where VMRUN saves host state */

/* ---- the VMCB ---- */

/* A segment register as the VMCB holds it.  attrib packs descriptor bits
 * 40..47 (type, S, DPL, P) into attrib[7:0] and bits 52..55 (AVL, L, D/B,
 * G) into attrib[11:8]. */
struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
};

struct vmcb {
	/* ---- control area ---- */
	uint32_t intercept_cr;          /* 0x000: 15:0 reads, 31:16 writes of CRn */
	uint32_t intercept_dr;          /* 0x004: the same for DRn */
	uint32_t intercept_exceptions;  /* 0x008: bit n = exception vector n */
	uint32_t intercept_misc1;       /* 0x00c: INTERCEPT1_* */
	uint32_t intercept_misc2;       /* 0x010: INTERCEPT2_* */
	uint32_t intercept_misc3;       /* 0x014 */
	uint8_t reserved_018[0x03c - 0x018];
	uint16_t pause_filter_threshold; /* 0x03c */
	uint16_t pause_filter_count;    /* 0x03e */
	uint64_t iopm_base_pa;          /* 0x040: I/O permission map, 12 KiB */
	uint64_t msrpm_base_pa;         /* 0x048: MSR permission map, 8 KiB */
	uint64_t tsc_offset;            /* 0x050 */
	uint32_t asid;                  /* 0x058: guest address-space ID, not 0 */
	uint8_t tlb_control;            /* 0x05c: TLB_CONTROL_* */
	uint8_t reserved_05d[3];
	uint64_t int_control;           /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING... */
	uint64_t int_state;             /* 0x068: bit 0: interrupt shadow */
	uint64_t exit_code;             /* 0x070: SVM_EXIT_* */
	uint64_t exit_info1;            /* 0x078 */
	uint64_t exit_info2;            /* 0x080 */
	uint64_t exit_int_info;         /* 0x088: event being delivered at the exit */
	uint64_t np_control;            /* 0x090: bit 0: nested paging on */
	uint8_t reserved_098[0x0a8 - 0x098];
	uint64_t event_inject;          /* 0x0a8 */
	uint64_t n_cr3;                 /* 0x0b0: root of the nested page tables */
	uint64_t virt_ext;              /* 0x0b8: LBR virtualization etc. */
	uint32_t clean_bits;            /* 0x0c0: which fields did not change */
	uint32_t reserved_0c4;
	uint64_t next_rip;              /* 0x0c8: with NRIPS (not relied upon) */
	uint8_t insn_fetched;           /* 0x0d0: decode assists: bytes below */
	uint8_t insn_bytes[15];         /* 0x0d1 */
	uint8_t reserved_0e0[0x400 - 0x0e0];

	/* ---- state save area ---- */
	struct vmcb_seg es, cs, ss, ds, fs, gs; /* 0x400 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;   /* 0x460 */
	uint8_t reserved_4a0[0x4cb - 0x4a0];
	uint8_t cpl;                    /* 0x4cb */
	uint32_t reserved_4cc;
	uint64_t efer;                  /* 0x4d0 */
	uint8_t reserved_4d8[0x548 - 0x4d8];
	uint64_t cr4;                   /* 0x548 */
	uint64_t cr3;                   /* 0x550 */
	uint64_t cr0;                   /* 0x558 */
	uint64_t dr7;                   /* 0x560 */
	uint64_t dr6;                   /* 0x568 */
	uint64_t rflags;                /* 0x570 */
	uint64_t rip;                   /* 0x578 */
	uint8_t reserved_580[0x5d8 - 0x580];
	uint64_t rsp;                   /* 0x5d8 */
	uint8_t reserved_5e0[0x5f8 - 0x5e0];
	uint64_t rax;                   /* 0x5f8 */
	/* 0x600: the state VMLOAD/VMSAVE move (with FS, GS, TR, LDTR) */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t cr2;                   /* 0x640 */
	uint8_t reserved_648[0x668 - 0x648];
	uint64_t g_pat;                 /* 0x668: the guest's PAT (nested paging) */
	uint64_t dbgctl;                /* 0x670 */
	uint64_t br_from, br_to, last_excp_from, last_excp_to;
	uint8_t reserved_698[0x1000 - 0x698];
};

_Static_assert(sizeof(struct vmcb) == 4096, "a VMCB is one page");
_Static_assert(offsetof(struct vmcb, iopm_base_pa) == 0x040, "VMCB layout");
_Static_assert(offsetof(struct vmcb, exit_code) == 0x070, "VMCB layout");
_Static_assert(offsetof(struct vmcb, n_cr3) == 0x0b0, "VMCB layout");
_Static_assert(offsetof(struct vmcb, insn_bytes) == 0x0d1, "VMCB layout");
_Static_assert(offsetof(struct vmcb, tr) == 0x490, "VMCB layout");
_Static_assert(offsetof(struct vmcb, efer) == 0x4d0, "VMCB layout");
_Static_assert(offsetof(struct vmcb, rip) == 0x578, "VMCB layout");
_Static_assert(offsetof(struct vmcb, rax) == 0x5f8, "VMCB layout");
_Static_assert(offsetof(struct vmcb, cr2) == 0x640, "VMCB layout");
_Static_assert(offsetof(struct vmcb, g_pat) == 0x668, "VMCB layout");

/* intercept_misc1 */
#define INTERCEPT1_INTR      (1u << 0)
#define INTERCEPT1_NMI       (1u << 1)
#define INTERCEPT1_VINTR     (1u << 4)
#define INTERCEPT1_RDPMC     (1u << 15)
#define INTERCEPT1_CPUID     (1u << 18)
#define INTERCEPT1_INVD      (1u << 22)
#define INTERCEPT1_HLT       (1u << 24)
#define INTERCEPT1_INVLPGA   (1u << 26)
#define INTERCEPT1_IOIO_PROT (1u << 27)
#define INTERCEPT1_MSR_PROT  (1u << 28)
#define INTERCEPT1_SHUTDOWN  (1u << 31)

/* intercept_misc2 */
#define INTERCEPT2_VMRUN     (1u << 0)
#define INTERCEPT2_VMMCALL   (1u << 1)
#define INTERCEPT2_VMLOAD    (1u << 2)
#define INTERCEPT2_VMSAVE    (1u << 3)
#define INTERCEPT2_STGI      (1u << 4)
#define INTERCEPT2_CLGI      (1u << 5)
#define INTERCEPT2_SKINIT    (1u << 6)
#define INTERCEPT2_WBINVD    (1u << 9)
#define INTERCEPT2_MONITOR   (1u << 10)
#define INTERCEPT2_MWAIT     (1u << 11)
#define INTERCEPT2_MWAIT_ARMED (1u << 12)
#define INTERCEPT2_XSETBV    (1u << 13)

#define TLB_CONTROL_NOTHING   0
#define TLB_CONTROL_FLUSH_ALL 1  /* every ASID: supported by every SVM CPU */

#define INT_CONTROL_V_IRQ          (1ull << 8)   /* a virtual interrupt is pending */
#define INT_CONTROL_V_INTR_PRIO    (0xfull << 16) /* its priority, 15: the highest */
#define INT_CONTROL_V_IGN_TPR      (1ull << 20)  /* ... whatever the virtual TPR */
#define INT_CONTROL_V_INTR_MASKING (1ull << 24)
#define NP_ENABLE 1ull

#define IOPM_SIZE  (12 * 1024)  /* one bit per port, plus a page of slack */
#define MSRPM_SIZE (8 * 1024)   /* two bits (read, write) per MSR */

/* Exit codes (EXITCODE). */
#define SVM_EXIT_READ_DR0  0x020  /* + n: MOV from DRn, up to 0x02f */
#define SVM_EXIT_WRITE_DR0 0x030  /* + n: MOV to DRn, up to 0x03f */
#define SVM_EXIT_EXCP_BASE 0x040  /* + vector, up to 0x05f */
#define SVM_EXIT_INTR      0x060
#define SVM_EXIT_NMI       0x061
#define SVM_EXIT_VINTR     0x064
#define SVM_EXIT_RDPMC     0x06f
#define SVM_EXIT_CPUID     0x072
#define SVM_EXIT_INVD      0x076
#define SVM_EXIT_HLT       0x078
#define SVM_EXIT_INVLPGA   0x07a
#define SVM_EXIT_IOIO      0x07b
#define SVM_EXIT_MSR       0x07c
#define SVM_EXIT_SHUTDOWN  0x07f
#define SVM_EXIT_VMRUN     0x080
#define SVM_EXIT_VMMCALL   0x081
#define SVM_EXIT_VMLOAD    0x082
#define SVM_EXIT_VMSAVE    0x083
#define SVM_EXIT_STGI      0x084
#define SVM_EXIT_CLGI      0x085
#define SVM_EXIT_SKINIT    0x086
#define SVM_EXIT_WBINVD    0x089
#define SVM_EXIT_MONITOR   0x08a
#define SVM_EXIT_MWAIT     0x08b
#define SVM_EXIT_MWAIT_ARMED 0x08c
#define SVM_EXIT_XSETBV    0x08d
#define SVM_EXIT_NPF       0x400
/* VMRUN refused the VMCB: -1.  QEMU stores it as 0x00000000ffffffff,
 * Bochs as all ones, so compare the low 32 bits only. */
#define SVM_EXIT_INVALID   0xffffffffu

/* #NPF EXITINFO1: a page-fault error code, plus where the fault hit. */
#define NPF_PRESENT      (1ull << 0)   /* clear: no mapping */
#define NPF_WRITE        (1ull << 1)
#define NPF_USER         (1ull << 2)   /* always set: nested walks are user */
#define NPF_RESERVED     (1ull << 3)
#define NPF_FETCH        (1ull << 4)
#define NPF_FINAL_GPA    (1ull << 32)  /* translating the access's own GPA */
#define NPF_GUEST_TABLES (1ull << 33)  /* translating a guest page-table GPA */

/* MOV CRn/DRn EXITINFO1, with decode assists: the general-purpose
 * register the instruction names. */
#define MOV_DR_GPR_MASK  0xfull

/* IOIO EXITINFO1. */
#define IOIO_IN          (1ull << 0)
#define IOIO_STRING      (1ull << 2)
#define IOIO_REP         (1ull << 3)

/* ---- what the backend keeps ---- */

/* What CPUID 8000_000A said, read by svm_probe. */
struct svm_caps {
	unsigned revision;
	uint32_t nr_asids;     /* ASIDs 1..nr_asids-1 are for guests */
	bool nrips;            /* next_rip is written on exits */
	bool decode_assists;   /* insn_bytes are filled on #NPF and #PF */
	bool flush_by_asid;
	bool vmcb_clean;
	bool vgif;
};
extern struct svm_caps svm_caps;

/* Physical address of the page svm_entry.S VMSAVEs the host's FS, GS, TR,
 * LDTR and syscall MSRs to (VMRUN itself does not save them). */
extern uint64_t svm_host_state_pa;

struct svm_vm {
	uint32_t asid;
	uint8_t *iopm;         /* every bit set: every port is intercepted */
	uint8_t *msrpm;        /* every bit set: every MSR is intercepted
				  (both shared by all VMs: svm_vmcb.c) */
};

struct svm_vcpu {
	/* All sixteen GPRs in encoding order, first: svm_entry.S saves and
	 * restores them here.  RAX and RSP live in the VMCB while the guest
	 * runs; svm_exit.c copies them in and out around VMRUN, so that this
	 * array is always complete for the decoder. */
	uint64_t gpr[X86_NR_GPRS];
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	struct x86_mmio_insn insn;  /* the instruction of the last #NPF */
	uint64_t exit_rip;          /* RIP at the last exit, before any step */
};

/* svm_entry.S: VMRUN with the guest's GPRs; returns after the #VMEXIT
 * with gpr[] holding the guest's registers (RAX, RSP: in the VMCB). */
/* host_if: run the guest with the host's RFLAGS.IF set, so that physical
 * interrupts reach the CPU (and, INTR intercepted, make the guest exit);
 * IF is clear again when it returns. */
void svm_enter_guest(uint64_t gpr[X86_NR_GPRS], uint64_t vmcb_pa, uint64_t host_state_pa,
		     uint64_t host_if);

/* svm_entry.S: the host's NMI handler while SVM is on (svm_cpu.c): IRETQ. */
void svm_nmi_return(void);

/* svm_vmcb.c */
int svm_vm_init(struct vm *vm);
int svm_vcpu_init(struct vcpu *vcpu, const struct vcpu_boot *boot);
const char *svm_check_vmcb(const struct vmcb *vmcb);

/* The guest's CR0, CR4, EFER and CS mode bits, as the VMCB holds them. */
/* The VMCB's attrib packs descriptor bits 52..55 into 11:8: L is bit 9,
 * D/B bit 10. */
#define ATTRIB_L  0x200
#define ATTRIB_DB 0x400

void svm_guest_mode(const struct vmcb *vmcb, struct x86_guest_mode *out);

/* svm_exit.c */
void svm_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit);
void svm_vcpu_mmio_done(struct vcpu *vcpu, const struct vm_exit *exit, uint64_t value);
void svm_describe_exit(const struct vcpu *vcpu, const struct vm_exit *exit,
		       char *buf, size_t len);

#endif
