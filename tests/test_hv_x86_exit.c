/*
 * The shared x86 exit handling (arch/x86_64/x86_exit.c), fed the records a
 * backend would decode, on the fake backend's VM with EPT and x86-64 guest
 * tables.  Checks what x86_exit_handle tells the core (the exit's kind and
 * reason), how far it tells the backend to step RIP, and that the length of
 * an intercepted instruction comes from the CPU where it is given (VMX) and
 * from the decoder where it is not (SVM, whose NRIP is never trusted).
 */
#include "arch/x86_64/x86_exit.h"
#include "tests/hv_guest.h"

/* x86_fpu.c's XCR0 setter, which needs the CPU: this fake CPU supports
 * x87, SSE and AVX state (0x7), and keeps what the guest set. */
static uint64_t fake_xcr0 = 1;

const char *x86_xcr0_set_for_guest(uint64_t value)
{
	const char *why = x86_xcr0_invalid(value, 0x7);
	if (!why)
		fake_xcr0 = value;
	return why;
}

/* x86_watchdog.c's answer, which needs the TSC: what the test sets. */
static uint64_t watchdog_left = UINT64_MAX;

uint64_t x86_watchdog_left(void)
{
	return watchdog_left;
}

#define CODE_GVA   (VM_RAM_GVA + 0x1000)
#define WINDOW_GPA (MINIHV_HC_WINDOW_GPA + MINIHV_HC_SCRATCH)

static void put_bytes(const struct guest *g, const uint8_t *b, size_t n)
{
	memcpy(guest_ram(g, CODE_GVA), b, n);
}

/* The mode a minihv guest starts in: 64-bit code, 4-level paging. */
static const struct x86_guest_mode mode_64bit = {
	.cr0 = X86_GUEST_CR0, .cr4 = X86_GUEST_CR4, .efer = X86_GUEST_EFER, .cs_l = true,
};

/* Handle x at CODE_GVA; a test that leaves x->mode all zero means the
 * guest's usual 64-bit mode. */
static unsigned handle(struct guest *g, struct x86_exit *x, uint64_t gpr[X86_NR_GPRS],
		       struct x86_mmio_insn *mmio, struct vm_exit *e)
{
	x->rip = gva(CODE_GVA);
	if (x->mode.cr0 == 0 && x->mode.efer == 0)
		x->mode = mode_64bit;
	*e = (struct vm_exit){ .kind = EXIT_HANDLED, .name = "test exit" };
	return x86_exit_handle(g->vcpu, x, gpr, mmio, e);
}

static void test_cpuid_length(void)
{
	static const uint8_t prefixed_cpuid[] = { 0x66, 0x0f, 0xa2 };
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	struct guest g;
	struct x86_mmio_insn mmio;
	struct vm_exit e;
	uint64_t gpr[X86_NR_GPRS] = { [X86_RAX] = 0x40000000 };

	guest_start(&g, "cpuid");
	put_bytes(&g, prefixed_cpuid, sizeof(prefixed_cpuid));
	struct x86_exit x = { .kind = X86_EXIT_CPUID };
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 3,
		 "CPUID without the CPU's length: decoded, prefix included");
	CHECK_EQ(e.kind, EXIT_HANDLED, "... and emulated");
	CHECK_EQ(gpr[X86_RBX], 0x696e696d, "... with the minihv signature in EBX");

	x = (struct x86_exit){ .kind = X86_EXIT_CPUID, .insn_len = 2 };
	put_bytes(&g, ud2, sizeof(ud2));
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 2, "CPUID with the CPU's length: that length");

	x = (struct x86_exit){ .kind = X86_EXIT_CPUID };
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 0, "CPUID exit at bytes that are not CPUID: no step");
	CHECK_EQ(e.kind, EXIT_GUEST_FAULT, "... the guest is refused");
	CHECK(e.reason && strstr(e.reason, "CPUID intercepted at rip 0x40001000, but the instruction there is not CPUID"),
	      "... saying so: %s", e.reason ? e.reason : "(none)");
	guest_end(&g);
}

