/*
 * CPUID as a minihv guest sees it (arch/x86_64/x86_cpuid.c): the host's
 * answer with the hypervisor bit and signature added and VMX/SVM hidden.
 * And how minihv reaches XCR0 (x86_xcr0_plan): from CPUID and the
 * firmware's CR4, whether CR4.OSXSAVE is left alone, lifted for a moment,
 * or the CPU model refused.  The host's values are made up here, so the
 * test means the same on any machine.
 */
#include <string.h>

#include "unit.h"
#include "../arch/x86_64/x86.h"

#define XSAVE    (1u << 26)
#define OSXSAVE  (1ull << 18)
#define CR4_UEFI 0x668ull   /* what OVMF leaves: OSXMMEXCPT OSFXSR MCE PAE DE */

/* The signatures as CPUID 4000_0000 returns them in EBX, ECX, EDX. */
static void signature(const char *twelve, uint32_t sig[3])
{
	memcpy(sig, twelve, 12);
}

static enum x86_xcr0_plan plan(uint32_t leaf1_ecx, uint32_t leaf_d1_eax, const char *sig,
			       uint64_t cr4, const char **why)
{
	struct x86_xsave_facts f = { .leaf1_ecx = leaf1_ecx, .leaf_d1_eax = leaf_d1_eax,
				     .firmware_cr4 = cr4 };
	signature(sig, f.hv_sig);
	return x86_xcr0_plan(&f, why);
}

/*
 * XSETBV's checks (SDM vol. 1, 13.3), on a CPU supporting x87, SSE, AVX,
 * AVX-512 (bits 5-7), PKRU (9) and AMX (17, 18), but not MPX (3, 4).
 */
static void test_xcr0_invalid(void)
{
	const uint64_t sup = 0x7 | 0xe0 | 0x200 | 0x60000;

	CHECK(x86_xcr0_invalid(0x1, sup) == NULL, "XCR0 0x1 (x87): valid");
	CHECK(x86_xcr0_invalid(0x3, sup) == NULL, "XCR0 0x3 (x87, SSE): valid");
	CHECK(x86_xcr0_invalid(0x7, sup) == NULL, "XCR0 0x7 (AVX): valid");
	CHECK(x86_xcr0_invalid(0xe7, sup) == NULL, "XCR0 0xe7 (AVX-512): valid");
	CHECK(x86_xcr0_invalid(0x60207, sup) == NULL, "XCR0 0x60207 (PKRU, AMX): valid");
	CHECK(x86_xcr0_invalid(0x0, sup) != NULL, "XCR0 0x0: x87 bit clear");
	CHECK(x86_xcr0_invalid(0x2, sup) != NULL, "XCR0 0x2: x87 bit clear");
	CHECK(x86_xcr0_invalid(0x5, sup) != NULL, "XCR0 0x5: AVX without SSE");
	CHECK(x86_xcr0_invalid(0x1f, 0x1f) == NULL, "XCR0 0x1f (MPX both): valid where supported");
	CHECK(x86_xcr0_invalid(0xf, 0x1f) != NULL, "XCR0 0xf: one MPX half");
	CHECK(x86_xcr0_invalid(0x17, 0x1f) != NULL, "XCR0 0x17: the other MPX half");
	CHECK(x86_xcr0_invalid(0x1f, sup) != NULL, "XCR0 0x1f: MPX unsupported here");
	CHECK(x86_xcr0_invalid(0x67, sup) != NULL, "XCR0 0x67: two of AVX-512's three");
	CHECK(x86_xcr0_invalid(0xe3, sup) != NULL, "XCR0 0xe3: AVX-512 without AVX");
	CHECK(x86_xcr0_invalid(0x20207, sup) != NULL, "XCR0 0x20207: one AMX half");
	CHECK(x86_xcr0_invalid(0x8000000000000001ull, sup) != NULL, "XCR0 bit 63: reserved");
	CHECK(x86_xcr0_invalid(0x7, 0x3) != NULL, "XCR0 0x7 where AVX is unsupported");
}

