/*
 * aarch64 vCPUs: start state, entering the guest, decoding exits.
 *
 * Every exit arrives with a syndrome in ESR_EL2: the exception class (EC)
 * says what kind of trap it was, and for a data abort the instruction
 * syndrome (ISS) describes the access completely -- register, width,
 * direction, sign extension -- so, unlike on x86, no instruction decoding
 * is needed.  HPFAR_EL2 gives the faulting guest-physical page.
 */
#include "arm.h"
#include "sysreg.h"
#include "../../hv/arch.h"
#include "../../hv/print.h"
#include "../../hv/run.h"

void arm_load_el1(const struct arm_el1_state *s);

/* The vCPU whose EL1 registers and VTTBR are in the CPU right now. */
static const struct vcpu *loaded_vcpu;
static uint16_t next_vmid = 1;

int arch_vm_init(struct vm *vm)
{
	struct arch_vm *a = bump_alloc(vm->pool, sizeof(*a), 8);
	if (!a)
		return -1;
	/* 8-bit VMIDs are enough: VMs run one after another, and a VMID is
	 * flushed from the TLBs before it is reused (arm_load_vcpu). */
	a->vmid = next_vmid;
	next_vmid = next_vmid == 255 ? 1 : next_vmid + 1;
	/* VTTBR_EL2: table base address, VMID in bits 63:48.  The MMU
	 * ignores the base's low bits up to the size of a concatenated root,
	 * so a root not aligned to it would be read from the wrong place
	 * (the table pool aligns it; check, rather than trust). */
	if (vm->s2.root_pa & ((uint64_t)vm->s2.fmt->root_tables * PAGE_SIZE - 1)) {
		hv_printf("minihv: %s: stage-2 root 0x%llx is not aligned to its %u tables\n",
			  vm->name, (unsigned long long)vm->s2.root_pa, vm->s2.fmt->root_tables);
		return -1;
	}
	a->vttbr = vm->s2.root_pa | ((uint64_t)a->vmid << 48);
	vm->arch = a;
	return 0;
}

static void arm_tlb_flush_vmid(void);
static void timer_program(uint64_t deadline);
static uint64_t timer_deadline;     /* the watchdog's, below */

void arch_vm_fini(struct vm *vm)
{
	struct arch_vm *a = vm->arch;

	loaded_vcpu = NULL;
	/* A partition's devices go back to how they were (gic.c). */
	if (a->passthrough) {
		arm_vgic_stop(a->passthrough);
			hv_printf("minihv: %s: %llu interrupts handed on through the list registers, %llu dropped (none free)\n",
				  vm->name, (unsigned long long)a->passthrough->vgic_injected,
				  (unsigned long long)a->passthrough->vgic_dropped);
		arm_passthrough_restore(a->passthrough);
		/* And none of its translations outlive it (VTTBR_EL2 still
		 * holds its VMID). */
		arm_tlb_flush_vmid();
	}
	if (timer_deadline)
		timer_program(0);   /* the watchdog's timer goes with the VM */
}

static void arm_tlb_flush_vmid(void)
{
	/* Invalidate stage-1 and stage-2 entries of the current VMID. */
	__asm__ volatile("dsb ishst\n\ttlbi vmalls12e1is\n\tdsb ish\n\tisb" ::: "memory");
}

/*
 * The FP/SIMD registers, V0..V31 with FPSR and FPCR, are one set the CPU
 * shares between every guest and the hypervisor; entering and leaving a
 * guest switches none of them, so a guest would find what the previous one
 * left.  The hypervisor itself never uses them (everything is built with
 * -mgeneral-regs-only) and no firmware code runs while guests do, so
 * nothing needs saving: putting them in a known state once, before a new
 * vCPU first runs, is enough.  (arch_cpu_init cleared CPTR_EL2.TFP, so
 * these instructions do not trap here.)  A write to a V register zeroes
 * all of it, the upper 64 bits too.
 */
static void fresh_fpsimd(void)
{
	__asm__ volatile("movi v0.16b, #0\n\tmovi v1.16b, #0\n\tmovi v2.16b, #0\n\tmovi v3.16b, #0\n\t"
			 "movi v4.16b, #0\n\tmovi v5.16b, #0\n\tmovi v6.16b, #0\n\tmovi v7.16b, #0\n\t"
			 "movi v8.16b, #0\n\tmovi v9.16b, #0\n\tmovi v10.16b, #0\n\tmovi v11.16b, #0\n\t"
			 "movi v12.16b, #0\n\tmovi v13.16b, #0\n\tmovi v14.16b, #0\n\tmovi v15.16b, #0\n\t"
			 "movi v16.16b, #0\n\tmovi v17.16b, #0\n\tmovi v18.16b, #0\n\tmovi v19.16b, #0\n\t"
			 "movi v20.16b, #0\n\tmovi v21.16b, #0\n\tmovi v22.16b, #0\n\tmovi v23.16b, #0\n\t"
			 "movi v24.16b, #0\n\tmovi v25.16b, #0\n\tmovi v26.16b, #0\n\tmovi v27.16b, #0\n\t"
			 "movi v28.16b, #0\n\tmovi v29.16b, #0\n\tmovi v30.16b, #0\n\tmovi v31.16b, #0\n\t"
			 "msr fpsr, xzr\n\tmsr fpcr, xzr\n\tisb"
			 ::: "memory");
}

