/* mm_strerror: every code has its own name, and strangers get one too. */
#include <string.h>

#include "mm/mm_err.h"
#include "tests/unit.h"

int main(void)
{
	static const int codes[] = { MM_OK, MM_ENOMEM, MM_EINVAL, MM_EOVERLAP,
				     MM_ENOTMAPPED, MM_EFAULT, MM_EPERM,
				     MM_EUNSUPPORTED, MM_ELIMIT };
	const int n = (int)(sizeof(codes) / sizeof(codes[0]));
	int i, j;

	unit_begin("test_mm_err");
	for (i = 0; i < n; i++) {
		const char *s = mm_strerror(codes[i]);
		int unique = 1;

		for (j = 0; j < n; j++)
			if (j != i && strcmp(s, mm_strerror(codes[j])) == 0)
				unique = 0;
		CHECK(s && s[0] && unique, "error %d has its own name \"%s\"", codes[i], s);
	}
	CHECK(strcmp(mm_strerror(-99), "unknown mm error") == 0, "unknown code is named");
	CHECK(strcmp(mm_strerror(7), "unknown mm error") == 0, "positive code is unknown");
	CHECK(strcmp(mm_strerror(MM_ENOMEM), "out of memory") == 0, "MM_ENOMEM reads well");
	return unit_done();
}
