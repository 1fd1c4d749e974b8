/*
 * The console: the serial line, polled.
 *
 * We do not use the firmware's ConOut: calling the firmware would re-enable
 * its interrupts, and during a VM exit the CPU is in the hypervisor's state,
 * not the firmware's.  The UART itself is the arch's business
 * (arch_console_putc: a PL011 on QEMU's virt board, arch/aarch64/pl011.c;
 * the COM1 16550 on a PC, arch/x86_64/uart16550.c).
 */
#include "console.h"
#include "arch.h"

void console_putc(char c)
{
	if (c == '\n')
		arch_console_putc('\r');
	arch_console_putc(c);
}

void console_write(const char *s, unsigned long len)
{
	for (unsigned long i = 0; i < len; i++)
		console_putc(s[i]);
}