static void test_xsetbv(void)
{
	static const uint8_t xsetbv[] = { 0x0f, 0x01, 0xd1 };
	struct guest g;
	struct x86_mmio_insn mmio;
	struct vm_exit e;
	uint64_t gpr[X86_NR_GPRS] = { [X86_RAX] = 1 };

	guest_start(&g, "xsetbv");
	put_bytes(&g, xsetbv, sizeof(xsetbv));
	struct x86_exit x = { .kind = X86_EXIT_XSETBV };
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 3, "XSETBV of XCR0 = 0x1: stepped over");
	CHECK_EQ(e.kind, EXIT_HANDLED, "... as emulated");
	gpr[X86_RAX] = 7;
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 3, "XSETBV of XCR0 = 0x7 (AVX): stepped over");
	CHECK_EQ(fake_xcr0, 7u, "... and written into the CPU's XCR0");
	gpr[X86_RAX] = 5;
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 0, "XSETBV of XCR0 = 0x5: not stepped");
	CHECK_STR(e.reason, "XSETBV of XCR0 0x5 refused: it enables AVX state without SSE state (#GP)",
		  "... refused, saying why");
	CHECK_EQ(fake_xcr0, 7u, "... and XCR0 unchanged");
	gpr[X86_RAX] = 0xf;
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 0, "XSETBV of XCR0 = 0xf (a bit the CPU lacks): refused");
	gpr[X86_RAX] = 1;
	gpr[X86_RCX] = 1;
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 0, "XSETBV of XCR1: not stepped");
	CHECK_STR(e.reason, "XSETBV of XCR1: only XCR0 may be set (#GP)", "... refused, naming the register");
	guest_end(&g);
}

/* The null call (hypercall_abi.h): VMCALL (VMX, basic reason 18, length
 * from the CPU) or VMMCALL (SVM, exit code 0x81, decoded); RAX in and out. */
static void test_null_call(void)
{
	static const uint8_t vmmcall[] = { 0x0f, 0x01, 0xd9 };
	static const uint8_t vmcall[] = { 0x0f, 0x01, 0xc1 };
	struct guest g;
	struct x86_mmio_insn mmio;
	struct vm_exit e;
	uint64_t gpr[X86_NR_GPRS] = { [X86_RAX] = MINIHV_NULL_CALL, [X86_RBX] = 0x5ec2e7 };
	struct x86_exit x;

	guest_start(&g, "null_call");
	put_bytes(&g, vmmcall, sizeof(vmmcall));
	x = (struct x86_exit){ .kind = X86_EXIT_VMCALL, .raw_code = 0x81 };
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 3, "VMMCALL (SVM): decoded, stepped over");
	CHECK_EQ(e.kind, EXIT_HANDLED, "... handled");
	CHECK_EQ(gpr[X86_RAX], MINIHV_NULL_CALL_RESULT, "... RAX = MINIHV_NULL_CALL_RESULT");
	CHECK_EQ(gpr[X86_RBX], 0x5ec2e7, "... no other register changed");

	gpr[X86_RAX] = 5;
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 3, "another function number: stepped over");
	CHECK_EQ(gpr[X86_RAX], (uint64_t)MINIHV_ENOSYS, "... RAX = ENOSYS");

	put_bytes(&g, vmcall, sizeof(vmcall));
	x = (struct x86_exit){ .kind = X86_EXIT_VMCALL, .raw_code = 0x81 };
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 0, "a VMMCALL exit at bytes that are VMCALL: no step");
	CHECK_EQ(e.kind, EXIT_GUEST_FAULT, "... the guest is refused");

	gpr[X86_RAX] = MINIHV_NULL_CALL;
	x = (struct x86_exit){ .kind = X86_EXIT_VMCALL, .raw_code = 18, .insn_len = 3 };
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 3, "VMCALL (VMX): the CPU's length");
	CHECK_EQ(gpr[X86_RAX], MINIHV_NULL_CALL_RESULT, "... RAX = MINIHV_NULL_CALL_RESULT");

	g.fv->user_mode = true;
	gpr[X86_RAX] = MINIHV_NULL_CALL;
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 0, "VMCALL from user mode: not stepped");
	CHECK_EQ(e.kind, EXIT_GUEST_FAULT, "... the guest is refused");
	CHECK(e.reason && strstr(e.reason, "from the guest's user mode refused"), "... saying why: %s",
	      e.reason ? e.reason : "(none)");
	CHECK_EQ(gpr[X86_RAX], MINIHV_NULL_CALL, "... RAX untouched");
	guest_end(&g);
}

