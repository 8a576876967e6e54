// SPDX-License-Identifier: MIT
/*
 * Scalar bounds and branch refinement (src/verifier/bounds.c, branch.c)
 * against brute force. Two families of abstract states:
 *  - enumerable: a tnum over five chosen bit positions (the low bits, or
 *    bits 0, 1, 31, 32, 63) with a fixed background, cut by a random range
 *    in one of the four views (u64, s64, u32, s32) and synced; every member
 *    is known by enumeration, so every concrete pair is checked;
 *  - sampled: the hull of a few random 64-bit values biased to the edges
 *    (0, +-1, U32_MAX, S32_MIN, S64_MIN, ...) in all views; the values are
 *    members by construction and are the concrete inputs, with random
 *    members from inside;
 *  - ranges: every run of consecutive values in windows of 8 around the
 *    edges of the four views, all pairs exhaustively.
 * For every ALU op (64- and 32-bit) and pair of states, the concrete result
 * of each member pair (computed as the interpreter does) must be a member
 * of the abstract result. For every conditional jump, each member pair must
 * be in the refined states of the side it takes, and a side said never
 * taken must take no pair. Precision spot checks close the file.
 */
#include "test.h"
#include "soundness.h"

#include "bpfhost/bpf_insn.h"
#include "insn_build.h"
#include "epoch/epoch.h"
#include "prog/interp.h"
#include "verifier/bounds.h"
#include "verifier/branch.h"

#define MAXM 32

struct state {
	struct bh_scalar s;
	unsigned n;
	uint64_t m[MAXM];	/* members (all of them, or samples) */
};

static uint64_t seed = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static void dump(const char *what, const struct bh_scalar *s)
{
	char buf[300];

	if (failed <= 10)
		fprintf(stderr, "  %s: %s\n", what, bh_scalar_str(s, buf, sizeof(buf)));
}

static const unsigned positions[2][5] = { { 0, 1, 2, 3, 4 }, { 0, 1, 31, 32, 63 } };
static const uint64_t backgrounds[] = { 0, UINT64_MAX, 0x8000000180000005ull, 0x7ffffffe7ffffff0ull };

/* Whether @x lies in [lo, hi] of view @v (0 u64, 1 s64, 2 u32, 3 s32). */
static bool in_view(unsigned v, uint64_t x, uint64_t lo, uint64_t hi)
{
	switch (v) {
	case 0: return x >= lo && x <= hi;
	case 1: return (int64_t)x >= (int64_t)lo && (int64_t)x <= (int64_t)hi;
	case 2: return (uint32_t)x >= (uint32_t)lo && (uint32_t)x <= (uint32_t)hi;
	default: return (int32_t)x >= (int32_t)lo && (int32_t)x <= (int32_t)hi;
	}
}

static bool view_le(unsigned v, uint64_t a, uint64_t b)
{
	return in_view(v, a, a, b);
}

/* An enumerable state; checks that sync keeps every member of the raw constraints. */
static void enumerable(struct state *st)
{
	const unsigned *pos = positions[rnd() % 2];
	uint64_t bg = rnd() % 3 ? backgrounds[rnd() % 4] : rnd(), vary = 0, sub = 0, all[MAXM];
	struct bh_tnum t = { 0, 0 };
	unsigned n = 0, view = (unsigned)(rnd() % 5);
	uint64_t lo, hi;

	for (int i = 0; i < 5; i++)
		vary |= 1ull << pos[i];
	t.value = bg & ~vary;
	for (int i = 0; i < 5; i++) {
		unsigned d = (unsigned)(rnd() % 3);

		if (d == 1)
			t.value |= 1ull << pos[i];
		else if (d == 2)
			t.mask |= 1ull << pos[i];
	}
	do {
		all[n++] = t.value | sub;
		sub = (sub - t.mask) & t.mask;
	} while (sub);
	st->s = bh_scalar_from_tnum(t);
	lo = all[rnd() % n];
	hi = all[rnd() % n];
	if (view < 4) {		/* view 4: the tnum alone */
		if (!view_le(view, lo, hi)) {
			uint64_t x = lo;

			lo = hi;
			hi = x;
		}
		switch (view) {
		case 0: st->s.umin = lo; st->s.umax = hi; break;
		case 1: st->s.smin = (int64_t)lo; st->s.smax = (int64_t)hi; break;
		case 2: st->s.u32_min = (uint32_t)lo; st->s.u32_max = (uint32_t)hi; break;
		default: st->s.s32_min = (int32_t)lo; st->s.s32_max = (int32_t)hi; break;
		}
	}
	SOUND(bh_scalar_sync(&st->s), "sync emptied a state with members");
	st->n = 0;
	for (unsigned i = 0; i < n; i++) {
		bool raw = view == 4 || in_view(view, all[i], lo, hi);

		if (raw) {
			SOUND(bh_scalar_has(&st->s, all[i]), "sync dropped %#llx",
			      (unsigned long long)all[i]);
			st->m[st->n++] = all[i];
		} else {
			SOUND(!bh_scalar_has(&st->s, all[i]), "member outside the raw constraints");
		}
	}
}

