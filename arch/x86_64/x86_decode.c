/*
 * Decoding the x86-64 instruction behind an MMIO exit: see x86_decode.h
 * for why and what.
 *
 * An x86-64 instruction, as far as we care, is laid out like this:
 *
 *   [legacy prefixes] [REX] opcode [ModRM [SIB] [displacement]] [immediate]
 *    0..14 bytes       0/1   1-2     1     0/1   0, 1 or 4        0, 1, 2, 4
 *
 * (A0..A3 have no ModRM; an 8- or 4-byte address follows the opcode.)
 *
 * Why we never compute the effective address: the exit already reports the
 * guest-physical address the access hit, which is the only address MMIO
 * emulation needs.  Computing it ourselves would mean base and index
 * registers, segment bases (FS/GS) and a walk of the guest's page tables --
 * a lot of code to reproduce a number the hardware gave us.  So REX.X,
 * REX.B, the SIB fields and the displacement values do not matter to us.
 * We must still step over the ModRM/SIB/displacement bytes, though,
 * because their count decides the instruction length, and so where the
 * guest resumes.
 *
 * This file is freestanding: no libc, so it formats its own messages.
 */
#include "x86_decode.h"

/* ---- the error message ---- */

/* A bounded string being built in the caller's buffer: always
 * NUL-terminated, silently cut short when full. */
struct msg {
	char *buf;
	size_t cap;
	size_t len;
};

static void msg_init(struct msg *m, char *buf, size_t cap)
{
	m->buf = buf;
	m->cap = buf ? cap : 0;
	m->len = 0;
	if (m->cap > 0)
		m->buf[0] = '\0';
}

static void msg_putc(struct msg *m, char c)
{
	if (m->len + 1 < m->cap) {
		m->buf[m->len++] = c;
		m->buf[m->len] = '\0';
	}
}

static void msg_puts(struct msg *m, const char *s)
{
	while (*s)
		msg_putc(m, *s++);
}

static void msg_dec(struct msg *m, size_t v)
{
	char digits[20];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		msg_putc(m, digits[--n]);
}

/* The bytes as "0f 0b": lower-case hex, space-separated, like objdump. */
static void msg_bytes(struct msg *m, const uint8_t *bytes, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			msg_putc(m, ' ');
		msg_putc(m, hex[bytes[i] >> 4]);
		msg_putc(m, hex[bytes[i] & 0xf]);
	}
}

/* ---- reading bytes ---- */

#define REX_W 0x08 /* 64-bit operand size */
#define REX_R 0x04 /* high bit of ModRM.reg: selects R8..R15 */

/* Where we are in the instruction, and what the prefixes said. */
struct decoder {
	const uint8_t *bytes;
	size_t avail;    /* bytes[0..avail) may be read */
	size_t pos;      /* bytes consumed so far */
	char *err;
	size_t errlen;

	bool opsize16;   /* 66: 16-bit operands */
	bool addr32;     /* 67: 32-bit addresses */
	bool lock;       /* F0 */
	bool rep;        /* F2 or F3 */
	bool has_rex;    /* a REX prefix directly before the opcode */
	uint8_t rex;     /* its low four bits, W R X B; 0 if none */
};

/* Reject the instruction, naming the bytes consumed so far -- up to and
 * including the one that gave it away -- and, if given, why. */
static int unsupported(struct decoder *d, const char *why)
{
	struct msg m;

	msg_init(&m, d->err, d->errlen);
	msg_puts(&m, "unsupported instruction ");
	msg_bytes(&m, d->bytes, d->pos);
	if (why) {
		msg_puts(&m, " (");
		msg_puts(&m, why);
		msg_putc(&m, ')');
	}
	return X86_DECODE_UNSUPPORTED;
}

/* The instruction goes on past the bytes we were given. */
static int truncated(struct decoder *d)
{
	struct msg m;

	msg_init(&m, d->err, d->errlen);
	msg_puts(&m, "truncated instruction: need more than ");
	msg_dec(&m, d->avail);
	msg_puts(&m, d->avail == 1 ? " byte" : " bytes");
	if (d->avail > 0) {
		msg_puts(&m, " (");
		msg_bytes(&m, d->bytes, d->avail);
		msg_putc(&m, ')');
	}
	return X86_DECODE_TRUNCATED;
}