static void test_mmio(void)
{
	static const uint8_t store[] = { 0x89, 0x02 };  /* mov %eax, (%rdx) */
	static const uint8_t load[] = { 0x8b, 0x02 };   /* mov (%rdx), %eax */
	struct guest g;
	struct x86_mmio_insn mmio;
	struct vm_exit e;
	uint64_t gpr[X86_NR_GPRS] = { [X86_RAX] = 0xffffffff00001234 };

	guest_start(&g, "mmio");
	put_bytes(&g, store, sizeof(store));
	struct x86_exit x = { .kind = X86_EXIT_GPA, .gpa = { .addr = gpa(WINDOW_GPA), .write = true } };
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 0, "a store to unmapped memory: RIP waits for the core");
	CHECK(e.kind == EXIT_MMIO && gpa_val(e.mmio.gpa) == WINDOW_GPA && e.mmio.size == 4 &&
	      e.mmio.write && e.mmio.value == 0x1234,
	      "... an EXIT_MMIO: 4-byte store of EAX's 0x1234");
	CHECK_EQ(mmio.len, 2, "... the decoded length kept for the step");

	put_bytes(&g, load, sizeof(load));
	x.gpa.write = false;
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 0, "a load: no step yet either");
	CHECK(e.kind == EXIT_MMIO && !e.mmio.write && e.mmio.size == 4, "... an EXIT_MMIO load");
	x86_mmio_complete(&mmio, gpr, 0xabcd);
	CHECK_EQ(gpr[X86_RAX], 0xabcd, "x86_mmio_complete: a 32-bit load zero-extends into RAX");

	x.gpa.write = true;
	handle(&g, &x, gpr, &mmio, &e);
	CHECK(e.kind == EXIT_GUEST_FAULT && strstr(e.reason, "reported a write of GPA") &&
	      strstr(e.reason, "is a load"),
	      "the CPU's direction and the instruction's disagree: refused (%s)", e.reason);

	x = (struct x86_exit){ .kind = X86_EXIT_GPA,
			       .gpa = { .addr = gpa(0x1000), .guest_walk = true,
					.linear_valid = true, .linear = gva(0x5000) } };
	handle(&g, &x, gpr, &mmio, &e);
	CHECK_STR(e.reason,
		  "the guest's page-table walk for linear 0x5000 touched guest-physical 0x1000, which is not RAM",
		  "a page walk off RAM: refused, naming both addresses");
	guest_end(&g);
}

/*
 * The guest's mode decides whether its bytes can be read and decoded.  A
 * store from compatibility mode (CS.L=0, CS.D=1 in long mode) must not be
 * decoded as 64-bit code: there "48 89 02" is DEC EAX then a 2-byte store,
 * not one 3-byte REX.W store, and stepping by 3 would skip an instruction.
 * (A guest test would need a 32-bit code segment in a GDT of its own; the
 * exit record carries the CS bits either way, so they are faked here.)
 */
