/*
 * The FDT writer and reader (lib/fdt_write.c, lib/fdt_read.c).
 *
 * The writer's blob for a tree like the one a Linux guest gets is checked
 * by someone else's decoder: Debian's dtc decompiles it, and its text must
 * equal tests/fdt/linux-guest.dts byte for byte (dtc's output is
 * canonical, so any difference in a name, a value, the order or the
 * reservation block shows).  The other way round, dtc compiles that .dts
 * and our reader must find the same values in dtc's blob; and in the tree
 * QEMU builds for its virt machine (tests/fdt/qemu-virt.dts, QEMU 7.2's
 * dumpdtb decompiled), which is what the firmware hands the hypervisor.
 *
 * Then every error: each buffer size from 0 to one byte short of the blob
 * (FDT_ENOSPC, and a canary after cap proves nothing is written there),
 * bad names, calls out of order; and the reader on hostile blobs, each in
 * a heap buffer of exactly its size so that AddressSanitizer sees any read
 * past it.
 *
 * dtc missing is a failure, not a skip: make check installs it
 * (scripts/install-deps.sh), so its absence means a broken set-up.
 */
#define _POSIX_C_SOURCE 200809L   /* mkdtemp, ssize_t */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fdt.h"
#include "tests/unit.h"

#define BUF_SIZE 4096
#define CANARY   0xa5

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The addresses of the guest tree below. */
#define RAM_BASE      0x80000000ull
#define RAM_SIZE      0x10000000ull
#define INITRD_START  0x88000000ull
#define INITRD_END    0x88123456ull
#define GICD_BASE     0x08000000ull
#define GICC_BASE     0x08010000ull
#define UART_BASE     0x09000000ull
#define HC_BASE       0xf0000000ull
#define RSV_ADDR      0x8ff00000ull
#define RSV_SIZE      0x00100000ull

/* "reg" of one (address, size) entry, two cells each (the root's
 * #address-cells and #size-cells below). */
static void reg(struct fdt_writer *w, uint64_t addr, uint64_t size)
{
	uint32_t cells[4] = { (uint32_t)(addr >> 32), (uint32_t)addr,
			      (uint32_t)(size >> 32), (uint32_t)size };
	fdt_prop_cells(w, "reg", cells, 4);
}

/* A tree like the one hv/linux.c will write for a Linux guest.  Returns
 * fdt_finish's answer. */
static int linux_guest(struct fdt_writer *w, void *buf, size_t cap, size_t *size)
{
	static const char *const psci_compat[] = { "arm,psci-1.0", "arm,psci-0.2" };
	static const char *const uart_compat[] = { "arm,pl011", "arm,primecell" };
	static const char *const clock_names[] = { "uartclk", "apb_pclk" };
	/* The timer's four PPIs: secure, non-secure, virtual, hypervisor;
	 * level-triggered, to every CPU. */
	static const uint32_t timer_irqs[] = { 1, 13, 0xf04, 1, 14, 0xf04, 1, 11, 0xf04, 1, 10, 0xf04 };
	static const uint32_t uart_irq[] = { 0, 1, 4 };
	static const uint32_t clocks[] = { 2, 2 };
	uint32_t gic_reg[8] = { 0, (uint32_t)GICD_BASE, 0, 0x10000, 0, (uint32_t)GICC_BASE, 0, 0x10000 };

	fdt_begin(w, buf, cap);
	fdt_add_reservation(w, RSV_ADDR, RSV_SIZE);
	fdt_begin_node(w, "");
	fdt_prop_u32(w, "#address-cells", 2);
	fdt_prop_u32(w, "#size-cells", 2);
	fdt_prop_string(w, "compatible", "linux,dummy-virt");
	fdt_prop_string(w, "model", "minihv guest");
	fdt_prop_u32(w, "interrupt-parent", 1);

	fdt_begin_node(w, "chosen");
	fdt_prop_string(w, "bootargs", "console=ttyAMA0 earlycon rdinit=/init");
	fdt_prop_u64(w, "linux,initrd-start", INITRD_START);
	fdt_prop_u64(w, "linux,initrd-end", INITRD_END);
	fdt_prop_string(w, "stdout-path", "/pl011@9000000");
	fdt_end_node(w);

	fdt_begin_node(w, "memory@80000000");
	fdt_prop_string(w, "device_type", "memory");
	reg(w, RAM_BASE, RAM_SIZE);
	fdt_end_node(w);

	fdt_begin_node(w, "cpus");
	fdt_prop_u32(w, "#address-cells", 1);
	fdt_prop_u32(w, "#size-cells", 0);
	fdt_begin_node(w, "cpu@0");
	fdt_prop_string(w, "device_type", "cpu");
	fdt_prop_string(w, "compatible", "arm,cortex-a57");
	fdt_prop_u32(w, "reg", 0);
	fdt_prop_string(w, "enable-method", "psci");
	fdt_end_node(w);
	fdt_end_node(w);

	fdt_begin_node(w, "psci");
	fdt_prop_strings(w, "compatible", psci_compat, 2);
	fdt_prop_string(w, "method", "hvc");
	fdt_end_node(w);

	fdt_begin_node(w, "intc@8000000");
	fdt_prop_string(w, "compatible", "arm,cortex-a15-gic");
	fdt_prop_u32(w, "#interrupt-cells", 3);
	/* No children, so no address cells; dtc warns about an interrupt
	 * controller without them (interrupt-map lookups read it). */
	fdt_prop_u32(w, "#address-cells", 0);
	fdt_prop_empty(w, "interrupt-controller");
	fdt_prop_cells(w, "reg", gic_reg, 8);
	fdt_prop_u32(w, "phandle", 1);
	fdt_end_node(w);

	fdt_begin_node(w, "timer");
	fdt_prop_string(w, "compatible", "arm,armv8-timer");
	fdt_prop_cells(w, "interrupts", timer_irqs, 12);
	fdt_prop_empty(w, "always-on");
	fdt_end_node(w);

	fdt_begin_node(w, "apb-pclk");
	fdt_prop_string(w, "compatible", "fixed-clock");
	fdt_prop_u32(w, "#clock-cells", 0);
	fdt_prop_u32(w, "clock-frequency", 24000000);
	fdt_prop_string(w, "clock-output-names", "clk24mhz");
	fdt_prop_u32(w, "phandle", 2);
	fdt_end_node(w);

	fdt_begin_node(w, "pl011@9000000");
	fdt_prop_strings(w, "compatible", uart_compat, 2);
	reg(w, UART_BASE, 0x1000);
	fdt_prop_cells(w, "interrupts", uart_irq, 3);
	fdt_prop_cells(w, "clocks", clocks, 2);
	fdt_prop_strings(w, "clock-names", clock_names, 2);
	fdt_end_node(w);

	fdt_begin_node(w, "hypercall@f0000000");
	fdt_prop_string(w, "compatible", "minihv,hypercall-v1");
	reg(w, HC_BASE, 0x1000);
	fdt_end_node(w);

	fdt_end_node(w);
	return fdt_finish(w, size);
}

