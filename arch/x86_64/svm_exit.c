/*
 * Running an SVM vCPU and decoding its exits.
 *
 * After VMRUN returns, the VMCB's EXITCODE says why the guest stopped and
 * EXITINFO1/EXITINFO2 add the details (an error code and a faulting
 * address, a port number, an MSR direction).  We turn them into the struct
 * x86_exit both backends share; x86_exit.c decides what happens, and this
 * file applies the result to the VMCB (RIP, RAX).  The exit the core cares
 * about most is the nested page fault (#NPF, 0x400): the guest touched a
 * guest-physical address our nested tables do not map, which for a minihv
 * guest means an access to the hypercall window.
 *
 * We never rely on NEXT_RIP (the CPU's "the instruction ended here"): QEMU's
 * -cpu max has no NRIPS, and Bochs writes it even on #NPF, where real
 * hardware does not.  So x86_exit.insn_len stays 0, and x86_exit.c takes
 * every length from the decoder.
 */
#include "svm.h"
#include "x86_exit.h"
#include "../../hv/run.h"
#include "../../hv/print.h"

static const char *exit_name(uint64_t code)
{
	if (code == SVM_EXIT_NPF)
		return "#NPF";          /* the hypercall exit: first */
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
	case SVM_EXIT_VINTR:    return "VINTR virtual interrupt";
	case SVM_EXIT_WBINVD:   return "WBINVD";
	case SVM_EXIT_CPUID:    return "CPUID";
	case SVM_EXIT_INVD:     return "INVD";
	case SVM_EXIT_HLT:      return "HLT";
	case SVM_EXIT_INVLPGA:  return "INVLPGA";
	case SVM_EXIT_IOIO:     return "I/O port access";
	case SVM_EXIT_MSR:      return "MSR access";
	case SVM_EXIT_SHUTDOWN: return "shutdown";
	case SVM_EXIT_VMRUN:    return "VMRUN";
	case SVM_EXIT_VMMCALL:  return "VMMCALL";
	case SVM_EXIT_RDPMC:    return "RDPMC";
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

/* The VMCB's EXITCODE and EXITINFO1/2, as the shared exit record. */
static void decode_exit(const struct svm_vcpu *v, struct x86_exit *x)
{
	const struct vmcb *vmcb = v->vmcb;
	uint64_t code = vmcb->exit_code, info = vmcb->exit_info1;

	x->rip = gva(vmcb->rip);
	x->raw_code = code;
	svm_guest_mode(vmcb, &x->mode);
	if ((uint32_t)code == SVM_EXIT_INVALID) {
		/* The VMCB is now unusable: both QEMU and Bochs overwrite its
		 * save area with host values.  We do not retry (which would
		 * mean rebuilding it): the VM is stopped. */
		x->kind = X86_EXIT_ENTRY_FAILED;
		hv_snprintf(x->entry.why, sizeof(x->entry.why),
			    "VMRUN refused the VMCB: it fails a consistency check that svm_check_vmcb does not know (Bochs names the check in its log, QEMU does not)");
		return;
	}
	if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
		unsigned vector = (unsigned)(code - SVM_EXIT_EXCP_BASE);
		x->kind = X86_EXIT_EXCEPTION;
		x->exception.vector = vector;
		x->exception.has_error = has_error_code(vector);
		x->exception.error = (uint32_t)info;
		x->exception.fault_addr = vmcb->exit_info2;
		x->exception.delivering = (vmcb->exit_int_info >> 31) & 1
					  ? (int)(vmcb->exit_int_info & 0xff) : -1;
		/* EXITINTINFO type (bits 10:8) 0: an external or virtual
		 * interrupt (APM vol. 2, 15.7.2). */
		x->exception.delivering_interrupt = x->exception.delivering >= 0 &&
						    ((vmcb->exit_int_info >> 8) & 7) == 0;
		return;
	}
	if (code >= SVM_EXIT_READ_DR0 && code < SVM_EXIT_WRITE_DR0 + 16) {
		/* With decode assists EXITINFO1 names the general-purpose
		 * register; without them (QEMU's max, Bochs) nobody does. */
		x->kind = X86_EXIT_DR;
		x->dr.write = code >= SVM_EXIT_WRITE_DR0;
		x->dr.dr = (unsigned)(code - (x->dr.write ? SVM_EXIT_WRITE_DR0 : SVM_EXIT_READ_DR0));
		x->dr.gpr = svm_caps.decode_assists ? (int)(info & MOV_DR_GPR_MASK) : -1;
		return;
	}
	switch (code) {
	case SVM_EXIT_NPF:
		x->kind = X86_EXIT_GPA;
		x->gpa.addr = gpa(vmcb->exit_info2);
		x->gpa.write = info & NPF_WRITE;
		x->gpa.fetch = info & NPF_FETCH;
		x->gpa.guest_walk = info & NPF_GUEST_TABLES;
		x->gpa.refusal = (info & NPF_RESERVED) ? X86_S2_RESERVED_BIT
				 : (info & NPF_PRESENT) ? X86_S2_PERMISSION : X86_S2_UNMAPPED;
		/* With decode assists the CPU hands us the instruction bytes. */
		if (svm_caps.decode_assists && vmcb->insn_fetched > 0) {
			x->gpa.bytes = vmcb->insn_bytes;
			x->gpa.n = vmcb->insn_fetched <= X86_MAX_INSN_LEN
				   ? vmcb->insn_fetched : X86_MAX_INSN_LEN;
		}
		return;
	case SVM_EXIT_CPUID:    x->kind = X86_EXIT_CPUID; return;
	case SVM_EXIT_XSETBV:   x->kind = X86_EXIT_XSETBV; return;
	case SVM_EXIT_HLT:      x->kind = X86_EXIT_HLT; return;
	case SVM_EXIT_NMI:      x->kind = X86_EXIT_NMI; return;
	case SVM_EXIT_SHUTDOWN: x->kind = X86_EXIT_SHUTDOWN; return;
	case SVM_EXIT_VMMCALL:  x->kind = X86_EXIT_VMCALL; return;
	case SVM_EXIT_RDPMC:    x->kind = X86_EXIT_RDPMC; return;
	case SVM_EXIT_MSR:
		x->kind = X86_EXIT_MSR;
		x->msr.msr = (uint32_t)v->gpr[X86_RCX];
		x->msr.write = info != 0;
		return;
	case SVM_EXIT_IOIO:
		/* EXITINFO1: IN bit 0, string bit 2, REP bit 3, the size
		 * one-hot in bits 6:4 (1, 2 or 4 bytes), the port in 31:16. */
		x->kind = X86_EXIT_IO;
		x->io.in = info & IOIO_IN;
		x->io.string = info & IOIO_STRING;
		x->io.rep = info & IOIO_REP;
		x->io.size = (uint8_t)((info >> 4) & 7);
		x->io.port = (uint16_t)(info >> 16);
		return;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		x->kind = X86_EXIT_NESTED;
		return;
	case SVM_EXIT_VINTR:    x->kind = X86_EXIT_INTR_WINDOW; return;
	case SVM_EXIT_INTR:     x->kind = X86_EXIT_TIMER; return;
	case SVM_EXIT_WBINVD:   x->kind = X86_EXIT_WBINVD; return;
	case SVM_EXIT_INVD:     x->kind = X86_EXIT_INVD; return;
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_ARMED:
		x->kind = X86_EXIT_FORBIDDEN;
		return;
	default:
		x->kind = X86_EXIT_UNKNOWN;
		return;
	}
}

