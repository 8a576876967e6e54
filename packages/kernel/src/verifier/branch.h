/* SPDX-License-Identifier: MIT */
/*
 * Refining both sides of a conditional jump. For now between two scalars
 * (a constant is a scalar with one member); NULL checks and packet ranges
 * join it with the pointer state.
 */
#ifndef BPFHOST_VERIFIER_BRANCH_H
#define BPFHOST_VERIFIER_BRANCH_H

#include "bounds.h"

enum bh_branch {
	BH_BRANCH_UNKNOWN,
	BH_BRANCH_ALWAYS,	/* the jump is always taken */
	BH_BRANCH_NEVER,	/* the jump is never taken */
};

/*
 * `if dst op src goto` for BPF_JMP (@is64) or BPF_JMP32, @op = BPF_OP(code)
 * (BPF_JEQ .. BPF_JSLE, BPF_JSET): dst and src refined for the taken side
 * (taken[0] dst, taken[1] src) and the fall-through side (fall[0], fall[1]),
 * and whether the jump is known to go one way (a side none of the members
 * can take is proven empty). Every pair of members that takes a side is a
 * pair of members of that side's states.
 */
enum bh_branch bh_scalar_branch(uint8_t op, bool is64, const struct bh_scalar *dst,
				const struct bh_scalar *src, struct bh_scalar taken[2],
				struct bh_scalar fall[2]);

#endif /* BPFHOST_VERIFIER_BRANCH_H */
