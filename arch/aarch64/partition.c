/*
 * The exits only a partition (a Linux guest: linux.c) has.
 *
 * A minihv test guest is stopped for every firmware call and every
 * system register EL2 traps: it has no business there, and a test that
 * tries is a hostile one.  An operating system touches them as a matter of
 * course, and must get an answer:
 *
 *  - PSCI (Arm DEN0022), the firmware interface through which it powers
 *    the machine off, resets it and starts CPUs, by HVC (its device tree
 *    says method "hvc") or SMC (HCR_EL2.TSC traps it): served here as the
 *    partition's own firmware.  SYSTEM_OFF and SYSTEM_RESET end the VM;
 *    VERSION and FEATURES answer; everything else, CPU_ON included (a
 *    partition has one vCPU), is NOT_SUPPORTED, as the SMC calling
 *    convention says for a function the firmware does not implement.
 *
 *  - The ID registers (HCR_EL2.TID3): the kernel decides from them what
 *    the CPU has and turns it on.  It must not find what minihv does not
 *    switch between guests or traps (SVE, SME, pointer authentication, the
 *    PMU, the statistical profiler, the trace buffer, MTE, AMU, MPAM), nor
 *    a GICv3 system-register interface where it gets a GICv2: those fields
 *    read as "not implemented".  (Handed a GICv3, it is told the truth
 *    about its CPU interface: that is how it reaches it.)
 *
 *  - The registers EL2 keeps from every guest (debug, PMU, IMPLEMENTATION
 *    DEFINED, ACTLR_EL1: el2.c says why): Linux writes some at boot (the
 *    OS lock, MDSCR_EL1, PMUSERENR_EL0).  For a partition they read as
 *    zero and ignore writes -- the guest gets a CPU without those
 *    features, never the real, shared registers.
 */
#include "arm.h"
#include "sysreg.h"
#include "../../hv/print.h"
#include "../../hv/run.h"

/* PSCI function IDs (SMC32; the SMC64 ones add bit 30). */
#define PSCI_VERSION      0x84000000u
#define PSCI_CPU_ON       0x84000003u
#define PSCI_SYSTEM_OFF   0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES     0x8400000au
#define PSCI_NOT_SUPPORTED ((uint64_t)(int64_t)-1)

void arm_partition_psci(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct arch_vcpu *a = vcpu->arch;
	uint32_t fn = (uint32_t)a->regs.x[0];
	uint64_t ret = PSCI_NOT_SUPPORTED;

	exit->kind = EXIT_HANDLED;
	switch (fn) {
	case PSCI_VERSION:
		exit->name = "PSCI VERSION";
		ret = 1u << 16;         /* 1.0: the version with FEATURES */
		break;
	case PSCI_FEATURES: {
		uint32_t q = (uint32_t)a->regs.x[1];
		exit->name = "PSCI FEATURES";
		if (q == PSCI_VERSION || q == PSCI_FEATURES || q == PSCI_SYSTEM_OFF ||
		    q == PSCI_SYSTEM_RESET)
			ret = 0;
		break;
	}
	case PSCI_SYSTEM_OFF:
		exit->kind = EXIT_POWER_OFF;
		exit->name = "PSCI SYSTEM_OFF";
		return;
	case PSCI_SYSTEM_RESET:
		exit->kind = EXIT_RESET;
		exit->name = "PSCI SYSTEM_RESET";
		return;
	case PSCI_CPU_ON:
	case PSCI_CPU_ON | 0x40000000u:
		exit->name = "PSCI CPU_ON (not supported: one vCPU)";
		break;
	default:
		exit->name = "firmware call (not supported)";
		break;
	}
	a->regs.x[0] = ret;
}

/* The real ID register S3_0_C0_C<crm>_<op2>, crm 1..7: the encodings
 * the Arm ARM has not assigned read as zero. */
