/*
 * Entering a VMX guest and decoding its exits.
 *
 * After a VM exit the VMCS says why (the exit reason, SDM vol. 3,
 * appendix C) and gives details in the exit qualification and a few
 * other fields.  We read them once, into struct vmx_vcpu (which
 * vmx_describe_exit prints from), and turn them into the struct x86_exit
 * both backends share; x86_exit.c decides what happens.  This file only
 * applies the result: it steps RIP, and finishes an MMIO load.
 */
#include "vmx.h"
#include "x86_exit.h"
#include "../../hv/run.h"
#include "../../hv/print.h"

/* exit_reason when VMLAUNCH/VMRESUME itself failed: there was no exit. */
#define NO_EXIT 0xffffffffu

#define EXIT_REASON_ENTRY_FAILED (1u << 31)

enum {
	REASON_EXCEPTION = 0, REASON_TRIPLE_FAULT = 2, REASON_INTR_WINDOW = 7,
	REASON_CPUID = 10,
	REASON_HLT = 12, REASON_INVD = 13, REASON_RDPMC = 15, REASON_VMCALL = 18,
	REASON_VMCLEAR = 19, REASON_VMXON = 27, REASON_INVEPT = 50, REASON_INVVPID = 53, REASON_VMFUNC = 59,
	REASON_CR_ACCESS = 28, REASON_DR_ACCESS = 29,
	REASON_IO = 30, REASON_RDMSR = 31, REASON_WRMSR = 32,
	REASON_INVALID_GUEST_STATE = 33, REASON_MSR_LOADING = 34,
	REASON_MACHINE_CHECK = 41, REASON_EPT_VIOLATION = 48,
	REASON_EPT_MISCONFIG = 49, REASON_PREEMPTION_TIMER = 52, REASON_WBINVD = 54, REASON_XSETBV = 55,
};

/* EPT violation exit qualification (SDM vol. 3, table 28-7). */
#define EPT_QUAL_READ          (1ull << 0)
#define EPT_QUAL_WRITE         (1ull << 1)
#define EPT_QUAL_FETCH         (1ull << 2)
#define EPT_QUAL_LINEAR_VALID  (1ull << 7)
#define EPT_QUAL_TRANSLATED    (1ull << 8)  /* 0: during the guest's page walk */

/* CS's access rights (the fields go ES, CS, ... two apart) and their L
 * bit, 64-bit code (vmx_vmcs.c's AR_L). */
#define GUEST_CS_AR (VMCS_GUEST_ES_AR + 2)
#define GUEST_SS_AR (VMCS_GUEST_ES_AR + 4)
#define CS_AR_L     (1u << 13)

/* Interruption information (SDM vol. 3, 25.9.2): vector, type, valid. */
#define INTR_TYPE_NMI          2
#define INTR_ERROR_VALID       (1u << 11)
#define INTR_VALID             (1u << 31)

/* An EPT violation's linear address, read only when the qualification
 * says it is valid: for decode_exit and vmx_describe_exit, before any exit
 * the fast path has not served goes on. */
static void read_linear(struct vmx_vcpu *a)
{
	a->guest_linear = (a->qualification & EPT_QUAL_LINEAR_VALID)
			  ? vmread(VMCS_GUEST_LINEAR_ADDR) : 0;
}

/*
 * The exit's fields, each VMREAD only where the exit has it: every exit
 * has a reason, a qualification and RIP (and RSP, which gprs[] must hold);
 * an EPT violation or misconfiguration a guest-physical address; an
 * exception its interruption and IDT-vectoring information; an exit caused
 * by an instruction its length.  The linear address of an EPT violation is
 * left to read_linear, for the exits the fast path does not serve: the
 * served MMIO exit, the hot one, costs five VMREADs here.
 */
static void read_exit(struct vmx_vcpu *a)
{
	a->exit_reason = (uint32_t)vmread(VMCS_EXIT_REASON);
	a->qualification = vmread(VMCS_EXIT_QUALIFICATION);
	a->guest_rip = vmread(VMCS_GUEST_RIP);
	a->gprs[X86_RSP] = a->vmcs_rsp = vmread(VMCS_GUEST_RSP);
	switch (a->exit_reason & 0xffff) {
	case REASON_EPT_VIOLATION:
		a->guest_phys = vmread(VMCS_GUEST_PHYS_ADDR);
		a->insn_len = 0;        /* the decoder's, not the CPU's */
		break;
	case REASON_EPT_MISCONFIG:
		a->guest_phys = vmread(VMCS_GUEST_PHYS_ADDR);
		a->insn_len = 0;
		break;
	case REASON_EXCEPTION:
		a->intr_info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
		a->intr_error = (uint32_t)vmread(VMCS_EXIT_INTR_ERROR);
		a->idt_vectoring = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
		a->insn_len = 0;
		break;
	default:
		a->insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
		break;
	}
}

