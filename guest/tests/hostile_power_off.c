/*
 * A guest asks the machine to power off.  On Arm that is PSCI SYSTEM_OFF
 * through SMC, a call to the firmware at EL3: under QEMU's virt board it
 * ends the emulator, and on a real board it switches off the host with
 * every other guest.  On a PC it is the ACPI PM1a control register, an
 * I/O port.  The hypervisor traps both (HCR_EL2.TSC; every I/O port is
 * intercepted) and stops the guest, naming what it was after.  A guest
 * that came back was let through, or ignored without a word.
 *
 * minihv-expect: stopped "would power off the machine"
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	int r = cpu_firmware_power_off();
	report(false, "came back from the power-off request (%d)", r);
	return 0;
}
