/*
 * The guest asks MEMINFO to write the boot info into the hypercall window
 * itself: 64 bytes over VERSION, PUTC, the argument latches and CALL.  A
 * hypervisor that wrote there as if it were memory would be storing to
 * its own device registers -- re-entering the call it is serving, or
 * writing into whatever backs the window's guest-physical page.  Only RAM
 * may be written for a guest: the call must be refused.
 *
 * minihv-expect: stopped "meminfo: destination gva 0x3fe00000 is not writable guest memory"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	hc_call(MINIHV_CALL_MEMINFO, info->window_gva, 0, 0, 0);
	report(false, "the hypervisor wrote the boot info into its hypercall window");
	return 0;
}