/* VMLAUNCH/VMRESUME did not even start the guest. */
static void decode_insn_failure(struct vmx_vcpu *a, int fail, struct x86_exit *x)
{
	a->exit_reason = NO_EXIT;
	a->guest_rip = vmread(VMCS_GUEST_RIP);
	x->kind = X86_EXIT_ENTRY_FAILED;
	x->rip = gva(a->guest_rip);
	if (fail == 1) {
		a->insn_error = 0;
		hv_snprintf(x->entry.why, sizeof(x->entry.why),
			    "failed with VMfailInvalid: no valid current VMCS");
		return;
	}
	a->insn_error = (uint32_t)vmread(VMCS_INSN_ERROR);
	hv_snprintf(x->entry.why, sizeof(x->entry.why), "failed with VM-instruction error %u (%s)",
		    a->insn_error, vmx_insn_error_name(a->insn_error));
}

/* The CPU started VM entry, checked the guest state or loaded part of it,
 * and gave up: exit reason bit 31, with the basic reason naming the class
 * of check (SDM vol. 3, 27.8).  The CPU does not say which check failed;
 * Bochs's log does ("VMENTER FAIL: ..."). */
static void decode_entry_failure(const struct vmx_vcpu *a, unsigned basic, struct x86_exit *x)
{
	unsigned long long q = a->qualification;
	char *why = x->entry.why;
	size_t len = sizeof(x->entry.why);

	x->kind = X86_EXIT_ENTRY_FAILED;
	if (basic == REASON_INVALID_GUEST_STATE)
		hv_snprintf(why, len, "a check of the VMCS guest-state area failed%s",
			    q == 2 ? " (loading PDPTEs)" : q == 3 ? " (NMI injection)"
			    : q == 4 ? " (VMCS link pointer)" : "");
	else if (basic == REASON_MSR_LOADING)
		hv_snprintf(why, len, "entry %llu of the VM-entry MSR-load area failed", q);
	else if (basic == REASON_MACHINE_CHECK)
		hv_snprintf(why, len, "a machine check happened during VM entry");
	else
		hv_snprintf(why, len, "VM entry failed with basic exit reason %u", basic);
}

