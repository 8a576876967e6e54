// SPDX-License-Identifier: MIT
/*
 * Tracked numbers (src/verifier/tnum.c) against brute force. Each tnum is
 * built from a few chosen bit positions (each 0, 1 or unknown) over a fixed
 * background of the other bits; all such tnums and all their members are
 * enumerated, so every operation is checked on every concrete input pair:
 * the concrete result must be a member of the abstract result (soundness).
 * The positions include the low bits, bits 31/32 (the subregister edge)
 * and bit 63 (the sign), so carries, borrows and sign handling are hit.
 * Precision spot checks follow: constants stay constants, and so on.
 */
#include "test.h"
#include "soundness.h"

#include "verifier/tnum.h"

/* Bit positions the enumerated tnums vary over, and backgrounds for the rest. */
static const unsigned low_pos[] = { 0, 1, 2, 3, 4 };
static const unsigned edge_pos[] = { 0, 1, 31, 32, 63 };
static const uint64_t backgrounds[] = { 0, UINT64_MAX, 0x8000000180000005ull, 0x7ffffffe7ffffff0ull };
#define NPOS 5
#define NTNUM 243	/* 3^NPOS */


/* The k-th tnum over @pos with @bg elsewhere (digit 0: bit 0, 1: bit 1, 2: unknown). */
static struct bh_tnum nth(unsigned k, const unsigned *pos, uint64_t bg)
{
	uint64_t vary = 0, value, mask = 0;

	for (int i = 0; i < NPOS; i++)
		vary |= 1ull << pos[i];
	value = bg & ~vary;
	for (int i = 0; i < NPOS; i++, k /= 3) {
		if (k % 3 == 1)
			value |= 1ull << pos[i];
		else if (k % 3 == 2)
			mask |= 1ull << pos[i];
	}
	return (struct bh_tnum){ .value = value, .mask = mask };
}

/* Every member of @t (at most 2^NPOS here) into @out; returns how many. */
static unsigned members(struct bh_tnum t, uint64_t *out)
{
	unsigned n = 0;
	uint64_t sub = 0;

	do {
		out[n++] = t.value | sub;
		sub = (sub - t.mask) & t.mask;	/* next subset of the mask bits */
	} while (sub);
	return n;
}

static bool well_formed(struct bh_tnum t)
{
	return (t.value & t.mask) == 0;
}

enum binop { ADD, SUB, MUL, AND, OR, XOR, NBINOP };
static const char *const binop_name[] = { "add", "sub", "mul", "and", "or", "xor" };

static struct bh_tnum abstract(enum binop op, struct bh_tnum a, struct bh_tnum b)
{
	switch (op) {
	case ADD: return bh_tnum_add(a, b);
	case SUB: return bh_tnum_sub(a, b);
	case MUL: return bh_tnum_mul(a, b);
	case AND: return bh_tnum_and(a, b);
	case OR: return bh_tnum_or(a, b);
	default: return bh_tnum_xor(a, b);
	}
}

static uint64_t concrete(enum binop op, uint64_t x, uint64_t y)
{
	switch (op) {
	case ADD: return x + y;
	case SUB: return x - y;
	case MUL: return x * y;
	case AND: return x & y;
	case OR: return x | y;
	default: return x ^ y;
	}
}

/* Binary ALU ops, intersect, union, in and overlap over every pair. */
static void check_pairs(const unsigned *pos, uint64_t bga, uint64_t bgb)
{
	static uint64_t ma[32], mb[32];

	for (unsigned i = 0; i < NTNUM; i++) {
		struct bh_tnum a = nth(i, pos, bga);
		unsigned na = members(a, ma);

		for (unsigned j = 0; j < NTNUM; j++) {
			struct bh_tnum b = nth(j, pos, bgb), r, meet, join;
			unsigned nb = members(b, mb), in_b = 0;
			bool overlap = false;

			for (int op = 0; op < NBINOP; op++) {
				r = abstract(op, a, b);
				SOUND(well_formed(r), "%s ill-formed", binop_name[op]);
				for (unsigned x = 0; x < na; x++)
					for (unsigned y = 0; y < nb; y++)
						SOUND(bh_tnum_has(r, concrete(op, ma[x], mb[y])),
						      "%s %#llx %#llx", binop_name[op],
						      (unsigned long long)ma[x], (unsigned long long)mb[y]);
			}
			meet = bh_tnum_intersect(a, b);
			join = bh_tnum_union(a, b);
			SOUND(well_formed(join), "union ill-formed");
			for (unsigned x = 0; x < na; x++) {
				SOUND(bh_tnum_has(join, ma[x]), "union lost a member of a");
				if (bh_tnum_has(b, ma[x])) {
					overlap = true;
					SOUND(bh_tnum_has(meet, ma[x]), "intersect lost a common member");
				}
			}
			for (unsigned y = 0; y < nb; y++) {
				SOUND(bh_tnum_has(join, mb[y]), "union lost a member of b");
				in_b += bh_tnum_has(a, mb[y]);
			}
			/* overlap and in are exact: compare with the enumeration both ways. */
			SOUND(bh_tnum_overlap(a, b) == overlap, "overlap wrong");
			SOUND(bh_tnum_in(a, b) == (in_b == nb), "in wrong");
			if (overlap)
				SOUND(well_formed(meet), "intersect ill-formed");
		}
	}
}

