/*
 * The guest maps the guest-physical block just past its RAM as executable
 * memory in its own tables and jumps there.  Nothing is at that address
 * for the guest: the fetch must stop it, and never run whatever the host
 * keeps at the matching host-physical address.
 *
 * minihv-expect: stopped "instruction fetch at 0x40400000 from guest-physical 0x80400000, which is not RAM"
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t end = info->ram_gpa + info->ram_size;
	uint64_t p = guest_map_gpa(info, end);
	if (!report(p != 0, "mapped gpa 0x%llx as executable memory", (unsigned long long)end))
		return 0;
	printf("jumping to gva 0x%llx, gpa 0x%llx\n", (unsigned long long)p, (unsigned long long)end);
	void (*fn)(void) = (void (*)(void))(uintptr_t)p;
	fn();
	report(false, "the guest ran code from past the end of its RAM");
	return 0;
}
