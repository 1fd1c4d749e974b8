/*
 * The VMX facts of arch/x86_64/vmx_sdm.c: choosing control values from the
 * capability MSRs, the CR fixed bits, and the names in messages.  The
 * capability values are made up, so the test means the same everywhere.
 */
#include <string.h>

#include "unit.h"
#include "../arch/x86_64/vmx_sdm.h"
#include "../arch/x86_64/x86_msr.h"

/* A capability MSR: bits that must be 1 low, bits that may be 1 high. */
static uint64_t cap(uint32_t must_be_1, uint32_t may_be_1)
{
	return ((uint64_t)may_be_1 << 32) | must_be_1;
}

int main(void)
{
	unit_begin("test_vmx_sdm");
	uint64_t caps[VMX_CTL_GROUPS];
	uint32_t out[VMX_CTL_GROUPS];

	/* The CPU forces bits 1, 2 on everywhere and allows bits 0-7. */
	for (int g = 0; g < VMX_CTL_GROUPS; g++)
		caps[g] = cap(0x6, 0xff);

	const struct vmx_control_wish some[] = {
		{ VMX_CTL_PROC, 1u << 7, "HLT exiting", true },
		{ VMX_CTL_PROC2, 1u << 1, "enable EPT", true },
		{ VMX_CTL_PROC2, 1u << 9, "something optional", false },
	};
	CHECK(vmx_choose_controls(caps, some, 3, out) == NULL, "all required controls available");
	CHECK_EQ(out[VMX_CTL_PROC], 0x86, "wished bit 7 plus the forced bits 1, 2");
	CHECK_EQ(out[VMX_CTL_PROC2], 0x6, "EPT (bit 1) is forced anyway; optional bit 9 dropped");
	CHECK_EQ(out[VMX_CTL_PIN], 0x6, "a group nothing is wished from: only the forced bits");
	CHECK_EQ(out[VMX_CTL_ENTRY], 0x6, "entry controls: only the forced bits");

	const struct vmx_control_wish missing[] = {
		{ VMX_CTL_EXIT, 1u << 9, "host address-space size", true },
		{ VMX_CTL_ENTRY, 1u << 15, "load IA32_EFER", true },
		{ VMX_CTL_ENTRY, 1u << 3, "allowed", true },
	};
	const char *why = vmx_choose_controls(caps, missing, 3, out);
	CHECK(why && strcmp(why, "host address-space size") == 0,
	      "the first missing required control is named: %s", why ? why : "(none)");
	CHECK_EQ(out[VMX_CTL_ENTRY], 0xe, "controls after a missing one are still chosen");

	/* A CPU whose allowed-1 settings are all zero can set nothing. */
	caps[VMX_CTL_PROC2] = 0;
	CHECK(vmx_choose_controls(caps, some, 3, out) != NULL, "no secondary controls: EPT missing");
	CHECK_EQ(out[VMX_CTL_PROC2], 0, "no secondary controls: the group is 0");

	/* CR fixed bits, with Haswell-like values. */
	CHECK_EQ(vmx_fix_cr(0x80000011, 0x80000021, 0xffffffff), 0x80000031,
		 "CR0: NE (bit 5) forced on");
	CHECK_EQ(vmx_fix_cr(0x20, 0x2000, 0x3767ff), 0x2020, "CR4: VMXE forced on");
	CHECK_EQ(vmx_fix_cr(0x400020, 0x2000, 0x3767ff), 0x2020,
		 "CR4: a bit fixed1 does not allow is cleared");

	/* Names. */
	CHECK(strcmp(vmx_exit_reason_name(48), "EPT violation") == 0, "exit reason 48");
	CHECK(strcmp(vmx_exit_reason_name(10), "CPUID") == 0, "exit reason 10");
	CHECK(strcmp(vmx_exit_reason_name(33), "VM-entry failure: invalid guest state") == 0,
	      "exit reason 33");
	CHECK(strcmp(vmx_exit_reason_name(35), "unknown exit reason") == 0, "a hole in the table");
	CHECK(strcmp(vmx_exit_reason_name(65535), "unknown exit reason") == 0, "beyond the table");
	CHECK(strcmp(vmx_insn_error_name(7), "VM entry with invalid control field(s)") == 0,
	      "VM-instruction error 7");
	CHECK(strcmp(vmx_insn_error_name(28), "invalid operand to INVEPT/INVVPID") == 0,
	      "VM-instruction error 28");
	CHECK(strcmp(vmx_insn_error_name(0), "unknown VM-instruction error") == 0, "error 0");
	CHECK(strcmp(vmx_insn_error_name(14), "unknown VM-instruction error") == 0, "error 14");
	CHECK(strcmp(vmx_insn_error_name(1000), "unknown VM-instruction error") == 0, "error 1000");
	CHECK(strcmp(x86_msr_name(0xc0000080), "IA32_EFER") == 0, "MSR EFER");
	CHECK(strcmp(x86_msr_name(0x802), "x2APIC register") == 0, "an x2APIC MSR");
	CHECK(strcmp(x86_msr_name(0x830), "x2APIC ICR, the interrupt command register") == 0,
	      "the x2APIC ICR");
	CHECK(x86_msr_name(0x12345) == NULL, "an MSR without a name");
	/* What each class of MSR would give a guest (the stop messages). */
	CHECK(strstr(x86_msr_why(0x830), "another CPU") != NULL, "ICR: IPIs");
	CHECK(strstr(x86_msr_why(0x186), "performance monitors") != NULL, "Intel PMU");
	CHECK(strstr(x86_msr_why(0xc0010004), "performance monitors") != NULL, "AMD PMU");
	CHECK(strstr(x86_msr_why(0x1d9), "debug registers") != NULL, "DEBUGCTL");
	CHECK(strstr(x86_msr_why(0x48b), "nested virtualization") != NULL, "a VMX capability MSR");
	CHECK(strstr(x86_msr_why(0xc0010117), "nested virtualization") != NULL, "VM_HSAVE_PA");
	CHECK(x86_msr_why(0xc0000081) == NULL, "STAR: just no MSRs");
	return unit_done();
}