/* ------------------------------------------------------------ helpers --- */

/* A heap copy of exactly n bytes: AddressSanitizer then sees a read past
 * the blob's end as the bug it is. */
static uint8_t *exact(const void *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	if (!c)
		abort();
	if (n)
		memcpy(c, p, n);
	return c;
}

static uint8_t *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	uint8_t *b = malloc(cap);
	size_t got;
	while (b && (got = fread(b + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap)
			b = realloc(b, cap *= 2);
	}
	fclose(f);
	*n = len;
	return b;
}

static bool write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return false;
	bool ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok;
}

static char tmpdir[64];

/* A path in this run's temporary folder. */
static const char *tmp(const char *name)
{
	static char path[4][128];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	return p;
}

/* Run a shell command; true if it exits 0. */
static bool run(const char *fmt, const char *a, const char *b)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), fmt, a, b);
	int st = system(cmd);
	return st == 0;
}

/* ----------------------------------------------------------- the blob --- */

/* The reader on a blob holding the guest tree (ours, or dtc's build of
 * the expected .dts): every question hv/ will ask, and near misses. */
static void check_guest_reader(const uint8_t *blob, size_t n, const char *who)
{
	uint64_t a = 0, s = 0;
	uint32_t len = 0;
	const uint8_t *p;

	CHECK(fdt_valid(blob, n), "%s: fdt_valid", who);
	CHECK(!fdt_valid(blob, n - 1), "%s: not valid with max one byte short of totalsize", who);
	CHECK(fdt_find_reg(blob, n, "minihv,hypercall-v1", 0, &a, &s) == 0 && a == HC_BASE &&
	      s == 0x1000, "%s: hypercall node's reg is 0x%llx+0x%llx", who,
	      (unsigned long long)a, (unsigned long long)s);
	CHECK_EQ(fdt_find_reg(blob, n, "minihv,hypercall-v1", 1, &a, &s), -1,
		 "%s: the hypercall node has one reg entry", who);
	CHECK(fdt_find_reg(blob, n, "arm,cortex-a15-gic", 0, &a, &s) == 0 && a == GICD_BASE &&
	      s == 0x10000, "%s: GIC distributor", who);
	CHECK(fdt_find_reg(blob, n, "arm,cortex-a15-gic", 1, &a, &s) == 0 && a == GICC_BASE &&
	      s == 0x10000, "%s: GIC CPU interface (second entry)", who);
	CHECK_EQ(fdt_find_reg(blob, n, "arm,cortex-a15-gic", 2, &a, &s), -1,
		 "%s: no third GIC entry", who);
	CHECK_EQ(fdt_find_reg(blob, n, "arm,cortex-a15-gic", 0xffffffffu, &a, &s), -1,
		 "%s: entry 0xffffffff does not wrap", who);
	CHECK(fdt_find_reg(blob, n, "arm,primecell", 0, &a, &s) == 0 && a == UART_BASE &&
	      s == 0x1000, "%s: the UART by its second compatible string", who);
	a = s = 99;
	CHECK(fdt_find_reg(blob, n, "arm,cortex-a57", 0, &a, &s) == 0 && a == 0 && s == 0,
	      "%s: cpu@0 under /cpus (#address-cells 1, #size-cells 0): reg 0, size 0", who);
	CHECK_EQ(fdt_find_reg(blob, n, "linux,dummy-virt", 0, &a, &s), -1,
		 "%s: the root has no reg", who);
	CHECK_EQ(fdt_find_reg(blob, n, "minihv,hypercall", 0, &a, &s), -1,
		 "%s: a prefix of a compatible string does not match", who);
	CHECK_EQ(fdt_find_reg(blob, n, "arm,psci", 0, &a, &s), -1,
		 "%s: nor does one that is absent", who);
	p = fdt_find_prop(blob, n, "arm,psci-0.2", "method", &len);
	CHECK(p && len == 4 && memcmp(p, "hvc", 4) == 0, "%s: psci method \"hvc\"", who);
	p = fdt_find_prop(blob, n, "arm,armv8-timer", "interrupts", &len);
	CHECK(p && len == 48 && rd32(p) == 1 && rd32(p + 4) == 13 && rd32(p + 44) == 0xf04,
	      "%s: the timer's 12 interrupt cells", who);
	p = fdt_find_prop(blob, n, "arm,cortex-a15-gic", "interrupt-controller", &len);
	CHECK(p && len == 0, "%s: an empty property is found, length 0", who);
	CHECK(fdt_find_prop(blob, n, "arm,cortex-a15-gic", "interrupt-control", &len) == NULL,
	      "%s: a prefix of a property name is not found", who);
	p = fdt_find_prop(blob, n, "arm,cortex-a15-gic", "phandle", &len);
	CHECK(p && len == 4 && rd32(p) == 1, "%s: GIC phandle 1", who);
	CHECK(fdt_find_prop(blob, n, "arm,psci-0.2", "reg", &len) == NULL,
	      "%s: psci has no reg", who);
	/* The node's own properties only: "cpu@0"'s compatible is not the
	 * cpus node's, and the root's children are not its properties. */
	CHECK(fdt_find_prop(blob, n, "linux,dummy-virt", "method", &len) == NULL,
	      "%s: a child's property is not the root's", who);
	p = fdt_find_prop(blob, n, "linux,dummy-virt", "model", NULL);
	CHECK(p && strcmp((const char *)p, "minihv guest") == 0, "%s: model (len may be NULL)", who);
}