static void binary_ops_low_bits(void)
{
	checked = failed = 0;
	check_pairs(low_pos, 0, 0);
	check_pairs(low_pos, UINT64_MAX, 0);
	printf("  %llu member checks\n", checked);
	ASSERT_EQ(failed, 0, "binary ops sound on low bits");
}

static void binary_ops_edge_bits(void)
{
	checked = failed = 0;
	for (unsigned i = 0; i < 4; i++)
		check_pairs(edge_pos, backgrounds[i], backgrounds[3 - i]);
	printf("  %llu member checks\n", checked);
	ASSERT_EQ(failed, 0, "binary ops sound on bits 0, 1, 31, 32, 63");
}

static uint64_t sext(uint64_t x, unsigned bits)
{
	unsigned s = 64 - bits;

	return bits >= 64 ? x : (uint64_t)((int64_t)(x << s) >> s);
}

static uint64_t bswap(uint64_t x, unsigned bytes)
{
	return bytes == 2 ? __builtin_bswap16((uint16_t)x) :
	       bytes == 4 ? __builtin_bswap32((uint32_t)x) : __builtin_bswap64(x);
}

/* Shifts by every amount, neg, casts, sign extension, byte swaps, extremes. */
static void unary_ops(void)
{
	static const unsigned *const sets[] = { low_pos, edge_pos };
	uint64_t m[32];

	checked = failed = 0;
	for (unsigned s = 0; s < 2; s++)
		for (unsigned g = 0; g < 4; g++)
			for (unsigned k = 0; k < NTNUM; k++) {
				struct bh_tnum a = nth(k, sets[s], backgrounds[g]);
				unsigned n = members(a, m);
				struct bh_tnum neg = bh_tnum_neg(a), sub = bh_tnum_subreg(a);
				uint64_t umin = UINT64_MAX, umax = 0;
				int64_t smin = INT64_MAX, smax = INT64_MIN;

				for (unsigned x = 0; x < n; x++) {
					uint64_t v = m[x];

					SOUND(bh_tnum_has(neg, 0 - v), "neg %#llx", (unsigned long long)v);
					SOUND(bh_tnum_has(sub, (uint32_t)v), "subreg");
					for (unsigned sh = 0; sh < 64; sh++) {
						SOUND(bh_tnum_has(bh_tnum_lshift(a, sh), v << sh), "lsh %u", sh);
						SOUND(bh_tnum_has(bh_tnum_rshift(a, sh), v >> sh), "rsh %u", sh);
						SOUND(bh_tnum_has(bh_tnum_arshift(a, sh, 64),
								  (uint64_t)((int64_t)v >> sh)), "arsh %u", sh);
						SOUND(bh_tnum_has(bh_tnum_arshift(a, sh, 32),
								  (uint32_t)((int32_t)(uint32_t)v >> (sh & 31))),
						      "arsh32 %u", sh);
					}
					for (unsigned bytes = 1; bytes <= 8; bytes *= 2) {
						uint64_t low = bytes == 8 ? UINT64_MAX : (1ull << (bytes * 8)) - 1;

						SOUND(bh_tnum_has(bh_tnum_cast(a, bytes), v & low), "cast %u", bytes);
						SOUND(bh_tnum_has(bh_tnum_sext(a, bytes * 8), sext(v, bytes * 8)),
						      "sext %u of %#llx", bytes * 8, (unsigned long long)v);
						if (bytes >= 2)
							SOUND(bh_tnum_has(bh_tnum_bswap(a, bytes), bswap(v, bytes)),
							      "bswap %u", bytes);
					}
					umin = v < umin ? v : umin;
					umax = v > umax ? v : umax;
					smin = (int64_t)v < smin ? (int64_t)v : smin;
					smax = (int64_t)v > smax ? (int64_t)v : smax;
				}
				/* The extremes are exact: attained by a member. */
				SOUND(bh_tnum_umin(a) == umin && bh_tnum_umax(a) == umax, "umin/umax");
				SOUND(bh_tnum_smin(a) == smin && bh_tnum_smax(a) == smax, "smin/smax");
				/* range() of the extremes holds every member. */
				for (unsigned x = 0; x < n; x++)
					SOUND(bh_tnum_has(bh_tnum_range(umin, umax), m[x]), "range");
			}
	printf("  %llu member checks\n", checked);
	ASSERT_EQ(failed, 0, "unary ops sound");
}

