/*
 * EL2 set-up and tear-down.  (The console is pl011.c; power-off and the
 * EL2 panic, power.c.)
 *
 * UEFI on QEMU's virt board with virtualization=on starts us at EL2 with
 * HCR_EL2.TGE=1: EL2 behaves like an ordinary kernel's EL1 and no guest can
 * run.  arch_cpu_init saves what the firmware had, installs our exception
 * vectors and turns EL2 into a hypervisor; arch_cpu_fini puts everything
 * back so the firmware works again.
 */
#include "arm.h"
#include "sysreg.h"
#include "../../hv/arch.h"
#include "../../hv/print.h"

struct pt_arm_s2_geometry arm_s2_geometry;
struct arm_features arm_features;
uint64_t arm_hcr_guest, arm_cnthctl_firmware;
/* pt_format_arm_stage2 reshaped to arm_s2_geometry: what every VM's
 * stage-2 tables are built with. */
static struct pt_format s2_format;

/* What the firmware had, restored by arch_cpu_fini. */
static struct {
	uint64_t hcr, vtcr, vttbr, vbar, daif, cptr, mdcr;
	uint64_t cnthp_ctl, cnthp_cval, cnthctl, cntvoff, vpidr, vmpidr;
	uint64_t icc_sre_el2, ich_hcr;  /* with a GICv3 CPU interface only */
	bool gicv3_cpuif;
	struct arm_el1_state el1;
} firmware;

/* By their encodings: assemblers for Armv8.0 know neither name. */
#define ICC_SRE_EL2 s3_4_c12_c9_5
#define ICH_HCR_EL2 s3_4_c12_c11_0
#define ICC_SRE_SRE    (1ull << 0)  /* this EL uses the system registers */
#define ICC_SRE_ENABLE (1ull << 3)  /* EL1 may reach ICC_SRE_EL1 */

const char *arch_name(void)
{
	return "aarch64 EL2, stage-2";
}

/*
 * What hv/main.c may believe about this CPU (hv/arch.h): Arm has no CPUID
 * instruction and no XCR0; it has debug registers (DBGBVR<n>_EL1, trapped
 * by MDCR_EL2.TDA) and the semihosting instruction, no I/O ports, and none
 * of the x86 platform flaws.  Its watchdog works (vcpu.c).
 */
bool arch_fact(enum arch_fact f)
{
	switch (f) {
	case ARCH_FACT_DEBUG_REGISTERS:
	case ARCH_FACT_SEMIHOSTING:
	case ARCH_FACT_WATCHDOG:    /* the EL2 physical timer: vcpu.c */
	case ARCH_FACT_ARM_SYSTEM_REGISTERS:
	case ARCH_FACT_USER_MODE:
		return true;
	case ARCH_FACT_POINTER_AUTH:
		return arm_has_pointer_auth();
	case ARCH_FACT_PAN_SMAP:    /* ID_AA64MMFR1_EL1.PAN, bits 23:20 */
		return (read_sysreg(id_aa64mmfr1_el1) >> 20) & 0xf;
	case ARCH_FACT_SVE:         /* ID_AA64PFR0_EL1.SVE, bits 35:32 */
		return (read_sysreg(id_aa64pfr0_el1) >> 32) & 0xf;
	case ARCH_FACT_TIDCP_IGNORED:
		/* QEMU 7.2's TCG does not implement the TIDCP trap (seen:
		 * hostile_impdef reads S3_1_C11_C0_2 on cortex-a57 and max). */
		return arm_platform_is_qemu();
	case ARCH_FACT_CPUID:
	case ARCH_FACT_XCR0:
	case ARCH_FACT_IO_PORTS:
	case ARCH_FACT_XSETBV_INTERCEPT_IGNORED:
	case ARCH_FACT_X86_INSTRUCTIONS:
		return false;
	}
	return false;
}

/*
 * Pointer authentication is there when ID_AA64ISAR1_EL1 names an address
 * algorithm, APA (bits 7:4) or API (11:8), or a generic one, GPA (27:24)
 * or GPI (31:28), or ID_AA64ISAR2_EL1 names APA3 (15:12) or GPA3 (11:8).
 * (ID_AA64ISAR2_EL1 is spelled by its encoding: older assemblers do not
 * know the name; it reads as 0 on CPUs from before it.)
 */
