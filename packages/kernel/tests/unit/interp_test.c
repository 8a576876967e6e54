// SPDX-License-Identifier: MIT
/*
 * The interpreter on hand-encoded programs: every instruction group and
 * its edge cases as RFC 9669 defines them (division and modulo by zero,
 * INT_MIN / -1, shifts by the width or more, sign extensions, byte swaps,
 * 32-bit jumps on the low half), atomics with their fetch and compare
 * paths, legacy packet loads, bpf-to-bpf calls and their depth limit,
 * helper calls and callx, memory faults with their messages, and tail
 * calls through real loaded programs and a prog array (33 at most, as
 * Linux; the kernel runs the same chain when bpf(2) is usable).
 *
 * Every program runs twice: through bh_interp_run (computed goto) and
 * through the same source compiled with the switch dispatch, and both must
 * agree on r0, the error and the message.
 */
#include "test.h"
#include "kernel_bpf.h"

/* The switch-dispatch build of the interpreter, under another name. */
#define BH_INTERP_COMPUTED_GOTO 0
#define bh_interp_run bh_interp_run_switch
#include "prog/interp.c"
#undef bh_interp_run
uint64_t bh_interp_run(struct bh_run *run, uint64_t r1, uint64_t r2);

#include "prog/prog_check.h"
#include "insn_build.h"


struct env {
	void *ctx;
	size_t ctx_size;
	void *pkt;
	size_t pkt_len;
	struct bh_region *regions;
	uint32_t region_cnt;
	bool unchecked;		/* skip bh_prog_check (bad encodings on purpose) */
};

struct result {
	uint64_t r0;
	int err;
	uint32_t pc;
	char msg[512];
};

/* Test helpers, as the loader would resolve them: index = position. */
static uint64_t helper_sum(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return a + b * 10 + c * 100 + d * 1000 + e * 10000;
}

static uint64_t helper_refuse(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	return bh_run_fail(-EPERM, "helper_refuse said no");
}

#define ANY5 { BPFHOST_ARG_ANYTHING, BPFHOST_ARG_ANYTHING, BPFHOST_ARG_ANYTHING, \
	       BPFHOST_ARG_ANYTHING, BPFHOST_ARG_ANYTHING }
static const struct bh_helper h_sum = { .fn = helper_sum, .id = 1000, .args = ANY5, .name = "sum" };
static const struct bh_helper h_refuse = { .fn = helper_refuse, .id = 1001, .args = ANY5,
					   .name = "refuse" };
static const struct bh_helper *test_helpers[] = { &h_sum, &h_refuse };

static struct result run_once(uint64_t (*interp)(struct bh_run *, uint64_t, uint64_t),
			      const struct bh_prog *prog, const struct env *env)
{
	struct result res = { 0 };
	struct bh_run run;

	bh_err_clear();
	bh_run_init(&run, prog, env->ctx, env->ctx_size);
	if (env->pkt) {
		run.pkt.start = (uintptr_t)env->pkt;
		run.pkt.end = (uintptr_t)env->pkt + env->pkt_len;
		run.pkt.writable = true;
	}
	epoch_enter();
	res.r0 = interp(&run, (uint64_t)(uintptr_t)env->ctx, 0);
	epoch_exit();
	res.err = run.err;
	res.pc = run.pc;
	if (run.err)
		snprintf(res.msg, sizeof(res.msg), "%s", bpfhost_last_error());
	return res;
}

/* Checks (unless told not to) and runs through both dispatches; they must agree. */
static struct result exec(const struct bpf_insn *insns, size_t n, const struct env *env_in)
{
	static const struct env none;
	const struct env *env = env_in ? env_in : &none;
	struct bh_prog prog;
	struct result a, b;

	memset(&prog, 0, sizeof(prog));
	snprintf(prog.name, sizeof(prog.name), "%s", test_current);
	prog.insns = (struct bpf_insn *)insns;
	prog.len = (uint32_t)n;
	prog.helpers = test_helpers;
	prog.helper_cnt = 2;
	prog.regions = env->regions;
	prog.region_cnt = env->region_cnt;
	prog.stack_reach = bh_prog_stack_reach(insns, prog.len);
	if (!env->unchecked) {
		int err = bh_prog_check(prog.name, insns, prog.len);

		ASSERT_OK(err, "bh_prog_check accepts the test program");
		if (err) {
			a = (struct result){ .err = err };
			return a;
		}
	}
	a = run_once(bh_interp_run, &prog, env);
	b = run_once(bh_interp_run_switch, &prog, env);
	ASSERT_EQ(b.r0, a.r0, "switch dispatch: same r0");
	ASSERT_EQ(b.err, a.err, "switch dispatch: same error");
	ASSERT_STR_CONTAINS(b.msg, a.msg, "switch dispatch: same message");
	return a;
}

#define RUN(env, ...)                                                                      \
	({                                                                                 \
		const struct bpf_insn p_[] = { __VA_ARGS__ };                              \
		exec(p_, sizeof(p_) / sizeof(p_[0]), env);                                 \
	})
#define EXPECT_R0(expected, name, ...)                                                     \
	do {                                                                               \
		struct result r_ = RUN(NULL, __VA_ARGS__);                                 \
		ASSERT_EQ(r_.err, 0, name);                                                \
		ASSERT_EQ(r_.r0, (uint64_t)(expected), name);                              \
	} while (0)

/* One ALU case: r0 = a; r0 op= b (register) or imm b. */
struct alu_case {
	const char *name;
	uint8_t code;
	int16_t off;
	uint64_t a, b;
	uint64_t expected;
};

#define A64X(op) (BPF_ALU64 | (op) | BPF_X)
#define A64K(op) (BPF_ALU64 | (op) | BPF_K)
#define A32X(op) (BPF_ALU | (op) | BPF_X)
#define A32K(op) (BPF_ALU | (op) | BPF_K)
#define NEG_ONE 0xffffffffffffffffULL
#define I64_MIN 0x8000000000000000ULL

