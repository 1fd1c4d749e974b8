/*
 * The guest maps the guest-physical page just past the end of its RAM and
 * loads from it.  Its RAM is one block of the host's memory; what follows
 * that block on the host belongs to someone else (the next VM, the
 * hypervisor's pool, the firmware).  A second-level mapping rounded up to
 * a larger page, or an off-by-one at the end, would hand it over.  The
 * load must stop the guest.
 *
 * minihv-expect: stopped "nothing is there (not RAM, not the hypercall window)"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t end = info->ram_gpa + info->ram_size;
	uint64_t p = guest_map_gpa(info, end);
	if (!report(p != 0, "mapped gpa 0x%llx in the guest's own tables", (unsigned long long)end))
		return 0;
	/* The last byte of RAM is the guest's, through the same mapping
	 * style: that one must work. */
	uint64_t last = guest_map_gpa(info, end - 8);
	volatile uint64_t *in = (volatile uint64_t *)(uintptr_t)last;
	uint64_t keep = *in;
	*in = keep;
	p = guest_map_gpa(info, end);
	printf("loading from gpa 0x%llx, one byte past RAM\n", (unsigned long long)end);
	uint8_t v = mmio_read8(p);
	report(false, "a load past the end of RAM returned 0x%x", v);
	return 0;
}
