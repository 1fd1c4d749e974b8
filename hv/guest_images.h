/*
 * The guest images built into the hypervisor.
 *
 * The build compiles each test into flat images and scripts/gen-guest-table.sh
 * generates the table below (build/<arch>/guests.S), including what the test
 * expects, taken from comments in its source:
 *
 *     minihv-expect: stopped "text the stop reason must contain"
 *     minihv-needs: FACT
 *     minihv-xfail: "why it is known to fail" when FACT
 *
 * Without minihv-expect the guest is expected to report PASS (or SKIP).
 * FACT names one of the facts of hv/arch.h ("xcr0", "cpuid", ...):
 * minihv-needs says a SKIP is valid only where the hypervisor confirms the
 * feature is absent; minihv-xfail says the test is known to fail on
 * platforms where the hypervisor finds FACT true (README.md, "Adding a
 * guest test").
 *
 * A test is usually one program, run in one fresh VM.  A test made of a
 * directory of programs (guest/tests/NAME/1_*.c, 2_*.c, ...) runs them in
 * that order, each in a fresh VM, back to back: the later ones can check
 * what the earlier ones left behind, and nothing else runs in between.
 */
#ifndef HV_GUEST_IMAGES_H
#define HV_GUEST_IMAGES_H

/* One guest program: a flat image, loaded at the start of guest RAM. */
struct guest_program {
	const unsigned char *start;
	const unsigned char *end;
};

struct guest_image {
	const char *name;
	const struct guest_program *programs;  /* run in this order, a VM each */
	unsigned long program_count;            /* at least 1 */
	const char *expect_stop;   /* NULL, or the expected stop reason fragment
				      (of the last program; the others must PASS) */
	const char *needs;         /* NULL, or the fact whose absence alone
				      makes a SKIP valid */
	const char *xfail_reason;  /* NULL, or why the test is known to fail... */
	const char *xfail_when;    /* ...where this fact is true */
};

extern const struct guest_image guest_images[];
extern const unsigned long guest_image_count;

#endif
