/*
 * Every instruction CPUID advertises must run in the guest: RDTSCP (CPUID
 * 8000_0001:EDX bit 27) and INVPCID (CPUID 7:EBX bit 10) are run where
 * CPUID says they exist.  Under VMX each needs a control the hypervisor
 * must set ("enable RDTSCP", "enable INVPCID"), or it #UDs; where the CPU
 * cannot, CPUID must not advertise it.
 *
 * minihv-needs: cpuid
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;

	unsigned ran;

	if (cpu_run_advertised(&ran) < 0) {
		report_skip("no CPUID on this architecture");
		return 0;
	}
	report(true, "advertised and ran without #UD: %s%s%s", ran ? "" : "neither RDTSCP nor INVPCID",
	       (ran & CPU_RAN_RDTSCP) ? "RDTSCP " : "", (ran & CPU_RAN_INVPCID) ? "INVPCID" : "");
	return 0;
}
