/*
 * libFuzzer target: the x86 MMIO decoder (arch/x86_64/x86_decode.c).
 *
 * The bytes a guest leaves at RIP are as hostile as anything it controls,
 * and the decoder is the first code to read them.  This target checks what
 * must hold for *any* input, under ASan and UBSan:
 *
 *   - it never reads past the bytes it was given (libFuzzer's buffer is a
 *     heap block of exactly `size` bytes, so ASan traps an over-read), nor
 *     past 15 bytes (we also run it on a copy cut at 15);
 *   - an accepted instruction is 1..15 bytes long, no longer than the
 *     input, and the same bytes cut to exactly its length decode the same
 *     way (bytes after the instruction are ignored), while any shorter cut
 *     is TRUNCATED (the decoder needed every byte it counted);
 *   - the result is self-consistent: widths are 1/2/4/8, a store has no
 *     load fields, AH..BH only for byte registers without REX, ...;
 *   - what it accepts really is one of the MOV forms x86_decode.h lists,
 *     judged by a separate, much simpler prefix-and-opcode scan here;
 *   - a refusal zeroes the result and leaves a NUL-terminated message
 *     that fits the buffer, whatever its size;
 *   - decoding is deterministic;
 *   - the fast path (x86_decode_mmio_fast), wherever it accepts, gives
 *     the full decoder's length, operands and widths, and x86_decode_mmio
 *     always gives the full decoder's answer.
 *
 * Whether the length and operands are *right* needs an oracle that knows
 * x86: scripts/fuzz-decode-diff.sh compares with objdump.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/x86_decode.h"

#define ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

static bool width_ok(unsigned w)
{
	return w == 1 || w == 2 || w == 4 || w == 8;
}

/*
 * The independent judgement of "is this a MOV form we claim": skip the
 * prefixes x86_decode.h names, remember whether the last one was a REX
 * and whether 66 or REX.W were seen, and look at the opcode.  Returns the
 * opcode (0x0fXX for two-byte ones), or -1.
 */
static int claimed_opcode(const uint8_t *b, size_t n, bool *rexw, bool *rex,
			  bool *o16)
{
	size_t i = 0;

	*rexw = *rex = *o16 = false;
	for (; i < n; i++) {
		uint8_t p = b[i];
		if ((p & 0xf0) == 0x40) {
			*rex = true;
			*rexw = (p & 8) != 0;
			continue;
		}
		if (p == 0x66 || p == 0x67 || p == 0x26 || p == 0x2e || p == 0x36 ||
		    p == 0x3e || p == 0x64 || p == 0x65) {
			*rex = *rexw = false; /* a REX counts only right before the opcode */
			if (p == 0x66)
				*o16 = true;
			continue;
		}
		break;
	}
	if (i >= n)
		return -1;
	switch (b[i]) {
	case 0x88: case 0x89: case 0x8a: case 0x8b: case 0x63:
	case 0xc6: case 0xc7: case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		return b[i];
	case 0x0f:
		if (i + 1 < n && (b[i + 1] == 0xb6 || b[i + 1] == 0xb7 ||
				  b[i + 1] == 0xbe || b[i + 1] == 0xbf))
			return 0x0f00 | b[i + 1];
		return -1;
	default:
		return -1;
	}
}

