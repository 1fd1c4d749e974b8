/*
 * minihv.cfg: the parser (config.h says what it promises, docs/config.md is
 * the format as a user sees it).
 *
 * One pass over the bytes, one line at a time.  The text may be anything a
 * FAT volume can hold, so each line is checked byte by byte before any of
 * it is believed: a NUL (a binary file in the wrong place), a control byte,
 * a line of 100 KB.  Each problem is written once, as a sentence naming the
 * line, into the error of the guest whose section holds the line (or of the
 * file, before the first section), and parsing goes on: the next section is
 * a new guest with a clean slate, so one bad guest never takes the others
 * down with it.
 *
 * A section's rules that depend on several keys (a linux guest needs a
 * kernel, a minihv guest takes no memory, ...) are checked when the section
 * ends, because the keys may come in any order.
 */
#include <stdarg.h>
#include <stdint.h>

#include "config.h"
#include "../lib/format.h"
#include "../lib/minihv_string.h"

enum config_key { KEY_KIND, KEY_KERNEL, KEY_INITRD, KEY_CMDLINE, KEY_MEMORY, KEY_EMBEDDED, KEY_EXPECT,
		  KEY_TIMEOUT, KEY_PSCI, KEY_COUNT };

static const char *const key_names[KEY_COUNT] = {
	"kind", "kernel", "initrd", "cmdline", "memory", "embedded", "expect", "timeout", "psci",
};

struct parser {
	struct hv_config *out;
	/* The section being read: one of out->guests, or scratch for the 33rd
	 * and later (read like the others, so their lines are consumed, then
	 * dropped); NULL before the first section. */
	struct guest_config *g;
	struct guest_config scratch;
	/* The line each key of the current section was set on; 0: not set. */
	unsigned key_line[KEY_COUNT];
	/* out->error lists the ignored guests: 0 not yet, 1 listing, 2 full
	 * (or out->error already held another problem). */
	int overflow;
};

/* At most this many characters of the user's text are quoted in a message,
 * so that the line number and the reason always fit in CONFIG_ERROR_MAX. */
#define QUOTE_MAX 24

__attribute__((format(printf, 2, 3)))
static void set_error(char *error, const char *fmt, ...)
{
	va_list ap;

	if (error[0])		/* the first problem is the one reported */
		return;
	va_start(ap, fmt);
	format_buf_v(error, CONFIG_ERROR_MAX, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4)))
static void fmt(char *buf, size_t cap, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	format_buf_v(buf, cap, f, ap);
	va_end(ap);
}

/* The error a problem on this line belongs to: the current section's, or
 * the file's before the first section. */
static char *line_error(struct parser *p)
{
	return p->g ? p->g->error : p->out->error;
}

/* s[0..n) for a message: at most QUOTE_MAX characters, then "...".  Only
 * text already checked to be printable is quoted. */
