/*
 * VMs (hv/vm.c): what vm_create builds, the start environment of a minihv
 * guest, loading an image, stopping, and giving the pool back, including
 * when creation fails half way.  The fake backend (tests/fake_arch.c)
 * supplies the page-table formats and records what the core asks of it.
 */
#include "mm/pt_arm.h"
#include "tests/hv_guest.h"


/* Where the minihv start environment puts things (see vm.c). */
#define TABLES_GPA    (VM_RAM_GPA + VM_RAM_SIZE - VM_TABLES_SIZE)
#define BOOTINFO_GVA  (VM_RAM_GVA + VM_RAM_SIZE - VM_TABLES_SIZE - VM_BOOTINFO_SIZE)

static void test_create(void)
{
	unsigned inits = fake_arch.vm_inits;
	hpa_t at;
	unsigned perms = 0;

	fake_console_clear();
	struct vm *vm = vm_create(&test_pool, "create");
	CHECK(vm != NULL, "%s: vm_create succeeds", cfg);
	if (!vm)
		return;
	CHECK(vm->state == VM_RUNNING && vm->nr_vcpus == 0 && strcmp(vm->name, "create") == 0,
	      "%s: a new VM is running, named, without vCPUs", cfg);
	CHECK(gpa_val(vm->ram.gpa) == VM_RAM_GPA && vm->ram.size == VM_RAM_SIZE,
	      "%s: RAM is where the start environment expects it", cfg);
	CHECK(hpa_val(vm->ram.hpa) == (uintptr_t)vm->ram.host && is_aligned(hpa_val(vm->ram.hpa), SZ_2M),
	      "%s: RAM is 2 MiB aligned host memory (host pointer = host-physical)", cfg);
	CHECK(vm->s2.fmt == fake_arch.s2_fmt, "%s: second-level tables in the backend's format", cfg);
	CHECK_EQ(fake_arch.vm_inits, inits + 1, "%s: arch_vm_init was called", cfg);
	CHECK(vm->arch != NULL, "%s: ... and its state is kept in vm->arch", cfg);
	CHECK_STR(fake_console(), "", "%s: creating a VM prints nothing", cfg);

	/* The second-level tables: all of RAM, read/write/execute, with
	 * 2 MiB blocks (root, one table per level below it, no page
	 * tables), and nothing else. */
	CHECK(s2_translate(&vm->s2, gpa(VM_RAM_GPA), &at, &perms) == 0 &&
	      hpa_val(at) == hpa_val(vm->ram.hpa) && perms == PT_RWX,
	      "%s: stage 2 maps the first byte of RAM RWX to its host page", cfg);
	CHECK(s2_translate(&vm->s2, gpa(VM_RAM_GPA + VM_RAM_SIZE - 1), &at, NULL) == 0 &&
	      hpa_val(at) == hpa_val(vm->ram.hpa) + VM_RAM_SIZE - 1,
	      "%s: ... and the last", cfg);
	CHECK_EQ(vm->s2.table_pages, 3, "%s: ... with 2 MiB blocks: 3 table pages", cfg);
	CHECK_EQ(s2_translate(&vm->s2, gpa(MINIHV_HC_WINDOW_GPA), &at, NULL), MM_ENOTMAPPED,
		 "%s: the hypercall window is not mapped (so an access traps)", cfg);
	CHECK(s2_translate(&vm->s2, gpa(VM_RAM_GPA - 1), &at, NULL) == MM_ENOTMAPPED &&
	      s2_translate(&vm->s2, gpa(VM_RAM_GPA + VM_RAM_SIZE), &at, NULL) == MM_ENOTMAPPED,
	      "%s: neither is anything just below or above RAM", cfg);

	vm_destroy(vm);
	CHECK_EQ(test_pool_used(), 0, "%s: vm_destroy gives the whole pool back", cfg);
	CHECK_EQ(fake_arch.vm_finis, fake_arch.vm_inits, "%s: ... and calls arch_vm_fini", cfg);
}

