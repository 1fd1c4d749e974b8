/*
 * Entering a VMX guest and making sense of its exits.
 *
 * After a VM exit the VMCS says why (the exit reason, SDM vol. 3,
 * appendix C) and gives details in the exit qualification and a few
 * other fields.  We read them once, into struct vmx_vcpu, then decide:
 *
 *   EPT violation      the guest touched guest-physical memory EPT does not
 *                      map: a load or store for the core to emulate (the
 *                      hypercall window), once we have decoded the
 *                      instruction to learn its width, register and length
 *   CPUID, XSETBV      emulated here, then the guest goes on
 *   HLT                the guest is done
 *   anything else      reported by name: I/O, MSRs, exceptions, triple
 *                      fault... minihv guests are not allowed any of it
 */
#include "vmx.h"
#include "../../hv/print.h"
#include "../../hv/run.h"
#include "../../lib/minihv_string.h"

/* exit_reason when VMLAUNCH/VMRESUME itself failed: there was no exit. */
#define NO_EXIT 0xffffffffu

#define EXIT_REASON_ENTRY_FAILED (1u << 31)

enum {
	REASON_EXCEPTION = 0, REASON_TRIPLE_FAULT = 2, REASON_INTR_WINDOW = 7,
	REASON_CPUID = 10,
	REASON_HLT = 12, REASON_VMCALL = 18, REASON_CR_ACCESS = 28, REASON_DR_ACCESS = 29,
	REASON_IO = 30, REASON_RDMSR = 31, REASON_WRMSR = 32,
	REASON_INVALID_GUEST_STATE = 33, REASON_MSR_LOADING = 34,
	REASON_MACHINE_CHECK = 41, REASON_EPT_VIOLATION = 48,
	REASON_EPT_MISCONFIG = 49, REASON_XSETBV = 55,
};

/* EPT violation exit qualification (SDM vol. 3, table 28-7). */
#define EPT_QUAL_READ          (1ull << 0)
#define EPT_QUAL_WRITE         (1ull << 1)
#define EPT_QUAL_FETCH         (1ull << 2)
#define EPT_QUAL_LINEAR_VALID  (1ull << 7)
#define EPT_QUAL_TRANSLATED    (1ull << 8)  /* 0: during the guest's page walk */

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

static void read_exit(struct vmx_vcpu *a)
{
	a->exit_reason = (uint32_t)vmread(VMCS_EXIT_REASON);
	a->qualification = vmread(VMCS_EXIT_QUALIFICATION);
	a->guest_rip = vmread(VMCS_GUEST_RIP);
	a->guest_phys = vmread(VMCS_GUEST_PHYS_ADDR);
	a->guest_linear = vmread(VMCS_GUEST_LINEAR_ADDR);
	a->intr_info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
	a->intr_error = (uint32_t)vmread(VMCS_EXIT_INTR_ERROR);
	a->idt_vectoring = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	a->insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
	a->gprs[X86_RSP] = vmread(VMCS_GUEST_RSP);
}

/*
 * The guest touched a guest-physical address EPT does not map.  If it was
 * an ordinary load or store, x86_mmio_exit decodes the instruction (the
 * exit gives the address and the direction, not the width or the register)
 * and hands the access to the core, which knows what lives there.
 */
static void ept_violation(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vmx_vcpu *a = vcpu->arch;
	uint64_t q = a->qualification;
	unsigned long long addr = a->guest_phys, rip = a->guest_rip;

	if ((q & EPT_QUAL_LINEAR_VALID) && !(q & EPT_QUAL_TRANSLATED)) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
		     "the guest's page-table walk for linear 0x%llx touched guest-physical 0x%llx, which is not RAM",
		     (unsigned long long)a->guest_linear, addr);
		return;
	}
	if (q & EPT_QUAL_FETCH) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
		     "instruction fetch at 0x%llx from guest-physical 0x%llx, which is not RAM",
		     rip, addr);
		return;
	}
	const struct x86_mmio_fault f = { .rip = gva(rip), .gpa = gpa(addr),
					  .write = q & EPT_QUAL_WRITE };
	x86_mmio_exit(vcpu, &f, a->gprs, &a->mmio, exit, a->reason, sizeof(a->reason));
}

static void emulate_cpuid(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vmx_vcpu *a = vcpu->arch;
	uint64_t *g = a->gprs;
	x86_emulate_cpuid((uint32_t)g[X86_RAX], (uint32_t)g[X86_RCX],
			  &g[X86_RAX], &g[X86_RBX], &g[X86_RCX], &g[X86_RDX]);
	advance_rip(a, a->insn_len);
	exit->kind = EXIT_HANDLED;
}

