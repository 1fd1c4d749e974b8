/*
 * Write and check patterns over all of guest RAM the guest is free to use
 * (from the end of its image to the bottom of its stack), through the main
 * view of RAM, then check the same bytes through the alias view.  A
 * second-level mapping that is off by a page, or two guest pages sharing a
 * host page, shows up here.
 */
#include "minihv.h"

static uint64_t pattern(uint64_t addr, uint64_t seed)
{
	/* Different for every 8-byte word and every pass. */
	uint64_t x = addr ^ seed;
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ull;
	return x ^ (x >> 29);
}

int test_main(const struct minihv_boot_info *info)
{
	uint64_t start = ((uintptr_t)__image_end + 4095) & ~4095ull;
	uint64_t end = info->stack_bottom_gva;
	uint64_t alias_off = info->ram_alias_gva - info->ram_gva;
	unsigned long bad = 0;

	report(start > info->ram_gva && end <= info->ram_gva + info->ram_size && start < end,
	       "free RAM 0x%llx..0x%llx lies inside RAM", (unsigned long long)start,
	       (unsigned long long)end);

	for (uint64_t seed = 1; seed <= 2; seed++) {
		for (uint64_t a = start; a < end; a += 8)
			*(volatile uint64_t *)a = pattern(a, seed);
		for (uint64_t a = start; a < end; a += 8)
			if (*(volatile uint64_t *)a != pattern(a, seed))
				bad++;
		report(bad == 0, "pass %llu: %llu KiB written and read back, %lu bad words",
		       (unsigned long long)seed, (unsigned long long)((end - start) >> 10), bad);
	}

	bad = 0;
	for (uint64_t a = start; a < end; a += 8)
		if (*(volatile uint64_t *)(a + alias_off) != pattern(a, 2))
			bad++;
	report(bad == 0, "alias view at 0x%llx sees the same bytes (%lu bad words)",
	       (unsigned long long)info->ram_alias_gva, bad);
	return 0;
}
