/*
 * VMs and vCPUs under VMX: the EPT pointer and VPID of a VM, and the VMCS
 * of a vCPU, filled with everything VM entry checks (SDM vol. 3, 27.2-27.3).
 *
 * A VMCS has three parts that matter here:
 *   controls    what exits (vmx_cpu.c chose them from the capability MSRs)
 *   host state  what a VM exit loads: our CR0/CR3/CR4, segments, GDT/TSS,
 *               and where to go (vmx_exit_stub) -- the firmware's CR3 and
 *               IDT, since we run inside UEFI's address space
 *   guest state what VM entry loads: a minihv guest starts in 64-bit mode
 *               with paging on (x86.h: X86_GUEST_*), flat segments
 */
#include "vmx.h"
#include "../../hv/print.h"
#include "../../lib/minihv_string.h"

/* The vCPU whose VMCS is current on this CPU (VMPTRLD), if any. */
static const struct vcpu *loaded_vcpu;
static uint16_t next_vpid = 1;

/* Remembers the first failing VMWRITE while a VMCS is being filled, so the
 * long list of writes below needs no check after each one. */
static enum vmcs_field failed_field;
static unsigned failed_error;
static bool any_write_failed;

/* After a VMX instruction failed with VMfailValid, the current VMCS's
 * VM-instruction error field says why. */
static unsigned last_error(void)
{
	return (unsigned)vmread(VMCS_INSN_ERROR);
}

static void vmcs_write(enum vmcs_field f, uint64_t v)
{
	if (!vmwrite(f, v) && !any_write_failed) {
		any_write_failed = true;
		failed_field = f;
		failed_error = last_error();
	}
}

/*
 * The MSR bitmap (SDM vol. 3, 25.6.9): one 4 KiB page holding four 1 KiB
 * bitmaps -- RDMSR of MSRs 0..0x1fff, RDMSR of 0xc0000000..0xc0001fff, then
 * WRMSR of the same two ranges.  A set bit makes that access exit; a clear
 * bit lets the guest reach the real MSR.  (An MSR outside both ranges
 * always exits.)
 *
 * Every bit is set, so every RDMSR and WRMSR still exits and is reported:
 * minihv emulates no MSR, and a guest that touched a real one could change
 * the host's state.  The bitmap is there for what comes next: a passthrough
 * partition would clear the bits of the MSRs it may touch directly, and
 * those accesses would then cost no exit at all.  One bitmap per VM, shared
 * by its vCPUs, because that is the unit such a policy belongs to.
 */
static int alloc_msr_bitmap(struct vm *vm, struct vmx_vm *a)
{
	uint8_t *bitmap = bump_alloc(vm->pool, PAGE_SIZE, PAGE_SIZE);
	if (!bitmap) {
		hv_printf("minihv: %s: out of memory for the MSR bitmap\n", vm->name);
		return -1;
	}
	memset(bitmap, 0xff, PAGE_SIZE);
	a->msr_bitmap_pa = hpa_val(hpa_from_ptr(bitmap));
	return 0;
}

static bool use_msr_bitmap(void)
{
	return vmx_caps.controls[VMX_CTL_PROC] & PROC_USE_MSR_BITMAPS;
}

int vmx_vm_init(struct vm *vm)
{
	struct vmx_vm *a = bump_alloc(vm->pool, sizeof(*a), 8);
	if (!a) {
		hv_printf("minihv: %s: out of memory for the VMX VM state\n", vm->name);
		return -1;
	}
	/* EPTP: the root table's address, bits 5:3 = walk length - 1,
	 * bits 2:0 = memory type of the tables themselves (6, write-back). */
	a->eptp = vm->s2.root_pa | ((uint64_t)(vm->s2.fmt->levels - 1) << 3) | 6;
	a->msr_bitmap_pa = 0;
	if (use_msr_bitmap() && alloc_msr_bitmap(vm, a))
		return -1;

	/* A VPID tags the guest's TLB entries so they survive VM exits.  VMs
	 * run one after another and reuse numbers: when the counter wraps,
	 * flush every VPID's entries. */
	if (vmx_caps.vpid) {
		a->vpid = next_vpid++;
		if (next_vpid == 0) {
			next_vpid = 1;
			invvpid_all();
		}
	}
	vm->arch = a;
	return 0;
}