static const struct alu_case alu_cases[] = {
	{ "add64", A64X(BPF_ADD), 0, NEG_ONE, 2, 1 },
	{ "add64 imm -1 sign-extends", A64K(BPF_ADD), 0, 0, (uint32_t)-1, NEG_ONE },
	{ "sub64", A64X(BPF_SUB), 0, 1, 2, NEG_ONE },
	{ "mul64 wraps", A64X(BPF_MUL), 0, 0x100000001ULL, 0x100000001ULL, 0x200000001ULL },
	{ "or64 imm negative", A64K(BPF_OR), 0, 0, 0x80000000u, 0xffffffff80000000ULL },
	{ "and64", A64X(BPF_AND), 0, 0xff00ff00ff00ff00ULL, 0x0ff00ff00ff00ff0ULL, 0x0f000f000f000f00ULL },
	{ "and64 imm -1", A64K(BPF_AND), 0, 0x123456789ULL, (uint32_t)-1, 0x123456789ULL },
	{ "xor64", A64X(BPF_XOR), 0, 0xff, 0x0f, 0xf0 },
	{ "lsh64 by 63", A64X(BPF_LSH), 0, 1, 63, I64_MIN },
	{ "lsh64 by 64 is by 0", A64X(BPF_LSH), 0, 1, 64, 1 },
	{ "lsh64 by 65 is by 1", A64X(BPF_LSH), 0, 1, 65, 2 },
	{ "lsh64 imm -1 is by 63", A64K(BPF_LSH), 0, 1, (uint32_t)-1, I64_MIN },
	{ "rsh64 by 63", A64X(BPF_RSH), 0, I64_MIN, 63, 1 },
	{ "rsh64 by 64 is by 0", A64X(BPF_RSH), 0, I64_MIN, 64, I64_MIN },
	{ "arsh64 by 63", A64X(BPF_ARSH), 0, I64_MIN, 63, NEG_ONE },
	{ "arsh64 imm 64 is by 0", A64K(BPF_ARSH), 0, I64_MIN, 64, I64_MIN },
	{ "div64", A64X(BPF_DIV), 0, 10, 3, 3 },
	{ "div64 by 0 reg", A64X(BPF_DIV), 0, 10, 0, 0 },
	{ "div64 by 0 imm", A64K(BPF_DIV), 0, 100, 0, 0 },
	{ "div64 imm -1 is 2^64-1", A64K(BPF_DIV), 0, NEG_ONE, (uint32_t)-1, 1 },
	{ "mod64", A64X(BPF_MOD), 0, 10, 3, 1 },
	{ "mod64 by 0 keeps dst", A64X(BPF_MOD), 0, 0xffffffff00000005ULL, 0, 0xffffffff00000005ULL },
	{ "mod64 imm -2", A64K(BPF_MOD), 0, NEG_ONE, (uint32_t)-2, 1 },
	{ "sdiv64", A64X(BPF_DIV), 1, (uint64_t)-7, 2, (uint64_t)-3 },
	{ "sdiv64 INT64_MIN / -1", A64X(BPF_DIV), 1, I64_MIN, NEG_ONE, I64_MIN },
	{ "sdiv64 by 0", A64X(BPF_DIV), 1, (uint64_t)-7, 0, 0 },
	{ "sdiv64 imm", A64K(BPF_DIV), 1, (uint64_t)-100, 7, (uint64_t)-14 },
	{ "sdiv64 imm -1 INT64_MIN", A64K(BPF_DIV), 1, I64_MIN, (uint32_t)-1, I64_MIN },
	{ "smod64", A64X(BPF_MOD), 1, (uint64_t)-7, 2, NEG_ONE },
	{ "smod64 positive by negative", A64X(BPF_MOD), 1, 7, (uint64_t)-2, 1 },
	{ "smod64 INT64_MIN % -1", A64X(BPF_MOD), 1, I64_MIN, NEG_ONE, 0 },
	{ "smod64 by 0 keeps dst", A64X(BPF_MOD), 1, (uint64_t)-5, 0, (uint64_t)-5 },
	{ "smod64 imm", A64K(BPF_MOD), 1, (uint64_t)-100, 7, (uint64_t)-2 },
	{ "smod64 imm 0", A64K(BPF_MOD), 1, (uint64_t)-100, 0, (uint64_t)-100 },
	{ "mov64", A64X(BPF_MOV), 0, 5, 0x123, 0x123 },
	{ "mov64 imm -1", A64K(BPF_MOV), 0, 5, (uint32_t)-1, NEG_ONE },
	{ "movsx 8->64", A64X(BPF_MOV), 8, 0, 0x1280, 0xffffffffffffff80ULL },
	{ "movsx 16->64", A64X(BPF_MOV), 16, 0, 0x18000, 0xffffffffffff8000ULL },
	{ "movsx 32->64", A64X(BPF_MOV), 32, 0, 0x80000000, 0xffffffff80000000ULL },
	{ "movsx 32->64 positive", A64X(BPF_MOV), 32, 0, 0x17fffffffULL, 0x7fffffff },
	{ "add32 wraps, upper cleared", A32X(BPF_ADD), 0, NEG_ONE, 2, 1 },
	{ "add32 imm -1", A32K(BPF_ADD), 0, 0, (uint32_t)-1, 0xffffffff },
	{ "sub32", A32X(BPF_SUB), 0, 0x100000000ULL, 1, 0xffffffff },
	{ "mul32 wraps", A32X(BPF_MUL), 0, 0x10000, 0x10000, 0 },
	{ "mul32 low halves", A32X(BPF_MUL), 0, 0xffff00000003ULL, 3, 9 },
	{ "xor32 clears upper", A32K(BPF_XOR), 0, NEG_ONE, 0, 0xffffffff },
	{ "lsh32 by 31", A32X(BPF_LSH), 0, 1, 31, 0x80000000 },
	{ "lsh32 by 32 is by 0", A32X(BPF_LSH), 0, 1, 32, 1 },
	{ "lsh32 by 33 on low half", A32X(BPF_LSH), 0, 0xffffffff00000001ULL, 33, 2 },
	{ "lsh32 imm 33", A32K(BPF_LSH), 0, 1, 33, 2 },
	{ "rsh32 ignores upper", A32X(BPF_RSH), 0, 0xffffffff80000000ULL, 31, 1 },
	{ "arsh32", A32X(BPF_ARSH), 0, 0x80000000, 1, 0xc0000000 },
	{ "arsh32 by 33 is by 1", A32K(BPF_ARSH), 0, 0x80000000, 33, 0xc0000000 },
	{ "div32 low halves", A32X(BPF_DIV), 0, 0x10000000aULL, 3, 3 },
	{ "div32 by 0", A32X(BPF_DIV), 0, NEG_ONE, 0, 0 },
	{ "div32 by 0 in the low half", A32X(BPF_DIV), 0, 10, 0x100000000ULL, 0 },
	{ "div32 imm -1 is 2^32-1", A32K(BPF_DIV), 0, 0xfffffffe, (uint32_t)-1, 0 },
	{ "mod32", A32X(BPF_MOD), 0, 10, 3, 1 },
	{ "mod32 by 0 clears upper", A32X(BPF_MOD), 0, 0xffffffff00000005ULL, 0, 5 },
	{ "sdiv32", A32X(BPF_DIV), 1, 0xfffffff9, 2, 0xfffffffd },
	{ "sdiv32 INT32_MIN / -1", A32X(BPF_DIV), 1, 0x80000000, 0xffffffff, 0x80000000 },
	{ "sdiv32 by 0", A32X(BPF_DIV), 1, 0xfffffff9, 0, 0 },
	{ "sdiv32 imm -1", A32K(BPF_DIV), 1, 5, (uint32_t)-1, 0xfffffffb },
	{ "smod32", A32X(BPF_MOD), 1, 0xfffffff9, 2, 0xffffffff },
	{ "smod32 INT32_MIN % -1", A32X(BPF_MOD), 1, 0x80000000, 0xffffffff, 0 },
	{ "smod32 by 0 keeps low half", A32X(BPF_MOD), 1, 0xfffffffffffffffbULL, 0, 0xfffffffb },
	{ "mov32 clears upper", A32X(BPF_MOV), 0, 0, 0xffffffff12345678ULL, 0x12345678 },
	{ "mov32 imm -1", A32K(BPF_MOV), 0, 0, (uint32_t)-1, 0xffffffff },
	{ "movsx 8->32", A32X(BPF_MOV), 8, 0, 0x80, 0xffffff80 },
	{ "movsx 16->32", A32X(BPF_MOV), 16, 0, 0xffffffff00008000ULL, 0xffff8000 },
};

