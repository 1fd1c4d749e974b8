/*
 * The bench guest's loops, aarch64 (guest/tests/bench.c says what they are
 * for).  Each loop is one asm block, so the instructions between the two
 * counter reads are exactly these, whatever the compiler does around them:
 *
 *	isb; mrs t0, cntvct_el0; mov i, n
 *   1:	BODY
 *	subs i, i, #1; b.ne 1b
 *	isb; mrs t1, cntvct_el0
 *
 * BODY is one or more instructions aimed at address a (RAM, or the
 * hypercall window).  The counter is CNTVCT_EL0: under QEMU's
 * -icount shift=0 every instruction advances virtual time by 1 ns and the
 * counter runs at 62.5 MHz, so one tick is 16 instructions.  Reading it is
 * an I/O instruction to QEMU, which ends the translation block there and so
 * reads an exact count.
 */
#ifndef GUEST_BENCH_H
#define GUEST_BENCH_H

#include <stdint.h>

#include "minihv.h"

#define CPU_BENCH_COUNTER        "CNTVCT_EL0"
/* Iterations per figure: a tick is 16 instructions, and each figure is a
 * difference of two counts, each up to a tick off; over 1024 iterations
 * that is less than 1/32 of an instruction per round trip. */
#define CPU_BENCH_N 1024
#define CPU_BENCH_INSNS_PER_TICK 16
/* The loop's own instructions per iteration besides BODY: subs, b.ne. */
#define CPU_BENCH_LOOP_INSNS     2
/* The trapping instruction with no decode: HVC #0. */
#define CPU_BENCH_TRAP_NAME      "HVC #0"

/*
 * The trapping instruction itself.  The RAM loop counts its store as one
 * instruction; the same store in the window never completes (the
 * hypervisor emulates it and steps ELR past it), and QEMU does not count
 * an instruction that takes a synchronous data abort (it rolls the count
 * back to the instruction's start): 1 is added back per access.  HVC
 * completes before its exception is taken (ELR_EL2 points past it) and is
 * counted like the NOP it replaces: 0.  guest/tests/bench.c checks both
 * with exceptions the guest takes itself (cpu_bench_own_trap).
 */
#define CPU_BENCH_MMIO_UNCOUNTED 1
#define CPU_BENCH_TRAP_UNCOUNTED 0

enum cpu_bench_loop {
	BENCH_STORE64,      /* str x, [a]: 1 instruction */
	BENCH_STORE64_NOP10,/* str x, [a] and 10 NOPs: 11 */
	BENCH_LOAD32,       /* ldr w, [a]: 1 */
	BENCH_HC_CALL,      /* hc_call: 4 x str x at ARG0..3, str w at CALL,
			       ldr x at RESULT, all relative to a: 6 */
	BENCH_NULL_CALL,    /* mov x0, #0; hvc #0: 2 */
	BENCH_NULL_BASE,    /* mov x0, #0; nop: 2, the same without the trap */
	BENCH_CPUID,        /* x86 only */
	BENCH_CPUID_BASE,
};

/* One null call (hypercall_abi.h) with x0 = in; returns x0. */
static inline uint64_t cpu_null_call(uint64_t in)
{
	register uint64_t x0 __asm__("x0") = in;
	__asm__ volatile("hvc #0" : "+r"(x0) : : "memory");
	return x0;
}

#define BENCH_LOOP(body, last)						\
	__asm__ volatile("isb\n\tmrs %[t0], cntvct_el0\n\tmov %[i], %[n]\n"	\
			 "1:\t" body "\n\t"					\
			 "subs %[i], %[i], #1\n\tb.ne 1b\n\t"			\
			 "isb\n\tmrs %[t1], cntvct_el0"			\
			 : [t0] "=&r"(t0), [t1] "=&r"(t1), [i] "=&r"(i),	\
			   "=&r"(last)						\
			 : [n] "r"(n), [a] "r"(a), [v] "r"(v), [c] "r"(c)	\
			 : "memory", "cc")

/*
 * Run n (> 0) iterations of loop kind k aimed at a; return the counter
 * ticks from before the loop to after it, and in *last what the body's
 * last load or call returned (0 for stores).  -1: no such loop here.
 */
static inline uint64_t cpu_bench_loop(enum cpu_bench_loop k, uintptr_t a, uint64_t n,
				      uint64_t *last)
{
	uint64_t t0, t1, i, v = 0x1122334455667788ull, c = 0x7777;
	register uint64_t x0 __asm__("x0") = 0;

	switch (k) {
	case BENCH_STORE64:
		BENCH_LOOP("str %[v], [%[a]]", x0);
		x0 = 0;
		break;
	case BENCH_STORE64_NOP10:
		BENCH_LOOP("str %[v], [%[a]]\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\t"
			   "nop\n\tnop\n\tnop\n\tnop\n\tnop", x0);
		x0 = 0;
		break;
	case BENCH_LOAD32:
		BENCH_LOOP("ldr %w3, [%[a]]", x0);
		break;
	case BENCH_HC_CALL:
		BENCH_LOOP("str %[v], [%[a], #0x10]\n\tstr %[v], [%[a], #0x18]\n\t"
			   "str %[v], [%[a], #0x20]\n\tstr %[v], [%[a], #0x28]\n\t"
			   "str %w[c], [%[a], #0x30]\n\tldr %3, [%[a], #0x38]", x0);
		break;
	case BENCH_NULL_CALL:
		BENCH_LOOP("mov %3, #0\n\thvc #0", x0);
		break;
	case BENCH_NULL_BASE:
		BENCH_LOOP("mov %3, #0\n\tnop", x0);
		break;
	default:
		return (uint64_t)-1;
	}
	*last = x0;
	return t1 - t0;
}

#undef BENCH_LOOP

#endif
