/*
 * The run loop (run.c).
 */
#ifndef HV_RUN_H
#define HV_RUN_H

#include "arch.h"
#include "vm.h"

#ifndef MINIHV_TRACE
#define MINIHV_TRACE 0
#endif

/* Run the vCPU until its VM exits or is stopped. */
void vcpu_run(struct vcpu *vcpu);

/*
 * For backends: refuse the exit the vCPU just took.  Formats the reason
 * into vcpu->exit_reason and sets exit->kind (EXIT_GUEST_FAULT: the guest
 * did something minihv does not allow; EXIT_HOST_ERROR: the CPU would not
 * run the guest) and exit->reason.  The core then stops the VM, adding the
 * exit's name and description (vcpu_run).  One helper, so every backend
 * says "no" the same way and keeps no reason buffer of its own.
 */
__attribute__((format(printf, 4, 5)))
void vcpu_refuse(struct vcpu *vcpu, struct vm_exit *exit, enum exit_kind kind,
		 const char *fmt, ...);

#endif
