/*
 * The hypercall device (hv/hypercall.c), driven the way a guest drives it:
 * loads and stores in the hypercall window, taken as VM exits by the real
 * run loop (hv/run.c), in a VM built by the real hv/vm.c.  Only the CPU is
 * fake (tests/fake_arch.c): each "guest" is a script of exits.
 *
 * The hostile cases check the exact stop reason, because that text is the
 * hypervisor's whole answer to a misbehaving guest: the guest suite's
 * "minihv-expect: stopped" lines (guest/tests/) compare against it too.
 *
 * Everything runs twice: on EPT with x86-64 guest paging, and on Arm
 * stage 2 with Arm stage-1 guest paging.
 */
#include "tests/hv_guest.h"

/* A free page of guest RAM (no image is loaded), in the main view. */
#define BUF_GVA   (VM_RAM_GVA + 0x1000)
/* A guest-virtual range the start environment leaves unmapped, where a
 * test adds mappings of its own to the guest's tables. */
#define SPARE_GVA 0x10000000ull


/* ---- the registers ---- */

static void test_version(void)
{
	struct guest g;

	guest_start(&g, "version");
	fake_hc_load(g.vcpu, MINIHV_HC_VERSION, 4);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.fv->nr_loads, 1, "%s: VERSION: one load completed", cfg);
	CHECK_EQ(g.fv->loads[0], MINIHV_ABI_VERSION, "%s: VERSION reads the ABI version", cfg);
	CHECK_EQ(g.vm->state, VM_EXITED, "%s: VERSION: the guest went on to exit", cfg);
	guest_end(&g);
}

static void test_putc(void)
{
	struct guest g;

	guest_start(&g, "putc");
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, 'h');
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, 'i');
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, '\n');
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	/* The whole console, exactly: the line with the guest's name, and
	 * nothing else (hv/console.c turns "\n" into "\r\n"). */
	CHECK_STR(fake_console(), "[putc] hi\r\n", "%s: PUTC prints a line prefixed by the guest's name", cfg);
	guest_end(&g);
}

/* The echo register keeps what a store wrote and a load returns its low
 * bytes: the guest suite's MMIO width test relies on it. */
static void test_scratch(void)
{
	struct guest g;

	guest_start(&g, "scratch");
	fake_hc_store(g.vcpu, MINIHV_HC_SCRATCH, 8, 0x1122334455667788ull);
	fake_hc_load(g.vcpu, MINIHV_HC_SCRATCH, 1);
	fake_hc_load(g.vcpu, MINIHV_HC_SCRATCH, 2);
	fake_hc_load(g.vcpu, MINIHV_HC_SCRATCH, 4);
	fake_hc_load(g.vcpu, MINIHV_HC_SCRATCH, 8);
	fake_hc_store(g.vcpu, MINIHV_HC_SCRATCH, 2, 0xbeef);
	fake_hc_load(g.vcpu, MINIHV_HC_SCRATCH, 8);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.fv->nr_loads, 5, "%s: SCRATCH: every load completed", cfg);
	CHECK_EQ(g.fv->loads[0], 0x88, "%s: SCRATCH 1-byte load: low byte", cfg);
	CHECK_EQ(g.fv->loads[1], 0x7788, "%s: SCRATCH 2-byte load: low halfword", cfg);
	CHECK_EQ(g.fv->loads[2], 0x55667788, "%s: SCRATCH 4-byte load: low word", cfg);
	CHECK_EQ(g.fv->loads[3], 0x1122334455667788ull, "%s: SCRATCH 8-byte load: all of it", cfg);
	CHECK_EQ(g.fv->loads[4], 0xbeef, "%s: SCRATCH: a 2-byte store replaces the whole register", cfg);
	guest_end(&g);
}

/*
 * Every width (1, 2, 4, 8) in both directions on every register.  What is
 * allowed is written out here from the table in docs/hypercall-abi.md, not
 * taken from the code under test.  An allowed access lets the guest go on
 * to exit; any other stops it at that access, which is not completed (the
 * guest's program counter stays on it).
 */
struct reg_rule {
	uint64_t off;
	const char *name;
	unsigned load_sizes, store_sizes;  /* bit N: an N-byte access is allowed */
};

static const struct reg_rule reg_rules[] = {
	{ MINIHV_HC_VERSION, "VERSION", 1u << 4, 0 },
	{ MINIHV_HC_PUTC,    "PUTC",    0, 1u << 1 },
	{ MINIHV_HC_ARG0,    "ARG0",    0, 1u << 8 },
	{ MINIHV_HC_ARG1,    "ARG1",    0, 1u << 8 },
	{ MINIHV_HC_ARG2,    "ARG2",    0, 1u << 8 },
	{ MINIHV_HC_ARG3,    "ARG3",    0, 1u << 8 },
	{ MINIHV_HC_CALL,    "CALL",    0, 1u << 4 },
	{ MINIHV_HC_RESULT,  "RESULT",  1u << 8, 0 },
	{ MINIHV_HC_SCRATCH, "SCRATCH", 0x116, 0x116 },  /* 1, 2, 4 and 8 */
};