int arch_vcpu_init(struct vcpu *vcpu, const struct vcpu_boot *boot)
{
	struct arch_vcpu *a = bump_alloc(vcpu->vm->pool, sizeof(*a), 16);
	if (!a) {
		hv_printf("minihv: out of memory for vCPU state\n");
		return -1;
	}
	a->regs.x[0] = boot->arg0;
	a->regs.elr = gva_val(boot->entry);
	/* EL1h with D, A, I, F masked: minihv guests take no interrupts. */
	a->regs.spsr = 0x3c5;

	/* SCTLR_EL1: MMU (M), data cache (C), instruction cache (I) on, and
	 * the bits that must read as one on ARMv8.0. */
	a->el1.sctlr = 0x30d00800ull | (1u << 0) | (1u << 2) | (1u << 12);
	/* TCR_EL1: 48-bit TTBR0 region, 4 KiB granule, write-back
	 * inner-shareable walks; TTBR1 walks disabled (EPD1).  IPS, the size
	 * of the guest's output addresses, is the IPA size stage 2 gives it:
	 * the PA size capped at 48 bits, so never above PARange (a larger IPS
	 * would be treated as PARange anyway).  On a 32-bit CPU that is 4 GiB
	 * of IPA: the guest layout (RAM at 2 GiB, the hypercall window at
	 * 0xf0000000) fits, and vm_create checks it does. */
	a->el1.tcr = 16 |                        /* T0SZ */
		     (1ull << 8) | (1ull << 10) | (3ull << 12) | /* IRGN0 ORGN0 SH0 */
		     (16ull << 16) |                /* T1SZ */
		     (1ull << 23) |                 /* EPD1 */
		     (2ull << 30) |                 /* TG1: 4 KiB */
		     ((uint64_t)arm_s2_geometry.vtcr_ps << 32);  /* IPS */
	a->el1.mair = PT_ARM_MAIR_VALUE;
	a->el1.ttbr0 = gpa_val(boot->gpt_root);
	a->el1.sp_el1 = gva_val(boot->stack_top);
	a->el1.cpacr = 0; /* FP/SIMD traps to the guest's own EL1 vectors */
	if (boot->paging_off) {
		/* An OS kernel's start (Linux: booting.rst): MMU and data
		 * cache off, so only SCTLR_EL1's RES1 bits; no tables, no
		 * stack; the entry is a guest-physical address. */
		a->el1.sctlr = 0x30d00800ull;
		a->el1.tcr = 0;
		a->el1.ttbr0 = 0;
		a->el1.sp_el1 = 0;
	}
	a->hcr = arm_hcr_guest;
	a->cnthctl = arm_cnthctl_firmware;
	a->vttbr = ((struct arch_vm *)vcpu->vm->arch)->vttbr;
	vcpu->arch = a;
	a->vcpu = vcpu;

	/*
	 * The hypervisor wrote the guest's RAM (its image, zeroes, its page
	 * tables) through its own cacheable mapping, and the lines may still
	 * sit dirty in the data caches.  Clean and invalidate them to the
	 * point of coherency (DC CIVAC), so that memory itself holds what we
	 * wrote: a guest is free to map its RAM non-cacheable, and then reads
	 * DRAM directly.  Cleaning only to the point of unification (DC CVAU)
	 * would be enough for the guest's instruction fetches, but a
	 * non-cacheable read below that point could find the previous VM's
	 * data still in DRAM.  Then invalidate the instruction caches, so no
	 * stale instructions are fetched from the previous VM's code.
	 */
	uint64_t line = 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	for (uint64_t p = (uintptr_t)vcpu->vm->ram.host;
	     p < (uintptr_t)vcpu->vm->ram.host + vcpu->vm->ram.size; p += line)
		__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
	__asm__ volatile("dsb ish\n\tic ialluis\n\tdsb ish\n\tisb" ::: "memory");
	fresh_fpsimd();
	loaded_vcpu = NULL;
	return 0;
}

/* Put the vCPU on the CPU, unless it is there already.  A new VM may reuse
 * a VMID, so its TLB entries are flushed on the way in. */
static void arm_load_vcpu(const struct vcpu *vcpu)
{
	const struct arch_vcpu *a = vcpu->arch;
	arm_load_el1(&a->el1);
	write_sysreg(vttbr_el2, a->vttbr);
	write_sysreg(hcr_el2, a->hcr);
	write_sysreg(cnthctl_el2, a->cnthctl);
	isb();
	arm_tlb_flush_vmid();
	loaded_vcpu = vcpu;
}

gpa_t arch_vcpu_gpt_root(const struct vcpu *vcpu)
{
	const struct arch_vcpu *a = vcpu->arch;
	/* The guest may have changed TTBR0_EL1; BADDR is bits 47:1. */
	uint64_t ttbr0 = loaded_vcpu == vcpu ? read_sysreg(ttbr0_el1) : a->el1.ttbr0;
	return gpa(ttbr0 & 0x0000fffffffffffeull);
}

bool arch_vcpu_gpt_enabled(const struct vcpu *vcpu)
{
	const struct arch_vcpu *a = vcpu->arch;
	uint64_t sctlr = loaded_vcpu == vcpu ? read_sysreg(sctlr_el1) : a->el1.sctlr;
	return sctlr & 1;
}

/*
 * The watchdog (hv/arch.h): the EL2 physical timer, CNTHP.  It compares
 * CNTHP_CVAL_EL2 with the physical counter, which runs at CNTFRQ_EL0 ticks
 * a second whatever the guest does; the guest can neither read nor write
 * EL2's timer.  The deadline is fixed here, once; the next entry programs
 * it (timer_program, then left on across exits: a deadline that passes
 * while an exit is handled ends the next entry before the guest runs an
 * instruction), and arch_vm_fini turns the timer off: its interrupt is
 * level-sensitive, so that withdraws it at the GIC without an
 * acknowledge, and nothing is left pending for the firmware.  The
 * interrupt reaches EL2 through HCR_EL2.IMO (el2.c), at INTID 26 on
 * QEMU's virt board, which the firmware has enabled at the GIC for its own
 * use of this timer at EL2.
 */
bool arch_vcpu_watchdog_arm(struct vcpu *vcpu, uint64_t ms)
{
	struct arch_vcpu *a = vcpu->arch;
	uint64_t freq = read_sysreg(cntfrq_el0);

	if (!freq)
		return false;
	uint64_t deadline = read_sysreg(cntpct_el0) + ms * (freq / 1000) + ms * (freq % 1000) / 1000;
	a->watchdog_deadline = deadline;
	return true;
}

/*
 * HCR_EL2.IMO brings every physical IRQ to EL2, the guest's own timers'
 * too (the firmware left their interrupts enabled at the GIC): a guest
 * that turns its virtual or EL1 physical timer on with the interrupt
 * unmasked at the timer would, once it fires, exit here again and again
 * without running an instruction.  minihv gives guests no interrupts, so
 * none could be delivered; instead the timer's own mask (IMASK) is set,
 * which withdraws the level-sensitive interrupt.  The guest sees IMASK
 * set in CNTx_CTL_EL0 and ISTATUS as before.  (The cleaner way, keeping
 * the guest's view exact, is to disable those PPIs at the GIC while guests
 * run: it needs the GIC's address from ACPI's MADT or the device tree.)
 * Returns whether a guest timer was the one asserting.
 */
