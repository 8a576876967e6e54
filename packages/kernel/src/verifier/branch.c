// SPDX-License-Identifier: MIT
/*
 * Conditional jumps between scalars (see branch.h). The fall-through side
 * of `a op b` is the taken side of the negated condition, so one function
 * refines a pair for "this condition holds". 32-bit jumps refine the
 * subregisters: the condition on the low halves is the 64-bit condition
 * on the operands zero-extended (sign-extended for the signed ones), whose
 * refined low halves go back into the full states.
 */
#include "branch.h"
#include "bpfhost/bpf_insn.h"

#define JNSET 0xf0	/* internal: "a & b == 0", the negation of BPF_JSET */

static uint8_t negate(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	case BPF_JGT: return BPF_JLE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JGE: return BPF_JLT;
	case BPF_JLT: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGT;
	case BPF_JSGE: return BPF_JSLT;
	case BPF_JSLT: return BPF_JSGE;
	case BPF_JSET: return JNSET;
	default: return JNSET == op ? BPF_JSET : op;
	}
}

/* a != c for a constant c: only an end of a range equal to c can move. */
static bool exclude_const(struct bh_scalar *a, uint64_t c)
{
	if (bh_scalar_is_const(a))
		return a->var.value != c;
	if (a->umin == c) {
		if (a->umax == c)
			return false;
		a->umin++;
	} else if (a->umax == c) {
		a->umax--;
	}
	if (a->smin == (int64_t)c) {
		if (a->smax == (int64_t)c)
			return false;
		a->smin++;
	} else if (a->smax == (int64_t)c) {
		a->smax--;
	}
	return true;
}

/* Exactly one bit set in @x. */
static bool one_bit(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* Refines a and b (64-bit) so that they keep every pair with `a op b`. */
static bool refine64(uint8_t op, struct bh_scalar *a, struct bh_scalar *b)
{
	uint64_t maybe;

	switch (op) {
	case BPF_JEQ:
		*a = bh_scalar_meet(a, b);
		*b = *a;
		break;
	case BPF_JNE:
		if (bh_scalar_is_const(b) && !exclude_const(a, b->var.value))
			return false;
		if (bh_scalar_is_const(a) && !exclude_const(b, a->var.value))
			return false;
		break;
	case BPF_JGT:	/* a > b: a above b's minimum, b below a's maximum */
		if (b->umin == UINT64_MAX || a->umax == 0)
			return false;
		if (b->umin + 1 > a->umin)
			a->umin = b->umin + 1;
		if (a->umax - 1 < b->umax)
			b->umax = a->umax - 1;
		break;
	case BPF_JGE:
		if (b->umin > a->umin)
			a->umin = b->umin;
		if (a->umax < b->umax)
			b->umax = a->umax;
		break;
	case BPF_JSGT:
		if (b->smin == INT64_MAX || a->smax == INT64_MIN)
			return false;
		if (b->smin + 1 > a->smin)
			a->smin = b->smin + 1;
		if (a->smax - 1 < b->smax)
			b->smax = a->smax - 1;
		break;
	case BPF_JSGE:
		if (b->smin > a->smin)
			a->smin = b->smin;
		if (a->smax < b->smax)
			b->smax = a->smax;
		break;
	case BPF_JLT:
		return refine64(BPF_JGT, b, a);
	case BPF_JLE:
		return refine64(BPF_JGE, b, a);
	case BPF_JSLT:
		return refine64(BPF_JSGT, b, a);
	case BPF_JSLE:
		return refine64(BPF_JSGE, b, a);
	case BPF_JSET:
		/* Some bit is 1 in both; when only one bit can be, it is. */
		maybe = (a->var.value | a->var.mask) & (b->var.value | b->var.mask);
		if (!maybe)
			return false;
		if (one_bit(maybe)) {
			a->var = bh_tnum_or(a->var, bh_tnum_const(maybe));
			b->var = bh_tnum_or(b->var, bh_tnum_const(maybe));
		}
		break;
	case JNSET:
		/* A bit known 1 in one operand is 0 in the other. */
		if (a->var.value & b->var.value)
			return false;
		a->var.mask &= ~b->var.value;
		b->var.mask &= ~a->var.value;
		break;
	}
	return bh_scalar_sync(a) && bh_scalar_sync(b);
}

static bool is_signed(uint8_t op)
{
	return op == BPF_JSGT || op == BPF_JSGE || op == BPF_JSLT || op == BPF_JSLE;
}

/* Puts the low half of @low (a refined extension of @s's subregister) into @s. */
static bool take_low(struct bh_scalar *s, const struct bh_scalar *low)
{
	struct bh_tnum sub = bh_tnum_subreg(s->var), lsub = bh_tnum_subreg(low->var);

	if (!bh_tnum_overlap(sub, lsub))
		return false;
	s->var = bh_tnum_with_subreg(s->var, bh_tnum_intersect(sub, lsub));
	if (low->u32_min > s->u32_min)
		s->u32_min = low->u32_min;
	if (low->u32_max < s->u32_max)
		s->u32_max = low->u32_max;
	if (low->s32_min > s->s32_min)
		s->s32_min = low->s32_min;
	if (low->s32_max < s->s32_max)
		s->s32_max = low->s32_max;
	return bh_scalar_sync(s);
}

static bool refine_side(uint8_t op, bool is64, struct bh_scalar *a, struct bh_scalar *b)
{
	struct bh_scalar la, lb;

	if (bh_scalar_empty(a) || bh_scalar_empty(b))
		return false;
	if (is64)
		return refine64(op, a, b);
	la = is_signed(op) ? bh_scalar_sext32(a) : bh_scalar_zext32(a);
	lb = is_signed(op) ? bh_scalar_sext32(b) : bh_scalar_zext32(b);
	return refine64(op, &la, &lb) && take_low(a, &la) && take_low(b, &lb);
}

/* A side no pair can take gets empty states, so nobody mistakes them for real. */
static bool refine(uint8_t op, bool is64, struct bh_scalar *a, struct bh_scalar *b)
{
	if (refine_side(op, is64, a, b))
		return true;
	bh_scalar_set_empty(a);
	bh_scalar_set_empty(b);
	return false;
}

/*
 * The condition on two known values (the low halves for JMP32): 1 or 0, or
 * -1 for an op it does not know. Refining two constants decides the jump
 * the same way, with the side taken keeping them and the other empty.
 */
static int const_cond(uint8_t op, bool is64, uint64_t a, uint64_t b)
{
	int64_t sa = is64 ? (int64_t)a : (int32_t)(uint32_t)a, sb = is64 ? (int64_t)b : (int32_t)(uint32_t)b;

	if (!is64) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSGT: return sa > sb;
	case BPF_JSGE: return sa >= sb;
	case BPF_JSLT: return sa < sb;
	case BPF_JSLE: return sa <= sb;
	case BPF_JSET: return (a & b) != 0;
	default: return -1;
	}
}

