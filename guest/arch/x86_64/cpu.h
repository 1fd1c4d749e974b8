/*
 * The few privileged operations portable tests need, x86_64.
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include <stdint.h>

#include "minihv.h"

/* Guest-physical address of the current page-table root (CR3). */
static inline uint64_t cpu_page_table_root(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v & 0x000ffffffffff000ull;
}

/* Forget cached translations after editing the page tables. */
static inline void cpu_flush_tlb(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0\n\tmov %0, %%cr3" : "=r"(v) : : "memory");
}

/* Wait for an interrupt that will never come: minihv guests get none. */
static inline void cpu_halt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

/*
 * The hypervisor's signature from CPUID leaf 0x40000000 (12 characters in
 * EBX, ECX, EDX): 1 when it filled sig, 0 when CPUID leaf 1 says no
 * hypervisor is present (ECX bit 31), -1 when the architecture has no such
 * question.  Every CPUID traps to the hypervisor, which answers these two.
 */
static inline int cpu_hypervisor_signature(char sig[13])
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 31)))
		return 0;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x40000000), "c"(0));
	uint32_t words[3] = { b, c, d };
	for (int i = 0; i < 12; i++)
		sig[i] = (char)(words[i / 4] >> (8 * (i % 4)));
	sig[12] = '\0';
	return 1;
}

/*
 * Registers a guest may write for its own purposes and that the hypervisor
 * must not carry from one guest to the next (guest/tests/leftover/: 1_dirty.c and
 * 2_check.c): cpu_leave_leftovers(v) writes v into each,
 * cpu_read_leftovers fills names[] and values[] (at most CPU_LEFTOVERS)
 * and returns how many.  On a fresh vCPU every value is 0.
 */
#define CPU_LEFTOVERS 16

/*
 * If CPUID leaf 7 (subleaf 0) sets FEATURE_BIT in EBX (in_ecx = 0) or ECX
 * (in_ecx = 1), set CR4_BIT in the guest's own CR4 and return 1; else 0.
 */
static inline int cpu_cr4_on_if_leaf7(int in_ecx, unsigned feature_bit, unsigned cr4_bit)
{
	uint32_t a, b, c, d;
	uint64_t cr4;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	if (a < 7)
		return 0;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
	if (!((in_ecx ? c : b) & (1u << feature_bit)))
		return 0;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1ull << cr4_bit)) : "memory");
	return 1;
}

/* RDGSBASE/WRGSBASE exist (CPUID 7.0:EBX bit 0); turn them on (CR4 bit
 * 16, FSGSBASE). */
static inline int cpu_fsgsbase_on(void)
{
	return cpu_cr4_on_if_leaf7(0, 0, 16);
}

/*
 * Protection keys exist (CPUID 7.0:ECX bit 3, PKU): turn them on (CR4 bit
 * 22, PKE, the guest's own CR4), which makes RDPKRU and WRPKRU usable.
 * PKRU is XSAVE-managed state that needs no XSETBV to reach: one register
 * per CPU that VM entry does not switch.
 */
static inline int cpu_pkeys_on(void)
{
	return cpu_cr4_on_if_leaf7(1, 3, 22);
}

/*
 * SSE instructions #UD until the OS sets CR4.OSFXSR (and OSXMMEXCPT, for
 * SIMD exceptions), and a minihv guest starts with CR4 = PAE only: set them
 * in the guest's own CR4.  (CR0.EM and CR0.TS are clear from the start.)
 * The guest library is built with -mgeneral-regs-only, so the compiler
 * never touches the XMM registers: only the asm below does.
 */
static inline void cpu_sse_on(void)
{
	uint64_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1ull << 9) | (1ull << 10)) : "memory");
}

/* MXCSR's power-on value: every SIMD exception masked, round to nearest. */
#define CPU_MXCSR_RESET 0x1f80u
#define CPU_MXCSR_ROUND_TO_ZERO (3u << 13)

