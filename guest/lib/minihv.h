/*
 * The minihv guest library.
 *
 * A test guest is one C file defining test_main().  It checks things with
 * report(), and when test_main returns the library sends the hypervisor one
 * verdict (PASS if every check passed, FAIL naming the first failed check,
 * SKIP if the test skipped) and exits.  The same file runs unchanged on
 * every backend: only guest/arch/<arch>/ differs.
 */
#ifndef GUEST_MINIHV_H
#define GUEST_MINIHV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../include/minihv/hypercall_abi.h"
#include "mmio.h"

/* Define this in the test.  info is what the hypervisor passed at start. */
int test_main(const struct minihv_boot_info *info);

/* One check: prints "ok: ..." or "FAIL: ..." on the console. */
__attribute__((format(printf, 2, 3))) bool report(bool ok, const char *fmt, ...);
/* The test cannot run here: the verdict becomes SKIP with this reason. */
__attribute__((format(printf, 1, 2))) void report_skip(const char *fmt, ...);

/* The guest image's end, from the linker script: RAM after it is free. */
extern char __image_end[];

/* ---- hypercalls (guest/lib/hypercall.c) ---- */

/* The address of a hypercall register. */
static inline uintptr_t hc_reg(unsigned offset)
{
	return (uintptr_t)MINIHV_HC_WINDOW_GVA + offset;
}

uint32_t hc_version(void);
void hc_putc(char c);
/* Perform call nr with up to four arguments; returns HC_RESULT. */
int64_t hc_call(uint32_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
int64_t hc_console_write(const void *buf, size_t len);
void hc_report(unsigned verdict, const char *msg, size_t len);
__attribute__((noreturn)) void hc_exit(uint64_t code);

/* ---- the guest's own page tables (guest/lib/pagetable.c) ---- */

/* The entry for gva at level (0: 4 KiB page, 1: 2 MiB, 2: 1 GiB, 3: root), or
 * NULL if a table on the way is missing. */
uint64_t *guest_pt_entry(const struct minihv_boot_info *info, uint64_t gva, unsigned level);
/* Point an entry (table or 2 MiB leaf) at another address; flush the TLB. */
void guest_pt_set_addr(uint64_t *entry, uint64_t addr);
/* Map the 2 MiB block of guest-physical space holding gpa at the spare gva
 * after RAM, readable, writable and executable; returns the gva of gpa
 * (0 if that could not be done).  For tests that reach unmapped GPAs. */
uint64_t guest_map_gpa(const struct minihv_boot_info *info, uint64_t gpa);

/* ---- console ---- */

__attribute__((format(printf, 1, 2))) int printf(const char *fmt, ...);
__attribute__((format(printf, 3, 4))) int snprintf(char *buf, size_t len, const char *fmt, ...);
size_t strlen(const char *s);
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