static uint64_t edge_value(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
		0x7fffffffffffffffull, 0x8000000000000000ull, UINT64_MAX, UINT64_MAX - 1,
	};
	uint64_t v = edges[rnd() % (sizeof(edges) / sizeof(edges[0]))];

	switch (rnd() % 4) {
	case 0: return v;
	case 1: return v + (rnd() % 16) - 8;
	case 2: return rnd() % 64;
	default: return rnd() >> (rnd() % 64);
	}
}

/* A sampled state: the tightest state holding a few values, which are its samples. */
static void sampled(struct state *st)
{
	unsigned k = 1 + (unsigned)(rnd() % 6);

	st->n = 0;
	for (unsigned i = 0; i < k; i++) {
		struct bh_scalar c = bh_scalar_const(edge_value());

		st->s = i ? bh_scalar_join(&st->s, &c) : c;
		st->m[st->n++] = c.var.value;
	}
	SOUND(bh_scalar_sync(&st->s), "sync emptied a hull");
	for (unsigned i = 0; i < st->n; i++)
		SOUND(bh_scalar_has(&st->s, st->m[i]), "hull lost %#llx", (unsigned long long)st->m[i]);
	/* Members from inside too: random tnum members the bounds allow. */
	for (int tries = 0; tries < 40 && st->n < 12; tries++) {
		uint64_t x = st->s.var.value | (rnd() & st->s.var.mask);

		if (bh_scalar_has(&st->s, x))
			st->m[st->n++] = x;
	}
}

#define NSTATES 160
static struct state states[NSTATES];

static void make_states(void)
{
	for (unsigned i = 0; i < NSTATES; i++) {
		if (i % 2)
			enumerable(&states[i]);
		else
			sampled(&states[i]);
	}
}

/* The interpreter's semantics (src/prog/interp.c). */
static uint64_t sdiv64(uint64_t a, uint64_t b)
{
	return !b ? 0 : (int64_t)b == -1 ? 0 - a : (uint64_t)((int64_t)a / (int64_t)b);
}
static uint64_t smod64(uint64_t a, uint64_t b)
{
	return !b ? a : (int64_t)b == -1 ? 0 : (uint64_t)((int64_t)a % (int64_t)b);
}
static uint32_t sdiv32(uint32_t a, uint32_t b)
{
	return !b ? 0 : (int32_t)b == -1 ? 0 - a : (uint32_t)((int32_t)a / (int32_t)b);
}
static uint32_t smod32(uint32_t a, uint32_t b)
{
	return !b ? a : (int32_t)b == -1 ? 0 : (uint32_t)((int32_t)a % (int32_t)b);
}

static uint64_t alu64(uint8_t op, int16_t off, uint64_t d, uint64_t s)
{
	switch (op) {
	case BPF_ADD: return d + s;
	case BPF_SUB: return d - s;
	case BPF_MUL: return d * s;
	case BPF_DIV: return off ? sdiv64(d, s) : s ? d / s : 0;
	case BPF_MOD: return off ? smod64(d, s) : s ? d % s : d;
	case BPF_OR: return d | s;
	case BPF_AND: return d & s;
	case BPF_XOR: return d ^ s;
	case BPF_LSH: return d << (s & 63);
	case BPF_RSH: return d >> (s & 63);
	case BPF_ARSH: return (uint64_t)((int64_t)d >> (s & 63));
	case BPF_NEG: return 0 - d;
	default:	/* BPF_MOV */
		return off == 8 ? (uint64_t)(int64_t)(int8_t)s :
		       off == 16 ? (uint64_t)(int64_t)(int16_t)s :
		       off == 32 ? (uint64_t)(int64_t)(int32_t)s : s;
	}
}

