/*
 * The guest prints as fast as it can: 256-byte lines, up to 1 MiB.  Every
 * byte would land in the host's serial log, on its disk and in front of
 * whoever reads it; the watchdog alone would let the guest go on for its
 * whole time budget.  The hypervisor gives each VM a console budget
 * (vm->console_budget, VM_CONSOLE_BUDGET bytes by default) and stops the
 * guest past it.
 *
 * minihv-expect: stopped "console: the guest wrote more than"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	static char line[256];
	(void)info;
	memset(line, 'F', sizeof(line));
	line[sizeof(line) - 1] = '\n';
	for (unsigned i = 0; i < (1u << 20) / sizeof(line); i++)
		hc_console_write(line, sizeof(line));
	report(false, "the hypervisor printed 1 MiB of one guest's output");
	return 0;
}
