/*
 * Creating and destroying VMs, and the start environment of a minihv guest.
 */
#include "vm.h"
#include "arch.h"
#include "print.h"
#include "../lib/minihv_string.h"
#include "../lib/format.h"

/*
 * Does every guest-physical address the VM uses fit the second-level
 * tables' input size?  RAM would be refused by s2_map_range anyway, but the
 * hypercall window is never mapped: a window above the IPA size would make
 * the guest's accesses fault as "address size" or translation faults the
 * run loop does not expect, instead of the traps the window relies on.  On
 * Arm the IPA size follows the CPU (32 bits on the smallest); the layout in
 * vm.h stays below 4 GiB so that every CPU can run it.
 */
static bool layout_fits(const char *name, const struct pt_format *s2, uint64_t ram_gpa,
			uint64_t ram_size)
{
	uint64_t limit = (uint64_t)1 << s2->in_bits;
	uint64_t top = ram_gpa + ram_size;

	if (ram_gpa < MINIHV_HC_WINDOW_GPA + MINIHV_HC_WINDOW_SIZE &&
	    MINIHV_HC_WINDOW_GPA < top) {
		hv_printf("minihv: %s: guest RAM at GPA 0x%llx..0x%llx would cover the hypercall window at 0x%llx\n",
			  name, (unsigned long long)ram_gpa, (unsigned long long)top - 1,
			  (unsigned long long)MINIHV_HC_WINDOW_GPA);
		return false;
	}

	if (MINIHV_HC_WINDOW_GPA + MINIHV_HC_WINDOW_SIZE > top)
		top = MINIHV_HC_WINDOW_GPA + MINIHV_HC_WINDOW_SIZE;
	if (top > limit) {
		hv_printf("minihv: %s: the guest layout reaches GPA 0x%llx, but %s tables translate only %u bits (below 0x%llx)\n",
			  name, (unsigned long long)top - 1, s2->name, s2->in_bits,
			  (unsigned long long)limit);
		return false;
	}
	return true;
}

static struct vm *vm_create_around(struct bump *pool, struct bump_mark mark, const char *name,
				    void *ram, uint64_t size, gpa_t at);

struct vm *vm_create(struct bump *pool, const char *name)
{
	if (!layout_fits(name, arch_s2_format(), VM_RAM_GPA, VM_RAM_SIZE))
		return NULL;

	struct bump_mark mark = bump_mark(pool);

	/*
	 * Guest RAM: one block, 2 MiB aligned so the second-level tables can
	 * map it with 2 MiB blocks rather than 512 small pages each.  First,
	 * so that in a pool that starts 2 MiB aligned (boot/efi_main.c) no
	 * gap opens before it; the allocator fills any gap there is with
	 * what comes next (mm/bump.h).
	 */
	uintptr_t before = pool->next;
	uint64_t t0 = MINIHV_BENCH ? arch_bench_insns() : 0;
	void *ram = bump_alloc(pool, VM_RAM_SIZE, SZ_2M);
	if (!ram)
		goto nomem;
	uint64_t ram_insns = MINIHV_BENCH ? arch_bench_insns() - t0 : 0;
	struct vm *vm = vm_create_around(pool, mark, name, ram, VM_RAM_SIZE, gpa(VM_RAM_GPA));
	if (vm && MINIHV_BENCH) {
		vm->bench_ram_insns = ram_insns;
		vm->bench_ram_align_waste = (uintptr_t)ram - before;
	}
	return vm;

nomem:
	hv_printf("minihv: %s: out of hypervisor memory creating the VM\n", name);
	bump_reset(pool, mark);
	return NULL;
}

/* Zero guest RAM a word at a time (the RAM is 2 MiB aligned and sized):
 * lib/'s memset goes a byte at a time, and a Linux guest's RAM is hundreds
 * of megabytes. */
static void zero_ram(void *p, uint64_t size)
{
	volatile uint64_t *w = p;
	for (uint64_t i = 0; i < size / 8; i++)
		w[i] = 0;
}

