/*
 * Reaching guest memory safely.
 *
 * A guest hands the hypervisor guest-virtual addresses (a buffer to print, a
 * message to report).  Before touching one, the hypervisor must do what the
 * MMU would: walk the guest's own page tables (guest-virtual -> guest-physical),
 * then the second-level tables (guest-physical -> host-physical), and check
 * that the result lies inside the RAM block this VM owns.  Every step can be
 * hostile: the guest writes its own tables, so a table address, a leaf
 * address, a length, may point anywhere.  Nothing here dereferences an
 * address before it has been bounds-checked against the VM's RAM.
 *
 * Copies go page by page, because two consecutive guest-virtual pages need
 * not be consecutive in guest-physical or host memory.  The hypervisor
 * copies guest data into its own buffer before using it, so the guest cannot
 * change it between the check and the use; and it translates every page of
 * a write before writing, so its own write cannot change the translation
 * of the pages after it.
 */
#ifndef MM_GUEST_MEM_H
#define MM_GUEST_MEM_H

#include "pt.h"
#include "pt_x86_bits.h"

/* One VM's RAM: a single block of host memory the guest sees at gpa. */
struct guest_ram {
	gpa_t gpa;       /* where the guest sees it */
	hpa_t hpa;       /* where it really is */
	uint8_t *host;   /* the hypervisor's pointer to it */
	uint64_t size;
};

/* Everything needed to follow a guest address down to host memory. */
struct guest_mmu {
	const struct guest_ram *ram;
	const struct pt *s2;              /* second-level tables of the VM */
	const struct pt_format *gpt_fmt;  /* the guest's paging format */
	gpa_t gpt_root;                   /* the guest's current root (CR3, TTBR0_EL1):
					     the table address alone, without
					     CR3's PCID/PWT/PCD or TTBR's ASID/CnP
					     bits (an unaligned root faults) */
	bool gpt_enabled;                 /* guest paging on?  if not, gva == gpa */
	/*
	 * The second-level tables map ram, linearly ([gpa, gpa + size) to
	 * [hpa, hpa + size)) and with PT_RWX, and nothing else -- how
	 * hv/vm.c builds every VM's.  Then a guest-physical address is RAM
	 * exactly when it lies in that range, and the RAM layout answers
	 * what a walk of s2 would, with the same bounds: guest_phys_ptr
	 * skips the walk, and x86-64 guest tables are walked directly
	 * (pt_x86_64_translate_flat).  false: every address walks s2.
	 */
	bool s2_is_ram;

	/*
	 * How an address picks its tables, where the format alone does not
	 * say.  All zero (the default): one space, gpt_fmt from address 0
	 * up to its in_bits, as x86-64 paging is walked here.  Arm's EL1&0
	 * regime (the backend reads it from TCR_EL1) is split:
	 *   - bit 55 of the address picks the lower space (gpt_fmt, gpt_root:
	 *     TTBR0) or the upper (upper_fmt, upper_root: TTBR1);
	 *   - each space translates its format's in_bits (64 - TnSZ), and the
	 *     bits above, up to 55 where the space ignores the top byte (TBI)
	 *     and 63 where not, must all equal bit 55: otherwise the CPU
	 *     faults, and so does this walk;
	 *   - a space whose walks are disabled (EPDn) faults everywhere.
	 * unsupported, when set, names why the regime cannot be walked here
	 * (a granule other than 4 KiB, a size the format cannot take): every
	 * translation then fails with MM_EUNSUPPORTED, rather than resolve a
	 * page the CPU would not.
	 */
	bool split;
	const struct pt_format *upper_fmt;
	gpa_t upper_root;
	bool lower_disabled, upper_disabled;
	bool lower_tbi, upper_tbi;
	const char *unsupported;

	/*
	 * The guest kernel has forbidden itself data accesses to pages its
	 * user mode may reach: Arm's PAN (PSTATE.PAN), x86's SMAP (CR4.SMAP
	 * with RFLAGS.AC clear, at CPL 0-2).  The CPU would fault such an
	 * access, so a walk for it must fail too (MM_EPERM on a leaf with
	 * PT_USER), or a kernel could have the hypervisor read or write a
	 * user page it cannot touch itself.  Data accesses only: whoever reads
	 * an instruction the CPU already fetched clears it.
	 */
	bool kernel_no_user;
};

