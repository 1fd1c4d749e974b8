/*
 * The guest reports verdict 3.  The ABI's verdicts are PASS (0), FAIL (1)
 * and SKIP (2); the hypervisor itself prints a fourth, XFAIL -- a known
 * failure it vouches for, which the harness does not count as failed.  A
 * hypervisor that stored the guest's number and indexed its verdict words
 * with it would let a failing guest call itself a known failure (or, with
 * a larger number, read past the table).  Any other verdict stops the
 * guest.
 *
 * minihv-expect: stopped "report: verdict 3 is not PASS (0), FAIL (1) or SKIP (2)"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	static const char msg[] = "known failure where I say so";
	(void)info;
	hc_report(3, msg, sizeof(msg) - 1);
	report(false, "the hypervisor accepted verdict 3");
	return 0;
}
