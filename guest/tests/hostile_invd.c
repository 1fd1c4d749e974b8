/*
 * A guest invalidates the caches without writing them back (INVD): every
 * dirty line, the hypervisor's own data among them, would be lost.  The
 * hypervisor must refuse it everywhere -- including QEMU's TCG, which
 * tests the VMCB's WBINVD intercept bit for INVD.
 *
 * minihv-expect: stopped "refused: it would discard dirty cache lines"
 * minihv-needs: x86-instructions
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	if (cpu_cache_invalidate_no_writeback() < 0) {
		report_skip("no INVD on this architecture");
		return 0;
	}
	report(false, "INVD ran in the guest (dirty cache lines may be lost)");
	return 0;
}