/* XSETBV: checked and refused by x86_emulate_xsetbv, unless it changes
 * nothing. */
static void emulate_xsetbv(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vmx_vcpu *a = vcpu->arch;

	if (!x86_emulate_xsetbv(a->gprs, a->reason, sizeof(a->reason))) {
		exit->kind = EXIT_GUEST_FAULT;
		exit->reason = a->reason;
		return;
	}
	advance_rip(a, a->insn_len);
	exit->kind = EXIT_HANDLED;
}

static void exception(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vmx_vcpu *a = vcpu->arch;
	unsigned vector = a->intr_info & 0xff, type = (a->intr_info >> 8) & 7;
	unsigned long long rip = a->guest_rip, ec = a->intr_error;
	char code[80] = "";

	if (type == 2) {
		/* With NMI exiting the exit consumes the NMI: the host never
		 * sees it. */
		x86_nmi_refusal(a->reason, sizeof(a->reason), rip);
		exit->kind = EXIT_GUEST_FAULT;
		exit->reason = a->reason;
		return;
	}
	exit->name = x86_exception_name(vector);
	if (a->intr_info & (1u << 11))
		hv_snprintf(code, sizeof(code), ", error code 0x%llx", ec);
	if (a->idt_vectoring & (1u << 31)) {
		/* It happened while the CPU delivered another event. */
		size_t n = strlen(code);
		hv_snprintf(code + n, sizeof(code) - n, ", while delivering vector %u",
			    a->idt_vectoring & 0xff);
	}
	if (vector == 14) {
		/* With EPT, a #PF that exits does not write CR2: the faulting
		 * address is in the exit qualification. */
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "the guest took an exception at rip 0x%llx: %s %s gva 0x%llx (%s%s)%s",
		     rip, (ec & 0x10) ? "instruction fetch from" : (ec & 2) ? "write to" : "read of",
		     (ec & 4) ? "user" : "supervisor", (unsigned long long)a->qualification,
		     (ec & 1) ? "protection violation" : "not present",
		     (ec & 8) ? ", reserved bit set" : "", code);
	} else {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "the guest took an exception at rip 0x%llx%s", rip, code);
	}
}

static void io_instruction(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vmx_vcpu *a = vcpu->arch;
	uint64_t q = a->qualification;
	vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s%s%s of %u byte(s) at port 0x%x: minihv guests have no I/O ports",
	     (q & 32) ? "REP " : "", (q & 8) ? "IN" : "OUT", (q & 16) ? "S" : "",
	     (unsigned)(q & 7) + 1, (unsigned)(q >> 16) & 0xffff);
}

static void msr_access(struct vcpu *vcpu, struct vm_exit *exit, bool write)
{
	struct vmx_vcpu *a = vcpu->arch;
	uint64_t value = (a->gprs[X86_RDX] << 32) | (uint32_t)a->gprs[X86_RAX];
	x86_msr_refusal(a->reason, sizeof(a->reason), (uint32_t)a->gprs[X86_RCX], write, value);
	exit->kind = EXIT_GUEST_FAULT;
	exit->reason = a->reason;
}

static void cr_access(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vmx_vcpu *a = vcpu->arch;
	uint64_t q = a->qualification;
	unsigned cr = q & 15, type = (q >> 4) & 3;
	const char *reg = x86_gpr_name((q >> 8) & 15);

	if (type == 0)
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "MOV to CR%u from %s (0x%llx): the guest may not change this control register or these bits",
		     cr, reg, (unsigned long long)a->gprs[(q >> 8) & 15]);
	else if (type == 1)
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "MOV from CR%u to %s: not allowed to minihv guests", cr, reg);
	else
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s: the guest may not change CR0's fixed bits",
		     type == 2 ? "CLTS" : "LMSW");
}

/* MOV to or from DRn (SDM vol. 3, table 28-4): the register in bits 2:0,
 * bit 4 set for a read, the general-purpose register in bits 11:8. */
static void dr_access(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vmx_vcpu *a = vcpu->arch;
	uint64_t q = a->qualification;

	x86_dr_refusal(a->reason, sizeof(a->reason), q & 7, !(q & 16), (q >> 8) & 15, a->gprs);
	exit->kind = EXIT_GUEST_FAULT;
	exit->reason = a->reason;
}

