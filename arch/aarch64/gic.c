/*
 * Devices handed through to a partition: the GICv2 and the PL011.
 *
 * A Linux guest needs an interrupt controller, a timer and a console.
 * minihv could emulate them (a virtual GIC fed through the list registers,
 * a virtual UART), as KVM does; for one partition at a time, as bao and
 * Jailhouse show, it is simpler and faster to give the guest the real ones:
 * map the GIC's distributor and the PL011 into its stage-2 at their
 * physical addresses, and the guest programs them itself, with no exit.
 * Its CPU interface is the GIC's virtual one (vgic.c: every interrupt comes
 * to EL2 first, which is what lets the watchdog stop a busy partition), so
 * a GIC without virtualization extensions is refused.
 * docs/linux-guest.md says what that gives up.
 *
 * What the guest does to these devices outlasts it: Linux enables its
 * interrupts, disables the ones it does not know (the watchdog's EL2 timer
 * among them), sets priorities, changes the UART's baud rate and
 * interrupt mask.  So their state is saved before the partition first
 * runs and put back after it, and the next guest -- and the firmware, at
 * the end -- find them as they were.
 *
 * A GICv2 (QEMU's virt board's default) is handed through here; a GICv3
 * (most arm64 machines', QEMU's with gic-version=3) in gicv3.c, which says
 * how it differs.  This file finds which one the machine has, in the
 * firmware's device tree or ACPI tables, and chooses.
 */
#include "arm.h"
#include "bytes.h"
#include "sysreg.h"
#include "../../hv/print.h"
#include "../../lib/fdt.h"
#include "../../hv/hv.h"
#include "../../lib/minihv_string.h"

/* GICv2 distributor registers (offsets from GICD). */
#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_IGROUPR    0x080
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_ICPENDR    0x280
#define GICD_ICACTIVER  0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_ICFGR      0xc00
#define GICD_CPENDSGIR  0xf10
/* CPU interface (from GICC). */
#define GICC_CTLR       0x000
#define GICC_PMR        0x004
#define GICC_BPR        0x008
#define GICC_APR0       0x0d0
#define GICC_NSAPR0     0x0e0
/* PL011. */
#define UART_FR         0x018
#define UART_FR_BUSY    (1u << 3)
#define UART_IBRD       0x024
#define UART_FBRD       0x028
#define UART_LCRH       0x02c
#define UART_CR         0x030
#define UART_IFLS       0x034
#define UART_IMSC       0x038
#define UART_ICR        0x044


/*
 * The same from ACPI, which the firmware gives instead of a device tree
 * (edk2 on QEMU's virt board does, unless started with acpi=off): the
 * MADT's GIC distributor (type 0x0c) and CPU interface (0x0b) entries,
 * the SPCR's console (interface type 3: a PL011) and the GTDT's timer
 * interrupts (Global System Interrupts: a PPI's INTID is 16 more than the
 * number a device tree gives it, an SPI's 32 more).
 */
/* A device tree interrupt specifier (3 cells, big-endian) for a GIC
 * interrupt: level or edge, high or low as ACPI's flags say (bit 0 edge,
 * bit 1 active low); a GICv2's PPIs name the CPUs they go to (a mask in
 * bits 15:8: the one CPU a partition has), a GICv3's do not (the binding
 * has no mask: a PPI is the redistributor's own). */
static void dt_irq(uint32_t *cells, uint32_t intid, bool edge, bool low, bool v3)
{
	bool ppi = intid < 32;
	uint32_t type = edge ? (low ? 2 : 1) : (low ? 8 : 4);
	uint32_t c[3] = { ppi ? 1u : 0u, ppi ? intid - 16 : intid - 32,
			  type | (ppi && !v3 ? 1u << 8 : 0) };
	for (unsigned i = 0; i < 3; i++) {
		uint8_t *b = (uint8_t *)&cells[i];
		b[0] = (uint8_t)(c[i] >> 24);
		b[1] = (uint8_t)(c[i] >> 16);
		b[2] = (uint8_t)(c[i] >> 8);
		b[3] = (uint8_t)c[i];
	}
}

/* This CPU's MPIDR_EL1 affinity fields (Aff3, Aff2, Aff1, Aff0). */
static uint64_t my_mpidr(void)
{
	return read_sysreg(mpidr_el1) & 0xff00ffffffull;
}

#define MAX_RDIST_REGIONS 8

