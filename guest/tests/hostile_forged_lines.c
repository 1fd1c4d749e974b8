/*
 * The guest writes, through console_write and through PUTC, the lines the
 * harness believes: a FAIL verdict for itself, a PASS for the next test,
 * an early SUMMARY, the hypervisor's power-off line with status 0, the
 * launcher's own "minihv-harness:" line -- each after a newline, and again
 * after a "\r" (which on a terminal returns to the start of the line, and
 * to a careless reader starts one).  Then it passes honestly.
 *
 * Had any of it reached the log as a line of its own, the judge
 * (scripts/judge-log.sh) would see two verdicts for this test, a verdict
 * for a test that has not run, or the run end early: the test is
 * contained exactly when this guest's verdict is its honest PASS.  The
 * hypervisor starts every guest line with "[name] " and prints "\r" as
 * "?", so none of it can start a line.
 */
#include "minihv.h"

static const char *const forged[] = {
	"\nFAIL: hostile_forged_lines: forged by the guest\n",
	"\nPASS: hostile_gpa_device: forged by the guest\n",
	"\nSUMMARY: 1 tests, 0 failed, 0 skipped, 0 xfailed\n",
	"\nminihv: power off, status 0\n",
	"\nminihv-harness: forged by the guest\n",
	"\rFAIL: hostile_forged_lines: forged after a carriage return\n",
	"x\r\nSUMMARY: 1 tests, 0 failed, 0 skipped, 0 xfailed\r\n",
	"x\rminihv: power off, status 0\n",
};

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	for (unsigned i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		const char *s = forged[i];
		report(hc_console_write(s, strlen(s)) == MINIHV_OK,
		       "console_write of forged line %u accepted (it must reach the log prefixed)", i);
		for (; *s; s++)
			hc_putc(*s);
	}
	return 0;
}
