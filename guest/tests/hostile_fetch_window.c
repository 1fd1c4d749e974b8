/*
 * The guest maps the hypercall window's guest-physical page as ordinary
 * executable memory in its own tables and jumps into it.  An instruction
 * fetch is not a register access: a hypervisor that took the trap for a
 * load and "emulated" it would hand the guest a value as an instruction,
 * or step past code that never ran.  The fetch must stop the guest.
 *
 * minihv-expect: stopped "instruction fetch at 0x40400000 from guest-physical 0xf0000000, which is not RAM"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t p = guest_map_gpa(info, MINIHV_HC_WINDOW_GPA);
	if (!report(p != 0, "mapped the window's gpa 0x%llx as executable memory",
		    (unsigned long long)MINIHV_HC_WINDOW_GPA))
		return 0;
	printf("jumping to gva 0x%llx, the window's gpa\n", (unsigned long long)p);
	void (*fn)(void) = (void (*)(void))(uintptr_t)p;
	fn();
	report(false, "the guest ran code from the hypercall window");
	return 0;
}
