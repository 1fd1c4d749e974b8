/*
 * Pass the hypervisor pointers whose guest-virtual address is not the
 * guest-physical one: through RAM's alias view, and across a page boundary.
 * The hypervisor must walk the guest's page tables to find the bytes.
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t alias_off = info->ram_alias_gva - info->ram_gva;
	uint64_t free_page = ((uintptr_t)__image_end + 4095) & ~4095ull;

	/* A message that straddles two pages, written through the main view,
	 * handed over through the alias view. */
	static const char text[] = "this line was read through the alias mapping\n";
	char *msg = (char *)(uintptr_t)(free_page + 4096 - 20);
	memcpy(msg, text, sizeof(text) - 1);
	const char *alias_msg = (const char *)(uintptr_t)((uintptr_t)msg + alias_off);
	report(hc_console_write(alias_msg, sizeof(text) - 1) == MINIHV_OK,
	       "console_write from alias gva %p (crosses a page)", (const void *)alias_msg);
	report(info->ram_alias_gva != info->ram_gpa && info->ram_gva != info->ram_gpa,
	       "RAM is not identity mapped (gva 0x%llx, alias 0x%llx, gpa 0x%llx)",
	       info->ram_gva, info->ram_alias_gva, info->ram_gpa);

	/* The other direction: the hypervisor writes through an alias pointer
	 * that crosses a page, and we read the result through the main view. */
	struct minihv_boot_info *dst = (void *)(uintptr_t)(free_page + 2 * 4096 - 24);
	memset(dst, 0, sizeof(*dst));
	int64_t r = hc_call(MINIHV_CALL_MEMINFO, (uintptr_t)dst + alias_off, 0, 0, 0);
	report(r == MINIHV_OK, "meminfo to alias gva returns OK");
	report(dst->ram_size == info->ram_size && dst->ram_gpa == info->ram_gpa,
	       "meminfo written through the alias is visible in the main view");
	return 0;
}
