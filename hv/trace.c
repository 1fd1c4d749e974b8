/*
 * TRACE=1's words for the hypercall ABI (include/minihv/hypercall_abi.h).
 *
 * A trace line says what the guest touched in the hypercall window by name
 * -- "(CALL = console_write)", "(ARG1)" -- so that a reader can follow a
 * guest's calls without the ABI's offsets in mind.  Only trace_exit
 * (hv/run.c), in TRACE=1 builds, calls this: the run loop of other builds
 * never does.
 */
#include "trace.h"
#include "print.h"
#include "vm.h"
#include "../include/minihv/hypercall_abi.h"
#include "../mm/mm_err.h"
#include "../mm/pt_dump.h"

/* The register at byte OFF of the window, or NULL between registers. */
static const char *register_name(uint64_t off)
{
	switch (off) {
	case MINIHV_HC_VERSION: return "VERSION";
	case MINIHV_HC_PUTC: return "PUTC";
	case MINIHV_HC_ARG0: return "ARG0";
	case MINIHV_HC_ARG1: return "ARG1";
	case MINIHV_HC_ARG2: return "ARG2";
	case MINIHV_HC_ARG3: return "ARG3";
	case MINIHV_HC_CALL: return "CALL";
	case MINIHV_HC_RESULT: return "RESULT";
	case MINIHV_HC_SCRATCH: return "SCRATCH";
	}
	return NULL;
}

static const char *call_name(uint64_t nr)
{
	switch (nr) {
	case MINIHV_CALL_CONSOLE_WRITE: return "console_write";
	case MINIHV_CALL_REPORT: return "report";
	case MINIHV_CALL_EXIT: return "exit";
	case MINIHV_CALL_MEMINFO: return "meminfo";
	}
	return "no such call";
}

void trace_hypercall_words(gpa_t gpa, bool write, uint64_t value, char *buf, size_t len)
{
	uint64_t at = gpa_val(gpa);
	buf[0] = '\0';
	if (at < MINIHV_HC_WINDOW_GPA || at - MINIHV_HC_WINDOW_GPA >= MINIHV_HC_WINDOW_SIZE)
		return;
	const char *reg = register_name(at - MINIHV_HC_WINDOW_GPA);
	if (!reg)
		hv_snprintf(buf, len, " (hypercall window +0x%llx: no register)",
			    (unsigned long long)(at - MINIHV_HC_WINDOW_GPA));
	else if (write && at - MINIHV_HC_WINDOW_GPA == MINIHV_HC_CALL)
		hv_snprintf(buf, len, " (CALL = %s)", call_name(value));
	else
		hv_snprintf(buf, len, " (%s)", reg);
}

/* ---- TRACE=2: the tables of each VM, at its end ---- */

/* Each dump line, behind "trace: NAME TREE: ". */
struct dump_ctx {
	const char *vm;
	const char *tree;
};

static void dump_line(void *arg, const char *line)
{
	const struct dump_ctx *c = arg;
	hv_printf("trace: %s %s: %s\n", c->vm, c->tree, line);
}

/*
 * The guest's tables are in its RAM, where it may have rewritten them:
 * every entry may point at one table, a tree of 512^4 entries.  So their
 * dump walks entries only (each table visited is counted) and stops after
 * this many: enough for what the hypervisor built (a few dozen lines).
 */
#define GPT_DUMP_LIMIT 2048

void trace_vm_tables(const struct vm *vm)
{
	struct dump_ctx c = { vm->name, "s2" };
	int err;

	/* The second-level tables: the hypervisor's own, every part. */
	err = pt_dump(&vm->s2, PT_DUMP_ALL, dump_line, &c);
	if (err)
		hv_printf("trace: %s s2: dump failed: %s\n", vm->name, mm_strerror(err));
	c.tree = "gpt";
	err = pt_dump_limited(&vm->gpt, PT_DUMP_ENTRIES, dump_line, &c, GPT_DUMP_LIMIT);
	if (err && err != MM_ELIMIT)
		hv_printf("trace: %s gpt: dump failed: %s\n", vm->name, mm_strerror(err));
}
