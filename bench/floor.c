/*
 * The firmware floor: an EFI application that prints the counter and
 * powers off at once (make bench, docs/performance.md).  Its run is what
 * any minihv run pays before the hypervisor's first instruction -- the
 * emulator starting, the firmware booting and finding the app -- so the
 * bench can say how much of a suite's time is the firmware's.
 *
 * It prints "minihv-floor: counter N instructions" (the counter as
 * arch_bench_insns reads it in the hypervisor: instructions since reset
 * under QEMU -icount shift=0 and Bochs sync=none) through the firmware's
 * console, which these firmwares copy to the serial line, and asks the
 * firmware to power off.  It is not the hypervisor and says nothing the
 * run judge would take for the hypervisor's.
 */
#include <efi.h>

static UINT64 counter_insns(void)
{
#if defined(__aarch64__)
	UINT64 freq, v;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v));
	return v * (freq ? 1000000000ull / freq : 1);
#else
	UINT32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((UINT64)hi << 32) | lo;
#endif
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static CHAR16 line[64] = u"\r\nminihv-floor: counter ";
	UINT64 v = counter_insns();
	CHAR16 digits[21];
	UINTN n = 0, at = 0;

	(void)image;
	while (line[at])
		at++;
	do {
		digits[n++] = (CHAR16)(u'0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		line[at++] = digits[--n];
	for (const CHAR16 *s = u" instructions\r\n"; *s; s++)
		line[at++] = *s;
	line[at] = 0;
	uefi_call_wrapper(st->ConOut->OutputString, 2, st->ConOut, line);
	uefi_call_wrapper(st->RuntimeServices->ResetSystem, 4, EfiResetShutdown, EFI_SUCCESS, 0, NULL);
	for (;;)
		;
}
