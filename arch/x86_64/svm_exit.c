/*
 * Running an SVM vCPU and making sense of its exits.
 *
 * After VMRUN returns, the VMCB's EXITCODE says why the guest stopped and
 * EXITINFO1/EXITINFO2 add the details (an error code and a faulting
 * address, a port number, an MSR direction).  The exit the core cares about
 * most is the nested page fault (#NPF, 0x400): the guest touched a
 * guest-physical address our nested tables do not map, which for a minihv
 * guest means an access to the hypercall window.  Unlike Arm's data abort,
 * #NPF does not say how wide the access was or which register it used, so
 * we read the instruction at RIP and decode it (x86_decode.c).
 *
 * We never rely on NEXT_RIP (the CPU's "the instruction ended here"): QEMU's
 * -cpu max has no NRIPS, and Bochs writes it even on #NPF, where real
 * hardware does not.  Lengths come from the decoder -- for CPUID too: the
 * guest may put prefixes in front of its two bytes (66 0f a2), and stepping
 * by two would resume it in the middle of the instruction.
 */
#include "svm.h"
#include "../../hv/print.h"
#include "../../hv/run.h"

static const uint8_t opcode_cpuid[] = { 0x0f, 0xa2 };
static const uint8_t opcode_xsetbv[] = { 0x0f, 0x01, 0xd1 };

static const char *exit_name(uint64_t code)
{
	if ((uint32_t)code == SVM_EXIT_INVALID)
		return "VMEXIT_INVALID";
	if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32)
		return x86_exception_name((unsigned)(code - SVM_EXIT_EXCP_BASE));
	if (code < 0x10)
		return "CR read";
	if (code < 0x20)
		return "CR write";
	if (code < 0x40)
		return "MOV DR";    /* as VMX names it */
	switch (code) {
	case SVM_EXIT_INTR:     return "INTR physical interrupt";
	case SVM_EXIT_NMI:      return "NMI";
	case SVM_EXIT_CPUID:    return "CPUID";
	case SVM_EXIT_INVD:     return "INVD";
	case SVM_EXIT_HLT:      return "HLT";
	case SVM_EXIT_INVLPGA:  return "INVLPGA";
	case SVM_EXIT_IOIO:     return "I/O port access";
	case SVM_EXIT_MSR:      return "MSR access";
	case SVM_EXIT_SHUTDOWN: return "shutdown";
	case SVM_EXIT_VMRUN:    return "VMRUN";
	case SVM_EXIT_VMMCALL:  return "VMMCALL";
	case SVM_EXIT_VMLOAD:   return "VMLOAD";
	case SVM_EXIT_VMSAVE:   return "VMSAVE";
	case SVM_EXIT_STGI:     return "STGI";
	case SVM_EXIT_CLGI:     return "CLGI";
	case SVM_EXIT_SKINIT:   return "SKINIT";
	case SVM_EXIT_MONITOR:  return "MONITOR";
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_ARMED: return "MWAIT";
	case SVM_EXIT_XSETBV:   return "XSETBV";
	case SVM_EXIT_NPF:      return "#NPF";
	default:                return "unexpected exit";
	}
}

/* Which exceptions push an error code (EXITINFO1 then holds it). */
static bool has_error_code(unsigned vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 ||
	       vector == 21 || vector == 29 || vector == 30;
}

/*
 * The length of the intercepted instruction at RIP, which must be the
 * operand-less instruction op (name says which).  false, with the guest
 * stopped, if the bytes there cannot be read or are something else.
 */
static bool intercepted_insn_len(struct vcpu *vcpu, struct vm_exit *exit,
				 const char *name, const uint8_t *op, size_t oplen,
				 uint8_t *len)
{
	struct svm_vcpu *v = vcpu->arch;
	uint8_t bytes[X86_MAX_INSN_LEN];
	char why[120];
	int err;
	size_t n = x86_fetch_guest_insn(vcpu, gva(v->vmcb->rip), bytes, &err);

	if (n == 0) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s intercepted at rip 0x%llx, but the instruction there cannot be read: %s",
			    name, (unsigned long long)v->vmcb->rip, mm_strerror(err));
		return false;
	}
	if (x86_decode_plain(bytes, n, op, oplen, len, why, sizeof(why)) != X86_DECODE_OK) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s intercepted at rip 0x%llx, but the instruction there is not %s: %s",
			    name, (unsigned long long)v->vmcb->rip, name, why);
		return false;
	}
	return true;
}

