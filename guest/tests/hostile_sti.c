/*
 * A guest enables interrupts (STI).  minihv guests take none: the
 * firmware's interrupts stay pending for the firmware, and a guest has no
 * IDT to take one with.  The hypervisor stops the guest as soon as it runs
 * with RFLAGS.IF set, in the same words on VMX (interrupt-window exiting)
 * and SVM (a pending virtual interrupt whose delivery is intercepted); SVM
 * used to let it run on, masked.
 *
 * minihv-expect: stopped "the guest enabled interrupts"
 * minihv-needs: x86-instructions
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	if (cpu_interrupts_on() < 0) {
		report_skip("no STI on this architecture");
		return 0;
	}
	report(false, "the guest ran on with interrupts enabled");
	return 0;
}
