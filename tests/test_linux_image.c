/*
 * The arm64 Image and initrd checks (arch/aarch64/linux_image.c) on headers
 * built here field by field: a real kernel's layout, then each field broken
 * in turn, and the sums a hostile header can make wrap (text_offset +
 * image_size past 2^64, RAM too small for the device tree).  Each refusal
 * is matched by its own sentence, so an earlier check firing for the wrong
 * reason cannot pass for a later one.  The fit is checked at its exact
 * boundary: with 0 bytes to spare it boots, one byte more is refused.
 *
 * With a real Debian kernel at build/deps/linux-arm64/Image (the scripts
 * that fetch it put it there; MINIHV_LINUX_IMAGE=FILE names another), its
 * header is checked too; without it that check says SKIP.
 */
#include <stdlib.h>

#include "unit.h"
#include "doc_messages.h"
#include "../arch/aarch64/linux_image.h"

#define MiB (1ull << 20)

static unsigned char img[4096];
static char why[160];
static struct linux_arm64_layout lay;

static void put32(unsigned char *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

/* An Image header as Linux 6.1 writes it (EFI stub: "MZ" first). */
static void header(uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(img, 0, sizeof(img));
	put32(img, 0xfa405a4d);		/* "MZ" + ccmp, the EFI stub's first word */
	put32(img + 4, 0x14000000 | (0x10000 >> 2));	/* b stext */
	put64(img + 8, text_offset);
	put64(img + 16, image_size);
	put64(img + 24, flags);
	put32(img + 56, LINUX_ARM64_MAGIC);
	put32(img + 60, 0x40);
}

static int check(uint64_t file_len, uint64_t ram, uint64_t initrd)
{
	memset(&lay, 0xa5, sizeof(lay));
	memset(why, 'x', sizeof(why));
	int r = linux_arm64_image_check(img, file_len, ram, initrd, &lay, why, sizeof(why));

	if (r)
		seen(why);
	return r;
}

static const char *initrd_check(const void *file, uint64_t len)
{
	const char *r = linux_initrd_check(file, len);

	seen(r);
	return r;
}

static int has(const char *s, const char *part)
{
	if (!strstr(s, part)) {
		printf("#   \"%s\"\n#   does not contain \"%s\"\n", s, part);
		return 0;
	}
	return 1;
}

static void test_good(void)
{
	/* 6.1: text_offset 0, image_size 0x2be0000, 4K pages, anywhere. */
	header(0, 0x2be0000, 1 << 1 | 1 << 3);
	CHECK_EQ(check(0x1e00000, 256 * MiB, 0), 0, "a 6.1 header, 256 MiB, no initrd: boots");
	CHECK_STR(why, "", "  why is empty");
	CHECK(lay.text_offset == 0 && lay.image_size == 0x2be0000 && lay.kernel_off == 0,
	      "  kernel at the start of RAM");
	CHECK_EQ(lay.dtb_off, 254 * MiB, "  device tree in the last 2 MiB");
	CHECK_EQ(lay.initrd_off, 0, "  no initrd: initrd_off 0");

	CHECK_EQ(check(0x1e00000, 256 * MiB, 10000000), 0, "with a 10000000-byte initrd");
	CHECK_EQ(lay.initrd_off, (254 * MiB - 10000000) & ~0xfffull, "  initrd page-aligned below the DTB");
	CHECK(lay.initrd_off % 4096 == 0 && lay.initrd_off + 10000000 <= lay.dtb_off &&
	      lay.dtb_off - (lay.initrd_off + 10000000) < 4096, "  just below it (less than a page between)");

	/* Before 5.8: text_offset 0x80000; 4.x flags 0 (unspecified). */
	header(0x80000, 0x1500000, 0);
	CHECK_EQ(check(0x1400000, 64 * MiB, 0), 0, "text_offset 0x80000, flags 0");
	CHECK(lay.kernel_off == 0x80000 && lay.text_offset == 0x80000, "  kernel_off = text_offset");
	header(0, 0x1000000, 1 << 1);
	CHECK_EQ(check(4096, 32 * MiB, 0), 0, "4K page flag");
	header(0, 0x1000000, 0xfffffffffffffff0ull | 1 << 3 | 1 << 1);
	CHECK_EQ(check(4096, 32 * MiB, 0), 0, "reserved flag bits are ignored");
	header(0, 0x1000000, 0);
	CHECK_EQ(check(4096, 32 * MiB, 0), 0, "the smallest linux RAM of the config");
	CHECK_EQ(check(0x1000000, 32 * MiB, 0), 0, "a file exactly image_size long");
	CHECK_EQ(check(64, 4 * MiB, 0), -1, "4 MiB RAM: device tree + 2 MiB is too small for 16 MiB");
	header(0, 2 * MiB, 0);
	CHECK_EQ(check(64, 4 * MiB, 0), 0, "4 MiB RAM: a 2 MiB kernel and the device tree fit exactly");

	/* Only the header is read: a caller may pass it alone. */
	header(0, 0x2be0000, 0);
	CHECK_EQ(linux_arm64_image_check(img, 0x1e00000, 256 * MiB, 0, &lay, NULL, 0), 0,
		 "why may be NULL");
	header(1, 0x2be0000, 0);
	CHECK_EQ(linux_arm64_image_check(img, 0x1e00000, 256 * MiB, 0, &lay, NULL, 0), -1,
		 "  also when refusing");
	memset(why, 'x', sizeof(why));
	CHECK_EQ(linux_arm64_image_check(img, 0x1e00000, 256 * MiB, 0, &lay, why, 8), -1, "a short why buffer");
	CHECK(why[7] == '\0' && why[8] == 'x', "  truncated inside it");
}

static void test_not_an_image(void)
{
	static const struct {
		const char *bytes;
		unsigned len;
		const char *want;
	} kinds[] = {
		{ "\x1f\x8b\x08\x00", 4, "compressed kernel (gzip): the boot protocol takes the decompressed "
		  "Image: gunzip it" },
		{ "\xfd" "7zXZ\0\0\x04", 7, "compressed kernel (xz): the boot protocol takes the decompressed "
		  "Image: unxz it" },
		{ "\x28\xb5\x2f\xfd", 4, "compressed kernel (zstd)" },
		{ "BZh9", 4, "compressed kernel (bzip2)" },
		{ "\x02\x21\x4c\x18", 4, "compressed kernel (lz4)" },
		{ "\x5d\0\0\x80\0", 5, "compressed kernel (lzma)" },
		{ "\x89LZO\0\r\n\x1a\n", 9, "compressed kernel (lzo)" },
		{ "MZ\0\0zimg", 8, "EFI zboot image (a compressed kernel only an EFI loader unpacks): the boot "
		  "protocol takes the plain Image inside it" },
	};

	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		memset(img, 0x41, sizeof(img));
		memcpy(img, kinds[i].bytes, kinds[i].len);
		CHECK(check(4096, 256 * MiB, 0) == -1 && has(why, kinds[i].want), "refused: %s", kinds[i].want);
		CHECK(check(kinds[i].len, 256 * MiB, 0) == -1 && has(why, kinds[i].want),
		      "  also when the file is only its %u-byte magic", kinds[i].len);
	}
	/* A zboot image carries a different magic at 56; but even one that
	 * said "ARM\x64" there is refused, by "zimg". */
	header(0, 0x2be0000, 0);
	memcpy(img + 4, "zimg", 4);
	CHECK(check(4096, 256 * MiB, 0) == -1 && has(why, "EFI zboot"), "zboot with ARM\\x64 at 56");

	header(0, 0x2be0000, 0);
	put32(img + 56, 0x12345678);
	CHECK_EQ(check(4096, 256 * MiB, 0), -1, "wrong magic");
	CHECK_STR(why, "not an arm64 Image: magic 0x12345678 at offset 56, expected 0x644d5241 (\"ARM\\x64\")",
		  "  its sentence");
	put32(img + 56, 0x41524d64);	/* the magic's bytes reversed */
	CHECK(check(4096, 256 * MiB, 0) == -1 && has(why, "magic 0x41524d64"), "byte-swapped magic");
	/* An arm32 zImage: its magic 0x016f2818 is at offset 36. */
	memset(img, 0, 64);
	put32(img + 36, 0x016f2818);
	CHECK(check(4096, 256 * MiB, 0) == -1 && has(why, "magic 0x00000000 at offset 56"), "arm32 zImage");

	header(0, 0x2be0000, 0);
	CHECK(check(63, 256 * MiB, 0) == -1 &&
	      !strcmp(why, "the file (63 bytes) is shorter than the 64-byte arm64 Image header"),
	      "63 bytes: shorter than the header, even with a valid-looking start");
	CHECK(check(0, 256 * MiB, 0) == -1 && has(why, "the file (0 bytes) is shorter"), "an empty file");
	CHECK(check(1, 256 * MiB, 0) == -1 && has(why, "(1 bytes) is shorter"), "a 1-byte file");
	CHECK(linux_arm64_image_check(NULL, 0, 256 * MiB, 0, &lay, why, sizeof(why)) == -1,
	      "NULL with length 0 is never read");
}