void svm_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct svm_vcpu *v = vcpu->arch;
	struct vmcb *vmcb = v->vmcb;

	/* Each pass is one entry; the fast path below loops back here. */
enter:
	vmcb->rax = v->gpr[X86_RAX];
	vmcb->rsp = v->gpr[X86_RSP];
	/* VMRUN loads the guest's CR2 from the VMCB (and #VMEXIT saves it
	 * there), so no guest sees another's -- except under Bochs 2.7, whose
	 * VMRUN reads the field but never loads it.  Loading it here as well
	 * costs one instruction. */
	write_cr2(vmcb->cr2);
	/*
	 * The watchdog: SVM has no timer of its own that runs in guest mode,
	 * so the firmware's timer interrupt (about every 10 ms) does it.
	 * With the INTR intercept and the host's IF set at VMRUN, a physical
	 * interrupt makes the guest exit at the next instruction boundary,
	 * whatever the guest's own IF (V_INTR_MASKING: the guest's IF masks
	 * only virtual interrupts), and the exit handler compares the clock
	 * with the deadline.  Without the watchdog neither is set, as before:
	 * interrupts stay pending for the firmware until minihv is done.
	 * The VMCB's clean bits are all 0 (svm_vmcb.c), so the CPU rereads
	 * the intercepts at this VMRUN.
	 */
	bool watch = x86_watchdog_armed();
	if (watch)
		vmcb->intercept_misc1 |= INTERCEPT1_INTR;
	else
		vmcb->intercept_misc1 &= ~INTERCEPT1_INTR;
	svm_enter_guest(v->gpr, v->vmcb_pa, svm_host_state_pa, watch);
	if ((uint32_t)vmcb->exit_code == SVM_EXIT_INTR) {
		/*
		 * The interrupt that made the guest exit is still pending
		 * (the CPU exits before acknowledging it): if it were left so,
		 * the next VMRUN would exit again at once, for ever.  Let the
		 * firmware's handler take it now, through the host IDT (a copy
		 * of the firmware's, svm_cpu.c), on our stack as for any UEFI
		 * application: STI takes effect after the instruction that
		 * follows it, so the NOP is the one boundary where the
		 * interrupt is delivered, and CLI closes the window again.
		 */
		x86_take_pending_interrupts();
	}
	v->gpr[X86_RAX] = vmcb->rax;
	v->gpr[X86_RSP] = vmcb->rsp;
	v->exit_rip = vmcb->rip;
	/* TLB_CONTROL acts at every VMRUN: the flush asked for is done. */
	vmcb->tlb_control = TLB_CONTROL_NOTHING;

	/*
	 * The hypercall first (x86_gpa_fast): a #NPF on a guest-physical
	 * page nothing maps, by an ordinary data access -- not a fetch, not
	 * during the guest's walk, no present entry's refusal -- from 64-bit
	 * code under 4-level paging.  Straight from the VMCB, without the
	 * exit record; whatever the fast path does not take goes the full
	 * way below, checked again from the start.
	 */
	uint64_t info = vmcb->exit_info1;
	if (vmcb->exit_code == SVM_EXIT_NPF &&
	    !(info & (NPF_PRESENT | NPF_RESERVED | NPF_FETCH | NPF_GUEST_TABLES)) &&
	    x86_mode_is_long4(vmcb->cr0, vmcb->cr4, vmcb->efer, vmcb->cs.attrib & ATTRIB_L)) {
		const uint8_t *bytes = NULL;
		size_t n = 0;
		if (svm_caps.decode_assists && vmcb->insn_fetched > 0) {
			bytes = vmcb->insn_bytes;
			n = vmcb->insn_fetched <= X86_MAX_INSN_LEN ? vmcb->insn_fetched
								    : X86_MAX_INSN_LEN;
		}
		exit->name = "#NPF";
		if (x86_gpa_fast(vcpu, gpa(vmcb->exit_info2), info & NPF_WRITE, gva(vmcb->rip),
				 gpa(vmcb->cr3 & 0x000ffffffffff000ull), bytes, n, v->gpr,
				 &v->insn, exit)) {
			/*
			 * A window access, decoded.  The core's hv_fast_mmio
			 * (hv/run.h) serves the value registers here, with
			 * hypercall_mmio's checks (a CPL 3 access is refused,
			 * by the ordinary path), and counts the exit as
			 * vcpu_run would; the access is completed as
			 * svm_vcpu_mmio_done completes it, and the guest goes
			 * on without the round trip through vcpu_run -- once
			 * the watchdog's deadline has been checked, as
			 * arch_vcpu_run checks it before every entry.  The
			 * INTR intercept stays as it was: the timer still
			 * ends a guest that loops on the window.  Anything
			 * hv_fast_mmio declines (CALL, PUTC, a refusal) is
			 * returned as the EXIT_MMIO x86_gpa_fast made of it.
			 */
			uint64_t value;
			if (!hv_fast_mmio(vcpu, &exit->mmio, vmcb->cpl == 3, &value))
				return;
			x86_mmio_complete(&v->insn, v->gpr, value);
			vmcb->rip += v->insn.len;
			if (!x86_watchdog_allows_entry(exit))
				return;
			goto enter;
		}
	}

	struct x86_exit x;
	x86_exit_clear(&x);
	exit->name = exit_name(vmcb->exit_code);
	decode_exit(v, &x);
	/* v->gpr is complete here: RAX and RSP were copied out of the VMCB
	 * above, and a CPUID's results land there, to be copied back in
	 * before the next VMRUN. */
	vmcb->rip += x86_exit_handle(vcpu, &x, v->gpr, &v->insn, exit);
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
