/*
 * The guest signs a pointer (PACIA) where the CPU has pointer
 * authentication.  The keys are EL1 registers minihv would have to switch
 * for every guest; it does not, so it keeps the instructions trapped
 * (HCR_EL2.API and APK clear) and must stop the guest naming why.  Before,
 * the trap (EC 0x09) was "unexpected exception class 0x9".  Where the CPU
 * has none (cortex-a57, x86) the test SKIPs, as the hypervisor confirms.
 *
 * minihv-expect: stopped "pointer authentication is not given to guests"
 * minihv-needs: pointer-auth
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t s;
	(void)info;
	if (cpu_pointer_auth_sign(0x40001000, 0x42, &s) < 0) {
		report_skip("this CPU has no pointer authentication");
		return 0;
	}
	report(false, "PACIA came back with 0x%llx: the guest used keys minihv does not switch",
	       (unsigned long long)s);
	return 0;
}
