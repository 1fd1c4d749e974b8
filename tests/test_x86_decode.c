/*
 * Tests for the x86-64 MMIO instruction decoder (arch/x86_64/x86_decode.c).
 *
 * Every byte sequence below was checked with the GNU assembler and objdump
 * (the comment beside it is objdump's AT&T disassembly), and the less
 * obvious rules -- a REX prefix followed by a legacy prefix is ignored,
 * MOVSXD without REX.W is a plain move, MOVSX into a 16-bit register keeps
 * bits 63:16 -- were checked by running the instructions on a real CPU.
 *
 * Runs on any host: it only feeds bytes to the decoder.
 *
 *   gcc -std=c11 -Wall -Wextra -Werror -O2 -I. \
 *       tests/test_x86_decode.c arch/x86_64/x86_decode.c && ./a.out
 *
 * Prints "ok N - ..." / "not ok N - ..." per check and a summary line;
 * exits non-zero if anything failed.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/x86_decode.h"

/* ---- a minimal test harness ---- */

static int passed, failed;

__attribute__((format(printf, 2, 3)))
static bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", passed + failed + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		passed++;
	else
		failed++;
	return ok;
}

/* Explain a failure, on a comment line under the "not ok". */
__attribute__((format(printf, 1, 2)))
static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("#   ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ---- helpers ---- */

/*
 * Decode from a heap copy of exactly avail bytes, so that under
 * -fsanitize=address any read past avail is caught, not just wrong.
 */
static int decode_exact(const uint8_t *bytes, size_t avail,
			struct x86_mmio_insn *out, char *err, size_t errlen)
{
	uint8_t *copy = malloc(avail);
	int r;

	if (avail > 0) {
		if (!copy) {
			perror("malloc");
			exit(2);
		}
		memcpy(copy, bytes, avail);
	}
	r = x86_decode_mmio(copy, avail, out, err, errlen);
	free(copy);
	return r;
}

static const char *ext_name(enum x86_load_ext e)
{
	switch (e) {
	case X86_LOAD_MOV: return "mov";
	case X86_LOAD_ZX:  return "zx";
	case X86_LOAD_SX:  return "sx";
	}
	return "?";
}

static void print_insn(const char *label, const struct x86_mmio_insn *i)
{
	diag("%s: len %u size %u write %d has_imm %d imm %#llx reg %u "
	     "high8 %d ext %s dst_size %u", label, i->len, i->size, i->write,
	     i->has_imm, (unsigned long long)i->imm, i->reg, i->reg_high8,
	     ext_name(i->ext), i->dst_size);
}

static bool insn_equal(const struct x86_mmio_insn *a,
		       const struct x86_mmio_insn *b)
{
	return a->len == b->len && a->size == b->size &&
	       a->write == b->write && a->has_imm == b->has_imm &&
	       a->imm == b->imm && a->reg == b->reg &&
	       a->reg_high8 == b->reg_high8 && a->ext == b->ext &&
	       a->dst_size == b->dst_size;
}

static bool insn_is_zero(const struct x86_mmio_insn *i)
{
	struct x86_mmio_insn zero = { 0 };
	return insn_equal(i, &zero);
}

/* "48 8b 05" */
static const char *hex(const uint8_t *bytes, size_t n)
{
	static char buf[3 * 32 + 1];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && i < 32; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%02x",
					i ? " " : "", bytes[i]);
	return buf;
}

/* ---- the supported forms ---- */

struct vec {
	const char *text;      /* objdump's disassembly */
	uint8_t bytes[16];
	uint8_t n;
	struct x86_mmio_insn want; /* len is filled in from n */
};

#define BYTES(...) .bytes = { __VA_ARGS__ }, \
		   .n = sizeof((uint8_t[]){ __VA_ARGS__ })

#define STORE(sz, r) \
	{ .size = (sz), .write = true, .reg = (r) }
#define STORE_H8(r) \
	{ .size = 1, .write = true, .reg = (r), .reg_high8 = true }
#define STORE_IMM(sz, v) \
	{ .size = (sz), .write = true, .has_imm = true, .imm = (v) }
#define LOAD(sz, r) \
	{ .size = (sz), .reg = (r), .ext = X86_LOAD_MOV, .dst_size = (sz) }
#define LOAD_H8(r) \
	{ .size = 1, .reg = (r), .reg_high8 = true, .ext = X86_LOAD_MOV, \
	  .dst_size = 1 }
#define LOAD_X(sz, r, e, dst) \
	{ .size = (sz), .reg = (r), .ext = (e), .dst_size = (dst) }

