/*
 * A GICv3 handed through to a partition (gic.c does the GICv2, the UART
 * and the choosing between the two).
 *
 * A GICv3 is three things where a GICv2 was two:
 *
 *  - the distributor (GICD, 64 KiB), which routes the shared interrupts
 *    (SPIs, INTID 32 and up) to a CPU by affinity (GICD_IROUTER<n>), no
 *    longer by a CPU bit mask;
 *  - one redistributor per CPU, two 64 KiB frames side by side (RD_base:
 *    control, wake-up, LPIs; SGI_base: the CPU's own SGIs and PPIs, INTID
 *    0-31, which the distributor no longer banks), four on a GICv4
 *    (GICR_TYPER.VLPIS: virtual LPIs and a reserved frame).  The
 *    redistributors of all CPUs sit one after the other in a region, the
 *    last with GICR_TYPER.Last set; a CPU finds its own by the affinity in
 *    GICR_TYPER, which matches its MPIDR_EL1;
 *  - the CPU interface, now system registers (ICC_*_EL1) rather than a
 *    memory-mapped GICC.
 *
 * So the partition gets the distributor and THIS CPU's redistributor
 * frames, mapped at their physical addresses, and the CPU interface as
 * system registers: the virtual one (ICH_HCR_EL2.En, HCR_EL2.IMO set:
 * vgic.c fills its list registers, so every interrupt comes to EL2 first),
 * its ICC_*_EL1 accesses served by the hardware, and ICC_SRE_EL2.Enable
 * (el2.c) lets EL1 at ICC_SRE_EL1 too.  It does
 * not get the ITS (the message translator that turns device writes into
 * LPIs) nor any other CPU's redistributor: its device tree names neither.
 *
 * All but one page.  The first 4 KiB of RD_base hold, besides the
 * redistributor's control and wake-up registers, its LPI tables' bases
 * (GICR_PROPBASER, GICR_PENDBASER): PHYSICAL addresses the redistributor
 * reads and writes by itself once GICR_CTLR.EnableLPIs is set, where
 * stage-2 does not reach -- a guest could aim them at the hypervisor.
 * And GICR_TYPER.Last: Linux walks the region it is given frame by frame
 * until one says Last, so if this CPU's frame is not the machine's last
 * it would walk on into the next CPU's.  So that page is not mapped:
 * its accesses trap and arm_gicv3_rd_emulate serves them, passing
 * GICR_CTLR (EnableLPIs kept clear), GICR_IIDR, GICR_STATUSR and
 * GICR_WAKER through to the real ones, showing GICR_TYPER with Last set
 * and no LPIs (PLPIS, VLPIS, DirectLPI clear), and the LPI registers
 * as zero.  The rest of RD_base (the ID registers) and SGI_base are
 * mapped; a GICv4's VLPI_base frame (virtual LPI tables, physical
 * addresses again) is not.  A few dozen exits at boot are the cost.
 */
#include "arm.h"
#include "bytes.h"
#include "sysreg.h"
#include "../../hv/print.h"
#include "../../lib/fdt.h"
#include "../../hv/arch.h"

/* Distributor (GICv3 layout, from GICD). */
#define GICD_CTLR       0x0000
#define GICD_CTLR_RWP   (1u << 31)      /* a write is still taking effect */
#define GICD_IGROUPR    0x0080
#define GICD_ISENABLER  0x0100
#define GICD_ICENABLER  0x0180
#define GICD_ICPENDR    0x0280
#define GICD_ICACTIVER  0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR      0x0c00
#define GICD_IGRPMODR   0x0d00
#define GICD_IROUTER    0x6000          /* 64 bits per INTID, from INTID 32 */
/* Redistributor, RD_base frame. */
#define GICR_CTLR       0x0000
#define GICR_CTLR_RWP   (1u << 3)
#define GICR_TYPER      0x0008
#define GICR_TYPER_PLPIS (1ull << 0)
#define GICR_TYPER_VLPIS (1ull << 1)
#define GICR_TYPER_DIRECTLPI (1ull << 3)
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_TYPER_RVPEID (1ull << 7)
#define GICR_TYPER_VSGI (1ull << 26)
#define GICR_STATUSR    0x0010
#define GICR_WAKER      0x0014
#define GICR_PIDR2      0xffe8
/* Redistributor, SGI_base frame (RD_base + 64 KiB): INTID 0-31. */
#define GICR_SGI        0x10000
#define GICR_IGROUPR0   0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ICPENDR0   0x0280
#define GICR_ICACTIVER0 0x0380
#define GICR_IPRIORITYR 0x0400
#define GICR_ICFGR0     0x0c00
#define GICR_ICFGR1     0x0c04
#define GICR_IGRPMODR0  0x0d00

