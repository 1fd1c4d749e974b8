/*
 * CPUID as a minihv guest sees it.
 *
 * CPUID always traps to the hypervisor under SVM (if intercepted) and VMX
 * (unconditionally), so the hypervisor decides what the guest is told.
 * minihv passes the host's answer through, with three kinds of change:
 *
 *   - the "hypervisor present" bit (leaf 1, ECX bit 31) is set, and the
 *     hypervisor range 0x40000000.. answers with our signature, the way
 *     guests detect KVM, Hyper-V or Xen;
 *   - VMX and SVM are hidden: minihv does not virtualize them, and a guest
 *     that tried would only hit an intercept;
 *   - bits that report what the OS has enabled in CR4 (OSXSAVE, OSPKE)
 *     are cleared, because they describe the host's CR4, not the guest's
 *     (a minihv guest starts with CR4 = PAE only).
 */
#include "x86.h"

#define LEAF_FEATURES      0x00000001u
#define LEAF_EXT_FEATURES  0x00000007u
#define LEAF_HV_BASE       0x40000000u
#define LEAF_HV_LAST       0x4fffffffu
#define LEAF_AMD_FEATURES  0x80000001u
#define LEAF_AMD_SVM       0x8000000au

#define F1_ECX_VMX         (1u << 5)
#define F1_ECX_OSXSAVE     (1u << 27)
#define F1_ECX_HYPERVISOR  (1u << 31)
#define F7_ECX_OSPKE       (1u << 4)
#define AMD_ECX_SVM        (1u << 2)

/* "minihv" in EBX, ECX, EDX, little-endian, NUL-padded: "mini" "hv\0\0". */
#define SIG_EBX 0x696e696du
#define SIG_ECX 0x00007668u
#define SIG_EDX 0x00000000u

void x86_cpuid_adjust(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	if (leaf >= LEAF_HV_BASE && leaf <= LEAF_HV_LAST) {
		/* Our range: only the signature leaf exists. */
		r[0] = r[1] = r[2] = r[3] = 0;
		if (leaf == LEAF_HV_BASE) {
			r[0] = LEAF_HV_BASE; /* highest hypervisor leaf */
			r[1] = SIG_EBX;
			r[2] = SIG_ECX;
			r[3] = SIG_EDX;
		}
		return;
	}
	switch (leaf) {
	case LEAF_FEATURES:
		r[2] &= ~(F1_ECX_VMX | F1_ECX_OSXSAVE);
		r[2] |= F1_ECX_HYPERVISOR;
		break;
	case LEAF_EXT_FEATURES:
		if (subleaf == 0)
			r[2] &= ~F7_ECX_OSPKE;
		break;
	case LEAF_AMD_FEATURES:
		r[2] &= ~AMD_ECX_SVM;
		break;
	case LEAF_AMD_SVM:
		r[0] = r[1] = r[2] = r[3] = 0; /* SVM revision, ASIDs, features */
		break;
	}
}

void x86_emulate_cpuid(uint32_t leaf, uint32_t subleaf, uint64_t *rax, uint64_t *rbx,
		       uint64_t *rcx, uint64_t *rdx)
{
	uint32_t r[4];

	x86_cpuid(leaf, subleaf, &r[0], &r[1], &r[2], &r[3]);
	x86_cpuid_adjust(leaf, subleaf, r);
	/* CPUID writes 32-bit registers, which zero-extends into 64 bits. */
	*rax = r[0];
	*rbx = r[1];
	*rcx = r[2];
	*rdx = r[3];
}
