/*
 * The guest sends the bytes that drive a terminal: ESC sequences that
 * clear the screen, move the cursor up over earlier lines and set the
 * window title, BEL, backspaces over the "[name] " prefix, NUL, DEL and
 * bytes above 0x7f, through console_write and through PUTC, and as the
 * message of its verdict.  Whoever read the log in a terminal would see
 * the guest's version of it: earlier FAIL lines erased or overwritten.
 * The hypervisor must print each such byte as "?"; the judge
 * (scripts/judge-log.sh) fails this test if any reached the log, on a
 * "[name] " line or on the verdict line.
 */
#include "minihv.h"

static const char bytes[] =
	"clear\033[2J\033[Hhome, up\033[5Aover, title\033]0;pwned\007, "
	"bell\007, back\b\b\b\b\b\b\b\b, del\177, high\200\233\377, "
	"vt\v ff\f, nul\0 after nul";

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	if (!report(hc_console_write(bytes, sizeof(bytes) - 1) == MINIHV_OK,
		    "console_write of %u bytes with control bytes accepted",
		    (unsigned)sizeof(bytes) - 1))
		return 0;
	hc_putc('\n');
	for (unsigned i = 0; i < sizeof(bytes) - 1; i++)
		hc_putc(bytes[i]);
	hc_putc('\n');
	/* The verdict's message is printed by the hypervisor too: give it
	 * the same bytes, and end here, so that it is the one printed. */
	hc_report(MINIHV_VERDICT_PASS, bytes, sizeof(bytes) - 1);
	hc_exit(0);
}