static void test_guest_blob(uint8_t *ref, size_t *ref_size)
{
	struct fdt_writer w;
	size_t n = 0;

	CHECK_EQ(linux_guest(&w, ref, BUF_SIZE, &n), 0, "the guest tree is written");
	*ref_size = n;
	CHECK(n > 0 && n < BUF_SIZE, "its size, %zu bytes, is returned", n);
	CHECK_EQ(rd32(ref), 0xd00dfeed, "magic");
	CHECK_EQ(rd32(ref + 4), n, "totalsize is the size returned");
	CHECK_EQ(rd32(ref + 20), 17, "version 17");
	CHECK_EQ(rd32(ref + 24), 16, "last_comp_version 16");
	CHECK_EQ(rd32(ref + 28), 0, "boot_cpuid_phys 0");
	uint32_t off_struct = rd32(ref + 8), off_strings = rd32(ref + 12), off_rsv = rd32(ref + 16);
	uint32_t size_strings = rd32(ref + 32), size_struct = rd32(ref + 36);
	CHECK_EQ(off_rsv, 40, "the reservation block follows the header");
	CHECK(off_rsv % 8 == 0, "and is 8-byte aligned");
	CHECK(rd32(ref + 40) == (uint32_t)(RSV_ADDR >> 32) && rd32(ref + 44) == (uint32_t)RSV_ADDR &&
	      rd32(ref + 48) == (uint32_t)(RSV_SIZE >> 32) && rd32(ref + 52) == (uint32_t)RSV_SIZE,
	      "reservation entry (addr, size)");
	CHECK(rd32(ref + 56) == 0 && rd32(ref + 60) == 0 && rd32(ref + 64) == 0 && rd32(ref + 68) == 0,
	      "then the (0, 0) end entry");
	CHECK_EQ(off_struct, 72, "the struct block follows");
	CHECK_EQ(off_struct % 4, 0, "struct block 4-byte aligned");
	CHECK_EQ(size_struct % 4, 0, "and a whole number of tokens");
	CHECK_EQ(rd32(ref + off_struct), 1, "it starts with FDT_BEGIN_NODE");
	CHECK_EQ(rd32(ref + off_struct + 4), 0, "of the root, named \"\" (padded)");
	CHECK_EQ(rd32(ref + off_struct + size_struct - 4), 9, "it ends with FDT_END");
	CHECK_EQ(rd32(ref + off_struct + size_struct - 8), 2, "after the root's FDT_END_NODE");
	CHECK_EQ(off_strings, off_struct + size_struct, "strings block right after");
	CHECK_EQ(off_strings + size_strings, n, "and last");
	/* Every property name once: "compatible" is used by 8 nodes, "reg"
	 * by 5; dtc's tail sharing also finds "phandle" and "cells" names. */
	const char *str = (const char *)ref + off_strings;
	int compat = 0, regs = 0;
	for (uint32_t i = 0; i < size_strings; i += (uint32_t)strlen(str + i) + 1) {
		compat += strcmp(str + i, "compatible") == 0;
		regs += strcmp(str + i, "reg") == 0;
	}
	CHECK(compat == 1 && regs == 1, "strings block: \"compatible\" %d time, \"reg\" %d", compat, regs);
	CHECK(size_strings < 300, "strings block deduplicated: %u bytes", size_strings);
	CHECK(ref[n - 1] == 0, "strings block ends with a NUL");

	/* The same calls give the same bytes (nothing left uninitialised). */
	uint8_t *again = malloc(BUF_SIZE);
	memset(again, 0x5a, BUF_SIZE);
	size_t n2 = 0;
	CHECK(linux_guest(&w, again, BUF_SIZE, &n2) == 0 && n2 == n && memcmp(again, ref, n) == 0,
	      "a second build is byte for byte the same, whatever the buffer held");
	free(again);

	uint8_t *c = exact(ref, n);
	check_guest_reader(c, n, "our blob");
	free(c);
}

/* Every cap from 0 to one byte short: FDT_ENOSPC, and nothing written at or
 * past cap (a canary after it, and an exact-size heap buffer for ASan). */
static void test_enospc(const uint8_t *ref, size_t n)
{
	struct fdt_writer w;
	uint8_t *buf = malloc(n + 64);
	size_t bad_err = 0, bad_canary = 0, bad_size = 0, first_bad = (size_t)-1;

	for (size_t cap = 0; cap < n; cap++) {
		size_t got = 12345;
		memset(buf, CANARY, n + 64);
		int err = linux_guest(&w, buf, cap, &got);
		bool ok_err = err == FDT_ENOSPC && w.err == FDT_ENOSPC;
		bool ok_canary = true;
		for (size_t i = cap; i < n + 64; i++)
			ok_canary &= buf[i] == CANARY;
		bad_err += !ok_err;
		bad_canary += !ok_canary;
		bad_size += got != 0;
		if ((!ok_err || !ok_canary) && first_bad == (size_t)-1)
			first_bad = cap;

		uint8_t *e = malloc(cap ? cap : 1);
		err = linux_guest(&w, cap ? e : NULL, cap, &got);
		bad_err += err != FDT_ENOSPC;
		free(e);
	}
	CHECK(bad_err == 0, "caps 0..%zu: every one FDT_ENOSPC (%zu wrong; first bad cap %zd)",
	      n - 1, bad_err, (ssize_t)first_bad);
	CHECK(bad_canary == 0, "caps 0..%zu: nothing written at or past cap (%zu overwrote)",
	      n - 1, bad_canary);
	CHECK(bad_size == 0, "caps 0..%zu: *size is 0 on error", n - 1);

	size_t got = 0;
	memset(buf, CANARY, n + 64);
	CHECK(linux_guest(&w, buf, n, &got) == 0 && got == n && memcmp(buf, ref, n) == 0,
	      "cap %zu, exactly the size: the same blob", n);
	bool canary = true;
	for (size_t i = n; i < n + 64; i++)
		canary &= buf[i] == CANARY;
	CHECK(canary, "and nothing after it");
	free(buf);

	/* The names table has room for FDT_STRINGS_MAX bytes. */
	uint8_t *big = malloc(1 << 16);
	fdt_begin(&w, big, 1 << 16);
	fdt_begin_node(&w, "");
	unsigned i;
	for (i = 0; i < 200 && !w.err; i++) {
		char name[32];
		snprintf(name, sizeof(name), "property-number-%04u", i);
		fdt_prop_empty(&w, name);
	}
	CHECK_EQ(w.err, FDT_ENOSPC, "a full property-name table is FDT_ENOSPC (after %u names)", i);
	CHECK_EQ(i, FDT_STRINGS_MAX / 21 + 1, "the 21-byte names fill %d bytes", FDT_STRINGS_MAX);
	fdt_begin(&w, big, 1 << 16);
	fdt_begin_node(&w, "");
	for (i = 0; i < 1000; i++) {
		fdt_begin_node(&w, "n");
		fdt_prop_empty(&w, "same-name-again");
		fdt_end_node(&w);
	}
	fdt_end_node(&w);
	CHECK_EQ(fdt_finish(&w, NULL), 0, "one name used by 1000 nodes takes one place");
	CHECK_EQ(w.strings_len, 16, "(16 bytes)");
	free(big);
}

