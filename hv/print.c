/*
 * hv_printf: format straight to the serial console.
 */
#include "print.h"
#include "../lib/format.h"
#include "console.h"

static void console_sink(void *ctx, char c)
{
	(void)ctx;
	console_putc(c);
}

void hv_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	format_v(console_sink, NULL, fmt, ap);
	va_end(ap);
}

int hv_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = format_buf_v(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

int hv_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	return format_buf_v(buf, len, fmt, ap);
}
