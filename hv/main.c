/*
 * hv_main: run the guest test suite.
 *
 * Like kvm-unit-tests, a test is a tiny guest plus the outcome it expects.
 * Each runs in a fresh VM (a test of several programs, one per program),
 * which is destroyed afterwards, so one test's damage cannot leak into the
 * next.  The serial output has exactly one verdict line per test
 * ("PASS: name: ...", "FAIL: name: ...", "SKIP: name: ...", or
 * "XFAIL: name: ..." for a known failure the hypervisor vouches for) and a
 * final SUMMARY line, which scripts/run-suite.sh reads.
 */
#include "hv.h"
#include "arch.h"
#include "config.h"
#include "guest_images.h"
#include "hypercall.h"
#include "linux.h"
#include "print.h"
#include "run.h"
#include "trace.h"
#include "../lib/minihv_string.h"

/* The verdicts hv_main prints: the guest's three (hypercall_abi.h) and
 * one only the hypervisor gives. */
#define VERDICT_XFAIL 3

struct tally {
	unsigned passed, failed, skipped, xfailed;
};

static void verdict(struct tally *t, unsigned v, const char *name, const char *msg)
{
	static const char *const word[] = { "PASS", "FAIL", "SKIP", "XFAIL" };
	hv_printf("%s: %s: %s\n", word[v], name, msg);
	if (v == MINIHV_VERDICT_PASS)
		t->passed++;
	else if (v == MINIHV_VERDICT_SKIP)
		t->skipped++;
	else if (v == VERDICT_XFAIL)
		t->xfailed++;
	else
		t->failed++;
}

/* How one test (or one VM of it) came out, before it is printed. */
struct outcome {
	unsigned v;
	char msg[600];
};

/*
 * The facts of hv/arch.h by the names tests' metadata uses.  A name that
 * is not here is a mistake in the test, and fails it: silently treating it
 * as "absent" would let a typo excuse a SKIP.
 */
static const struct {
	const char *name;
	enum arch_fact fact;
} facts[] = {
	{ "cpuid", ARCH_FACT_CPUID },
	{ "xcr0", ARCH_FACT_XCR0 },
	{ "debug-registers", ARCH_FACT_DEBUG_REGISTERS },
	{ "xsetbv-intercept-ignored", ARCH_FACT_XSETBV_INTERCEPT_IGNORED },
	{ "io-ports", ARCH_FACT_IO_PORTS },
	{ "semihosting", ARCH_FACT_SEMIHOSTING },
	{ "pointer-auth", ARCH_FACT_POINTER_AUTH },
	{ "arm-system-registers", ARCH_FACT_ARM_SYSTEM_REGISTERS },
	{ "user-mode", ARCH_FACT_USER_MODE },
	{ "pan-or-smap", ARCH_FACT_PAN_SMAP },
	{ "sve", ARCH_FACT_SVE },
	{ "tidcp-ignored", ARCH_FACT_TIDCP_IGNORED },
	{ "watchdog", ARCH_FACT_WATCHDOG },
	{ "x86-instructions", ARCH_FACT_X86_INSTRUCTIONS },
};

/* 1 if the fact named name holds on this CPU, 0 if not, -1 if no fact has
 * that name. */
