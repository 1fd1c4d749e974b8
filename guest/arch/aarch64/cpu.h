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

/* CPUID with an ignored prefix (x86 only): -1, Arm has no CPUID. */
static inline int cpu_cpuid_prefixed(uint32_t leaf, uint32_t r[4])
{
	(void)leaf;
	(void)r;
	return -1;
}

#endif
