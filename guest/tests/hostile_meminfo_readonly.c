/*
 * The guest makes one 2 MiB block of its alias view read-only in its own
 * page tables and asks MEMINFO to write the boot info there.  The guest's
 * own store would fault; the hypervisor, acting for the guest, must
 * honour the same page-table permission rather than write with its own
 * rights -- otherwise a guest kernel's read-only pages (its code, its
 * tables, a user program's shared data) are writable by anyone who can
 * make a hypercall.
 *
 * minihv-expect: stopped "meminfo: destination gva 0x7f00200100 is not writable guest memory: permission denied"
 */
#include "minihv.h"
#include "cpu.h"
#include "platform.h"

int test_main(const struct minihv_boot_info *info)
{
	uint64_t gva = info->ram_alias_gva + 0x200000;
	uint64_t *leaf = guest_pt_entry(info, gva, 1);
	if (!report(leaf != NULL, "found the 2 MiB leaf for 0x%llx", (unsigned long long)gva))
		return 0;
	*leaf = platform_pte_readonly(*leaf);
	cpu_flush_tlb();
	/* Still readable, by the guest and so by the hypervisor. */
	volatile const uint64_t *p = (volatile const uint64_t *)(uintptr_t)(gva + 0x100);
	uint64_t before = *p;
	hc_call(MINIHV_CALL_MEMINFO, gva + 0x100, 0, 0, 0);
	report(false, "the hypervisor wrote a page the guest maps read-only (it held 0x%llx, now 0x%llx)",
	       (unsigned long long)before, (unsigned long long)*p);
	return 0;
}
