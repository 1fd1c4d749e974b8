/*
 * Turning VMX on and off.
 *
 * Before VMXON the CPU must (SDM vol. 3, 24.7-24.8 and appendix A):
 *   - have VMX at all (CPUID.1:ECX.VMX),
 *   - allow it: IA32_FEATURE_CONTROL locked with "VMX outside SMX" on.  The
 *     firmware normally does this; if it left the MSR unlocked, we do it,
 *     and if it locked it with VMX off, nothing but a reboot helps,
 *   - run with CR0 and CR4 inside their VMX fixed bits, CR4.VMXE included,
 *   - be given a 4 KiB "VMXON region" stamped with the VMCS revision.
 * And to run our guests it must offer the controls we rely on (EPT, HLT
 * and I/O exiting, a 64-bit guest, EFER switching) and EPT with a 4-level
 * walk and write-back tables.  Each missing piece is named.
 *
 * VM exits load the host's segment registers from the VMCS, and the SDM
 * insists the host TR selector is not null -- but UEFI's GDT has no TSS.
 * So we run on a copy of the firmware's GDT with one TSS descriptor
 * appended, and give the firmware its own GDT back at the end.
 */
#include "vmx.h"
#include "../../hv/print.h"
#include "../../lib/minihv_string.h"

struct vmx_caps vmx_caps;
struct pt_format vmx_ept_format;
struct vmx_host vmx_host;

/*
 * The VMXON region lives as long as VMX is on, which is longer than any
 * VM: the bump pool's per-VM marks would hand it out again.  A static page
 * in our own image does.
 */
static uint8_t vmxon_region[4096] __attribute__((aligned(4096)));

/* A 64-bit TSS.  Nothing here is used (no privilege changes, no IST, no
 * I/O bitmap: its offset points past the end); TR just has to name one. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

#define HOST_GDT_ENTRIES 64
static uint64_t host_gdt[HOST_GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss64 host_tss __attribute__((aligned(16)));

/* What the firmware had, put back by vmx_cpu_fini.  (x86.c keeps
 * interrupts masked from before vmx_cpu_init to after vmx_cpu_fini.) */
static struct {
	struct dtr gdtr, idtr;
	uint16_t tr;
	uint64_t cr0, cr4;
} firmware;

/* The controls minihv asks for, and why.  Everything else stays 0 unless
 * the CPU forces it to 1 (see vmx_choose_controls). */
