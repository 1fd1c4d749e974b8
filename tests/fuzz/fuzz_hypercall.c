/*
 * libFuzzer target: the hypercall device's argument checks (hv/hypercall.c),
 * through the real run loop and VM code on the fake CPU (tests/fake_arch.c),
 * set up as tests/test_hv_hypercall.c does.
 *
 * The input is a guest program: a list of loads and stores to the
 * hypercall window (and beside it) with fuzz-chosen offsets, widths,
 * ARG0..ARG3 values, call numbers, pointers and lengths.  Pointers are
 * often aimed at guest RAM, its alias view, the window, or just past
 * them, so that the edges are hit.  The guest may also have "written CR3"
 * to point its page tables at a page of RAM it filled itself, or turned
 * paging off.  Invariants:
 *
 *   - nothing crashes, under ASan and UBSan;
 *   - after vm_destroy the pool is back at its mark (everything the VM
 *     took is given back);
 *   - console output comes only from the guest: the guest's RAM holds
 *     lowercase letters (and what the hypervisor put at its top), PUTC
 *     writes only upper case, digits and spaces, and the pool beyond
 *     what the hypervisor uses is filled with '#': a guest line ("[fz] ...")
 *     showing '#' was read from memory that is not the VM's RAM;
 *   - the VM ends exited or stopped, never still running.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake_arch.h"
#include "hv/hypercall.h"
#include "hv/run.h"

#define ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

#define POOL_SIZE (8ull << 20)
#define FILL_SIZE 0x10000ull   /* RAM filled with letters at its start */

static struct bump pool;
static uint8_t *pool_mem;

#include "fuzz_input.h"

/* A register value: raw, small (a length), or aimed at an edge. */
static uint64_t pick_value(struct in *in)
{
	uint8_t mode = byte(in);
	uint64_t near = le(in, 2);   /* an offset around the target */

	switch (mode & 7) {
	case 0:  return le(in, 8);
	case 1:  return near % 300;                                     /* lengths, around the 256 limit */
	case 2:  return VM_RAM_GVA + VM_RAM_SIZE - 0x800 + near % 0x1000;   /* RAM's end */
	case 3:  return VM_RAM_GVA + (near << 4) % VM_RAM_SIZE;             /* anywhere in RAM */
	case 4:  return VM_RAM_ALIAS_GVA - 0x100 + near % (VM_RAM_SIZE + 0x200);
	case 5:  return MINIHV_HC_WINDOW_GVA - 0x80 + near % 0x1100;        /* the window itself */
	case 6:  return VM_RAM_GPA - 0x80 + near % 0x1000;                 /* physical, for paging off */
	default: return (uint64_t)0 - 1 - near % 0x2000;                    /* wraps the top */
	}
}

static char putc_char(uint8_t b)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n\t";
	return alphabet[b % (sizeof(alphabet) - 1)];
}

static const unsigned widths[8] = { 1, 2, 4, 8, 1, 2, 4, 8 };

/* One guest instruction (or, for op 5, a whole call). */
static void queue_op(struct vcpu *v, struct in *in)
{
	uint8_t op = byte(in);
	uint8_t b = byte(in);

	switch (op % 7) {
	case 0: /* ARG0..3 */
		fake_hc_store(v, MINIHV_HC_ARG0 + 8 * (b & 3), 8, pick_value(in));
		break;
	case 1: /* CALL: usually a known number */
		fake_hc_store(v, MINIHV_HC_CALL, 4, (b & 0x80) ? pick_value(in) : b % 6);
		break;
	case 2: /* any register, any width, either way */
		fake_queue_mmio(v, MINIHV_HC_WINDOW_GPA + (b & 0x7f), widths[byte(in) & 7],
				op & 8, pick_value(in));
		break;
	case 3:
		fake_hc_load(v, MINIHV_HC_RESULT, 8);
		break;
	case 4:
		fake_hc_store(v, MINIHV_HC_PUTC, 1, (uint8_t)putc_char(b));
		break;
	case 5: { /* a whole call: four arguments, the number, the result */
		uint64_t a[4];
		for (int i = 0; i < 4; i++)
			a[i] = pick_value(in);
		fake_hc_call(v, b % 6, a[0], a[1], a[2], a[3]);
		break;
	}
	default: /* an access anywhere in the window's page, or beside it */
		fake_queue_mmio(v, MINIHV_HC_WINDOW_GPA - 0x100 + le(in, 2) % 0x1200,
				(b & 7) + 1, op & 8, pick_value(in));
		break;
	}
}

/* Every "[fz] " line of the console: no '#', i.e. nothing read from
 * outside the VM's memory. */
static void check_console(void)
{
	const char *s = fake_console();

	while ((s = strstr(s, "[fz] ")) != NULL) {
		const char *end = strchr(s, '\n');
		const char *hash = strchr(s, '#');
		ASSERT(end);
		ASSERT(!hash || hash > end);
		s = end;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const struct pt_format *s2, *gpt;
	} configs[2] = {
		{ &pt_format_x86_ept, &pt_format_x86_64 },
		{ &pt_format_arm_stage2, &pt_format_arm_stage1 },
	};
	struct in in = { data, size };
	struct vm *vm;
	struct vcpu *v;
	struct fake_vcpu *fv;
	uint8_t cfg, flags, seed;

	if (!pool_mem) {
		pool_mem = aligned_alloc(SZ_2M, POOL_SIZE);
		ASSERT(pool_mem);
		memset(pool_mem, '#', POOL_SIZE);
		bump_init(&pool, "fuzz pool", pool_mem, POOL_SIZE);
	}
	cfg = byte(&in);
	flags = byte(&in);
	seed = byte(&in);
	fake_arch_reset(configs[cfg & 1].s2, configs[cfg & 1].gpt);
	fake_console_clear();

	vm = vm_create(&pool, "fz");
	ASSERT(vm);
	v = vm_setup_minihv_guest(vm, gva(VM_RAM_GVA));
	ASSERT(v);
	fv = fake_vcpu(v);

	/* The guest's data: lowercase letters, and now and then a newline. */
	for (uint64_t i = 0; i < FILL_SIZE; i++)
		vm->ram.host[i] = (i * 7 + seed) % 61 == 0 ? '\n' : (uint8_t)('a' + (i + seed) % 26);

	/* The guest "wrote CR3" (its tables are then its own letters and
	 * whatever it points at), or turned paging off. */
	if (flags & 1)
		fv->gpt_root = gpa(VM_RAM_GPA + (uint64_t)(flags >> 2) * PAGE_SIZE);
	if (flags & 2)
		fv->gpt_enabled = false;

	/* An op queues at most 6 exits, and the closing EXIT call 6 more. */
	while (in.n > 0 && fv->script_len + 12 <= FAKE_SCRIPT_MAX)
		queue_op(v, &in);
	fake_hc_call(v, MINIHV_CALL_EXIT, 0, 0, 0, 0);

	vcpu_run(v);
	hypercall_flush_console(vm);
	ASSERT(vm->state == VM_EXITED || vm->state == VM_STOPPED);
	ASSERT(!fake_arch.console_overflow);
	check_console();
	/* FUZZ_VERBOSE=1: show what the guest did (to see that an input reaches
	 * what it was written for). */
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "--- state %d, console:\n%s", vm->state, fake_console());

	vm_destroy(vm);
	{
		struct bump_stats st;
		bump_get_stats(&pool, &st);
		ASSERT(st.used == 0);
	}
	return 0;
}