static void test_xcr0_plan(void)
{
	const char *why = "unset";
	const char *none = "\0\0\0\0\0\0\0\0\0\0\0";

	/* No XSAVE (Opteron_G3, phenom): no XCR0, CR4.OSXSAVE is reserved. */
	CHECK_EQ(plan(0x00802009, 0, "TCGTCGTCGTCG", CR4_UEFI, &why), X86_XCR0_ABSENT,
		 "no XSAVE: XCR0 and CR4 left alone");
	CHECK(why == NULL, "no XSAVE: no refusal");

	/* XSAVE and the firmware already set OSXSAVE: nothing to lift, and
	 * the CPU has shown it takes the bit, whatever leaf 0DH.1 says. */
	CHECK_EQ(plan(XSAVE, 0, "TCGTCGTCGTCG", CR4_UEFI | OSXSAVE, &why), X86_XCR0_READY,
		 "firmware set OSXSAVE: used as it is");
	CHECK_EQ(plan(XSAVE, 5, none, CR4_UEFI | OSXSAVE, &why), X86_XCR0_READY,
		 "firmware set OSXSAVE, real CPU: used as it is");

	/* XSAVE, OSXSAVE clear (OVMF): lifted around XGETBV/XSETBV... */
	CHECK_EQ(plan(XSAVE, 0x5, "TCGTCGTCGTCG", CR4_UEFI, &why), X86_XCR0_LIFT_OSXSAVE,
		 "TCG max/EPYC (XSAVEOPT...): OSXSAVE lifted");
	CHECK_EQ(plan(XSAVE, 0, none, CR4_UEFI, &why), X86_XCR0_LIFT_OSXSAVE,
		 "real CPU with XSAVE but no XSAVEOPT (Bulldozer): OSXSAVE lifted, not refused");
	CHECK_EQ(plan(XSAVE, 0, "KVMKVMKVM\0\0\0", CR4_UEFI, &why), X86_XCR0_LIFT_OSXSAVE,
		 "the same model under KVM: not refused");
	CHECK_EQ(plan(XSAVE, 0, "TCGTCGTCGTCH", CR4_UEFI, &why), X86_XCR0_LIFT_OSXSAVE,
		 "the whole signature is compared");
	CHECK(why == NULL, "lifted: no refusal");

	/* ...except on QEMU's TCG with leaf 0DH.1 empty (Opteron_G4, G5),
	 * where setting OSXSAVE never completes. */
	CHECK_EQ(plan(0xb6983203, 0, "TCGTCGTCGTCG", CR4_UEFI, &why), X86_XCR0_REFUSE,
		 "TCG Opteron_G5 (XSAVE, leaf 0DH.1 = 0): refused");
	CHECK(why != NULL && strstr(why, "CR4.OSXSAVE") && strstr(why, "0DH"),
	      "the refusal names the flaw: %s", why ? why : "(null)");
}

static const struct x86_guest_insns all_insns = { .rdtscp = true, .invpcid = true, .xsaves = true };
static const struct x86_guest_insns no_insns = { .rdtscp = false, .invpcid = false, .xsaves = false };

/* The host's answer a..d, adjusted for a guest with CR4 = cr4 that may run
 * the instructions in can. */
static void adjust_for(uint32_t leaf, uint32_t sub, uint64_t cr4, const struct x86_guest_insns *can,
		       uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t r[4])
{
	r[0] = a;
	r[1] = b;
	r[2] = c;
	r[3] = d;
	x86_cpuid_adjust(leaf, sub, cr4, can, r);
}

static void adjust(uint32_t leaf, uint32_t sub, uint32_t a, uint32_t b, uint32_t c,
		   uint32_t d, uint32_t r[4])
{
	adjust_for(leaf, sub, CR4_PAE, &all_insns, a, b, c, d, r);
}

/* What follows the guest's CR4 and what the backend lets it run. */
static void test_guest_view(void)
{
	uint32_t r[4];
	const uint32_t xsave = 1u << 26, osxsave = 1u << 27;

	adjust_for(1, 0, CR4_PAE, &all_insns, 0, 0, xsave | osxsave, 0, r);
	CHECK_EQ(r[2] & osxsave, 0u, "leaf 1: OSXSAVE clear while the guest's CR4.OSXSAVE is");
	adjust_for(1, 0, CR4_PAE | CR4_OSXSAVE, &all_insns, 0, 0, xsave, 0, r);
	CHECK_EQ(r[2] & osxsave, osxsave,
		 "leaf 1: OSXSAVE set once the guest sets CR4.OSXSAVE (the host's CR4 has it clear)");
	adjust_for(1, 0, CR4_OSXSAVE, &all_insns, 0, 0, 0, 0, r);
	CHECK_EQ(r[2] & osxsave, 0u, "leaf 1: never OSXSAVE without XSAVE");

	adjust_for(7, 0, CR4_PKE, &all_insns, 0, 0, 1u << 3, 0, r);
	CHECK_EQ(r[2] & (1u << 4), 1u << 4, "leaf 7.0: OSPKE follows the guest's CR4.PKE");
	adjust_for(7, 0, 0, &all_insns, 0, 0, (1u << 3) | (1u << 4), 0, r);
	CHECK_EQ(r[2] & (1u << 4), 0u, "leaf 7.0: ... and is clear while CR4.PKE is");

	adjust_for(7, 0, 0, &no_insns, 0, 0xffffffffu, 0xffffffffu, 0, r);
	CHECK_EQ(r[1], 0xffffffffu & ~(1u << 10), "leaf 7.0: INVPCID hidden where the backend cannot enable it");
	CHECK_EQ(r[2] & (1u << 22), 0u, "leaf 7.0: RDPID hidden with RDTSCP");
	adjust_for(7, 0, 0, &all_insns, 0, 0xffffffffu, 0, 0, r);
	CHECK_EQ(r[1], 0xffffffffu, "leaf 7.0: INVPCID kept where it works");
	adjust_for(0x80000001, 0, 0, &no_insns, 0, 0, 0, 0xffffffffu, r);
	CHECK_EQ(r[3], 0xffffffffu & ~(1u << 27), "leaf 8000_0001: RDTSCP hidden where it would #UD");
	adjust_for(0x80000001, 0, 0, &all_insns, 0, 0, 0, 0xffffffffu, r);
	CHECK_EQ(r[3], 0xffffffffu, "leaf 8000_0001: RDTSCP kept where it works");
	adjust_for(0xd, 1, 0, &no_insns, 0xf, 0, 0, 0, r);
	CHECK_EQ(r[0], 0x7u, "leaf 0DH.1: XSAVES hidden where it would #UD");
	adjust_for(0xd, 0, 0, &no_insns, 0xf, 0, 0, 0, r);
	CHECK_EQ(r[0], 0xfu, "leaf 0DH.0: untouched");
}