static uint64_t alu32(uint8_t op, int16_t off, uint64_t d64, uint64_t s64)
{
	uint32_t d = (uint32_t)d64, s = (uint32_t)s64;

	switch (op) {
	case BPF_ADD: return (uint32_t)(d + s);
	case BPF_SUB: return (uint32_t)(d - s);
	case BPF_MUL: return (uint32_t)(d * s);
	case BPF_DIV: return off ? sdiv32(d, s) : s ? d / s : 0;
	case BPF_MOD: return off ? smod32(d, s) : s ? d % s : d;
	case BPF_OR: return d | s;
	case BPF_AND: return d & s;
	case BPF_XOR: return d ^ s;
	case BPF_LSH: return (uint32_t)(d << (s & 31));
	case BPF_RSH: return d >> (s & 31);
	case BPF_ARSH: return (uint32_t)((int32_t)d >> (s & 31));
	case BPF_NEG: return (uint32_t)(0 - d);
	default:
		return off == 8 ? (uint32_t)(int32_t)(int8_t)s64 :
		       off == 16 ? (uint32_t)(int32_t)(int16_t)s64 : s;
	}
}

struct op {
	uint8_t op;
	int16_t off;
	const char *name;
};

static const struct op ops[] = {
	{ BPF_ADD, 0, "add" }, { BPF_SUB, 0, "sub" }, { BPF_MUL, 0, "mul" },
	{ BPF_DIV, 0, "div" }, { BPF_DIV, 1, "sdiv" }, { BPF_MOD, 0, "mod" },
	{ BPF_MOD, 1, "smod" }, { BPF_OR, 0, "or" }, { BPF_AND, 0, "and" },
	{ BPF_XOR, 0, "xor" }, { BPF_LSH, 0, "lsh" }, { BPF_RSH, 0, "rsh" },
	{ BPF_ARSH, 0, "arsh" }, { BPF_NEG, 0, "neg" }, { BPF_MOV, 0, "mov" },
	{ BPF_MOV, 8, "movsx8" }, { BPF_MOV, 16, "movsx16" }, { BPF_MOV, 32, "movsx32" },
};

static void check_alu_pair(const struct state *a, const struct state *b, unsigned long long *pairs)
{
	for (unsigned o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		for (int w = 0; w < 2; w++) {
			bool is64 = w == 0;
			struct bh_scalar r;

			if (!is64 && ops[o].op == BPF_MOV && ops[o].off == 32)
				continue;	/* no movsx32 in ALU32 */
			r = bh_scalar_alu(ops[o].op, is64, ops[o].off, &a->s, &b->s);
			(*pairs)++;
			for (unsigned x = 0; x < a->n; x++)
				for (unsigned y = 0; y < b->n; y++) {
					uint64_t want = is64 ? alu64(ops[o].op, ops[o].off, a->m[x], b->m[y]) :
							       alu32(ops[o].op, ops[o].off, a->m[x], b->m[y]);
					unsigned long long before = failed;

					SOUND(bh_scalar_has(&r, want), "%s%s %#llx, %#llx = %#llx", ops[o].name,
					      is64 ? "" : "32", (unsigned long long)a->m[x],
					      (unsigned long long)b->m[y], (unsigned long long)want);
					if (failed != before) {
						dump("dst", &a->s);
						dump("src", &b->s);
						dump("result", &r);
					}
				}
		}
	}
}

static void alu_soundness(void)
{
	unsigned long long pairs = 0;

	checked = failed = 0;
	make_states();
	for (unsigned i = 0; i < NSTATES; i++)
		for (unsigned j = 0; j < NSTATES; j++)
			check_alu_pair(&states[i], &states[j], &pairs);
	printf("  %u states, %llu abstract op pairs, %llu member checks\n", NSTATES, pairs, checked);
	ASSERT_EQ(failed, 0, "ALU transfer sound");
}

