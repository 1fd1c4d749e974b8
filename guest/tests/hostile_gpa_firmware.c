/*
 * The guest maps the guest-physical address of the host's firmware flash
 * (the reset vector just below 4 GiB on a PC, address 0 on Arm's virt
 * board) and loads from it.  The firmware is the host's, not the guest's:
 * its code, and on some machines its variable store with keys and boot
 * settings.  The second-level tables map only guest RAM, so the load must
 * stop the guest.
 *
 * minihv-expect: stopped "nothing is there (not RAM, not the hypercall window)"
 */
#include "minihv.h"
#include "platform.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t p = guest_map_gpa(info, PLATFORM_FIRMWARE_GPA);
	if (!report(p != 0, "mapped gpa 0x%llx in the guest's own tables",
		    (unsigned long long)PLATFORM_FIRMWARE_GPA))
		return 0;
	printf("loading from %s at gpa 0x%llx\n", PLATFORM_FIRMWARE_NAME,
	       (unsigned long long)PLATFORM_FIRMWARE_GPA);
	uint64_t v = mmio_read64(p);
	report(false, "a load from %s returned 0x%llx", PLATFORM_FIRMWARE_NAME,
	       (unsigned long long)v);
	return 0;
}