static const struct vmx_control_wish control_wishes[] = {
	/* The guest's HLT means "nothing left to do": the core ends it. */
	{ VMX_CTL_PROC, PROC_HLT_EXITING, "HLT exiting", true },
	/*
	 * Interrupts.  The firmware's stay pending while we run (x86.c keeps
	 * IF clear), and must not reach the guest: with external-interrupt
	 * exiting off, a guest that set IF would take (and so acknowledge)
	 * the firmware's timer tick through its own missing IDT.  We cannot
	 * trap STI, but interrupt-window exiting exits as soon as the guest
	 * runs with IF set, before any interrupt is delivered.  (External-
	 * interrupt exiting would not do: the interrupt stays pending while
	 * our IF is clear, so every entry would exit again at once.)
	 */
	{ VMX_CTL_PROC, PROC_INTR_WINDOW_EXITING, "interrupt-window exiting", true },
	{ VMX_CTL_PIN, PIN_NMI_EXITING, "NMI exiting", false },
	/*
	 * The watchdog (hv/arch.h): a timer that counts down only while the
	 * guest runs and makes it exit at zero (exit reason 52), whatever
	 * the guest masks.  Optional: without it the watchdog is off and the
	 * tests that need it SKIP (vmx_watchdog_missing).
	 */
	{ VMX_CTL_PIN, PIN_PREEMPTION_TIMER, "activate VMX-preemption timer", false },
	/* minihv guests have no devices: any IN/OUT is reported. */
	{ VMX_CTL_PROC, PROC_UNCOND_IO_EXITING, "unconditional I/O exiting", true },
	/* RDMSR/WRMSR exit as a bitmap says (vmx_vmcs.c: all of them).
	 * Without the control every one exits anyway, so it is optional. */
	{ VMX_CTL_PROC, PROC_USE_MSR_BITMAPS, "use MSR bitmaps", false },
	/* Without these, the guest would reach the real TPR, debug
	 * registers and MONITOR/MWAIT, which the host shares. */
	{ VMX_CTL_PROC, PROC_CR8_LOAD_EXITING, "CR8-load exiting", false },
	{ VMX_CTL_PROC, PROC_CR8_STORE_EXITING, "CR8-store exiting", false },
	{ VMX_CTL_PROC, PROC_MOV_DR_EXITING, "MOV-DR exiting", false },
	{ VMX_CTL_PROC, PROC_MWAIT_EXITING, "MWAIT exiting", false },
	{ VMX_CTL_PROC, PROC_MONITOR_EXITING, "MONITOR exiting", false },
	/* RDPMC reads the CPU's performance counters, which count the host
	 * too: the guest is stopped instead (x86_exit.c). */
	{ VMX_CTL_PROC, PROC_RDPMC_EXITING, "RDPMC exiting", false },
	{ VMX_CTL_PROC, PROC_SECONDARY, "activate secondary controls", true },
	{ VMX_CTL_PROC2, PROC2_EPT, "enable EPT", true },
	{ VMX_CTL_PROC2, PROC2_VPID, "enable VPID", false },
	{ VMX_CTL_PROC2, PROC2_WBINVD_EXITING, "WBINVD exiting", false },
	/*
	 * Without these two, RDTSCP and RDPID, and INVPCID #UD in the guest
	 * (SDM vol. 3, 25.6.2) although CPUID advertises them: where the CPU
	 * allows them they are enabled, and where not, x86_cpuid.c hides them
	 * (x86_guest_insns).  Both are safe to give: RDTSCP reads
	 * IA32_TSC_AUX, which the guest cannot write (every WRMSR exits) and
	 * which holds the firmware's value, a CPU number; INVPCID (with
	 * "INVLPG exiting" off) invalidates translations only, the guest's
	 * own where VPIDs tag them.
	 *
	 * "enable XSAVES/XRSTORS" is left off on purpose, and XSAVES hidden:
	 * XRSTORS would load the supervisor state the host's IA32_XSS
	 * enables (CET shadow-stack pointers, for one) from guest memory.
	 */
	{ VMX_CTL_PROC2, PROC2_RDTSCP, "enable RDTSCP", false },
	{ VMX_CTL_PROC2, PROC2_INVPCID, "enable INVPCID", false },
	/* We are a 64-bit host running 64-bit guests. */
	{ VMX_CTL_EXIT, EXIT_HOST_64BIT, "host address-space size", true },
	{ VMX_CTL_ENTRY, ENTRY_GUEST_64BIT, "IA-32e mode guest", true },
	/* The guest's EFER (with NXE, which its page tables need) differs
	 * from the firmware's, so the CPU must switch it. */
	{ VMX_CTL_EXIT, EXIT_SAVE_EFER, "save IA32_EFER", true },
	{ VMX_CTL_EXIT, EXIT_LOAD_EFER, "load IA32_EFER", true },
	{ VMX_CTL_ENTRY, ENTRY_LOAD_EFER, "load IA32_EFER", true },
};

/* EPT_VPID_CAP bits (SDM vol. 3, A.10). */
#define EPT_CAP_WALK4       (1ull << 6)
#define EPT_CAP_WB          (1ull << 14)
#define EPT_CAP_2M          (1ull << 16)
#define EPT_CAP_1G          (1ull << 17)
#define EPT_CAP_INVEPT      (1ull << 20)
#define EPT_CAP_INVEPT_ONE  (1ull << 25)
#define EPT_CAP_INVEPT_ALL  (1ull << 26)
#define VPID_CAP_INVVPID    (1ull << 32)
#define VPID_CAP_INVVPID_ALL (1ull << 42)

static bool vmx_probe(char *why, size_t len)
{
	uint32_t a, b, c, d;
	x86_cpuid(CPUID_FEATURES, 0, &a, &b, &c, &d);
	if (!(c & CPUID1_ECX_VMX)) {
		hv_snprintf(why, len, "CPUID.1:ECX.VMX[bit 5] is 0: this CPU (or emulator) has no VMX");
		return false;
	}
	uint64_t fc = x86_rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMX)) {
		hv_snprintf(why, len, "the firmware locked IA32_FEATURE_CONTROL (0x%llx) with VMX disabled: enable VT-x in its setup",
			    (unsigned long long)fc);
		return false;
	}
	return true;
}

/* Read the capability MSRs and decide everything up front, so that a
 * missing feature is reported before we change anything. */
