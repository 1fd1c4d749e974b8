/*
 * VMX facts from the Intel SDM: control choice, exit and error names.
 * Pure functions and tables; see vmx_sdm.h.
 */
#include "vmx_sdm.h"

const char *vmx_choose_controls(const uint64_t cap[VMX_CTL_GROUPS],
				const struct vmx_control_wish *wish, size_t n,
				uint32_t out[VMX_CTL_GROUPS])
{
	const char *missing = NULL;

	for (int g = 0; g < VMX_CTL_GROUPS; g++)
		out[g] = (uint32_t)cap[g];        /* the controls forced to 1 */
	for (size_t i = 0; i < n; i++) {
		uint32_t may_be_1 = (uint32_t)(cap[wish[i].group] >> 32);
		if (may_be_1 & wish[i].bit)
			out[wish[i].group] |= wish[i].bit;
		else if (wish[i].required && !missing)
			missing = wish[i].name;
	}
	return missing;
}

/* SDM vol. 3, appendix C: basic exit reasons. */
static const char *const exit_reasons[] = {
	[0] = "exception or NMI",
	[1] = "external interrupt",
	[2] = "triple fault",
	[3] = "INIT signal",
	[4] = "start-up IPI",
	[5] = "I/O SMI",
	[6] = "other SMI",
	[7] = "interrupt window",
	[8] = "NMI window",
	[9] = "task switch",
	[10] = "CPUID",
	[11] = "GETSEC",
	[12] = "HLT",
	[13] = "INVD",
	[14] = "INVLPG",
	[15] = "RDPMC",
	[16] = "RDTSC",
	[17] = "RSM",
	[18] = "VMCALL",
	[19] = "VMCLEAR",
	[20] = "VMLAUNCH",
	[21] = "VMPTRLD",
	[22] = "VMPTRST",
	[23] = "VMREAD",
	[24] = "VMRESUME",
	[25] = "VMWRITE",
	[26] = "VMXOFF",
	[27] = "VMXON",
	[28] = "control-register access",
	[29] = "MOV DR",
	[30] = "I/O instruction",
	[31] = "RDMSR",
	[32] = "WRMSR",
	[33] = "VM-entry failure: invalid guest state",
	[34] = "VM-entry failure: MSR loading",
	[36] = "MWAIT",
	[37] = "monitor trap flag",
	[39] = "MONITOR",
	[40] = "PAUSE",
	[41] = "VM-entry failure: machine-check event",
	[43] = "TPR below threshold",
	[44] = "APIC access",
	[45] = "virtualized EOI",
	[46] = "GDTR/IDTR access",
	[47] = "LDTR/TR access",
	[48] = "EPT violation",
	[49] = "EPT misconfiguration",
	[50] = "INVEPT",
	[51] = "RDTSCP",
	[52] = "VMX-preemption timer expired",
	[53] = "INVVPID",
	[54] = "WBINVD",
	[55] = "XSETBV",
	[56] = "APIC write",
	[57] = "RDRAND",
	[58] = "INVPCID",
	[59] = "VMFUNC",
	[60] = "ENCLS",
	[61] = "RDSEED",
	[62] = "page-modification log full",
	[63] = "XSAVES",
	[64] = "XRSTORS",
	[66] = "SPP-related event",
	[67] = "UMWAIT",
	[68] = "TPAUSE",
	[69] = "LOADIWKEY",
};

const char *vmx_exit_reason_name(unsigned reason)
{
	if (reason < sizeof(exit_reasons) / sizeof(exit_reasons[0]) && exit_reasons[reason])
		return exit_reasons[reason];
	return "unknown exit reason";
}

/* SDM vol. 3, section 31.4 "VM instruction error numbers". */
static const char *const insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_insn_error_name(unsigned n)
{
	if (n < sizeof(insn_errors) / sizeof(insn_errors[0]) && insn_errors[n])
		return insn_errors[n];
	return "unknown VM-instruction error";
}

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
	{ 0x000001d9, "IA32_DEBUGCTL" },
	{ 0x00000277, "IA32_PAT" },
	{ 0x000002ff, "IA32_MTRR_DEF_TYPE" },
	{ 0x00000480, "IA32_VMX_BASIC" },
	{ 0x000006e0, "IA32_TSC_DEADLINE" },
	{ 0xc0000080, "IA32_EFER" },
	{ 0xc0000081, "IA32_STAR" },
	{ 0xc0000082, "IA32_LSTAR" },
	{ 0xc0000083, "IA32_CSTAR" },
	{ 0xc0000084, "IA32_FMASK" },
	{ 0xc0000100, "IA32_FS_BASE" },
	{ 0xc0000101, "IA32_GS_BASE" },
	{ 0xc0000102, "IA32_KERNEL_GS_BASE" },
	{ 0xc0000103, "IA32_TSC_AUX" },
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
