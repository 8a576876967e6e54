// SPDX-License-Identifier: MIT
/*
 * Scalar bounds (see bounds.h): construction, the mutual sync of the five
 * views, meet/join/within, and the ALU transfer functions.
 *
 * 32-bit ALU ops: add, sub, and, or and xor (most of what compiled code
 * does) have direct 32-bit bounds, as Linux computes them. The others run
 * the 64-bit transfer on the operands zero-extended (and, where the low
 * half of the result does not depend on how the operands were extended,
 * also sign-extended) from their subregisters, keeping the low half of each
 * result and taking both: one set of transfer functions for the rarer ops,
 * and the signed view is not lost. (The trick for every op cost ~1.6 us an
 * add; the direct path ~0.1 us.)
 */
#include <inttypes.h>

#include "bounds.h"
#include "../prog/interp_alu.h"	/* RFC 9669 signed division, as the interpreter runs it */
#include "bpfhost/bpf_insn.h"
#include "../platform/platform.h"

#define LOW32 0xffffffffull

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define TIGHTEN(lo, hi, nlo, nhi) \
	do {                      \
		if ((nlo) > (lo))  \
			(lo) = (nlo); \
		if ((nhi) < (hi))  \
			(hi) = (nhi); \
	} while (0)

struct bh_scalar bh_scalar_from_tnum(struct bh_tnum t)
{
	struct bh_scalar s = bh_scalar_unknown();

	s.var = t;
	bh_scalar_sync(&s);
	return s;
}

struct bh_scalar bh_scalar_urange(uint64_t lo, uint64_t hi)
{
	struct bh_scalar s = bh_scalar_unknown();

	s.umin = lo;
	s.umax = hi;
	bh_scalar_sync(&s);
	return s;
}

bool bh_scalar_has(const struct bh_scalar *s, uint64_t x)
{
	uint32_t lo = (uint32_t)x;

	return bh_tnum_has(s->var, x) && x >= s->umin && x <= s->umax &&
	       (int64_t)x >= s->smin && (int64_t)x <= s->smax && lo >= s->u32_min &&
	       lo <= s->u32_max && (int32_t)lo >= s->s32_min && (int32_t)lo <= s->s32_max;
}

/* One canonical empty state, so emptiness sticks through later syncs. */
void bh_scalar_set_empty(struct bh_scalar *s)
{
	*s = (struct bh_scalar){
		.var = { .value = 1, .mask = 1 },
		.smin = INT64_MAX, .smax = INT64_MIN, .umin = UINT64_MAX, .umax = 0,
		.s32_min = INT32_MAX, .s32_max = INT32_MIN, .u32_min = UINT32_MAX, .u32_max = 0,
	};
}

static void bounds_from_tnum(struct bh_scalar *s)
{
	struct bh_tnum t = bh_tnum_subreg(s->var);

	TIGHTEN(s->umin, s->umax, bh_tnum_umin(s->var), bh_tnum_umax(s->var));
	TIGHTEN(s->smin, s->smax, bh_tnum_smin(s->var), bh_tnum_smax(s->var));
	TIGHTEN(s->u32_min, s->u32_max, (uint32_t)t.value, (uint32_t)(t.value | t.mask));
	TIGHTEN(s->s32_min, s->s32_max, (int32_t)(uint32_t)(t.value | (t.mask & 0x80000000u)),
		(int32_t)(uint32_t)(t.value | (t.mask & 0x7fffffffu)));
}

