/*
 * CPUID with a prefix in front (66 0f a2).  The CPU ignores the prefix, so
 * this is an ordinary CPUID, but three bytes long: a hypervisor that
 * emulates it must step the guest past all three, not past the two bytes
 * CPUID usually takes.  The answer must be the same as without the prefix
 * (the hypervisor's signature in leaf 0x40000000), and the guest must go
 * on from the next instruction.  Arm has no CPUID: SKIP there, which the
 * hypervisor confirms.
 *
 * minihv-needs: cpuid
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	uint32_t r[4];
	(void)info;

	if (cpu_cpuid_prefixed(0x40000000, r) < 0) {
		report_skip("this architecture has no CPUID: nothing to ask");
		return 0;
	}
	report(r[1] == 0x696e696du && r[2] == 0x00007668u && r[3] == 0,
	       "66 0f a2 (CPUID with a prefix) answers leaf 0x40000000 with \"minihv\" (EBX 0x%x ECX 0x%x EDX 0x%x)",
	       r[1], r[2], r[3]);
	return 0;
}