static void check_ok(const uint8_t *data, size_t size, const struct x86_mmio_insn *in)
{
	bool rexw, rex, o16;
	unsigned osz;
	int op;

	ASSERT(in->len >= 1 && in->len <= X86_MAX_INSN_LEN && in->len <= size);
	ASSERT(width_ok(in->size));
	ASSERT(in->reg < 16);
	op = claimed_opcode(data, in->len, &rexw, &rex, &o16);
	ASSERT(op >= 0);
	osz = rexw ? 8 : o16 ? 2 : 4;

	if (in->write) {
		ASSERT(in->dst_size == 0 && in->ext == X86_LOAD_MOV);
		ASSERT(op == 0x88 || op == 0x89 || op == 0xc6 || op == 0xc7 ||
		       op == 0xa2 || op == 0xa3);
		ASSERT(in->has_imm == (op == 0xc6 || op == 0xc7));
		if (!in->has_imm)
			ASSERT(in->imm == 0);
	} else {
		ASSERT(!in->has_imm && in->imm == 0);
		ASSERT(width_ok(in->dst_size));
		ASSERT(op != 0x88 && op != 0x89 && op != 0xc6 && op != 0xc7 &&
		       op != 0xa2 && op != 0xa3);
		switch (in->ext) {
		case X86_LOAD_MOV:
			ASSERT(in->dst_size == in->size);
			break;
		case X86_LOAD_ZX:
		case X86_LOAD_SX:
			ASSERT(in->size <= in->dst_size);
			break;
		default:
			ASSERT(0);
		}
	}
	/* Widths follow from the opcode and the prefixes alone. */
	switch (op) {
	case 0x88: case 0x8a: case 0xc6: case 0xa0: case 0xa2:
		ASSERT(in->size == 1);
		break;
	case 0x89: case 0x8b: case 0xc7: case 0xa1: case 0xa3:
		ASSERT(in->size == osz);
		break;
	case 0x63:
		ASSERT(rexw ? (in->size == 4 && in->dst_size == 8 && in->ext == X86_LOAD_SX)
			    : (in->size == osz && in->ext == X86_LOAD_MOV));
		break;
	case 0x0fb6: case 0x0fbe:
		ASSERT(in->size == 1 && in->dst_size == osz);
		ASSERT(in->ext == (op == 0x0fb6 ? X86_LOAD_ZX : X86_LOAD_SX));
		break;
	case 0x0fb7: case 0x0fbf:
		ASSERT(in->size == 2 && in->dst_size == osz);
		ASSERT(in->ext == (op == 0x0fb7 ? X86_LOAD_ZX : X86_LOAD_SX));
		break;
	}
	/* moffs forms always use the accumulator. */
	if (op >= 0xa0 && op <= 0xa3)
		ASSERT(in->reg == 0 && !in->reg_high8);
	/* AH..BH: only a byte register, only without REX, only 4..7. */
	if (in->reg_high8) {
		unsigned regw = in->write ? in->size : in->dst_size;
		ASSERT(!rex && regw == 1 && in->reg >= 4 && in->reg <= 7 && !in->has_imm);
	}
	/* An imm store's value is truncated to its width, or sign-extended
	 * from 32 bits for REX.W C7. */
	if (in->has_imm && in->size < 8)
		ASSERT((in->imm >> (8 * in->size)) == 0);
	if (in->has_imm && in->size == 8)
		ASSERT((uint64_t)((int64_t)(int32_t)in->imm) == in->imm);
}

/* The helpers that use a result: values stay inside their widths. */
static void check_helpers(const struct x86_mmio_insn *in, const uint8_t *data, size_t size)
{
	uint64_t gpr[16], old = 0, mem = 0;

	for (unsigned r = 0; r < 16; r++)
		gpr[r] = 0x0123456789abcdefull * (r + 1);
	for (size_t i = 0; i < size && i < 8; i++) {
		old = (old << 8) | data[i];
		mem = (mem << 8) | data[size - 1 - i];
	}
	ASSERT(x86_mmio_gpr(in) < 16);
	if (in->write) {
		uint64_t v = x86_mmio_store_value(in, gpr);
		if (in->size < 8)
			ASSERT((v >> (8 * in->size)) == 0);
	} else {
		uint64_t v = x86_mmio_load_writeback(in, old, mem);
		if (in->reg_high8)
			ASSERT((v & ~0xff00ull) == (old & ~0xff00ull));
		else if (in->dst_size == 4)
			ASSERT((v >> 32) == 0);
		else if (in->dst_size < 4)
			ASSERT((v >> (8 * in->dst_size)) == (old >> (8 * in->dst_size)));
	}
}

