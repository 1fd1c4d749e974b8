/*
 * The guest writes to I/O port 0xe9, which Bochs (port_e9_hack, on in
 * the launcher) and QEMU's debugcon print on the emulator's own console:
 * a side channel out of the VM that bypasses the hypervisor's console
 * entirely.  Every I/O port is intercepted; the first byte must stop the
 * guest.  Arm has no I/O ports.
 *
 * minihv-expect: stopped "minihv guests have no I/O ports"
 * minihv-needs: io-ports
 */
#include "minihv.h"
#include "platform.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	if (platform_outb(PLATFORM_DEBUG_PORT, 'X') < 0) {
		report_skip("this architecture has no I/O ports");
		return 0;
	}
	report(false, "the guest wrote to the debug port 0xe9 and ran on");
	return 0;
}
