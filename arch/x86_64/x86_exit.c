/*
 * What minihv does with each x86 VM exit, once for VMX and SVM.
 *
 * The backend has decoded the hardware's report into a struct x86_exit
 * (x86_exit.h); here each kind is handled in one place and, when the guest
 * is refused, in one wording (vcpu_refuse, hv/run.c):
 *
 *   GPA            an ordinary load or store to guest-physical memory the
 *                  second-level tables leave unmapped becomes an EXIT_MMIO
 *                  for the core, once the instruction is decoded (the CPU
 *                  says neither how wide it was nor which register)
 *   CPUID, XSETBV  emulated; the backend steps RIP by the returned length
 *   HLT            the guest is done
 *   anything else  refused by name: I/O, MSRs, debug registers, exceptions,
 *                  triple fault... minihv guests are allowed none of it
 */
#include "x86_exit.h"
#include "x86_insn.h"
#include "x86_msr.h"
#include "../../hv/print.h"
#include "../../hv/run.h"
#include "../../lib/minihv_string.h"

/* ---- the instruction behind an exit ---- */

/*
 * Copy up to X86_MAX_INSN_LEN bytes at rip through mmu.  An instruction may
 * straddle two pages, and the second may be unmapped even though the
 * instruction fits in the first: mm/ copies page by page and keeps what it
 * got.  The decoder says "truncated" if the bytes are not a whole
 * instruction.
 */
static size_t fetch_insn(const struct guest_mmu *mmu, gva_t rip,
			 uint8_t buf[X86_MAX_INSN_LEN], int *err)
{
	return (size_t)guest_read_virt_prefix(mmu, rip, buf, X86_MAX_INSN_LEN, err);
}

size_t x86_fetch_guest_insn(const struct vcpu *vcpu, gva_t rip,
			    uint8_t buf[X86_MAX_INSN_LEN], int *err)
{
	struct guest_mmu mmu;
	vcpu_guest_mmu(vcpu, &mmu);
	mmu.kernel_no_user = false;     /* SMAP restricts data accesses only */
	return fetch_insn(&mmu, rip, buf, err);
}

/*
 * The same for the instruction behind exit x, on the exit path: the guest's
 * paging comes from x->mode, which the caller has already found walkable
 * (insn_unreadable), so the backend is asked only for CR3, and only with
 * paging on.  mm/ then walks the 4-level tables directly in the VM's RAM
 * (guest_x86_64_fetch), with the same bounds as any walk.
 */
static size_t fetch_exit_insn(const struct vcpu *vcpu, const struct x86_exit *x,
			      uint8_t buf[X86_MAX_INSN_LEN], int *err)
{

	bool paging = (x->mode.cr0 & CR0_PG) != 0;

	return (size_t)guest_x86_64_fetch(&vcpu->vm->ram, paging,
					  paging ? x86_vcpu_gpt_root(vcpu) : gpa(0), x->rip, buf,
					  X86_MAX_INSN_LEN, err);
}

/* ---- the guest's mode: which of its addresses and bytes minihv can read ---- */

/*
 * The translation regimes of SDM vol. 3, 4.1.1 ("Four Paging Modes" and
 * "paging off"), from CR0.PG, CR4.PAE, EFER.LMA (set by the CPU when
 * paging is enabled with EFER.LME) and CR4.LA57.  minihv's guest walk is
 * pt_format_x86_64: 4 levels, 9 bits each, from CR3.  With LA57 the CPU
 * starts one level higher, so the same walk would resolve another page;
 * PAE without long mode starts from a 4-entry PDPT and 32-bit paging uses
 * 4-byte entries.  None of them is walked: the guest is refused instead.
 */
const char *x86_unsupported_regime(const struct x86_guest_mode *m)
{
	if (!(m->cr0 & CR0_PG))
		return NULL;                    /* linear = physical */
	if (m->efer & EFER_LMA)
		return (m->cr4 & CR4_LA57) ? "5-level paging (CR4.LA57=1)" : NULL;
	if (m->cr4 & CR4_PAE)
		return "PAE paging without long mode (EFER.LMA=0)";
	return "32-bit paging (CR4.PAE=0)";
}