#define ID_CASE(crm, op2) \
	case (crm) << 3 | (op2): return read_sysreg(s3_0_c0_c##crm##_##op2)
#define ID_ROW(crm) \
	ID_CASE(crm, 0); ID_CASE(crm, 1); ID_CASE(crm, 2); ID_CASE(crm, 3); \
	ID_CASE(crm, 4); ID_CASE(crm, 5); ID_CASE(crm, 6); ID_CASE(crm, 7)

static uint64_t id_register_real(unsigned crm, unsigned op2)
{
	switch (crm << 3 | op2) {
	ID_ROW(1); ID_ROW(2); ID_ROW(3); ID_ROW(4); ID_ROW(5); ID_ROW(6); ID_ROW(7);
	}
	return 0;
}

static uint64_t field_clear(uint64_t v, unsigned lsb)
{
	return v & ~(0xfull << lsb);
}

/* What a partition is told, by register. */
static uint64_t id_register(unsigned crm, unsigned op2, const struct arm_passthrough *p)
{
	uint64_t v = id_register_real(crm, op2);

	switch (crm << 3 | op2) {
	case 4 << 3 | 0:        /* ID_AA64PFR0_EL1 */
		/* GIC (27:24): no system-register interface, unless the
		 * partition has a GICv3; SVE (35:32); SEL2 (39:36); MPAM
		 * (43:40); AMU (47:44). */
		if (!p || p->gic_version != 3)
			v = field_clear(v, 24);
		v = field_clear(v, 32);
		v = field_clear(v, 36);
		v = field_clear(v, 40);
		return field_clear(v, 44);
	case 4 << 3 | 1:        /* ID_AA64PFR1_EL1 */
		/* MTE (11:8), SME (27:24), NMI (39:36), GCS (47:44). */
		v = field_clear(v, 8);
		v = field_clear(v, 24);
		v = field_clear(v, 36);
		return field_clear(v, 44);
	case 4 << 3 | 4:        /* ID_AA64ZFR0_EL1: SVE's features */
	case 4 << 3 | 5:        /* ID_AA64SMFR0_EL1: SME's */
		return 0;
	case 5 << 3 | 0:        /* ID_AA64DFR0_EL1 */
		/* PMUVer (11:8), PMSVer (35:32), TraceFilt (43:40),
		 * TraceBuffer (47:44), BRBE (55:52). */
		v = field_clear(v, 8);
		v = field_clear(v, 32);
		v = field_clear(v, 40);
		v = field_clear(v, 44);
		return field_clear(v, 52);
	case 6 << 3 | 1:        /* ID_AA64ISAR1_EL1: APA, API, GPA, GPI */
		v = field_clear(v, 4);
		v = field_clear(v, 8);
		v = field_clear(v, 24);
		return field_clear(v, 28);
	case 6 << 3 | 2:        /* ID_AA64ISAR2_EL1: GPA3, APA3 */
		v = field_clear(v, 8);
		return field_clear(v, 12);
	default:
		return v;
	}
}

/*
 * A trapped MRS, MSR or system instruction (EC 0x18) of a partition.
 * ISS: Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5, CRm 4:1,
 * direction bit 0 (1: read).
 */
void arm_partition_sysreg(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct arch_vcpu *a = vcpu->arch;
	uint64_t iss = a->esr & 0x1ffffff;
	unsigned op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
	unsigned crn = (iss >> 10) & 15, crm = (iss >> 1) & 15, rt = (iss >> 5) & 31;
	bool read = iss & 1;
	uint64_t value = 0;

	if (op0 == 3 && op1 == 0 && crn == 0 && crm >= 1 && crm <= 7) {
		if (!read) {
			/* The ID registers are read-only: a write is UNDEFINED
			 * on the CPU, and a guest that does it is broken. */
			vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "MSR to ID register S3_0_C0_C%u_%u, which is read-only",
				    crm, op2);
			return;
		}
		value = id_register(crm, op2, ((struct arch_vm *)vcpu->vm->arch)->passthrough);
		exit->name = "ID register read (filtered)";
	} else if (op0 == 3 && op1 == 0 && crn == 12 && crm == 11 && op2 == 5 && !read) {
		/* ICC_SGI1R_EL1, a GICv3 SGI (it traps with HCR_EL2.IMO set):
		 * to this partition's one CPU -- Aff3.Aff2.Aff1 its own and
		 * its Aff0 in the target list, not "all but self" (IRM) -- it
		 * becomes a virtual SGI (vgic.c); to any other CPU, nothing. */
		struct arm_passthrough *p = ((struct arch_vm *)vcpu->vm->arch)->passthrough;
		uint64_t v = rt == 31 ? 0 : a->regs.x[rt];
		uint64_t me = read_sysreg(vmpidr_el2);
		bool self = !((v >> 40) & 1) && ((v >> 16) & 0xff) == ((me >> 8) & 0xff) &&
			    ((v >> 32) & 0xff) == ((me >> 16) & 0xff) &&
			    ((v >> 48) & 0xff) == ((me >> 32) & 0xff) &&
			    (me & 0xff) < 16 && ((v >> (me & 0xff)) & 1);
		if (p && p->gic_version == 3 && self)
			arm_vgic_v3_sgi(p, (unsigned)(v >> 24) & 0xf);
		exit->name = "SGI (ICC_SGI1R_EL1)";
	} else {
		exit->name = read ? "trapped system register read (as zero)" :
				    "trapped system register write (ignored)";
	}
	if (read && rt != 31)
		a->regs.x[rt] = value;
	a->regs.elr += 4;
	exit->kind = EXIT_HANDLED;
}