static void test_minihv_guest(void)
{
	struct guest g;
	struct guest_mmu mmu;
	struct pt_walk w;
	gpa_t out;

	guest_start(&g, "setup");
	struct vm *vm = g.vm;
	const struct vcpu_boot *boot = &g.fv->boot;

	CHECK(vm->nr_vcpus == 1 && vm->vcpus[0] == g.vcpu && g.vcpu->vm == vm && g.vcpu->id == 0,
	      "%s: the first vCPU is vCPU 0 of the VM", cfg);
	CHECK_EQ(gva_val(boot->entry), VM_RAM_GVA, "%s: it starts at the entry point asked for", cfg);
	CHECK_EQ(gpa_val(boot->gpt_root), TABLES_GPA,
		 "%s: on the guest tables at the top of RAM (a guest-physical root)", cfg);
	CHECK_EQ(boot->arg0, BOOTINFO_GVA, "%s: with the boot info's gva as its argument", cfg);
	CHECK_EQ(gva_val(boot->stack_top), BOOTINFO_GVA, "%s: and its stack just below the boot info", cfg);
	CHECK(vm->gpt.table_pages * PAGE_SIZE <= VM_TABLES_SIZE,
	      "%s: the guest tables fit their reserved %llu KiB (%u pages)", cfg,
	      (unsigned long long)(VM_TABLES_SIZE >> 10), vm->gpt.table_pages);

	const struct minihv_boot_info *info = guest_ram(&g, BOOTINFO_GVA);
	CHECK(info->abi_version == MINIHV_ABI_VERSION && info->ram_gpa == VM_RAM_GPA &&
	      info->ram_gva == VM_RAM_GVA && info->ram_alias_gva == VM_RAM_ALIAS_GVA &&
	      info->ram_size == VM_RAM_SIZE && info->window_gva == MINIHV_HC_WINDOW_GVA &&
	      info->vcpu_id == 0,
	      "%s: the boot info describes RAM, its views and the window", cfg);
	CHECK_EQ(info->stack_bottom_gva, BOOTINFO_GVA - VM_STACK_SIZE,
		 "%s: ... and where the stack ends", cfg);

	/* What the hypervisor uses to reach guest memory for this vCPU. */
	vcpu_guest_mmu(g.vcpu, &mmu);
	CHECK(mmu.ram == &vm->ram && mmu.s2 == &vm->s2 && mmu.gpt_fmt == fake_arch.gpt_fmt &&
	      gpa_val(mmu.gpt_root) == TABLES_GPA && mmu.gpt_enabled,
	      "%s: vcpu_guest_mmu: this VM's RAM and tables, the vCPU's current root", cfg);
	g.fv->gpt_root = gpa(VM_RAM_GPA);
	g.fv->gpt_enabled = false;
	vcpu_guest_mmu(g.vcpu, &mmu);
	CHECK(gpa_val(mmu.gpt_root) == VM_RAM_GPA && !mmu.gpt_enabled,
	      "%s: ... asked of the backend each time (the guest may change them)", cfg);
	g.fv->gpt_root = boot->gpt_root;
	g.fv->gpt_enabled = true;

	/* The guest's view, through the tables the hypervisor built. */
	vcpu_guest_mmu(g.vcpu, &mmu);
	CHECK(guest_virt_to_phys(&mmu, gva(VM_RAM_GVA + 0x12345), PT_R | PT_W | PT_X, &out) == 0 &&
	      gpa_val(out) == VM_RAM_GPA + 0x12345,
	      "%s: RAM's main view is RWX at VM_RAM_GVA", cfg);
	CHECK(guest_virt_to_phys(&mmu, gva(VM_RAM_ALIAS_GVA + 0x12345), PT_R | PT_W, &out) == 0 &&
	      gpa_val(out) == VM_RAM_GPA + 0x12345,
	      "%s: the alias view is RW at VM_RAM_ALIAS_GVA", cfg);
	CHECK_EQ(guest_virt_to_phys(&mmu, gva(VM_RAM_ALIAS_GVA), PT_X, &out), MM_EPERM,
		 "%s: ... and not executable", cfg);
	CHECK(pt_translate(&vm->gpt, MINIHV_HC_WINDOW_GVA + 0x38, &w) == 0 &&
	      w.out == MINIHV_HC_WINDOW_GPA + 0x38 && w.type == PT_MEM_DEVICE,
	      "%s: the window is mapped at its gva, as device memory", cfg);
	CHECK(guest_virt_to_phys(&mmu, gva(VM_RAM_GVA + VM_RAM_SIZE), PT_R, &out) == MM_ENOTMAPPED &&
	      guest_virt_to_phys(&mmu, gva(0), PT_R, &out) == MM_ENOTMAPPED,
	      "%s: nothing else is mapped (past RAM, address 0)", cfg);
	struct minihv_boot_info seen;
	CHECK(guest_read_virt(&mmu, gva(boot->arg0), &seen, sizeof(seen)) == 0 &&
	      memcmp(&seen, info, sizeof(seen)) == 0,
	      "%s: the guest finds its boot info at its argument", cfg);
	guest_end(&g);
}

