/*
 * The hot path formats no text (issue 9; docs/performance.md).
 *
 * Every hypercall goes through vcpu_run, hypercall_mmio and do_call, and a
 * message built there with printf-style formatting on every exit -- an
 * exit name looked up and printed into a buffer "just in case" -- costs
 * hundreds of instructions each time.  Text belongs to TRACE=1 and to the
 * stop messages.  This test counts the calls to the formatter's two entry
 * points (lib/format.c) while the real core runs a guest's hypercalls on
 * the fake backend: linked with -Wl,--wrap=format_v,--wrap=format_buf_v
 * (Makefile), every call from the rest of the program reaches the
 * __wrap_ functions below first.  Any call during a run of hot exits
 * fails the test, so speed cannot regress silently; a refused access,
 * which must be described, shows the counter works.
 */
#include <stdarg.h>

#include "tests/hv_guest.h"
#include "lib/format.h"

static unsigned format_calls;

int __real_format_v(format_sink sink, void *ctx, const char *fmt, va_list ap);
int __real_format_buf_v(char *buf, size_t len, const char *fmt, va_list ap);
int __wrap_format_v(format_sink sink, void *ctx, const char *fmt, va_list ap);
int __wrap_format_buf_v(char *buf, size_t len, const char *fmt, va_list ap);

int __wrap_format_v(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
	format_calls++;
	return __real_format_v(sink, ctx, fmt, ap);
}

int __wrap_format_buf_v(char *buf, size_t len, const char *fmt, va_list ap)
{
	format_calls++;
	return __real_format_buf_v(buf, len, fmt, ap);
}

/* Every kind of exit make bench times, and an exit call at the end. */
static void test_hot_exits_format_nothing(void)
{
	struct guest g;

	guest_start(&g, "hot");
	for (int i = 0; i < 4; i++) {
		fake_hc_store(g.vcpu, MINIHV_HC_SCRATCH, 8, 0x1122334455667788ull + i);
		fake_hc_load(g.vcpu, MINIHV_HC_SCRATCH, 8);
		fake_hc_load(g.vcpu, MINIHV_HC_VERSION, 4);
	}
	fake_hc_store(g.vcpu, MINIHV_HC_SCRATCH, 1, 0xff);
	fake_hc_load(g.vcpu, MINIHV_HC_SCRATCH, 2);
	fake_hc_call(g.vcpu, 0x7777, 1, 2, 3, 4);   /* unknown: ENOSYS, as make bench */
	fake_queue_exit(g.vcpu, EXIT_HANDLED, "HVC #0 (null call)", NULL);
	fake_queue_exit(g.vcpu, EXIT_HANDLED, "CPUID", NULL);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);

	format_calls = 0;
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_EXITED, "%s: the guest ran its hypercalls to its exit", cfg);
	CHECK_EQ(g.fv->mmio_done, 4 * 3 + 2 + 6 + 5, "%s: ... completing every access", cfg);
	CHECK_EQ(format_calls, 0, "%s: ... and nothing on the way called the formatter", cfg);
	guest_end(&g);
}

/* The counter counts: a refused access is described, with the formatter. */
static void test_refusal_formats(void)
{
	struct guest g;

	guest_start(&g, "cold");
	fake_hc_store(g.vcpu, MINIHV_HC_VERSION, 4, 1);     /* VERSION is load-only */
	format_calls = 0;
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_STOPPED, "%s: a store to VERSION stops the guest", cfg);
	CHECK(format_calls > 0, "%s: ... with a message the formatter wrote (%u calls)", cfg,
	      format_calls);
	guest_end(&g);
}

/* One access as a backend's fast path offers it to the core. */
static bool fast(struct guest *g, uint64_t off, unsigned size, bool write, uint64_t value,
		 bool user, uint64_t *load)
{
	struct mmio_access a = {
		.gpa = gpa(MINIHV_HC_WINDOW_GPA + off), .size = (uint8_t)size,
		.write = write, .value = value,
	};
	return hv_fast_mmio(g->vcpu, &a, user, load);
}

/*
 * The backend's fast path (hv/run.h: hv_fast_mmio, hv_fast_exit; the
 * aarch64 backend calls them from its exit path): it serves the value
 * registers as hypercall_mmio does, counts the exit as vcpu_run does --
 * one more exit, and progress for the watchdog -- formats nothing, and
 * leaves everything else untouched for the ordinary path, which refuses
 * with a message.
 */