bool arm_has_pointer_auth(void)
{
	uint64_t isar1 = read_sysreg(id_aa64isar1_el1);
	uint64_t isar2 = read_sysreg(s3_0_c0_c6_2);
	return (isar1 & 0xff000ff0ull) || (isar2 & 0xff00ull);
}

const struct pt_format *arch_s2_format(void)
{
	return &s2_format;
}

const struct pt_format *arch_gpt_format(void)
{
	return &pt_format_arm_stage1;
}

static void save_el1(struct arm_el1_state *s)
{
	s->sctlr = read_sysreg(sctlr_el1);
	s->tcr = read_sysreg(tcr_el1);
	s->mair = read_sysreg(mair_el1);
	s->ttbr0 = read_sysreg(ttbr0_el1);
	s->ttbr1 = read_sysreg(ttbr1_el1);
	s->vbar = read_sysreg(vbar_el1);
	s->sp_el1 = read_sysreg(sp_el1);
	s->cpacr = read_sysreg(cpacr_el1);
	s->sp_el0 = read_sysreg(sp_el0);
	s->tpidr_el0 = read_sysreg(tpidr_el0);
	s->tpidrro_el0 = read_sysreg(tpidrro_el0);
	s->tpidr_el1 = read_sysreg(tpidr_el1);
	s->contextidr = read_sysreg(contextidr_el1);
	s->elr = read_sysreg(elr_el1);
	s->spsr = read_sysreg(spsr_el1);
	s->esr = read_sysreg(esr_el1);
	s->far = read_sysreg(far_el1);
	s->par = read_sysreg(par_el1);
	s->cntkctl = read_sysreg(cntkctl_el1);
	s->cntv_cval = read_sysreg(cntv_cval_el0);
	s->cntv_ctl = read_sysreg(cntv_ctl_el0);
	s->cntp_cval = read_sysreg(cntp_cval_el0);
	s->cntp_ctl = read_sysreg(cntp_ctl_el0);
	s->csselr = read_sysreg(csselr_el1);
	s->afsr0 = read_sysreg(afsr0_el1);
	s->afsr1 = read_sysreg(afsr1_el1);
	s->amair = read_sysreg(amair_el1);
	/* By their encodings: assemblers for Armv8.0 know neither name. */
	if (arm_features.ras)
		s->disr = read_sysreg(s3_0_c12_c1_1);      /* DISR_EL1 */
	if (arm_features.sme)
		s->tpidr2_el0 = read_sysreg(s3_3_c13_c0_5); /* TPIDR2_EL0 */
}

void arm_load_el1(const struct arm_el1_state *s)
{
	write_sysreg(sctlr_el1, s->sctlr);
	write_sysreg(tcr_el1, s->tcr);
	write_sysreg(mair_el1, s->mair);
	write_sysreg(ttbr0_el1, s->ttbr0);
	write_sysreg(ttbr1_el1, s->ttbr1);
	write_sysreg(vbar_el1, s->vbar);
	write_sysreg(sp_el1, s->sp_el1);
	write_sysreg(cpacr_el1, s->cpacr);
	write_sysreg(sp_el0, s->sp_el0);
	write_sysreg(tpidr_el0, s->tpidr_el0);
	write_sysreg(tpidrro_el0, s->tpidrro_el0);
	write_sysreg(tpidr_el1, s->tpidr_el1);
	write_sysreg(contextidr_el1, s->contextidr);
	write_sysreg(elr_el1, s->elr);
	write_sysreg(spsr_el1, s->spsr);
	write_sysreg(esr_el1, s->esr);
	write_sysreg(far_el1, s->far);
	write_sysreg(par_el1, s->par);
	write_sysreg(cntkctl_el1, s->cntkctl);
	/* The compare value first, so that the timer never fires on the
	 * previous owner's. */
	write_sysreg(cntv_cval_el0, s->cntv_cval);
	write_sysreg(cntv_ctl_el0, s->cntv_ctl);
	write_sysreg(cntp_cval_el0, s->cntp_cval);
	write_sysreg(cntp_ctl_el0, s->cntp_ctl);
	write_sysreg(csselr_el1, s->csselr);
	write_sysreg(afsr0_el1, s->afsr0);
	write_sysreg(afsr1_el1, s->afsr1);
	write_sysreg(amair_el1, s->amair);
	if (arm_features.ras)
		write_sysreg(s3_0_c12_c1_1, s->disr);
	if (arm_features.sme)
		write_sysreg(s3_3_c13_c0_5, s->tpidr2_el0);
	isb();
}