static inline void cpu_leave_leftovers(uint64_t v)
{
	/* CR2, the page-fault address: writable, and no exit on VMX. */
	__asm__ volatile("mov %0, %%cr2" : : "r"(v) : "memory");
	/* IA32_KERNEL_GS_BASE, through SWAPGS: GS.base = v, swap, GS.base
	 * back to 0. */
	if (cpu_fsgsbase_on())
		__asm__ volatile("wrgsbase %0\n\tswapgs\n\twrgsbase %1"
				 : : "r"(v), "r"(0ull) : "memory");
	/* PKRU: access and write disabled for some keys -- never key 0's
	 * two low bits, which would fault the guest's own user pages. */
	if (cpu_pkeys_on())
		__asm__ volatile("wrpkru" : : "a"((uint32_t)v & ~3u), "c"(0), "d"(0) : "memory");
	/* FS.base and GS.base, through WRFSBASE/WRGSBASE (GS's again after
	 * the SWAPGS above gave it back 0): nothing in a minihv guest uses
	 * either, and the VMCS and VMCB hold them per vCPU. */
	if (cpu_fsgsbase_on())
		__asm__ volatile("wrfsbase %0\n\twrgsbase %0" : : "r"(v) : "memory");
	/* XMM3, both halves, the other XMM registers with a byte pattern,
	 * and MXCSR rounding toward zero. */
	uint32_t mxcsr = CPU_MXCSR_RESET | CPU_MXCSR_ROUND_TO_ZERO;
	cpu_sse_on();
	__asm__ volatile("movq %0, %%xmm3\n\tpunpcklqdq %%xmm3, %%xmm3\n\tldmxcsr %1\n\t"
			 "pcmpeqb %%xmm0, %%xmm0\n\tmovdqa %%xmm0, %%xmm1\n\tmovdqa %%xmm0, %%xmm2\n\t"
			 "movdqa %%xmm0, %%xmm4\n\tmovdqa %%xmm0, %%xmm5\n\tmovdqa %%xmm0, %%xmm6\n\t"
			 "movdqa %%xmm0, %%xmm7\n\tmovdqa %%xmm0, %%xmm8\n\tmovdqa %%xmm0, %%xmm9\n\t"
			 "movdqa %%xmm0, %%xmm10\n\tmovdqa %%xmm0, %%xmm11\n\tmovdqa %%xmm0, %%xmm12\n\t"
			 "movdqa %%xmm0, %%xmm13\n\tmovdqa %%xmm0, %%xmm14\n\tmovdqa %%xmm0, %%xmm15"
			 : : "r"(v), "m"(mxcsr) : "memory");
	/* The x87 unit: 53-bit precision in the control word (0x27f), and
	 * three values pushed onto its register stack, which moves TOP in
	 * the status word and marks three registers valid in the tag word. */
	uint16_t fcw = 0x27f;
	__asm__ volatile("fldcw %0\n\tfld1\n\tfldpi\n\tfldl2t" : : "m"(fcw) : "memory");
}

/*
 * The x87 and SSE state as FXSAVE stores it (SDM vol. 1, table 10-2): FCW
 * at byte 0, FSW at 2, the abridged tag word at 4, MXCSR at 24, ST0-ST7
 * (16 bytes each) from 32, XMM0-XMM15 from 160.  One instruction shows all
 * of it, the data registers the x87 stack no longer names included.
 */
struct cpu_fxsave {
	uint16_t fcw, fsw;
	uint8_t ftw, reserved0;
	uint16_t fop;
	uint64_t fip, fdp;
	uint32_t mxcsr, mxcsr_mask;
	uint64_t st[16];
	uint64_t xmm[32];
	uint8_t rest[96];
} __attribute__((aligned(16)));

static inline void cpu_fxsave(struct cpu_fxsave *f)
{
	cpu_sse_on();
	__asm__ volatile("fxsave64 %0" : "=m"(*f));
}

static inline unsigned cpu_read_leftovers(const char *names[], uint64_t values[])
{
	unsigned n = 0;
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	names[n] = "CR2";
	values[n++] = v;
	if (cpu_fsgsbase_on()) {
		__asm__ volatile("swapgs\n\trdgsbase %0\n\tswapgs" : "=r"(v) : : "memory");
		names[n] = "IA32_KERNEL_GS_BASE (through SWAPGS)";
		values[n++] = v;
	}

	if (cpu_pkeys_on()) {
		uint32_t pkru, edx;
		__asm__ volatile("rdpkru" : "=a"(pkru), "=d"(edx) : "c"(0));
		names[n] = "PKRU (protection-key rights)";
		values[n++] = pkru;
	}

	if (cpu_fsgsbase_on()) {
		__asm__ volatile("rdfsbase %0" : "=r"(v));
		names[n] = "FS.base";
		values[n++] = v;
		__asm__ volatile("rdgsbase %0" : "=r"(v));
		names[n] = "GS.base";
		values[n++] = v;
	}

	uint64_t xmm[2];
	uint32_t mxcsr;
	cpu_sse_on();
	__asm__ volatile("movdqu %%xmm3, %0\n\tstmxcsr %1" : "=m"(xmm), "=m"(mxcsr));
	names[n] = "XMM3 (its two halves ORed)";
	values[n++] = xmm[0] | xmm[1];
	names[n] = "MXCSR (bits changed from its power-on 0x1f80)";
	values[n++] = mxcsr ^ CPU_MXCSR_RESET;

	static struct cpu_fxsave f;
	uint64_t acc = 0;
	cpu_fxsave(&f);
	for (int i = 0; i < 32; i++)
		acc |= f.xmm[i];
	names[n] = "XMM0-XMM15 (all ORed, from FXSAVE)";
	values[n++] = acc;
	names[n] = "x87 control word (bits changed from its power-on 0x37f)";
	values[n++] = f.fcw ^ 0x37fu;
	names[n] = "x87 status word (TOP, flags)";
	values[n++] = f.fsw;
	names[n] = "x87 tag word (abridged: registers in use)";
	values[n++] = f.ftw;
	acc = 0;
	for (int i = 0; i < 16; i++)
		acc |= f.st[i];
	names[n] = "x87 ST0-ST7 (all ORed, from FXSAVE)";
	values[n++] = acc;
	return n;
}