static int read_caps(void)
{
	uint64_t basic = x86_rdmsr(MSR_IA32_VMX_BASIC);
	vmx_caps.revision = (uint32_t)basic & 0x7fffffff;

	if (!(basic & (1ull << 55))) {
		/* Pre-2008 CPUs: only the old MSRs, whose default-1
		 * controls we would have to keep.  Not worth supporting. */
		hv_printf("minihv: IA32_VMX_BASIC (0x%llx) has no TRUE control MSRs\n",
			  (unsigned long long)basic);
		return -1;
	}
	if (((basic >> 50) & 0xf) != 6) {
		hv_printf("minihv: IA32_VMX_BASIC (0x%llx): the VMCS must be accessed uncached, which minihv does not arrange\n",
			  (unsigned long long)basic);
		return -1;
	}
	if (basic & (1ull << 48)) {
		/* VMXON region, VMCS and EPT tables below 4 GiB: our pool
		 * might not be. */
		hv_printf("minihv: IA32_VMX_BASIC (0x%llx) limits VMX structures to 32-bit addresses\n",
			  (unsigned long long)basic);
		return -1;
	}

	uint64_t cap[VMX_CTL_GROUPS];
	for (int g = 0; g < VMX_CTL_GROUPS; g++)
		cap[g] = 0;
	cap[VMX_CTL_PIN] = x86_rdmsr(MSR_IA32_VMX_TRUE_PINBASED);
	cap[VMX_CTL_PROC] = x86_rdmsr(MSR_IA32_VMX_TRUE_PINBASED + 1);
	cap[VMX_CTL_EXIT] = x86_rdmsr(MSR_IA32_VMX_TRUE_PINBASED + 2);
	cap[VMX_CTL_ENTRY] = x86_rdmsr(MSR_IA32_VMX_TRUE_PINBASED + 3);
	/* The secondary controls' MSR exists only if they can be activated. */
	if (cap[VMX_CTL_PROC] & ((uint64_t)PROC_SECONDARY << 32))
		cap[VMX_CTL_PROC2] = x86_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	const char *missing = vmx_choose_controls(cap, control_wishes,
						  sizeof(control_wishes) / sizeof(control_wishes[0]),
						  vmx_caps.controls);
	if (missing) {
		hv_printf("minihv: this CPU's VMX cannot set the control \"%s\"\n", missing);
		return -1;
	}

	/* IA32_VMX_MISC bits 4:0: the timer counts down by one each time
	 * bit N of the TSC changes, N being this value (SDM vol. 3, 26.5.1). */
	if (vmx_caps.controls[VMX_CTL_PIN] & PIN_PREEMPTION_TIMER)
		vmx_caps.preemption_rate = x86_rdmsr(MSR_IA32_VMX_MISC) & 0x1f;

	x86_guest_insns.rdtscp = vmx_caps.controls[VMX_CTL_PROC2] & PROC2_RDTSCP;
	x86_guest_insns.invpcid = vmx_caps.controls[VMX_CTL_PROC2] & PROC2_INVPCID;
	x86_guest_insns.xsaves = false;

	uint64_t ept = 0;
	if (vmx_caps.controls[VMX_CTL_PROC2] & (PROC2_EPT | PROC2_VPID))
		ept = x86_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	vmx_caps.ept_vpid_cap = ept;
	static const struct { uint64_t bit; const char *what; } ept_needs[] = {
		{ EPT_CAP_WALK4, "a 4-level page walk" },
		{ EPT_CAP_WB, "write-back paging structures" },
		{ EPT_CAP_INVEPT, "the INVEPT instruction" },
	};
	for (size_t i = 0; i < sizeof(ept_needs) / sizeof(ept_needs[0]); i++) {
		if (!(ept & ept_needs[i].bit)) {
			hv_printf("minihv: EPT lacks %s (IA32_VMX_EPT_VPID_CAP 0x%llx)\n",
				  ept_needs[i].what, (unsigned long long)ept);
			return -1;
		}
	}
	if (ept & EPT_CAP_INVEPT_ONE) {
		vmx_caps.invept_type = 1;
	} else if (ept & EPT_CAP_INVEPT_ALL) {
		vmx_caps.invept_type = 2;
	} else {
		hv_printf("minihv: INVEPT supports neither single- nor all-context invalidation\n");
		return -1;
	}
	/* VPIDs are reused across VMs, so we need INVVPID to flush them. */
	vmx_caps.vpid = (vmx_caps.controls[VMX_CTL_PROC2] & PROC2_VPID) &&
			(ept & VPID_CAP_INVVPID) && (ept & VPID_CAP_INVVPID_ALL);
	if (!vmx_caps.vpid)
		vmx_caps.controls[VMX_CTL_PROC2] &= ~PROC2_VPID;

	/* Large EPT pages where the CPU has them (pt.h: leaf levels must be
	 * contiguous from 4 KiB up). */
	vmx_ept_format = pt_format_x86_ept;
	vmx_ept_format.leaf_levels = !(ept & EPT_CAP_2M) ? 0x1 : !(ept & EPT_CAP_1G) ? 0x3 : 0x7;

	vmx_caps.cr0_fixed0 = x86_rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	vmx_caps.cr0_fixed1 = x86_rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = x86_rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = x86_rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	if (!(vmx_caps.cr4_fixed1 & CR4_VMXE)) {
		hv_printf("minihv: IA32_VMX_CR4_FIXED1 (0x%llx) does not allow CR4.VMXE\n",
			  (unsigned long long)vmx_caps.cr4_fixed1);
		return -1;
	}

	hv_printf("minihv: VMX revision 0x%x; EPT: 4-level, write-back%s%s, INVEPT %s-context; VPID %s; MSR bitmaps %s\n",
		  vmx_caps.revision, (ept & EPT_CAP_2M) ? ", 2 MiB pages" : "",
		  (ept & EPT_CAP_1G) ? ", 1 GiB pages" : "",
		  vmx_caps.invept_type == 1 ? "single" : "all",
		  vmx_caps.vpid ? "on" : "off (not available)",
		  (vmx_caps.controls[VMX_CTL_PROC] & PROC_USE_MSR_BITMAPS) ? "on"
		  : "off (not available: every RDMSR and WRMSR exits unconditionally)");
	hv_printf("minihv: controls: pin 0x%x proc 0x%x proc2 0x%x exit 0x%x entry 0x%x\n",
		  vmx_caps.controls[VMX_CTL_PIN], vmx_caps.controls[VMX_CTL_PROC],
		  vmx_caps.controls[VMX_CTL_PROC2], vmx_caps.controls[VMX_CTL_EXIT],
		  vmx_caps.controls[VMX_CTL_ENTRY]);
	return 0;
}

