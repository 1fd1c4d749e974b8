/*
 * minihv.cfg's parser (hv/config.c), fed what a person, another OS or a
 * corrupted volume may write: every refusal with its own sentence (checked
 * word for word where docs/config.md quotes it, by its telling part
 * elsewhere), every value at the edge of its field, sizes that wrap 2^64,
 * binary bytes, a 100 KB line, a thousand sections.  After each parse the
 * result must be well-formed whatever the input: every string
 * NUL-terminated inside its field, at most 32 guests.
 */
#include <stdlib.h>

#include "unit.h"
#include "doc_messages.h"
#include "../hv/config.h"

static struct hv_config cfg;

/* Every string of the result ends inside its field. */
static int well_formed(const struct hv_config *c)
{
	if (c->count > CONFIG_MAX_GUESTS || !memchr(c->error, 0, sizeof(c->error)))
		return 0;
	for (unsigned i = 0; i < c->count; i++) {
		const struct guest_config *g = &c->guests[i];
		if (!memchr(g->name, 0, sizeof(g->name)) || !memchr(g->kernel, 0, sizeof(g->kernel)) ||
		    !memchr(g->initrd, 0, sizeof(g->initrd)) || !memchr(g->cmdline, 0, sizeof(g->cmdline)) ||
		    !memchr(g->embedded, 0, sizeof(g->embedded)) || !memchr(g->error, 0, sizeof(g->error)))
			return 0;
	}
	return 1;
}

static void parse_n(const char *text, size_t len)
{
	/* Garbage first: the parser must set every field itself. */
	memset(&cfg, 0xa5, sizeof(cfg));
	config_parse(text, len, &cfg);
	CHECK(well_formed(&cfg), "  (the result is well-formed)");
	seen(cfg.error);
	for (unsigned i = 0; i < cfg.count && i < CONFIG_MAX_GUESTS; i++)
		seen(cfg.guests[i].error);
}

#define PARSE_LIT(s) parse_n(s, sizeof(s) - 1)

static void parse(const char *text)
{
	parse_n(text, strlen(text));
}

/* The first guest's error after parsing text. */
static const char *err1(const char *text)
{
	parse(text);
	return cfg.count ? cfg.guests[0].error : "(no guest)";
}

static int has(const char *s, const char *part)
{
	if (!strstr(s, part)) {
		printf("#   \"%s\"\n#   does not contain \"%s\"\n", s, part);
		return 0;
	}
	return 1;
}

static const char example[] =
	"# minihv.cfg: comments start with '#', blank lines ignored\n"
	"[guest before]\n"
	"kind = minihv\n"
	"embedded = hello mmio_widths      # built-in test names, or \"all\"\n"
	"\n"
	"[guest debian]\n"
	"kind = linux\n"
	"kernel = \\minihv\\Image\n"
	"initrd = \\minihv\\initrd.cpio\n"
	"cmdline = console=ttyAMA0 panic=-1\n"
	"memory = 256M\n"
	"\n"
	"[guest flat]\n"
	"kind=minihv\n"
	"kernel =\\minihv\\hello.bin        # a flat minihv guest image\n";

static void check_example(const char *what)
{
	const struct guest_config *g = cfg.guests;

	CHECK_EQ(cfg.count, 3, "%s: three guests", what);
	CHECK_STR(cfg.error, "", "%s: no file error", what);
	CHECK_STR(g[0].name, "before", "%s: 1st name", what);
	CHECK_EQ(g[0].kind, GUEST_KIND_MINIHV, "%s: 1st kind", what);
	CHECK_STR(g[0].embedded, "hello mmio_widths", "%s: 1st embedded, comment and spaces gone", what);
	CHECK(!g[0].kernel[0] && !g[0].initrd[0] && !g[0].cmdline[0] && g[0].memory == 0,
	      "%s: 1st: absent fields empty", what);
	CHECK_EQ(g[0].line, 2, "%s: 1st header line", what);
	CHECK_STR(g[0].error, "", "%s: 1st valid", what);
	CHECK_STR(g[1].name, "debian", "%s: 2nd name", what);
	CHECK_EQ(g[1].kind, GUEST_KIND_LINUX, "%s: 2nd kind", what);
	CHECK_STR(g[1].kernel, "\\minihv\\Image", "%s: 2nd kernel", what);
	CHECK_STR(g[1].initrd, "\\minihv\\initrd.cpio", "%s: 2nd initrd", what);
	CHECK_STR(g[1].cmdline, "console=ttyAMA0 panic=-1", "%s: 2nd cmdline, '=' inside kept", what);
	CHECK_EQ(g[1].memory, 256ull << 20, "%s: 2nd memory 256M", what);
	CHECK_STR(g[1].embedded, "", "%s: 2nd no embedded", what);
	CHECK_EQ(g[1].line, 6, "%s: 2nd header line", what);
	CHECK_STR(g[1].error, "", "%s: 2nd valid", what);
	CHECK_STR(g[2].name, "flat", "%s: 3rd name", what);
	CHECK_EQ(g[2].kind, GUEST_KIND_MINIHV, "%s: 3rd kind, no spaces around '='", what);
	CHECK_STR(g[2].kernel, "\\minihv\\hello.bin", "%s: 3rd kernel", what);
	CHECK_EQ(g[2].line, 13, "%s: 3rd header line", what);
	CHECK_STR(g[2].error, "", "%s: 3rd valid", what);
}

