/*
 * Reaching guest memory safely (see guest_mem.h).
 *
 * The path from a guest-virtual address to a byte the hypervisor may touch
 * has three checks, and this file is those three checks and nothing else:
 *
 *   1. the guest's tables map it, with the rights asked for (stage 1)
 *   2. our tables map that guest-physical page, with the rights (stage 2)
 *   3. the host-physical result lies inside this VM's RAM block
 *
 * Only after 3 is a host pointer formed, and always as ram->host plus an
 * offset already checked against ram->size: never from an address the
 * guest supplied.  The guest's own tables are walked with the same checks,
 * through a pt_mem whose table_ptr is guest_phys_ptr.
 */
#include "guest_mem.h"

void *guest_phys_ptr(const struct guest_mmu *m, gpa_t addr, uint64_t len,
		     unsigned need_perms, int *err)
{
	const struct guest_ram *ram = m->ram;
	uint64_t page_off = gpa_val(addr) & (PAGE_SIZE - 1);
	uint64_t host_pa, off;
	hpa_t h;
	unsigned perms;
	int e;

	if (len == 0 || len > PAGE_SIZE - page_off) {
		*err = MM_EINVAL;
		return NULL;
	}
	if (m->s2_is_ram) {
		/* What the walk below would find, from the layout: RAM is
		 * mapped PT_RWX, everything else not at all. */
		if (gpa_val(addr) < gpa_val(ram->gpa)) {
			*err = MM_ENOTMAPPED;
			return NULL;
		}
		off = gpa_val(addr) - gpa_val(ram->gpa);
		if (off >= ram->size) {
			*err = MM_ENOTMAPPED;
			return NULL;
		}
		if (need_perms & ~PT_RWX) {
			*err = MM_EPERM;
			return NULL;
		}
		if (len > ram->size - off) {
			*err = MM_EFAULT;
			return NULL;
		}
		return ram->host + off;
	}
	e = s2_translate(m->s2, addr, &h, &perms);
	if (e) {
		*err = e;
		return NULL;
	}
	if ((perms & need_perms) != need_perms) {
		*err = MM_EPERM;
		return NULL;
	}
	/* Written so that no sum can overflow: first the start must be in the
	 * block, then the length must fit in what is left of it. */
	host_pa = hpa_val(h);
	if (host_pa < hpa_val(ram->hpa)) {
		*err = MM_EFAULT;
		return NULL;
	}
	off = host_pa - hpa_val(ram->hpa);
	if (off >= ram->size || len > ram->size - off) {
		*err = MM_EFAULT;
		return NULL;
	}
	return ram->host + off;
}

/* pt_mem.table_ptr for the guest's tables: a table is one readable page of
 * the VM's RAM, reached like any other guest-physical page. */
static uint64_t *guest_table_ptr(void *ctx, uint64_t pa)
{
	const struct guest_mmu *m = ctx;
	int err;

	if (!is_aligned(pa, PAGE_SIZE))
		return NULL;
	return guest_phys_ptr(m, gpa(pa), PAGE_SIZE, PT_R, &err);
}

/* pt_mem.alloc_table: we only read the guest's tables, never grow them. */
static int guest_table_no_alloc(void *ctx, uint64_t *pa_out)
{
	(void)ctx;
	(void)pa_out;
	return MM_ENOMEM;
}

void guest_mmu_table_mem(const struct guest_mmu *m, struct pt_mem *out)
{
	out->alloc_table = guest_table_no_alloc;
	out->alloc_tables = NULL;
	out->table_ptr = guest_table_ptr;
	out->free_table = NULL;    /* the guest's pages are not ours to free */
	out->ctx = (void *)m; /* pt_mem's ctx is not const; we only read m */
}

/*
 * Which tables translate va, and the address the walk indexes them with
 * (guest_mmu's rules for a split regime).  MM_ENOTMAPPED where the CPU
 * would fault before any walk: a disabled space, top bits that do not
 * match bit 55.
 */
static int pick_space(const struct guest_mmu *m, uint64_t va, const struct pt_format **fmt,
		      gpa_t *root, uint64_t *in)
{
	if (m->unsupported)
		return MM_EUNSUPPORTED;
	if (!m->split) {
		*fmt = m->gpt_fmt;
		*root = m->gpt_root;
		*in = va;
		return 0;
	}
	bool upper = (va >> 55) & 1;
	*fmt = upper ? m->upper_fmt : m->gpt_fmt;
	*root = upper ? m->upper_root : m->gpt_root;
	if ((upper ? m->upper_disabled : m->lower_disabled) || !*fmt)
		return MM_ENOTMAPPED;
	unsigned bits = (*fmt)->in_bits;
	if (bits > 55)
		return MM_EUNSUPPORTED;
	/* The bits that must all equal bit 55: from in_bits up to 55, or
	 * to 63 where the top byte counts. */
	uint64_t top = (upper ? m->upper_tbi : m->lower_tbi) ? (1ull << 56) - 1 : ~0ull;
	uint64_t must = top & ~((1ull << bits) - 1);
	if ((va & must) != (upper ? must : 0))
		return MM_ENOTMAPPED;
	*in = va & ((1ull << bits) - 1);
	return 0;
}

