/*
 * A guest writes a breakpoint address into debug register 0 (x86 DR0, Arm
 * DBGBVR0_EL1).  Debug registers are the CPU's own, one set shared by the
 * host and every guest, and no VM entry (VMLAUNCH, VMRUN, ERET) switches
 * them: the value would stay behind for the next guest, and a breakpoint
 * armed there could fire in the host.  The hypervisor must trap the write
 * and stop the guest.
 *
 * minihv-expect: stopped "minihv guests have no debug registers"
 * minihv-needs: debug-registers
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	if (cpu_write_debug_register(0x5ec2e7) < 0) {
		report_skip("this architecture has no debug register to try");
		return 0;
	}
	report(false, "the guest wrote DR0 without being stopped (it reads back 0x%llx)",
	       (unsigned long long)cpu_read_debug_register());
	return 0;
}
