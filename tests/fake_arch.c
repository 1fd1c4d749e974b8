/*
 * The fake backend: every function of hv/arch.h, for host tests of the
 * core.  See fake_arch.h for what it does instead of hardware.
 *
 * This file is the host's stand-in for arch/<cpu>/, so it may use the C
 * library; nothing in hv/ knows it is not talking to a CPU.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake_arch.h"
#include "hv/run.h"

struct fake_arch fake_arch;

void fake_arch_reset(const struct pt_format *s2, const struct pt_format *gpt)
{
	memset(&fake_arch, 0, sizeof(fake_arch));
	fake_arch.s2_fmt = s2;
	fake_arch.gpt_fmt = gpt;
}

const char *fake_console(void)
{
	return fake_arch.console;
}

void fake_console_clear(void)
{
	fake_arch.console_len = 0;
	fake_arch.console[0] = '\0';
	fake_arch.console_overflow = false;
}

struct fake_vcpu *fake_vcpu(const struct vcpu *vcpu)
{
	return vcpu->arch;
}

/* A test that misuses the fake is a broken test, not a failed check: say
 * where and stop. */
__attribute__((noreturn, format(printf, 1, 2)))
static void fake_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "fake_arch: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

/* ---- the CPU ---- */

int arch_cpu_init(void)
{
	fake_arch.cpu_inits++;
	return fake_arch.fail_cpu_init ? -1 : 0;
}

void arch_cpu_fini(void)
{
	fake_arch.cpu_finis++;
}

const char *arch_name(void)
{
	return "fake";
}

bool arch_fact(enum arch_fact f)
{
	if ((unsigned)f >= FAKE_FACTS)
		fake_die("arch_fact(%u): no such fact", (unsigned)f);
	fake_arch.facts_asked++;
	return fake_arch.facts[f];
}

const struct pt_format *arch_s2_format(void)
{
	if (!fake_arch.s2_fmt)
		fake_die("no formats chosen: call fake_arch_reset first");
	return fake_arch.s2_fmt;
}

const struct pt_format *arch_gpt_format(void)
{
	if (!fake_arch.gpt_fmt)
		fake_die("no formats chosen: call fake_arch_reset first");
	return fake_arch.gpt_fmt;
}

void arch_power_off(int status, void (*firmware_power_off)(void))
{
	(void)firmware_power_off;
	/* Only boot/efi_main.c powers off, and it is not part of these
	 * tests: hv_main returns the status instead. */
	fake_die("arch_power_off(%d) called", status);
}

void arch_console_putc(char c)
{
	/* Keep one byte for the terminating NUL. */
	if (fake_arch.console_len + 1 >= sizeof(fake_arch.console)) {
		fake_arch.console_overflow = true;
		return;
	}
	fake_arch.console[fake_arch.console_len++] = c;
	fake_arch.console[fake_arch.console_len] = '\0';
}

/* ---- VMs and vCPUs ---- */

int arch_vm_init(struct vm *vm)
{
	static unsigned next_vmid = 1;

	if (fake_arch.fail_vm_init)
		return -1;
	/* From the VM's pool, as the real backends do, so vm_destroy's
	 * reset must give it back too. */
	struct fake_vm *a = bump_alloc(vm->pool, sizeof(*a), 8);
	if (!a)
		return -1;
	a->vmid = next_vmid++;
	vm->arch = a;
	fake_arch.vm_inits++;
	return 0;
}

void arch_vm_fini(struct vm *vm)
{
	(void)vm;
	fake_arch.vm_finis++;
}

int arch_vcpu_init(struct vcpu *vcpu, const struct vcpu_boot *boot)
{
	if (fake_arch.fail_vcpu_init)
		return -1;
	struct fake_vcpu *a = bump_alloc(vcpu->vm->pool, sizeof(*a), 16);
	if (!a)
		return -1;
	a->boot = *boot;
	a->gpt_root = boot->gpt_root;
	a->gpt_enabled = true;      /* minihv guests start with paging on */
	vcpu->arch = a;
	fake_arch.vcpu_inits++;
	if (fake_arch.on_vcpu_init)
		fake_arch.on_vcpu_init(vcpu);
	return 0;
}

gpa_t arch_vcpu_gpt_root(const struct vcpu *vcpu)
{
	return fake_vcpu(vcpu)->gpt_root;
}

bool arch_vcpu_gpt_enabled(const struct vcpu *vcpu)
{
	return fake_vcpu(vcpu)->gpt_enabled;
}

/* The fake's guest has one space, the format's: nothing to add.  (The
 * split regime is tested on mm/ directly, test_guest_mem.c.) */
void arch_vcpu_gpt_regime(const struct vcpu *vcpu, struct guest_mmu *m)
{
	(void)vcpu;
	(void)m;
}

bool arch_vcpu_user_mode(const struct vcpu *vcpu)
{
	return fake_vcpu(vcpu)->user_mode;
}

/* ---- the run loop ---- */

