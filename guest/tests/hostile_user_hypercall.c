/*
 * Code at the guest's user level (EL0) calls CONSOLE_WRITE with a pointer
 * to a page only the guest kernel may read.  The hypervisor walks the
 * guest's page tables with its own privilege: before, it printed the
 * kernel's secret for the user program.  The minihv ABI is the guest
 * kernel's: a hypercall from user mode is refused and the guest stopped.
 * (A kernel that wants to offer a service to its user programs does so
 * through its own system calls, checking their pointers.)
 *
 * The test drops to EL0 on aarch64 and to CPL 3 on x86 (the per-arch
 * helper in guest/arch/<arch>/cpu.h says how).
 *
 * minihv-expect: stopped "from the guest's user mode refused: hypercalls are for the guest kernel"
 * minihv-needs: user-mode
 */
#include "minihv.h"
#include "cpu.h"

static const char secret[] = "the guest kernel's secret\n";

int test_main(const struct minihv_boot_info *info)
{
	if (cpu_user_mode_hypercall(info, MINIHV_CALL_CONSOLE_WRITE, (uintptr_t)secret,
				    sizeof(secret) - 1) < 0) {
		report_skip("no way to reach user mode in this guest");
		return 0;
	}
	report(false, "came back from user mode");
	return 0;
}
