/*
 * The bench guest's loops, x86_64 (guest/tests/bench.c says what they are
 * for).  Each loop is one asm block, so the instructions between the two
 * counter reads are exactly these, whatever the compiler does around them:
 *
 *	rdtsc; shl $32, rdx; or rdx, rax; mov rax, t0; mov n, i
 *   1:	BODY
 *	dec i; jnz 1b
 *	rdtsc; shl $32, rdx; or rdx, rax; sub t0, rax
 *
 * BODY is one or more instructions aimed at address a (RAM, or the
 * hypercall window).  The counter is the TSC: under QEMU's -icount shift=0
 * it is the instruction count (RDTSC is an I/O instruction there, which
 * ends the translation block, so the count is exact), and under Bochs with
 * "clock: sync=none" it advances one tick per instruction.  One tick is one
 * instruction.
 */
#ifndef GUEST_BENCH_H
#define GUEST_BENCH_H

#include <stdint.h>

#include "minihv.h"

#define CPU_BENCH_COUNTER        "TSC"
/* Iterations per figure: a tick is one instruction, so 128 iterations
 * resolve a round trip to 1/64 of an instruction, and keep the bench
 * within the 2 s watchdog under Bochs (40 million instructions a second
 * of emulated time) at several thousand instructions a round trip. */
#define CPU_BENCH_N 128
#define CPU_BENCH_INSNS_PER_TICK 1
/* The loop's own instructions per iteration besides BODY: dec, jnz. */
#define CPU_BENCH_LOOP_INSNS     2
#define CPU_BENCH_TRAP_NAME      (cpu_bench_amd() ? "VMMCALL" : "VMCALL")

/*
 * The trapping instruction itself.  The RAM loop counts its MOV as one
 * instruction; the same MOV aimed at the window never completes (the
 * hypervisor emulates it and steps RIP past it), and neither emulator
 * counts an instruction that exits: QEMU's TCG rolls the count back to
 * the start of an instruction that faults or is intercepted, Bochs counts
 * an instruction when it retires, and a VM exit ends it first.  So 1 is
 * added back per trapped MOV, VMCALL/VMMCALL and CPUID.
 */
#define CPU_BENCH_MMIO_UNCOUNTED 1
#define CPU_BENCH_TRAP_UNCOUNTED 1

enum cpu_bench_loop {
	BENCH_STORE64,      /* mov %rdi, (a): 1 instruction */
	BENCH_STORE64_NOP10,/* the same and 10 NOPs: 11 */
	BENCH_LOAD32,       /* mov (a), %edi: 1 */
	BENCH_HC_CALL,      /* hc_call: 4 x movq to ARG0..3, movl to CALL,
			       movq from RESULT, all relative to a: 6 */
	BENCH_NULL_CALL,    /* xor %eax, %eax; VMCALL or VMMCALL; mov %rax, l: 3 */
	BENCH_NULL_BASE,    /* xor %eax, %eax; nop; mov %rax, l: 3 */
	BENCH_CPUID,        /* xor %eax, %eax; cpuid: 2 */
	BENCH_CPUID_BASE,   /* xor %eax, %eax; nop: 2 */
};

/* AuthenticAMD: SVM, where the null call is VMMCALL (VMCALL is #UD). */
static inline int cpu_bench_amd(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	return b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u;
}

/* One null call (hypercall_abi.h) with RAX = in; returns RAX. */
static inline uint64_t cpu_null_call(uint64_t in)
{
	if (cpu_bench_amd())
		__asm__ volatile("vmmcall" : "+a"(in) : : "memory");
	else
		__asm__ volatile("vmcall" : "+a"(in) : : "memory");
	return in;
}

#define BENCH_LOOP(body)						\
	__asm__ volatile("rdtsc\n\tshl $32, %%rdx\n\tor %%rdx, %%rax\n\t"	\
			 "mov %%rax, %[t0]\n\tmov %[n], %[i]\n"		\
			 "1:\t" body "\n\t"					\
			 "dec %[i]\n\tjnz 1b\n\t"				\
			 "rdtsc\n\tshl $32, %%rdx\n\tor %%rdx, %%rax\n\t"	\
			 "sub %[t0], %%rax"					\
			 : "=&a"(dt), [t0] "=&r"(t0), [i] "=&r"(i), [l] "=&r"(l) \
			 : [n] "r"(n), [a] "r"(a), [v] "r"(v), [c] "r"(c)	\
			 : "rbx", "rcx", "rdx", "memory", "cc")

/*
 * Run n (> 0) iterations of loop kind k aimed at a; return the counter
 * ticks from before the loop to after it, and in *last what the body's
 * last load or call returned (0 for stores).
 */
static inline uint64_t cpu_bench_loop(enum cpu_bench_loop k, uintptr_t a, uint64_t n,
				      uint64_t *last)
{
	uint64_t dt = 0, t0, i, l = 0, v = 0x1122334455667788ull, c = 0x7777;

	switch (k) {
	case BENCH_STORE64:
		BENCH_LOOP("movq %[v], (%[a])");
		l = 0;
		break;
	case BENCH_STORE64_NOP10:
		BENCH_LOOP("movq %[v], (%[a])\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\t"
			   "nop\n\tnop\n\tnop\n\tnop\n\tnop");
		l = 0;
		break;
	case BENCH_LOAD32:
		BENCH_LOOP("movl (%[a]), %k[l]");
		break;
	case BENCH_HC_CALL:
		BENCH_LOOP("movq %[v], 0x10(%[a])\n\tmovq %[v], 0x18(%[a])\n\t"
			   "movq %[v], 0x20(%[a])\n\tmovq %[v], 0x28(%[a])\n\t"
			   "movl %k[c], 0x30(%[a])\n\tmovq 0x38(%[a]), %[l]");
		break;
	case BENCH_NULL_CALL:
		if (cpu_bench_amd())
			BENCH_LOOP("xor %%eax, %%eax\n\tvmmcall\n\tmov %%rax, %[l]");
		else
			BENCH_LOOP("xor %%eax, %%eax\n\tvmcall\n\tmov %%rax, %[l]");
		break;
	case BENCH_NULL_BASE:
		BENCH_LOOP("xor %%eax, %%eax\n\tnop\n\tmov %%rax, %[l]");
		break;
	case BENCH_CPUID:
		BENCH_LOOP("xor %%eax, %%eax\n\tcpuid");
		l = 0;
		break;
	case BENCH_CPUID_BASE:
		BENCH_LOOP("xor %%eax, %%eax\n\tnop");
		l = 0;
		break;
	}
	*last = l;
	return dt;
}

#undef BENCH_LOOP

#endif
