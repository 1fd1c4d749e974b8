/*
 * The console: the serial line, polled.
 *
 * We do not use the firmware's ConOut: calling the firmware would re-enable
 * its interrupts, and during a VM exit the CPU is in the hypervisor's state,
 * not the firmware's.  The UART itself is the arch's business
 * (arch_console_putc: a PL011 on QEMU's virt board, arch/aarch64/pl011.c;
 * the COM1 16550 on a PC, arch/x86_64/uart16550.c).  A guest's output
 * (the console hypercalls) is the last step before it: hv/hypercall.c
 * hands each character here, and it leaves as a line under the guest's name.
 */
#include "console.h"
#include "arch.h"
#include "vm.h"
#include "../lib/minihv_string.h"

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

static void console_puts(const char *s)
{
	console_write(s, strlen(s));
}

/*
 * A guest's output is collected per VM and printed a whole line at a time,
 * prefixed with the guest's name, so lines of the hypervisor and of the
 * guest never interleave mid-line.  Only printable characters reach the
 * serial line: a guest must not be able to forge a verdict line with
 * "\rPASS" or drive a terminal.
 */
void console_guest_putc(struct vm *vm, char c)
{
	if (c == '\n' || vm->line_len == sizeof(vm->line) - 1) {
		vm->line[vm->line_len] = '\0';
		console_puts("[");
		console_puts(vm->name);
		console_puts("] ");
		console_puts(vm->line);
		console_putc('\n');
		vm->line_len = 0;
		if (c == '\n')
			return;
	}
	if (c == '\t' || (c >= ' ' && c <= '~'))
		vm->line[vm->line_len++] = c;
	else
		vm->line[vm->line_len++] = '?';
}

void console_guest_flush(struct vm *vm)
{
	if (vm->line_len)
		console_guest_putc(vm, '\n');
}
