/*
 * The bits of an x86-64 paging entry (SDM vol. 3, 4.5), for the two files
 * that read them: pt_x86.c (the format) and guest_mem.c (the exit path's
 * direct instruction fetch).  pt_x86.c's header comment says what each is.
 */
#ifndef MM_PT_X86_BITS_H
#define MM_PT_X86_BITS_H

#define X86_P         (1ull << 0)
#define X86_RW        (1ull << 1)
#define X86_US        (1ull << 2)
#define X86_PWT       (1ull << 3)
#define X86_PCD       (1ull << 4)
#define X86_PS        (1ull << 7)
#define X86_PAT_4K    (1ull << 7)   /* the same bit as PS, at level 0 */
#define X86_PAT_LARGE (1ull << 12)
#define X86_NX        (1ull << 63)
#define X86_OA_MASK   0x000ffffffffff000ull  /* MAXPHYADDR is at most 52 */

#endif
