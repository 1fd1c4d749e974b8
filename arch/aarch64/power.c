/*
 * The end of the aarch64 hypervisor: power-off, and the EL2 panic that
 * leads to it.  The one place that knows how an aarch64 run ends.
 *
 * Power-off is PSCI SYSTEM_OFF.  PSCI is the firmware interface Arm
 * machines offer for CPU and system power; its "conduit" is SMC (the call
 * goes to EL3, or to whatever plays EL3: QEMU itself on the virt board)
 * or HVC (to a hypervisor at EL2).  minihv runs at EL2, so HVC would trap
 * to minihv itself: only an SMC conduit can work here.  Which one the
 * machine has is not ours to guess: the firmware says so, in the ACPI FADT
 * (ARM_BOOT_ARCH flags) or in the device tree (/psci, "method").  edk2 on
 * QEMU's virt board hands over ACPI by default and the device tree when
 * ACPI is turned off; with virtualization=on both say SMC.
 *
 * What minihv does not use: semihosting (HLT #0xF000 with -semihosting),
 * which would end QEMU with an exit status but which QEMU also services
 * for guests at EL1: a guest could run host commands, write host files,
 * forge verdict lines and end the run "passed".  QEMU is started without
 * it, and the status travels on the serial line instead (hv/power.c).
 */
#include <stddef.h>
#include <stdint.h>

#include "../../hv/arch.h"
#include "../../hv/hv.h"
#include "../../hv/print.h"
#include "../../lib/minihv_string.h"
#include "../../lib/fdt.h"
#include "arm.h"
#include "bytes.h"

#define PSCI_SYSTEM_OFF 0x84000008u /* SMC32 function id */

enum conduit { CONDUIT_NONE, CONDUIT_SMC, CONDUIT_HVC };

static const char *const conduit_name[] = { "none", "SMC", "HVC" };

/*
 * ACPI: RSDP (revision 2: XSDT address at byte 24) -> XSDT (a 36-byte
 * header, then 64-bit table addresses) -> the table with the signature
 * asked for, at least min_len bytes long, or NULL (also gic.c's).  The
 * FADT ("FACP") has the PSCI conduit: its ARM_BOOT_ARCH field (2 bytes at 129, ACPI 5.1 and later) has bit 0
 * PSCI_COMPLIANT and bit 1 PSCI_USE_HVC.
 */
const uint8_t *arm_acpi_table(const char *sig, uint32_t min_len)
{
	const struct hv_platform *pf = hv_power_platform();
	const uint8_t *rsdp = pf ? pf->acpi_rsdp : NULL;

	if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) != 0 || rsdp[15] < 2)
		return NULL;
	const uint8_t *xsdt = (const uint8_t *)(uintptr_t)le64(rsdp + 24);
	if (!xsdt || memcmp(xsdt, "XSDT", 4) != 0)
		return NULL;
	uint32_t len = le32(xsdt + 4);
	for (uint32_t off = 36; off + 8 <= len; off += 8) {
		const uint8_t *t = (const uint8_t *)(uintptr_t)le64(xsdt + off);
		if (t && memcmp(t, sig, 4) == 0 && le32(t + 4) >= min_len)
			return t;
	}
	return NULL;
}

static enum conduit conduit_from_acpi(void)
{
	const uint8_t *t = arm_acpi_table("FACP", 131);
	if (!t)
		return CONDUIT_NONE;
	unsigned flags = t[129] | (unsigned)t[130] << 8;
	if (!(flags & 1))
		return CONDUIT_NONE;
	return (flags & 2) ? CONDUIT_HVC : CONDUIT_SMC;
}

/*
 * The firmware's device tree, read with lib/fdt.h's bounds-checked reader
 * within the size its own header gives (capped at 2 MiB), or NULL when
 * there is none or it is not a valid tree.  Also gic.c's.
 */
const void *arm_firmware_dt(size_t *max)
{
	const struct hv_platform *pf = hv_power_platform();
	const uint8_t *dt = pf ? pf->device_tree : NULL;

	if (!dt)
		return NULL;
	*max = be32(dt + 4);
	if (*max > (2u << 20))
		*max = 2u << 20;
	return fdt_valid(dt, *max) ? dt : NULL;
}

