/*
 * A guest tries to start another CPU of the machine: PSCI CPU_ON through
 * SMC on Arm (with an entry point in the guest's own code), an INIT IPI
 * through the x2APIC interrupt command register (WRMSR 0x830) on a PC.
 * The other CPUs are the host's; one that ran guest code would run it
 * outside any VM.  The hypervisor must stop the guest at the request.
 *
 * minihv-expect: stopped "another CPU"
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	int r = cpu_start_other_cpu();
	report(false, "came back from the request to start another CPU (%d)", r);
	return 0;
}
