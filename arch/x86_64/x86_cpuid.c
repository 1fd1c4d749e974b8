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
 *     follow the guest's own CR4 at the CPUID, as the CPU's do (SDM vol. 2,
 *     CPUID: OSXSAVE "reflects the setting of CR4.OSXSAVE"): the host's
 *     answer describes the host's CR4;
 *   - an instruction the backend does not let the guest run is hidden
 *     (RDTSCP, RDPID, INVPCID where VMX cannot enable them, XSAVES under
 *     VMX, which minihv does not enable): every
 *     feature CPUID advertises works, or the guest is not told of it.
 */
#include "x86.h"
#include "x86_insn.h"

#define LEAF_EXT_FEATURES  0x00000007u
#define LEAF_HV_BASE       0x40000000u
#define LEAF_HV_LAST       0x4fffffffu

#define LEAF_XSAVE         0x0000000du

#define F1_ECX_HYPERVISOR  (1u << 31)
#define F7_EBX_INVPCID     (1u << 10)
#define F7_ECX_PKU         (1u << 3)
#define F7_ECX_OSPKE       (1u << 4)
#define F7_ECX_RDPID       (1u << 22)
#define FD1_EAX_XSAVES     (1u << 3)
#define AMD_EDX_RDTSCP     (1u << 27)

/* All on, for SVM; VMX's cpu_init clears what it could not enable. */
struct x86_guest_insns x86_guest_insns = { .rdtscp = true, .invpcid = true, .xsaves = true };

/* "minihv" in EBX, ECX, EDX, little-endian, NUL-padded: "mini" "hv\0\0". */
#define SIG_EBX 0x696e696du
#define SIG_ECX 0x00007668u
#define SIG_EDX 0x00000000u

void x86_cpuid_adjust(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4,
		      const struct x86_guest_insns *can, uint32_t r[4])
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
	case CPUID_FEATURES:
		r[2] &= ~(CPUID1_ECX_VMX | CPUID1_ECX_OSXSAVE);
		if ((r[2] & CPUID1_ECX_XSAVE) && (guest_cr4 & CR4_OSXSAVE))
			r[2] |= CPUID1_ECX_OSXSAVE;
		r[2] |= F1_ECX_HYPERVISOR;
		break;
	case LEAF_EXT_FEATURES:
		if (subleaf != 0)
			break;
		r[2] &= ~F7_ECX_OSPKE;
		if ((r[2] & F7_ECX_PKU) && (guest_cr4 & CR4_PKE))
			r[2] |= F7_ECX_OSPKE;
		if (!can->invpcid)
			r[1] &= ~F7_EBX_INVPCID;
		if (!can->rdtscp)
			r[2] &= ~F7_ECX_RDPID;
		break;
	case LEAF_XSAVE:
		if (subleaf == 1 && !can->xsaves)
			r[0] &= ~FD1_EAX_XSAVES;
		break;
	case CPUID_AMD_FEATURES:
		r[2] &= ~AMD_ECX_SVM;
		if (!can->rdtscp)
			r[3] &= ~AMD_EDX_RDTSCP;
		break;
	case CPUID_SVM:
		r[0] = r[1] = r[2] = r[3] = 0; /* SVM revision, ASIDs, features */
		break;
	}
}

void x86_emulate_cpuid(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4,
		       uint64_t *rax, uint64_t *rbx, uint64_t *rcx, uint64_t *rdx)
{
	uint32_t r[4];

	x86_cpuid(leaf, subleaf, &r[0], &r[1], &r[2], &r[3]);
	x86_cpuid_adjust(leaf, subleaf, guest_cr4, &x86_guest_insns, r);
	/* CPUID writes 32-bit registers, which zero-extends into 64 bits. */
	*rax = r[0];
	*rbx = r[1];
	*rcx = r[2];
	*rdx = r[3];
}

/* ---- XCR0: may minihv set CR4.OSXSAVE here? ---- */

/* "TCGTCGTCGTCG": QEMU's own emulator (TCG, not KVM) answers CPUID
 * 4000_0000 with this in EBX, ECX, EDX, little-endian. */
#define TCG_SIG_EBX 0x54474354u   /* "TCGT" */
#define TCG_SIG_ECX 0x43544743u   /* "CGTC" */
#define TCG_SIG_EDX 0x47435447u   /* "GTCG" */

bool x86_is_qemu_tcg(const uint32_t sig[3])
{
	return sig[0] == TCG_SIG_EBX && sig[1] == TCG_SIG_ECX && sig[2] == TCG_SIG_EDX;
}