/*
 * The guest's HCR_EL2: stage-2 on, EL1 in AArch64, and the traps we want.
 *
 * IMO: physical IRQs are taken to EL2 while the guest runs, whatever the
 * guest's PSTATE.I -- a lower EL cannot mask an interrupt that targets a
 * higher one.  That is what lets the watchdog's timer (CNTHP, vcpu.c) end a
 * guest that spins with interrupts masked.  minihv never acknowledges an
 * interrupt at the GIC: its own timer's is level-sensitive, and turning
 * the timer off withdraws it; any other stays pending for the firmware,
 * which takes it once arch_cpu_fini gives EL2 back.  At EL2 DAIF stays
 * masked, so none is taken in the hypervisor itself.  (With IMO set, the
 * guest's PSTATE.I masks virtual IRQs; minihv injects none.)  FMO/AMO stay
 * clear: FIQs and SErrors go to the guest's EL1, which keeps them masked.
 *
 * What else a guest must not reach, because it is the CPU's, not the
 * guest's, and nothing switches it between guests (each trap stops the
 * guest, named in vcpu.c):
 *   TSW   data cache maintenance by set/way (DC ISW/CSW/CISW): it works on
 *         the physical caches, lines of every VM and the hypervisor;
 *   TIDCP the IMPLEMENTATION DEFINED registers (Op0 3, CRn 11 and 15):
 *         CPU tuning, errata switches, cache and TLB control;
 *   TACR  ACTLR_EL1, the auxiliary control register (the same, by name).
 * API and APK stay clear: pointer authentication instructions (EC 0x09)
 * and its key registers trap, since minihv does not switch the keys.
 */
#define HCR_GUEST (HCR_VM | HCR_SWIO | HCR_RW | HCR_IMO | HCR_TWI | HCR_TWE | HCR_TSC | \
		   HCR_TSW | HCR_TIDCP | HCR_TACR)

