/*
 * A tiny unit-test framework for the host tests.
 *
 * Each check prints one line in TAP style:
 *
 *	ok 7 - map 2 MiB uses one block
 *	not ok 8 - unmapped page is gone (tests/test_pt.c:123)
 *
 * and unit_done() prints the summary line the Makefile looks for,
 *
 *	test_pt: 42 passed, 0 failed
 *
 * and returns the exit status: 0 only if nothing failed.  A test keeps
 * going after a failure, so one run shows every broken check.  A program
 * that made no check at all fails too: a main() that returns before its
 * first CHECK (an early return, a loop over an empty table) would otherwise
 * say "0 passed, 0 failed" and look like success.
 *
 *	int main(void)
 *	{
 *		unit_begin("test_pt");
 *		CHECK(1 + 1 == 2, "arithmetic works");
 *		CHECK_EQ(pt.table_pages, 4, "4 tables after map %d", n);
 *		CHECK_STR(name, "EPT", "the format is named");
 *		return unit_done();
 *	}
 *
 * The description is a printf format.
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *unit_suite = "unit";
static int unit_count, unit_passed, unit_failed;

static inline void unit_begin(const char *suite)
{
	unit_suite = suite;
}

static inline int unit_vcheck(int cond, const char *file, int line,
			      const char *fmt, va_list ap)
{
	unit_count++;
	printf("%s %d - ", cond ? "ok" : "not ok", unit_count);
	vprintf(fmt, ap);
	if (cond) {
		unit_passed++;
		printf("\n");
	} else {
		unit_failed++;
		printf(" (%s:%d)\n", file, line);
	}
	return cond;
}

__attribute__((format(printf, 4, 5)))
static inline int unit_check(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = unit_vcheck(cond, file, line, fmt, ap);
	va_end(ap);
	return r;
}

/* Like unit_check, and on failure also show both values. */
__attribute__((format(printf, 5, 6)))
static inline int unit_check_eq(uint64_t got, uint64_t want, const char *file,
				int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = unit_vcheck(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got 0x%" PRIx64 ", want 0x%" PRIx64 "\n", got, want);
	return r;
}

/* CHECK(condition, "description", args...): true passes. */
#define CHECK(cond, ...) unit_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* CHECK_EQ(got, want, "description", args...): compared as uint64_t, so
 * negative error codes compare fine too. */
#define CHECK_EQ(got, want, ...) \
	unit_check_eq((uint64_t)(got), (uint64_t)(want), __FILE__, __LINE__, __VA_ARGS__)

/* Like unit_check, comparing two strings; on failure show both. */
__attribute__((format(printf, 5, 6)))
static inline int unit_check_str(const char *got, const char *want, const char *file,
				 int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = unit_vcheck(got && want && strcmp(got, want) == 0, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got  \"%s\"\n#   want \"%s\"\n", got ? got : "(null)",
		       want ? want : "(null)");
	return r;
}

/* CHECK_STR(got, want, "description", args...): equal C strings pass. */
#define CHECK_STR(got, want, ...) \
	unit_check_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

static inline int unit_done(void)
{
	if (unit_count == 0) {
		printf("not ok 1 - %s made no checks\n", unit_suite);
		unit_failed++;
	}
	printf("%s: %d passed, %d failed\n", unit_suite, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