#define FRAME 0x10000ull
#define RD_TRAPPED 0x1000ull       /* RD_base's first page: emulated */

/* The CPU interface, by encoding (assemblers for Armv8.0 know no names). */
#define ICC_PMR_EL1     s3_0_c4_c6_0
#define ICC_AP0R0_EL1   s3_0_c12_c8_4
#define ICC_AP1R0_EL1   s3_0_c12_c9_0
#define ICC_BPR1_EL1    s3_0_c12_c12_3
#define ICC_CTLR_EL1    s3_0_c12_c12_4
#define ICC_SRE_EL1     s3_0_c12_c12_5
#define ICC_IGRPEN1_EL1 s3_0_c12_c12_7
#define rd_icc(r) read_sysreg(r)
#define wr_icc(r, v) write_sysreg(r, v)


/* This CPU's affinity as GICR_TYPER[63:32] gives it: Aff3.Aff2.Aff1.Aff0. */
static uint32_t my_affinity(void)
{
	uint64_t mpidr = read_sysreg(mpidr_el1);
	return (uint32_t)(mpidr & 0xffffff) | (uint32_t)((mpidr >> 32) & 0xff) << 24;
}

int arm_gicv3_find_rdist(struct arm_passthrough *p, const uint64_t *base, const uint64_t *size,
			 unsigned n, char *why, size_t len)
{
	uint32_t aff = my_affinity();

	for (unsigned r = 0; r < n; r++) {
		if (base[r] & (FRAME - 1)) {
			hv_snprintf(why, len, "the GICv3 redistributor region at 0x%llx is not 64 KiB-aligned",
				    (unsigned long long)base[r]);
			return -1;
		}
		/* The architecture's ID: 3 (GICv3) or 4 (GICv4) in
		 * PIDR2[7:4]; anything else and the region holds no
		 * redistributors (or the firmware is wrong). */
		unsigned arch = (rd32(base[r] + GICR_PIDR2) >> 4) & 0xf;
		if (arch != 3 && arch != 4) {
			hv_snprintf(why, len, "no GICv3 redistributor at 0x%llx (GICR_PIDR2 architecture %u)",
				    (unsigned long long)base[r], arch);
			return -1;
		}
		for (uint64_t off = 0; off + 2 * FRAME <= size[r];) {
			uint64_t rd = base[r] + off;
			uint64_t typer = rd64(rd + GICR_TYPER);
			uint64_t frames = typer & GICR_TYPER_VLPIS ? 4 : 2;
			if ((uint32_t)(typer >> 32) == aff) {
				/* RD_base and SGI_base only (above). */
				p->gicr = rd;
				p->gicr_size = 2 * FRAME;
				return 0;
			}
			if (typer & GICR_TYPER_LAST)
				break;
			off += frames * FRAME;
		}
	}
	hv_snprintf(why, len, "no GICv3 redistributor has this CPU's affinity 0x%x", aff);
	return -1;
}

int arm_gicv3_map(struct vm *vm, const struct arm_passthrough *p)
{
	int err = s2_map_range(&vm->s2, gpa(p->gicd), hpa(p->gicd), p->gicd_size, PT_RW,
			       PT_MEM_DEVICE);
	/* Not the first page of RD_base: arm_gicv3_rd_emulate's. */
	if (!err)
		err = s2_map_range(&vm->s2, gpa(p->gicr + RD_TRAPPED), hpa(p->gicr + RD_TRAPPED),
				   p->gicr_size - RD_TRAPPED, PT_RW, PT_MEM_DEVICE);
	return err;
}

/*
 * A load or store of the partition in the first page of its redistributor
 * (above: why it is not mapped).  True when it was that page's, with the
 * value a load reads in *value.  The registers are 32 bits wide but for
 * GICR_TYPER's 64; an access of another width or misaligned reads as zero
 * and writes nothing, as a reserved register does.
 */