/*
 * Why minihv cannot read and decode the guest's instruction at the exit,
 * or NULL if it can.  The fetch walks the guest's tables from RIP, and the
 * decoder knows 64-bit code only: in compatibility mode (EFER.LMA=1,
 * CS.L=0) the default operand and address sizes come from CS.D, the bytes
 * 40-4f are INC/DEC rather than REX prefixes, and CS's base is added to
 * RIP -- decoding such code as 64-bit would emulate another instruction,
 * of another length, and resume the guest in the wrong place.  what
 * names the access ("MMIO", "CPUID") for the sentence.
 */
static const char *insn_unreadable(const struct x86_exit *x, const char *what,
				   char *buf, size_t len)
{
	/* The usual answer first, in one test: 64-bit code (EFER.LMA, CS.L)
	 * with 4-level paging (CR0.PG, no CR4.LA57) -- readable.  Anything
	 * else is sorted out below, with its sentence. */
	if (x86_mode_is_long4(x->mode.cr0, x->mode.cr4, x->mode.efer, x->mode.cs_l))
		return NULL;
	const char *regime = x86_unsupported_regime(&x->mode);

	if (regime)
		hv_snprintf(buf, len, "unsupported translation regime: %s; minihv walks only 4-level long-mode page tables",
			    regime);
	else if (!(x->mode.efer & EFER_LMA))
		hv_snprintf(buf, len, "%s from legacy mode (EFER.LMA=0, CS.D=%d) is not supported: minihv decodes 64-bit code only",
			    what, x->mode.cs_d);
	else if (!x->mode.cs_l)
		hv_snprintf(buf, len, "%s from compatibility mode (CS.L=0, CS.D=%d) is not supported: minihv decodes 64-bit code only",
			    what, x->mode.cs_d);
	else
		return NULL;
	return buf;
}

/*
 * The length of the intercepted instruction at x->rip, which must be the
 * operand-less instruction op (name says which): the CPU's word where it
 * can be trusted (x->insn_len), else fetched and decoded -- the guest may
 * put prefixes in front (66 0f a2), and stepping by the bare opcode's
 * length would resume it in the middle of the instruction.  0, with the
 * guest refused, if the bytes cannot be read or are something else.
 */
static unsigned intercepted_insn_len(struct vcpu *vcpu, struct vm_exit *exit,
				     const struct x86_exit *x, const char *name,
				     const uint8_t *op, size_t oplen)
{
	unsigned long long rip = gva_val(x->rip);
	uint8_t bytes[X86_MAX_INSN_LEN], len;
	char why[120];
	int err;

	if (x->insn_len)
		return x->insn_len;
	if (insn_unreadable(x, name, why, sizeof(why))) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s intercepted at rip 0x%llx: %s",
			    name, rip, why);
		return 0;
	}
	size_t n = fetch_exit_insn(vcpu, x, bytes, &err);
	if (n == 0) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "%s intercepted at rip 0x%llx, but the instruction there cannot be read: %s",
			    name, rip, mm_strerror(err));
		return 0;
	}
	if (x86_decode_plain(bytes, n, op, oplen, &len, why, sizeof(why)) != X86_DECODE_OK) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "%s intercepted at rip 0x%llx, but the instruction there is not %s: %s",
			    name, rip, name, why);
		return 0;
	}
	return len;
}

/*
 * Is the instruction at rip op (with any prefixes)?  For an exit whose
 * code cannot be trusted to name it: QEMU 7.2's TCG reports a guest's INVD
 * with the WBINVD exit code (its INVD tests the WBINVD intercept bit).
 */
static bool insn_is(const struct vcpu *vcpu, const struct x86_exit *x, const uint8_t *op,
		    size_t oplen)
{
	uint8_t bytes[X86_MAX_INSN_LEN], len;
	char why[160];
	int err;

	if (insn_unreadable(x, "an instruction", why, sizeof(why)))
		return false;
	size_t n = fetch_exit_insn(vcpu, x, bytes, &err);

	return n && x86_decode_plain(bytes, n, op, oplen, &len, why, sizeof(why)) == X86_DECODE_OK;
}

static const uint8_t opcode_invd[] = { 0x0f, 0x08 };

/* ---- guest-physical accesses: MMIO ---- */

