/*
 * printf, minimal.  See format.h.
 */
#include <stdint.h>

#include "format.h"

struct spec {
	int width;
	int zero_pad;
	int left;
	int longness; /* 0: int, 1: long, 2: long long */
};

static int emit_padded(format_sink sink, void *ctx, const char *s, int n,
		       const struct spec *sp, int zero_ok)
{
	int out = 0;
	int pad = sp->width > n ? sp->width - n : 0;
	char padc = (sp->zero_pad && zero_ok && !sp->left) ? '0' : ' ';

	/* A minus sign goes before zero padding: -0042, not 00-42. */
	if (padc == '0' && n > 0 && s[0] == '-') {
		sink(ctx, '-');
		out++;
		s++;
		n--;
	}
	if (!sp->left)
		for (; pad > 0; pad--, out++)
			sink(ctx, padc);
	for (int i = 0; i < n; i++, out++)
		sink(ctx, s[i]);
	for (; pad > 0; pad--, out++)
		sink(ctx, ' ');
	return out;
}

/* Digits of v in base, most significant first, into buf (at least 21 bytes). */
static int unsigned_to_text(uint64_t v, unsigned base, char *buf)
{
	char tmp[24];
	int n = 0;
	do {
		unsigned d = (unsigned)(v % base);
		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

int format_v(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
	int out = 0;
	char num[24];

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			sink(ctx, *fmt);
			out++;
			continue;
		}
		struct spec sp = { 0, 0, 0, 0 };
		fmt++;
		for (;; fmt++) {
			if (*fmt == '0')
				sp.zero_pad = 1;
			else if (*fmt == '-')
				sp.left = 1;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			sp.longness++;
			fmt++;
		}
		if (*fmt == 'z') { /* size_t: the same as long on our targets */
			sp.longness = 1;
			fmt++;
		}

		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int n = 0;
			while (s[n])
				n++;
			out += emit_padded(sink, ctx, s, n, &sp, 0);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			out += emit_padded(sink, ctx, &c, 1, &sp, 0);
			break;
		}
		case 'd':
		case 'i': {
			int64_t v = sp.longness == 0 ? va_arg(ap, int)
				  : sp.longness == 1 ? va_arg(ap, long)
				  : va_arg(ap, long long);
			int n = 0;
			uint64_t mag = (uint64_t)v;
			if (v < 0) {
				num[n++] = '-';
				mag = -mag;
			}
			n += unsigned_to_text(mag, 10, num + n);
			out += emit_padded(sink, ctx, num, n, &sp, 1);
			break;
		}
		case 'u':
		case 'x':
		case 'p': {
			uint64_t v;
			if (*fmt == 'p')
				v = (uintptr_t)va_arg(ap, void *);
			else
				v = sp.longness == 0 ? va_arg(ap, unsigned)
				  : sp.longness == 1 ? va_arg(ap, unsigned long)
				  : va_arg(ap, unsigned long long);
			int n = unsigned_to_text(v, *fmt == 'u' ? 10 : 16, num);
			out += emit_padded(sink, ctx, num, n, &sp, 1);
			break;
		}
		case '%':
			sink(ctx, '%');
			out++;
			break;
		case '\0':
			return out;
		default: /* unknown: show it, so the mistake is visible */
			sink(ctx, '%');
			sink(ctx, *fmt);
			out += 2;
			break;
		}
	}
	return out;
}

struct buf_sink {
	char *buf;
	size_t len;
	size_t pos;
};

static void buf_put(void *ctx, char c)
{
	struct buf_sink *b = ctx;
	if (b->pos + 1 < b->len)
		b->buf[b->pos++] = c;
}

int format_buf_v(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct buf_sink b = { buf, len, 0 };
	int n = format_v(buf_put, &b, fmt, ap);
	if (len)
		buf[b.pos] = '\0';
	return n;
}
