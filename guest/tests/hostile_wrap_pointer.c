/*
 * console_write of 32 bytes at gva 0xfffffffffffffff0: the buffer runs off
 * the top of the address space and wraps to 0.  A range check written as
 * "addr + len <= end" passes it (the sum wraps to 0x10); a walk that
 * stepped page by page would go on at page 0.  The hypervisor must refuse
 * the whole buffer.
 *
 * minihv-expect: stopped "console_write: buffer at gva 0xfffffffffffffff0 (32 bytes) is not readable guest memory"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	hc_call(MINIHV_CALL_CONSOLE_WRITE, 0xfffffffffffffff0ull, 32, 0, 0);
	report(false, "the hypervisor printed a buffer that wraps the address space");
	return 0;
}
