/*
 * The x86_64 arch layer: one arch interface, two backends.
 *
 * A PC may offer Intel VMX or AMD SVM (never both), so the backend is chosen
 * at run time, from CPUID, by arch_cpu_init.  After that every arch_* call
 * is one indirect call into the chosen struct x86_backend.  What both
 * backends need -- power-off, turning an MMIO exit into an access for the
 * core, CPUID and XSETBV as a guest sees them, the clean FP/SIMD state and
 * XCR0 of a new vCPU -- lives here and in x86_cpuid.c.  (The serial console
 * is uart16550.c.)
 */
#include "x86.h"
#include "x86_insn.h"
#include "x86_msr.h"
#include "../../hv/print.h"
#include "../../lib/minihv_string.h"

/* The backend arch_cpu_init chose; NULL before (and if it found none). */
static const struct x86_backend *backend;

/* RFLAGS as the firmware had it, for arch_cpu_fini to restore IF. */
static uint64_t firmware_rflags;

/* ---- XCR0 ---- */

/*
 * How XCR0 is reached here (x86_xcr0_plan, x86.h says why there is a
 * choice at all), decided once by arch_cpu_init.
 */
static enum x86_xcr0_plan xcr0_plan = X86_XCR0_ABSENT;

/* XCR0 as the firmware left it, put back when a VM ends. */
static uint64_t firmware_xcr0;

/* The XCR0 minihv last set: what the guest finds when its XSETBV exits
 * (a CPU that honours the intercept lets no guest change it), so the exit
 * path needs no XGETBV -- and no CR4 change. */
static uint64_t xcr0_in_effect;

static void read_xsave_facts(struct x86_xsave_facts *f)
{
	uint32_t max, a, b, c, d;

	x86_cpuid(0, 0, &max, &b, &c, &d);
	x86_cpuid(1, 0, &a, &b, &f->leaf1_ecx, &d);
	f->leaf_d1_eax = 0;
	if (max >= 0xd)
		x86_cpuid(0xd, 1, &f->leaf_d1_eax, &b, &c, &d);
	/* Any CPU answers leaf 4000_0000 (a real one with unrelated values
	 * or zeros), and no real one with an emulator's signature. */
	x86_cpuid(0x40000000u, 0, &a, &f->hv_sig[0], &f->hv_sig[1], &f->hv_sig[2]);
	f->firmware_cr4 = read_cr4();
}

/*
 * XGETBV and XSETBV #UD unless CR4.OSXSAVE is set.  With the plan
 * X86_XCR0_LIFT_OSXSAVE the firmware left it clear: set it for just this
 * instruction and put the firmware's CR4 back, so the firmware never runs
 * with a bit it did not choose.  Only called when the CPU has XSAVE.
 */
static void lift_osxsave(uint64_t cr4)
{
	if (xcr0_plan == X86_XCR0_LIFT_OSXSAVE)
		write_cr4(cr4 | CR4_OSXSAVE);
}

static void drop_osxsave(uint64_t cr4)
{
	if (xcr0_plan == X86_XCR0_LIFT_OSXSAVE)
		write_cr4(cr4);
}

static uint64_t xcr0_read(void)
{
	uint64_t cr4 = read_cr4();

	lift_osxsave(cr4);
	uint64_t v = x86_xgetbv0();
	drop_osxsave(cr4);
	return v;
}

static void xcr0_write(uint64_t v)
{
	uint64_t cr4 = read_cr4();

	lift_osxsave(cr4);
	x86_xsetbv0(v);
	drop_osxsave(cr4);
	xcr0_in_effect = v;
}

/*
 * Decide how XCR0 is reached and read the firmware's value.  -1 (after
 * saying why) on a CPU model whose CR4.OSXSAVE is known not to work,
 * which no minihv guest could use either.
 */
static int xcr0_init(void)
{
	struct x86_xsave_facts facts;
	const char *why;

	read_xsave_facts(&facts);
	xcr0_plan = x86_xcr0_plan(&facts, &why);
	switch (xcr0_plan) {
	case X86_XCR0_REFUSE:
		hv_printf("minihv: XCR0: %s\n", why);
		return -1;
	case X86_XCR0_ABSENT:
		firmware_xcr0 = xcr0_in_effect = 0;
		return 0;
	case X86_XCR0_LIFT_OSXSAVE:
		/* Said before the first MOV to CR4: if a CPU should hang on
		 * it anyway, the last line names what was being done. */
		hv_printf("minihv: XCR0: the firmware left CR4.OSXSAVE clear; minihv sets it only around XGETBV/XSETBV at VM boundaries\n");
		break;
	case X86_XCR0_READY:
		break;
	}
	firmware_xcr0 = xcr0_in_effect = xcr0_read();
	return 0;
}

