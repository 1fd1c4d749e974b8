/*
 * The FP/SIMD state and XCR0 at the VM boundary.
 *
 * Neither VM entry nor VMRUN switches the x87/SSE registers or XCR0: they
 * are one set for the host and every guest.  The hypervisor never uses
 * them, and one VM runs at a time, so instead of switching them on every
 * exit minihv puts them in their reset state when a new vCPU is set up
 * (x86_fpu_for_new_vcpu) and gives XCR0 back to the firmware when the VM
 * ends (x86_fpu_for_firmware).  In between, XCR0 is the guest's: its XSETBV
 * exits, checked as the CPU would check them, are written through
 * (x86_xcr0_set_for_guest, for x86_exit.c).
 */
#include "x86.h"
#include "x86_insn.h"
#include "../../hv/print.h"

#define MXCSR_RESET 0x1f80u      /* every SIMD exception masked, round to nearest */
#define XSAVE_AREA_MAX 16384     /* bytes: the largest XSAVE area minihv takes */

/* ---- XCR0 ---- */

/*
 * How XCR0 is reached here (x86_xcr0_plan, x86.h says why there is a
 * choice at all), decided once by arch_cpu_init.
 */
static enum x86_xcr0_plan xcr0_plan = X86_XCR0_ABSENT;

/* XCR0 as the firmware left it, put back when a VM ends. */
static uint64_t firmware_xcr0;

/* The XCR0 bits this CPU supports (CPUID.(EAX=0DH,ECX=0):EDX:EAX): every
 * user state component XSAVE can manage, which xsave_reset_all puts in its
 * initial configuration for each new vCPU. */
static uint64_t xcr0_supported;

static void read_xsave_facts(struct x86_xsave_facts *f)
{
	uint32_t max, a, b, c, d;

	x86_cpuid(0, 0, &max, &b, &c, &d);
	x86_cpuid(1, 0, &a, &b, &f->leaf1_ecx, &d);
	f->leaf_d1_eax = 0;
	if (max >= 0xd)
		x86_cpuid(0xd, 1, &f->leaf_d1_eax, &b, &c, &d);
	/* Any CPU answers leaf 4000_0000 (a real one with unrelated values
	 * or zeros), and no real one with an emulator's signature. */
	x86_cpuid(0x40000000u, 0, &a, &f->hv_sig[0], &f->hv_sig[1], &f->hv_sig[2]);
	f->firmware_cr4 = read_cr4();
}

/*
 * XGETBV and XSETBV #UD unless CR4.OSXSAVE is set.  With the plan
 * X86_XCR0_LIFT_OSXSAVE the firmware left it clear: set it for just this
 * instruction and put the firmware's CR4 back, so the firmware never runs
 * with a bit it did not choose.  Only called when the CPU has XSAVE.
 */
static void lift_osxsave(uint64_t cr4)
{
	if (xcr0_plan == X86_XCR0_LIFT_OSXSAVE)
		write_cr4(cr4 | CR4_OSXSAVE);
}

static void drop_osxsave(uint64_t cr4)
{
	if (xcr0_plan == X86_XCR0_LIFT_OSXSAVE)
		write_cr4(cr4);
}

static uint64_t xcr0_read(void)
{
	uint64_t cr4 = read_cr4();

	lift_osxsave(cr4);
	uint64_t v = x86_xgetbv0();
	drop_osxsave(cr4);
	return v;
}

static void xcr0_write(uint64_t v)
{
	uint64_t cr4 = read_cr4();

	lift_osxsave(cr4);
	x86_xsetbv0(v);
	drop_osxsave(cr4);
}

/*
 * Decide how XCR0 is reached and read the firmware's value.  -1 (after
 * saying why) on a CPU model whose CR4.OSXSAVE is known not to work,
 * which no minihv guest could use either.
 */
