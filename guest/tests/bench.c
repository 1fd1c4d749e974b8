/*
 * The bench guest: how many instructions the hypervisor spends on one
 * round trip of each kind of hypercall (docs/performance.md).
 *
 * The method.  Under an emulator that counts instructions -- QEMU with
 * -icount shift=0, Bochs with "clock: sync=none" -- the guest's counter
 * (CNTVCT_EL0, the TSC) advances with every instruction run, the
 * hypervisor's as well as the guest's.  So the guest times N iterations
 * of a store loop aimed at its own RAM, then the same loop aimed at a
 * hypercall register: the difference, divided by N, is what the hypervisor
 * ran per round trip (plus the trapped instruction itself, which the
 * emulator does not count: guest/arch/<arch>/bench.h says how that is
 * accounted).  Each loop is one asm block, so the instructions in it are
 * known exactly; each figure is the smallest of REPS runs, so that a timer
 * interrupt landing in one run does not count.
 *
 * The method is checked on every run before anything is printed: the RAM
 * loop must cost exactly its instruction count per iteration, ten NOPs
 * more must cost exactly ten more, and 2N iterations exactly twice N's
 * loop cost.  Where the counter does not count instructions (an ordinary
 * run, with real time), that fails: in the bench build (make bench,
 * MINIHV_BENCH=1) the test FAILs, loudly, rather than print made-up
 * figures; in the ordinary suite it says the figures are skipped and
 * passes on the functional checks alone (every call returns what the ABI
 * says).
 */
#include "minihv.h"
#include "bench.h"

#define N    CPU_BENCH_N
#define REPS 3

static uint64_t ram_target[16] __attribute__((aligned(64)));

/* The fewest instructions (ticks * insns per tick) of REPS runs. */
static uint64_t best(enum cpu_bench_loop k, uintptr_t a, uint64_t n, uint64_t *last)
{
	uint64_t m = ~0ull;
	for (int r = 0; r < REPS; r++) {
		uint64_t t = cpu_bench_loop(k, a, n, last) * CPU_BENCH_INSNS_PER_TICK;
		if (t < m)
			m = t;
	}
	return m;
}

/* |x - want| is within what the counter can resolve: each reading is
 * up to one tick late, so a difference of two is off by less than two. */
static bool near(uint64_t x, uint64_t want)
{
	uint64_t d = x > want ? x - want : want - x;
	return d < 2 * CPU_BENCH_INSNS_PER_TICK;
}

static bool method_ok(void)
{
	uintptr_t ram = (uintptr_t)ram_target;
	uint64_t last, per = 1 + CPU_BENCH_LOOP_INSNS;
	uint64_t t1 = best(BENCH_STORE64, ram, N, &last);
	uint64_t t2 = best(BENCH_STORE64, ram, 2 * N, &last);
	uint64_t t10 = best(BENCH_STORE64_NOP10, ram, N, &last);

	printf("method: %s, %u instruction(s) a tick; RAM store loop: %llu for N=%u, %llu for 2N, %llu with 10 NOPs more\n",
	       CPU_BENCH_COUNTER, CPU_BENCH_INSNS_PER_TICK, (unsigned long long)t1, N,
	       (unsigned long long)t2, (unsigned long long)t10);
	bool ok = t2 > t1 && near(t2 - t1, per * N) &&  /* N more cost N loops */
		  t10 > t1 && near(t10 - t1, 10ull * N) &&  /* 10 NOPs cost 10 */
		  t1 >= per * N && near(t2 - (t1 - per * N), 2 * per * N); /* 2N = 2 x N */
	return ok;
}

/* Hypervisor instructions per round trip: (trap loop - RAM loop) / N, plus
 * the trapped instructions the emulator did not count.  Rounded to the
 * nearest; the remainder is what a tick's resolution leaves. */
static void figure(const char *name, enum cpu_bench_loop k, enum cpu_bench_loop base,
		   uintptr_t at, unsigned uncounted, uint64_t *last)
{
	uint64_t b, t = best(k, at, N, last);
	uint64_t ignored;
	b = best(base, (uintptr_t)ram_target, N, &ignored);
	uint64_t per = t > b ? (t - b + N / 2) / N : 0;
	printf("BENCH %s=%llu insns\n", name, (unsigned long long)(per + uncounted));
}