bool arm_gicv3_rd_emulate(const struct arm_passthrough *p, const struct mmio_access *m,
			  uint64_t *value)
{
	uint64_t a = gpa_val(m->gpa), rd = p->gicr;
	if (p->gic_version != 3 || a < rd || a >= rd + RD_TRAPPED)
		return false;
	uint64_t off = a - rd, v = 0;
	*value = 0;
	if ((m->size != 4 && m->size != 8) || (off & (m->size - 1)) ||
	    (m->size == 8 && off != GICR_TYPER))
		return true;
	if (m->write) {
		switch (off) {
		case GICR_CTLR:         /* EnableLPIs (bit 0) stays clear */
			wr32(rd + GICR_CTLR, (uint32_t)m->value & ~1u);
			break;
		case GICR_STATUSR:      /* write 1 to clear: the guest's own errors */
		case GICR_WAKER:        /* ProcessorSleep: restored after the partition */
			wr32(rd + off, (uint32_t)m->value);
			break;
		}
		return true;            /* GICR_TYPER, the LPI registers: ignored */
	}
	switch (off & ~7ull) {
	case GICR_CTLR:                 /* GICR_CTLR, GICR_IIDR */
	case GICR_STATUSR:              /* GICR_STATUSR, GICR_WAKER */
		v = rd32(rd + (off & ~7ull)) | (uint64_t)rd32(rd + (off & ~7ull) + 4) << 32;
		break;
	case GICR_TYPER:
		v = rd64(rd + GICR_TYPER);
		v &= ~(GICR_TYPER_PLPIS | GICR_TYPER_VLPIS | GICR_TYPER_DIRECTLPI |
		       GICR_TYPER_RVPEID | GICR_TYPER_VSGI);
		v |= GICR_TYPER_LAST;
		break;
	}
	*value = m->size == 8 ? v : (uint32_t)(v >> (8 * (off & 4)));
	return true;
}

/* The binding: Documentation/devicetree/bindings/interrupt-controller/
 * arm,gic-v3.yaml.  One redistributor region: this CPU's frames. */
void arm_gicv3_write_dt(struct fdt_writer *w, const struct arm_passthrough *p)
{
	char name[48];
	uint32_t reg[8];

	hv_snprintf(name, sizeof(name), "interrupt-controller@%llx", (unsigned long long)p->gicd);
	fdt_begin_node(w, name);
	fdt_prop_string(w, "compatible", "arm,gic-v3");
	fdt_prop_u32(w, "#interrupt-cells", 3);
	fdt_prop_u32(w, "#address-cells", 0);   /* dtc warns without it */
	fdt_prop_empty(w, "interrupt-controller");
	fdt_prop_u32(w, "#redistributor-regions", 1);
	dt_reg_cells(reg, p->gicd, p->gicd_size);
	dt_reg_cells(reg + 4, p->gicr, p->gicr_size);
	fdt_prop_cells(w, "reg", reg, 8);
	fdt_prop_u32(w, "phandle", 1);
	fdt_end_node(w);
}

/* A distributor or redistributor write takes effect when RWP clears
 * (bounded: a GIC that never clears it must not hang the hypervisor). */
static void wait_rwp(uint64_t ctlr, uint32_t rwp)
{
	for (unsigned spin = 0; spin < 1000000 && (rd32(ctlr) & rwp); spin++)
		;
}

static unsigned nr_spis_end(const struct arm_passthrough *p)
{
	/* INTIDs 1020-1023 are special: no IROUTER, no state. */
	return p->nr_irqs > 1020 ? 1020 : p->nr_irqs;
}

void arm_gicv3_save(struct arm_passthrough *p)
{
	uint64_t d = p->gicd, sgi = p->gicr + GICR_SGI;

	p->gicd_ctlr = rd32(d + GICD_CTLR);
	/* The SPIs, at the distributor; word 0 (INTID 0-31) is the
	 * redistributor's, kept in the same arrays' first slots. */
	for (unsigned i = 1; i < p->nr_irqs / 32; i++) {
		p->enable[i] = rd32(d + GICD_ISENABLER + 4 * i);
		p->group[i] = rd32(d + GICD_IGROUPR + 4 * i);
		p->grpmod[i] = rd32(d + GICD_IGRPMODR + 4 * i);
	}
	for (unsigned i = 2; i < p->nr_irqs / 16; i++)
		p->config[i] = rd32(d + GICD_ICFGR + 4 * i);
	for (unsigned i = 32; i < nr_spis_end(p); i++) {
		p->priority[i] = rd8(d + GICD_IPRIORITYR + i);
		p->irouter[i] = rd64(d + GICD_IROUTER + 8 * i);
	}
	p->enable[0] = rd32(sgi + GICR_ISENABLER0);
	p->group[0] = rd32(sgi + GICR_IGROUPR0);
	p->grpmod[0] = rd32(sgi + GICR_IGRPMODR0);
	p->config[0] = rd32(sgi + GICR_ICFGR0);
	p->config[1] = rd32(sgi + GICR_ICFGR1);
	for (unsigned i = 0; i < 32; i++)
		p->priority[i] = rd8(sgi + GICR_IPRIORITYR + i);
	p->gicr_ctlr = rd32(p->gicr + GICR_CTLR);
	p->gicr_waker = rd32(p->gicr + GICR_WAKER);

	p->icc_sre = rd_icc(ICC_SRE_EL1);
	p->icc_pmr = rd_icc(ICC_PMR_EL1);
	p->icc_bpr1 = rd_icc(ICC_BPR1_EL1);
	p->icc_ctlr = rd_icc(ICC_CTLR_EL1);
	p->icc_igrpen1 = rd_icc(ICC_IGRPEN1_EL1);
}

