/*
 * MMIO stores and loads of every width, in both directions, through the
 * scratch (echo) register: what a store leaves there, a load must return,
 * truncated to the load's width, and sign-extended by the signed loads.
 * On aarch64 this exercises the data-abort syndrome (SAS, SRT, SSE, SF); on
 * x86 the instruction decoder.
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	uintptr_t scratch = hc_reg(MINIHV_HC_SCRATCH);
	(void)info;

	mmio_write64(scratch, 0x8877665544332211ull);
	report(mmio_read64(scratch) == 0x8877665544332211ull, "64-bit store, 64-bit load");
	report(mmio_read32(scratch) == 0x44332211u, "32-bit load returns the low word");
	report(mmio_read16(scratch) == 0x2211u, "16-bit load returns the low halfword");
	report(mmio_read8(scratch) == 0x11u, "8-bit load returns the low byte");

	mmio_write32(scratch, 0xdeadbeefu);
	report(mmio_read64(scratch) == 0xdeadbeefull, "32-bit store is zero-extended");
	report(mmio_read32s(scratch) == (int64_t)(int32_t)0xdeadbeefu, "signed 32-bit load sign-extends");

	mmio_write16(scratch, 0x8001u);
	report(mmio_read64(scratch) == 0x8001ull, "16-bit store");
	report(mmio_read16s(scratch) == -32767, "signed 16-bit load sign-extends");
	report(mmio_read16(scratch) == 0x8001u, "unsigned 16-bit load zero-extends");

	mmio_write8(scratch, 0xfe);
	report(mmio_read64(scratch) == 0xfeull, "8-bit store");
	report(mmio_read8s(scratch) == -2, "signed 8-bit load sign-extends");
	report(mmio_read8(scratch) == 0xfe, "unsigned 8-bit load zero-extends");

	/* Plain C through a volatile pointer: whatever MOV/LDR form the
	 * compiler picks for these must be emulated too. */
	volatile int8_t *s8 = (volatile int8_t *)scratch;
	volatile uint16_t *u16 = (volatile uint16_t *)scratch;
	*u16 = 0x1280;
	int64_t wide = *s8;
	report(wide == -128, "C volatile signed byte load: %lld", (long long)wide);

	report(hc_call(0x7777, 0, 0, 0, 0) == MINIHV_ENOSYS, "unknown call number returns ENOSYS");
	return 0;
}