/*
 * The architecture's rule is simple: CR4.OSXSAVE may be set if and only if
 * CPUID.1:ECX.XSAVE is.  A firmware that already set it has shown the CPU
 * takes it, so nothing needs deciding then.
 *
 * The emulator's flaw (QEMU 7.2's TCG, seen with -cpu Opteron_G4 and
 * Opteron_G5): its list of reserved CR4 bits counts OSXSAVE as reserved
 * unless CPUID.(EAX=0DH,ECX=1):EAX is non-zero -- it tests the XSAVEOPT/
 * XSAVEC/XGETBV1/XSAVES word where it means CPUID.1:ECX.XSAVE.  Those two
 * models advertise XSAVE (and AVX) but none of the four, so a MOV to CR4
 * that sets OSXSAVE is "reserved".  And instead of the #GP a CPU raises for
 * that, this QEMU takes an SVM exit with code VMEXIT_INVALID even outside
 * any guest: it saves the CPU's state into the VMCB at physical address 0,
 * loads the "host" state back from the same page, and is at the same MOV
 * again -- forever, with no exception to log.  (Seen: QEMU's -d in_asm
 * logs "vmexit(ffffffff, ...)" two million times in 15 s at the one RIP;
 * gdb finds exit code 0xffffffff at physical 0x70 and that RIP as the
 * VMCB's save.rip at 0x578.)  A guest's own MOV to CR4 goes through the
 * same check (ending in a real VMEXIT_INVALID then), so no minihv guest
 * could use XSAVE on such a model either, even with XCR0 left alone.
 *
 * That bad state cannot be probed for and recovered from, so it is
 * predicted: QEMU's TCG signature, XSAVE advertised and leaf 0DH.1 empty.
 * A real CPU with XSAVE but none of the leaf 0DH.1 features (AMD's first
 * Bulldozers), or such a model under KVM, is not refused: the signature
 * is TCG's alone.  Adding xsaveopt to the model (-cpu Opteron_G5,+xsaveopt)
 * fills leaf 0DH.1, and the suite then passes there.  A TCG run with
 * tcg-cpuid=off hides the signature and would still hang, but not
 * silently: x86.c says what it is about to do before the first lift.
 */
enum x86_xcr0_plan x86_xcr0_plan(const struct x86_xsave_facts *f, const char **why)
{
	*why = NULL;
	if (!(f->leaf1_ecx & CPUID1_ECX_XSAVE))
		return X86_XCR0_ABSENT;
	if (f->firmware_cr4 & CR4_OSXSAVE)
		return X86_XCR0_READY;
	if (x86_is_qemu_tcg(f->hv_sig) && f->leaf_d1_eax == 0) {
		*why = "refusing this QEMU TCG CPU model: it advertises XSAVE (CPUID.1:ECX bit 26) with CPUID.(EAX=0DH,ECX=1):EAX=0, and QEMU then treats CR4.OSXSAVE as reserved: setting it (as minihv must, and guests may) loops forever on an SVM exit instead of a #GP; use -cpu MODEL,+xsaveopt or MODEL,-xsave";
		return X86_XCR0_REFUSE;
	}
	return X86_XCR0_LIFT_OSXSAVE;
}

/* ---- XSETBV: is this an XCR0 the CPU would take? ---- */

#define XCR0_X87        (1ull << 0)
#define XCR0_SSE        (1ull << 1)
#define XCR0_YMM        (1ull << 2)    /* AVX: the upper halves of YMM0-15 */
#define XCR0_BNDREGS    (1ull << 3)    /* MPX */
#define XCR0_BNDCSR     (1ull << 4)
#define XCR0_AVX512     (7ull << 5)    /* opmask, ZMM0-15 upper, ZMM16-31 */
#define XCR0_XTILE      (3ull << 17)   /* AMX: TILECFG, TILEDATA */

/*
 * The rules XSETBV applies to XCR0 before it takes a value (Intel SDM vol. 1,
 * 13.3 "Enabling the XSAVE Feature Set and XSAVE-Enabled Features", and the
 * XSETBV instruction's #GP conditions), so that minihv, which writes a
 * guest's value into the one XCR0 the CPU has, never writes one the CPU
 * itself would refuse: x87 state always on; nothing the CPU lacks; AVX only
 * with SSE state; MPX's two components together; AVX-512's three together
 * and only with AVX; AMX's two together.
 */
const char *x86_xcr0_invalid(uint64_t value, uint64_t supported)
{
	if (!(value & XCR0_X87))
		return "clears bit 0 (x87 state), which must be set";
	if (value & ~supported)
		return "sets bits this CPU does not support";
	if ((value & XCR0_YMM) && !(value & XCR0_SSE))
		return "enables AVX state without SSE state";
	if (!(value & XCR0_BNDREGS) != !(value & XCR0_BNDCSR))
		return "enables one of MPX's two state components without the other";
	if ((value & XCR0_AVX512) && (value & XCR0_AVX512) != XCR0_AVX512)
		return "enables some of AVX-512's three state components, not all";
	if ((value & XCR0_AVX512) && !(value & XCR0_YMM))
		return "enables AVX-512 state without AVX state";
	if ((value & XCR0_XTILE) && (value & XCR0_XTILE) != XCR0_XTILE)
		return "enables one of AMX's two state components without the other";
	return NULL;
}
