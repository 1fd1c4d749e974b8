/*
 * VMRUN: entering an SVM guest and coming back.
 *
 *   void svm_enter_guest(uint64_t gpr[16], uint64_t vmcb_pa,
 *                        uint64_t host_state_pa, uint64_t host_if);
 *
 * VMRUN saves part of the host's state in the host save area (VM_HSAVE_PA):
 * RIP, RSP, RAX, RFLAGS, CR0/3/4, EFER, GDTR/IDTR, CS/SS/DS/ES.  At the
 * #VMEXIT the CPU reloads exactly those and continues after the VMRUN, with
 * RSP and RAX as they were.  Everything else is ours to handle:
 *
 *   - The general-purpose registers other than RAX and RSP are not in the
 *     VMCB.  We load the guest's from gpr[] before VMRUN and store them back
 *     after it; the host's callee-saved ones wait on our stack.
 *   - FS, GS, TR, LDTR (with their hidden bases) and the SYSCALL/SYSENTER
 *     MSRs, KernelGsBase: VMRUN leaves them alone, so a guest could change
 *     the host's.  VMSAVE/VMLOAD move exactly that set between the CPU and a
 *     VMCB-format page: VMSAVE the host's to host_state, VMLOAD the guest's
 *     from its VMCB; on the way back, the reverse.
 *   - GIF, the global interrupt flag: CLGI before all this holds off every
 *     interrupt, NMI and SMI while the CPU is half host, half guest; VMRUN
 *     sets GIF for the guest and #VMEXIT clears it; STGI at the end.
 *   - RFLAGS.IF, for the watchdog (svm_exit.c): with V_INTR_MASKING the
 *     host's IF, as VMRUN saves it, decides whether physical interrupts
 *     are taken while the guest runs (APM vol. 2, 15.21.1); with the INTR
 *     intercept, "taken" means a #VMEXIT before the interrupt is
 *     acknowledged.  host_if != 0 sets IF after CLGI -- GIF=0 still holds
 *     every interrupt off here -- and #VMEXIT brings that RFLAGS back, so
 *     IF is cleared again before STGI: the interrupt that made the guest
 *     exit stays pending, and the C code decides when it is delivered.
 *
 * gpr[] is in encoding order: RAX RCX RDX RBX RSP RBP RSI RDI R8..R15.
 * The System V ABI: gpr in %rdi, vmcb_pa in %rsi, host_state_pa in %rdx,
 * host_if in %rcx;
 * %rbx %rbp %r12-%r15 must survive the call.
 */
#define GPR_RCX (1 * 8)
#define GPR_RDX (2 * 8)
#define GPR_RBX (3 * 8)
#define GPR_RBP (5 * 8)
#define GPR_RSI (6 * 8)
#define GPR_RDI (7 * 8)
#define GPR_R8  (8 * 8)
#define GPR_R9  (9 * 8)
#define GPR_R10 (10 * 8)
#define GPR_R11 (11 * 8)
#define GPR_R12 (12 * 8)
#define GPR_R13 (13 * 8)
#define GPR_R14 (14 * 8)
#define GPR_R15 (15 * 8)

/* Our stack frame below the callee-saved registers. */
#define SLOT_HOST_STATE 0
#define SLOT_VMCB       8
#define SLOT_GPR        16

	.text
	.global svm_enter_guest
	.type svm_enter_guest, @function
svm_enter_guest:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rdi			/* SLOT_GPR */
	pushq	%rsi			/* SLOT_VMCB */
	pushq	%rdx			/* SLOT_HOST_STATE */

	clgi
	testq	%rcx, %rcx
	jz	1f
	sti				/* GIF=0: nothing is delivered yet */
1:
	movq	%rdx, %rax
	vmsave	%rax			/* the host's FS, GS, TR, LDTR, MSRs */
	movq	%rsi, %rax
	vmload	%rax			/* the guest's */

	/* The guest's registers; RDI last, it holds the gpr pointer. */
	movq	GPR_RCX(%rdi), %rcx
	movq	GPR_RDX(%rdi), %rdx
	movq	GPR_RBX(%rdi), %rbx
	movq	GPR_RBP(%rdi), %rbp
	movq	GPR_RSI(%rdi), %rsi
	movq	GPR_R8(%rdi), %r8
	movq	GPR_R9(%rdi), %r9
	movq	GPR_R10(%rdi), %r10
	movq	GPR_R11(%rdi), %r11
	movq	GPR_R12(%rdi), %r12
	movq	GPR_R13(%rdi), %r13
	movq	GPR_R14(%rdi), %r14
	movq	GPR_R15(%rdi), %r15
	movq	GPR_RDI(%rdi), %rdi

	vmrun	%rax			/* RAX = the VMCB's physical address */

	/*
	 * #VMEXIT: RSP, RAX, RFLAGS and the control registers are the
	 * host's again, GIF is 0; every other GPR still holds the guest's
	 * value.  Free one register (the guest's RDI) to find gpr[].
	 */
	pushq	%rdi
	movq	8 + SLOT_GPR(%rsp), %rdi
	movq	%rcx, GPR_RCX(%rdi)
	movq	%rdx, GPR_RDX(%rdi)
	movq	%rbx, GPR_RBX(%rdi)
	movq	%rbp, GPR_RBP(%rdi)
	movq	%rsi, GPR_RSI(%rdi)
	movq	%r8, GPR_R8(%rdi)
	movq	%r9, GPR_R9(%rdi)
	movq	%r10, GPR_R10(%rdi)
	movq	%r11, GPR_R11(%rdi)
	movq	%r12, GPR_R12(%rdi)
	movq	%r13, GPR_R13(%rdi)
	movq	%r14, GPR_R14(%rdi)
	movq	%r15, GPR_R15(%rdi)
	popq	GPR_RDI(%rdi)

	movq	SLOT_VMCB(%rsp), %rax
	vmsave	%rax			/* the guest's FS, GS, TR, LDTR, MSRs */
	movq	SLOT_HOST_STATE(%rsp), %rax
	vmload	%rax			/* the host's, back */
	cli				/* a pending interrupt waits for svm_exit.c */
	stgi

	addq	$24, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size svm_enter_guest, . - svm_enter_guest

/*
 * Vector 2 of the host's IDT while SVM is on (svm_cpu.c: load_host_idt).  An
 * NMI that made a guest exit is still pending at the STGI above and is
 * delivered here, on our stack (same privilege, no IST); the exit handler
 * reports it, so there is nothing to do but return.  IRETQ also ends the
 * CPU's blocking of further NMIs.
 */
	.global svm_nmi_return
	.type svm_nmi_return, @function
svm_nmi_return:
	iretq
	.size svm_nmi_return, . - svm_nmi_return

	/* No executable stack needed (silences the linker's warning). */
	.section .note.GNU-stack, "", @progbits