static void test_register_widths(void)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };

	for (size_t r = 0; r < sizeof(reg_rules) / sizeof(reg_rules[0]); r++) {
		const struct reg_rule *rule = &reg_rules[r];
		for (unsigned s = 0; s < 4; s++) {
			for (int write = 0; write <= 1; write++) {
				unsigned size = sizes[s];
				unsigned mask = write ? rule->store_sizes : rule->load_sizes;
				bool allowed = mask & (1u << size);
				const char *dir = write ? "store" : "load";
				struct guest g;

				guest_start(&g, "widths");
				/* A store of 'x' is harmless to every register
				 * (PUTC prints it, CALL 0x78 is an unknown call). */
				fake_queue_mmio(g.vcpu, MINIHV_HC_WINDOW_GPA + rule->off, size,
						write, 'x');
				fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
				guest_run(&g);
				if (allowed) {
					CHECK_EQ(g.vm->state, VM_EXITED, "%s: %s %u-byte %s is allowed",
						 cfg, rule->name, size, dir);
				} else {
					char want[200];
					snprintf(want, sizeof(want),
						 "hypercall window: %u-byte %s at offset 0x%llx is not a register access the ABI allows",
						 size, dir, (unsigned long long)rule->off);
					CHECK(g.vm->state == VM_STOPPED && g.fv->next == 1 &&
					      g.fv->pc == 0 && strcmp(g.vm->stop_reason, want) == 0,
					      "%s: %s %u-byte %s stops the guest at that access",
					      cfg, rule->name, size, dir);
					if (strcmp(g.vm->stop_reason, want) != 0)
						printf("#   got  \"%s\"\n#   want \"%s\"\n",
						       g.vm->stop_reason, want);
				}
				guest_end(&g);
			}
		}
	}
}

/* ---- calls ---- */

static void test_console_write(void)
{
	struct guest g;
	static const char text[] = "hello from the guest\n";

	guest_start(&g, "cw");
	guest_put(&g, BUF_GVA, text);
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, sizeof(text) - 1, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_STR(fake_console(), "[cw] hello from the guest\r\n",
		  "%s: console_write prints the guest's buffer, prefixed by its name", cfg);
	CHECK_EQ(g.fv->loads[0], MINIHV_OK, "%s: console_write returns MINIHV_OK", cfg);
	guest_end(&g);

	/* Output is collected a line at a time whichever way it comes: a
	 * console_write without a newline, then PUTC, make one line. */
	guest_start(&g, "mixed");
	guest_put(&g, BUF_GVA, "abc");
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, 3, 0, 0);
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, 'd');
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, '\n');
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_STR(fake_console(), "[mixed] abcd\r\n", "%s: console_write and PUTC share the line", cfg);
	guest_end(&g);

	/* The largest length the ABI allows, and the smallest. */
	guest_start(&g, "max");
	memset(guest_ram(&g, BUF_GVA), 'm', MINIHV_MAX_MESSAGE);
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, MINIHV_MAX_MESSAGE, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, 0, 0, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_EXITED, "%s: console_write of %d bytes, and of 0 bytes at gva 0, are accepted",
		 cfg, MINIHV_MAX_MESSAGE);
	guest_end(&g);
}

/* A buffer is copied page by page through the guest's tables: it may
 * cross a page, and the next virtual page may be anywhere physically. */
static void test_console_write_crosses_pages(void)
{
	struct guest g;
	/* Ends 10 bytes into the second 2 MiB block of RAM: crosses a page
	 * and a block of both the guest's and the second-level tables. */
	uint64_t across = VM_RAM_GVA + SZ_2M - 10;

	guest_start(&g, "cross");
	guest_put(&g, across, "0123456789abcdefghi\n");
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, across, 20, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_STR(fake_console(), "[cross] 0123456789abcdefghi\r\n",
		  "%s: console_write of a buffer crossing a page and a 2 MiB block", cfg);
	guest_end(&g);

	/* Two consecutive guest-virtual pages, mapped by the guest (as if it
	 * had edited its own tables) to RAM pages in the opposite order. */
	guest_start(&g, "scatter");
	int err = gpt_map_range(&g.vm->gpt, gva(SPARE_GVA), gpa(VM_RAM_GPA + 0x7000), PAGE_SIZE,
				PT_RW, PT_MEM_NORMAL);
	err |= gpt_map_range(&g.vm->gpt, gva(SPARE_GVA + PAGE_SIZE), gpa(VM_RAM_GPA + 0x3000),
			     PAGE_SIZE, PT_RW, PT_MEM_NORMAL);
	CHECK_EQ(err, 0, "%s: the guest maps two pages out of order", cfg);
	guest_put(&g, VM_RAM_GVA + 0x8000 - 8, "page one");
	guest_put(&g, VM_RAM_GVA + 0x3000, ", page two\n");
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, SPARE_GVA + PAGE_SIZE - 8, 19, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_STR(fake_console(), "[scatter] page one, page two\r\n",
		  "%s: console_write follows each page to its own guest-physical page", cfg);
	guest_end(&g);

	/* The same bytes through RAM's second view. */
	guest_start(&g, "alias");
	guest_put(&g, BUF_GVA, "seen through the alias\n");
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA - VM_RAM_GVA + VM_RAM_ALIAS_GVA,
		     23, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_STR(fake_console(), "[alias] seen through the alias\r\n",
		  "%s: console_write through the alias view of RAM", cfg);
	guest_end(&g);
}

/* Pointers are translated with the vCPU's current tables, which the
 * hypervisor asks the backend for at the time of the call. */