/*
 * IA32_KERNEL_GS_BASE is not in the VMCS, and SWAPGS swaps it with GS.base
 * without an exit: one guest could leave a value there for the next, or
 * change the firmware's.  The hypervisor itself never uses it (no SWAPGS,
 * and no firmware code runs while minihv owns the CPU), so it need not be
 * switched on every exit -- that would put an RDMSR and two WRMSRs on the
 * hot path.  Instead it belongs to one vCPU at a time, like the current
 * VMCS: switched when another vCPU is loaded to run (vmx_load_vcpu_to_run),
 * and given back to the firmware when the owner's VM ends (vmx_vm_fini).
 */
static struct vmx_vcpu *kernel_gs_owner;

static void kernel_gs_base_switch(struct vmx_vcpu *to)
{
	if (kernel_gs_owner)
		kernel_gs_owner->kernel_gs_base = x86_rdmsr(MSR_KERNEL_GS_BASE);
	x86_wrmsr(MSR_KERNEL_GS_BASE, to->kernel_gs_base);
	kernel_gs_owner = to;
}

static void kernel_gs_base_release(const struct vcpu *vcpu)
{
	if (kernel_gs_owner != vcpu->arch)
		return;
	kernel_gs_owner->kernel_gs_base = x86_rdmsr(MSR_KERNEL_GS_BASE);
	x86_wrmsr(MSR_KERNEL_GS_BASE, vmx_host.kernel_gs_base);
	kernel_gs_owner = NULL;
}

void vmx_vm_fini(struct vm *vm)
{
	/* The VMCS memory goes back to the pool: make the CPU write out and
	 * forget anything it caches of it first. */
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vmx_vcpu *a = vm->vcpus[i]->arch;
		if (!vmclear(a->vmcs_pa))
			hv_printf("minihv: %s: VMCLEAR of vcpu%u's VMCS failed\n", vm->name, i);
		if (loaded_vcpu == vm->vcpus[i])
			loaded_vcpu = NULL;
		kernel_gs_base_release(vm->vcpus[i]);
	}
}

void vmx_s2_flush(struct vm *vm)
{
	const struct vmx_vm *a = vm->arch;
	if (!invept(vmx_caps.invept_type, a->eptp)) {
		unsigned n = last_error();
		hv_printf("minihv: %s: INVEPT of EPTP 0x%llx failed: VM-instruction error %u (%s)\n",
			  vm->name, (unsigned long long)a->eptp, n, vmx_insn_error_name(n));
	}
}

/* Make the vCPU's VMCS the current one, which VMREAD/VMWRITE and VM entry
 * use. */
void vmx_load_vcpu(const struct vcpu *vcpu)
{
	const struct vmx_vcpu *a = vcpu->arch;
	if (loaded_vcpu == vcpu)
		return;
	if (!vmptrld(a->vmcs_pa)) {
		unsigned n = last_error();
		hv_printf("minihv: VMPTRLD of vcpu%u's VMCS at 0x%llx failed: VM-instruction error %u (%s)\n",
			  vcpu->id, (unsigned long long)a->vmcs_pa, n, vmx_insn_error_name(n));
	}
	loaded_vcpu = vcpu;
}

/* Make the vCPU the one that runs next: its VMCS current, and the one
 * register VM entry does not load that SWAPGS reaches, its own. */
void vmx_load_vcpu_to_run(const struct vcpu *vcpu)
{
	vmx_load_vcpu(vcpu);
	if (kernel_gs_owner != vcpu->arch)
		kernel_gs_base_switch(vcpu->arch);
}

/* Segment registers in the VMCS are numbered ES CS SS DS FS GS LDTR TR;
 * each has a selector, base, limit and access-rights field, at encodings
 * 2 apart. */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_COUNT };

static void guest_segment(unsigned seg, uint16_t sel, uint32_t limit, uint32_t access)
{
	vmcs_write(VMCS_GUEST_ES_SEL + 2 * seg, sel);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * seg, 0);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * seg, limit);
	vmcs_write(VMCS_GUEST_ES_AR + 2 * seg, access);
}

/* Access rights (SDM vol. 3, 25.4.1): type, S, DPL, P, L, D/B, G, and
 * bit 16 "unusable". */
#define AR_CODE64  0xa09b  /* execute/read, accessed, S, P, L, G */
#define AR_DATA    0xc093  /* read/write, accessed, S, P, D/B, G */
#define AR_TSS64   0x008b  /* busy 64-bit TSS, P */
#define AR_UNUSABLE 0x10000