static void test_valid(void)
{
	char crlf[sizeof(example) * 2], *d = crlf;

	parse(example);
	check_example("the example");

	for (const char *s = example; *s; s++) {
		if (*s == '\n')
			*d++ = '\r';
		*d++ = *s;
	}
	*d = '\0';
	parse(crlf);
	check_example("CR LF");

	/* Without its final newline: the last line still counts. */
	parse_n(example, strlen(example) - 1);
	check_example("no final newline");

	{
		char bom[sizeof(example) + 3] = "\xef\xbb\xbf";
		strcpy(bom + 3, example);
		parse(bom);
		check_example("UTF-8 byte order mark");
	}

	parse("");
	CHECK(cfg.count == 0 && !cfg.error[0], "empty file: no guest, no error");
	parse("# only a comment\n\n   \t\n# é and other UTF-8 in a comment\n");
	CHECK(cfg.count == 0 && !cfg.error[0], "comments and blank lines only: no guest, no error");
	parse("\n\n\n");
	CHECK(cfg.count == 0 && !cfg.error[0], "newlines only");

	parse("[ guest\tx ]  # spaces inside the brackets\n\tkind\t=\tlinux  \nkernel=\\K\nmemory=32M\n");
	CHECK(cfg.count == 1 && !strcmp(cfg.guests[0].name, "x") && !cfg.guests[0].error[0],
	      "spaces and tabs around the header's words and the '='");
	parse("[guest a]\nkind = linux\nkernel = \\K\nmemory = 1792M\ncmdline =\n");
	CHECK(!cfg.guests[0].error[0] && cfg.guests[0].memory == 1792ull << 20 && !cfg.guests[0].cmdline[0],
	      "linux: 1792M is the largest; an empty cmdline is allowed");
	parse("[guest a]\nkind = linux\nkernel = \\K\nmemory = 32m\n");
	CHECK(!cfg.guests[0].error[0] && cfg.guests[0].memory == 32ull << 20, "linux: 32m (lower case)");
	parse("[guest a]\nkind = linux\nkernel = \\K\nmemory = 1g\n");
	CHECK(!cfg.guests[0].error[0] && cfg.guests[0].memory == 1ull << 30, "linux: 1g");
	parse("[guest a]\nkind = linux\nkernel = \\K\nmemory = 65536K\n");
	CHECK(!cfg.guests[0].error[0] && cfg.guests[0].memory == 64ull << 20, "linux: 65536K");
	parse("[guest a]\nkind = linux\nkernel = \\K\nmemory = 33554432\n");
	CHECK(!cfg.guests[0].error[0] && cfg.guests[0].memory == 32ull << 20, "linux: bytes without suffix");
	parse("[guest a]\nkind = minihv\nembedded = all\n");
	CHECK(!cfg.guests[0].error[0] && !strcmp(cfg.guests[0].embedded, "all"), "minihv: embedded = all");
	parse("[guest A_b-9]\nkind = minihv\nembedded = x  y_2\n");
	CHECK(!cfg.guests[0].error[0] && !strcmp(cfg.guests[0].name, "A_b-9"), "name with _ and -");
	parse("[guest a]\nkind = minihv\nkernel = \\a b\\.\\c.bin\n");
	CHECK(!cfg.guests[0].error[0], "path with a space and a '.' component");

	CHECK_STR(guest_kind_name(GUEST_KIND_MINIHV), "minihv", "guest_kind_name minihv");
	CHECK_STR(guest_kind_name(GUEST_KIND_LINUX), "linux", "guest_kind_name linux");
	CHECK_STR(guest_kind_name(GUEST_KIND_NONE), "none", "guest_kind_name none");
}