static void end_soundness(void)
{
	static const int32_t widths[] = { 16, 32, 64 };

	checked = failed = 0;
	for (unsigned i = 0; i < NSTATES; i++)
		for (int k = 0; k < 3; k++)
			for (int kind = 0; kind < 3; kind++) {
				bool is64 = kind == 2, to_be = kind == 1;
				struct bh_scalar r = bh_scalar_end(is64, to_be, widths[k], &states[i].s);

				for (unsigned x = 0; x < states[i].n; x++) {
					uint64_t v = states[i].m[x], want;

					if (kind == 0)	/* to_le on this little-endian host */
						want = widths[k] == 16 ? (uint16_t)v : widths[k] == 32 ? (uint32_t)v : v;
					else
						want = widths[k] == 16 ? __builtin_bswap16((uint16_t)v) :
						       widths[k] == 32 ? __builtin_bswap32((uint32_t)v) :
						       __builtin_bswap64(v);
					SOUND(bh_scalar_has(&r, want), "end kind %d width %d of %#llx", kind,
					      widths[k], (unsigned long long)v);
				}
			}
	ASSERT_EQ(failed, 0, "end/bswap sound");
}

static const struct op jumps[] = {
	{ BPF_JEQ, 0, "jeq" }, { BPF_JNE, 0, "jne" }, { BPF_JGT, 0, "jgt" },
	{ BPF_JGE, 0, "jge" }, { BPF_JLT, 0, "jlt" }, { BPF_JLE, 0, "jle" },
	{ BPF_JSGT, 0, "jsgt" }, { BPF_JSGE, 0, "jsge" }, { BPF_JSLT, 0, "jslt" },
	{ BPF_JSLE, 0, "jsle" }, { BPF_JSET, 0, "jset" },
};

static bool cond(uint8_t op, bool is64, uint64_t a, uint64_t b)
{
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
	case BPF_JSET: return (a & b) != 0;
	}
	if (is64) {
		int64_t x = (int64_t)a, y = (int64_t)b;

		return op == BPF_JSGT ? x > y : op == BPF_JSGE ? x >= y : op == BPF_JSLT ? x < y : x <= y;
	} else {
		int32_t x = (int32_t)a, y = (int32_t)b;

		return op == BPF_JSGT ? x > y : op == BPF_JSGE ? x >= y : op == BPF_JSLT ? x < y : x <= y;
	}
}

static void check_branch_pair(const struct state *a, const struct state *b, unsigned long long *pairs,
			      unsigned long long *decided)
{
	for (unsigned o = 0; o < sizeof(jumps) / sizeof(jumps[0]); o++)
		for (int w = 0; w < 2; w++) {
			struct bh_scalar taken[2], fall[2];
			enum bh_branch v = bh_scalar_branch(jumps[o].op, w == 0, &a->s, &b->s, taken, fall);

			(*pairs)++;
			*decided += v != BH_BRANCH_UNKNOWN;
			for (unsigned x = 0; x < a->n; x++)
				for (unsigned y = 0; y < b->n; y++) {
					uint64_t p = a->m[x], q = b->m[y];
					bool t = cond(jumps[o].op, w == 0, p, q);
					const struct bh_scalar *side = t ? taken : fall;
					unsigned long long before = failed;

					SOUND(bh_scalar_has(&side[0], p) && bh_scalar_has(&side[1], q) &&
						      v != (t ? BH_BRANCH_NEVER : BH_BRANCH_ALWAYS),
					      "%s%s %#llx, %#llx %s lost (verdict %d)", jumps[o].name,
					      w ? "32" : "", (unsigned long long)p, (unsigned long long)q,
					      t ? "taken" : "fall-through", v);
					if (failed != before) {
						dump("dst", &a->s);
						dump("src", &b->s);
						dump("side dst", &side[0]);
						dump("side src", &side[1]);
					}
				}
		}
}

/* A state holding only @v (a jump against an immediate). */
static struct state constant(uint64_t v)
{
	struct state st = { .s = bh_scalar_const(v), .n = 1, .m = { v } };

	return st;
}

static void branch_soundness(void)
{
	unsigned long long pairs = 0, decided = 0;

	checked = failed = 0;
	for (unsigned i = 0; i < NSTATES; i++) {
		const struct state *a = &states[i];
		/* Constants at and next to the state's edges, where refinement moves ends. */
		uint64_t edges[] = { a->s.umin, a->s.umax, (uint64_t)a->s.smin, (uint64_t)a->s.smax,
				     a->s.umin + 1, a->s.umax - 1, a->m[0], a->s.u32_min, a->s.u32_max };

		for (unsigned j = 0; j < NSTATES; j++)
			check_branch_pair(a, &states[j], &pairs, &decided);
		for (unsigned e = 0; e < sizeof(edges) / sizeof(edges[0]); e++) {
			struct state c = constant(edges[e]);

			check_branch_pair(a, &c, &pairs, &decided);
			check_branch_pair(&c, a, &pairs, &decided);
		}
	}
	printf("  %llu abstract jumps (%llu decided one way), %llu member pair checks\n", pairs,
	       decided, checked);
	ASSERT_EQ(failed, 0, "branch refinement sound");
	ASSERT_GE(decided, pairs / 50, "some jumps are decided");
}

