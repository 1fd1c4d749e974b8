/*
 * MMIO accessors, x86_64.  Plain MOV forms, which the hypervisor's
 * instruction decoder (arch/x86_64/x86_decode.c) understands.
 */
#ifndef GUEST_MMIO_H
#define GUEST_MMIO_H

#include <stdint.h>

static inline void mmio_write8(uintptr_t a, uint8_t v)
{ __asm__ volatile("movb %0, (%1)" : : "q"(v), "r"(a) : "memory"); }
static inline void mmio_write16(uintptr_t a, uint16_t v)
{ __asm__ volatile("movw %0, (%1)" : : "r"(v), "r"(a) : "memory"); }
static inline void mmio_write32(uintptr_t a, uint32_t v)
{ __asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(a) : "memory"); }
static inline void mmio_write64(uintptr_t a, uint64_t v)
{ __asm__ volatile("movq %0, (%1)" : : "r"(v), "r"(a) : "memory"); }

static inline uint8_t mmio_read8(uintptr_t a)
{ uint8_t v; __asm__ volatile("movb (%1), %0" : "=q"(v) : "r"(a) : "memory"); return v; }
static inline uint16_t mmio_read16(uintptr_t a)
{ uint16_t v; __asm__ volatile("movw (%1), %0" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline uint32_t mmio_read32(uintptr_t a)
{ uint32_t v; __asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline uint64_t mmio_read64(uintptr_t a)
{ uint64_t v; __asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(a) : "memory"); return v; }

/* Sign-extending loads (MOVSX, MOVSXD). */
static inline int64_t mmio_read8s(uintptr_t a)
{ int64_t v; __asm__ volatile("movsbq (%1), %0" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline int64_t mmio_read16s(uintptr_t a)
{ int64_t v; __asm__ volatile("movswq (%1), %0" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline int64_t mmio_read32s(uintptr_t a)
{ int64_t v; __asm__ volatile("movslq (%1), %0" : "=r"(v) : "r"(a) : "memory"); return v; }

#endif
