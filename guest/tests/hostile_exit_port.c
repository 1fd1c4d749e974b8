/*
 * A guest writes 0 to I/O port 0xf4, where the x86 QEMU launcher puts the
 * isa-debug-exit device: the hypervisor's own way to end QEMU with a
 * status (arch/x86_64/x86.c: arch_power_off).  Were the write to reach
 * the device, QEMU would exit at once with status (0 << 1) | 1, which the
 * launcher reads as "all passed"; there would be no SUMMARY, so the judge
 * would still fail the run, but the guest would have ended it.  The
 * hypervisor intercepts every I/O port (SVM: the I/O permission map is all
 * ones; VMX: unconditional I/O exiting) and must stop the guest at the
 * first write.  Arm has no I/O ports: the test skips there (its emulator
 * channel is semihosting, hostile_semihosting.c).
 *
 * minihv-expect: stopped "minihv guests have no I/O ports"
 * minihv-needs: io-ports
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	if (cpu_write_exit_port(0) < 0) {
		report_skip("this architecture has no I/O ports");
		return 0;
	}
	report(false, "the guest wrote 0 to the exit port (0xf4) and ran on");
	return 0;
}
