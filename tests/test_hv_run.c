/*
 * The run loop (hv/run.c): what the core does with each kind of VM exit a
 * backend reports.  The fake backend (tests/fake_arch.c) hands out a
 * scripted sequence of exits; the checks look at where the loop stopped,
 * why, and what it asked the backend to do on the way.
 */
#include "tests/hv_guest.h"


/* The backend dealt with these exits itself (CPUID, XSETBV...): the loop
 * just enters the guest again, and counts them. */
static void test_handled_continues(void)
{
	struct guest g;

	guest_start(&g, "handled");
	fake_queue_exit(g.vcpu, EXIT_HANDLED, "CPUID", NULL);
	fake_queue_exit(g.vcpu, EXIT_HANDLED, "XSETBV", NULL);
	fake_queue_exit(g.vcpu, EXIT_HANDLED, "CPUID", NULL);
	unsigned call = fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 7, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_EXITED, "%s: EXIT_HANDLED: the guest runs on to its exit call", cfg);
	CHECK_EQ(g.vm->exit_code, 7, "%s: ... with its exit code", cfg);
	CHECK_EQ(g.fv->next, call, "%s: ... the loop took every exit up to the call", cfg);
	CHECK_EQ(g.vcpu->exits, call, "%s: ... and counted each of them (%u)", cfg, call);
	/* Handled exits are the backend's business: the core neither
	 * steps the guest nor completes an access for them. */
	CHECK_EQ(g.fv->pc, call - 3, "%s: ... stepping the guest only for the MMIO exits", cfg);
	CHECK_STR(fake_console(), "", "%s: ... printing nothing", cfg);
	guest_end(&g);
}

static void test_halt_stops(void)
{
	struct guest g;

	guest_start(&g, "halt");
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, 'z');
	fake_queue_exit(g.vcpu, EXIT_HALT, "WFI", NULL);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_STOPPED, "%s: EXIT_HALT stops the guest", cfg);
	/* guest/tests/halt.c expects this reason. */
	CHECK_STR(g.vm->stop_reason, "the guest halted (WFI) without calling exit",
		  "%s: ... because it halted, naming the instruction", cfg);
	CHECK_EQ(g.fv->next, 2, "%s: ... and is not entered again", cfg);
	CHECK_EQ(g.fv->pc, 1, "%s: ... nor stepped past the halt", cfg);
	/* The FAIL line comes first: the unfinished console line is only
	 * printed by the flush after the run. */
	CHECK_STR(fake_console(),
		  "minihv: guest 'halt' stopped: the guest halted (WFI) without calling exit\r\n"
		  "[halt] z\r\n",
		  "%s: ... the FAIL line, then the guest's unfinished line", cfg);
	guest_end(&g);
}

static void test_guest_fault_stops(void)
{
	struct guest g;

	guest_start(&g, "fault");
	fake_queue_exit(g.vcpu, EXIT_HANDLED, "CPUID", NULL);
	fake_queue_exit(g.vcpu, EXIT_GUEST_FAULT, "guest exception",
			"the guest took an exception at EL1: #PF");
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_STOPPED, "%s: EXIT_GUEST_FAULT stops the guest", cfg);
	/* Name, the backend's reason, and the backend's description of the
	 * exit (here the fake's: its position in the script). */
	CHECK_STR(g.vm->stop_reason,
		  "guest exception: the guest took an exception at EL1: #PF (scripted exit 2)",
		  "%s: ... with the exit's name, reason and description", cfg);
	CHECK_EQ(g.fv->next, 2, "%s: ... and is not entered again", cfg);
	guest_end(&g);

	/* A backend that gives no reason. */
	guest_start(&g, "noreason");
	fake_queue_exit(g.vcpu, EXIT_GUEST_FAULT, "SMC", NULL);
	guest_run(&g);
	CHECK_STR(g.vm->stop_reason, "SMC: not handled (scripted exit 1)",
		  "%s: EXIT_GUEST_FAULT without a reason says \"not handled\"", cfg);
	guest_end(&g);
}

static void test_host_error_stops(void)
{
	struct guest g;

	guest_start(&g, "hosterr");
	fake_queue_exit(g.vcpu, EXIT_HOST_ERROR, "VM entry", "invalid guest state");
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_STOPPED, "%s: EXIT_HOST_ERROR stops the guest", cfg);
	CHECK_STR(g.vm->stop_reason,
		  "the CPU refused to run the guest: VM entry: invalid guest state (scripted exit 1)",
		  "%s: ... saying that it was the CPU that refused", cfg);
	CHECK_EQ(g.fv->next, 1, "%s: ... and is not entered again", cfg);
	guest_end(&g);
}

