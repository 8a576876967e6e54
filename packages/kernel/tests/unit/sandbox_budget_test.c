// SPDX-License-Identifier: MIT
/*
 * Every run ends (issue 10, item 3): a per-run instruction budget, the
 * default documented in uapi.h, set per test run and per link. A program
 * past it stops with -ELOOP and a message naming it and the budget.
 */
#include <time.h>

#include "test.h"
#include "insn_build.h"
#include "prog_run.h"

#include "bpfhost/uapi.h"

#define TP_ATTACH 4300u
#define TP_PROG_TYPE 4200u

static int run(int fd, uint32_t budget, uint32_t repeat, uint32_t *ret)
{
	uint64_t r = 0;
	int err = test_prog_run(fd, budget, repeat, &r);

	if (ret)
		*ret = (uint32_t)r;
	return err;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ja -1 loaded and ran for ever before: now the default budget stops it. */
static void t_ja_minus_one_ends(void)
{
	int fd = LOAD_UNVERIFIED("spin", MOV64_IMM(0, 0), JA(-1), EXIT());
	double t0;

	ASSERT_GE(fd, 0, "ja -1 loads (the static verifier will refuse it; the budget is the backstop)");
	t0 = now_s();
	ASSERT_EQ(run(fd, 0, 1, NULL), -ELOOP, "default budget stops the run");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "program 'spin'", "names the program");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "budget of 16777216", "names the default budget");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "insn 1", "names the instruction");
	ASSERT_TRUE(now_s() - t0 < 30.0, "ended (no wall-clock assertion on speed: only that it ends)");
	ASSERT_EQ(run(fd, 1000, 3, NULL), -ELOOP, "a small budget too, with repeat");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "budget of 1000", "names the budget given");
	/* The 32-bit form (gotol) as well. */
	{
		int fd32 = LOAD_UNVERIFIED("spin32", MOV64_IMM(0, 0), JA32(-1), EXIT());

		ASSERT_GE(fd32, 0, "load gotol -1");
		ASSERT_EQ(run(fd32, 100, 1, NULL), -ELOOP, "gotol -1 stops");
		bpfhost_close(fd32);
	}
	bpfhost_close(fd);
}

/*
 * The budget counts instructions exactly: r0 = 0; loop: r0 += 1; if r0 < 1000
 * goto loop; exit runs 1 + 2 * 1000 + 1 = 2002 instructions.
 */
static void t_budget_is_exact(void)
{
	int fd = LOAD_UNVERIFIED("count", MOV64_IMM(0, 0), ALU64_IMM(BPF_ADD, 0, 1),
		      JMP_IMM(BPF_JLT, 0, 1000, -2), EXIT());
	uint32_t r = 0;

	ASSERT_GE(fd, 0, "load");
	ASSERT_OK(run(fd, 2002, 1, &r), "2002 instructions fit a budget of 2002");
	ASSERT_EQ(r, 1000, "the loop ran to the end");
	ASSERT_EQ(run(fd, 2001, 1, NULL), -ELOOP, "but not one of 2001");
	ASSERT_OK(run(fd, 0, 5, &r), "the default is far above");
	bpfhost_close(fd);

	/* lddw counts as two instructions (slots), straight-line code is counted at exit. */
	fd = LOAD_UNVERIFIED("lddw", LD_IMM64(0, 0x100000000ull), EXIT());
	ASSERT_OK(run(fd, 3, 1, NULL), "lddw + exit: 3 slots");
	ASSERT_EQ(run(fd, 2, 1, NULL), -ELOOP, "not 2");
	bpfhost_close(fd);
}

/* A loop in a sub-program, and bpf-to-bpf calls charge the callee's instructions too. */
static void t_budget_across_calls(void)
{
	/* main: call f; r0 = 0; exit.  f: r0 = 1; loop: goto loop. */
	int fd = LOAD_UNVERIFIED("subloop", CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(),
		      MOV64_IMM(0, 1), JA(-1));

	ASSERT_GE(fd, 0, "load");
	ASSERT_EQ(run(fd, 5000, 1, NULL), -ELOOP, "the callee's loop is stopped");
	bpfhost_close(fd);

	/*
	 * main: r6 = 0; loop: call f; r6 += 1; if r6 < 100 goto loop; r0 = r6; exit.
	 * f: r0 = 1; exit.  Each iteration: call, r0 = 1, exit, add, jlt = 5.
	 */
	fd = LOAD_UNVERIFIED("calls", MOV64_IMM(6, 0), CALL_LOCAL(5),
		  ALU64_IMM(BPF_ADD, 6, 1), JMP_IMM(BPF_JLT, 6, 100, -3), MOV64_REG(0, 6), EXIT(),
		  EXIT(), MOV64_IMM(0, 1), EXIT());
	ASSERT_GE(fd, 0, "load calls");
	{
		uint32_t r = 0;

		/* 1 + 100 * 5 + 2 = 503 */
		ASSERT_OK(run(fd, 503, 1, &r), "503 instructions");
		ASSERT_EQ(r, 100, "result");
		ASSERT_EQ(run(fd, 502, 1, NULL), -ELOOP, "not 502");
	}
	bpfhost_close(fd);
}

/* The budget of a link applies to every run of its program on the hook. */
static void t_link_budget(void)
{
	int mod = bpfhost_extension_load(BPFHOST_TEST_MODULE_DIR "/test_prog_provider.so");
	uint8_t data[4] = { 3, 0, 0, 0 };
	uint32_t cnt = 0, ret = 0;
	int fd, l_small, l_default;

	ASSERT_GE(mod, 0, "load the program provider module");
	fd = LOAD_UNVERIFIED_TYPE(TP_PROG_TYPE, "hookloop", MOV64_IMM(0, 0), ALU64_IMM(BPF_ADD, 0, 1),
		  JMP_IMM(BPF_JLT, 0, 1000, -2), EXIT());
	ASSERT_GE(fd, 0, "load a loop of 2002 instructions");
	{
		BPFHOST_OPTS(bpfhost_link_create_opts, o, .insn_budget = 100);

		l_small = bpfhost_link_create(fd, 0, TP_ATTACH, &o);
	}
	ASSERT_GE(l_small, 0, "link with a budget of 100");
	ASSERT_EQ(bpfhost_hook_trigger(TP_ATTACH, data, 4, &cnt, &ret), -ELOOP, "the link's budget stops it");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "budget of 100", "names the link's budget");
	bpfhost_close(l_small);
	l_default = bpfhost_link_create(fd, 0, TP_ATTACH, NULL);
	ASSERT_GE(l_default, 0, "link with the default budget");
	ASSERT_OK(bpfhost_hook_trigger(TP_ATTACH, data, 4, &cnt, &ret), "runs to the end");
	ASSERT_EQ(ret, 1000, "result");
	bpfhost_close(l_default);
	bpfhost_close(fd);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	ASSERT_EQ(bpfhost_handle_count(), 0, "all closed");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_ja_minus_one_ends), TEST(t_budget_is_exact), TEST(t_budget_across_calls),
		TEST(t_link_budget),
	};

	return test_run("sandbox_budget", cases, sizeof(cases) / sizeof(cases[0]));
}