/* The messages docs/config.md quotes, word for word. */
static void test_messages(void)
{
	CHECK_STR(err1("[guest a]\nkind = linux\nkernel = \\K\n\n\n\nmemroy = 256M\n"),
		  "line 7: unknown key \"memroy\" (known: kind, kernel, initrd, cmdline, memory, embedded, "
		  "expect, timeout, psci)",
		  "unknown key");
	CHECK_STR(err1("[guest a]\nkind = linux\nkind = minihv\n"),
		  "line 3: duplicate key \"kind\" (already set on line 2)", "duplicate key");
	CHECK_STR(err1("[guest a]\nkernel = \\K\n"),
		  "line 1: guest \"a\" has no kind (add kind = minihv or kind = linux)", "missing kind");
	CHECK_STR(err1("[guest a]\nkind = windows\n"),
		  "line 2: unknown kind \"windows\" (known: minihv, linux)", "unknown kind");
	CHECK_STR(err1("[guest a]\nkind linux\n"),
		  "line 2: expected \"key = value\", found no '=' in \"kind linux\"", "a line without '='");
	CHECK_STR(err1("[guest a]\n = linux\n"), "line 2: no key before '='", "no key");
	CHECK_STR(err1("[global]\n"), "line 1: section header \"[global]\" is not [guest NAME]",
		  "section header other than [guest NAME]");
	CHECK_STR(err1("[guest a.b]\n"),
		  "line 1: guest name \"a.b\" may hold only letters, digits, \"_\" and \"-\"", "bad name");
	CHECK_STR(err1("[guest a]\nkind = linux\nkernel = \\K\n"),
		  "line 1: linux guest \"a\" has no memory (e.g. memory = 256M)", "linux without memory");
	CHECK_STR(err1("[guest a]\nkind = linux\nmemory = 64M\n"),
		  "line 1: linux guest \"a\" has no kernel (e.g. kernel = \\minihv\\Image)", "linux without kernel");
	CHECK_STR(err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 2G\n"),
		  "line 4: memory (2048 MiB) is more than 1792 MiB: guest RAM at 0x80000000 must end below "
		  "the hypercall window at 0xf0000000", "linux memory too large");
	CHECK_STR(err1("[guest a]\nkind = minihv\nembedded = all\nmemory = 4M\n"),
		  "line 4: \"memory\" is only for linux guests: a minihv guest gets the ABI's fixed 4 MiB, "
		  "with no initrd or cmdline", "minihv with memory");
	CHECK_STR(err1("[guest a]\nkind = minihv\n"),
		  "line 1: minihv guest \"a\" needs \"kernel\" (an image on the boot volume) or \"embedded\" "
		  "(built-in tests)", "minihv with neither kernel nor embedded");
}