int arch_cpu_init(void)
{
	uint64_t el = (read_sysreg(CurrentEL) >> 2) & 3;
	if (el != 2) {
		hv_printf("minihv: running at EL%llu, not EL2: start QEMU with -machine virt,virtualization=on\n",
			  (unsigned long long)el);
		return -1;
	}
	/*
	 * The IPA size and where stage-2 walks start depend on the CPU's
	 * physical address size: a level-0 start, for one, is illegal below
	 * 44 bits.  pt_arm_s2_geometry (mm/pt_arm.c) knows the rules.
	 */
	const struct pt_arm_s2_geometry *g = &arm_s2_geometry;
	pt_arm_s2_geometry(read_sysreg(id_aa64mmfr0_el1) & 0xf, &arm_s2_geometry);
	pt_arm_s2_format(g, &s2_format);

	/* ID_AA64PFR0_EL1.RAS (bits 31:28), ID_AA64PFR1_EL1.SME (27:24). */
	arm_features.ras = (read_sysreg(id_aa64pfr0_el1) >> 28) & 0xf;
	arm_features.sme = (read_sysreg(id_aa64pfr1_el1) >> 24) & 0xf;

	firmware.daif = read_sysreg(daif);
	/* Mask the firmware's interrupts while we own EL2: our vectors do
	 * not know how to handle them.  They stay pending, and the firmware
	 * takes them once arch_cpu_fini has unmasked them again. */
	__asm__ volatile("msr daifset, #0xf" ::: "memory");
	firmware.hcr = read_sysreg(hcr_el2);
	firmware.vtcr = read_sysreg(vtcr_el2);
	firmware.vttbr = read_sysreg(vttbr_el2);
	firmware.vbar = read_sysreg(vbar_el2);
	firmware.cptr = read_sysreg(cptr_el2);
	firmware.mdcr = read_sysreg(mdcr_el2);
	save_el1(&firmware.el1);

	/*
	 * Silence the firmware's timers (IMASK, bit 1).  Masking DAIF only
	 * stops the CPU from taking an interrupt; the timer still asserts it,
	 * and a pending interrupt makes WFI complete at once instead of
	 * trapping (the architecture allows that), so a guest's WFI would
	 * never reach us.  The timers keep counting, and their interrupts come
	 * back when arch_cpu_fini restores these registers.  (A guest gets
	 * timers of its own, off, with its EL1 registers: arm_load_el1.)
	 */
	firmware.cnthp_ctl = read_sysreg(cnthp_ctl_el2);
	firmware.cnthp_cval = read_sysreg(cnthp_cval_el2);
	write_sysreg(cntp_ctl_el0, firmware.el1.cntp_ctl | 2);
	write_sysreg(cntv_ctl_el0, firmware.el1.cntv_ctl | 2);
	write_sysreg(cnthp_ctl_el2, firmware.cnthp_ctl | 2);

	uint64_t vmid_bits = ((read_sysreg(id_aa64mmfr1_el1) >> 4) & 0xf) == 2 ? 16 : 8;
	hv_printf("minihv: EL2, PARange %u bits (IPA size used: %u), stage-2 starts at level %u with %u %s, %llu-bit VMIDs, HCR_EL2 was 0x%llx\n",
		  g->pa_bits, g->ipa_bits, g->start_level, g->root_tables,
		  g->root_tables == 1 ? "table" : "concatenated tables",
		  (unsigned long long)vmid_bits, (unsigned long long)firmware.hcr);

	/*
	 * VTCR_EL2 describes the stage-2 tables: the geometry's T0SZ, SL0
	 * and PS, inner/outer write-back cacheable inner-shareable walks,
	 * 4 KiB granule.
	 */
	uint64_t vtcr = (1ull << 31) |                  /* RES1 */
			((uint64_t)g->vtcr_ps << 16) |  /* PS */
			(0ull << 14) |                  /* TG0: 4 KiB */
			(3ull << 12) |                  /* SH0: inner shareable */
			(1ull << 10) | (1ull << 8) |    /* ORGN0, IRGN0: WB WA */
			((uint64_t)g->vtcr_sl0 << 6) |  /* SL0: the start level */
			g->vtcr_t0sz;                   /* T0SZ: the IPA size */
	write_sysreg(vtcr_el2, vtcr);
	write_sysreg(vbar_el2, (uint64_t)(uintptr_t)arm_el2_vectors);
	write_sysreg(hcr_el2, HCR_GUEST);
	arm_hcr_guest = HCR_GUEST;
	/*
	 * The counter and timer controls EL1 sees: the firmware's, which each
	 * vCPU loads unless it is a partition (linux.c); and the virtual
	 * counter's offset, 0, so a guest's virtual time is the physical
	 * counter's.  The identity EL1 reads back from MIDR_EL1 and
	 * MPIDR_EL1 is EL2's to set (VPIDR_EL2, VMPIDR_EL2): the CPU's own,
	 * which a partition's device tree then names (linux.c).
	 */
	firmware.cnthctl = arm_cnthctl_firmware = read_sysreg(cnthctl_el2);
	firmware.cntvoff = read_sysreg(cntvoff_el2);
	write_sysreg(cntvoff_el2, 0);
	firmware.vpidr = read_sysreg(vpidr_el2);
	firmware.vmpidr = read_sysreg(vmpidr_el2);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, read_sysreg(mpidr_el1));
	/*
	 * FP/SIMD: the guest's own CPACR_EL1 decides whether it may use the
	 * V registers; EL2 does not trap them (TFP clear), so that
	 * fresh_fpsimd (vcpu.c) can zero them for each new vCPU.
	 *
	 * SVE and SME are trapped (TZ, TSM): their registers (Z0-Z31 beyond
	 * the V part, P0-P15, FFR, ZCR_EL1; ZA, SVCR, SMCR_EL1) would need
	 * switching too, and a guest that uses them is stopped instead
	 * (vcpu.c).  On a CPU without them these bits are RES1 anyway.
	 */
	write_sysreg(cptr_el2, (firmware.cptr & ~CPTR_TFP) | CPTR_TZ | CPTR_TSM);
	/*
	 * Debug and performance-monitor registers (breakpoints, watchpoints,
	 * counters) are not switched between guests, so a guest may not touch
	 * them: TDA, TDOSA and TPM/TPMCR make every access trap here, and the
	 * guest is stopped.  HPMN (bits 4:0) keeps the firmware's value.
	 */
	write_sysreg(mdcr_el2, firmware.mdcr | MDCR_TDA | MDCR_TDOSA | MDCR_TPM | MDCR_TPMCR);
	/*
	 * A GICv3's CPU interface is system registers (ID_AA64PFR0_EL1.GIC,
	 * bits 27:24, nonzero: QEMU's virt board says so only with
	 * gic-version=3).  A partition handed the GICv3 (gicv3.c) uses the
	 * virtual one from EL1 (vgic.c turns it on, ICH_HCR_EL2.En, for the
	 * partition's run), which needs of EL2: ICC_SRE_EL2.SRE (EL2 itself
	 * on system registers, without which EL1 cannot be) and Enable (EL1's
	 * ICC_SRE_EL1 accesses not trapped to EL2: Linux turns its interface
	 * on there); and ICH_HCR_EL2 zero between partitions.  edk2 leaves SRE
	 * and Enable set and ICH_HCR_EL2 zero; whatever it left comes back
	 * at arch_cpu_fini.  A minihv test guest runs with IMO set: its ICC
	 * accesses reach only the virtual interface, which is off.
	 */
	firmware.gicv3_cpuif = (read_sysreg(id_aa64pfr0_el1) >> 24) & 0xf;
	if (firmware.gicv3_cpuif) {
		firmware.icc_sre_el2 = read_sysreg(ICC_SRE_EL2);
		firmware.ich_hcr = read_sysreg(ICH_HCR_EL2);
		write_sysreg(ICC_SRE_EL2, firmware.icc_sre_el2 | ICC_SRE_SRE | ICC_SRE_ENABLE);
		write_sysreg(ICH_HCR_EL2, 0);
		hv_printf("minihv: GICv3 CPU interface: ICC_SRE_EL2 was 0x%llx, ICH_HCR_EL2 0x%llx\n",
			  (unsigned long long)firmware.icc_sre_el2,
			  (unsigned long long)firmware.ich_hcr);
	}
	isb();
	return 0;
}