static void alu(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(alu_cases); i++) {
		const struct alu_case *c = &alu_cases[i];
		bool k = BPF_SRC(c->code) == BPF_K;
		struct result r = RUN(NULL, LD_IMM64(0, c->a), LD_IMM64(2, k ? 0 : c->b),
				      INSN(c->code, 0, k ? 0 : 2, c->off, k ? (int32_t)(uint32_t)c->b : 0),
				      EXIT());

		ASSERT_EQ(r.err, 0, c->name);
		if (r.r0 != c->expected)
			fprintf(stderr, "  %s: got 0x%llx expected 0x%llx\n", c->name,
				(unsigned long long)r.r0, (unsigned long long)c->expected);
		ASSERT_EQ(r.r0, c->expected, c->name);
	}
}

static void neg_and_byte_swaps(void)
{
	const uint64_t v = 0x0123456789abcdefULL;

	EXPECT_R0(NEG_ONE, "neg64", MOV64_IMM(0, 1), ALU64_IMM(BPF_NEG, 0, 0), EXIT());
	EXPECT_R0(I64_MIN, "neg64 INT64_MIN", LD_IMM64(0, I64_MIN), ALU64_IMM(BPF_NEG, 0, 0), EXIT());
	EXPECT_R0(0xffffffff, "neg32", MOV64_IMM(0, 1), ALU32_IMM(BPF_NEG, 0, 0), EXIT());
	EXPECT_R0(0x80000000, "neg32 INT32_MIN", LD_IMM64(0, 0xffffffff80000000ULL),
		  ALU32_IMM(BPF_NEG, 0, 0), EXIT());
	EXPECT_R0(0xcdef, "le16", LD_IMM64(0, v), ALU32_IMM(BPF_END | BPF_TO_LE, 0, 16), EXIT());
	EXPECT_R0(0x89abcdef, "le32", LD_IMM64(0, v), ALU32_IMM(BPF_END | BPF_TO_LE, 0, 32), EXIT());
	EXPECT_R0(v, "le64", LD_IMM64(0, v), ALU32_IMM(BPF_END | BPF_TO_LE, 0, 64), EXIT());
	EXPECT_R0(0xefcd, "be16", LD_IMM64(0, v), INSN(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 16), EXIT());
	EXPECT_R0(0xefcdab89, "be32", LD_IMM64(0, v), INSN(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 32),
		  EXIT());
	EXPECT_R0(0xefcdab8967452301ULL, "be64", LD_IMM64(0, v),
		  INSN(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 64), EXIT());
	EXPECT_R0(0xefcd, "bswap16", LD_IMM64(0, v), ALU64_IMM(BPF_END, 0, 16), EXIT());
	EXPECT_R0(0xefcdab89, "bswap32", LD_IMM64(0, v), ALU64_IMM(BPF_END, 0, 32), EXIT());
	EXPECT_R0(0xefcdab8967452301ULL, "bswap64", LD_IMM64(0, v), ALU64_IMM(BPF_END, 0, 64), EXIT());
}

/* One jump case: r2 = a, r3 = b; jump over "r0 = 0" to "r0 = 1" when taken. */
struct jmp_case {
	const char *name;
	uint8_t code;
	uint64_t a, b;
	bool taken;
};

#define J64X(op) (BPF_JMP | (op) | BPF_X)
#define J64K(op) (BPF_JMP | (op) | BPF_K)
#define J32X(op) (BPF_JMP32 | (op) | BPF_X)
#define J32K(op) (BPF_JMP32 | (op) | BPF_K)

static const struct jmp_case jmp_cases[] = {
	{ "jeq", J64X(BPF_JEQ), 5, 5, true },
	{ "jeq not", J64X(BPF_JEQ), 5, 6, false },
	{ "jeq imm -1 sign-extends", J64K(BPF_JEQ), NEG_ONE, (uint32_t)-1, true },
	{ "jeq imm -1 vs 2^32-1", J64K(BPF_JEQ), 0xffffffff, (uint32_t)-1, false },
	{ "jne", J64X(BPF_JNE), 5, 6, true },
	{ "jgt unsigned", J64X(BPF_JGT), NEG_ONE, 1, true },
	{ "jsgt signed", J64X(BPF_JSGT), NEG_ONE, 1, false },
	{ "jge equal", J64X(BPF_JGE), 5, 5, true },
	{ "jsge", J64K(BPF_JSGE), NEG_ONE, (uint32_t)-1, true },
	{ "jlt unsigned", J64X(BPF_JLT), 1, NEG_ONE, true },
	{ "jslt signed", J64X(BPF_JSLT), 1, NEG_ONE, false },
	{ "jslt negatives", J64K(BPF_JSLT), (uint64_t)-2, (uint32_t)-1, true },
	{ "jle", J64X(BPF_JLE), 6, 5, false },
	{ "jsle", J64X(BPF_JSLE), (uint64_t)-6, 5, true },
	{ "jset", J64X(BPF_JSET), 0x10, 0x30, true },
	{ "jset not", J64K(BPF_JSET), 0x10, 0x20, false },
	{ "jset upper half", J64X(BPF_JSET), 0x100000000ULL, 0x100000000ULL, true },
	{ "jeq32 low half", J32K(BPF_JEQ), 0x100000005ULL, 5, true },
	{ "jne32", J32X(BPF_JNE), 0x100000005ULL, 0x200000005ULL, false },
	{ "jgt32 ignores upper", J32K(BPF_JGT), 0x100000000ULL, 1, false },
	{ "jge32", J32X(BPF_JGE), 0xffffffff, 0x1ffffffffULL, true },
	{ "jlt32", J32K(BPF_JLT), 0x1, (uint32_t)-1, true },
	{ "jle32", J32X(BPF_JLE), 0x200000002ULL, 1, false },
	{ "jsgt32", J32K(BPF_JSGT), 0x7fffffff, (uint32_t)-1, true },
	{ "jsge32", J32X(BPF_JSGE), 0x80000000, 0, false },
	{ "jslt32 low half negative", J32K(BPF_JSLT), 0xffffffff, 0, true },
	{ "jsle32", J32X(BPF_JSLE), 0x1fffffffeULL, 0xffffffff, true },
	{ "jset32 upper half ignored", J32X(BPF_JSET), 0x100000000ULL, 0x100000000ULL, false },
	{ "jset32", J32K(BPF_JSET), 0x3, 0x2, true },
	{ "jeq32 imm -1", J32K(BPF_JEQ), 0xffffffff, (uint32_t)-1, true },
};

static void jumps(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(jmp_cases); i++) {
		const struct jmp_case *c = &jmp_cases[i];
		bool k = BPF_SRC(c->code) == BPF_K;
		struct result r = RUN(NULL, LD_IMM64(2, c->a), LD_IMM64(3, k ? 0 : c->b),
				      INSN(c->code, 2, k ? 0 : 3, 2, k ? (int32_t)(uint32_t)c->b : 0),
				      MOV64_IMM(0, 0), EXIT(), MOV64_IMM(0, 1), EXIT());

		ASSERT_EQ(r.err, 0, c->name);
		ASSERT_EQ(r.r0, c->taken, c->name);
	}
	EXPECT_R0(3, "ja forward and back", MOV64_IMM(0, 0), JA(2), ALU64_IMM(BPF_ADD, 0, 1), EXIT(),
		  ALU64_IMM(BPF_ADD, 0, 2), JA(-4));
	EXPECT_R0(2, "ja32 uses imm", MOV64_IMM(0, 0), JA32(1), ALU64_IMM(BPF_ADD, 0, 1),
		  ALU64_IMM(BPF_ADD, 0, 2), EXIT());
	EXPECT_R0(55, "a loop: sum 1..10", MOV64_IMM(0, 0), MOV64_IMM(1, 10), ALU64_REG(BPF_ADD, 0, 1),
		  ALU64_IMM(BPF_SUB, 1, 1), JMP_IMM(BPF_JNE, 1, 0, -3), EXIT());
}