/*
 * XCR0 is one register for the host and every guest, and neither VM entry
 * nor VMRUN switches it.  Both backends intercept XSETBV and accept only
 * the value in effect (x86_emulate_xsetbv), but a CPU may ignore the
 * intercept (QEMU's TCG does, for SVM), and then a guest's XCR0 stays
 * behind.  So it is set at the VM boundary: X86_GUEST_XCR0 for each new
 * vCPU, the firmware's value again when the VM ends -- always written,
 * never skipped as "already so", since a guest may have changed it behind
 * the intercept's back.  That is enough only because one VM runs at a time
 * and the hypervisor itself never uses XSAVE state; a scheduler that
 * interleaved VMs would have to switch XCR0 on every entry and exit, as
 * KVM does.
 */
static void xcr0_for_new_vcpu(void)
{
	if (xcr0_plan != X86_XCR0_ABSENT)
		xcr0_write(X86_GUEST_XCR0);
}

static void xcr0_for_firmware(void)
{
	if (xcr0_plan != X86_XCR0_ABSENT)
		xcr0_write(firmware_xcr0);
}

/* ---- choosing the backend ---- */

static void cpu_vendor(char out[13])
{
	uint32_t a, b, c, d;
	x86_cpuid(0, 0, &a, &b, &c, &d);
	/* The vendor string is EBX, EDX, ECX, in that order. */
	const uint32_t words[3] = { b, d, c };
	for (int i = 0; i < 12; i++)
		out[i] = (char)(words[i / 4] >> (8 * (i % 4)));
	out[12] = '\0';
}

