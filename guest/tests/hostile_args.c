/*
 * A hostile length: console_write of 100000 bytes, far over the ABI's
 * limit.  The hypervisor must refuse before reading anything.
 *
 * minihv-expect: stopped "console_write: length 100000 is larger than the ABI's limit of 256"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	hc_console_write((const void *)(uintptr_t)info->ram_gva, 100000);
	report(false, "the hypervisor accepted a 100000-byte console_write");
	return 0;
}