/*
 * Consume the next byte.  The 15-byte limit is checked first: an
 * instruction that long is invalid however many bytes the caller has, so
 * it is "unsupported" rather than "truncated" (which would invite the
 * caller to fetch more).
 */
static int next_byte(struct decoder *d, uint8_t *b)
{
	if (d->pos >= X86_MAX_INSN_LEN)
		return unsupported(d, "longer than 15 bytes");
	if (d->pos >= d->avail)
		return truncated(d);
	*b = d->bytes[d->pos++];
	return 0;
}

/* Consume an n-byte little-endian field (displacement, immediate,
 * address), n <= 8. */
static int next_le(struct decoder *d, unsigned n, uint64_t *value)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		uint8_t b;
		int r = next_byte(d, &b);
		if (r)
			return r;
		v |= (uint64_t)b << (8 * i);
	}
	*value = v;
	return 0;
}

/* ---- prefixes ---- */

/* Note a legacy prefix; false if b is not one. */
static bool take_legacy_prefix(struct decoder *d, uint8_t b)
{
	switch (b) {
	case 0x66:
		d->opsize16 = true;
		return true;
	case 0x67:
		d->addr32 = true;
		return true;
	case 0xf0:
		d->lock = true;
		return true;
	case 0xf2:
	case 0xf3:
		d->rep = true;
		return true;
	/* Segment overrides.  In 64-bit mode CS/SS/DS/ES ones do nothing and
	 * FS/GS ones add a base -- which only changes the address, and the
	 * exit already told us that. */
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
		return true;
	default:
		return false;
	}
}

static bool is_rex(uint8_t b)
{
	return (b & 0xf0) == 0x40;
}

/*
 * Consume the prefixes and return the first opcode byte.
 *
 * A REX prefix counts only if it comes right before the opcode; the CPU
 * ignores one that a legacy prefix follows (48 66 89 03 stores just AX),
 * and of two REX prefixes in a row only the second counts.  So each
 * prefix byte overrides any REX seen before it.
 */
static int read_prefixes(struct decoder *d, uint8_t *opcode)
{
	for (;;) {
		uint8_t b;
		int r = next_byte(d, &b);
		if (r)
			return r;
		if (is_rex(b)) {
			d->has_rex = true;
			d->rex = b & 0x0f;
		} else if (take_legacy_prefix(d, b)) {
			d->has_rex = false;
			d->rex = 0;
		} else {
			*opcode = b;
			return 0;
		}
	}
}

/* Width of a non-byte operand: REX.W beats 66, and 32 is the default. */
static uint8_t operand_size(const struct decoder *d)
{
	if (d->rex & REX_W)
		return 8;
	if (d->opsize16)
		return 2;
	return 4;
}

/* ---- ModRM ---- */

/*
 * Consume ModRM and whatever SIB and displacement it calls for; return
 * its reg field (0..7).
 *
 *   mod 11           a register, not memory: cannot be an MMIO access
 *   rm 100           a SIB byte follows (mod 00 and SIB base 101: disp32)
 *   mod 00, rm 101   RIP-relative, disp32
 *   mod 01           disp8
 *   mod 10           disp32
 *
 * REX.B does not change any of this: R12 as rm still needs a SIB, and
 * mod 00 with R13 is still RIP-relative.  Nor does 67: in 64-bit mode
 * 32-bit addressing uses this same layout, only the address is truncated.
 */
static int read_memory_modrm(struct decoder *d, uint8_t *reg_field)
{
	uint8_t modrm, sib;
	unsigned mod, rm, disp_len = 0;
	uint64_t ignored;
	int r;

	if ((r = next_byte(d, &modrm)) != 0)
		return r;
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return unsupported(d, "register operand, not memory");

	if (rm == 4) {
		if ((r = next_byte(d, &sib)) != 0)
			return r;
		if (mod == 0 && (sib & 7) == 5)
			disp_len = 4;   /* no base register, disp32 */
	}
	if (mod == 0 && rm == 5)
		disp_len = 4;           /* RIP-relative */
	else if (mod == 1)
		disp_len = 1;
	else if (mod == 2)
		disp_len = 4;

	if ((r = next_le(d, disp_len, &ignored)) != 0)
		return r;
	*reg_field = (modrm >> 3) & 7;
	return 0;
}

