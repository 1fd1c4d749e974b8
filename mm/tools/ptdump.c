/*
 * ptdump: build page tables from a text layout and dump them.
 *
 *   ptdump [-r | -e] FORMAT [LAYOUT]
 *
 * reads LAYOUT (or standard input), applies its steps to an empty tree of
 * FORMAT, and prints pt_dump's text: the coalesced ranges and the raw
 * entries (-r: ranges only, -e: entries only).  The layout and the output
 * are specified in docs/mm.md ("ptdump"), so that another implementation
 * can read the same layouts, print the same dump and diff it against
 * ours; tests/ptdump/ holds the golden dumps make check compares.
 *
 * FORMAT is one of
 *   ept  npt  x86-64          the x86 formats (4 levels, 48 bits)
 *   arm-s1[:VA]               Arm stage 1, VA bits 25..48 (default 48)
 *   arm-s2[:IPA:START]        Arm stage 2, IPA bits and Arm start level
 *                             (default 48:0); a start level too deep for
 *                             the IPA gets concatenated root tables
 *
 * A step the library refuses prints "refused line=N STEP: REASON" and the
 * run goes on; only a malformed layout or format is an error (exit 2).
 *
 * It is a client of libminihv-mm like any other program: it includes only
 * the umbrella header and links the library.
 */
#define _POSIX_C_SOURCE 200809L  /* strtok_r */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <minihv_mm.h>

#define POOL_PAGES 4096

static void put_line(void *ctx, const char *line)
{
	fprintf(ctx, "%s\n", line);
}

/* A number: decimal or 0x hex, with an optional K, M or G (binary). */
static int parse_num(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v;
	unsigned shift = 0;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || (shift && v >> (64 - shift)))
		return -1;
	*out = v << shift;
	return 0;
}

/* Permissions: any of r, w, x, u, and '-' as a placeholder ("rw-"). */
static int parse_perms(const char *s, unsigned *out)
{
	unsigned p = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		switch (*s) {
		case 'r': p |= PT_R; break;
		case 'w': p |= PT_W; break;
		case 'x': p |= PT_X; break;
		case 'u': p |= PT_USER; break;
		case '-': break;
		default: return -1;
		}
	}
	*out = p;
	return 0;
}

static int parse_format(const char *name, struct pt_format *out)
{
	unsigned a, b;
	char extra;

	if (strcmp(name, "ept") == 0)
		*out = pt_format_x86_ept;
	else if (strcmp(name, "npt") == 0)
		*out = pt_format_x86_npt;
	else if (strcmp(name, "x86-64") == 0)
		*out = pt_format_x86_64;
	else if (strcmp(name, "arm-s1") == 0)
		*out = pt_format_arm_stage1;
	else if (sscanf(name, "arm-s1:%u%c", &a, &extra) == 1)
		return pt_arm_s1_format(a, out);
	else if (strcmp(name, "arm-s2") == 0)
		*out = pt_format_arm_stage2;
	else if (sscanf(name, "arm-s2:%u:%u%c", &a, &b, &extra) == 2) {
		/* IPA a bits from Arm level b, on a CPU with 48-bit physical
		 * addresses (PARange 5): the library says if that is legal. */
		struct pt_arm_s2_geometry g;

		if (pt_arm_s2_geometry_for(5, a, b, &g))
			return -1;
		pt_arm_s2_format(&g, out);
	} else
		return -1;
	return 0;
}

static void refused(unsigned line, const char *step, int err)
{
	printf("refused line=%u %s: %s\n", line, step, mm_strerror(err));
}

