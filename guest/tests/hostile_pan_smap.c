/*
 * A guest kernel that has forbidden itself user pages -- Arm's PAN, x86's
 * SMAP -- hands the hypervisor a pointer to one.  The CPU would fault the
 * kernel's own read there; a hypervisor that read it anyway would be a
 * confused deputy, doing for the kernel what its own protection forbids
 * (a kernel bug that passes a user pointer unchecked would go unnoticed).
 * The guest pointer walk applies PAN/SMAP as the CPU does: the same call
 * works with the protection off (checked first) and is refused with it on.
 *
 * minihv-expect: stopped "is not readable guest memory: permission denied"
 * minihv-needs: pan-or-smap
 */
#include "minihv.h"
#include "cpu.h"

static char user_page[4096] __attribute__((aligned(4096))) = "text on a user page\n";

int test_main(const struct minihv_boot_info *info)
{
	uint64_t alias;

	if (cpu_user_page_alias(info, user_page, &alias) < 0) {
		report(false, "could not map a user page (the tables are not as expected)");
		return 0;
	}
	if (cpu_kernel_no_user(0) < 0) {
		report_skip("this CPU has neither PAN nor SMAP");
		return 0;
	}
	report(hc_console_write((const void *)(uintptr_t)alias, 20) == 0,
	       "with PAN/SMAP off, a user page is the kernel's to pass");
	cpu_kernel_no_user(1);
	hc_console_write((const void *)(uintptr_t)alias, 20);
	report(false, "the hypervisor read a user page for a kernel that had PAN/SMAP on");
	return 0;
}
