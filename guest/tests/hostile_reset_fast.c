/*
 * The other way to reset the machine: PSCI SYSTEM_RESET2 (a warm reset,
 * PSCI 1.1) through SMC on Arm; System Control Port A's fast reset (I/O
 * port 0x92, bit 0) on a PC -- a path a hypervisor that filtered only the
 * well-known 0xCF9, or only SYSTEM_RESET, would miss.
 *
 * minihv-expect: stopped "would reset the machine"
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	int r = cpu_firmware_fast_reset();
	report(false, "came back from the fast reset request (%d)", r);
	return 0;
}