static void test_load_image(void)
{
	struct guest g;
	static const char image[16] = "minihv image!!!";
	uint64_t end = VM_RAM_GPA + VM_RAM_SIZE;

	guest_start(&g, "load");
	struct vm *vm = g.vm;
	CHECK(vm_load_image(vm, gpa(VM_RAM_GPA), image, 16) == 0 &&
	      memcmp(vm->ram.host, image, 16) == 0,
	      "%s: an image is copied to the start of RAM", cfg);
	CHECK(vm_load_image(vm, gpa(end - 16), image, 16) == 0 &&
	      memcmp(vm->ram.host + VM_RAM_SIZE - 16, image, 16) == 0,
	      "%s: an image may end exactly at the end of RAM", cfg);
	CHECK_EQ(vm_load_image(vm, gpa(end), image, 0), 0, "%s: 0 bytes at the end of RAM fit", cfg);

	memset(vm->ram.host + VM_RAM_SIZE - 16, 0, 16);
	CHECK_EQ(vm_load_image(vm, gpa(end - 15), image, 16), MM_EFAULT,
		 "%s: one byte past the end of RAM is refused", cfg);
	CHECK_EQ(vm->ram.host[VM_RAM_SIZE - 15], 0, "%s: ... writing nothing", cfg);
	CHECK_EQ(vm_load_image(vm, gpa(VM_RAM_GPA - 1), image, 1), MM_EFAULT,
		 "%s: below RAM is refused", cfg);
	CHECK_EQ(vm_load_image(vm, gpa(end + 1), image, 0), MM_EFAULT,
		 "%s: an empty image past RAM is refused", cfg);
	CHECK_EQ(vm_load_image(vm, gpa(0), image, 16), MM_EFAULT, "%s: gpa 0 is refused", cfg);
	CHECK_EQ(vm_load_image(vm, gpa(VM_RAM_GPA + 16), image, ~0ull), MM_EFAULT,
		 "%s: a length that would wrap is refused", cfg);
	CHECK_EQ(vm_load_image(vm, gpa(~0ull), image, 1), MM_EFAULT,
		 "%s: the top of the address space is refused", cfg);
	guest_end(&g);
}