/*
 * XCR0, the register XSETBV writes: which state XSAVE manages and which
 * instructions may touch it (AVX needs its bits 1 and 2).  The CPU has one,
 * shared with the host and every other guest.  Both hooks return -1 where
 * there is none (Arm, or an x86 CPU without XSAVE); otherwise they first set
 * CR4.OSXSAVE in the guest's own CR4, without which XGETBV and XSETBV #UD.
 */
static inline int cpu_xsave_on(void)
{
	uint32_t a, b, c, d;
	uint64_t cr4;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 26)))
		return -1;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1ull << 18)) : "memory");
	return 0;
}

static inline int cpu_read_xcr0(uint64_t *v)
{
	uint32_t lo, hi;
	if (cpu_xsave_on() < 0)
		return -1;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	*v = ((uint64_t)hi << 32) | lo;
	return 0;
}

static inline int cpu_write_xcr0(uint64_t v)
{
	if (cpu_xsave_on() < 0)
		return -1;
	__asm__ volatile("xsetbv" : : "a"((uint32_t)v), "d"((uint32_t)(v >> 32)), "c"(0)
			 : "memory");
	return 0;
}

/*
 * AVX: the upper halves of the YMM registers, which XSAVE manages as XCR0
 * bit 2.  cpu_avx_on enables it as an OS would -- CPUID.1:ECX.AVX (bit 28)
 * says the CPU has it, CPUID.(EAX=0DH,ECX=0):EAX bit 2 that XCR0 may name
 * it, and XSETBV of x87 | SSE | AVX (0x7) turns it on -- and returns -1
 * where AVX is not advertised.  cpu_ymm_fill puts v in the upper half of
 * each of YMM0-YMM15; cpu_ymm_upper_or ORs those sixteen upper halves.
 */
static inline int cpu_avx_on(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 28)) || !(c & (1u << 26)))
		return -1;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(0));
	if (!(a & 4))
		return -1;
	return cpu_write_xcr0(0x7);
}

static inline void cpu_ymm_fill(uint64_t v)
{
	const uint64_t pattern[4] = { 0, 0, v, ~v };
	__asm__ volatile(
		"vmovdqu %0, %%ymm0\n\tvmovdqu %0, %%ymm1\n\tvmovdqu %0, %%ymm2\n\t"
		"vmovdqu %0, %%ymm3\n\tvmovdqu %0, %%ymm4\n\tvmovdqu %0, %%ymm5\n\t"
		"vmovdqu %0, %%ymm6\n\tvmovdqu %0, %%ymm7\n\tvmovdqu %0, %%ymm8\n\t"
		"vmovdqu %0, %%ymm9\n\tvmovdqu %0, %%ymm10\n\tvmovdqu %0, %%ymm11\n\t"
		"vmovdqu %0, %%ymm12\n\tvmovdqu %0, %%ymm13\n\tvmovdqu %0, %%ymm14\n\t"
		"vmovdqu %0, %%ymm15"
		: : "m"(pattern) : "memory");
}

static inline uint64_t cpu_ymm_upper_or(void)
{
	uint64_t upper[16][2];
	__asm__ volatile(
		"vextractf128 $1, %%ymm0, 0(%0)\n\tvextractf128 $1, %%ymm1, 16(%0)\n\t"
		"vextractf128 $1, %%ymm2, 32(%0)\n\tvextractf128 $1, %%ymm3, 48(%0)\n\t"
		"vextractf128 $1, %%ymm4, 64(%0)\n\tvextractf128 $1, %%ymm5, 80(%0)\n\t"
		"vextractf128 $1, %%ymm6, 96(%0)\n\tvextractf128 $1, %%ymm7, 112(%0)\n\t"
		"vextractf128 $1, %%ymm8, 128(%0)\n\tvextractf128 $1, %%ymm9, 144(%0)\n\t"
		"vextractf128 $1, %%ymm10, 160(%0)\n\tvextractf128 $1, %%ymm11, 176(%0)\n\t"
		"vextractf128 $1, %%ymm12, 192(%0)\n\tvextractf128 $1, %%ymm13, 208(%0)\n\t"
		"vextractf128 $1, %%ymm14, 224(%0)\n\tvextractf128 $1, %%ymm15, 240(%0)"
		: : "r"(upper) : "memory");
	uint64_t acc = 0;
	for (int i = 0; i < 16; i++)
		acc |= upper[i][0] | upper[i][1];
	return acc;
}

