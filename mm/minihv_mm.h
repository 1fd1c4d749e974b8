/*
 * libminihv-mm: minihv's memory library as one header.
 *
 * A program outside minihv includes this file and links
 * build/host/libminihv-mm.a (make libmm builds it for the host, from
 * the .c files of mm/).  It gets the address types, the page-table engine and its five
 * formats, the Arm stage-2 geometry, the table dump, the guest-memory
 * walk and the table providers.  docs/mm.md is the map; each header is
 * the documentation of its part.  mm/examples/ holds a complete program,
 * built and run by make check.
 *
 * Version: MINIHV_MM_VERSION_MAJOR.MINIHV_MM_VERSION_MINOR.  The major
 * number changes when a program written against an older version may no
 * longer compile or behave the same (a call or struct field removed or
 * changed in meaning, a dump line changed); the minor number when something
 * is only added (a call, a format, a struct pt_mem hook that may be NULL).
 * MINIHV_MM_VERSION is both in one number, major * 100 + minor, for #if.
 *
 *   0.1  the engine, formats, geometry, guest walk, pools as minihv uses them
 *   0.2  pt_for_each_leaf, pt_for_each_entry, pt_destroy, pt_mem.free_table,
 *        host_page_pool, pt_dump and pt_format.fields, pt_arm_s2_geometry_for
 */
#ifndef MINIHV_MM_H
#define MINIHV_MM_H

#define MINIHV_MM_VERSION_MAJOR 0
#define MINIHV_MM_VERSION_MINOR 2
#define MINIHV_MM_VERSION (MINIHV_MM_VERSION_MAJOR * 100 + MINIHV_MM_VERSION_MINOR)

#include "types.h"
#include "mm_err.h"
#include "bump.h"
#include "pt.h"
#include "pt_arm.h"
#include "pt_dump.h"
#include "guest_mem.h"
#include "table_pool.h"
#include "page_pool.h"

#endif
