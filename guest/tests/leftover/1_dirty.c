/*
 * leftover, VM 1 of 2: leave values behind in CPU registers a guest may
 * use as it likes (thread pointers, exception registers, both EL1 timers,
 * CSSELR_EL1, TTBR1_EL1, and DISR_EL1 and TPIDR2_EL0 where the CPU has
 * them, on aarch64; CR2, IA32_KERNEL_GS_BASE, FS.base, GS.base and PKRU on
 * x86; the FP/SIMD registers on both: V0-V31, FPCR and FPSR; XMM0-XMM15,
 * MXCSR and the whole x87 unit, and where AVX is advertised the upper halves
 * of YMM0-YMM15, after an XSETBV that enables them; see cpu.h).  Registers a
 * guest cannot reach are not in it: x86's DR0-DR7 and every MSR (STAR,
 * LSTAR, TSC_AUX...) stop the guest; Arm's debug, PMU, SVE and
 * pointer-authentication registers trap.  The hypervisor's reset lists are
 * drawn from the architecture, not from this list: arch/aarch64/arm.h,
 * arch/x86_64/x86_fpu.c (XRSTOR of every XSAVE component CPUID names).
 *
 * The test is this directory: hv/main.c runs 1_dirty then 2_check, each in
 * a new VM, back to back, with one verdict for both (the numbers in the
 * file names declare the order).  2_check must find none of these values:
 * the hypervisor must give every vCPU registers of its own, not the
 * previous guest's.  On aarch64 the virtual timer is left on and firing,
 * which, carried over, would keep the next guest's WFI from ever trapping.
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	const char *names[CPU_LEFTOVERS];
	uint64_t values[CPU_LEFTOVERS];
	(void)info;

	/* YMM first: the SSE writes below keep the upper halves. */
	int avx = cpu_avx_on();
	if (avx == 0)
		cpu_ymm_fill(0x5ec2e7);
	cpu_leave_leftovers(0x5ec2e7);
	unsigned n = cpu_read_leftovers(names, values);
	/* Both architectures have such registers: none would be a bug in
	 * cpu.h, and a FAIL for "the test made no checks". */
	for (unsigned i = 0; i < n; i++)
		report(values[i] != 0, "%s now holds 0x%llx", names[i],
		       (unsigned long long)values[i]);
	if (avx == 0)
		report(cpu_ymm_upper_or() != 0, "the upper halves of YMM0-YMM15 now hold 0x%llx (ORed)",
		       (unsigned long long)cpu_ymm_upper_or());
	return 0;
}
