/*
 * A guest tries to become a hypervisor itself: VMXON on Intel, VMRUN on
 * AMD (both exit unconditionally in a guest; on VMX minihv used to call
 * VMXON an "unexpected exit" that "nothing in minihv handles"), an MSR to
 * HCR_EL2 on Arm (UNDEFINED at EL1: the CPU refuses it, and the guest's
 * vectors report it).  minihv offers no nested virtualization, and the
 * stop must say so.
 *
 * minihv-expect: stopped "minihv does not offer nested virtualization"
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	int r = cpu_nested_virt();
	report(false, "came back from the virtualization instruction (%d)", r);
	return 0;
}