static void stack_loads_and_stores(void)
{
	EXPECT_R0(0x1122334455667788ULL, "stxdw/ldxdw", LD_IMM64(1, 0x1122334455667788ULL),
		  STX(BPF_DW, 10, 1, -8), LDX(BPF_DW, 0, 10, -8), EXIT());
	EXPECT_R0(0x55667788, "stxw/ldxw", LD_IMM64(1, 0x1122334455667788ULL), STX(BPF_W, 10, 1, -4),
		  LDX(BPF_W, 0, 10, -4), EXIT());
	EXPECT_R0(0x7788, "stxh/ldxh", LD_IMM64(1, 0x1122334455667788ULL), STX(BPF_H, 10, 1, -2),
		  LDX(BPF_H, 0, 10, -2), EXIT());
	EXPECT_R0(0x88, "stxb/ldxb", LD_IMM64(1, 0x1122334455667788ULL), STX(BPF_B, 10, 1, -1),
		  LDX(BPF_B, 0, 10, -1), EXIT());
	EXPECT_R0(NEG_ONE, "stdw imm -1 sign-extends", ST(BPF_DW, 10, -8, -1), LDX(BPF_DW, 0, 10, -8),
		  EXIT());
	EXPECT_R0(0x0000ffffffff1234ULL, "st sizes write only their bytes", ST(BPF_DW, 10, -8, 0),
		  ST(BPF_W, 10, -6, -1), ST(BPF_H, 10, -8, 0x1234), ST(BPF_B, 10, -1, 0),
		  ST(BPF_B, 10, -2, 0), LDX(BPF_DW, 0, 10, -8), EXIT());
	EXPECT_R0(0xffffffffffffff80ULL, "ldxsb", ST(BPF_B, 10, -1, 0x80), LDXS(BPF_B, 0, 10, -1), EXIT());
	EXPECT_R0(0xffffffffffff8000ULL, "ldxsh", ST(BPF_H, 10, -2, 0x8000), LDXS(BPF_H, 0, 10, -2),
		  EXIT());
	EXPECT_R0(0xffffffff80000000ULL, "ldxsw", ST(BPF_W, 10, -4, (int32_t)0x80000000),
		  LDXS(BPF_W, 0, 10, -4), EXIT());
	EXPECT_R0(0x7f, "ldxsb positive", ST(BPF_B, 10, -1, 0x7f), LDXS(BPF_B, 0, 10, -1), EXIT());
	EXPECT_R0(0x42, "the bottom of the frame", ST(BPF_B, 10, -(int)MAX_BPF_STACK, 0x42),
		  LDX(BPF_B, 0, 10, -(int)MAX_BPF_STACK), EXIT());
	{
		/* Below the main frame is not the program's (Linux refuses it at load). */
		struct result r = RUN(NULL, ST(BPF_B, 10, -(int)MAX_BPF_STACK - 1, 0x42), MOV64_IMM(0, 0),
				      EXIT());

		ASSERT_EQ(r.err, -EFAULT, "below the frame");
		r = RUN(NULL, MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -(int)BH_RUN_STACK_SIZE),
			ST(BPF_B, 1, 0, 0x42), MOV64_IMM(0, 0), EXIT());
		ASSERT_EQ(r.err, -EFAULT, "the bottom of the interpreter's stack through a copy of r10");
	}
}

static void context_access(void)
{
	uint8_t ctx[16];
	struct env env = { .ctx = ctx, .ctx_size = sizeof(ctx) };
	struct result r;

	for (int i = 0; i < 16; i++)
		ctx[i] = (uint8_t)i;
	r = RUN(&env, LDX(BPF_W, 0, 1, 4), ST(BPF_DW, 1, 8, -1), EXIT());
	ASSERT_EQ(r.err, 0, "ctx read and write");
	ASSERT_EQ(r.r0, 0x07060504, "ctx read");
	ASSERT_EQ(ctx[8] == 0xff && ctx[15] == 0xff, 1, "ctx written");
	r = RUN(&env, LDX(BPF_W, 0, 1, 1), EXIT());
	ASSERT_EQ(r.r0, 0x04030201, "unaligned ctx read");
	r = RUN(&env, LDX(BPF_DW, 0, 1, 8), EXIT());
	ASSERT_EQ(r.r0, NEG_ONE, "last 8 bytes of ctx");
}

