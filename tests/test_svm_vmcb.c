/*
 * The VMCB a new SVM vCPU gets (arch/x86_64/svm_vmcb.c): what it
 * intercepts.  Each intercept checked here stands for a piece of CPU state
 * the host and every guest share, which VMRUN does not switch, so a guest
 * must not reach it: the debug registers DR0..DR3, the host's NMIs, XCR0.
 *
 * svm_vmcb.c is built for the host here and given a VM by hand: a pool
 * for its allocations and a made-up nested-table root.  Nothing runs: the
 * test only reads the VMCB it filled.
 *
 * Then the refusals, one by one.  svm_check_vmcb exists to turn VMRUN's
 * bare VMEXIT_INVALID into a sentence, and a check that never refuses
 * anything would look exactly like one that works: so each of its branches
 * is hit here, by breaking one field of a good VMCB and expecting that
 * branch's own sentence (not just "some refusal": an earlier check firing
 * for the wrong reason would hide a broken later one).  Running out of
 * memory, and a VMCB that fails the check inside svm_vcpu_init, must
 * refuse the VM or vCPU rather than hand back half of one.
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

/* One field of a good VMCB broken, and the sentence that must name it. */
struct breakage {
	void (*apply)(struct vmcb *v);
	const char *want;
};

static void no_svme(struct vmcb *v) { v->efer &= ~EFER_SVME; }
static void no_vmrun_intercept(struct vmcb *v) { v->intercept_misc2 &= ~INTERCEPT2_VMRUN; }
static void host_asid(struct vmcb *v) { v->asid = 0; }
static void nw_without_cd(struct vmcb *v) { v->cr0 = (v->cr0 | CR0_NW) & ~CR0_CD; }
static void cr0_high(struct vmcb *v) { v->cr0 |= 1ull << 32; }
static void dr6_high(struct vmcb *v) { v->dr6 |= 1ull << 40; }
static void dr7_high(struct vmcb *v) { v->dr7 |= 1ull << 63; }
static void no_pae(struct vmcb *v) { v->cr4 &= ~CR4_PAE; }
static void no_pe(struct vmcb *v) { v->cr0 &= ~CR0_PE; }
static void no_lma(struct vmcb *v) { v->efer &= ~EFER_LMA; }
static void cr3_high(struct vmcb *v) { v->cr3 |= 1ull << 52; }
static void cs_l_and_d(struct vmcb *v) { v->cs.attrib |= 0x400; }
static void pat_type_2(struct vmcb *v) { v->g_pat = (v->g_pat & ~0xffull) | 2; }
static void pat_type_3(struct vmcb *v) { v->g_pat = (v->g_pat & ~(0xffull << 56)) | (3ull << 56); }
static void pat_type_8(struct vmcb *v) { v->g_pat = (v->g_pat & ~(0xffull << 24)) | (8ull << 24); }
static void ncr3_unaligned(struct vmcb *v) { v->n_cr3 |= 0x800; }

static const struct breakage breakages[] = {
	{ no_svme, "guest EFER.SVME is clear" },
	{ no_vmrun_intercept, "VMRUN is not intercepted" },
	{ host_asid, "guest ASID is 0 (the host's)" },
	{ nw_without_cd, "CR0.NW is set without CR0.CD" },
	{ cr0_high, "CR0 bits 63:32 are not zero" },
	{ dr6_high, "DR6 or DR7 bits 63:32 are not zero" },
	{ dr7_high, "DR6 or DR7 bits 63:32 are not zero" },
	{ no_pae, "EFER.LME and CR0.PG are set but CR4.PAE is clear" },
	{ no_pe, "EFER.LME and CR0.PG are set but CR0.PE is clear" },
	{ no_lma, "EFER.LMA is clear in long mode" },
	{ cr3_high, "CR3 bits 63:52 are not zero" },
	{ cs_l_and_d, "CS.L and CS.D are both set" },
	{ pat_type_2, "G_PAT holds a reserved memory type" },
	{ pat_type_3, "G_PAT holds a reserved memory type" },
	{ pat_type_8, "G_PAT holds a reserved memory type" },
	{ ncr3_unaligned, "nCR3 is not page aligned" },
};

/*
 * Outside long mode (EFER.LME or CR0.PG clear) the long-mode checks do not
 * apply: a CR3 with high bits, or CR4.PAE clear, is then not refused for
 * being long-mode state.  Checked so the long_mode condition is not
 * accidentally always true.
 */