static void test_fast_path(void)
{
	struct guest g;
	uint64_t v = 0;

	guest_start(&g, "fast");
	g.vcpu->exits = 10;
	g.vcpu->idle_exits = 3;
	format_calls = 0;
	CHECK(fast(&g, MINIHV_HC_SCRATCH, 8, true, 0x1122334455667788ull, false, &v) &&
	      g.vcpu->hc_scratch == 0x1122334455667788ull,
	      "%s: fast path: a SCRATCH store is served", cfg);
	CHECK(g.vcpu->exits == 11 && g.vcpu->idle_exits == 0,
	      "%s: ... counted as an exit, and as progress for the watchdog", cfg);
	CHECK(fast(&g, MINIHV_HC_SCRATCH, 2, false, 0, false, &v) && v == 0x7788,
	      "%s: ... a 2-byte SCRATCH load returns the low bytes (0x%llx)", cfg,
	      (unsigned long long)v);
	CHECK(fast(&g, MINIHV_HC_VERSION, 4, false, 0, false, &v) && v == MINIHV_ABI_VERSION,
	      "%s: ... a VERSION load returns the ABI version", cfg);
	CHECK(fast(&g, MINIHV_HC_ARG0 + 24, 8, true, 42, false, &v) && g.vcpu->hc_arg[3] == 42,
	      "%s: ... an ARG3 store latches the argument", cfg);
	g.vcpu->hc_result = 7;
	CHECK(fast(&g, MINIHV_HC_RESULT, 8, false, 0, false, &v) && v == 7,
	      "%s: ... a RESULT load returns the result", cfg);
	CHECK_EQ(format_calls, 0, "%s: ... and none of it called the formatter", cfg);

	/* Declined: nothing latched, nothing counted. */
	uint64_t exits = g.vcpu->exits;
	g.vcpu->idle_exits = 5;
	CHECK(!fast(&g, MINIHV_HC_SCRATCH, 8, true, 1, true, &v) &&
	      g.vcpu->hc_scratch == 0x1122334455667788ull,
	      "%s: fast path declines an access from user mode, latching nothing", cfg);
	CHECK(!fast(&g, MINIHV_HC_VERSION, 4, true, 1, false, &v),
	      "%s: ... a store to VERSION (the ordinary path refuses it)", cfg);
	CHECK(!fast(&g, MINIHV_HC_ARG0, 4, true, 9, false, &v) && g.vcpu->hc_arg[0] != 9,
	      "%s: ... a 4-byte ARG0 store", cfg);
	CHECK(!fast(&g, MINIHV_HC_RESULT, 8, true, 9, false, &v) && g.vcpu->hc_result == 7,
	      "%s: ... a RESULT store", cfg);
	CHECK(!fast(&g, MINIHV_HC_SCRATCH + 1, 1, true, 9, false, &v),
	      "%s: ... a misaligned offset", cfg);
	CHECK(!fast(&g, MINIHV_HC_PUTC, 1, true, 'x', false, &v) && !console_has("x"),
	      "%s: ... PUTC, which prints (the ordinary path serves it)", cfg);
	CHECK(!fast(&g, MINIHV_HC_CALL, 4, true, MINIHV_CALL_EXIT, false, &v) &&
	      g.vm->state != VM_EXITED,
	      "%s: ... CALL, which may stop the guest", cfg);
	CHECK(!fast(&g, MINIHV_HC_WINDOW_SIZE, 8, true, 1, false, &v),
	      "%s: ... an address past the window", cfg);
	CHECK(g.vcpu->exits == exits && g.vcpu->idle_exits == 5,
	      "%s: ... counting none of them", cfg);

	/* An exit the backend handled that is not progress (the null call). */
	g.vm->watchdog_exits = 7;
	CHECK(hv_fast_exit(g.vcpu) && g.vcpu->exits == exits + 1 && g.vcpu->idle_exits == 6,
	      "%s: hv_fast_exit counts an exit without progress", cfg);
	CHECK(!hv_fast_exit(g.vcpu) && g.vcpu->exits == exits + 1 && g.vcpu->idle_exits == 6,
	      "%s: ... and declines the one that reaches the watchdog's limit, for vcpu_run to stop", cfg);
	g.vm->watchdog_exits = 0;
	CHECK(hv_fast_exit(g.vcpu), "%s: ... with no limit, never", cfg);
	guest_end(&g);
}

int main(void)
{
	unit_begin("test_hv_hotpath");
	test_pool_init();
	for (unsigned c = 0; c < HV_TEST_CONFIGS; c++) {
		hv_test_config(c);
		test_hot_exits_format_nothing();
		test_refusal_formats();
		test_fast_path();
	}
	CHECK_EQ(test_leaks, 0, "every one of the %u VMs gave the whole pool back", test_vms);
	return unit_done();
}