void arch_cpu_fini(void)
{
	write_sysreg(hcr_el2, firmware.hcr);
	write_sysreg(vtcr_el2, firmware.vtcr);
	write_sysreg(vttbr_el2, firmware.vttbr);
	write_sysreg(vbar_el2, firmware.vbar);
	write_sysreg(cptr_el2, firmware.cptr);
	write_sysreg(mdcr_el2, firmware.mdcr);
	write_sysreg(cnthctl_el2, firmware.cnthctl);
	write_sysreg(cntvoff_el2, firmware.cntvoff);
	write_sysreg(vpidr_el2, firmware.vpidr);
	write_sysreg(vmpidr_el2, firmware.vmpidr);
	if (firmware.gicv3_cpuif) {
		write_sysreg(ICH_HCR_EL2, firmware.ich_hcr);
		write_sysreg(ICC_SRE_EL2, firmware.icc_sre_el2);
	}
	arm_load_el1(&firmware.el1);    /* with the EL1 timers */
	/* The watchdog reprogrammed the EL2 timer: the firmware's deadline
	 * first, then its control. */
	write_sysreg(cnthp_cval_el2, firmware.cnthp_cval);
	write_sysreg(cnthp_ctl_el2, firmware.cnthp_ctl);
	/* Nothing of ours may linger in the TLBs the firmware uses. */
	__asm__ volatile("tlbi alle1is\n\tdsb ish\n\tisb" ::: "memory");
	write_sysreg(daif, firmware.daif);
	isb();
}
