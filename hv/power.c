/*
 * Power-off from inside the hypervisor.
 *
 * Only boot/ knows how to ask the firmware to power off, and the arch only
 * knows its machine's own way; a panic deep in a backend needs both.  So
 * boot/ (and hv_main) record the platform here, and hv_power_off hands its
 * power-off to arch_power_off as the fallback.  This keeps every arrow
 * pointing away from boot/: the core is given the function, it never
 * names it.
 */
#include "hv.h"
#include "arch.h"
#include "print.h"

#include <stddef.h>

static const struct hv_platform *platform_info;

void hv_power_init(const struct hv_platform *platform)
{
	platform_info = platform;
}

const struct hv_platform *hv_power_platform(void)
{
	return platform_info;
}

void hv_power_off(int status)
{
	/*
	 * The status goes out on the serial line, where the launcher reads it
	 * (scripts/launch/watch.sh: hv_power_status).  The emulator's exit
	 * status cannot carry it on every machine: on aarch64 the only exit
	 * with a status QEMU offers is semihosting, which would also hand
	 * every guest the host's shell and files (docs/architecture.md).
	 * This line is the hypervisor's: it does not start with "[".
	 */
	hv_printf("minihv: power off, status %d\n", status);
	arch_power_off(status, platform_info ? platform_info->firmware_power_off : NULL);
}
