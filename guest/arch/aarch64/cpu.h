/*
 * The few privileged operations portable tests need, aarch64.
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include <stdint.h>

/* Guest-physical address of the current page-table root. */
static inline uint64_t cpu_page_table_root(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, ttbr0_el1" : "=r"(v));
	return v & 0x0000fffffffff000ull;
}

/* Forget cached translations after editing the page tables. */
static inline void cpu_flush_tlb(void)
{
	__asm__ volatile("dsb ishst\n\ttlbi vmalle1\n\tdsb ish\n\tisb" ::: "memory");
}

/* Wait for an interrupt that will never come: minihv guests get none. */
static inline void cpu_halt(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

/*
 * The hypervisor's signature from CPUID leaf 0x40000000 (12 characters in
 * EBX, ECX, EDX): 1 when it filled sig, 0 when CPUID says no hypervisor is
 * present, -1 when the architecture has no such question.  Arm has no
 * CPUID instruction: -1.
 */
static inline int cpu_hypervisor_signature(char sig[13])
{
	(void)sig;
	return -1;
}

/*
 * Registers a guest may write for its own purposes and that the hypervisor
 * must not carry from one guest to the next (guest/tests/leftover/: 1_dirty.c and
 * 2_check.c).  cpu_leave_leftovers(v) writes v into each, or a value of
 * its own where v would change how the CPU behaves: the virtual timer is
 * left switched on, unmasked and firing (CVAL 1 is long past), which would
 * keep the next guest's WFI from trapping.  cpu_read_leftovers fills
 * names[] and values[] (at most CPU_LEFTOVERS) and returns how many; on a
 * fresh vCPU every value is 0.
 */
#define CPU_LEFTOVERS 16

/*
 * FP/SIMD instructions trap to the guest's own EL1 until CPACR_EL1.FPEN
 * (bits 21:20) says EL1 and EL0 may use them, and a minihv guest starts
 * with CPACR_EL1 = 0: set FPEN = 3 in the guest's own CPACR_EL1.  The guest
 * library is built with -mgeneral-regs-only, so the compiler never touches
 * the V registers: only the asm below does.
 */
static inline void cpu_fp_on(void)
{
	uint64_t cpacr;
	__asm__ volatile("mrs %0, cpacr_el1" : "=r"(cpacr));
	__asm__ volatile("msr cpacr_el1, %0\n\tisb" : : "r"(cpacr | (3ull << 20)) : "memory");
}

/* FPCR.RMode (bits 23:22) = 3: round toward zero. */
#define CPU_FPCR_ROUND_TO_ZERO (3ull << 22)

static inline void cpu_leave_leftovers(uint64_t v)
{
	__asm__ volatile("msr sp_el0, %0\n\tmsr tpidr_el0, %0\n\tmsr tpidrro_el0, %0\n\t"
			 "msr tpidr_el1, %0\n\tmsr contextidr_el1, %0\n\tmsr elr_el1, %0\n\t"
			 "msr spsr_el1, %0\n\tmsr esr_el1, %0\n\tmsr far_el1, %0\n\t"
			 "msr par_el1, %0" : : "r"(v) : "memory");
	__asm__ volatile("msr cntkctl_el1, %0\n\tmsr cntv_cval_el0, %1\n\t"
			 "msr cntv_ctl_el0, %2\n\tisb"
			 : : "r"(3ull), "r"(1ull), "r"(1ull) : "memory");
	/* V3, both halves, and FPCR rounding toward zero. */
	cpu_fp_on();
	__asm__ volatile("fmov d3, %0\n\tmov v3.d[1], %0\n\tmsr fpcr, %1"
			 : : "r"(v), "r"(CPU_FPCR_ROUND_TO_ZERO) : "memory");
}

#define CPU_READ_SYSREG(reg, mask) do {					\
		uint64_t v_;						\
		__asm__ volatile("mrs %0, " #reg : "=r"(v_));		\
		names[n] = #reg;					\
		values[n++] = v_ & (mask);				\
	} while (0)

static inline unsigned cpu_read_leftovers(const char *names[], uint64_t values[])
{
	unsigned n = 0;
	CPU_READ_SYSREG(sp_el0, ~0ull);
	CPU_READ_SYSREG(tpidr_el0, ~0ull);
	CPU_READ_SYSREG(tpidrro_el0, ~0ull);
	CPU_READ_SYSREG(tpidr_el1, ~0ull);
	CPU_READ_SYSREG(contextidr_el1, ~0ull);
	CPU_READ_SYSREG(elr_el1, ~0ull);
	CPU_READ_SYSREG(spsr_el1, ~0ull);
	CPU_READ_SYSREG(esr_el1, ~0ull);
	CPU_READ_SYSREG(far_el1, ~0ull);
	CPU_READ_SYSREG(par_el1, ~0ull);
	CPU_READ_SYSREG(cntkctl_el1, ~0ull);
	CPU_READ_SYSREG(cntv_cval_el0, ~0ull);
	CPU_READ_SYSREG(cntv_ctl_el0, 3ull); /* ENABLE, IMASK (ISTATUS is
						 UNKNOWN while disabled) */

	uint64_t lo, hi;
	cpu_fp_on();
	__asm__ volatile("fmov %0, d3\n\tmov %1, v3.d[1]" : "=r"(lo), "=r"(hi));
	names[n] = "V3 (its two halves ORed)";
	values[n++] = lo | hi;
	CPU_READ_SYSREG(fpcr, ~0ull);
	return n;
}

/* XCR0 (x86 only): -1, Arm has no such register. */
static inline int cpu_read_xcr0(uint64_t *v)
{
	(void)v;
	return -1;
}

static inline int cpu_write_xcr0(uint64_t v)
{
	(void)v;
	return -1;
}

/* Breakpoint value register 0 (DBGBVR0_EL1), Arm's counterpart of x86's DR0:
 * one set per CPU, shared by every guest, so minihv traps it (MDCR_EL2.TDA). */
static inline int cpu_write_debug_register(uint64_t v)
{
	__asm__ volatile("msr dbgbvr0_el1, %0\n\tisb" : : "r"(v) : "memory");
	return 0;
}

static inline uint64_t cpu_read_debug_register(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, dbgbvr0_el1" : "=r"(v));
	return v;
}

/* CPUID with an ignored prefix (x86 only): -1, Arm has no CPUID. */
static inline int cpu_cpuid_prefixed(uint32_t leaf, uint32_t r[4])
{
	(void)leaf;
	(void)r;
	return -1;
}

/*
 * An Arm semihosting call: "HLT #0xF000" with the operation in x0 and its
 * argument in x1 (a pointer to a string or a parameter block); a debugger
 * or emulator that serves semihosting does the operation on the host and
 * returns its result in x0.  minihv serves none, and QEMU is started
 * without -semihosting, so for a minihv guest it is an undefined
 * instruction (guest/tests/hostile_semihosting.c).  Returns 0 with *ret
 * = x0 if the call came back; -1 where the architecture has no semihosting.
 */
#define CPU_SEMIHOSTING_SYS_WRITE0 0x04 /* x1: a NUL-terminated string */
#define CPU_SEMIHOSTING_SYS_EXIT   0x18 /* x1: { reason, exit code } */

static inline int cpu_semihosting_call(uint64_t op, uint64_t arg, uint64_t *ret)
{
	register uint64_t x0 __asm__("x0") = op;
	register uint64_t x1 __asm__("x1") = arg;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	*ret = x0;
	return 0;
}

/* QEMU's isa-debug-exit port (x86 only, guest/tests/hostile_exit_port.c):
 * -1, Arm has no I/O ports. */
static inline int cpu_write_exit_port(uint32_t v)
{
	(void)v;
	return -1;
}

/* CPUID (x86 only, guest/tests/cpuid_os_bits.c, cpuid_advertised.c): -1
 * and 0, Arm has no CPUID instruction. */
static inline int cpu_osxsave_as_reported(int *has, int *before, int *after)
{
	*has = *before = *after = 0;
	return -1;
}

#define CPU_RAN_RDTSCP  1u
#define CPU_RAN_INVPCID 2u

static inline int cpu_run_advertised(unsigned *ran)
{
	*ran = 0;
	return -1;
}

/* x86's compatibility mode (guest/tests/hostile_compat_mmio.c): -1. */
static inline int cpu_compat_mode_mmio_load(uint32_t *value, int *next_ran)
{
	*value = 0;
	*next_ran = 0;
	return -1;
}

/* STI, WBINVD, INVD (x86 only, guest/tests/hostile_sti.c, hostile_wbinvd.c,
 * hostile_invd.c): -1, Arm has none of them. */
static inline int cpu_interrupts_on(void) { return -1; }
static inline int cpu_cache_writeback_invalidate(void) { return -1; }
static inline int cpu_cache_invalidate_no_writeback(void) { return -1; }

#endif