/* Record the register operand named by ModRM.reg (plus REX.R), of width
 * reg_size.  Without any REX prefix, byte registers 4..7 are AH CH DH BH;
 * with one (even a bare 40), they are SPL BPL SIL DIL. */
static void set_reg(const struct decoder *d, struct x86_mmio_insn *out,
		    uint8_t reg_field, uint8_t reg_size)
{
	out->reg = reg_field | ((d->rex & REX_R) ? 8 : 0);
	out->reg_high8 = reg_size == 1 && !d->has_rex && out->reg >= 4;
}

/* ---- the instruction forms ---- */

/* 88, 89: mov r/m, r */
static int decode_store_reg(struct decoder *d, struct x86_mmio_insn *out,
			    uint8_t size)
{
	uint8_t reg;
	int r = read_memory_modrm(d, &reg);
	if (r)
		return r;
	out->write = true;
	out->size = size;
	set_reg(d, out, reg, size);
	return 0;
}

/* 8A, 8B, 63, 0F B6/B7/BE/BF: a load of size bytes into a dst_size-byte
 * register, extended as ext says. */
static int decode_load(struct decoder *d, struct x86_mmio_insn *out,
		       uint8_t size, uint8_t dst_size, enum x86_load_ext ext)
{
	uint8_t reg;
	int r = read_memory_modrm(d, &reg);
	if (r)
		return r;
	out->write = false;
	out->size = size;
	out->dst_size = dst_size;
	out->ext = ext;
	set_reg(d, out, reg, dst_size);
	return 0;
}

/*
 * C6 /0 ib, C7 /0 iw/id: mov r/m, imm.  The immediate is as wide as the
 * operand, except that there is no 64-bit form: with REX.W it is 32 bits,
 * sign-extended.  ModRM.reg must be 0; other values are invalid (or, with
 * mod 11, XABORT/XBEGIN -- not memory accesses either).
 */
static int decode_store_imm(struct decoder *d, struct x86_mmio_insn *out,
			    uint8_t size)
{
	unsigned imm_len = size > 4 ? 4 : size;
	uint8_t reg;
	uint64_t imm;
	int r;

	if ((r = read_memory_modrm(d, &reg)) != 0)
		return r;
	if (reg != 0)
		return unsupported(d, "C6/C7 with ModRM.reg not 0");
	if ((r = next_le(d, imm_len, &imm)) != 0)
		return r;
	if (size == 8 && (imm & 0x80000000))
		imm |= 0xffffffff00000000;
	out->write = true;
	out->size = size;
	out->has_imm = true;
	out->imm = imm;
	return 0;
}

/*
 * A0..A3: mov between AL/AX/EAX/RAX and an absolute address ("moffs")
 * that follows the opcode: 8 bytes in 64-bit mode, 4 with a 67 prefix.
 * There is no ModRM; the register is always the accumulator, whatever
 * REX says (apart from REX.W for the width).
 */
static int decode_moffs(struct decoder *d, struct x86_mmio_insn *out,
			uint8_t size, bool write)
{
	uint64_t ignored;
	int r = next_le(d, d->addr32 ? 4 : 8, &ignored);
	if (r)
		return r;
	out->write = write;
	out->size = size;
	out->reg = 0;
	if (!write) {
		out->dst_size = size;
		out->ext = X86_LOAD_MOV;
	}
	return 0;
}

/* 0F xx: the two-byte opcodes.  Only MOVZX and MOVSX; MOVBE (0F 38 F0/F1)
 * byte-swaps, and is among what we refuse. */
static int decode_0f(struct decoder *d, struct x86_mmio_insn *out)
{
	uint8_t op;
	uint8_t osz = operand_size(d);
	int r = next_byte(d, &op);
	if (r)
		return r;

	switch (op) {
	case 0xb6: return decode_load(d, out, 1, osz, X86_LOAD_ZX);
	case 0xb7: return decode_load(d, out, 2, osz, X86_LOAD_ZX);
	case 0xbe: return decode_load(d, out, 1, osz, X86_LOAD_SX);
	case 0xbf: return decode_load(d, out, 2, osz, X86_LOAD_SX);
	default:   return unsupported(d, NULL);
	}
}