struct vm *vm_create_with_ram(struct bump *pool, const char *name, void *host, uint64_t size,
			      gpa_t at)
{
	if (!host || ((uintptr_t)host | size | gpa_val(at)) & (SZ_2M - 1) || !size) {
		hv_printf("minihv: %s: guest RAM must be 2 MiB aligned and sized\n", name);
		return NULL;
	}
	if (!layout_fits(name, arch_s2_format(), gpa_val(at), size))
		return NULL;
	zero_ram(host, size);
	return vm_create_around(pool, bump_mark(pool), name, host, size, at);
}

/* The VM record, its second-level tables and the arch's state, around RAM
 * already there.  Everything from the pool after mark goes at vm_destroy. */
static struct vm *vm_create_around(struct bump *pool, struct bump_mark mark, const char *name,
				    void *ram, uint64_t size, gpa_t at)
{
	struct vm *vm = bump_alloc(pool, sizeof(*vm), 64);
	if (!vm)
		goto nomem;
	vm->name = name;
	vm->pool = pool;
	vm->mark = mark;
	vm->state = VM_RUNNING;
	vm->watchdog_ms = VM_WATCHDOG_MS;
	vm->watchdog_exits = VM_WATCHDOG_EXITS;
	vm->console_budget = VM_CONSOLE_BUDGET;
	vm->ram.gpa = at;
	vm->ram.hpa = hpa_from_ptr(ram);
	vm->ram.host = ram;
	vm->ram.size = size;

	/*
	 * The second-level tables map RAM and nothing else.  In particular
	 * the hypercall window stays unmapped: that is what makes a guest's
	 * access to it trap.
	 */
	vm->s2_tables.bump = pool;
	vm->s2_tables.hpa_minus_hva = 0;
	struct pt_mem mem;
	host_table_pool_mem(&vm->s2_tables, &mem);
	int err = pt_init(&vm->s2, arch_s2_format(), &mem);
	if (err == 0)
		err = s2_map_range(&vm->s2, vm->ram.gpa, vm->ram.hpa, vm->ram.size,
				   PT_RWX, PT_MEM_NORMAL);
	if (err) {
		hv_printf("minihv: %s: cannot build %s tables: %s\n", name,
			  arch_s2_format()->name, mm_strerror(err));
		vm_destroy(vm);
		return NULL;
	}
	if (gpa_val(vm->ram.gpa) == hpa_val(vm->ram.hpa)) {
		/* The point of the different addresses is lost: say so. */
		hv_printf("minihv: %s: RAM landed at GPA == HPA 0x%llx\n", name,
			  (unsigned long long)hpa_val(vm->ram.hpa));
	}
	if (arch_vm_init(vm)) {
		vm_destroy(vm);
		return NULL;
	}
	return vm;

nomem:
	hv_printf("minihv: %s: out of hypervisor memory creating the VM\n", name);
	bump_reset(pool, mark);
	return NULL;
}

void vm_destroy(struct vm *vm)
{
	if (vm->arch)
		arch_vm_fini(vm);
	bump_reset(vm->pool, vm->mark);
}

int vm_load_image(struct vm *vm, gpa_t at, const void *image, uint64_t len)
{
	uint64_t off = gpa_val(at) - gpa_val(vm->ram.gpa);
	if (gpa_val(at) < gpa_val(vm->ram.gpa) || off > vm->ram.size ||
	    len > vm->ram.size - off)
		return MM_EFAULT;
	memcpy(vm->ram.host + off, image, len);
	return 0;
}

/*
 * A minihv guest starts with paging on, like a uhyve guest: the hypervisor
 * builds its first page tables in guest RAM.  The layout of RAM:
 *
 *   RAM base  guest image (code, data; its bss is already zero)
 *             free memory
 *             stack (grows down)
 *             boot info (struct minihv_boot_info)
 *   RAM top   guest page tables
 */
struct vcpu *vm_setup_minihv_guest(struct vm *vm, gva_t entry)
{
	uint64_t top = gpa_val(vm->ram.gpa) + vm->ram.size;
	gpa_t tables = gpa(top - VM_TABLES_SIZE);
	gpa_t bootinfo = gpa(gpa_val(tables) - VM_BOOTINFO_SIZE);
	uint64_t stack_top_off = gpa_val(bootinfo) - gpa_val(vm->ram.gpa);

