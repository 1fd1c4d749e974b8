/*
 * The guest maps the guest-physical address where the host machine keeps
 * its interrupt controller (the local APIC on a PC, the GIC distributor on
 * Arm's virt board) in its own page tables, and loads from it.  Its own
 * tables may say anything; the second-level tables (EPT, NPT, stage-2) map
 * only its RAM, so the load must trap and stop the guest.  Were the
 * controller mapped through, a guest could read the host's interrupt state
 * and, with a store, send the host CPU an INIT or mask its timer.
 *
 * minihv-expect: stopped "nothing is there (not RAM, not the hypercall window)"
 */
#include "minihv.h"
#include "platform.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t p = guest_map_gpa(info, PLATFORM_IRQCHIP_GPA);
	if (!report(p != 0, "mapped gpa 0x%llx in the guest's own tables",
		    (unsigned long long)PLATFORM_IRQCHIP_GPA))
		return 0;
	printf("loading from %s at gpa 0x%llx\n", PLATFORM_IRQCHIP_NAME,
	       (unsigned long long)PLATFORM_IRQCHIP_GPA);
	uint32_t v = mmio_read32(p);
	report(false, "a load from %s returned 0x%x", PLATFORM_IRQCHIP_NAME, v);
	return 0;
}
