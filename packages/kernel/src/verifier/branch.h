/* SPDX-License-Identifier: MIT */
/*
 * Refining both sides of a conditional jump. For now between two scalars
 * (a constant is a scalar with one member); NULL checks and packet ranges
 * join it with the pointer state.
 */
#ifndef BPFHOST_VERIFIER_BRANCH_H
#define BPFHOST_VERIFIER_BRANCH_H

#include "bounds.h"
#include "state.h"

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

/* Which side of a NULL check the pointer is NULL on. */
enum bh_null_side {
	BH_NULL_NOWHERE,	/* not a NULL check */
	BH_NULL_TAKEN,		/* `if p == 0 goto`: NULL where the jump is taken */
	BH_NULL_FALL,		/* `if p != 0 goto`: NULL on the fall-through */
};

/*
 * `if ptr op other goto` with a pointer in @ptr and a scalar @other, as
 * Linux decides it: a 64-bit jeq/jne against the constant 0 is a NULL
 * check; it is decided (never equal) for a checked map value, record or
 * read-only memory (Linux's reg_not_null), and
 * for a maybe-NULL pointer *@side says where it is NULL (then
 * bh_state_mark_null() on each side's state). Anything else between a
 * pointer and a scalar is not decided here (UNKNOWN, BH_NULL_NOWHERE).
 * Linux also decides a 32-bit compare of a non-NULL pointer with 0; a
 * host pointer's low half can be 0, so here both sides are explored.
 */
enum bh_branch bh_pointer_branch(uint8_t op, bool is64, const struct bh_reg *ptr,
				 const struct bh_scalar *other, enum bh_null_side *side);

#endif /* BPFHOST_VERIFIER_BRANCH_H */