static int node_err(const char *name)
{
	struct fdt_writer w;
	uint8_t buf[256];
	fdt_begin(&w, buf, sizeof(buf));
	fdt_begin_node(&w, "");
	fdt_begin_node(&w, name);
	return w.err;
}

static int prop_err(const char *name)
{
	struct fdt_writer w;
	uint8_t buf[256];
	fdt_begin(&w, buf, sizeof(buf));
	fdt_begin_node(&w, "");
	fdt_prop_u32(&w, name, 1);
	return w.err;
}

static void test_names(void)
{
	static const char *const bad_nodes[] = {
		"", "@", "a@", "@1", "a b", "a/b", "a@1@2", "a@1 ", "a:b", "a?", "a#", "\xc3\xa4",
		"abcdefghijklmnopqrstuvwxyz012345@1",  /* 32 before '@' */
		"abcdefghijklmnopqrstuvwxyz012345",
	};
	static const char *const good_nodes[] = {
		"a", "chosen", "memory@80000000", "x,y._+-", "cpu@0,1", "Z9",
		"abcdefghijklmnopqrstuvwxyz01234",      /* 31 */
		"abcdefghijklmnopqrstuvwxyz01234@fffffffffffffffffffffffffffffffff",
	};
	static const char *const bad_props[] = {
		"", "a b", "a@b", "a/b", "a:b", "\xc3\xa9", "abcdefghijklmnopqrstuvwxyz012345",
	};
	static const char *const good_props[] = {
		"#address-cells", "linux,initrd-start", "a?", "device_type", "+.-_,#?",
		"abcdefghijklmnopqrstuvwxyz01234",
	};
	for (size_t i = 0; i < sizeof(bad_nodes) / sizeof(bad_nodes[0]); i++)
		CHECK_EQ(node_err(bad_nodes[i]), FDT_EBADNAME, "node name \"%s\" refused", bad_nodes[i]);
	for (size_t i = 0; i < sizeof(good_nodes) / sizeof(good_nodes[0]); i++)
		CHECK_EQ(node_err(good_nodes[i]), 0, "node name \"%s\" taken", good_nodes[i]);
	for (size_t i = 0; i < sizeof(bad_props) / sizeof(bad_props[0]); i++)
		CHECK_EQ(prop_err(bad_props[i]), FDT_EBADNAME, "property name \"%s\" refused", bad_props[i]);
	for (size_t i = 0; i < sizeof(good_props) / sizeof(good_props[0]); i++)
		CHECK_EQ(prop_err(good_props[i]), 0, "property name \"%s\" taken", good_props[i]);

	struct fdt_writer w;
	uint8_t buf[256];
	size_t size;
	fdt_begin(&w, buf, sizeof(buf));
	fdt_begin_node(&w, "root");
	CHECK_EQ(w.err, FDT_EBADNAME, "the root is named \"\", nothing else");

	/* A property name twice in one node: dtc refuses the tree. */
	fdt_begin(&w, buf, sizeof(buf));
	fdt_begin_node(&w, "");
	fdt_prop_u32(&w, "#size-cells", 1);
	fdt_prop_u32(&w, "cells", 1);          /* shares "#size-cells"' tail */
	fdt_prop_u32(&w, "reg", 1);
	fdt_prop_empty(&w, "x");
	CHECK_EQ(w.err, 0, "different names, one a tail of another, are fine");
	fdt_prop_empty(&w, "reg");
	CHECK_EQ(w.err, FDT_EBADNAME, "a second \"reg\" in the same node is refused");
	fdt_begin(&w, buf, sizeof(buf));
	fdt_begin_node(&w, "");
	fdt_prop_u32(&w, "reg", 1);
	fdt_begin_node(&w, "a");
	fdt_prop_u32(&w, "reg", 1);
	fdt_end_node(&w);
	fdt_begin_node(&w, "b");
	fdt_prop_u32(&w, "reg", 1);
	fdt_prop_u32(&w, "x", 1);
	fdt_prop_u32(&w, "cells", 1);
	fdt_end_node(&w);
	fdt_end_node(&w);
	CHECK_EQ(fdt_finish(&w, &size), 0, "the same name in other nodes is fine");
}

/* The bad-state cases: each a fresh writer, the calls, then fdt_finish's
 * answer (the sticky error). */
