/*
 * Building a VMCB: what the guest may not do, and the state it starts in.
 *
 * A minihv guest starts directly in 64-bit long mode with paging on (no
 * real-mode boot), so the VMCB describes a CPU that is already there: flat
 * 64-bit code and data segments, CR0.PG, CR4.PAE, EFER.LME and LMA, and CR3
 * pointing at the page tables hv/vm.c built in guest RAM.  With nested
 * paging the guest's CR3 holds a guest-physical address, and the CPU walks
 * the guest's tables and then our nested tables (nCR3) for every access.
 */
#include "svm.h"
#include "../../hv/print.h"
#include "../../lib/minihv_string.h"

static uint32_t next_asid = 1;

/*
 * The permission maps: every bit set, so every IN/OUT and every
 * RDMSR/WRMSR exits, and we refuse them all.  A minihv guest talks to the
 * hypervisor through memory only; it has no business with the machine's
 * ports or MSRs.  The maps are the same for every VM and the CPU only
 * reads them, so there is one pair, in our own image (physically
 * contiguous, as the CPU needs: UEFI loads the image in one piece), built
 * by the first VM and shared by all: not 20 KiB of pool and 20 Ki byte
 * stores per VM.
 */
static uint8_t iopm[IOPM_SIZE] __attribute__((aligned(4096)));
static uint8_t msrpm[MSRPM_SIZE] __attribute__((aligned(4096)));
static bool maps_built;

int svm_vm_init(struct vm *vm)
{
	struct svm_vm *s = bump_alloc(vm->pool, sizeof(*s), 8);
	if (!s) {
		hv_printf("minihv: %s: out of memory for the SVM VM state\n", vm->name);
		return -1;
	}
	if (!maps_built) {
		memset(iopm, 0xff, IOPM_SIZE);
		memset(msrpm, 0xff, MSRPM_SIZE);
		maps_built = true;
	}
	s->iopm = iopm;
	s->msrpm = msrpm;

	/*
	 * ASIDs tag TLB entries, so that a guest's translations and the
	 * host's (ASID 0) can coexist.  VMs run one after the other here and
	 * every vCPU flushes the TLB on its first VMRUN, so reusing an ASID
	 * after wrapping around is safe.
	 */
	s->asid = next_asid;
	next_asid = next_asid + 1 >= svm_caps.nr_asids ? 1 : next_asid + 1;
	vm->arch = s;
	return 0;
}

/* Segment attributes (descriptor bits 40..47 and 52..55, packed). */
#define SEG_CODE64 0x029b  /* present, DPL 0, execute/read, accessed, L=1 D=0 */
#define SEG_DATA   0x0c93  /* present, DPL 0, read/write, accessed, D/B=1 G=1 */
#define SEG_TSS64  0x008b  /* present, busy 64-bit TSS */
#define SEL_CODE   0x08
#define SEL_DATA   0x10
#define SEL_TSS    0x18

/* The guest's PAT, the x86 power-on value: index 0 write-back, 1
 * write-through, 2 UC-, 3 uncacheable (what pt_format_x86_64's device
 * mappings select with PCD|PWT), then the same again. */
#define GUEST_PAT 0x0007040600070406ull

static void set_seg(struct vmcb_seg *s, uint16_t sel, uint16_t attrib, uint32_t limit)
{
	s->selector = sel;
	s->attrib = attrib;
	s->limit = limit;
	s->base = 0;
}

