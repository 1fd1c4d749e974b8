/*
 * An 8-byte store at offset 0xc of the hypercall window: its first four
 * bytes land on the unused upper half of PUTC's slot, the other four on
 * ARG0's low half.  A device that matched registers by range ("the access
 * touches ARG0") would latch half a pointer, shifted.  The guest maps the
 * window's page as ordinary memory for this (device memory would fault on
 * the misaligned store in the guest itself, on Arm), so the access reaches
 * the hypervisor as it is; no register lives at 0xc, and the guest must
 * be stopped.
 *
 * minihv-expect: stopped "hypercall window: 8-byte store at offset 0xc is not a register access the ABI allows"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t p = guest_map_gpa(info, MINIHV_HC_WINDOW_GPA);
	if (!report(p != 0, "mapped the window's gpa as ordinary memory"))
		return 0;
	mmio_write64(p + 0xc, 0x4141414142424242ull);
	report(false, "the hypervisor accepted an 8-byte store across PUTC and ARG0");
	return 0;
}