static void write_guest_state(struct vmx_vcpu *a, const struct vcpu_boot *boot)
{
	/* CR0 and CR4 must satisfy the VMX fixed bits (CR4.VMXE among them).
	 * The guest/host masks make the bits we force the host's: the guest
	 * reads its own view from the shadows, and an attempt to change one
	 * of them exits (a "control-register access", reported). */
	uint64_t cr0 = vmx_fix_cr(X86_GUEST_CR0, vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1);
	uint64_t cr4 = vmx_fix_cr(X86_GUEST_CR4, vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1);
	vmcs_write(VMCS_GUEST_CR0, cr0);
	vmcs_write(VMCS_GUEST_CR4, cr4);
	vmcs_write(VMCS_CR0_MASK, vmx_caps.cr0_fixed0 | ~vmx_caps.cr0_fixed1);
	vmcs_write(VMCS_CR4_MASK, vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1);
	vmcs_write(VMCS_CR0_SHADOW, X86_GUEST_CR0);
	vmcs_write(VMCS_CR4_SHADOW, X86_GUEST_CR4);
	vmcs_write(VMCS_GUEST_CR3, gpa_val(boot->gpt_root));
	vmcs_write(VMCS_GUEST_EFER, X86_GUEST_EFER);

	guest_segment(SEG_CS, 0x08, 0xffffffff, AR_CODE64);
	for (unsigned s = SEG_ES; s <= SEG_GS; s++)
		if (s != SEG_CS)
			guest_segment(s, 0x10, 0xffffffff, AR_DATA);
	guest_segment(SEG_LDTR, 0, 0, AR_UNUSABLE);
	guest_segment(SEG_TR, 0x18, 0x67, AR_TSS64);
	/* No GDT or IDT: the guest never loads a selector, and every
	 * exception exits to us before the IDT would be read. */
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0);

	vmcs_write(VMCS_GUEST_RIP, gva_val(boot->entry));
	vmcs_write(VMCS_GUEST_RSP, gva_val(boot->stack_top));
	vmcs_write(VMCS_GUEST_RFLAGS, X86_GUEST_RFLAGS);
	vmcs_write(VMCS_GUEST_DR7, 0x400);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY, 0);           /* active */
	vmcs_write(VMCS_LINK_POINTER, ~0ull);         /* no shadow VMCS */

	a->gprs[X86_RSP] = gva_val(boot->stack_top);
	a->gprs[X86_RDI] = boot->arg0;
}

static void write_host_state(void)
{
	uint16_t sel[6];
	read_segment_selectors(sel);
	/* VM entry requires RPL = TI = 0 in host selectors; UEFI's are. */
	for (unsigned i = 0; i < 6; i++)
		vmcs_write(VMCS_HOST_ES_SEL + 2 * i, sel[i] & ~7u);
	vmcs_write(VMCS_HOST_TR_SEL, vmx_host.tr_sel);

	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_EFER, x86_rdmsr(MSR_EFER));
	vmcs_write(VMCS_HOST_FS_BASE, x86_rdmsr(MSR_FS_BASE));
	vmcs_write(VMCS_HOST_GS_BASE, x86_rdmsr(MSR_GS_BASE));
	vmcs_write(VMCS_HOST_TR_BASE, vmx_host.tss_base);
	vmcs_write(VMCS_HOST_GDTR_BASE, vmx_host.gdt_base);
	vmcs_write(VMCS_HOST_IDTR_BASE, vmx_host.idt_base);
	vmcs_write(VMCS_HOST_SYSENTER_CS, x86_rdmsr(MSR_SYSENTER_CS));
	vmcs_write(VMCS_HOST_SYSENTER_ESP, x86_rdmsr(MSR_SYSENTER_ESP));
	vmcs_write(VMCS_HOST_SYSENTER_EIP, x86_rdmsr(MSR_SYSENTER_EIP));
	vmcs_write(VMCS_HOST_RIP, (uintptr_t)vmx_exit_stub);
	/* HOST_RSP is written by vmx_enter_guest, at every entry. */
}

