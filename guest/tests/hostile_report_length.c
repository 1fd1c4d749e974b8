/*
 * REPORT with a message length of 2^64 - 1.  Any arithmetic on it (len + 1
 * for the terminator, a buffer end) wraps to 0 or to a small number; the
 * hypervisor must compare it with the ABI's limit as it is, and refuse.
 *
 * minihv-expect: stopped "report: length 18446744073709551615 is larger than the ABI's limit of 256"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	static const char msg[] = "a message whose length is a lie";
	(void)info;
	hc_call(MINIHV_CALL_REPORT, MINIHV_VERDICT_PASS, (uintptr_t)msg, ~0ull, 0);
	report(false, "the hypervisor accepted a report of length 2^64 - 1");
	return 0;
}