static const struct vec vectors[] = {
	/* Register stores, each width and register kind. */
	{ "mov %al,(%rbx)",      BYTES(0x88, 0x03), STORE(1, 0) },
	{ "mov %ah,(%rbx)",      BYTES(0x88, 0x23), STORE_H8(4) },
	{ "mov %bh,(%rcx)",      BYTES(0x88, 0x39), STORE_H8(7) },
	{ "mov %spl,(%rbx)",     BYTES(0x40, 0x88, 0x23), STORE(1, 4) },
	{ "mov %dil,(%rbx)",     BYTES(0x40, 0x88, 0x3b), STORE(1, 7) },
	{ "mov %r9b,(%rbx)",     BYTES(0x44, 0x88, 0x0b), STORE(1, 9) },
	{ "mov %ax,(%rbx)",      BYTES(0x66, 0x89, 0x03), STORE(2, 0) },
	{ "mov %r8w,(%rbx)",     BYTES(0x66, 0x44, 0x89, 0x03), STORE(2, 8) },
	{ "mov %eax,(%rbx)",     BYTES(0x89, 0x03), STORE(4, 0) },
	{ "mov %rax,(%rbx)",     BYTES(0x48, 0x89, 0x03), STORE(8, 0) },
	{ "mov %r11,(%r8,%r9,8)", BYTES(0x4f, 0x89, 0x1c, 0xc8), STORE(8, 11) },

	/* Addressing: every ModRM/SIB/displacement shape. */
	{ "mov %r15,(%r12)  [SIB forced by r12]",
	  BYTES(0x4d, 0x89, 0x3c, 0x24), STORE(8, 15) },
	{ "mov %r13d,0x0(%r13)  [disp8 forced by r13]",
	  BYTES(0x45, 0x89, 0x6d, 0x00), STORE(4, 13) },
	{ "mov %ecx,0x10(%rdx)", BYTES(0x89, 0x4a, 0x10), STORE(4, 1) },
	{ "mov %ecx,-0x10(%rdx)", BYTES(0x89, 0x4a, 0xf0), STORE(4, 1) },
	{ "mov %ecx,0x12345678(%rdx)",
	  BYTES(0x89, 0x8a, 0x78, 0x56, 0x34, 0x12), STORE(4, 1) },
	{ "mov %esi,(%rax,%rbx,4)", BYTES(0x89, 0x34, 0x98), STORE(4, 6) },
	{ "mov %esi,0x10(%rax,%rbx,4)",
	  BYTES(0x89, 0x74, 0x98, 0x10), STORE(4, 6) },
	{ "mov %esi,0x1000(%rax,%rbx,4)",
	  BYTES(0x89, 0xb4, 0x98, 0x00, 0x10, 0x00, 0x00), STORE(4, 6) },
	{ "mov %esi,0x1000(,%rbx,4)  [SIB, no base: disp32]",
	  BYTES(0x89, 0x34, 0x9d, 0x00, 0x10, 0x00, 0x00), STORE(4, 6) },
	{ "mov %edx,0x12345678  [SIB, no base, no index]",
	  BYTES(0x89, 0x14, 0x25, 0x78, 0x56, 0x34, 0x12), STORE(4, 2) },
	{ "mov %edx,0x1000(%rip)",
	  BYTES(0x89, 0x15, 0x00, 0x10, 0x00, 0x00), STORE(4, 2) },
	{ "mov 0x100(%rip),%r11",
	  BYTES(0x4c, 0x8b, 0x1d, 0x00, 0x01, 0x00, 0x00), LOAD(8, 11) },
	{ "mov 0x7f(%rsp),%r14d",
	  BYTES(0x44, 0x8b, 0x74, 0x24, 0x7f), LOAD(4, 14) },

	/* Prefixes. */
	{ "mov %eax,%fs:(%rbx)", BYTES(0x64, 0x89, 0x03), STORE(4, 0) },
	{ "mov %eax,(%ebx)",     BYTES(0x67, 0x89, 0x03), STORE(4, 0) },
	{ "mov %eax,0x10(%ebx)", BYTES(0x67, 0x89, 0x43, 0x10), STORE(4, 0) },
	{ "mov %eax,0x10(%eip)",
	  BYTES(0x67, 0x89, 0x05, 0x10, 0x00, 0x00, 0x00), STORE(4, 0) },
	{ "data16 mov %rax,%gs:(%rbx)  [REX.W beats 66]",
	  BYTES(0x65, 0x66, 0x48, 0x89, 0x03), STORE(8, 0) },
	{ "data16 mov %al,(%rbx)  [66 on a byte op]",
	  BYTES(0x66, 0x88, 0x03), STORE(1, 0) },
	{ "rex.W; mov %ax,(%rbx)  [REX before 66 is ignored]",
	  BYTES(0x48, 0x66, 0x89, 0x03), STORE(2, 0) },
	{ "rex; data16 mov %ah,(%rbx)  [ignored REX: AH, not SPL]",
	  BYTES(0x40, 0x66, 0x88, 0x23), STORE_H8(4) },
	{ "rex; data16 mov (%rbx),%ah  [ignored REX: AH, not SPL]",
	  BYTES(0x40, 0x66, 0x8a, 0x23), LOAD_H8(4) },
	{ "rex.W; rex mov %eax,(%rbx)  [only the last REX counts]",
	  BYTES(0x48, 0x40, 0x89, 0x03), STORE(4, 0) },
	{ "13 prefixes + mov %eax,(%rbx): exactly 15 bytes",
	  BYTES(0x66, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0x67,
		0x66, 0x2e, 0x66, 0x40, 0x41, 0x89, 0x03), STORE(2, 0) },

	/* Register loads. */
	{ "mov (%rbx),%al",   BYTES(0x8a, 0x03), LOAD(1, 0) },
	{ "mov (%rbx),%ch",   BYTES(0x8a, 0x2b), LOAD_H8(5) },
	{ "mov (%rbx),%sil",  BYTES(0x40, 0x8a, 0x33), LOAD(1, 6) },
	{ "mov (%rbx),%r10b", BYTES(0x44, 0x8a, 0x13), LOAD(1, 10) },
	{ "mov (%rbx),%ax",   BYTES(0x66, 0x8b, 0x03), LOAD(2, 0) },
	{ "mov (%rbx),%eax",  BYTES(0x8b, 0x03), LOAD(4, 0) },
	{ "mov (%rbx),%rax",  BYTES(0x48, 0x8b, 0x03), LOAD(8, 0) },

	/* MOVZX, MOVSX, MOVSXD. */
	{ "movzbl (%rbx),%eax", BYTES(0x0f, 0xb6, 0x03),
	  LOAD_X(1, 0, X86_LOAD_ZX, 4) },
	{ "movzbw (%rbx),%ax", BYTES(0x66, 0x0f, 0xb6, 0x03),
	  LOAD_X(1, 0, X86_LOAD_ZX, 2) },
	{ "movzbq (%rbx),%r8", BYTES(0x4c, 0x0f, 0xb6, 0x03),
	  LOAD_X(1, 8, X86_LOAD_ZX, 8) },
	{ "movzwl (%rbx),%eax", BYTES(0x0f, 0xb7, 0x03),
	  LOAD_X(2, 0, X86_LOAD_ZX, 4) },
	{ "movzwq (%rbx),%rax", BYTES(0x48, 0x0f, 0xb7, 0x03),
	  LOAD_X(2, 0, X86_LOAD_ZX, 8) },
	{ "movsbl (%rbx),%eax", BYTES(0x0f, 0xbe, 0x03),
	  LOAD_X(1, 0, X86_LOAD_SX, 4) },
	{ "movsbw (%rbx),%ax", BYTES(0x66, 0x0f, 0xbe, 0x03),
	  LOAD_X(1, 0, X86_LOAD_SX, 2) },
	{ "movsbq (%rbx),%rax", BYTES(0x48, 0x0f, 0xbe, 0x03),
	  LOAD_X(1, 0, X86_LOAD_SX, 8) },
	{ "movswl (%rbx),%eax", BYTES(0x0f, 0xbf, 0x03),
	  LOAD_X(2, 0, X86_LOAD_SX, 4) },
	{ "movswq (%rbx),%r12", BYTES(0x4c, 0x0f, 0xbf, 0x23),
	  LOAD_X(2, 12, X86_LOAD_SX, 8) },
	{ "movslq (%rbx),%rax", BYTES(0x48, 0x63, 0x03),
	  LOAD_X(4, 0, X86_LOAD_SX, 8) },
	{ "movslq 0x12345678(%rbx,%rcx,2),%r9",
	  BYTES(0x4c, 0x63, 0x8c, 0x4b, 0x78, 0x56, 0x34, 0x12),
	  LOAD_X(4, 9, X86_LOAD_SX, 8) },
	{ "movsxd (%rbx),%eax  [no REX.W: plain 32-bit load]",
	  BYTES(0x63, 0x03), LOAD(4, 0) },
	{ "movsxd (%rbx),%ax  [no REX.W: plain 16-bit load]",
	  BYTES(0x66, 0x63, 0x03), LOAD(2, 0) },

	/* Immediate stores, with the sign extension of REX.W C7. */
	{ "movb $0x80,(%rbx)", BYTES(0xc6, 0x03, 0x80), STORE_IMM(1, 0x80) },
	{ "movb $0xfe,-0x80(%rbp,%rdi,1)",
	  BYTES(0xc6, 0x44, 0x3d, 0x80, 0xfe), STORE_IMM(1, 0xfe) },
	{ "movw $0x8000,(%rbx)",
	  BYTES(0x66, 0xc7, 0x03, 0x00, 0x80), STORE_IMM(2, 0x8000) },
	{ "movl $0x80000000,(%rbx)",
	  BYTES(0xc7, 0x03, 0x00, 0x00, 0x00, 0x80),
	  STORE_IMM(4, 0x80000000) },
	{ "movq $0xffffffffffffffff,(%rbx)",
	  BYTES(0x48, 0xc7, 0x03, 0xff, 0xff, 0xff, 0xff),
	  STORE_IMM(8, 0xffffffffffffffff) },
	{ "movq $0x7fffffff,(%rbx)",
	  BYTES(0x48, 0xc7, 0x03, 0xff, 0xff, 0xff, 0x7f),
	  STORE_IMM(8, 0x7fffffff) },
	{ "movq $0xffffffff80000000,(%r15)",
	  BYTES(0x49, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x80),
	  STORE_IMM(8, 0xffffffff80000000) },
	{ "movq $0x12345678,0x10(%rip)",
	  BYTES(0x48, 0xc7, 0x05, 0x10, 0x00, 0x00, 0x00,
		0x78, 0x56, 0x34, 0x12), STORE_IMM(8, 0x12345678) },
	{ "movl $0x1,0x12345678(%rax,%rcx,8)",
	  BYTES(0xc7, 0x84, 0xc8, 0x78, 0x56, 0x34, 0x12,
		0x01, 0x00, 0x00, 0x00), STORE_IMM(4, 1) },

	/* moffs: A0..A3, 8-byte address; 4 bytes with 67. */
	{ "movabs 0x1122334455667788,%al",
	  BYTES(0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  LOAD(1, 0) },
	{ "movabs 0x1122334455667788,%ax",
	  BYTES(0x66, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  LOAD(2, 0) },
	{ "movabs 0x1122334455667788,%eax",
	  BYTES(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  LOAD(4, 0) },
	{ "movabs 0x1122334455667788,%rax",
	  BYTES(0x48, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  LOAD(8, 0) },
	{ "rex.WB movabs 0x807060504030201,%rax  [REX.B: still rax]",
	  BYTES(0x49, 0xa1, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08),
	  LOAD(8, 0) },
	{ "movabs %al,0x1122334455667788",
	  BYTES(0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  STORE(1, 0) },
	{ "movabs %eax,0x1122334455667788",
	  BYTES(0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  STORE(4, 0) },
	{ "movabs %rax,0x1122334455667788",
	  BYTES(0x48, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  STORE(8, 0) },
	{ "addr32 mov 0x12345678,%eax",
	  BYTES(0x67, 0xa1, 0x78, 0x56, 0x34, 0x12), LOAD(4, 0) },
	{ "addr32 mov %al,0x12345678",
	  BYTES(0x67, 0xa2, 0x78, 0x56, 0x34, 0x12), STORE(1, 0) },
};

#define NVEC (sizeof vectors / sizeof vectors[0])

/* Decodes to the expected fields, with exactly the instruction's bytes and
 * with more bytes after it (which must be ignored). */
static void test_vector(const struct vec *v)
{
	struct x86_mmio_insn want = v->want, got, got_padded;
	uint8_t padded[32];
	char err[128];
	int r, r_padded;

	want.len = v->n;
	r = decode_exact(v->bytes, v->n, &got, err, sizeof err);

	memset(padded, 0x90, sizeof padded);
	memcpy(padded, v->bytes, v->n);
	r_padded = decode_exact(padded, sizeof padded, &got_padded, err,
				sizeof err);

	if (!check(r == X86_DECODE_OK && insn_equal(&got, &want) &&
		   r_padded == X86_DECODE_OK && insn_equal(&got_padded, &want),
		   "decode %s  (%s)", hex(v->bytes, v->n), v->text)) {
		diag("returned %d, %d with padding: %s", r, r_padded, err);
		print_insn("got ", &got);
		print_insn("want", &want);
	}
}

/* Cut short anywhere, the instruction must be "truncated", never decoded
 * as something shorter and never read past the cut. */
static void test_every_cut(const struct vec *v)
{
	struct x86_mmio_insn got;
	char err[128];
	bool ok = true;

	for (size_t avail = 0; avail < v->n && ok; avail++) {
		int r = decode_exact(v->bytes, avail, &got, err, sizeof err);
		if (r != X86_DECODE_TRUNCATED || !insn_is_zero(&got) ||
		    strncmp(err, "truncated instruction: ", 23) != 0) {
			ok = false;
			check(false, "every cut of %s is truncated",
			      hex(v->bytes, v->n));
			diag("avail %zu: returned %d, \"%s\"", avail, r, err);
		}
	}
	if (ok)
		check(true, "every cut of %s is truncated (%u cuts)",
		      hex(v->bytes, v->n), (unsigned)v->n);
}

/* ---- rejections ---- */

struct reject {
	const char *text;
	uint8_t bytes[16];
	uint8_t n;
	const char *msg;   /* the exact message; NULL: just "unsupported" */
};

static const struct reject rejects[] = {
	/* Not a MOV at all. */
	{ "ud2", BYTES(0x0f, 0x0b), "unsupported instruction 0f 0b" },
	{ "add %eax,(%rbx)", BYTES(0x01, 0x03),
	  "unsupported instruction 01" },
	{ "xchg %eax,(%rbx)", BYTES(0x87, 0x03), NULL },
	{ "cmpxchg %ecx,(%rbx)", BYTES(0x0f, 0xb1, 0x0b), NULL },
	{ "push (%rbx)", BYTES(0xff, 0x33), NULL },
	{ "movsb", BYTES(0xa4), NULL },
	{ "movnti %eax,(%rbx)", BYTES(0x0f, 0xc3, 0x03), NULL },
	{ "movq %xmm0,(%rbx)", BYTES(0x66, 0x0f, 0xd6, 0x03), NULL },
	{ "vmovd %xmm0,(%rbx)", BYTES(0xc5, 0xf9, 0x7e, 0x03), NULL },
	{ "mov %es,(%rbx)", BYTES(0x8c, 0x03), NULL },
	{ "mov (%rbx),%es", BYTES(0x8e, 0x03), NULL },
	{ "mov %rax,%cr3", BYTES(0x0f, 0x22, 0xd8), NULL },
	{ "movbe (%rbx),%eax", BYTES(0x0f, 0x38, 0xf0, 0x03),
	  "unsupported instruction 0f 38" },
	{ "movbe %eax,(%rbx)", BYTES(0x0f, 0x38, 0xf1, 0x03), NULL },
	{ "mov $0x1,%al  [B0: register destination]", BYTES(0xb0, 0x01), NULL },

	/* MOV, but with a register where memory should be (mod 11). */
	{ "mov %ebx,%eax", BYTES(0x89, 0xd8),
	  "unsupported instruction 89 d8 (register operand, not memory)" },
	{ "mov %ebx,%eax  [8B form]", BYTES(0x8b, 0xc3), NULL },
	{ "mov %al,%bl", BYTES(0x88, 0xc3), NULL },
	{ "movzbl %al,%eax", BYTES(0x0f, 0xb6, 0xc0), NULL },
	{ "movslq %eax,%rax", BYTES(0x48, 0x63, 0xc0), NULL },
	{ "mov $1,%al  [C6 C0]", BYTES(0xc6, 0xc0, 0x01), NULL },
	{ "xabort $0x1", BYTES(0xc6, 0xf8, 0x01), NULL },
	{ "xbegin", BYTES(0xc7, 0xf8, 0xfa, 0xff, 0xff, 0xff), NULL },

	/* C6/C7 with ModRM.reg other than 0. */
	{ "C6 /1 (invalid)", BYTES(0xc6, 0x0b, 0x01),
	  "unsupported instruction c6 0b (C6/C7 with ModRM.reg not 0)" },
	{ "C7 /2 (invalid)", BYTES(0xc7, 0x53, 0x10, 0x01, 0x00, 0x00, 0x00),
	  NULL },

	/* LOCK and REP prefixes on MOV. */
	{ "lock mov %eax,(%rbx)", BYTES(0xf0, 0x89, 0x03),
	  "unsupported instruction f0 89 03 (LOCK prefix)" },
	{ "xrelease mov %eax,(%rbx)", BYTES(0xf3, 0x89, 0x03),
	  "unsupported instruction f3 89 03 (F2/F3 prefix)" },
	{ "repnz mov (%rbx),%eax", BYTES(0xf2, 0x8b, 0x03), NULL },
	{ "lock movb $1,0x10(%rbx)", BYTES(0xf0, 0xc6, 0x43, 0x10, 0x01),
	  NULL },
	{ "rex.W lock mov  [REX, then LOCK]", BYTES(0x48, 0xf0, 0x89, 0x03),
	  NULL },
	{ "lock addl $0x1,(%rbx)", BYTES(0xf0, 0x83, 0x03, 0x01), NULL },
	{ "rep stos %al,%es:(%rdi)", BYTES(0xf3, 0xaa), NULL },

	/* Longer than 15 bytes: invalid however many bytes we are given. */
	{ "14 prefixes + mov %eax,(%rbx): 16 bytes",
	  BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x89, 0x03),
	  "unsupported instruction 66 66 66 66 66 66 66 66 66 66 66 66 66 66 "
	  "89 (longer than 15 bytes)" },
	{ "15 segment prefixes, exactly 15 bytes available",
	  BYTES(0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
		0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e), NULL },
	{ "15 REX prefixes", BYTES(0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48,
		0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x8b), NULL },
	{ "12 prefixes + movw $0x1,(%rbx): 16 bytes",
	  BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0xc7, 0x03, 0x01, 0x00), NULL },
};

#define NREJ (sizeof rejects / sizeof rejects[0])

static void test_reject(const struct reject *t)
{
	struct x86_mmio_insn got;
	char err[160];
	int r;

	memset(&got, 0xa5, sizeof got);
	r = decode_exact(t->bytes, t->n, &got, err, sizeof err);
	bool ok = r == X86_DECODE_UNSUPPORTED && insn_is_zero(&got) &&
		  strncmp(err, "unsupported instruction ", 24) == 0 &&
		  (!t->msg || strcmp(err, t->msg) == 0);
	if (!check(ok, "reject %s  (%s)", hex(t->bytes, t->n), t->text)) {
		diag("returned %d, \"%s\"", r, err);
		if (t->msg)
			diag("wanted \"%s\"", t->msg);
		if (!insn_is_zero(&got))
			diag("*out not zeroed");
	}
}

/* ---- error messages ---- */

static void test_messages(void)
{
	static const uint8_t rip_load[] = { 0x48, 0x8b, 0x05, 0, 0, 0, 0 };
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	struct x86_mmio_insn got;
	char err[128], small[8];
	int r;

	r = decode_exact(rip_load, 3, &got, err, sizeof err);
	check(r == X86_DECODE_TRUNCATED && strcmp(err,
	      "truncated instruction: need more than 3 bytes (48 8b 05)") == 0,
	      "message: \"%s\"", err);

	r = decode_exact(rip_load, 1, &got, err, sizeof err);
	check(r == X86_DECODE_TRUNCATED && strcmp(err,
	      "truncated instruction: need more than 1 byte (48)") == 0,
	      "message: \"%s\"", err);

	r = decode_exact(rip_load, 0, &got, err, sizeof err);
	check(r == X86_DECODE_TRUNCATED && strcmp(err,
	      "truncated instruction: need more than 0 bytes") == 0,
	      "message: \"%s\"", err);

	/* A short buffer gets a cut, NUL-terminated message. */
	memset(small, 'x', sizeof small);
	r = decode_exact(ud2, sizeof ud2, &got, small, sizeof small);
	check(r == X86_DECODE_UNSUPPORTED && strcmp(small, "unsuppo") == 0,
	      "message cut to an 8-byte buffer: \"%s\"", small);

	memset(small, 'x', sizeof small);
	r = decode_exact(ud2, sizeof ud2, &got, small, 1);
	check(r == X86_DECODE_UNSUPPORTED && small[0] == '\0' &&
	      small[1] == 'x', "message cut to a 1-byte buffer");

	memset(small, 'x', sizeof small);
	r = decode_exact(ud2, sizeof ud2, &got, small, 0);
	check(r == X86_DECODE_UNSUPPORTED && small[0] == 'x',
	      "a 0-byte message buffer is left alone");

	r = decode_exact(ud2, sizeof ud2, &got, NULL, 0);
	check(r == X86_DECODE_UNSUPPORTED, "a NULL message buffer is fine");

	strcpy(err, "stale");
	r = decode_exact(rip_load, sizeof rip_load, &got, err, sizeof err);
	check(r == X86_DECODE_OK && got.len == 7 && err[0] == '\0',
	      "success leaves an empty message");
}

/* ---- store values ---- */

/* Registers with a different byte everywhere, so a wrong register or
 * wrong byte shows. */
static const uint64_t regs[16] = {
	[0] = 0x1122334455667788,  /* rax: al 88, ah 77 */
	[1] = 0x2132435465768798,  /* rcx */
	[3] = 0x0123456789abcdef,  /* rbx: bh cd */
	[4] = 0xfedcba9876543210,  /* rsp: spl 10 */
	[7] = 0x00000000deadbeef,  /* rdi: dil ef */
	[9] = 0x99999999999999a9,  /* r9: r9b a9 */
	[15] = 0x8000000000000001, /* r15 */
};

struct store_case {
	const char *text;
	uint8_t bytes[16];
	uint8_t n;
	uint64_t want;
};

static const struct store_case store_cases[] = {
	{ "mov %al,(%rbx)", BYTES(0x88, 0x03), 0x88 },
	{ "mov %ah,(%rbx)", BYTES(0x88, 0x23), 0x77 },
	{ "mov %bh,(%rbx)", BYTES(0x88, 0x3b), 0xcd },
	{ "mov %spl,(%rbx)", BYTES(0x40, 0x88, 0x23), 0x10 },
	{ "mov %dil,(%rbx)", BYTES(0x40, 0x88, 0x3b), 0xef },
	{ "mov %r9b,(%rbx)", BYTES(0x44, 0x88, 0x0b), 0xa9 },
	{ "rex; data16 mov %ah,(%rbx)", BYTES(0x40, 0x66, 0x88, 0x23), 0x77 },
	{ "mov %ax,(%rbx)", BYTES(0x66, 0x89, 0x03), 0x7788 },
	{ "mov %eax,(%rbx)", BYTES(0x89, 0x03), 0x55667788 },
	{ "mov %rax,(%rbx)", BYTES(0x48, 0x89, 0x03), 0x1122334455667788 },
	{ "mov %ecx,0x10(%rdx)", BYTES(0x89, 0x4a, 0x10), 0x65768798 },
	{ "mov %r15,(%r12)", BYTES(0x4d, 0x89, 0x3c, 0x24),
	  0x8000000000000001 },
	{ "movabs %al,moffs", BYTES(0xa2, 1, 2, 3, 4, 5, 6, 7, 8), 0x88 },
	{ "movabs %rax,moffs", BYTES(0x48, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8),
	  0x1122334455667788 },
	{ "movb $0x80,(%rbx)", BYTES(0xc6, 0x03, 0x80), 0x80 },
	{ "movw $0x8000,(%rbx)", BYTES(0x66, 0xc7, 0x03, 0x00, 0x80),
	  0x8000 },
	{ "movl $0x80000000,(%rbx)",
	  BYTES(0xc7, 0x03, 0x00, 0x00, 0x00, 0x80), 0x80000000 },
	{ "movq $-1,(%rbx)", BYTES(0x48, 0xc7, 0x03, 0xff, 0xff, 0xff, 0xff),
	  0xffffffffffffffff },
	{ "movq $-0x80000000,(%r15)",
	  BYTES(0x49, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x80),
	  0xffffffff80000000 },
	{ "movq $0x7fffffff,(%rbx)",
	  BYTES(0x48, 0xc7, 0x03, 0xff, 0xff, 0xff, 0x7f), 0x7fffffff },
};

#define NSTORE (sizeof store_cases / sizeof store_cases[0])

static void test_store(const struct store_case *t)
{
	struct x86_mmio_insn insn;
	char err[128];
	uint64_t got = 0;
	int r = decode_exact(t->bytes, t->n, &insn, err, sizeof err);

	if (r == X86_DECODE_OK)
		got = x86_mmio_store_value(&insn, regs);
	if (!check(r == X86_DECODE_OK && insn.write && got == t->want,
		   "store value of %s is %#llx", t->text,
		   (unsigned long long)t->want))
		diag("returned %d (%s), value %#llx", r, err,
		     (unsigned long long)got);
}

/* ---- load writeback ---- */

struct load_case {
	const char *text;
	uint8_t bytes[16];
	uint8_t n;
	unsigned gpr;        /* which register x86_mmio_gpr must name */
	uint64_t old, loaded, want;
};

#define ONES 0xffffffffffffffff
#define PAT  0x1111111111111111

static const struct load_case load_cases[] = {
	/* Plain MOV: 32-bit zero-extends, 8/16-bit merge, high8 is 15:8. */
	{ "mov (%rbx),%eax", BYTES(0x8b, 0x03), 0,
	  ONES, 0x12345678, 0x0000000012345678 },
	{ "mov (%rbx),%eax  [only the low 4 loaded bytes count]",
	  BYTES(0x8b, 0x03), 0, ONES, 0xaaaaaaaa12345678, 0x12345678 },
	{ "mov (%rbx),%ax", BYTES(0x66, 0x8b, 0x03), 0,
	  PAT, 0xbeef, 0x111111111111beef },
	{ "mov (%rbx),%al", BYTES(0x8a, 0x03), 0,
	  PAT, 0x80, 0x1111111111111180 },
	{ "mov (%rbx),%ch", BYTES(0x8a, 0x2b), 1,
	  PAT, 0xab, 0x111111111111ab11 },
	{ "rex; data16 mov (%rbx),%ah", BYTES(0x40, 0x66, 0x8a, 0x23), 0,
	  PAT, 0xab, 0x111111111111ab11 },
	{ "mov (%rbx),%sil", BYTES(0x40, 0x8a, 0x33), 6,
	  PAT, 0xab, 0x11111111111111ab },
	{ "mov (%rbx),%r10b", BYTES(0x44, 0x8a, 0x13), 10,
	  PAT, 0xab, 0x11111111111111ab },
	{ "mov (%rbx),%rax", BYTES(0x48, 0x8b, 0x03), 0,
	  PAT, 0x8000000000000000, 0x8000000000000000 },
	{ "mov 0x100(%rip),%r11", BYTES(0x4c, 0x8b, 0x1d, 0, 1, 0, 0), 11,
	  0, 0x0123456789abcdef, 0x0123456789abcdef },
	{ "movabs moffs,%al", BYTES(0xa0, 1, 2, 3, 4, 5, 6, 7, 8), 0,
	  PAT, 0x22, 0x1111111111111122 },
	{ "addr32 mov moffs,%eax", BYTES(0x67, 0xa1, 1, 2, 3, 4), 0,
	  ONES, 0x80000000, 0x0000000080000000 },

	/* MOVZX. */
	{ "movzbl (%rbx),%eax", BYTES(0x0f, 0xb6, 0x03), 0,
	  ONES, 0x80, 0x80 },
	{ "movzbw (%rbx),%ax", BYTES(0x66, 0x0f, 0xb6, 0x03), 0,
	  PAT, 0x80, 0x1111111111110080 },
	{ "movzbq (%rbx),%r8", BYTES(0x4c, 0x0f, 0xb6, 0x03), 8,
	  ONES, 0xff, 0xff },
	{ "movzwl (%rbx),%eax", BYTES(0x0f, 0xb7, 0x03), 0,
	  ONES, 0x8000, 0x8000 },
	{ "movzwq (%rbx),%rax", BYTES(0x48, 0x0f, 0xb7, 0x03), 0,
	  ONES, 0xfffffffffffff234, 0xf234 },

	/* MOVSX. */
	{ "movsbl (%rbx),%eax", BYTES(0x0f, 0xbe, 0x03), 0,
	  ONES, 0x80, 0x00000000ffffff80 },
	{ "movsbl (%rbx),%eax  [positive]", BYTES(0x0f, 0xbe, 0x03), 0,
	  ONES, 0x7f, 0x7f },
	{ "movsbw (%rbx),%ax", BYTES(0x66, 0x0f, 0xbe, 0x03), 0,
	  PAT, 0x80, 0x111111111111ff80 },
	{ "movsbq (%rbx),%rax", BYTES(0x48, 0x0f, 0xbe, 0x03), 0,
	  0, 0x80, 0xffffffffffffff80 },
	{ "movswl (%rbx),%eax", BYTES(0x0f, 0xbf, 0x03), 0,
	  ONES, 0x8000, 0x00000000ffff8000 },
	{ "movswq (%rbx),%r12", BYTES(0x4c, 0x0f, 0xbf, 0x23), 12,
	  0, 0x8001, 0xffffffffffff8001 },
	{ "movswq (%rbx),%r12  [positive]", BYTES(0x4c, 0x0f, 0xbf, 0x23), 12,
	  ONES, 0x7fff, 0x7fff },

	/* MOVSXD, and 63 without REX.W. */
	{ "movslq (%rbx),%rax", BYTES(0x48, 0x63, 0x03), 0,
	  0, 0x80000000, 0xffffffff80000000 },
	{ "movslq (%rbx),%rax  [positive]", BYTES(0x48, 0x63, 0x03), 0,
	  ONES, 0x7fffffff, 0x7fffffff },
	{ "movslq (%rbx),%r9  [ignores upper loaded bytes]",
	  BYTES(0x4c, 0x63, 0x0b), 9, 0, 0x1234567880000001,
	  0xffffffff80000001 },
	{ "movsxd (%rbx),%eax", BYTES(0x63, 0x03), 0,
	  ONES, 0x87654321, 0x0000000087654321 },
	{ "movsxd (%rbx),%ax", BYTES(0x66, 0x63, 0x03), 0,
	  ONES, 0x8001, 0xffffffffffff8001 },
};

#define NLOAD (sizeof load_cases / sizeof load_cases[0])

static void test_load(const struct load_case *t)
{
	struct x86_mmio_insn insn;
	char err[128];
	uint64_t got = 0;
	unsigned gpr = 99;
	int r = decode_exact(t->bytes, t->n, &insn, err, sizeof err);

	if (r == X86_DECODE_OK) {
		gpr = x86_mmio_gpr(&insn);
		got = x86_mmio_load_writeback(&insn, t->old, t->loaded);
	}
	if (!check(r == X86_DECODE_OK && !insn.write && gpr == t->gpr &&
		   got == t->want,
		   "load %s: reg %u %#llx <- %#llx gives %#llx", t->text,
		   t->gpr, (unsigned long long)t->old,
		   (unsigned long long)t->loaded,
		   (unsigned long long)t->want))
		diag("returned %d (%s), reg %u, value %#llx", r, err, gpr,
		     (unsigned long long)got);
}

/* ---- operand-less instructions: x86_decode_plain ---- */

static const uint8_t op_cpuid[] = { 0x0f, 0xa2 };

/* x86_decode_plain on a heap copy of exactly avail bytes (see decode_exact). */
static int plain_exact(const uint8_t *bytes, size_t avail, uint8_t *len,
		       char *err, size_t errlen)
{
	uint8_t *copy = malloc(avail ? avail : 1);
	int r;

	if (!copy) {
		perror("malloc");
		exit(2);
	}
	memcpy(copy, bytes, avail);
	r = x86_decode_plain(copy, avail, op_cpuid, sizeof(op_cpuid), len, err, errlen);
	free(copy);
	return r;
}

struct plain_case {
	const char *what;
	uint8_t bytes[X86_MAX_INSN_LEN + 2];
	size_t n;
	int want;            /* X86_DECODE_* */
	uint8_t len;         /* for X86_DECODE_OK */
	const char *msg;     /* for the others: what the message must contain */
};

static const struct plain_case plain_cases[] = {
	{ "cpuid", { 0x0f, 0xa2 }, 2, X86_DECODE_OK, 2, NULL },
	{ "cpuid, bytes after it", { 0x0f, 0xa2, 0x90, 0x90 }, 4, X86_DECODE_OK, 2, NULL },
	{ "data16 cpuid", { 0x66, 0x0f, 0xa2 }, 3, X86_DECODE_OK, 3, NULL },
	{ "rep cpuid", { 0xf3, 0x0f, 0xa2 }, 3, X86_DECODE_OK, 3, NULL },
	{ "cs data16 rex.w cpuid", { 0x2e, 0x66, 0x48, 0x0f, 0xa2 }, 5, X86_DECODE_OK, 5, NULL },
	{ "13 prefixes + cpuid: 15 bytes", { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x0f, 0xa2 }, 15, X86_DECODE_OK, 15, NULL },
	{ "14 prefixes + cpuid: 16 bytes", { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x0f, 0xa2 }, 16,
	  X86_DECODE_UNSUPPORTED, 0, "longer than 15 bytes" },
	{ "lock cpuid (#UD)", { 0xf0, 0x0f, 0xa2 }, 3, X86_DECODE_UNSUPPORTED, 0, "LOCK prefix" },
	{ "ud2", { 0x0f, 0x0b }, 2, X86_DECODE_UNSUPPORTED, 0, "unsupported instruction 0f 0b" },
	{ "hlt", { 0xf4 }, 1, X86_DECODE_UNSUPPORTED, 0, "unsupported instruction f4" },
	{ "a2 alone (mov moffs8, al)", { 0xa2, 0, 0, 0, 0, 0, 0, 0, 0 }, 9,
	  X86_DECODE_UNSUPPORTED, 0, "unsupported instruction a2" },
	{ "data16, then nothing", { 0x66 }, 1, X86_DECODE_TRUNCATED, 0, "need more than 1 byte" },
	{ "0f, then nothing", { 0x66, 0x0f }, 2, X86_DECODE_TRUNCATED, 0, "need more than 2 bytes" },
	{ "no bytes", { 0 }, 0, X86_DECODE_TRUNCATED, 0, "need more than 0 bytes" },
};

static void test_plain(const struct plain_case *t)
{
	char err[160];
	uint8_t len = 0xee;
	int r = plain_exact(t->bytes, t->n, &len, err, sizeof(err));

	if (t->want == X86_DECODE_OK) {
		if (!check(r == X86_DECODE_OK && len == t->len, "plain %s: %zu bytes long",
			   t->what, (size_t)t->len))
			diag("got %d, len %u, \"%s\"", r, len, err);
		return;
	}
	if (!check(r == t->want && len == 0 && strstr(err, t->msg),
		   "plain %s: refused with \"%s\"", t->what, t->msg))
		diag("got %d, len %u, \"%s\"", r, len, err);
}

/* Any cut of a good prefixed CPUID short of its end asks for more bytes. */
static void test_plain_cuts(void)
{
	static const uint8_t insn[] = { 0x2e, 0x66, 0x48, 0x0f, 0xa2 };

	for (size_t n = 0; n < sizeof(insn); n++) {
		char err[160];
		uint8_t len;
		int r = plain_exact(insn, n, &len, err, sizeof(err));
		if (!check(r == X86_DECODE_TRUNCATED, "plain cs data16 rex.w cpuid cut to %zu bytes: truncated", n))
			diag("got %d, \"%s\"", r, err);
	}
}

int main(void)
{
	for (size_t i = 0; i < NVEC; i++)
		test_vector(&vectors[i]);
	for (size_t i = 0; i < NVEC; i++)
		test_every_cut(&vectors[i]);
	for (size_t i = 0; i < NREJ; i++)
		test_reject(&rejects[i]);
	test_messages();
	for (size_t i = 0; i < NSTORE; i++)
		test_store(&store_cases[i]);
	for (size_t i = 0; i < NLOAD; i++)
		test_load(&load_cases[i]);
	for (size_t i = 0; i < sizeof(plain_cases) / sizeof(plain_cases[0]); i++)
		test_plain(&plain_cases[i]);
	test_plain_cuts();

	printf("test_x86_decode: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
