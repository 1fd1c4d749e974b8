/*
 * Call numbers minihv does not define -- 0, the one after the last, the
 * top bit, all ones -- with arguments that would be harmful as pointers.
 * Each must return ENOSYS and do nothing else: a dispatch table indexed by
 * an unchecked number would jump through whatever lies past its end.  The
 * test then checks the device still works: the latches and a real call.
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	static const uint32_t nr[] = { 0, MINIHV_CALL_MEMINFO + 1, 0x80000000u, 0xffffffffu };
	for (unsigned i = 0; i < sizeof(nr) / sizeof(nr[0]); i++) {
		int64_t r = hc_call(nr[i], info->window_gva, ~0ull, 0xfffffffffffff000ull, 1);
		report(r == MINIHV_ENOSYS, "call 0x%x returns ENOSYS (%lld)", nr[i], (long long)r);
	}
	static const char line[] = "still talking\n";
	report(hc_console_write(line, sizeof(line) - 1) == MINIHV_OK, "a real call works after them");
	report(hc_version() == MINIHV_ABI_VERSION, "VERSION still reads %u", MINIHV_ABI_VERSION);
	return 0;
}
