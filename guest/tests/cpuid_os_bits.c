/*
 * CPUID.1:ECX.OSXSAVE (bit 27) says whether the OS -- this guest -- has set
 * CR4.OSXSAVE (SDM vol. 2, CPUID).  The hypervisor answers CPUID, so it
 * must read the bit from the guest's CR4, not copy the host's: clear while
 * the guest's bit is clear, set once the guest sets it.
 *
 * minihv-needs: cpuid
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	int has, before, after;
	(void)info;

	if (cpu_osxsave_as_reported(&has, &before, &after) < 0) {
		report_skip("no CPUID on this architecture");
		return 0;
	}
	report(!before, "CPUID.1:ECX.OSXSAVE is %d with the guest's CR4.OSXSAVE clear", before);
	if (has)
		report(after, "CPUID.1:ECX.OSXSAVE is %d with the guest's CR4.OSXSAVE set", after);
	return 0;
}
