/*
 * The few privileged operations portable tests need, aarch64.
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include <stdint.h>

#include "minihv.h"

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
#define CPU_LEFTOVERS 32

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

/* Optional registers, by the ID fields that say the CPU has them:
 * ID_AA64PFR0_EL1.RAS (31:28) for DISR_EL1, ID_AA64PFR1_EL1.SME (27:24)
 * for TPIDR2_EL0.  Spelled by encoding (older assemblers lack the names). */
static inline int cpu_has_ras(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, id_aa64pfr0_el1" : "=r"(v));
	return (v >> 28) & 0xf;
}

static inline int cpu_has_sme(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, id_aa64pfr1_el1" : "=r"(v));
	return (v >> 24) & 0xf;
}

static inline void cpu_leave_leftovers(uint64_t v)
{
	__asm__ volatile("msr sp_el0, %0\n\tmsr tpidr_el0, %0\n\tmsr tpidrro_el0, %0\n\t"
			 "msr tpidr_el1, %0\n\tmsr contextidr_el1, %0\n\tmsr elr_el1, %0\n\t"
			 "msr spsr_el1, %0\n\tmsr esr_el1, %0\n\tmsr far_el1, %0\n\t"
			 "msr par_el1, %0" : : "r"(v) : "memory");
	__asm__ volatile("msr cntkctl_el1, %0\n\tmsr cntv_cval_el0, %1\n\t"
			 "msr cntv_ctl_el0, %2\n\tisb"
			 : : "r"(3ull), "r"(1ull), "r"(1ull) : "memory");
	/* CSSELR_EL1: level 2 (Level, bits 3:1 = 1), data cache; every CPU
	 * minihv runs on has one. */
	__asm__ volatile("msr csselr_el1, %0" : : "r"(2ull) : "memory");
	if (cpu_has_ras())
		__asm__ volatile("msr s3_0_c12_c1_1, %0" : : "r"(v) : "memory");
	if (cpu_has_sme())
		__asm__ volatile("msr s3_3_c13_c0_5, %0" : : "r"(v) : "memory");
	/* TTBR1_EL1, the upper half's table: its walks stay disabled
	 * (TCR_EL1.EPD1), so any value is harmless here.  (AFSR0/1_EL1 and
	 * AMAIR_EL1, IMPLEMENTATION DEFINED, are switched by the hypervisor
	 * too, but QEMU reads them as zero, so 1_dirty could not see its own
	 * write: not checked here.) */
	__asm__ volatile("msr ttbr1_el1, %0\n\tisb" : : "r"(v) : "memory");
	/* The EL1 physical timer, like the virtual one: on, unmasked and
	 * firing (the firmware lets EL1 reach it: CNTHCTL_EL2.EL1PCEN). */
	__asm__ volatile("msr cntp_cval_el0, %0\n\tmsr cntp_ctl_el0, %0\n\tisb"
			 : : "r"(1ull) : "memory");
	/* Every V register (V3 with v in both halves, the others with a
	 * byte pattern), FPCR rounding toward zero, and FPSR's cumulative
	 * exception flags (IOC, DZC, OFC, UFC, IXC: bits 4:0). */
	cpu_fp_on();
	__asm__ volatile("movi v0.16b, #0x5a\n\tmov v1.16b, v0.16b\n\tmov v2.16b, v0.16b\n\t"
			 "mov v4.16b, v0.16b\n\tmov v5.16b, v0.16b\n\tmov v6.16b, v0.16b\n\t"
			 "mov v7.16b, v0.16b\n\tmov v8.16b, v0.16b\n\tmov v9.16b, v0.16b\n\t"
			 "mov v10.16b, v0.16b\n\tmov v11.16b, v0.16b\n\tmov v12.16b, v0.16b\n\t"
			 "mov v13.16b, v0.16b\n\tmov v14.16b, v0.16b\n\tmov v15.16b, v0.16b\n\t"
			 "mov v16.16b, v0.16b\n\tmov v17.16b, v0.16b\n\tmov v18.16b, v0.16b\n\t"
			 "mov v19.16b, v0.16b\n\tmov v20.16b, v0.16b\n\tmov v21.16b, v0.16b\n\t"
			 "mov v22.16b, v0.16b\n\tmov v23.16b, v0.16b\n\tmov v24.16b, v0.16b\n\t"
			 "mov v25.16b, v0.16b\n\tmov v26.16b, v0.16b\n\tmov v27.16b, v0.16b\n\t"
			 "mov v28.16b, v0.16b\n\tmov v29.16b, v0.16b\n\tmov v30.16b, v0.16b\n\t"
			 "mov v31.16b, v0.16b\n\t"
			 "fmov d3, %0\n\tmov v3.d[1], %0\n\tmsr fpcr, %1\n\tmsr fpsr, %2"
			 : : "r"(v), "r"(CPU_FPCR_ROUND_TO_ZERO), "r"(0x1full) : "memory");
}

