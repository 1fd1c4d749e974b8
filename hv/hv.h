/*
 * The hypervisor core's entry point, called by boot/ once it has memory.
 */
#ifndef HV_HV_H
#define HV_HV_H

#include <stdint.h>

/* Run every embedded guest test, each in a fresh VM, and print a verdict
 * line per test and a SUMMARY.  Returns the power-off status: 0 when no test
 * failed, 1 otherwise, 3 when this CPU cannot run guests (every test is then
 * a SKIP).  (2, the hypervisor itself could not start, comes from boot/.) */
int hv_main(void *pool, uint64_t pool_size);

#endif