/* VMLAUNCH/VMRESUME did not even start the guest. */
static void entry_insn_failed(struct vcpu *vcpu, struct vm_exit *exit, int fail)
{
	struct vmx_vcpu *a = vcpu->arch;
	a->exit_reason = NO_EXIT;
	a->guest_rip = vmread(VMCS_GUEST_RIP);
	exit->name = a->launched ? "VMRESUME" : "VMLAUNCH";
	if (fail == 1) {
		a->insn_error = 0;
		vcpu_refuse(vcpu, exit, EXIT_HOST_ERROR, "failed with VMfailInvalid: no valid current VMCS");
		return;
	}
	a->insn_error = (uint32_t)vmread(VMCS_INSN_ERROR);
	vcpu_refuse(vcpu, exit, EXIT_HOST_ERROR, "failed with VM-instruction error %u (%s)",
	     a->insn_error, vmx_insn_error_name(a->insn_error));
}

/* The CPU started VM entry, checked the guest state or loaded part of it,
 * and gave up: exit reason bit 31, with the basic reason naming the class
 * of check (SDM vol. 3, 27.8).  The CPU does not say which check failed;
 * Bochs's log does ("VMENTER FAIL: ..."). */
static void entry_failed(struct vcpu *vcpu, struct vm_exit *exit, unsigned basic)
{
	struct vmx_vcpu *a = vcpu->arch;
	unsigned long long q = a->qualification;

	if (basic == REASON_INVALID_GUEST_STATE)
		vcpu_refuse(vcpu, exit, EXIT_HOST_ERROR, "a check of the VMCS guest-state area failed%s",
		     q == 2 ? " (loading PDPTEs)" : q == 3 ? " (NMI injection)"
		     : q == 4 ? " (VMCS link pointer)" : "");
	else if (basic == REASON_MSR_LOADING)
		vcpu_refuse(vcpu, exit, EXIT_HOST_ERROR, "entry %llu of the VM-entry MSR-load area failed", q);
	else if (basic == REASON_MACHINE_CHECK)
		vcpu_refuse(vcpu, exit, EXIT_HOST_ERROR, "a machine check happened during VM entry");
	else
		vcpu_refuse(vcpu, exit, EXIT_HOST_ERROR, "VM entry failed with basic exit reason %u", basic);
}

void vmx_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vmx_vcpu *a = vcpu->arch;

	vmx_load_vcpu_to_run(vcpu);
	if (!a->flushed) {
		/* A new VM may reuse an old one's EPT root address (the pool
		 * is reused): drop any translations cached for it. */
		vmx_s2_flush(vcpu->vm);
		a->flushed = true;
	}
	vmwrite(VMCS_GUEST_RSP, a->gprs[X86_RSP]);

	int fail = vmx_enter_guest(a->gprs, a->launched);

	exit->reason = NULL;
	if (fail) {
		entry_insn_failed(vcpu, exit, fail);
		return;
	}
	a->launched = true;
	read_exit(a);
	unsigned basic = a->exit_reason & 0xffff;
	exit->name = vmx_exit_reason_name(basic);
	if (a->exit_reason & EXIT_REASON_ENTRY_FAILED) {
		entry_failed(vcpu, exit, basic);
		return;
	}

	switch (basic) {
	case REASON_EPT_VIOLATION:
		ept_violation(vcpu, exit);
		return;
	case REASON_CPUID:
		emulate_cpuid(vcpu, exit);
		return;
	case REASON_HLT:
		exit->kind = EXIT_HALT;
		return;
	case REASON_XSETBV:
		emulate_xsetbv(vcpu, exit);
		return;
	case REASON_EXCEPTION:
		exception(vcpu, exit);
		return;
	case REASON_IO:
		io_instruction(vcpu, exit);
		return;
	case REASON_RDMSR:
	case REASON_WRMSR:
		msr_access(vcpu, exit, basic == REASON_WRMSR);
		return;
	case REASON_CR_ACCESS:
		cr_access(vcpu, exit);
		return;
	case REASON_DR_ACCESS:
		dr_access(vcpu, exit);
		return;
	case REASON_INTR_WINDOW:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "the guest enabled interrupts (RFLAGS.IF=1 at rip 0x%llx): minihv guests take none",
		     (unsigned long long)a->guest_rip);
		return;
	case REASON_TRIPLE_FAULT:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "triple fault: an exception while delivering a double fault");
		return;
	case REASON_VMCALL:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "VMCALL at 0x%llx: minihv hypercalls are MMIO, not VMCALL",
		     (unsigned long long)a->guest_rip);
		return;
	case REASON_EPT_MISCONFIG:
		vcpu_refuse(vcpu, exit, EXIT_HOST_ERROR, "EPT misconfiguration at guest-physical 0x%llx: the hypervisor built a malformed EPT entry",
		     (unsigned long long)a->guest_phys);
		return;
	default:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "unexpected VM exit: %s (reason %u) at 0x%llx",
		     exit->name, basic, (unsigned long long)a->guest_rip);
		return;
	}
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
			    (unsigned long long)a->guest_phys, (unsigned long long)a->guest_linear,
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