static void test_guest_modes(void)
{
	static const uint8_t rex_store[] = { 0x48, 0x89, 0x02 };
	struct guest g;
	struct x86_mmio_insn mmio;
	struct vm_exit e;
	uint64_t gpr[X86_NR_GPRS] = { 0 };
	struct x86_exit x;

	guest_start(&g, "modes");
	put_bytes(&g, rex_store, sizeof(rex_store));
	x = (struct x86_exit){ .kind = X86_EXIT_GPA, .gpa = { .addr = gpa(WINDOW_GPA), .write = true } };
	handle(&g, &x, gpr, &mmio, &e);
	CHECK(e.kind == EXIT_MMIO && mmio.len == 3, "64-bit mode: REX.W store decoded, 3 bytes");

	x = (struct x86_exit){ .kind = X86_EXIT_GPA, .gpa = { .addr = gpa(WINDOW_GPA), .write = true },
			       .mode = mode_64bit };
	x.mode.cs_l = false;
	x.mode.cs_d = true;
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 0, "compatibility mode: no step");
	CHECK(e.kind == EXIT_GUEST_FAULT && e.reason &&
	      strstr(e.reason, "MMIO from compatibility mode (CS.L=0, CS.D=1) is not supported"),
	      "compatibility mode: the store is refused, not decoded as 64-bit (%s)",
	      e.reason ? e.reason : "(none)");

	x.mode = mode_64bit;
	x.mode.cr4 |= CR4_LA57;
	handle(&g, &x, gpr, &mmio, &e);
	CHECK(e.kind == EXIT_GUEST_FAULT && e.reason &&
	      strstr(e.reason, "unsupported translation regime: 5-level paging"),
	      "5-level paging: refused before any walk (%s)", e.reason ? e.reason : "(none)");

	x = (struct x86_exit){ .kind = X86_EXIT_CPUID, .mode = mode_64bit };
	x.mode.cs_l = false;
	handle(&g, &x, gpr, &mmio, &e);
	CHECK(e.kind == EXIT_GUEST_FAULT && e.reason &&
	      strstr(e.reason, "CPUID from compatibility mode"),
	      "SVM's CPUID in compatibility mode: its length is not decoded as 64-bit (%s)",
	      e.reason ? e.reason : "(none)");
	x.insn_len = 2;
	CHECK_EQ(handle(&g, &x, gpr, &mmio, &e), 2, "VMX's CPUID there: the CPU's length, emulated");

	/* The regimes of SDM vol. 3, 4.1.1. */
	struct x86_guest_mode m = mode_64bit;
	CHECK(x86_unsupported_regime(&m) == NULL, "4-level long mode: walked");
	m.cr0 &= ~CR0_PG;
	m.efer &= ~EFER_LMA;
	CHECK(x86_unsupported_regime(&m) == NULL, "paging off: linear = physical, nothing to walk");
	m.cr0 |= CR0_PG;
	CHECK_STR(x86_unsupported_regime(&m), "PAE paging without long mode (EFER.LMA=0)", "legacy PAE: refused");
	m.cr4 &= ~CR4_PAE;
	CHECK_STR(x86_unsupported_regime(&m), "32-bit paging (CR4.PAE=0)", "32-bit paging: refused");
	m = mode_64bit;
	m.cr4 |= CR4_LA57;
	CHECK_STR(x86_unsupported_regime(&m), "5-level paging (CR4.LA57=1)", "5-level: refused");
	guest_end(&g);
}