/* A #NPF: the guest touched a guest-physical address we do not map. */
static void nested_page_fault(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct svm_vcpu *v = vcpu->arch;
	const struct vmcb *vmcb = v->vmcb;
	uint64_t info = vmcb->exit_info1;
	uint64_t addr = vmcb->exit_info2;

	if (info & NPF_GUEST_TABLES) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "guest page-table walk touched unmapped GPA 0x%llx (not RAM)",
			    (unsigned long long)addr);
		return;
	}
	if (info & (NPF_PRESENT | NPF_RESERVED)) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s of GPA 0x%llx refused by the nested page tables (%s)",
			    (info & NPF_FETCH) ? "instruction fetch" : (info & NPF_WRITE) ? "write" : "read",
			    (unsigned long long)addr,
			    (info & NPF_RESERVED) ? "reserved bit set" : "permission");
		return;
	}
	if (info & NPF_FETCH) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "instruction fetch from GPA 0x%llx, which is not RAM",
			    (unsigned long long)addr);
		return;
	}

	/* A load or store to unmapped guest-physical memory: MMIO.  With
	 * decode assists the CPU hands us the instruction bytes. */
	struct x86_mmio_fault f = { .rip = gva(vmcb->rip), .gpa = gpa(addr),
				    .write = info & NPF_WRITE };
	if (svm_caps.decode_assists && vmcb->insn_fetched > 0) {
		f.bytes = vmcb->insn_bytes;
		f.n = vmcb->insn_fetched <= X86_MAX_INSN_LEN ? vmcb->insn_fetched : X86_MAX_INSN_LEN;
	}
	/* v->gpr is complete here: svm_vcpu_run copied RAX and RSP out of
	 * the VMCB. */
	x86_mmio_exit(vcpu, &f, v->gpr, &v->insn, exit, v->reason, sizeof(v->reason));
}

static void exception(struct vcpu *vcpu, struct vm_exit *exit, unsigned vector)
{
	struct svm_vcpu *v = vcpu->arch;
	const struct vmcb *vmcb = v->vmcb;
	char code[40] = "";

	if (has_error_code(vector))
		hv_snprintf(code, sizeof(code), ", error code 0x%llx",
			    (unsigned long long)vmcb->exit_info1);
	if (vector == 14) {
		uint64_t ec = vmcb->exit_info1;
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "the guest took an exception at rip 0x%llx: %s %s gva 0x%llx (%s%s)%s",
			    (unsigned long long)vmcb->rip,
			    (ec & 0x10) ? "instruction fetch from" : (ec & 2) ? "write to" : "read of",
			    (ec & 4) ? "user" : "supervisor", (unsigned long long)vmcb->exit_info2,
			    (ec & 1) ? "protection violation" : "not present",
			    (ec & 8) ? ", reserved bit set" : "", code);
	} else {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "the guest took an exception at rip 0x%llx%s",
			    (unsigned long long)vmcb->rip, code);
	}
}

static void port_access(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct svm_vcpu *v = vcpu->arch;
	uint64_t info = v->vmcb->exit_info1;
	unsigned size = (info >> 4) & 7;  /* bits 4..6, one-hot: 1, 2 or 4 bytes */
	vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s%s of %u byte%s %s port 0x%x: minihv guests have no I/O ports",
		    (info & IOIO_REP) ? "REP " : "",
		    (info & IOIO_IN) ? ((info & IOIO_STRING) ? "INS" : "IN") :
				       ((info & IOIO_STRING) ? "OUTS" : "OUT"),
		    size, size == 1 ? "" : "s",
		    (info & IOIO_IN) ? "from" : "to", (unsigned)(info >> 16) & 0xffff);
}

/*
 * MOV to or from a debug register (exit codes 0x20..0x3f).  With decode
 * assists EXITINFO1 names the general-purpose register; without them (QEMU's
 * max, Bochs) the reason leaves it out.
 */
static void dr_access(struct svm_vcpu *v, struct vm_exit *exit, uint64_t code)
{
	bool write = code >= SVM_EXIT_WRITE_DR0;
	unsigned dr = (unsigned)(code - (write ? SVM_EXIT_WRITE_DR0 : SVM_EXIT_READ_DR0));
	int gpr = svm_caps.decode_assists ? (int)(v->vmcb->exit_info1 & MOV_DR_GPR_MASK) : -1;

	x86_dr_refusal(v->reason, sizeof(v->reason), dr, write, gpr, v->gpr);
	exit->kind = EXIT_GUEST_FAULT;
	exit->reason = v->reason;
}

/* XSETBV: checked and refused by x86_emulate_xsetbv, unless it changes
 * nothing; then step past it, by its decoded length. */