	guest_table_pool_init(&vm->gpt_tables, &vm->ram, tables, VM_TABLES_SIZE);
	struct pt_mem mem;
	guest_table_pool_mem(&vm->gpt_tables, &mem);
	int err = pt_init(&vm->gpt, arch_gpt_format(), &mem);
	if (!err)
		err = gpt_map_range(&vm->gpt, gva(VM_RAM_GVA), vm->ram.gpa, vm->ram.size,
				    PT_RWX, PT_MEM_NORMAL);
	if (!err)
		err = gpt_map_range(&vm->gpt, gva(VM_RAM_ALIAS_GVA), vm->ram.gpa,
				    vm->ram.size, PT_RW, PT_MEM_NORMAL);
	if (!err)
		err = gpt_map_range(&vm->gpt, gva(MINIHV_HC_WINDOW_GVA),
				    gpa(MINIHV_HC_WINDOW_GPA), MINIHV_HC_WINDOW_SIZE,
				    PT_RW, PT_MEM_DEVICE);
	if (err) {
		hv_printf("minihv: %s: cannot build guest page tables: %s\n",
			  vm->name, mm_strerror(err));
		return NULL;
	}

	vm_boot_info(vm, vm->nr_vcpus,
		     (void *)(vm->ram.host + gpa_val(bootinfo) - gpa_val(vm->ram.gpa)));

	struct vcpu_boot boot = {
		.entry = entry,
		.stack_top = gva(VM_RAM_GVA + stack_top_off),
		.gpt_root = gpa(vm->gpt.root_pa),
		.arg0 = VM_RAM_GVA + gpa_val(bootinfo) - gpa_val(vm->ram.gpa),
	};
	return vm_add_vcpu(vm, &boot);
}

struct vcpu *vm_add_vcpu(struct vm *vm, const struct vcpu_boot *boot)
{
	if (vm->nr_vcpus == VM_MAX_VCPUS) {
		hv_printf("minihv: %s: already %u vCPUs, the most a VM has\n", vm->name, VM_MAX_VCPUS);
		return NULL;
	}
	struct vcpu *vcpu = bump_alloc(vm->pool, sizeof(*vcpu), 64);
	if (!vcpu) {
		hv_printf("minihv: %s: out of hypervisor memory for a vCPU\n", vm->name);
		return NULL;
	}
	vcpu->vm = vm;
	vcpu->id = vm->nr_vcpus;
	if (arch_vcpu_init(vcpu, boot))
		return NULL;
	vm->vcpus[vm->nr_vcpus++] = vcpu;
	return vcpu;
}

void vm_boot_info(const struct vm *vm, unsigned vcpu_id, struct minihv_boot_info *out)
{
	/* The layout vm_setup_minihv_guest builds: the stack ends where the
	 * reserved top of RAM (tables, boot info, stack) begins. */
	*out = (struct minihv_boot_info){
		.abi_version = MINIHV_ABI_VERSION,
		.ram_gpa = gpa_val(vm->ram.gpa),
		.ram_gva = VM_RAM_GVA,
		.ram_alias_gva = VM_RAM_ALIAS_GVA,
		.ram_size = vm->ram.size,
		.stack_bottom_gva = VM_RAM_GVA + vm->ram.size - VM_TOP_RESERVED,
		.window_gva = MINIHV_HC_WINDOW_GVA,
		.vcpu_id = vcpu_id,
	};
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	format_buf_v(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	vm->state = VM_STOPPED;
	hv_printf("minihv: guest '%s' stopped: %s\n", vm->name, vm->stop_reason);
}

void vm_guest_mmu(const struct vm *vm, struct guest_mmu *out)
{
	*out = (struct guest_mmu){ 0 };
	out->ram = &vm->ram;
	out->s2 = &vm->s2;
	/* vm_create maps RAM, all of it PT_RWX, and nothing else, and nothing
	 * changes the second-level tables afterwards: the layout answers. */
	out->s2_is_ram = true;
}

void vcpu_guest_mmu(const struct vcpu *vcpu, struct guest_mmu *out)
{
	vm_guest_mmu(vcpu->vm, out);
	out->gpt_fmt = arch_gpt_format();
	out->gpt_root = arch_vcpu_gpt_root(vcpu);
	out->gpt_enabled = arch_vcpu_gpt_enabled(vcpu);
	arch_vcpu_gpt_regime(vcpu, out);
}