static bool same_string(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int arch_cpu_init(void)
{
	char vendor[13];
	cpu_vendor(vendor);

	/*
	 * Each probe checks its own CPUID bits, so trying both on any CPU is
	 * safe; the vendor only decides which one is tried (and reported)
	 * first.  A CPU that fails both says why twice: once per backend.
	 */
	const struct x86_backend *order[2] = { &x86_svm_backend, &x86_vmx_backend };
	if (same_string(vendor, "GenuineIntel")) {
		order[0] = &x86_vmx_backend;
		order[1] = &x86_svm_backend;
	}
	hv_printf("minihv: CPU vendor \"%s\"\n", vendor);

	const struct x86_backend *chosen = NULL;
	for (int i = 0; i < 2 && !chosen; i++) {
		char why[200] = "";
		if (order[i]->probe(why, sizeof(why)))
			chosen = order[i];
		else
			hv_printf("minihv: %s: not usable: %s\n", order[i]->name, why);
	}
	if (!chosen) {
		hv_printf("minihv: this CPU offers neither Intel VMX nor AMD SVM that minihv can use\n");
		return -1;
	}

	/*
	 * While the hypervisor owns the CPU, the firmware's interrupt
	 * handlers must not run: a timer tick arriving between VMRUN and its
	 * exit, or with our host state half set up, is not something the
	 * firmware expects.  Nothing of ours needs interrupts (the console
	 * is polled), so they stay masked until arch_cpu_fini; whatever
	 * arrives meanwhile stays pending and the firmware takes it then.
	 */
	if (xcr0_init())
		return -1;
	firmware_rflags = read_rflags();
	x86_cli();
	if (chosen->cpu_init()) {
		if (firmware_rflags & RFLAGS_IF)
			x86_sti();
		return -1;
	}
	backend = chosen;
	return 0;
}

void arch_cpu_fini(void)
{
	if (!backend)
		return;
	backend->cpu_fini();
	if (firmware_rflags & RFLAGS_IF)
		x86_sti();
}

const char *arch_name(void)
{
	return backend ? backend->name : "x86_64";
}

/* ---- a clean FP/SIMD state for every new vCPU ---- */

#define MXCSR_RESET 0x1f80u      /* every SIMD exception masked, round to nearest */

/*
 * Neither VM entry nor VM exit switches the x87 and SSE registers (VMX and
 * SVM alike): a guest finds in XMM3 whatever the previous guest left there.
 * The hypervisor itself never uses them (everything is built with
 * -mgeneral-regs-only) and no firmware code runs while guests do, so
 * nothing needs saving: putting them in their reset state once, before a
 * new vCPU first runs, is enough.
 *
 * FNINIT resets the x87 control, status and tag words and the last
 * instruction and operand pointers, but leaves the eight data registers'
 * contents, which FXSAVE and the MMX registers (their low 64 bits) still
 * show; pushing eight zeros overwrites them, and a second FNINIT empties
 * the stack again.  PXOR zeroes XMM0..XMM15 and LDMXCSR resets MXCSR.
 * Their upper halves (YMM, with AVX) are out of a guest's reach: XCR0
 * enables x87 and SSE state only (xcr0_for_new_vcpu).
 */
static void fresh_fpu(void)
{
	static const uint32_t mxcsr = MXCSR_RESET;
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();

	/* UEFI runs with EM and TS clear and OSFXSR set; if not, lift them
	 * for the moment, so none of the instructions below faults. */
	if (cr0 & (CR0_EM | CR0_TS))
		write_cr0(cr0 & ~(CR0_EM | CR0_TS));
	if (!(cr4 & CR4_OSFXSR))
		write_cr4(cr4 | CR4_OSFXSR);
	__asm__ volatile("fninit\n\t"
			 "fldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\t"
			 "fninit\n\t"
			 "pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\t"
			 "pxor %%xmm2, %%xmm2\n\tpxor %%xmm3, %%xmm3\n\t"
			 "pxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
			 "pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\t"
			 "pxor %%xmm8, %%xmm8\n\tpxor %%xmm9, %%xmm9\n\t"
			 "pxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
			 "pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\t"
			 "pxor %%xmm14, %%xmm14\n\tpxor %%xmm15, %%xmm15\n\t"
			 "ldmxcsr %0"
			 : : "m"(mxcsr) : "memory");
	if (!(cr4 & CR4_OSFXSR))
		write_cr4(cr4);
	if (cr0 & (CR0_EM | CR0_TS))
		write_cr0(cr0);
}

/* ---- forwarding: the core calls these only after arch_cpu_init ---- */

const struct pt_format *arch_s2_format(void)
{
	return backend->s2_format();
}

const struct pt_format *arch_gpt_format(void)
{
	return &pt_format_x86_64;
}

int arch_vm_init(struct vm *vm)
{
	return backend->vm_init(vm);
}

void arch_vm_fini(struct vm *vm)
{
	backend->vm_fini(vm);
	xcr0_for_firmware();
}

int arch_vcpu_init(struct vcpu *vcpu, const struct vcpu_boot *boot)
{
	if (backend->vcpu_init(vcpu, boot))
		return -1;
	fresh_fpu();
	xcr0_for_new_vcpu();
	return 0;
}

gpa_t arch_vcpu_gpt_root(const struct vcpu *vcpu)
{
	return backend->vcpu_gpt_root(vcpu);
}

bool arch_vcpu_gpt_enabled(const struct vcpu *vcpu)
{
	return backend->vcpu_gpt_enabled(vcpu);
}

void arch_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	backend->vcpu_run(vcpu, exit);
}

void arch_vcpu_mmio_done(struct vcpu *vcpu, const struct vm_exit *exit, uint64_t value)
{
	backend->vcpu_mmio_done(vcpu, exit, value);
}

void arch_describe_exit(const struct vcpu *vcpu, const struct vm_exit *exit,
			char *buf, size_t len)
{
	backend->describe_exit(vcpu, exit, buf, len);
}

/* ---- power ---- */

/*
 * QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4) ends
 * QEMU with exit status (value << 1) | 1 when the value is written to its
 * port.  Without the device the write goes nowhere, and the firmware powers
 * off instead (exit status 0: the log then carries the verdict).
 */
#define DEBUG_EXIT_PORT 0xf4

void arch_power_off(int status, void (*firmware_power_off)(void))
{
	x86_outl(DEBUG_EXIT_PORT, (uint32_t)status);
	if (firmware_power_off)
		firmware_power_off();
	for (;;)
		;
}

/* ---- the instruction behind an MMIO exit ---- */