static bool mask_guest_timers(void)
{
	bool masked = false;
	uint64_t v = read_sysreg(cntv_ctl_el0), p = read_sysreg(cntp_ctl_el0);

	if ((v & (CNTHP_ENABLE | CNTHP_IMASK | CNTHP_ISTATUS)) == (CNTHP_ENABLE | CNTHP_ISTATUS)) {
		write_sysreg(cntv_ctl_el0, v | CNTHP_IMASK);
		masked = true;
	}
	if ((p & (CNTHP_ENABLE | CNTHP_IMASK | CNTHP_ISTATUS)) == (CNTHP_ENABLE | CNTHP_ISTATUS)) {
		write_sysreg(cntp_ctl_el0, p | CNTHP_IMASK);
		masked = true;
	}
	isb();
	return masked;
}

/*
 * Why a trapped system register or instruction (EC 0x18) is refused, by
 * its encoding: what trapped it tells what it is.  The classes follow the
 * Arm ARM's encoding space (D18/"System instruction class encoding
 * overview"): Op0 1 is the cache, TLB and address-translation
 * instructions, Op0 2 the debug registers, Op0 3 the rest; within Op0 3,
 * CRn 11 and 15 are reserved for IMPLEMENTATION DEFINED registers.
 */
static const char *sysreg_refusal(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
				  unsigned op2)
{
	if (op0 == 1 && op1 == 0 && crn == 7 && op2 == 2 && (crm == 6 || crm == 10 || crm == 14))
		return "data cache maintenance by set/way (DC ISW/CSW/CISW) works on the physical caches, which every VM shares: minihv guests may not use it";
	if (op0 == 2)
		return "minihv guests have no debug registers";
	if (op0 == 3 && (crn == 11 || crn == 15))
		return "IMPLEMENTATION DEFINED registers are the CPU's configuration: minihv guests have none";
	if (op0 == 3 && op1 == 0 && crn == 1 && crm == 0 && op2 == 1)
		return "ACTLR_EL1, the CPU's auxiliary control, is not given to guests";
	if (op0 == 3 && op1 == 0 && crn == 2 && crm >= 1 && crm <= 3)
		return "pointer authentication keys: pointer authentication is not given to guests";
	if (op0 == 3 && ((crn == 9 && crm >= 12) || (crn == 14 && op1 == 3 && crm >= 8)))
		return "minihv guests have no performance monitors";
	return "a system register minihv does not give guests";
}

/*
 * TCR_EL1, as the CPU applies it to the guest's data accesses, described
 * for mm/guest_mem.c: T0SZ/T1SZ give each half's size (pt_arm_s1_format
 * walks it from the right level), TTBR1_EL1 the upper half's tables,
 * EPD0/EPD1 disable a half, TBI0/TBI1 make the top byte ignored.  Only the
 * 4 KiB granule is walked: TG0 = 0b00 and TG1 = 0b10; any other, a size
 * outside 25..48 bits, or DS (52-bit addresses with LPA2) makes the regime
 * "unsupported", and every pointer the guest passes is refused rather
 * than resolved to a page the CPU would not use.  A disabled half's
 * fields are not looked at, as the CPU does not.
 */
static struct pt_format s1_formats[49];   /* by input size, built on use */

static const struct pt_format *s1_format(unsigned va_bits)
{
	if (va_bits > 48 || pt_arm_s1_format(va_bits, &s1_formats[va_bits]))
		return NULL;
	return &s1_formats[va_bits];
}

void arch_vcpu_gpt_regime(const struct vcpu *vcpu, struct guest_mmu *m)
{
	const struct arch_vcpu *a = vcpu->arch;
	bool live = loaded_vcpu == vcpu;
	uint64_t tcr = live ? read_sysreg(tcr_el1) : a->el1.tcr;
	uint64_t ttbr1 = live ? read_sysreg(ttbr1_el1) : a->el1.ttbr1;

	m->split = true;
	/* PSTATE.PAN (SPSR_EL2 bit 22, RES0 without FEAT_PAN) at EL1. */
	m->kernel_no_user = ((a->regs.spsr >> 2) & 3) != 0 && (a->regs.spsr & (1ull << 22));
	m->lower_disabled = tcr & (1ull << 7);    /* EPD0 */
	m->upper_disabled = tcr & (1ull << 23);   /* EPD1 */
	m->lower_tbi = tcr & (1ull << 37);        /* TBI0 */
	m->upper_tbi = tcr & (1ull << 38);        /* TBI1 */
	m->upper_root = gpa(ttbr1 & 0x0000fffffffffffeull);
	if (tcr & (1ull << 59)) {                 /* DS */
		m->unsupported = "52-bit addresses (TCR_EL1.DS)";
		return;
	}
	if (!m->lower_disabled) {
		m->gpt_fmt = ((tcr >> 14) & 3) == 0 ? s1_format(64 - (unsigned)(tcr & 0x3f)) : NULL;
		if (!m->gpt_fmt) {
			m->unsupported = "TTBR0's granule or size (TCR_EL1.TG0, T0SZ)";
			return;
		}
	}
	if (!m->upper_disabled) {
		m->upper_fmt = ((tcr >> 30) & 3) == 2 ? s1_format(64 - (unsigned)((tcr >> 16) & 0x3f)) : NULL;
		if (!m->upper_fmt)
			m->unsupported = "TTBR1's granule or size (TCR_EL1.TG1, T1SZ)";
	}
}

static const char *dfsc_name(unsigned dfsc)
{
	switch (dfsc & 0x3c) {
	case 0x04: return "translation fault";
	case 0x08: return "access flag fault";
	case 0x0c: return "permission fault";
	default:   return dfsc == 0x10 ? "synchronous external abort"
			     : dfsc == 0x21 ? "alignment fault" : "other fault";
	}
}

static const char *ec_name(unsigned ec)
{
	switch (ec) {
	case EC_WFX:      return "WFI/WFE";
	case EC_HVC64:    return "HVC";
	case EC_SMC64:    return "SMC";
	case EC_SYSREG:   return "system register access";
	case EC_IABT_LOW: return "instruction abort";
	case EC_DABT_LOW: return "data abort";
	case 0x00:        return "unknown reason";
	case 0x07:        return "FP/SIMD access";
	case EC_PAUTH:    return "pointer authentication";
	case EC_SVE:      return "SVE";
	case EC_SME:      return "SME";
	case 0x21:        return "instruction abort at EL1";
	case 0x25:        return "data abort at EL1";
	case 0x15:        return "SVC";
	case 0x0e:        return "illegal execution state";
	default:          return "exception";
	}
}