static int find_from_acpi(struct arm_passthrough *p, char *why, size_t len)
{
	uint64_t rbase[MAX_RDIST_REGIONS], rsize[MAX_RDIST_REGIONS], gicc_gicr = 0;
	unsigned nr = 0;
	const uint8_t *madt = arm_acpi_table("APIC", 44);
	const uint8_t *spcr = arm_acpi_table("SPCR", 58);
	const uint8_t *gtdt = arm_acpi_table("GTDT", 80);
	bool v3 = false;

	if (!madt || !spcr || !gtdt) {
		hv_snprintf(why, len, "the firmware describes the machine with neither a device tree nor ACPI's MADT, SPCR and GTDT");
		return -1;
	}
	p->gicd = p->gicc = 0;
	uint32_t mlen = le32(madt + 4);
	for (uint32_t off = 44; off + 2 <= mlen;) {
		const uint8_t *e = madt + off;
		if (e[1] < 2 || off + e[1] > mlen)
			break;
		/* GICC (0x0b): a CPU's interface; from ACPI 5.1 on, at 60
		 * its GICv3 redistributor's base and at 68 its MPIDR. */
		if (e[0] == 0x0b && e[1] >= 56 && !p->gicc) {
			p->gicc = le64(e + 32);
			p->gicv = le64(e + 40);     /* 0: no virtualization extensions */
			p->gich = le64(e + 48);
		} else if (e[0] == 0x0b && e[1] >= 40 && !p->gicc) {
			p->gicc = le64(e + 32);
		}
		if (e[0] == 0x0b && e[1] >= 76 && le64(e + 60) && le64(e + 68) == my_mpidr())
			gicc_gicr = le64(e + 60);
		if (e[0] == 0x0c && e[1] >= 24) {      /* GICD, with its version */
			p->gicd = le64(e + 8);
			v3 = e[20] >= 3;
		} else if (e[0] == 0x0e && e[1] >= 16) {
			/* GICR: a redistributor discovery range. */
			v3 = true;
			if (nr < MAX_RDIST_REGIONS) {
				rbase[nr] = le64(e + 4);
				rsize[nr++] = le32(e + 12);
			}
		}
		off += e[1];
	}
	if (v3) {
		/* The redistributors: the GICR ranges, or else this CPU's
		 * own frames as its GICC entry gives them. */
		if (!nr && gicc_gicr) {
			rbase[0] = gicc_gicr;
			rsize[0] = 0x20000;
			nr = 1;
		}
		if (!p->gicd || !nr) {
			hv_snprintf(why, len, "ACPI's MADT names no GICv3 distributor and redistributors");
			return -1;
		}
		if (arm_gicv3_find_rdist(p, rbase, rsize, nr, why, len))
			return -1;
		p->gic_version = 3;
		p->gicc = 0;
	} else if (!p->gicd || !p->gicc) {
		hv_snprintf(why, len, "ACPI's MADT names no GICv2 distributor and CPU interface");
		return -1;
	} else
		p->gic_version = 2;
	if (spcr[36] != 3 || spcr[40] != 0) {   /* PL011, in memory space */
		hv_snprintf(why, len, "ACPI's SPCR console is not a memory-mapped PL011 (interface type %u)", spcr[36]);
		return -1;
	}
	p->uart = le64(spcr + 44);
	dt_irq(p->uart_irqs, le32(spcr + 54), false, false, v3);
	p->uart_irqs_len = 12;
	/* The timer, in the device tree's order: secure and non-secure EL1
	 * physical, virtual, EL2 physical. */
	static const unsigned at[4] = { 48, 56, 64, 72 };
	for (unsigned i = 0; i < 4; i++) {
		uint32_t flags = le32(gtdt + at[i] + 4);
		dt_irq(p->timer_irqs + 3 * i, le32(gtdt + at[i]), flags & 1, flags & 2, v3);
	}
	p->timer_irqs_len = 48;
	return 0;
}

