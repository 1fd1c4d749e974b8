/*
 * The guest enables SVE in its own CPACR_EL1 and runs an SVE instruction
 * (RDVL).  The SVE registers (Z0-Z31 beyond their V part, P0-P15, FFR,
 * ZCR_EL1) are one set the CPU shares between guests, which minihv does
 * not switch: it traps SVE (CPTR_EL2.TZ) and stops the guest, naming it.
 * Before, the instruction ran and its registers crossed VMs.  Where the
 * CPU has no SVE (cortex-a57, a53; x86) the test SKIPs, as the hypervisor
 * confirms.
 *
 * minihv-expect: stopped "SVE is not given to guests"
 * minihv-needs: sve
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t vl;
	(void)info;
	if (cpu_sve_vector_length(&vl) < 0) {
		report_skip("this CPU has no SVE");
		return 0;
	}
	report(false, "RDVL ran: the guest has SVE with %llu-byte vectors", (unsigned long long)vl);
	return 0;
}