/*
 * Decode the instruction at rip: from the CPU's bytes if it supplied any,
 * else from guest memory.  On failure, why says what went wrong and which
 * bytes were looked at ("unsupported instruction 0f 0b (2 bytes from guest
 * memory)").
 */
static int decode_mmio_insn(const struct vcpu *vcpu, const struct x86_exit *x,
			    const uint8_t *bytes, size_t n, struct x86_mmio_insn *out,
			    char *why, size_t len)
{
	uint8_t fetched[X86_MAX_INSN_LEN];
	const char *source = "the CPU's decode assist";

	if (n == 0) {
		int err;
		n = fetch_exit_insn(vcpu, x, fetched, &err);
		if (n == 0) {
			hv_snprintf(why, len, "cannot read the instruction: %s", mm_strerror(err));
			return X86_DECODE_UNSUPPORTED;
		}
		bytes = fetched;
		source = "guest memory";
	}
	/* The plain MOV of the guest library's accessors first: no message
	 * to prepare, no prefix loop (x86_decode.h). */
	if (x86_decode_mmio_fast(bytes, n, out))
		return X86_DECODE_OK;
	int r = x86_decode_mmio_full(bytes, n, out, why, len);
	if (r == X86_DECODE_TRUNCATED && bytes != fetched)
		/* The CPU stops its fetch at a page boundary: read the rest. */
		return decode_mmio_insn(vcpu, x, NULL, 0, out, why, len);
	if (r != X86_DECODE_OK) {
		size_t at = strlen(why);
		hv_snprintf(why + at, len - at, " (%llu bytes from %s)",
			    (unsigned long long)n, source);
	}
	return r;
}

/*
 * The guest touched guest-physical memory the second-level tables do not
 * map.  Its own page-table walk or an instruction fetch there is a guest
 * bug; an ordinary load or store is an access for the core, which knows
 * what lives there (the hypercall window), once the instruction says how
 * wide it is and which register it uses.
 */
static void gpa_access(struct vcpu *vcpu, const struct x86_exit *x,
		       const uint64_t gpr[X86_NR_GPRS], struct x86_mmio_insn *insn,
		       struct vm_exit *exit)
{
	unsigned long long addr = gpa_val(x->gpa.addr), rip = gva_val(x->rip);
	char why[160];

	if (x->gpa.guest_walk && x->gpa.linear_valid) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "the guest's page-table walk for linear 0x%llx touched guest-physical 0x%llx, which is not RAM",
			    (unsigned long long)gva_val(x->gpa.linear), addr);
		return;
	}
	if (x->gpa.guest_walk) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "the guest's page-table walk touched guest-physical 0x%llx, which is not RAM",
			    addr);
		return;
	}
	if (x->gpa.refusal != X86_S2_UNMAPPED) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "%s of guest-physical 0x%llx refused by the second-level tables (%s)",
			    x->gpa.fetch ? "instruction fetch" : x->gpa.write ? "write" : "read", addr,
			    x->gpa.refusal == X86_S2_RESERVED_BIT ? "reserved bit set" : "permission");
		return;
	}
	if (x->gpa.fetch) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "instruction fetch at 0x%llx from guest-physical 0x%llx, which is not RAM",
			    rip, addr);
		return;
	}
	if (insn_unreadable(x, "MMIO", why, sizeof(why))) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s of GPA 0x%llx at rip 0x%llx: %s",
			    x->gpa.write ? "store" : "load", addr, rip, why);
		return;
	}
	if (decode_mmio_insn(vcpu, x, x->gpa.bytes, x->gpa.n, insn, why, sizeof(why)) != X86_DECODE_OK) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "%s of GPA 0x%llx by the instruction at rip 0x%llx, which minihv cannot emulate: %s",
			    x->gpa.write ? "store" : "load", addr, rip, why);
		return;
	}
	if (insn->write != x->gpa.write) {
		/* The bytes were read after the exit: another vCPU may have
		 * rewritten them in between, or the decoder misreads them.
		 * Either way, emulating them would be wrong. */
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "the CPU reported a %s of GPA 0x%llx, but the instruction at rip 0x%llx is a %s",
			    x->gpa.write ? "write" : "read", addr, rip, insn->write ? "store" : "load");
		return;
	}
	exit->kind = EXIT_MMIO;
	exit->mmio.gpa = x->gpa.addr;
	exit->mmio.size = insn->size;
	exit->mmio.write = x->gpa.write;
	exit->mmio.value = x->gpa.write ? x86_mmio_store_value(insn, gpr) : 0;
}


