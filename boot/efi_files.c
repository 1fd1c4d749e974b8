/*
 * Guests from files: \minihv\minihv.cfg and what it names, read from the
 * volume the firmware loaded us from (docs/config.md).
 *
 * Everything that needs the firmware happens here, before hv_main: the
 * hypervisor takes EL2 (or VMX root) for itself and masks the firmware's
 * interrupts, after which calling the firmware's disk drivers or its
 * memory services would be asking for trouble.  So boot/ reads the config,
 * hands the text to the core's parser (hv/config.c: boot -> hv, the
 * direction calls may go), and for each guest the parser accepted loads its
 * files and, for a Linux guest, takes its RAM from the firmware -- one
 * block per VM, never the hypervisor's 32 MiB pool.  A problem with one
 * guest (a missing file, more memory than the machine has) is written into
 * that guest's error, so hv_main refuses it with that message and the next
 * one still runs.  Everything taken here is given back by
 * boot_free_guest_files once hv_main returns.
 */
#include <efi.h>

#include "boot.h"
#include "../hv/print.h"
#include "../lib/format.h"

#define CONFIG_FILE_MAX (64u << 10)

/* Every block taken from the firmware, to give back at the end. */
static struct {
	EFI_PHYSICAL_ADDRESS addr;
	UINTN pages;
} taken[3 * CONFIG_MAX_GUESTS + 1];
static unsigned ntaken;

