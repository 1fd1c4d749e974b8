/*
 * minihv hypercall ABI, version 2 (version 1 and the null call).
 *
 * Shared, unchanged, by the hypervisor (hv/) and the guests (guest/), and so
 * kept in neither: include/minihv/ is the one folder both sides read.  The
 * prose description, with the reasons behind each choice, is in
 * docs/hypercall-abi.md; bump MINIHV_ABI_VERSION for any incompatible change.
 *
 * How a guest calls the hypervisor: by touching memory.  The hypervisor
 * leaves one 4 KiB page of guest-physical address space, the hypercall
 * window, unmapped in the second-level tables.  Any load or store there traps
 * (EPT violation, nested page fault, stage-2 data abort), and the offset into
 * the window says which register of a tiny virtual device the guest meant.
 * No special instruction is needed, so the same C code works on every
 * architecture, and both directions exist: a store hands a value to the
 * hypervisor, a load gets one back.
 *
 * Registers are per vCPU.  A call with arguments: store the arguments to
 * ARG0..ARG3, store the call number to CALL, then load RESULT.
 */
#ifndef MINIHV_HYPERCALL_ABI_H
#define MINIHV_HYPERCALL_ABI_H

#define MINIHV_ABI_VERSION        2u

/* Guest-physical base of the window, and where the guest's initial page
 * tables (built by the hypervisor) make it visible, as device memory. */
#define MINIHV_HC_WINDOW_GPA      0xf0000000ull
#define MINIHV_HC_WINDOW_GVA      0x3fe00000ull
#define MINIHV_HC_WINDOW_SIZE     0x1000ull

/* Register offsets in the window. */
#define MINIHV_HC_VERSION   0x000 /* load, 32-bit: MINIHV_ABI_VERSION */
#define MINIHV_HC_PUTC      0x008 /* store, 8-bit: one console character */
#define MINIHV_HC_ARG0      0x010 /* store, 64-bit: argument latches */
#define MINIHV_HC_ARG1      0x018
#define MINIHV_HC_ARG2      0x020
#define MINIHV_HC_ARG3      0x028
#define MINIHV_HC_CALL      0x030 /* store, 32-bit: perform call number N */
#define MINIHV_HC_RESULT    0x038 /* load, 64-bit: result of the last call */
#define MINIHV_HC_SCRATCH   0x040 /* load/store, any width 1/2/4/8: an echo
				     register (stores are kept, loads return
				     them), for testing the MMIO path */

/* Call numbers (written to MINIHV_HC_CALL). */
#define MINIHV_CALL_CONSOLE_WRITE 1 /* ARG0 = gva of bytes, ARG1 = length */
#define MINIHV_CALL_REPORT        2 /* ARG0 = verdict, ARG1 = gva of message,
				       ARG2 = message length; the verdict line
				       is printed when the guest exits */
#define MINIHV_CALL_EXIT          3 /* ARG0 = exit code; the vCPU stops */
#define MINIHV_CALL_MEMINFO       4 /* ARG0 = gva of struct minihv_boot_info
				       to fill (the same data as at boot) */

/* Verdicts for MINIHV_CALL_REPORT. */
#define MINIHV_VERDICT_PASS 0
#define MINIHV_VERDICT_FAIL 1
#define MINIHV_VERDICT_SKIP 2

/* Results (MINIHV_HC_RESULT). */
#define MINIHV_OK          0
#define MINIHV_EINVAL     (-1ll) /* bad argument: the guest is stopped before
				    it could read this, see docs */
#define MINIHV_ENOSYS     (-2ll) /* unknown call number */

/*
 * The null call (since version 2): the one call made with a trapping
 * instruction instead of the window, a round trip that needs no decoding,
 * for timing the exit path (make bench, docs/performance.md).
 *   aarch64: HVC #0 (MINIHV_HVC_NULL_IMM)
 *   x86_64:  VMCALL (0f 01 c1) on Intel CPUs, VMMCALL (0f 01 d9) on AMD
 *            ones: the other vendor's instruction is undefined there (#UD),
 *            and the guest is stopped for the exception.
 * In:  x0 / RAX = MINIHV_NULL_CALL.
 * Out: x0 / RAX = MINIHV_NULL_CALL_RESULT, or MINIHV_ENOSYS when x0 / RAX
 *      held another value; no other register changes.
 * From user mode (CPL 3) it stops the guest, as the window does.  Any other
 * HVC immediate is not part of the ABI and stops the guest.
 */
#define MINIHV_HVC_NULL_IMM       0
#define MINIHV_NULL_CALL          0ull
#define MINIHV_NULL_CALL_RESULT   0x6c6c756e6976686dull /* "mhvinull", little-endian */

/* Longest message the hypervisor copies for CONSOLE_WRITE and REPORT. */
#define MINIHV_MAX_MESSAGE 256

/*
 * Guest start state.  The guest's first instruction runs at its entry point
 * with paging on, on its stack, with the first argument register (x0 on
 * aarch64, rdi on x86_64) holding the guest-virtual address of this struct.
 * Guest RAM is mapped at ram_gva (guest-virtual) and also at ram_alias_gva,
 * a second view of the same pages, so tests can pass pointers whose virtual
 * address has nothing to do with the physical one.
 */
struct minihv_boot_info {
	unsigned long long abi_version;
	unsigned long long ram_gpa;       /* guest-physical base of RAM */
	unsigned long long ram_gva;       /* guest-virtual base of RAM */
	unsigned long long ram_alias_gva; /* second virtual view of RAM */
	unsigned long long ram_size;
	unsigned long long stack_bottom_gva; /* lowest byte of the initial stack:
						from the end of the guest image up
						to here, RAM is free */
	unsigned long long window_gva;    /* MINIHV_HC_WINDOW_GVA */
	unsigned long long vcpu_id;
};

#endif