/* The low half's bounds from the full value's, and signed/unsigned 32-bit. */
static void deduce32(struct bh_scalar *s)
{
	/* When the ends share their upper half, so does everything between. */
	if ((s->umin >> 32) == (s->umax >> 32)) {
		TIGHTEN(s->u32_min, s->u32_max, (uint32_t)s->umin, (uint32_t)s->umax);
		if ((int32_t)(uint32_t)s->umin <= (int32_t)(uint32_t)s->umax)
			TIGHTEN(s->s32_min, s->s32_max, (int32_t)(uint32_t)s->umin,
				(int32_t)(uint32_t)s->umax);
	}
	if (((uint64_t)s->smin >> 32) == ((uint64_t)s->smax >> 32)) {
		TIGHTEN(s->u32_min, s->u32_max, (uint32_t)s->smin, (uint32_t)s->smax);
		if ((int32_t)(uint32_t)s->smin <= (int32_t)(uint32_t)s->smax)
			TIGHTEN(s->s32_min, s->s32_max, (int32_t)(uint32_t)s->smin,
				(int32_t)(uint32_t)s->smax);
	}
	/* A value in the s32 range is the sign extension of its low half. */
	if (s->smin >= INT32_MIN && s->smax <= INT32_MAX)
		TIGHTEN(s->s32_min, s->s32_max, (int32_t)s->smin, (int32_t)s->smax);

	/* An unsigned range not crossing the sign bit is the same signed range. */
	if ((int32_t)s->u32_min <= (int32_t)s->u32_max) {
		TIGHTEN(s->s32_min, s->s32_max, (int32_t)s->u32_min, (int32_t)s->u32_max);
	} else {
		/* It is [u32_min, S32_MAX] u [S32_MIN, u32_max] in signed terms. */
		if (s->s32_max < (int32_t)s->u32_min && (int32_t)s->u32_max < s->s32_max)
			s->s32_max = (int32_t)s->u32_max;
		if (s->s32_min > (int32_t)s->u32_max && (int32_t)s->u32_min > s->s32_min)
			s->s32_min = (int32_t)s->u32_min;
	}
	if ((uint32_t)s->s32_min <= (uint32_t)s->s32_max) {
		TIGHTEN(s->u32_min, s->u32_max, (uint32_t)s->s32_min, (uint32_t)s->s32_max);
	} else {
		/* Signed range across zero: [0, s32_max] u [(u32)s32_min, U32_MAX]. */
		if (s->u32_max < (uint32_t)s->s32_min && (uint32_t)s->s32_max < s->u32_max)
			s->u32_max = (uint32_t)s->s32_max;
		if (s->u32_min > (uint32_t)s->s32_max && (uint32_t)s->s32_min > s->u32_min)
			s->u32_min = (uint32_t)s->s32_min;
	}
}

/* Signed/unsigned 64-bit, then the full value's bounds from the low half's. */
static void deduce64(struct bh_scalar *s)
{
	if ((int64_t)s->umin <= (int64_t)s->umax) {
		TIGHTEN(s->smin, s->smax, (int64_t)s->umin, (int64_t)s->umax);
	} else {
		if (s->smax < (int64_t)s->umin && (int64_t)s->umax < s->smax)
			s->smax = (int64_t)s->umax;
		if (s->smin > (int64_t)s->umax && (int64_t)s->umin > s->smin)
			s->smin = (int64_t)s->umin;
	}
	if ((uint64_t)s->smin <= (uint64_t)s->smax) {
		TIGHTEN(s->umin, s->umax, (uint64_t)s->smin, (uint64_t)s->smax);
	} else {
		if (s->umax < (uint64_t)s->smin && (uint64_t)s->smax < s->umax)
			s->umax = (uint64_t)s->smax;
		if (s->umin > (uint64_t)s->smax && (uint64_t)s->smin > s->umin)
			s->umin = (uint64_t)s->smin;
	}
	/*
	 * Keeping an end's upper half and putting the low half's bound under it
	 * stays on the right side of every member: a member with the same upper
	 * half has its low half inside the low bounds, one with another upper
	 * half is beyond that end anyway (signed order compares upper halves
	 * signed, then lower halves unsigned, so this holds for both).
	 */
	TIGHTEN(s->umin, s->umax, (s->umin & ~LOW32) | s->u32_min, (s->umax & ~LOW32) | s->u32_max);
	TIGHTEN(s->smin, s->smax, (int64_t)(((uint64_t)s->smin & ~LOW32) | s->u32_min),
		(int64_t)(((uint64_t)s->smax & ~LOW32) | s->u32_max));
	if (s->smin >= INT32_MIN && s->smax <= INT32_MAX)
		TIGHTEN(s->smin, s->smax, (int64_t)s->s32_min, (int64_t)s->s32_max);
}