static void memory_faults(void)
{
	/* Apart from each other and from any stack, so a miss by one byte lands nowhere. */
	static struct {
		uint8_t ctx[16], gap1[64], pkt[8], gap2[64], rodata[8], gap3[64];
	} m = { .rodata = { 9 } };
	uint8_t *ctx = m.ctx, *pkt = m.pkt, *rodata = m.rodata;
	struct bh_region ro = { (uintptr_t)rodata, (uintptr_t)rodata + sizeof(m.rodata), false };
	struct env env = { .ctx = ctx, .ctx_size = sizeof(m.ctx), .pkt = pkt, .pkt_len = sizeof(m.pkt),
			   .regions = &ro, .region_cnt = 1 };
	struct result r;

	r = RUN(&env, MOV64_IMM(0, 1), LDX(BPF_W, 0, 1, 13), EXIT());
	ASSERT_EQ(r.err, -EFAULT, "ctx read past the end");
	ASSERT_EQ(r.pc, 1, "run->pc is the faulting insn");
	ASSERT_EQ(r.r0, 0, "a faulted program returns 0");
	ASSERT_STR_CONTAINS(r.msg, "insn 1: invalid read of 4 bytes", "message names insn, kind, size");
	ASSERT_STR_CONTAINS(r.msg, "program 'memory_faults'", "message names the program");

	r = RUN(&env, ST(BPF_B, 1, 16, 1), MOV64_IMM(0, 0), EXIT());
	ASSERT_STR_CONTAINS(r.msg, "insn 0: invalid write of 1 bytes", "ctx write one past the end");
	r = RUN(&env, ST(BPF_B, 1, -1, 1), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(r.err, -EFAULT, "ctx write one before the start");

	r = RUN(&env, ST(BPF_DW, 10, 0, 1), MOV64_IMM(0, 0), EXIT());
	ASSERT_STR_CONTAINS(r.msg, "insn 0: invalid write of 8 bytes", "stack write above r10");
	r = RUN(&env, ST(BPF_B, 10, -(int)BH_RUN_STACK_SIZE - 1, 1), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(r.err, -EFAULT, "stack write below the stack");
	r = RUN(&env, LDX(BPF_DW, 0, 10, -4), EXIT());
	ASSERT_STR_CONTAINS(r.msg, "invalid read of 8 bytes", "stack read straddling r10");

	r = RUN(&env, MOV64_IMM(2, 0), LDX(BPF_DW, 0, 2, 16), EXIT());
	ASSERT_STR_CONTAINS(r.msg, "insn 1: invalid read of 8 bytes at 0x10: null pointer", "null read");

	r = RUN(&env, LD_IMM64(2, (uintptr_t)pkt), LDX(BPF_DW, 0, 2, 0), LDX(BPF_B, 0, 2, 8), EXIT());
	ASSERT_STR_CONTAINS(r.msg, "insn 3: invalid read of 1 bytes", "packet read past the end");

	r = RUN(&env, LD_IMM64(2, (uintptr_t)rodata), LDX(BPF_B, 0, 2, 0), ST(BPF_B, 2, 0, 1), EXIT());
	ASSERT_STR_CONTAINS(r.msg, "insn 3: invalid write of 1 bytes", "global data read-only");
	ASSERT_STR_CONTAINS(r.msg, "read-only memory", "message says read-only");
	ASSERT_EQ(rodata[0], 9, "read-only data untouched");

	r = RUN(&env, ST(BPF_DW, 10, -8, 0), MOV64_IMM(1, 1), ATOM(BPF_W, BPF_ADD, 10, 1, -6),
		MOV64_IMM(0, 0), EXIT());
	ASSERT_STR_CONTAINS(r.msg, "insn 2: invalid write of 4 bytes", "misaligned atomic");
	ASSERT_STR_CONTAINS(r.msg, "not aligned", "message says misaligned");

	r = RUN(&env, ST(BPF_W, 1, 0, 7), ST(BPF_W, 1, 100, 1), ST(BPF_W, 1, 4, 7), MOV64_IMM(0, 0),
		EXIT());
	ASSERT_EQ(ctx[0], 7, "stores before the fault happened");
	ASSERT_EQ(ctx[4], 0, "nothing runs after the fault");
}

static void atomics(void)
{
	/* r0 = memory after, r1 = what the fetch returned, combined as mem * 2^32 + r1. */
#define ATOMIC_PROG(sz, op, init, operand)                                                 \
	LD_IMM64(2, init), STX(BPF_DW, 10, 2, -8), LD_IMM64(1, operand),                    \
	ATOM(sz, op, 10, 1, -8), LDX(BPF_DW, 0, 10, -8)
	struct result r;

	r = RUN(NULL, ATOMIC_PROG(BPF_DW, BPF_ADD, 10, 5), EXIT());
	ASSERT_EQ(r.r0, 15, "lock add64");
	r = RUN(NULL, ATOMIC_PROG(BPF_DW, BPF_ADD | BPF_FETCH, 10, 5), MOV64_REG(0, 1), EXIT());
	ASSERT_EQ(r.r0, 10, "lock fetch add64 returns the old value");
	r = RUN(NULL, ATOMIC_PROG(BPF_DW, BPF_OR, 0xf0, 0x0f), EXIT());
	ASSERT_EQ(r.r0, 0xff, "lock or64");
	r = RUN(NULL, ATOMIC_PROG(BPF_DW, BPF_OR | BPF_FETCH, 0xf0, 0x0f), MOV64_REG(0, 1), EXIT());
	ASSERT_EQ(r.r0, 0xf0, "lock fetch or64");
	r = RUN(NULL, ATOMIC_PROG(BPF_DW, BPF_AND, 0xf0f0, 0xff00), EXIT());
	ASSERT_EQ(r.r0, 0xf000, "lock and64");
	r = RUN(NULL, ATOMIC_PROG(BPF_DW, BPF_AND | BPF_FETCH, 0xf0f0, 0xff00), MOV64_REG(0, 1), EXIT());
	ASSERT_EQ(r.r0, 0xf0f0, "lock fetch and64");
	r = RUN(NULL, ATOMIC_PROG(BPF_DW, BPF_XOR, 0xff, 0x0f), EXIT());
	ASSERT_EQ(r.r0, 0xf0, "lock xor64");
	r = RUN(NULL, ATOMIC_PROG(BPF_DW, BPF_XOR | BPF_FETCH, 0xff, 0x0f), MOV64_REG(0, 1), EXIT());
	ASSERT_EQ(r.r0, 0xff, "lock fetch xor64");
	r = RUN(NULL, ATOMIC_PROG(BPF_DW, BPF_XCHG, 10, 7), ALU64_IMM(BPF_LSH, 0, 8),
		ALU64_REG(BPF_OR, 0, 1), EXIT());
	ASSERT_EQ(r.r0, 0x70a, "xchg64: memory 7, r1 the old 10");

	/* 32-bit: the low word only, fetched values zero-extended. */
	r = RUN(NULL, ATOMIC_PROG(BPF_W, BPF_ADD | BPF_FETCH, 0x77777777ffffffffULL, 0xffffffff00000001ULL),
		STX(BPF_DW, 10, 1, -16), EXIT());
	ASSERT_EQ(r.r0, 0x7777777700000000ULL, "lock fetch add32 wraps in the low word only");
	r = RUN(NULL, ATOMIC_PROG(BPF_W, BPF_ADD | BPF_FETCH, 0x77777777ffffffffULL, 1), MOV64_REG(0, 1),
		EXIT());
	ASSERT_EQ(r.r0, 0xffffffff, "fetch add32 zero-extends the old value");
	r = RUN(NULL, ATOMIC_PROG(BPF_W, BPF_OR, 0x1111111100000000ULL, 0xf), EXIT());
	ASSERT_EQ(r.r0, 0x111111110000000fULL, "lock or32");
	r = RUN(NULL, ATOMIC_PROG(BPF_W, BPF_AND | BPF_FETCH, 0xffffffffULL, 0xf0), MOV64_REG(0, 1), EXIT());
	ASSERT_EQ(r.r0, 0xffffffff, "lock fetch and32");
	r = RUN(NULL, ATOMIC_PROG(BPF_W, BPF_XOR, 0xff, 0xffffffff000000ffULL), EXIT());
	ASSERT_EQ(r.r0, 0, "lock xor32");
	r = RUN(NULL, ATOMIC_PROG(BPF_W, BPF_XCHG, 0xaaaaaaaa00000005ULL, 0xbbbbbbbb00000009ULL),
		STX(BPF_DW, 10, 1, -16), EXIT());
	ASSERT_EQ(r.r0, 0xaaaaaaaa00000009ULL, "xchg32 memory");
	r = RUN(NULL, ATOMIC_PROG(BPF_W, BPF_XCHG, 0xaaaaaaaa00000005ULL, 0xbbbbbbbb00000009ULL),
		MOV64_REG(0, 1), EXIT());
	ASSERT_EQ(r.r0, 5, "xchg32 old value zero-extended");

	/* cmpxchg: r0 is the expected value; it gets the old value either way. */
	r = RUN(NULL, LD_IMM64(2, 10), STX(BPF_DW, 10, 2, -8), MOV64_IMM(0, 10), MOV64_IMM(1, 99),
		ATOM(BPF_DW, BPF_CMPXCHG, 10, 1, -8), LDX(BPF_DW, 3, 10, -8), ALU64_IMM(BPF_LSH, 3, 8),
		ALU64_REG(BPF_OR, 0, 3), EXIT());
	ASSERT_EQ(r.r0, (99 << 8) | 10, "cmpxchg64 success: stored, r0 = old");
	r = RUN(NULL, LD_IMM64(2, 10), STX(BPF_DW, 10, 2, -8), MOV64_IMM(0, 11), MOV64_IMM(1, 99),
		ATOM(BPF_DW, BPF_CMPXCHG, 10, 1, -8), LDX(BPF_DW, 3, 10, -8), ALU64_IMM(BPF_LSH, 3, 8),
		ALU64_REG(BPF_OR, 0, 3), EXIT());
	ASSERT_EQ(r.r0, (10 << 8) | 10, "cmpxchg64 failure: unchanged, r0 = old");
	r = RUN(NULL, LD_IMM64(2, 0x3333333300000005ULL), STX(BPF_DW, 10, 2, -8),
		LD_IMM64(0, 0xffffffff00000005ULL), MOV64_IMM(1, 7), ATOM(BPF_W, BPF_CMPXCHG, 10, 1, -8),
		LDX(BPF_DW, 3, 10, -8), EXIT());
	ASSERT_EQ(r.r0, 5, "cmpxchg32 compares the low half; r0 = old zero-extended");
	r = RUN(NULL, LD_IMM64(2, 0x3333333300000005ULL), STX(BPF_DW, 10, 2, -8),
		LD_IMM64(0, 0xffffffff00000005ULL), MOV64_IMM(1, 7), ATOM(BPF_W, BPF_CMPXCHG, 10, 1, -8),
		LDX(BPF_DW, 0, 10, -8), EXIT());
	ASSERT_EQ(r.r0, 0x3333333300000007ULL, "cmpxchg32 success stores the low word");
	r = RUN(NULL, LD_IMM64(2, 5), STX(BPF_DW, 10, 2, -8), LD_IMM64(0, 0x100000006ULL),
		MOV64_IMM(1, 7), ATOM(BPF_W, BPF_CMPXCHG, 10, 1, -8), LDX(BPF_DW, 3, 10, -8),
		ALU64_IMM(BPF_LSH, 3, 8), ALU64_REG(BPF_OR, 0, 3), EXIT());
	ASSERT_EQ(r.r0, (5 << 8) | 5, "cmpxchg32 failure");
#undef ATOMIC_PROG
}

static void legacy_packet_loads(void)
{
	uint8_t pkt[6] = { 1, 2, 3, 4, 5, 6 }, ctx[8];
	struct env env = { .ctx = ctx, .ctx_size = sizeof(ctx), .pkt = pkt, .pkt_len = sizeof(pkt) };
	struct result r;

	r = RUN(&env, MOV64_REG(6, 1), LD_ABS(BPF_W, 0), EXIT());
	ASSERT_EQ(r.r0, 0x01020304, "ld_abs w is big-endian");
	r = RUN(&env, MOV64_REG(6, 1), LD_ABS(BPF_H, 4), EXIT());
	ASSERT_EQ(r.r0, 0x0506, "ld_abs h");
	r = RUN(&env, MOV64_REG(6, 1), LD_ABS(BPF_B, 5), EXIT());
	ASSERT_EQ(r.r0, 6, "ld_abs b, last byte");
	r = RUN(&env, MOV64_REG(6, 1), MOV64_IMM(7, 2), LD_IND(BPF_H, 7, 1), EXIT());
	ASSERT_EQ(r.r0, 0x0405, "ld_ind h = src + imm");
	r = RUN(&env, MOV64_REG(6, 1), MOV64_IMM(7, 3), LD_IND(BPF_W, 7, -1), EXIT());
	ASSERT_EQ(r.r0, 0x03040506, "ld_ind negative imm");

	r = RUN(&env, MOV64_REG(6, 1), LD_ABS(BPF_W, 3), MOV64_IMM(0, 7), EXIT());
	ASSERT_EQ(r.err, 0, "ld_abs out of range is no fault");
	ASSERT_EQ(r.r0, 0, "ld_abs out of range returns 0 at once");
	r = RUN(&env, MOV64_REG(6, 1), LD_ABS(BPF_B, 6), MOV64_IMM(0, 7), EXIT());
	ASSERT_EQ(r.r0, 0, "ld_abs b at the length");
	r = RUN(&env, MOV64_REG(6, 1), LD_ABS(BPF_H, -1), MOV64_IMM(0, 7), EXIT());
	ASSERT_EQ(r.r0, 0, "ld_abs negative offset");
	r = RUN(&env, MOV64_REG(6, 1), MOV64_IMM(7, -1), LD_IND(BPF_B, 7, 0), MOV64_IMM(0, 7), EXIT());
	ASSERT_EQ(r.r0, 0, "ld_ind negative register");
	r = RUN(&env, MOV64_REG(6, 1), LD_IMM64(7, 0x100000000ULL), LD_IND(BPF_B, 7, 1), EXIT());
	ASSERT_EQ(r.r0, 2, "ld_ind offset is 32-bit");
	env.pkt = NULL;
	r = RUN(&env, MOV64_REG(6, 1), LD_ABS(BPF_B, 0), MOV64_IMM(0, 7), EXIT());
	ASSERT_EQ(r.r0, 0, "ld_abs without a packet");
}

static void local_calls(void)
{
	struct result r;

	/* r1-r5 reach the callee, r6-r9 survive it, r0 comes back. */
	r = RUN(NULL, MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 3), MOV64_IMM(4, 4), MOV64_IMM(5, 5),
		MOV64_IMM(6, 6), MOV64_IMM(7, 7), MOV64_IMM(8, 8), MOV64_IMM(9, 9), CALL_LOCAL(6),
		ALU64_REG(BPF_ADD, 0, 6), ALU64_REG(BPF_ADD, 0, 7), ALU64_REG(BPF_ADD, 0, 8),
		ALU64_REG(BPF_ADD, 0, 9), ALU64_IMM(BPF_MUL, 0, 1), EXIT(),
		/* callee: r0 = r1 + r2*10 + ... ; clobbers r6-r9 */
		MOV64_REG(0, 1), ALU64_IMM(BPF_MUL, 2, 10), ALU64_REG(BPF_ADD, 0, 2),
		ALU64_IMM(BPF_MUL, 3, 100), ALU64_REG(BPF_ADD, 0, 3), ALU64_IMM(BPF_MUL, 4, 1000),
		ALU64_REG(BPF_ADD, 0, 4), ALU64_IMM(BPF_MUL, 5, 10000), ALU64_REG(BPF_ADD, 0, 5),
		MOV64_IMM(6, 0), MOV64_IMM(7, 0), MOV64_IMM(8, 0), MOV64_IMM(9, 0), EXIT());
	ASSERT_EQ(r.err, 0, "local call");
	ASSERT_EQ(r.r0, 54321 + 30, "args in, r0 out, r6-r9 preserved");

	r = RUN(NULL, ST(BPF_DW, 10, -8, 111), CALL_LOCAL(2), LDX(BPF_DW, 0, 10, -8), EXIT(),
		ST(BPF_DW, 10, -8, 222), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(r.r0, 111, "each frame has its own stack");

	r = RUN(NULL, MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8), CALL_LOCAL(2), LDX(BPF_DW, 0, 10, -8),
		EXIT(), ST(BPF_DW, 1, 0, 333), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(r.r0, 333, "callee writes the caller's stack through a pointer");

	r = RUN(NULL, CALL_LOCAL(1), EXIT(), CALL_LOCAL(4), MOV64_REG(1, 10), ALU64_REG(BPF_SUB, 1, 0),
		MOV64_REG(0, 1), EXIT(), MOV64_REG(0, 10), EXIT());
	ASSERT_EQ(r.r0, MAX_BPF_STACK, "r10 moves down one frame per call");
}

static void call_depth(void)
{
	/* f(n): n == 0 ? 5 : f(n - 1); main calls f(r1 = N): N + 2 frames. */
#define RECURSE(n)                                                                         \
	RUN(NULL, MOV64_IMM(1, n), CALL_LOCAL(1), EXIT(), JMP_IMM(BPF_JEQ, 1, 0, 3),        \
	    ALU64_IMM(BPF_SUB, 1, 1), CALL_LOCAL(-3), EXIT(), MOV64_IMM(0, 5), EXIT())
	struct result r = RECURSE(6);

	ASSERT_EQ(r.err, 0, "8 frames run");
	ASSERT_EQ(r.r0, 5, "8 frames return");
	r = RECURSE(7);
	ASSERT_EQ(r.err, -E2BIG, "a 9th frame faults");
	ASSERT_STR_CONTAINS(r.msg, "insn 5", "message names the call");
	ASSERT_STR_CONTAINS(r.msg, "deeper than 8 frames", "message says why");
#undef RECURSE
}

static void helper_calls(void)
{
	struct result r;

	r = RUN(NULL, MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 3), MOV64_IMM(4, 4), MOV64_IMM(5, 5),
		CALL(0), EXIT());
	ASSERT_EQ(r.err, 0, "helper call");
	ASSERT_EQ(r.r0, 54321, "r1-r5 in, r0 out");
	r = RUN(NULL, MOV64_IMM(1, 7), MOV64_IMM(2, 0), MOV64_IMM(3, 0), MOV64_IMM(4, 0), MOV64_IMM(5, 0),
		MOV64_IMM(6, 1000), CALLX(6), EXIT());
	ASSERT_EQ(r.r0, 7, "callx: the register holds the helper id");
	r = RUN(NULL, MOV64_IMM(6, 4242), CALLX(6), EXIT());
	ASSERT_EQ(r.err, -EINVAL, "callx to an unknown id faults");
	ASSERT_STR_CONTAINS(r.msg, "insn 1: callx: r6 = 4242", "message names register and id");
	r = RUN(NULL, MOV64_IMM(6, 0), CALL(1), MOV64_IMM(6, 1), MOV64_REG(0, 6), EXIT());
	ASSERT_EQ(r.err, -EPERM, "a helper's error stops the program");
	ASSERT_STR_CONTAINS(r.msg, "insn 1: helper_refuse said no", "with the helper's message");
}

static void invalid_at_run_time(void)
{
	struct env env = { .unchecked = true };
	struct result r;

	r = RUN(&env, MOV64_IMM(0, 1), INSN(0xff, 0, 0, 0, 0), EXIT());
	ASSERT_EQ(r.err, -EINVAL, "unknown opcode");
	ASSERT_STR_CONTAINS(r.msg, "insn 1 (opcode 0xff): invalid instruction", "message");
	r = RUN(&env, MOV64_IMM(0, 1), ALU64_IMM(BPF_END, 0, 24), EXIT());
	ASSERT_EQ(r.err, -EINVAL, "bswap width 24");
	r = RUN(&env, MOV64_IMM(0, 1), INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 0, 4, 0), EXIT());
	ASSERT_EQ(r.err, -EINVAL, "movsx 4");
	r = RUN(&env, MOV64_IMM(0, 1), ATOM(BPF_DW, 0x20, 10, 0, -8), EXIT());
	ASSERT_EQ(r.err, -EINVAL, "atomic op 0x20");
	r = RUN(&env, CALL(7), EXIT());
	ASSERT_EQ(r.err, -EINVAL, "helper index past the table");
}

