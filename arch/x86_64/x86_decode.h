/*
 * Decoding the x86-64 instruction behind an MMIO exit.
 *
 * When a guest load or store touches the hypercall MMIO window (guest-
 * physical pages deliberately left out of EPT/NPT), the CPU exits to us:
 * an EPT violation on Intel, a nested page fault on AMD.  The exit tells us
 * *where* (the guest-physical address) and whether it was a read or a
 * write, but not how wide the access was, which register holds the data,
 * or how long the instruction is -- and we need all three to emulate the
 * access and step the guest past it.  (Arm's data-abort syndrome hands us
 * that for free; on x86 we have to read the instruction.)
 *
 * So the backend copies up to 15 bytes from guest memory at RIP and passes
 * them to x86_decode_mmio().  We accept only the MOV family to and from
 * memory -- what a compiler emits for a volatile load or store -- and
 * reject everything else with a message naming the bytes.  An instruction
 * we do not understand must stop the guest loudly, never be emulated
 * approximately.
 *
 * Supported, 64-bit mode only (the guest runs in long mode):
 *
 *   88 /r      mov r/m8, r8           store
 *   89 /r      mov r/m, r             store, 16/32/64-bit
 *   8A /r      mov r8, r/m8           load
 *   8B /r      mov r, r/m             load, 16/32/64-bit
 *   C6 /0 ib   mov r/m8, imm8         store of an immediate
 *   C7 /0 iw/id  mov r/m, imm         store of an immediate (REX.W:
 *                                     imm32 sign-extended to 64 bits)
 *   A0..A3     mov al/rAX <-> moffs   absolute address in the instruction
 *   0F B6/B7   movzx r, r/m8 / r/m16  zero-extending load
 *   0F BE/BF   movsx r, r/m8 / r/m16  sign-extending load
 *   63 /r      movsxd r64, r/m32      with REX.W; without it, a plain load
 *
 * Prefixes: 66 (operand size), 67 (address size), the segment overrides
 * 26 2E 36 3E 64 65 (ignored), and REX 40..4F.  LOCK (F0) and F2/F3 are
 * rejected.
 *
 * The caller should check that out->write agrees with what the exit
 * reported: the bytes are read after the fact, so another vCPU could have
 * rewritten them in between.
 */
#ifndef ARCH_X86_64_X86_DECODE_H
#define ARCH_X86_64_X86_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The architectural limit; the CPU raises #GP on anything longer. */
#define X86_MAX_INSN_LEN 15

/* Return values of x86_decode_mmio. */
enum {
	X86_DECODE_OK = 0,
	X86_DECODE_UNSUPPORTED = -1, /* not a MOV we emulate (or invalid) */
	X86_DECODE_TRUNCATED = -2,   /* ran out of bytes: fetching more
					(e.g. from the next page) may help */
};

/* How a load's value becomes the destination register's value. */
enum x86_load_ext {
	X86_LOAD_MOV, /* plain MOV: size == dst_size */
	X86_LOAD_ZX,  /* MOVZX: zero-extend size bytes to dst_size */
	X86_LOAD_SX,  /* MOVSX, MOVSXD: sign-extend size bytes to dst_size */
};

/* One decoded MMIO instruction. */
struct x86_mmio_insn {
	uint8_t len;      /* total length in bytes: add it to RIP when done */
	uint8_t size;     /* memory access width: 1, 2, 4 or 8 */
	bool write;       /* true: store to memory; false: load */

	/* Stores of an immediate (C6, C7).  imm is the value the instruction
	 * writes: sign-extended where the instruction does that (REX.W C7),
	 * truncated to size.  reg is then meaningless. */
	bool has_imm;
	uint64_t imm;

	/* The register operand, numbered as the encoding numbers it:
	 * 0..15 = RAX RCX RDX RBX RSP RBP RSI RDI R8..R15.  If reg_high8 is
	 * set, reg is 4..7 and means AH CH DH BH, i.e. bits 15:8 of register
	 * reg - 4 (an 8-bit register 4..7 in an instruction without REX).
	 * x86_mmio_gpr() gives the index of the 64-bit register to use. */
	uint8_t reg;
	bool reg_high8;

	/* Loads only: how the value lands in the register, and the width of
	 * the register write (1, 2, 4, 8).  0 for stores. */
	enum x86_load_ext ext;
	uint8_t dst_size;
};