static bool tnum_from_bounds(struct bh_scalar *s)
{
	struct bh_tnum r = bh_tnum_range(s->umin, s->umax), sub;

	if (!bh_tnum_overlap(s->var, r))
		return false;
	s->var = bh_tnum_intersect(s->var, r);
	r = bh_tnum_range(s->u32_min, s->u32_max);
	sub = bh_tnum_subreg(s->var);
	if (!bh_tnum_overlap(sub, r))
		return false;
	s->var = bh_tnum_with_subreg(s->var, bh_tnum_intersect(sub, r));
	return true;
}

bool bh_scalar_sync(struct bh_scalar *s)
{
	/*
	 * One value left (the tnum or the unsigned bounds pin it): the set is
	 * that value or nothing, exactly, with no rounds of deductions. Most
	 * scalars of compiled code are constants.
	 */
	if (!s->var.mask || s->umin == s->umax) {
		uint64_t v = s->var.mask ? s->umin : s->var.value;

		if (!bh_scalar_has(s, v))
			goto empty;
		*s = bh_scalar_const(v);
		return true;
	}
	/* Each step only tightens: one round, then the bounds again from the tightened tnum. */
	if (bh_scalar_empty(s))
		goto empty;
	bounds_from_tnum(s);
	deduce32(s);
	deduce64(s);
	if (bh_scalar_empty(s) || !tnum_from_bounds(s))
		goto empty;
	bounds_from_tnum(s);
	if (!bh_scalar_empty(s))
		return true;
empty:
	bh_scalar_set_empty(s);
	return false;
}

struct bh_scalar bh_scalar_meet(const struct bh_scalar *a, const struct bh_scalar *b)
{
	struct bh_scalar r = *a;

	if (!bh_tnum_overlap(a->var, b->var)) {
		bh_scalar_set_empty(&r);
		return r;
	}
	r.var = bh_tnum_intersect(a->var, b->var);
	TIGHTEN(r.umin, r.umax, b->umin, b->umax);
	TIGHTEN(r.smin, r.smax, b->smin, b->smax);
	TIGHTEN(r.u32_min, r.u32_max, b->u32_min, b->u32_max);
	TIGHTEN(r.s32_min, r.s32_max, b->s32_min, b->s32_max);
	bh_scalar_sync(&r);
	return r;
}

struct bh_scalar bh_scalar_join(const struct bh_scalar *a, const struct bh_scalar *b)
{
	if (bh_scalar_empty(a))
		return *b;
	if (bh_scalar_empty(b))
		return *a;
	return (struct bh_scalar){
		.var = bh_tnum_union(a->var, b->var),
		.smin = MIN(a->smin, b->smin), .smax = MAX(a->smax, b->smax),
		.umin = MIN(a->umin, b->umin), .umax = MAX(a->umax, b->umax),
		.s32_min = MIN(a->s32_min, b->s32_min), .s32_max = MAX(a->s32_max, b->s32_max),
		.u32_min = MIN(a->u32_min, b->u32_min), .u32_max = MAX(a->u32_max, b->u32_max),
	};
}

struct bh_scalar bh_scalar_zext32(const struct bh_scalar *s)
{
	struct bh_scalar r = *s;

	/* Every member already fits in 32 bits: each is its own zero extension. */
	if (s->umax <= LOW32 && s->umin <= s->umax)
		return r;

	r.var = bh_tnum_subreg(s->var);
	r.umin = s->u32_min;
	r.umax = s->u32_max;
	r.smin = s->u32_min;
	r.smax = s->u32_max;
	bh_scalar_sync(&r);
	return r;
}

struct bh_scalar bh_scalar_sext32(const struct bh_scalar *s)
{
	struct bh_scalar r = *s;

	/* Every member already in the s32 range: each is its own sign extension. */
	if (s->smin >= INT32_MIN && s->smax <= INT32_MAX && s->smin <= s->smax)
		return r;

