/*
 * What CPUID advertises must work: a CPU that says AVX (CPUID.1:ECX bit
 * 28) lets an OS enable its state with XSETBV (XCR0 = x87 | SSE | AVX) and
 * then run AVX instructions on the full 256-bit YMM registers.  minihv
 * intercepts XSETBV (XCR0 is one register for the host and every guest),
 * so this is the hypervisor's work: check the value as the CPU would and
 * put it in the CPU for this guest (arch/x86_64/x86_fpu.c).  Where AVX is
 * not advertised -- Arm, or an x86 CPU without it -- there is nothing to
 * try, and the test says so.
 */
#include "minihv.h"
#include "cpu.h"

#define PATTERN 0x1122334455667788ull

int test_main(const struct minihv_boot_info *info)
{
	uint64_t xcr0 = 0;
	(void)info;

	if (cpu_avx_on() < 0) {
		report_skip("CPUID advertises no AVX here (or this is not x86)");
		return 0;
	}
	cpu_read_xcr0(&xcr0);
	report(xcr0 == 0x7, "XCR0 reads back 0x7 after XSETBV of x87 | SSE | AVX (0x%llx)",
	       (unsigned long long)xcr0);
	cpu_ymm_fill(PATTERN);
	/* Each upper half holds PATTERN and its complement: ORed, all ones. */
	report(cpu_ymm_upper_or() == ~0ull, "the upper halves of YMM0-YMM15 hold what VMOVDQU put there (0x%llx, ORed)",
	       (unsigned long long)cpu_ymm_upper_or());
	return 0;
}