/* The exit reason and its qualification, as the shared exit record. */
static void decode_exit(const struct vmx_vcpu *a, unsigned basic, struct x86_exit *x)
{
	uint64_t q = a->qualification;

	x->raw_code = basic;
	switch (basic) {
	case REASON_EPT_VIOLATION:
		x->kind = X86_EXIT_GPA;
		x->gpa.addr = gpa(a->guest_phys);
		x->gpa.write = q & EPT_QUAL_WRITE;
		x->gpa.fetch = q & EPT_QUAL_FETCH;
		x->gpa.linear_valid = q & EPT_QUAL_LINEAR_VALID;
		x->gpa.guest_walk = x->gpa.linear_valid && !(q & EPT_QUAL_TRANSLATED);
		x->gpa.linear = gva(a->guest_linear);   /* read_linear */
		break;
	case REASON_CPUID:
		x->kind = X86_EXIT_CPUID;
		break;
	case REASON_XSETBV:
		x->kind = X86_EXIT_XSETBV;
		break;
	case REASON_HLT:
		x->kind = X86_EXIT_HLT;
		break;
	case REASON_PREEMPTION_TIMER:
		x->kind = X86_EXIT_TIMER;
		break;
	case REASON_RDMSR:
	case REASON_WRMSR:
		x->kind = X86_EXIT_MSR;
		x->msr.msr = (uint32_t)a->gprs[X86_RCX];
		x->msr.write = basic == REASON_WRMSR;
		break;
	case REASON_IO:
		/* Table 28-5: size - 1 in bits 2:0, IN bit 3, string bit 4,
		 * REP bit 5, the port in bits 31:16. */
		x->kind = X86_EXIT_IO;
		x->io.size = (uint8_t)((q & 7) + 1);
		x->io.in = q & 8;
		x->io.string = q & 16;
		x->io.rep = q & 32;
		x->io.port = (uint16_t)(q >> 16);
		break;
	case REASON_CR_ACCESS:
		/* Table 28-3: CR in bits 3:0, access type in 5:4, GPR in 11:8. */
		x->kind = X86_EXIT_CR;
		x->cr.cr = q & 15;
		x->cr.op = (enum x86_cr_op)((q >> 4) & 3);
		x->cr.gpr = (q >> 8) & 15;
		break;
	case REASON_DR_ACCESS:
		/* Table 28-4: DR in bits 2:0, bit 4 set for a read, GPR in 11:8. */
		x->kind = X86_EXIT_DR;
		x->dr.dr = q & 7;
		x->dr.write = !(q & 16);
		x->dr.gpr = (int)((q >> 8) & 15);
		break;
	case REASON_EXCEPTION:
		if (((a->intr_info >> 8) & 7) == INTR_TYPE_NMI) {
			/* With NMI exiting the exit consumes the NMI: the
			 * host never sees it. */
			x->kind = X86_EXIT_NMI;
			break;
		}
		x->kind = X86_EXIT_EXCEPTION;
		x->exception.vector = a->intr_info & 0xff;
		x->exception.has_error = a->intr_info & INTR_ERROR_VALID;
		x->exception.error = a->intr_error;
		/* With EPT, a #PF that exits does not write CR2: the faulting
		 * address is in the exit qualification. */
		x->exception.fault_addr = q;
		x->exception.delivering = (a->idt_vectoring & INTR_VALID)
					  ? (int)(a->idt_vectoring & 0xff) : -1;
		/* IDT-vectoring type (bits 10:8) 0: an external interrupt. */
		x->exception.delivering_interrupt = x->exception.delivering >= 0 &&
						    ((a->idt_vectoring >> 8) & 7) == 0;
		break;
	case REASON_TRIPLE_FAULT:
		x->kind = X86_EXIT_SHUTDOWN;
		break;
	case REASON_INTR_WINDOW:
		x->kind = X86_EXIT_INTR_WINDOW;
		break;
	case REASON_VMCALL:
		x->kind = X86_EXIT_VMCALL;
		break;
	case REASON_RDPMC:
		x->kind = X86_EXIT_RDPMC;
		break;
	case REASON_VMCLEAR ... REASON_VMXON:
	case REASON_INVEPT:
	case REASON_INVVPID:
	case REASON_VMFUNC:
		/* VMCLEAR, VMLAUNCH, VMPTRLD, VMPTRST, VMREAD, VMRESUME,
		 * VMWRITE, VMXOFF, VMXON (19-27), INVEPT, INVVPID, VMFUNC:
		 * the VMX instructions exit unconditionally in VMX non-root
		 * operation (SDM vol. 3, 26.1.2), and a guest that runs one
		 * wants a hypervisor of its own: SVM calls it VMRUN. */
		x->kind = X86_EXIT_NESTED;
		break;
	case REASON_WBINVD:
		x->kind = X86_EXIT_WBINVD;
		break;
	case REASON_INVD:
		/* INVD exits unconditionally in VMX non-root operation. */
		x->kind = X86_EXIT_INVD;
		break;
	case REASON_EPT_MISCONFIG:
		x->kind = X86_EXIT_S2_MISCONFIG;
		x->misconfig.addr = gpa(a->guest_phys);
		break;
	default:
		x->kind = X86_EXIT_UNKNOWN;
		break;
	}
}

/* Step the guest past an instruction we emulated.  If it was right after
 * STI or MOV SS, that one-instruction interrupt shadow is over now.
 * (a->guest_rip keeps the instruction's address, for vmx_describe_exit.) */
static void advance_rip(struct vmx_vcpu *a, uint64_t len)
{
	vmwrite(VMCS_GUEST_RIP, a->guest_rip + len);
	uint64_t blocking = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (blocking & 3)
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY, blocking & ~3ull);
}