	r.var = bh_tnum_sext(s->var, 32);
	r.smin = s->s32_min;
	r.smax = s->s32_max;
	r.umin = 0;
	r.umax = UINT64_MAX;
	bh_scalar_sync(&r);
	return r;
}

/* Sign extension from the low @bits (8, 16, 32) bits, as movsx does. */
static struct bh_scalar sext_from(const struct bh_scalar *s, unsigned bits)
{
	int64_t lo = -((int64_t)1 << (bits - 1)), hi = ((int64_t)1 << (bits - 1)) - 1;
	struct bh_scalar r;

	if (bits == 32)
		return bh_scalar_sext32(s);
	/* Members already in the narrow signed range are left unchanged. */
	if (s->smin >= lo && s->smax <= hi)
		return *s;
	if (s->s32_min >= lo && s->s32_max <= hi)
		return bh_scalar_sext32(s);
	r = bh_scalar_unknown();
	r.var = bh_tnum_sext(s->var, bits);
	r.smin = lo;
	r.smax = hi;
	bh_scalar_sync(&r);
	return r;
}

/* The range of a shift amount after the ISA masks it with @mask (63 or 31). */
static void shift_range(const struct bh_scalar *s, unsigned mask, unsigned *lo, unsigned *hi)
{
	struct bh_tnum t = bh_tnum_and(s->var, bh_tnum_const(mask));

	*lo = (unsigned)t.value;
	*hi = (unsigned)(t.value | t.mask);
	if (s->umax <= mask) {
		*lo = (unsigned)MAX(*lo, s->umin);
		*hi = (unsigned)MIN(*hi, s->umax);
	}
}

static void set_unsigned(struct bh_scalar *r, uint64_t lo, uint64_t hi)
{
	r->umin = lo;
	r->umax = hi;
}

static void set_signed(struct bh_scalar *r, int64_t lo, int64_t hi)
{
	r->smin = lo;
	r->smax = hi;
}

static void alu_add(struct bh_scalar *r, const struct bh_scalar *d, const struct bh_scalar *s)
{
	uint64_t ulo, uhi;
	int64_t slo, shi;
	bool olo, ohi;

	r->var = bh_tnum_add(d->var, s->var);
	/* Both ends wrapping alike keeps the range (it is shorter than 2^64). */
	olo = __builtin_add_overflow(d->umin, s->umin, &ulo);
	ohi = __builtin_add_overflow(d->umax, s->umax, &uhi);
	if (olo == ohi)
		set_unsigned(r, ulo, uhi);
	olo = __builtin_add_overflow(d->smin, s->smin, &slo);
	ohi = __builtin_add_overflow(d->smax, s->smax, &shi);
	if (olo == ohi && (!olo || (slo < 0) == (shi < 0)))
		set_signed(r, slo, shi);
}

static void alu_sub(struct bh_scalar *r, const struct bh_scalar *d, const struct bh_scalar *s)
{
	uint64_t ulo, uhi;
	int64_t slo, shi;
	bool olo, ohi;

	r->var = bh_tnum_sub(d->var, s->var);
	olo = __builtin_sub_overflow(d->umin, s->umax, &ulo);
	ohi = __builtin_sub_overflow(d->umax, s->umin, &uhi);
	if (olo == ohi)
		set_unsigned(r, ulo, uhi);
	olo = __builtin_sub_overflow(d->smin, s->smax, &slo);
	ohi = __builtin_sub_overflow(d->smax, s->smin, &shi);
	if (olo == ohi && (!olo || (slo < 0) == (shi < 0)))
		set_signed(r, slo, shi);
}

static void alu_mul(struct bh_scalar *r, const struct bh_scalar *d, const struct bh_scalar *s)
{
	int64_t p[4];
	uint64_t hi;

	r->var = bh_tnum_mul(d->var, s->var);
	if (!__builtin_mul_overflow(d->umax, s->umax, &hi))
		set_unsigned(r, d->umin * s->umin, hi);
	/* Without overflow the extremes are among the corner products. */
	if (__builtin_mul_overflow(d->smin, s->smin, &p[0]) ||
	    __builtin_mul_overflow(d->smin, s->smax, &p[1]) ||
	    __builtin_mul_overflow(d->smax, s->smin, &p[2]) ||
	    __builtin_mul_overflow(d->smax, s->smax, &p[3]))
		return;
	set_signed(r, MIN(MIN(p[0], p[1]), MIN(p[2], p[3])), MAX(MAX(p[0], p[1]), MAX(p[2], p[3])));
}

