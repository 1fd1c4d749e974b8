/*
 * The guest images built into the hypervisor.
 *
 * The build compiles each guest/tests/<name>.c into a flat image and
 * scripts/gen-guest-table.sh generates the table below (build/<arch>/guests.S),
 * including what the test expects, taken from a comment in its source:
 *
 *     minihv-expect: stopped "text the stop reason must contain"
 *
 * Without such a comment the guest is expected to report PASS (or SKIP).
 */
#ifndef HV_GUEST_IMAGES_H
#define HV_GUEST_IMAGES_H

struct guest_image {
	const char *name;
	const unsigned char *start;
	const unsigned char *end;
	const char *expect_stop;  /* NULL, or the expected stop reason fragment */
};

extern const struct guest_image guest_images[];
extern const unsigned long guest_image_count;

#endif