/* The refusals both backends share, each in one wording. */
static void test_refusals(void)
{
	struct guest g;
	struct x86_mmio_insn mmio;
	struct vm_exit e;
	uint64_t gpr[X86_NR_GPRS] = { [X86_RAX] = 8, [X86_RCX] = 0x174, [X86_RBX] = 0x5ec2e7 };
	struct x86_exit x;

	guest_start(&g, "refusals");
	x = (struct x86_exit){ .kind = X86_EXIT_MSR, .msr = { .msr = 0x174, .write = true } };
	handle(&g, &x, gpr, &mmio, &e);
	CHECK_STR(e.reason, "WRMSR of MSR 0x174 (IA32_SYSENTER_CS), value 0x8: minihv gives guests no MSRs",
		  "WRMSR: MSR, name and value");

	x = (struct x86_exit){ .kind = X86_EXIT_DR, .dr = { .dr = 0, .write = true, .gpr = X86_RBX } };
	handle(&g, &x, gpr, &mmio, &e);
	CHECK_STR(e.reason, "MOV to DR0 from RBX (0x5ec2e7): minihv guests have no debug registers",
		  "MOV to DR0 with the register known (VMX, SVM with decode assists)");
	x.dr.gpr = -1;
	handle(&g, &x, gpr, &mmio, &e);
	CHECK_STR(e.reason, "MOV to DR0: minihv guests have no debug registers",
		  "... and without it (SVM without decode assists)");

	x = (struct x86_exit){ .kind = X86_EXIT_IO, .io = { .port = 0x3f8, .size = 1, .in = false } };
	handle(&g, &x, gpr, &mmio, &e);
	CHECK_STR(e.reason, "OUT of 1 byte to port 0x3f8: minihv guests have no I/O ports", "OUT");

	x = (struct x86_exit){ .kind = X86_EXIT_EXCEPTION,
			       .exception = { .vector = 14, .has_error = true, .error = 2,
					      .fault_addr = 0x10000000, .delivering = -1 } };
	handle(&g, &x, gpr, &mmio, &e);
	CHECK_STR(e.reason, "the guest took an exception at rip 0x40001000: write to supervisor gva 0x10000000 (not present), error code 0x2",
		  "#PF: the access in words");
	CHECK_STR(e.name, "#PF page fault", "... and the exit named after the vector");

	x = (struct x86_exit){ .kind = X86_EXIT_ENTRY_FAILED, .entry = { .why = "VMRUN refused" } };
	handle(&g, &x, gpr, &mmio, &e);
	CHECK(e.kind == EXIT_HOST_ERROR && strcmp(e.reason, "VMRUN refused") == 0,
	      "an entry failure is the CPU's refusal, in the backend's words");

	x = (struct x86_exit){ .kind = X86_EXIT_HLT };
	CHECK(handle(&g, &x, gpr, &mmio, &e) == 0 && e.kind == EXIT_HALT, "HLT: the guest halts");

	/* The watchdog's clock: the guest resumes where it was until the
	 * deadline has passed, then the run ends. */
	watchdog_left = 1000;
	x = (struct x86_exit){ .kind = X86_EXIT_TIMER };
	CHECK(handle(&g, &x, gpr, &mmio, &e) == 0 && e.kind == EXIT_HANDLED,
	      "a timer exit before the deadline: resume, RIP unchanged");
	watchdog_left = 0;
	CHECK(handle(&g, &x, gpr, &mmio, &e) == 0 && e.kind == EXIT_WATCHDOG,
	      "a timer exit after the deadline: the watchdog ends the run");
	watchdog_left = UINT64_MAX;

	x = (struct x86_exit){ .kind = X86_EXIT_UNKNOWN, .raw_code = 0x7b };
	handle(&g, &x, gpr, &mmio, &e);
	CHECK_STR(e.reason, "unexpected exit test exit (code 0x7b) at rip 0x40001000: nothing in minihv handles it",
		  "an unknown exit: its raw code");
	guest_end(&g);
}

int main(void)
{
	unit_begin("test_hv_x86_exit");
	test_pool_init();
	hv_test_config(0);  /* EPT with x86-64 guest tables */
	test_cpuid_length();
	test_xsetbv();
	test_null_call();
	test_mmio();
	test_refusals();
	test_guest_modes();
	CHECK_EQ(test_leaks, 0, "every one of the %u VMs gave the whole pool back", test_vms);
	return unit_done();
}