int x86_fpu_init(void)
{
	struct x86_xsave_facts facts;
	const char *why;

	read_xsave_facts(&facts);
	xcr0_plan = x86_xcr0_plan(&facts, &why);
	switch (xcr0_plan) {
	case X86_XCR0_REFUSE:
		hv_printf("minihv: XCR0: %s\n", why);
		return -1;
	case X86_XCR0_ABSENT:
		firmware_xcr0 = 0;
		return 0;
	case X86_XCR0_LIFT_OSXSAVE:
		/* Said before the first MOV to CR4: if a CPU should hang on
		 * it anyway, the last line names what was being done. */
		hv_printf("minihv: XCR0: the firmware left CR4.OSXSAVE clear; minihv sets it only around XGETBV/XSETBV at VM boundaries\n");
		break;
	case X86_XCR0_READY:
		break;
	}
	firmware_xcr0 = xcr0_read();

	uint32_t max, lo, size, hi;
	x86_cpuid(0, 0, &max, &size, &lo, &hi);
	lo = hi = size = 0;
	if (max >= 0xd) {
		uint32_t size_enabled;
		x86_cpuid(0xd, 0, &lo, &size_enabled, &size, &hi);
	}
	xcr0_supported = ((uint64_t)hi << 32) | lo | 1;
	if (size > XSAVE_AREA_MAX) {
		hv_printf("minihv: XSAVE: this CPU's XSAVE area for all state components (XCR0 0x%llx) is %u bytes, more than minihv's %u\n",
			  (unsigned long long)xcr0_supported, size, XSAVE_AREA_MAX);
		return -1;
	}
	hv_printf("minihv: XSAVE: every new vCPU starts with all supported state (XCR0 bits 0x%llx) in its initial configuration\n",
		  (unsigned long long)xcr0_supported);
	return 0;
}

/*
 * XCR0 is one register for the host and every guest, and neither VM entry
 * nor VMRUN switches it.  Both backends intercept XSETBV and write the
 * guest's value through once it passes the CPU's own checks (x86_exit.c),
 * and a CPU may ignore the intercept (QEMU's TCG does, for SVM): either
 * way the guest's XCR0 would stay behind.  So it is set at the VM boundary: X86_GUEST_XCR0 for each new
 * vCPU (by xsave_reset_all, below), the firmware's value again when the
 * VM ends -- always written,
 * never skipped as "already so", since a guest may have changed it behind
 * the intercept's back.  That is enough only because one VM runs at a time
 * and the hypervisor itself never uses XSAVE state; a scheduler that
 * interleaved VMs would have to switch XCR0 on every entry and exit, as
 * KVM does.
 */
static void xcr0_for_firmware(void)
{
	if (xcr0_plan != X86_XCR0_ABSENT)
		xcr0_write(firmware_xcr0);
}

/* ---- a clean FP/SIMD state for every new vCPU ---- */

/*
 * Everything XSAVE manages -- x87, SSE, the upper halves of the YMM
 * registers, AVX-512's opmask and ZMM registers, PKRU, AMX tiles, and
 * whatever a later CPU adds -- is one set per CPU that neither VM entry
 * nor VMRUN switches.  A guest that reached any of it (PKRU through
 * CR4.PKE and WRPKRU, which need no XSETBV; YMM and the rest once its
 * XSETBV enabled them) would leave it to the next.  So the list of what to
 * reset is not written down here but read from the CPU, CPUID.(EAX=0DH,
 * ECX=0):EDX:EAX, and reset in one instruction: XRSTOR of an area whose
 * XSTATE_BV (the header's first 8 bytes, at offset 512) is 0 puts every
 * component the requested-feature bitmap (EDX:EAX AND XCR0) names in its
 * initial configuration -- zeros, with FCW 0x37f and MXCSR from the area
 * (SDM vol. 1, 13.8.1 "Standard Form of XRSTOR").  XCR0 is set to all
 * supported bits for that moment, so nothing is left out; then to the
 * guest's X86_GUEST_XCR0.  The area is never written: XRSTOR only reads.
 */
#define XSAVE_MXCSR_AT   24

static uint8_t xsave_init_area[XSAVE_AREA_MAX] __attribute__((aligned(64)));

