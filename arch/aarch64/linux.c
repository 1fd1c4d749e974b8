/*
 * A Linux partition on aarch64: the arm64 boot protocol
 * (Documentation/arch/arm64/booting.rst), as arch_linux_setup (hv/arch.h).
 *
 *  1. Check the Image's header and choose where everything goes
 *     (linux_image.c): the kernel at text_offset from RAM's 2 MiB-aligned
 *     base, the device tree in RAM's last 2 MiB, the initrd below it.
 *  2. Write the device tree: the machine this partition sees.  Its RAM,
 *     one CPU, PSCI by HVC, the devices handed through (gic.c), /chosen
 *     with the command line and the initrd, and the hypercall window as a
 *     device ("minihv,hypercall-v1"), which is how the guest's programs
 *     find it.  Nothing else exists for it: not the hypervisor, not the
 *     firmware's memory, not the GIC's virtualization interfaces.
 *  3. Map the devices, and start the vCPU as the protocol says: at the
 *     Image's first byte, x0 = the device tree's guest-physical address,
 *     x1-x3 = 0, MMU and data cache off, EL1h with DAIF masked.
 *  4. Make it a partition (partition.c): its interrupts through the
 *     list registers (vgic.c), WFI left to the guest;
 *     the ID registers filtered (TID3), EL1's physical counter and timer
 *     reachable (CNTHCTL_EL2.EL1PCTEN, EL1PCEN).
 */
#include "arm.h"
#include "bytes.h"
#include "sysreg.h"
#include "linux_image.h"
#include "../../hv/arch.h"
#include "../../hv/print.h"
#include "../../lib/fdt.h"
#include "../../lib/minihv_string.h"

#define CNTHCTL_EL1PCTEN (1ull << 0)
#define CNTHCTL_EL1PCEN  (1ull << 1)

/* The partition's device tree, into RAM at dtb (2 MiB at most). */
static int write_device_tree(const struct vm *vm, const struct arm_passthrough *p,
			     const struct linux_boot *lb, gpa_t initrd, void *dtb, size_t *size)
{
	struct fdt_writer w;
	uint32_t reg[4];
	char name[48];

	fdt_begin(&w, dtb, 2u << 20);
	fdt_begin_node(&w, "");
	fdt_prop_u32(&w, "#address-cells", 2);
	fdt_prop_u32(&w, "#size-cells", 2);
	fdt_prop_string(&w, "compatible", "minihv,linux-partition");
	fdt_prop_string(&w, "model", "minihv Linux partition");
	fdt_prop_u32(&w, "interrupt-parent", 1);

	fdt_begin_node(&w, "chosen");
	fdt_prop_string(&w, "bootargs", lb->cmdline);
	hv_snprintf(name, sizeof(name), "/pl011@%llx", (unsigned long long)p->uart);
	fdt_prop_string(&w, "stdout-path", name);
	if (lb->initrd_len) {
		fdt_prop_u64(&w, "linux,initrd-start", gpa_val(initrd));
		fdt_prop_u64(&w, "linux,initrd-end", gpa_val(initrd) + lb->initrd_len);
	}
	fdt_end_node(&w);

	hv_snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)gpa_val(vm->ram.gpa));
	fdt_begin_node(&w, name);
	fdt_prop_string(&w, "device_type", "memory");
	dt_reg_cells(reg, gpa_val(vm->ram.gpa), vm->ram.size);
	fdt_prop_cells(&w, "reg", reg, 4);
	fdt_end_node(&w);

	/* One CPU, named by the affinity MPIDR_EL1 reads as (VMPIDR_EL2,
	 * el2.c): Linux matches the two. */
	fdt_begin_node(&w, "cpus");
	fdt_prop_u32(&w, "#address-cells", 1);
	fdt_prop_u32(&w, "#size-cells", 0);
	uint32_t aff = (uint32_t)(read_sysreg(vmpidr_el2) & 0xffffff);
	hv_snprintf(name, sizeof(name), "cpu@%x", aff);
	fdt_begin_node(&w, name);
	fdt_prop_string(&w, "device_type", "cpu");
	fdt_prop_string(&w, "compatible", "arm,armv8");
	fdt_prop_u32(&w, "reg", aff);
	fdt_prop_string(&w, "enable-method", "psci");
	fdt_end_node(&w);
	fdt_end_node(&w);

	fdt_begin_node(&w, "psci");
	static const char *const psci[] = { "arm,psci-1.0", "arm,psci-0.2" };
	fdt_prop_strings(&w, "compatible", psci, 2);
	fdt_prop_string(&w, "method", lb->psci_smc ? "smc" : "hvc");
	fdt_end_node(&w);

	arm_passthrough_write_dt(&w, p);

	hv_snprintf(name, sizeof(name), "hypercall@%llx", (unsigned long long)MINIHV_HC_WINDOW_GPA);
	fdt_begin_node(&w, name);
	fdt_prop_string(&w, "compatible", "minihv,hypercall-v1");
	dt_reg_cells(reg, MINIHV_HC_WINDOW_GPA, MINIHV_HC_WINDOW_SIZE);
	fdt_prop_cells(&w, "reg", reg, 4);
	fdt_end_node(&w);

	fdt_end_node(&w);
	return fdt_finish(&w, size);
}

