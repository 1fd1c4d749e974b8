/*
 * A GICv2 partition's interrupts, through the GIC's virtual CPU interface.
 *
 * Handing the whole GIC to a partition (gic.c) lets its interrupts reach
 * its EL1 without an exit -- and so without the hypervisor ever getting
 * the CPU back from a partition that stays busy: a spinning kernel or a
 * user program in a loop never exits, and the watchdog never sees its
 * deadline.  The GIC's virtualization extensions close that gap at the
 * cost of one exit per interrupt:
 *
 *  - every physical interrupt goes to EL2 again (HCR_EL2.IMO set, as for
 *    minihv's own guests), whatever the partition masks;
 *  - the partition's CPU interface is the virtual one (GICV, mapped in
 *    stage-2 where its device tree says its GICC is), which takes its
 *    interrupts from the list registers in the hypervisor's GICH;
 *  - on each IRQ exit the hypervisor acknowledges the physical interrupt
 *    at its own CPU interface (GICC) and, unless it is the watchdog's EL2
 *    timer, writes it into a list register, linked to the physical one
 *    (the HW bit): when the partition ends its virtual interrupt, the GIC
 *    deactivates the physical one.  The physical CPU interface runs with
 *    EOImode set, so the hypervisor's own EOI only drops the priority and
 *    the interrupt stays active -- not raised again -- until then.
 *
 * The distributor stays the partition's (gic.c maps it): it enables,
 * prioritises and routes its interrupts itself, with no exit.  Only the
 * watchdog's timer interrupt, which Linux disables with every interrupt it
 * does not know, is enabled again, at its highest priority, on each IRQ
 * exit: any interrupt at all brings the CPU back, and the deadline is
 * seen.  (A partition that turns its whole distributor off and spins is
 * the case left: docs/linux-guest.md.)
 */
#include "arm.h"
#include "bytes.h"
#include "sysreg.h"
#include "../../hv/print.h"

/* The physical CPU interface (GICC) and the distributor. */
#define GICC_CTLR          0x000
#define GICC_CTLR_EOIMODE  (1u << 9)    /* EOIR drops priority only; DIR deactivates */
#define GICC_PMR           0x004
#define GICC_IAR           0x00c
#define GICC_EOIR          0x010
#define GICC_DIR           0x1000
#define GICD_IGROUPR       0x080
#define GICD_ISENABLER     0x100
#define GICD_IPRIORITYR    0x400
/* The virtual interface control (GICH). */
#define GICH_HCR           0x000        /* bit 0: En */
#define GICH_VTR           0x004        /* bits 5:0: list registers - 1 */
#define GICH_VMCR          0x008
#define GICH_ELRSR0        0x030        /* a bit set: that list register is empty */
#define GICH_ELRSR1        0x034
#define GICH_APR           0x0f0
#define GICH_LR0           0x100
/* A list register. */
#define LR_HW              (1u << 31)
#define LR_GROUP1          (1u << 30)
#define LR_PENDING         (1u << 28)
#define LR_STATE           (3u << 28)


static void clear_list_registers(const struct arm_passthrough *p)
{
	for (unsigned i = 0; i < p->nr_lr; i++)
		wr32(p->gich + GICH_LR0 + 4 * i, 0);
	wr32(p->gich + GICH_APR, 0);
}

static void v3_start(const struct arm_passthrough *p);
static void v3_stop(const struct arm_passthrough *p);
static bool v3_irq(struct arm_passthrough *p);

void arm_vgic_start(const struct arm_passthrough *p)
{
	if (p->gic_version == 3) {
		v3_start(p);
		return;
	}
	clear_list_registers(p);
	wr32(p->gich + GICH_VMCR, 0);   /* the virtual interface as after reset */
	wr32(p->gicc + GICC_CTLR, rd32(p->gicc + GICC_CTLR) | GICC_CTLR_EOIMODE | 1);
	wr32(p->gicc + GICC_PMR, 0xff);
	wr32(p->gich + GICH_HCR, 1);
	__asm__ volatile("dsb sy" ::: "memory");
}

void arm_vgic_stop(const struct arm_passthrough *p)
{
	if (p->gic_version == 3) {
		v3_stop(p);
		return;
	}
	wr32(p->gich + GICH_HCR, 0);
	clear_list_registers(p);
	wr32(p->gich + GICH_VMCR, 0);
	__asm__ volatile("dsb sy" ::: "memory");
	/* GICC's own settings, and any interrupt left active, are put back by
	 * arm_passthrough_restore, which runs next. */
}

/* A list register for a new interrupt: an empty one, unless one holds
 * this INTID already (two would be UNPREDICTABLE): -1 then, or when all
 * are full. */