/*
 * Debug register 0, a breakpoint address: the CPU has one, shared by the
 * host and every guest, so the hypervisor must not let a guest reach it
 * (guest/tests/hostile_debug_register.c).  Write v with MOV to DR0 and
 * return 0; -1 on an architecture without x86 debug registers.  If the
 * write did not stop the guest, cpu_read_debug_register reads it back.
 */
static inline int cpu_write_debug_register(uint64_t v)
{
	__asm__ volatile("mov %0, %%dr0" : : "r"(v) : "memory");
	return 0;
}

static inline uint64_t cpu_read_debug_register(void)
{
	uint64_t v;
	__asm__ volatile("mov %%dr0, %0" : "=r"(v));
	return v;
}

/*
 * CPUID with a prefix the CPU ignores in front of it (66 0f a2: three bytes,
 * not two), so that a hypervisor that steps the guest past the instruction
 * must find out how long it really is.  r[] = EAX, EBX, ECX, EDX; returns
 * 0, or -1 when the architecture has no CPUID.  The NOPs after it make a
 * wrong step fail the same way every time: resumed one byte short, the CPU
 * would run "a2" and the next eight bytes as a store of AL to the
 * non-canonical address 0x9090909090909090 (#GP).
 */
static inline int cpu_cpuid_prefixed(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile(".byte 0x66\n\tcpuid\n\t.fill 9, 1, 0x90"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(0));
	return 0;
}

/* Semihosting (Arm only, guest/tests/hostile_semihosting.c): -1, x86 has
 * no such call. */
#define CPU_SEMIHOSTING_SYS_WRITE0 0x04
#define CPU_SEMIHOSTING_SYS_EXIT   0x18

static inline int cpu_semihosting_call(uint64_t op, uint64_t arg, uint64_t *ret)
{
	(void)op;
	(void)arg;
	*ret = 0;
	return -1;
}

/*
 * Write v to I/O port 0xf4, where the QEMU launcher puts its isa-debug-exit
 * device (the hypervisor's own way to end QEMU with a status): first as a
 * byte (OUT imm8, AL), then as a doubleword (OUT DX, EAX).  A guest that
 * reached the device would end the run with a status of its choosing; the
 * hypervisor intercepts every port (guest/tests/hostile_exit_port.c).
 * Returns 0 if both writes came back; -1 where there are no I/O ports.
 */
#define CPU_EXIT_PORT 0xf4

static inline int cpu_write_exit_port(uint32_t v)
{
	__asm__ volatile("outb %b0, %1" : : "a"(v), "i"(CPU_EXIT_PORT) : "memory");
	__asm__ volatile("outl %0, %w1" : : "a"(v), "d"(CPU_EXIT_PORT) : "memory");
	return 0;
}

/* Arm's CPU configuration (see guest/arch/aarch64/cpu.h): x86 has no
 * set/way cache operations, ACTLR_EL1, IMPLEMENTATION DEFINED system
 * registers, SVE or pointer authentication: -1. */
static inline int cpu_cache_clean_by_set_way(void)
{
	return -1;
}

static inline int cpu_read_aux_control(uint64_t *v)
{
	(void)v;
	return -1;
}

static inline int cpu_sve_vector_length(uint64_t *bytes)
{
	(void)bytes;
	return -1;
}

static inline int cpu_read_impdef_register(uint64_t *v)
{
	(void)v;
	return -1;
}

static inline int cpu_pointer_auth_sign(uint64_t ptr, uint64_t modifier, uint64_t *signed_ptr)
{
	(void)ptr;
	(void)modifier;
	(void)signed_ptr;
	return -1;
}

/* Arm's translation regimes (see guest/arch/aarch64/cpu.h): -1.  x86-64
 * has one 4-level regime (5-level paging is not tried). */
static inline int cpu_use_39bit_va(const struct minihv_boot_info *info, uint64_t *page)
{
	(void)info;
	(void)page;
	return -1;
}

static inline int cpu_ignore_top_byte(uint64_t *tag)
{
	(void)tag;
	return -1;
}

