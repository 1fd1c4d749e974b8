/*
 * One x86 VM exit, as both backends describe it.
 *
 * VMX and SVM report the same events in different words: an EPT violation
 * and a #NPF, exit reason 31 and exit code 0x7c with EXITINFO1 = 0.  Each
 * backend reads its own fields (the VMCS, the VMCB) once and fills in a
 * struct x86_exit; x86_exit_handle then decides what happens, once for both,
 * in one wording.  The backend applies the result: it steps RIP by what
 * x86_exit_handle returns and, after the core finished an MMIO access,
 * calls x86_mmio_complete.  (barevisor's host.rs is built the same way.)
 */
#ifndef ARCH_X86_64_X86_EXIT_H
#define ARCH_X86_64_X86_EXIT_H

#include "x86.h"
#include "../../mm/guest_mem.h"

enum x86_exit_kind {
	X86_EXIT_GPA,           /* EPT violation, #NPF: guest-physical memory the
				   second-level tables leave unmapped (MMIO) */
	X86_EXIT_CPUID,
	X86_EXIT_XSETBV,
	X86_EXIT_MSR,           /* RDMSR, WRMSR: ECX, EDX:EAX are in gpr[] */
	X86_EXIT_IO,            /* IN, OUT, INS, OUTS */
	X86_EXIT_CR,            /* MOV to or from CRn, CLTS, LMSW (VMX) */
	X86_EXIT_DR,            /* MOV to or from DRn */
	X86_EXIT_EXCEPTION,     /* the guest raised an exception (all intercepted) */
	X86_EXIT_NMI,           /* the host's NMI arrived while the guest ran */
	X86_EXIT_HLT,
	X86_EXIT_SHUTDOWN,      /* triple fault */
	X86_EXIT_INTR_WINDOW,   /* the guest set RFLAGS.IF: VMX's interrupt
				   window, SVM's virtual interrupt (VINTR) */
	X86_EXIT_TIMER,         /* the watchdog's clock ticked: VMX's preemption
				   timer ran out, or (SVM) a physical interrupt
				   (the firmware's timer) arrived */
	X86_EXIT_WBINVD,        /* write back and invalidate the caches */
	X86_EXIT_INVD,          /* invalidate the caches, dropping dirty lines */
	X86_EXIT_VMCALL,        /* VMCALL, VMMCALL */
	X86_EXIT_RDPMC,         /* read a performance-monitoring counter */
	X86_EXIT_NESTED,        /* VMRUN, VMLOAD, ... (SVM) */
	X86_EXIT_FORBIDDEN,     /* MONITOR, MWAIT (SVM) */
	X86_EXIT_S2_MISCONFIG,  /* a malformed second-level entry: our bug (VMX) */
	X86_EXIT_ENTRY_FAILED,  /* the CPU would not enter the guest */
	X86_EXIT_UNKNOWN,       /* anything else: raw_code says what */
};

/* How the second-level tables refused a guest-physical access that hit a
 * mapping (SVM says; VMX never sees one, since RAM is mapped RWX). */
enum x86_s2_refusal { X86_S2_UNMAPPED, X86_S2_PERMISSION, X86_S2_RESERVED_BIT };

enum x86_cr_op { X86_CR_MOV_TO, X86_CR_MOV_FROM, X86_CR_CLTS, X86_CR_LMSW };