static void test_sections(void)
{
	char name[64];

	CHECK(has(err1("[guest]\n"), "line 1: section header \"[guest]\" is not [guest NAME]"), "[guest]");
	CHECK(has(err1("[guest  ]\n"), "is not [guest NAME]"), "[guest  ] (no name)");
	CHECK(has(err1("[guest a\n"), "is not [guest NAME]"), "no closing ]");
	CHECK(has(err1("[guest a] x\n"), "is not [guest NAME]"), "text after ]");
	CHECK(has(err1("[guest a b]\n"), "guest name \"a b\" may hold only"), "a name with a space");
	CHECK(has(err1("[guesta]\n"), "is not [guest NAME]"), "[guesta]");
	CHECK(has(err1("[GUEST a]\n"), "is not [guest NAME]"), "[GUEST a]: case matters");
	CHECK(has(err1("[\n"), "section header \"[\" is not"), "a lone [");
	CHECK(has(err1("[]\n"), "is not [guest NAME]"), "[]");
	CHECK(has(err1("[guest a]]\n"), "guest name \"a]\" may hold only"), "[guest a]]");

	/* 31 characters fit with the NUL, 32 do not. */
	memset(name, 'n', 31);
	strcpy(name + 31, "]\nkind=minihv\nembedded=all\n");
	{
		char text[128] = "[guest ";
		strcat(text, name);
		parse(text);
		CHECK(cfg.count == 1 && strlen(cfg.guests[0].name) == 31 && !cfg.guests[0].error[0],
		      "a 31-character name fits");
		memmove(text + 8, text + 7, strlen(text + 7) + 1);
		text[7] = 'n';
		parse(text);
		CHECK(cfg.count == 1 && !cfg.guests[0].name[0] &&
		      has(cfg.guests[0].error, "line 1: guest name \"nnnnnnnnnnnnnnnnnnnnnnnn...\" is longer than "
			  "31 characters"), "a 32-character name is refused, not truncated");
	}

	parse("[guest a]\nkind=minihv\nembedded=all\n[guest b]\nkind=minihv\nembedded=all\n"
	      "[guest a]\nkind=minihv\nembedded=all\n");
	CHECK(cfg.count == 3 && !cfg.guests[0].error[0] && !cfg.guests[1].error[0] &&
	      !strcmp(cfg.guests[2].error, "line 7: guest name \"a\" is already used by the guest on line 1"),
	      "duplicate name: the second is refused, the first runs");

	/* A broken header starts a guest of its own: its lines are not
	 * taken as the previous guest's. */
	parse("[guest a]\nkind=minihv\nembedded=all\n[oops]\nkind=linux\nmemory=9\n[guest c]\nkind=minihv\n"
	      "embedded=hello\n");
	CHECK(cfg.count == 3 && !cfg.guests[0].error[0] && cfg.guests[1].error[0] && !cfg.guests[2].error[0] &&
	      cfg.guests[0].memory == 0 && cfg.guests[1].line == 4 && !cfg.guests[1].name[0],
	      "a broken header's lines stay with it; the guests around it run");

	/* Lines before the first section: the file's problem, the guests run. */
	parse("kind = linux\n[guest a]\nkind=minihv\nembedded=all\n");
	CHECK(cfg.count == 1 && !cfg.guests[0].error[0] &&
	      !strcmp(cfg.error, "line 1: \"kind = linux\" comes before the first [guest NAME] section"),
	      "a line before the first section");
	parse("junk\nmore junk\n");
	CHECK(cfg.count == 0 && has(cfg.error, "line 1: \"junk\""), "only junk: the first line is told");
}

static void test_keys(void)
{
	const char *e;

	e = err1("[guest a]\nkind = minihv\nembedded = all\nembedded = hello\n");
	CHECK(has(e, "line 4: duplicate key \"embedded\" (already set on line 3)"), "duplicate embedded");
	e = err1("[guest a]\nkind = linux\nkind = linux\n");
	CHECK(has(e, "line 3: duplicate key \"kind\""), "duplicate key, same value");
	e = err1("[guest a]\nKind = linux\n");
	CHECK(has(e, "unknown key \"Kind\""), "keys are lower case");
	e = err1("[guest a]\nkind = Linux\n");
	CHECK(has(e, "unknown kind \"Linux\""), "kinds are lower case");
	e = err1("[guest a]\nkind =\n");
	CHECK(has(e, "unknown kind \"\""), "empty kind");
	/* Only the first problem of a guest is kept. */
	e = err1("[guest a]\nfoo = 1\nbar = 2\n");
	CHECK(has(e, "line 2: unknown key \"foo\""), "the first problem is the one told");
	e = err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 64M\nembedded = hello\n");
	CHECK(has(e, "line 5: \"embedded\" is for minihv guests"), "linux with embedded");
	e = err1("[guest a]\nkind = minihv\nembedded = all\ninitrd = \\i\n");
	CHECK(has(e, "line 4: \"initrd\" is only for linux guests: a minihv guest gets the ABI's fixed 4 MiB"),
	      "minihv with initrd");
	e = err1("[guest a]\nkind = minihv\nembedded = all\ncmdline = quiet\n");
	CHECK(has(e, "line 4: \"cmdline\" is only for linux guests"), "minihv with cmdline");
	e = err1("[guest a]\nkind = minihv\nkernel = \\g.bin\nembedded = all\n");
	CHECK(has(e, "line 4: a minihv guest takes \"kernel\" or \"embedded\", not both"), "minihv with both");
	e = err1("[guest a]\nembedded = all\nkind = minihv\n");
	CHECK(!e[0], "keys in any order (kind last)");

	e = err1("[guest a]\nkind = minihv\nembedded = hello,world\n");
	CHECK(has(e, "line 3: embedded: \"hello,world\" is not a test name"), "embedded: a comma");
	e = err1("[guest a]\nkind = minihv\nembedded = all hello\n");
	CHECK(has(e, "line 3: embedded: \"all\" must stand alone"), "embedded: all with another name");
	e = err1("[guest a]\nkind = minihv\nembedded =\n");
	CHECK(has(e, "line 3: embedded is empty"), "embedded: empty");
	e = err1("[guest a]\nkind = minihv\nembedded = hel-lo\n");
	CHECK(has(e, "\"hel-lo\" is not a test name"), "embedded: a hyphen");

	/* Linux memory rules. */
	e = err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 33M\n");
	CHECK(has(e, "line 4: memory (34603008 bytes) is not a whole number of 2 MiB blocks"), "33M");
	e = err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 30M\n");
	CHECK(has(e, "line 4: memory (30 MiB) is less than the 32 MiB"), "30M");
	e = err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 1794M\n");
	CHECK(has(e, "memory (1794 MiB) is more than 1792 MiB"), "1794M");
	e = err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 1000K\n");
	CHECK(has(e, "not a whole number of 2 MiB"), "1000K");
	e = err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 17179869183G\n");
	CHECK(has(e, "is more than 1792 MiB"), "the largest size that parses: refused by the linux rule");
}

