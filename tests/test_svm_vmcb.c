/*
 * The VMCB a new SVM vCPU gets (arch/x86_64/svm_vmcb.c): what it
 * intercepts.  Each intercept checked here stands for a piece of CPU state
 * the host and every guest share, which VMRUN does not switch, so a guest
 * must not reach it: the debug registers DR0..DR3, the host's NMIs, XCR0.
 *
 * svm_vmcb.c is built for the host here and given a VM by hand: a pool
 * for its allocations and a made-up nested-table root.  Nothing runs: the
 * test only reads the VMCB it filled.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "unit.h"
#include "../arch/x86_64/svm.h"

/* What svm_cpu.c and hv/print.c would provide. */
struct svm_caps svm_caps = { .nr_asids = 16 };

void hv_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

#define POOL_SIZE (64 * 1024)

/* A VM with one vCPU, as svm_vm_init and svm_vcpu_init build them. */
static struct vmcb *new_vmcb(struct bump *pool, struct vm *vm, struct vcpu *vcpu)
{
	static const struct vcpu_boot boot = {
		.entry = { 0x40000000 }, .stack_top = { 0x40400000 },
		.gpt_root = { 0x80100000 }, .arg0 = 0,
	};
	void *mem = aligned_alloc(PAGE_SIZE, POOL_SIZE);
	if (!mem)
		abort();
	bump_init(pool, "test pool", mem, POOL_SIZE);
	memset(vm, 0, sizeof(*vm));
	memset(vcpu, 0, sizeof(*vcpu));
	vm->name = "svm";
	vm->pool = pool;
	vm->s2.root_pa = 0x1000;
	vcpu->vm = vm;
	if (svm_vm_init(vm) || svm_vcpu_init(vcpu, &boot))
		return NULL;
	return ((struct svm_vcpu *)vcpu->arch)->vmcb;
}

int main(void)
{
	struct bump pool;
	struct vm vm;
	struct vcpu vcpu;
	unit_begin("test_svm_vmcb");

	struct vmcb *vmcb = new_vmcb(&pool, &vm, &vcpu);
	CHECK(vmcb != NULL, "a VM and a vCPU are built, and the VMCB passes svm_check_vmcb");
	if (!vmcb)
		return unit_done();
	CHECK(svm_check_vmcb(vmcb) == NULL, "the VMCB passes VMRUN's checks we know");
	CHECK_EQ(vmcb->intercept_dr, 0xffffffffu,
		 "every read and write of every debug register exits (DR0..DR3 are not switched)");
	CHECK(vmcb->intercept_misc1 & INTERCEPT1_NMI,
	      "an NMI exits (it is the host's, not for the guest's IDT)");
	CHECK(vmcb->intercept_misc2 & INTERCEPT2_XSETBV,
	      "XSETBV exits (XCR0 is not switched)");
	free((void *)pool.base);
	return unit_done();
}
