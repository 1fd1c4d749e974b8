/*
 * Power-off from inside the hypervisor.
 *
 * Only boot/ knows how to ask the firmware to power off, and the arch only
 * knows its emulator's exit; a panic deep in a backend needs both.  So
 * hv_main records the platform's power-off here, and hv_power_off hands it
 * to arch_power_off as the fallback.  This keeps every arrow pointing away
 * from boot/: the core is given the function, it never names it.
 */
#include "hv.h"
#include "arch.h"

static void (*firmware_power_off)(void);

void hv_power_init(const struct hv_platform *platform)
{
	firmware_power_off = platform->firmware_power_off;
}

void hv_power_off(int status)
{
	arch_power_off(status, firmware_power_off);
}
