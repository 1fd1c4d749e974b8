/*
 * Hypercall wrappers: every call is plain loads and stores to the window.
 */
#include "minihv.h"

uint32_t hc_version(void)
{
	return mmio_read32(hc_reg(MINIHV_HC_VERSION));
}

void hc_putc(char c)
{
	mmio_write8(hc_reg(MINIHV_HC_PUTC), (uint8_t)c);
}

int64_t hc_call(uint32_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	mmio_write64(hc_reg(MINIHV_HC_ARG0), a0);
	mmio_write64(hc_reg(MINIHV_HC_ARG1), a1);
	mmio_write64(hc_reg(MINIHV_HC_ARG2), a2);
	mmio_write64(hc_reg(MINIHV_HC_ARG3), a3);
	mmio_write32(hc_reg(MINIHV_HC_CALL), nr);
	return (int64_t)mmio_read64(hc_reg(MINIHV_HC_RESULT));
}

int64_t hc_console_write(const void *buf, size_t len)
{
	return hc_call(MINIHV_CALL_CONSOLE_WRITE, (uintptr_t)buf, len, 0, 0);
}

void hc_report(unsigned verdict, const char *msg, size_t len)
{
	hc_call(MINIHV_CALL_REPORT, verdict, (uintptr_t)msg, len, 0);
}

void hc_exit(uint64_t code)
{
	hc_call(MINIHV_CALL_EXIT, code, 0, 0, 0);
	/* The hypervisor does not resume an exited vCPU. */
	for (;;)
		;
}