/*
 * Exhaustive ranges: every run of consecutive values inside windows of 8
 * around the edges of the four views (0, S32_MAX, U32_MAX, S64_MAX,
 * U64_MAX, wrapping), as the state of its unsigned and/or signed bounds
 * (whichever the run does not wrap in). Every pair of such states, every
 * op and jump, every member pair.
 */
#define WINDOW 8
static const uint64_t window_start[] = { 0, 0x7ffffffcull, 0xfffffffcull, 0x7ffffffffffffffcull,
					 0xfffffffffffffffcull };
#define NWIN (sizeof(window_start) / sizeof(window_start[0]))
#define NRUNS (WINDOW * (WINDOW + 1) / 2)
static struct state runs[NWIN * NRUNS];

static void make_runs(void)
{
	unsigned k = 0;

	for (unsigned w = 0; w < NWIN; w++)
		for (unsigned i = 0; i < WINDOW; i++)
			for (unsigned j = i; j < WINDOW; j++) {
				uint64_t lo = window_start[w] + i, hi = window_start[w] + j;
				struct state *st = &runs[k++];

				st->s = bh_scalar_unknown();
				if (lo <= hi) {
					st->s.umin = lo;
					st->s.umax = hi;
				}
				if ((int64_t)lo <= (int64_t)hi) {
					st->s.smin = (int64_t)lo;
					st->s.smax = (int64_t)hi;
				}
				bh_scalar_sync(&st->s);
				st->n = 0;
				for (uint64_t v = lo;; v++) {
					SOUND(bh_scalar_has(&st->s, v), "run lost %#llx", (unsigned long long)v);
					st->m[st->n++] = v;
					if (v == hi)
						break;
				}
			}
}

static void exhaustive_ranges(void)
{
	unsigned long long ops_pairs = 0, njumps = 0, decided = 0;

	checked = failed = 0;
	make_runs();
	for (unsigned i = 0; i < NWIN * NRUNS; i++)
		for (unsigned j = 0; j < NWIN * NRUNS; j++) {
			check_alu_pair(&runs[i], &runs[j], &ops_pairs);
			check_branch_pair(&runs[i], &runs[j], &njumps, &decided);
		}
	printf("  %u range states, %llu abstract ops, %llu abstract jumps, %llu member checks\n",
	       (unsigned)(NWIN * NRUNS), ops_pairs, njumps, checked);
	ASSERT_EQ(failed, 0, "ALU and branches sound on every pair of ranges");
}

/* Runs `r2 = x; r3 = y; insn (dst r2, src r3); r0 = r2; exit` in the interpreter. */
static uint64_t interp(struct bpf_insn insn, uint64_t x, uint64_t y)
{
	struct bpf_insn p[] = { LD_IMM64(2, x), LD_IMM64(3, y), insn, MOV64_REG(0, 2), EXIT() };
	static uint8_t ctx[64];
	struct bh_prog prog;
	struct bh_run run;
	uint64_t r0;

	insn.dst_reg = 2;
	insn.src_reg = 3;
	p[4] = insn;
	memset(&prog, 0, sizeof(prog));
	memcpy(prog.name, "oracle", 7);
	prog.type = BPF_PROG_TYPE_SOCKET_FILTER;
	prog.insns = p;
	prog.orig_insns = p;
	prog.len = sizeof(p) / sizeof(p[0]);
	prog.stack_reach = 8;
	bh_run_init(&run, &prog, ctx, sizeof(ctx));
	epoch_enter();
	r0 = bh_interp_run(&run, (uint64_t)(uintptr_t)ctx, 0);
	epoch_exit();
	ASSERT_EQ(run.err, 0, "the oracle ran");
	return r0;
}

/*
 * Every ALU encoding (both classes, K and X, signed div/mod, movsx,
 * end/bswap widths) against the interpreter itself, not a copy of its
 * semantics: random state pairs and random members of each.
 */