static void xsave_reset_all(void)
{
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();

	*(uint32_t *)(xsave_init_area + XSAVE_MXCSR_AT) = MXCSR_RESET;
	if (cr0 & CR0_TS)
		write_cr0(cr0 & ~CR0_TS);       /* XRSTOR would #NM */
	lift_osxsave(cr4);
	x86_xsetbv0(xcr0_supported);
	__asm__ volatile("xrstor %0"
			 : : "m"(*(const uint8_t (*)[XSAVE_AREA_MAX])xsave_init_area),
			   "a"((uint32_t)xcr0_supported), "d"((uint32_t)(xcr0_supported >> 32))
			 : "memory");
	x86_xsetbv0(X86_GUEST_XCR0);
	drop_osxsave(cr4);
	if (cr0 & CR0_TS)
		write_cr0(cr0);
}


/*
 * Neither VM entry nor VM exit switches the x87 and SSE registers (VMX and
 * SVM alike): a guest finds in XMM3 whatever the previous guest left there.
 * The hypervisor itself never uses them (everything is built with
 * -mgeneral-regs-only) and no firmware code runs while guests do, so
 * nothing needs saving: putting them in their reset state once, before a
 * new vCPU first runs, is enough.
 *
 * FNINIT resets the x87 control, status and tag words and the last
 * instruction and operand pointers, but leaves the eight data registers'
 * contents, which FXSAVE and the MMX registers (their low 64 bits) still
 * show; pushing eight zeros overwrites them, and a second FNINIT empties
 * the stack again.  PXOR zeroes XMM0..XMM15 and LDMXCSR resets MXCSR.
 * On a CPU with XSAVE, xsave_reset_all then resets everything else too
 * (the upper YMM halves, PKRU, ...); this is for the CPUs without it.
 */
static void fresh_fpu(void)
{
	static const uint32_t mxcsr = MXCSR_RESET;
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();

	/* UEFI runs with EM and TS clear and OSFXSR set; if not, lift them
	 * for the moment, so none of the instructions below faults. */
	if (cr0 & (CR0_EM | CR0_TS))
		write_cr0(cr0 & ~(CR0_EM | CR0_TS));
	if (!(cr4 & CR4_OSFXSR))
		write_cr4(cr4 | CR4_OSFXSR);
	__asm__ volatile("fninit\n\t"
			 "fldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\t"
			 "fninit\n\t"
			 "pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\t"
			 "pxor %%xmm2, %%xmm2\n\tpxor %%xmm3, %%xmm3\n\t"
			 "pxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
			 "pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\t"
			 "pxor %%xmm8, %%xmm8\n\tpxor %%xmm9, %%xmm9\n\t"
			 "pxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
			 "pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\t"
			 "pxor %%xmm14, %%xmm14\n\tpxor %%xmm15, %%xmm15\n\t"
			 "ldmxcsr %0"
			 : : "m"(mxcsr) : "memory");
	if (!(cr4 & CR4_OSFXSR))
		write_cr4(cr4);
	if (cr0 & (CR0_EM | CR0_TS))
		write_cr0(cr0);
}

void x86_fpu_for_new_vcpu(void)
{
	fresh_fpu();
	if (xcr0_plan != X86_XCR0_ABSENT)
		xsave_reset_all();
}

void x86_fpu_for_firmware(void)
{
	xcr0_for_firmware();
}

bool x86_xcr0_exists(void)
{
	return xcr0_plan != X86_XCR0_ABSENT;
}

/*
 * A guest's XSETBV of XCR0 (x86_exit.c has checked it is XCR0, from the
 * guest kernel).  XCR0 is the CPU's one register, but while a VM runs
 * nothing else uses it -- the hypervisor is built -mgeneral-regs-only and
 * the firmware gets its own value back when the VM ends -- so the guest's
 * value can simply go into the CPU, after the checks the CPU itself would
 * make (x86_xcr0_invalid), so that the XSETBV minihv executes for it can
 * never fault.  Then what CPUID advertises (AVX, AVX-512...) works once the
 * guest enables it, as on a CPU of its own.  With several vCPUs on one
 * CPU, this would have to be switched on every entry and exit (as KVM
 * does); here one vCPU runs from start to end.
 */
const char *x86_xcr0_set_for_guest(uint64_t value)
{
	const char *why = x86_xcr0_invalid(value, xcr0_supported);

	if (xcr0_plan == X86_XCR0_ABSENT)
		return "this CPU has no XCR0";
	if (why)
		return why;
	xcr0_write(value);
	return NULL;
}