static void test_current_translation(void)
{
	struct guest g;

	/* Paging off: a guest-virtual address is the guest-physical one. */
	guest_start(&g, "nopaging");
	g.fv->gpt_enabled = false;
	guest_put(&g, BUF_GVA, "physical\n");
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, VM_RAM_GPA + 0x1000, 9, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_STR(fake_console(), "[nopaging] physical\r\n",
		  "%s: with the guest's paging off, pointers are guest-physical", cfg);
	guest_end(&g);
}

/* Guest output reaches the serial line printable or not at all: a guest
 * must not forge a verdict line with "\rPASS" or drive the terminal. */
static void test_control_characters(void)
{
	struct guest g;
	static const char text[] = "a\rb\x1b[2Jc\x7f\x80\x01\0\td\n";

	guest_start(&g, "ctl");
	memcpy(guest_ram(&g, BUF_GVA), text, sizeof(text) - 1);
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, sizeof(text) - 1, 0, 0);
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, 0x07);
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, '\r');
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, 0xff);
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, '\n');
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_STR(fake_console(), "[ctl] a?b?[2Jc????\td\r\n[ctl] ???\r\n",
		  "%s: control characters (console_write and PUTC) become '?', tab stays", cfg);
	guest_end(&g);
}

/* A line longer than the hypervisor's line buffer is split, and an
 * unfinished line is printed when the guest ends. */
static void test_long_and_unfinished_lines(void)
{
	struct guest g;
	char want[512];

	guest_start(&g, "long");
	memset(guest_ram(&g, BUF_GVA), 'x', 200);
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, 200, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	vcpu_run(g.vcpu);
	snprintf(want, sizeof(want), "[long] %.*s\r\n", 159,
		 (const char *)guest_ram(&g, BUF_GVA));
	CHECK_STR(fake_console(), want, "%s: a 200-character line: the first 159 as one line", cfg);
	hypercall_flush_console(g.vm);
	snprintf(want, sizeof(want), "[long] %.*s\r\n[long] %.*s\r\n", 159,
		 (const char *)guest_ram(&g, BUF_GVA), 41, (const char *)guest_ram(&g, BUF_GVA));
	CHECK_STR(fake_console(), want, "%s: ... and the other 41 when the console is flushed", cfg);
	hypercall_flush_console(g.vm);
	CHECK_STR(fake_console(), want, "%s: flushing again prints nothing", cfg);
	guest_end(&g);
}


/* The console budget: a guest may hand the console vm->console_budget
 * bytes in all (PUTC and console_write alike); the access that would go
 * past it stops the guest, and none of its bytes are printed. */
static void test_console_budget(void)
{
	struct guest g;

	guest_start(&g, "budget");
	CHECK_EQ(g.vm->console_budget, VM_CONSOLE_BUDGET, "%s: vm_create gives the default console budget", cfg);
	g.vm->console_budget = 10;
	memcpy(guest_ram(&g, BUF_GVA), "12345678", 8);
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, 8, 0, 0);
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, 'a');
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, 'b');
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, 'c');
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_STOPPED, "%s: the 11th byte of a 10-byte budget stops the guest", cfg);
	CHECK_STR(g.vm->stop_reason, "console: the guest wrote more than 10 bytes, its console budget",
		  "%s: ... with the budget in the reason", cfg);
	CHECK(console_has("[budget] 12345678ab\r\n") && !console_has("abc"),
	      "%s: the 10 bytes within the budget are printed, the 11th is not", cfg);
	guest_end(&g);

	guest_start(&g, "budget2");
	g.vm->console_budget = 10;
	memcpy(guest_ram(&g, BUF_GVA), "12345678", 8);
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, 8, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, 8, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_STOPPED, "%s: a console_write that would cross the budget stops the guest", cfg);
	CHECK(console_has("[budget2] 12345678\r\n") && !console_has("123456781"),
	      "%s: ... and prints none of its bytes", cfg);
	guest_end(&g);

	guest_start(&g, "nobudget");
	g.vm->console_budget = 0;
	for (int i = 0; i < 8; i++)
		fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, 8, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_EXITED, "%s: console_budget 0: no limit (64 bytes written)", cfg);
	guest_end(&g);
}
static void test_unknown_call(void)
{
	struct guest g;

	guest_start(&g, "probe");
	fake_hc_call(g.vcpu, 99, 1, 2, 3, 4);
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, 0, 0, 0);
	fake_hc_call(g.vcpu, 0, 0, 0, 0, 0);
	fake_hc_call(g.vcpu, 0xffffffff, 0, 0, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.fv->nr_loads, 4, "%s: unknown calls: the guest reads every RESULT", cfg);
	CHECK_EQ(g.fv->loads[0], MINIHV_ENOSYS, "%s: call 99 returns MINIHV_ENOSYS", cfg);
	CHECK_EQ(g.fv->loads[1], MINIHV_OK, "%s: the next good call returns MINIHV_OK again", cfg);
	CHECK_EQ(g.fv->loads[2], MINIHV_ENOSYS, "%s: call 0 returns MINIHV_ENOSYS", cfg);
	CHECK_EQ(g.fv->loads[3], MINIHV_ENOSYS, "%s: call 0xffffffff returns MINIHV_ENOSYS", cfg);
	CHECK_EQ(g.vm->state, VM_EXITED, "%s: an unknown call does not stop the guest", cfg);
	guest_end(&g);
}