static void emulate_xsetbv(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct svm_vcpu *v = vcpu->arch;
	uint8_t len;

	if (!intercepted_insn_len(vcpu, exit, "XSETBV", opcode_xsetbv, sizeof(opcode_xsetbv), &len))
		return;
	if (!x86_emulate_xsetbv(v->gpr, v->reason, sizeof(v->reason))) {
		exit->kind = EXIT_GUEST_FAULT;
		exit->reason = v->reason;
		return;
	}
	v->vmcb->rip += len;
	exit->kind = EXIT_HANDLED;
}

static void handle_exit(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct svm_vcpu *v = vcpu->arch;
	struct vmcb *vmcb = v->vmcb;
	uint64_t code = vmcb->exit_code;

	exit->name = exit_name(code);
	exit->reason = NULL;

	if ((uint32_t)code == SVM_EXIT_INVALID) {
		/* The VMCB is now unusable: both QEMU and Bochs overwrite its
		 * save area with host values.  We do not retry (which would
		 * mean rebuilding it): the VM is stopped. */
		hv_snprintf(v->reason, sizeof(v->reason),
			    "VMRUN refused the VMCB: it fails a consistency check that svm_check_vmcb does not know (Bochs names the check in its log, QEMU does not)");
		exit->kind = EXIT_HOST_ERROR;
		exit->reason = v->reason;
		return;
	}
	if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
		exception(vcpu, exit, (unsigned)(code - SVM_EXIT_EXCP_BASE));
		return;
	}
	if (code >= SVM_EXIT_READ_DR0 && code < SVM_EXIT_WRITE_DR0 + 16) {
		dr_access(v, exit, code);
		return;
	}
	switch (code) {
	case SVM_EXIT_NPF:
		nested_page_fault(vcpu, exit);
		return;
	case SVM_EXIT_CPUID: {
		uint8_t len;
		if (!intercepted_insn_len(vcpu, exit, "CPUID", opcode_cpuid,
					  sizeof(opcode_cpuid), &len))
			return;
		x86_emulate_cpuid((uint32_t)v->gpr[X86_RAX], (uint32_t)v->gpr[X86_RCX],
				  &v->gpr[X86_RAX], &v->gpr[X86_RBX], &v->gpr[X86_RCX],
				  &v->gpr[X86_RDX]);
		vmcb->rip += len;
		exit->kind = EXIT_HANDLED;
		return;
	}
	case SVM_EXIT_XSETBV:
		emulate_xsetbv(vcpu, exit);
		return;
	case SVM_EXIT_HLT:
		exit->kind = EXIT_HALT;
		return;
	case SVM_EXIT_NMI:
		x86_nmi_refusal(v->reason, sizeof(v->reason), vmcb->rip);
		exit->kind = EXIT_GUEST_FAULT;
		exit->reason = v->reason;
		return;
	case SVM_EXIT_VMMCALL:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "VMMCALL is not part of the minihv ABI (hypercalls are MMIO)");
		return;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s at rip 0x%llx: minihv does not offer nested virtualization",
			    exit->name, (unsigned long long)vmcb->rip);
		return;
	case SVM_EXIT_IOIO:
		port_access(vcpu, exit);
		return;
	case SVM_EXIT_MSR:
		x86_msr_refusal(v->reason, sizeof(v->reason), (uint32_t)v->gpr[X86_RCX],
				vmcb->exit_info1 != 0,
				(v->gpr[X86_RDX] << 32) | (uint32_t)v->gpr[X86_RAX]);
		exit->kind = EXIT_GUEST_FAULT;
		exit->reason = v->reason;
		return;
	case SVM_EXIT_SHUTDOWN:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "shutdown: the guest triple-faulted at rip 0x%llx",
			    (unsigned long long)vmcb->rip);
		return;
	case SVM_EXIT_INVD:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_ARMED:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s at rip 0x%llx is not allowed in a minihv guest",
			    exit->name, (unsigned long long)vmcb->rip);
		return;
	default:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "exit code 0x%llx was not expected (nothing intercepts it)",
			    (unsigned long long)code);
		return;
	}
}

void svm_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct svm_vcpu *v = vcpu->arch;
	struct vmcb *vmcb = v->vmcb;

	vmcb->rax = v->gpr[X86_RAX];
	vmcb->rsp = v->gpr[X86_RSP];
	/* VMRUN loads the guest's CR2 from the VMCB (and #VMEXIT saves it
	 * there), so no guest sees another's -- except under Bochs 2.7, whose
	 * VMRUN reads the field but never loads it.  Loading it here as well
	 * costs one instruction. */
	write_cr2(vmcb->cr2);
	svm_enter_guest(v->gpr, v->vmcb_pa, svm_host_state_pa);
	v->gpr[X86_RAX] = vmcb->rax;
	v->gpr[X86_RSP] = vmcb->rsp;
	v->exit_rip = vmcb->rip;
	/* TLB_CONTROL acts at every VMRUN: the flush asked for is done. */
	vmcb->tlb_control = TLB_CONTROL_NOTHING;

	handle_exit(vcpu, exit);
}