int main(void)
{
	uint32_t r[4];
	unit_begin("test_x86_cpuid");

	/* Leaf 1: hypervisor present, VMX and OSXSAVE gone, the rest kept. */
	adjust(1, 0, 0x000306c3, 0x12345678, 0xffffffffu & ~(1u << 31), 0xbfebfbff, r);
	CHECK(r[2] & (1u << 31), "leaf 1: hypervisor-present bit set");
	CHECK(!(r[2] & (1u << 5)), "leaf 1: VMX hidden");
	CHECK(!(r[2] & (1u << 27)), "leaf 1: OSXSAVE cleared (the guest's CR4 has no OSXSAVE)");
	CHECK_EQ(r[2] | (1u << 5) | (1u << 27), 0xffffffffu, "leaf 1: other ECX bits kept");
	CHECK_EQ(r[0], 0x000306c3u, "leaf 1: EAX kept");
	CHECK_EQ(r[1], 0x12345678u, "leaf 1: EBX kept");
	CHECK_EQ(r[3], 0xbfebfbffu, "leaf 1: EDX kept");

	/* Leaf 7: OSPKE only in subleaf 0. */
	adjust(7, 0, 0, 0xffffffffu, 0xffffffffu, 0, r);
	CHECK_EQ(r[2], 0xffffffffu & ~(1u << 4), "leaf 7.0: OSPKE cleared, rest kept");
	CHECK_EQ(r[1], 0xffffffffu, "leaf 7.0: EBX kept");
	adjust(7, 1, 0, 0, 0xffffffffu, 0, r);
	CHECK_EQ(r[2], 0xffffffffu, "leaf 7.1: untouched");

	/* AMD: SVM hidden, its feature leaf empty. */
	adjust(0x80000001, 0, 1, 2, 0xffffffffu, 4, r);
	CHECK_EQ(r[2], 0xffffffffu & ~(1u << 2), "leaf 8000_0001: SVM hidden, rest kept");
	CHECK_EQ(r[3], 4u, "leaf 8000_0001: EDX kept");
	adjust(0x8000000a, 0, 1, 16, 0, 0x1ffff, r);
	CHECK(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0, "leaf 8000_000A: all zero");

	/* The hypervisor range. */
	adjust(0x40000000, 0, 7, 7, 7, 7, r);
	char sig[13];
	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	sig[12] = '\0';
	CHECK(strcmp(sig, "minihv") == 0, "leaf 4000_0000: signature \"%s\"", sig);
	CHECK_EQ(r[0], 0x40000000u, "leaf 4000_0000: highest hypervisor leaf");
	adjust(0x40000001, 0, 7, 7, 7, 7, r);
	CHECK(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0, "leaf 4000_0001: empty");
	adjust(0x4fffffff, 0, 7, 7, 7, 7, r);
	CHECK(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0, "leaf 4FFF_FFFF: empty");

	/* Anything else passes through. */
	adjust(0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69, r);
	CHECK(r[0] == 0xd && r[1] == 0x756e6547 && r[2] == 0x6c65746e && r[3] == 0x49656e69,
	      "leaf 0: untouched");
	adjust(0x50000000, 0, 1, 2, 3, 4, r);
	CHECK(r[0] == 1 && r[1] == 2 && r[2] == 3 && r[3] == 4, "leaf 5000_0000: untouched");

	test_xcr0_invalid();
	test_xcr0_plan();
	test_guest_view();
	return unit_done();
}