static const char *quote(char buf[QUOTE_MAX + 4], const char *s, size_t n)
{
	size_t k = n > QUOTE_MAX ? QUOTE_MAX : n;

	memcpy(buf, s, k);
	if (n > QUOTE_MAX) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
	return buf;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_word(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int same(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* Trim spaces and tabs from both ends of s[0..*n). */
static const char *trim(const char *s, size_t *n)
{
	while (*n && is_space(s[0]))
		s++, (*n)--;
	while (*n && is_space(s[*n - 1]))
		(*n)--;
	return s;
}

/* Copy v[0..n) into dst[cap] with its NUL, or refuse: never truncate. */
static int copy_value(struct parser *p, unsigned line, enum config_key k, char *dst, size_t cap,
		      const char *v, size_t n)
{
	if (n >= cap) {
		set_error(p->g->error, "line %u: the value of \"%s\" is %llu characters long; at most %u fit",
			  line, key_names[k], (unsigned long long)n, (unsigned)(cap - 1));
		return -1;
	}
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/*
 * A file on the boot volume, as the firmware's file protocol takes it:
 * "\dir\file", from the root of the volume the app came from.  No ".."
 * (nothing outside the tree the config names), no empty component, none of
 * the characters a FAT name cannot hold ('/' included: a user who writes
 * /minihv/Image is told to use '\').
 */
static int check_path(struct parser *p, unsigned line, enum config_key k, const char *v, size_t n)
{
	char q[QUOTE_MAX + 4];
	size_t start;

	if (n == 0 || v[0] != '\\') {
		set_error(p->g->error, "line %u: %s path \"%s\" must start with \"\\\" (from the root of the "
			  "boot volume, e.g. \\minihv\\Image)", line, key_names[k], quote(q, v, n));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		if (c == '"' || c == '*' || c == '/' || c == ':' || c == '<' || c == '>' || c == '?' ||
		    c == '|') {
			set_error(p->g->error, "line %u: %s path \"%s\" holds '%c', which a FAT file name cannot "
				  "(directories are separated by \"\\\")", line, key_names[k], quote(q, v, n), c);
			return -1;
		}
	}
	/* Components: between one '\' and the next (or the end). */
	start = 1;
	for (size_t i = 1; i <= n; i++) {
		if (i < n && v[i] != '\\')
			continue;
		if (i == start) {
			set_error(p->g->error, "line %u: %s path \"%s\" has an empty component (\"\\\\\" or a "
				  "\"\\\" at the end)", line, key_names[k], quote(q, v, n));
			return -1;
		}
		if (same(v + start, i - start, "..")) {
			set_error(p->g->error, "line %u: %s path \"%s\" has a \"..\" component",
				  line, key_names[k], quote(q, v, n));
			return -1;
		}
		start = i + 1;
	}
	return 0;
}

/*
 * memory: decimal digits, then nothing (bytes) or one of K, M, G (k, m, g:
 * KiB, MiB, GiB).  Nothing else: no sign, no hex, no "MB" (is it 10^6 or
 * 2^20?), no spaces.  Every step that could pass 2^64 is checked before it
 * is made, so "18446744073709551616" and "99999999999G" are refused rather
 * than wrapped to a small number.
 */
/*
 * timeout: whole seconds, 1 to 3600: how long a linux guest may run before
 * the watchdog stops it (hv/linux.h has the default).
 */
static void parse_seconds(struct parser *p, unsigned line, const char *v, size_t n, unsigned *out)
{
	char q[QUOTE_MAX + 4];
	unsigned s = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9' || s > 3600) {
			set_error(p->g->error, "line %u: timeout \"%s\" is not a number of seconds from 1 to 3600",
				  line, quote(q, v, n));
			return;
		}
		s = s * 10 + (unsigned)(v[i] - '0');
	}
	if (n == 0 || s == 0 || s > 3600) {
		set_error(p->g->error, "line %u: timeout \"%s\" is not a number of seconds from 1 to 3600",
			  line, quote(q, v, n));
		return;
	}
	*out = s;
}

static int parse_memory(struct parser *p, unsigned line, const char *v, size_t n, uint64_t *bytes)
{
	char q[QUOTE_MAX + 4];
	uint64_t val = 0;
	unsigned shift = 0;
	size_t i = 0;
	int overflow = 0;

	for (; i < n && is_digit(v[i]); i++) {
		unsigned d = (unsigned)(v[i] - '0');
		if (val > (UINT64_MAX - d) / 10)
			overflow = 1;
		else
			val = val * 10 + d;
	}
	if (i < n && i > 0) {
		switch (v[i]) {
		case 'K': case 'k': shift = 10; i++; break;
		case 'M': case 'm': shift = 20; i++; break;
		case 'G': case 'g': shift = 30; i++; break;
		}
	}
	if (i == 0 || i != n) {
		set_error(p->g->error, "line %u: memory \"%s\" is not a size: decimal digits and an optional "
			  "K, M or G (binary units, e.g. 256M)", line, quote(q, v, n));
		return -1;
	}
	if (overflow || val > (UINT64_MAX >> shift)) {
		set_error(p->g->error, "line %u: memory \"%s\" is too large (2^64 bytes or more)",
			  line, quote(q, v, n));
		return -1;
	}
	val <<= shift;
	if (val == 0) {
		set_error(p->g->error, "line %u: memory must be more than 0", line);
		return -1;
	}
	*bytes = val;
	return 0;
}

/* embedded: built-in test names ([A-Za-z0-9_] words, separated by spaces),
 * or "all" alone.  Whether such tests exist is hv/'s to check. */
static int check_embedded(struct parser *p, unsigned line, const char *v, size_t n)
{
	char q[QUOTE_MAX + 4];
	size_t i = 0, words = 0;
	int all = 0;

	if (n == 0) {
		set_error(p->g->error, "line %u: embedded is empty: name built-in tests, or \"all\"", line);
		return -1;
	}
	while (i < n) {
		size_t start;
		while (i < n && v[i] == ' ')
			i++;
		start = i;
		while (i < n && v[i] != ' ')
			i++;
		if (i == start)
			break;
		for (size_t j = start; j < i; j++) {
			if (!is_word(v[j])) {
				set_error(p->g->error, "line %u: embedded: \"%s\" is not a test name (letters, "
					  "digits and \"_\", separated by spaces)", line,
					  quote(q, v + start, i - start));
				return -1;
			}
		}
		words++;
		if (same(v + start, i - start, "all"))
			all = 1;
	}
	if (all && words > 1) {
		set_error(p->g->error, "line %u: embedded: \"all\" must stand alone (it already names every "
			  "test)", line);
		return -1;
	}
	return 0;
}

/* An "expect = TEXT" line of a section already refused (see the caller):
 * kept if it fits, silently dropped if not -- the refusal stands either
 * way. */
static void expect_after_error(struct parser *p, const char *s, size_t n)
{
	size_t kn = 0, vn;

	while (kn < n && s[kn] != '=')
		kn++;
	if (kn == n)
		return;
	vn = n - kn - 1;
	const char *v = trim(s + kn + 1, &vn);
	const char *key = trim(s, &kn);
	if (!same(key, kn, "expect") || vn == 0 || vn >= sizeof(p->g->expect) || p->g->expect[0])
		return;
	memcpy(p->g->expect, v, vn);
	p->g->expect[vn] = '\0';
}

/* "key = value" inside a section; s[0..n) is trimmed, printable, not empty. */
static void value_line(struct parser *p, unsigned line, const char *s, size_t n)
{
	struct guest_config *g = p->g;
	char q[QUOTE_MAX + 4];
	const char *key, *v, *eq = NULL;
	size_t kn, vn;
	int k;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=') {
			eq = s + i;
			break;
		}
	}
	if (!eq) {
		set_error(g->error, "line %u: expected \"key = value\", found no '=' in \"%s\"",
			  line, quote(q, s, n));
		return;
	}
	kn = (size_t)(eq - s);
	key = trim(s, &kn);
	vn = n - (size_t)(eq + 1 - s);
	v = trim(eq + 1, &vn);
	if (kn == 0) {
		set_error(g->error, "line %u: no key before '='", line);
		return;
	}
	for (k = 0; k < KEY_COUNT; k++)
		if (same(key, kn, key_names[k]))
			break;
	if (k == KEY_COUNT) {
		set_error(g->error, "line %u: unknown key \"%s\" (known: kind, kernel, initrd, cmdline, memory, "
			  "embedded, expect, timeout, psci)", line, quote(q, key, kn));
		return;
	}
	if (p->key_line[k]) {
		set_error(g->error, "line %u: duplicate key \"%s\" (already set on line %u)",
			  line, key_names[k], p->key_line[k]);
		return;
	}
	p->key_line[k] = line;
	for (size_t i = 0; i < vn; i++) {
		if (v[i] == '\t') {
			set_error(g->error, "line %u: tab in the value of \"%s\": use spaces", line, key_names[k]);
			return;
		}
	}

	switch (k) {
	case KEY_KIND:
		if (same(v, vn, "minihv"))
			g->kind = GUEST_KIND_MINIHV;
		else if (same(v, vn, "linux"))
			g->kind = GUEST_KIND_LINUX;
		else
			set_error(g->error, "line %u: unknown kind \"%s\" (known: minihv, linux)",
				  line, quote(q, v, vn));
		break;
	case KEY_KERNEL:
	case KEY_INITRD:
		if (copy_value(p, line, k, k == KEY_KERNEL ? g->kernel : g->initrd, CONFIG_PATH_MAX, v, vn) == 0 &&
		    check_path(p, line, k, v, vn) != 0) {
			/* Refused: leave no half-believed path behind. */
			(k == KEY_KERNEL ? g->kernel : g->initrd)[0] = '\0';
		}
		break;
	case KEY_CMDLINE:
		copy_value(p, line, k, g->cmdline, sizeof(g->cmdline), v, vn);
		break;
	case KEY_MEMORY:
		parse_memory(p, line, v, vn, &g->memory);
		break;
	case KEY_EMBEDDED:
		if (check_embedded(p, line, v, vn) == 0)
			copy_value(p, line, k, g->embedded, sizeof(g->embedded), v, vn);
		break;
	case KEY_EXPECT:
		if (vn == 0)
			set_error(g->error, "line %u: expect is empty: give the text the refusal or stop must contain", line);
		else
			copy_value(p, line, k, g->expect, sizeof(g->expect), v, vn);
		break;
	case KEY_TIMEOUT:
		parse_seconds(p, line, v, vn, &g->timeout);
		break;
	case KEY_PSCI:
		if (same(v, vn, "hvc"))
			g->psci_smc = false;
		else if (same(v, vn, "smc"))
			g->psci_smc = true;
		else
			set_error(g->error, "line %u: psci \"%s\" is not a conduit (hvc or smc)", line,
				  quote(q, v, vn));
		break;
	}
}

