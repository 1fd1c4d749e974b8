/*
 * The guest hands console_write a buffer inside the hypercall window
 * itself.  The window is not memory: reading it means performing register
 * accesses (and a hypervisor that served them from inside a hypercall
 * would run the device re-entrantly, with the call's own argument
 * latches).  Only RAM may be read for a guest, so the call must be
 * refused and the guest stopped.
 *
 * minihv-expect: stopped "console_write: buffer at gva 0x3fe00000 (16 bytes) is not readable guest memory"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	hc_console_write((const void *)(uintptr_t)info->window_gva, 16);
	report(false, "the hypervisor printed 16 bytes of its own hypercall window");
	return 0;
}
