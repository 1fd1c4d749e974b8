/*
 * The arm64 Image and initrd checks (linux_image.h has the layout and the
 * header's fields).
 *
 * The file comes from the boot volume, so every field is hostile: the order
 * below makes the most useful sentence win.  A file that is not an Image at
 * all is first told what it looks like instead (a gzip'ed vmlinuz, an EFI
 * zboot image: the two mistakes Debian's /boot invites), then the header's
 * fields one by one, then whether it fits.  All arithmetic on the header's
 * u64s is done as comparisons against what is left, never as sums that
 * could pass 2^64.
 */
#include <stdarg.h>
#include <stdint.h>

#include "linux_image.h"
#include "bytes.h"
#include "../../lib/format.h"

#define SZ_4K (4ull << 10)
#define SZ_2M (2ull << 20)

#define FLAG_BE         1ull
#define FLAG_PAGE_SHIFT 1
#define FLAG_PAGE_MASK  3ull

/* The initrd's smallest useful newc cpio: one 110-byte header. */
#define CPIO_NEWC_HEADER 110

static int starts_with(const unsigned char *b, uint64_t n, const char *magic, uint64_t m)
{
	if (n < m)
		return 0;
	for (uint64_t i = 0; i < m; i++)
		if (b[i] != (unsigned char)magic[i])
			return 0;
	return 1;
}

/*
 * The compressed streams the kernel's initramfs unpacker knows
 * (lib/decompress.c), by their magic: name, and how to undo it by hand.
 */
static const struct compressor {
	const char *magic;
	unsigned len;
	const char *name, *undo;
} compressors[] = {
	{ "\x1f\x8b", 2, "gzip", "gunzip it" },
	{ "\xfd" "7zXZ\0", 6, "xz", "unxz it" },
	{ "\x28\xb5\x2f\xfd", 4, "zstd", "unzstd it" },
	{ "\x02\x21\x4c\x18", 4, "lz4", "lz4 -d it" },
	{ "BZh", 3, "bzip2", "bunzip2 it" },
	{ "\x5d\0\0", 3, "lzma", "unlzma it" },
	{ "\x89LZO", 4, "lzo", "lzop -d it" },
};

static const struct compressor *compressed(const unsigned char *b, uint64_t n)
{
	for (unsigned i = 0; i < sizeof(compressors) / sizeof(compressors[0]); i++)
		if (starts_with(b, n, compressors[i].magic, compressors[i].len))
			return &compressors[i];
	return 0;
}

__attribute__((format(printf, 3, 4)))
static int refuse(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (why && why_len)
		format_buf_v(why, why_len, fmt, ap);
	va_end(ap);
	return -1;
}

int linux_arm64_image_check(const void *file, uint64_t file_len, uint64_t ram_size, uint64_t initrd_len,
			    struct linux_arm64_layout *out, char *why, size_t why_len)
{
	const unsigned char *b = file;
	uint64_t n = file_len < LINUX_ARM64_HEADER_SIZE ? file_len : LINUX_ARM64_HEADER_SIZE;
	const struct compressor *c;
	uint64_t text_offset, image_size, flags, dtb_off, initrd_off, limit;
	unsigned page;

	/* What the file is, if not an Image.  EFI zboot ("MZ", then "zimg";
	 * CONFIG_EFI_ZBOOT) is a compressed kernel with a small EFI program in
	 * front that unpacks it: only an EFI loader can start it. */
	if (starts_with(b, n, "MZ", 2) && n >= 8 && starts_with(b + 4, n - 4, "zimg", 4))
		return refuse(why, why_len, "EFI zboot image (a compressed kernel only an EFI loader "
			      "unpacks): the boot protocol takes the plain Image inside it");
	if (n < LINUX_ARM64_HEADER_SIZE || le32(b + 56) != LINUX_ARM64_MAGIC) {
		c = compressed(b, n);
		if (c)
			return refuse(why, why_len, "compressed kernel (%s): the boot protocol takes the "
				      "decompressed Image: %s", c->name, c->undo);
		if (n < LINUX_ARM64_HEADER_SIZE)
			return refuse(why, why_len, "the file (%llu bytes) is shorter than the 64-byte arm64 "
				      "Image header", (unsigned long long)file_len);
		return refuse(why, why_len, "not an arm64 Image: magic 0x%08x at offset 56, expected "
			      "0x644d5241 (\"ARM\\x64\")", (unsigned)le32(b + 56));
	}

