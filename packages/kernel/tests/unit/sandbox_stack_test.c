// SPDX-License-Identifier: MIT
/*
 * The stack shows nothing of the host (issue 10, item 2): each run clears
 * the part of the stack its program can reach (computed at load, over every
 * frame its calls can open), and accesses outside that part fault. What an
 * earlier run (of this or another program) or the host left there is never
 * readable.
 */
#include "test.h"
#include "insn_build.h"
#include "prog_run.h"

#include "bpfhost/uapi.h"
#include "prog/prog.h"

static int run(int fd, uint64_t *ret)
{
	return test_prog_run(fd, 0, 1, ret);
}

/* Fills its 512-byte frame with 0xa5: r1 = r10 - 512; do *(u64 *)r1 = r3; r1 += 8 while r1 != r10. */
#define FILL_FRAME()                                                                       \
	LD_IMM64(3, 0xa5a5a5a5a5a5a5a5ull), MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -512),       \
	STX(BPF_DW, 1, 3, 0), ALU64_IMM(BPF_ADD, 1, 8), JMP_REG(BPF_JNE, 1, 10, -3)

/* r0 = OR of every byte of its 512-byte frame, as 32 bits (the test-run retval). */
#define OR_FRAME()                                                                         \
	MOV64_IMM(0, 0), MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -512), LDX(BPF_DW, 2, 1, 0),    \
	ALU64_REG(BPF_OR, 0, 2), ALU64_IMM(BPF_ADD, 1, 8), JMP_REG(BPF_JNE, 1, 10, -4),          \
	MOV64_REG(2, 0), ALU64_IMM(BPF_RSH, 2, 32), ALU64_REG(BPF_OR, 0, 2)

static void t_no_leftovers(void)
{
	int fill = LOAD_UNVERIFIED("fill", FILL_FRAME(), MOV64_IMM(0, 0), EXIT());
	int read = LOAD_UNVERIFIED("read", OR_FRAME(), EXIT());
	uint64_t r = 1;

	ASSERT_GE(fill, 0, "load fill");
	ASSERT_GE(read, 0, "load read");
	ASSERT_OK(run(read, &r), "a fresh program reads its whole frame");
	ASSERT_EQ(r, 0, "nothing of the host is in it");
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(run(fill, NULL), "another program fills its frame");
		ASSERT_OK(run(read, &r), "read after it");
		ASSERT_EQ(r, 0, "nothing of the earlier run either");
	}
	{
		/* Within one test run too: every repetition starts clear. */
		int both = LOAD_UNVERIFIED("both", OR_FRAME(), MOV64_REG(6, 0), FILL_FRAME(), MOV64_REG(0, 6), EXIT());
		uint64_t r5 = 1;

		ASSERT_OK(test_prog_run(both, 0, 5, &r5), "read then fill, 5 times");
		ASSERT_EQ(r5, 0, "each repetition starts clear");
		bpfhost_close(both);
	}
	bpfhost_close(fill);
	bpfhost_close(read);
}

/* A callee's frame, and a tail call's target that reaches deeper than its caller. */
static void t_frames_and_tail_calls(void)
{
	int fill = LOAD_UNVERIFIED("fill2", FILL_FRAME(), CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(),
			/* f: */ FILL_FRAME(), MOV64_IMM(0, 0), EXIT());
	int read = LOAD_UNVERIFIED("readsub", CALL_LOCAL(1), EXIT(), /* f: */ OR_FRAME(), EXIT());
	int pa = test_map(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 1, 0), caller;
	uint64_t r = 1;
	uint32_t k = 0;

	ASSERT_GE(fill, 0, "load fill2");
	ASSERT_GE(read, 0, "load readsub");
	ASSERT_OK(run(fill, NULL), "fill two frames");
	ASSERT_OK(run(read, &r), "a callee reads its frame");
	ASSERT_EQ(r, 0, "clear");
	/* caller (reach 8) tail-calls read (reaches a callee frame). */
	caller = LOAD_UNVERIFIED("caller", ST(BPF_DW, 10, -8, 0), LD_MAP(2, pa), MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call),
		      MOV64_IMM(0, 77), EXIT());
	ASSERT_GE(caller, 0, "load caller");
	ASSERT_OK(bpfhost_map_update_elem(pa, &k, &read, 0), "read into the prog array");
	ASSERT_OK(run(fill, NULL), "fill");
	r = 1;
	ASSERT_OK(run(caller, &r), "tail call");
	ASSERT_EQ(r, 0, "the target's deeper frames are clear too");
	bpfhost_close(caller);
	bpfhost_close(pa);
	bpfhost_close(fill);
	bpfhost_close(read);
}

/* Below the reach computed at load: a fault that says why, not a read of stale bytes. */
static void t_outside_reach_faults(void)
{
	int fd = LOAD_UNVERIFIED("deep", ST(BPF_DW, 10, -16, 1), MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -16),
		      MOV64_IMM(2, 64), ALU64_REG(BPF_SUB, 1, 2), LDX(BPF_DW, 0, 1, 0), EXIT());

	ASSERT_GE(fd, 0, "load");
	ASSERT_EQ(run(fd, NULL), -EFAULT, "r10 - 80 through a variable offset");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "stack below what the program reaches", "message");
	bpfhost_close(fd);
	/* What the load computes. */
	{
		const struct bpf_insn none[] = { MOV64_IMM(0, 0), EXIT() };
		const struct bpf_insn direct[] = { ST(BPF_W, 10, -20, 0), MOV64_IMM(0, 0), EXIT() };
		const struct bpf_insn copy[] = { MOV64_REG(6, 10), ALU64_IMM(BPF_ADD, 6, -40), ST(BPF_B, 6, 3, 0),
						 MOV64_IMM(0, 0), EXIT() };
		const struct bpf_insn sub[] = { CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(), ST(BPF_DW, 10, -24, 0),
						MOV64_IMM(0, 0), EXIT() };
		const struct bpf_insn rec[] = { ST(BPF_DW, 10, -8, 0), CALL_LOCAL(-2), MOV64_IMM(0, 0), EXIT() };

		ASSERT_EQ(bh_prog_stack_reach(none, 2), 8, "no stack: the minimum of 8");
		ASSERT_EQ(bh_prog_stack_reach(direct, 3), 24, "r10 - 20, rounded to 8");
		ASSERT_EQ(bh_prog_stack_reach(copy, 5), 40, "through a copy of r10");
		ASSERT_EQ(bh_prog_stack_reach(sub, 6), 512 + 24, "a callee's frame sits 512 below");
		ASSERT_EQ(bh_prog_stack_reach(rec, 4), 7 * 512 + 8, "recursion: 8 frames, the last one 8 deep");
	}
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_no_leftovers), TEST(t_frames_and_tail_calls), TEST(t_outside_reach_faults),
	};

	return test_run("sandbox_stack", cases, sizeof(cases) / sizeof(cases[0]));
}
