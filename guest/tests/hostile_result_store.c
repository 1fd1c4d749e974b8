/*
 * A store to RESULT, which is load-only: a guest that could set its own
 * result could, on a hypervisor that kept RESULT in shared state, change
 * what another vCPU's call returns.  Any access the ABI does not list
 * stops the guest.
 *
 * minihv-expect: stopped "hypercall window: 8-byte store at offset 0x38 is not a register access the ABI allows"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	mmio_write64(hc_reg(MINIHV_HC_RESULT), 0);
	report(false, "the hypervisor accepted a store to RESULT");
	return 0;
}