/* ---- emulated instructions ---- */

static const uint8_t opcode_cpuid[] = { 0x0f, 0xa2 };
static const uint8_t opcode_xsetbv[] = { 0x0f, 0x01, 0xd1 };

static unsigned emulate_cpuid(struct vcpu *vcpu, const struct x86_exit *x,
			      uint64_t gpr[X86_NR_GPRS], struct vm_exit *exit)
{
	unsigned len = intercepted_insn_len(vcpu, exit, x, "CPUID", opcode_cpuid,
					    sizeof(opcode_cpuid));
	if (!len)
		return 0;
	x86_emulate_cpuid((uint32_t)gpr[X86_RAX], (uint32_t)gpr[X86_RCX], x->mode.cr4,
			  &gpr[X86_RAX], &gpr[X86_RBX], &gpr[X86_RCX], &gpr[X86_RDX]);
	exit->kind = EXIT_HANDLED;
	return len;
}

/*
 * XSETBV: the guest asks to set XCR<ECX> to EDX:EAX.  XCR0 says which
 * register state XSAVE manages and which instructions the CPU allows (AVX
 * needs bits 1 and 2).  Neither VM entry nor VMRUN switches it; x86_fpu.c
 * gives each new vCPU x87 state only and the firmware its own value back
 * when the VM ends, and in between the guest's value goes into the CPU --
 * once it passes the checks the CPU itself makes (a bad value is a #GP
 * there, a named stop here).
 */
static unsigned emulate_xsetbv(struct vcpu *vcpu, const struct x86_exit *x,
			       const uint64_t gpr[X86_NR_GPRS], struct vm_exit *exit)
{
	unsigned len = intercepted_insn_len(vcpu, exit, x, "XSETBV", opcode_xsetbv,
					    sizeof(opcode_xsetbv));
	if (!len)
		return 0;

	uint32_t index = (uint32_t)gpr[X86_RCX];
	unsigned long long value = (gpr[X86_RDX] << 32) | (uint32_t)gpr[X86_RAX];
	const char *why;

	if (index != 0) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "XSETBV of XCR%u: only XCR0 may be set (#GP)", index);
		return 0;
	}
	why = x86_xcr0_set_for_guest(value);
	if (why) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "XSETBV of XCR0 0x%llx refused: it %s (#GP)",
			    value, why);
		return 0;
	}
	exit->kind = EXIT_HANDLED;
	return len;
}

/* ---- refusals ---- */

static const char *const exception_names[32] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range exceeded",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 floating-point error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD floating-point error",
	[20] = "#VE virtualization exception",
	[21] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security exception",
};

const char *x86_exception_name(unsigned vector)
{
	if (vector < 32 && exception_names[vector])
		return exception_names[vector];
	return "reserved exception vector";
}

static const char *const gpr_names[X86_NR_GPRS] = {
	"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
	"R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
};

const char *x86_gpr_name(unsigned r)
{
	return r < X86_NR_GPRS ? gpr_names[r] : "?";
}

/* An exception the guest raised: every vector is intercepted, and minihv
 * guests are expected to raise none. */
static void exception(struct vcpu *vcpu, const struct x86_exit *x, struct vm_exit *exit)
{
	unsigned long long rip = gva_val(x->rip), ec = x->exception.error;
	char code[80] = "";

	exit->name = x86_exception_name(x->exception.vector);
	if (x->exception.delivering_interrupt) {
		/*
		 * An interrupt reached the guest, which can only happen with
		 * its RFLAGS.IF set: the same event as an interrupt-window or
		 * VINTR exit, only the CPU got there first.  Bochs 2.7's SVM
		 * does, delivering an interrupt to a guest that set IF
		 * although V_INTR_MASKING leaves physical ones to the host.
		 */
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "the guest enabled interrupts (RFLAGS.IF=1 at rip 0x%llx): minihv guests take none, yet interrupt vector %d reached it (%s while delivering it)",
			    rip, x->exception.delivering, exit->name);
		return;
	}
	if (x->exception.has_error)
		hv_snprintf(code, sizeof(code), ", error code 0x%llx", ec);
	if (x->exception.delivering >= 0) {
		/* It happened while the CPU delivered another event. */
		size_t n = strlen(code);
		hv_snprintf(code + n, sizeof(code) - n, ", while delivering vector %d",
			    x->exception.delivering);
	}
	if (x->exception.vector == 14)
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "the guest took an exception at rip 0x%llx: %s %s gva 0x%llx (%s%s)%s",
			    rip, (ec & 0x10) ? "instruction fetch from" : (ec & 2) ? "write to" : "read of",
			    (ec & 4) ? "user" : "supervisor",
			    (unsigned long long)x->exception.fault_addr,
			    (ec & 1) ? "protection violation" : "not present",
			    (ec & 8) ? ", reserved bit set" : "", code);
	else
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "the guest took an exception at rip 0x%llx%s", rip, code);
}