void svm_vcpu_mmio_done(struct vcpu *vcpu, const struct vm_exit *exit, uint64_t value)
{
	struct svm_vcpu *v = vcpu->arch;
	(void)exit;

	/* A load into RAX lands in gpr[] too: svm_vcpu_run copies it into
	 * the VMCB before the next VMRUN. */
	x86_mmio_complete(&v->insn, v->gpr, value);
	v->vmcb->rip += v->insn.len;
}

/* ---- the long description ---- */

/* EXITINFO1/2 in words, for the exits that have any. */
static void describe_info(const struct svm_vcpu *v, char *buf, size_t len)
{
	const struct vmcb *vmcb = v->vmcb;
	uint64_t code = vmcb->exit_code, i1 = vmcb->exit_info1, i2 = vmcb->exit_info2;

	if (code == SVM_EXIT_NPF)
		hv_snprintf(buf, len, "%s %s of GPA 0x%llx%s%s",
			    (i1 & NPF_PRESENT) ? "protection fault:" : "not mapped:",
			    (i1 & NPF_FETCH) ? "fetch" : (i1 & NPF_WRITE) ? "write" : "read",
			    (unsigned long long)i2,
			    (i1 & NPF_FINAL_GPA) ? ", final translation" : "",
			    (i1 & NPF_GUEST_TABLES) ? ", during the guest's page-table walk" : "");
	else if (code == SVM_EXIT_EXCP_BASE + 14)
		hv_snprintf(buf, len, "error code 0x%llx, fault address 0x%llx",
			    (unsigned long long)i1, (unsigned long long)i2);
	else if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32 &&
		 has_error_code((unsigned)(code - SVM_EXIT_EXCP_BASE)))
		hv_snprintf(buf, len, "error code 0x%llx", (unsigned long long)i1);
	else if (code == SVM_EXIT_IOIO)
		hv_snprintf(buf, len, "%s port 0x%llx", (i1 & IOIO_IN) ? "in from" : "out to",
			    (unsigned long long)(i1 >> 16));
	else if (code == SVM_EXIT_MSR)
		hv_snprintf(buf, len, "%s ECX 0x%llx", i1 ? "write" : "read",
			    (unsigned long long)(uint32_t)v->gpr[X86_RCX]);
	else if ((uint32_t)code == SVM_EXIT_INVALID)
		hv_snprintf(buf, len, "the VMCB save area now holds host values");
	else
		buf[0] = '\0';
}

void svm_describe_exit(const struct vcpu *vcpu, const struct vm_exit *exit,
		       char *buf, size_t len)
{
	const struct svm_vcpu *v = vcpu->arch;
	const struct vmcb *vmcb = v->vmcb;
	uint64_t code = vmcb->exit_code;
	char info[120];
	char bytes[3 * X86_MAX_INSN_LEN + 1] = "";
	(void)exit;

	describe_info(v, info, sizeof(info));
	/* The instruction, for the exits caused by one.  exit_rip, not RIP:
	 * by now the core may have stepped past it. */
	bool insn = code == SVM_EXIT_NPF ||
		    (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32);
	if (insn) {
		uint8_t b[X86_MAX_INSN_LEN];
		int err;
		size_t n = x86_fetch_guest_insn(vcpu, gva(v->exit_rip), b, &err);
		size_t at = 0;
		for (size_t i = 0; i < n && at + 4 <= sizeof(bytes); i++)
			at += (size_t)hv_snprintf(bytes + at, sizeof(bytes) - at, "%s%02x",
						  i ? " " : "", b[i]);
		if (n == 0)
			hv_snprintf(bytes, sizeof(bytes), "unreadable");
	}
	hv_snprintf(buf, len, "exit 0x%llx %s: EXITINFO1 0x%llx EXITINFO2 0x%llx%s%s; RIP 0x%llx%s%s%s%s",
		    (unsigned long long)code, exit_name(code),
		    (unsigned long long)vmcb->exit_info1, (unsigned long long)vmcb->exit_info2,
		    info[0] ? ": " : "", info, (unsigned long long)v->exit_rip,
		    insn ? " [" : "", bytes, insn ? "]" : "",
		    (vmcb->exit_int_info >> 31) & 1 ? " (while delivering an event)" : "");
}