static int fact_holds(const char *name)
{
	for (unsigned i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		if (strcmp(facts[i].name, name) == 0)
			return arch_fact(facts[i].fact) ? 1 : 0;
	return -1;
}

/* Compare how one VM of the test ended with what the test expects of it:
 * the last VM may be expected to stop, the others must end normally. */
static void judge_vm(struct outcome *o, const struct guest_image *img, const struct vm *vm,
		     bool last)
{
	const char *expect = last ? img->expect_stop : NULL;

	o->v = MINIHV_VERDICT_FAIL;
	if (expect) {
		if (vm->state == VM_STOPPED && str_find(vm->stop_reason, expect)) {
			o->v = MINIHV_VERDICT_PASS;
			hv_snprintf(o->msg, sizeof(o->msg), "stopped as expected (\"%s\")", expect);
		} else if (vm->state == VM_EXITED && vm->reported &&
			   vm->verdict == MINIHV_VERDICT_SKIP) {
			/* The test found that what it tries has no meaning
			 * here (XCR0 on Arm) and skipped it: judge_skip
			 * decides whether the hypervisor agrees. */
			o->v = MINIHV_VERDICT_SKIP;
			hv_snprintf(o->msg, sizeof(o->msg), "%s", vm->report_msg);
		} else if (vm->state == VM_EXITED && vm->reported) {
			hv_snprintf(o->msg, sizeof(o->msg), "expected the hypervisor to stop it with \"%s\", but it exited normally (it reported: %s)",
				    expect, vm->report_msg);
		} else {
			hv_snprintf(o->msg, sizeof(o->msg), "expected the hypervisor to stop it with \"%s\", but %s%s",
				    expect,
				    vm->state == VM_STOPPED ? "it stopped with: " : "it exited normally",
				    vm->state == VM_STOPPED ? vm->stop_reason : "");
		}
		return;
	}
	if (vm->state == VM_STOPPED) {
		hv_snprintf(o->msg, sizeof(o->msg), "%s", vm->stop_reason);
	} else if (!vm->reported) {
		hv_snprintf(o->msg, sizeof(o->msg), "exited without reporting a verdict");
	} else if (vm->exit_code != 0 && vm->verdict == MINIHV_VERDICT_PASS) {
		hv_snprintf(o->msg, sizeof(o->msg), "reported PASS but exited with code %llu",
			    (unsigned long long)vm->exit_code);
	} else {
		o->v = vm->verdict;
		hv_snprintf(o->msg, sizeof(o->msg), "%s", vm->report_msg);
	}
}

/*
 * A guest's SKIP says "what I test does not exist here".  For most tests
 * that is harmless to believe.  But a test that expects the hypervisor to
 * stop it could otherwise hide a hole by skipping -- so its SKIP counts
 * only if it names what it needs (minihv-needs) and the backend confirms
 * that is absent on this CPU.  Any test that names a need is held to it.
 */
static void judge_skip(struct outcome *o, const struct guest_image *img)
{
	char was[sizeof(o->msg)];

	if (!img->needs && !img->expect_stop)
		return;
	hv_snprintf(was, sizeof(was), "%s", o->msg);
	o->v = MINIHV_VERDICT_FAIL;
	if (!img->needs) {
		hv_snprintf(o->msg, sizeof(o->msg), "skipped (\"%s\"), but a test that expects a stop may skip only where the hypervisor confirms what it tries is absent (a minihv-needs line)",
			    was);
		return;
	}
	int holds = fact_holds(img->needs);
	if (holds < 0) {
		hv_snprintf(o->msg, sizeof(o->msg), "minihv-needs names \"%s\", which is no fact the hypervisor knows",
			    img->needs);
	} else if (holds) {
		hv_snprintf(o->msg, sizeof(o->msg), "skipped (\"%s\"), but this CPU has %s: the test should have tried it",
			    was, img->needs);
	} else {
		o->v = MINIHV_VERDICT_SKIP;
		hv_snprintf(o->msg, sizeof(o->msg), "%s (the hypervisor confirms: no %s here)",
			    was, img->needs);
	}
}

/*
 * A known failure: the test declares (minihv-xfail) that it fails where
 * the backend finds a named fact true -- a platform's flaw the hypervisor
 * recognises, not something the guest says.  There a FAIL becomes an
 * XFAIL, counted apart and said out loud; and a PASS becomes a FAIL
 * ("XPASS"): the hole has closed, and a known-failure entry that no
 * longer fails would go on excusing the test if it broke again for real,
 * so whoever sees it must narrow or drop the entry.  A SKIP is left to
 * judge_skip.
 */
static void judge_xfail(struct outcome *o, const struct guest_image *img)
{
	char was[sizeof(o->msg)];

	if (!img->xfail_when || o->v == MINIHV_VERDICT_SKIP)
		return;
	int holds = fact_holds(img->xfail_when);
	hv_snprintf(was, sizeof(was), "%s", o->msg);
	if (holds < 0) {
		o->v = MINIHV_VERDICT_FAIL;
		hv_snprintf(o->msg, sizeof(o->msg), "minihv-xfail names \"%s\", which is no fact the hypervisor knows",
			    img->xfail_when);
	} else if (holds && o->v == MINIHV_VERDICT_FAIL) {
		o->v = VERDICT_XFAIL;
		hv_snprintf(o->msg, sizeof(o->msg), "known failure where %s: %s (it said: %s)",
			    img->xfail_when, img->xfail_reason ? img->xfail_reason : "", was);
	} else if (holds) {
		o->v = MINIHV_VERDICT_FAIL;
		hv_snprintf(o->msg, sizeof(o->msg), "XPASS: known to fail where %s (%s), but it passed: %s; the hole is closed here, narrow or drop its minihv-xfail line",
			    img->xfail_when, img->xfail_reason ? img->xfail_reason : "", was);
	}
}

/* Run one program of a test in a fresh VM and judge how it ended. */
/*
 * make bench (MINIHV_BENCH=1): what one VM cost, in "BENCH name=value unit"
 * lines that scripts/bench.sh reads -- instructions to create it (vm_create,
 * loading the image, vm_setup_minihv_guest: the VM's side, without the
 * lines printed in between) and to destroy it, the part of creating spent
 * allocating (clearing) its RAM, and the pool it took.  Printed after the
 * guest ran, never on the exit path.
 */
struct bench_vm {
	uint64_t create, destroy, used_before;
};

static void bench_vm_report(const struct bench_vm *b, const struct vm *vm)
{
	struct bump_stats st;
	bump_get_stats(vm->pool, &st);
	hv_printf("BENCH vm_create_insns=%llu insns\n", (unsigned long long)b->create);
	hv_printf("BENCH vm_ram_clear_insns=%llu insns\n", (unsigned long long)vm->bench_ram_insns);
	hv_printf("BENCH vm_ram_clear_share=%llu %%\n",
		  (unsigned long long)(b->create ? vm->bench_ram_insns * 100 / b->create : 0));
	hv_printf("BENCH vm_destroy_insns=%llu insns\n", (unsigned long long)b->destroy);
	hv_printf("BENCH pool_peak_per_vm=%llu bytes\n",
		  (unsigned long long)(st.peak - b->used_before));
	hv_printf("BENCH pool_align_waste=%llu bytes\n",
		  (unsigned long long)vm->bench_ram_align_waste);
	hv_printf("BENCH s2_table_pages=%u pages\n", vm->s2.table_pages);
	hv_printf("BENCH gpt_table_pages=%u pages\n", vm->gpt.table_pages);
}

static void run_vm(struct bump *pool, const struct guest_image *img, unsigned long i,
		   struct outcome *o)
{
	struct bench_vm bench = { 0, 0, 0 };
	uint64_t t0 = 0;
	if (MINIHV_BENCH) {
		struct bump_stats st;
		bump_get_stats(pool, &st);
		bench.used_before = st.used;
		t0 = arch_bench_insns();
	}
	const struct guest_program *prog = &img->programs[i];
	bool last = i + 1 == img->program_count;

	if (img->program_count > 1)
		hv_printf("minihv: --- guest '%s', VM %lu of %lu ---\n", img->name, i + 1,
			  img->program_count);
	else
		hv_printf("minihv: --- guest '%s' ---\n", img->name);
	struct vm *vm = vm_create(pool, img->name);
	if (MINIHV_BENCH)
		bench.create = arch_bench_insns() - t0;
	if (!vm) {
		o->v = MINIHV_VERDICT_FAIL;
		hv_snprintf(o->msg, sizeof(o->msg), "could not create the VM");
		return;
	}
	hv_printf("minihv: %s: RAM at gpa 0x%llx = hpa 0x%llx (%llu KiB); %s tables: %u pages\n",
		  vm->name, (unsigned long long)gpa_val(vm->ram.gpa),
		  (unsigned long long)hpa_val(vm->ram.hpa),
		  (unsigned long long)(vm->ram.size >> 10), vm->s2.fmt->name,
		  vm->s2.table_pages);

	/* The image is bytes loaded at the start of RAM; the entry point is
	 * its first byte, which RAM's guest-virtual base maps. */
	uint64_t len = (uint64_t)(prog->end - prog->start);
	struct vcpu *vcpu = NULL;
	if (MINIHV_BENCH)
		t0 = arch_bench_insns();
	if (len > VM_RAM_SIZE - VM_TOP_RESERVED ||
	    vm_load_image(vm, vm->ram.gpa, prog->start, len)) {
		vm_stop(vm, "image of %llu bytes does not fit in guest RAM", (unsigned long long)len);
	} else {
		vcpu = vm_setup_minihv_guest(vm, gva(VM_RAM_GVA));
		if (!vcpu)
			vm_stop(vm, "could not set up the guest");
	}
	if (MINIHV_BENCH)
		bench.create += arch_bench_insns() - t0;
	if (vcpu)
		vcpu_run(vcpu);
	hypercall_flush_console(vm);
	if (vcpu)
		hv_printf("minihv: %s: %llu VM exits; guest page tables: %u pages\n", vm->name,
			  (unsigned long long)vcpu->exits, vm->gpt.table_pages);
	if (MINIHV_TRACE >= 2)
		trace_vm_tables(vm);
	judge_vm(o, img, vm, last);
	if (MINIHV_BENCH) {
		struct vm copy = *vm;   /* vm lives in the pool vm_destroy gives back */
		t0 = arch_bench_insns();
		vm_destroy(vm);
		bench.destroy = arch_bench_insns() - t0;
		bench_vm_report(&bench, &copy);
		return;
	}
	vm_destroy(vm);
}

/*
 * Run a test: its programs in order, each in a fresh VM, back to back --
 * so a program that checks what the one before it left behind (leftover)
 * always follows it, whatever else the suite holds.  Every VM but the
 * last must PASS; the first that does not ends the test with its outcome.
 * One verdict line for the whole test.
 */
static void run_test(struct bump *pool, const struct guest_image *img, struct tally *t)
{
	struct outcome o;
	char all[sizeof(o.msg)] = "";
	size_t used = 0;

	/*
	 * A test that needs the watchdog loops without end by design: where
	 * the backend has no watchdog, nothing would stop it, and it cannot
	 * know that itself (on x86 the same guest binary runs under VMX and
	 * SVM, where one backend has it and the other may not).  So it is not
	 * started: SKIP, on the hypervisor's own word.
	 */
	if (img->needs && strcmp(img->needs, "watchdog") == 0 && !arch_fact(ARCH_FACT_WATCHDOG)) {
		verdict(t, MINIHV_VERDICT_SKIP, img->name,
			"not run: its guest would loop for ever, and this backend has no watchdog to stop it (the hypervisor confirms: no watchdog here)");
		return;
	}
	for (unsigned long i = 0; i < img->program_count; i++) {
		run_vm(pool, img, i, &o);
		if (img->program_count > 1) {
			/* Each VM's message, in order: "VM 1: ...; VM 2: ...". */
			if (used < sizeof(all))
				used += (size_t)hv_snprintf(all + used, sizeof(all) - used, "%sVM %lu: %s",
							    i ? "; " : "", i + 1, o.msg);
			if (o.v != MINIHV_VERDICT_PASS || i + 1 == img->program_count) {
				hv_snprintf(o.msg, sizeof(o.msg), "%s", all);
				break;
			}
		}
	}
	judge_xfail(&o, img);
	if (o.v == MINIHV_VERDICT_SKIP)
		judge_skip(&o, img);
	verdict(t, o.v, img->name, o.msg);
}

/*
 * Guests from a config (docs/config.md): each entry in the file's order,
 * one verdict line per test it runs, under the entry's name for a Linux
 * guest or a minihv guest from a file, under each test's own name for the
 * embedded tests it names.  An entry the parser or boot/ refused fails
 * with its reason, and the next one runs.  Returns the number of verdict
 * lines printed, for the SUMMARY.
 */
static const struct guest_image *embedded_test(const char *name, size_t len)
{
	for (unsigned long i = 0; i < guest_image_count; i++)
		if (strlen(guest_images[i].name) == len && memcmp(guest_images[i].name, name, len) == 0)
			return &guest_images[i];
	return NULL;
}

static unsigned long run_embedded(struct bump *pool, const struct guest_config *g, struct tally *t,
				  const char *skip)
{
	unsigned long ran = 0;

	if (strcmp(g->embedded, "all") == 0) {
		for (unsigned long i = 0; i < guest_image_count; i++) {
			if (skip)
				verdict(t, MINIHV_VERDICT_SKIP, guest_images[i].name, skip);
			else
				run_test(pool, &guest_images[i], t);
		}
		return guest_image_count;
	}
	for (const char *p = g->embedded; *p;) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		if (p == w)
			break;
		const struct guest_image *img = embedded_test(w, (size_t)(p - w));
		if (img && skip) {
			verdict(t, MINIHV_VERDICT_SKIP, img->name, skip);
		} else if (img) {
			run_test(pool, img, t);
		} else {
			char name[CONFIG_NAME_MAX];
			size_t n = (size_t)(p - w) < sizeof(name) - 1 ? (size_t)(p - w) : sizeof(name) - 1;
			memcpy(name, w, n);
			name[n] = '\0';
			char msg[CONFIG_ERROR_MAX + 64];
			hv_snprintf(msg, sizeof(msg), "config line %u (guest '%s'): no embedded test named \"%s\" in this build",
				    g->line, g->name, name);
			verdict(t, MINIHV_VERDICT_FAIL, name, msg);
		}
		ran++;
	}
	return ran;
}

