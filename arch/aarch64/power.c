/*
 * The end of the aarch64 hypervisor: power-off, and the EL2 panic that
 * leads to it.  The one place that knows how an aarch64 run ends.
 */
#include <stdint.h>

#include "../../hv/arch.h"
#include "../../hv/hv.h"
#include "../../hv/print.h"

/*
 * Power off with a status.  Under QEMU with -semihosting, the semihosting
 * call SYS_EXIT (0x18) with ADP_Stopped_ApplicationExit (0x20026) ends QEMU
 * with that exit status; "HLT #0xf000" is the AArch64 semihosting trap.
 * Without semihosting that instruction would fault, so it is only used when
 * the firmware state is back; as a fallback the firmware powers off.
 */
void arch_power_off(int status, void (*firmware_power_off)(void))
{
	uint64_t block[2] = { 0x20026, (uint64_t)status };
	register uint64_t x0 __asm__("x0") = 0x18;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	if (firmware_power_off)
		firmware_power_off();
	for (;;)
		;
}

/* A fault in the hypervisor itself (called from entry.S).  Give the CPU
 * back to the firmware first: the power-off needs its state. */
void arm_hv_exception(uint64_t type, uint64_t esr, uint64_t elr, uint64_t far)
{
	hv_printf("minihv: PANIC: exception type %llu at EL2: ESR_EL2=0x%llx ELR_EL2=0x%llx FAR_EL2=0x%llx\n",
		  (unsigned long long)type, (unsigned long long)esr,
		  (unsigned long long)elr, (unsigned long long)far);
	hv_printf("SUMMARY: hypervisor panic\n");
	arch_cpu_fini();
	hv_power_off(2);
}
