/*
 * The aarch64 backend's private state, shared by its C files and entry.S.
 */
#ifndef ARCH_AARCH64_ARM_H
#define ARCH_AARCH64_ARM_H

#include "../../hv/vm.h"
#include "../../mm/pt_arm.h"

/*
 * What entry.S saves and restores on every guest entry and exit.  The
 * offsets are used from assembly (ARM_REGS_* below): keep them in step.
 */
struct arm_guest_regs {
	uint64_t x[31];     /* 0x000: x0..x30 */
	uint64_t elr;       /* 0x0f8: guest PC (ELR_EL2) */
	uint64_t spsr;      /* 0x100: guest PSTATE (SPSR_EL2) */
	uint64_t exit_type; /* which vector the last exit came through:
			       0 sync, 1 irq, 2 fiq, 3 serror (arm_enter_guest's
			       result, kept for describing the exit) */
};

/*
 * The guest's EL1 (and EL0) system registers and its timers: loaded when the
 * vCPU is put on the CPU.  The CPU has one set, which every guest and the
 * firmware share, so each register a guest can write is here: a new vCPU
 * finds zeros (and its timers off), not what the previous guest or the
 * firmware left, and the firmware gets its own values back at
 * arch_cpu_fini.
 */
struct arm_el1_state {
	uint64_t sctlr, tcr, mair, ttbr0, ttbr1, vbar, sp_el1, cpacr;
	uint64_t sp_el0, tpidr_el0, tpidrro_el0, tpidr_el1, contextidr;
	uint64_t elr, spsr, esr, far, par;         /* exception and AT results */
	uint64_t cntkctl;                          /* EL0's access to the timers */
	uint64_t cntv_cval, cntv_ctl, cntp_cval, cntp_ctl;
	uint64_t csselr;                           /* which cache CCSIDR_EL1 describes */
	uint64_t afsr0, afsr1, amair;              /* IMPLEMENTATION DEFINED fault
						      status and memory attributes */
	uint64_t disr;                             /* FEAT_RAS: deferred SError */
	uint64_t tpidr2_el0;                       /* FEAT_SME: SME's thread pointer */
};

/*
 * How the list above was drawn up: from the Arm ARM's index of AArch64
 * system registers (part D, "AArch64 System Register Descriptions"), every
 * register an EL1 (or EL0) guest can write without trapping to EL2, for
 * the features the CPU has.  Each is either switched here, or trapped by
 * EL2 so the guest never reaches it:
 *
 *   switched (Armv8.0): SCTLR TCR MAIR AMAIR TTBR0 TTBR1 VBAR SP_EL1
 *     CPACR SP_EL0 TPIDR_EL0 TPIDRRO_EL0 TPIDR_EL1 CONTEXTIDR ELR SPSR
 *     ESR FAR AFSR0 AFSR1 PAR CSSELR CNTKCTL CNTV_* CNTP_*;
 *   switched where the CPU has the feature: DISR_EL1 (FEAT_RAS, with
 *     HCR_EL2.AMO clear EL1 reaches the real one), TPIDR2_EL0 (FEAT_SME);
 *   zeroed, not switched: V0-V31, FPCR, FPSR (vcpu.c: fresh_fpsimd);
 *   trapped: ACTLR_EL1 (HCR_EL2.TACR), IMPLEMENTATION DEFINED registers
 *     (TIDCP), the debug registers with MDSCR_EL1 and the OS lock (MDCR_EL2
 *     TDA, TDOSA), the PMU (TPM, TPMCR), pointer authentication keys
 *     (HCR_EL2.APK clear), ZCR_EL1 and the SVE Z/P/FFR registers (CPTR_EL2
 *     TZ), SMCR_EL1, SVCR and the ZA array (CPTR_EL2.TSM), SCXTNUM_EL0/1
 *     (HCR_EL2.EnSCXT clear);
 *   not present on the CPUs minihv runs on (QEMU 7.2 without mte=on):
 *     MTE's GCR_EL1, RGSR_EL1, TFSR*_EL1; POR_EL0, GCS, TRFCR_EL1 and SPE.
 *     LORegions (LORSA..LORC_EL1, FEAT_LOR on max) are left alone: QEMU
 *     implements no regions and reads them as zero.
 */