/* IA32_FEATURE_CONTROL gates VMXON.  Once locked it stays so until reset. */
static int enable_feature_control(void)
{
	uint64_t fc = x86_rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (fc & FEATURE_CONTROL_LOCK) {
		if (fc & FEATURE_CONTROL_VMX)
			return 0;
		hv_printf("minihv: IA32_FEATURE_CONTROL is locked with VMX off (0x%llx)\n",
			  (unsigned long long)fc);
		return -1;
	}
	x86_wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX);
	hv_printf("minihv: IA32_FEATURE_CONTROL was unlocked (0x%llx): locked it with VMX on\n",
		  (unsigned long long)fc);
	return 0;
}

/* Switch to our copy of the firmware's GDT, with a TSS descriptor added. */
static int load_host_gdt(void)
{
	unsigned entries = (firmware.gdtr.limit + 8u) / 8;  /* limit is size - 1 */
	if (entries + 2 > HOST_GDT_ENTRIES) {
		hv_printf("minihv: the firmware's GDT has %u entries; room for %u\n",
			  entries, HOST_GDT_ENTRIES - 2);
		return -1;
	}
	memcpy(host_gdt, (const void *)(uintptr_t)firmware.gdtr.base, entries * 8);

	/* A 16-byte system descriptor: type 9 (available 64-bit TSS),
	 * present, byte-granular limit; base split over both halves. */
	uint64_t base = (uintptr_t)&host_tss, limit = sizeof(host_tss) - 1;
	host_tss.iomap_base = sizeof(host_tss);
	host_gdt[entries] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			    (0x9ull << 40) | (1ull << 47) |
			    ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	host_gdt[entries + 1] = base >> 32;

	struct dtr ours = { (uint16_t)((entries + 2) * 8 - 1), (uintptr_t)host_gdt };
	lgdt(&ours);
	ltr((uint16_t)(entries * 8));
	vmx_host.gdt_base = ours.base;
	vmx_host.tss_base = base;
	vmx_host.tr_sel = (uint16_t)(entries * 8);
	return 0;
}