size_t x86_fetch_guest_insn(const struct vcpu *vcpu, gva_t rip,
			    uint8_t buf[X86_MAX_INSN_LEN], int *err)
{
	struct guest_mmu mmu;
	vcpu_guest_mmu(vcpu, &mmu);

	/*
	 * An instruction may straddle two pages, and the second may be
	 * unmapped even though the instruction fits in the first: copy page
	 * by page and keep what we got.  The decoder says "truncated" if the
	 * bytes we have are not a whole instruction.
	 */
	size_t got = 0;
	*err = 0;
	while (got < X86_MAX_INSN_LEN) {
		uint64_t at = gva_val(rip) + got;
		size_t chunk = (size_t)(PAGE_SIZE - (at & (PAGE_SIZE - 1)));
		if (chunk > X86_MAX_INSN_LEN - got)
			chunk = X86_MAX_INSN_LEN - got;
		int e = guest_read_virt(&mmu, gva(at), buf + got, chunk);
		if (e) {
			if (got == 0)
				*err = e;
			break;
		}
		got += chunk;
	}
	return got;
}

/*
 * Decode the instruction at rip: from the CPU's bytes if it supplied any,
 * else from guest memory.  On failure, why says what went wrong and which
 * bytes were looked at ("unsupported instruction 0f 0b (2 bytes from guest
 * memory)").
 */
static int decode_guest_insn(const struct vcpu *vcpu, gva_t rip, const uint8_t *bytes,
			     size_t n, struct x86_mmio_insn *out, char *why, size_t len)
{
	uint8_t fetched[X86_MAX_INSN_LEN];
	const char *source = "the CPU's decode assist";

	if (n == 0) {
		int err;
		n = x86_fetch_guest_insn(vcpu, rip, fetched, &err);
		if (n == 0) {
			hv_snprintf(why, len, "cannot read the instruction: %s", mm_strerror(err));
			return X86_DECODE_UNSUPPORTED;
		}
		bytes = fetched;
		source = "guest memory";
	}
	int r = x86_decode_mmio(bytes, n, out, why, len);
	if (r == X86_DECODE_TRUNCATED && bytes != fetched)
		/* The CPU stops its fetch at a page boundary: read the rest. */
		return decode_guest_insn(vcpu, rip, NULL, 0, out, why, len);
	if (r != X86_DECODE_OK) {
		size_t at = strlen(why);
		hv_snprintf(why + at, len - at, " (%llu bytes from %s)",
			    (unsigned long long)n, source);
	}
	return r;
}

void x86_mmio_exit(const struct vcpu *vcpu, const struct x86_mmio_fault *f,
		   const uint64_t gpr[X86_NR_GPRS], struct x86_mmio_insn *insn,
		   struct vm_exit *exit, char *reason, size_t len)
{
	unsigned long long addr = gpa_val(f->gpa), rip = gva_val(f->rip);
	char why[160];

	if (decode_guest_insn(vcpu, f->rip, f->bytes, f->n, insn, why, sizeof(why)) != X86_DECODE_OK) {
		hv_snprintf(reason, len, "%s of GPA 0x%llx by the instruction at rip 0x%llx, which minihv cannot emulate: %s",
			    f->write ? "store" : "load", addr, rip, why);
		exit->kind = EXIT_GUEST_FAULT;
		exit->reason = reason;
		return;
	}
	if (insn->write != f->write) {
		/* The bytes were read after the exit: another vCPU may have
		 * rewritten them in between, or the decoder misreads them.
		 * Either way, emulating them would be wrong. */
		hv_snprintf(reason, len, "the CPU reported a %s of GPA 0x%llx, but the instruction at rip 0x%llx is a %s",
			    f->write ? "write" : "read", addr, rip, insn->write ? "store" : "load");
		exit->kind = EXIT_GUEST_FAULT;
		exit->reason = reason;
		return;
	}
	exit->kind = EXIT_MMIO;
	exit->mmio.gpa = f->gpa;
	exit->mmio.size = insn->size;
	exit->mmio.write = f->write;
	exit->mmio.value = f->write ? x86_mmio_store_value(insn, gpr) : 0;
}

void x86_mmio_complete(const struct x86_mmio_insn *insn, uint64_t gpr[X86_NR_GPRS],
		       uint64_t value)
{
	if (insn->write)
		return;
	unsigned r = x86_mmio_gpr(insn);
	gpr[r] = x86_mmio_load_writeback(insn, gpr[r], value);
}

/* ---- XSETBV ---- */

/*
 * XCR0 says which register state XSAVE manages and which instructions the
 * CPU allows (AVX needs bits 1 and 2).  Neither VM entry nor VMRUN
 * switches it, so a guest's value would become the host's too.  We check
 * the value as the CPU would (a bad one is a #GP there) and accept only
 * the one already in effect.
 */