static void test_fields(void)
{
	header(0, 0x2be0000, 1);
	CHECK(check(4096, 256 * MiB, 0) == -1 &&
	      !strcmp(why, "big-endian kernel: minihv boots little-endian guests only"), "big-endian flag");
	header(0, 0x2be0000, 2 << 1);
	CHECK(check(4096, 256 * MiB, 0) == -1 &&
	      !strcmp(why, "the kernel is built for 16K pages: minihv boots 4K-page kernels only"), "16K pages");
	header(0, 0x2be0000, 3 << 1);
	CHECK(check(4096, 256 * MiB, 0) == -1 && has(why, "built for 64K pages"), "64K pages");
	header(0x80000, 0, 0);
	CHECK(check(4096, 256 * MiB, 0) == -1 &&
	      !strcmp(why, "image_size is 0 (a kernel older than 3.17): its size in memory is unknown; not "
		      "supported"), "image_size 0 (pre-3.17) is refused");
	header(0x80001, 0x2be0000, 0);
	CHECK(check(4096, 256 * MiB, 0) == -1 && !strcmp(why, "text_offset 0x80001 is not 4 KiB aligned"),
	      "text_offset unaligned");
	header(0x800, 0x2be0000, 0);
	CHECK(check(4096, 256 * MiB, 0) == -1 && has(why, "text_offset 0x800 is not 4 KiB aligned"),
	      "text_offset 2 KiB");
	header(0xfffffffffffff000ull, 0x1000, 0);
	CHECK(check(4096, 256 * MiB, 0) == -1 &&
	      !strcmp(why, "text_offset 0xfffffffffffff000 is too large for 0x10000000 bytes of RAM"),
	      "text_offset near 2^64");
	header(256 * MiB, 0x1000, 0);
	CHECK(check(4096, 256 * MiB, 0) == -1 && has(why, "text_offset 0x10000000 is too large"),
	      "text_offset = RAM size");
	header(0, 0x100, 0);
	CHECK(check(0x101, 256 * MiB, 0) == -1 &&
	      !strcmp(why, "the file (257 bytes) is longer than the image_size (0x100) it declares"),
	      "file longer than image_size");
	CHECK_EQ(check(0x100, 256 * MiB, 0), 0, "  a file exactly image_size long boots");
}

