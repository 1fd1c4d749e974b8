/*
 * What the machine under the hypervisor has where, x86_64 (a PC: QEMU's
 * i440fx/q35 and Bochs), and the one page-table bit the hostile tests
 * flip.  A guest has no business at any of these addresses: its EPT/NPT
 * maps its RAM and nothing else, so an access must stop it ("nothing is
 * there") and never reach the device.  If one did, the guest could send
 * interrupts (INIT, SIPI) through the host CPU's local APIC, reprogram
 * where the IOAPIC routes the host's interrupts, or read the firmware.
 */
#ifndef GUEST_PLATFORM_H
#define GUEST_PLATFORM_H

#include <stdint.h>

/* The local APIC, at its default base. */
#define PLATFORM_IRQCHIP_GPA    0xfee00000ull
#define PLATFORM_IRQCHIP_NAME   "the local APIC"
/* The IOAPIC's index register: a store selects which of the host's
 * interrupt routes the next data access changes. */
#define PLATFORM_DEVICE_GPA     0xfec00000ull
#define PLATFORM_DEVICE_NAME    "the IOAPIC's index register"
/* The firmware flash, with the reset vector 16 bytes below 4 GiB. */
#define PLATFORM_FIRMWARE_GPA   0xfffffff0ull
#define PLATFORM_FIRMWARE_NAME  "the firmware flash (the reset vector)"

/*
 * The serial port the log is read from (COM1's data register), and the
 * port Bochs and QEMU's debugcon print to the emulator's own console.
 */
#define PLATFORM_UART_PORT  0x3f8
#define PLATFORM_DEBUG_PORT 0xe9

/* Write a byte to an I/O port: 0, or -1 where there are no I/O ports. */
static inline int platform_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
	return 0;
}

/* Page-table entry: R/W (bit 1) clear makes the page read-only (with
 * CR0.WP, which the guest starts with, also for the kernel). */
static inline uint64_t platform_pte_readonly(uint64_t e)
{
	return e & ~(1ull << 1);
}

#endif
