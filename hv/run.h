/*
 * The run loop (run.c).
 */
#ifndef HV_RUN_H
#define HV_RUN_H

#include "vm.h"

#ifndef MINIHV_TRACE
#define MINIHV_TRACE 0
#endif

/* Run the vCPU until its VM exits or is stopped. */
void vcpu_run(struct vcpu *vcpu);

#endif
