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
struct bh_tnum bh_tnum_range(uint64_t min, uint64_t max);

/* Unsigned and signed extremes of the values @a stands for. */
static inline uint64_t bh_tnum_umin(struct bh_tnum a) { return a.value; }
static inline uint64_t bh_tnum_umax(struct bh_tnum a) { return a.value | a.mask; }
int64_t bh_tnum_smin(struct bh_tnum a);
int64_t bh_tnum_smax(struct bh_tnum a);

/* Shifts by a known amount (@shift < 64; callers mask it as the ISA does). */
struct bh_tnum bh_tnum_lshift(struct bh_tnum a, unsigned shift);
struct bh_tnum bh_tnum_rshift(struct bh_tnum a, unsigned shift);
/* Arithmetic right shift of the low @bits (32 or 64) bits, zero-extended. */
struct bh_tnum bh_tnum_arshift(struct bh_tnum a, unsigned shift, unsigned bits);

struct bh_tnum bh_tnum_add(struct bh_tnum a, struct bh_tnum b);
struct bh_tnum bh_tnum_sub(struct bh_tnum a, struct bh_tnum b);
struct bh_tnum bh_tnum_neg(struct bh_tnum a);
struct bh_tnum bh_tnum_mul(struct bh_tnum a, struct bh_tnum b);
struct bh_tnum bh_tnum_and(struct bh_tnum a, struct bh_tnum b);
struct bh_tnum bh_tnum_or(struct bh_tnum a, struct bh_tnum b);
struct bh_tnum bh_tnum_xor(struct bh_tnum a, struct bh_tnum b);
/* Byte swap of the low @bytes (2, 4, 8) bytes, zero-extended: exact on tnums. */
struct bh_tnum bh_tnum_bswap(struct bh_tnum a, unsigned bytes);
/* Sign extension from the low @bits (8, 16, 32) bits to 64. */
struct bh_tnum bh_tnum_sext(struct bh_tnum a, unsigned bits);

/*
 * Values both @a and @b stand for. The result is meaningful only when
 * bh_tnum_overlap(a, b): otherwise no value is in both.
 */
struct bh_tnum bh_tnum_intersect(struct bh_tnum a, struct bh_tnum b);
bool bh_tnum_overlap(struct bh_tnum a, struct bh_tnum b);
/* Values either stands for (the join, at a path merge). */
struct bh_tnum bh_tnum_union(struct bh_tnum a, struct bh_tnum b);
/* Whether every value @b stands for is one @a stands for. */
bool bh_tnum_in(struct bh_tnum a, struct bh_tnum b);

/* Truncation to the low @bytes (1, 2, 4, 8) bytes, zero-extended. */
struct bh_tnum bh_tnum_cast(struct bh_tnum a, unsigned bytes);
/* The 32-bit subregister, the upper half alone, and the two put together. */
static inline struct bh_tnum bh_tnum_subreg(struct bh_tnum a)
{
	return bh_tnum_cast(a, 4);
}
static inline struct bh_tnum bh_tnum_clear_subreg(struct bh_tnum a)
{
	return (struct bh_tnum){ .value = a.value & ~0xffffffffull, .mask = a.mask & ~0xffffffffull };
}
struct bh_tnum bh_tnum_with_subreg(struct bh_tnum reg, struct bh_tnum subreg);
static inline bool bh_tnum_subreg_is_const(struct bh_tnum a)
{
	return (uint32_t)a.mask == 0;
}

/* "(0x..; 0x..)" style text into @buf for logs; returns @buf. */
char *bh_tnum_str(struct bh_tnum a, char *buf, unsigned size);

#endif /* BPFHOST_VERIFIER_TNUM_H */
