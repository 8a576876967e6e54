// SPDX-License-Identifier: MIT
/* The interpreter's faults and notes (interp_fault.h). */
#include "interp_fault.h"
#include "prog_type.h"
#include "trace.h"

void interp_fault_ptr32_sx(struct bh_run *run, const struct bh_prog *prog, uint32_t pc,
			   uint32_t off)
{
	run->pc = pc;
	run->err = bh_err(-EFAULT, "program '%s': insn %u: sign-extending load of the packet pointer "
			  "field at context offset %u: load it with a plain 4-byte load", prog->name, pc, off);
}

void interp_fault_access(struct bh_run *run, const struct bh_prog *prog, uint32_t pc,
			 uintptr_t addr, size_t size, bool write, bool atomic)
{
	char rule[256];
	const char *why;

	/* The context's rules first: they name the field that refused. */
	if (bh_ctx_explain(run, addr, size, write, atomic, rule, sizeof(rule)))
		why = rule;
	else if (atomic)
		why = "atomic access not aligned to its size";
	else if (addr < run->stack.start && addr >= run->stack.end - BH_RUN_STACK_SIZE)
		why = "stack below what the program reaches (its depth is computed at load from its "
		      "r10 offsets; address the stack as r10 + constant)";
	else if (write && bh_run_access_ok(run, addr, size, false))
		why = "read-only memory";
	else if (addr < 4096)
		why = "null pointer (not in the stack, context, packet, global data or a map value)";
	else
		why = "not in the stack, context, packet, global data or a map value the program holds";
	run->pc = pc;
	run->err = bh_err(-EFAULT, "program '%s': insn %u: invalid %s of %zu bytes at 0x%llx: %s",
			  prog->name, pc, write ? "write" : "read", size, (unsigned long long)addr, why);
}

void interp_fault_insn(struct bh_run *run, const struct bh_prog *prog, uint32_t pc, int err,
		       const char *why)
{
	const struct bpf_insn *insn = &prog->insns[pc];

	run->pc = pc;
	run->err = bh_err(err, "program '%s': insn %u (opcode 0x%02x): %s", prog->name, pc, insn->code,
			  why);
}

/* A call past the frames a run may open (BH_RUN_MAX_FRAMES). */
void interp_fault_frames(struct bh_run *run, const struct bh_prog *prog, uint32_t pc,
			 const char *what)
{
	run->pc = pc;
	run->err = bh_err(-E2BIG, "program '%s': insn %u: %s deeper than %u frames (%u, and one per tail "
			  "call made: %u)", prog->name, pc, what, MAX_CALL_FRAMES + run->tail_calls,
			  MAX_CALL_FRAMES, run->tail_calls);	/* the interpreter stores its count first */
}

void interp_fault_tail_call(struct bh_run *run, const struct bh_prog *prog, uint32_t pc,
			    const struct bh_prog *target)
{
	run->pc = pc;
	if (!target)
		run->err = bh_err(-EINVAL, "program '%s': insn %u: tail call: r2 is not a map the program uses",
				  prog->name, pc);
	else
		run->err = bh_err(-EINVAL, "program '%s': insn %u: tail call to program '%s' of type %u from a program of type %u",
				  prog->name, pc, target->name, target->type, prog->type);
}

/*
 * The tail call limit is not a fault (Linux goes on too), but the trace log
 * says so where a person looks: once per program and instruction per
 * second on a thread, since a program that meets it every run would pay
 * for formatting a line each time (and flood the log, which drops its
 * oldest lines, the program's own output among them). The clock is read
 * only every TAIL_NOTE_CLOCK_EVERY repeats of the same note (a program that
 * meets the limit every run pays a compare, not a clock read): a note due
 * after its second may come that many runs late, never early.
 */
#define TAIL_NOTE_CLOCK_EVERY 64u

void interp_note_tail_call_limit(const struct bh_prog *prog, uint32_t pc)
{
	static _Thread_local struct { uint32_t id, pc, skipped; uint64_t at; } last;
	uint64_t now;

	if (last.id == prog->obj.id && last.pc == pc && last.at) {
		if (++last.skipped < TAIL_NOTE_CLOCK_EVERY)
			return;
		last.skipped = 0;
		now = plat_ktime_coarse_ns();	/* the precise clock costs ~40 ns */
		if (now - last.at < 1000000000ull)
			return;
	} else {
		now = plat_ktime_coarse_ns();
	}
	last.id = prog->obj.id;
	last.pc = pc;
	last.skipped = 0;
	last.at = now;
	bh_trace_note(prog->name, "insn %u: tail call limit (%u) reached, continuing after the call", pc,
		      MAX_TAIL_CALL_CNT);
}

void interp_fault_budget(struct bh_run *run, const struct bh_prog *prog, uint32_t pc)
{
	run->pc = pc;
	run->err = bh_err(-ELOOP, "program '%s': insn %u: instruction budget of %u exhausted (the run "
			  "would not end, or needs more: raise insn_budget of the test run or the link)",
			  prog->name, pc, run->insn_budget);
}