static void test_state(void)
{
	struct fdt_writer w;
	uint8_t buf[512];
	size_t size = 77;

#define FRESH() fdt_begin(&w, buf, sizeof(buf))
	FRESH();
	fdt_prop_u32(&w, "a", 1);
	CHECK_EQ(w.err, FDT_EBADSTATE, "a property before the root");

	FRESH();
	fdt_begin_node(&w, "");
	fdt_begin_node(&w, "child");
	fdt_end_node(&w);
	fdt_prop_u32(&w, "late", 1);
	CHECK_EQ(w.err, FDT_EBADSTATE, "a property after a child node");

	FRESH();
	fdt_begin_node(&w, "");
	fdt_begin_node(&w, "a");
	fdt_prop_u32(&w, "p", 1);
	fdt_begin_node(&w, "b");
	fdt_prop_u32(&w, "p", 1);    /* b's own: fine */
	fdt_end_node(&w);
	fdt_end_node(&w);
	fdt_begin_node(&w, "c");
	fdt_prop_u32(&w, "p", 1);    /* c's, after its sibling a: fine */
	fdt_end_node(&w);
	fdt_end_node(&w);
	CHECK_EQ(fdt_finish(&w, &size), 0, "properties of a new sibling after a child are fine");

	FRESH();
	fdt_end_node(&w);
	CHECK_EQ(w.err, FDT_EBADSTATE, "end without begin");

	FRESH();
	fdt_begin_node(&w, "");
	fdt_end_node(&w);
	fdt_end_node(&w);
	CHECK_EQ(w.err, FDT_EBADSTATE, "one end more than begins");

	FRESH();
	fdt_begin_node(&w, "");
	fdt_begin_node(&w, "a");
	fdt_end_node(&w);
	CHECK_EQ(fdt_finish(&w, &size), FDT_EBADSTATE, "finish with the root open");
	CHECK_EQ(size, 0, "*size 0 on error");

	FRESH();
	CHECK_EQ(fdt_finish(&w, &size), FDT_EBADSTATE, "finish without a root");

	FRESH();
	fdt_begin_node(&w, "");
	fdt_add_reservation(&w, 0x1000, 0x1000);
	CHECK_EQ(w.err, FDT_EBADSTATE, "a reservation after the first node");

	FRESH();
	fdt_begin_node(&w, "");
	fdt_end_node(&w);
	fdt_begin_node(&w, "");
	CHECK_EQ(w.err, FDT_EBADSTATE, "a second root");

	FRESH();
	fdt_begin_node(&w, "");
	fdt_end_node(&w);
	fdt_begin_node(&w, "x");
	CHECK_EQ(w.err, FDT_EBADSTATE, "a node after the root closed");

	FRESH();
	fdt_begin_node(&w, "");
	fdt_end_node(&w);
	fdt_prop_empty(&w, "x");
	CHECK_EQ(w.err, FDT_EBADSTATE, "a property after the root closed");

	FRESH();
	fdt_begin_node(&w, "");
	fdt_end_node(&w);
	CHECK_EQ(fdt_finish(&w, &size), 0, "an empty root");
	CHECK_EQ(size, 40 + 16 + 16, "is header, rsvmap end, BEGIN \"\" END_NODE END: %zu bytes", size);
	CHECK(fdt_valid(buf, size), "and valid");
	fdt_begin_node(&w, "");
	CHECK_EQ(w.err, FDT_EBADSTATE, "nothing after fdt_finish");
	FRESH();
	fdt_begin_node(&w, "");
	fdt_end_node(&w);
	fdt_finish(&w, &size);
	CHECK_EQ(fdt_finish(&w, &size), FDT_EBADSTATE, "finish twice");

	/* Sticky: the first error is the one kept, later calls do nothing. */
	FRESH();
	fdt_begin_node(&w, "");
	fdt_prop_u32(&w, "bad name", 1);
	size_t off = w.off;
	fdt_end_node(&w);
	fdt_end_node(&w);
	fdt_prop_u32(&w, "fine", 1);
	CHECK(w.off == off, "after an error nothing more is written");
	CHECK_EQ(fdt_finish(&w, &size), FDT_EBADNAME, "finish returns the first error");
	CHECK_EQ(w.err, FDT_EBADNAME, "and w->err is still it");

	CHECK(strcmp(fdt_strerror(FDT_ENOSPC), fdt_strerror(FDT_EBADNAME)) != 0 &&
	      strcmp(fdt_strerror(FDT_EBADNAME), fdt_strerror(FDT_EBADSTATE)) != 0 &&
	      fdt_strerror(0) && fdt_strerror(12345), "fdt_strerror: a text for each");
#undef FRESH
}

/* ---------------------------------------------------- hostile blobs --- */

/* A struct block built by hand, token by token, to say what a writer
 * never would. */
struct raw {
	uint8_t b[2048];
	size_t n;
};

static void raw32(struct raw *r, uint32_t v)
{
	wr32(r->b + r->n, v);
	r->n += 4;
}

static void raw_node(struct raw *r, const char *name)
{
	size_t l = strlen(name) + 1;
	raw32(r, 1);
	memset(r->b + r->n, 0, (l + 3) & ~(size_t)3);
	memcpy(r->b + r->n, name, l);
	r->n += (l + 3) & ~(size_t)3;
}

static void raw_prop(struct raw *r, uint32_t nameoff, const void *val, uint32_t len)
{
	raw32(r, 3);
	raw32(r, len);
	raw32(r, nameoff);
	memset(r->b + r->n, 0, (len + 3) & ~3u);
	memcpy(r->b + r->n, val, len);
	r->n += (len + 3) & ~3u;
}

static void raw_cell(struct raw *r, uint32_t nameoff, uint32_t v)
{
	uint8_t c[4];
	wr32(c, v);
	raw_prop(r, nameoff, c, 4);
}

/* The names the hand-made blobs use, at these offsets. */
static const char raw_strings[] = "compatible\0reg\0#address-cells\0#size-cells\0x";
enum { S_COMPAT = 0, S_REG = 11, S_AC = 15, S_SC = 30, S_X = 42 };

/* A whole blob around r's struct block and the given strings, on the heap
 * at exactly its size. */
static uint8_t *raw_blob(const struct raw *r, const char *strings, size_t strings_len, size_t *n)
{
	size_t total = 56 + r->n + strings_len;
	uint8_t *b = calloc(1, total);
	wr32(b, 0xd00dfeed);
	wr32(b + 4, (uint32_t)total);
	wr32(b + 8, 56);
	wr32(b + 12, (uint32_t)(56 + r->n));
	wr32(b + 16, 40);
	wr32(b + 20, 17);
	wr32(b + 24, 16);
	wr32(b + 32, (uint32_t)strings_len);
	wr32(b + 36, (uint32_t)r->n);
	memcpy(b + 56, r->b, r->n);
	memcpy(b + 56 + r->n, strings, strings_len);
	*n = total;
	return b;
}

/* find_reg on a hand-made blob (which it frees). */
static int raw_reg(const struct raw *r, const char *compat, unsigned idx, uint64_t *a, uint64_t *s)
{
	size_t n;
	uint8_t *b = raw_blob(r, raw_strings, sizeof(raw_strings), &n);
	int ret = fdt_find_reg(b, n, compat, idx, a, s);
	free(b);
	return ret;
}

/* A root with the given cells properties (UINT32_MAX: absent), a child
 * "dev" compatible "d" with a reg of reg_len bytes 0x11 0x22 ... */
static int cells_case(uint32_t ac, uint32_t sc, uint32_t reg_len, uint64_t *a, uint64_t *s)
{
	struct raw r = { .n = 0 };
	uint8_t regv[64];
	for (unsigned i = 0; i < sizeof(regv); i++)
		regv[i] = (uint8_t)(0x11 * (i % 15 + 1));
	raw_node(&r, "");
	if (ac != UINT32_MAX)
		raw_cell(&r, S_AC, ac);
	if (sc != UINT32_MAX)
		raw_cell(&r, S_SC, sc);
	raw_node(&r, "dev");
	raw_prop(&r, S_COMPAT, "d", 2);
	raw_prop(&r, S_REG, regv, reg_len);
	raw32(&r, 2);
	raw32(&r, 2);
	raw32(&r, 9);
	return raw_reg(&r, "d", 0, a, s);
}

/* The header field at off set to v, in an exact copy of blob: is it still
 * valid, and does the reader still find the hypercall node? */