static int find_from_dt(struct arm_passthrough *p, const void *dt, size_t max, char *why,
			size_t len)
{
	static const char *const gicv2[] = { "arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic" };
	int found = -1;
	for (unsigned i = 0; i < 3 && found; i++)
		if (fdt_find_reg(dt, max, gicv2[i], 0, &p->gicd, &p->gicd_size) == 0 &&
		    fdt_find_reg(dt, max, gicv2[i], 1, &p->gicc, &p->gicc_size) == 0) {
			uint64_t s;
			/* reg[2] and [3]: GICH and GICV, where the GIC has them. */
			if (fdt_find_reg(dt, max, gicv2[i], 2, &p->gich, &s) ||
			    fdt_find_reg(dt, max, gicv2[i], 3, &p->gicv, &s))
				p->gich = p->gicv = 0;
			found = 0;
		}
	p->gic_version = 2;
	if (found) {
		/* A GICv3: reg[0] the distributor, then the redistributor
		 * regions (#redistributor-regions of them, 1 if unsaid). */
		uint64_t rbase[MAX_RDIST_REGIONS], rsize[MAX_RDIST_REGIONS];
		unsigned nr = 1;
		uint32_t n;
		const void *v = fdt_find_prop(dt, max, "arm,gic-v3", "#redistributor-regions", &n);
		if (v && n == 4)
			nr = be32(v);
		if (fdt_find_reg(dt, max, "arm,gic-v3", 0, &p->gicd, &p->gicd_size)) {
			hv_snprintf(why, len, "the firmware's device tree names no GICv2 or GICv3");
			return -1;
		}
		if (nr < 1 || nr > MAX_RDIST_REGIONS) {
			hv_snprintf(why, len, "the firmware's GICv3 has %u redistributor regions (at most %u are read)",
				    nr, MAX_RDIST_REGIONS);
			return -1;
		}
		for (unsigned i = 0; i < nr; i++)
			if (fdt_find_reg(dt, max, "arm,gic-v3", 1 + i, &rbase[i], &rsize[i])) {
				hv_snprintf(why, len, "the firmware's GICv3 node lacks redistributor region %u", i);
				return -1;
			}
		if (arm_gicv3_find_rdist(p, rbase, rsize, nr, why, len))
			return -1;
		p->gic_version = 3;
		p->gicc = 0;
	}
	if (fdt_find_reg(dt, max, "arm,pl011", 0, &p->uart, &p->uart_size)) {
		hv_snprintf(why, len, "the firmware's device tree names no PL011 UART");
		return -1;
	}
	uint32_t n;
	const void *v = fdt_find_prop(dt, max, "arm,armv8-timer", "interrupts", &n);
	if (!v || n == 0 || n > sizeof(p->timer_irqs) || n % 12) {
		hv_snprintf(why, len, "the firmware's device tree has no usable timer interrupts (arm,armv8-timer)");
		return -1;
	}
	memcpy(p->timer_irqs, v, n);
	p->timer_irqs_len = n;
	v = fdt_find_prop(dt, max, "arm,pl011", "interrupts", &n);
	if (!v || n != sizeof(p->uart_irqs)) {
		hv_snprintf(why, len, "the firmware's device tree gives the PL011 no interrupt");
		return -1;
	}
	memcpy(p->uart_irqs, v, n);
	p->uart_irqs_len = n;
	return 0;
}

int arm_passthrough_find(struct arm_passthrough *p, char *why, size_t len)
{
	size_t max = 0;
	const void *dt = arm_firmware_dt(&max);
	int err = dt ? find_from_dt(p, dt, max, why, len) :
		  find_from_acpi(p, why, len);
	if (err)
		return err;
	/* A GICv2's distributor is 4 KiB of registers, its CPU interface 8
	 * (GICC_DIR at 0x1000), a PL011 4: whole pages, no more.  A GICv3's
	 * distributor is 64 KiB (the routes, GICD_IROUTER, from 0x6000), its
	 * redistributor frames as gicv3.c found them, and no GICC. */
	p->gicd_size = p->gic_version == 3 ? 0x10000 : 0x1000;
	p->gicc_size = p->gic_version == 3 ? 0 : 0x2000;
	p->uart_size = 0x1000;
	if ((p->gicd | p->gicc | p->uart) & 0xfff || (p->gic_version == 3 && p->gicd & 0xffff)) {
		hv_snprintf(why, len, "the GIC or the UART is not page-aligned: it cannot be handed through");
		return -1;
	}
	/* The timer's fourth interrupt is the EL2 physical timer's, a PPI. */
	p->el2_timer_intid = 32;
	if (p->timer_irqs_len >= 48 && be32(&p->timer_irqs[9]) == 1 && be32(&p->timer_irqs[10]) < 16)
		p->el2_timer_intid = 16 + be32(&p->timer_irqs[10]);
	p->nr_irqs = 32 * ((rd32(p->gicd + GICD_TYPER) & 0x1f) + 1);
	if (p->nr_irqs > GIC_MAX_IRQS)
		p->nr_irqs = GIC_MAX_IRQS;
	/* A GICv2 with virtualization extensions: the partition's interrupts
	 * go through its list registers (vgic.c), page-aligned frames. */
	/* A GICv3 always has its virtual CPU interface (ICH_*_EL2). */
	if (p->gic_version == 3) {
		p->nr_lr = arm_vgic_v3_list_registers();
	} else if (!p->gich || !p->gicv || ((p->gich | p->gicv) & 0xfff)) {
		hv_snprintf(why, len, "this GICv2 has no virtualization extensions (GICH, GICV): a partition gets its interrupts through the list registers, the only way its watchdog sees a busy guest");
		return -1;
	} else {
		p->nr_lr = (rd32(p->gich + 0x004) & 0x3f) + 1;   /* GICH_VTR.ListRegs */
		if (p->nr_lr > 64)
			p->nr_lr = 64;
	}
	return 0;
}

