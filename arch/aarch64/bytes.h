/*
 * Reading what the firmware and the guest's files hand us, byte by byte,
 * and the devices we hand through, register by register: one copy of
 * each for the aarch64 backend.
 *
 * The byte readers build a number from its bytes in the order the format
 * says -- little-endian for ACPI tables and the arm64 Image header,
 * big-endian for device-tree cells -- so neither alignment (built with
 * -mstrict-align) nor the host's own byte order matters.  Pure C: the host
 * tests of linux_image.c include it too.
 */
#ifndef ARCH_AARCH64_BYTES_H
#define ARCH_AARCH64_BYTES_H

#include <stdint.h>

static inline uint32_t le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t le64(const void *p)
{
	return le32(p) | (uint64_t)le32((const uint8_t *)p + 4) << 32;
}

static inline uint32_t be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* A device's register at host-physical address a (the hypervisor runs on
 * the firmware's identity map), as one access of its width. */
static inline uint8_t rd8(uint64_t a) { return *(volatile uint8_t *)(uintptr_t)a; }
static inline void wr8(uint64_t a, uint8_t v) { *(volatile uint8_t *)(uintptr_t)a = v; }
static inline uint32_t rd32(uint64_t a) { return *(volatile uint32_t *)(uintptr_t)a; }
static inline void wr32(uint64_t a, uint32_t v) { *(volatile uint32_t *)(uintptr_t)a = v; }
static inline uint64_t rd64(uint64_t a) { return *(volatile uint64_t *)(uintptr_t)a; }
static inline void wr64(uint64_t a, uint64_t v) { *(volatile uint64_t *)(uintptr_t)a = v; }

/* A device tree "reg" entry with two address and two size cells. */
static inline void dt_reg_cells(uint32_t *c, uint64_t addr, uint64_t size)
{
	c[0] = (uint32_t)(addr >> 32);
	c[1] = (uint32_t)addr;
	c[2] = (uint32_t)(size >> 32);
	c[3] = (uint32_t)size;
}

#endif