/*
 * Make a hypercall from user mode (CPL 3): hostile_user_hypercall.  Stores
 * a1, a2 to ARG0, ARG1 and nr to CALL, loads RESULT, then UD2 -- from a
 * page of code that CPL 3 may run, with the hypercall window opened to
 * user mode.  Never returns where it is tried: the hypervisor stops the
 * guest at the hypercall, or the UD2's #UD (which minihv intercepts)
 * stops it under another name.
 *
 * Three things make CPL 3 reachable in this guest:
 *   - a GDT of its own with user segments (DPL 3): 0x18 data, 0x20 64-bit
 *     code, after the kernel's 0x08 code and 0x10 data the guest started
 *     with;
 *   - the U/S bit on every level of the pages user code touches.  The
 *     hypervisor's tables set U/S on every table entry and on no leaf, so
 *     RAM stays the kernel's: the code page gets a second, user, read-only
 *     mapping in a free slot of the window's page table (window page + 8),
 *     and the window's own leaf gets U/S;
 *   - IRETQ, with a frame whose CS and SS have RPL 3: the CPU drops to
 *     CPL 3 and jumps to the code page's user alias.
 * -1 if the window's page table is not where it is expected.
 */
static inline int cpu_user_mode_hypercall(const struct minihv_boot_info *info, uint64_t nr,
					  uint64_t a1, uint64_t a2)
{
	static const uint64_t gdt[5] __attribute__((aligned(16))) = {
		0,
		0x00af9b000000ffffull,  /* 0x08: 64-bit code, DPL 0 */
		0x00cf93000000ffffull,  /* 0x10: data, DPL 0 */
		0x00cff3000000ffffull,  /* 0x18: data, DPL 3 */
		0x00affb000000ffffull,  /* 0x20: 64-bit code, DPL 3 */
	};
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr = {
		sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt,
	};
	uint64_t code;
	__asm__ volatile("lea 1f(%%rip), %0\n\tjmp 9f\n\t.balign 4096\n"
			 "1:\tmovq %%rsi, 0x10(%%rdi)\n\tmovq %%rdx, 0x18(%%rdi)\n\t"
			 "movl %%ecx, 0x30(%%rdi)\n\tmovq 0x38(%%rdi), %%rax\n\tud2\n\t"
			 ".balign 4096\n9:" : "=r"(code));
	uint64_t *window = guest_pt_entry(info, info->window_gva, 0);
	if (!window || !(*window & 1))
		return -1;
	uint64_t code_gpa = info->ram_gpa + (code - info->ram_gva);
	window[8] = code_gpa | 4 | 1;   /* P, U/S; read-only (R/W clear), executable */
	window[0] |= 4;                 /* U/S: the window, to user mode too */
	cpu_flush_tlb();

	__asm__ volatile("lgdt %[gdtr]\n\t"
			 "pushq $0x1b\n\t"          /* SS: 0x18, RPL 3 */
			 "pushq $0\n\t"             /* RSP: the user code uses no stack */
			 "pushq $2\n\t"             /* RFLAGS: IF clear */
			 "pushq $0x23\n\t"          /* CS: 0x20, RPL 3 */
			 "pushq %[rip]\n\t"
			 "iretq"
			 : : [gdtr] "m"(gdtr), [rip] "r"(info->window_gva + 8 * 4096),
			   "D"(info->window_gva), "S"(a1), "d"(a2), "c"(nr) : "memory");
	return 0;
}

/*
 * Ways for a guest to keep the CPU without end (the hostile_ watchdog
 * tests, see guest/arch/aarch64/cpu.h).  Only the hypervisor's watchdog
 * ends them (ARCH_FACT_WATCHDOG; where it says false, the tests skip before
 * calling this).  On x86:
 *   - spin: a jump to itself;
 *   - exception loop: minihv intercepts every exception (vectors 0-31) and
 *     stops the guest at the first, so a loop through the guest's own
 *     vectors has to use one the CPU does not report: INT 0x80, through
 *     the guest's own IDT, whose handler steps the saved RIP back onto
 *     the INT (2 bytes) and returns to it;
 *   - WFE: x86 has none; PAUSE, its spin-wait hint, in a loop;
 *   - WFI with a masked timer: IF=0 and HLT in a loop.  x86 has no timer
 *     the guest could leave pending, and HLT with IF clear sleeps for good
 *     on hardware; minihv intercepts HLT and stops the guest as halted,
 *     which is what the test expects.
 */
enum cpu_endless {
	CPU_ENDLESS_SPIN,
	CPU_ENDLESS_EXCEPTION_LOOP,
	CPU_ENDLESS_WFE,
	CPU_ENDLESS_WFI_MASKED_TIMER,
};

#define CPU_ENDLESS_VECTOR 0x80

struct cpu_dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static inline int cpu_endless(enum cpu_endless how)
{
	/* The guest starts with no GDT or IDT of its own (CS = 0x08, the
	 * others 0x10, their descriptors cached): delivering an interrupt
	 * reads the gate's code segment from the GDT, and IRETQ reloads CS
	 * and SS from it, so both tables are needed.  0x08: 64-bit code,
	 * DPL 0; 0x10: writable data, DPL 0. */
	static uint64_t gdt[3] __attribute__((aligned(16))) = {
		0, 0x00af9a000000ffffull, 0x00cf92000000ffffull,
	};
	static uint64_t idt[2 * (CPU_ENDLESS_VECTOR + 1)] __attribute__((aligned(16)));
	uint64_t handler;