/* For a load, the core hands the value to the backend twice: as the
 * argument of arch_vcpu_mmio_done, and in the exit's mmio.value (which the
 * TRACE line prints).  For a store, mmio.value is the guest's. */
static void test_mmio_completion(void)
{
	struct guest g;

	guest_start(&g, "mmio");
	fake_hc_store(g.vcpu, MINIHV_HC_SCRATCH, 4, 0xcafef00d);
	fake_hc_load(g.vcpu, MINIHV_HC_SCRATCH, 4);
	fake_hc_load(g.vcpu, MINIHV_HC_VERSION, 4);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.fv->mmio_done, g.fv->next, "%s: every MMIO exit was completed", cfg);
	CHECK_EQ(g.fv->pc, g.fv->next, "%s: ... and stepped the guest once", cfg);
	CHECK(g.fv->nr_loads == 2 && g.fv->loads[0] == 0xcafef00d &&
	      g.fv->loads[1] == MINIHV_ABI_VERSION,
	      "%s: each load delivered its value to the backend", cfg);
	CHECK(g.fv->load_exit_values[0] == 0xcafef00d &&
	      g.fv->load_exit_values[1] == MINIHV_ABI_VERSION,
	      "%s: ... and put it in the exit's mmio.value", cfg);
	guest_end(&g);
}

/* A guest whose script ends without an exit call: the fake reports that
 * as a fault, so the loop ends (this guards the tests themselves). */
static void test_script_end(void)
{
	struct guest g;

	guest_start(&g, "noexit");
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, '.');
	guest_run(&g);
	CHECK_STR(g.vm->stop_reason,
		  "end of script: the test's script has no more exits (scripted exit 1)",
		  "%s: a script without an exit call ends in a stop, not a hang", cfg);
	guest_end(&g);
}

/* vcpu_run enters the guest only while the VM runs: an exited or stopped
 * VM is not entered again. */
static void test_no_run_when_ended(void)
{
	struct guest g;

	guest_start(&g, "ended");
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, '!');
	vcpu_run(g.vcpu);
	unsigned taken = g.fv->next;
	vcpu_run(g.vcpu);
	CHECK_EQ(g.fv->next, taken, "%s: vcpu_run on an exited VM does not enter it", cfg);
	guest_end(&g);

	guest_start(&g, "stopped");
	vm_stop(g.vm, "stopped by the test");
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, '!');
	vcpu_run(g.vcpu);
	CHECK(g.fv->next == 0 && g.vcpu->exits == 0,
	      "%s: vcpu_run on a stopped VM does not enter it", cfg);
	guest_end(&g);
}

/*
 * The watchdog's time: the core arms the backend's timer with the VM's
 * budget before the first entry, and stops the guest when the backend
 * says it ran out (the fake's time does not pass: the script says when).
 */
static void test_watchdog_time(void)
{
	struct guest g;

	guest_start(&g, "spin");
	CHECK_EQ(g.vm->watchdog_ms, VM_WATCHDOG_MS, "%s: vm_create gives the default budget", cfg);
	CHECK_EQ(g.vm->watchdog_exits, VM_WATCHDOG_EXITS, "%s: ... and the default exit limit", cfg);
	fake_arch.watchdog = true;
	fake_queue_exit(g.vcpu, EXIT_HANDLED, "CPUID", NULL);
	unsigned fired = fake_queue_exit(g.vcpu, EXIT_WATCHDOG, "watchdog timer", NULL);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(fake_arch.watchdog_armed_ms, VM_WATCHDOG_MS,
		 "%s: the backend's timer is armed with the VM's budget", cfg);
	CHECK_EQ(g.vm->state, VM_STOPPED, "%s: EXIT_WATCHDOG stops the guest", cfg);
	CHECK_STR(g.vm->stop_reason, "watchdog: guest ran for 2000 ms without finishing",
		  "%s: ... saying how long it ran", cfg);
	CHECK_EQ(g.fv->next, fired, "%s: ... and does not enter it again", cfg);
	guest_end(&g);

	/* The budget is the VM's setting. */
	fake_arch.watchdog_armed_ms = 0;
	guest_start(&g, "short");
	g.vm->watchdog_ms = 50;
	fake_queue_exit(g.vcpu, EXIT_WATCHDOG, "watchdog timer", NULL);
	guest_run(&g);
	CHECK_EQ(fake_arch.watchdog_armed_ms, 50, "%s: a VM's own budget is what is armed", cfg);
	CHECK_STR(g.vm->stop_reason, "watchdog: guest ran for 50 ms without finishing",
		  "%s: ... and what the stop says", cfg);
	guest_end(&g);

	/* 0: no timer asked for at all. */
	fake_arch.watchdog_armed_ms = 0;
	guest_start(&g, "untimed");
	g.vm->watchdog_ms = 0;
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(fake_arch.watchdog_armed_ms, 0, "%s: watchdog_ms 0 arms no timer", cfg);
	CHECK_EQ(g.vm->state, VM_EXITED, "%s: ... and the guest runs to its exit", cfg);
	guest_end(&g);
}

