/*
 * The console's wire on x86_64: COM1, the PC's first 16550 UART.
 *
 * Polled: wait until the transmit holding register is empty (line status
 * register bit 5), then write the byte.  The firmware has already set the
 * baud rate.  No interrupt and no firmware call, so this works at any
 * moment, even during a VM exit with interrupts off.
 */
#include "x86_insn.h"
#include "../../hv/arch.h"

#define COM1     0x3f8
#define COM_LSR  5
#define LSR_THRE (1u << 5)

void arch_console_putc(char c)
{
	while (!(x86_inb(COM1 + COM_LSR) & LSR_THRE))
		;
	x86_outb(COM1, (uint8_t)c);
}
