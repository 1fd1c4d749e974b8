/*
 * x86 register bits, MSR numbers and CPUID bits: the architecture's own
 * numbers (Intel SDM vol. 3A ch. 2, AMD APM vol. 2 ch. 3), each defined
 * once for both backends and the code they share.  Only what more than a
 * VMX-only or SVM-only file needs lives here; VMX's capability MSRs are in
 * vmx.h, SVM's VM_CR and VM_HSAVE_PA in svm.h.
 */
#ifndef ARCH_X86_64_X86_REGS_H
#define ARCH_X86_64_X86_REGS_H

/* ---- CR0 ---- */
#define CR0_PE     (1ull << 0)   /* protected mode */
#define CR0_MP     (1ull << 1)   /* WAIT honours TS */
#define CR0_EM     (1ull << 2)   /* x87 and SSE instructions #NM / #UD */
#define CR0_TS     (1ull << 3)   /* the next FP instruction #NM */
#define CR0_ET     (1ull << 4)   /* hard-wired to 1 */
#define CR0_NE     (1ull << 5)   /* x87 errors as #MF (VMX requires it) */
#define CR0_WP     (1ull << 16)  /* supervisor writes honour read-only pages */
#define CR0_NW     (1ull << 29)
#define CR0_CD     (1ull << 30)
#define CR0_PG     (1ull << 31)  /* paging */

/* ---- CR4 ---- */
#define CR4_PAE     (1ull << 5)
#define CR4_OSFXSR  (1ull << 9)   /* SSE instructions allowed */
#define CR4_VMXE    (1ull << 13)  /* VMXON allowed */
#define CR4_OSXSAVE (1ull << 18)  /* XGETBV, XSETBV, XSAVE allowed */
#define CR4_LA57    (1ull << 12)  /* 5-level paging (with long mode) */
#define CR4_SMAP    (1ull << 21)  /* the kernel may not touch user pages (unless RFLAGS.AC) */
#define CR4_PKE     (1ull << 22)  /* protection keys: RDPKRU, WRPKRU allowed */

/* ---- RFLAGS ---- */
#define RFLAGS_FIXED (1ull << 1)  /* always 1 */
#define RFLAGS_IF    (1ull << 9)  /* maskable interrupts on */
#define RFLAGS_AC    (1ull << 18) /* alignment check; with SMAP: user pages open to the kernel */

/* ---- MSRs every x86_64 CPU has ---- */
#define MSR_SYSENTER_CS     0x174u
#define MSR_SYSENTER_ESP    0x175u
#define MSR_SYSENTER_EIP    0x176u
#define MSR_EFER            0xc0000080u
#define MSR_FS_BASE         0xc0000100u
#define MSR_GS_BASE         0xc0000101u
#define MSR_KERNEL_GS_BASE  0xc0000102u  /* what SWAPGS swaps GS.base with */

#define EFER_LME   (1ull << 8)   /* long mode enabled */
#define EFER_LMA   (1ull << 10)  /* long mode active */
#define EFER_NXE   (1ull << 11)  /* the no-execute bit of page tables */
#define EFER_SVME  (1ull << 12)  /* SVM instructions allowed (AMD) */

/* ---- CPUID ---- */
#define CPUID_FEATURES      0x00000001u
#define CPUID_EXT_MAX       0x80000000u
#define CPUID_AMD_FEATURES  0x80000001u
#define CPUID_SVM           0x8000000au

#define CPUID1_ECX_VMX      (1u << 5)
#define CPUID1_ECX_XSAVE    (1u << 26)
#define CPUID1_ECX_OSXSAVE  (1u << 27)  /* mirrors CR4.OSXSAVE */
#define AMD_ECX_SVM         (1u << 2)   /* CPUID 8000_0001 ECX */

#endif