static void test_memory(void)
{
	static const struct {
		const char *value, *want;
	} bad[] = {
		{ "18446744073709551616", "memory \"18446744073709551616\" is too large (2^64 bytes or more)" },
		{ "18446744073709551615K", "is too large" },
		{ "99999999999G", "memory \"99999999999G\" is too large" },
		{ "17179869184G", "is too large" },	/* exactly 2^64 */
		{ "99999999999999999999999999999999999999999", "is too large" },
		{ "-1", "memory \"-1\" is not a size" },
		{ "0x10M", "memory \"0x10M\" is not a size" },
		{ "", "memory \"\" is not a size" },
		{ "256MB", "memory \"256MB\" is not a size" },
		{ "256 M", "is not a size" },
		{ "M", "memory \"M\" is not a size" },
		{ "+5M", "is not a size" },
		{ "1T", "is not a size" },
		{ "1.5G", "is not a size" },
		{ "0", "memory must be more than 0" },
		{ "0M", "memory must be more than 0" },
		{ "000", "memory must be more than 0" },
	};
	char text[256];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[guest a]\nkind = linux\nkernel = \\K\nmemory = %s\n", bad[i].value);
		CHECK(has(err1(text), bad[i].want) && has(cfg.guests[0].error, "line 4: "),
		      "memory = \"%s\" is refused", bad[i].value);
	}
	parse("[guest a]\nkind = linux\nkernel = \\K\nmemory = 0000256M\n");
	CHECK(!cfg.guests[0].error[0] && cfg.guests[0].memory == 256ull << 20, "leading zeros are decimal");
}

static void test_paths(void)
{
	static const struct {
		const char *value, *want;
	} bad[] = {
		{ "minihv\\Image", "kernel path \"minihv\\Image\" must start with \"\\\"" },
		{ "/minihv/Image", "must start with \"\\\"" },
		{ "\\minihv/Image", "holds '/', which a FAT file name cannot" },
		{ "\\a:b", "holds ':'" },
		{ "\\a*", "holds '*'" },
		{ "\\a?", "holds '?'" },
		{ "\\a|b", "holds '|'" },
		{ "\\a<b>", "holds '<'" },
		{ "\\\"a\"", "holds '\"'" },
		{ "", "must start with" },
		{ "\\", "has an empty component" },
		{ "\\\\minihv", "has an empty component" },
		{ "\\minihv\\\\Image", "has an empty component" },
		{ "\\minihv\\", "has an empty component" },
		{ "\\..\\Image", "has a \"..\" component" },
		{ "\\minihv\\..", "has a \"..\" component" },
		{ "\\a\\..\\..\\b", "has a \"..\" component" },
	};
	char text[512], path[300];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[guest a]\nkind = linux\nkernel = %s\nmemory = 64M\n", bad[i].value);
		CHECK(has(err1(text), bad[i].want) && has(cfg.guests[0].error, "line 3: ") &&
		      !cfg.guests[0].kernel[0], "kernel = \"%s\" is refused", bad[i].value);
	}
	snprintf(text, sizeof(text), "[guest a]\nkind = linux\nkernel=\\K\ninitrd = \\..\nmemory = 64M\n");
	CHECK(has(err1(text), "line 4: initrd path \"\\..\" has a \"..\" component"), "initrd paths too");
	CHECK(!strcmp(cfg.guests[0].kernel, "\\K") && !cfg.guests[0].initrd[0], "  the refused path is not kept");
	CHECK(has(err1("[guest a]\nkind = linux\nkernel = \\...\nmemory = 64M\n"), ""), "\"...\" parses");
	CHECK(!cfg.guests[0].error[0], "  and is allowed (only \"..\" is refused)");

	/* 127 characters fit, 128 do not. */
	path[0] = '\\';
	memset(path + 1, 'p', 126);
	path[127] = '\0';
	snprintf(text, sizeof(text), "[guest a]\nkind = minihv\nkernel = %s\n", path);
	parse(text);
	CHECK(!cfg.guests[0].error[0] && strlen(cfg.guests[0].kernel) == 127, "a 127-character path fits");
	strcat(path, "p");
	snprintf(text, sizeof(text), "[guest a]\nkind = minihv\nkernel = %s\n", path);
	CHECK_STR(err1(text), "line 3: the value of \"kernel\" is 128 characters long; at most 127 fit",
		  "a 128-character path is refused");
	CHECK(!cfg.guests[0].kernel[0], "  and not kept truncated");
}