/* ---- tail calls, through loaded programs and a prog array ---- */

static int load(const struct bpf_insn *insns, size_t n, const char *name)
{
	int fd = bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, "GPL", insns, n, NULL);

	ASSERT_GE(fd, 1, name);
	return fd;
}

static uint32_t test_run_retval(int fd, int *err)
{
	uint8_t pkt[64] = { 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt));

	*err = bpfhost_prog_test_run_opts(fd, &opts);
	return opts.retval;
}

/*
 * A program that counts its runs in counter[0], then tail-calls slot 0 of
 * @jmp (itself); when that fails it returns 7.
 */
static size_t counting_prog(struct bpf_insn *out, int counter, int jmp)
{
	const struct bpf_insn p[] = {
		MOV64_REG(6, 1),
		ST(BPF_W, 10, -4, 0),
		MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, -4),
		LD_MAP(1, counter),
		CALL(BPF_FUNC_map_lookup_elem),
		JMP_IMM(BPF_JEQ, 0, 0, 7),
		MOV64_IMM(1, 1),
		ATOM(BPF_DW, BPF_ADD, 0, 1, 0),
		MOV64_REG(1, 6),
		LD_MAP(2, jmp),
		MOV64_IMM(3, 0),
		CALL(BPF_FUNC_tail_call),
		MOV64_IMM(0, 7),	/* r0 is not readable after a tail call (Linux) */
		EXIT(),
	};

	memcpy(out, p, sizeof(p));
	return ARRAY_SIZE(p);
}

