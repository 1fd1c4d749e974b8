/*
 * The watchdog's clock on x86 (hv/arch.h: arch_vcpu_watchdog_arm):
 * a deadline in TSC ticks, which both backends test -- VMX by loading what
 * is left into the VMX-preemption timer at each entry, SVM at each INTR
 * exit the firmware's timer tick causes.
 *
 * The TSC's rate is measured once, against the PIT (the 8254 timer, whose
 * input clock is 1.193182 MHz on every PC and every emulator of one).
 * CPUID leaves 0x15 and 0x16 would name a frequency without measuring, but
 * under an emulator they describe the modelled CPU, not the speed its TSC
 * really runs at: Bochs with "clock: sync=none" advances the TSC at its
 * ips setting (10 MHz here) while its tigerlake model's CPUID says GHz,
 * which would stretch a 2 s watchdog a hundredfold.  The PIT and the TSC
 * run on the same (emulated) clock, so the measurement holds there too.
 *
 * One deadline for the CPU, not one per vCPU: minihv runs one vCPU at a
 * time on the one CPU it owns, and vcpu_run arms it afresh for each.
 */
#include "x86.h"
#include "x86_insn.h"
#include "../../hv/print.h"

#define PIT_HZ        1193182u
#define PIT_CH2_DATA  0x42
#define PIT_COMMAND   0x43
#define PORT_B        0x61      /* bit 0: channel 2's gate; bit 5: its output */
#define PORT_B_GATE2  0x01
#define PORT_B_SPKR   0x02
#define PORT_B_OUT2   0x20
/* About 10 ms of PIT: long enough for a 1% measurement where one poll of
 * port 0x61 costs microseconds (an exit to QEMU, Bochs's emulation). */
#define CAL_PIT_TICKS 11932u

static uint64_t tsc_hz;         /* 0: not measured (the watchdog is off) */
uint64_t x86_watchdog_deadline; /* TSC value; 0: not armed (x86.h) */

/*
 * Channel 2 in mode 0 ("interrupt on terminal count"): loaded with n, it
 * counts down while its gate (port 0x61 bit 0) is high, with its output
 * low, and raises the output (readable as port 0x61 bit 5) when it reaches
 * zero.  The speaker stays off (bit 1 clear).  Channel 0, the firmware's
 * tick, is not touched.
 */
int x86_tsc_calibrate(void)
{
	uint8_t port_b = x86_inb(PORT_B);

	x86_outb(PORT_B, (uint8_t)((port_b & ~PORT_B_SPKR) & ~PORT_B_GATE2));
	x86_outb(PIT_COMMAND, 0xb0);    /* channel 2, low then high byte, mode 0, binary */
	x86_outb(PIT_CH2_DATA, CAL_PIT_TICKS & 0xff);
	x86_outb(PIT_CH2_DATA, CAL_PIT_TICKS >> 8);
	x86_outb(PORT_B, (uint8_t)((port_b & ~PORT_B_SPKR) | PORT_B_GATE2));

	uint64_t start = x86_rdtsc();
	/* Bounded: a PC without a working channel 2 must not hang here.  Ten
	 * million polls are far more than 10 ms of any emulated port. */
	bool done = false;
	for (uint32_t i = 0; i < 10000000u && !done; i++)
		done = x86_inb(PORT_B) & PORT_B_OUT2;
	uint64_t ticks = x86_rdtsc() - start;
	x86_outb(PORT_B, port_b);

	if (!done || ticks == 0) {
		hv_printf("minihv: the PIT's channel 2 never counted down: TSC rate unknown, no watchdog\n");
		return -1;
	}
	tsc_hz = ticks * PIT_HZ / CAL_PIT_TICKS;
	hv_printf("minihv: the TSC runs at about %llu kHz (measured against the PIT)\n",
		  (unsigned long long)(tsc_hz / 1000));
	return 0;
}

bool x86_tsc_known(void)
{
	return tsc_hz != 0;
}

bool x86_watchdog_set(uint64_t ms)
{
	if (!tsc_hz)
		return false;
	/* ms * tsc_hz could overflow for absurd ms: saturate rather than wrap. */
	uint64_t per_ms = tsc_hz / 1000;
	uint64_t span = ms > UINT64_MAX / 2 / (per_ms ? per_ms : 1) ? UINT64_MAX / 2 : ms * per_ms;
	x86_watchdog_deadline = x86_rdtsc() + span;
	if (!x86_watchdog_deadline)
		x86_watchdog_deadline = 1;
	return true;
}

void x86_watchdog_clear(void)
{
	x86_watchdog_deadline = 0;
}

uint64_t x86_watchdog_left(void)
{
	if (!x86_watchdog_deadline)
		return UINT64_MAX;
	uint64_t now = x86_rdtsc();
	return now >= x86_watchdog_deadline ? 0 : x86_watchdog_deadline - now;
}

/* hv/arch.h: the TSC in nanoseconds, by the rate measured above (0 when
 * it is unknown). */
uint64_t arch_clock_ns(void)
{
	uint64_t t = x86_rdtsc();
	if (!tsc_hz)
		return 0;
	return t / tsc_hz * 1000000000ull + t % tsc_hz * 1000000000ull / tsc_hz;
}
