/*
 * AMD SVM: finding it, turning it on, turning it off, and the backend table.
 *
 * Turning SVM on takes two writes: EFER.SVME, which makes the SVM
 * instructions (VMRUN, VMLOAD, VMSAVE, STGI, CLGI) legal, and VM_HSAVE_PA,
 * the page where VMRUN keeps the host's state while a guest runs.  Compare
 * VMX, which needs VMXON, a VMXON region and fixed CR0/CR4 bits.
 */
#include "svm.h"
#include "../../hv/print.h"
#include "../../lib/minihv_string.h"

struct svm_caps svm_caps;
uint64_t svm_host_state_pa;

/* The host save area (VM_HSAVE_PA) and the page svm_entry.S VMSAVEs the
 * host's FS/GS/TR/LDTR/syscall state to.  The CPU owns both while SVM is
 * on; their format is the CPU's business, we only provide the memory.
 * Statics are fine: under UEFI's identity map their address is physical. */
static uint8_t host_save_area[4096] __attribute__((aligned(4096)));
static uint8_t host_state[4096] __attribute__((aligned(4096)));

/* What the firmware had, for svm_cpu_fini. */
static struct {
	uint64_t efer;
	uint64_t hsave_pa;
	struct dtr idtr;
} firmware;

/*
 * The IDT the host runs on while SVM is on: a copy of the firmware's, with
 * vector 2 (NMI) pointing at svm_nmi_return (svm_entry.S), which only
 * returns.
 *
 * An NMI that arrives while a guest runs exits (svm_vmcb.c intercepts it),
 * but unlike VMX's NMI exit, that exit does not consume it: the NMI stays
 * pending while GIF is 0 and is delivered to the host at the STGI that ends
 * svm_enter_guest.  The firmware's handler would end the whole run there
 * (OVMF prints a register dump and stops), before minihv could say which
 * guest was running; ours drops it, and the exit handler stops the guest
 * with the reason VMX gives.  Every other vector is the firmware's.
 */
#define IDT_GATES 256
#define IDT_NMI   2
static uint64_t host_idt[2 * IDT_GATES] __attribute__((aligned(16)));

/* A 64-bit interrupt gate (16 bytes): handler's offset split over both
 * halves, code segment, present, DPL 0, type 0xe, no IST. */
static void set_interrupt_gate(uint64_t gate[2], uint64_t handler, uint16_t cs)
{
	gate[0] = (handler & 0xffff) | ((uint64_t)cs << 16) | (0xeull << 40) | (1ull << 47) |
		  ((handler >> 16 & 0xffff) << 48);
	gate[1] = handler >> 32;
}

static void load_host_idt(void)
{
	size_t size = (size_t)firmware.idtr.limit + 1;

	if (size > sizeof(host_idt))
		size = sizeof(host_idt);
	memcpy(host_idt, (const void *)(uintptr_t)firmware.idtr.base, size);
	set_interrupt_gate(&host_idt[2 * IDT_NMI], (uintptr_t)svm_nmi_return, read_cs());
	struct dtr ours = { (uint16_t)(sizeof(host_idt) - 1), (uintptr_t)host_idt };
	lidt(&ours);
}

#define AMD_EDX_NX            (1u << 20)
#define SVM_EDX_NP            (1u << 0)
#define SVM_EDX_NRIPS         (1u << 3)
#define SVM_EDX_VMCB_CLEAN    (1u << 5)
#define SVM_EDX_FLUSH_BY_ASID (1u << 6)
#define SVM_EDX_DECODE_ASSISTS (1u << 7)
#define SVM_EDX_VGIF          (1u << 16)