/*
 * The VMX-preemption timer, for the watchdog.  It counts down only in VMX
 * non-root operation and is loaded from the VMCS at every VM entry (SDM
 * vol. 3, 26.5.1; without the "save VMX-preemption timer value" exit
 * control, which not every CPU has, each entry starts from the field's
 * value again).  So each entry loads what is left of the watchdog's time,
 * from the TSC: time spent in the hypervisor counts, as hv/arch.h wants.
 * The field is 32 bits: a longer wait ends in an early timer exit, after
 * which the next entry loads the rest.  Not armed: the largest value,
 * whose exits only come back here.
 */
static uint32_t preemption_timer_value(uint64_t left)
{
	left >>= vmx_caps.preemption_rate;
	return left > 0xffffffffu ? 0xffffffffu : (uint32_t)left;
}

void vmx_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vmx_vcpu *a = vcpu->arch;
	struct x86_exit x;

	vmx_load_vcpu_to_run(vcpu);
	if (!a->flushed) {
		/* A new VM may reuse an old one's EPT root address (the pool
		 * is reused): drop any translations cached for it. */
		vmx_s2_flush(vcpu->vm);
		a->flushed = true;
	}
	/* What is left of the watchdog's time (arch_vcpu_run found some). */
	uint64_t left = x86_watchdog_left();
	/* Each pass is one entry; the fast path below loops back here. */
enter:
	/* Written only when it changed since the exit (an MMIO load into
	 * RSP): nothing is written on an entry that the VMCS already holds.
	 * The timer's value, what is left of the watchdog, changes always. */
	if (a->gprs[X86_RSP] != a->vmcs_rsp) {
		vmwrite(VMCS_GUEST_RSP, a->gprs[X86_RSP]);
		a->vmcs_rsp = a->gprs[X86_RSP];
	}
	if (vmx_caps.controls[VMX_CTL_PIN] & PIN_PREEMPTION_TIMER)
		vmwrite(VMCS_PREEMPTION_TIMER, preemption_timer_value(left));

	int fail = vmx_enter_guest(a->gprs, a->launched);
	if (fail) {
		x86_exit_clear(&x);
		exit->name = a->launched ? "VMRESUME" : "VMLAUNCH";
		decode_insn_failure(a, fail, &x);
	} else {
		a->launched = true;
		read_exit(a);
		unsigned basic = a->exit_reason & 0xffff;
		/*
		 * The hypercall first (x86_gpa_fast): an EPT violation by an
		 * ordinary data access -- not a fetch, not during the guest's
		 * walk (the linear address, when the CPU gives one, was
		 * translated) -- from 64-bit code under 4-level paging.  The
		 * mode's four VMREADs and CR3, and no exit record; whatever
		 * the fast path does not take goes the full way below,
		 * checked again from the start.
		 */
		uint64_t q = a->qualification;
		if (a->exit_reason == REASON_EPT_VIOLATION && !(q & EPT_QUAL_FETCH) &&
		    (q & (EPT_QUAL_LINEAR_VALID | EPT_QUAL_TRANSLATED)) != EPT_QUAL_LINEAR_VALID) {
			/* This vCPU's VMCS is the current one (above): read
			 * directly, as vmx_vcpu_guest_mode and
			 * vmx_vcpu_gpt_root would after their checks. */
			uint64_t cr0 = vmread(VMCS_GUEST_CR0), cr4 = vmread(VMCS_GUEST_CR4);
			uint64_t efer = vmread(VMCS_GUEST_EFER), cs_ar = vmread(GUEST_CS_AR);
			exit->name = "EPT violation";
			if (x86_mode_is_long4(cr0, cr4, efer, (cs_ar & CS_AR_L) != 0) &&
			    x86_gpa_fast(vcpu, gpa(a->guest_phys), (q & EPT_QUAL_WRITE) != 0,
					 gva(a->guest_rip),
					 gpa(vmread(VMCS_GUEST_CR3) & 0x000ffffffffff000ull), NULL, 0,
					 a->gprs, &a->mmio, exit)) {
				/*
				 * A window access, decoded: served by the
				 * core's hv_fast_mmio (hv/run.h) with
				 * hypercall_mmio's checks -- the CPL, SS's
				 * DPL, as vmx_vcpu_user_mode reads it: 3 is
				 * refused by the ordinary path -- counted as
				 * vcpu_run counts it, completed as
				 * vmx_vcpu_mmio_done completes it, and the
				 * guest entered again from here if the
				 * watchdog's time is not up (arch_vcpu_run's
				 * check, x86_watchdog_allows_entry; the same
				 * reading loads the preemption timer on the
				 * next pass).  What it declines is returned
				 * as x86_gpa_fast's EXIT_MMIO.
				 */
				uint64_t value;
				bool user = ((vmread(GUEST_SS_AR) >> 5) & 3) == 3;
				if (!hv_fast_mmio(vcpu, &exit->mmio, user, &value)) {
					read_linear(a);
					return;
				}
				x86_mmio_complete(&a->mmio, a->gprs, value);
				advance_rip(a, a->mmio.len);
				left = x86_watchdog_left();
				if (left == 0) {
					x86_watchdog_exit(exit);
					return;
				}
				goto enter;
			}
		}
		/* The record, cleared only on the way that uses it. */
		x86_exit_clear(&x);
		exit->name = vmx_exit_reason_name(basic);
		x.rip = gva(a->guest_rip);
		/* VMX's instruction length is the CPU's own and exact. */
		x.insn_len = (uint8_t)a->insn_len;
		if (a->exit_reason & EXIT_REASON_ENTRY_FAILED)
			decode_entry_failure(a, basic, &x);
		else {
			if (basic == REASON_EPT_VIOLATION)
				read_linear(a);
			decode_exit(a, basic, &x);
		}
		/* Four VMREADs, for the exits whose handling looks at the
		 * guest's mode. */
		if (x86_exit_needs_mode(x.kind))
			vmx_vcpu_guest_mode(vcpu, &x.mode);
	}
	unsigned step = x86_exit_handle(vcpu, &x, a->gprs, &a->mmio, exit);
	if (step)
		advance_rip(a, step);
}