static void check_not_long_mode(const struct vmcb *good)
{
	struct vmcb v = *good;
	v.efer &= ~(EFER_LME | EFER_LMA);
	v.cr4 &= ~CR4_PAE;
	v.cr3 |= 1ull << 52;
	CHECK(svm_check_vmcb(&v) == NULL,
	      "without EFER.LME the long-mode checks (CR4.PAE, CR3 63:52) do not apply");
	v = *good;
	v.np_control = 0;
	v.n_cr3 |= 0x800;
	CHECK(svm_check_vmcb(&v) == NULL,
	      "with nested paging off, nCR3's alignment is not checked");
}

/* A pool of size bytes, page-aligned, for the out-of-memory cases. */
static void small_pool(struct bump *pool, void **mem, uint64_t size)
{
	*mem = aligned_alloc(PAGE_SIZE, POOL_SIZE);
	if (!*mem)
		abort();
	bump_init(pool, "small pool", *mem, size);
}

static void check_out_of_memory(void)
{
	static const struct vcpu_boot boot = {
		.entry = { 0x40000000 }, .stack_top = { 0x40400000 },
		.gpt_root = { 0x80100000 }, .arg0 = 0,
	};
	struct bump pool;
	struct vm vm;
	struct vcpu vcpu;
	void *mem;

	/* Room for the struct, not for the two permission maps. */
	small_pool(&pool, &mem, PAGE_SIZE);
	memset(&vm, 0, sizeof(vm));
	vm.name = "oom";
	vm.pool = &pool;
	CHECK_EQ(svm_vm_init(&vm), -1, "svm_vm_init refuses when the permission maps do not fit");
	CHECK(vm.arch == NULL, "... and leaves no half-built VM behind");
	free(mem);

	/* The maps fit, the vCPU's VMCB does not. */
	small_pool(&pool, &mem, PAGE_SIZE + IOPM_SIZE + MSRPM_SIZE);
	memset(&vm, 0, sizeof(vm));
	memset(&vcpu, 0, sizeof(vcpu));
	vm.name = "oom";
	vm.pool = &pool;
	vm.s2.root_pa = 0x1000;
	vcpu.vm = &vm;
	CHECK_EQ(svm_vm_init(&vm), 0, "svm_vm_init fits in the permission maps' room");
	CHECK_EQ(svm_vcpu_init(&vcpu, &boot), -1, "svm_vcpu_init refuses when the VMCB does not fit");
	CHECK(vcpu.arch == NULL, "... and leaves no half-built vCPU behind");
	free(mem);

	/* A VMCB that fails the check is refused by svm_vcpu_init itself:
	 * an unaligned nested-table root. */
	small_pool(&pool, &mem, POOL_SIZE);
	memset(&vm, 0, sizeof(vm));
	memset(&vcpu, 0, sizeof(vcpu));
	vm.name = "bad";
	vm.pool = &pool;
	vm.s2.root_pa = 0x1800;
	vcpu.vm = &vm;
	CHECK_EQ(svm_vm_init(&vm), 0, "a VM with a misaligned nested root is built");
	CHECK_EQ(svm_vcpu_init(&vcpu, &boot), -1,
		 "svm_vcpu_init refuses a VMCB that svm_check_vmcb refuses (nCR3 not page aligned)");
	free(mem);
}

/* ASIDs are handed out from 1 and wrap before nr_asids, never to 0. */
static void check_asids(void)
{
	struct bump pool;
	void *mem;
	struct vm vm;
	bool zero = false, too_big = false;

	for (uint32_t i = 0; i < 2 * svm_caps.nr_asids; i++) {
		small_pool(&pool, &mem, POOL_SIZE);
		memset(&vm, 0, sizeof(vm));
		vm.name = "asid";
		vm.pool = &pool;
		if (svm_vm_init(&vm) == 0) {
			uint32_t asid = ((struct svm_vm *)vm.arch)->asid;
			zero |= asid == 0;
			too_big |= asid >= svm_caps.nr_asids;
		}
		free(mem);
	}
	CHECK(!zero, "no VM is given ASID 0 (the host's), even after wrapping");
	CHECK(!too_big, "no VM is given an ASID at or above nr_asids (%u)", svm_caps.nr_asids);
}

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
	CHECK(vmcb->intercept_misc1 & INTERCEPT1_RDPMC,
	      "RDPMC exits (the performance counters count the host too)");
	CHECK(vmcb->intercept_misc2 & INTERCEPT2_XSETBV,
	      "XSETBV exits (XCR0 is not switched)");

	for (size_t i = 0; i < sizeof(breakages) / sizeof(breakages[0]); i++) {
		struct vmcb broken = *vmcb;
		breakages[i].apply(&broken);
		CHECK_STR(svm_check_vmcb(&broken), breakages[i].want,
			  "a broken VMCB is refused with its own reason: %s", breakages[i].want);
	}
	check_not_long_mode(vmcb);
	free((void *)pool.base);
	check_out_of_memory();
	check_asids();
	return unit_done();
}
