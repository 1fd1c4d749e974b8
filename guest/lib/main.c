/*
 * The guest's C entry point and the verdict bookkeeping.
 */
#include <stdarg.h>

#include "minihv.h"
#include "../../lib/format.h"

static unsigned checks, failures;
static bool skipped;
static char first_failure[MINIHV_MAX_MESSAGE];
static char skip_reason[MINIHV_MAX_MESSAGE];

bool report(bool ok, const char *fmt, ...)
{
	char msg[MINIHV_MAX_MESSAGE];
	va_list ap;
	va_start(ap, fmt);
	format_buf_v(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	checks++;
	printf("%s: %s\n", ok ? "ok" : "FAILED", msg);
	if (!ok && failures++ == 0)
		memcpy(first_failure, msg, sizeof(msg));
	return ok;
}

void report_skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	format_buf_v(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
	skipped = true;
}

void guest_main(const struct minihv_boot_info *info);
void guest_main(const struct minihv_boot_info *info)
{
	char msg[MINIHV_MAX_MESSAGE];
	int rc = test_main(info);

	if (failures) {
		snprintf(msg, sizeof(msg), "%u of %u checks failed; first: %s",
			 failures, checks, first_failure);
		hc_report(MINIHV_VERDICT_FAIL, msg, strlen(msg));
	} else if (rc != 0) {
		snprintf(msg, sizeof(msg), "test_main returned %d", rc);
		hc_report(MINIHV_VERDICT_FAIL, msg, strlen(msg));
	} else if (skipped) {
		hc_report(MINIHV_VERDICT_SKIP, skip_reason, strlen(skip_reason));
	} else if (checks == 0) {
		snprintf(msg, sizeof(msg), "the test made no checks");
		hc_report(MINIHV_VERDICT_FAIL, msg, strlen(msg));
	} else {
		snprintf(msg, sizeof(msg), "%u checks passed", checks);
		hc_report(MINIHV_VERDICT_PASS, msg, strlen(msg));
	}
	hc_exit(0);
}