static void alu_divmod(struct bh_scalar *r, uint8_t op, bool sign, const struct bh_scalar *d,
		       const struct bh_scalar *s)
{
	if (bh_scalar_is_const(d) && bh_scalar_is_const(s)) {
		uint64_t a = d->var.value, b = s->var.value, v;

		if (sign)
			v = op == BPF_DIV ? sdiv64(a, b) : smod64(a, b);
		else
			v = op == BPF_DIV ? (b ? a / b : 0) : (b ? a % b : a);
		*r = bh_scalar_const(v);
		return;
	}
	if (s->umax == 0) {		/* by zero: div gives 0, mod leaves dst */
		*r = op == BPF_DIV ? bh_scalar_const(0) : *d;
		return;
	}
	if (sign)
		return;			/* Linux tracks nothing through signed div/mod */
	if (op == BPF_DIV) {
		/* x / 0 is 0, and x / y <= x for y >= 1. */
		set_unsigned(r, s->umin ? d->umin / s->umax : 0, d->umax / MAX(s->umin, 1));
		return;
	}
	if (d->umax < s->umin) {	/* smaller than every divisor: unchanged */
		*r = *d;
		return;
	}
	/* x % y < y for y >= 1, x % 0 is x, and never more than x. */
	set_unsigned(r, 0, s->umin ? MIN(d->umax, s->umax - 1) : d->umax);
}

static void alu_shift(struct bh_scalar *r, uint8_t op, unsigned mask, const struct bh_scalar *d,
		      const struct bh_scalar *s)
{
	unsigned lo, hi;

	shift_range(s, mask, &lo, &hi);
	switch (op) {
	case BPF_LSH:
		/* Every amount is >= lo: the low lo bits are zero whatever it is. */
		r->var = lo == hi ? bh_tnum_lshift(d->var, lo) : bh_tnum_lshift(BH_TNUM_UNKNOWN, lo);
		if (hi == 0 || (d->umax >> (64 - hi)) == 0)
			set_unsigned(r, d->umin << lo, d->umax << hi);
		if (lo == hi && d->smin >= (INT64_MIN >> lo) && d->smax <= (INT64_MAX >> lo))
			set_signed(r, (int64_t)((uint64_t)d->smin << lo),
				   (int64_t)((uint64_t)d->smax << lo));
		break;
	case BPF_RSH:
		r->var = lo == hi ? bh_tnum_rshift(d->var, lo) : bh_tnum_rshift(BH_TNUM_UNKNOWN, lo);
		set_unsigned(r, d->umin >> hi, d->umax >> lo);
		break;
	case BPF_ARSH:
		if (lo == hi)
			r->var = bh_tnum_arshift(d->var, lo, 64);
		/* Monotonic in the value, and in the amount for a fixed value. */
		set_signed(r, MIN(d->smin >> lo, d->smin >> hi), MAX(d->smax >> lo, d->smax >> hi));
		break;
	}
}

/*
 * The 64-bit transfer; @shift_mask is what the ISA masks shift amounts with.
 * Unsynced: the caller may intersect more constraints first, then sync once.
 */
static struct bh_scalar alu64_raw(uint8_t op, int16_t off, unsigned shift_mask,
				  const struct bh_scalar *d, const struct bh_scalar *s)
{
	struct bh_scalar r = bh_scalar_unknown();

	switch (op) {
	case BPF_ADD:
		alu_add(&r, d, s);
		break;
	case BPF_SUB:
		alu_sub(&r, d, s);
		break;
	case BPF_MUL:
		alu_mul(&r, d, s);
		break;
	case BPF_DIV:
	case BPF_MOD:
		alu_divmod(&r, op, off == 1, d, s);
		break;
	case BPF_AND:
		r.var = bh_tnum_and(d->var, s->var);
		set_unsigned(&r, 0, MIN(d->umax, s->umax));
		break;
	case BPF_OR:
		r.var = bh_tnum_or(d->var, s->var);
		set_unsigned(&r, MAX(d->umin, s->umin), UINT64_MAX);
		break;
	case BPF_XOR:
		r.var = bh_tnum_xor(d->var, s->var);
		break;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		alu_shift(&r, op, shift_mask, d, s);
		break;
	}
	return r;
}

