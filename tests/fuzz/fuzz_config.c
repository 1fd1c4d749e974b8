/*
 * libFuzzer target: minihv.cfg's parser (hv/config.c) and the arm64 Image
 * and initrd checks (arch/aarch64/linux_image.c), everything boot/ reads
 * from the boot volume before a guest exists.
 *
 * The first byte picks the target.  Even: the rest is a config file.  Odd:
 * 8 bytes of RAM size, 8 of initrd length, 8 of file length, 1 of why_len,
 * then the file.  What must hold for any input, under ASan and UBSan:
 *
 *   - nothing is read past the input (libFuzzer's buffer ends exactly
 *     there), nothing written past a field or the why buffer (a heap block
 *     of exactly why_len bytes);
 *   - every string of the config is NUL-terminated inside its field, no
 *     message cut short, at most 32 guests, header lines strictly
 *     increasing, names unique;
 *   - every guest the parser calls valid obeys docs/config.md's rules,
 *     re-checked here by code of its own (paths, names, sizes, which keys
 *     go with which kind); a parse is deterministic;
 *   - an Image the check accepts has the magic, a 4 KiB-aligned
 *     text_offset, a file no longer than image_size, and a layout whose
 *     kernel, initrd and device tree are inside RAM and apart, computed
 *     here in 128-bit arithmetic so nothing can wrap; a refusal leaves a
 *     NUL-terminated sentence.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hv/config.h"
#include "arch/aarch64/linux_image.h"

#define ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

static int terminated(const char *s, size_t cap)
{
	return memchr(s, 0, cap) != NULL;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= CONFIG_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

static int printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

/* "" or \a\b: printable, no FAT-illegal character, no empty or ".." part. */
static int path_ok(const char *s)
{
	const char *part;

	if (!*s)
		return 1;
	if (s[0] != '\\' || !printable(s) || strpbrk(s, "\"*/:<>?|#"))
		return 0;
	part = s + 1;
	for (;;) {
		const char *end = strchr(part, '\\');
		size_t n = end ? (size_t)(end - part) : strlen(part);
		if (n == 0 || (n == 2 && part[0] == '.' && part[1] == '.'))
			return 0;
		if (!end)
			return 1;
		part = end + 1;
	}
}

static int embedded_ok(const char *s)
{
	int words = 0, all = 0;

	if (!*s)
		return 1;
	if (s[0] == ' ' || s[strlen(s) - 1] == ' ')
		return 0;
	while (*s) {
		size_t n = 0;
		while (*s == ' ')
			s++;
		while (s[n] && s[n] != ' ') {
			char c = s[n];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
				return 0;
			n++;
		}
		if (n == 3 && !memcmp(s, "all", 3))
			all = 1;
		words += n > 0;
		s += n;
	}
	return words > 0 && !(all && words > 1);
}

static struct hv_config a, b;

static void fuzz_config(const char *text, size_t len)
{
	memset(&a, 0x5a, sizeof(a));
	memset(&b, 0xa5, sizeof(b));
	config_parse(text, len, &a);
	config_parse(text, len, &b);
	ASSERT(memcmp(&a, &b, sizeof(a)) == 0);

	ASSERT(a.count <= CONFIG_MAX_GUESTS);
	ASSERT(terminated(a.error, sizeof(a.error)) && strlen(a.error) < CONFIG_ERROR_MAX - 1);
	if (!memchr(text, '[', len))
		ASSERT(a.count == 0);
	for (unsigned i = 0; i < a.count; i++) {
		const struct guest_config *g = &a.guests[i];

		ASSERT(terminated(g->name, sizeof(g->name)) && terminated(g->kernel, sizeof(g->kernel)) &&
		       terminated(g->initrd, sizeof(g->initrd)) && terminated(g->cmdline, sizeof(g->cmdline)) &&
		       terminated(g->embedded, sizeof(g->embedded)) && terminated(g->error, sizeof(g->error)));
		ASSERT(g->line >= 1 && (i == 0 || g->line > a.guests[i - 1].line));
		ASSERT(!g->name[0] || name_ok(g->name));
		for (unsigned j = 0; j < i; j++)
			ASSERT(!g->name[0] || strcmp(g->name, a.guests[j].name) != 0);
		if (g->error[0]) {
			/* A sentence that fills the field was cut short. */
			ASSERT(!strncmp(g->error, "line ", 5) && strlen(g->error) < CONFIG_ERROR_MAX - 1);
			continue;
		}
		/* A valid guest, judged again. */
		ASSERT(name_ok(g->name));
		ASSERT(path_ok(g->kernel) && path_ok(g->initrd));
		ASSERT(printable(g->cmdline) && !strchr(g->cmdline, '#'));
		ASSERT(embedded_ok(g->embedded));
		if (g->kind == GUEST_KIND_LINUX) {
			ASSERT(g->kernel[0] && !g->embedded[0]);
			ASSERT(g->memory % (2u << 20) == 0 && g->memory >= (32u << 20) &&
			       g->memory <= (1792u << 20));
			ASSERT(0x80000000ull + g->memory <= 0xf0000000ull);
		} else {
			ASSERT(g->kind == GUEST_KIND_MINIHV);
			ASSERT(!g->kernel[0] != !g->embedded[0]);
			ASSERT(!g->initrd[0] && !g->cmdline[0] && g->memory == 0);
		}
	}
}

