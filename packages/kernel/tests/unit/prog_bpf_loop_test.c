// SPDX-License-Identifier: MIT
/*
 * bpf_loop: the interpreter's calls of the callback (iterations, early
 * stop, the count returned, the context pointer, errors for flags and
 * counts) beside the kernel's BPF_PROG_TEST_RUN of the same programs, and
 * the verifier's checks of the callback (its return value, what it may do
 * with the context, a callback that is not a function).
 */
#include <stdbool.h>
#include <string.h>

#include "bpfhost/bpf.h"
#include "insn_build.h"
#include "kernel_bpf.h"
#include "prog_run.h"
#include "test.h"

#define LD_FUNC(d, rel) INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_FUNC, 0, rel), INSN(0, 0, 0, 0, 0)

/*
 * fp-8 = 0; r0 = bpf_loop(n, cb, fp-8, flags); return r0 * 1000 + fp-8
 * cb(i, ctx): *ctx += i; return i == stop.
 * The callback starts at instruction 12.
 */
#define LOOP_PROG(n, flags, stop)                                                          \
	{                                                                                  \
		ST(BPF_DW, 10, -8, 0), MOV64_IMM(1, n), LD_FUNC(2, 9), MOV64_REG(3, 10),   \
		ALU64_IMM(BPF_ADD, 3, -8), MOV64_IMM(4, flags), CALL(BPF_FUNC_loop),       \
		ALU64_IMM(BPF_MUL, 0, 1000), LDX(BPF_DW, 1, 10, -8),                       \
		ALU64_REG(BPF_ADD, 0, 1), EXIT(),                                          \
		/* 12: the callback */                                                     \
		LDX(BPF_DW, 3, 2, 0), ALU64_REG(BPF_ADD, 3, 1), STX(BPF_DW, 2, 3, 0),      \
		MOV64_IMM(0, 0), JMP_IMM(BPF_JNE, 1, stop, 1), MOV64_IMM(0, 1), EXIT(),   \
	}

struct loop_case {
	const char *what;
	int32_t n, flags, stop;
	uint32_t want;
};

static void t_semantics(void)
{
	static const struct loop_case cases[] = {
		{ "stops when the callback returns 1 (i = 6): 7 calls, 0 + ... + 6", 10, 0, 6, 7021 },
		{ "runs out: 5 calls, 0 + ... + 4", 5, 0, 99, 5010 },
		{ "no loops: no call", 0, 0, 99, 0 },
		{ "flags must be 0: -EINVAL, no call", 5, 1, 99, (uint32_t)(-EINVAL * 1000) },
		{ "more than 2^23 loops: -E2BIG, no call", (1 << 23) + 1, 0, 99, (uint32_t)(-E2BIG * 1000) },
	};
	char reason[128];
	bool kernel = kbpf_probe(reason, sizeof(reason)) == 0;

	if (!kernel)
		printf("SKIP: bpf(2) not available (%s); bpfhost's results are checked against constants only\n",
		       reason);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct loop_case *c = &cases[i];
		const struct bpf_insn p[] = LOOP_PROG(c->n, c->flags, c->stop);
		const uint32_t n = sizeof(p) / sizeof(p[0]), funcs[2] = { 0, 12 };
		uint64_t r = 0;
		int fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "loop", p, n, 0);

		ASSERT_GE(fd, 0, c->what);
		ASSERT_OK(test_prog_run(fd, 0, 0, &r), c->what);
		ASSERT_EQ((uint32_t)r, c->want, c->what);
		bpfhost_close(fd);
		if (kernel) {
			static const uint8_t frame[64];
			char log[4096];
			uint32_t kr = 0;
			int kfd = kbpf_prog_load_funcs(BPF_PROG_TYPE_SOCKET_FILTER, p, n, "GPL", funcs, 2, log,
						       sizeof(log));

			ASSERT_GE(kfd, 0, "the kernel loads it too");
			if (kfd >= 0) {
				ASSERT_OK(kbpf_prog_test_run(kfd, frame, sizeof(frame), 1, &kr, NULL), c->what);
				ASSERT_EQ(kr, c->want, "the kernel's result is the same");
				kbpf_close(kfd);
			}
		}
	}
}

static void t_verifier(void)
{
	/* The callback returns 2. */
	int fd = LOAD("ret2", MOV64_IMM(1, 3), LD_FUNC(2, 5), MOV64_IMM(3, 0), MOV64_IMM(4, 0),
		      CALL(BPF_FUNC_loop), EXIT(),
		      /* 7: callback */ MOV64_IMM(0, 2), EXIT());

	ASSERT_EQ(fd, -EACCES, "a callback returning 2");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "callback's return must be 0 (go on) or 1 (stop)", "message");
	/* The callback writes past the 8-byte context it is given. */
	fd = LOAD("oob", ST(BPF_DW, 10, -8, 0), MOV64_IMM(1, 3), LD_FUNC(2, 6), MOV64_REG(3, 10),
		  ALU64_IMM(BPF_ADD, 3, -8), MOV64_IMM(4, 0), CALL(BPF_FUNC_loop), EXIT(),
		  /* 9: callback */ ST(BPF_DW, 2, 8, 1), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(fd, -EACCES, "a callback writing past its context");
	/* A scalar for a callback. */
	fd = LOAD("notfn", MOV64_IMM(1, 3), MOV64_IMM(2, 0), MOV64_IMM(3, 0), MOV64_IMM(4, 0),
		  CALL(BPF_FUNC_loop), EXIT());
	ASSERT_EQ(fd, -EACCES, "r2 a number");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "static function", "message");
	/* The callback's address is not memory. */
	fd = LOAD("deref", LD_FUNC(2, 3), LDX(BPF_DW, 0, 2, 0), EXIT(), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(fd, -EACCES, "a callback's address dereferenced");
	/* The run-time check stands behind it: a forged callback address is refused. */
	fd = LOAD_UNVERIFIED("forged", MOV64_IMM(1, 3), MOV64_IMM(2, 5), MOV64_IMM(3, 0), MOV64_IMM(4, 0),
			     CALL(BPF_FUNC_loop), EXIT(), MOV64_IMM(0, 0), EXIT());
	ASSERT_GE(fd, 0, "loads without the verifier");
	ASSERT_EQ(test_prog_run(fd, 0, 0, NULL), -EINVAL, "bpf_loop refuses an address no lddw named");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "not a callback of this program", "message");
	bpfhost_close(fd);
}

/* A callback that counts in the caller's stack converges: the loop is not unrolled 1000 times. */
static void t_converges(void)
{
	int fd = LOAD("count", ST(BPF_DW, 10, -8, 0), MOV64_IMM(1, 1000), LD_FUNC(2, 7), MOV64_REG(3, 10),
		      ALU64_IMM(BPF_ADD, 3, -8), MOV64_IMM(4, 0), CALL(BPF_FUNC_loop),
		      LDX(BPF_DW, 0, 10, -8), EXIT(),
		      /* 10: callback: (*ctx)++ */
		      LDX(BPF_DW, 3, 2, 0), ALU64_IMM(BPF_ADD, 3, 1), STX(BPF_DW, 2, 3, 0), MOV64_IMM(0, 0),
		      EXIT());
	uint64_t r = 0;

	ASSERT_GE(fd, 0, "loads");
	ASSERT_OK(test_prog_run(fd, 0, 0, &r), "runs");
	ASSERT_EQ(r, 1000, "1000 calls");
	bpfhost_close(fd);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_semantics), TEST(t_verifier), TEST(t_converges),
	};

	return test_run("prog_bpf_loop", cases, sizeof(cases) / sizeof(cases[0]));
}