/*
 * A stage-2 data abort: the guest touched guest-physical memory that is not
 * mapped.  With a valid instruction syndrome (ISV) it is an emulatable
 * access, and the syndrome says everything: SAS the width, WnR the
 * direction, SRT the register -- no instruction to fetch or decode.  That
 * case is the hot path (every hypercall), so it is one test of the ISS
 * bits that must be just so, then the access; the rest, the refusals,
 * are in data_abort_refusal.
 */
#define ISS_ISV          (1u << 24)
#define ISS_S1PTW        (1u << 7)
#define ISS_DFSC_TYPE    0x3cu          /* the fault type, without its level */
#define ISS_MMIO_MASK    (ISS_ISV | ISS_S1PTW | ISS_DFSC_TYPE)
#define ISS_MMIO_WANT    (ISS_ISV | 0x04u)   /* ISV, not a walk, translation fault */
#define ESR_IL           (1u << 25)          /* a 32-bit instruction */
#define ESR_EC_MASK      (0x3full << 26)
#define ESR_EC_DABT      ((uint64_t)EC_DABT_LOW << 26)

/* The null call (hypercall_abi.h): HVC #0 from a 32-bit instruction, x0 in,
 * x0 out. */
#define ESR_NULL_CALL (((uint64_t)EC_HVC64 << 26) | ESR_IL | MINIHV_HVC_NULL_IMM)

static inline uint64_t null_call(uint64_t x0)
{
	return x0 == MINIHV_NULL_CALL ? MINIHV_NULL_CALL_RESULT : (uint64_t)MINIHV_ENOSYS;
}

/* SPSR_EL2.M[3:2], the exception level the guest was at: 0 is EL0. */
static inline bool guest_at_el0(const struct arch_vcpu *a)
{
	return ((a->regs.spsr >> 2) & 3) == 0;
}

/* The access a data abort's syndrome describes (ISV set). */
static inline void syndrome_access(const struct arch_vcpu *a, uint64_t iss, uint64_t far,
				   uint64_t hpfar, struct mmio_access *m)
{
	unsigned srt = (iss >> 16) & 0x1f;
	unsigned size = 1u << ((iss >> 22) & 3);

	m->gpa = gpa(((hpfar >> 4) << 12) | (far & 0xfff));
	m->size = (uint8_t)size;
	m->write = iss & (1u << 6);
	if (m->write) {
		uint64_t v = srt == 31 ? 0 : a->regs.x[srt]; /* 31 is XZR here */
		if (size < 8)
			v &= (1ull << (size * 8)) - 1;
		m->value = v;
	} else {
		m->value = 0;
	}
}

static inline void decode_mmio(struct arch_vcpu *a, uint64_t iss, uint64_t far, uint64_t hpfar,
			       struct vm_exit *exit)
{
	exit->kind = EXIT_MMIO;
	exit->name = "data abort";
	syndrome_access(a, iss, far, hpfar, &exit->mmio);
}

/*
 * Finish an emulated load, as the CPU would have: the value into its
 * register, extended as the instruction says.  From the vCPU's core path
 * (arch_vcpu_mmio_done) and the fast one (arm_fast_exit).
 */
static inline void complete_load(struct arch_vcpu *a, uint64_t esr, unsigned size,
				 uint64_t value)
{
	uint64_t iss = esr & 0x1ffffff;
	unsigned srt = (iss >> 16) & 0x1f;

	if (__builtin_expect(srt == 31, 0))
		return;     /* XZR: the value goes nowhere */
	unsigned bits = size * 8;
	if (bits < 64) {
		value &= (1ull << bits) - 1;
		/* SSE: sign-extend (LDRSB, LDRSH, LDRSW). */
		if ((iss & (1u << 21)) && (value >> (bits - 1)) & 1)
			value |= ~0ull << bits;
	}
	/* SF clear: the destination is a W register, whose upper half a
	 * write clears. */
	if (!(iss & (1u << 15)))
		value &= 0xffffffffull;
	a->regs.x[srt] = value;
}

/* The length of the trapped instruction: ESR.IL, 32 bits (always, for
 * AArch64 guests) or 16. */
static inline uint64_t insn_len(uint64_t esr)
{
	return (esr & ESR_IL) ? 4 : 2;
}

/*
 * A partition's load or store that the backend serves itself rather than
 * the core: the registers of a device handed through that cannot be
 * mapped as they are (a GICv3 redistributor's first page: gicv3.c).
 * Anything else stays the core's EXIT_MMIO (the hypercall window, or
 * "nothing is there").
 */
static void __attribute__((noinline)) partition_mmio(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct arch_vcpu *a = vcpu->arch;
	const struct arm_passthrough *p = ((struct arch_vm *)vcpu->vm->arch)->passthrough;
	uint64_t value;

	if (!p || !arm_gicv3_rd_emulate(p, &exit->mmio, &value))
		return;
	if (!exit->mmio.write)
		complete_load(a, a->esr, exit->mmio.size, value);
	a->regs.elr += insn_len(a->esr);
	exit->kind = EXIT_HANDLED;
	exit->name = "GICv3 redistributor control page (emulated)";
}

/*
 * The hypercall fast path, called by entry.S on every synchronous exit
 * with the guest's x0-x30 saved in a->regs (ELR and SPSR are still in
 * the CPU, and read and stepped there), on the hypervisor's stack, before arm_enter_guest returns.  This is KVM's
 * arrangement: x19-x28 still hold the guest's values, and this function,
 * by the calling convention, gives them back as it found them, so neither
 * the guest's nor the hypervisor's callee-saved registers are spilled for
 * it, and the exit does not travel out through arch_vcpu_run and
 * vcpu_run and back.  A stage-2 data abort with a valid syndrome is
 * offered to the core's hv_fast_mmio (hv/run.h), which serves the window's
 * value registers with every check hypercall_mmio makes and counts the
 * exit for the watchdog; served, the access is completed here (ELR_EL2
 * stepped past the instruction, a load's register written) and entry.S
 * re-enters the guest: returns 1 when only the registers a call may
 * change (x0-x18, x30) and ELR need loading back, 2 when a load wrote
 * one of x19-x28 in a->regs too.  Anything else returns 0 having
 * touched nothing, and the exit takes the ordinary path: arch_vcpu_run
 * reads the same syndrome registers again, which keep their values (the
 * hypervisor takes no exception).
 */