bool x86_emulate_xsetbv(const uint64_t gpr[X86_NR_GPRS], char *buf, size_t len)
{
	uint32_t index = (uint32_t)gpr[X86_RCX];
	uint64_t value = (gpr[X86_RDX] << 32) | (uint32_t)gpr[X86_RAX];
	uint32_t max, b, c, lo, hi;
	x86_cpuid(0, 0, &max, &b, &c, &hi);
	lo = hi = 0;
	if (max >= 0xd)
		x86_cpuid(0xd, 0, &lo, &b, &c, &hi);
	uint64_t supported = ((uint64_t)hi << 32) | lo;

	if (index != 0)
		hv_snprintf(buf, len, "XCR%u: only XCR0 exists (#GP)", index);
	else if (!(value & 1))
		hv_snprintf(buf, len, "XCR0 0x%llx clears bit 0 (x87 state), which must be set (#GP)",
			    (unsigned long long)value);
	else if (value & ~supported)
		hv_snprintf(buf, len, "XCR0 0x%llx sets bits 0x%llx this CPU does not support (#GP)",
			    (unsigned long long)value, (unsigned long long)(value & ~supported));
	else if ((value & 4) && !(value & 2))
		hv_snprintf(buf, len, "XCR0 0x%llx enables AVX without SSE state (#GP)",
			    (unsigned long long)value);
	else if (value != xcr0_in_effect)
		hv_snprintf(buf, len, "XCR0 0x%llx differs from the host's 0x%llx, and minihv does not switch XCR0",
			    (unsigned long long)value, (unsigned long long)xcr0_in_effect);
	else
		return true;
	return false;
}

/* ---- exception names ---- */

static const char *const exception_names[32] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range exceeded",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 floating-point error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD floating-point error",
	[20] = "#VE virtualization exception",
	[21] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security exception",
};

const char *x86_exception_name(unsigned vector)
{
	if (vector < 32 && exception_names[vector])
		return exception_names[vector];
	return "reserved exception vector";
}

static const char *const gpr_names[X86_NR_GPRS] = {
	"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
	"R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
};

const char *x86_gpr_name(unsigned r)
{
	return r < X86_NR_GPRS ? gpr_names[r] : "?";
}

/*
 * DR0..DR3 (breakpoint addresses) and DR6 (what hit) are one set per CPU:
 * neither VM entry nor VMRUN switches them, so a guest's value would stay
 * for the host and the next guest -- and a breakpoint armed in one could
 * fire in the other.  (DR7, which arms them, is in the VMCS and the VMCB.)
 * minihv guests need none of it: every MOV to or from a debug register
 * exits, and the guest is stopped.
 */
void x86_dr_refusal(char *buf, size_t len, unsigned dr, bool write, int gpr,
		    const uint64_t gprs[X86_NR_GPRS])
{
	char reg[48] = "";

	if (gpr >= 0 && write)
		hv_snprintf(reg, sizeof(reg), " from %s (0x%llx)", x86_gpr_name((unsigned)gpr),
			    (unsigned long long)gprs[gpr]);
	else if (gpr >= 0)
		hv_snprintf(reg, sizeof(reg), " to %s", x86_gpr_name((unsigned)gpr));
	hv_snprintf(buf, len, "MOV %s DR%u%s: minihv guests have no debug registers",
		    write ? "to" : "from", dr, reg);
}

/*
 * A non-maskable interrupt is the host's (a watchdog, a machine's "NMI
 * button"), never a guest's: both backends make it exit instead of letting
 * the CPU deliver it through the guest's IDT.  minihv has no use for one
 * and cannot know what it meant, so the guest is stopped and the run goes
 * on with the next test.
 */
void x86_nmi_refusal(char *buf, size_t len, uint64_t rip)
{
	hv_snprintf(buf, len, "a non-maskable interrupt arrived while the guest ran (rip 0x%llx)",
		    (unsigned long long)rip);
}

void x86_msr_refusal(char *buf, size_t len, uint32_t msr, bool write, uint64_t value)
{
	const char *name = x86_msr_name(msr);
	char val[40] = "";
	if (write)
		hv_snprintf(val, sizeof(val), ", value 0x%llx", (unsigned long long)value);
	hv_snprintf(buf, len, "%s of MSR 0x%x%s%s%s%s: minihv gives guests no MSRs",
		    write ? "WRMSR" : "RDMSR", msr, name ? " (" : "", name ? name : "",
		    name ? ")" : "", val);
}
