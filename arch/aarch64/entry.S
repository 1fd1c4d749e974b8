/*
 * Guest entry and exit, and the EL2 exception vectors.
 *
 * arm_enter_guest(regs) loads all 31 guest registers and ERETs into EL1.
 * When the guest traps, the CPU jumps to one of the "lower EL" vectors
 * below, which saves the guest's registers back into regs and returns from
 * arm_enter_guest as if it had been an ordinary call, with the vector's
 * number (0 sync, 1 IRQ, 2 FIQ, 3 SError; 4-7 the same from AArch32) as
 * its result.
 *
 * This is the exit path, so it is short.  The hypervisor's own registers
 * are not all spilled here: the one caller (vcpu.c, enter_guest) tells
 * the compiler that the call clobbers x1-x28 and x30, so the compiler
 * keeps only what it still needs -- and arch_vcpu_run, which must keep
 * its caller's x19-x28 anyway, saves them once in its prologue.  Only
 * x29 (the frame pointer, which asm cannot name as clobbered) and x30
 * (the return address) are pushed here.  The stack pointer needs no
 * saving at all: the guest runs on SP_EL1 and cannot touch SP_EL2, so at
 * the exit SP_EL2 is where the ERET left it.
 *
 * A synchronous exit first tries the fast path (guest_sync, below): a
 * hypercall the C function arm_fast_exit serves on the spot re-enters the
 * guest from there, without returning from arm_enter_guest at all.
 *
 * TPIDR_EL2 holds the regs pointer while the guest runs: the vector has no
 * free register to find it otherwise.
 */
#define REGS_ELR       0x0f8    /* ELR, then SPSR at 0x100: one LDP/STP */

	.text
	.global arm_enter_guest
	.type arm_enter_guest, %function
arm_enter_guest:
	stp	x29, x30, [sp, #-16]!
	msr	tpidr_el2, x0
enter_regs:			/* x0: the regs, as TPIDR_EL2 holds them */
	ldp	x1, x2, [x0, #REGS_ELR]
	msr	elr_el2, x1
	msr	spsr_el2, x2

	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret
	/* ERET is not a branch the CPU may speculate past. */
	dsb	nsh
	isb

/*
 * Save the guest's x0-x30 into regs, leaving x0 = regs.  On entry: guest
 * x0, x1 pushed on the stack; x1 is free, every other register still holds
 * the guest's value.
 */
	.macro	save_guest_gprs
	mrs	x0, tpidr_el2
	stp	x2, x3, [x0, #16]
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	stp	x14, x15, [x0, #112]
	stp	x16, x17, [x0, #128]
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #0]
	.endm

/*
 * A synchronous exit: perhaps a hypercall the fast path serves (vcpu.c,
 * arm_fast_exit).  That C function runs here, on arm_enter_guest's frame
 * (16-byte aligned), while x19-x29 still hold the guest's values -- which
 * it keeps, as any function keeps them, so it costs no spill of anyone's
 * registers.  It reads ELR_EL2 and SPSR_EL2 where the CPU holds them and
 * steps ELR_EL2 itself; so they are saved into regs only when the exit
 * leaves for C's ordinary path.  Its result: 0, not served; 1, served:
 * x0-x18 and x30, which the call may have changed, are loaded back and
 * the guest re-entered; 2, served, and a load wrote one of x19-x28 in
 * regs: everything is loaded back.
 */
guest_sync:
	save_guest_gprs
	bl	arm_fast_exit
	cbz	x0, 2f
	tbnz	x0, #1, 1f
	mrs	x0, tpidr_el2
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldr	x18, [x0, #144]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret
	dsb	nsh
	isb
1:	mrs	x0, tpidr_el2
	mrs	x1, elr_el2
	mrs	x2, spsr_el2
	stp	x1, x2, [x0, #REGS_ELR]
	b	enter_regs
2:	mov	x1, #0		/* not served: return vector 0, the ordinary way */
	b	exit_to_c

/*
 * The other exits.  On entry: guest x0, x1 pushed on the stack, x1 = the
 * vector's number.  Everything else still holds guest values.
 */
guest_exit:
	save_guest_gprs
exit_to_c:			/* x1: the vector; regs saved but ELR, SPSR */
	mrs	x0, tpidr_el2
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #REGS_ELR]
	mov	x0, x1
	ldp	x29, x30, [sp], #16
	ret

/*
 * An exception taken from EL2 itself is a hypervisor bug: report it in C
 * (arm_hv_exception prints the syndrome and powers off).
 */
hv_fault:
	mrs	x1, esr_el2
	mrs	x2, elr_el2
	mrs	x3, far_el2
	bl	arm_hv_exception
1:	b	1b

	/* The vector table: 16 entries of 0x80 bytes, 2 KiB aligned. */
	.macro	vector_hv type
	.balign	0x80
	mov	x0, #\type
	b	hv_fault
	.endm

	.macro	vector_guest type
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\type
	b	guest_exit
	.endm

	.balign	0x800
	.global arm_el2_vectors
arm_el2_vectors:
	vector_hv 0	/* current EL with SP_EL0 */
	vector_hv 1
	vector_hv 2
	vector_hv 3
	vector_hv 0	/* current EL with SP_EL2 */
	vector_hv 1
	vector_hv 2
	vector_hv 3
	.balign	0x80	/* lower EL, AArch64: the guest */
	stp	x0, x1, [sp, #-16]!
	b	guest_sync
	vector_guest 1
	vector_guest 2
	vector_guest 3
	vector_guest 4	/* lower EL, AArch32: minihv guests never run it */
	vector_guest 5
	vector_guest 6
	vector_guest 7
