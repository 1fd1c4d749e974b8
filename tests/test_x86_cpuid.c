/*
 * CPUID as a minihv guest sees it (arch/x86_64/x86_cpuid.c): the host's
 * answer with the hypervisor bit and signature added and VMX/SVM hidden.
 * The host's values are made up here, so the test means the same on any
 * machine.
 */
#include <string.h>

#include "unit.h"
#include "../arch/x86_64/x86.h"

static void adjust(uint32_t leaf, uint32_t sub, uint32_t a, uint32_t b, uint32_t c,
		   uint32_t d, uint32_t r[4])
{
	r[0] = a;
	r[1] = b;
	r[2] = c;
	r[3] = d;
	x86_cpuid_adjust(leaf, sub, r);
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
	return unit_done();
}
