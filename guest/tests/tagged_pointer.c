/*
 * The guest sets TCR_EL1.TBI0, so the CPU ignores the top byte of its data
 * addresses, and hands the hypervisor tagged pointers (0x5a in bits
 * 63:56).  The hypervisor must do the same.  Before, it walked the tagged
 * address as it was, found it above 48 bits and stopped the guest ("not
 * readable guest memory").  Without TBI the CPU faults on such a pointer,
 * and so must the walk (tests/test_guest_mem.c).  Where the architecture
 * has no top-byte-ignore (x86) the test SKIPs.
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t tag;
	struct minihv_boot_info got;

	if (cpu_ignore_top_byte(&tag) < 0) {
		report_skip("no top-byte-ignore on this architecture");
		return 0;
	}
	static const char line[] = "printed through a tagged pointer\n";
	report(hc_call(MINIHV_CALL_CONSOLE_WRITE, (uintptr_t)line | tag, sizeof(line) - 1, 0, 0) ==
	       MINIHV_OK, "console_write with a tagged pointer");
	memset(&got, 0, sizeof(got));
	report(hc_call(MINIHV_CALL_MEMINFO, (uintptr_t)&got | tag, 0, 0, 0) == MINIHV_OK &&
	       got.window_gva == info->window_gva, "meminfo through a tagged pointer");
	return 0;
}