static void test_fit(void)
{
	uint64_t limit = 30 * MiB, initrd = 3 * 4096 + 1, ilimit = 30 * MiB - 4 * 4096;

	/* 32 MiB of RAM, no initrd: 30 MiB below the device tree. */
	header(0, limit, 0);
	CHECK_EQ(check(4096, 32 * MiB, 0), 0, "image_size = RAM - 2 MiB: fits with 0 bytes to spare");
	header(0, limit + 1, 0);
	CHECK_EQ(check(4096, 32 * MiB, 0), -1, "one byte more: refused");
	CHECK_STR(why, "the kernel (image_size 0x1e00001 at offset 0x0) needs more than the 0x1e00000 bytes "
		  "of RAM below the initrd and device tree", "  its sentence");
	header(0x80000, limit - 0x80000, 0);
	CHECK_EQ(check(4096, 32 * MiB, 0), 0, "text_offset 0x80000: exact fit");
	header(0x80000, limit - 0x80000 + 1, 0);
	CHECK(check(4096, 32 * MiB, 0) == -1 && has(why, "(image_size 0x1d80001 at offset 0x80000) needs more than"),
	      "  one byte more: refused");

	/* With an initrd of 3 pages + 1 byte: it starts 4 pages below the DTB. */
	header(0, ilimit, 0);
	CHECK_EQ(check(4096, 32 * MiB, initrd), 0, "with an initrd: exact fit below it");
	CHECK_EQ(lay.initrd_off, ilimit, "  initrd 4 pages below the DTB");
	header(0, ilimit + 1, 0);
	CHECK(check(4096, 32 * MiB, initrd) == -1 && has(why, "more than the 0x1dfc000 bytes of RAM below"),
	      "  one byte more: refused");

	/* Sums that wrap. */
	header(0x1000, 0xfffffffffffff000ull, 0);
	CHECK(check(4096, 256 * MiB, 0) == -1 && has(why, "(image_size 0xfffffffffffff000 at offset "
						      "0x1000)"), "text_offset + image_size = 2^64 (wraps to 0)");
	header(0x2000, 0xfffffffffffff000ull, 0);
	CHECK(check(4096, 256 * MiB, 0) == -1 && has(why, "needs more than"), "text_offset + image_size wraps "
	      "to 0x1000");
	header(0, UINT64_MAX, 0);
	CHECK(check(4096, 256 * MiB, 0) == -1 && has(why, "(image_size 0xffffffffffffffff"),
	      "image_size 2^64 - 1");
	header(0, 0x1000000, 0);
	CHECK(check(UINT64_MAX, 256 * MiB, 0) == -1 && has(why, "the file (18446744073709551615 bytes) is longer"),
	      "file_len 2^64 - 1");

	/* RAM sizes the config never gives, but a caller might. */
	header(0, 0x1000, 0);
	CHECK(check(4096, 0, 0) == -1 && !strcmp(why, "RAM size 0x0 is too small: the device tree alone takes "
						  "2 MiB"), "RAM 0");
	CHECK(check(4096, 2 * MiB, 0) == -1 && has(why, "RAM size 0x200000 is too small"), "RAM 2 MiB");
	CHECK(check(4096, 3 * MiB, 0) == -1 && !strcmp(why, "RAM size 0x300000 is not a multiple of 2 MiB"),
	      "RAM 3 MiB");
	CHECK(check(4096, UINT64_MAX, 0) == -1 && has(why, "is not a multiple of 2 MiB"), "RAM 2^64 - 1");
	header(0, 0xffffffffffc00000ull, 0);
	CHECK(check(4096, 0xffffffffffe00000ull, 0) == 0 && lay.dtb_off == 0xffffffffffc00000ull,
	      "RAM 2^64 - 2 MiB: exact fit, no wrap");
	header(0, 0x1000, 0);
	CHECK(check(4096, 32 * MiB, 30 * MiB + 1) == -1 &&
	      !strcmp(why, "the initrd (31457281 bytes) is larger than the 0x1e00000 bytes of RAM below the "
		      "device tree"), "initrd larger than RAM below the DTB");
	CHECK(check(4096, 32 * MiB, UINT64_MAX) == -1 && has(why, "the initrd (18446744073709551615 bytes)"),
	      "initrd 2^64 - 1");
	CHECK(check(4096, 32 * MiB, 30 * MiB) == -1 && has(why, "(image_size 0x1000 at offset 0x0) needs "
							    "more than the 0x0 bytes"),
	      "an initrd filling all RAM below the DTB leaves the kernel nothing");
}