static void test_bytes(void)
{
	const char *e;

	PARSE_LIT("[guest a]\nkind = min\0hv\n");
	CHECK(cfg.count == 1 && has(cfg.guests[0].error, "line 2: NUL byte at column 11: minihv.cfg must be plain "
				    "text"), "a NUL byte in a guest's line");
	PARSE_LIT("\0[guest a]\nkind=minihv\nembedded=all\n");
	CHECK(cfg.count == 0 && has(cfg.error, "line 1: NUL byte at column 1"),
	      "a NUL byte before the first section: the file's problem (and the rest of that line is gone)");
	PARSE_LIT("[guest a]\nkind=minihv\nembedded=all # a comment \0 with a NUL\n[guest b]\nkind=minihv\n"
		  "embedded=all\n");
	CHECK(cfg.count == 2 && has(cfg.guests[0].error, "line 3: NUL byte") && !cfg.guests[1].error[0],
	      "a NUL in a comment refuses that guest only");
	e = err1("[guest a]\nkind = minihv\nembedded = he\x01llo\n");
	CHECK(has(e, "line 3: byte 0x01 at column 14 is not printable ASCII"), "a control byte");
	e = err1("[guest a]\nkind = linux\nkernel = \\K\xc3\xa9\nmemory = 64M\n");
	CHECK(has(e, "line 3: byte 0xc3 at column 12 is not printable ASCII"), "UTF-8 outside a comment");
	e = err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 64M\ncmdline = a\tb\n");
	CHECK(has(e, "line 5: tab in the value of \"cmdline\": use spaces"), "a tab inside a value");
	e = err1("[guest a]\nkind = minihv\nembedded = all\r\r\n");
	CHECK(has(e, "line 3: byte 0x0d at column 15"), "a CR that is not part of CR LF");
	parse("[guest a]\rkind = minihv\n");
	CHECK(cfg.count == 0 && has(cfg.error, "line 1: byte 0x0d at column 10"),
	      "old Mac line ends (CR alone) are refused");
	e = err1("[guest a]\nkind = minihv\nembedded = all\x7f\n");
	CHECK(has(e, "byte 0x7f"), "DEL");
	e = err1("[guest a]\nkind = minihv\nembedded = all # caf\xc3\xa9\n");
	CHECK(!e[0], "UTF-8 in a comment is fine");
}

static void test_long(void)
{
	size_t big = 100 * 1024;
	char *text = malloc(big + 256);
	size_t n;

	/* A 511-character cmdline fits, 512 do not. */
	n = (size_t)sprintf(text, "[guest a]\nkind = linux\nkernel = \\K\nmemory = 64M\ncmdline = ");
	memset(text + n, 'c', 511);
	strcpy(text + n + 511, "\n");
	parse(text);
	CHECK(!cfg.guests[0].error[0] && strlen(cfg.guests[0].cmdline) == 511, "a 511-character cmdline fits");
	memset(text + n, 'c', 512);
	strcpy(text + n + 512, "\n");
	CHECK_STR(err1(text), "line 5: the value of \"cmdline\" is 512 characters long; at most 511 fit",
		  "a 512-character cmdline is refused");
	CHECK(!cfg.guests[0].cmdline[0], "  and not kept truncated");

	memset(text + n, 'c', big);
	strcpy(text + n + big, "\n[guest b]\nkind=minihv\nembedded=all\n");
	parse(text);
	CHECK(has(cfg.guests[0].error, "line 5: the value of \"cmdline\" is 102400 characters long") &&
	      cfg.count == 2 && !cfg.guests[1].error[0], "a 100 KB cmdline: refused, the next guest runs");

	n = (size_t)sprintf(text, "[guest a]\nkind = minihv\nembedded = ");
	memset(text + n, 'e', big);
	strcpy(text + n + big, "\n");
	CHECK(has(err1(text), "line 3: the value of \"embedded\" is 102400 characters long"), "a 100 KB embedded");

	n = (size_t)sprintf(text, "[guest a]\n");
	memset(text + n, 'x', big);
	strcpy(text + n + big, "\n");
	CHECK(has(err1(text), "line 2: expected \"key = value\", found no '=' in \"xxxxxxxxxxxxxxxxxxxxxxxx...\""),
	      "a 100 KB line without '=': quoted short");

	n = (size_t)sprintf(text, "[guest a]\n");
	memset(text + n, 'k', big);
	strcpy(text + n + big, "=1\n");
	CHECK(has(err1(text), "line 2: unknown key \"kkkkkkkkkkkkkkkkkkkkkkkk...\""), "a 100 KB key");

	n = (size_t)sprintf(text, "[guest ");
	memset(text + n, 'g', big);
	strcpy(text + n + big, "]\n");
	CHECK(has(err1(text), "is longer than 31 characters"), "a 100 KB name");

	n = (size_t)sprintf(text, "# ");
	memset(text + n, 'z', big);
	strcpy(text + n + big, "\n[guest a]\nkind=minihv\nembedded=all\n");
	parse(text);
	CHECK(cfg.count == 1 && !cfg.guests[0].error[0] && cfg.guests[0].line == 2, "a 100 KB comment is fine");
	free(text);
}