uint64_t arm_fast_exit(struct arch_vcpu *a)
{
	uint64_t esr = read_sysreg(esr_el2);
	struct mmio_access m;
	uint64_t value;

	if (MINIHV_TRACE)
		return 0;
	if (__builtin_expect((esr & (ISS_MMIO_MASK | ESR_EC_MASK)) != (ISS_MMIO_WANT | ESR_EC_DABT), 0)) {
		/* The null call, as arch_vcpu_run serves it. */
		if (esr != ESR_NULL_CALL ||
		    (a->partition && a->regs.x[0] != MINIHV_NULL_CALL) || !hv_fast_exit(a->vcpu))
			return 0;
		a->regs.x[0] = null_call(a->regs.x[0]);
		return 1;
	}
	syndrome_access(a, esr, read_sysreg(far_el2), read_sysreg(hpfar_el2), &m);
	/* SPSR_EL2.M[3:2], the exception level the guest was at: 0 is EL0. */
	bool user = ((read_sysreg(spsr_el2) >> 2) & 3) == 0;
	if (!hv_fast_mmio(a->vcpu, &m, user, &value))
		return 0;
	write_sysreg(elr_el2, read_sysreg(elr_el2) + insn_len(esr));
	if (m.write)
		return 1;
	complete_load(a, esr, m.size, value);
	/* A load into x19-x28 changed a register this function kept. */
	unsigned srt = (esr >> 16) & 0x1f;
	return srt >= 19 && srt <= 28 ? 2 : 1;
}

static void data_abort_refusal(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct arch_vcpu *a = vcpu->arch;
	uint64_t iss = a->esr & 0x1ffffff;
	unsigned dfsc = iss & 0x3f;

	if (iss & ISS_S1PTW) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "the guest's own page-table walk touched guest-physical 0x%llx, which is not RAM",
			    (unsigned long long)((a->hpfar >> 4) << 12));
		return;
	}
	if ((dfsc & ISS_DFSC_TYPE) != 0x04) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "stage-2 %s (DFSC 0x%x)", dfsc_name(dfsc), dfsc);
		return;
	}
	if (!(iss & ISS_ISV)) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s of guest-physical 0x%llx without a valid syndrome (ISV=0: a load/store pair, writeback, an exclusive or atomic, a SIMD register, a cache operation), which minihv cannot emulate",
			    (iss & (1u << 6)) ? "store" : "load",
			    (unsigned long long)(((a->hpfar >> 4) << 12) | (a->far & 0xfff)));
		return;
	}
	decode_mmio(a, iss, a->far, a->hpfar, exit);
}

/*
 * Did the exception the guest reports (HVC #0xE1 from its vectors) come
 * from a semihosting call?  That is "HLT #0xF000" (0xd45e0000), which QEMU
 * with -semihosting would have served as a request to the host.  minihv
 * starts QEMU without it, so the instruction is undefined (EC 0 in
 * ESR_EL1) and the guest's own vectors report it; naming it tells the
 * reader what the guest tried, and guest/tests/hostile_semihosting.c
 * relies on the name.  The instruction is read through the guest's page
 * tables at ELR_EL1, the address it faulted at.  (x0, the semihosting
 * operation, is as the guest's vector left it: the vectors run HVC
 * straight away, touching no register.)
 */
static bool guest_insn_at_elr_el1(const struct vcpu *vcpu, uint32_t *insn)
{
	struct guest_mmu mmu;
	uint8_t b[4];
	vcpu_guest_mmu(vcpu, &mmu);
	mmu.kernel_no_user = false;     /* an instruction: PAN covers data only */
	if (guest_read_virt(&mmu, gva(read_sysreg(elr_el1)), b, sizeof(b)))
		return false;
	*insn = b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return true;
}

static bool guest_semihosting_call(const struct vcpu *vcpu)
{
	uint32_t insn;
	return (read_sysreg(esr_el1) >> 26) == 0 && guest_insn_at_elr_el1(vcpu, &insn) &&
	       insn == 0xd45e0000u;
}

/*
 * Was the undefined instruction the guest reports an MSR or MRS the CPU
 * keeps from EL1, reaching for what belongs to a higher level?  Either a
 * register of EL2 or EL3 (Op1 4 or 6: HCR_EL2, VTTBR_EL2, SCR_EL3...), or
 * a write of CNTFRQ_EL0, the system counter's frequency, which only the
 * highest exception level may set.  At EL1 both are UNDEFINED, so the CPU
 * itself refused it and the guest's vectors report it.  Fills buf with
 * the whole reason for the stop message.
 */
static bool guest_undefined_sysreg(const struct vcpu *vcpu, char *buf, size_t len)
{
	uint32_t insn;
	if ((read_sysreg(esr_el1) >> 26) != 0 || !guest_insn_at_elr_el1(vcpu, &insn))
		return false;
	/* MSR/MRS (register): 1101 0101 00 L 1 o0 op1 CRn CRm op2 Rt. */
	if ((insn & 0xffd00000u) != 0xd5100000u)
		return false;
	unsigned op0 = 2 + ((insn >> 19) & 1), op1 = (insn >> 16) & 7;
	unsigned crn = (insn >> 12) & 15, crm = (insn >> 8) & 15, op2 = (insn >> 5) & 7;
	bool read = insn & (1u << 21);
	unsigned long long elr = read_sysreg(elr_el1);
	if (!read && op0 == 3 && op1 == 3 && crn == 14 && crm == 0 && op2 == 0) {
		hv_snprintf(buf, len, "MSR to CNTFRQ_EL0 at ELR_EL1=0x%llx, UNDEFINED below the highest exception level (the guest's own vectors took it): the system counter is the host's clock",
			    elr);
		return true;
	}
	if (op1 != 4 && op1 != 6)
		return false;
	hv_snprintf(buf, len, "%s S%u_%u_C%u_C%u_%u, a register of EL%u, at ELR_EL1=0x%llx, UNDEFINED at EL1 (the guest's own vectors took it): minihv does not offer nested virtualization",
		    read ? "MRS from" : "MSR to", op0, op1, crn, crm, op2, op1 == 4 ? 2 : 3, elr);
	return true;
}