static void interpreter_oracle(void)
{
	static const uint8_t binops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH,
					  BPF_RSH, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH };
	struct bpf_insn enc[200];
	unsigned n = 0;

	checked = failed = 0;
	for (int c = 0; c < 2; c++) {
		uint8_t cls = c ? BPF_ALU64 : BPF_ALU;

		for (unsigned o = 0; o < sizeof(binops); o++)
			for (int x = 0; x < 2; x++) {
				uint8_t code = cls | binops[o] | (x ? BPF_X : BPF_K);

				enc[n++] = INSN(code, 2, 3, 0, 0);
				if (binops[o] == BPF_DIV || binops[o] == BPF_MOD)
					enc[n++] = INSN(code, 2, 3, 1, 0);
				if (binops[o] == BPF_MOV && x) {
					enc[n++] = INSN(code, 2, 3, 8, 0);
					enc[n++] = INSN(code, 2, 3, 16, 0);
					if (c)
						enc[n++] = INSN(code, 2, 3, 32, 0);
				}
			}
		enc[n++] = INSN(cls | BPF_NEG | BPF_K, 2, 0, 0, 0);
		for (int32_t w = 16; w <= 64; w *= 2) {
			enc[n++] = INSN(cls | BPF_END | BPF_TO_LE, 2, 0, 0, w);
			if (!c)
				enc[n++] = INSN(cls | BPF_END | BPF_TO_BE, 2, 0, 0, w);
		}
	}
	for (unsigned e = 0; e < n; e++)
		for (int k = 0; k < 400; k++) {
			const struct state *a = &states[rnd() % NSTATES], *b = &states[rnd() % NSTATES];
			uint64_t x = a->m[rnd() % a->n], y = b->m[rnd() % b->n], got;
			struct bpf_insn insn = enc[e];
			struct bh_scalar r;

			if (BPF_SRC(insn.code) == BPF_K && BPF_OP(insn.code) != BPF_END) {
				insn.imm = (int32_t)(k % 2 ? edge_value() : rnd() % 70);
				b = NULL;
			}
			r = bh_scalar_alu_insn(&insn, &a->s, b ? &b->s : NULL);
			got = interp(insn, x, y);
			SOUND(bh_scalar_has(&r, got), "code %#x off %d imm %d on %#llx, %#llx = %#llx",
			      insn.code, insn.off, insn.imm, (unsigned long long)x, (unsigned long long)y,
			      (unsigned long long)got);
		}
	printf("  %u encodings, %llu interpreter runs checked\n", n, checked);
	ASSERT_EQ(failed, 0, "every encoding sound against the interpreter");
}

/* meet keeps common members, join keeps all, within agrees with the members. */
static void lattice(void)
{
	checked = failed = 0;
	for (unsigned i = 0; i < NSTATES; i++)
		for (unsigned j = 0; j < NSTATES; j++) {
			const struct state *a = &states[i], *b = &states[j];
			struct bh_scalar meet = bh_scalar_meet(&a->s, &b->s), join = bh_scalar_join(&a->s, &b->s);

			for (unsigned x = 0; x < a->n; x++) {
				SOUND(bh_scalar_has(&join, a->m[x]), "join lost a member");
				if (bh_scalar_has(&b->s, a->m[x]))
					SOUND(bh_scalar_has(&meet, a->m[x]), "meet lost a member");
			}
			SOUND(bh_scalar_within(&join, &a->s) && bh_scalar_within(&join, &b->s), "within join");
			if (bh_scalar_within(&a->s, &b->s))
				for (unsigned y = 0; y < b->n; y++)
					SOUND(bh_scalar_has(&a->s, b->m[y]), "within but a member is not");
		}
	ASSERT_EQ(failed, 0, "meet/join/within sound");
}

static struct bh_scalar alu(uint8_t op, bool is64, struct bh_scalar d, struct bh_scalar s)
{
	return bh_scalar_alu(op, is64, 0, &d, &s);
}