void vmx_vcpu_mmio_done(struct vcpu *vcpu, const struct vm_exit *exit, uint64_t value)
{
	struct vmx_vcpu *a = vcpu->arch;
	(void)exit;

	x86_mmio_complete(&a->mmio, a->gprs, value);
	vmx_load_vcpu(vcpu);
	advance_rip(a, a->mmio.len);
}

void vmx_describe_exit(const struct vcpu *vcpu, const struct vm_exit *exit,
		       char *buf, size_t len)
{
	const struct vmx_vcpu *a = vcpu->arch;
	unsigned basic = a->exit_reason & 0xffff;
	uint64_t q = a->qualification;
	(void)exit;

	if (a->exit_reason == NO_EXIT) {
		hv_snprintf(buf, len, "no VM exit: %s failed with VM-instruction error %u; guest RIP 0x%llx",
			    a->launched ? "VMRESUME" : "VMLAUNCH", a->insn_error,
			    (unsigned long long)a->guest_rip);
	} else if (basic == REASON_EPT_VIOLATION) {
		hv_snprintf(buf, len, "exit reason 48 (%s), qualification 0x%llx (%s%s%s, EPT entry %s%s), GPA 0x%llx, linear 0x%llx, RIP 0x%llx",
			    vmx_exit_reason_name(basic), (unsigned long long)q,
			    (q & EPT_QUAL_READ) ? "read" : "", (q & EPT_QUAL_WRITE) ? "write" : "",
			    (q & EPT_QUAL_FETCH) ? "fetch" : "",
			    (q & 0x38) ? "present" : "not present",
			    (q & (EPT_QUAL_LINEAR_VALID | EPT_QUAL_TRANSLATED)) == EPT_QUAL_LINEAR_VALID
			    ? ", in the guest's page walk" : "",
			    (unsigned long long)a->guest_phys,
			    (unsigned long long)((q & EPT_QUAL_LINEAR_VALID) ? a->guest_linear : 0),
			    (unsigned long long)a->guest_rip);
	} else if (basic == REASON_EXCEPTION) {
		hv_snprintf(buf, len, "exit reason 0 (%s), interruption info 0x%x (vector %u, type %u), RIP 0x%llx",
			    vmx_exit_reason_name(0), a->intr_info, a->intr_info & 0xff,
			    (a->intr_info >> 8) & 7, (unsigned long long)a->guest_rip);
	} else {
		/* The names of entry failures (bit 31) say "VM-entry failure". */
		hv_snprintf(buf, len, "exit reason %u (%s), qualification 0x%llx, RIP 0x%llx, instruction length %u",
			    basic, vmx_exit_reason_name(basic), (unsigned long long)q,
			    (unsigned long long)a->guest_rip, a->insn_len);
	}
}