/*
 * Decode the instruction at bytes[0..avail).  Never reads past avail or
 * past X86_MAX_INSN_LEN bytes; bytes after the instruction are ignored.
 *
 * Returns X86_DECODE_OK and fills *out, or a negative X86_DECODE_* value,
 * zeroes *out and writes a one-line, NUL-terminated message into err
 * (at most errlen bytes including the NUL; err may be NULL), such as
 *     unsupported instruction 0f 0b
 *     unsupported instruction 89 d8 (register operand, not memory)
 *     truncated instruction: need more than 3 bytes (48 8b 05)
 */
int x86_decode_mmio(const uint8_t *bytes, size_t avail,
		    struct x86_mmio_insn *out, char *err, size_t errlen);

/*
 * x86_decode_mmio is these two: the fast path, which decodes only the plain
 * register-memory MOV (88, 89, 8A, 8B, with an optional 66 and then an
 * optional REX), and only with 9 bytes at hand (the longest such), and
 * otherwise returns false without touching *out; and the
 * full decoder, which knows every form above and writes the messages.
 * Separate for the fuzzer, which checks that they agree.
 */
static inline bool x86_decode_mmio_fast(const uint8_t *bytes, size_t avail,
					struct x86_mmio_insn *out);
int x86_decode_mmio_full(const uint8_t *bytes, size_t avail,
			 struct x86_mmio_insn *out, char *err, size_t errlen);

/*
 * The length of the instruction at bytes[0..avail) if it is the operand-less
 * instruction whose opcode is op[0..oplen) -- CPUID (0f a2), say -- after
 * any prefixes the CPU accepts on it and ignores: 66, 67, F2, F3, the
 * segment overrides and REX.  An instruction intercept reports where the
 * instruction starts, not how long it is, and a guest may put prefixes in
 * front (66 0f a2 is a CPUID three bytes long).  X86_DECODE_OK and *len,
 * or X86_DECODE_UNSUPPORTED (another instruction, or LOCK, which makes
 * these #UD) / X86_DECODE_TRUNCATED with a message, as x86_decode_mmio.
 */
int x86_decode_plain(const uint8_t *bytes, size_t avail, const uint8_t *op,
		     size_t oplen, uint8_t *len, char *err, size_t errlen);

/* The index into the 16 general-purpose registers (encoding order) of
 * the 64-bit register that holds i's register operand: reg, or reg - 4
 * for AH/CH/DH/BH.  Meaningless if i->has_imm. */
static inline unsigned x86_mmio_gpr(const struct x86_mmio_insn *i);

/* For a store: the value written to memory, in the low i->size bytes
 * (the rest zero).  gpr[] holds the guest's registers in encoding order. */
static inline uint64_t x86_mmio_store_value(const struct x86_mmio_insn *i,
			      const uint64_t gpr[16]);

/*
 * For a load: the new 64-bit value of register x86_mmio_gpr(i), given its
 * old value and the value read from memory (only its low i->size bytes
 * count).  Follows the x86 rules: the value is zero- or sign-extended to
 * dst_size as the instruction says; then a 32-bit write clears bits 63:32,
 * an 8- or 16-bit write keeps the bits above it, and a write to AH/CH/DH/BH
 * replaces bits 15:8 only.
 */
static inline uint64_t x86_mmio_load_writeback(const struct x86_mmio_insn *i,
				 uint64_t old_reg, uint64_t loaded);

/*
 * The fast path: the plain MOV between a register and memory (88, 89, 8A,
 * 8B), with at most a 66 and then a REX prefix -- what the guest library's
 * MMIO accessors and most compilers emit for a volatile access.  Such an
 * instruction is at most 9 bytes (66, REX, opcode, ModRM, SIB, disp32), so
 * with 9 bytes at hand no byte needs a bounds check of its own; fewer (an
 * instruction at the end of the guest's last readable page) is left to the
 * full decoder, as is anything else.  It writes the messages; what this
 * accepts, the full decoder decodes the same way (tests/fuzz/
 * fuzz_x86_decode.c checks: same length, operands and widths).  Inline:
 * it is the x86 hypercall exit's decoder (x86_exit.c, x86_gpa_fast), and
 * a call costs a good share of what it does.
 */
