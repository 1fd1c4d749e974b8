/*
 * MMIO accessors, aarch64.  Written in assembly so the compiler cannot pick
 * a form the hypervisor cannot emulate: a trapped load/store only carries a
 * full syndrome (ISV=1) when it is a plain single-register LDR/STR without
 * writeback.
 */
#ifndef GUEST_MMIO_H
#define GUEST_MMIO_H

#include <stdint.h>

static inline void mmio_write8(uintptr_t a, uint8_t v)
{ __asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(a) : "memory"); }
static inline void mmio_write16(uintptr_t a, uint16_t v)
{ __asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(a) : "memory"); }
static inline void mmio_write32(uintptr_t a, uint32_t v)
{ __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory"); }
static inline void mmio_write64(uintptr_t a, uint64_t v)
{ __asm__ volatile("str %x0, [%1]" : : "r"(v), "r"(a) : "memory"); }

static inline uint8_t mmio_read8(uintptr_t a)
{ uint32_t v; __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); return (uint8_t)v; }
static inline uint16_t mmio_read16(uintptr_t a)
{ uint32_t v; __asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); return (uint16_t)v; }
static inline uint32_t mmio_read32(uintptr_t a)
{ uint32_t v; __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline uint64_t mmio_read64(uintptr_t a)
{ uint64_t v; __asm__ volatile("ldr %x0, [%1]" : "=r"(v) : "r"(a) : "memory"); return v; }

/* Sign-extending loads (LDRSB/LDRSH/LDRSW into a 64-bit register). */
static inline int64_t mmio_read8s(uintptr_t a)
{ int64_t v; __asm__ volatile("ldrsb %x0, [%1]" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline int64_t mmio_read16s(uintptr_t a)
{ int64_t v; __asm__ volatile("ldrsh %x0, [%1]" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline int64_t mmio_read32s(uintptr_t a)
{ int64_t v; __asm__ volatile("ldrsw %x0, [%1]" : "=r"(v) : "r"(a) : "memory"); return v; }

#endif