/* The rules that need the whole section, once it has ended. */
static void finish_guest(struct parser *p)
{
	struct guest_config *g = p->g;
	const unsigned *at = p->key_line;

	if (!g || g->error[0])
		return;
	switch (g->kind) {
	case GUEST_KIND_NONE:
		set_error(g->error, "line %u: guest \"%s\" has no kind (add kind = minihv or kind = linux)",
			  g->line, g->name);
		break;
	case GUEST_KIND_LINUX:
		if (at[KEY_EMBEDDED])
			set_error(g->error, "line %u: \"embedded\" is for minihv guests; a linux guest boots its "
				  "kernel", at[KEY_EMBEDDED]);
		else if (!at[KEY_KERNEL])
			set_error(g->error, "line %u: linux guest \"%s\" has no kernel (e.g. kernel = "
				  "\\minihv\\Image)", g->line, g->name);
		else if (!at[KEY_MEMORY])
			set_error(g->error, "line %u: linux guest \"%s\" has no memory (e.g. memory = 256M)",
				  g->line, g->name);
		else if (g->memory % CONFIG_LINUX_MEM_ALIGN)
			set_error(g->error, "line %u: memory (%llu bytes) is not a whole number of 2 MiB blocks",
				  at[KEY_MEMORY], (unsigned long long)g->memory);
		else if (g->memory < CONFIG_LINUX_MEM_MIN)
			set_error(g->error, "line %u: memory (%llu MiB) is less than the 32 MiB a linux guest "
				  "needs", at[KEY_MEMORY], (unsigned long long)(g->memory >> 20));
		else if (g->memory > CONFIG_LINUX_MEM_MAX)
			set_error(g->error, "line %u: memory (%llu MiB) is more than 1792 MiB: guest RAM at "
				  "0x80000000 must end below the hypercall window at 0xf0000000",
				  at[KEY_MEMORY], (unsigned long long)(g->memory >> 20));
		break;
	case GUEST_KIND_MINIHV:
		if (at[KEY_TIMEOUT]) {
			set_error(g->error, "line %u: \"timeout\" is only for linux guests: a minihv guest has the "
				  "hypervisor's fixed watchdog", at[KEY_TIMEOUT]);
			return;
		}
		if (at[KEY_PSCI]) {
			set_error(g->error, "line %u: \"psci\" is only for linux guests: a minihv guest gets no "
				  "firmware calls", at[KEY_PSCI]);
			return;
		}
		if (at[KEY_EXPECT] && at[KEY_EMBEDDED]) {
			set_error(g->error, "line %u: \"expect\" is for a guest from a file: embedded tests "
				  "carry their own expectations", at[KEY_EXPECT]);
			return;
		}
		for (int k = KEY_INITRD; k <= KEY_MEMORY; k++) {
			if (at[k]) {
				set_error(g->error, "line %u: \"%s\" is only for linux guests: a minihv guest gets "
					  "the ABI's fixed 4 MiB, with no initrd or cmdline", at[k], key_names[k]);
				return;
			}
		}
		if (at[KEY_KERNEL] && at[KEY_EMBEDDED])
			set_error(g->error, "line %u: a minihv guest takes \"kernel\" or \"embedded\", not both",
				  at[KEY_KERNEL] > at[KEY_EMBEDDED] ? at[KEY_KERNEL] : at[KEY_EMBEDDED]);
		else if (!at[KEY_KERNEL] && !at[KEY_EMBEDDED])
			set_error(g->error, "line %u: minihv guest \"%s\" needs \"kernel\" (an image on the boot "
				  "volume) or \"embedded\" (built-in tests)", g->line, g->name);
		break;
	}
}