/* with_subreg: the upper half of one, the lower of the other. */
static void subreg_combination(void)
{
	uint64_t ma[32], mb[32];

	checked = failed = 0;
	for (unsigned i = 0; i < NTNUM; i++) {
		struct bh_tnum a = nth(i, edge_pos, backgrounds[2]);
		unsigned na = members(a, ma);

		for (unsigned j = 0; j < NTNUM; j += 7) {
			struct bh_tnum b = nth(j, edge_pos, backgrounds[3]), r = bh_tnum_with_subreg(a, b);
			unsigned nb = members(b, mb);

			for (unsigned x = 0; x < na; x++)
				for (unsigned y = 0; y < nb; y++)
					SOUND(bh_tnum_has(r, (ma[x] & ~0xffffffffull) | (uint32_t)mb[y]),
					      "with_subreg");
		}
	}
	ASSERT_EQ(failed, 0, "with_subreg sound");
}

/* range(min, max) on random ranges: both ends and random points inside. */
static void ranges(void)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	checked = failed = 0;
	for (int i = 0; i < 20000; i++) {
		uint64_t a, b, lo, hi;
		struct bh_tnum r;

		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		a = seed >> (seed & 63);
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		b = seed >> (seed & 63);
		lo = a < b ? a : b;
		hi = a < b ? b : a;
		r = bh_tnum_range(lo, hi);
		SOUND(well_formed(r) && bh_tnum_has(r, lo) && bh_tnum_has(r, hi), "range ends");
		SOUND(bh_tnum_has(r, lo + (hi - lo) / 2) && bh_tnum_has(r, lo + (hi - lo) / 3), "range middle");
	}
	ASSERT_EQ(failed, 0, "range sound");
}

static void precision(void)
{
	struct bh_tnum c = bh_tnum_const(1234), d = bh_tnum_const(-7ll);
	struct bh_tnum x = BH_TNUM_UNKNOWN, r;

	/* Constants stay constants through every op. */
	ASSERT_TRUE(bh_tnum_equals_const(bh_tnum_add(c, d), 1227), "const add");
	ASSERT_TRUE(bh_tnum_equals_const(bh_tnum_sub(c, d), 1241), "const sub");
	ASSERT_TRUE(bh_tnum_equals_const(bh_tnum_mul(c, d), (uint64_t)(1234 * -7ll)), "const mul");
	ASSERT_TRUE(bh_tnum_equals_const(bh_tnum_neg(c), (uint64_t)-1234ll), "const neg");
	ASSERT_TRUE(bh_tnum_equals_const(bh_tnum_arshift(d, 1, 64), (uint64_t)-4ll), "const arsh");
	ASSERT_TRUE(bh_tnum_equals_const(bh_tnum_arshift(d, 1, 32), 0xfffffffcull), "const arsh32");
	ASSERT_TRUE(bh_tnum_equals_const(bh_tnum_sext(bh_tnum_const(0x80), 8), (uint64_t)-128ll), "sext");
	ASSERT_TRUE(bh_tnum_equals_const(bh_tnum_bswap(bh_tnum_const(0x1234), 2), 0x3412), "bswap");
	ASSERT_TRUE(bh_tnum_equals_const(bh_tnum_range(5, 5), 5), "range of one");
	/* Masking keeps only the mask's bits unknown: x & 0xff is in [0, 255]. */
	r = bh_tnum_and(x, bh_tnum_const(0xff));
	ASSERT_EQ(r.value, 0, "and value");
	ASSERT_EQ(r.mask, 0xff, "and mask");
	ASSERT_EQ(bh_tnum_umax(r), 255, "umax of x & 0xff");
	/* (x & 0xff) << 8 keeps the low byte known zero; | 1 sets bit 0. */
	r = bh_tnum_or(bh_tnum_lshift(r, 8), bh_tnum_const(1));
	ASSERT_EQ(r.value, 1, "or value");
	ASSERT_EQ(r.mask, 0xff00, "shifted mask");
	/* Adding unknown low bits to an aligned constant does not carry. */
	r = bh_tnum_add(bh_tnum_const(0x1000), bh_tnum_range(0, 0xff));
	ASSERT_EQ(r.value, 0x1000, "aligned add value");
	ASSERT_EQ(r.mask, 0xff, "aligned add mask");
	/* range(0, 100) is 7 unknown low bits; sign of an unknown is unknown. */
	ASSERT_EQ(bh_tnum_range(0, 100).mask, 0x7f, "range mask");
	ASSERT_EQ(bh_tnum_smin(x), INT64_MIN, "smin of unknown");
	ASSERT_EQ(bh_tnum_smax(x), INT64_MAX, "smax of unknown");
	ASSERT_TRUE(bh_tnum_is_unknown(bh_tnum_range(0, UINT64_MAX)), "full range");
	/* A known-positive times 4 keeps its low two bits known zero. */
	r = bh_tnum_mul(bh_tnum_range(0, 15), bh_tnum_const(4));
	ASSERT_EQ(r.value, 0, "mul value");
	ASSERT_EQ(r.mask, 0x3c, "mul by 4 mask");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(binary_ops_low_bits), TEST(binary_ops_edge_bits), TEST(unary_ops),
		TEST(subreg_combination), TEST(ranges), TEST(precision),
	};

	return test_run("verifier_tnum", cases, sizeof(cases) / sizeof(cases[0]));
}
