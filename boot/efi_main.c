/*
 * The UEFI entry point.
 *
 * The firmware loads BOOTAA64.EFI / BOOTX64.EFI and calls efi_main.  We use
 * the firmware for exactly one thing: a block of memory, taken once, that
 * the bump allocator then hands out for everything else.  We never call
 * ExitBootServices, so we can give the CPU back to the firmware when the
 * guests are done and ask it (or the emulator) to power off.
 *
 * boot/ is only the shell: it gathers what the platform provides (the
 * memory, the firmware's power-off) into a struct hv_platform and calls the
 * core.  Nothing calls back into boot/ by name.
 *
 * Note: efi_main is not EFIAPI.  GNU-EFI's crt0 receives the firmware's call
 * and calls us with the normal C convention.
 */
#include <efi.h>

#include "../hv/hv.h"
#include "../hv/print.h"
#include "../hv/arch.h"

/* 32 MiB: enough for a few VMs at a time; each VM gives its memory back. */
#define POOL_BYTES (32ull << 20)

static EFI_SYSTEM_TABLE *firmware;

/* Ask the firmware to power off (EfiResetShutdown).  arch_power_off tries an
 * emulator exit with a status first and falls back to this; we pass it
 * ourselves below, and to the core in struct hv_platform for a panic. */
static void firmware_power_off(void)
{
	uefi_call_wrapper(firmware->RuntimeServices->ResetSystem, 4,
			  EfiResetShutdown, EFI_SUCCESS, 0, NULL);
	for (;;)
		;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	firmware = st;
	EFI_PHYSICAL_ADDRESS pool = 0;
	UINTN pages = POOL_BYTES / EFI_PAGE_SIZE;

	hv_printf("\nminihv %s (%s)\n", MINIHV_VERSION, arch_name());

	/*
	 * AllocateAnyPages: the firmware chooses.  EfiLoaderData is memory the
	 * firmware will not touch while we hold it.
	 */
	EFI_STATUS s = uefi_call_wrapper(st->BootServices->AllocatePages, 4,
					 AllocateAnyPages, EfiLoaderData, pages, &pool);
	if (EFI_ERROR(s)) {
		hv_printf("minihv: FATAL: AllocatePages(%lu pages) failed: status 0x%lx\n",
			  (unsigned long)pages, (unsigned long)s);
		arch_power_off(2, firmware_power_off);
	}
	hv_printf("minihv: memory pool at hpa 0x%lx, %lu MiB (from the firmware, once)\n",
		  (unsigned long)pool, (unsigned long)(POOL_BYTES >> 20));

	struct hv_platform platform = {
		.pool_base = (void *)(uintptr_t)pool,
		.pool_size = POOL_BYTES,
		.firmware_power_off = firmware_power_off,
	};
	int status = hv_main(&platform);

	/* Give the pool back before powering off, as a well-behaved app. */
	uefi_call_wrapper(st->BootServices->FreePages, 2, pool, pages);
	arch_power_off(status, firmware_power_off);
}