/* One report call, message written into guest RAM first. */
static void report(struct guest *g, uint64_t verdict, uint64_t at, const char *msg)
{
	guest_put(g, at, msg);
	fake_hc_call(g->vcpu, MINIHV_CALL_REPORT, verdict, at, strlen(msg), 0);
}

static void test_report(void)
{
	struct guest g;

	guest_start(&g, "report");
	report(&g, MINIHV_VERDICT_PASS, BUF_GVA, "all good");
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK(g.vm->reported && g.vm->verdict == MINIHV_VERDICT_PASS,
	      "%s: report PASS is recorded", cfg);
	CHECK_STR(g.vm->report_msg, "all good", "%s: with its message", cfg);
	CHECK_STR(fake_console(), "", "%s: a report prints nothing by itself", cfg);
	guest_end(&g);

	/* A FAIL is sticky: neither a later PASS nor a later FAIL replaces
	 * it, so the message says what failed first. */
	guest_start(&g, "sticky");
	report(&g, MINIHV_VERDICT_PASS, BUF_GVA, "first");
	report(&g, MINIHV_VERDICT_FAIL, BUF_GVA + 0x100, "broke");
	report(&g, MINIHV_VERDICT_PASS, BUF_GVA + 0x200, "later");
	report(&g, MINIHV_VERDICT_FAIL, BUF_GVA + 0x300, "broke again");
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.vm->verdict, MINIHV_VERDICT_FAIL, "%s: PASS, FAIL, PASS: the verdict stays FAIL", cfg);
	CHECK_STR(g.vm->report_msg, "broke", "%s: ... with the first FAIL's message", cfg);
	guest_end(&g);

	/* Only FAIL is sticky: SKIP then PASS is a PASS. */
	guest_start(&g, "skip");
	report(&g, MINIHV_VERDICT_SKIP, BUF_GVA, "not here");
	report(&g, MINIHV_VERDICT_PASS, BUF_GVA + 0x100, "after all");
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK(g.vm->verdict == MINIHV_VERDICT_PASS && strcmp(g.vm->report_msg, "after all") == 0,
	      "%s: SKIP then PASS: the PASS counts", cfg);
	guest_end(&g);

	/* The message is printed later in the verdict line: control
	 * characters (tab too) are replaced; the longest allowed fits. */
	guest_start(&g, "msg");
	report(&g, MINIHV_VERDICT_PASS, BUF_GVA, "ok\there\x1b[0m\r");
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_STR(g.vm->report_msg, "ok?here?[0m?", "%s: control characters in a report become '?'", cfg);
	guest_end(&g);

	guest_start(&g, "msgmax");
	memset(guest_ram(&g, BUF_GVA), 'r', MINIHV_MAX_MESSAGE);
	fake_hc_call(g.vcpu, MINIHV_CALL_REPORT, MINIHV_VERDICT_PASS, BUF_GVA, MINIHV_MAX_MESSAGE, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK(g.vm->reported && strlen(g.vm->report_msg) == MINIHV_MAX_MESSAGE &&
	      g.vm->report_msg[MINIHV_MAX_MESSAGE - 1] == 'r',
	      "%s: a report message of %d bytes is kept whole", cfg, MINIHV_MAX_MESSAGE);
	guest_end(&g);
}

static void test_exit(void)
{
	struct guest g;

	guest_start(&g, "exit");
	unsigned call = fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 42, 0, 0, 0);
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, '!');
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_EXITED, "%s: exit: the VM is in state EXITED", cfg);
	CHECK_EQ(g.vm->exit_code, 42, "%s: exit: exit_code is the guest's argument", cfg);
	CHECK_EQ(g.fv->next, call, "%s: exit: the vCPU is not resumed after the call", cfg);
	CHECK_STR(fake_console(), "", "%s: exit prints nothing (the verdict is hv_main's)", cfg);
	guest_end(&g);
}

/* The boot info page vm_setup_minihv_guest wrote below the guest tables. */
static const struct minihv_boot_info *boot_info(const struct guest *g)
{
	return (const void *)(g->vm->ram.host + VM_RAM_SIZE - VM_TABLES_SIZE - VM_BOOTINFO_SIZE);
}