/*
 * A config guest may say what the test expects of it (expect = TEXT): to be
 * refused or stopped with a message containing TEXT, which is then its PASS
 * -- how a bad config entry, or a Linux that panics or powers off early,
 * is a test that can pass.  Anything else it does is a FAIL saying both.
 */
static unsigned judge_expect(const struct guest_config *g, unsigned v, char *msg, size_t len)
{
	char was[600];

	if (!g->expect[0])
		return v;
	hv_snprintf(was, sizeof(was), "%s", msg);
	if (v == MINIHV_VERDICT_FAIL && str_find(was, g->expect)) {
		hv_snprintf(msg, len, "refused or stopped as expected (\"%s\"): %s", g->expect, was);
		return MINIHV_VERDICT_PASS;
	}
	hv_snprintf(msg, len, "expected a refusal or stop with \"%s\", but: %s", g->expect, was);
	return MINIHV_VERDICT_FAIL;
}

static unsigned long run_config(struct bump *pool, const struct hv_platform *pf, struct tally *t,
				const char *skip)
{
	const struct hv_config *c = pf->config;
	unsigned long ran = 0;

	if (c->error[0]) {
		verdict(t, MINIHV_VERDICT_FAIL, "config", c->error);
		ran++;
	}
	for (unsigned i = 0; i < c->count && i < CONFIG_MAX_GUESTS; i++) {
		const struct guest_config *g = &c->guests[i];
		const struct hv_guest_files *f = &pf->guest_files[i];
		char msg[600];

		hv_printf("minihv: === config guest '%s' (%s, line %u) ===\n", g->name,
			  guest_kind_name(g->kind), g->line);
		if (skip && g->embedded[0] && !g->error[0]) {
			ran += run_embedded(pool, g, t, skip);
		} else if (skip) {
			verdict(t, MINIHV_VERDICT_SKIP, g->name, skip);
			ran++;
		} else if (g->error[0]) {
			hv_snprintf(msg, sizeof(msg), "refused: %s", g->error);
			unsigned v = judge_expect(g, MINIHV_VERDICT_FAIL, msg, sizeof(msg));
			verdict(t, v, g->name, msg);
			ran++;
		} else if (g->kind == GUEST_KIND_LINUX) {
			unsigned v = linux_guest_run(pool, g, f, msg, sizeof(msg));
			v = judge_expect(g, v, msg, sizeof(msg));
			verdict(t, v, g->name, msg);
			ran++;
		} else if (g->embedded[0]) {
			ran += run_embedded(pool, g, t, NULL);
		} else {
			/* A minihv guest from a file: one program, loaded and
			 * judged as the embedded ones are. */
			const struct guest_program prog = {
				(const unsigned char *)f->kernel,
				(const unsigned char *)f->kernel + f->kernel_len,
			};
			const struct guest_image img = { .name = g->name, .programs = &prog,
							 .program_count = 1,
							 .expect_stop = g->expect[0] ? g->expect : NULL };
			run_test(pool, &img, t);
			ran++;
		}
	}
	return ran;
}