/*
 * A trapped SMC (HCR_EL2.TSC): a call to the firmware at EL3, which must
 * never reach it from a guest -- the firmware acts for the whole machine.
 * Its most likely purpose is PSCI (Arm DEN0022), function ID in w0; the
 * functions that act on the machine are named, so the stop says what the
 * guest was after.  SMC32 and SMC64 IDs differ in bit 30 only.
 */
static const char *psci_function(uint32_t fn, const char **effect)
{
	static const struct { uint32_t fn; const char *name, *effect; } psci[] = {
		{ 0x84000000u, "PSCI_VERSION", "would ask the firmware's PSCI version" },
		{ 0x84000001u, "CPU_SUSPEND", "would suspend the host's CPU" },
		{ 0x84000002u, "CPU_OFF", "would turn off the host's CPU" },
		{ 0x84000003u, "CPU_ON", "would start another CPU at an address of the guest's choosing" },
		{ 0x84000004u, "AFFINITY_INFO", "would ask which CPUs are on" },
		{ 0x84000008u, "SYSTEM_OFF", "would power off the machine" },
		{ 0x84000009u, "SYSTEM_RESET", "would reset the machine" },
		{ 0x8400000au, "PSCI_FEATURES", "would ask what the firmware offers" },
		{ 0x8400000eu, "SYSTEM_SUSPEND", "would suspend the machine" },
		{ 0x84000012u, "SYSTEM_RESET2", "would reset the machine (warm or vendor reset)" },
		{ 0x84000015u, "SYSTEM_OFF2", "would power off the machine (hibernate)" },
	};
	for (size_t i = 0; i < sizeof(psci) / sizeof(psci[0]); i++)
		if ((fn & ~0x40000000u) == psci[i].fn) {
			*effect = psci[i].effect;
			return psci[i].name;
		}
	return NULL;
}

static void refuse_smc(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct arch_vcpu *a = vcpu->arch;
	uint32_t fn = (uint32_t)a->regs.x[0];
	const char *effect = "";
	const char *name = psci_function(fn, &effect);
	char what[128];

	if (name)
		hv_snprintf(what, sizeof(what), "PSCI %s, which %s", name, effect);
	else
		hv_snprintf(what, sizeof(what), "function 0x%x", fn);
	vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
		    "SMC #0x%llx at 0x%llx, a call to the firmware at EL3 (x0=0x%x: %s), refused: minihv guests get no firmware calls",
		    (unsigned long long)(a->esr & 0xffff), (unsigned long long)a->regs.elr, fn, what);
}

/*
 * Enter the guest; the result is the vector the exit came through.  The
 * guest gets every general-purpose register, so to the compiler this call
 * clobbers all it may (entry.S saves x29 and x30 itself): it then keeps
 * across the call only what it must, saving the callee-saved registers
 * once in arch_vcpu_run's prologue rather than in entry.S on top of that.
 */
static inline uint64_t enter_guest(struct arm_guest_regs *regs)
{
	register uint64_t x0 __asm__("x0") = (uint64_t)(uintptr_t)regs;
	__asm__ volatile("bl arm_enter_guest"
			 : "+r"(x0)
			 :
			 : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
			   "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19",
			   "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28",
			   "x30", "cc", "memory");
	return x0;
}

/*
 * The watchdog's deadline as the EL2 timer holds it now (0: off).  The
 * timer stays on across exits: the hypervisor runs with DAIF masked, so
 * its interrupt is never taken at EL2, and if the deadline passes while
 * an exit is handled, the next entry exits at once with it, as hv/arch.h
 * asks.  It is reprogrammed only when a vCPU's deadline differs, and
 * switched off with the VM (arch_vm_fini); arch_cpu_fini gives the
 * firmware back its own setting.
 */
static uint64_t timer_deadline;

static void timer_program(uint64_t deadline)
{
	if (deadline) {
		write_sysreg(cnthp_cval_el2, deadline);
		write_sysreg(cnthp_ctl_el2, CNTHP_ENABLE);
	} else {
		write_sysreg(cnthp_ctl_el2, CNTHP_IMASK);
	}
	isb();
	timer_deadline = deadline;
}

static void slow_exit(struct vcpu *vcpu, struct vm_exit *exit);

/*
 * Enter, and on the way back decode a hypercall (a stage-2 data abort with
 * a valid syndrome) with as little as that takes.  The window's value
 * registers and the null call never get here: arm_fast_exit serves them
 * from the exit vector and re-enters the guest (unless TRACE=1, or a
 * check declines them); this is the path of CALL and PUTC.  Every other
 * exit, and every refusal, goes to slow_exit, which names it.
 */
void arch_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct arch_vcpu *a = vcpu->arch;

	if (__builtin_expect(loaded_vcpu != vcpu, 0))
		arm_load_vcpu(vcpu);
	if (__builtin_expect(a->watchdog_deadline != timer_deadline, 0))
		timer_program(a->watchdog_deadline);
	uint64_t type = enter_guest(&a->regs);

	/* The syndrome registers keep their values until the next exit (the
	 * hypervisor takes no exception), so the hot path keeps in a-> only
	 * what arch_vcpu_mmio_done needs, and what the TRACE line shows;
	 * slow_exit copies the rest. */
	uint64_t esr = read_sysreg(esr_el2);
	a->esr = esr;
	exit->reason = NULL;
	if (__builtin_expect(type == 0 && (esr >> 26) == EC_DABT_LOW &&
			     (esr & ISS_MMIO_MASK) == ISS_MMIO_WANT, 1)) {
		uint64_t far = read_sysreg(far_el2), hpfar = read_sysreg(hpfar_el2);
		if (MINIHV_TRACE) {
			a->far = far;
			a->hpfar = hpfar;
			a->regs.exit_type = 0;
		}
		decode_mmio(a, esr & 0x1ffffff, far, hpfar, exit);
		if (__builtin_expect(a->partition, 0))
			partition_mmio(vcpu, exit);
		return;
	}
	/* The null call (hypercall_abi.h): HVC #0, x0 in, x0 out, nothing
	 * else -- the other round trip make bench times.  HVC is undefined
	 * at EL0, so only the guest kernel gets here; ELR_EL2 already points
	 * past the HVC.  Any other HVC is refused in slow_exit. */
	if (type == 0 && esr == ESR_NULL_CALL &&
	    (!a->partition || a->regs.x[0] == MINIHV_NULL_CALL)) {
		if (MINIHV_TRACE) {
			a->far = read_sysreg(far_el2);
			a->hpfar = read_sysreg(hpfar_el2);
			a->regs.exit_type = 0;
		}
		a->regs.x[0] = null_call(a->regs.x[0]);
		exit->kind = EXIT_HANDLED;
		exit->name = "HVC #0 (null call)";
		return;
	}
	a->far = read_sysreg(far_el2);
	a->hpfar = read_sysreg(hpfar_el2);
	a->regs.exit_type = type;
	slow_exit(vcpu, exit);
}

