/*
 * The VMX world switch.
 *
 * VM entry loads the guest's RIP, RSP, RFLAGS, control and segment
 * registers from the VMCS, and VM exit loads the host's from it -- but the
 * general-purpose registers other than RSP are not in the VMCS: they pass
 * through unchanged in both directions.  So we load the guest's from an
 * array just before VMLAUNCH/VMRESUME, and save them first thing at the
 * exit.  The array is in the instruction encoding's order (x86.h's
 * enum x86_gpr): RAX RCX RDX RBX RSP RBP RSI RDI R8..R15, 8 bytes each.
 * Its RSP slot is ignored here; vmx_exit.c copies it to and from the VMCS.
 * CR2 is not in the VMCS either, and a guest can write it without an exit:
 * the guest's, kept right after the array (struct vmx_vcpu), is loaded
 * before entry and saved at the exit, so no guest sees another's.
 *
 * A VM exit does not "return" anywhere: the CPU jumps to HOST_RIP
 * (vmx_exit_stub) with RSP = HOST_RSP.  vmx_enter_guest writes HOST_RSP
 * at each entry, pointing at what it pushed, so the stub finds the array's
 * address on top of the stack and can return from vmx_enter_guest as if
 * VMLAUNCH had been an ordinary call.
 *
 *   int vmx_enter_guest(uint64_t *gprs, int resume)
 */
#define VMCS_HOST_RSP 0x6c14

	.text
	.global vmx_enter_guest
	.type vmx_enter_guest, @function
vmx_enter_guest:
	/* The C caller expects these to survive (SysV ABI). */
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi			/* gprs, for vmx_exit_stub */

	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	2f

	/* Before the TEST below: MOV to CR2 leaves the flags undefined. */
	mov	16*8(%rdi), %rax
	mov	%rax, %cr2

	/* MOVs keep the flags: ZF says VMLAUNCH or VMRESUME below. */
	test	%esi, %esi
	mov	0*8(%rdi), %rax
	mov	1*8(%rdi), %rcx
	mov	2*8(%rdi), %rdx
	mov	3*8(%rdi), %rbx
	mov	5*8(%rdi), %rbp
	mov	6*8(%rdi), %rsi
	mov	8*8(%rdi), %r8
	mov	9*8(%rdi), %r9
	mov	10*8(%rdi), %r10
	mov	11*8(%rdi), %r11
	mov	12*8(%rdi), %r12
	mov	13*8(%rdi), %r13
	mov	14*8(%rdi), %r14
	mov	15*8(%rdi), %r15
	mov	7*8(%rdi), %rdi		/* last: it was the pointer */
	jz	1f
	vmresume
	jmp	2f
1:	vmlaunch

	/* Reached only if the instruction failed: CF=1 VMfailInvalid,
	 * ZF=1 VMfailValid.  The guest's values in the registers are
	 * simply dropped. */
2:	mov	$1, %eax
	jc	3f
	mov	$2, %eax
3:	pop	%rdi
	jmp	restore_host

/* HOST_RIP.  Interrupts are off (VM exit clears RFLAGS), RSP = HOST_RSP. */
	.global vmx_exit_stub
	.type vmx_exit_stub, @function
vmx_exit_stub:
	xchg	%rdi, (%rsp)		/* rdi = gprs; the guest's rdi on the stack */
	mov	%rax, 0*8(%rdi)
	mov	%rcx, 1*8(%rdi)
	mov	%rdx, 2*8(%rdi)
	mov	%rbx, 3*8(%rdi)
	mov	%rbp, 5*8(%rdi)
	mov	%rsi, 6*8(%rdi)
	popq	7*8(%rdi)
	mov	%r8, 8*8(%rdi)
	mov	%r9, 9*8(%rdi)
	mov	%r10, 10*8(%rdi)
	mov	%r11, 11*8(%rdi)
	mov	%r12, 12*8(%rdi)
	mov	%r13, 13*8(%rdi)
	mov	%r14, 14*8(%rdi)
	mov	%r15, 15*8(%rdi)
	mov	%cr2, %rax
	mov	%rax, 16*8(%rdi)
	xor	%eax, %eax

restore_host:
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret

	.section .note.GNU-stack, "", @progbits