int hv_main(const struct hv_platform *platform)
{
	static struct bump pool;
	struct tally t = { 0, 0, 0, 0 };

	hv_power_init(platform);
	bump_init(&pool, "hypervisor pool", platform->pool_base, platform->pool_size);
	if (arch_cpu_init()) {
		static const char why[] = "virtualization not available (see above)";
		unsigned long n = guest_image_count;
		hv_printf("minihv: cannot run guests on this CPU\n");
		if (platform->config)
			n = run_config(&pool, platform, &t, why);
		else
			for (unsigned long i = 0; i < guest_image_count; i++)
				verdict(&t, MINIHV_VERDICT_SKIP, guest_images[i].name, why);
		hv_printf("SUMMARY: %lu tests, %u failed, %u skipped\n", n, t.failed, t.skipped);
		return t.failed ? 1 : 3;
	}
	hv_printf("minihv: backend: %s\n", arch_name());

	unsigned long ran = guest_image_count;
	if (platform->config)
		ran = run_config(&pool, platform, &t, NULL);
	else
		for (unsigned long i = 0; i < guest_image_count; i++)
			run_test(&pool, &guest_images[i], &t);

	struct bump_stats st;
	bump_get_stats(&pool, &st);
	hv_printf("minihv: pool: %llu KiB peak of %llu KiB, %llu allocations, %llu refused, %llu bytes in use now\n",
		  (unsigned long long)(st.peak >> 10), (unsigned long long)(st.size >> 10),
		  (unsigned long long)st.allocs, (unsigned long long)st.failures,
		  (unsigned long long)st.used);
	if (MINIHV_BENCH) {
		/* Where the code is, for a profile by symbol (nm's offsets plus
		 * this minus hv_main's): docs/performance.md. */
		hv_printf("minihv: bench: hv_main at %p\n", (void *)hv_main);
		hv_printf("BENCH pool_in_use_after=%llu bytes\n", (unsigned long long)st.used);
		hv_printf("BENCH info_run_insns=%llu insns (arch_bench_insns at power-off: x86 counts from the machine's start, firmware included; aarch64 from minihv's first reading)\n", (unsigned long long)arch_bench_insns());
	}
	hv_printf("SUMMARY: %lu tests, %u failed, %u skipped, %u xfailed\n", ran,
		  t.failed, t.skipped, t.xfailed);
	arch_cpu_fini();
	return t.failed ? 1 : 0;
}
