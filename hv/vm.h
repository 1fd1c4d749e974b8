/*
 * VMs and vCPUs.
 *
 * A VM is an address space: one block of RAM, the second-level tables that
 * place it at a guest-physical address, and the guest page tables the
 * hypervisor built for the guest to start with.  A vCPU is a thread of
 * execution inside it, with its own registers (kept by the arch backend) and
 * its own hypercall registers.  Nothing here assumes one VM or one vCPU.
 *
 * Every byte a VM uses comes from the hypervisor's bump pool after a mark,
 * and vm_destroy resets the pool to that mark: VMs are created and destroyed
 * in stack order (the test runner runs one at a time).
 */
#ifndef HV_VM_H
#define HV_VM_H

#include "../mm/table_pool.h"
#include "../mm/guest_mem.h"
#include "../include/minihv/hypercall_abi.h"

#define VM_MAX_VCPUS 8

/* Where a minihv test guest lives.  GPA != HPA, and GVA != GPA, on purpose:
 * an identity-mapping bug anywhere then shows up as a wrong address. */
#define VM_RAM_GPA        0x80000000ull
#define VM_RAM_SIZE       (4ull << 20)
#define VM_RAM_GVA        0x40000000ull
#define VM_RAM_ALIAS_GVA  0x7f00000000ull

/* The top of guest RAM holds what the hypervisor sets up for the guest:
 * from the top, the guest page tables, one page of boot info, the stack. */
#define VM_TABLES_SIZE    (16 * PAGE_SIZE)
#define VM_BOOTINFO_SIZE  PAGE_SIZE
#define VM_STACK_SIZE     (16 * PAGE_SIZE)
#define VM_TOP_RESERVED   (VM_TABLES_SIZE + VM_BOOTINFO_SIZE + VM_STACK_SIZE)

enum vm_state { VM_RUNNING, VM_EXITED, VM_STOPPED };

/*
 * How long a guest may run before the watchdog stops it (see hv/run.c and
 * arch_vcpu_watchdog_arm in hv/arch.h).  A minihv test finishes in
 * milliseconds; 2 s leaves room for a slow emulator and still lets every
 * later test of the boot run long before the runner's stall detector
 * (45 s) would give up on the whole log.  The exit limit bounds a guest
 * that exits over and over without getting anywhere (a trapped WFE in a
 * loop, an instruction emulated forever), also where the backend has no
 * timer: no minihv guest needs more than a handful of exits between two
 * hypercall accesses.
 */
#define VM_WATCHDOG_MS    2000
#define VM_WATCHDOG_EXITS 10000

/*
 * How many bytes a guest may hand the console (PUTC and CONSOLE_WRITE)
 * before it is stopped.  Every byte ends up in the serial log, on the
 * host's disk and in front of whoever reads it: a guest printing in a loop
 * would fill both, and the watchdog alone would let it write for its whole
 * time budget (megabytes).  The chattiest minihv test writes about 1.2 KiB.
 */
#define VM_CONSOLE_BUDGET 16384

struct vcpu {
	struct vm *vm;
	unsigned id;
	void *arch;                 /* the backend's state: registers, VMCS... */

	/* The hypercall device's per-vCPU registers (hypercall_abi.h). */
	uint64_t hc_arg[4];
	uint64_t hc_result;
	uint64_t hc_scratch;

	uint64_t exits;             /* VM exits taken, for the statistics */
	/* Exits in a row without a hypercall access the device accepted: the
	 * watchdog's count (vcpu_run), here because the backend's fast path
	 * (hv_fast_mmio) resets it too. */
	uint64_t idle_exits;
	char exit_reason[256];      /* the last refused exit's reason
				       (vcpu_refuse): vm_exit.reason points here */
};

struct vm {
	const char *name;
	struct bump *pool;          /* the hypervisor's pool */
	struct bump_mark mark;      /* what to give back at vm_destroy */

	struct guest_ram ram;
	struct host_table_pool s2_tables;
	struct pt s2;               /* guest-physical -> host-physical */
	struct guest_table_pool gpt_tables;
	struct pt gpt;              /* the guest's initial page tables */

	struct vcpu *vcpus[VM_MAX_VCPUS];
	unsigned nr_vcpus;
	void *arch;                 /* VMID, ASID, EPTP... */

