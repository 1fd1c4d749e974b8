/*
 * The guest halts (WFI on aarch64, HLT on x86) without calling exit.  minihv
 * guests get no interrupts, so nothing would ever wake it: the hypervisor
 * must notice, stop the guest and go on instead of waiting forever.
 *
 * minihv-expect: stopped "the guest halted"
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	cpu_halt();
	report(false, "the guest was resumed after halting");
	return 0;
}