int arm_passthrough_map(struct vm *vm, const struct arm_passthrough *p)
{
	int err;
	if (p->gic_version == 3)
		err = arm_gicv3_map(vm, p);
	else {
		err = s2_map_range(&vm->s2, gpa(p->gicd), hpa(p->gicd), p->gicd_size, PT_RW,
				   PT_MEM_DEVICE);
		/* Where its tree says its CPU interface is: the virtual one,
		 * fed by the list registers (vgic.c). */
		if (!err)
			err = s2_map_range(&vm->s2, gpa(p->gicc), hpa(p->gicv),
					   p->gicc_size, PT_RW, PT_MEM_DEVICE);
	}
	if (!err)
		err = s2_map_range(&vm->s2, gpa(p->uart), hpa(p->uart), p->uart_size, PT_RW,
				   PT_MEM_DEVICE);
	return err;
}

void arm_passthrough_write_dt(struct fdt_writer *w, const struct arm_passthrough *p)
{
	char name[48];
	uint32_t reg[8];

	if (p->gic_version == 3)
		arm_gicv3_write_dt(w, p);
	else {
		hv_snprintf(name, sizeof(name), "interrupt-controller@%llx",
			    (unsigned long long)p->gicd);
		fdt_begin_node(w, name);
		fdt_prop_string(w, "compatible", "arm,cortex-a15-gic");
		fdt_prop_u32(w, "#interrupt-cells", 3);
		fdt_prop_u32(w, "#address-cells", 0);   /* dtc warns without it */
		fdt_prop_empty(w, "interrupt-controller");
		dt_reg_cells(reg, p->gicd, p->gicd_size);
		dt_reg_cells(reg + 4, p->gicc, p->gicc_size);
		fdt_prop_cells(w, "reg", reg, 8);
		fdt_prop_u32(w, "phandle", 1);
		fdt_end_node(w);
	}

	/* The architected timer: the firmware's interrupt numbers, as it gave them. */
	fdt_begin_node(w, "timer");
	fdt_prop_string(w, "compatible", "arm,armv8-timer");
	fdt_prop(w, "interrupts", p->timer_irqs, p->timer_irqs_len);
	fdt_prop_empty(w, "always-on");
	fdt_end_node(w);

	/* The PL011 needs its clock named (the AMBA bus asks for apb_pclk). */
	fdt_begin_node(w, "apb-pclk");
	fdt_prop_string(w, "compatible", "fixed-clock");
	fdt_prop_u32(w, "#clock-cells", 0);
	fdt_prop_u32(w, "clock-frequency", 24000000);
	fdt_prop_string(w, "clock-output-names", "clk24mhz");
	fdt_prop_u32(w, "phandle", 2);
	fdt_end_node(w);

	hv_snprintf(name, sizeof(name), "pl011@%llx", (unsigned long long)p->uart);
	fdt_begin_node(w, name);
	static const char *const uart_compat[] = { "arm,pl011", "arm,primecell" };
	fdt_prop_strings(w, "compatible", uart_compat, 2);
	dt_reg_cells(reg, p->uart, p->uart_size);
	fdt_prop_cells(w, "reg", reg, 4);
	fdt_prop(w, "interrupts", p->uart_irqs, p->uart_irqs_len);
	static const uint32_t clocks[] = { 2, 2 };
	fdt_prop_cells(w, "clocks", clocks, 2);
	static const char *const clock_names[] = { "uartclk", "apb_pclk" };
	fdt_prop_strings(w, "clock-names", clock_names, 2);
	fdt_end_node(w);
}

static void gicv2_save(struct arm_passthrough *p)
{
	p->gicd_ctlr = rd32(p->gicd + GICD_CTLR);
	for (unsigned i = 0; i < p->nr_irqs / 32; i++) {
		p->enable[i] = rd32(p->gicd + GICD_ISENABLER + 4 * i);
		p->group[i] = rd32(p->gicd + GICD_IGROUPR + 4 * i);
	}
	for (unsigned i = 0; i < p->nr_irqs / 16; i++)
		p->config[i] = rd32(p->gicd + GICD_ICFGR + 4 * i);
	for (unsigned i = 0; i < p->nr_irqs; i++) {
		p->priority[i] = rd8(p->gicd + GICD_IPRIORITYR + i);
		p->target[i] = rd8(p->gicd + GICD_ITARGETSR + i);
	}
	p->gicc_ctlr = rd32(p->gicc + GICC_CTLR);
	p->gicc_pmr = rd32(p->gicc + GICC_PMR);
	p->gicc_bpr = rd32(p->gicc + GICC_BPR);
}