	text_offset = le64(b + 8);
	image_size = le64(b + 16);
	flags = le64(b + 24);
	if (flags & FLAG_BE)
		return refuse(why, why_len, "big-endian kernel: minihv boots little-endian guests only");
	/* The page size the kernel was built for: the CPU must implement that
	 * translation granule, and this check cannot ask it (cortex-a57 has no
	 * 16K).  A kernel without it stops before printing anything, so
	 * 16K and 64K kernels are refused here with a reason instead. */
	page = (unsigned)((flags >> FLAG_PAGE_SHIFT) & FLAG_PAGE_MASK);
	if (page == 2 || page == 3)
		return refuse(why, why_len, "the kernel is built for %s pages: minihv boots 4K-page kernels "
			      "only", page == 2 ? "16K" : "64K");
	/* Before 3.17 image_size was 0 and the kernel's size in memory (bss
	 * included) appears nowhere: guessing from the file length would place
	 * the device tree or initrd where its bss gets cleared. */
	if (image_size == 0)
		return refuse(why, why_len, "image_size is 0 (a kernel older than 3.17): its size in memory "
			      "is unknown; not supported");
	if (text_offset % SZ_4K)
		return refuse(why, why_len, "text_offset 0x%llx is not 4 KiB aligned",
			      (unsigned long long)text_offset);
	if (file_len > image_size)
		return refuse(why, why_len, "the file (%llu bytes) is longer than the image_size (0x%llx) it "
			      "declares", (unsigned long long)file_len, (unsigned long long)image_size);

	/* Guest RAM: whole 2 MiB blocks (the kernel's base must be 2 MiB
	 * aligned, and the device tree has the last block to itself) and room
	 * for more than the device tree. */
	if (ram_size % SZ_2M)
		return refuse(why, why_len, "RAM size 0x%llx is not a multiple of 2 MiB",
			      (unsigned long long)ram_size);
	if (ram_size < 2 * SZ_2M)
		return refuse(why, why_len, "RAM size 0x%llx is too small: the device tree alone takes 2 MiB",
			      (unsigned long long)ram_size);
	dtb_off = ram_size - LINUX_ARM64_DTB_SIZE;
	initrd_off = 0;
	limit = dtb_off;
	if (initrd_len) {
		if (initrd_len > dtb_off)
			return refuse(why, why_len, "the initrd (%llu bytes) is larger than the 0x%llx bytes of "
				      "RAM below the device tree", (unsigned long long)initrd_len,
				      (unsigned long long)dtb_off);
		initrd_off = (dtb_off - initrd_len) & ~(SZ_4K - 1);
		limit = initrd_off;
	}
	/* [text_offset, text_offset + image_size) within [0, limit), as two
	 * comparisons: text_offset + image_size could wrap. */
	if (text_offset >= ram_size)
		return refuse(why, why_len, "text_offset 0x%llx is too large for 0x%llx bytes of RAM",
			      (unsigned long long)text_offset, (unsigned long long)ram_size);
	if (text_offset >= limit || image_size > limit - text_offset)
		return refuse(why, why_len, "the kernel (image_size 0x%llx at offset 0x%llx) needs more than "
			      "the 0x%llx bytes of RAM below the initrd and device tree",
			      (unsigned long long)image_size, (unsigned long long)text_offset,
			      (unsigned long long)limit);

	out->text_offset = text_offset;
	out->image_size = image_size;
	out->kernel_off = text_offset;
	out->dtb_off = dtb_off;
	out->initrd_off = initrd_off;
	if (why && why_len)
		why[0] = '\0';
	return 0;
}

const char *linux_initrd_check(const void *file, uint64_t len)
{
	const unsigned char *b = file;
	uint64_t n = len < CPIO_NEWC_HEADER ? len : CPIO_NEWC_HEADER;

	if (len == 0)
		return "the initrd is empty";
	if (starts_with(b, n, "070701", 6) || starts_with(b, n, "070702", 6)) {
		if (len < CPIO_NEWC_HEADER)
			return "the initrd is a newc cpio archive cut short: less than one 110-byte header";
		return 0;
	}
	if (starts_with(b, n, "070707", 6))
		return "the initrd is an old-style (odc) cpio archive: the kernel unpacks newc only "
		       "(cpio -H newc)";
	if (starts_with(b, n, "\x04\x22\x4d\x18", 4))
		return "the initrd is lz4 in frame format: the kernel unpacks lz4's legacy format only (lz4 -l)";
	if (compressed(b, n))
		return 0;
	return "the initrd is neither a newc cpio archive (\"070701\") nor a stream the kernel unpacks "
	       "(gzip, xz, zstd, lz4, bzip2, lzma, lzo)";
}
