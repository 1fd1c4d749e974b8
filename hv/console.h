/*
 * The hypervisor's console: the serial line, one byte at a time.
 *
 * The core owns the text conventions ("\n" becomes "\r\n" for a terminal,
 * a guest's output goes out a line at a time under its name); the arch owns
 * the wire (arch_console_putc: the UART of its machine).
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

/* Write characters to the serial line; "\n" becomes "\r\n". */
void console_putc(char c);
void console_write(const char *s, unsigned long len);

struct vm;

/* A guest's console output (the CONSOLE_WRITE and PUTC hypercalls): one
 * character at a time, printed a line at a time as "[name] text", with
 * anything but printable ASCII and tabs shown as '?'. */
void console_guest_putc(struct vm *vm, char c);

/* Print the unfinished line the guest left, if any. */
void console_guest_flush(struct vm *vm);

#endif
