/*
 * x86_64 guest start.  The hypervisor enters here in 64-bit long mode with
 * paging on, RSP set and RDI = the boot info's address
 * (include/minihv/hypercall_abi.h).  Exceptions are intercepted by the hypervisor, so
 * no IDT is needed.
 */
	.section .text.start, "ax"
	.global _start
_start:
	/* The SysV ABI wants RSP 16-byte aligned before a call. */
	andq	$-16, %rsp
	call	guest_main
1:	hlt
	jmp	1b

	/* No executable stack: this object needs none. */
	.section .note.GNU-stack, "", %progbits
