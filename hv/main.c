/*
 * hv_main: run the guest test suite.
 *
 * Like kvm-unit-tests, a test is a tiny guest plus the outcome it expects.
 * Each runs in a fresh VM, which is destroyed afterwards, so one test's
 * damage cannot leak into the next.  The serial output has exactly one
 * verdict line per test ("PASS: name: ...", "FAIL: name: ...",
 * "SKIP: name: ...") and a final SUMMARY line, which scripts/run-suite.sh
 * reads.
 */
#include "hv.h"
#include "arch.h"
#include "guest_images.h"
#include "hypercall.h"
#include "print.h"
#include "run.h"
#include "../lib/minihv_string.h"

struct tally {
	unsigned passed, failed, skipped;
};

static void verdict(struct tally *t, unsigned v, const char *name, const char *msg)
{
	static const char *const word[] = { "PASS", "FAIL", "SKIP" };
	hv_printf("%s: %s: %s\n", word[v], name, msg);
	if (v == MINIHV_VERDICT_PASS)
		t->passed++;
	else if (v == MINIHV_VERDICT_SKIP)
		t->skipped++;
	else
		t->failed++;
}

/* Compare how the guest ended with what its test expects. */
static void judge(struct tally *t, const struct guest_image *img, const struct vm *vm)
{
	char msg[400];

	if (img->expect_stop) {
		if (vm->state == VM_STOPPED && str_find(vm->stop_reason, img->expect_stop)) {
			hv_snprintf(msg, sizeof(msg), "stopped as expected (\"%s\")",
				    img->expect_stop);
			verdict(t, MINIHV_VERDICT_PASS, img->name, msg);
		} else if (vm->state == VM_EXITED && vm->reported &&
			   vm->verdict == MINIHV_VERDICT_SKIP) {
			/* The test found that what it tries has no meaning
			 * here (x86 debug registers on Arm) and skipped it:
			 * there was nothing for the hypervisor to stop. */
			verdict(t, MINIHV_VERDICT_SKIP, img->name, vm->report_msg);
		} else {
			hv_snprintf(msg, sizeof(msg), "expected the hypervisor to stop it with \"%s\", but %s%s",
				    img->expect_stop,
				    vm->state == VM_STOPPED ? "it stopped with: " : "it exited normally",
				    vm->state == VM_STOPPED ? vm->stop_reason : "");
			verdict(t, MINIHV_VERDICT_FAIL, img->name, msg);
		}
		return;
	}
	if (vm->state == VM_STOPPED) {
		verdict(t, MINIHV_VERDICT_FAIL, img->name, vm->stop_reason);
	} else if (!vm->reported) {
		verdict(t, MINIHV_VERDICT_FAIL, img->name, "exited without reporting a verdict");
	} else if (vm->exit_code != 0 && vm->verdict == MINIHV_VERDICT_PASS) {
		hv_snprintf(msg, sizeof(msg), "reported PASS but exited with code %llu",
			    (unsigned long long)vm->exit_code);
		verdict(t, MINIHV_VERDICT_FAIL, img->name, msg);
	} else {
		verdict(t, vm->verdict, img->name, vm->report_msg);
	}
}

static void run_one(struct bump *pool, const struct guest_image *img, struct tally *t)
{
	hv_printf("minihv: --- guest '%s' ---\n", img->name);
	struct vm *vm = vm_create(pool, img->name);
	if (!vm) {
		verdict(t, MINIHV_VERDICT_FAIL, img->name, "could not create the VM");
		return;
	}
	hv_printf("minihv: %s: RAM at gpa 0x%llx = hpa 0x%llx (%llu KiB); %s tables: %u pages\n",
		  vm->name, (unsigned long long)gpa_val(vm->ram.gpa),
		  (unsigned long long)hpa_val(vm->ram.hpa),
		  (unsigned long long)(vm->ram.size >> 10), vm->s2.fmt->name,
		  vm->s2.table_pages);

	/* The image is bytes loaded at the start of RAM; the entry point is
	 * its first byte, which RAM's guest-virtual base maps. */
	uint64_t len = (uint64_t)(img->end - img->start);
	struct vcpu *vcpu = NULL;
	if (len > VM_RAM_SIZE - VM_TOP_RESERVED ||
	    vm_load_image(vm, vm->ram.gpa, img->start, len)) {
		vm_stop(vm, "image of %llu bytes does not fit in guest RAM", (unsigned long long)len);
	} else {
		vcpu = vm_setup_minihv_guest(vm, gva(VM_RAM_GVA));
		if (!vcpu)
			vm_stop(vm, "could not set up the guest");
	}
	if (vcpu)
		vcpu_run(vcpu);
	hypercall_flush_console(vm);
	if (vcpu)
		hv_printf("minihv: %s: %llu VM exits; guest page tables: %u pages\n", vm->name,
			  (unsigned long long)vcpu->exits, vm->gpt.table_pages);
	judge(t, img, vm);
	vm_destroy(vm);
}

int hv_main(const struct hv_platform *platform)
{
	static struct bump pool;
	struct tally t = { 0, 0, 0 };

	hv_power_init(platform);
	bump_init(&pool, "hypervisor pool", platform->pool_base, platform->pool_size);
	if (arch_cpu_init()) {
		hv_printf("minihv: cannot run guests on this CPU\n");
		for (unsigned long i = 0; i < guest_image_count; i++)
			verdict(&t, MINIHV_VERDICT_SKIP, guest_images[i].name,
				"virtualization not available (see above)");
		hv_printf("SUMMARY: %lu tests, 0 failed, %u skipped\n", guest_image_count, t.skipped);
		return 3;
	}
	hv_printf("minihv: backend: %s\n", arch_name());

	for (unsigned long i = 0; i < guest_image_count; i++)
		run_one(&pool, &guest_images[i], &t);

	struct bump_stats st;
	bump_get_stats(&pool, &st);
	hv_printf("minihv: pool: %llu KiB peak of %llu KiB, %llu allocations, %llu refused, %llu bytes in use now\n",
		  (unsigned long long)(st.peak >> 10), (unsigned long long)(st.size >> 10),
		  (unsigned long long)st.allocs, (unsigned long long)st.failures,
		  (unsigned long long)st.used);
	hv_printf("SUMMARY: %lu tests, %u failed, %u skipped\n", guest_image_count,
		  t.failed, t.skipped);
	arch_cpu_fini();
	return t.failed ? 1 : 0;
}