/* Apply one layout line to pt.  0, or -1 for a malformed line. */
static int apply(struct pt *pt, char *text, unsigned line)
{
	char *save;
	char *cmd = strtok_r(text, " \t\r\n", &save);
	char *w[6], *word;
	unsigned n = 0, perms;
	uint64_t in, out, size;
	int err;

	if (!cmd || cmd[0] == '#')
		return 0;
	/* The words after the step, up to a comment: at most five. */
	while ((word = strtok_r(NULL, " \t\r\n", &save)) != NULL && word[0] != '#') {
		if (n == 6)
			return -1;
		w[n++] = word;
	}
	if (strcmp(cmd, "map") == 0 && n == 5) {
		enum pt_memtype type;

		if (parse_num(w[0], &in) || parse_num(w[1], &out) || parse_num(w[2], &size) ||
		    parse_perms(w[3], &perms))
			return -1;
		if (strcmp(w[4], "normal") == 0)
			type = PT_MEM_NORMAL;
		else if (strcmp(w[4], "device") == 0)
			type = PT_MEM_DEVICE;
		else
			return -1;
		err = pt_map(pt, in, out, size, perms, type);
		if (err)
			refused(line, "map", err);
		return 0;
	}
	if (strcmp(cmd, "unmap") == 0 && n == 2) {
		if (parse_num(w[0], &in) || parse_num(w[1], &size))
			return -1;
		err = pt_unmap(pt, in, size);
		if (err)
			refused(line, "unmap", err);
		return 0;
	}
	if (strcmp(cmd, "protect") == 0 && n == 3) {
		if (parse_num(w[0], &in) || parse_num(w[1], &size) || parse_perms(w[2], &perms))
			return -1;
		err = pt_protect(pt, in, size, perms);
		if (err)
			refused(line, "protect", err);
		return 0;
	}
	return -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: ptdump [-r | -e] FORMAT [LAYOUT]\n"
			"  FORMAT: ept npt x86-64 arm-s1[:VA] arm-s2[:IPA:START]\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned what = PT_DUMP_ALL;
	struct pt_format fmt;
	struct host_page_pool pool;
	struct pt_mem mem;
	struct pt pt;
	FILE *in = stdin;
	char text[512];
	unsigned line = 0;
	void *block;
	int argi = 1, err, status = 0;

	if (argi < argc && strcmp(argv[argi], "-r") == 0) {
		what = PT_DUMP_RANGES;
		argi++;
	} else if (argi < argc && strcmp(argv[argi], "-e") == 0) {
		what = PT_DUMP_ENTRIES;
		argi++;
	}
	if (argi >= argc || argc - argi > 2)
		return usage();
	if (parse_format(argv[argi], &fmt)) {
		fprintf(stderr, "ptdump: unknown format \"%s\"\n", argv[argi]);
		return usage();
	}
	if (argc - argi == 2 && !(in = fopen(argv[argi + 1], "r"))) {
		perror(argv[argi + 1]);
		return 2;
	}

	/* The tables live in a heap block that claims to sit at physical
	 * 0x100000000: entries then hold addresses that are not pointers,
	 * and the same on every run (the dump masks them anyway). */
	block = aligned_alloc(0x10000, (size_t)POOL_PAGES * PAGE_SIZE);
	if (!block)
		return 2;
	host_page_pool_init(&pool, block, (uint64_t)POOL_PAGES * PAGE_SIZE,
			    (int64_t)(0x100000000ull - (uint64_t)(uintptr_t)block));
	host_page_pool_mem(&pool, &mem);
	err = pt_init(&pt, &fmt, &mem);
	if (err) {
		fprintf(stderr, "ptdump: %s: %s\n", fmt.name, mm_strerror(err));
		return 2;
	}

	while (fgets(text, sizeof(text), in)) {
		line++;
		if (!strchr(text, '\n') && !feof(in)) {
			fprintf(stderr, "ptdump: line %u: too long\n", line);
			status = 2;
			break;
		}
		if (apply(&pt, text, line)) {
			fprintf(stderr, "ptdump: line %u: not a step: %s", line, text);
			status = 2;
			break;
		}
	}
	if (in != stdin)
		fclose(in);
	if (status == 0 && pt_dump(&pt, what, put_line, stdout)) {
		fprintf(stderr, "ptdump: the dump failed\n");
		status = 2;
	}
	/* Give it all back: the pool must be empty, or tables leaked. */
	if (pt_destroy(&pt) || pool.in_use != 0) {
		fprintf(stderr, "ptdump: %u table pages not given back\n", pool.in_use);
		status = 2;
	}
	free(block);
	return status;
}