static void alu_precision(void)
{
	struct bh_scalar x = bh_scalar_unknown(), c5 = bh_scalar_const(5), r;

	/* Constants stay constants. */
	for (unsigned o = 0; o < sizeof(ops) / sizeof(ops[0]); o++)
		for (int w = 0; w < 2; w++) {
			struct bh_scalar d = bh_scalar_const(0xfffffff0fffffff3ull), s = bh_scalar_const(0x23);

			r = bh_scalar_alu(ops[o].op, w == 0, ops[o].off, &d, &s);
			ASSERT_TRUE(bh_scalar_is_const(&r), ops[o].name);
			ASSERT_EQ(r.var.value, w == 0 ? alu64(ops[o].op, ops[o].off, d.var.value, 0x23) :
							alu32(ops[o].op, ops[o].off, d.var.value, 0x23),
				  ops[o].name);
		}
	r = alu(BPF_AND, true, x, bh_scalar_const(0xff));
	ASSERT_EQ(r.umax, 255, "x & 0xff: umax");
	ASSERT_EQ(r.smin, 0, "x & 0xff: smin");
	r = alu(BPF_ADD, true, bh_scalar_urange(0, 10), c5);
	ASSERT_TRUE(r.umin == 5 && r.umax == 15 && r.smin == 5 && r.smax == 15, "[0,10] + 5");
	r = alu(BPF_MUL, true, bh_scalar_urange(0, 10), bh_scalar_urange(0, 10));
	ASSERT_EQ(r.umax, 100, "[0,10] * [0,10]");
	r = alu(BPF_NEG, true, bh_scalar_urange(1, 10), x);
	ASSERT_TRUE(r.smin == -10 && r.smax == -1, "-[1,10]");
	r = alu(BPF_RSH, true, x, bh_scalar_const(60));
	ASSERT_EQ(r.umax, 15, "x >> 60");
	r = alu(BPF_ARSH, true, x, bh_scalar_const(63));
	ASSERT_TRUE(r.smin == -1 && r.smax == 0, "x s>> 63");
	r = alu(BPF_DIV, true, x, bh_scalar_const(16));
	ASSERT_EQ(r.umax, UINT64_MAX / 16, "x / 16");
	r = alu(BPF_MOD, true, x, bh_scalar_const(10));
	ASSERT_EQ(r.umax, 9, "x % 10");
	r = alu(BPF_MOV, false, x, x);
	ASSERT_EQ(r.umax, UINT32_MAX, "w = x: upper half zero");
	r = alu(BPF_ADD, false, bh_scalar_urange(0, 10), c5);
	ASSERT_TRUE(r.umin == 5 && r.umax == 15, "w = [0,10] + 5");
	/* The sign-extension idiom: (x << 32) s>> 32 is an s32. */
	r = alu(BPF_ARSH, true, alu(BPF_LSH, true, x, bh_scalar_const(32)), bh_scalar_const(32));
	ASSERT_TRUE(r.smin == INT32_MIN && r.smax == INT32_MAX, "(x << 32) s>> 32");
	/* 32-bit add of a small negative s32 stays small (the sign-extended view). */
	r = bh_scalar_urange(0, 2);
	r = alu(BPF_ADD, false, r, bh_scalar_const((uint64_t)-1ll));
	ASSERT_TRUE(r.s32_min == -1 && r.s32_max == 1, "w = [0,2] - 1 as s32");
	r = bh_scalar_alu(BPF_MOV, true, 8, &x, &x);
	ASSERT_TRUE(r.smin == -128 && r.smax == 127, "movsx8 range");
	r = bh_scalar_end(false, true, 16, &x);
	ASSERT_EQ(r.umax, 0xffff, "be16 of anything");
	r = bh_scalar_urange(0, 100);
	ASSERT_TRUE(r.var.value == 0 && r.var.mask == 0x7f && r.smax == 100 && r.u32_max == 100, "sync");
}

static enum bh_branch jump(uint8_t op, bool is64, struct bh_scalar a, struct bh_scalar b,
			   struct bh_scalar t[2], struct bh_scalar f[2])
{
	return bh_scalar_branch(op, is64, &a, &b, t, f);
}