struct vcpu *arch_linux_setup(struct vm *vm, const struct linux_boot *lb, char *why, size_t len)
{
	struct arch_vm *av = vm->arch;
	struct linux_arm64_layout lay;
	if (linux_arm64_image_check(lb->kernel, lb->kernel_len, vm->ram.size, lb->initrd_len, &lay,
				    why, len))
		return NULL;
	const char *bad = lb->initrd_len ? linux_initrd_check(lb->initrd, lb->initrd_len) : NULL;
	if (bad) {
		hv_snprintf(why, len, "initrd: %s", bad);
		return NULL;
	}

	struct arm_passthrough *p = bump_alloc(vm->pool, sizeof(*p), 8);
	if (!p) {
		hv_snprintf(why, len, "out of hypervisor memory for the partition's device state");
		return NULL;
	}
	if (arm_passthrough_find(p, why, len))
		return NULL;
	int err = arm_passthrough_map(vm, p);
	if (err) {
		hv_snprintf(why, len, "cannot map the GIC and UART into stage-2: %s", mm_strerror(err));
		return NULL;
	}

	memcpy(vm->ram.host + lay.kernel_off, lb->kernel, lb->kernel_len);
	gpa_t initrd = gpa(gpa_val(vm->ram.gpa) + lay.initrd_off);
	if (lb->initrd_len)
		memcpy(vm->ram.host + lay.initrd_off, lb->initrd, lb->initrd_len);
	size_t dtb_size;
	err = write_device_tree(vm, p, lb, initrd, vm->ram.host + lay.dtb_off, &dtb_size);
	if (err) {
		hv_snprintf(why, len, "cannot write the device tree: %s", fdt_strerror(err));
		return NULL;
	}
	gpa_t dtb = gpa(gpa_val(vm->ram.gpa) + lay.dtb_off);
	hv_printf("minihv: %s: kernel at gpa 0x%llx (text_offset 0x%llx, image_size 0x%llx), initrd at 0x%llx, device tree at 0x%llx (%llu bytes); handed through: GICv%u at 0x%llx/0x%llx (%s), PL011 at 0x%llx\n",
		  vm->name, (unsigned long long)(gpa_val(vm->ram.gpa) + lay.kernel_off),
		  (unsigned long long)lay.text_offset, (unsigned long long)lay.image_size,
		  (unsigned long long)gpa_val(initrd), (unsigned long long)gpa_val(dtb),
		  (unsigned long long)dtb_size, p->gic_version, (unsigned long long)p->gicd,
		  (unsigned long long)(p->gic_version == 3 ? p->gicr : p->gicc),
		  p->gic_version == 3 ? "distributor/this CPU's redistributor" :
					"distributor/CPU interface",
		  (unsigned long long)p->uart);

	struct vcpu_boot boot = {
		.entry = gva(gpa_val(vm->ram.gpa) + lay.kernel_off),
		.arg0 = gpa_val(dtb),
		.paging_off = true,
	};
	struct vcpu *vcpu = vm_add_vcpu(vm, &boot);
	if (!vcpu) {
		hv_snprintf(why, len, "could not create the vCPU");
		return NULL;
	}
	struct arch_vcpu *a = vcpu->arch;
	a->partition = true;
	/* Interrupts to EL2, handed on through the list registers (vgic.c);
	 * WFI waits in the guest, woken by any of them. */
	a->hcr = (arm_hcr_guest & ~HCR_TWI) | HCR_TID3;
	a->cnthctl = arm_cnthctl_firmware | CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN;

	arm_passthrough_save(p);
	av->passthrough = p;
	arm_vgic_start(p);
	vm->owns_serial = true;
	return vcpu;
}

uint64_t arch_clock_ns(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0), t = read_sysreg(cntpct_el0);
	if (!freq)
		return 0;
	return t / freq * 1000000000ull + t % freq * 1000000000ull / freq;
}

/*
 * 64 unpredictable bits: RNDR (FEAT_RNG, ID_AA64ISAR0_EL1 bits 63:60)
 * where the CPU has it, mixed with the counter; else the counter's
 * low-order bits run through a mixer (splitmix64's), which a guest that has
 * not run yet cannot know.
 */
uint64_t arch_random_u64(void)
{
	static uint64_t calls;
	uint64_t x = read_sysreg(cntpct_el0) ^ (++calls * 0x9e3779b97f4a7c15ull);

	if (read_sysreg(id_aa64isar0_el1) >> 60) {
		uint64_t r;
		__asm__ volatile("mrs %0, s3_3_c2_c4_0" : "=r"(r) : : "cc");   /* RNDR */
		x ^= r;
	}
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}
