/*
 * boot/: what minihv takes from UEFI and the machine before the hypervisor
 * core runs.  The firmware's only jobs are to load us, give us one block of
 * memory (efi_main.c), and power off at the end; the console (console.c)
 * writes straight to the serial port so it works at any time, even while
 * the firmware's interrupts are masked.
 */
#ifndef BOOT_BOOT_H
#define BOOT_BOOT_H

/* Write characters to the serial line; "\n" becomes "\r\n". */
void console_putc(char c);
void console_write(const char *s, unsigned long len);

/* Ask the firmware to power off (EfiResetShutdown).  The arch's own
 * power-off tries emulator exits with a status first. */
__attribute__((noreturn)) void boot_firmware_power_off(void);

#endif