int test_main(const struct minihv_boot_info *info)
{
	uintptr_t w = (uintptr_t)info->window_gva;
	uint64_t last;

	/* What the ABI promises, in every run. */
	report(cpu_null_call(MINIHV_NULL_CALL) == MINIHV_NULL_CALL_RESULT,
	       "null call (%s) returns MINIHV_NULL_CALL_RESULT", CPU_BENCH_TRAP_NAME);
	report(cpu_null_call(0x1234) == (uint64_t)MINIHV_ENOSYS,
	       "null call with another function number returns ENOSYS");

	bool ok = method_ok();
	if (!ok) {
#if MINIHV_BENCH
		report(false, "the method check failed: %s does not count instructions here (is the emulator in icount / sync=none mode?); no figures printed",
		       CPU_BENCH_COUNTER);
#else
		printf("figures skipped: %s does not count instructions in this run (only under make bench)\n",
		       CPU_BENCH_COUNTER);
#endif
	} else {
		printf("BENCH-METHOD ok: trapped loads/stores add %u uncounted instruction(s) each, %s adds %u\n",
		       CPU_BENCH_MMIO_UNCOUNTED, CPU_BENCH_TRAP_NAME, CPU_BENCH_TRAP_UNCOUNTED);
	}

	/* The loops run in every run: the values they leave are checked
	 * (functional), the figures printed only when the method holds. */
	struct { const char *name; enum cpu_bench_loop k, base; uintptr_t at; unsigned unc; } kinds[] = {
		{ "hv_insns_scratch_store", BENCH_STORE64, BENCH_STORE64, w + MINIHV_HC_SCRATCH,
		  CPU_BENCH_MMIO_UNCOUNTED },
		{ "hv_insns_version_load", BENCH_LOAD32, BENCH_LOAD32, w + MINIHV_HC_VERSION,
		  CPU_BENCH_MMIO_UNCOUNTED },
		{ "hv_insns_arg0_store", BENCH_STORE64, BENCH_STORE64, w + MINIHV_HC_ARG0,
		  CPU_BENCH_MMIO_UNCOUNTED },
		{ "hv_insns_hc_call", BENCH_HC_CALL, BENCH_HC_CALL, w, 6 * CPU_BENCH_MMIO_UNCOUNTED },
		{ "hv_insns_null_call", BENCH_NULL_CALL, BENCH_NULL_BASE, 0, CPU_BENCH_TRAP_UNCOUNTED },
		{ "hv_insns_cpuid", BENCH_CPUID, BENCH_CPUID_BASE, 0, CPU_BENCH_TRAP_UNCOUNTED },
	};
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (cpu_bench_loop(kinds[i].k, kinds[i].at, 1, &last) == (uint64_t)-1)
			continue;       /* no such instruction here (CPUID on Arm) */
		if (ok)
			figure(kinds[i].name, kinds[i].k, kinds[i].base, kinds[i].at, kinds[i].unc, &last);
		else
			cpu_bench_loop(kinds[i].k, kinds[i].at, 16, &last);
		switch (kinds[i].k) {
		case BENCH_LOAD32:
			report(last == MINIHV_ABI_VERSION, "VERSION load in the loop returns %llu",
			       (unsigned long long)last);
			break;
		case BENCH_HC_CALL:
			report(last == (uint64_t)MINIHV_ENOSYS, "hc_call 0x7777 in the loop returns ENOSYS");
			break;
		case BENCH_NULL_CALL:
			report(last == MINIHV_NULL_CALL_RESULT, "null call in the loop returns its result");
			break;
		default:
			break;
		}
	}
	mmio_write64(w + MINIHV_HC_SCRATCH, 0x55aa);
	report(mmio_read64(w + MINIHV_HC_SCRATCH) == 0x55aa, "SCRATCH still echoes after the loops");
	return 0;
}