static void test_initrd(void)
{
	static const struct {
		const char *bytes;
		unsigned len;
	} good[] = {
		{ "070701", 6 }, { "070702", 6 }, { "\x1f\x8b\x08", 3 }, { "\xfd" "7zXZ\0", 6 },
		{ "\x28\xb5\x2f\xfd", 4 }, { "\x02\x21\x4c\x18", 4 }, { "BZh9", 4 }, { "\x5d\0\0", 3 },
		{ "\x89LZO", 4 },
	};
	unsigned char buf[256];

	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(buf, '0', sizeof(buf));
		memcpy(buf, good[i].bytes, good[i].len);
		CHECK(initrd_check(buf, sizeof(buf)) == NULL, "initrd magic %u (%02x %02x ...) recognised", i,
		      buf[0], buf[1]);
	}
	CHECK_STR(initrd_check(buf, 0), "the initrd is empty", "an empty initrd");
	CHECK_STR(initrd_check(NULL, 0), "the initrd is empty", "  NULL too");
	memcpy(buf, "070701", 6);
	CHECK(initrd_check(buf, 109) && has(initrd_check(buf, 109), "cut short"),
	      "newc cpio of 109 bytes: shorter than one header");
	CHECK(initrd_check(buf, 110) == NULL, "newc cpio of 110 bytes");
	CHECK(initrd_check(buf, 5) && has(initrd_check(buf, 5), "neither a newc cpio"),
	      "\"07070\": not even the magic");
	memcpy(buf, "070707", 6);
	CHECK(has(initrd_check(buf, sizeof(buf)), "old-style (odc) cpio"), "odc cpio refused");
	memcpy(buf, "\x04\x22\x4d\x18", 4);
	CHECK(has(initrd_check(buf, sizeof(buf)), "lz4 in frame format"), "lz4 frame format refused");
	memcpy(buf, "\x7f" "ELF", 4);
	CHECK_STR(initrd_check(buf, sizeof(buf)), "the initrd is neither a newc cpio archive (\"070701\") "
		  "nor a stream the kernel unpacks (gzip, xz, zstd, lz4, bzip2, lzma, lzo)", "an ELF file");
	memset(buf, 0, sizeof(buf));
	CHECK(has(initrd_check(buf, sizeof(buf)), "neither"), "zeros");
	CHECK(has(initrd_check("\x1f", 1), "neither"), "half a gzip magic");
	CHECK(initrd_check("\x1f\x8b", 2) == NULL, "a bare gzip magic (the kernel will say the rest)");
}

