/*
 * MSR names (x86_msr.h).  Pure: also built into the host unit tests.
 */
#include <stddef.h>

#include "x86_msr.h"

/* The MSRs a guest is likely to try, for messages. */
static const struct {
	uint32_t msr;
	const char *name;
} msr_names[] = {
	{ 0x00000010, "IA32_TIME_STAMP_COUNTER" },
	{ 0x0000001b, "IA32_APIC_BASE" },
	{ 0x0000003a, "IA32_FEATURE_CONTROL" },
	{ 0x00000048, "IA32_SPEC_CTRL" },
	{ 0x0000008b, "IA32_BIOS_SIGN_ID" },
	{ 0x000000fe, "IA32_MTRRCAP" },
	{ 0x00000174, "IA32_SYSENTER_CS" },
	{ 0x00000175, "IA32_SYSENTER_ESP" },
	{ 0x00000176, "IA32_SYSENTER_EIP" },
	{ 0x000001a0, "IA32_MISC_ENABLE" },
	{ 0x000000c1, "IA32_PMC0" },
	{ 0x00000186, "IA32_PERFEVTSEL0" },
	{ 0x00000187, "IA32_PERFEVTSEL1" },
	{ 0x000001d9, "IA32_DEBUGCTL" },
	{ 0x00000277, "IA32_PAT" },
	{ 0x000002ff, "IA32_MTRR_DEF_TYPE" },
	{ 0x00000480, "IA32_VMX_BASIC" },
	{ 0x0000038f, "IA32_PERF_GLOBAL_CTRL" },
	{ 0x000006e0, "IA32_TSC_DEADLINE" },
	{ 0x00000830, "x2APIC ICR, the interrupt command register" },
	{ 0xc0000080, "IA32_EFER" },
	{ 0xc0000081, "IA32_STAR" },
	{ 0xc0000082, "IA32_LSTAR" },
	{ 0xc0000083, "IA32_CSTAR" },
	{ 0xc0000084, "IA32_FMASK" },
	{ 0xc0000100, "IA32_FS_BASE" },
	{ 0xc0000101, "IA32_GS_BASE" },
	{ 0xc0000102, "IA32_KERNEL_GS_BASE" },
	{ 0xc0000103, "IA32_TSC_AUX" },
	{ 0xc0010000, "PERF_CTL0 (AMD)" },
	{ 0xc0010004, "PERF_CTR0 (AMD)" },
	{ 0xc0010114, "VM_CR" },
	{ 0xc0010117, "VM_HSAVE_PA" },
};

const char *x86_msr_name(uint32_t msr)
{
	for (size_t i = 0; i < sizeof(msr_names) / sizeof(msr_names[0]); i++)
		if (msr_names[i].msr == msr)
			return msr_names[i].name;
	if (msr >= 0x800 && msr <= 0x8ff)
		return "x2APIC register";
	return NULL;
}

/*
 * Why a guest may not have an MSR, where there is more to say than "no
 * MSRs": what the guest would reach through it.  The classes go by the
 * SDM's and the APM's MSR lists, not by single addresses.
 */
const char *x86_msr_why(uint32_t msr)
{
	if (msr == 0x830)
		return "a write sends an interrupt (INIT, start-up, fixed) to another CPU, one of the host's";
	if ((msr >= 0xc1 && msr <= 0xc8) || (msr >= 0x186 && msr <= 0x18d) ||
	    (msr >= 0x309 && msr <= 0x30b) || (msr >= 0x38d && msr <= 0x390) ||
	    (msr >= 0xc0010000 && msr <= 0xc0010007) || (msr >= 0xc0010200 && msr <= 0xc001020b))
		return "minihv guests have no performance monitors (the counters are the CPU's, and count the host too)";
	if (msr == 0x1d9 || (msr >= 0x1db && msr <= 0x1de) || (msr >= 0x680 && msr <= 0x6cf))
		return "minihv guests have no debug registers (debug control and branch records are the CPU's)";
	if (msr == 0x3a || (msr >= 0x480 && msr <= 0x493) || msr == 0xc0010114 || msr == 0xc0010117)
		return "minihv does not offer nested virtualization (these configure the CPU's own VMX or SVM)";
	if (msr == 0x10)
		return "the time stamp counter is the host's clock (VM entry does not switch it)";
	if (msr == 0xc0000080)
		return "EFER holds the hypervisor's SVME and the guest's long mode, which the guest may not change";
	return NULL;
}