/* Dispatch on the first opcode byte.  66 has no effect on the byte forms. */
static int decode_opcode(struct decoder *d, uint8_t op,
			 struct x86_mmio_insn *out)
{
	uint8_t osz = operand_size(d);

	switch (op) {
	case 0x88: return decode_store_reg(d, out, 1);
	case 0x89: return decode_store_reg(d, out, osz);
	case 0x8a: return decode_load(d, out, 1, 1, X86_LOAD_MOV);
	case 0x8b: return decode_load(d, out, osz, osz, X86_LOAD_MOV);
	case 0x63:
		/* MOVSXD.  Without REX.W it "sign-extends" 32 bits to 32
		 * (or 16 to 16): an ordinary load. */
		if (osz == 8)
			return decode_load(d, out, 4, 8, X86_LOAD_SX);
		return decode_load(d, out, osz, osz, X86_LOAD_MOV);
	case 0xc6: return decode_store_imm(d, out, 1);
	case 0xc7: return decode_store_imm(d, out, osz);
	case 0xa0: return decode_moffs(d, out, 1, false);
	case 0xa1: return decode_moffs(d, out, osz, false);
	case 0xa2: return decode_moffs(d, out, 1, true);
	case 0xa3: return decode_moffs(d, out, osz, true);
	case 0x0f: return decode_0f(d, out);
	default:   return unsupported(d, NULL);
	}
}

int x86_decode_mmio(const uint8_t *bytes, size_t avail,
		    struct x86_mmio_insn *out, char *err, size_t errlen)
{
	if (x86_decode_mmio_fast(bytes, avail, out)) {
		if (err && errlen > 0)
			err[0] = '\0';
		return X86_DECODE_OK;
	}
	return x86_decode_mmio_full(bytes, avail, out, err, errlen);
}

int x86_decode_mmio_full(const uint8_t *bytes, size_t avail,
			 struct x86_mmio_insn *out, char *err, size_t errlen)
{
	struct decoder d = {
		.bytes = bytes, .avail = avail, .err = err, .errlen = errlen,
	};
	struct x86_mmio_insn insn = { 0 };
	uint8_t op;
	int r;

	*out = insn;
	if (err && errlen > 0)
		err[0] = '\0';

	if ((r = read_prefixes(&d, &op)) != 0)
		return r;
	if ((r = decode_opcode(&d, op, &insn)) != 0)
		return r;

	/*
	 * Checked last, so the message shows the whole instruction.  LOCK
	 * on a MOV is #UD, so the guest cannot really get here with one.
	 * F2/F3 on a MOV are XACQUIRE/XRELEASE hints or meaningless;
	 * compilers never put them on a device access, so refuse rather
	 * than guess.
	 */
	if (d.lock)
		return unsupported(&d, "LOCK prefix");
	if (d.rep)
		return unsupported(&d, "F2/F3 prefix");

	insn.len = (uint8_t)d.pos;
	*out = insn;
	return X86_DECODE_OK;
}

/* ---- operand-less instructions (for instruction intercepts) ---- */

int x86_decode_plain(const uint8_t *bytes, size_t avail, const uint8_t *op,
		     size_t oplen, uint8_t *len, char *err, size_t errlen)
{
	struct decoder d = {
		.bytes = bytes, .avail = avail, .err = err, .errlen = errlen,
	};
	uint8_t b;
	int r;

	*len = 0;
	if (err && errlen > 0)
		err[0] = '\0';
	if (oplen == 0)
		return unsupported(&d, "no opcode to match");
	if ((r = read_prefixes(&d, &b)) != 0)
		return r;
	for (size_t i = 0;; i++) {
		if (b != op[i])
			return unsupported(&d, NULL);
		if (i + 1 == oplen)
			break;
		if ((r = next_byte(&d, &b)) != 0)
			return r;
	}
	if (d.lock)
		return unsupported(&d, "LOCK prefix");
	*len = (uint8_t)d.pos;
	return X86_DECODE_OK;
}
