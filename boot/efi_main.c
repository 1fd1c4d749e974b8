/*
 * The UEFI entry point.
 *
 * The firmware loads BOOTAA64.EFI / BOOTX64.EFI and calls efi_main.  We use
 * the firmware for a block of memory, taken once, that the bump allocator
 * then hands out for everything else -- and, when the boot volume has a
 * config (efi_files.c), to read the guests it names and take their RAM.  We never call
 * ExitBootServices, so we can give the CPU back to the firmware when the
 * guests are done and ask it (or the emulator) to power off.
 *
 * boot/ is only the shell: it gathers what the platform provides (the
 * memory, the firmware's power-off, the guests a config names) into a
 * struct hv_platform and calls the core.  Nothing calls back into boot/ by name.
 *
 * Note: efi_main is not EFIAPI.  GNU-EFI's crt0 receives the firmware's call
 * and calls us with the normal C convention.
 */
#include <efi.h>

#include "boot.h"
#include "../hv/print.h"
#include "../hv/arch.h"

/*
 * Where the firmware put us.  GNU-EFI's linker script puts ImageBase at the
 * image's first byte (address 0 in hypervisor.so); the firmware loads the
 * image wherever it likes and relocates it, so &ImageBase at run time is
 * the load address, and a debugger loads hypervisor.so's symbols with that
 * offset (docs/debugging.md; scripts/gdb.sh reads the line we print).
 */
extern char ImageBase[];

/*
 * GDB=1 builds (make gdb-arm64, make gdb-x86) wait right after that line,
 * in the loop below, until the debugger has attached, loaded the symbols
 * and cleared this: the firmware's load address is only known at run time,
 * so there is no earlier place to stop.  volatile: the debugger writes it
 * behind the compiler's back.  Other builds never wait (0).
 */
#ifndef MINIHV_GDB
#define MINIHV_GDB 0
#endif
volatile int minihv_gdb_wait = MINIHV_GDB;

/* 32 MiB: enough for a few VMs at a time; each VM gives its memory back. */
#define POOL_BYTES (32ull << 20)

static EFI_SYSTEM_TABLE *firmware;

/* Ask the firmware to power off (EfiResetShutdown).  arch_power_off tries
 * the machine's own way first (PSCI, an emulator's exit port) and falls
 * back to this; the core gets it in struct hv_platform. */
static void firmware_power_off(void)
{
	uefi_call_wrapper(firmware->RuntimeServices->ResetSystem, 4,
			  EfiResetShutdown, EFI_SUCCESS, 0, NULL);
	for (;;)
		;
}

/* The firmware's table with this GUID in its configuration table, or NULL.
 * The firmware lists there what it knows about the machine (ACPI, device
 * tree, SMBIOS); we pass the first two on for the arch's power-off. */
static const void *config_table(EFI_SYSTEM_TABLE *st, EFI_GUID want)
{
	for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
		const UINT8 *a = (const UINT8 *)&st->ConfigurationTable[i].VendorGuid;
		const UINT8 *b = (const UINT8 *)&want;
		UINTN n = 0;
		while (n < sizeof(EFI_GUID) && a[n] == b[n])
			n++;
		if (n == sizeof(EFI_GUID))
			return st->ConfigurationTable[i].VendorTable;
	}
	return NULL;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	firmware = st;
	EFI_PHYSICAL_ADDRESS pool = 0;
	UINTN pages = POOL_BYTES / EFI_PAGE_SIZE;
	static struct hv_platform platform = { .firmware_power_off = firmware_power_off };

	platform.acpi_rsdp = config_table(st, (EFI_GUID)ACPI_20_TABLE_GUID);
	platform.device_tree = config_table(st, (EFI_GUID)EFI_DTB_TABLE_GUID);
	hv_power_init(&platform);
	hv_printf("\nminihv %s (%s)\n", MINIHV_VERSION, arch_name());
	hv_printf("minihv: image base 0x%lx (the firmware loaded and relocated us there)\n",
		  (unsigned long)(uintptr_t)ImageBase);
	while (minihv_gdb_wait)
		;

	/*
	 * AllocateAnyPages: the firmware chooses.  EfiLoaderData is memory the
	 * firmware will not touch while we hold it.  The pool should start
	 * 2 MiB aligned, as every VM's RAM is (hv/vm.c allocates it first):
	 * UEFI cannot be asked for an alignment, so we take 2 MiB more and
	 * give back the pages before the first 2 MiB boundary and after the
	 * pool.
	 */
	UINTN slack = (UINTN)(2ull << 20) / EFI_PAGE_SIZE;
	EFI_PHYSICAL_ADDRESS got = 0;
	EFI_STATUS s = uefi_call_wrapper(st->BootServices->AllocatePages, 4,
					 AllocateAnyPages, EfiLoaderData, pages + slack, &got);
	if (EFI_ERROR(s)) {
		hv_printf("minihv: FATAL: AllocatePages(%lu pages) failed: status 0x%lx\n",
			  (unsigned long)(pages + slack), (unsigned long)s);
		hv_power_off(2);
	}
	pool = (got + (2ull << 20) - 1) & ~((2ull << 20) - 1);
	UINTN head = (UINTN)((pool - got) / EFI_PAGE_SIZE);
	if (head)
		uefi_call_wrapper(st->BootServices->FreePages, 2, got, head);
	if (slack - head)
		uefi_call_wrapper(st->BootServices->FreePages, 2, pool + POOL_BYTES, slack - head);
	hv_printf("minihv: memory pool at hpa 0x%lx, %lu MiB (from the firmware, once)\n",
		  (unsigned long)pool, (unsigned long)(POOL_BYTES >> 20));

	/* Guests from files, if the boot volume has a config (efi_files.c):
	 * read now, while the firmware is still ours to call. */
	static struct hv_config config;
	static struct hv_guest_files files[CONFIG_MAX_GUESTS];
	if (boot_load_config(image, st, &config, files) >= 0) {
		platform.config = &config;
		platform.guest_files = files;
	}

	platform.pool_base = (void *)(uintptr_t)pool;
	platform.pool_size = POOL_BYTES;
	int status = hv_main(&platform);
	boot_free_guest_files(st);

	/* Give the pool back before powering off, as a well-behaved app. */
	uefi_call_wrapper(st->BootServices->FreePages, 2, pool, pages);
	hv_power_off(status);
}