/*
 * The 33rd guest and later are read but not kept: out->error names them,
 * as many as fit, then "...".
 */
static void note_ignored(struct parser *p)
{
	char item[CONFIG_NAME_MAX + 32];
	size_t have, len;

	if (p->overflow == 0) {
		if (p->out->error[0]) {
			p->overflow = 2;
			return;
		}
		set_error(p->out->error, "line %u: more than %u guests; ignored:", p->g->line,
			  (unsigned)CONFIG_MAX_GUESTS);
		p->overflow = 1;
	}
	if (p->overflow != 1)
		return;
	have = strlen(p->out->error);
	if (p->g->name[0])
		fmt(item, sizeof(item), "%s \"%s\" (line %u)",
		    have && p->out->error[have - 1] == ':' ? "" : ",", p->g->name, p->g->line);
	else
		fmt(item, sizeof(item), "%s line %u",
		    have && p->out->error[have - 1] == ':' ? "" : ",", p->g->line);
	len = strlen(item);
	/* Room left for " ..." and the NUL after this item, and one byte more:
	 * a message that fills the field looks cut short. */
	if (have + len + sizeof(" ...") < CONFIG_ERROR_MAX) {
		memcpy(p->out->error + have, item, len + 1);
	} else {
		memcpy(p->out->error + have, " ...", sizeof(" ..."));
		p->overflow = 2;
	}
}