static void set_intercepts(struct vmcb *vmcb, const struct svm_vm *s)
{
	/*
	 * Every exception: a minihv guest has no IDT, so any exception it
	 * takes is a bug we want to see by name, before the CPU turns it
	 * into a double and then a triple fault.
	 */
	vmcb->intercept_exceptions = 0xffffffffu;
	/*
	 * Every read and write of every debug register (bits 15:0 reads of
	 * DR0..DR15, 31:16 writes).  VMRUN switches DR6 and DR7 (they are in
	 * the VMCB) but not DR0..DR3: a guest's breakpoint address would stay
	 * for the host and the next guest.  minihv guests get none of them.
	 */
	vmcb->intercept_dr = 0xffffffffu;
	/*
	 * NMI: without the intercept the CPU would deliver the host's NMI
	 * to the guest, through the guest's IDT.  With it, the NMI exits
	 * (and stays pending: svm_cpu.c says where it goes then), and the exit
	 * handler stops the guest, as VMX does.
	 */
	/* RDPMC: the CPU's performance counters count the host too (the
	 * MSRs that program them are intercepted with every other MSR). */
	vmcb->intercept_misc1 = INTERCEPT1_NMI | INTERCEPT1_VINTR | INTERCEPT1_CPUID | INTERCEPT1_HLT |
				INTERCEPT1_INVD | INTERCEPT1_INVLPGA | INTERCEPT1_IOIO_PROT |
				INTERCEPT1_MSR_PROT | INTERCEPT1_SHUTDOWN | INTERCEPT1_RDPMC;
	/*
	 * VMRUN must be intercepted (VMRUN refuses a VMCB that does not).
	 * The other SVM instructions would let the guest touch GIF or load
	 * and save processor state at physical addresses of its choosing.
	 * MONITOR/MWAIT could park the CPU where no intercept sees it.
	 * XSETBV would change XCR0, which VMRUN does not switch, for the host
	 * and the next guest too (x86_exit.c checks it, as on VMX).
	 * QEMU's TCG ignores that last intercept: x86_fpu.c also puts XCR0 back
	 * when a VM ends.
	 */
	vmcb->intercept_misc2 = INTERCEPT2_VMRUN | INTERCEPT2_VMMCALL | INTERCEPT2_VMLOAD |
				INTERCEPT2_VMSAVE | INTERCEPT2_STGI | INTERCEPT2_CLGI |
				INTERCEPT2_SKINIT | INTERCEPT2_MONITOR | INTERCEPT2_MWAIT |
				INTERCEPT2_MWAIT_ARMED | INTERCEPT2_XSETBV | INTERCEPT2_WBINVD;
	/*
	 * WBINVD and INVD: both stopped by name (x86_exit.c says why).  INVD
	 * has its own intercept (above), but QEMU 7.2's TCG tests the WBINVD
	 * intercept bit for INVD as well, so without this one a guest's INVD
	 * would run there, dropping dirty cache lines.
	 */
	vmcb->iopm_base_pa = hpa_val(hpa_from_ptr(s->iopm));
	vmcb->msrpm_base_pa = hpa_val(hpa_from_ptr(s->msrpm));
	/*
	 * Physical interrupts: with V_INTR_MASKING the guest's RFLAGS.IF
	 * only masks virtual interrupts, and physical ones are masked by the
	 * host's IF -- which is clear for as long as minihv owns the CPU
	 * (arch_cpu_init).  So they stay pending for the firmware and never
	 * reach the guest.  INTR is not intercepted here: svm_vcpu_run sets
	 * the intercept, and the host's IF for the VMRUN, only while the
	 * watchdog is armed, and then lets the firmware take each interrupt
	 * that made the guest exit.
	 *
	 * A guest that sets RFLAGS.IF (STI, POPF, IRET) is stopped, as on
	 * VMX, where interrupt-window exiting does it (vmx_cpu.c): the same
	 * guest must meet the same hypervisor on both.  SVM has no interrupt
	 * window exit, but a virtual interrupt does the job: one is left
	 * pending (V_IRQ, highest priority, TPR ignored) and never delivered,
	 * because its delivery is intercepted (VINTR).  The CPU takes it --
	 * and so exits -- at the first instruction boundary where the guest's
	 * IF is set (APM vol. 2, 15.21.4, "Injecting Virtual (INTR)
	 * Interrupts").
	 */
	vmcb->int_control = INT_CONTROL_V_INTR_MASKING | INT_CONTROL_V_IRQ |
			    INT_CONTROL_V_INTR_PRIO | INT_CONTROL_V_IGN_TPR;
}

static void set_guest_state(struct vmcb *vmcb, const struct vcpu_boot *boot)
{
	set_seg(&vmcb->cs, SEL_CODE, SEG_CODE64, 0xffffffff);
	set_seg(&vmcb->ss, SEL_DATA, SEG_DATA, 0xffffffff);
	set_seg(&vmcb->ds, SEL_DATA, SEG_DATA, 0xffffffff);
	set_seg(&vmcb->es, SEL_DATA, SEG_DATA, 0xffffffff);
	set_seg(&vmcb->fs, SEL_DATA, SEG_DATA, 0xffffffff);
	set_seg(&vmcb->gs, SEL_DATA, SEG_DATA, 0xffffffff);
	/* No GDT, IDT or TSS in guest memory: exceptions are intercepted,
	 * and the guest never loads a segment.  TR still has to look like
	 * a 64-bit TSS. */
	set_seg(&vmcb->tr, SEL_TSS, SEG_TSS64, 0x67);
	set_seg(&vmcb->ldtr, 0, 0, 0);
	set_seg(&vmcb->gdtr, 0, 0, 0);
	set_seg(&vmcb->idtr, 0, 0, 0);
	vmcb->cpl = 0;

	/* SVME must be set in the guest's EFER too (a VMRUN check).  LMA is
	 * set by us, not derived: with LMA clear QEMU runs the guest in
	 * legacy PAE mode. */
	vmcb->efer = X86_GUEST_EFER | EFER_SVME;
	vmcb->cr0 = X86_GUEST_CR0;
	vmcb->cr3 = gpa_val(boot->gpt_root);
	vmcb->cr4 = X86_GUEST_CR4;
	vmcb->dr6 = 0xffff0ff0;   /* reset values */
	vmcb->dr7 = 0x400;
	vmcb->rflags = X86_GUEST_RFLAGS;
	vmcb->rip = gva_val(boot->entry);
	vmcb->rsp = gva_val(boot->stack_top);
	vmcb->g_pat = GUEST_PAT;
}

