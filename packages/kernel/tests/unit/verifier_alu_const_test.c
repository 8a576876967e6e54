// SPDX-License-Identifier: MIT
/*
 * The verifier computes an ALU instruction on two known values directly
 * (bh_alu_const) instead of through the bounds transfer functions. Both
 * must agree: the computed value is a member of the transfer's result for
 * every op, width, signedness and movsx width, on edge values and random
 * ones; and the computed value is what the interpreter computes (a program
 * run per case).
 */
#include <stdlib.h>

#include "bpfhost/bpf.h"
#include "insn_build.h"
#include "prog_run.h"
#include "test.h"
#include "verifier/bounds.h"

static const uint64_t edges[] = {
	0, 1, 2, 7, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000u,
	0xffffffffu, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, UINT64_MAX,
	UINT64_MAX - 1, 0x123456789abcdef0ull,
};

struct form {
	uint8_t op;
	int16_t off;
};

static const struct form forms[] = {
	{ BPF_ADD, 0 }, { BPF_SUB, 0 }, { BPF_MUL, 0 }, { BPF_DIV, 0 }, { BPF_DIV, 1 }, { BPF_OR, 0 },
	{ BPF_AND, 0 }, { BPF_LSH, 0 }, { BPF_RSH, 0 }, { BPF_NEG, 0 }, { BPF_MOD, 0 }, { BPF_MOD, 1 },
	{ BPF_XOR, 0 }, { BPF_MOV, 0 }, { BPF_MOV, 8 }, { BPF_MOV, 16 }, { BPF_MOV, 32 }, { BPF_ARSH, 0 },
};

static uint64_t rnd(void)
{
	return (uint64_t)random() << 62 ^ (uint64_t)random() << 31 ^ (uint64_t)random();
}

static int checked, ran;

static void one(bool is64, const struct form *f, uint64_t d, uint64_t s, bool run)
{
	/* neg has no source: its encoding is BPF_K with no immediate */
	struct bpf_insn in = f->op == BPF_NEG ? INSN((is64 ? BPF_ALU64 : BPF_ALU) | BPF_NEG | BPF_K, 0, 0, 0, 0) :
						INSN((is64 ? BPF_ALU64 : BPF_ALU) | f->op | BPF_X, 0, 1, f->off, 0);
	struct bh_scalar sd = bh_scalar_const(d), ss = bh_scalar_const(s), res;
	uint64_t r = 0, got = 0;
	char what[160];

	if (!is64 && f->op == BPF_MOV && f->off == 32)
		return;	/* not an encoding */
	if (!bh_alu_const(&in, d, s, &r))
		return;
	res = bh_scalar_alu_insn(&in, &sd, &ss);
	snprintf(what, sizeof(what), "%s op 0x%x off %d: %#llx, %#llx -> %#llx", is64 ? "alu64" : "alu32", f->op,
		 f->off, (unsigned long long)d, (unsigned long long)s, (unsigned long long)r);
	ASSERT_TRUE(bh_scalar_has(&res, r), what);
	checked++;
	if (!run)
		return;
	/* The test run's retval is r0's low 32 bits: one run for those, one for the high half shifted down. */
	for (int half = 0; half < 2; half++) {
		const struct bpf_insn p[] = { LD_IMM64(0, d), LD_IMM64(1, s), in, ALU64_IMM(BPF_RSH, 0, half ? 32 : 0),
					      EXIT() };
		int fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "alu", p, sizeof(p) / sizeof(p[0]),
					      BPFHOST_F_TEST_UNVERIFIED);

		ASSERT_GE(fd, 0, what);
		ASSERT_OK(test_prog_run(fd, 0, 0, &got), what);
		ASSERT_EQ((uint32_t)got, (uint32_t)(half ? r >> 32 : r), what);
		bpfhost_close(fd);
	}
	ran++;
}

static void t_agree(void)
{
	srandom(1);
	for (int w = 0; w < 2; w++)
		for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
			for (size_t a = 0; a < sizeof(edges) / sizeof(edges[0]); a++)
				for (size_t b = 0; b < sizeof(edges) / sizeof(edges[0]); b++)
					one(w, &forms[f], edges[a], edges[b], (a + b) % 7 == 0);
			for (int k = 0; k < 2000; k++)
				one(w, &forms[f], rnd(), k & 1 ? rnd() : rnd() & 63, k % 50 == 0);
		}
	printf("constant folding: %d cases agree with the transfer functions, %d with the interpreter\n",
	       checked, ran);
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_agree) };

	return test_run("verifier_alu_const", cases, sizeof(cases) / sizeof(cases[0]));
}
