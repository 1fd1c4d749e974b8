/*
 * The guest cleans and invalidates a data cache line by set/way (DC CISW).
 * Set/way operations act on the physical cache, whose lines belong to
 * every VM and the hypervisor alike; on a real CPU an invalidate by
 * set/way could also throw away another VM's dirty data.  minihv traps
 * them (HCR_EL2.TSW) and stops the guest.  Before, the guest ran it.
 *
 * minihv-expect: stopped "data cache maintenance by set/way"
 * minihv-needs: arm-system-registers
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	if (cpu_cache_clean_by_set_way() < 0) {
		report_skip("this architecture has no cache maintenance by set/way");
		return 0;
	}
	report(false, "DC CISW came back: the guest reached the physical caches");
	return 0;
}
