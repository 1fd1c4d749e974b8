/*
 * A hostile register access: a 2-byte load from the CALL register, which is
 * store-only and 32 bits wide.  The hypervisor must not guess.
 *
 * minihv-expect: stopped "hypercall window: 2-byte load at offset 0x30 is not a register access the ABI allows"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	uint16_t v = mmio_read16(hc_reg(MINIHV_HC_CALL));
	report(false, "the hypervisor answered a 2-byte load of CALL with %u", v);
	return 0;
}
