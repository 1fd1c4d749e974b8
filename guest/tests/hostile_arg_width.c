/*
 * A 4-byte store to ARG1, a 64-bit register.  A hypervisor that latched
 * it would have to guess the upper half (keep the old one? zero it?), and
 * a pointer built from a guess is a pointer nobody checked as the guest
 * meant it.  Only the widths the ABI lists are accepted.
 *
 * minihv-expect: stopped "hypercall window: 4-byte store at offset 0x18 is not a register access the ABI allows"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	mmio_write32(hc_reg(MINIHV_HC_ARG1), 0x1000);
	report(false, "the hypervisor latched a 4-byte store to the 8-byte ARG1");
	return 0;
}