static void __attribute__((noinline)) slow_exit(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct arch_vcpu *a = vcpu->arch;
	unsigned ec = (a->esr >> 26) & 0x3f;

	exit->name = ec_name(ec);
	if (a->regs.exit_type == 1) {
		/* An IRQ: HCR_EL2.IMO brings them here.  Ours if the deadline
		 * has passed; anyone else's is left pending (never
		 * acknowledged) and the guest goes on, which the core's exit
		 * limit bounds if the interrupt keeps coming. */
		if (a->partition) {
			/* A partition's interrupts, handed on (vgic.c). */
			arm_vgic_irq(((struct arch_vm *)vcpu->vm->arch)->passthrough);
		}
		if (a->watchdog_deadline && read_sysreg(cntpct_el0) >= a->watchdog_deadline) {
			exit->kind = EXIT_WATCHDOG;
			exit->name = "watchdog timer (CNTHP)";
		} else if (a->partition) {
			exit->kind = EXIT_HANDLED;
			exit->name = "IRQ, handed to the partition (list register)";
		} else {
			exit->kind = EXIT_HANDLED;
			exit->name = mask_guest_timers() ?
				"IRQ from the guest's own timer (now masked at the timer)" :
				"IRQ (not the watchdog's)";
		}
		return;
	}
	if (a->regs.exit_type != 0) {
		static const char *const vec[] = { "sync", "IRQ", "FIQ", "SError" };
		exit->name = a->regs.exit_type < 4 ? vec[a->regs.exit_type] : "AArch32 exception";
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "unexpected %s exception from the guest", exit->name);
		return;
	}
	switch (ec) {
	case EC_DABT_LOW:
		data_abort_refusal(vcpu, exit);
		return;
	case EC_IABT_LOW:
		/* An instruction fetch from a guest-physical address stage-2
		 * does not map (the guest's own tables may point anywhere):
		 * only RAM holds code, and the hypercall window is registers,
		 * not instructions.  Nothing to emulate: name it, in the x86
		 * backend's words (x86_exit.c), so one test expects both. */
		if (a->esr & (1u << 7))
			vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "the guest's page-table walk touched guest-physical 0x%llx, which is not RAM",
				    (unsigned long long)((a->hpfar >> 4) << 12));
		else if (((a->esr & 0x3f) & 0x3c) == 0x04)
			vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "instruction fetch at 0x%llx from guest-physical 0x%llx, which is not RAM",
				    (unsigned long long)a->far,
				    (unsigned long long)(((a->hpfar >> 4) << 12) | (a->far & 0xfff)));
		else
			vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "instruction fetch at 0x%llx from guest-physical 0x%llx: stage-2 %s",
				    (unsigned long long)a->far,
				    (unsigned long long)(((a->hpfar >> 4) << 12) | (a->far & 0xfff)),
				    dfsc_name(a->esr & 0x3f));
		return;
	case EC_WFX:
		/* WFI: nothing will ever wake a minihv guest, so it is halted
		 * for good.  WFE (trapped by HCR_EL2.TWE, where the CPU traps
		 * it at all: QEMU does not) is a hint that may return at any
		 * time: step over it and go on, so a guest polling a flag with
		 * WFE works, and one that loops on it for ever meets the
		 * watchdog (each such exit counts toward the core's limit). */
		if (a->esr & 1) {
			exit->kind = EXIT_HANDLED;
			exit->name = "WFE";
			a->regs.elr += 4;
			return;
		}
		exit->kind = EXIT_HALT;
		exit->name = "WFI";
		return;
	case EC_SMC64:
		if (a->partition) {
			/* A trapped SMC leaves ELR_EL2 at the SMC itself. */
			a->regs.elr += 4;
			arm_partition_psci(vcpu, exit);
			return;
		}
		refuse_smc(vcpu, exit);
		return;
	case EC_HVC64: {
		if (a->partition && (a->esr & 0xffff) == 0) {
			arm_partition_psci(vcpu, exit);
			return;
		}
		/* The minihv guest library's exception vectors use HVC #0xE1
		 * to say "I took an exception I cannot handle". */
		char reg[224];
		if ((a->esr & 0xffff) == 0xe1 && guest_semihosting_call(vcpu)) {
			exit->name = "guest exception";
			vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "semihosting call (HLT #0xf000 at ELR_EL1=0x%llx, operation x0=0x%llx) refused: minihv gives guests no semihosting",
				    (unsigned long long)read_sysreg(elr_el1),
				    (unsigned long long)a->regs.x[0]);
		} else if ((a->esr & 0xffff) == 0xe1 &&
			   guest_undefined_sysreg(vcpu, reg, sizeof(reg))) {
			exit->name = "guest exception";
			vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s", reg);
		} else if ((a->esr & 0xffff) == 0xe1) {
			exit->name = "guest exception";
			vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "the guest took an exception at EL1: ESR_EL1=0x%llx (EC 0x%llx, %s) ELR_EL1=0x%llx FAR_EL1=0x%llx",
				    (unsigned long long)read_sysreg(esr_el1),
				    (unsigned long long)(read_sysreg(esr_el1) >> 26),
				    ec_name((unsigned)(read_sysreg(esr_el1) >> 26)),
				    (unsigned long long)read_sysreg(elr_el1),
				    (unsigned long long)read_sysreg(far_el1));
		} else {
			vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "HVC #0x%llx is not part of the minihv ABI (hypercalls are MMIO)",
				    (unsigned long long)(a->esr & 0xffff));
		}
		return;
	}
	case EC_SYSREG: {
		if (a->partition) {
			arm_partition_sysreg(vcpu, exit);
			return;
		}
		/* ISS: Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5, CRm 4:1,
		 * direction bit 0 (1: read, MRS). */
		uint64_t iss = a->esr & 0x1ffffff;
		unsigned op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
		unsigned crn = (iss >> 10) & 15, crm = (iss >> 1) & 15;
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s S%u_%u_C%u_C%u_%u: %s",
			    op0 == 1 ? "system instruction" : (iss & 1) ? "MRS from system register" : "MSR to system register",
			    op0, op1, crn, crm, op2, sysreg_refusal(op0, op1, crn, crm, op2));
		return;
	}
	case EC_SVE:
	case EC_SME:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s instruction or register at 0x%llx: %s is not given to guests (minihv does not switch its registers)",
			    ec == EC_SVE ? "SVE" : "SME", (unsigned long long)a->regs.elr,
			    ec == EC_SVE ? "SVE" : "SME");
		return;
	case EC_PAUTH:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "pointer authentication instruction at 0x%llx: pointer authentication is not given to guests (minihv does not switch the keys)",
			    (unsigned long long)a->regs.elr);
		return;
	default:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "unexpected exception class 0x%x (%s)", ec, ec_name(ec));
		return;
	}
}