/* A name from "[guest NAME]": [A-Za-z0-9_-], 1 to 31 characters, unique. */
static void take_name(struct parser *p, unsigned line, const char *s, size_t n)
{
	struct guest_config *g = p->g;
	char q[QUOTE_MAX + 4];

	if (n >= CONFIG_NAME_MAX) {
		set_error(g->error, "line %u: guest name \"%s\" is longer than %u characters",
			  line, quote(q, s, n), (unsigned)(CONFIG_NAME_MAX - 1));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_word(s[i]) && s[i] != '-') {
			set_error(g->error, "line %u: guest name \"%s\" may hold only letters, digits, \"_\" "
				  "and \"-\"", line, quote(q, s, n));
			return;
		}
	}
	for (unsigned i = 0; i < p->out->count; i++) {
		const struct guest_config *o = &p->out->guests[i];
		if (o != g && same(s, n, o->name)) {
			set_error(g->error, "line %u: guest name \"%s\" is already used by the guest on line %u",
				  line, quote(q, s, n), o->line);
			return;
		}
	}
	memcpy(g->name, s, n);
	g->name[n] = '\0';
}

/*
 * "[...]": a new section, and so a new guest, whatever the header says: the
 * lines below a broken header belong to it (and are refused with it), not
 * to the guest above.  s[0..n) is trimmed, printable, starts with '['.
 */
