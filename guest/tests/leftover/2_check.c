/*
 * leftover, VM 2 of 2: runs right after 1_dirty (see there), in a new VM,
 * which left values in CPU registers a guest may use as it likes.  A new
 * vCPU must start with none of them, nor the firmware's: each of these
 * registers is 0 (on aarch64 the virtual timer off, not left firing by the
 * previous guest).
 *
 * And XCR0, where there is one, is 0x1 (x87 state only), as on a CPU just
 * powered on: 1_dirty set 0x7 (x87, SSE and AVX state) where it could,
 * and the firmware may have enabled more.  Where AVX is advertised, the
 * test then enables it and finds the upper halves of YMM0-YMM15 zero: the
 * previous VM's, which it left there, must not show through.
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	const char *names[CPU_LEFTOVERS];
	uint64_t values[CPU_LEFTOVERS];
	uint64_t xcr0;
	(void)info;

	if (cpu_read_xcr0(&xcr0) == 0)
		report(xcr0 == 1, "XCR0 is 0x1 at start, x87 state only (0x%llx)",
		       (unsigned long long)xcr0);
	if (cpu_avx_on() == 0)
		report(cpu_ymm_upper_or() == 0, "the upper halves of YMM0-YMM15 are 0 at start (0x%llx, ORed)",
		       (unsigned long long)cpu_ymm_upper_or());
	unsigned n = cpu_read_leftovers(names, values);
	for (unsigned i = 0; i < n; i++)
		report(values[i] == 0, "%s is 0 at start (0x%llx)", names[i],
		       (unsigned long long)values[i]);
	return 0;
}