bool arch_vcpu_user_mode(const struct vcpu *vcpu)
{
	return guest_at_el0(vcpu->arch);
}

void arch_vcpu_mmio_done(struct vcpu *vcpu, const struct vm_exit *exit, uint64_t value)
{
	struct arch_vcpu *a = vcpu->arch;

	if (!exit->mmio.write)
		complete_load(a, a->esr, exit->mmio.size, value);
	a->regs.elr += insn_len(a->esr);
}

uint64_t arch_bench_insns(void)
{
	/*
	 * The PMU's cycle counter.  Under QEMU's -icount shift=0 every
	 * instruction takes exactly 1 ns of virtual time, and QEMU's PMU
	 * counts cycles at 1 GHz of that time: one a instruction, so a single
	 * event (one VM created) is measured exactly, where the generic
	 * timer's 62.5 MHz would give it to within 16 instructions.  Counted
	 * at every exception level (PMCCFILTR_EL0.NSH: EL2 too); the guest
	 * cannot reach it (MDCR_EL2.TPM traps its PMU accesses).  BENCH
	 * builds only; on a real CPU it counts cycles, not instructions.
	 */
	static bool on;
	if (!on) {
		write_sysreg(pmccfiltr_el0, 1ull << 27);           /* NSH: count at EL2 */
		write_sysreg(pmcr_el0, read_sysreg(pmcr_el0) | (1u << 6) | 1u); /* LC, E */
		write_sysreg(pmcntenset_el0, 1ull << 31);          /* C */
		isb();
		on = true;
	}
	isb();
	return read_sysreg(pmccntr_el0);
}

void arch_describe_exit(const struct vcpu *vcpu, const struct vm_exit *exit,
			char *buf, size_t len)
{
	const struct arch_vcpu *a = vcpu->arch;
	uint64_t iss = a->esr & 0x1ffffff;
	unsigned ec = (a->esr >> 26) & 0x3f;
	(void)exit;

	if (ec == EC_DABT_LOW && !(iss & (1u << 24))) {
		/* ISV=0: SAS, SSE, SRT, SF are RES0, so name none of them. */
		hv_snprintf(buf, len,
			    "ESR_EL2=0x%llx: %s from EL1, %s, ISV=0 %s; FAR_EL2=0x%llx HPFAR_EL2=0x%llx (IPA 0x%llx) ELR_EL2=0x%llx",
			    (unsigned long long)a->esr, ec_name(ec), dfsc_name(iss & 0x3f),
			    (iss & (1u << 6)) ? "write" : "read",
			    (unsigned long long)a->far, (unsigned long long)a->hpfar,
			    (unsigned long long)(((a->hpfar >> 4) << 12) | (a->far & 0xfff)),
			    (unsigned long long)a->regs.elr);
	} else if (ec == EC_DABT_LOW) {
		static const char *const sas[] = { "byte", "halfword", "word", "doubleword" };
		hv_snprintf(buf, len,
			    "ESR_EL2=0x%llx: %s from EL1, %s, %s%s%s ISV=%u %s %s register %s%u%s; FAR_EL2=0x%llx HPFAR_EL2=0x%llx (IPA 0x%llx) ELR_EL2=0x%llx",
			    (unsigned long long)a->esr, ec_name(ec), dfsc_name(iss & 0x3f),
			    "level ", (iss & 3) == 0 ? "0" : (iss & 3) == 1 ? "1" : (iss & 3) == 2 ? "2" : "3",
			    (iss & (1u << 7)) ? " during stage-1 walk" : "",
			    (unsigned)((iss >> 24) & 1), (iss & (1u << 6)) ? "write" : "read",
			    sas[(iss >> 22) & 3], (iss & (1u << 15)) ? "x" : "w",
			    (unsigned)((iss >> 16) & 0x1f), (iss & (1u << 21)) ? " sign-extended" : "",
			    (unsigned long long)a->far, (unsigned long long)a->hpfar,
			    (unsigned long long)(((a->hpfar >> 4) << 12) | (a->far & 0xfff)),
			    (unsigned long long)a->regs.elr);
	} else if (ec == EC_IABT_LOW) {
		/* An instruction abort has no access syndrome: no width, no register. */
		hv_snprintf(buf, len, "ESR_EL2=0x%llx: %s from EL1, %s, level %u%s; FAR_EL2=0x%llx HPFAR_EL2=0x%llx (IPA 0x%llx) ELR_EL2=0x%llx",
			    (unsigned long long)a->esr, ec_name(ec), dfsc_name(iss & 0x3f), (unsigned)(iss & 3),
			    (iss & (1u << 7)) ? " during stage-1 walk" : "",
			    (unsigned long long)a->far, (unsigned long long)a->hpfar,
			    (unsigned long long)(((a->hpfar >> 4) << 12) | (a->far & 0xfff)),
			    (unsigned long long)a->regs.elr);
	} else {
		hv_snprintf(buf, len, "ESR_EL2=0x%llx: EC 0x%x (%s) ISS 0x%llx; ELR_EL2=0x%llx FAR_EL2=0x%llx HPFAR_EL2=0x%llx",
			    (unsigned long long)a->esr, ec, ec_name(ec), (unsigned long long)iss,
			    (unsigned long long)a->regs.elr, (unsigned long long)a->far,
			    (unsigned long long)a->hpfar);
	}
}
