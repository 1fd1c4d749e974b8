/*
 * The x86_64 arch layer: one arch interface, two backends.
 *
 * A PC may offer Intel VMX or AMD SVM (never both), so the backend is chosen
 * at run time, from CPUID, by arch_cpu_init.  After that every arch_* call
 * is one indirect call into the chosen struct x86_backend, plus what the
 * VM boundary needs on every x86 CPU (x86_fpu.c).  Power-off is here too.
 * What both backends share elsewhere: exit handling (x86_exit.c), CPUID
 * (x86_cpuid.c), the instruction decoder (x86_decode.c), the serial
 * console (uart16550.c).
 */
#include "x86.h"
#include "x86_exit.h"
#include "x86_insn.h"
#include "../../hv/print.h"

/* The backend arch_cpu_init chose; NULL before (and if it found none). */
static const struct x86_backend *backend;

/* RFLAGS as the firmware had it, for arch_cpu_fini to restore IF. */
static uint64_t firmware_rflags;

/* CPUID 4000_0000 carries QEMU TCG's signature (x86_is_qemu_tcg). */
static bool host_is_qemu_tcg;

bool x86_host_is_qemu_tcg(void)
{
	return host_is_qemu_tcg;
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
	uint32_t max_hv_leaf, hv_sig[3];
	cpu_vendor(vendor);
	/* Any CPU answers leaf 4000_0000 (a real one with unrelated values
	 * or zeros), and no real one with an emulator's signature. */
	x86_cpuid(0x40000000u, 0, &max_hv_leaf, &hv_sig[0], &hv_sig[1], &hv_sig[2]);
	host_is_qemu_tcg = x86_is_qemu_tcg(hv_sig);

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
	 * One exception: SVM's watchdog lets the firmware take its timer
	 * tick after each INTR exit, at a point of svm_vcpu_run where the
	 * host state is whole (svm_exit.c).
	 */
	if (x86_fpu_init())
		return -1;
	firmware_rflags = read_rflags();
	x86_cli();
	if (chosen->cpu_init()) {
		if (firmware_rflags & RFLAGS_IF)
			x86_sti();
		return -1;
	}
	backend = chosen;
	/* The watchdog's clock; without it, arch_vcpu_watchdog_arm says
	 * false and the tests that need it SKIP. */
	const char *no_watchdog = backend->watchdog_missing();
	if (no_watchdog)
		hv_printf("minihv: no watchdog: %s\n", no_watchdog);
	else
		(void)x86_tsc_calibrate();
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

/*
 * What hv/main.c may believe about this CPU (hv/arch.h).  XCR0 exists for a
 * guest exactly when it does for minihv: x86_cpuid_adjust passes the XSAVE
 * bit through.  The XSETBV hole is QEMU TCG's under SVM: TCG emulates no
 * VMX (and on VMX every XSETBV exits: there is no intercept bit to
 * ignore), and Bochs's SVM honours the VMCB's intercept.  The signature is the one
 * x86_xcr0_plan trusts too; a TCG run with tcg-cpuid=off hides it, and the
 * test then fails plainly rather than being excused.
 */
bool arch_fact(enum arch_fact f)
{
	switch (f) {
	case ARCH_FACT_CPUID:
	case ARCH_FACT_DEBUG_REGISTERS:
	case ARCH_FACT_IO_PORTS:
	case ARCH_FACT_X86_INSTRUCTIONS:
	case ARCH_FACT_USER_MODE:
		return true;
	case ARCH_FACT_SEMIHOSTING:
	case ARCH_FACT_POINTER_AUTH:
	case ARCH_FACT_ARM_SYSTEM_REGISTERS:
	case ARCH_FACT_TIDCP_IGNORED:
	case ARCH_FACT_SVE:
		return false;
	case ARCH_FACT_WATCHDOG:    /* arch_vcpu_watchdog_arm, below */
		return backend && !backend->watchdog_missing() && x86_tsc_known();
	case ARCH_FACT_PAN_SMAP: {  /* CPUID.(EAX=7,ECX=0):EBX.SMAP, bit 20,
				       which guests see as it is */
		uint32_t max, a, b, c, d;
		x86_cpuid(0, 0, &max, &b, &c, &d);
		if (max < 7)
			return false;
		x86_cpuid(7, 0, &a, &b, &c, &d);
		return b & (1u << 20);
	}
	case ARCH_FACT_XCR0:
		return x86_xcr0_exists();
	case ARCH_FACT_XSETBV_INTERCEPT_IGNORED:
		return backend == &x86_svm_backend && host_is_qemu_tcg;
	}
	return false;
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
	x86_fpu_for_firmware();
}

int arch_vcpu_init(struct vcpu *vcpu, const struct vcpu_boot *boot)
{
	/* A deadline left by the previous VM's run does not apply. */
	x86_watchdog_clear();
	if (backend->vcpu_init(vcpu, boot))
		return -1;
	x86_fpu_for_new_vcpu();
	return 0;
}

/*
 * The guest's paging, for every walk of its addresses (mm/guest_mem.c).
 * In a translation regime minihv does not walk (x86_unsupported_regime:
 * 5-level, legacy PAE, 32-bit paging) the exit handlers refuse the guest
 * before any walk; should a walk come anyway, it is handed a root no walk
 * can start from -- the last page of the 52-bit physical space, never
 * inside a VM's RAM -- so it fails (MM_EFAULT) rather than resolve a page
 * the CPU would not.
 */
#define X86_UNWALKABLE_ROOT 0x000ffffffffff000ull

static bool regime_unsupported(const struct vcpu *vcpu)
{
	struct x86_guest_mode mode;

	backend->vcpu_guest_mode(vcpu, &mode);
	return x86_unsupported_regime(&mode) != NULL;
}

gpa_t arch_vcpu_gpt_root(const struct vcpu *vcpu)
{
	if (regime_unsupported(vcpu))
		return gpa(X86_UNWALKABLE_ROOT);
	return backend->vcpu_gpt_root(vcpu);
}

gpa_t x86_vcpu_gpt_root(const struct vcpu *vcpu)
{
	return backend->vcpu_gpt_root(vcpu);
}

bool arch_vcpu_gpt_enabled(const struct vcpu *vcpu)
{
	return regime_unsupported(vcpu) || backend->vcpu_gpt_enabled(vcpu);
}

/* One space, 4-level paging from CR3: what the caller already filled in.
 * (5-level paging, and upper canonical addresses, are not walked: those
 * addresses fail as not mapped.) */
/*
 * x86-64 paging is one space, walked as pt_format_x86_64 does; what the
 * regime adds is SMAP: with CR4.SMAP set and RFLAGS.AC clear, the kernel
 * (CPL 0-2) may not read or write a user page (SDM vol. 3, 4.6.1), and
 * neither may the hypervisor on its behalf.
 */
void arch_vcpu_gpt_regime(const struct vcpu *vcpu, struct guest_mmu *m)
{
	struct x86_guest_mode mode;

	backend->vcpu_guest_mode(vcpu, &mode);
	m->kernel_no_user = (mode.cr4 & CR4_SMAP) && !(mode.rflags & RFLAGS_AC) &&
			    !backend->vcpu_user_mode(vcpu);
}

bool arch_vcpu_user_mode(const struct vcpu *vcpu)
{
	return backend->vcpu_user_mode(vcpu);
}

void arch_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	/* The time ran out during the last exit's handling (it counts:
	 * hv/arch.h): end here rather than give the guest another entry. */
	if (!x86_watchdog_allows_entry(exit))
		return;
	backend->vcpu_run(vcpu, exit);
}

/*
 * The watchdog (hv/arch.h).  x86_watchdog.c keeps the deadline; the
 * backends make sure the clock is looked at while a guest runs (VMX: the
 * preemption timer, vmx_exit.c; SVM: INTR exits, svm_exit.c), and an exit
 * for that reason turns into EXIT_WATCHDOG once the deadline has passed
 * (x86_exit.c, X86_EXIT_TIMER).  Where the backend cannot, nothing is
 * armed and ARCH_FACT_WATCHDOG says so.
 */
bool arch_vcpu_watchdog_arm(struct vcpu *vcpu, uint64_t ms)
{
	(void)vcpu;
	if (backend->watchdog_missing())
		return false;
	return x86_watchdog_set(ms);
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


/* make bench (hv/arch.h): the TSC, one tick an instruction under QEMU's
 * icount and Bochs's sync=none. */
uint64_t arch_bench_insns(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