void arch_vcpu_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct fake_vcpu *a = fake_vcpu(vcpu);

	if (a->next == a->script_len) {
		/* The guest program ended without the VM ending: report it
		 * the way a backend reports a guest it cannot go on with. */
		exit->name = "end of script";
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "the test's script has no more exits");
		return;
	}
	*exit = a->script[a->next++];
	/* A refusal with a reason goes through the core's helper, as a
	 * backend's does. */
	if ((exit->kind == EXIT_GUEST_FAULT || exit->kind == EXIT_HOST_ERROR) && exit->reason)
		vcpu_refuse(vcpu, exit, exit->kind, "%s", exit->reason);
}

/* The fake's time does not pass: a test scripts the EXIT_WATCHDOG a
 * backend would deliver when it ran out, and checks what the core asked
 * for. */
uint64_t arch_bench_insns(void)
{
	static uint64_t n;
	return n += 1000;
}

bool arch_vcpu_watchdog_arm(struct vcpu *vcpu, uint64_t ms)
{
	(void)vcpu;
	fake_arch.watchdog_armed_ms = ms;
	return fake_arch.watchdog;
}

void arch_vcpu_mmio_done(struct vcpu *vcpu, const struct vm_exit *exit, uint64_t value)
{
	struct fake_vcpu *a = fake_vcpu(vcpu);

	if (exit->kind != EXIT_MMIO)
		fake_die("mmio_done for an exit that is not MMIO");
	/* A backend writes a load's value into the destination register;
	 * the fake keeps it where the test can see it. */
	if (!exit->mmio.write) {
		if (a->nr_loads == FAKE_LOADS_MAX)
			fake_die("more than %d loads", FAKE_LOADS_MAX);
		a->load_exit_values[a->nr_loads] = exit->mmio.value;
		a->loads[a->nr_loads++] = value;
	}
	a->mmio_done++;
	a->pc++;
}

void arch_describe_exit(const struct vcpu *vcpu, const struct vm_exit *exit,
			char *buf, size_t len)
{
	(void)exit;
	/* The real backends decode syndrome registers here; the fake has
	 * only the position in the script, which is what a test needs to
	 * tell which exit stopped the guest. */
	snprintf(buf, len, "scripted exit %u", fake_vcpu(vcpu)->next);
}

/* ---- writing scripts ---- */

unsigned fake_queue(struct vcpu *vcpu, const struct vm_exit *e)
{
	struct fake_vcpu *a = fake_vcpu(vcpu);

	if (a->script_len == FAKE_SCRIPT_MAX)
		fake_die("script longer than %d exits", FAKE_SCRIPT_MAX);
	a->script[a->script_len++] = *e;
	return a->script_len;
}

unsigned fake_queue_mmio(struct vcpu *vcpu, uint64_t addr, unsigned size, bool write,
			 uint64_t value)
{
	struct vm_exit e = {
		.kind = EXIT_MMIO,
		.name = "fake MMIO",
		.mmio = { .gpa = gpa(addr), .size = (uint8_t)size, .write = write,
			  .value = write ? value : 0 },
	};
	return fake_queue(vcpu, &e);
}

unsigned fake_queue_exit(struct vcpu *vcpu, enum exit_kind kind, const char *name,
			 const char *reason)
{
	struct vm_exit e = { .kind = kind, .name = name, .reason = reason };
	return fake_queue(vcpu, &e);
}

unsigned fake_hc_store(struct vcpu *vcpu, uint64_t off, unsigned size, uint64_t value)
{
	return fake_queue_mmio(vcpu, MINIHV_HC_WINDOW_GPA + off, size, true, value);
}

unsigned fake_hc_load(struct vcpu *vcpu, uint64_t off, unsigned size)
{
	return fake_queue_mmio(vcpu, MINIHV_HC_WINDOW_GPA + off, size, false, 0);
}

unsigned fake_hc_call(struct vcpu *vcpu, uint64_t nr, uint64_t a0, uint64_t a1,
		      uint64_t a2, uint64_t a3)
{
	fake_hc_store(vcpu, MINIHV_HC_ARG0, 8, a0);
	fake_hc_store(vcpu, MINIHV_HC_ARG1, 8, a1);
	fake_hc_store(vcpu, MINIHV_HC_ARG2, 8, a2);
	fake_hc_store(vcpu, MINIHV_HC_ARG3, 8, a3);
	unsigned call = fake_hc_store(vcpu, MINIHV_HC_CALL, 4, nr);
	fake_hc_load(vcpu, MINIHV_HC_RESULT, 8);
	return call;
}

/* No operating-system guests on the fake CPU: hv/linux.c's own paths
 * (the VM around the RAM, the refusal) are what the host tests reach. */
struct vcpu *arch_linux_setup(struct vm *vm, const struct linux_boot *lb, char *why, size_t len)
{
	(void)vm;
	(void)lb;
	snprintf(why, len, "the fake CPU boots no Linux");
	return NULL;
}

uint64_t arch_random_u64(void)
{
	return 0x0123456789abcdefull;
}

uint64_t arch_clock_ns(void)
{
	return 0;
}