static struct bh_scalar alu64(uint8_t op, int16_t off, unsigned shift_mask,
			      const struct bh_scalar *d, const struct bh_scalar *s)
{
	struct bh_scalar r = alu64_raw(op, off, shift_mask, d, s);

	bh_scalar_sync(&r);
	return r;
}

/*
 * The low half's bounds of `d op s` for the common ops, computed directly
 * on the 32-bit bounds (as for 64 bits above) into @low's 32-bit fields,
 * which start unbounded. False for the ops left to the extension trick.
 */
static bool low_bounds(uint8_t op, const struct bh_scalar *d, const struct bh_scalar *s,
		       struct bh_scalar *low)
{
	uint32_t ulo, uhi;
	int32_t slo, shi;
	bool olo, ohi;

	switch (op) {
	case BPF_ADD:
		olo = __builtin_add_overflow(d->u32_min, s->u32_min, &ulo);
		ohi = __builtin_add_overflow(d->u32_max, s->u32_max, &uhi);
		if (olo == ohi) {
			low->u32_min = ulo;
			low->u32_max = uhi;
		}
		olo = __builtin_add_overflow(d->s32_min, s->s32_min, &slo);
		ohi = __builtin_add_overflow(d->s32_max, s->s32_max, &shi);
		if (olo == ohi && (!olo || (slo < 0) == (shi < 0))) {
			low->s32_min = slo;
			low->s32_max = shi;
		}
		return true;
	case BPF_SUB:
		olo = __builtin_sub_overflow(d->u32_min, s->u32_max, &ulo);
		ohi = __builtin_sub_overflow(d->u32_max, s->u32_min, &uhi);
		if (olo == ohi) {
			low->u32_min = ulo;
			low->u32_max = uhi;
		}
		olo = __builtin_sub_overflow(d->s32_min, s->s32_max, &slo);
		ohi = __builtin_sub_overflow(d->s32_max, s->s32_min, &shi);
		if (olo == ohi && (!olo || (slo < 0) == (shi < 0))) {
			low->s32_min = slo;
			low->s32_max = shi;
		}
		return true;
	case BPF_AND:
		low->u32_max = MIN(d->u32_max, s->u32_max);
		return true;
	case BPF_OR:
		low->u32_min = MAX(d->u32_min, s->u32_min);
		return true;
	case BPF_XOR:
		return true;	/* the tnum says it all */
	default:
		return false;
	}
}

static struct bh_tnum tnum_op(uint8_t op, struct bh_tnum a, struct bh_tnum b)
{
	switch (op) {
	case BPF_ADD: return bh_tnum_add(a, b);
	case BPF_SUB: return bh_tnum_sub(a, b);
	case BPF_AND: return bh_tnum_and(a, b);
	case BPF_OR: return bh_tnum_or(a, b);
	default: return bh_tnum_xor(a, b);
	}
}

/* Whether the low half of `d op s` depends only on the operands' low halves. */
static bool low_half_only(uint8_t op)
{
	switch (op) {
	case BPF_ADD:
	case BPF_SUB:
	case BPF_MUL:
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
	case BPF_LSH:
		return true;
	default:
		return false;
	}
}

/*
 * The low half of `d op s`, zero-extended, from the 64-bit transfer on
 * extended operands (see the file comment). Unsigned div/mod/rsh see the
 * zero-extended operands, signed div/mod and arsh the sign-extended ones.
 */