void arm_passthrough_save(struct arm_passthrough *p)
{
	if (p->gic_version == 3)
		arm_gicv3_save(p);
	else
		gicv2_save(p);
	p->uart_cr = rd32(p->uart + UART_CR);
	p->uart_lcrh = rd32(p->uart + UART_LCRH);
	p->uart_ibrd = rd32(p->uart + UART_IBRD);
	p->uart_fbrd = rd32(p->uart + UART_FBRD);
	p->uart_ifls = rd32(p->uart + UART_IFLS);
	p->uart_imsc = rd32(p->uart + UART_IMSC);
}

/*
 * The distributor, off while it is rewritten: every interrupt disabled,
 * nothing pending or active, the old configuration, then the old enables.
 */
static void gicv2_restore(const struct arm_passthrough *p)
{
	wr32(p->gicd + GICD_CTLR, 0);
	for (unsigned i = 0; i < p->nr_irqs / 32; i++) {
		wr32(p->gicd + GICD_ICENABLER + 4 * i, ~0u);
		wr32(p->gicd + GICD_ICPENDR + 4 * i, ~0u);
		wr32(p->gicd + GICD_ICACTIVER + 4 * i, ~0u);
		wr32(p->gicd + GICD_IGROUPR + 4 * i, p->group[i]);
	}
	for (unsigned i = 0; i < 16; i++)
		wr8(p->gicd + GICD_CPENDSGIR + i, 0xff);
	/* ICFGR0 (the SGIs) is read-only. */
	for (unsigned i = 1; i < p->nr_irqs / 16; i++)
		wr32(p->gicd + GICD_ICFGR + 4 * i, p->config[i]);
	for (unsigned i = 0; i < p->nr_irqs; i++) {
		wr8(p->gicd + GICD_IPRIORITYR + i, p->priority[i]);
		if (i >= 32)    /* the SGIs' and PPIs' targets are read-only */
			wr8(p->gicd + GICD_ITARGETSR + i, p->target[i]);
	}
	for (unsigned i = 0; i < p->nr_irqs / 32; i++)
		wr32(p->gicd + GICD_ISENABLER + 4 * i, p->enable[i]);
	/* The CPU interface: no priority left active by an interrupt the
	 * guest took and never finished, then its old settings. */
	for (unsigned i = 0; i < 4; i++) {
		wr32(p->gicc + GICC_APR0 + 4 * i, 0);
		wr32(p->gicc + GICC_NSAPR0 + 4 * i, 0);
	}
	wr32(p->gicc + GICC_PMR, p->gicc_pmr);
	wr32(p->gicc + GICC_BPR, p->gicc_bpr);
	wr32(p->gicc + GICC_CTLR, p->gicc_ctlr);
	wr32(p->gicd + GICD_CTLR, p->gicd_ctlr);
}

void arm_passthrough_restore(const struct arm_passthrough *p)
{
	/* The guest's timers first: their interrupts are level-sensitive,
	 * so turning the timers off withdraws them (the next vCPU loads its
	 * own timer state anyway).  Then the GIC. */
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	isb();
	if (p->gic_version == 3)
		arm_gicv3_restore(p);
	else
		gicv2_restore(p);

	/* The UART: let it finish sending, off, the old baud rate and line
	 * settings (LCRH after the divisors: that write latches them), no
	 * interrupt raised or pending, on again as it was. */
	for (unsigned spin = 0; spin < 1000000 && (rd32(p->uart + UART_FR) & UART_FR_BUSY); spin++)
		;
	wr32(p->uart + UART_CR, 0);
	wr32(p->uart + UART_IBRD, p->uart_ibrd);
	wr32(p->uart + UART_FBRD, p->uart_fbrd);
	wr32(p->uart + UART_LCRH, p->uart_lcrh);
	wr32(p->uart + UART_IFLS, p->uart_ifls);
	wr32(p->uart + UART_IMSC, p->uart_imsc);
	wr32(p->uart + UART_ICR, 0x7ff);
	wr32(p->uart + UART_CR, p->uart_cr);
	__asm__ volatile("dsb sy" ::: "memory");
}
