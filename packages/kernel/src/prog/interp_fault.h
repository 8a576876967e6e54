/* SPDX-License-Identifier: MIT */
/*
 * How a run stops (interp.c): the messages of the interpreter's faults,
 * out of line and cold, so the dispatch loop stays small. Each sets
 * run->pc and run->err (a negative errno and a message naming the program,
 * the instruction and what to do), except the tail call limit's note,
 * which is not a fault (Linux goes on too) and only writes the trace log.
 */
#ifndef BPFHOST_INTERP_FAULT_H
#define BPFHOST_INTERP_FAULT_H

#include "interp.h"

#define INTERP_COLD __attribute__((cold, noinline))

INTERP_COLD void interp_fault_ptr32_sx(struct bh_run *run, const struct bh_prog *prog, uint32_t pc,
				       uint32_t off);
INTERP_COLD void interp_fault_access(struct bh_run *run, const struct bh_prog *prog, uint32_t pc,
				     uintptr_t addr, size_t size, bool write, bool atomic);
INTERP_COLD void interp_fault_insn(struct bh_run *run, const struct bh_prog *prog, uint32_t pc,
				   int err, const char *why);
INTERP_COLD void interp_fault_frames(struct bh_run *run, const struct bh_prog *prog, uint32_t pc,
				     const char *what);
INTERP_COLD void interp_fault_tail_call(struct bh_run *run, const struct bh_prog *prog, uint32_t pc,
					const struct bh_prog *target);
INTERP_COLD void interp_note_tail_call_limit(const struct bh_prog *prog, uint32_t pc);
INTERP_COLD void interp_fault_budget(struct bh_run *run, const struct bh_prog *prog, uint32_t pc);

#endif /* BPFHOST_INTERP_FAULT_H */