int guest_virt_to_phys(const struct guest_mmu *m, gva_t addr, unsigned need_perms,
		       gpa_t *out)
{
	const struct pt_format *fmt;
	struct pt_mem mem;
	struct pt gpt;
	gpa_t root;
	uint64_t in;
	unsigned perms;
	int err;

	if (!m->gpt_enabled) {
		/* Paging off: the guest uses physical addresses directly, and
		 * only stage 2 has a say. */
		*out = gpa(gva_val(addr));
		return 0;
	}
	err = pick_space(m, gva_val(addr), &fmt, &root, &in);
	if (err)
		return err;
	if (fmt == &pt_format_x86_64 && m->s2_is_ram) {
		/* The guest's tables are pages of its RAM: walk them there,
		 * without the engine's indirections (pt.h). */
		struct pt_flat flat = {
			.host = m->ram->host, .base = gpa_val(m->ram->gpa), .size = m->ram->size,
		};
		struct pt_walk w;
		err = pt_x86_64_translate_flat(&flat, gpa_val(root), in, &w);
		if (err)
			return err;
		*out = gpa(w.out);
		perms = w.perms;
	} else {
		guest_mmu_table_mem(m, &mem);
		pt_attach(&gpt, fmt, &mem, gpa_val(root));
		err = gpt_translate(&gpt, gva(in), out, &perms);
		if (err)
			return err;
	}
	if ((perms & need_perms) != need_perms)
		return MM_EPERM;
	if (m->kernel_no_user && (perms & PT_USER))
		return MM_EPERM;        /* PAN, SMAP */
	return 0;
}

/*
 * The host pointer for the chunk bytes at va (one page at most) that the
 * guest's tables and ours lead to, with need_perms at both stages; or NULL
 * with *err set.
 */
static uint8_t *chunk_ptr(const struct guest_mmu *m, uint64_t va, uint64_t chunk,
			  unsigned need, int *err)
{
	gpa_t pa;
	uint8_t *host;

	*err = guest_virt_to_phys(m, gva(va), need, &pa);
	if (*err)
		return NULL;
	host = guest_phys_ptr(m, pa, chunk, need, err);
	if (!host && *err == MM_ENOTMAPPED)
		*err = MM_EFAULT; /* not RAM of this VM, mapped or not: a bad address */
	return host;
}

/* How much of [va, va+len) lies in va's page. */
static uint64_t chunk_len(uint64_t va, uint64_t len)
{
	uint64_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));

	return chunk < len ? chunk : len;
}

/* The last byte, va + len - 1, must not wrap past the top. */
static bool wraps(uint64_t va, uint64_t len)
{
	return len > 0 && len - 1 > UINT64_MAX - va;
}

int guest_read_virt(const struct guest_mmu *m, gva_t src, void *dst, uint64_t len)
{
	uint64_t va = gva_val(src);
	uint8_t *out = dst;

	if (wraps(va, len))
		return MM_EFAULT;
	/*
	 * Page by page, translating each piece afresh: pages next to each
	 * other in the guest's virtual space may be anywhere in its physical
	 * space and in ours.
	 */
	while (len > 0) {
		uint64_t chunk = chunk_len(va, len);
		int err;
		const uint8_t *host = chunk_ptr(m, va, chunk, PT_R, &err);

		if (!host)
			return err;
		__builtin_memcpy(out, host, chunk);
		out += chunk;
		len -= chunk;
		va += chunk;
	}
	return 0;
}

/*
 * The host pointer for the chunk bytes at va (within one page), readable,
 * for the x86-64 guest with s2_is_ram: chunk_ptr's answer, from the direct
 * walk and the RAM layout.
 */
