/*
 * The guest writes a forged verdict line straight to COM1's data port,
 * the serial line the log is read from.  Were the port passed through,
 * the bytes would reach the log with no "[name] " prefix and no "?" for
 * control bytes: a "PASS:" line, or an early SUMMARY, of the guest's
 * making.  The hypervisor intercepts every I/O port and must stop the
 * guest at the first byte.  Arm has no I/O ports (its UART is MMIO:
 * hostile_gpa_device).
 *
 * minihv-expect: stopped "minihv guests have no I/O ports"
 * minihv-needs: io-ports
 */
#include "minihv.h"
#include "platform.h"

int test_main(const struct minihv_boot_info *info)
{
	static const char forged[] = "\r\nPASS: hostile_port_uart: forged\r\n";
	(void)info;
	for (const char *s = forged; *s; s++)
		if (platform_outb(PLATFORM_UART_PORT, (uint8_t)*s) < 0) {
			report_skip("this architecture has no I/O ports");
			return 0;
		}
	report(false, "the guest wrote %u bytes to the serial port", (unsigned)sizeof(forged) - 1);
	return 0;
}