static inline bool x86_decode_mmio_fast(const uint8_t *b, size_t avail,
					struct x86_mmio_insn *out)
{
	unsigned at = 0, rex = 0;
	bool o16 = false, has_rex = false;

	if (avail < 9)
		return false;
	if (b[0] == 0x66) {
		o16 = true;
		at = 1;
	}
	if ((b[at] & 0xf0) == 0x40) {          /* REX: 40-4f in 64-bit mode */
		has_rex = true;
		rex = b[at++] & 0x0f;
	}
	uint8_t op = b[at], modrm = b[at + 1];
	if ((op & 0xfc) != 0x88 || modrm >= 0xc0)      /* mod 11: a register */
		return false;
	at += 2;
	/* The full decoder's ModRM rules: disp8 for mod 01, disp32 for mod
	 * 10, and for mod 00 RIP-relative (rm 101) or a SIB without base. */
	unsigned mod = modrm >> 6, rm = modrm & 7;
	unsigned disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	if (rm == 4) {
		if (mod == 0 && (b[at] & 7) == 5)
			disp = 4;
		at++;
	} else if (mod == 0 && rm == 5) {
		disp = 4;
	}
	at += disp;

	uint8_t size = !(op & 1) ? 1 : (rex & 0x08 /* REX.W */) ? 8 : o16 ? 2 : 4;
	uint8_t reg = (uint8_t)(((modrm >> 3) & 7) | ((rex & 0x04 /* REX.R */) ? 8 : 0));
	/* Field by field over a cleared record, padding included: callers
	 * compare records whole. */
	__builtin_memset(out, 0, sizeof(*out));
	out->len = (uint8_t)at;
	out->size = size;
	out->write = !(op & 2);
	out->reg = reg;
	out->reg_high8 = size == 1 && !has_rex && reg >= 4;
	out->dst_size = (op & 2) ? size : 0;
	return true;
}

/* ---- using the result: inline, on the hypercall exit's path ---- */

/* The low size bytes set: 0xff, 0xffff, 0xffffffff, all ones. */
static inline uint64_t x86_size_mask(unsigned size)
{
	return size >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * size)) - 1;
}

/* Sign-extend the low size bytes of v to 64 bits: if the value's top bit
 * is set, set every bit above it too. */
static inline uint64_t x86_sign_extend(uint64_t v, unsigned size)
{
	uint64_t mask = x86_size_mask(size);
	uint64_t sign = (uint64_t)1 << (8 * size - 1);

	v &= mask;
	if (v & sign)
		v |= ~mask;
	return v;
}

static inline unsigned x86_mmio_gpr(const struct x86_mmio_insn *i)
{
	return i->reg_high8 ? i->reg - 4u : i->reg;
}

static inline uint64_t x86_mmio_store_value(const struct x86_mmio_insn *i,
			      const uint64_t gpr[16])
{
	uint64_t v;

	if (i->has_imm)
		return i->imm & x86_size_mask(i->size);
	v = gpr[x86_mmio_gpr(i) & 15];
	if (i->reg_high8)
		v >>= 8;
	return v & x86_size_mask(i->size);
}

/* Write v (dst_size bytes) into a register whose old value is old. */
static inline uint64_t x86_write_register(uint64_t old, uint64_t v, unsigned dst_size,
			       bool high8)
{
	uint64_t keep;

	if (high8)
		return (old & ~(uint64_t)0xff00) | ((v & 0xff) << 8);
	/* The long-mode rule: a 32-bit write zero-extends to 64 bits (so
	 * code never depends on stale upper halves); 8- and 16-bit writes
	 * merge, as they always have. */
	if (dst_size >= 4)
		return v & x86_size_mask(dst_size);
	keep = ~x86_size_mask(dst_size);
	return (old & keep) | (v & ~keep);
}

static inline uint64_t x86_mmio_load_writeback(const struct x86_mmio_insn *i,
				 uint64_t old_reg, uint64_t loaded)
{
	uint64_t v = loaded & x86_size_mask(i->size); /* already zero-extended */

	if (i->ext == X86_LOAD_SX)
		v = x86_sign_extend(v, i->size);
	return x86_write_register(old_reg, v, i->dst_size, i->reg_high8);
}

#endif
