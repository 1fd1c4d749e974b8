/*
 * Names of model-specific registers, for the messages that stop a guest
 * which touched one (both backends intercept every MSR access).
 */
#ifndef ARCH_X86_64_X86_MSR_H
#define ARCH_X86_64_X86_MSR_H

#include <stdint.h>

/* "IA32_EFER", ... or NULL for an MSR we have no name for. */
const char *x86_msr_name(uint32_t msr);

/* What a guest would reach through this MSR, for the stop message, or NULL
 * where "minihv gives guests no MSRs" says it all. */
const char *x86_msr_why(uint32_t msr);

#endif
