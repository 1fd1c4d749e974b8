/*
 * A guest writes a breakpoint address into debug register 0.  DR0..DR3 are
 * the CPU's own, one set shared by the host and every guest, and neither
 * VM entry nor VMRUN switches them: the value would stay behind for the
 * next guest, and a breakpoint armed there could fire in the host.  The
 * hypervisor must trap the MOV and stop the guest.
 *
 * minihv-expect: stopped "MOV to DR0"
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	if (cpu_write_debug_register(0x5ec2e7) < 0) {
		report_skip("this architecture has no x86 debug registers");
		return 0;
	}
	report(false, "the guest wrote DR0 without being stopped (it reads back 0x%llx)",
	       (unsigned long long)cpu_read_debug_register());
	return 0;
}