static void header_case(const uint8_t *blob, size_t n, unsigned off, uint32_t v, bool valid,
			const char *what)
{
	uint8_t *c = exact(blob, n);
	uint64_t a, s;
	wr32(c + off, v);
	CHECK_EQ(fdt_valid(c, n), valid, "%s: fdt_valid says %s", what, valid ? "yes" : "no");
	int r = fdt_find_reg(c, n, "minihv,hypercall-v1", 0, &a, &s);
	CHECK_EQ(r, valid ? 0 : -1, "%s: fdt_find_reg %s", what, valid ? "works" : "refuses");
	CHECK(valid || !fdt_find_prop(c, n, "minihv,hypercall-v1", "reg", NULL),
	      "%s: fdt_find_prop %s", what, valid ? "works" : "refuses");
	free(c);
}

/* The offset of the first PROP token of name in one of our blobs. */
static size_t prop_token(const uint8_t *b, const char *node, const char *name)
{
	uint32_t st = rd32(b + 8), strs = rd32(b + 12), size = rd32(b + 36);
	bool in_node = false;
	for (uint32_t o = 0; o < size;) {
		uint32_t t = rd32(b + st + o);
		if (t == 1) {
			const char *nm = (const char *)b + st + o + 4;
			in_node = strcmp(nm, node) == 0;
			o += 4 + ((strlen(nm) + 4) & ~(size_t)3);
		} else if (t == 3) {
			if (in_node && strcmp((const char *)b + strs + rd32(b + st + o + 8), name) == 0)
				return st + o;
			o += 12 + ((rd32(b + st + o + 4) + 3) & ~3u);
		} else {
			o += 4;
		}
	}
	return 0;
}

