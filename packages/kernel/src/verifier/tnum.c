// SPDX-License-Identifier: MIT
/*
 * Tracked numbers (see tnum.h). Each operation returns a tnum that holds
 * every concrete result of the operation on members of its operands; the
 * unit test checks exactly that against brute force.
 */
#include <inttypes.h>

#include "tnum.h"
#include "../platform/platform.h"

#define SIGN64 (1ull << 63)

static inline uint64_t low_mask(unsigned bits)
{
	return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

struct bh_tnum bh_tnum_range(uint64_t min, uint64_t max)
{
	uint64_t differ = min ^ max;
	unsigned bits;

	if (!differ)
		return bh_tnum_const(min);
	/* Every bit below the highest one where min and max differ can be anything. */
	bits = 64u - (unsigned)__builtin_clzll(differ);
	if (bits >= 64)
		return BH_TNUM_UNKNOWN;
	return (struct bh_tnum){ .value = min & ~low_mask(bits), .mask = low_mask(bits) };
}

int64_t bh_tnum_smin(struct bh_tnum a)
{
	/* An unknown sign bit is set for the minimum, other unknown bits clear. */
	return (int64_t)(a.value | (a.mask & SIGN64));
}

int64_t bh_tnum_smax(struct bh_tnum a)
{
	return (int64_t)(a.value | (a.mask & ~SIGN64));
}

struct bh_tnum bh_tnum_lshift(struct bh_tnum a, unsigned shift)
{
	shift &= 63;
	return (struct bh_tnum){ .value = a.value << shift, .mask = a.mask << shift };
}

struct bh_tnum bh_tnum_rshift(struct bh_tnum a, unsigned shift)
{
	shift &= 63;
	return (struct bh_tnum){ .value = a.value >> shift, .mask = a.mask >> shift };
}

struct bh_tnum bh_tnum_arshift(struct bh_tnum a, unsigned shift, unsigned bits)
{
	/*
	 * Shifting value and mask arithmetically copies a known sign into
	 * value and an unknown one into mask, which is what the result is.
	 */
	if (bits == 32) {
		shift &= 31;
		return (struct bh_tnum){
			.value = (uint32_t)((int32_t)(uint32_t)a.value >> shift),
			.mask = (uint32_t)((int32_t)(uint32_t)a.mask >> shift),
		};
	}
	shift &= 63;
	return (struct bh_tnum){ .value = (uint64_t)((int64_t)a.value >> shift),
				 .mask = (uint64_t)((int64_t)a.mask >> shift) };
}

struct bh_tnum bh_tnum_add(struct bh_tnum a, struct bh_tnum b)
{
	/*
	 * The smallest sum (unknown bits 0) and the largest (unknown bits 1)
	 * differ exactly where a carry may or may not have propagated.
	 */
	uint64_t lo = a.value + b.value, hi = lo + a.mask + b.mask;
	uint64_t unknown = (lo ^ hi) | a.mask | b.mask;

	return (struct bh_tnum){ .value = lo & ~unknown, .mask = unknown };
}

struct bh_tnum bh_tnum_sub(struct bh_tnum a, struct bh_tnum b)
{
	/* The same with borrows: largest minus smallest, smallest minus largest. */
	uint64_t d = a.value - b.value, hi = d + a.mask, lo = d - b.mask;
	uint64_t unknown = (hi ^ lo) | a.mask | b.mask;

	return (struct bh_tnum){ .value = d & ~unknown, .mask = unknown };
}

struct bh_tnum bh_tnum_neg(struct bh_tnum a)
{
	return bh_tnum_sub(bh_tnum_const(0), a);
}

struct bh_tnum bh_tnum_mul(struct bh_tnum a, struct bh_tnum b)
{
	/*
	 * Long multiplication: a * b is the sum of b << i over a's set bits.
	 * A known 1 bit adds b << i; an unknown bit adds either 0 or b << i,
	 * a tnum with every bit b << i may have unknown.
	 */
	struct bh_tnum acc = bh_tnum_const(0);

	while (a.value | a.mask) {
		if (a.value & 1)
			acc = bh_tnum_add(acc, b);
		else if (a.mask & 1)
			acc = bh_tnum_add(acc, (struct bh_tnum){ .value = 0, .mask = b.value | b.mask });
		a = bh_tnum_rshift(a, 1);
		b = bh_tnum_lshift(b, 1);
	}
	return acc;
}

struct bh_tnum bh_tnum_and(struct bh_tnum a, struct bh_tnum b)
{
	/* A bit is known 1 when known 1 in both, may be 1 when it may be in both. */
	uint64_t ones = a.value & b.value, maybe = (a.value | a.mask) & (b.value | b.mask);

	return (struct bh_tnum){ .value = ones, .mask = maybe & ~ones };
}

struct bh_tnum bh_tnum_or(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t ones = a.value | b.value;

	return (struct bh_tnum){ .value = ones, .mask = (a.mask | b.mask) & ~ones };
}

struct bh_tnum bh_tnum_xor(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t unknown = a.mask | b.mask;

	return (struct bh_tnum){ .value = (a.value ^ b.value) & ~unknown, .mask = unknown };
}

static uint64_t bswap_low(uint64_t x, unsigned bytes)
{
	switch (bytes) {
	case 2:
		return __builtin_bswap16((uint16_t)x);
	case 4:
		return __builtin_bswap32((uint32_t)x);
	default:
		return __builtin_bswap64(x);
	}
}

struct bh_tnum bh_tnum_bswap(struct bh_tnum a, unsigned bytes)
{
	/* Bits move but stay independent: swapping value and mask is exact. */
	return (struct bh_tnum){ .value = bswap_low(a.value, bytes), .mask = bswap_low(a.mask, bytes) };
}

struct bh_tnum bh_tnum_sext(struct bh_tnum a, unsigned bits)
{
	uint64_t low = low_mask(bits), sign = 1ull << (bits - 1);
	struct bh_tnum t = { .value = a.value & low, .mask = a.mask & low };

	if (bits >= 64)
		return a;
	if (t.mask & sign)		/* unknown sign: every upper bit unknown */
		t.mask |= ~low;
	else if (t.value & sign)	/* known negative: upper bits all 1 */
		t.value |= ~low;
	return t;
}

struct bh_tnum bh_tnum_intersect(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t known = a.value | b.value, unknown = a.mask & b.mask;

	return (struct bh_tnum){ .value = known & ~unknown, .mask = unknown };
}

bool bh_tnum_overlap(struct bh_tnum a, struct bh_tnum b)
{
	/* They share a value unless some bit is known in both and differs. */
	return ((a.value ^ b.value) & ~a.mask & ~b.mask) == 0;
}

struct bh_tnum bh_tnum_union(struct bh_tnum a, struct bh_tnum b)
{
	uint64_t unknown = a.mask | b.mask | (a.value ^ b.value);

	return (struct bh_tnum){ .value = a.value & ~unknown, .mask = unknown };
}

bool bh_tnum_in(struct bh_tnum a, struct bh_tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	return (b.value & ~a.mask) == a.value;
}

struct bh_tnum bh_tnum_cast(struct bh_tnum a, unsigned bytes)
{
	uint64_t low = low_mask(bytes * 8);

	return (struct bh_tnum){ .value = a.value & low, .mask = a.mask & low };
}

struct bh_tnum bh_tnum_with_subreg(struct bh_tnum reg, struct bh_tnum subreg)
{
	return bh_tnum_or(bh_tnum_clear_subreg(reg), bh_tnum_cast(subreg, 4));
}

char *bh_tnum_str(struct bh_tnum a, char *buf, unsigned size)
{
	plat_snprintf(buf, size, "(%#" PRIx64 "; %#" PRIx64 ")", a.value, a.mask);
	return buf;
}