/*
 * The watchdog's exit limit, which works with or without the backend's
 * timer (the fake answers "not armed" here, as x86 does today): exits in a
 * row without an accepted hypercall access stop the guest; one accepted
 * access starts the count again.
 */
static void test_watchdog_exits(void)
{
	struct guest g;

	guest_start(&g, "busy");
	g.vm->watchdog_exits = 5;
	for (int i = 0; i < 4; i++)
		fake_queue_exit(g.vcpu, EXIT_HANDLED, "CPUID", NULL);
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, '.');
	for (int i = 0; i < 4; i++)
		fake_queue_exit(g.vcpu, EXIT_HANDLED, "CPUID", NULL);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 3, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_EXITED,
		 "%s: 4 idle exits, a hypercall, 4 more: under a limit of 5, the guest runs on", cfg);
	CHECK_EQ(g.vm->exit_code, 3, "%s: ... to its exit call", cfg);
	guest_end(&g);

	guest_start(&g, "loop");
	g.vm->watchdog_exits = 5;
	fake_hc_store(g.vcpu, MINIHV_HC_PUTC, 1, '.');
	unsigned last = 0;
	for (int i = 0; i < 5; i++)
		last = fake_queue_exit(g.vcpu, EXIT_HANDLED, "WFE", NULL);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(fake_arch.watchdog_armed_ms, VM_WATCHDOG_MS,
		 "%s: the core asked for the timer even so", cfg);
	CHECK_EQ(g.vm->state, VM_STOPPED, "%s: the 5th exit in a row without progress stops the guest", cfg);
	CHECK_STR(g.vm->stop_reason, "watchdog: 5 exits without progress (the last: WFE)",
		  "%s: ... saying so and naming the last exit", cfg);
	CHECK_EQ(g.fv->next, last, "%s: ... right at that exit", cfg);
	guest_end(&g);

	/* An exit limit of 0 means none. */
	guest_start(&g, "nolimit");
	g.vm->watchdog_exits = 0;
	for (int i = 0; i < 40; i++)
		fake_queue_exit(g.vcpu, EXIT_HANDLED, "CPUID", NULL);
	fake_hc_call(g.vcpu, MINIHV_CALL_EXIT, 0, 0, 0, 0);
	guest_run(&g);
	CHECK_EQ(g.vm->state, VM_EXITED, "%s: watchdog_exits 0: no exit limit", cfg);
	guest_end(&g);
}

/* vcpu_refuse, the one helper every backend says "no" with: it formats
 * into the vCPU's buffer, and the loop stops the VM with that text. */
static void test_refuse(void)
{
	struct guest g;
	struct vm_exit e = { .kind = EXIT_MMIO, .name = "RDMSR" };
	char big[400];

	guest_start(&g, "refuse");
	vcpu_refuse(g.vcpu, &e, EXIT_GUEST_FAULT, "RDMSR of MSR 0x%x: %s", 0x174u, "no");
	CHECK_EQ(e.kind, EXIT_GUEST_FAULT, "%s: vcpu_refuse sets the kind", cfg);
	CHECK(e.reason == g.vcpu->exit_reason, "%s: ... points the reason at the vCPU's buffer", cfg);
	CHECK_STR(e.reason, "RDMSR of MSR 0x174: no", "%s: ... formatted", cfg);
	vcpu_refuse(g.vcpu, &e, EXIT_HOST_ERROR, "VMRUN");
	CHECK_EQ(e.kind, EXIT_HOST_ERROR, "%s: ... either kind of stop", cfg);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	vcpu_refuse(g.vcpu, &e, EXIT_GUEST_FAULT, "%s", big);
	CHECK_EQ(strlen(e.reason), sizeof(g.vcpu->exit_reason) - 1,
		 "%s: ... a reason too long for the buffer is cut, not overflowed", cfg);
	guest_end(&g);
}

int main(void)
{
	unit_begin("test_hv_run");
	test_pool_init();
	for (unsigned c = 0; c < HV_TEST_CONFIGS; c++) {
		hv_test_config(c);

		test_handled_continues();
		test_halt_stops();
		test_guest_fault_stops();
		test_host_error_stops();
		test_mmio_completion();
		test_script_end();
		test_no_run_when_ended();
		test_watchdog_time();
		test_watchdog_exits();
		test_refuse();
	}
	CHECK_EQ(test_leaks, 0, "every one of the %u VMs gave the whole pool back", test_vms);
	return unit_done();
}
