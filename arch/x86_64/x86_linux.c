/*
 * Operating-system guests on x86_64: not yet (hv/arch.h,
 * arch_linux_setup).  A Linux guest here needs the x86 boot protocol
 * (boot_params, the zero page, a 64-bit entry), an interrupt controller
 * and a console of its own; the project's plan has "a real OS on x86"
 * after the aarch64 partition.  Until then a config that names one is
 * refused with this reason, and the next guest runs.
 */
#include "x86.h"
#include "x86_insn.h"
#include "../../hv/arch.h"
#include "../../hv/print.h"

struct vcpu *arch_linux_setup(struct vm *vm, const struct linux_boot *lb, char *why, size_t len)
{
	(void)vm;
	(void)lb;
	hv_snprintf(why, len, "Linux guests run only on aarch64 so far: the x86 boot protocol is not written yet");
	return NULL;
}

/* The TSC through a mixer (splitmix64's): only the serial line's token
 * uses it, and no x86 guest owns the serial line yet. */
uint64_t arch_random_u64(void)
{
	static uint64_t calls;
	uint64_t x = x86_rdtsc() ^ (++calls * 0x9e3779b97f4a7c15ull);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}
