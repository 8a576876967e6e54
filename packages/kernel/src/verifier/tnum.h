/* SPDX-License-Identifier: MIT */
/*
 * Tracked numbers: what the verifier knows bit by bit about a 64-bit value.
 * A tnum {value, mask} stands for every x with (x & ~mask) == value: bits set
 * in mask are unknown, the others equal value's. value & mask is always 0.
 * The transfer functions follow the semantics of Linux's tnum.c (the same
 * abstract domain), written here from those semantics.
 */
#ifndef BPFHOST_VERIFIER_TNUM_H
#define BPFHOST_VERIFIER_TNUM_H

#include <stdbool.h>
#include <stdint.h>

struct bh_tnum {
	uint64_t value;
	uint64_t mask;
};

#define BH_TNUM_UNKNOWN ((struct bh_tnum){ .value = 0, .mask = UINT64_MAX })
#define BH_TNUM_SIGN64 (1ull << 63)

/* The low @bits bits set (all 64 from 64 up). */
static inline uint64_t bh_tnum_low_mask(unsigned bits)
{
	return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

static inline struct bh_tnum bh_tnum_const(uint64_t v)
{
	return (struct bh_tnum){ .value = v, .mask = 0 };
}

static inline bool bh_tnum_is_const(struct bh_tnum a)
{
	return a.mask == 0;
}

static inline bool bh_tnum_is_unknown(struct bh_tnum a)
{
	return a.mask == UINT64_MAX;
}

static inline bool bh_tnum_equals_const(struct bh_tnum a, uint64_t v)
{
	return a.mask == 0 && a.value == v;
}

/* Whether the concrete @x is one of the values @a stands for. */
static inline bool bh_tnum_has(struct bh_tnum a, uint64_t x)
{
	return (x & ~a.mask) == a.value;
}

/* Every value in [min, max] (unsigned), and as few others as a tnum allows. */
static inline struct bh_tnum bh_tnum_range(uint64_t min, uint64_t max)
{
	uint64_t differ = min ^ max;
	unsigned bits;

	if (!differ)
		return bh_tnum_const(min);
	/* Every bit below the highest one where min and max differ can be anything. */
	bits = 64u - (unsigned)__builtin_clzll(differ);
	if (bits >= 64)
		return BH_TNUM_UNKNOWN;
	return (struct bh_tnum){ .value = min & ~bh_tnum_low_mask(bits), .mask = bh_tnum_low_mask(bits) };
}

/* Unsigned and signed extremes of the values @a stands for. */
static inline uint64_t bh_tnum_umin(struct bh_tnum a) { return a.value; }
static inline uint64_t bh_tnum_umax(struct bh_tnum a) { return a.value | a.mask; }
static inline int64_t bh_tnum_smin(struct bh_tnum a)
{
	/* An unknown sign bit is set for the minimum, other unknown bits clear. */
	return (int64_t)(a.value | (a.mask & BH_TNUM_SIGN64));
}
static inline int64_t bh_tnum_smax(struct bh_tnum a)
{
	return (int64_t)(a.value | (a.mask & ~BH_TNUM_SIGN64));
}

/* Shifts by a known amount (@shift < 64; callers mask it as the ISA does). */
static inline struct bh_tnum bh_tnum_lshift(struct bh_tnum a, unsigned shift)
{
	shift &= 63;
	return (struct bh_tnum){ .value = a.value << shift, .mask = a.mask << shift };
}
static inline struct bh_tnum bh_tnum_rshift(struct bh_tnum a, unsigned shift)
{
	shift &= 63;
	return (struct bh_tnum){ .value = a.value >> shift, .mask = a.mask >> shift };
}
/* Arithmetic right shift of the low @bits (32 or 64) bits, zero-extended. */
struct bh_tnum bh_tnum_arshift(struct bh_tnum a, unsigned shift, unsigned bits);

static inline struct bh_tnum bh_tnum_add(struct bh_tnum a, struct bh_tnum b)
{
	/*
	 * The smallest sum (unknown bits 0) and the largest (unknown bits 1)
	 * differ exactly where a carry may or may not have propagated.
	 */
	uint64_t lo = a.value + b.value, hi = lo + a.mask + b.mask;
	uint64_t unknown = (lo ^ hi) | a.mask | b.mask;

	return (struct bh_tnum){ .value = lo & ~unknown, .mask = unknown };
}
static inline struct bh_tnum bh_tnum_sub(struct bh_tnum a, struct bh_tnum b)
{
	/* The same with borrows: largest minus smallest, smallest minus largest. */
	uint64_t d = a.value - b.value, hi = d + a.mask, lo = d - b.mask;
	uint64_t unknown = (hi ^ lo) | a.mask | b.mask;

	return (struct bh_tnum){ .value = d & ~unknown, .mask = unknown };
}
struct bh_tnum bh_tnum_neg(struct bh_tnum a);
struct bh_tnum bh_tnum_mul(struct bh_tnum a, struct bh_tnum b);
static inline struct bh_tnum bh_tnum_and(struct bh_tnum a, struct bh_tnum b)
{
	/* A bit is known 1 when known 1 in both, may be 1 when it may be in both. */
	uint64_t ones = a.value & b.value, maybe = (a.value | a.mask) & (b.value | b.mask);

	return (struct bh_tnum){ .value = ones, .mask = maybe & ~ones };
}
static inline struct bh_tnum bh_tnum_or(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t ones = a.value | b.value;

	return (struct bh_tnum){ .value = ones, .mask = (a.mask | b.mask) & ~ones };
}
static inline struct bh_tnum bh_tnum_xor(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t unknown = a.mask | b.mask;

	return (struct bh_tnum){ .value = (a.value ^ b.value) & ~unknown, .mask = unknown };
}
/* Byte swap of the low @bytes (2, 4, 8) bytes, zero-extended: exact on tnums. */
struct bh_tnum bh_tnum_bswap(struct bh_tnum a, unsigned bytes);
/* Sign extension from the low @bits (8, 16, 32) bits to 64. */
struct bh_tnum bh_tnum_sext(struct bh_tnum a, unsigned bits);

/*
 * Values both @a and @b stand for. The result is meaningful only when
 * bh_tnum_overlap(a, b): otherwise no value is in both.
 */
static inline struct bh_tnum bh_tnum_intersect(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t known = a.value | b.value, unknown = a.mask & b.mask;

	return (struct bh_tnum){ .value = known & ~unknown, .mask = unknown };
}
static inline bool bh_tnum_overlap(struct bh_tnum a, struct bh_tnum b)
{
	/* They share a value unless some bit is known in both and differs. */
	return ((a.value ^ b.value) & ~a.mask & ~b.mask) == 0;
}
/* Values either stands for (the join, at a path merge). */
static inline struct bh_tnum bh_tnum_union(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t unknown = a.mask | b.mask | (a.value ^ b.value);

	return (struct bh_tnum){ .value = a.value & ~unknown, .mask = unknown };
}
/* Whether every value @b stands for is one @a stands for. */
static inline bool bh_tnum_in(struct bh_tnum a, struct bh_tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	return (b.value & ~a.mask) == a.value;
}

/* Truncation to the low @bytes (1, 2, 4, 8) bytes, zero-extended. */
static inline struct bh_tnum bh_tnum_cast(struct bh_tnum a, unsigned bytes)
{
	uint64_t low = bh_tnum_low_mask(bytes * 8);

	return (struct bh_tnum){ .value = a.value & low, .mask = a.mask & low };
}
/* The 32-bit subregister, the upper half alone, and the two put together. */
static inline struct bh_tnum bh_tnum_subreg(struct bh_tnum a)
{
	return bh_tnum_cast(a, 4);
}
static inline struct bh_tnum bh_tnum_clear_subreg(struct bh_tnum a)
{
	return (struct bh_tnum){ .value = a.value & ~0xffffffffull, .mask = a.mask & ~0xffffffffull };
}
static inline struct bh_tnum bh_tnum_with_subreg(struct bh_tnum reg, struct bh_tnum subreg)
{
	return bh_tnum_or(bh_tnum_clear_subreg(reg), bh_tnum_cast(subreg, 4));
}
static inline bool bh_tnum_subreg_is_const(struct bh_tnum a)
{
	return (uint32_t)a.mask == 0;
}

/* "(0x..; 0x..)" style text into @buf for logs; returns @buf. */
char *bh_tnum_str(struct bh_tnum a, char *buf, unsigned size);

#endif /* BPFHOST_VERIFIER_TNUM_H */
