/*
 * The hypervisor's console: the serial line, one byte at a time.
 *
 * The core owns the text conventions ("\n" becomes "\r\n" for a terminal);
 * the arch owns the wire (arch_console_putc: the UART of its machine).
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

/* Write characters to the serial line; "\n" becomes "\r\n". */
void console_putc(char c);
void console_write(const char *s, unsigned long len);

#endif
