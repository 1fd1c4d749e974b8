/*
 * Leave values behind in CPU registers a guest may use as it likes (thread
 * pointers, exception and timer registers on aarch64; CR2 and
 * IA32_KERNEL_GS_BASE on x86; the FP/SIMD registers on both: V3 and FPCR,
 * XMM3 and MXCSR; see cpu.h).  Tests run in name order, so
 * leftover_2 runs next, in a new VM, and checks that it finds none of them:
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

	cpu_leave_leftovers(0x5ec2e7);
	unsigned n = cpu_read_leftovers(names, values);
	if (n == 0) {
		report_skip("no registers to leave values in on this architecture");
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		report(values[i] != 0, "%s now holds 0x%llx", names[i],
		       (unsigned long long)values[i]);
	return 0;
}
