// SPDX-License-Identifier: MIT
/*
 * The poison call: what a loader writes over an instruction whose CO-RE
 * relocation it could not resolve (call BPFHOST_POISON_HELPER_ID, as libbpf).
 * Linux's verifier refuses the program only if the instruction is reachable;
 * here it loads, and the run that reaches it stops with a message (and the C
 * line, from the program's line info).
 */
#include "interp.h"
#include "prog_type.h"

static uint64_t h_poison(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct bh_run *run = bh_run_current();
	char note[160];

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (run && !bh_prog_poison_note(run->prog, run->pc, note, sizeof(note)))
		return bh_run_fail(-EINVAL, "reached an instruction the loader poisoned: %s found no "
				   "target in the target BTF", note);
	return bh_run_fail(-EINVAL, "reached an instruction the loader poisoned (call 0x%x) because "
			   "a CO-RE relocation could not be resolved against the target BTF",
			   BPFHOST_POISON_HELPER_ID);
}

const struct bh_helper bh_poison_helper = {
	h_poison, BPFHOST_POISON_HELPER_ID, BPFHOST_RET_INTEGER, { 0 }, "bpfhost_core_poison"
};
