/*
 * Address types.
 *
 * A hypervisor juggles three kinds of address, and mixing them up is the
 * classic bug: a guest-virtual address used as a guest-physical one, or a
 * guest-physical address used as a host pointer.  Each kind gets its own
 * struct type, so the compiler refuses to pass one where another is meant.
 *
 *   gva_t  guest-virtual:  what the guest's own page tables translate
 *   gpa_t  guest-physical: what the second-level tables (EPT/NPT/stage-2)
 *                          translate
 *   hpa_t  host-physical:  real memory.  minihv runs under UEFI's identity
 *                          map, so an hpa_t is also a usable host pointer
 *                          (hpa_from_ptr in hv/vm.h relies on it), but mm/
 *                          never assumes it.
 *
 * Use gpa(x) to make one and gpa_val(a) to read the integer back.
 */
#ifndef MM_TYPES_H
#define MM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct { uint64_t val; } gva_t;
typedef struct { uint64_t val; } gpa_t;
typedef struct { uint64_t val; } hpa_t;

static inline gva_t gva(uint64_t v) { return (gva_t){ v }; }
static inline gpa_t gpa(uint64_t v) { return (gpa_t){ v }; }
static inline hpa_t hpa(uint64_t v) { return (hpa_t){ v }; }
static inline uint64_t gva_val(gva_t a) { return a.val; }
static inline uint64_t gpa_val(gpa_t a) { return a.val; }
static inline uint64_t hpa_val(hpa_t a) { return a.val; }

#define PAGE_SHIFT 12
#define PAGE_SIZE  ((uint64_t)1 << PAGE_SHIFT)
#define SZ_2M      ((uint64_t)2 << 20)
#define SZ_1G      ((uint64_t)1 << 30)

static inline bool is_aligned(uint64_t v, uint64_t align)
{
	return (v & (align - 1)) == 0;
}

static inline uint64_t align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

static inline uint64_t align_down(uint64_t v, uint64_t align)
{
	return v & ~(align - 1);
}

#endif