	switch (how) {
	case CPU_ENDLESS_SPIN:
		__asm__ volatile("1: jmp 1b" ::: "memory");
		break;
	case CPU_ENDLESS_EXCEPTION_LOOP: {
		__asm__ volatile("lea 2f(%%rip), %0\n\tjmp 3f\n"
				 "2:\tsubq $2, (%%rsp)\n\tiretq\n"
				 "3:" : "=r"(handler));
		/* A 64-bit interrupt gate: offset 15:0, selector, type 0xE
		 * with P=1 and DPL 0, offset 31:16, then offset 63:32. */
		idt[2 * CPU_ENDLESS_VECTOR] = (handler & 0xffff) | (0x08ull << 16) | (0x8eull << 40) |
					      (((handler >> 16) & 0xffff) << 48);
		idt[2 * CPU_ENDLESS_VECTOR + 1] = handler >> 32;
		struct cpu_dtr g = { sizeof(gdt) - 1, (uintptr_t)gdt };
		struct cpu_dtr i = { sizeof(idt) - 1, (uintptr_t)idt };
		__asm__ volatile("lgdt %0\n\tlidt %1\n"
				 "1:\tint $0x80\n\tjmp 1b" : : "m"(g), "m"(i) : "memory");
		break;
	}
	case CPU_ENDLESS_WFE:
		__asm__ volatile("1: pause\n\tjmp 1b" ::: "memory");
		break;
	case CPU_ENDLESS_WFI_MASKED_TIMER:
		__asm__ volatile("cli\n1:\thlt\n\tjmp 1b" ::: "memory");
		break;
	}
	return 0;
}

/*
 * CPUID's report of what the OS enabled (guest/tests/cpuid_os_bits.c):
 * CPUID.1:ECX.OSXSAVE must mirror the guest's own CR4.OSXSAVE.  *has is
 * set to whether XSAVE exists; *before and *after to the OSXSAVE bit with
 * CR4.OSXSAVE clear and then set.  -1 on an architecture without CPUID.
 */
static inline int cpu_osxsave_as_reported(int *has, int *before, int *after)
{
	uint32_t a, b, c, d;
	uint64_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 & ~(1ull << 18)) : "memory");
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	*has = !!(c & (1u << 26));
	*before = !!(c & (1u << 27));
	*after = 0;
	if (*has) {
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1ull << 18)) : "memory");
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
		*after = !!(c & (1u << 27));
	}
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	return 0;
}

/*
 * Instructions CPUID may advertise (guest/tests/cpuid_advertised.c):
 * each runs only if CPUID says it exists, and must then not #UD.
 * *ran gets a bit mask of what was advertised and ran: 1 RDTSCP, 2
 * INVPCID.  Returns 0; -1 on an architecture without CPUID.
 */
#define CPU_RAN_RDTSCP  1u
#define CPU_RAN_INVPCID 2u

static inline int cpu_run_advertised(unsigned *ran)
{
	uint32_t a, b, c, d, max, maxext;

	*ran = 0;
	__asm__ volatile("cpuid" : "=a"(max), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	__asm__ volatile("cpuid" : "=a"(maxext), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0));
	if (maxext >= 0x80000001u) {
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
		if (d & (1u << 27)) {
			__asm__ volatile("rdtscp" : "=a"(a), "=d"(d), "=c"(c) : : "memory");
			*ran |= CPU_RAN_RDTSCP;
		}
	}
	if (max >= 7) {
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
		if (b & (1u << 10)) {
			/* Type 2: every PCID, globals included -- harmless. */
			static const uint64_t desc[2] __attribute__((aligned(16))) = { 0, 0 };
			__asm__ volatile("invpcid %0, %1" : : "m"(desc), "r"(2ull) : "memory");
			*ran |= CPU_RAN_INVPCID;
		}
	}
	return 0;
}

/*
 * An MMIO load from 32-bit compatibility mode (guest/tests/hostile_compat_mmio.c).
 * The guest loads a GDT of its own -- the selectors the hypervisor started
 * it with (0x08 64-bit code, 0x10 data) plus a 32-bit code segment at 0x18
 * (L=0, D=1) -- far-returns into that segment, loads the hypercall
 * window's VERSION register with "a1 moffs32" (MOV EAX, moffs: a 4-byte
 * address here, an 8-byte one in 64-bit mode), sets BL right after it, and
 * far-returns to 64-bit mode.  *value gets EAX, *next_ran whether the MOV
 * to BL ran: a hypervisor that decoded the load as 64-bit code would step
 * over 9 bytes instead of 5 and skip it.  Returns 0; -1 off x86.
 */