/*
 * Host pointer for [addr, addr+len) of guest-physical memory, or NULL with
 * *err set (MM_ENOTMAPPED: no stage-2 mapping; MM_EPERM: stage-2 lacks
 * need_perms; MM_EFAULT: not inside the VM's RAM).  The range must not cross
 * a page boundary, and len must not be 0 (MM_EINVAL).
 */
void *guest_phys_ptr(const struct guest_mmu *m, gpa_t addr, uint64_t len,
		     unsigned need_perms, int *err);

/*
 * Translate one guest-virtual address, checking the guest's permissions
 * (need_perms against the stage-1 leaf, ANDed over the levels, and
 * kernel_no_user).  MM_ENOTMAPPED
 * if the guest's tables do not map it, MM_EPERM if they forbid the access,
 * MM_EFAULT if a guest table lies outside the VM's RAM.  With guest paging
 * off, *out = addr.  Stage 2 is checked for the tables only, not the result.
 */
int guest_virt_to_phys(const struct guest_mmu *m, gva_t addr, unsigned need_perms,
		       gpa_t *out);

/*
 * Copy between guest-virtual memory and a hypervisor buffer.  0, or:
 *   MM_ENOTMAPPED  the guest's tables do not map some page of it
 *   MM_EPERM       stage 1 or stage 2 forbids the read / write (PT_R / PT_W)
 *   MM_EFAULT      some page, or a guest table, is not in the VM's RAM
 *                  (whether stage 2 maps it elsewhere or not at all), or
 *                  the range wraps past the top of the address space
 *   MM_EINVAL      a write that touches more than GUEST_WRITE_MAX_PAGES
 *                  pages
 * A failed read may have filled part of dst.  A write translates every
 * page before it writes the first byte, and then writes where those
 * translations said: the write itself may change the guest's page tables
 * (the destination may hold them), and must neither follow such a change
 * part-way nor fail after writing part of the range.  So a failed write
 * changes nothing.
 */
/*
 * As guest_read_virt, for a copy that may stop early: up to len bytes
 * (len <= PAGE_SIZE) from src, page by page, stopping at the first page
 * that cannot be read -- the bytes of an instruction whose second page is
 * not mapped although the instruction may end before it.  Returns how
 * many bytes were copied; 0, with *err set as guest_read_virt would, when
 * not even the first byte can be.  With s2_is_ram and 4-level x86-64
 * tables this is the x86 exit path's instruction fetch: one direct walk
 * per page, no call through a function pointer.
 */
uint64_t guest_read_virt_prefix(const struct guest_mmu *m, gva_t src, void *dst,
				uint64_t len, int *err);

/*
 * The x86 exit path's instruction fetch: pt_x86_64_translate_flat's walk, unrolled by the compiler (four fixed levels, the shift a
 * constant at each), with only what a fetch asks of it -- present entries,
 * a leaf where the format allows one, tables and the page inside the VM's
 * RAM -- and the bytes copied straight from there.  The answers are the
 * generic walk's, bound for bound and error for error (tests/test_pt_direct.c
 * compares them); the permissions it does not compute are not asked for:
 * an instruction fetch at CPL 0 may read any present page (SMAP is for
 * data), and RAM is mapped readable at the second level.
 */
