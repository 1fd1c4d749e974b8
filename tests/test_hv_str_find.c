/*
 * str_find (lib/str_find.c), which hv_main uses to match a stopped guest's
 * reason against the "minihv-expect: stopped" text of its test.
 *
 * The haystacks live in heap buffers of exactly their size, so under
 * AddressSanitizer a read past the terminating NUL aborts the test.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/minihv_string.h"
#include "tests/unit.h"

/* A heap copy of s, with no spare byte after its NUL. */
static char *exact(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (!p)
		abort();
	memcpy(p, s, n);
	return p;
}

static void check(const char *haystack, const char *needle, long want)
{
	char *h = exact(haystack);
	const char *got = str_find(h, needle);
	long at = got ? (long)(got - h) : -1;

	CHECK_EQ(at, want, "str_find(\"%s\", \"%s\") is %ld", haystack, needle, want);
	free(h);
}

int main(void)
{
	unit_begin("test_hv_str_find");
	check("the guest halted (WFI) without calling exit", "the guest halted", 0);
	check("report: length 257 is larger", "length 257", 8);
	check("abc", "abc", 0);
	check("abc", "c", 2);
	check("abc", "", 0);
	check("", "", 0);
	check("", "a", -1);
	check("abc", "abd", -1);
	/* The needle runs past the end of the haystack: the search must stop
	 * at the haystack's NUL, not compare the needle's full length. */
	check("abc", "bcdef", -1);
	check("xyz", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", -1);
	check("aab", "ab", 1);
	return unit_done();
}