static void *take_pages(EFI_SYSTEM_TABLE *st, uint64_t bytes, uint64_t align)
{
	if (ntaken == sizeof(taken) / sizeof(taken[0]) || bytes == 0 ||
	    bytes > (1ull << 40))
		return NULL;
	UINTN pages = (UINTN)((bytes + align - 1 + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE);
	EFI_PHYSICAL_ADDRESS got = 0;
	if (EFI_ERROR(uefi_call_wrapper(st->BootServices->AllocatePages, 4, AllocateAnyPages,
					EfiLoaderData, pages, &got)))
		return NULL;
	taken[ntaken].addr = got;
	taken[ntaken].pages = pages;
	ntaken++;
	return (void *)(uintptr_t)((got + align - 1) & ~(align - 1));
}

void boot_free_guest_files(EFI_SYSTEM_TABLE *st)
{
	while (ntaken) {
		ntaken--;
		uefi_call_wrapper(st->BootServices->FreePages, 2, taken[ntaken].addr,
				  taken[ntaken].pages);
	}
}

/* The machine's RAM in bytes, as the firmware's memory map counts it
 * (every kind of memory, in use or free), or 0 if the map cannot be had. */
static uint64_t machine_ram(EFI_SYSTEM_TABLE *st)
{
	UINTN size = 0, key, dsize;
	UINT32 dver;
	EFI_MEMORY_DESCRIPTOR *map = NULL;
	uint64_t total = 0;

	uefi_call_wrapper(st->BootServices->GetMemoryMap, 5, &size, map, &key, &dsize, &dver);
	size += 8 * sizeof(EFI_MEMORY_DESCRIPTOR);
	if (EFI_ERROR(uefi_call_wrapper(st->BootServices->AllocatePool, 3, EfiLoaderData, size,
					(void **)&map)))
		return 0;
	if (!EFI_ERROR(uefi_call_wrapper(st->BootServices->GetMemoryMap, 5, &size, map, &key,
					 &dsize, &dver)) && dsize) {
		for (UINTN off = 0; off + dsize <= size; off += dsize) {
			const EFI_MEMORY_DESCRIPTOR *d = (const void *)((const char *)map + off);
			switch (d->Type) {
			case EfiLoaderCode: case EfiLoaderData:
			case EfiBootServicesCode: case EfiBootServicesData:
			case EfiRuntimeServicesCode: case EfiRuntimeServicesData:
			case EfiConventionalMemory: case EfiACPIReclaimMemory:
			case EfiACPIMemoryNVS:
				total += (uint64_t)d->NumberOfPages * EFI_PAGE_SIZE;
				break;
			default:
				break;
			}
		}
	}
	uefi_call_wrapper(st->BootServices->FreePool, 1, map);
	return total;
}

/* The boot volume's root directory, or NULL. */
static EFI_FILE_HANDLE open_root(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_GUID lip = LOADED_IMAGE_PROTOCOL, sfs = SIMPLE_FILE_SYSTEM_PROTOCOL;
	EFI_LOADED_IMAGE *li = NULL;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs = NULL;
	EFI_FILE_HANDLE root = NULL;

	if (EFI_ERROR(uefi_call_wrapper(st->BootServices->HandleProtocol, 3, image, &lip,
					(void **)&li)) || !li)
		return NULL;
	if (EFI_ERROR(uefi_call_wrapper(st->BootServices->HandleProtocol, 3, li->DeviceHandle,
					&sfs, (void **)&fs)) || !fs)
		return NULL;
	if (EFI_ERROR(uefi_call_wrapper(fs->OpenVolume, 2, fs, &root)))
		return NULL;
	return root;
}

/*
 * Read the file at path (ASCII, '\'-separated: the parser checked it)
 * into pages taken from the firmware.  At most max bytes; a larger file
 * is refused rather than cut.  0, or -1 with why in err.
 */
static int read_file(EFI_SYSTEM_TABLE *st, EFI_FILE_HANDLE root, const char *path, uint64_t max,
		     const void **data, uint64_t *len, char *err, size_t errlen)
{
	CHAR16 wide[CONFIG_PATH_MAX];
	EFI_FILE_HANDLE fh;
	size_t n = 0;

	while (path[n] && n + 1 < CONFIG_PATH_MAX) {
		wide[n] = (CHAR16)(unsigned char)path[n];
		n++;
	}
	wide[n] = 0;
	if (EFI_ERROR(uefi_call_wrapper(root->Open, 5, root, &fh, wide, EFI_FILE_MODE_READ, 0))) {
		hv_snprintf(err, errlen, "%s: no such file on the boot volume", path);
		return -1;
	}
	EFI_GUID fid = EFI_FILE_INFO_ID;
	union {
		EFI_FILE_INFO info;
		char bytes[SIZE_OF_EFI_FILE_INFO + 2 * CONFIG_PATH_MAX + 16];
	} fi;
	UINTN fisize = sizeof(fi);
	int rc = -1;
	if (EFI_ERROR(uefi_call_wrapper(fh->GetInfo, 4, fh, &fid, &fisize, &fi))) {
		hv_snprintf(err, errlen, "%s: the firmware cannot say how large it is", path);
	} else if (fi.info.Attribute & EFI_FILE_DIRECTORY) {
		hv_snprintf(err, errlen, "%s is a directory, not a file", path);
	} else if (fi.info.FileSize == 0) {
		hv_snprintf(err, errlen, "%s is empty", path);
	} else if (fi.info.FileSize > max) {
		hv_snprintf(err, errlen, "%s is %llu bytes, more than the %llu it may be here",
			    path, (unsigned long long)fi.info.FileSize, (unsigned long long)max);
	} else {
		void *buf = take_pages(st, fi.info.FileSize, EFI_PAGE_SIZE);
		UINTN got = (UINTN)fi.info.FileSize;
		if (!buf) {
			hv_snprintf(err, errlen, "%s: the firmware has no %llu bytes to read it into",
				    path, (unsigned long long)fi.info.FileSize);
		} else if (EFI_ERROR(uefi_call_wrapper(fh->Read, 3, fh, &got, buf)) ||
			   got != fi.info.FileSize) {
			hv_snprintf(err, errlen, "%s: reading it failed after %llu of %llu bytes",
				    path, (unsigned long long)got, (unsigned long long)fi.info.FileSize);
		} else {
			*data = buf;
			*len = got;
			rc = 0;
		}
	}
	uefi_call_wrapper(fh->Close, 1, fh);
	return rc;
}

/*
 * Guests often share files (several Linux guests booting one kernel with
 * different command lines): each file is read once, and every guest that
 * names it gets the same bytes, which no guest writes (they are copied
 * into its RAM).
 */
static struct {
	const char *path;
	const void *data;
	uint64_t len;
} loaded[2 * CONFIG_MAX_GUESTS];
static unsigned nloaded;

static int load_file(EFI_SYSTEM_TABLE *st, EFI_FILE_HANDLE root, const char *path, uint64_t max,
		     const void **data, uint64_t *len, char *err, size_t errlen)
{
	for (unsigned i = 0; i < nloaded; i++) {
		if (strcmp(loaded[i].path, path) != 0)
			continue;
		if (loaded[i].len > max) {
			hv_snprintf(err, errlen, "%s is %llu bytes, more than the %llu it may be here",
				    path, (unsigned long long)loaded[i].len, (unsigned long long)max);
			return -1;
		}
		*data = loaded[i].data;
		*len = loaded[i].len;
		return 0;
	}
	if (read_file(st, root, path, max, data, len, err, errlen))
		return -1;
	if (nloaded < sizeof(loaded) / sizeof(loaded[0]))
		loaded[nloaded++] = (typeof(loaded[0])){ path, *data, *len };
	return 0;
}

/* What a minihv guest from a file may be at most: it is loaded into the
 * 4 MiB VM of the ABI's layout, below the stack and tables at its top
 * (hv/vm.h checks the exact limit again). */
#define MINIHV_FILE_MAX (4ull << 20)
/* A Linux kernel or initrd larger than this is surely a mistake; the guest's
 * own RAM bounds them further (arch/aarch64/linux_image.c). */
#define LINUX_FILE_MAX (1ull << 30)

static void load_guest(EFI_SYSTEM_TABLE *st, EFI_FILE_HANDLE root, uint64_t ram_total,
		       struct guest_config *g, struct hv_guest_files *f)
{
	if (g->error[0] || g->kind == GUEST_KIND_NONE)
		return;
	uint64_t max = g->kind == GUEST_KIND_LINUX ? LINUX_FILE_MAX : MINIHV_FILE_MAX;
	if (g->kernel[0] && load_file(st, root, g->kernel, max, &f->kernel, &f->kernel_len,
				      g->error, sizeof(g->error)))
		return;
	if (g->initrd[0])
		(void)load_file(st, root, g->initrd, max, &f->initrd, &f->initrd_len, g->error,
				sizeof(g->error));
	if (g->error[0])
		return;
	if (g->kind == GUEST_KIND_LINUX) {
		if (ram_total && g->memory >= ram_total) {
			hv_snprintf(g->error, sizeof(g->error), "memory = %llu MiB is more than this machine has (%llu MiB of RAM in all)",
				    (unsigned long long)(g->memory >> 20),
				    (unsigned long long)(ram_total >> 20));
			return;
		}
		/* 2 MiB aligned: the boot protocol places the kernel at a
		 * 2 MiB boundary of RAM, and stage-2 maps it with blocks. */
		f->ram = take_pages(st, g->memory, 2ull << 20);
		if (!f->ram) {
			hv_snprintf(g->error, sizeof(g->error), "memory = %llu MiB: the firmware has no free block that large (the machine has %llu MiB of RAM in all)",
				    (unsigned long long)(g->memory >> 20),
				    (unsigned long long)(ram_total >> 20));
			return;
		}
		f->ram_size = g->memory;
	}
}

int boot_load_config(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, struct hv_config *config,
		     struct hv_guest_files *files)
{
	EFI_FILE_HANDLE root = open_root(image, st);
	const void *text = NULL;
	uint64_t len = 0;
	char err[CONFIG_ERROR_MAX];

	if (!root)
		return -1;
	if (read_file(st, root, BOOT_CONFIG_PATH, CONFIG_FILE_MAX, &text, &len, err, sizeof(err))) {
		/* No config is the ordinary case: the embedded suite runs.
		 * One that is there but cannot be read is said out loud. */
		if (!str_find(err, "no such file"))
			hv_printf("minihv: %s: %s; running the embedded suite\n", BOOT_CONFIG_PATH, err);
		uefi_call_wrapper(root->Close, 1, root);
		return -1;
	}
	config_parse(text, (size_t)len, config);
	hv_printf("minihv: %s: %u guest%s%s%s\n", BOOT_CONFIG_PATH, config->count,
		  config->count == 1 ? "" : "s", config->error[0] ? "; " : "", config->error);
	uint64_t ram_total = machine_ram(st);
	for (unsigned i = 0; i < config->count && i < CONFIG_MAX_GUESTS; i++)
		load_guest(st, root, ram_total, &config->guests[i], &files[i]);
	uefi_call_wrapper(root->Close, 1, root);
	return (int)config->count;
}