static void test_hostile(const uint8_t *ref, size_t n)
{
	uint64_t a = 0, s = 0;
	uint32_t len;
	size_t bad = 0;

	/* Cut short: every length from 0 to one byte short, each in a buffer
	 * of exactly that length, the header claiming the full size. */
	for (size_t m = 0; m < n; m++) {
		uint8_t *c = exact(ref, m);
		bad += fdt_valid(c, m);
		bad += fdt_find_reg(c, m, "minihv,hypercall-v1", 0, &a, &s) != -1;
		bad += fdt_find_prop(c, m, "arm,psci-0.2", "method", &len) != NULL;
		free(c);
	}
	CHECK_EQ(bad, 0, "truncated to 0..%zu bytes: refused every time", n - 1);
	CHECK(!fdt_valid(NULL, 100), "a NULL blob is not valid");

	uint32_t off_struct = rd32(ref + 8), size_struct = rd32(ref + 36);
	uint32_t off_strings = rd32(ref + 12), size_strings = rd32(ref + 32);
	header_case(ref, n, 0, 0xedfe0dd0, false, "wrong magic (little-endian)");
	header_case(ref, n, 4, (uint32_t)n + 1, false, "totalsize past max");
	header_case(ref, n, 4, 39, false, "totalsize smaller than a header");
	header_case(ref, n, 4, off_strings + size_strings - 1, false, "totalsize cutting the strings");
	header_case(ref, n, 20, 15, false, "version 15");
	header_case(ref, n, 20, 16, true, "version 16 (size_dt_struct ignored)");
	header_case(ref, n, 20, 0xffffffff, true, "version 0xffffffff, last compatible 16");
	header_case(ref, n, 24, 18, false, "last_comp_version 18");
	header_case(ref, n, 8, (uint32_t)n + 4, false, "off_dt_struct past the end");
	header_case(ref, n, 8, off_struct + 2, false, "off_dt_struct not 4-byte aligned");
	header_case(ref, n, 8, 0, false, "off_dt_struct inside the header");
	header_case(ref, n, 8, 0xfffffffc, false, "off_dt_struct 0xfffffffc (wraps in 32 bits)");
	header_case(ref, n, 36, size_struct + 4 + size_strings, false, "size_dt_struct past the end");
	header_case(ref, n, 36, 0xffffffff, false, "size_dt_struct 0xffffffff");
	header_case(ref, n, 12, (uint32_t)n, false, "off_dt_strings at the end, size unchanged");
	header_case(ref, n, 12, 0xfffffff0, false, "off_dt_strings 0xfffffff0 (wraps)");
	header_case(ref, n, 32, 0xffffffff, false, "size_dt_strings 0xffffffff");
	header_case(ref, n, 16, 0, false, "off_mem_rsvmap 0");
	header_case(ref, n, 16, 44, false, "off_mem_rsvmap not 8-byte aligned");
	header_case(ref, n, 16, (uint32_t)n - 8, false, "off_mem_rsvmap without room for its end");
	{
		/* size_dt_struct 0 leaves the header valid: the reader then
		 * finds nothing.  (header_case's "refuses" is the reader's.) */
		uint8_t *c = exact(ref, n);
		wr32(c + 36, 0);
		CHECK(fdt_valid(c, n), "size_dt_struct 0 is still a valid header");
		CHECK_EQ(fdt_find_reg(c, n, "minihv,hypercall-v1", 0, &a, &s), -1,
			 "but holds no node");
		free(c);
	}

	/* A property length past the end of the struct block. */
	size_t t = prop_token(ref, "hypercall@f0000000", "reg");
	CHECK(t != 0, "the hypercall node's reg token is at %zu", t);
	const uint32_t lens[] = { 0xffffffff, 0xfffffff4, size_struct, off_struct + size_struct - (uint32_t)t - 12 + 1 };
	for (unsigned i = 0; i < 4; i++) {
		uint8_t *c = exact(ref, n);
		wr32(c + t + 4, lens[i]);
		CHECK_EQ(fdt_find_reg(c, n, "minihv,hypercall-v1", 0, &a, &s), -1,
			 "reg length 0x%x past the block: not found", lens[i]);
		free(c);
	}
	{
		/* The same on the root's first property: the walk itself
		 * breaks, and every search ends. */
		size_t t0 = prop_token(ref, "", "#address-cells");
		uint8_t *c = exact(ref, n);
		wr32(c + t0 + 4, 0x7fffffff);
		CHECK_EQ(fdt_find_reg(c, n, "arm,cortex-a57", 0, &a, &s), -1,
			 "a broken length early in the tree: nothing after it is found");
		wr32(c + t0 + 8, 0xfffffff0);    /* and its name offset too */
		wr32(c + t0 + 4, 4);
		CHECK_EQ(fdt_find_reg(c, n, "minihv,hypercall-v1", 0, &a, &s), 0,
			 "a name offset out of the strings block only hides that property");
		free(c);
	}

	/* Hand-made trees. */
	struct raw r = { .n = 0 };
	/* Unterminated strings: a property name, a compatible value, a node
	 * name, each running into the end of its block. */
	{
		raw_node(&r, "");
		raw_prop(&r, S_COMPAT, "d", 2);
		raw32(&r, 2);
		raw32(&r, 9);
		size_t m;
		uint8_t *b = raw_blob(&r, "compatible", 10, &m);   /* no NUL */
		CHECK(fdt_valid(b, m), "strings block without its last NUL: header valid");
		CHECK(!fdt_find_prop(b, m, "d", "compatible", &len),
		      "but the unterminated name \"compatible\" never matches");
		free(b);
		b = raw_blob(&r, "compatible", 11, &m);
		CHECK(fdt_find_prop(b, m, "d", "compatible", &len) != NULL,
		      "(with its NUL it does)");
		free(b);
	}
	r.n = 0;
	raw_node(&r, "");
	raw_prop(&r, S_COMPAT, "a\0bc", 4);     /* "bc" without its NUL */
	raw_prop(&r, S_REG, "\0\0\0\0\0\0\0\1\0\0\0\2", 12);
	raw32(&r, 2);
	raw32(&r, 9);
	CHECK_EQ(raw_reg(&r, "bc", 0, &a, &s), -1, "compatible \"a\\0bc\" unterminated: \"bc\" not found");
	CHECK(raw_reg(&r, "a", 0, &a, &s) == 0 && a == 1 && s == 2,
	      "its terminated first element \"a\" is (root reg with default cells 2/1)");
	r.n = 0;
	raw_node(&r, "");
	raw32(&r, 1);
	memcpy(r.b + r.n, "abcdefgh", 8);          /* a node name, no NUL to the end */
	r.n += 8;
	CHECK_EQ(raw_reg(&r, "a", 0, &a, &s), -1, "node name without its NUL: not found");

	/* Broken structure. */
	r.n = 0;
	raw32(&r, 2);
	raw32(&r, 9);
	CHECK_EQ(raw_reg(&r, "d", 0, &a, &s), -1, "END_NODE outside any node");
	r.n = 0;
	raw_prop(&r, S_COMPAT, "d", 2);
	raw32(&r, 9);
	CHECK_EQ(raw_reg(&r, "d", 0, &a, &s), -1, "a property outside any node");
	r.n = 0;
	raw_node(&r, "");
	raw32(&r, 7);
	raw_prop(&r, S_COMPAT, "d", 2);
	CHECK_EQ(raw_reg(&r, "d", 0, &a, &s), -1, "an unknown token (7)");
	r.n = 0;
	for (int i = 0; i < 400; i++)
		raw32(&r, 4);
	CHECK_EQ(raw_reg(&r, "d", 0, &a, &s), -1, "only NOPs, no END: the walk stops at the block's end");
	r.n = 0;
	raw_node(&r, "");
	raw32(&r, 2);
	CHECK_EQ(raw_reg(&r, "d", 0, &a, &s), -1, "no FDT_END");
	r.n = 0;
	CHECK_EQ(raw_reg(&r, "d", 0, &a, &s), -1, "an empty struct block");

	/* Nesting: 32 levels are read, 33 refused. */
	for (int depth = 32; depth <= 33; depth++) {
		r.n = 0;
		for (int i = 0; i < depth; i++)
			raw_node(&r, i ? "n" : "");
		raw_prop(&r, S_COMPAT, "deep", 5);
		raw_prop(&r, S_REG, "\0\0\0\0\0\0\0\3\0\0\0\4", 12);
		for (int i = 0; i < depth; i++)
			raw32(&r, 2);
		raw32(&r, 9);
		CHECK_EQ(raw_reg(&r, "deep", 0, &a, &s), depth <= 32 ? 0 : -1,
			 "a node %d levels deep %s", depth, depth <= 32 ? "is found" : "is refused");
	}

	/* #address-cells / #size-cells: 1 or 2 of address, 0..2 of size. */
	CHECK(cells_case(1, 1, 8, &a, &s) == 0 && a == 0x11223344 && s == 0x55667788,
	      "cells 1/1: 0x%llx+0x%llx", (unsigned long long)a, (unsigned long long)s);
	CHECK(cells_case(2, 2, 16, &a, &s) == 0 && a == 0x1122334455667788ull &&
	      s == 0x99aabbccddeeff11ull, "cells 2/2");
	CHECK(cells_case(1, 0, 4, &a, &s) == 0 && a == 0x11223344 && s == 0, "cells 1/0: size 0");
	CHECK(cells_case(UINT32_MAX, UINT32_MAX, 12, &a, &s) == 0 && a == 0x1122334455667788ull &&
	      s == 0x99aabbcc, "no cells properties: the defaults 2/1");
	CHECK_EQ(cells_case(UINT32_MAX, UINT32_MAX, 8, &a, &s), -1, "defaults 2/1, reg of 8 bytes: too short");
	CHECK_EQ(cells_case(0, 1, 16, &a, &s), -1, "#address-cells 0 refused");
	CHECK_EQ(cells_case(3, 1, 16, &a, &s), -1, "#address-cells 3 refused");
	CHECK_EQ(cells_case(0xfffffff0, 1, 64, &a, &s), -1, "#address-cells 0xfffffff0 refused");
	CHECK_EQ(cells_case(0x40000000, 0x40000000, 64, &a, &s), -1, "cells 0x40000000 each refused (4*(a+s) wraps in 32 bits)");
	CHECK_EQ(cells_case(1, 3, 16, &a, &s), -1, "#size-cells 3 refused");
	CHECK_EQ(cells_case(2, 0xfffffffe, 64, &a, &s), -1, "#size-cells huge refused");
	{
		/* A cells property of 8 bytes is not one cell. */
		r.n = 0;
		raw_node(&r, "");
		raw_prop(&r, S_AC, "\0\0\0\1\0\0\0\1", 8);
		raw_node(&r, "dev");
		raw_prop(&r, S_COMPAT, "d", 2);
		raw_prop(&r, S_REG, "\0\0\0\1\0\0\0\2\0\0\0\3", 12);
		raw32(&r, 2);
		raw32(&r, 2);
		raw32(&r, 9);
		CHECK_EQ(raw_reg(&r, "d", 0, &a, &s), -1, "#address-cells of 8 bytes refused");
	}
	{
		/* Cells are the parent's, not the grandparent's. */
		r.n = 0;
		raw_node(&r, "");
		raw_cell(&r, S_AC, 1);
		raw_cell(&r, S_SC, 1);
		raw_node(&r, "bus");
		raw_node(&r, "dev");
		raw_prop(&r, S_COMPAT, "d", 2);
		raw_prop(&r, S_REG, "\0\0\0\1\0\0\0\2\0\0\0\3", 12);
		raw32(&r, 2);
		raw32(&r, 2);
		raw32(&r, 2);
		raw32(&r, 9);
		CHECK(raw_reg(&r, "d", 0, &a, &s) == 0 && a == 0x100000002ull && s == 3,
		      "a parent without cells gives 2/1, not the grandparent's 1/1");
	}
}