static bool svm_probe(char *why, size_t len)
{
	uint32_t max, a, b, c, d;

	x86_cpuid(CPUID_EXT_MAX, 0, &max, &b, &c, &d);
	if (max < CPUID_AMD_FEATURES) {
		hv_snprintf(why, len, "no CPUID leaf 8000_0001, so no SVM");
		return false;
	}
	x86_cpuid(CPUID_AMD_FEATURES, 0, &a, &b, &c, &d);
	if (!(c & AMD_ECX_SVM)) {
		hv_snprintf(why, len, "CPUID 8000_0001 ECX.SVM=0: this CPU has no AMD-V");
		return false;
	}
	if (!(d & AMD_EDX_NX)) {
		hv_snprintf(why, len, "CPUID 8000_0001 EDX.NX=0: minihv's page tables need the no-execute bit");
		return false;
	}
	if (max < CPUID_SVM) {
		hv_snprintf(why, len, "SVM is reported but CPUID leaf 8000_000A (its features) is missing");
		return false;
	}
	/*
	 * The firmware can switch SVM off (BIOS setup: "SVM mode") and lock
	 * that choice; then EFER.SVME cannot be set.  (Bochs does not
	 * implement VM_CR: it reads 0 there only with ignore_bad_msrs=1.)
	 */
	uint64_t vm_cr = x86_rdmsr(MSR_VM_CR);
	if (vm_cr & VM_CR_SVMDIS) {
		hv_snprintf(why, len, "SVM is disabled by the firmware (VM_CR=0x%llx: SVMDIS%s)",
			    (unsigned long long)vm_cr,
			    (vm_cr & VM_CR_LOCK) ? ", locked: enable SVM in the firmware setup" : "");
		return false;
	}

	x86_cpuid(CPUID_SVM, 0, &a, &b, &c, &d);
	svm_caps.revision = a & 0xff;
	svm_caps.nr_asids = b;
	svm_caps.nrips = d & SVM_EDX_NRIPS;
	svm_caps.decode_assists = d & SVM_EDX_DECODE_ASSISTS;
	svm_caps.flush_by_asid = d & SVM_EDX_FLUSH_BY_ASID;
	svm_caps.vmcb_clean = d & SVM_EDX_VMCB_CLEAN;
	svm_caps.vgif = d & SVM_EDX_VGIF;
	if (!(d & SVM_EDX_NP)) {
		hv_snprintf(why, len, "no nested paging (CPUID 8000_000A EDX.NP=0): minihv maps guest memory with NPT");
		return false;
	}
	if (svm_caps.nr_asids < 2) {
		hv_snprintf(why, len, "CPUID 8000_000A reports %u ASIDs: none left for guests",
			    svm_caps.nr_asids);
		return false;
	}
	return true;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static int svm_cpu_init(void)
{
	if (((uintptr_t)host_save_area | (uintptr_t)host_state) & (PAGE_SIZE - 1)) {
		hv_printf("minihv: SVM: host save pages are not page aligned (0x%llx, 0x%llx)\n",
			  (unsigned long long)(uintptr_t)host_save_area,
			  (unsigned long long)(uintptr_t)host_state);
		return -1;
	}
	hv_printf("minihv: SVM revision %u, %u ASIDs, nested paging yes, NRIPS %s, decode assists %s, flush by ASID %s, VMCB clean bits %s, VGIF %s\n",
		  svm_caps.revision, svm_caps.nr_asids, yes_no(svm_caps.nrips),
		  yes_no(svm_caps.decode_assists), yes_no(svm_caps.flush_by_asid),
		  yes_no(svm_caps.vmcb_clean), yes_no(svm_caps.vgif));

	firmware.efer = x86_rdmsr(MSR_EFER);
	firmware.hsave_pa = x86_rdmsr(MSR_VM_HSAVE_PA);
	if (firmware.efer & EFER_SVME)
		hv_printf("minihv: SVM: EFER.SVME was already set (another hypervisor below us?)\n");

	x86_wrmsr(MSR_VM_HSAVE_PA, hpa_val(hpa_from_ptr(host_save_area)));
	/*
	 * NXE as well: nested page-table entries without PT_X carry the
	 * no-execute bit, and the CPU walks nested tables with the host's
	 * EFER.NXE; with NXE clear that bit would be a reserved-bit fault.
	 */
	x86_wrmsr(MSR_EFER, firmware.efer | EFER_SVME | EFER_NXE);
	svm_host_state_pa = hpa_val(hpa_from_ptr(host_state));
	sidt(&firmware.idtr);
	load_host_idt();
	hv_printf("minihv: SVM on: EFER 0x%llx -> 0x%llx, VM_HSAVE_PA 0x%llx\n",
		  (unsigned long long)firmware.efer, (unsigned long long)x86_rdmsr(MSR_EFER),
		  (unsigned long long)x86_rdmsr(MSR_VM_HSAVE_PA));
	return 0;
}

static void svm_cpu_fini(void)
{
	/* GIF is 1 here (svm_entry.S ends every run with STGI), as the
	 * firmware expects; EFER.SVME goes back to what it was. */
	x86_wrmsr(MSR_EFER, firmware.efer);
	x86_wrmsr(MSR_VM_HSAVE_PA, firmware.hsave_pa);
	lidt(&firmware.idtr);
}

static const struct pt_format *svm_s2_format(void)
{
	return &pt_format_x86_npt;
}

static void svm_vm_fini(struct vm *vm)
{
	/* Everything came from the VM's pool, which vm_destroy resets. */
	(void)vm;
}

static gpa_t svm_vcpu_gpt_root(const struct vcpu *vcpu)
{
	const struct svm_vcpu *v = vcpu->arch;
	/* CR3 bits 51:12; the low bits are PWT/PCD (or a PCID). */
	return gpa(v->vmcb->cr3 & 0x000ffffffffff000ull);
}

static bool svm_vcpu_gpt_enabled(const struct vcpu *vcpu)
{
	const struct svm_vcpu *v = vcpu->arch;
	return v->vmcb->cr0 & CR0_PG;
}

/* The VMCB keeps the CPL itself (VMRUN loads it, #VMEXIT saves it). */
static bool svm_vcpu_user_mode(const struct vcpu *vcpu)
{
	const struct svm_vcpu *v = vcpu->arch;
	return v->vmcb->cpl == 3;
}

static void svm_vcpu_guest_mode(const struct vcpu *vcpu, struct x86_guest_mode *out)
{
	const struct svm_vcpu *v = vcpu->arch;
	svm_guest_mode(v->vmcb, out);
}

/*
 * The watchdog rests on INTR exits (svm_exit.c), and those are known to
 * work only where they were seen to: QEMU's TCG, which delivers one about
 * every 10 ms firmware tick whatever the guest's IF.  Bochs 2.7 does not:
 * with V_INTR_MASKING and the guest's IF clear -- every minihv guest's
 * state, a guest that sets IF is stopped -- it never sends one
 * (platforms.md), so a spinning guest would hang the suite there.  minihv
 * cannot tell Bochs from a real AMD CPU by CPUID (Bochs has no signature
 * of its own), and no real one was tried, so only TCG gets it.
 */
static const char *svm_watchdog_missing(void)
{
	if (x86_host_is_qemu_tcg())
		return NULL;
	return "SVM's INTR exits are tried only under QEMU TCG (Bochs sends none while the guest's IF is clear)";
}

const struct x86_backend x86_svm_backend = {
	.name = "x86_64 SVM, NPT",
	.probe = svm_probe,
	.cpu_init = svm_cpu_init,
	.cpu_fini = svm_cpu_fini,
	.s2_format = svm_s2_format,
	.vm_init = svm_vm_init,
	.vm_fini = svm_vm_fini,
	.vcpu_init = svm_vcpu_init,
	.vcpu_run = svm_vcpu_run,
	.vcpu_mmio_done = svm_vcpu_mmio_done,
	.vcpu_gpt_root = svm_vcpu_gpt_root,
	.vcpu_gpt_enabled = svm_vcpu_gpt_enabled,
	.vcpu_user_mode = svm_vcpu_user_mode,
	.vcpu_guest_mode = svm_vcpu_guest_mode,
	.describe_exit = svm_describe_exit,
	.watchdog_missing = svm_watchdog_missing,
};
