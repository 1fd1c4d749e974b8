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
	uint64_t host_sp;   /* 0x108: the hypervisor's SP while the guest runs */
	uint64_t exit_type; /* 0x110: which vector: 0 sync, 1 irq, 2 fiq, 3 serror */
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
};

struct arch_vcpu {
	struct arm_guest_regs regs;     /* first: entry.S takes a pointer to it */
	struct arm_el1_state el1;
	uint64_t vttbr;
	/* The syndrome of the last exit, for decoding and describing it. */
	uint64_t esr, far, hpfar;
};

struct arch_vm {
	uint16_t vmid;
	uint64_t vttbr;
};

/* entry.S: run the guest until it exits; returns with regs filled in. */
void arm_enter_guest(struct arm_guest_regs *regs);
extern char arm_el2_vectors[];

/* The stage-2 shape chosen for this CPU's PARange (el2.c): VTCR_EL2, the
 * VMs' tables and TCR_EL1.IPS follow it. */
extern struct pt_arm_s2_geometry arm_s2_geometry;

#endif