static void kernel_tail_call_chain(const struct bpf_insn *tmpl, size_t n)
{
	struct bpf_insn insns[32];
	char reason[160], log[4096];
	int counter, jmp, fd, err;
	uint32_t key = 0, retval;
	uint64_t count = 0;

	if (kbpf_probe(reason, sizeof(reason))) {
		printf("  tail_call_limit: kernel comparison skipped: %s\n", reason);
		return;
	}
	counter = kbpf_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 0);
	jmp = kbpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1, 0, 0);
	memcpy(insns, tmpl, n * sizeof(*insns));
	insns[4].imm = counter;
	insns[11].imm = jmp;
	fd = kbpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, insns, (uint32_t)n, "GPL", log, sizeof(log));
	if (fd < 0) {
		printf("  tail_call_limit: kernel comparison skipped: load failed (%d): %s\n", fd, log);
	} else {
		uint8_t pkt[64] = { 0 };
		uint32_t v = (uint32_t)fd;

		ASSERT_OK(kbpf_map_update(jmp, &key, &v, 0), "kernel prog array update");
		err = kbpf_prog_test_run(fd, pkt, sizeof(pkt), 1, &retval, NULL);
		ASSERT_OK(err, "kernel test run");
		ASSERT_EQ(retval, 7, "kernel: the 34th call fails and the program goes on");
		ASSERT_OK(kbpf_map_lookup(counter, &key, &count, 0), "kernel counter");
		ASSERT_EQ(count, 1 + MAX_TAIL_CALL_CNT, "the kernel runs the same chain 34 times");
		kbpf_map_delete(jmp, &key);
		kbpf_close(fd);
	}
	kbpf_close(counter);
	kbpf_close(jmp);
}

