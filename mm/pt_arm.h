/*
 * The shape of an Arm stage-2 tree, 4 KiB granule, for a given CPU.
 *
 * pt_format_arm_stage2 (pt.h) is one fixed shape: a 48-bit guest-physical
 * (IPA) space walked from Arm's level 0.  The architecture does not let
 * every CPU use it: VTCR_EL2 may start a stage-2 walk at level 0 only when
 * the CPU's physical address size (ID_AA64MMFR0_EL1.PARange) is at least
 * 44 bits, and the IPA space may not be wider than the physical one.  So a
 * hypervisor reads PARange and picks, from it:
 *
 *   ipa_bits     the IPA size (VTCR_EL2.T0SZ = 64 - ipa_bits)
 *   start_level  where the walk starts (VTCR_EL2.SL0 encodes it)
 *   root_tables  how many tables are "concatenated" at that level
 *
 * and builds its tables to match.  pt_arm_s2_geometry makes that choice;
 * pt_arm_s2_format turns it into the pt_format the engine walks.  Both are
 * pure: no register is read here, so the host tests can try every PARange.
 *
 * Levels here are Arm's, counted from the root (0) to the page (3); the
 * engine's pt_format.levels is the number of lookups, 4 - start_level.
 */
#ifndef MM_PT_ARM_H
#define MM_PT_ARM_H

#include "pt.h"

struct pt_arm_s2_geometry {
	unsigned pa_bits;      /* the CPU's physical address size, from PARange */
	unsigned ipa_bits;     /* the guest-physical space stage 2 translates */
	unsigned start_level;  /* Arm's level of the first lookup: 0, 1 or 2 */
	unsigned root_tables;  /* tables concatenated at start_level: 1..16 */
	unsigned levels;       /* lookups per walk, 4 - start_level */

	/* The VTCR_EL2 fields that say so: */
	unsigned vtcr_t0sz;    /* 64 - ipa_bits */
	unsigned vtcr_sl0;     /* 4 KiB granule: 2 = level 0, 1 = level 1, 0 = level 2 */
	unsigned vtcr_ps;      /* output (physical) size, in PARange's encoding */
};

/* The PARange encodings 0..6 in bits; anything above 6 counts as 52. */
unsigned pt_arm_pa_range_bits(unsigned pa_range);

/* Choose the stage-2 geometry for ID_AA64MMFR0_EL1.PARange pa_range (the
 * 4-bit field, unmodified).  Why each choice: see pt_arm.c. */
void pt_arm_s2_geometry(unsigned pa_range, struct pt_arm_s2_geometry *out);

/*
 * Any other legal shape: a stage-2 IPA of ipa_bits walked from Arm level
 * start_level (0..2) on a CPU with ID_AA64MMFR0_EL1.PARange pa_range.
 * Legal, with a 4 KiB granule, is: the start level resolves at least one
 * bit and at most 4 more than one table holds (22..34 bits from level 2,
 * 31..43 from level 1, 40..48 from level 0), level 0 only with a PA of 44
 * bits or more, and an IPA no wider than the PA.  Fills out as
 * pt_arm_s2_geometry does, root_tables included; -1 (out untouched) for
 * a shape the architecture does not allow.  For a hypervisor that wants a
 * smaller IPA space than the CPU's, or a shallower walk.
 */
int pt_arm_s2_geometry_for(unsigned pa_range, unsigned ipa_bits, unsigned start_level,
			   struct pt_arm_s2_geometry *out);

/* A copy of pt_format_arm_stage2 reshaped to geometry g (levels, in_bits,
 * root_tables; the descriptors are the same at every size). */
void pt_arm_s2_format(const struct pt_arm_s2_geometry *g, struct pt_format *out);

/*
 * The guest's stage-1 format for one half of Arm's EL1&0 regime with a
 * 4 KiB granule: va_bits = 64 - TnSZ input bits, walked from the level the
 * architecture starts at for that size (level 0 above 39 bits, 1 above 30,
 * 2 from 25).  Stage 1 has no concatenated roots: a smaller size just uses
 * the start of the root table.  -1 for a size outside 25..48 (TnSZ 16..39:
 * beyond need FEAT_LPA2 or FEAT_TTST), where out is left alone.
 */
int pt_arm_s1_format(unsigned va_bits, struct pt_format *out);

#endif