enum bh_branch bh_scalar_branch(uint8_t op, bool is64, const struct bh_scalar *dst,
				const struct bh_scalar *src, struct bh_scalar taken[2],
				struct bh_scalar fall[2])
{
	bool can_take, can_fall;

	taken[0] = fall[0] = *dst;
	taken[1] = fall[1] = *src;
	/* Two constants (a loop counter against its bound): decided without refining. */
	if (bh_scalar_is_const(dst) && bh_scalar_is_const(src) && bh_scalar_has(dst, dst->var.value) &&
	    bh_scalar_has(src, src->var.value)) {
		int holds = const_cond(op, is64, dst->var.value, src->var.value);

		if (holds >= 0) {
			struct bh_scalar *never = holds ? fall : taken;

			bh_scalar_set_empty(&never[0]);
			bh_scalar_set_empty(&never[1]);
			return holds ? BH_BRANCH_ALWAYS : BH_BRANCH_NEVER;
		}
	}
	can_take = refine(op, is64, &taken[0], &taken[1]);
	can_fall = refine(negate(op), is64, &fall[0], &fall[1]);
	if (can_take && !can_fall)
		return BH_BRANCH_ALWAYS;
	if (!can_take && can_fall)
		return BH_BRANCH_NEVER;
	return BH_BRANCH_UNKNOWN;
}

enum bh_branch bh_pointer_branch(uint8_t op, bool is64, const struct bh_reg *ptr,
				 const struct bh_scalar *other, enum bh_null_side *side)
{
	*side = BH_NULL_NOWHERE;
	if (!is64 || (op != BPF_JEQ && op != BPF_JNE) || !bh_scalar_is_const(other) ||
	    other->var.value != 0 || ptr->kind == BH_REG_SCALAR || ptr->kind == BH_REG_NOT_INIT)
		return BH_BRANCH_UNKNOWN;
	if (bh_reg_kind_or_null((enum bh_reg_kind)ptr->kind)) {
		*side = op == BPF_JEQ ? BH_NULL_TAKEN : BH_NULL_FALL;
		return BH_BRANCH_UNKNOWN;
	}
	/*
	 * Checked map values and memory are known non-NULL, so Linux decides
	 * those (reg_not_null); for the context, the stack and packet pointers
	 * it explores both sides, and so do we: a program refused there on the
	 * dead side is refused here too.
	 */
	if (ptr->kind == BH_REG_MAP_VALUE || ptr->kind == BH_REG_RINGBUF_RECORD ||
	    ptr->kind == BH_REG_RDONLY_MEM || ptr->kind == BH_REG_KFUNC_REF)
		return op == BPF_JEQ ? BH_BRANCH_NEVER : BH_BRANCH_ALWAYS;
	return BH_BRANCH_UNKNOWN;
}