static uint64_t get64(const uint8_t *b)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static void fuzz_image(const uint8_t *data, size_t size)
{
	struct linux_arm64_layout lay;
	uint64_t ram, initrd, file_len;
	size_t why_len;
	char *why;
	const uint8_t *file;
	size_t n;
	const char *ir;
	int r;

	if (size < 25)
		return;
	ram = get64(data);
	initrd = get64(data + 8);
	file_len = get64(data + 16);
	why_len = data[24] % 170;
	file = data + 25;
	n = size - 25;
	/* Only the header is read: any length is fair once the input holds
	 * it, and a shorter one must be a true length. */
	if (n < LINUX_ARM64_HEADER_SIZE)
		file_len %= n + 1;
	/* Small RAM sizes are the interesting ones, and 2 MiB multiples. */
	if (ram >> 63)
		ram = (ram & 0x3ff) << 21;

	why = malloc(why_len ? why_len : 1);
	memset(why, 'x', why_len);
	r = linux_arm64_image_check(file, file_len, ram, initrd, &lay, why_len ? why : NULL, why_len);
	ASSERT(r == 0 || r == -1);
	if (why_len)
		ASSERT(terminated(why, why_len));
	if (r == -1) {
		ASSERT(why_len <= 1 || why[0]);
		if (why_len == 160)	/* the header promises 160 bytes hold any sentence */
			ASSERT(strlen(why) < 159);
	} else {
		unsigned __int128 limit = initrd ? lay.initrd_off : lay.dtb_off;

		ASSERT(file_len >= LINUX_ARM64_HEADER_SIZE && n >= LINUX_ARM64_HEADER_SIZE);
		ASSERT(!memcmp(file + 56, "ARM\x64", 4) && !(file[24] & 1));
		ASSERT(lay.text_offset == get64(file + 8) && lay.image_size == get64(file + 16));
		ASSERT(lay.kernel_off == lay.text_offset && lay.text_offset % 4096 == 0);
		ASSERT(lay.image_size && file_len <= lay.image_size);
		ASSERT(ram % (2u << 20) == 0 && lay.dtb_off % (2u << 20) == 0);
		ASSERT((unsigned __int128)lay.dtb_off + (2u << 20) == ram);
		ASSERT((unsigned __int128)lay.kernel_off + lay.image_size <= limit);
		if (initrd) {
			ASSERT(lay.initrd_off % 4096 == 0);
			ASSERT((unsigned __int128)lay.initrd_off + initrd <= lay.dtb_off);
			ASSERT(lay.dtb_off - (lay.initrd_off + initrd) < 4096);
		} else {
			ASSERT(lay.initrd_off == 0);
		}
		if (why_len)
			ASSERT(why[0] == 0);
	}
	free(why);

	ir = linux_initrd_check(file, n);
	ASSERT(ir == NULL || *ir);
	if (!ir)
		ASSERT(n > 0 && memchr("0\x1f\xfd\x28\x02" "B\x5d\x89", file[0], 8));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_image(data + 1, size - 1);
	else
		fuzz_config((const char *)data + 1, size - 1);
	return 0;
}