static void msr_access(struct vcpu *vcpu, const struct x86_exit *x,
		       const uint64_t gpr[X86_NR_GPRS], struct vm_exit *exit)
{
	const char *name = x86_msr_name(x->msr.msr);
	char val[40] = "";

	if (x->msr.write)
		hv_snprintf(val, sizeof(val), ", value 0x%llx",
			    (unsigned long long)((gpr[X86_RDX] << 32) | (uint32_t)gpr[X86_RAX]));
	const char *why = x86_msr_why(x->msr.msr);
	vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s of MSR 0x%x%s%s%s%s: %s",
		    x->msr.write ? "WRMSR" : "RDMSR", x->msr.msr, name ? " (" : "",
		    name ? name : "", name ? ")" : "", val, why ? why : "minihv gives guests no MSRs");
}

/*
 * The I/O ports through which a PC's chipset and its emulators power off,
 * reset or end the machine: what a guest that wrote them was after.  Every
 * port is refused; these are named so the stop says what it would have done.
 */
static const struct {
	uint16_t port;
	const char *what;
} power_ports[] = {
	{ 0x0064, "the keyboard controller, whose command 0xFE would reset the machine" },
	{ 0x0092, "System Control Port A, whose bit 0 would reset the machine (fast reset)" },
	{ 0x00f4, "QEMU's isa-debug-exit where minihv's launcher puts it: it would end the emulator with a status of the guest's choosing" },
	{ 0x0501, "QEMU's isa-debug-exit at its default port: it would end the emulator" },
	{ 0x0604, "the ACPI PM1a control register on QEMU's Q35 board: it would power off the machine" },
	{ 0x0cf9, "the reset control register: it would reset the machine" },
	{ 0x8900, "Bochs's shutdown port: it would power off the machine (end the emulator)" },
	{ 0xb004, "the ACPI PM1a control register on PIIX4 boards with OVMF (QEMU pc, Bochs): it would power off the machine" },
};

static void port_access(struct vcpu *vcpu, const struct x86_exit *x, struct vm_exit *exit)
{
	const char *what = NULL;

	for (size_t i = 0; i < sizeof(power_ports) / sizeof(power_ports[0]); i++)
		if (power_ports[i].port == x->io.port && !x->io.in)
			what = power_ports[i].what;
	vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
		    "%s%s%s of %u byte%s %s port 0x%x%s%s%s: minihv guests have no I/O ports",
		    x->io.rep ? "REP " : "", x->io.in ? "IN" : "OUT", x->io.string ? "S" : "",
		    x->io.size, x->io.size == 1 ? "" : "s", x->io.in ? "from" : "to", x->io.port,
		    what ? " (" : "", what ? what : "", what ? ")" : "");
}

static void cr_access(struct vcpu *vcpu, const struct x86_exit *x,
		      const uint64_t gpr[X86_NR_GPRS], struct vm_exit *exit)
{
	const char *reg = x86_gpr_name(x->cr.gpr);

	if (x->cr.op == X86_CR_MOV_TO)
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "MOV to CR%u from %s (0x%llx): the guest may not change this control register or these bits",
			    x->cr.cr, reg, (unsigned long long)gpr[x->cr.gpr & 15]);
	else if (x->cr.op == X86_CR_MOV_FROM)
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "MOV from CR%u to %s: not allowed to minihv guests", x->cr.cr, reg);
	else
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "%s: the guest may not change CR0's fixed bits",
			    x->cr.op == X86_CR_CLTS ? "CLTS" : "LMSW");
}

