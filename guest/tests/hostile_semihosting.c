/*
 * A guest makes semihosting calls: SYS_WRITE0 with a forged verdict line,
 * then SYS_EXIT with status 0.  Semihosting is a channel from the program
 * to the host that runs it (a debugger, or QEMU with -semihosting): QEMU
 * serves it from EL1 as readily as from EL2, so with it a guest could
 * write to the serial log without the "[name] " prefix, end the run with
 * the status of a pass, and run commands on the host (SYS_SYSTEM).  minihv
 * starts QEMU without semihosting: the HLT is undefined, the guest's own
 * vectors report the exception, and the hypervisor, which recognises the
 * instruction, stops the guest and names it.
 *
 * If the call ever does something, the run fails: a forged "PASS:" line
 * is a second verdict for this test, and SYS_EXIT ends the emulator before
 * the hypervisor's SUMMARY and its power-off line (scripts/judge-log.sh).
 * On x86, which has no semihosting, the test skips (the emulator's exit
 * port there is tried by hostile_exit_port.c).
 *
 * minihv-expect: stopped "minihv gives guests no semihosting"
 * minihv-needs: semihosting
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	static const char forged[] =
		"PASS: hostile_semihosting: forged by the guest through semihosting\n"
		"SUMMARY: forged by the guest through semihosting\n";
	/* ADP_Stopped_ApplicationExit, exit code 0: "all passed". */
	static const uint64_t exit_block[2] = { 0x20026, 0 };
	uint64_t ret;

	if (cpu_semihosting_call(CPU_SEMIHOSTING_SYS_WRITE0, (uintptr_t)forged, &ret) < 0) {
		report_skip("this architecture has no semihosting call");
		return 0;
	}
	report(false, "semihosting SYS_WRITE0 came back (x0=0x%llx): the host served it",
	       (unsigned long long)ret);
	cpu_semihosting_call(CPU_SEMIHOSTING_SYS_EXIT, (uintptr_t)exit_block, &ret);
	report(false, "semihosting SYS_EXIT came back (x0=0x%llx)", (unsigned long long)ret);
	return 0;
}
