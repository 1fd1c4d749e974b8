/*
 * printf for guests: format into a buffer, then one console_write hypercall
 * per line (one exit per line rather than one per character).
 */
#include <stdarg.h>

#include "minihv.h"
#include "../../lib/format.h"

struct line_buf {
	char buf[128];
	size_t len;
};

static void flush(struct line_buf *l)
{
	if (l->len)
		hc_console_write(l->buf, l->len);
	l->len = 0;
}

static void put(void *ctx, char c)
{
	struct line_buf *l = ctx;
	l->buf[l->len++] = c;
	if (c == '\n' || l->len == sizeof(l->buf))
		flush(l);
}

int printf(const char *fmt, ...)
{
	struct line_buf l = { .len = 0 };
	va_list ap;
	va_start(ap, fmt);
	int n = format_v(put, &l, fmt, ap);
	va_end(ap);
	flush(&l);
	return n;
}

int snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = format_buf_v(buf, len, fmt, ap);
	va_end(ap);
	return n;
}
