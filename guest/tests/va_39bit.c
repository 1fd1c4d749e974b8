/*
 * The guest switches to a 39-bit address space (TCR_EL1.T0SZ = 25), whose
 * tables the CPU walks from level 1 in three steps, and then hands the
 * hypervisor pointers: a buffer to print, one for MEMINFO to fill.  The
 * hypervisor must walk them as the CPU does.  Before, it assumed T0SZ = 16
 * and walked the level-1 root as a level-0 one: the buffers were "not
 * readable guest memory" and the guest was stopped.  (Its report and exit
 * calls need the same walk.)  Where the architecture has no such regime
 * (x86) the test SKIPs.
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t free_gva = ((uintptr_t)__image_end + 4095) & ~4095ull;
	struct minihv_boot_info got;

	if (cpu_use_39bit_va(info, (uint64_t *)(uintptr_t)free_gva) < 0) {
		report_skip("no 39-bit translation regime on this architecture");
		return 0;
	}
	static const char line[] = "printed from a 39-bit address space\n";
	report(hc_console_write(line, sizeof(line) - 1) == MINIHV_OK,
	       "console_write through a 3-level walk");
	memset(&got, 0, sizeof(got));
	report(hc_call(MINIHV_CALL_MEMINFO, (uintptr_t)&got, 0, 0, 0) == MINIHV_OK &&
	       got.ram_gpa == info->ram_gpa && got.window_gva == info->window_gva,
	       "meminfo wrote the boot info through a 3-level walk");
	return 0;
}