/* The 32 V registers, 16 bytes each, ORed together into one value. */
static inline uint64_t cpu_all_v_registers_ored(void)
{
	static uint64_t buf[64] __attribute__((aligned(16)));
	uint64_t *p = buf, acc = 0;
	__asm__ volatile("st1 {v0.2d, v1.2d, v2.2d, v3.2d}, [%0], #64\n\t"
			 "st1 {v4.2d, v5.2d, v6.2d, v7.2d}, [%0], #64\n\t"
			 "st1 {v8.2d, v9.2d, v10.2d, v11.2d}, [%0], #64\n\t"
			 "st1 {v12.2d, v13.2d, v14.2d, v15.2d}, [%0], #64\n\t"
			 "st1 {v16.2d, v17.2d, v18.2d, v19.2d}, [%0], #64\n\t"
			 "st1 {v20.2d, v21.2d, v22.2d, v23.2d}, [%0], #64\n\t"
			 "st1 {v24.2d, v25.2d, v26.2d, v27.2d}, [%0], #64\n\t"
			 "st1 {v28.2d, v29.2d, v30.2d, v31.2d}, [%0], #64"
			 : "+r"(p) : : "memory");
	for (int i = 0; i < 64; i++)
		acc |= buf[i];
	return acc;
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
	CPU_READ_SYSREG(csselr_el1, ~0ull);
	if (cpu_has_ras()) {
		uint64_t d;
		__asm__ volatile("mrs %0, s3_0_c12_c1_1" : "=r"(d));
		names[n] = "disr_el1";
		values[n++] = d;
	}
	if (cpu_has_sme()) {
		uint64_t t;
		__asm__ volatile("mrs %0, s3_3_c13_c0_5" : "=r"(t));
		names[n] = "tpidr2_el0";
		values[n++] = t;
	}

	uint64_t lo, hi;
	cpu_fp_on();
	__asm__ volatile("fmov %0, d3\n\tmov %1, v3.d[1]" : "=r"(lo), "=r"(hi));
	names[n] = "V3 (its two halves ORed)";
	values[n++] = lo | hi;
	CPU_READ_SYSREG(fpcr, ~0ull);
	CPU_READ_SYSREG(fpsr, ~0ull);
	names[n] = "V0-V31 (all ORed)";
	values[n++] = cpu_all_v_registers_ored();
	CPU_READ_SYSREG(ttbr1_el1, ~0ull);
	CPU_READ_SYSREG(cntp_cval_el0, ~0ull);
	CPU_READ_SYSREG(cntp_ctl_el0, 3ull);
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

/* No AVX, no YMM registers here: x86 only. */
static inline int cpu_avx_on(void)
{
	return -1;
}

static inline void cpu_ymm_fill(uint64_t v)
{
	(void)v;
}

static inline uint64_t cpu_ymm_upper_or(void)
{
	return 0;
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

/*
 * The CPU's own configuration, which the hypervisor must keep from guests
 * (hostile_set_way, hostile_actlr, hostile_pauth).  Each returns 0 if the
 * operation came back (a hole), -1 where there is nothing to try.
 */

/* DC CISW: clean and invalidate one line, level 1, set 0, way 0, by
 * set/way -- an operation on the physical cache, not on an address. */
static inline int cpu_cache_clean_by_set_way(void)
{
	__asm__ volatile("dc cisw, xzr\n\tdsb sy" ::: "memory");
	return 0;
}

/* RDVL x0, #1 (0x04bf5020), an SVE instruction, with SVE enabled for EL1
 * in the guest's own CPACR_EL1 (ZEN, bits 17:16, and FPEN, 21:20), where
 * ID_AA64PFR0_EL1.SVE (bits 35:32) says the CPU has it: -1 where not. */
static inline int cpu_sve_vector_length(uint64_t *bytes)
{
	uint64_t pfr0, cpacr;
	__asm__ volatile("mrs %0, id_aa64pfr0_el1" : "=r"(pfr0));
	if (!((pfr0 >> 32) & 0xf))
		return -1;
	__asm__ volatile("mrs %0, cpacr_el1" : "=r"(cpacr));
	__asm__ volatile("msr cpacr_el1, %0\n\tisb" : : "r"(cpacr | (3ull << 16) | (3ull << 20)) : "memory");
	register uint64_t x0 __asm__("x0");
	__asm__ volatile(".inst 0x04bf5020" : "=r"(x0) : : "memory");
	*bytes = x0;
	return 0;
}

/* ACTLR_EL1, the IMPLEMENTATION DEFINED auxiliary control register. */
static inline int cpu_read_aux_control(uint64_t *v)
{
	__asm__ volatile("mrs %0, actlr_el1" : "=r"(*v));
	return 0;
}

/* An IMPLEMENTATION DEFINED register: S3_1_C11_C0_2, L2CTLR_EL1 on
 * Cortex-A53/A57/A72 (Op0 3 with CRn 11 or 15 is that space). */
static inline int cpu_read_impdef_register(uint64_t *v)
{
	__asm__ volatile("mrs %0, s3_1_c11_c0_2" : "=r"(*v));
	return 0;
}

/* PACIA x0, x1: sign a pointer with the A instruction key, where the CPU
 * has pointer authentication (ID_AA64ISAR1_EL1 APA/API/GPA/GPI or
 * ID_AA64ISAR2_EL1 APA3/GPA3), with the A key enabled; -1 where it has
 * none, since then PACIA is undefined.  Spelled as its encoding (0xdac10020) for assemblers that
 * know only Armv8.0. */
static inline int cpu_pointer_auth_sign(uint64_t ptr, uint64_t modifier, uint64_t *signed_ptr)
{
	uint64_t isar1, isar2;
	__asm__ volatile("mrs %0, id_aa64isar1_el1\n\tmrs %1, s3_0_c0_c6_2" : "=r"(isar1), "=r"(isar2));
	if (!(isar1 & 0xff000ff0ull) && !(isar2 & 0xff00ull))
		return -1;
	/* SCTLR_EL1.EnIA (bit 31): with the key disabled, PACIA returns
	 * the pointer unchanged and never reaches the hypervisor's trap. */
	uint64_t sctlr;
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	__asm__ volatile("msr sctlr_el1, %0\n\tisb" : : "r"(sctlr | (1ull << 31)) : "memory");
	register uint64_t x0 __asm__("x0") = ptr;
	register uint64_t x1 __asm__("x1") = modifier;
	__asm__ volatile(".inst 0xdac10020" : "+r"(x0) : "r"(x1) : "memory");
	*signed_ptr = x0;
	return 0;
}

/*
 * Translation regimes other than the one the hypervisor built (tests
 * va_39bit and tagged_pointer): the hypervisor must walk the guest's
 * pointers the way the CPU does under them.
 */
static inline void cpu_tlb_sync(void)
{
	__asm__ volatile("isb\n\ttlbi vmalle1\n\tdsb ish\n\tisb" ::: "memory");
}

/*
 * Switch to a 39-bit lower half (TCR_EL1.T0SZ = 25): a 3-level walk from
 * level 1.  Every address a minihv guest uses lies below 2^39, all behind
 * entry 0 of the 4-level root, so the level-1 table that entry points to
 * is, as it stands, the root of the same mappings walked from level 1.
 * The code runs on through the switch, so it goes in two steps, each
 * keeping this code and the stack (in the GiB at 0x40000000, entry 1 of
 * the level-1 table) mapped: first a bridge root, whose entry 0 is the old
 * root's (read as level 0: everything) and entry 1 the level-1 table's
 * (read as level 1: this GiB), then T0SZ = 25, then the level-1 table as
 * TTBR0.  page: a free, page-aligned page of RAM for the bridge.
 */
static inline int cpu_use_39bit_va(const struct minihv_boot_info *info, uint64_t *page)
{
	uint64_t *root = guest_pt_entry(info, 0, 3);
	uint64_t *l1 = guest_pt_entry(info, 0, 2);
	if (!root || !l1 || (*root & 3) != 3)
		return -1;
	uint64_t l1_gpa = *root & 0x0000fffffffff000ull;
	for (int i = 0; i < 512; i++)
		page[i] = 0;
	page[0] = root[0];
	page[1] = l1[1];
	uint64_t bridge = info->ram_gpa + ((uintptr_t)page - info->ram_gva);
	uint64_t tcr;
	__asm__ volatile("dsb ishst\n\tmsr ttbr0_el1, %0" : : "r"(bridge) : "memory");
	cpu_tlb_sync();
	__asm__ volatile("mrs %0, tcr_el1" : "=r"(tcr));
	__asm__ volatile("msr tcr_el1, %0" : : "r"((tcr & ~0x3full) | 25) : "memory");
	cpu_tlb_sync();
	__asm__ volatile("msr ttbr0_el1, %0" : : "r"(l1_gpa) : "memory");
	cpu_tlb_sync();
	return 0;
}

/* TCR_EL1.TBI0 (bit 37): the top byte of a lower-half data address is
 * ignored, so a pointer may carry a tag there.  Returns the bit to OR into
 * a pointer to tag it. */
static inline int cpu_ignore_top_byte(uint64_t *tag)
{
	uint64_t tcr;
	__asm__ volatile("mrs %0, tcr_el1" : "=r"(tcr));
	__asm__ volatile("msr tcr_el1, %0" : : "r"(tcr | (1ull << 37)) : "memory");
	cpu_tlb_sync();
	*tag = 0x5aull << 56;
	return 0;
}

/*
 * Make a hypercall from user mode (EL0): hostile_user_hypercall.  Stores
 * a1, a2 to ARG0, ARG1 and nr to CALL, loads RESULT, then SVC -- all from
 * a page of code that EL0 may run, with the hypercall window opened to
 * EL0.  Never returns where it is tried: the hypervisor stops the guest at
 * the hypercall, or the SVC ends up in the guest's vectors, which report
 * it.  The guest's RAM is mapped for EL1 only (AP[1] clear, UXN set), so
 * the code page gets a second mapping, EL0-executable and read-only for
 * both, in a free slot of the window's level-0 table (window page + 8),
 * built from RAM's own descriptor (block or page: the attributes are in
 * the same bits).  -1 if the tables are not as expected.
 */
static inline int cpu_user_mode_hypercall(const struct minihv_boot_info *info, uint64_t nr,
					  uint64_t a1, uint64_t a2)
{
	uint64_t code;
	__asm__ volatile("adr %0, 1f\n\tb 9f\n\t.balign 4096\n"
			 "1:\tstr x1, [x0, #0x10]\n\tstr x2, [x0, #0x18]\n\t"
			 "str w3, [x0, #0x30]\n\tldr x4, [x0, #0x38]\n\tsvc #0\n"
			 "8:\tb 8b\n\t.balign 4096\n9:" : "=r"(code));
	uint64_t *window = guest_pt_entry(info, info->window_gva, 0);
	uint64_t *ram = guest_pt_entry(info, code, 1);
	if (!window || !ram || !(*ram & 1))
		return -1;
	if ((*ram & 3) == 3)            /* a table: RAM is mapped with pages */
		ram = guest_pt_entry(info, code, 0);
	if (!ram || !(*ram & 1))
		return -1;
	uint64_t code_gpa = info->ram_gpa + (code - info->ram_gva);
	uint64_t attrs = *ram & ~0x0000fffffffff003ull;
	attrs &= ~(1ull << 54);                 /* UXN clear: EL0 may run it */
	window[8] = attrs | (3ull << 6) | code_gpa | 3;  /* AP[2:1] = 11: read-only, EL0 too */
	window[0] = (window[0] & ~(3ull << 6)) | (1ull << 6); /* AP = 01: EL0 read/write */
	cpu_flush_tlb();

	register uint64_t x0 __asm__("x0") = info->window_gva;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = nr;
	/* SPSR_EL1 = EL0t with D, A, I, F masked. */
	__asm__ volatile("msr elr_el1, %4\n\tmsr spsr_el1, %5\n\tisb\n\teret"
			 : : "r"(x0), "r"(x1), "r"(x2), "r"(x3),
			   "r"(info->window_gva + 8 * 4096), "r"(0x3c0ull) : "memory");
	return 0;
}

/*
 * Ways for a guest to keep the CPU without end (the hostile_ watchdog
 * tests: hostile_spin, hostile_exception_loop, hostile_wfe,
 * hostile_wfi_masked_timer).  None of them exits to the hypervisor on
 * QEMU, so only the hypervisor's watchdog timer ends them; each returns
 * only if that fails to happen: the function gives up after none, so a
 * return is a hole.  -1: not tried here, because the hypervisor on this
 * architecture cannot bound it yet and the suite would hang.
 */
enum cpu_endless {
	CPU_ENDLESS_SPIN,            /* b . */
	CPU_ENDLESS_EXCEPTION_LOOP,  /* UDF, into vectors that ERET back to it */
	CPU_ENDLESS_WFE,             /* WFE in a loop (QEMU never traps WFE) */
	CPU_ENDLESS_WFI_MASKED_TIMER,/* WFI in a loop with the guest's own timer
					interrupt pending and masked: WFI then
					completes at once instead of trapping */
};

static inline int cpu_endless(enum cpu_endless how)
{
	switch (how) {
	case CPU_ENDLESS_SPIN:
		__asm__ volatile("1: b 1b" ::: "memory");
		break;
	case CPU_ENDLESS_EXCEPTION_LOOP:
		/* A vector table of its own (2 KiB aligned, 16 entries of 0x80
		 * bytes) whose every entry returns to the instruction that
		 * faulted: ELR_EL1 still points at the UDF. */
		__asm__ volatile("adr x9, 2f\n\tmsr vbar_el1, x9\n\tisb\n\t"
				 "udf #0\n\tb 3f\n\t"
				 ".balign 0x800\n"
				 "2:\n\t.rept 16\n\t.balign 0x80\n\teret\n\t.endr\n"
				 "3:" ::: "x9", "memory");
		break;
	case CPU_ENDLESS_WFE:
		__asm__ volatile("1: wfe\n\tb 1b" ::: "memory");
		break;
	case CPU_ENDLESS_WFI_MASKED_TIMER:
		/* The virtual timer's compare value is long past: it fires as
		 * soon as it is on, with its interrupt unmasked at the timer
		 * (IMASK 0) but masked at the CPU (PSTATE.I). */
		__asm__ volatile("msr daifset, #0xf\n\tmsr cntv_cval_el0, xzr\n\t"
				 "mov x9, #1\n\tmsr cntv_ctl_el0, x9\n\tisb\n"
				 "1: wfi\n\tb 1b" ::: "x9", "memory");
		break;
	}
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


/*
 * The machine's power, reset and other CPUs (hostile_power_off,
 * hostile_reset, hostile_reset_fast, hostile_cpu_on): on Arm they are the
 * firmware's, through PSCI calls (Arm DEN0022) with the function ID in x0.
 * A guest kernel makes them with HVC, which reaches only its own
 * hypervisor; SMC goes to the firmware at EL3 and acts on the whole
 * machine -- QEMU's virt board powers off at a PSCI SYSTEM_OFF through
 * SMC.  minihv traps SMC (HCR_EL2.TSC).  Each returns 0 if the call came
 * back; -1 where the architecture has no such channel.
 */
#define CPU_PSCI_CPU_ON_64     0xc4000003u
#define CPU_PSCI_SYSTEM_OFF    0x84000008u
#define CPU_PSCI_SYSTEM_RESET  0x84000009u
#define CPU_PSCI_SYSTEM_RESET2 0xc4000012u

static inline uint64_t cpu_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return x0;
}

static inline int cpu_firmware_power_off(void)
{
	cpu_smc(CPU_PSCI_SYSTEM_OFF, 0, 0, 0);
	return 0;
}

static inline int cpu_firmware_reset(void)
{
	cpu_smc(CPU_PSCI_SYSTEM_RESET, 0, 0, 0);
	return 0;
}

/* SYSTEM_RESET2 with reset type 0, a warm reset (PSCI 1.1). */
static inline int cpu_firmware_fast_reset(void)
{
	cpu_smc(CPU_PSCI_SYSTEM_RESET2, 0, 0, 0);
	return 0;
}

/* CPU_ON: start the CPU with MPIDR affinity 1 at an address of the
 * guest's choosing (its own code: this function). */
static inline int cpu_start_other_cpu(void)
{
	cpu_smc(CPU_PSCI_CPU_ON_64, 1, (uintptr_t)cpu_start_other_cpu, 0);
	return 0;
}

/* PMCR_EL0.E (bit 0) and C (bit 2): turn the CPU's performance counters on
 * and reset the cycle counter -- one set per CPU, counting the host too.
 * minihv traps them (MDCR_EL2.TPM, TPMCR). */
static inline int cpu_pmu_write(void)
{
	__asm__ volatile("msr pmcr_el0, %0\n\tisb" : : "r"(5ull) : "memory");
	return 0;
}

/* PMCCNTR_EL0, the cycle counter: one per CPU, counting the host's work
 * too.  minihv traps it (MDCR_EL2.TPM). */
static inline int cpu_pmu_read(uint64_t *v)
{
	__asm__ volatile("mrs %0, pmccntr_el0" : "=r"(*v) : : "memory");
	return 0;
}

/* Set the CPU's clock: MSR to CNTFRQ_EL0, the system counter's frequency
 * as everyone reads it.  Only the highest exception level may write it:
 * UNDEFINED at EL1, so the guest's own vectors take it. */
static inline int cpu_clock_write(void)
{
	__asm__ volatile("msr cntfrq_el0, %0\n\tisb" : : "r"(1000ull) : "memory");
	return 0;
}

/* OSLAR_EL1 = 1: lock the OS lock, which holds off the CPU's external
 * debugger interface -- the CPU's, not the guest's.  minihv traps it
 * (MDCR_EL2.TDOSA).  Spelled by encoding, S2_0_C1_C0_4. */
static inline int cpu_debug_control_write(void)
{
	__asm__ volatile("msr s2_0_c1_c0_4, %0\n\tisb" : : "r"(1ull) : "memory");
	return 0;
}

/* A guest that wants to be a hypervisor: MSR to HCR_EL2, which is
 * UNDEFINED at EL1 (there is no nested virtualization without FEAT_NV):
 * the CPU refuses it with an exception to the guest's own vectors. */
static inline int cpu_nested_virt(void)
{
	__asm__ volatile("msr hcr_el2, %0\n\tisb" : : "r"(1ull) : "memory");
	return 0;
}

/*
 * MMIO accesses through instructions whose data abort carries no
 * instruction syndrome (ESR_EL2.ISV = 0), so the hypervisor cannot know
 * the register, width or writeback (hostile_mmio_*): each aims at the
 * window's SCRATCH register, which echoes any single-register LDR/STR.
 * Emulating them as if they were one would drop a register, a base
 * update, an atomic's read-modify-write or half a vector.  Each returns 0
 * if the guest came back.
 */
static inline int cpu_mmio_multi_store(uintptr_t addr)
{
	__asm__ volatile("stp %0, %0, [%1]" : : "r"(0x5a5aull), "r"(addr) : "memory");
	return 0;
}

static inline int cpu_mmio_writeback_store(uintptr_t addr)
{
	uintptr_t base = addr - 8;
	__asm__ volatile("str %1, [%0, #8]!" : "+r"(base) : "r"(0x5aull) : "memory");
	return 0;
}

/* LDADD where the CPU has the LSE atomics (ID_AA64ISAR0_EL1.Atomic, bits
 * 23:20, at least 2: Armv8.1), else a load-exclusive/store-exclusive pair,
 * the Armv8.0 way.  LDADD x1, x2, [x0] is spelled by encoding. */
static inline int cpu_mmio_atomic_add(uintptr_t addr)
{
	uint64_t isar0;
	__asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
	if (((isar0 >> 20) & 0xf) >= 2) {
		register uint64_t x0 __asm__("x0") = addr;
		register uint64_t x1 __asm__("x1") = 1;
		register uint64_t x2 __asm__("x2");
		__asm__ volatile(".inst 0xf8210002" : "=r"(x2) : "r"(x0), "r"(x1) : "memory");
		(void)x2;
	} else {
		uint64_t v;
		uint32_t failed;
		__asm__ volatile("ldxr %0, [%2]\n\tadd %0, %0, #1\n\tstxr %w1, %0, [%2]"
				 : "=&r"(v), "=&r"(failed) : "r"(addr) : "memory");
	}
	return 0;
}

static inline int cpu_mmio_simd_store(uintptr_t addr)
{
	cpu_fp_on();
	__asm__ volatile("movi v0.16b, #0x5a\n\tstr q0, [%0]" : : "r"(addr) : "memory");
	return 0;
}


/*
 * PAN (hostile_pan_smap): a second mapping of the page-aligned buf that
 * user mode may read and write (AP[2:1] = 01), never execute, in a free
 * slot of the window's level-0 table (window page + 9), built from RAM's
 * own descriptor; *alias gets its address.  -1 if the tables are not as
 * expected.
 */
static inline int cpu_user_page_alias(const struct minihv_boot_info *info, const void *buf,
				      uint64_t *alias)
{
	uint64_t va = (uintptr_t)buf;
	uint64_t *window = guest_pt_entry(info, info->window_gva, 0);
	uint64_t *ram = guest_pt_entry(info, va, 1);
	if (!window || !ram || !(*ram & 1))
		return -1;
	if ((*ram & 3) == 3)            /* a table: RAM is mapped with pages */
		ram = guest_pt_entry(info, va, 0);
	if (!ram || !(*ram & 1))
		return -1;
	uint64_t attrs = *ram & ~0x0000fffffffff003ull & ~(3ull << 6);
	window[9] = attrs | (1ull << 6) | (3ull << 53) |      /* EL0 RW, UXN, PXN */
		    (info->ram_gpa + (va - info->ram_gva)) | 3;
	cpu_flush_tlb();
	*alias = info->window_gva + 9 * 4096;
	return 0;
}

/* PSTATE.PAN on (1) or off (0): with it on, EL1's own loads and stores to
 * pages EL0 may reach fault.  -1 where the CPU has no PAN
 * (ID_AA64MMFR1_EL1.PAN, bits 23:20).  MSR PAN, #imm spelled by encoding. */
static inline int cpu_kernel_no_user(int on)
{
	uint64_t mmfr1;
	__asm__ volatile("mrs %0, id_aa64mmfr1_el1" : "=r"(mmfr1));
	if (!((mmfr1 >> 20) & 0xf))
		return -1;
	if (on)
		__asm__ volatile(".inst 0xd500419f\n\tisb" ::: "memory");
	else
		__asm__ volatile(".inst 0xd500409f\n\tisb" ::: "memory");
	return 0;
}

#endif
