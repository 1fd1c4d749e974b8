/*
 * Can the guest tell who its hypervisor is?  On x86, CPUID leaf 1 must say
 * "hypervisor present" and leaf 0x40000000 must carry minihv's signature;
 * every CPUID traps, and the backend answers from x86_emulate_cpuid.  Arm
 * has no CPUID instruction, so there the test is skipped -- and the SKIP
 * counts only because the hypervisor confirms it.
 *
 * minihv-needs: cpuid
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	char sig[13];
	(void)info;

	int found = cpu_hypervisor_signature(sig);
	if (found < 0) {
		report_skip("this architecture has no CPUID: nothing to ask");
		return 0;
	}
	if (report(found == 1, "CPUID leaf 1 reports a hypervisor"))
		report(memcmp(sig, "minihv", 6) == 0, "CPUID 0x40000000 signature is \"%s\"", sig);
	return 0;
}