static struct bh_scalar alu32(uint8_t op, int16_t off, unsigned shift_mask,
			      const struct bh_scalar *d, const struct bh_scalar *s)
{
	struct bh_scalar zd, zs, sd, ss, rz, rs, low = bh_scalar_unknown();
	bool sign = op == BPF_ARSH || ((op == BPF_DIV || op == BPF_MOD) && off == 1);

	if (low_bounds(op, d, s, &low)) {
		/* The tnum's low half is exact for these; zext32 makes it the value. */
		low.var = bh_tnum_cast(tnum_op(op, d->var, s->var), 4);
		return bh_scalar_zext32(&low);
	}
	/* Each extension only where it is used. */
	if (sign) {
		sd = bh_scalar_sext32(d);
		ss = bh_scalar_sext32(s);
		rs = alu64(op, off, shift_mask, &sd, &ss);
		return bh_scalar_zext32(&rs);
	}
	zd = bh_scalar_zext32(d);
	zs = bh_scalar_zext32(s);
	rz = alu64(op, off, shift_mask, &zd, &zs);
	rz = bh_scalar_zext32(&rz);
	if (!low_half_only(op))
		return rz;
	sd = bh_scalar_sext32(d);
	ss = bh_scalar_sext32(s);
	/* Operands whose extensions agree (values in [0, S32_MAX]) give the same result twice. */
	if (bh_scalar_same(&zd, &sd) && bh_scalar_same(&zs, &ss)) {
		rs = rz;
	} else {
		rs = alu64(op, off, shift_mask, &sd, &ss);
		rs = bh_scalar_zext32(&rs);
	}
	return bh_scalar_meet(&rz, &rs);
}

struct bh_scalar bh_scalar_alu(uint8_t op, bool is64, int16_t off, const struct bh_scalar *dst,
			       const struct bh_scalar *src)
{
	struct bh_scalar r, low = bh_scalar_unknown();

	if (op == BPF_NEG) {
		struct bh_scalar zero = bh_scalar_const(0);

		return bh_scalar_alu(BPF_SUB, is64, 0, &zero, dst);
	}
	if (op == BPF_MOV) {
		if (off == 8 || off == 16 || (off == 32 && is64))
			r = sext_from(src, (unsigned)off);
		else
			r = *src;
		return is64 ? r : bh_scalar_zext32(&r);
	}
	if (!is64)
		return alu32(op, off, 31, dst, src);
	if (!low_half_only(op))
		return alu64(op, off, 63, dst, src);
	/* The 32-bit view of the same op tightens the result's low half: one sync for both. */
	if (low_bounds(op, dst, src, &low)) {
		r = alu64_raw(op, off, 63, dst, src);
		TIGHTEN(r.u32_min, r.u32_max, low.u32_min, low.u32_max);
		TIGHTEN(r.s32_min, r.s32_max, low.s32_min, low.s32_max);
		bh_scalar_sync(&r);
		return r;
	}
	r = alu64(op, off, 63, dst, src);
	low = alu32(op, off, 63, dst, src);
	TIGHTEN(r.u32_min, r.u32_max, low.u32_min, low.u32_max);
	TIGHTEN(r.s32_min, r.s32_max, low.s32_min, low.s32_max);
	if (bh_tnum_overlap(bh_tnum_subreg(r.var), low.var))
		r.var = bh_tnum_with_subreg(r.var, bh_tnum_intersect(bh_tnum_subreg(r.var), low.var));
	bh_scalar_sync(&r);
	return r;
}

struct bh_scalar bh_scalar_end(bool is64, bool to_be, int32_t imm, const struct bh_scalar *dst)
{
	unsigned bytes = (unsigned)imm / 8;
	bool swap;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	swap = is64 || to_be;
#else
	swap = is64 || !to_be;
#endif
	if (swap)	/* exact on the tnum; bounds follow from it */
		return bh_scalar_from_tnum(bh_tnum_bswap(dst->var, bytes));
	if (bytes == 8)
		return *dst;
	if (bytes == 4)
		return bh_scalar_zext32(dst);
	if (dst->umax <= UINT16_MAX)
		return *dst;
	return bh_scalar_from_tnum(bh_tnum_cast(dst->var, bytes));
}