static void check_refused(int r, const struct x86_mmio_insn *in, const char *err,
			  size_t errlen)
{
	static const struct x86_mmio_insn zero;

	ASSERT(r == X86_DECODE_UNSUPPORTED || r == X86_DECODE_TRUNCATED);
	ASSERT(memcmp(in, &zero, sizeof(zero)) == 0);
	if (errlen > 0)
		ASSERT(memchr(err, '\0', errlen) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x86_mmio_insn a, b;
	/* The first byte picks the message buffer's size (0..64), so that
	 * short and absent buffers are tried as well. */
	size_t errlen;
	char *err;
	int ra, rb;

	if (size < 1)
		return 0;
	errlen = data[0] % 65;
	data++;
	size--;
	/* Exactly errlen bytes on the heap: ASan fences a message that
	 * overruns it. */
	err = errlen ? malloc(errlen) : NULL;

	ra = x86_decode_mmio(data, size, &a, err, errlen);
	rb = x86_decode_mmio(data, size, &b, err, errlen);
	ASSERT(ra == rb && memcmp(&a, &b, sizeof(a)) == 0);

	/* The fast path, where it answers, answers as the full decoder:
	 * same length, operands and widths; and x86_decode_mmio is the
	 * full decoder's answer either way. */
	{
		struct x86_mmio_insn f, full;
		int rf = x86_decode_mmio_full(data, size, &full, NULL, 0);
		ASSERT(rf == ra && memcmp(&full, &a, sizeof(a)) == 0);
		if (x86_decode_mmio_fast(data, size, &f))
			ASSERT(rf == X86_DECODE_OK && f.len == full.len && f.size == full.size &&
			       f.write == full.write && f.reg == full.reg &&
			       f.reg_high8 == full.reg_high8 && f.has_imm == full.has_imm &&
			       f.imm == full.imm && f.ext == full.ext &&
			       f.dst_size == full.dst_size && memcmp(&f, &full, sizeof(f)) == 0);
	}

	if (ra == X86_DECODE_OK) {
		check_ok(data, size, &a);
		check_helpers(&a, data, size);
		/* Cut to exactly its length, the answer is the same; any
		 * shorter cut is "truncated".  Heap copies, so a read past the
		 * cut is an ASan report. */
		for (size_t n = 0; n <= a.len; n++) {
			uint8_t *cut = malloc(n ? n : 1);
			memcpy(cut, data, n);
			rb = x86_decode_mmio(cut, n, &b, err, errlen);
			if (n == a.len)
				ASSERT(rb == X86_DECODE_OK && memcmp(&a, &b, sizeof(a)) == 0);
			else
				ASSERT(rb == X86_DECODE_TRUNCATED);
			free(cut);
		}
	} else {
		check_refused(ra, &a, err, errlen);
		/* Truncated means "more bytes may help": so the decoder must
		 * have consumed all it had, fewer than 15. */
		if (ra == X86_DECODE_TRUNCATED)
			ASSERT(size < X86_MAX_INSN_LEN);
	}
	/* Never more than 15 bytes matter: a longer input decodes exactly
	 * as its first 15 bytes do (up to TRUNCATED, which a 15-byte cut
	 * reports where the long input reports "longer than 15 bytes"). */
	if (size > X86_MAX_INSN_LEN) {
		rb = x86_decode_mmio(data, X86_MAX_INSN_LEN, &b, NULL, 0);
		ASSERT(rb == ra || (rb == X86_DECODE_TRUNCATED && ra == X86_DECODE_UNSUPPORTED));
		if (rb == X86_DECODE_OK)
			ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	}

	/* x86_decode_plain with CPUID's opcode: 1..15 bytes, ending in 0f a2. */
	{
		static const uint8_t cpuid[2] = { 0x0f, 0xa2 };
		uint8_t len = 0;
		int r = x86_decode_plain(data, size, cpuid, 2, &len, err, errlen);
		if (r == X86_DECODE_OK)
			ASSERT(len >= 2 && len <= X86_MAX_INSN_LEN && len <= size &&
			       data[len - 2] == 0x0f && data[len - 1] == 0xa2);
		else
			ASSERT(len == 0 && (r == X86_DECODE_UNSUPPORTED || r == X86_DECODE_TRUNCATED));
		if (errlen > 0)
			ASSERT(memchr(err, '\0', errlen) != NULL);
	}
	free(err);
	return 0;
}
