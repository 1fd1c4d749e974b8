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

void arch_vm_fini(struct vm *vm)
{
	(void)vm;
	loaded_vcpu = NULL;
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
	a->vttbr = ((struct arch_vm *)vcpu->vm->arch)->vttbr;
	vcpu->arch = a;

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
	case 0x21:        return "instruction abort at EL1";
	case 0x25:        return "data abort at EL1";
	case 0x15:        return "SVC";
	default:          return "exception";
	}
}

/* A stage-2 data abort: the guest touched guest-physical memory that is not
 * mapped.  With a valid instruction syndrome it is an emulatable access. */
static void decode_data_abort(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct arch_vcpu *a = vcpu->arch;
	uint64_t iss = a->esr & 0x1ffffff;
	unsigned dfsc = iss & 0x3f;

	if (iss & (1u << 7)) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "the guest's own page-table walk touched guest-physical 0x%llx, which is not RAM",
			    (unsigned long long)((a->hpfar >> 4) << 12));
		return;
	}
	if ((dfsc & 0x3c) != 0x04) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "stage-2 %s (DFSC 0x%x)", dfsc_name(dfsc), dfsc);
		return;
	}
	if (!(iss & (1u << 24))) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "MMIO access without a valid syndrome (ISV=0: a load/store pair, writeback or SIMD access), which minihv does not emulate");
		return;
	}
	unsigned srt = (iss >> 16) & 0x1f;
	exit->kind = EXIT_MMIO;
	exit->mmio.gpa = gpa(((a->hpfar >> 4) << 12) | (a->far & 0xfff));
	exit->mmio.size = (uint8_t)(1u << ((iss >> 22) & 3));
	exit->mmio.write = iss & (1u << 6);
	if (exit->mmio.write) {
		uint64_t v = srt == 31 ? 0 : a->regs.x[srt]; /* 31 is XZR here */
		if (exit->mmio.size < 8)
			v &= (1ull << (exit->mmio.size * 8)) - 1;
		exit->mmio.value = v;
	}
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
static bool guest_semihosting_call(const struct vcpu *vcpu)
{
	if ((read_sysreg(esr_el1) >> 26) != 0)
		return false;
	struct guest_mmu mmu;
	uint8_t b[4];
	vcpu_guest_mmu(vcpu, &mmu);
	if (guest_read_virt(&mmu, gva(read_sysreg(elr_el1)), b, sizeof(b)))
		return false;
	uint32_t insn = b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return insn == 0xd45e0000u;
}

void arch_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct arch_vcpu *a = vcpu->arch;

	if (loaded_vcpu != vcpu)
		arm_load_vcpu(vcpu);
	arm_enter_guest(&a->regs);

	a->esr = read_sysreg(esr_el2);
	a->far = read_sysreg(far_el2);
	a->hpfar = read_sysreg(hpfar_el2);
	unsigned ec = (a->esr >> 26) & 0x3f;
	exit->name = ec_name(ec);
	exit->reason = NULL;

	if (a->regs.exit_type != 0) {
		static const char *const vec[] = { "sync", "IRQ", "FIQ", "SError" };
		exit->name = a->regs.exit_type < 4 ? vec[a->regs.exit_type] : "AArch32 exception";
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "unexpected %s exception from the guest", exit->name);
		return;
	}
	switch (ec) {
	case EC_DABT_LOW:
		decode_data_abort(vcpu, exit);
		return;
	case EC_WFX:
		exit->kind = EXIT_HALT;
		exit->name = (a->esr & 1) ? "WFE" : "WFI";
		return;
	case EC_HVC64:
		/* The minihv guest library's exception vectors use HVC #0xE1
		 * to say "I took an exception I cannot handle". */
		if ((a->esr & 0xffff) == 0xe1 && guest_semihosting_call(vcpu)) {
			exit->name = "guest exception";
			vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "semihosting call (HLT #0xf000 at ELR_EL1=0x%llx, operation x0=0x%llx) refused: minihv gives guests no semihosting",
				    (unsigned long long)read_sysreg(elr_el1),
				    (unsigned long long)a->regs.x[0]);
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
	case EC_SYSREG: {
		/* ISS: Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5, CRm 4:1,
		 * direction bit 0 (1: read, MRS). */
		uint64_t iss = a->esr & 0x1ffffff;
		unsigned op0 = (iss >> 20) & 3;
		/* Op0 2 is the debug registers; the PMU's are Op0 3. */
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s system register S%u_%u_C%u_C%u_%u: minihv guests have no %s",
			    (iss & 1) ? "MRS from" : "MSR to", op0,
			    (unsigned)((iss >> 14) & 7), (unsigned)((iss >> 10) & 15),
			    (unsigned)((iss >> 1) & 15), (unsigned)((iss >> 17) & 7),
			    op0 == 2 ? "debug registers" : "performance monitors");
		return;
	}
	default:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "unexpected exception class 0x%x (%s)", ec, ec_name(ec));
		return;
	}
}

void arch_vcpu_mmio_done(struct vcpu *vcpu, const struct vm_exit *exit, uint64_t value)
{
	struct arch_vcpu *a = vcpu->arch;
	uint64_t iss = a->esr & 0x1ffffff;
	unsigned srt = (iss >> 16) & 0x1f;

	if (!exit->mmio.write && srt != 31) {
		unsigned bits = exit->mmio.size * 8;
		if (bits < 64) {
			value &= (1ull << bits) - 1;
			/* SSE: sign-extend (LDRSB, LDRSH, LDRSW). */
			if ((iss & (1u << 21)) && (value >> (bits - 1)) & 1)
				value |= ~0ull << bits;
		}
		/* SF clear: the destination is a W register, whose upper half
		 * a write clears. */
		if (!(iss & (1u << 15)))
			value &= 0xffffffffull;
		a->regs.x[srt] = value;
	}
	/* ESR.IL: 32-bit instruction (always, for AArch64 guests). */
	a->regs.elr += (a->esr & (1u << 25)) ? 4 : 2;
}

void arch_describe_exit(const struct vcpu *vcpu, const struct vm_exit *exit,
			char *buf, size_t len)
{
	const struct arch_vcpu *a = vcpu->arch;
	uint64_t iss = a->esr & 0x1ffffff;
	unsigned ec = (a->esr >> 26) & 0x3f;
	(void)exit;

	if (ec == EC_DABT_LOW || ec == EC_IABT_LOW) {
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
	} else {
		hv_snprintf(buf, len, "ESR_EL2=0x%llx: EC 0x%x (%s) ISS 0x%llx; ELR_EL2=0x%llx FAR_EL2=0x%llx HPFAR_EL2=0x%llx",
			    (unsigned long long)a->esr, ec, ec_name(ec), (unsigned long long)iss,
			    (unsigned long long)a->regs.elr, (unsigned long long)a->far,
			    (unsigned long long)a->hpfar);
	}
}