/*
 * DR0..DR3 (breakpoint addresses) and DR6 (what hit) are one set per CPU:
 * neither VM entry nor VMRUN switches them, so a guest's value would stay
 * for the host and the next guest -- and a breakpoint armed in one could
 * fire in the other.  (DR7, which arms them, is in the VMCS and the VMCB.)
 * minihv guests need none of it: every MOV to or from a debug register
 * exits, and the guest is stopped.
 */
static void dr_access(struct vcpu *vcpu, const struct x86_exit *x,
		      const uint64_t gpr[X86_NR_GPRS], struct vm_exit *exit)
{
	int r = x->dr.gpr;
	char reg[48] = "";

	if (r >= 0 && x->dr.write)
		hv_snprintf(reg, sizeof(reg), " from %s (0x%llx)", x86_gpr_name((unsigned)r),
			    (unsigned long long)gpr[r & 15]);
	else if (r >= 0)
		hv_snprintf(reg, sizeof(reg), " to %s", x86_gpr_name((unsigned)r));
	vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT, "MOV %s DR%u%s: minihv guests have no debug registers",
		    x->dr.write ? "to" : "from", x->dr.dr, reg);
}

/*
 * The null call (hypercall_abi.h): VMCALL on VMX, VMMCALL on SVM (the
 * other vendor's instruction is #UD there, which the guest's exception
 * intercept reports).  RAX in, RAX out, nothing else: the round trip
 * make bench times.  Hypercalls are for the guest kernel, and VMCALL exits
 * from any privilege level, so CPL 3 is refused as the window refuses it.
 * SVM exit code 0x81 is VMMCALL; VMX's basic reason for VMCALL is 18.
 */
static const uint8_t opcode_vmcall[] = { 0x0f, 0x01, 0xc1 };
static const uint8_t opcode_vmmcall[] = { 0x0f, 0x01, 0xd9 };

static unsigned null_call(struct vcpu *vcpu, const struct x86_exit *x,
			  uint64_t gpr[X86_NR_GPRS], struct vm_exit *exit)
{
	bool svm = x->raw_code == 0x81;

	if (arch_vcpu_user_mode(vcpu)) {
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "%s at rip 0x%llx from the guest's user mode refused: hypercalls are for the guest kernel",
			    exit->name, (unsigned long long)gva_val(x->rip));
		return 0;
	}
	unsigned len = intercepted_insn_len(vcpu, exit, x, svm ? "VMMCALL" : "VMCALL",
					    svm ? opcode_vmmcall : opcode_vmcall, 3);
	if (!len)
		return 0;
	gpr[X86_RAX] = gpr[X86_RAX] == MINIHV_NULL_CALL ? MINIHV_NULL_CALL_RESULT
							 : (uint64_t)MINIHV_ENOSYS;
	exit->kind = EXIT_HANDLED;
	return len;
}

/* ---- the dispatch ---- */

unsigned x86_exit_handle(struct vcpu *vcpu, const struct x86_exit *x,
			 uint64_t gpr[X86_NR_GPRS], struct x86_mmio_insn *mmio,
			 struct vm_exit *exit)
{
	unsigned long long rip = gva_val(x->rip);

