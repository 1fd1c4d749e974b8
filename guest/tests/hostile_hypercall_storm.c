/*
 * The guest calls the hypervisor in a loop and never finishes: every
 * iteration is an access the device accepts, so the run loop's limit on
 * exits without progress never trips -- only the time watchdog can end
 * it.  Without one, this guest would hold the CPU until the runner's
 * timeout, and every test after it in the boot would get no verdict.
 *
 * minihv-expect: stopped "watchdog: guest ran for"
 * minihv-needs: watchdog
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	for (;;)
		mmio_write64(hc_reg(MINIHV_HC_SCRATCH), hc_version());
	return 0;
}
