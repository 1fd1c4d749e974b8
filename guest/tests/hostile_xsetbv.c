/*
 * A guest asks for an XCR0 no CPU accepts: bit 63, which is reserved.
 * XCR0 is the CPU's one register, which minihv hands to the guest while it
 * runs: a guest's XSETBV exits, and the hypervisor writes the value into
 * the CPU with an XSETBV of its own.  Written unchecked, a value like this
 * one would raise #GP in the hypervisor, at VMX root / with GIF clear --
 * the guest would have crashed the host.  So the hypervisor makes the
 * CPU's own checks first (reserved and unsupported bits, AVX without SSE,
 * AVX-512 and AMX halves) and stops the guest with the reason.
 *
 * Some CPUs let it through to the guest's own CPU state anyway: QEMU
 * 7.2's TCG ignores the VMCB's XSETBV intercept and raises the #GP itself,
 * in the guest, whose exception vectors then report it: contained, but
 * not by the hypervisor.  The hypervisor, not the guest, decides that this
 * is the known failure (it recognises QEMU's TCG under SVM: the fact
 * "xsetbv-intercept-ignored") and prints XFAIL; anywhere else a different
 * stop is a FAIL.
 *
 * On Arm, or an x86 CPU without XSAVE, there is no XCR0 to try: the
 * test skips, and the SKIP counts only because the hypervisor confirms
 * the absence (minihv-needs).
 *
 * minihv-expect: stopped "XSETBV of XCR0 0x8000000000000001 refused: it sets bits this CPU does not support"
 * minihv-needs: xcr0
 * minihv-xfail: "QEMU's TCG runs XSETBV although the VMCB intercepts it" when xsetbv-intercept-ignored
 */
#include "minihv.h"
#include "cpu.h"

#define XCR0_RESERVED_BIT63 0x8000000000000001ull

int test_main(const struct minihv_boot_info *info)
{
	uint64_t xcr0 = 0;
	(void)info;

	if (cpu_write_xcr0(XCR0_RESERVED_BIT63) < 0) {
		report_skip("no XCR0 here (another architecture, or no XSAVE)");
		return 0;
	}
	cpu_read_xcr0(&xcr0);
	report(false, "XSETBV of a reserved bit went through: XCR0 is now 0x%llx",
	       (unsigned long long)xcr0);
	return 0;
}