static inline int cpu_compat_mode_mmio_load(uint32_t *value, int *next_ran)
{
	static const uint64_t gdt[4] __attribute__((aligned(16))) = {
		0,
		0x00af9b000000ffffull,  /* 0x08: 64-bit code, as the guest started */
		0x00cf93000000ffffull,  /* 0x10: flat data */
		0x00cf9b000000ffffull,  /* 0x18: 32-bit code (L=0, D=1) */
	};
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr = {
		sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt,
	};
	uint32_t eax = 0, ebx = 0;

	__asm__ volatile("lgdt %[gdtr]\n\t"
			 "pushq $0x18\n\t"
			 "pushq $1f\n\t"
			 "lretq\n"
			 ".code32\n"
			 "1:\n\t"
			 ".byte 0xa1\n\t.long 0x3fe00000\n\t"  /* mov 0x3fe00000, %eax */
			 "movb $1, %%bl\n\t"
			 "nop\n\tnop\n\t"
			 "pushl $0x08\n\t"
			 "pushl $2f\n\t"
			 "lretl\n"
			 ".code64\n"
			 "2:\n\t"
			 : "=a"(eax), "+b"(ebx) : [gdtr] "m"(gdtr) : "memory");
	*value = eax;
	*next_ran = (ebx & 0xff) == 1;
	return 0;
}

/*
 * Instructions that reach past the guest (guest/tests/hostile_sti.c,
 * hostile_wbinvd.c, hostile_invd.c): STI enables interrupts, which minihv
 * guests take none of; WBINVD writes back and empties every cache of the
 * machine; INVD empties them without writing back.  Each returns 0 if the
 * guest came back from it; -1 on an architecture without it.
 */
static inline int cpu_interrupts_on(void)
{
	__asm__ volatile("sti\n\tnop" ::: "memory");
	return 0;
}

static inline int cpu_cache_writeback_invalidate(void)
{
	__asm__ volatile("wbinvd" ::: "memory");
	return 0;
}

static inline int cpu_cache_invalidate_no_writeback(void)
{
	__asm__ volatile("invd" ::: "memory");
	return 0;
}


/*
 * The machine's power, reset and other CPUs (hostile_power_off,
 * hostile_reset, hostile_reset_fast, hostile_cpu_on): on a PC the chipset
 * takes them through I/O ports, and the other CPUs are reached through the
 * local APIC's interrupt command register.  Each returns 0 if the guest
 * came back (the hypervisor let it through, or ignored it); -1 where the
 * architecture has no such channel.
 */
