/*
 * An atomic read-modify-write on the window: LDADD (Armv8.1 LSE) or
 * LDXR/STXR on Arm, LOCK XADD on x86.  Emulated as a plain load or store,
 * the other half of the operation (and the exclusive monitor's status)
 * would be lost.
 *
 * The hypercall window's SCRATCH register echoes a plain load or store of
 * 1, 2, 4 or 8 bytes.  This access is not one: the hypervisor must refuse
 * it by name rather than emulate it as if it were (Arm: the data abort has
 * no instruction syndrome, ISV=0; x86: the decoder takes MOV forms only).
 * A guest that came back was stepped past an access that never happened
 * as the CPU would have done it.
 *
 * minihv-expect: stopped "which minihv cannot emulate"
 */
#include "minihv.h"
#include "cpu.h"

int test_main(const struct minihv_boot_info *info)
{
	int r = cpu_mmio_atomic_add(info->window_gva + MINIHV_HC_SCRATCH);
	report(false, "came back from the access (%d)", r);
	return 0;
}