static inline __attribute__((always_inline)) int
guest_x86_64_ram_walk(const struct guest_ram *ram, uint64_t root, uint64_t va, uint64_t *pa)
{
	const uint8_t *host = ram->host;
	uint64_t base = gpa_val(ram->gpa);
	uint64_t table = root;

	if (va >> 48)
		return MM_ENOTMAPPED;
	if (ram->size < PAGE_SIZE || (root & (PAGE_SIZE - 1)))
		return MM_EFAULT;
	uint64_t last = ram->size - PAGE_SIZE;
#pragma GCC unroll 4
	for (int level = 3; level >= 0; level--) {
		unsigned shift = PAGE_SHIFT + 9 * (unsigned)level;
		uint64_t off = table - base;      /* below base wraps: huge */
		if (off > last)
			return MM_EFAULT;
		uint64_t e = *(const volatile uint64_t *)(host + off + ((va >> shift) & 511) * 8);
		if (!(e & X86_P))
			return MM_ENOTMAPPED;
		if (level > 0 && !(e & X86_PS)) {
			table = e & X86_OA_MASK;
			continue;
		}
		uint64_t size = 1ull << shift;
		if (level == 3)
			return MM_ENOTMAPPED;      /* PS in a PML4E is reserved */
		if (level > 0 && (e & X86_OA_MASK & (size - 1) & ~X86_PAT_LARGE))
			return MM_ENOTMAPPED;      /* reserved address bits */
		*pa = (e & X86_OA_MASK & ~(size - 1)) + (va & (size - 1));
		return 0;
	}
	return MM_ENOTMAPPED; /* not reached: level 0 is always a leaf */
}

/* The host pointer for chunk bytes at va, inside one page: x86_64_ram_chunk's
 * answer, without the guest_mmu. */
static inline __attribute__((always_inline)) const uint8_t *
guest_x86_64_fetch_chunk(const struct guest_ram *ram, bool paging, uint64_t root, uint64_t va,
		   uint64_t chunk, int *err)
{
	uint64_t pa = va;

	if (paging) {
		int e = guest_x86_64_ram_walk(ram, root, va, &pa);
		if (e) {
			*err = e;
			return NULL;
		}
	}
	uint64_t off = pa - gpa_val(ram->gpa);
	if (pa < gpa_val(ram->gpa) || off >= ram->size || chunk > ram->size - off) {
		*err = MM_EFAULT;
		return NULL;
	}
	return ram->host + off;
}

/*
 * guest_read_virt_prefix for the x86 exit path's instruction fetch, with
 * what the exit already knows instead of a guest_mmu: len bytes (at most
 * a page; an instruction's 15) at rip, through the guest's 4-level x86-64
 * tables at root when paging is on, else rip is guest-physical, from the
 * VM's RAM (the second-level tables map it, and nothing else: s2_is_ram).
 * The same bounds, the same answers as guest_read_virt_prefix with that
 * guest_mmu and kernel_no_user false (an instruction fetch; SMAP is for
 * data): how many bytes were copied, 0 with *err when not even the first
 * page can be read.  One direct walk per page, no guest_mmu to prepare,
 * and inline for an instruction in one page: the exit path's fetch.
 */
uint64_t guest_x86_64_fetch_pages(const struct guest_ram *ram, bool paging, gpa_t root,
				  gva_t rip, uint8_t *dst, uint64_t len, int *err);

static inline uint64_t guest_x86_64_fetch(const struct guest_ram *ram, bool paging, gpa_t root,
					  gva_t rip, uint8_t *dst, uint64_t len, int *err)
{
	uint64_t va = gva_val(rip);

	if (len != 15 || (va & (PAGE_SIZE - 1)) > PAGE_SIZE - 15)
		return guest_x86_64_fetch_pages(ram, paging, root, rip, dst, len, err);
	/* The usual case, inline: an instruction's 15 bytes in one page
	 * (which cannot wrap past the top: a page does not), as two
	 * overlapping 8-byte copies. */
	const uint8_t *host = guest_x86_64_fetch_chunk(ram, paging, gpa_val(root), va, len, err);
	if (!host)
		return 0;
	*err = 0;
	__builtin_memcpy(dst, host, 8);
	__builtin_memcpy(dst + 7, host + 7, 8);
	return 15;
}

#define GUEST_WRITE_MAX_PAGES 16
int guest_read_virt(const struct guest_mmu *m, gva_t src, void *dst, uint64_t len);
int guest_write_virt(const struct guest_mmu *m, gva_t dst, const void *src, uint64_t len);

/*
 * A pt_mem that reaches table pages through the VM's stage-2 and RAM bounds:
 * use it to walk the guest's own (untrusted) page tables.  It allocates
 * nothing.
 */
void guest_mmu_table_mem(const struct guest_mmu *m, struct pt_mem *out);

#endif
