/*
 * A hostile pointer: ask the hypervisor to print 64 bytes starting 8 bytes
 * before the end of guest RAM.  The first 8 bytes are the guest's, the rest
 * is not guest memory at all.  The hypervisor must refuse the whole call,
 * stop this guest with a reason naming the address, and go on to the next
 * test.  The test passes only if the stop reason is exactly this one:
 *
 * minihv-expect: stopped "console_write: buffer at gva 0x403ffff8 (64 bytes) is not readable guest memory"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	const char *p = (const char *)(uintptr_t)(info->ram_gva + info->ram_size - 8);
	printf("asking the hypervisor to read 64 bytes at %p\n", (const void *)p);
	hc_console_write(p, 64);
	report(false, "the hypervisor accepted a buffer outside guest RAM");
	return 0;
}