static void test_stop(void)
{
	struct guest g;
	char longer[400];

	guest_start(&g, "stop");
	vm_stop(g.vm, "guest did %s (%u times)", "something", 3u);
	CHECK_EQ(g.vm->state, VM_STOPPED, "%s: vm_stop sets the state", cfg);
	CHECK_STR(g.vm->stop_reason, "guest did something (3 times)", "%s: vm_stop formats the reason", cfg);
	CHECK_STR(fake_console(), "minihv: guest 'stop' stopped: guest did something (3 times)\r\n",
		  "%s: ... and prints the FAIL line", cfg);
	guest_end(&g);

	/* A reason longer than the VM's buffer is cut, not overflowed. */
	guest_start(&g, "stop");
	memset(longer, 'r', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	vm_stop(g.vm, "%s", longer);
	CHECK_EQ(strlen(g.vm->stop_reason), sizeof(g.vm->stop_reason) - 1,
		 "%s: a %zu-character reason is cut to %zu", cfg, strlen(longer),
		 sizeof(g.vm->stop_reason) - 1);
	guest_end(&g);
}

/* A VM taken from the pool after something else: vm_destroy gives back
 * the VM, and only the VM. */
static void test_destroy_keeps_older(void)
{
	struct guest g;
	struct bump_mark start = bump_mark(&test_pool);
	void *mine = bump_alloc(&test_pool, 100, 8);
	uint64_t before = test_pool_used();

	guest_start(&g, "nested");
	vm_destroy(g.vm);
	CHECK(mine != NULL && before > 0 && test_pool_used() == before,
	      "%s: vm_destroy resets the pool to the VM's own mark", cfg);
	bump_reset(&test_pool, start);
}

/*
 * Creation failing at each step must give back what it took.  The pools
 * are 2 MiB aligned, so how far creation gets is exact: the struct vm
 * comes first, RAM at the next 2 MiB boundary, then the tables.
 */
static void test_create_failures(void)
{
	static uint8_t *mem;
	struct bump small;
	struct bump_stats st;
	struct vm *vm;

	if (!mem && !(mem = aligned_alloc(SZ_2M, TEST_POOL_SIZE)))
		abort();

	/* No room for RAM (which vm_create allocates first). */
	bump_init(&small, "small", mem, VM_RAM_SIZE - 1);
	fake_console_clear();
	vm = vm_create(&small, "small");
	bump_get_stats(&small, &st);
	CHECK(vm == NULL && st.used == 0, "%s: no room for RAM: NULL, pool back to empty", cfg);
	CHECK_STR(fake_console(), "minihv: small: out of hypervisor memory creating the VM\r\n",
		  "%s: ... saying why", cfg);

	/* RAM and the struct vm fit exactly, the second-level root table
	 * does not (the pool is 2 MiB aligned, as boot/efi_main.c takes it:
	 * RAM leaves no gap before it). */
	uint64_t vm_room = (sizeof(struct vm) + 63) & ~63ull;
	bump_init(&small, "tight", mem, VM_RAM_SIZE + vm_room);
	fake_console_clear();
	unsigned inits = fake_arch.vm_inits, finis = fake_arch.vm_finis;
	vm = vm_create(&small, "tight");
	bump_get_stats(&small, &st);
	CHECK(vm == NULL && st.used == 0, "%s: no room for tables: NULL, pool back to empty", cfg);
	char want[200];
	snprintf(want, sizeof(want), "minihv: tight: cannot build %s tables: out of memory\r\n", cfg);
	CHECK_STR(fake_console(), want, "%s: ... saying why", cfg);
	CHECK(fake_arch.vm_inits == inits && fake_arch.vm_finis == finis,
	      "%s: ... without involving the backend", cfg);

	/* The backend refuses the VM. */
	bump_init(&small, "refused", mem, TEST_POOL_SIZE);
	fake_arch.fail_vm_init = true;
	vm = vm_create(&small, "refused");
	fake_arch.fail_vm_init = false;
	bump_get_stats(&small, &st);
	CHECK(vm == NULL && st.used == 0, "%s: arch_vm_init failing: NULL, pool back to empty", cfg);
	CHECK_EQ(fake_arch.vm_finis, finis, "%s: ... and no arch_vm_fini for a VM it refused", cfg);

	/* Exactly enough for the VM, none for its vCPU. */
	bump_init(&small, "measure", mem, TEST_POOL_SIZE);
	vm = vm_create(&small, "measure");
	bump_get_stats(&small, &st);
	vm_destroy(vm);
	bump_init(&small, "novcpu", mem, st.used);
	vm = vm_create(&small, "novcpu");
	CHECK(vm != NULL, "%s: a pool of %llu bytes holds exactly one VM", cfg,
	      (unsigned long long)st.used);
	if (vm) {
		/* The small gaps alignment left between the VM's pieces
		 * (mm/bump.h fills them) could still hold a vCPU: fill them. */
		while (bump_alloc(&small, 8, 8))
			;
		fake_console_clear();
		CHECK(vm_setup_minihv_guest(vm, gva(VM_RAM_GVA)) == NULL,
		      "%s: ... but not its vCPU: vm_setup_minihv_guest fails", cfg);
		CHECK_STR(fake_console(), "minihv: novcpu: out of hypervisor memory for a vCPU\r\n",
			  "%s: ... saying why", cfg);
		vm_destroy(vm);
		bump_get_stats(&small, &st);
		CHECK_EQ(st.used, 0, "%s: ... and vm_destroy gives all back", cfg);
	}

	/* The backend refuses the vCPU. */
	bump_init(&small, "vcpu", mem, TEST_POOL_SIZE);
	vm = vm_create(&small, "vcpu");
	fake_arch.fail_vcpu_init = true;
	CHECK(vm && vm_setup_minihv_guest(vm, gva(VM_RAM_GVA)) == NULL && vm->nr_vcpus == 0,
	      "%s: arch_vcpu_init failing: no vCPU", cfg);
	fake_arch.fail_vcpu_init = false;
	if (vm)
		vm_destroy(vm);
	bump_get_stats(&small, &st);
	CHECK_EQ(st.used, 0, "%s: ... and vm_destroy gives all back", cfg);
}

/*
 * The guest layout against the IPA size.  The smallest Arm CPU (32-bit
 * PARange) gets a 2-level stage 2 with 4 concatenated root pages, and the
 * layout (RAM at 2 GiB, the hypercall window at 0xf0000000) must fit it;
 * a 31-bit IPA space would not hold it, and vm_create must say so.
 */
static void test_ipa_limits(void)
{
	static struct pt_format small_ipa, too_small;
	struct pt_arm_s2_geometry g;
	hpa_t at;

	pt_arm_s2_geometry(0, &g);
	pt_arm_s2_format(&g, &small_ipa);
	fake_arch_reset(&small_ipa, &pt_format_arm_stage1);
	cfg = "arm-stage2, 32-bit IPA";

	fake_console_clear();
	struct vm *vm = vm_create(&test_pool, "ipa32");
	CHECK(vm != NULL, "%s: the guest layout fits", cfg);
	if (vm) {
		CHECK(s2_translate(&vm->s2, gpa(VM_RAM_GPA + VM_RAM_SIZE - 1), &at, NULL) == 0 &&
		      hpa_val(at) == hpa_val(vm->ram.hpa) + VM_RAM_SIZE - 1,
		      "%s: RAM is mapped", cfg);
		CHECK_EQ(vm->s2.table_pages, 4,
			 "%s: 2 MiB blocks straight in the 4-page root: 4 table pages", cfg);
		CHECK(is_aligned(vm->s2.root_pa, 4 * PAGE_SIZE), "%s: root aligned to 16 KiB", cfg);
		vm_destroy(vm);
		CHECK_EQ(test_pool_used(), 0, "%s: vm_destroy gives the pool back", cfg);
	}
	CHECK_STR(fake_console(), "", "%s: without a word", cfg);

	/* One bit less: 2 GiB of IPA, and RAM starts at 2 GiB. */
	too_small = small_ipa;
	too_small.in_bits = 31;
	too_small.root_tables = 2;
	fake_arch_reset(&too_small, &pt_format_arm_stage1);
	fake_console_clear();
	vm = vm_create(&test_pool, "ipa31");
	CHECK(vm == NULL && test_pool_used() == 0, "31-bit IPA: vm_create refuses, takes nothing");
	CHECK_STR(fake_console(),
		  "minihv: ipa31: the guest layout reaches GPA 0xf0000fff, but arm-stage2 tables translate only 31 bits (below 0x80000000)\r\n",
		  "31-bit IPA: ... saying why");
	if (vm)
		vm_destroy(vm);
}

int main(void)
{
	unit_begin("test_hv_vm");
	test_pool_init();
	for (unsigned c = 0; c < HV_TEST_CONFIGS; c++) {
		hv_test_config(c);

		test_create();
		test_minihv_guest();
		test_load_image();
		test_stop();
		test_destroy_keeps_older();
		test_create_failures();
	}
	test_ipa_limits();
	CHECK_EQ(test_leaks, 0, "every one of the %u VMs gave the whole pool back", test_vms);
	return unit_done();
}