static void restore_firmware_gdt(void)
{
	lgdt(&firmware.gdtr);
	lidt(&firmware.idtr);  /* a VM exit set its limit to 0xffff */
	if (firmware.tr) {
		/* LTR refuses a busy TSS, and the firmware's is marked busy
		 * from when it loaded it: clear the busy bit (type 0xb -> 9). */
		uint64_t *desc = (uint64_t *)(uintptr_t)(firmware.gdtr.base + (firmware.tr & ~7u));
		*desc &= ~(1ull << 41);
		ltr(firmware.tr);
	}
	/* A firmware TR of 0 cannot be loaded again (LTR refuses a null
	 * selector): TR keeps naming our TSS, which is never used. */
}

static int vmx_cpu_init(void)
{
	if (read_caps() || enable_feature_control())
		return -1;

	firmware.cr0 = read_cr0();
	firmware.cr4 = read_cr4();
	sgdt(&firmware.gdtr);
	sidt(&firmware.idtr);
	firmware.tr = str();

	uint64_t cr0 = vmx_fix_cr(firmware.cr0, vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1);
	uint64_t cr4 = vmx_fix_cr(firmware.cr4 | CR4_VMXE, vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1);
	if ((cr0 & ~firmware.cr0 & ~CR0_NE) || (firmware.cr0 & ~cr0)) {
		/* Only CR0.NE (native FPU errors) may need turning on; any
		 * other difference (PE or PG off?) means something is very
		 * wrong. */
		hv_printf("minihv: CR0 0x%llx cannot be made VMX-legal (fixed0 0x%llx fixed1 0x%llx)\n",
			  (unsigned long long)firmware.cr0, (unsigned long long)vmx_caps.cr0_fixed0,
			  (unsigned long long)vmx_caps.cr0_fixed1);
		return -1;
	}
	if (load_host_gdt())
		return -1;
	vmx_host.idt_base = firmware.idtr.base;
	vmx_host.kernel_gs_base = x86_rdmsr(MSR_KERNEL_GS_BASE);
	write_cr0(cr0);
	write_cr4(cr4);

	*(uint32_t *)vmxon_region = vmx_caps.revision;
	uint64_t pa = hpa_val(hpa_from_ptr(vmxon_region));
	if (!vmx_on(pa)) {
		hv_printf("minihv: VMXON failed (VMXON region at 0x%llx, revision 0x%x)\n",
			  (unsigned long long)pa, vmx_caps.revision);
		write_cr4(firmware.cr4);
		write_cr0(firmware.cr0);
		restore_firmware_gdt();
		return -1;
	}
	hv_printf("minihv: VMXON done: CR0 0x%llx CR4 0x%llx, host TR 0x%x (TSS added to a copy of the firmware's GDT)\n",
		  (unsigned long long)cr0, (unsigned long long)cr4, vmx_host.tr_sel);
	return 0;
}

static void vmx_cpu_fini(void)
{
	/* Each VM's VMCS was VMCLEARed when the VM ended (vmx_vm_fini). */
	vmx_off();
	write_cr4(firmware.cr4);
	write_cr0(firmware.cr0);
	restore_firmware_gdt();
}

static const struct pt_format *vmx_s2_format(void)
{
	/* Set by read_caps; before that, the full format. */
	return vmx_ept_format.name ? &vmx_ept_format : &pt_format_x86_ept;
}

static const char *vmx_watchdog_missing(void)
{
	if (!(vmx_caps.controls[VMX_CTL_PIN] & PIN_PREEMPTION_TIMER))
		return "this CPU's VMX has no preemption timer (IA32_VMX_TRUE_PINBASED_CTLS bit 38 is 0)";
	return NULL;
}

const struct x86_backend x86_vmx_backend = {
	.name = "x86_64 VMX, EPT",
	.probe = vmx_probe,
	.cpu_init = vmx_cpu_init,
	.cpu_fini = vmx_cpu_fini,
	.s2_format = vmx_s2_format,
	.vm_init = vmx_vm_init,
	.vm_fini = vmx_vm_fini,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_run = vmx_vcpu_run,
	.vcpu_mmio_done = vmx_vcpu_mmio_done,
	.vcpu_gpt_root = vmx_vcpu_gpt_root,
	.vcpu_gpt_enabled = vmx_vcpu_gpt_enabled,
	.vcpu_user_mode = vmx_vcpu_user_mode,
	.vcpu_guest_mode = vmx_vcpu_guest_mode,
	.describe_exit = vmx_describe_exit,
	.watchdog_missing = vmx_watchdog_missing,
};