/* After the guest's timers are off (gic.c): the same order as a GICv2's,
 * the distributor's groups off while it is rewritten. */
void arm_gicv3_restore(const struct arm_passthrough *p)
{
	uint64_t d = p->gicd, sgi = p->gicr + GICR_SGI;

	/* Groups off, ARE (affinity routing) left as it is: once set it
	 * cannot be cleared on most GICs, and the firmware set it. */
	wr32(d + GICD_CTLR, p->gicd_ctlr & ~7u);
	wait_rwp(d + GICD_CTLR, GICD_CTLR_RWP);
	for (unsigned i = 1; i < p->nr_irqs / 32; i++) {
		wr32(d + GICD_ICENABLER + 4 * i, ~0u);
		wr32(d + GICD_ICPENDR + 4 * i, ~0u);
		wr32(d + GICD_ICACTIVER + 4 * i, ~0u);
		wr32(d + GICD_IGROUPR + 4 * i, p->group[i]);
		wr32(d + GICD_IGRPMODR + 4 * i, p->grpmod[i]);
	}
	wait_rwp(d + GICD_CTLR, GICD_CTLR_RWP);
	for (unsigned i = 2; i < p->nr_irqs / 16; i++)
		wr32(d + GICD_ICFGR + 4 * i, p->config[i]);
	for (unsigned i = 32; i < nr_spis_end(p); i++) {
		wr8(d + GICD_IPRIORITYR + i, p->priority[i]);
		wr64(d + GICD_IROUTER + 8 * i, p->irouter[i]);
	}
	for (unsigned i = 1; i < p->nr_irqs / 32; i++)
		wr32(d + GICD_ISENABLER + 4 * i, p->enable[i]);

	/* This CPU's SGIs and PPIs (the watchdog's EL2 timer among them,
	 * which Linux disabled).  ICFGR0, the SGIs', is read-only. */
	wr32(sgi + GICR_ICENABLER0, ~0u);
	wait_rwp(p->gicr + GICR_CTLR, GICR_CTLR_RWP);
	wr32(sgi + GICR_ICPENDR0, ~0u);
	wr32(sgi + GICR_ICACTIVER0, ~0u);
	wr32(sgi + GICR_IGROUPR0, p->group[0]);
	wr32(sgi + GICR_IGRPMODR0, p->grpmod[0]);
	wr32(sgi + GICR_ICFGR1, p->config[1]);
	for (unsigned i = 0; i < 32; i++)
		wr8(sgi + GICR_IPRIORITYR + i, p->priority[i]);
	wr32(sgi + GICR_ISENABLER0, p->enable[0]);
	if (rd32(p->gicr + GICR_WAKER) != p->gicr_waker)
		wr32(p->gicr + GICR_WAKER, p->gicr_waker);
	/* Its control: the guest could change only the DPG bits (which
	 * groups may wake it), never EnableLPIs (arm_gicv3_rd_emulate). */
	if (rd32(p->gicr + GICR_CTLR) != p->gicr_ctlr)
		wr32(p->gicr + GICR_CTLR, p->gicr_ctlr);

	/* The CPU interface: no priority left active by an interrupt the
	 * guest took and never finished, then its old settings. */
	wr_icc(ICC_SRE_EL1, p->icc_sre);
	isb();
	wr_icc(ICC_AP0R0_EL1, 0);
	wr_icc(ICC_AP1R0_EL1, 0);
	wr_icc(ICC_PMR_EL1, p->icc_pmr);
	wr_icc(ICC_BPR1_EL1, p->icc_bpr1);
	wr_icc(ICC_CTLR_EL1, p->icc_ctlr);
	wr_icc(ICC_IGRPEN1_EL1, p->icc_igrpen1);
	isb();
	wr32(d + GICD_CTLR, p->gicd_ctlr);
	wait_rwp(d + GICD_CTLR, GICD_CTLR_RWP);
}
