/*
 * The console's wire on aarch64: the PL011 UART of QEMU's virt board.
 *
 * Polled: wait while the transmit FIFO is full (flag register bit 5), then
 * write the data register.  The firmware has already set the UART up; no
 * interrupt and no firmware call, so this works at any moment, even during
 * a VM exit with the firmware's interrupts masked.
 */
#include <stdint.h>

#include "../../hv/arch.h"

#define PL011_BASE 0x09000000ul
#define PL011_DR   0x00
#define PL011_FR   0x18
#define PL011_TXFF (1u << 5)

void arch_console_putc(char c)
{
	volatile uint32_t *uart = (volatile uint32_t *)PL011_BASE;
	while (uart[PL011_FR / 4] & PL011_TXFF)
		;
	uart[PL011_DR / 4] = (uint32_t)(unsigned char)c;
}
