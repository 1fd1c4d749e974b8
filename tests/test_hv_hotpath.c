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

int main(void)
{
	unit_begin("test_hv_hotpath");
	test_pool_init();
	for (unsigned c = 0; c < HV_TEST_CONFIGS; c++) {
		hv_test_config(c);
		test_hot_exits_format_nothing();
		test_refusal_formats();
	}
	CHECK_EQ(test_leaks, 0, "every one of the %u VMs gave the whole pool back", test_vms);
	return unit_done();
}
