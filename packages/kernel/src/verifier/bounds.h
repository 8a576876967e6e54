/* SPDX-License-Identifier: MIT */
/*
 * A scalar's abstract value: a tnum plus unsigned and signed bounds of the
 * full 64-bit value and of its 32-bit subregister, kept consistent with each
 * other (bh_scalar_sync). A concrete x is a member when it satisfies all
 * five. The ALU transfer follows Linux's semantics (adjust_scalar_min_max_vals);
 * branch.h refines states at conditional jumps.
 */
#ifndef BPFHOST_VERIFIER_BOUNDS_H
#define BPFHOST_VERIFIER_BOUNDS_H

#include "tnum.h"
#include "bpfhost/bpf_insn.h"

struct bh_scalar {
	struct bh_tnum var;
	int64_t smin, smax;
	uint64_t umin, umax;
	int32_t s32_min, s32_max;
	uint32_t u32_min, u32_max;
};

/* Any value; exactly @v; the members of @t. (The small hot ones inline: there is no LTO.) */
static inline struct bh_scalar bh_scalar_unknown(void)
{
	return (struct bh_scalar){
		.var = BH_TNUM_UNKNOWN,
		.smin = INT64_MIN, .smax = INT64_MAX, .umin = 0, .umax = UINT64_MAX,
		.s32_min = INT32_MIN, .s32_max = INT32_MAX, .u32_min = 0, .u32_max = UINT32_MAX,
	};
}

static inline struct bh_scalar bh_scalar_const(uint64_t v)
{
	/* Every part is the value itself: no sync needed (this is the verifier's most common scalar). */
	return (struct bh_scalar){
		.var = bh_tnum_const(v),
		.smin = (int64_t)v, .smax = (int64_t)v, .umin = v, .umax = v,
		.s32_min = (int32_t)v, .s32_max = (int32_t)v, .u32_min = (uint32_t)v, .u32_max = (uint32_t)v,
	};
}

struct bh_scalar bh_scalar_from_tnum(struct bh_tnum t);
/* Values in [lo, hi] unsigned. */
struct bh_scalar bh_scalar_urange(uint64_t lo, uint64_t hi);

/* Whether @x is a member (the definition the tests check against). */
bool bh_scalar_has(const struct bh_scalar *s, uint64_t x);
static inline bool bh_scalar_is_const(const struct bh_scalar *s)
{
	return bh_tnum_is_const(s->var);
}

/*
 * Tightens every part from the others (bounds from the tnum, the tnum from
 * the bounds, signed from unsigned and back, 32-bit from 64-bit and back)
 * without dropping a member. Returns false when it proved the state empty.
 */
bool bh_scalar_sync(struct bh_scalar *s);
/* Whether the state is proven to have no member (a branch not taken). */
static inline bool bh_scalar_empty(const struct bh_scalar *s)
{
	return s->umin > s->umax || s->smin > s->smax || s->u32_min > s->u32_max ||
	       s->s32_min > s->s32_max || (s->var.value & s->var.mask) != 0;
}
/* Makes @s the (canonical) empty state. */
void bh_scalar_set_empty(struct bh_scalar *s);

/* Members of both (a refinement), and members of either (a path merge). */
struct bh_scalar bh_scalar_meet(const struct bh_scalar *a, const struct bh_scalar *b);
struct bh_scalar bh_scalar_join(const struct bh_scalar *a, const struct bh_scalar *b);
/* Whether the two are the same abstract value, part by part. */
static inline bool bh_scalar_same(const struct bh_scalar *a, const struct bh_scalar *b)
{
	return a->var.value == b->var.value && a->var.mask == b->var.mask && a->umin == b->umin &&
	       a->umax == b->umax && a->smin == b->smin && a->smax == b->smax && a->u32_min == b->u32_min &&
	       a->u32_max == b->u32_max && a->s32_min == b->s32_min && a->s32_max == b->s32_max;
}
/* Whether every member of @b is a member of @a. */
static inline bool bh_scalar_within(const struct bh_scalar *a, const struct bh_scalar *b)
{
	if (bh_scalar_empty(b))
		return true;
	return bh_tnum_in(a->var, b->var) && a->umin <= b->umin && b->umax <= a->umax &&
	       a->smin <= b->smin && b->smax <= a->smax && a->u32_min <= b->u32_min &&
	       b->u32_max <= a->u32_max && a->s32_min <= b->s32_min && b->s32_max <= a->s32_max;
}

/* The value zero-extended / sign-extended from its 32-bit subregister. */
struct bh_scalar bh_scalar_zext32(const struct bh_scalar *s);
struct bh_scalar bh_scalar_sext32(const struct bh_scalar *s);

/*
 * dst = dst op src for a BPF_ALU64 (@is64) or BPF_ALU instruction; @op is
 * BPF_OP(code) (BPF_ADD .. BPF_END), @off the instruction's offset (signed
 * div/mod when 1, movsx width when 8/16/32) and, for BPF_END, @imm is the
 * width and @to_be selects BPF_TO_BE. The caller turns an immediate into
 * src (sign-extended for ALU64 as the ISA says). Returns the result.
 */
struct bh_scalar bh_scalar_alu(uint8_t op, bool is64, int16_t off, const struct bh_scalar *dst,
			       const struct bh_scalar *src);
struct bh_scalar bh_scalar_end(bool is64, bool to_be, int32_t imm, const struct bh_scalar *dst);
/*
 * The same for a whole BPF_ALU/BPF_ALU64 instruction: its class, op,
 * source (BPF_K: the immediate; BPF_X: @src), offset and immediate.
 */
struct bh_scalar bh_scalar_alu_insn(const struct bpf_insn *insn, const struct bh_scalar *dst,
				    const struct bh_scalar *src);

/*
 * The instruction on two known values, as the interpreter computes it
 * (RFC 9669: division by 0 gives 0, modulo by 0 keeps dst, shifts mask their
 * amount): true and *@out, or false for ops it leaves to the transfer
 * functions (byte swaps). Loops over constants stay cheap to verify.
 */
bool bh_alu_const(const struct bpf_insn *insn, uint64_t dst, uint64_t src, uint64_t *out);

/* "smin=.. smax=.. umin=.. umax=.. var=(..)" (only what is not implied) for logs. */
char *bh_scalar_str(const struct bh_scalar *s, char *buf, unsigned size);

#endif /* BPFHOST_VERIFIER_BOUNDS_H */
