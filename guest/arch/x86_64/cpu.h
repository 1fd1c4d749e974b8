/*
 * The few privileged operations portable tests need, x86_64.
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include <stdint.h>

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

#endif
