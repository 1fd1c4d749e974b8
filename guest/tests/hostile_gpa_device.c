/*
 * The guest maps a register of a host device at its guest-physical address
 * (the PL011 UART's data register on Arm's virt board: the serial line the
 * harness reads; the IOAPIC's index register on a PC) and stores to it.
 * Only the guest's RAM is in its second-level tables, so the store must
 * trap and stop the guest.  Were it to reach the UART, the guest's bytes
 * would land on the log with no "[name] " prefix: a forged "PASS:" line.
 * Were it to reach the IOAPIC, the guest could reroute or mask the host's
 * interrupts.
 *
 * minihv-expect: stopped "nothing is there (not RAM, not the hypercall window)"
 */
#include "minihv.h"
#include "platform.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t p = guest_map_gpa(info, PLATFORM_DEVICE_GPA);
	if (!report(p != 0, "mapped gpa 0x%llx in the guest's own tables",
		    (unsigned long long)PLATFORM_DEVICE_GPA))
		return 0;
	printf("storing to %s at gpa 0x%llx\n", PLATFORM_DEVICE_NAME,
	       (unsigned long long)PLATFORM_DEVICE_GPA);
	mmio_write32(p, 'P');
	report(false, "a store to %s went through", PLATFORM_DEVICE_NAME);
	return 0;
}