/* ---------------------------------------------------------------- dtc --- */

/* Our blob, decompiled by dtc, must be tests/fdt/linux-guest.dts; dtc's
 * build of that file must read the same through our reader.  And QEMU's
 * tree, through dtc, too. */
static void test_dtc(const uint8_t *ref, size_t n)
{
	size_t got_n = 0, want_n = 0, m = 0;

	if (!CHECK(run("command -v dtc >/dev/null 2>&1", "", "") ,
		   "dtc is installed (Debian: device-tree-compiler; make deps installs it)"))
		return;

	CHECK(write_file(tmp("ours.dtb"), ref, n), "blob written to %s", tmp("ours.dtb"));
	CHECK(run("dtc -q -I dtb -O dts -o %s %s", tmp("ours.dts"), tmp("ours.dtb")),
	      "dtc decompiles our blob");
	CHECK(run("dtc -I dtb -O dts -o /dev/null %s 2>%s", tmp("ours.dtb"), tmp("dtc.err")),
	      "dtc again, keeping its warnings");
	uint8_t *err = read_file(tmp("dtc.err"), &m);
	CHECK(err && m == 0, "dtc has no warning about our tree (%zu bytes of them: %.*s)",
	      m, (int)(m > 300 ? 300 : m), err ? (const char *)err : "");
	free(err);

	uint8_t *got = read_file(tmp("ours.dts"), &got_n);
	uint8_t *want = read_file("tests/fdt/linux-guest.dts", &want_n);
	CHECK(want != NULL, "tests/fdt/linux-guest.dts is there (run from the top of the tree)");
	bool same = got && want && got_n == want_n && memcmp(got, want, got_n) == 0;
	CHECK(same, "dtc's text of our blob is tests/fdt/linux-guest.dts, byte for byte");
	if (!same && got) {
		printf("# dtc's text is in %s; the difference:\n", tmp("ours.dts"));
		fflush(stdout);
		run("diff -u tests/fdt/linux-guest.dts %s | sed 's/^/#   /' | head -n 60%s", tmp("ours.dts"), "");
	}
	free(got);
	free(want);

	/* The other way: dtc's blob of the expected text. */
	CHECK(run("dtc -q -I dts -O dtb -o %s %s", tmp("theirs.dtb"), "tests/fdt/linux-guest.dts"),
	      "dtc compiles tests/fdt/linux-guest.dts");
	uint8_t *theirs = read_file(tmp("theirs.dtb"), &m);
	if (CHECK(theirs && m > 0, "dtc's blob: %zu bytes", m)) {
		uint8_t *c = exact(theirs, m);
		check_guest_reader(c, m, "dtc's blob");
		free(c);
	}
	free(theirs);

	/* QEMU's virt machine (virtualization=on): properties in another
	 * order than ours, nested buses, phandles above 0x8000. */
	CHECK(run("dtc -q -I dts -O dtb -o %s %s", tmp("virt.dtb"), "tests/fdt/qemu-virt.dts"),
	      "dtc compiles tests/fdt/qemu-virt.dts");
	uint8_t *virt = read_file(tmp("virt.dtb"), &m);
	if (CHECK(virt && m > 0, "QEMU's tree: %zu bytes", m)) {
		uint8_t *c = exact(virt, m);
		uint64_t a = 0, s = 0;
		uint32_t len = 0;
		const uint8_t *p;
		CHECK(fdt_find_reg(c, m, "arm,pl011", 0, &a, &s) == 0 && a == 0x9000000 && s == 0x1000,
		      "virt: pl011 at 0x%llx+0x%llx", (unsigned long long)a, (unsigned long long)s);
		static const uint64_t gic[4] = { 0x8000000, 0x8010000, 0x8030000, 0x8040000 };
		for (unsigned i = 0; i < 4; i++)
			CHECK(fdt_find_reg(c, m, "arm,cortex-a15-gic", i, &a, &s) == 0 && a == gic[i] &&
			      s == 0x10000, "virt: GIC reg entry %u at 0x%llx", i, (unsigned long long)gic[i]);
		CHECK(fdt_find_reg(c, m, "arm,gic-v2m-frame", 0, &a, &s) == 0 && a == 0x8020000 &&
		      s == 0x1000, "virt: v2m frame, a child of the GIC with its cells 2/2");
		CHECK(fdt_find_reg(c, m, "arm,cortex-a57", 0, &a, &s) == 0 && a == 0 && s == 0,
		      "virt: cpu@0, reg 0 under /cpus' 1/0");
		p = fdt_find_prop(c, m, "arm,psci-0.2", "method", &len);
		CHECK(p && len == 4 && memcmp(p, "smc", 4) == 0, "virt: psci method \"smc\" (EL2 given)");
		p = fdt_find_prop(c, m, "arm,armv8-timer", "interrupts", &len);
		CHECK(p && len == 48 && rd32(p + 4) == 13, "virt: timer interrupts");
		CHECK(fdt_find_prop(c, m, "minihv,hypercall-v1", "reg", &len) == NULL,
		      "virt: no minihv node");
		free(c);
	}
	free(virt);
}

int main(void)
{
	static uint8_t ref[BUF_SIZE];
	size_t n = 0;

	unit_begin("test_fdt");
	snprintf(tmpdir, sizeof(tmpdir), "%s", "/tmp/test_fdt.XXXXXX");
	if (!CHECK(mkdtemp(tmpdir) != NULL, "a temporary folder"))
		return unit_done();

	test_guest_blob(ref, &n);
	test_enospc(ref, n);
	test_names();
	test_state();
	test_hostile(ref, n);
	test_dtc(ref, n);

	/* Kept when something failed: dtc's text and the blobs are there. */
	if (unit_failed)
		printf("# the files of this run are in %s\n", tmpdir);
	else
		run("rm -rf %s%s", tmpdir, "");
	return unit_done();
}
