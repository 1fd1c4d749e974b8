/*
 * What the machine under the hypervisor has where, aarch64 (QEMU's virt
 * board, the only one minihv runs on), and the one page-table bit the
 * hostile tests flip.  A guest has no business at any of these addresses:
 * its stage-2 tables map its RAM and nothing else, so an access must stop
 * it ("nothing is there") and never reach the device.  If one did, the
 * guest could talk to the interrupt controller the host's firmware and
 * hypervisor use, write on the host's serial line past the hypervisor's
 * "[name] " prefix, or read the firmware's code.
 */
#ifndef GUEST_PLATFORM_H
#define GUEST_PLATFORM_H

#include <stdint.h>

/* The GICv2/v3 distributor. */
#define PLATFORM_IRQCHIP_GPA    0x08000000ull
#define PLATFORM_IRQCHIP_NAME   "the GIC distributor"
/* The PL011's data register: a store there is a character on the serial
 * line the harness judges. */
#define PLATFORM_DEVICE_GPA     0x09000000ull
#define PLATFORM_DEVICE_NAME    "the PL011 UART's data register"
/* The firmware's flash, with its first instruction at 0. */
#define PLATFORM_FIRMWARE_GPA   0x00000000ull
#define PLATFORM_FIRMWARE_NAME  "the firmware flash"

/* Arm has no I/O ports (its serial line is PLATFORM_DEVICE_GPA). */
#define PLATFORM_UART_PORT  0
#define PLATFORM_DEBUG_PORT 0

static inline int platform_outb(uint16_t port, uint8_t v)
{
	(void)port;
	(void)v;
	return -1;
}

/* Stage-1 descriptor: AP[2] (bit 7) set makes the page read-only at
 * every exception level. */
static inline uint64_t platform_pte_readonly(uint64_t e)
{
	return e | (1ull << 7);
}

#endif
