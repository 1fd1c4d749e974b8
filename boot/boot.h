/*
 * boot/'s own interface between its two files: the UEFI entry
 * (efi_main.c) and the loading of guests from files (efi_files.c).
 */
#ifndef BOOT_BOOT_H
#define BOOT_BOOT_H

#include <efi.h>

#include "../hv/hv.h"
#include "../hv/config.h"
#include "../lib/minihv_string.h"

/* Where the config lives on the boot volume (docs/config.md). */
#define BOOT_CONFIG_PATH "\\minihv\\minihv.cfg"

/*
 * Read BOOT_CONFIG_PATH from the volume image was loaded from, parse it
 * (hv/config.c), and load what each accepted guest needs: its files, and
 * a Linux guest's RAM.  A guest's own problem goes into its error.
 * Returns the number of guests, or -1 when there is no config (then the
 * embedded suite runs, as without this feature).  files has
 * CONFIG_MAX_GUESTS entries, zeroed.
 */
int boot_load_config(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, struct hv_config *config,
		     struct hv_guest_files *files);

/* Give back every page boot_load_config took. */
void boot_free_guest_files(EFI_SYSTEM_TABLE *st);

#endif