	/* The watchdog: how long the vCPU may run (ms, 0: no timer) and how
	 * many exits in a row it may take without a hypercall access the
	 * device accepted (0: no limit).  vm_create sets the defaults
	 * above; whoever creates the VM may change them before running it. */
	uint64_t watchdog_ms;
	uint64_t watchdog_exits;

	/* The console budget: how many bytes the guest may hand the console
	 * in all (vm_create sets VM_CONSOLE_BUDGET; 0: no limit), and how
	 * many it has. */
	uint64_t console_budget;
	uint64_t console_used;

	/*
	 * What a VM that runs an operating system (hv/linux.c) is given that
	 * a minihv test guest is not: its kernel may hand the hypercall window
	 * to its user programs (user_hypercalls: Linux maps it only for root,
	 * through /dev/mem; calls that take a pointer stay the kernel's), and
	 * the backend handed it the serial line itself (owns_serial: what it
	 * prints reaches the log raw, so the core brackets its run with the
	 * "serial line lent" lines scripts/judge-log.sh reads).
	 */
	bool user_hypercalls;
	bool owns_serial;

	/* How the guest ended. */
	enum vm_state state;
	char stop_reason[320];      /* VM_STOPPED: what the hypervisor refused */
	uint64_t exit_code;         /* VM_EXITED: MINIHV_CALL_EXIT's argument */
	/* make bench only (MINIHV_BENCH=1): what allocating (and so
	 * clearing) guest RAM cost, and the pool bytes skipped to align it. */
	uint64_t bench_ram_insns, bench_ram_align_waste;
	bool reported;
	unsigned verdict;           /* MINIHV_VERDICT_* from the last report */
	char report_msg[MINIHV_MAX_MESSAGE + 1];

	/* Console output is buffered per VM and printed a line at a time,
	 * prefixed with the guest's name. */
	char line[160];
	unsigned line_len;
};

/*
 * Create a VM with RAM and second-level tables, nothing loaded, no vCPUs.
 * NULL (after printing why) if the pool is exhausted.
 */
struct vm *vm_create(struct bump *pool, const char *name);

/*
 * The same around RAM the caller brings (a Linux guest's, taken from the
 * firmware for it: hv/linux.c), placed at gpa: host must be 2 MiB aligned
 * and size a multiple of 2 MiB.  The RAM is zeroed first, so nothing the
 * firmware or an earlier guest left there reaches this one; vm_destroy
 * does not give it back (its owner does).
 */
struct vm *vm_create_with_ram(struct bump *pool, const char *name, void *host, uint64_t size,
			      gpa_t gpa);

/* Give back everything the VM used (resets the pool to the VM's mark). */
void vm_destroy(struct vm *vm);

/* Copy an image into guest RAM at gpa.  The loader knows nothing about the
 * image's format: it is bytes, placed where the caller says. */
int vm_load_image(struct vm *vm, gpa_t at, const void *image, uint64_t len);

/* Build the minihv guest start environment (page tables, boot info, stack)
 * and the first vCPU, starting at entry. */
struct vcpu *vm_setup_minihv_guest(struct vm *vm, gva_t entry);

/* Create the VM's next vCPU, starting as boot says (hv/arch.h). */
struct vcpu_boot;
struct vcpu *vm_add_vcpu(struct vm *vm, const struct vcpu_boot *boot);

/* What a minihv guest's vCPU is told about its VM (struct minihv_boot_info),
 * at boot and again by MINIHV_CALL_MEMINFO: one function, so the two cannot
 * drift apart. */
void vm_boot_info(const struct vm *vm, unsigned vcpu_id, struct minihv_boot_info *out);

/* Stop the VM because of something the guest did; printf-style reason. */
__attribute__((format(printf, 2, 3))) void vm_stop(struct vm *vm, const char *fmt, ...);

/* Reach guest memory through the vCPU's current page tables. */
void vcpu_guest_mmu(const struct vcpu *vcpu, struct guest_mmu *out);
/* The VM's half of that: its RAM and second-level tables, with the guest's
 * paging left empty for a caller that knows it already (the x86 exit path,
 * which has the guest's mode at hand). */
void vm_guest_mmu(const struct vm *vm, struct guest_mmu *out);

/* Host pointers and host-physical addresses.  minihv runs under UEFI's
 * identity map, so they are the same number. */
static inline hpa_t hpa_from_ptr(const void *p) { return hpa((uintptr_t)p); }

#endif