/* The real kernel, when the scripts have fetched it. */
static void test_real_kernel(void)
{
	const char *path = getenv("MINIHV_LINUX_IMAGE");
	FILE *f;
	unsigned char head[64];
	long size;

	if (!path || !*path)
		path = "build/deps/linux-arm64/Image";
	f = fopen(path, "rb");
	if (!f) {
		printf("# SKIP the real kernel: no %s (the linux-arm64 scripts fetch it)\n", path);
		return;
	}
	CHECK(fread(head, 1, sizeof(head), f) == sizeof(head), "%s: 64 header bytes read", path);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	memset(why, 0, sizeof(why));
	CHECK_EQ(linux_arm64_image_check(head, (uint64_t)size, 256 * MiB, 1 * MiB, &lay, why, sizeof(why)), 0,
		 "%s (%ld bytes) boots in 256 MiB with a 1 MiB initrd%s%s", path, size, why[0] ? ": " : "", why);
	printf("# %s: text_offset 0x%llx image_size 0x%llx; kernel at +0x%llx, initrd at +0x%llx, DTB at +0x%llx\n",
	       path, (unsigned long long)lay.text_offset, (unsigned long long)lay.image_size,
	       (unsigned long long)lay.kernel_off, (unsigned long long)lay.initrd_off,
	       (unsigned long long)lay.dtb_off);
	{
		uint64_t need = lay.image_size;
		int r = linux_arm64_image_check(head, (uint64_t)size, 32 * MiB, 0, &lay, why, sizeof(why));
		CHECK_EQ(r, need <= 30 * MiB ? 0 : -1, "  in 32 MiB: boots iff image_size fits in 30 MiB");
	}
}

/* The Image's and initrd's messages have no line number. */
static int image_message(const char *line)
{
	return strncmp(line, "line ", 5) != 0;
}

int main(void)
{
	unit_begin("test_linux_image");
	test_good();
	test_not_an_image();
	test_fields();
	test_fit();
	test_initrd();
	test_real_kernel();
	check_doc_messages(image_message);
	return unit_done();
}
