/*
 * A guest that fails on purpose: the runner's self-test (make runner-selftest)
 * builds it into the suite and checks that the runner then exits non-zero.
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	report(false, "this check fails on purpose");
	return 0;
}
