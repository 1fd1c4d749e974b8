/*
 * aarch64 guest start.  The hypervisor enters here at EL1 with the MMU on,
 * SP_EL1 set and x0 = the boot info's address (include/minihv/hypercall_abi.h).
 */
	.section .text.start, "ax"
	.global _start
_start:
	adr	x1, guest_vectors
	msr	vbar_el1, x1
	isb
	bl	guest_main
1:	b	1b

/*
 * A minihv test guest handles no exceptions.  If it takes one (a bad
 * pointer in the test, say), HVC #0xE1 asks the hypervisor to stop it and
 * print ESR_EL1/ELR_EL1/FAR_EL1, which is more useful than hanging.
 */
	.balign	0x800
guest_vectors:
	.rept	16
	.balign	0x80
	hvc	#0xe1
	.endr

	/* No executable stack: this object needs none. */
	.section .note.GNU-stack, "", %progbits