	exit->reason = NULL;
	switch (x->kind) {
	case X86_EXIT_GPA:
		gpa_access(vcpu, x, gpr, mmio, exit);
		return 0;
	case X86_EXIT_CPUID:
		return emulate_cpuid(vcpu, x, gpr, exit);
	case X86_EXIT_XSETBV:
		return emulate_xsetbv(vcpu, x, gpr, exit);
	case X86_EXIT_HLT:
		exit->kind = EXIT_HALT;
		return 0;
	case X86_EXIT_MSR:
		msr_access(vcpu, x, gpr, exit);
		return 0;
	case X86_EXIT_IO:
		port_access(vcpu, x, exit);
		return 0;
	case X86_EXIT_CR:
		cr_access(vcpu, x, gpr, exit);
		return 0;
	case X86_EXIT_DR:
		dr_access(vcpu, x, gpr, exit);
		return 0;
	case X86_EXIT_EXCEPTION:
		exception(vcpu, x, exit);
		return 0;
	case X86_EXIT_NMI:
		/* A non-maskable interrupt is the host's (a watchdog, a
		 * machine's "NMI button"), never a guest's: both backends make
		 * it exit instead of reaching the guest's IDT.  minihv cannot
		 * know what it meant, so the guest is stopped and the run goes
		 * on with the next test. */
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "a non-maskable interrupt arrived while the guest ran (rip 0x%llx)", rip);
		return 0;
	case X86_EXIT_SHUTDOWN:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "triple fault at rip 0x%llx: an exception while delivering a double fault", rip);
		return 0;
	case X86_EXIT_INTR_WINDOW:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "the guest enabled interrupts (RFLAGS.IF=1 at rip 0x%llx): minihv guests take none",
			    rip);
		return 0;
	case X86_EXIT_TIMER:
		/*
		 * Only a chance to look at the clock: the guest lost no
		 * instruction (the timer ran out, or the interrupt was
		 * recognized, between two of them), so it resumes where it
		 * was unless its time is up.  A timer exit before the
		 * deadline is normal: the preemption timer's count is
		 * limited to 32 bits, and SVM's ticks come every 10 ms or so.
		 */
		exit->kind = x86_watchdog_left() == 0 ? EXIT_WATCHDOG : EXIT_HANDLED;
		return 0;
	case X86_EXIT_WBINVD:
		if (insn_is(vcpu, x, opcode_invd, sizeof(opcode_invd))) {
			exit->name = "INVD";
			goto invd;
		}
		/*
		 * WBINVD writes every dirty line of every cache back to
		 * memory and empties them: harmless to data, but it takes as
		 * long as the caches are large, with interrupts held off, and
		 * on a shared machine slows every other core's work.  A
		 * minihv guest has no device memory or DMA that would need
		 * it, so it is stopped, the same on VMX (WBINVD exiting) and
		 * SVM (the WBINVD intercept) -- rather than emulated as a
		 * no-op, which would be safe only for as long as guests have
		 * no devices.
		 */
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "WBINVD at rip 0x%llx: minihv guests may not write back and flush the CPU's caches",
			    rip);
		return 0;
	case X86_EXIT_INVD:
	invd:
		/*
		 * INVD empties the caches without writing dirty lines back
		 * (SDM vol. 2: "data ... not written back ... is lost"): the
		 * hypervisor's own recent stores, and those of the VM before,
		 * would be lost.  No guest may run it.
		 */
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "INVD at rip 0x%llx refused: it would discard dirty cache lines, the hypervisor's among them",
			    rip);
		return 0;
	case X86_EXIT_VMCALL:
		return null_call(vcpu, x, gpr, exit);
	case X86_EXIT_RDPMC:
		/* With neither the intercept nor CR4.PCE in the way, RDPMC
		 * at CPL 0 returns the CPU's own counter: the host's work
		 * as well as the guest's, a side channel. */
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "RDPMC of counter 0x%llx at rip 0x%llx: minihv guests have no performance monitors",
			    (unsigned long long)(uint32_t)gpr[X86_RCX], rip);
		return 0;
	case X86_EXIT_NESTED:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "%s at rip 0x%llx: minihv does not offer nested virtualization", exit->name, rip);
		return 0;
	case X86_EXIT_FORBIDDEN:
		vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
			    "%s at rip 0x%llx is not allowed in a minihv guest", exit->name, rip);
		return 0;
	case X86_EXIT_S2_MISCONFIG:
		vcpu_refuse(vcpu, exit, EXIT_HOST_ERROR,
			    "at guest-physical 0x%llx: the hypervisor built a malformed second-level entry",
			    (unsigned long long)gpa_val(x->misconfig.addr));
		return 0;
	case X86_EXIT_ENTRY_FAILED:
		vcpu_refuse(vcpu, exit, EXIT_HOST_ERROR, "%s", x->entry.why);
		return 0;
	case X86_EXIT_UNKNOWN:
		break;
	}
	vcpu_refuse(vcpu, exit, EXIT_GUEST_FAULT,
		    "unexpected exit %s (code 0x%llx) at rip 0x%llx: nothing in minihv handles it",
		    exit->name, (unsigned long long)x->raw_code, rip);
	return 0;
}