struct x86_exit {
	enum x86_exit_kind kind;
	gva_t rip;              /* the instruction that exited */
	/* Its length, where the CPU's word can be trusted (VMX's exit
	 * instruction length); 0 where it cannot: SVM's NRIP is missing
	 * under QEMU and wrong under Bochs, so the instruction is fetched
	 * and decoded instead. */
	uint8_t insn_len;
	uint64_t raw_code;      /* exit reason or exit code, for UNKNOWN */
	struct x86_guest_mode mode;  /* the guest's CR0, CR4, EFER, CS at the exit */
	union {
		struct {
			gpa_t addr;
			bool write, fetch;
			bool guest_walk;        /* while walking the guest's tables */
			bool linear_valid;      /* VMX: the linear address is known */
			gva_t linear;
			enum x86_s2_refusal refusal;
			/* The instruction's bytes if the CPU supplied them (SVM
			 * decode assists), else NULL and 0. */
			const uint8_t *bytes;
			size_t n;
		} gpa;
		struct { uint32_t msr; bool write; } msr;
		struct { uint16_t port; uint8_t size; bool in, string, rep; } io;
		struct { unsigned cr; enum x86_cr_op op; unsigned gpr; } cr;
		/* gpr -1: the CPU does not say (SVM without decode assists). */
		struct { unsigned dr; bool write; int gpr; } dr;
		struct {
			unsigned vector;
			bool has_error;
			uint32_t error;
			uint64_t fault_addr;    /* #PF: the linear address */
			int delivering;         /* vector being delivered, or -1 */
			bool delivering_interrupt; /* ... and it is an external
						      or virtual interrupt */
		} exception;
		struct { gpa_t addr; } misconfig;
	};
	/* ENTRY_FAILED: only the backend can name its own entry checks.  Kept
	 * out of the union and last, so that x86_exit_clear need not clear
	 * its 160 bytes on every exit. */
	struct { char why[160]; } entry;
};

/* Does x86_exit_handle look at x->mode for an exit of this kind?  The
 * regime and code-size checks before it reads an instruction (MMIO,
 * WBINVD/INVD, and CPUID or XSETBV without the CPU's length), CPUID's
 * CR4.  A backend that pays for reading the mode (VMX: four VMREADs) reads
 * it only then; the others see it all zero. */
static inline bool x86_exit_needs_mode(enum x86_exit_kind kind)
{
	return kind == X86_EXIT_GPA || kind == X86_EXIT_CPUID || kind == X86_EXIT_XSETBV ||
	       kind == X86_EXIT_WBINVD;
}

/* A record for the backend to fill in: all zero (no bytes, no linear
 * address, ...) but entry.why, which whoever sets ENTRY_FAILED writes. */
static inline void x86_exit_clear(struct x86_exit *x)
{
	__builtin_memset(x, 0, __builtin_offsetof(struct x86_exit, entry));
}

/*
 * Handle an exit the backend decoded into x: emulate it (CPUID, XSETBV), hand
 * it to the core (an MMIO access: exit->kind = EXIT_MMIO), let the core stop
 * the guest (HLT) or refuse it, in one wording for both backends.  gpr[]
 * holds the guest's sixteen registers as they were at the exit (on SVM that
 * includes RAX and RSP, which live in the VMCB); CPUID's results are
 * written there.  *mmio keeps the decoded instruction of an EXIT_MMIO for
 * x86_mmio_complete.  exit->name is the backend's.
 *
 * Returns how many bytes the backend must step RIP by: the length of an
 * emulated instruction, else 0 (RIP stays).
 */
unsigned x86_exit_handle(struct vcpu *vcpu, const struct x86_exit *x,
			 uint64_t gpr[X86_NR_GPRS], struct x86_mmio_insn *mmio,
			 struct vm_exit *exit);

/*
 * The common case first: 64-bit code (EFER.LMA, CS.L) under 4-level
 * paging (CR0.PG, no CR4.LA57) -- the mode in which the guest's
 * instruction can be fetched and decoded without more questions.  What
 * x86_exit.c's insn_unreadable accepts at once; anything else goes there
 * for its sentence.
 */
static inline bool x86_mode_is_long4(uint64_t cr0, uint64_t cr4, uint64_t efer, bool cs_l)
{
	return (cr0 & CR0_PG) && (efer & EFER_LMA) && !(cr4 & CR4_LA57) && cs_l;
}