static void branch_precision(void)
{
	struct bh_scalar x = bh_scalar_unknown(), t[2], f[2];

	ASSERT_EQ(jump(BPF_JGT, true, x, bh_scalar_const(10), t, f), BH_BRANCH_UNKNOWN, "x > 10 unknown");
	ASSERT_EQ(t[0].umin, 11, "x > 10 taken: umin");
	ASSERT_EQ(f[0].umax, 10, "x > 10 fall: umax");
	jump(BPF_JEQ, true, x, bh_scalar_const(5), t, f);
	ASSERT_TRUE(bh_scalar_is_const(&t[0]) && t[0].var.value == 5, "x == 5 taken: constant");
	jump(BPF_JSLT, true, x, bh_scalar_const(0), t, f);
	ASSERT_TRUE(t[0].smax == -1 && f[0].smin == 0 && f[0].umax == INT64_MAX, "x s< 0");
	jump(BPF_JLT, false, x, bh_scalar_const(10), t, f);
	ASSERT_EQ(t[0].u32_max, 9, "w < 10 taken: u32_max");
	/* Only the low half of the maximum moves: the upper half is still unknown. */
	ASSERT_EQ(t[0].umax, 0xffffffff00000009ull, "w < 10: umax");
	jump(BPF_JLT, false, alu(BPF_MOV, false, x, x), bh_scalar_const(10), t, f);
	ASSERT_EQ(t[0].umax, 9, "zero-extended w < 10: umax");
	jump(BPF_JSET, true, bh_scalar_urange(0, 7), bh_scalar_const(4), t, f);
	ASSERT_TRUE(t[0].umin == 4 && f[0].umax == 3, "[0,7] & 4");
	ASSERT_EQ(jump(BPF_JGT, true, bh_scalar_urange(0, 10), bh_scalar_const(20), t, f), BH_BRANCH_NEVER,
		  "[0,10] > 20 never");
	ASSERT_EQ(jump(BPF_JGE, true, x, bh_scalar_const(0), t, f), BH_BRANCH_ALWAYS, "x >= 0 always");
	ASSERT_EQ(jump(BPF_JEQ, true, bh_scalar_const(3), bh_scalar_const(3), t, f), BH_BRANCH_ALWAYS,
		  "3 == 3");
	ASSERT_EQ(jump(BPF_JSET, true, bh_scalar_urange(0, 7), bh_scalar_const(8), t, f), BH_BRANCH_NEVER,
		  "[0,7] & 8 never");
	ASSERT_EQ(jump(BPF_JNE, true, bh_scalar_urange(4, 5), bh_scalar_const(4), t, f), BH_BRANCH_UNKNOWN,
		  "[4,5] != 4");
	ASSERT_TRUE(bh_scalar_is_const(&t[0]) && t[0].var.value == 5, "[4,5] != 4 taken: 5");
	ASSERT_EQ(jump(BPF_JSLT, false, bh_scalar_const(0xffffffffull), bh_scalar_const(0), t, f),
		  BH_BRANCH_ALWAYS, "(s32)-1 < 0");
	/* Two ranges: a < b refines both. */
	jump(BPF_JLT, true, bh_scalar_urange(0, 100), bh_scalar_urange(10, 20), t, f);
	ASSERT_TRUE(t[0].umax == 19 && t[1].umin == 10, "[0,100] < [10,20]");
}

/* Two constants: every jump is decided as it runs, the side taken keeping both values. */
static void branch_constants(void)
{
	static const uint64_t v[] = { 0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 1ull << 32, 0x100000005ull,
				      INT64_MAX, 1ull << 63, UINT64_MAX - 1, UINT64_MAX };

	for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (unsigned k = 0; k < sizeof(v) / sizeof(v[0]); k++)
			for (unsigned o = 0; o < sizeof(jumps) / sizeof(jumps[0]); o++)
				for (int w = 0; w < 2; w++) {
					struct bh_scalar t[2], f[2];
					bool holds = cond(jumps[o].op, w == 0, v[i], v[k]);
					enum bh_branch b = jump(jumps[o].op, w == 0, bh_scalar_const(v[i]),
								bh_scalar_const(v[k]), t, f);
					const struct bh_scalar *side = holds ? t : f, *never = holds ? f : t;

					ASSERT_EQ(b, holds ? BH_BRANCH_ALWAYS : BH_BRANCH_NEVER, "constants: decided");
					ASSERT_TRUE(bh_scalar_has(&side[0], v[i]) && bh_scalar_has(&side[1], v[k]) &&
						    bh_scalar_empty(&never[0]) && bh_scalar_empty(&never[1]),
						    "constants: the side taken keeps them, the other is empty");
				}
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(alu_soundness), TEST(end_soundness), TEST(branch_soundness), TEST(exhaustive_ranges),
		TEST(interpreter_oracle), TEST(lattice),
		TEST(alu_precision), TEST(branch_precision), TEST(branch_constants),
	};

	return test_run("verifier_bounds", cases, sizeof(cases) / sizeof(cases[0]));
}
