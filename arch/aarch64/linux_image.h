/*
 * The arm64 Linux boot protocol's file checks (the kernel's
 * Documentation/arch/arm64/booting.rst): is this file an Image minihv can
 * boot in this much guest RAM, and where do the kernel, the initrd and the
 * device tree go.  Pure C, no system registers: the host tests run it
 * (tests/test_linux_image.c, tests/fuzz/fuzz_config.c).
 *
 * The Image's first 64 bytes are its header, all little-endian:
 *
 *	 0  code0        u32   executable code (a branch, or "MZ" for the EFI stub)
 *	 4  code1        u32
 *	 8  text_offset  u64   where the Image goes, from a 2 MiB-aligned base
 *	16  image_size   u64   bytes the kernel uses from there, bss included
 *	24  flags        u64   bit 0: big-endian; bits 1-2: page size
 *	                       (0 unspecified, 1 4K, 2 16K, 3 64K); bit 3:
 *	                       placement anywhere in RAM (else near its start)
 *	32  res2..res4   u64 x3
 *	56  magic        u32   0x644d5241, "ARM\x64"
 *	60  res5         u32   offset of the PE header (EFI stub)
 *
 * Guest RAM, ram_size bytes from a 2 MiB-aligned GPA (minihv's is
 * 0x80000000: 1 GiB-aligned too, so with at most 32 GiB of RAM the kernel and
 * initrd always share the 1 GiB-aligned 32 GiB window booting.rst asks for):
 *
 *	0                  kernel_off = text_offset
 *	|      unused      |  kernel: image_size bytes  | free | initrd | DTB  |
 *	                                                initrd_off  dtb_off  ram_size
 *
 * The device tree gets the last 2 MiB of RAM, a 2 MiB region of its own
 * (booting.rst: 8-byte aligned, at most 2 MiB, in no 2 MiB region that needs
 * other memory attributes); the initrd sits page-aligned right below it; the
 * kernel at the bottom must end at or below the initrd (or the device tree).
 * The rest of RAM is the kernel's to find in the device tree's memory node.
 */
#ifndef ARCH_AARCH64_LINUX_IMAGE_H
#define ARCH_AARCH64_LINUX_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define LINUX_ARM64_HEADER_SIZE  64
#define LINUX_ARM64_MAGIC        0x644d5241u   /* "ARM\x64" read little-endian */
#define LINUX_ARM64_DTB_SIZE     (2ull << 20)  /* the region, and the largest device tree */

struct linux_arm64_layout {
	uint64_t text_offset, image_size;  /* from the header (image_size 0, a kernel before 3.17,
					      is refused: its header does not say how much memory
					      it needs) */
	uint64_t kernel_off;   /* offset of the Image's first byte from the start of guest RAM (=
				  text_offset: RAM's base is 2 MiB aligned) */
	uint64_t dtb_off;      /* where the device tree goes: the last 2 MiB of RAM, max size 2 MiB */
	uint64_t initrd_off;   /* page-aligned, just below the DTB region; 0 when no initrd */
};

/*
 * Check the Image header in file[0..file_len) for guest RAM of ram_size bytes
 * and an initrd of initrd_len bytes (0: none), and choose the layout.
 *
 * Returns 0 and fills *out if it can boot.  Else returns -1 and writes why
 * into why[0..why_len) as a NUL-terminated sentence (truncated to fit; 160
 * bytes always hold it whole), e.g.
 *	not an arm64 Image: magic 0x464c457f at offset 56, expected 0x644d5241 ("ARM\x64")
 *	the kernel (image_size 0x2be0000 at offset 0x0) needs more than the
 *	0x1a00000 bytes of RAM below the initrd and device tree
 * *out is then unspecified.
 *
 * Only the header is read: file[0..min(file_len, 64)).  file_len is the
 * whole file's length (the Image must not be longer than the image_size it
 * declares), so a caller may pass the first 64 bytes read and the file's
 * size.  Every sum is checked before it is made: any of the header's u64s
 * and any ram_size and initrd_len are safe to pass.
 */
int linux_arm64_image_check(const void *file, uint64_t file_len, uint64_t ram_size, uint64_t initrd_len,
			    struct linux_arm64_layout *out, char *why, size_t why_len);

/*
 * The initrd's first bytes: a newc cpio archive ("070701", or "070702" with
 * checksums) or a stream the kernel can unpack (gzip, xz, zstd, lz4, bzip2,
 * lzma, lzo).  NULL if recognised, else why not (a static string).  An empty
 * initrd is refused.  Reads file[0..min(len, 110)).
 */
const char *linux_initrd_check(const void *file, uint64_t len);

#endif
