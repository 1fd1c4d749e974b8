/*
 * What the Intel SDM says about VMX, as tables and pure functions: no
 * hardware access here, so the host unit tests (tests/test_vmx_sdm.c) can
 * check it.
 *
 *   - choosing VM-execution/exit/entry controls from what we want and what
 *     the capability MSRs allow (SDM vol. 3, appendix A.3-A.5)
 *   - the fixed bits of CR0 and CR4 in VMX operation (A.7, A.8)
 *   - names: basic exit reasons (appendix C), VM-instruction errors (31.4),
 *     and the MSRs a guest is likely to touch
 */
#ifndef ARCH_X86_64_VMX_SDM_H
#define ARCH_X86_64_VMX_SDM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The five groups of controls, each with its own capability MSR. */
enum vmx_ctl_group {
	VMX_CTL_PIN,       /* pin-based VM-execution controls */
	VMX_CTL_PROC,      /* primary processor-based VM-execution controls */
	VMX_CTL_PROC2,     /* secondary processor-based VM-execution controls */
	VMX_CTL_EXIT,      /* VM-exit controls */
	VMX_CTL_ENTRY,     /* VM-entry controls */
	VMX_CTL_GROUPS
};

/*
 * A control we would like set.  "required" ones make VMX unusable if the
 * CPU cannot set them; the others are set when the CPU allows it.
 */
struct vmx_control_wish {
	enum vmx_ctl_group group;
	uint32_t bit;
	const char *name;
	bool required;
};

/*
 * Compute the value of every control group.  cap[g] is the group's
 * capability MSR: bits 31:0 are the allowed 0-settings (a 1 there means the
 * control must be 1), bits 63:32 the allowed 1-settings (a 0 there means it
 * must be 0).  Wished-for controls are set where allowed, controls the CPU
 * forces on are set, everything else is 0.  Returns NULL, or the name of
 * the first required control the CPU cannot set.
 */
const char *vmx_choose_controls(const uint64_t cap[VMX_CTL_GROUPS],
				const struct vmx_control_wish *wish, size_t n,
				uint32_t out[VMX_CTL_GROUPS]);

/* A control register value made legal for VMX operation: the bits fixed0
 * says must be 1 are set, the bits fixed1 says must be 0 are cleared. */
static inline uint64_t vmx_fix_cr(uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
	return (value | fixed0) & fixed1;
}

/* "EPT violation", "CPUID", ... for a basic exit reason (bits 15:0). */
const char *vmx_exit_reason_name(unsigned reason);

/* The SDM's words for VM-instruction error n (the VMCS field read after a
 * VMX instruction fails with VMfailValid). */
const char *vmx_insn_error_name(unsigned n);

#endif