static void test_many(void)
{
	size_t cap = 1000 * 64;
	char *text = malloc(cap);
	size_t n = 0;

	for (int i = 1; i <= 33; i++)
		n += (size_t)snprintf(text + n, cap - n, "[guest g%d]\nkind = minihv\nembedded = all\n", i);
	parse(text);
	CHECK_EQ(cfg.count, 32, "33 guests: 32 kept");
	CHECK(!cfg.guests[31].error[0] && !strcmp(cfg.guests[31].name, "g32"), "  the 32nd runs");
	CHECK_STR(cfg.error, "line 97: more than 32 guests; ignored: \"g33\" (line 97)", "  the 33rd is named");

	n = 0;
	for (int i = 1; i <= 34; i++)
		n += (size_t)snprintf(text + n, cap - n, i == 34 ? "[guest b.d]\n" : "[guest g%d]\n", i);
	parse(text);
	CHECK_STR(cfg.error, "line 33: more than 32 guests; ignored: \"g33\" (line 33), line 34",
		  "  a broken 34th is named by its line");

	n = 0;
	for (int i = 1; i <= 1000; i++)
		n += (size_t)snprintf(text + n, cap - n, "[guest g%d]\nkind = minihv\nembedded = all\n", i);
	parse(text);
	CHECK(cfg.count == 32 && !cfg.guests[0].error[0] && !cfg.guests[31].error[0],
	      "1000 sections: 32 guests, all valid");
	CHECK(has(cfg.error, "line 97: more than 32 guests; ignored: \"g33\" (line 97), \"g34\" (line 100)") &&
	      strlen(cfg.error) < CONFIG_ERROR_MAX && !strcmp(cfg.error + strlen(cfg.error) - 4, " ..."),
	      "  the first ignored ones are named, then \"...\"");

	/* A problem before the first section is kept over the count. */
	n = (size_t)snprintf(text, cap, "oops\n");
	for (int i = 1; i <= 40; i++)
		n += (size_t)snprintf(text + n, cap - n, "[guest g%d]\nkind = minihv\nembedded = all\n", i);
	parse(text);
	CHECK(cfg.count == 32 && has(cfg.error, "line 1: \"oops\""), "the file's first problem is kept");
	free(text);
}

/* Random bytes, and random lines made of the file's own words: the result
 * stays well-formed (a quick stand-in for tests/fuzz/fuzz_config.c when
 * clang is missing). */
static void test_random(void)
{
	static const char *words[] = {
		"[guest a]", "[guest b]", "kind", "=", "linux", "minihv", "kernel", "\\K", "memory", "64M",
		"embedded", "all", "initrd", "cmdline", "#", "\n", "\r\n", " ", "\t", "\0", "..", "\\",
		"99999999999G", "[", "]",
	};
	char buf[4096];
	unsigned seed = 12345, bad = 0;

	for (int round = 0; round < 2000; round++) {
		size_t n = 0;
		while (n < sizeof(buf) - 16) {
			seed = seed * 1103515245 + 12345;
			if (round & 1) {
				buf[n++] = (char)(seed >> 16);
			} else {
				const char *w = words[(seed >> 16) % (sizeof(words) / sizeof(words[0]))];
				size_t wl = w[0] ? strlen(w) : 1;
				memcpy(buf + n, w, wl);
				n += wl;
			}
			if (((seed >> 8) & 0xff) == 0)
				break;
		}
		memset(&cfg, 0x5a, sizeof(cfg));
		config_parse(buf, n, &cfg);
		bad += !well_formed(&cfg);
	}
	CHECK_EQ(bad, 0, "2000 random inputs: every result well-formed");
}