static void test_meminfo(void)
{
	struct guest g;
	struct minihv_boot_info got;
	uint64_t dst = BUF_GVA + 0x100;

	guest_start(&g, "meminfo");
	memset(guest_ram(&g, dst), 0xaa, sizeof(got));
	fake_hc_call(g.vcpu, MINIHV_CALL_MEMINFO, dst, 0, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	memcpy(&got, guest_ram(&g, dst), sizeof(got));
	CHECK_EQ(g.fv->loads[0], MINIHV_OK, "%s: meminfo returns MINIHV_OK", cfg);
	CHECK(got.abi_version == MINIHV_ABI_VERSION && got.ram_gpa == VM_RAM_GPA &&
	      got.ram_gva == VM_RAM_GVA && got.ram_alias_gva == VM_RAM_ALIAS_GVA &&
	      got.ram_size == VM_RAM_SIZE && got.window_gva == MINIHV_HC_WINDOW_GVA &&
	      got.vcpu_id == 0,
	      "%s: meminfo writes the boot info into the guest's buffer", cfg);
	/* The ABI promises "the same data as at boot": all of it. */
	const struct minihv_boot_info *boot = boot_info(&g);
	CHECK_EQ(got.stack_bottom_gva, boot->stack_bottom_gva,
		 "%s: meminfo tells where the stack ends, as the boot info does", cfg);
	CHECK(memcmp(&got, boot, sizeof(got)) == 0,
	      "%s: meminfo's data is the boot info's, byte for byte", cfg);
	guest_end(&g);

	/* Through the alias view, across a page: the write lands in the
	 * right places of both pages. */
	guest_start(&g, "meminfo-alias");
	dst = VM_RAM_ALIAS_GVA + 0x3000 - 24;
	fake_hc_call(g.vcpu, MINIHV_CALL_MEMINFO, dst, 0, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	memcpy(&got, guest_ram(&g, VM_RAM_GVA + 0x3000 - 24), sizeof(got));
	CHECK(g.vm->state == VM_EXITED && got.ram_gpa == VM_RAM_GPA && got.window_gva == MINIHV_HC_WINDOW_GVA,
	      "%s: meminfo through the alias view, crossing a page", cfg);
	guest_end(&g);
}

/* A page the guest's tables make read-only: the hypervisor may read it
 * but must not write it, and a refused write writes nothing at all. */
static void test_meminfo_read_only(void)
{
	struct guest g;
	uint64_t ro = VM_RAM_GVA + 0x6000;
	uint64_t dst = ro - 16;   /* 16 bytes writable, the other 48 not */
	unsigned char after[80];

	guest_start(&g, "readonly");
	CHECK_EQ(pt_protect(&g.vm->gpt, ro, PAGE_SIZE, PT_R), 0,
		 "%s: the guest makes one page read-only", cfg);
	memset(guest_ram(&g, dst), 0xaa, sizeof(after));
	guest_put(&g, ro, "readable\n");
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, ro, 9, 0, 0);
	unsigned call = fake_hc_call(g.vcpu, MINIHV_CALL_MEMINFO, dst, 0, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK(console_has("[readonly] readable\r\n"), "%s: console_write reads a read-only page", cfg);
	CHECK_EQ(g.vm->state, VM_STOPPED, "%s: meminfo into a read-only page stops the guest", cfg);
	CHECK_STR(g.vm->stop_reason,
		  "meminfo: destination gva 0x40005ff0 is not writable guest memory: permission denied",
		  "%s: ... saying so", cfg);
	CHECK_EQ(g.fv->next, call, "%s: ... at the CALL store", cfg);
	memcpy(after, guest_ram(&g, dst), sizeof(after));
	bool untouched = true;
	for (size_t i = 0; i < sizeof(after); i++)
		if (after[i] != (i < 16 ? 0xaa : (i < 25 ? (unsigned char)"readable\n"[i - 16] : 0xaa)))
			untouched = false;
	CHECK(untouched, "%s: ... and writes none of it, not even the writable part", cfg);
	guest_end(&g);
}

/* The level-0 table (a guest-physical address) that maps va in the
 * guest's tables. */
static uint64_t leaf_table_gpa(const struct guest *g, uint64_t va)
{
	const struct pt_format *f = g->vm->gpt.fmt;
	uint64_t pa = g->vm->gpt.root_pa;

	for (unsigned level = f->levels - 1; level > 0; level--) {
		const uint64_t *t = (const uint64_t *)(g->vm->ram.host + (pa - VM_RAM_GPA));
		pa = f->entry_addr(t[(va >> pt_level_shift(level)) & (PT_ENTRIES - 1)], level);
	}
	return pa;
}

/*
 * A write that rewrites the guest's own page table on the way: meminfo's
 * 64 bytes start in a page that is the level-0 table itself (mapped at
 * q - 4 KiB) and end in page q, whose entry is among the first 32 bytes
 * written.  Where those bytes go was decided when the call was made: the
 * second half lands in the page q was mapped to, and the call succeeds.
 * (Translating each page only when its turn came, the hypervisor used to
 * find q's entry overwritten, refuse the call and stop the guest -- after
 * writing the first half: a refused write that changed guest memory.)
 */
static void test_meminfo_rewrites_its_table(void)
{
	struct guest g;
	uint64_t q = SPARE_GVA + 509 * PAGE_SIZE;     /* entries 508..511: the */
	uint64_t target = VM_RAM_GVA + 0x5000;        /* last 32 bytes of a table */
	uint64_t words[8];

	guest_start(&g, "own-table");
	int err = gpt_map_range(&g.vm->gpt, gva(q), gpa(target - VM_RAM_GVA + VM_RAM_GPA),
				PAGE_SIZE, PT_RW, PT_MEM_NORMAL);
	uint64_t table = leaf_table_gpa(&g, q);
	err |= gpt_map_range(&g.vm->gpt, gva(q - PAGE_SIZE), gpa(table), PAGE_SIZE,
			     PT_RW, PT_MEM_NORMAL);
	CHECK_EQ(err, 0, "%s: the guest maps a page table of its own just below the page it maps", cfg);
	fake_hc_call(g.vcpu, MINIHV_CALL_MEMINFO, q - 32, 0, 0, 0);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_EXITED,
		 "%s: meminfo across its own page table and the page it maps is carried out", cfg);
	if (g.vm->state == VM_STOPPED)
		printf("#   stopped: %s\n", g.vm->stop_reason);
	memcpy(words, g.vm->ram.host + (table - VM_RAM_GPA) + PAGE_SIZE - 32, 32);
	memcpy(words + 4, guest_ram(&g, target), 32);
	CHECK(memcmp(words, boot_info(&g), sizeof(words)) == 0,
	      "%s: ... the first 32 bytes in the table, the rest where q was mapped when the call was made", cfg);
	guest_end(&g);
}

/* ---- hostile guests ---- */

/*
 * Each hostile guest first does one good access (a VERSION load), then the
 * bad one; the harness adds an exit call after it.  The guest must stop at
 * the bad access with exactly the reason given, the access must not be
 * completed, and nothing after it may run.
 */
struct hostile {
	const char *name;
	unsigned (*script)(struct guest *g);  /* queue the bad access, return its position */
	const char *reason;
};

static unsigned cw_257(struct guest *g)
{
	return fake_hc_call(g->vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, 257, 0, 0);
}

static unsigned cw_100000(struct guest *g)
{
	return fake_hc_call(g->vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, 100000, 0, 0);
}

/* guest/tests/hostile_bad_pointer.c: 8 bytes of RAM, then what is past its end. */
static unsigned cw_past_ram(struct guest *g)
{
	return fake_hc_call(g->vcpu, MINIHV_CALL_CONSOLE_WRITE, VM_RAM_GVA + VM_RAM_SIZE - 8, 64, 0, 0);
}

static unsigned cw_unmapped(struct guest *g)
{
	return fake_hc_call(g->vcpu, MINIHV_CALL_CONSOLE_WRITE, 0x1000, 16, 0, 0);
}

/* Mapped by the guest's tables, but to the window: not RAM. */
static unsigned cw_window(struct guest *g)
{
	return fake_hc_call(g->vcpu, MINIHV_CALL_CONSOLE_WRITE, MINIHV_HC_WINDOW_GVA, 8, 0, 0);
}

/* A guest leaf pointing past RAM (guest/tests/hostile_leaf.c). */
static unsigned cw_leaf_outside(struct guest *g)
{
	if (gpt_map_range(&g->vm->gpt, gva(SPARE_GVA), gpa(VM_RAM_GPA + VM_RAM_SIZE + SZ_2M),
			  PAGE_SIZE, PT_RW, PT_MEM_NORMAL))
		abort();
	return fake_hc_call(g->vcpu, MINIHV_CALL_CONSOLE_WRITE, SPARE_GVA + 0x100, 16, 0, 0);
}

/* A guest table outside RAM (guest/tests/hostile_table.c): the entry
 * above the alias view's 2 MiB blocks points at guest-physical 4 GiB, so
 * the next table of the walk is not in RAM and must not be read. */
static unsigned cw_table_outside(struct guest *g)
{
	const struct pt *gpt = &g->vm->gpt;
	const struct pt_format *f = gpt->fmt;
	unsigned top = f->levels - 1;  /* 3 in both guest formats */
	uint64_t *root = gpt->mem.table_ptr(gpt->mem.ctx, gpt->root_pa);
	uint64_t entry = root[(VM_RAM_ALIAS_GVA >> pt_level_shift(top)) & (PT_ENTRIES - 1)];
	uint64_t *l2 = gpt->mem.table_ptr(gpt->mem.ctx, f->entry_addr(entry, top));
	if (top != 3 || !l2)
		abort();
	l2[(VM_RAM_ALIAS_GVA >> pt_level_shift(2)) & (PT_ENTRIES - 1)] = f->make_table(0x100000000ull);
	return fake_hc_call(g->vcpu, MINIHV_CALL_CONSOLE_WRITE, VM_RAM_ALIAS_GVA + 0x100, 16, 0, 0);
}

/* The guest pointed its root register outside RAM. */
static unsigned cw_root_outside(struct guest *g)
{
	g->fv->gpt_root = gpa(0x1000);
	return fake_hc_call(g->vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, 4, 0, 0);
}

/* A range that wraps past the top of the address space. */
static unsigned cw_wraps(struct guest *g)
{
	return fake_hc_call(g->vcpu, MINIHV_CALL_CONSOLE_WRITE, ~0ull - 7, 16, 0, 0);
}

static unsigned report_verdict_3(struct guest *g)
{
	guest_put(g, BUF_GVA, "hmm");
	return fake_hc_call(g->vcpu, MINIHV_CALL_REPORT, 3, BUF_GVA, 3, 0);
}

static unsigned report_verdict_huge(struct guest *g)
{
	return fake_hc_call(g->vcpu, MINIHV_CALL_REPORT, ~0ull, BUF_GVA, 3, 0);
}

static unsigned report_257(struct guest *g)
{
	return fake_hc_call(g->vcpu, MINIHV_CALL_REPORT, MINIHV_VERDICT_PASS, BUF_GVA, 257, 0);
}

static unsigned report_unmapped(struct guest *g)
{
	return fake_hc_call(g->vcpu, MINIHV_CALL_REPORT, MINIHV_VERDICT_PASS, 0, 5, 0);
}

static unsigned meminfo_window(struct guest *g)
{
	return fake_hc_call(g->vcpu, MINIHV_CALL_MEMINFO, MINIHV_HC_WINDOW_GVA, 0, 0, 0);
}

static unsigned meminfo_unmapped(struct guest *g)
{
	return fake_hc_call(g->vcpu, MINIHV_CALL_MEMINFO, 0x2000, 0, 0, 0);
}

/* Just past the window, and just before it. */
static unsigned mmio_after_window(struct guest *g)
{
	return fake_queue_mmio(g->vcpu, MINIHV_HC_WINDOW_GPA + MINIHV_HC_WINDOW_SIZE, 4, true, 1);
}

static unsigned mmio_before_window(struct guest *g)
{
	return fake_queue_mmio(g->vcpu, MINIHV_HC_WINDOW_GPA - 1, 1, false, 0);
}

static unsigned mmio_zero(struct guest *g)
{
	return fake_queue_mmio(g->vcpu, 0, 8, false, 0);
}

/* Offsets in the window that are no register. */
static unsigned window_0x48(struct guest *g)
{
	return fake_hc_store(g->vcpu, 0x48, 8, 0);
}

static unsigned window_last_word(struct guest *g)
{
	return fake_hc_load(g->vcpu, MINIHV_HC_WINDOW_SIZE - 4, 4);
}

static unsigned window_inside_arg0(struct guest *g)
{
	return fake_hc_store(g->vcpu, MINIHV_HC_ARG0 + 1, 1, 0);
}

/* The guest suite's hostile_report_length, hostile_meminfo_ram_end,
 * hostile_result_store, hostile_arg_width and hostile_straddle. */
static unsigned report_len_max(struct guest *g)
{
	return fake_hc_call(g->vcpu, MINIHV_CALL_REPORT, MINIHV_VERDICT_PASS, BUF_GVA, ~0ull, 0);
}

static unsigned meminfo_ram_end(struct guest *g)
{
	return fake_hc_call(g->vcpu, MINIHV_CALL_MEMINFO, VM_RAM_ALIAS_GVA + VM_RAM_SIZE - 16, 0, 0, 0);
}

static unsigned result_store(struct guest *g)
{
	return fake_hc_store(g->vcpu, MINIHV_HC_RESULT, 8, 0);
}

static unsigned arg1_4_bytes(struct guest *g)
{
	return fake_hc_store(g->vcpu, MINIHV_HC_ARG1, 4, 0x1000);
}

static unsigned putc_arg0_straddle(struct guest *g)
{
	return fake_hc_store(g->vcpu, 0xc, 8, 0x4141414142424242ull);
}

static const struct hostile hostile[] = {
	{ "console_write of 257 bytes", cw_257,
	  "console_write: length 257 is larger than the ABI's limit of 256" },
	{ "console_write of 100000 bytes", cw_100000,
	  "console_write: length 100000 is larger than the ABI's limit of 256" },
	{ "console_write partly past the end of RAM", cw_past_ram,
	  "console_write: buffer at gva 0x403ffff8 (64 bytes) is not readable guest memory: not mapped" },
	{ "console_write from an unmapped gva", cw_unmapped,
	  "console_write: buffer at gva 0x1000 (16 bytes) is not readable guest memory: not mapped" },
	{ "console_write from the window's gva", cw_window,
	  "console_write: buffer at gva 0x3fe00000 (8 bytes) is not readable guest memory: address outside its memory" },
	{ "console_write through a guest leaf outside RAM", cw_leaf_outside,
	  "console_write: buffer at gva 0x10000100 (16 bytes) is not readable guest memory: address outside its memory" },
	{ "console_write through a guest table outside RAM", cw_table_outside,
	  "console_write: buffer at gva 0x7f00000100 (16 bytes) is not readable guest memory: address outside its memory" },
	{ "console_write with the guest's root outside RAM", cw_root_outside,
	  "console_write: buffer at gva 0x40001000 (4 bytes) is not readable guest memory: address outside its memory" },
	{ "console_write of a range that wraps", cw_wraps,
	  "console_write: buffer at gva 0xfffffffffffffff8 (16 bytes) is not readable guest memory: address outside its memory" },
	{ "report with verdict 3", report_verdict_3,
	  "report: verdict 3 is not PASS (0), FAIL (1) or SKIP (2)" },
	{ "report with verdict 2^64-1", report_verdict_huge,
	  "report: verdict 18446744073709551615 is not PASS (0), FAIL (1) or SKIP (2)" },
	{ "report of 257 bytes", report_257,
	  "report: length 257 is larger than the ABI's limit of 256" },
	{ "report from an unmapped gva", report_unmapped,
	  "report: buffer at gva 0x0 (5 bytes) is not readable guest memory: not mapped" },
	{ "meminfo into the window's gva", meminfo_window,
	  "meminfo: destination gva 0x3fe00000 is not writable guest memory: address outside its memory" },
	{ "meminfo into an unmapped gva", meminfo_unmapped,
	  "meminfo: destination gva 0x2000 is not writable guest memory: not mapped" },
	{ "store just past the window", mmio_after_window,
	  "4-byte store at guest-physical 0xf0001000: nothing is there (not RAM, not the hypercall window)" },
	{ "load just before the window", mmio_before_window,
	  "1-byte load at guest-physical 0xefffffff: nothing is there (not RAM, not the hypercall window)" },
	{ "load at guest-physical 0", mmio_zero,
	  "8-byte load at guest-physical 0x0: nothing is there (not RAM, not the hypercall window)" },
	{ "store to offset 0x48", window_0x48,
	  "hypercall window: 8-byte store at offset 0x48 is not a register access the ABI allows" },
	{ "load of the window's last word", window_last_word,
	  "hypercall window: 4-byte load at offset 0xffc is not a register access the ABI allows" },
	{ "store into the middle of ARG0", window_inside_arg0,
	  "hypercall window: 1-byte store at offset 0x11 is not a register access the ABI allows" },
	{ "report of 2^64-1 bytes", report_len_max,
	  "report: length 18446744073709551615 is larger than the ABI's limit of 256" },
	{ "meminfo across the end of RAM", meminfo_ram_end,
	  "meminfo: destination gva 0x7f003ffff0 is not writable guest memory: not mapped" },
	{ "store to RESULT", result_store,
	  "hypercall window: 8-byte store at offset 0x38 is not a register access the ABI allows" },
	{ "4-byte store to ARG1", arg1_4_bytes,
	  "hypercall window: 4-byte store at offset 0x18 is not a register access the ABI allows" },
	{ "8-byte store across PUTC and ARG0", putc_arg0_straddle,
	  "hypercall window: 8-byte store at offset 0xc is not a register access the ABI allows" },
};

static void test_hostile(void)
{
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const struct hostile *h = &hostile[i];
		struct guest g;
		char line[512];

		guest_start(&g, "hostile");
		fake_hc_load(g.vcpu, MINIHV_HC_VERSION, 4);
		unsigned bad = h->script(&g);
		fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
		guest_run(&g);

		CHECK_EQ(g.vm->state, VM_STOPPED, "%s: %s stops the guest", cfg, h->name);
		CHECK_STR(g.vm->stop_reason, h->reason, "%s: %s: the reason", cfg, h->name);
		CHECK(g.fv->next == bad && g.fv->pc == bad - 1,
		      "%s: %s: stopped at that access, not completed (exit %u of %u, pc %u)",
		      cfg, h->name, g.fv->next, g.fv->script_len, g.fv->pc);
		snprintf(line, sizeof(line), "minihv: guest 'hostile' stopped: %s\r\n", h->reason);
		CHECK(console_has(line), "%s: %s: the stop line is printed", cfg, h->name);
		guest_end(&g);
	}
}

