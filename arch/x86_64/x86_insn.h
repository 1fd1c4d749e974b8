/*
 * x86 instruction wrappers: each privileged instruction the hypervisor
 * uses, as one inline function, so the rest of the backend has no inline
 * assembly of its own.  Elsewhere: VMX's own instructions (vmx.h), the
 * world switches (vmx_entry.S, svm_entry.S) and the FP/SIMD reset
 * sequence, which is x86_fpu.c's whole subject.
 */
#ifndef ARCH_X86_64_X86_INSN_H
#define ARCH_X86_64_X86_INSN_H

#include <stdint.h>

static inline void x86_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
			     uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline uint64_t x86_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void x86_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

/* What SGDT and SIDT store, and LGDT and LIDT load. */
struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static inline void sgdt(struct dtr *d) { __asm__ volatile("sgdt %0" : "=m"(*d)); }
static inline void sidt(struct dtr *d) { __asm__ volatile("sidt %0" : "=m"(*d)); }
static inline void lgdt(const struct dtr *d) { __asm__ volatile("lgdt %0" : : "m"(*d) : "memory"); }
static inline void lidt(const struct dtr *d) { __asm__ volatile("lidt %0" : : "m"(*d) : "memory"); }

static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" : : "rm"(sel) : "memory"); }
static inline uint16_t str(void) { uint16_t s; __asm__ volatile("str %0" : "=rm"(s)); return s; }

static inline void x86_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t x86_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void x86_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* The time-stamp counter: one tick per TSC period (invariant on every CPU
 * minihv meets, emulators included), the clock of the watchdog. */
static inline uint64_t x86_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void write_cr2(uint64_t v) { __asm__ volatile("mov %0, %%cr2" : : "r"(v) : "memory"); }

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(f));
	return f;
}

/* Mask and unmask maskable interrupts. */
static inline void x86_cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void x86_sti(void) { __asm__ volatile("sti" ::: "memory"); }
/* Open a one-instruction window for pending interrupts: STI takes effect
 * only after the next instruction (SDM vol. 2, STI), so they are delivered
 * at the NOP's end, and CLI closes the window. */
static inline void x86_take_pending_interrupts(void)
{
	__asm__ volatile("sti\n\tnop\n\tcli" ::: "memory");
}

static inline uint16_t read_cs(void) { uint16_t v; __asm__ volatile("mov %%cs, %0" : "=r"(v)); return v; }

/* The six segment selectors in the order the hardware numbers them
 * (ES, CS, SS, DS, FS, GS), which is also the VMCS's. */
static inline void read_segment_selectors(uint16_t sel[6])
{
	__asm__ volatile("mov %%es, %0; mov %%cs, %1; mov %%ss, %2; mov %%ds, %3; mov %%fs, %4; mov %%gs, %5"
			 : "=r"(sel[0]), "=r"(sel[1]), "=r"(sel[2]), "=r"(sel[3]), "=r"(sel[4]), "=r"(sel[5]));
}

/* XGETBV and XSETBV of XCR0: #UD unless CR4.OSXSAVE is set (x86_fpu.c). */
static inline uint64_t x86_xgetbv0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static inline void x86_xsetbv0(uint64_t v)
{
	__asm__ volatile("xsetbv" : : "a"((uint32_t)v), "d"((uint32_t)(v >> 32)), "c"(0)
			 : "memory");
}

#endif
