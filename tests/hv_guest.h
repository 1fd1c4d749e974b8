/*
 * One minihv guest on the fake machine (fake_arch.h): the fixture the tests
 * of the hypervisor core share.
 *
 * A test starts a guest exactly as hv_main does (vm_create, then
 * vm_setup_minihv_guest), writes its script, runs it with the real
 * vcpu_run, looks at the result and destroys the VM.  The hypervisor pool
 * is a host buffer; every VM must give all of it back, which guest_end
 * counts for the final check.
 */
#ifndef TESTS_HV_GUEST_H
#define TESTS_HV_GUEST_H

#include <stdlib.h>
#include <string.h>

#include "hv/hypercall.h"
#include "hv/run.h"
#include "tests/fake_arch.h"
#include "tests/unit.h"

/* Room for one VM: its 4 MiB of RAM sits 2 MiB aligned after the struct
 * vm, and the second-level tables and vCPU state follow. */
#define TEST_POOL_SIZE (8ull << 20)

/*
 * Every test runs once per pair of formats the core may be given: EPT with
 * x86-64 guest tables, and Arm stage-2 with stage-1.  cfg names the pair
 * in check descriptions.
 */
#define HV_TEST_CONFIGS 2
static const char *cfg;

static inline void hv_test_config(unsigned c)
{
	static const struct {
		const struct pt_format *s2, *gpt;
	} configs[HV_TEST_CONFIGS] = {
		{ &pt_format_x86_ept, &pt_format_x86_64 },
		{ &pt_format_arm_stage2, &pt_format_arm_stage1 },
	};
	fake_arch_reset(configs[c].s2, configs[c].gpt);
	cfg = configs[c].s2->name;
}

static struct bump test_pool;
static unsigned test_vms;    /* VMs destroyed so far */
static unsigned test_leaks;  /* of those, how many left pool memory in use */

/* The pool is 2 MiB aligned so that where each allocation lands, and so
 * how much fits, does not depend on the C library's malloc. */
static inline void test_pool_init(void)
{
	void *mem = aligned_alloc(SZ_2M, TEST_POOL_SIZE);
	if (!mem)
		abort();
	bump_init(&test_pool, "test pool", mem, TEST_POOL_SIZE);
}

static inline uint64_t test_pool_used(void)
{
	struct bump_stats st;
	bump_get_stats(&test_pool, &st);
	return st.used;
}

struct guest {
	struct vm *vm;
	struct vcpu *vcpu;
	struct fake_vcpu *fv;
};

/* A fresh VM with the minihv start environment, and an empty console.
 * The environment failing is not a check failing: the test cannot go on. */
static inline void guest_start(struct guest *g, const char *name)
{
	fake_console_clear();
	g->vm = vm_create(&test_pool, name);
	g->vcpu = g->vm ? vm_setup_minihv_guest(g->vm, gva(VM_RAM_GVA)) : NULL;
	if (!g->vcpu) {
		printf("Bail out! cannot start guest '%s':\n%s\n", name, fake_console());
		exit(2);
	}
	g->fv = fake_vcpu(g->vcpu);
}

/* Run the guest's script until the VM exits or is stopped, then print its
 * unfinished console line, as hv_main does. */
static inline void guest_run(struct guest *g)
{
	vcpu_run(g->vcpu);
	hypercall_flush_console(g->vm);
}

static inline void guest_end(struct guest *g)
{
	vm_destroy(g->vm);
	test_vms++;
	if (test_pool_used() != 0)
		test_leaks++;
	*g = (struct guest){ 0 };
}

/* The host bytes behind a guest-virtual address in RAM's main view
 * (VM_RAM_GVA maps the whole of RAM, in order). */
static inline void *guest_ram(const struct guest *g, uint64_t gva_addr)
{
	return g->vm->ram.host + (gva_addr - VM_RAM_GVA);
}

/* Copy a string into guest RAM, as the guest would have written it. */
static inline void guest_put(const struct guest *g, uint64_t gva_addr, const char *s)
{
	memcpy(guest_ram(g, gva_addr), s, strlen(s));
}

/* Is needle somewhere in the captured console? */
static inline bool console_has(const char *needle)
{
	return strstr(fake_console(), needle) != NULL;
}

#endif
