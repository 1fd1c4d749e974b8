/*
 * The guest waits for an interrupt in a loop (WFI on aarch64, HLT on x86)
 * with nothing pending and every interrupt masked: nothing will ever wake
 * it.  Both CPUs trap the instruction to the hypervisor here, which must
 * stop the guest as halted rather than enter it again and again.  (halt.c
 * halts once; this one would halt again if resumed.)
 *
 * minihv-expect: stopped "the guest halted"
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	(void)info;
	for (int i = 0; i < 3; i++)
		cpu_halt();
	report(false, "the guest was resumed three times after halting");
	return 0;
}