static void tail_call_limit(void)
{
	struct bpf_insn insns[32];
	int counter = test_map(BPF_MAP_TYPE_ARRAY, "counter", 4, 8, 1, 0);
	int jmp = test_map(BPF_MAP_TYPE_PROG_ARRAY, "jmp", 4, 4, 1, 0);
	size_t n = counting_prog(insns, counter, jmp);
	uint32_t key = 0, fd_v, retval;
	uint64_t count = 0;
	int fd, err;

	fd = load(insns, n, "self_tail");
	if (fd < 0)
		return;
	fd_v = (uint32_t)fd;
	ASSERT_OK(bpfhost_map_update_elem(jmp, &key, &fd_v, BPF_ANY), "prog array update");
	retval = test_run_retval(fd, &err);
	ASSERT_OK(err, "test run");
	ASSERT_OK(bpfhost_map_lookup_elem(counter, &key, &count), "counter");
	ASSERT_EQ(count, 1 + MAX_TAIL_CALL_CNT, "1 run + 33 tail calls, the 34th fails");
	ASSERT_EQ(retval, 7, "the 34th call fails and the program goes on");

	/* A second test run starts counting again. */
	retval = test_run_retval(fd, &err);
	ASSERT_OK(bpfhost_map_lookup_elem(counter, &key, &count), "counter");
	ASSERT_EQ(count, 2 * (1 + MAX_TAIL_CALL_CNT), "the limit is per run");

	ASSERT_OK(bpfhost_map_delete_elem(jmp, &key), "empty the slot");
	bpfhost_close(fd);
	bpfhost_close(jmp);
	bpfhost_close(counter);
	kernel_tail_call_chain(insns, n);
}

/*
 * Repeats of a test run share one run state (test_run.c): each must start
 * at the entry program again with no tail call counted. The entry counts
 * at key 1 and tail-calls a program that counts at key 0 and calls itself:
 * per repeat 1 entry and 33 loop runs (the entry's call is the first of 33).
 */
static void tail_call_limit_repeats(void)
{
	int counter = test_map(BPF_MAP_TYPE_ARRAY, "counter2", 4, 8, 2, 0);
	int jmp = test_map(BPF_MAP_TYPE_PROG_ARRAY, "jmp2", 4, 4, 1, 0);
	struct bpf_insn loop[32], entry[32];
	size_t n = counting_prog(loop, counter, jmp);
	uint8_t pkt[64] = { 0 };
	uint32_t key = 0, fd_v;
	uint64_t count = 0;
	int lfd, efd;

	memcpy(entry, loop, n * sizeof(*entry));
	entry[1] = (struct bpf_insn)ST(BPF_W, 10, -4, 1);	/* key 1 */
	lfd = load(loop, n, "loop");
	efd = load(entry, n, "entry");
	if (lfd < 0 || efd < 0)
		return;
	fd_v = (uint32_t)lfd;
	ASSERT_OK(bpfhost_map_update_elem(jmp, &key, &fd_v, BPF_ANY), "prog array update");
	{
		BPFHOST_OPTS(bpfhost_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
			     .repeat = 5);

		ASSERT_OK(bpfhost_prog_test_run_opts(efd, &opts), "test run, repeat 5");
		ASSERT_EQ(opts.retval, 7, "the last repeat's 34th call fails too");
	}
	ASSERT_OK(bpfhost_map_lookup_elem(counter, &key, &count), "loop counter");
	ASSERT_EQ(count, 5 * MAX_TAIL_CALL_CNT, "33 tail calls in every repeat");
	key = 1;
	ASSERT_OK(bpfhost_map_lookup_elem(counter, &key, &count), "entry counter");
	ASSERT_EQ(count, 5, "every repeat starts at the entry program");
	key = 0;
	ASSERT_OK(bpfhost_map_delete_elem(jmp, &key), "empty the slot");
	bpfhost_close(efd);
	bpfhost_close(lfd);
	bpfhost_close(jmp);
	bpfhost_close(counter);
}

static void tail_call_targets(void)
{
	int jmp = test_map(BPF_MAP_TYPE_PROG_ARRAY, "jmp", 4, 4, 4, 0);
	const struct bpf_insn target[] = { MOV64_IMM(0, 42), EXIT() };
	/* r0 = tail_call(jmp, r7) ... */
#define TAIL(idx) MOV64_IMM(7, idx), MOV64_REG(1, 1), LD_MAP(2, jmp), MOV64_REG(3, 7), \
		  CALL(BPF_FUNC_tail_call)
	const struct bpf_insn to1[] = { TAIL(1), MOV64_IMM(0, 1000), EXIT() };
	const struct bpf_insn to2[] = { TAIL(2), MOV64_IMM(0, 2), EXIT() };
	const struct bpf_insn to100[] = { TAIL(100), MOV64_IMM(0, 100), EXIT() };
	const struct bpf_insn reads_r0[] = { TAIL(1), EXIT() };
	/* A subprogram tail-calls: the target's exit returns to the caller's frame. */
	const struct bpf_insn from_sub[] = { MOV64_IMM(6, 77), CALL_LOCAL(3), ALU64_IMM(BPF_ADD, 0, 1000),
					     ALU64_REG(BPF_ADD, 0, 6), EXIT(), TAIL(1), MOV64_IMM(0, 5), EXIT() };
	const struct bpf_insn bad_map[] = { MOV64_REG(2, 10), MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call),
					    EXIT() };
	int t = load(target, ARRAY_SIZE(target), "target"), fd, err;
	uint32_t key = 1, v = (uint32_t)t, retval;

	ASSERT_OK(bpfhost_map_update_elem(jmp, &key, &v, BPF_ANY), "slot 1");
	fd = load(to1, ARRAY_SIZE(to1), "to1");
	ASSERT_EQ(test_run_retval(fd, &err), 42, "a tail call does not return");
	ASSERT_OK(err, "to1 runs");
	bpfhost_close(fd);
	fd = load(to2, ARRAY_SIZE(to2), "to2");
	ASSERT_EQ(test_run_retval(fd, &err), 2, "empty slot: the program goes on");
	bpfhost_close(fd);
	fd = load(to100, ARRAY_SIZE(to100), "to100");
	ASSERT_EQ(test_run_retval(fd, &err), 100, "index past max_entries: the program goes on");
	bpfhost_close(fd);
	ASSERT_EQ(bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "reads_r0", "GPL", reads_r0,
				    ARRAY_SIZE(reads_r0), NULL), -EINVAL, "r0 after a tail call is unreadable");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "r0 is read before", "as Linux: R0 !read_ok");
	fd = load(from_sub, ARRAY_SIZE(from_sub), "from_sub");
	retval = test_run_retval(fd, &err);
	ASSERT_OK(err, "from_sub runs");
	ASSERT_EQ(retval, 42 + 1000 + 77, "back in the caller's frame with r6 restored");
	bpfhost_close(fd);
	fd = bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bad_map", "GPL", bad_map, ARRAY_SIZE(bad_map),
			       NULL);
	if (fd >= 0) {	/* the loader may already refuse it; at run time it must fault */
		test_run_retval(fd, &err);
		ASSERT_TRUE(err < 0, "tail call through a non-map faults");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "not a prog array map", "message");
		bpfhost_close(fd);
	}
	bpfhost_map_delete_elem(jmp, &key);
	bpfhost_close(t);
	bpfhost_close(jmp);
#undef TAIL
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(alu),
		TEST(neg_and_byte_swaps),
		TEST(jumps),
		TEST(stack_loads_and_stores),
		TEST(context_access),
		TEST(memory_faults),
		TEST(atomics),
		TEST(legacy_packet_loads),
		TEST(local_calls),
		TEST(call_depth),
		TEST(helper_calls),
		TEST(invalid_at_run_time),
		TEST(tail_call_limit),
		TEST(tail_call_limit_repeats),
		TEST(tail_call_targets),
	};

	return test_run("interp", cases, ARRAY_SIZE(cases));
}