static void section_line(struct parser *p, unsigned line, const char *s, size_t n)
{
	char q[QUOTE_MAX + 4];
	const char *in;
	size_t inn;
	struct guest_config *g;

	finish_guest(p);
	if (p->out->count < CONFIG_MAX_GUESTS) {
		g = &p->out->guests[p->out->count++];
	} else {
		g = &p->scratch;
		memset(g, 0, sizeof(*g));
	}
	p->g = g;
	g->line = line;
	memset(p->key_line, 0, sizeof(p->key_line));

	/* "[" spaces "guest" spaces NAME spaces "]" */
	inn = n >= 2 && s[n - 1] == ']' ? n - 2 : 0;
	in = trim(s + 1, &inn);
	if (inn > 5 && memcmp(in, "guest", 5) == 0 && is_space(in[5])) {
		const char *name = in + 5;
		size_t nn = inn - 5;
		name = trim(name, &nn);
		take_name(p, line, name, nn);
	} else {
		set_error(g->error, "line %u: section header \"%s\" is not [guest NAME]", line, quote(q, s, n));
	}
	if (g == &p->scratch)
		note_ignored(p);
}

/* One line, without its '\n' (and '\r'). */
static void one_line(struct parser *p, unsigned line, const char *s, size_t n)
{
	char q[QUOTE_MAX + 4];

	/* A NUL anywhere, comments included: this is not a text file. */
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\0') {
			set_error(line_error(p), "line %u: NUL byte at column %llu: minihv.cfg must be plain text",
				  line, (unsigned long long)i + 1);
			return;
		}
	}
	/* A comment runs from '#' to the end of the line and may hold any
	 * other byte (UTF-8 text, say); the rest must be printable ASCII. */
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '#') {
			n = i;
			break;
		}
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 || c > 0x7e) && c != '\t') {
			set_error(line_error(p), "line %u: byte 0x%02x at column %llu is not printable ASCII "
				  "(outside comments)", line, c, (unsigned long long)i + 1);
			return;
		}
	}
	s = trim(s, &n);
	if (n == 0)
		return;
	if (s[0] == '[') {
		section_line(p, line, s, n);
		return;
	}
	if (!p->g) {
		set_error(p->out->error, "line %u: \"%s\" comes before the first [guest NAME] section",
			  line, quote(q, s, n));
		return;
	}
	if (p->g->error[0]) {
		/* Refused already: only the first problem is told.  But what
		 * the test expects of the guest still counts, wherever it is:
		 * a config that tests a refusal says so in the same section. */
		expect_after_error(p, s, n);
		return;
	}
	value_line(p, line, s, n);
}

void config_parse(const char *text, size_t len, struct hv_config *out)
{
	struct parser p;
	size_t pos = 0;
	unsigned line = 0;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.out = out;

	/* A UTF-8 byte order mark, as some Windows editors write. */
	if (len >= 3 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
	    (unsigned char)text[2] == 0xbf)
		pos = 3;
	while (pos < len) {
		size_t start = pos, end = pos;

		while (end < len && text[end] != '\n')
			end++;
		pos = end < len ? end + 1 : len;
		if (line != (unsigned)-1)	/* 4 billion lines: the count stops, nothing wraps */
			line++;
		if (end > start && text[end - 1] == '\r')
			end--;
		one_line(&p, line, text + start, end - start);
	}
	finish_guest(&p);
}

const char *guest_kind_name(enum guest_kind k)
{
	switch (k) {
	case GUEST_KIND_MINIHV:
		return "minihv";
	case GUEST_KIND_LINUX:
		return "linux";
	default:
		return "none";
	}
}