/* The PSCI node's "method" (booting Linux's psci binding: "arm,psci-0.2"
 * and later also list "arm,psci"). */
static enum conduit conduit_from_fdt(void)
{
	size_t max;
	const void *dt = arm_firmware_dt(&max);
	uint32_t len = 0;
	const char *m = dt ? fdt_find_prop(dt, max, "arm,psci", "method", &len) : NULL;

	if (!m && dt)
		m = fdt_find_prop(dt, max, "arm,psci-0.2", "method", &len);
	if (!m || len < 4 || m[len - 1] != '\0')
		return CONDUIT_NONE;
	return strcmp(m, "smc") == 0 ? CONDUIT_SMC : strcmp(m, "hvc") == 0 ? CONDUIT_HVC : CONDUIT_NONE;
}

/*
 * Is this QEMU's virt board?  Its ACPI tables carry QEMU's OEM ID "BOCHS "
 * (RSDP bytes 9..14); its device tree's root is compatible with
 * "linux,dummy-virt".  Only for excusing a known flaw of the emulator
 * (arch_fact), never to change what minihv does.
 */
bool arm_platform_is_qemu(void)
{
	const struct hv_platform *pf = hv_power_platform();
	if (!pf)
		return false;
	const uint8_t *rsdp = pf->acpi_rsdp;
	if (rsdp && memcmp(rsdp, "RSD PTR ", 8) == 0 && memcmp(rsdp + 9, "BOCHS ", 6) == 0)
		return true;
	/* Its device tree's root is compatible with "linux,dummy-virt". */
	size_t max;
	const void *dt = arm_firmware_dt(&max);
	return dt && fdt_find_prop(dt, max, "linux,dummy-virt", "compatible", NULL) != NULL;
}

/*
 * Power off.  The status is already on the serial line (hv_power_off):
 * PSCI SYSTEM_OFF takes none, and QEMU then exits 0 whatever it was.
 * PSCI only where the firmware names an SMC conduit; otherwise, or should
 * the call return, the firmware's own power-off (UEFI ResetSystem, which on
 * QEMU's virt board ends in the same PSCI call).  Never SMC on a guess: on
 * a machine without EL3 it is UNDEFINED and would trap to us.
 */
void arch_power_off(int status, void (*firmware_power_off)(void))
{
	(void)status;
	enum conduit c = CONDUIT_NONE;
	const char *from = "";
	if ((c = conduit_from_acpi()) != CONDUIT_NONE)
		from = "the ACPI FADT";
	else if ((c = conduit_from_fdt()) != CONDUIT_NONE)
		from = "the device tree";

	if (c == CONDUIT_SMC) {
		hv_printf("minihv: PSCI SYSTEM_OFF through SMC (the conduit %s names)\n", from);
		register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;
		__asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
		hv_printf("minihv: PSCI SYSTEM_OFF returned 0x%llx\n", (unsigned long long)x0);
	} else {
		hv_printf("minihv: no PSCI through SMC (the firmware's tables say: %s): asking the firmware to power off\n",
			  c == CONDUIT_NONE ? "no PSCI" : conduit_name[c]);
	}
	if (firmware_power_off)
		firmware_power_off();
	for (;;)
		;
}

/* A fault in the hypervisor itself (called from entry.S).  Give the CPU
 * back to the firmware first: the power-off needs its state. */
void arm_hv_exception(uint64_t type, uint64_t esr, uint64_t elr, uint64_t far)
{
	hv_printf("minihv: PANIC: exception type %llu at EL2: ESR_EL2=0x%llx ELR_EL2=0x%llx FAR_EL2=0x%llx\n",
		  (unsigned long long)type, (unsigned long long)esr,
		  (unsigned long long)elr, (unsigned long long)far);
	hv_printf("SUMMARY: hypervisor panic\n");
	arch_cpu_fini();
	hv_power_off(2);
}