static int free_list_register(const struct arm_passthrough *p, unsigned intid)
{
	uint64_t empty = rd32(p->gich + GICH_ELRSR0) | (uint64_t)rd32(p->gich + GICH_ELRSR1) << 32;
	int found = -1;

	for (unsigned i = 0; i < p->nr_lr; i++) {
		if (empty & (1ull << i)) {
			if (found < 0)
				found = (int)i;
			continue;
		}
		uint32_t lr = rd32(p->gich + GICH_LR0 + 4 * i);
		if ((lr & LR_STATE) && (lr & 0x3ff) == intid)
			return -1;
	}
	return found;
}

bool arm_vgic_irq(struct arm_passthrough *p)
{
	bool watchdog = false;

	if (p->gic_version == 3)
		return v3_irq(p);

	for (unsigned n = 0; n < 64; n++) {
		uint32_t iar = rd32(p->gicc + GICC_IAR);
		unsigned intid = iar & 0x3ff;
		if (intid >= 1020)
			break;          /* nothing (more) pending */
		if (intid == p->el2_timer_intid) {
			/* The watchdog's: the hypervisor's own, ended here. */
			wr32(p->gicc + GICC_EOIR, iar);
			wr32(p->gicc + GICC_DIR, iar);
			watchdog = true;
			continue;
		}
		int lr = free_list_register(p, intid);
		if (lr < 0) {
			/* No room (or already there): let it go.  A level
			 * interrupt comes back while its device still asks. */
			wr32(p->gicc + GICC_EOIR, iar);
			wr32(p->gicc + GICC_DIR, iar);
			p->vgic_dropped++;
			continue;
		}
		uint32_t v = LR_PENDING | (uint32_t)(rd8(p->gicd + GICD_IPRIORITYR + intid) >> 3) << 23 |
			     intid;
		if ((rd32(p->gicd + GICD_IGROUPR + 4 * (intid / 32)) >> (intid % 32)) & 1)
			v |= LR_GROUP1;
		if (intid >= 16)
			v |= LR_HW | intid << 10;       /* the guest's EOI deactivates it */
		else
			v |= iar & (7u << 10);          /* an SGI: its source CPU */
		wr32(p->gich + GICH_LR0 + 4 * (unsigned)lr, v);
		wr32(p->gicc + GICC_EOIR, iar);         /* priority drop only (EOImode) */
		if (intid < 16)
			wr32(p->gicc + GICC_DIR, iar);  /* an SGI is not linked: done now */
		p->vgic_injected++;
	}
	/* Keep the watchdog's interrupt enabled and above every other. */
	if (p->el2_timer_intid < 32) {
		wr8(p->gicd + GICD_IPRIORITYR + p->el2_timer_intid, 0);
		wr32(p->gicd + GICD_ISENABLER, 1u << p->el2_timer_intid);
	}
	return watchdog;
}

/*
 * The same on a GICv3, whose CPU interfaces are system registers: the
 * hypervisor acknowledges at ICC_IAR1_EL1 (at EL2 always the physical
 * interface) and fills ICH_LR<n>_EL2; with HCR_EL2.IMO set and
 * ICH_HCR_EL2.En, the partition's own ICC_*_EL1 accesses reach the
 * virtual interface instead, in hardware, with no exit.  SGIs are the
 * exception: with IMO set, EL1's writes to ICC_SGI1R_EL1 trap
 * (partition.c), and one aimed at the partition's own CPU -- the only one
 * it has -- is put into a list register here.
 */
#define ICC_IAR1_EL1   s3_0_c12_c12_0
#define ICC_EOIR1_EL1  s3_0_c12_c12_1
#define ICC_DIR_EL1    s3_0_c12_c11_1
#define ICC_PMR_EL1    s3_0_c4_c6_0
#define ICC_CTLR_EL1   s3_0_c12_c12_4
#define ICC_IGRPEN1_EL1 s3_0_c12_c12_7
#define ICH_HCR_EL2    s3_4_c12_c11_0
#define ICH_VTR_EL2    s3_4_c12_c11_1
#define ICH_VMCR_EL2   s3_4_c12_c11_7
#define ICH_ELRSR_EL2  s3_4_c12_c11_5
#define ICH_AP0R0_EL2  s3_4_c12_c8_0
#define ICH_AP1R0_EL2  s3_4_c12_c9_0
#define GICR_SGI_BASE  0x10000
#define LR3_PENDING    (1ull << 62)
#define LR3_STATE      (3ull << 62)
#define LR3_HW         (1ull << 61)
#define LR3_GROUP1     (1ull << 60)