static void write_controls(const struct vmx_vm *vm)
{
	vmcs_write(VMCS_PIN_CONTROLS, vmx_caps.controls[VMX_CTL_PIN]);
	vmcs_write(VMCS_PROC_CONTROLS, vmx_caps.controls[VMX_CTL_PROC]);
	vmcs_write(VMCS_PROC2_CONTROLS, vmx_caps.controls[VMX_CTL_PROC2]);
	vmcs_write(VMCS_EXIT_CONTROLS, vmx_caps.controls[VMX_CTL_EXIT]);
	vmcs_write(VMCS_ENTRY_CONTROLS, vmx_caps.controls[VMX_CTL_ENTRY]);
	/* Every exception exits: minihv guests have no IDT, and a fault is
	 * a test result the core should report, not something to deliver. */
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0xffffffff);
	vmcs_write(VMCS_EPT_POINTER, vm->eptp);
	if (vmx_caps.vpid)
		vmcs_write(VMCS_VPID, vm->vpid);
	/* With "use MSR bitmaps" on, RDMSR and WRMSR exit as the VM's bitmap
	 * says (all of them); with it off (the CPU cannot), every one exits. */
	if (use_msr_bitmap())
		vmcs_write(VMCS_MSR_BITMAP, vm->msr_bitmap_pa);
}

int vmx_vcpu_init(struct vcpu *vcpu, const struct vcpu_boot *boot)
{
	struct vm *vm = vcpu->vm;
	struct vmx_vcpu *a = bump_alloc(vm->pool, sizeof(*a), 16);
	void *vmcs = bump_alloc(vm->pool, 4096, 4096);
	if (!a || !vmcs) {
		hv_printf("minihv: %s: out of memory for vcpu%u's VMCS\n", vm->name, vcpu->id);
		return -1;
	}
	a->vmcs_pa = hpa_val(hpa_from_ptr(vmcs));
	vcpu->arch = a;

	/* A fresh VMCS: revision stamped, VMCLEAR sets its launch state to
	 * "clear" (VMLAUNCH, not VMRESUME, comes next), VMPTRLD makes it
	 * current. */
	*(uint32_t *)vmcs = vmx_caps.revision;
	if (!vmclear(a->vmcs_pa) || !vmptrld(a->vmcs_pa)) {
		hv_printf("minihv: %s: VMCLEAR/VMPTRLD of a new VMCS at 0x%llx failed\n",
			  vm->name, (unsigned long long)a->vmcs_pa);
		return -1;
	}
	loaded_vcpu = vcpu;

	any_write_failed = false;
	write_controls(vm->arch);
	write_host_state();
	write_guest_state(a, boot);
	if (any_write_failed) {
		hv_printf("minihv: %s: VMWRITE of VMCS field 0x%x failed: VM-instruction error %u (%s)\n",
			  vm->name, failed_field, failed_error, vmx_insn_error_name(failed_error));
		vmclear(a->vmcs_pa);
		loaded_vcpu = NULL;
		return -1;
	}
	return 0;
}

gpa_t vmx_vcpu_gpt_root(const struct vcpu *vcpu)
{
	/* The guest may have loaded another CR3 (that does not exit). */
	vmx_load_vcpu(vcpu);
	return gpa(vmread(VMCS_GUEST_CR3) & 0x000ffffffffff000ull);
}

/* The CPL is SS's DPL (access rights bits 6:5); SS's access rights follow
 * ES's and CS's in the VMCS encoding (ES_AR + 4). */
bool vmx_vcpu_user_mode(const struct vcpu *vcpu)
{
	vmx_load_vcpu(vcpu);
	return ((vmread((enum vmcs_field)(VMCS_GUEST_ES_AR + 4)) >> 5) & 3) == 3;
}

/* Access rights: L (64-bit code) is bit 13, D/B bit 14 (SDM vol. 3, 25.4.1). */
#define AR_L  (1u << 13)
#define AR_DB (1u << 14)

void vmx_vcpu_guest_mode(const struct vcpu *vcpu, struct x86_guest_mode *out)
{
	vmx_load_vcpu(vcpu);
	/* The CPU's own CR0 and CR4, not the shadows the guest reads: the
	 * real ones decide how it translates. */
	out->cr0 = vmread(VMCS_GUEST_CR0);
	out->cr4 = vmread(VMCS_GUEST_CR4);
	out->efer = vmread(VMCS_GUEST_EFER);
	out->rflags = vmread(VMCS_GUEST_RFLAGS);
	uint64_t cs_ar = vmread(VMCS_GUEST_ES_AR + 2 * SEG_CS);
	out->cs_l = cs_ar & AR_L;
	out->cs_d = cs_ar & AR_DB;
}

bool vmx_vcpu_gpt_enabled(const struct vcpu *vcpu)
{
	vmx_load_vcpu(vcpu);
	return vmread(VMCS_GUEST_CR0) & CR0_PG;
}
