/*
 * One line of 1424 characters with no newline, 400 a byte at a time through
 * PUTC, then 256 at a time through console_write.  The
 * hypervisor collects a guest's output a line at a time in a fixed buffer
 * (struct vm's line): it must cut the line into prefixed pieces, not
 * write past the buffer's end into the VM structure behind it.  The test
 * checks the device still answers afterwards; a hypervisor that overflowed
 * would more likely crash, and the run would end with no verdict.
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	static char chunk[256];
	(void)info;
	for (unsigned i = 0; i < 400; i++)
		hc_putc((char)('a' + i % 26));
	memset(chunk, 'L', sizeof(chunk));
	for (unsigned i = 0; i < 4; i++)
		report(hc_console_write(chunk, sizeof(chunk)) == MINIHV_OK,
		       "console_write %u of 256 bytes with no newline", i);
	hc_putc('\n');
	report(hc_version() == MINIHV_ABI_VERSION, "the device still answers");
	return 0;
}
