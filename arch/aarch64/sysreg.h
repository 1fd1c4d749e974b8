/*
 * Reading and writing Arm system registers from C.
 */
#ifndef ARCH_AARCH64_SYSREG_H
#define ARCH_AARCH64_SYSREG_H

#include <stdint.h>

#define read_sysreg(reg) ({ \
	uint64_t __v; \
	__asm__ volatile("mrs %0, " #reg : "=r"(__v)); \
	__v; \
})

#define write_sysreg(reg, v) \
	__asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(v)) : "memory")

static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }

/* HCR_EL2 bits minihv uses. */
#define HCR_VM    (1ull << 0)   /* stage-2 translation on for EL1/EL0 */
#define HCR_SWIO  (1ull << 1)   /* set/way invalidate becomes clean+invalidate */
#define HCR_FMO   (1ull << 3)
#define HCR_IMO   (1ull << 4)
#define HCR_AMO   (1ull << 5)
#define HCR_TWI   (1ull << 13)  /* trap WFI */
#define HCR_TWE   (1ull << 14)  /* trap WFE */
#define HCR_TID3  (1ull << 18)  /* trap reads of the ID registers (group 3) */
#define HCR_TSC   (1ull << 19)  /* trap SMC */
#define HCR_TIDCP (1ull << 20)  /* trap IMPLEMENTATION DEFINED registers */
#define HCR_TACR  (1ull << 21)  /* trap ACTLR_EL1 */
#define HCR_TSW   (1ull << 22)  /* trap data cache maintenance by set/way */
#define HCR_TGE   (1ull << 27)
#define HCR_RW    (1ull << 31)  /* EL1 is AArch64 */

/* CNTx_CTL bits: of CNTHP_CTL_EL2, the EL2 physical timer the watchdog
 * uses, and of the guest's CNTV_CTL_EL0 and CNTP_CTL_EL0 alike. */
#define CNTHP_ENABLE  (1ull << 0)
#define CNTHP_IMASK   (1ull << 1)
#define CNTHP_ISTATUS (1ull << 2)

/* CPTR_EL2 (with HCR_EL2.E2H = 0): trap FP/SIMD accesses, from EL0-2, to
 * EL2. */
#define CPTR_TFP  (1ull << 10)
#define CPTR_TZ   (1ull << 8)   /* trap SVE instructions and ZCR_EL1 */
#define CPTR_TSM  (1ull << 12)  /* trap SME instructions, SMCR_EL1, SVCR */

/* MDCR_EL2 bits: trap the guest's debug and PMU register accesses. */
#define MDCR_TPMCR (1ull << 5)
#define MDCR_TPM   (1ull << 6)
#define MDCR_TDOSA (1ull << 10)
#define MDCR_TDA   (1ull << 9)

/* ESR_ELx exception classes minihv names. */
#define EC_WFX        0x01
#define EC_PAUTH      0x09   /* PAC instruction with HCR_EL2.API clear */
#define EC_SVE        0x19   /* SVE with CPTR_EL2.TZ set */
#define EC_SME        0x1d   /* SME with CPTR_EL2.TSM set */
#define EC_HVC64      0x16
#define EC_SMC64      0x17
#define EC_SYSREG     0x18
#define EC_IABT_LOW   0x20
#define EC_DABT_LOW   0x24

#endif
