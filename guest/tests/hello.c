/*
 * The smallest test: say hello, and read the ABI version (a hypercall that
 * is a load, so the hypervisor hands a value back).
 */
#include "minihv.h"

int test_main(const struct minihv_boot_info *info)
{
	printf("Hello from a minihv guest (vCPU %llu)\n", info->vcpu_id);
	report(hc_version() == MINIHV_ABI_VERSION, "ABI version load returns %u",
	       (unsigned)MINIHV_ABI_VERSION);
	report(info->abi_version == MINIHV_ABI_VERSION, "boot info has ABI version %llu",
	       info->abi_version);
	return 0;
}
