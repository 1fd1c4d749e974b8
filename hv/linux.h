/*
 * Running an operating system as a guest: a Linux partition (hv/linux.c).
 */
#ifndef HV_LINUX_H
#define HV_LINUX_H

#include "config.h"
#include "hv.h"
#include "vm.h"

/* Where a Linux guest's RAM starts in its guest-physical space: the
 * hypervisor's choice, told to the kernel by the device tree.  Below it,
 * the devices handed through keep their physical addresses; above its
 * largest size (config.c: 1792 MiB) comes the hypercall window. */
#define LINUX_RAM_GPA CONFIG_LINUX_RAM_GPA

/* How long a Linux guest may run: a whole boot under an emulator, with
 * room to spare (the runner's own timeout is longer still). */
#define LINUX_WATCHDOG_MS (10ull * 60 * 1000)

/*
 * Boot the Linux guest g describes, with what boot/ loaded for it (f), to
 * the end: the EXIT hypercall its init makes, or whatever stops it first.
 * Returns its verdict (MINIHV_VERDICT_PASS or _FAIL) with the reason in
 * msg.  The VM is gone when this returns.
 */
unsigned linux_guest_run(struct bump *pool, const struct guest_config *g,
			 const struct hv_guest_files *f, char *msg, size_t len);

#endif
