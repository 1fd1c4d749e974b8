/*
 * A guest switches to 32-bit compatibility mode (a 32-bit code segment in a
 * GDT of its own, while still in long mode) and loads from the hypercall
 * window there.  The hypervisor decodes MMIO instructions to learn their
 * width and length; decoding this one as 64-bit code would read an 8-byte
 * address where there is a 4-byte one, emulate the wrong instruction and
 * step the guest past the next one.  minihv decodes 64-bit code only, so
 * it must refuse the access by name instead.
 *
 * minihv-expect: stopped "MMIO from compatibility mode"
 * minihv-needs: x86-instructions
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	uint32_t value;
	int next_ran;
	(void)info;

	if (cpu_compat_mode_mmio_load(&value, &next_ran) < 0) {
		report_skip("no compatibility mode on this architecture");
		return 0;
	}
	report(false, "a compatibility-mode MMIO load was emulated (EAX 0x%x); the instruction after it %s",
	       value, next_ran ? "ran" : "was skipped");
	return 0;
}