/* expect and timeout (the test keys: scripts/linux-arm64.sh). */
static void test_expect_timeout(void)
{
	parse("[guest a]\nkind = linux\nkernel = \\K\nmemory = 64M\npsci = smc\n");
	CHECK(!cfg.guests[0].error[0] && cfg.guests[0].psci_smc, "psci = smc");
	parse("[guest a]\nkind = linux\nkernel = \\K\nmemory = 64M\npsci = hvc\n");
	CHECK(!cfg.guests[0].error[0] && !cfg.guests[0].psci_smc, "psci = hvc");
	CHECK_STR(err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 64M\npsci = svc\n"),
		  "line 5: psci \"svc\" is not a conduit (hvc or smc)", "psci: a conduit that is none");
	CHECK_STR(err1("[guest a]\nkind = minihv\nkernel = \\K\npsci = smc\n"),
		  "line 4: \"psci\" is only for linux guests: a minihv guest gets no firmware calls",
		  "psci for minihv");
	parse("[guest a]\nkind = linux\nkernel = \\K\nmemory = 64M\ntimeout = 30\nexpect = watchdog: x\n");
	CHECK(!cfg.guests[0].error[0] && cfg.guests[0].timeout == 30 &&
	      !strcmp(cfg.guests[0].expect, "watchdog: x"), "timeout and expect of a linux guest");
	parse("[guest a]\nkind = minihv\nkernel = \\K\nexpect = stopped\n");
	CHECK(!cfg.guests[0].error[0] && !strcmp(cfg.guests[0].expect, "stopped"),
	      "expect of a minihv guest from a file");
	parse("[guest a]\nkind = linux\nmemroy = 1\nexpect = unknown key\n");
	CHECK(cfg.guests[0].error[0] && !strcmp(cfg.guests[0].expect, "unknown key"),
	      "expect after the guest was refused: still read");
	parse("[guest a]\nkind = linux\nmemroy = 1\nexpect = a\nexpect = b\n");
	CHECK(!strcmp(cfg.guests[0].expect, "a"), "expect after a refusal: the first kept");
	CHECK_STR(err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 64M\n\ntimeout = 0\n"),
		  "line 6: timeout \"0\" is not a number of seconds from 1 to 3600", "timeout 0");
	CHECK_STR(err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 64M\ntimeout = 3601\n"),
		  "line 5: timeout \"3601\" is not a number of seconds from 1 to 3600", "timeout 3601");
	CHECK_STR(err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 64M\ntimeout = 99999999999999999999\n"),
		  "line 5: timeout \"99999999999999999999\" is not a number of seconds from 1 to 3600",
		  "timeout: no overflow");
	CHECK_STR(err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 64M\ntimeout = 5s\n"),
		  "line 5: timeout \"5s\" is not a number of seconds from 1 to 3600", "timeout with a unit");
	CHECK_STR(err1("[guest a]\nkind = linux\nkernel = \\K\nmemory = 64M\n\nexpect =\n"),
		  "line 6: expect is empty: give the text the refusal or stop must contain", "expect empty");
	CHECK_STR(err1("[guest a]\nkind = minihv\nkernel = \\K\n\ntimeout = 5\n"),
		  "line 5: \"timeout\" is only for linux guests: a minihv guest has the hypervisor's fixed watchdog",
		  "timeout for minihv");
	CHECK_STR(err1("[guest a]\nkind = minihv\nembedded = hello\nexpect = x\n"),
		  "line 4: \"expect\" is for a guest from a file: embedded tests carry their own expectations",
		  "expect for embedded");
}

/* The config's messages start with their line number. */
static int config_message(const char *line)
{
	return !strncmp(line, "line ", 5);
}

int main(void)
{
	unit_begin("test_config");
	test_valid();
	test_messages();
	test_sections();
	test_keys();
	test_memory();
	test_paths();
	test_bytes();
	test_long();
	test_many();
	test_random();
	test_expect_timeout();
	check_doc_messages(config_message);
	return unit_done();
}