int svm_vcpu_init(struct vcpu *vcpu, const struct vcpu_boot *boot)
{
	struct vm *vm = vcpu->vm;
	const struct svm_vm *s = vm->arch;
	struct svm_vcpu *v = bump_alloc(vm->pool, sizeof(*v), 64);
	struct vmcb *vmcb = bump_alloc(vm->pool, sizeof(*vmcb), PAGE_SIZE);
	if (!v || !vmcb) {
		hv_printf("minihv: %s: out of memory for the vCPU's VMCB\n", vm->name);
		return -1;
	}
	memset(v, 0, sizeof(*v));
	memset(vmcb, 0, sizeof(*vmcb));

	set_intercepts(vmcb, s);
	vmcb->asid = s->asid;
	/* The pool's memory held another VM's tables a moment ago, at the
	 * same addresses and maybe the same ASID: start with a clean TLB. */
	vmcb->tlb_control = TLB_CONTROL_FLUSH_ALL;
	vmcb->np_control = NP_ENABLE;
	vmcb->n_cr3 = vm->s2.root_pa;
	vmcb->clean_bits = 0;  /* nothing is cached: the CPU reloads it all */
	set_guest_state(vmcb, boot);

	v->vmcb = vmcb;
	v->vmcb_pa = hpa_val(hpa_from_ptr(vmcb));
	v->gpr[X86_RDI] = boot->arg0;
	v->gpr[X86_RSP] = gva_val(boot->stack_top);
	vcpu->arch = v;

	const char *bad = svm_check_vmcb(vmcb);
	if (bad) {
		hv_printf("minihv: %s: the VMCB would fail VMRUN's checks: %s\n", vm->name, bad);
		return -1;
	}
	return 0;
}

void svm_guest_mode(const struct vmcb *vmcb, struct x86_guest_mode *out)
{
	out->cr0 = vmcb->cr0;
	out->cr4 = vmcb->cr4;
	out->efer = vmcb->efer;
	out->rflags = vmcb->rflags;
	out->cs_l = vmcb->cs.attrib & ATTRIB_L;
	out->cs_d = vmcb->cs.attrib & ATTRIB_DB;
}

/*
 * A few of the checks VMRUN makes before it will enter a guest (APM vol. 2,
 * 15.5.1, "Basic Operation": "Canonicalization and Consistency Checks").
 * When one fails, VMRUN exits at once with VMEXIT_INVALID and no further
 * detail, so checking here turns a bare -1 into a sentence.  Bochs checks
 * G_PAT too; QEMU does not.
 */
static bool pat_ok(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		unsigned t = (pat >> (8 * i)) & 0xff;
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

const char *svm_check_vmcb(const struct vmcb *vmcb)
{
	bool long_mode = (vmcb->efer & EFER_LME) && (vmcb->cr0 & CR0_PG);

	if (!(vmcb->efer & EFER_SVME))
		return "guest EFER.SVME is clear";
	if (!(vmcb->intercept_misc2 & INTERCEPT2_VMRUN))
		return "VMRUN is not intercepted";
	if (vmcb->asid == 0)
		return "guest ASID is 0 (the host's)";
	if ((vmcb->cr0 & CR0_NW) && !(vmcb->cr0 & CR0_CD))
		return "CR0.NW is set without CR0.CD";
	if (vmcb->cr0 >> 32)
		return "CR0 bits 63:32 are not zero";
	if ((vmcb->dr6 >> 32) || (vmcb->dr7 >> 32))
		return "DR6 or DR7 bits 63:32 are not zero";
	if (long_mode && !(vmcb->cr4 & CR4_PAE))
		return "EFER.LME and CR0.PG are set but CR4.PAE is clear";
	if (long_mode && !(vmcb->cr0 & CR0_PE))
		return "EFER.LME and CR0.PG are set but CR0.PE is clear";
	if (long_mode && !(vmcb->efer & EFER_LMA))
		return "EFER.LMA is clear in long mode";
	if (long_mode && (vmcb->cr3 >> 52))
		return "CR3 bits 63:52 are not zero";
	/* L=1 with D=1 is reserved for a 64-bit code segment. */
	if (long_mode && (vmcb->cs.attrib & 0x200) && (vmcb->cs.attrib & 0x400))
		return "CS.L and CS.D are both set";
	if (!pat_ok(vmcb->g_pat))
		return "G_PAT holds a reserved memory type";
	if ((vmcb->np_control & NP_ENABLE) && (vmcb->n_cr3 & (PAGE_SIZE - 1)))
		return "nCR3 is not page aligned";
	return NULL;
}
