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
	return bh_tnum_low_mask(bits);
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

	if (!a.mask && !b.mask)
		return bh_tnum_const(a.value * b.value);
	/* Either order holds every product; the operand with fewer bits takes fewer rounds. */
	if ((a.value | a.mask) > (b.value | b.mask)) {
		struct bh_tnum t = a;

		a = b;
		b = t;
	}
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

char *bh_tnum_str(struct bh_tnum a, char *buf, unsigned size)
{
	plat_snprintf(buf, size, "(%#" PRIx64 "; %#" PRIx64 ")", a.value, a.mask);
	return buf;
}