/* ICH_LR<n>_EL2: sixteen registers, each its own encoding. */
#define LR_CASE(n, crm, op2) \
	case n: \
		if (write) { \
			__asm__ volatile("msr s3_4_c12_" #crm "_" #op2 ", %0" : : "r"(v)); \
		} else { \
			__asm__ volatile("mrs %0, s3_4_c12_" #crm "_" #op2 : "=r"(v)); \
		} \
		break

static uint64_t lr3_access(unsigned n, bool write, uint64_t v)
{
	switch (n) {
	LR_CASE(0, c12, 0); LR_CASE(1, c12, 1); LR_CASE(2, c12, 2); LR_CASE(3, c12, 3);
	LR_CASE(4, c12, 4); LR_CASE(5, c12, 5); LR_CASE(6, c12, 6); LR_CASE(7, c12, 7);
	LR_CASE(8, c13, 0); LR_CASE(9, c13, 1); LR_CASE(10, c13, 2); LR_CASE(11, c13, 3);
	LR_CASE(12, c13, 4); LR_CASE(13, c13, 5); LR_CASE(14, c13, 6); LR_CASE(15, c13, 7);
	}
	return v;
}

unsigned arm_vgic_v3_list_registers(void)
{
	return (unsigned)(read_sysreg(ICH_VTR_EL2) & 0x1f) + 1;
}

static void v3_clear(const struct arm_passthrough *p)
{
	for (unsigned i = 0; i < p->nr_lr; i++)
		lr3_access(i, true, 0);
	write_sysreg(ICH_AP0R0_EL2, 0);
	write_sysreg(ICH_AP1R0_EL2, 0);
	write_sysreg(ICH_VMCR_EL2, 0);
}

static void v3_start(const struct arm_passthrough *p)
{
	v3_clear(p);
	/* The physical interface, the hypervisor's: EOImode (bit 1), every
	 * priority, group 1 on.  arm_passthrough_restore puts back what the
	 * firmware had. */
	write_sysreg(ICC_CTLR_EL1, read_sysreg(ICC_CTLR_EL1) | 2);
	write_sysreg(ICC_PMR_EL1, 0xff);
	write_sysreg(ICC_IGRPEN1_EL1, 1);
	write_sysreg(ICH_HCR_EL2, 1);
	isb();
}

static void v3_stop(const struct arm_passthrough *p)
{
	write_sysreg(ICH_HCR_EL2, 0);
	v3_clear(p);
	isb();
}

/* Put vINTID intid in a list register (hw: linked to the physical one). */
static bool v3_inject(struct arm_passthrough *p, unsigned intid, bool hw)
{
	uint64_t empty = read_sysreg(ICH_ELRSR_EL2);
	int slot = -1;

	for (unsigned i = 0; i < p->nr_lr; i++) {
		if (empty & (1ull << i)) {
			if (slot < 0)
				slot = (int)i;
		} else {
			uint64_t lr = lr3_access(i, false, 0);
			if ((lr & LR3_STATE) && (uint32_t)lr == intid)
				return false;   /* there already */
		}
	}
	if (slot < 0)
		return false;
	uint64_t base = intid < 32 ? p->gicr + GICR_SGI_BASE : p->gicd;
	uint64_t v = LR3_PENDING | (uint64_t)rd8(base + GICD_IPRIORITYR + intid) << 48 | intid;
	if ((rd32(base + GICD_IGROUPR + 4 * (intid / 32)) >> (intid % 32)) & 1)
		v |= LR3_GROUP1;
	if (hw)
		v |= LR3_HW | (uint64_t)intid << 32;
	lr3_access((unsigned)slot, true, v);
	p->vgic_injected++;
	return true;
}

void arm_vgic_v3_sgi(struct arm_passthrough *p, unsigned intid)
{
	if (!v3_inject(p, intid & 0xf, false))
		p->vgic_dropped++;
}

static bool v3_irq(struct arm_passthrough *p)
{
	bool watchdog = false;

	for (unsigned n = 0; n < 64; n++) {
		uint64_t iar = read_sysreg(ICC_IAR1_EL1);
		unsigned intid = (unsigned)(iar & 0xffffff);
		if (intid >= 1020 && intid < 1024)
			break;
		bool ours = intid == p->el2_timer_intid;
		bool linked = !ours && intid >= 16 && v3_inject(p, intid, true);
		if (!ours && intid < 16 && !v3_inject(p, intid, false))
			p->vgic_dropped++;
		if (!ours && intid >= 16 && !linked)
			p->vgic_dropped++;
		write_sysreg(ICC_EOIR1_EL1, iar);       /* priority drop only (EOImode) */
		if (!linked)
			write_sysreg(ICC_DIR_EL1, iar);
		watchdog |= ours;
	}
	isb();
	if (p->el2_timer_intid < 32) {
		uint64_t sgi = p->gicr + GICR_SGI_BASE;
		wr8(sgi + GICD_IPRIORITYR + p->el2_timer_intid, 0);
		wr32(sgi + GICD_ISENABLER, 1u << p->el2_timer_intid);
	}
	return watchdog;
}