static inline void cpu_out8(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void cpu_out16(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

/* The ACPI PM1a control register, where OVMF puts it on PIIX4 boards
 * (QEMU pc, Bochs): SLP_EN (bit 13) with SLP_TYP 0 enters the sleep state
 * _S5 names there, soft off.  A guest does not know which board it is on;
 * one port is enough, since the first OUT must stop it. */
static inline int cpu_firmware_power_off(void)
{
	cpu_out16(0xb004, 1u << 13);
	return 0;
}

/* The reset control register, 0xCF9: bits 1 (system reset) and 2 (reset
 * CPU), a hard reset of the whole machine. */
static inline int cpu_firmware_reset(void)
{
	cpu_out8(0xcf9, 0x06);
	return 0;
}

/* System Control Port A, 0x92: bit 0 is the "fast reset" of the CPU. */
static inline int cpu_firmware_fast_reset(void)
{
	cpu_out8(0x92, 0x01);
	return 0;
}

/* WRMSR to the x2APIC ICR (MSR 0x830): an INIT IPI (delivery mode 5,
 * level assert) to APIC ID 1 -- the first step of starting another CPU,
 * which would then run code of the guest's choosing. */
static inline void cpu_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline int cpu_start_other_cpu(void)
{
	cpu_wrmsr(0x830, (1ull << 32) | (1u << 14) | (5u << 8));
	return 0;
}

/* Is this an AMD CPU (CPUID vendor "AuthenticAMD")?  Where the two vendors
 * spell something differently (performance counters, the virtualization
 * instruction). */
static inline int cpu_vendor_is_amd(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	return b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u;
}

/* The CPU's performance monitors: WRMSR to the first event selector
 * (IA32_PERFEVTSEL0, 0x186; AMD's PERF_CTL0, 0xC0010000) with its enable
 * bit (22) and event 0x76/0x3c, cycles: a counter that would count the
 * host's work too. */
static inline int cpu_pmu_write(void)
{
	if (cpu_vendor_is_amd())
		cpu_wrmsr(0xc0010000u, (1u << 22) | (3u << 16) | 0x76);
	else
		cpu_wrmsr(0x186, (1u << 22) | (3u << 16) | 0x3c);
	return 0;
}

/* RDPMC of counter 0 (ECX = 0): at CPL 0 it needs no CR4.PCE, and reads
 * the CPU's own counter.  *v gets EDX:EAX. */
static inline int cpu_pmu_read(uint64_t *v)
{
	uint32_t lo, hi;
	__asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(0) : "memory");
	*v = ((uint64_t)hi << 32) | lo;
	return 0;
}

/* Set the CPU's clock: WRMSR to IA32_TIME_STAMP_COUNTER (0x10), which
 * would move the host's TSC (and every later guest's). */
static inline int cpu_clock_write(void)
{
	cpu_wrmsr(0x10, 0);
	return 0;
}

/* IA32_DEBUGCTL (0x1D9) with LBR (bit 0): branch recording on the CPU
 * itself, for the host too.  Arm's counterpart is the OS lock. */
static inline int cpu_debug_control_write(void)
{
	cpu_wrmsr(0x1d9, 1);
	return 0;
}

/* A guest that wants to be a hypervisor: VMXON on Intel, VMRUN on AMD,
 * each with a page of its own as the operand (the VMXON region, the VMCB).
 * Both exit in a guest, whatever CPUID says. */
static inline int cpu_nested_virt(void)
{
	static uint64_t page[512] __attribute__((aligned(4096)));
	uint64_t pa = (uint64_t)(uintptr_t)page; /* any address: the exit comes first */
	if (cpu_vendor_is_amd())
		__asm__ volatile("vmrun" : : "a"(pa) : "memory");
	else
		__asm__ volatile("vmxon %0" : : "m"(pa) : "memory");
	return 0;
}

/*
 * MMIO accesses through instructions the hypervisor's decoder does not
 * take (hostile_mmio_*): each aims at the window's SCRATCH register, which
 * echoes any plain MOV of 1, 2, 4 or 8 bytes.  Another instruction must be
 * refused by name, never emulated as if it were a MOV (stepping RIP by a
 * wrong length, or dropping its other effects: a REP count, RSP, a locked
 * read-modify-write, 16 bytes of a vector register).  Each returns 0 if
 * the guest came back.
 */
static inline int cpu_mmio_multi_store(uintptr_t addr)
{
	static const char src[16] = "sixteen bytes!!";
	uint64_t d = addr, si = (uintptr_t)src, n = sizeof(src);
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(si), "+c"(n) : : "memory");
	return 0;
}

static inline int cpu_mmio_writeback_store(uintptr_t addr)
{
	/* PUSH with RSP just above the register: the store, and RSP
	 * moves down by 8.  RSP is put back right after. */
	__asm__ volatile("mov %%rsp, %%r11\n\tmov %0, %%rsp\n\tpushq $0x5a\n\tmov %%r11, %%rsp"
			 : : "r"(addr + 8) : "r11", "memory");
	return 0;
}

static inline int cpu_mmio_atomic_add(uintptr_t addr)
{
	uint64_t v = 1;
	__asm__ volatile("lock xaddq %0, (%1)" : "+r"(v) : "r"(addr) : "memory");
	return 0;
}

static inline int cpu_mmio_simd_store(uintptr_t addr)
{
	cpu_sse_on();
	__asm__ volatile("pcmpeqb %%xmm0, %%xmm0\n\tmovdqu %%xmm0, (%0)" : : "r"(addr) : "memory");
	return 0;
}


/*
 * SMAP (hostile_pan_smap): a second mapping of the page-aligned buf that
 * user mode may read and write (U/S, R/W), in a free slot of the window's
 * page table (window page + 9); *alias gets its address.  -1 if the table
 * is not where it is expected.
 */
static inline int cpu_user_page_alias(const struct minihv_boot_info *info, const void *buf,
				      uint64_t *alias)
{
	uint64_t *window = guest_pt_entry(info, info->window_gva, 0);
	if (!window || !(*window & 1))
		return -1;
	window[9] = (info->ram_gpa + ((uintptr_t)buf - info->ram_gva)) | 4 | 2 | 1;
	cpu_flush_tlb();
	*alias = info->window_gva + 9 * 4096;
	return 0;
}

/* CR4.SMAP on (1, with RFLAGS.AC clear: CLAC) or off (0): with it on, the
 * kernel's own loads and stores to user pages fault.  -1 where the CPU has
 * no SMAP (CPUID.(EAX=7,ECX=0):EBX bit 20). */
static inline int cpu_kernel_no_user(int on)
{
	uint64_t cr4;
	if (!cpu_cr4_on_if_leaf7(0, 20, 21))
		return -1;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	if (on)
		__asm__ volatile("clac" ::: "memory");
	else
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 & ~(1ull << 21)) : "memory");
	return 0;
}

#endif