struct arch_vcpu {
	struct arm_guest_regs regs;     /* first: entry.S takes a pointer to it */
	struct vcpu *vcpu;              /* the core's vCPU, for arm_fast_exit */
	struct arm_el1_state el1;
	uint64_t vttbr;
	/* The watchdog's deadline, in ticks of the physical counter
	 * (CNTPCT_EL0), or 0 when it is not armed. */
	uint64_t watchdog_deadline;
	/* The syndrome of the last exit, for decoding and describing it. */
	uint64_t esr, far, hpfar;
	/*
	 * What this vCPU runs with that the CPU keeps for all: HCR_EL2 (which
	 * traps are on, where interrupts go) and CNTHCTL_EL2 (EL1's reach of
	 * the physical counter and timer), loaded with the vCPU
	 * (arm_load_vcpu).  A minihv test guest gets HCR_GUEST (el2.c) and the
	 * firmware's CNTHCTL; a partition (a Linux guest: linux.c) its own.
	 */
	uint64_t hcr, cnthctl;
	/* A partition: an operating system with devices handed through, whose
	 * PSCI calls are served, whose ID registers are read through a filter
	 * and whose trapped system registers read as zero (partition.c). */
	bool partition;
};

struct arch_vm {
	uint16_t vmid;
	uint64_t vttbr;
	/* A partition's devices handed through, and the state to give them
	 * back in (gic.c); NULL for a minihv test guest. */
	struct arm_passthrough *passthrough;
};

/* The optional EL1 registers this CPU has (el2.c, from its ID registers):
 * save_el1 and arm_load_el1 touch only those. */
struct arm_features {
	bool ras;   /* DISR_EL1 */
	bool sme;   /* TPIDR2_EL0 */
};
extern struct arm_features arm_features;

/* Does the CPU have pointer authentication (el2.c)? */
bool arm_has_pointer_auth(void);

/* The firmware's device tree and the size to read it within, or NULL
 * (power.c). */
const void *arm_firmware_dt(size_t *max);
/* The firmware's ACPI table with this signature, at least min_len bytes
 * long, or NULL (power.c). */
const uint8_t *arm_acpi_table(const char *sig, uint32_t min_len);

/* Is the platform QEMU's virt board (power.c, from ACPI or the device
 * tree)? */
bool arm_platform_is_qemu(void);

/* vcpu.c, called from entry.S on a guest's synchronous exit: nonzero if it
 * served the exit and the guest is to be re-entered at once. */
uint64_t arm_fast_exit(struct arch_vcpu *a);

/* entry.S: run the guest until it exits; returns with regs filled in. */
/* Not called directly: vcpu.c's enter_guest says what it clobbers. */
uint64_t arm_enter_guest(struct arm_guest_regs *regs);
extern char arm_el2_vectors[];

/* What a minihv test guest's vCPU runs with (el2.c): HCR_EL2, and the
 * firmware's CNTHCTL_EL2. */
extern uint64_t arm_hcr_guest, arm_cnthctl_firmware;

/* The stage-2 shape chosen for this CPU's PARange (el2.c): VTCR_EL2, the
 * VMs' tables and TCR_EL1.IPS follow it. */
extern struct pt_arm_s2_geometry arm_s2_geometry;

/*
 * The devices a partition (a Linux guest) is handed: the GIC -- a GICv2's
 * distributor and CPU interface, or a GICv3's distributor and this CPU's
 * redistributor frames (gicv3.c) -- and the PL011, at their physical
 * addresses, read from the firmware's device tree or ACPI tables (gic.c);
 * with what they held before the partition ran, given back after it
 * (arm_passthrough_restore).
 */
