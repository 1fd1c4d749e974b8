/*
 * Runs right after leftover_1 (tests run in name order), which left values
 * in CPU registers a guest may use as it likes.  A new vCPU must start with
 * none of them, nor the firmware's: each of these registers is 0 (on
 * aarch64 the virtual timer off, not left firing by the previous guest).
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	const char *names[CPU_LEFTOVERS];
	uint64_t values[CPU_LEFTOVERS];
	(void)info;

	unsigned n = cpu_read_leftovers(names, values);
	if (n == 0) {
		report_skip("no registers to check on this architecture");
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		report(values[i] == 0, "%s is 0 at start (0x%llx)", names[i],
		       (unsigned long long)values[i]);
	return 0;
}