/*
 * The ABI is the guest kernel's: a hypercall access from the guest's user
 * mode (EL0, CPL 3) is refused at its first store, before anything is
 * latched, printed, read or written -- the pointer walk has the
 * hypervisor's reach, not the user program's.  The same calls from the
 * kernel work (the tests above).
 */
static void test_user_mode(void)
{
	struct guest g;
	static const char secret[] = "kernel secret\n";

	guest_start(&g, "user-cw");
	g.fv->user_mode = true;
	guest_put(&g, BUF_GVA, secret);
	unsigned first = fake_hc_store(g.vcpu, MINIHV_HC_ARG0, 8, BUF_GVA);
	fake_hc_call(g.vcpu, MINIHV_CALL_CONSOLE_WRITE, BUF_GVA, sizeof(secret) - 1, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_STOPPED, "%s: console_write from user mode stops the guest", cfg);
	CHECK_STR(g.vm->stop_reason,
		  "hypercall window: 8-byte store at offset 0x10 from the guest's user mode refused: hypercalls are for the guest kernel",
		  "%s: ... at its first store, saying why", cfg);
	CHECK_EQ(g.fv->next, first, "%s: ... and runs nothing after it", cfg);
	CHECK_EQ(g.vcpu->hc_arg[0], 0, "%s: ... with nothing latched", cfg);
	CHECK(strstr(fake_console(), "kernel secret") == NULL, "%s: ... and nothing printed", cfg);
	guest_end(&g);

	/* A load is refused too (VERSION, RESULT: nothing for a user
	 * program), and MEMINFO writes nothing. */
	guest_start(&g, "user-load");
	g.fv->user_mode = true;
	fake_hc_load(g.vcpu, MINIHV_HC_VERSION, 4);
	guest_run(&g);
	CHECK(g.vm->state == VM_STOPPED && g.fv->nr_loads == 0,
	      "%s: a load from user mode is refused, and returns nothing", cfg);
	guest_end(&g);

	guest_start(&g, "user-meminfo");
	g.fv->user_mode = true;
	memset(guest_ram(&g, BUF_GVA), 0xaa, sizeof(struct minihv_boot_info));
	fake_hc_call(g.vcpu, MINIHV_CALL_MEMINFO, BUF_GVA, 0, 0, 0);
	guest_run(&g);
	CHECK(g.vm->state == VM_STOPPED && *(uint8_t *)guest_ram(&g, BUF_GVA) == 0xaa,
	      "%s: meminfo from user mode is refused and writes nothing", cfg);
	guest_end(&g);
}

int main(void)
{
	unit_begin("test_hv_hypercall");
	test_pool_init();
	for (unsigned c = 0; c < HV_TEST_CONFIGS; c++) {
		hv_test_config(c);

		test_version();
		test_putc();
		test_scratch();
		test_register_widths();
		test_console_write();
		test_console_write_crosses_pages();
		test_current_translation();
		test_control_characters();
		test_long_and_unfinished_lines();
		test_console_budget();
		test_unknown_call();
		test_report();
		test_exit();
		test_meminfo();
		test_meminfo_read_only();
		test_meminfo_rewrites_its_table();
		test_hostile();
		test_user_mode();

		CHECK_EQ(fake_arch.vm_finis, fake_arch.vm_inits,
			 "%s: every VM's arch state was released (%u VMs)", cfg, fake_arch.vm_inits);
		CHECK(!fake_arch.console_overflow, "%s: the console capture never overflowed", cfg);
	}
	CHECK_EQ(test_leaks, 0, "every one of the %u VMs gave the whole pool back", test_vms);
	return unit_done();
}
