/*
 * A guest asks the machine to reset: PSCI SYSTEM_RESET through SMC on Arm,
 * the reset control register (I/O port 0xCF9) on a PC.  Let through, it
 * would restart the host and every guest with it.  The hypervisor must
 * stop the guest at the request and name it.
 *
 * minihv-expect: stopped "would reset the machine"
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	int r = cpu_firmware_reset();
	report(false, "came back from the reset request (%d)", r);
	return 0;
}