/*
 * The hypercall exit's fast path, for a backend that has found an EPT
 * violation or #NPF to be an ordinary data access (write says which way;
 * not a fetch, not during the guest's page-table walk, not a present
 * entry's refusal) at guest-physical addr, by the instruction at rip, in
 * the mode x86_mode_is_long4 accepts, with the guest's tables at root
 * (CR3's address bits).  cpu_bytes/cpu_n: the instruction's bytes if the
 * CPU supplied them (SVM decode assists), else NULL and 0.  On true, exit
 * is an EXIT_MMIO and *insn is kept for x86_mmio_complete, exactly as
 * x86_exit_handle would have left them; on false nothing is decided, and
 * the backend takes the full path (x86_exit_handle), which checks it all
 * again and refuses in words where it must.  The bytes are fetched once
 * and decoded from that copy, and the direction the CPU reported must be
 * the instruction's.  No text is formatted here (tests/test_hv_hotpath.c),
 * and it is inline in each backend's run function, with the fetch and the
 * decoder: calls and their argument shuffling were a fair share of the
 * exit.
 */
static inline bool x86_gpa_fast(struct vcpu *vcpu, gpa_t addr, bool write, gva_t rip,
				gpa_t root, const uint8_t *cpu_bytes, size_t cpu_n,
				const uint64_t gpr[X86_NR_GPRS], struct x86_mmio_insn *insn,
				struct vm_exit *exit)
{
	uint8_t fetched[X86_MAX_INSN_LEN];
	const uint8_t *bytes = cpu_bytes;
	size_t n = cpu_n;

	if (n == 0) {
		int err;
		n = (size_t)guest_x86_64_fetch(&vcpu->vm->ram, true, root, rip, fetched,
					       X86_MAX_INSN_LEN, &err);
		bytes = fetched;
	}
	if (!x86_decode_mmio_fast(bytes, n, insn) || insn->write != write)
		return false;
	exit->kind = EXIT_MMIO;
	exit->reason = NULL;
	exit->mmio.gpa = addr;
	exit->mmio.size = insn->size;
	exit->mmio.write = write;
	exit->mmio.value = write ? x86_mmio_store_value(insn, gpr) : 0;
	return true;
}

/*
 * The time watchdog's check before an entry (hv/arch.h: the time spent
 * handling the last exit counts): true if the guest may be entered again;
 * false, with exit an EXIT_WATCHDOG (x86_watchdog_exit), once the
 * deadline has passed.
 * arch_vcpu_run makes it before every entry vcpu_run asks for, and a
 * backend's fast path before every entry it makes on its own, so that no
 * entry escapes it however the last exit was served.
 */
static inline void x86_watchdog_exit(struct vm_exit *exit)
{
	exit->kind = EXIT_WATCHDOG;
	exit->name = "watchdog";
	exit->reason = NULL;
}

static inline bool x86_watchdog_allows_entry(struct vm_exit *exit)
{
	if (__builtin_expect(x86_watchdog_left() != 0, 1))
		return true;
	x86_watchdog_exit(exit);
	return false;
}

/*
 * Finish an EXIT_MMIO: for a load, put value (what the core read) into the
 * destination register in gpr[], sign- or zero-extended as the instruction
 * says.  A store needs nothing.  The caller then steps RIP by mmio->len;
 * where RIP lives (VMCS, VMCB) is the backend's business.
 */
static inline void x86_mmio_complete(const struct x86_mmio_insn *mmio,
				     uint64_t gpr[X86_NR_GPRS], uint64_t value)
{
	if (mmio->write)
		return;
	unsigned r = x86_mmio_gpr(mmio);
	gpr[r] = x86_mmio_load_writeback(mmio, gpr[r], value);
}

/*
 * Copy the instruction bytes at rip (guest-virtual) into buf: up to
 * X86_MAX_INSN_LEN bytes, page by page, stopping at the first page that is
 * not readable guest RAM.  Returns how many bytes were copied (0 if the first
 * page is unreadable, with *err set to the MM_E* reason).
 */
size_t x86_fetch_guest_insn(const struct vcpu *vcpu, gva_t rip,
			    uint8_t buf[X86_MAX_INSN_LEN], int *err);

/* Names of the x86 exception vectors: 0 "#DE divide error" ... */
const char *x86_exception_name(unsigned vector);

/* "RAX", "RCX", ... "R15": register r in encoding order. */
const char *x86_gpr_name(unsigned r);

#endif