#define GIC_MAX_IRQS 1024
struct arm_passthrough {
	unsigned gic_version;   /* 2 or 3 (a GICv4 is handed through as a 3) */
	uint64_t gicd, gicd_size, gicc, gicc_size, uart, uart_size;
	/* The GIC's virtualization extensions (vgic.c): a GICv2's virtual
	 * interface control (GICH) and virtual CPU interface (GICV), the
	 * number of list registers, and the interrupts that passed. */
	uint64_t gich, gicv;
	unsigned nr_lr;
	uint64_t vgic_injected, vgic_dropped;
	/* A GICv3: this CPU's redistributor frames (RD_base, SGI_base...). */
	uint64_t gicr, gicr_size;
	/* The firmware's "interrupts" of its timer and PL011 nodes, passed on
	 * to the guest's tree as they are (big-endian cells). */
	uint32_t timer_irqs[16], uart_irqs[3];
	uint32_t timer_irqs_len, uart_irqs_len;     /* in bytes */
	/* The EL2 physical timer's INTID (a PPI): the watchdog's, which
	 * vgic.c keeps enabled and ends itself; 32 or more: unknown. */
	unsigned el2_timer_intid;
	/* Saved state. */
	unsigned nr_irqs;
	uint32_t gicd_ctlr, gicc_ctlr, gicc_pmr, gicc_bpr;
	uint32_t enable[GIC_MAX_IRQS / 32], group[GIC_MAX_IRQS / 32];
	uint32_t config[GIC_MAX_IRQS / 16];
	uint8_t priority[GIC_MAX_IRQS], target[GIC_MAX_IRQS];
	/* A GICv3's besides: slot 0 of enable, group, grpmod and priority's
	 * first 32, and config 0-1, are the redistributor's (INTID 0-31), the
	 * rest the distributor's; the SPIs' routes; the CPU interface. */
	uint32_t grpmod[GIC_MAX_IRQS / 32], gicr_ctlr, gicr_waker;
	uint64_t irouter[GIC_MAX_IRQS];
	uint64_t icc_sre, icc_pmr, icc_bpr1, icc_ctlr, icc_igrpen1;
	uint32_t uart_cr, uart_lcrh, uart_ibrd, uart_fbrd, uart_imsc, uart_ifls;
};

struct fdt_writer;
struct vm_exit;
/* gic.c.  Find the devices; 0, or -1 with why. */
int arm_passthrough_find(struct arm_passthrough *p, char *why, size_t len);
/* Map them into vm's stage-2 at their own addresses, as device memory. */
int arm_passthrough_map(struct vm *vm, const struct arm_passthrough *p);
/* Their nodes in the guest's device tree: the interrupt controller
 * (phandle 1), the timer, the UART and its clock (phandle 2). */
void arm_passthrough_write_dt(struct fdt_writer *w, const struct arm_passthrough *p);
/* Before the partition first runs, and after it is gone. */
void arm_passthrough_save(struct arm_passthrough *p);
void arm_passthrough_restore(const struct arm_passthrough *p);

/* gicv3.c, for gic.c: this CPU's redistributor in the n regions given
 * (0, or -1 with why); a GICv3's mapping, node, save and restore. */
int arm_gicv3_find_rdist(struct arm_passthrough *p, const uint64_t *base, const uint64_t *size,
			 unsigned n, char *why, size_t len);
int arm_gicv3_map(struct vm *vm, const struct arm_passthrough *p);
void arm_gicv3_write_dt(struct fdt_writer *w, const struct arm_passthrough *p);
void arm_gicv3_save(struct arm_passthrough *p);
void arm_gicv3_restore(const struct arm_passthrough *p);
struct mmio_access;
bool arm_gicv3_rd_emulate(const struct arm_passthrough *p, const struct mmio_access *m,
			  uint64_t *value);

/* vgic.c: a GICv2 partition's interrupts through the list registers.
 * arm_vgic_irq, on an IRQ exit, hands them on and returns whether the
 * watchdog's own timer interrupt was among them. */
void arm_vgic_start(const struct arm_passthrough *p);
void arm_vgic_stop(const struct arm_passthrough *p);
bool arm_vgic_irq(struct arm_passthrough *p);
/* A GICv3's: how many list registers the CPU has, and an SGI the
 * partition sent itself (its ICC_SGI1R_EL1 write traps: partition.c). */
unsigned arm_vgic_v3_list_registers(void);
void arm_vgic_v3_sgi(struct arm_passthrough *p, unsigned intid);

/* partition.c: the exits only a partition has. */
void arm_partition_psci(struct vcpu *vcpu, struct vm_exit *exit);
void arm_partition_sysreg(struct vcpu *vcpu, struct vm_exit *exit);

#endif