static const uint8_t *x86_64_ram_chunk(const struct guest_mmu *m, uint64_t va,
				       uint64_t chunk, int *err)
{
	const struct guest_ram *ram = m->ram;
	uint64_t pa = va;

	if (m->gpt_enabled) {
		struct pt_flat flat = { ram->host, gpa_val(ram->gpa), ram->size };
		struct pt_walk w;
		int e = pt_x86_64_translate_flat(&flat, gpa_val(m->gpt_root), va, &w);
		if (e) {
			*err = e;
			return NULL;
		}
		/* (x86 has no present-but-unreadable entry: PT_R is always
		 * there; asked all the same, as chunk_ptr asks.) */
		if (!(w.perms & PT_R)) {
			*err = MM_EPERM;
			return NULL;
		}
		/* PAN/SMAP, as guest_virt_to_phys applies them (the exit path's
		 * instruction fetch clears kernel_no_user: they cover data). */
		if (m->kernel_no_user && (w.perms & PT_USER)) {
			*err = MM_EPERM;
			return NULL;
		}
		pa = w.out;
	}
	/* Not in this VM's RAM: the second-level tables map nothing else
	 * (chunk_ptr turns that into MM_EFAULT, a bad address). */
	uint64_t off = pa - gpa_val(ram->gpa);
	if (pa < gpa_val(ram->gpa) || off >= ram->size || chunk > ram->size - off) {
		*err = MM_EFAULT;
		return NULL;
	}
	return ram->host + off;
}

/* n bytes from src to dst, n <= PAGE_SIZE: 8 at a time where it can (an
 * instruction's 15 bytes are two overlapping 8-byte copies). */
static void copy_small(uint8_t *dst, const uint8_t *src, uint64_t n)
{
	if (n >= 8) {
		uint64_t i;
		for (i = 0; i + 8 <= n; i += 8)
			__builtin_memcpy(dst + i, src + i, 8);
		if (i < n)
			__builtin_memcpy(dst + n - 8, src + n - 8, 8);
		return;
	}
	for (uint64_t i = 0; i < n; i++)
		dst[i] = src[i];
}

uint64_t guest_read_virt_prefix(const struct guest_mmu *m, gva_t src, void *dst,
				uint64_t len, int *err)
{
	bool direct = m->s2_is_ram && !m->split && !m->unsupported &&
		      m->gpt_fmt == &pt_format_x86_64;
	uint8_t *out = dst;
	uint64_t got = 0;

	*err = 0;
	while (got < len) {
		uint64_t va = gva_val(src) + got;
		uint64_t chunk = chunk_len(va, len - got);
		const uint8_t *host;
		int e;

		if (wraps(va, chunk)) {
			host = NULL;
			e = MM_EFAULT;
		} else if (direct) {
			host = x86_64_ram_chunk(m, va, chunk, &e);
		} else {
			host = chunk_ptr(m, va, chunk, PT_R, &e);
		}
		if (!host) {
			if (got == 0)
				*err = e;
			break;
		}
		copy_small(out + got, host, chunk);
		got += chunk;
	}
	return got;
}

/* guest_x86_64_fetch when the bytes run on into the next page (guest_mem.h). */
uint64_t guest_x86_64_fetch_pages(const struct guest_ram *ram, bool paging, gpa_t root,
				  gva_t rip, uint8_t *dst, uint64_t len, int *err)
{
	uint64_t va = gva_val(rip);
	uint64_t first = chunk_len(va, len);
	const uint8_t *host;

	*err = 0;
	if (wraps(va, first)) {
		*err = MM_EFAULT;
		return 0;
	}
	host = guest_x86_64_fetch_chunk(ram, paging, gpa_val(root), va, first, err);
	if (!host)
		return 0;
	copy_small(dst, host, first);
	if (first == len)
		return len;
	/* The instruction runs on into the next page, which may be anywhere
	 * (or nowhere): walked afresh, and what it cannot give is left out,
	 * as guest_read_virt_prefix leaves it. */
	int e;
	va += first;
	if (wraps(va, len - first))
		return first;
	host = guest_x86_64_fetch_chunk(ram, paging, gpa_val(root), va, len - first, &e);
	if (!host)
		return first;
	copy_small(dst + first, host, len - first);
	return len;
}

int guest_write_virt(const struct guest_mmu *m, gva_t dst, const void *src, uint64_t len)
{
	struct {
		uint8_t *host;
		uint64_t len;
	} piece[GUEST_WRITE_MAX_PAGES];
	unsigned n = 0;
	uint64_t va = gva_val(dst);
	const uint8_t *in = src;

	if (wraps(va, len))
		return MM_EFAULT;
	/*
	 * Every page first.  Translating as we copied would let the bytes
	 * written to one page (a guest page table, say) decide where the
	 * next ones go, or make the next page fail after this one was
	 * written.
	 */
	while (len > 0) {
		uint64_t chunk = chunk_len(va, len);
		int err;

		if (n == GUEST_WRITE_MAX_PAGES)
			return MM_EINVAL;
		piece[n].host = chunk_ptr(m, va, chunk, PT_W, &err);
		if (!piece[n].host)
			return err;
		piece[n++].len = chunk;
		len -= chunk;
		va += chunk;
	}
	for (unsigned i = 0; i < n; i++) {
		__builtin_memcpy(piece[i].host, in, piece[i].len);
		in += piece[i].len;
	}
	return 0;
}