struct bh_scalar bh_scalar_alu_insn(const struct bpf_insn *insn, const struct bh_scalar *dst,
				    const struct bh_scalar *src)
{
	bool is64 = BPF_CLASS(insn->code) == BPF_ALU64;
	uint8_t op = BPF_OP(insn->code);
	struct bh_scalar imm;

	if (op == BPF_END)	/* BPF_X in the source bit is BPF_TO_BE */
		return bh_scalar_end(is64, BPF_SRC(insn->code) == BPF_X, insn->imm, dst);
	if (BPF_SRC(insn->code) == BPF_X)
		return bh_scalar_alu(op, is64, insn->off, dst, src);
	/* The immediate sign-extended; 32-bit ops see only its low half anyway. */
	imm = bh_scalar_const((uint64_t)(int64_t)insn->imm);
	return bh_scalar_alu(op, is64, insn->off, dst, &imm);
}

char *bh_scalar_str(const struct bh_scalar *s, char *buf, unsigned size)
{
	char t[48];

	if (bh_scalar_is_const(s))
		plat_snprintf(buf, size, "%" PRId64, (int64_t)s->var.value);
	else
		plat_snprintf(buf, size,
			      "smin=%" PRId64 " smax=%" PRId64 " umin=%" PRIu64 " umax=%" PRIu64
			      " smin32=%" PRId32 " smax32=%" PRId32 " umin32=%" PRIu32
			      " umax32=%" PRIu32 " var=%s",
			      s->smin, s->smax, s->umin, s->umax, s->s32_min, s->s32_max, s->u32_min,
			      s->u32_max, bh_tnum_str(s->var, t, sizeof(t)));
	return buf;
}

static uint64_t sext(uint64_t v, unsigned bits)
{
	unsigned sh = 64 - bits;

	return (uint64_t)((int64_t)(v << sh) >> sh);
}

bool bh_alu_const(const struct bpf_insn *insn, uint64_t d, uint64_t s, uint64_t *out)
{
	bool is64 = BPF_CLASS(insn->code) == BPF_ALU64, sign = insn->off == 1;
	uint8_t op = BPF_OP(insn->code);
	uint64_t mask = is64 ? UINT64_MAX : UINT32_MAX, r;
	unsigned bits = is64 ? 64 : 32;

	if (BPF_SRC(insn->code) == BPF_K && op != BPF_NEG && op != BPF_END)
		s = is64 ? (uint64_t)(int64_t)insn->imm : (uint32_t)insn->imm;
	d &= mask;
	s &= mask;
	switch (op) {
	case BPF_ADD: r = d + s; break;
	case BPF_SUB: r = d - s; break;
	case BPF_MUL: r = d * s; break;
	case BPF_OR: r = d | s; break;
	case BPF_AND: r = d & s; break;
	case BPF_XOR: r = d ^ s; break;
	case BPF_LSH: r = d << (s & (bits - 1)); break;
	case BPF_RSH: r = d >> (s & (bits - 1)); break;
	case BPF_ARSH: r = (uint64_t)((int64_t)sext(d, bits) >> (s & (bits - 1))); break;
	case BPF_NEG: r = 0 - d; break;
	case BPF_MOV:
		r = insn->off ? sext(s, (unsigned)insn->off) : s;
		break;
	case BPF_DIV:
		if (!s)
			r = 0;
		else if (!sign)
			r = d / s;
		else if (sext(s, bits) == UINT64_MAX)	/* x / -1 wraps (INT_MIN / -1 too) */
			r = 0 - d;
		else
			r = (uint64_t)((int64_t)sext(d, bits) / (int64_t)sext(s, bits));
		break;
	case BPF_MOD:
		if (!s)
			r = d;
		else if (!sign)
			r = d % s;
		else if (sext(s, bits) == UINT64_MAX)
			r = 0;
		else
			r = (uint64_t)((int64_t)sext(d, bits) % (int64_t)sext(s, bits));
		break;
	default:
		return false;
	}
	*out = r & mask;
	return true;
}
