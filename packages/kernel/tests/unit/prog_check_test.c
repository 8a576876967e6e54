// SPDX-License-Identifier: MIT
/*
 * The structural check (prog_check.c): every kind of refusal with the
 * instruction it names and why, the encodings it must accept (RFC 9669,
 * including v4's sdiv/smod, movsx, sign-extending loads, bswap, ja32), the
 * register data flow (refuses what no path writes, accepts what some path
 * writes: a path-sensitive verifier accepts those), and programs clang-19
 * compiles from ordinary C (-mcpu=v3 and v4), which it must never refuse.
 */

#include "test.h"
#include "prog_run.h"
#include "insn_build.h"

#include "prog/prog_check.h"
#include "prog/prog_type.h"

/* Prototypes as the loader gives them: the core helpers of a socket filter. */
static const struct bh_helper *core_helper(const void *ctx, uint32_t id)
{
	(void)ctx;
	return bh_core_helper(id, BPF_PROG_TYPE_SOCKET_FILTER);
}

static int check(const struct bpf_insn *insns, size_t n)
{
	return bh_prog_check_calls("chk", insns, (uint32_t)n, BH_CHECK_ENTRY_REGS, core_helper, NULL);
}

#define CHECK(...)                                                                         \
	({                                                                                 \
		const struct bpf_insn p_[] = { __VA_ARGS__ };                              \
		check(p_, sizeof(p_) / sizeof(p_[0]));                                     \
	})
#define REFUSED(why, name, ...)                                                            \
	do {                                                                               \
		ASSERT_EQ(CHECK(__VA_ARGS__), -EINVAL, name);                              \
		ASSERT_STR_CONTAINS(bpfhost_last_error(), why, name);                      \
	} while (0)
#define ACCEPTED(name, ...) ASSERT_OK(CHECK(__VA_ARGS__), name)

static void sizes(void)
{
	const struct bpf_insn one[] = { MOV64_IMM(0, 0), EXIT() };

	ASSERT_EQ(check(one, 0), -EINVAL, "no instructions");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "program 'chk': no instructions", "message");
	/* The size is refused before any instruction is read. */
	ASSERT_EQ(check(one, BPFHOST_MAX_INSNS + 1), -E2BIG, "over the limit");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "1000001 instructions, more than the limit of 1000000",
			    "message");
}

static void bad_opcodes(void)
{
	static const uint8_t invalid[] = {
		0x00,			/* LD | IMM | W */
		0x38,			/* LD | ABS | DW */
		0x60,			/* LD | MEM */
		0x99,			/* LDX | MEMSX | DW */
		0x82,			/* ST | MEMSX */
		0xa3,			/* STX | 0xa0 mode */
		0xc2,			/* ST | ATOMIC */
		0xd3,			/* STX | ATOMIC | B */
		0x0d,			/* JA | X */
		0x86,			/* JMP32 | CALL */
		0x96,			/* JMP32 | EXIT */
		0x9d,			/* EXIT | X */
		0xe5,			/* JMP op 0xe0 */
		0xf6,			/* JMP32 op 0xf0 */
		0x8f,			/* ALU64 | NEG | X */
		0xdf,			/* ALU64 | END | TO_BE */
		0xe7,			/* ALU64 op 0xe0 */
		0xf4,			/* ALU op 0xf0 */
		0xff,
	};
	char name[32];

	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++) {
		char want[48];

		snprintf(name, sizeof(name), "opcode 0x%02x", invalid[i]);
		snprintf(want, sizeof(want), "insn 1: invalid opcode 0x%02x", invalid[i]);
		REFUSED(want, name, MOV64_IMM(0, 0), INSN(invalid[i], 0, 0, 0, 0), EXIT());
	}
}

static void reserved_fields(void)
{
	REFUSED("insn 0: opcode 0x07: src_reg must be 0", "alu imm with src_reg",
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 0, 1, 0, 1), EXIT());
	REFUSED("opcode 0x0f: imm must be 0", "alu reg with imm", MOV64_IMM(0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 1), EXIT());
	REFUSED("offset 1 is not valid", "add with off 1", MOV64_IMM(0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 1, 1), EXIT());
	REFUSED("offset 2 is not valid", "sdiv with off 2", MOV64_IMM(0, 0),
		INSN(BPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 2, 1), EXIT());
	REFUSED("offset 32 is not valid", "movsx 32 in ALU32", INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 32, 0),
		EXIT());
	REFUSED("offset 8 is not valid", "movsx with an immediate", INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 8, 1),
		EXIT());
	REFUSED("imm must be 0", "neg with imm", MOV64_IMM(0, 0), ALU64_IMM(BPF_NEG, 0, 1), EXIT());
	REFUSED("byte swap width 24", "be24", MOV64_IMM(0, 0), INSN(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 24),
		EXIT());
	REFUSED("src_reg must be 0", "bswap with src_reg", MOV64_IMM(0, 0), INSN(BPF_ALU64 | BPF_END, 0, 1, 0, 16),
		EXIT());
	REFUSED("imm must be 0", "ja with imm", MOV64_IMM(0, 0), INSN(BPF_JMP | BPF_JA, 0, 0, 0, 1), EXIT());
	REFUSED("offset must be 0", "ja32 with off", MOV64_IMM(0, 0), INSN(BPF_JMP32 | BPF_JA, 0, 0, 1, 0), EXIT());
	REFUSED("dst_reg must be 0", "ja with dst", MOV64_IMM(0, 0), INSN(BPF_JMP | BPF_JA, 1, 0, 0, 0), EXIT());
	REFUSED("src_reg must be 0", "jeq imm with src", MOV64_IMM(0, 0), INSN(BPF_JMP | BPF_JEQ, 0, 1, 0, 0), EXIT());
	REFUSED("imm must be 0", "jeq reg with imm", MOV64_IMM(0, 0), INSN(BPF_JMP | BPF_JEQ | BPF_X, 0, 1, 0, 3),
		EXIT());
	REFUSED("imm must be 0", "exit with imm", MOV64_IMM(0, 0), INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 1));
	REFUSED("dst_reg must be 0", "call with dst", INSN(BPF_JMP | BPF_CALL, 1, 0, 0, 1), EXIT());
	REFUSED("offset must be 0", "call with off", INSN(BPF_JMP | BPF_CALL, 0, 0, 1, 1), EXIT());
	REFUSED("imm must be 0", "callx with imm", MOV64_IMM(2, 1), INSN(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 1),
		EXIT());
	REFUSED("offset must be 0", "kfunc with off", INSN(BPF_JMP | BPF_CALL, 0, 2, 1, 1), EXIT());
	REFUSED("call with src_reg 3 (0: helper, 1: local, 2: kfunc)", "call src 3", INSN(BPF_JMP | BPF_CALL, 0, 3, 0, 1), EXIT());
	REFUSED("imm must be 0", "ldx with imm", INSN(BPF_LDX | BPF_MEM | BPF_W, 0, 1, 0, 1), EXIT());
	REFUSED("src_reg must be 0", "st with src", INSN(BPF_ST | BPF_MEM | BPF_W, 10, 1, -4, 1), MOV64_IMM(0, 0),
		EXIT());
	REFUSED("imm must be 0", "stx with imm", INSN(BPF_STX | BPF_MEM | BPF_W, 10, 1, -4, 1), MOV64_IMM(0, 0),
		EXIT());
	REFUSED("dst_reg must be 0", "ld_abs with dst", MOV64_REG(6, 1), INSN(BPF_LD | BPF_ABS | BPF_W, 1, 0, 0, 0),
		EXIT());
	REFUSED("src_reg must be 0", "ld_abs with src", MOV64_REG(6, 1), INSN(BPF_LD | BPF_ABS | BPF_W, 0, 1, 0, 0),
		EXIT());
	REFUSED("offset must be 0", "ld_ind with off", MOV64_REG(6, 1), INSN(BPF_LD | BPF_IND | BPF_W, 0, 1, 1, 0),
		EXIT());
	REFUSED("unknown atomic operation 0x20", "atomic lsh", MOV64_IMM(1, 1),
		ATOM(BPF_DW, 0x20, 10, 1, -8), MOV64_IMM(0, 0), EXIT());
	REFUSED("unknown atomic operation 0x100", "load-acquire", MOV64_IMM(1, 1),
		ATOM(BPF_DW, 0x100, 10, 1, -8), MOV64_IMM(0, 0), EXIT());
}

static void registers_and_r10(void)
{
	REFUSED("insn 0: register r11 does not exist", "dst r11", MOV64_IMM(11, 0), EXIT());
	REFUSED("insn 1: register r12 does not exist", "src r12", MOV64_IMM(0, 0), MOV64_REG(0, 12), EXIT());
	REFUSED("insn 0: r10 (the frame pointer) is read-only", "mov r10", MOV64_IMM(10, 0), MOV64_IMM(0, 0),
		EXIT());
	REFUSED("r10 (the frame pointer) is read-only", "add32 r10", ALU32_IMM(BPF_ADD, 10, 8),
		MOV64_IMM(0, 0), EXIT());
	REFUSED("r10 (the frame pointer) is read-only", "ldx r10", LDX(BPF_DW, 10, 1, 0), MOV64_IMM(0, 0), EXIT());
	REFUSED("r10 (the frame pointer) is read-only", "lddw r10", LD_IMM64(10, 1), MOV64_IMM(0, 0), EXIT());
	REFUSED("r10 (the frame pointer) is read-only", "fetch into r10", ATOM(BPF_DW, BPF_ADD | BPF_FETCH, 1, 10, 0),
		MOV64_IMM(0, 0), EXIT());
	ACCEPTED("stores through r10", ST(BPF_DW, 10, -8, 1), STX(BPF_DW, 10, 1, -16),
		 ATOM(BPF_DW, BPF_ADD, 10, 1, -8), MOV64_REG(0, 10), EXIT());
}

static void lddw_forms(void)
{
	ACCEPTED("plain lddw", LD_IMM64(0, 0x1122334455667788ULL), EXIT());
	ACCEPTED("map fd", LD_MAP(0, 3), EXIT());
	ACCEPTED("map value", INSN(BPF_LD | BPF_IMM | BPF_DW, 0, BPF_PSEUDO_MAP_VALUE, 0, 3), INSN(0, 0, 0, 0, 8),
		 EXIT());
	ACCEPTED("map idx", INSN(BPF_LD | BPF_IMM | BPF_DW, 0, BPF_PSEUDO_MAP_IDX, 0, 0), INSN(0, 0, 0, 0, 0),
		 EXIT());
	ACCEPTED("map idx value", INSN(BPF_LD | BPF_IMM | BPF_DW, 0, BPF_PSEUDO_MAP_IDX_VALUE, 0, 0),
		 INSN(0, 0, 0, 0, 4), EXIT());
	REFUSED("BTF id (src_reg 3) is not supported", "btf id",
		INSN(BPF_LD | BPF_IMM | BPF_DW, 0, BPF_PSEUDO_BTF_ID, 0, 1), INSN(0, 0, 0, 0, 0), EXIT());
	/* A function's address (bpf_loop's callback) must name an instruction of the program. */
	ACCEPTED("pseudo func", INSN(BPF_LD | BPF_IMM | BPF_DW, 0, BPF_PSEUDO_FUNC, 0, 0), INSN(0, 0, 0, 0, 0),
		 EXIT());
	REFUSED("lddw of a function at 4, outside the program's 3 instructions", "pseudo func outside",
		INSN(BPF_LD | BPF_IMM | BPF_DW, 0, BPF_PSEUDO_FUNC, 0, 3), INSN(0, 0, 0, 0, 0), EXIT());
	REFUSED("lddw with unknown src_reg 7", "src 7", INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 7, 0, 1),
		INSN(0, 0, 0, 0, 0), EXIT());
	REFUSED("offset must be 0", "lddw with off", INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 1, 1), INSN(0, 0, 0, 0, 0),
		EXIT());
	REFUSED("insn 2: second half of the lddw at 1 must have opcode, registers and offset 0", "bad second half",
		MOV64_IMM(0, 0), INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1), INSN(0, 1, 0, 0, 0), EXIT());
	REFUSED("second half", "second half with an opcode", INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1),
		EXIT(), EXIT());
	REFUSED("insn 1: lddw is cut off", "lddw at the end", MOV64_IMM(0, 0),
		INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1));
}

static void targets(void)
{
	struct bpf_insn big[40];

	for (int i = 0; i < 40; i++)
		big[i] = MOV64_IMM(0, i);
	big[12] = JA(27);
	big[39] = EXIT();
	ASSERT_EQ(check(big, 40), -EINVAL, "jump past the end");
	ASSERT_STR_CONTAINS(bpfhost_last_error(),
			    "program 'chk': insn 12: jump to 40 is outside the program (40 insns)", "message");
	REFUSED("insn 1: jump to -1 is outside the program", "jump before the start", MOV64_IMM(0, 0),
		JMP_IMM(BPF_JEQ, 0, 0, -3), EXIT());
	REFUSED("insn 1: jump to 5 is outside", "ja32 far", MOV64_IMM(0, 0), JA32(3), EXIT());
	REFUSED("insn 0: jump to 2 lands inside the lddw at 1", "into lddw", JA(1), LD_IMM64(0, 1), EXIT());
	REFUSED("insn 0: call to 7 is outside the program", "local call outside", CALL_LOCAL(6), EXIT());
	REFUSED("call to 3 lands inside the lddw at 2", "call into lddw", CALL_LOCAL(2), EXIT(), LD_IMM64(0, 1),
		EXIT());
	ACCEPTED("jump to the last insn", MOV64_IMM(0, 0), JA(0), EXIT());
	ACCEPTED("backward loop", MOV64_IMM(0, 3), ALU64_IMM(BPF_SUB, 0, 1), JMP_IMM(BPF_JNE, 0, 0, -2), EXIT());
}

static void fall_through(void)
{
	REFUSED("insn 0: the last instruction must be exit or ja: execution would fall off the end", "no exit",
		MOV64_IMM(0, 0));
	REFUSED("insn 1: the last instruction must be exit or ja", "conditional jump last", MOV64_IMM(0, 0),
		JMP_IMM(BPF_JEQ, 0, 0, -2));
	REFUSED("insn 2: the last instruction must be exit or ja", "lddw last", MOV64_IMM(0, 0), LD_IMM64(0, 1));
	REFUSED("insn 4: the last instruction of the function at 3 must be exit or ja: execution would fall into",
		"function falls into the next", CALL_LOCAL(2), CALL_LOCAL(3), EXIT(), MOV64_IMM(0, 1),
		MOV64_IMM(0, 2), MOV64_IMM(0, 3), EXIT());
	REFUSED("insn 1: jump to 3 leaves the function at 0 (insns 0-1)", "jump into another function",
		CALL_LOCAL(1), JA(1), EXIT(), MOV64_IMM(0, 0), EXIT());
	ACCEPTED("exit not last: a ja closes the program", MOV64_IMM(1, 0), JA(2), MOV64_IMM(2, 0), EXIT(),
		 MOV64_IMM(0, 0), JA(-4));
	ACCEPTED("ja32 closes a function", MOV64_IMM(0, 0), JA32(1), EXIT(), EXIT());
}

static void register_flow(void)
{
	REFUSED("insn 0: r2 is read before any instruction writes it", "r2 at entry", MOV64_REG(0, 2), EXIT());
	REFUSED("insn 0: r0 is read before any instruction writes it", "exit without r0", EXIT());
	REFUSED("insn 1: r3 is read", "add reads dst", MOV64_IMM(0, 0), ALU64_IMM(BPF_ADD, 3, 1), EXIT());
	REFUSED("insn 1: r1 is read", "r1 after a helper call", CALL(5), MOV64_REG(0, 1), EXIT());
	REFUSED("r5 is read", "r5 after a local call", MOV64_IMM(5, 1), CALL_LOCAL(2), MOV64_REG(0, 5), EXIT(),
		MOV64_IMM(0, 0), EXIT());
	REFUSED("insn 4: r6 is read", "callee has only r1-r5", MOV64_IMM(6, 1), CALL_LOCAL(1), EXIT(),
		MOV64_IMM(0, 0), MOV64_REG(0, 6), EXIT());
	REFUSED("insn 0: r6 is read", "ld_abs reads r6", LD_ABS(BPF_B, 0), EXIT());
	REFUSED("insn 2: r1 is read", "ld_abs clobbers r1-r5", MOV64_REG(6, 1), LD_ABS(BPF_B, 0), MOV64_REG(0, 1),
		EXIT());
	REFUSED("insn 0: r0 is read", "cmpxchg reads r0", ATOM(BPF_DW, BPF_CMPXCHG, 10, 1, -8), EXIT());
	REFUSED("insn 2: r3 is read", "callx reads its register", MOV64_IMM(0, 0), MOV64_IMM(2, 0), CALLX(3),
		EXIT());
	REFUSED("insn 4: r0 is read", "r0 after bpf_tail_call (Linux: R0 !read_ok)", MOV64_IMM(0, 0),
		MOV64_IMM(2, 0), MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call), EXIT());
	REFUSED("insn 1: r2 is read", "store reads its source", MOV64_IMM(0, 0), STX(BPF_DW, 10, 2, -8), EXIT());
	REFUSED("r4 is read", "a loop does not write what it reads first", MOV64_IMM(0, 3),
		ALU64_REG(BPF_ADD, 0, 4), ALU64_IMM(BPF_SUB, 0, 1), JMP_IMM(BPF_JNE, 0, 0, -3), EXIT());

	ACCEPTED("r0 after a helper call", CALL(5), EXIT());
	ACCEPTED("r6-r9 survive calls", MOV64_IMM(6, 1), CALL(5), MOV64_REG(0, 6), EXIT());
	ACCEPTED("r1-r5 the caller wrote and r10 at a function entry", MOV64_IMM(5, 1), CALL_LOCAL(1), EXIT(),
		 MOV64_REG(0, 5), ALU64_REG(BPF_ADD, 0, 1), MOV64_REG(2, 10), EXIT());
	ACCEPTED("fetch writes src", ST(BPF_DW, 10, -8, 0), MOV64_REG(2, 10), ATOM(BPF_DW, BPF_XCHG, 10, 1, -8),
		 MOV64_REG(0, 1), EXIT());
	/* Written on one path, read on that path only after a join: Linux accepts it. */
	ACCEPTED("written on some path", JMP_IMM(BPF_JEQ, 1, 0, 1), MOV64_IMM(3, 1), JMP_IMM(BPF_JEQ, 1, 0, 2),
		 MOV64_REG(0, 3), EXIT(), MOV64_IMM(0, 0), EXIT());
	ACCEPTED("unreachable code is not looked at", MOV64_IMM(0, 0), EXIT(), MOV64_REG(0, 7), EXIT());
	ACCEPTED("loop-carried value", MOV64_IMM(0, 0), MOV64_IMM(2, 5), JA(1), ALU64_REG(BPF_ADD, 0, 3),
		 MOV64_REG(3, 2), ALU64_IMM(BPF_SUB, 2, 1), JMP_IMM(BPF_JNE, 2, 0, -4), EXIT());
	{
		const struct bpf_insn p[] = { MOV64_REG(0, 2), EXIT() };

		ASSERT_OK(bh_prog_check_regs("chk", p, 2, BH_CHECK_ENTRY_REGS | BH_REG_BIT(BPF_REG_2)),
			  "r2 at entry when the caller passes it (conformance)");
	}
}

static void v4_encodings(void)
{
	ACCEPTED("sdiv/smod", MOV64_IMM(0, 7), INSN(BPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 1, -2),
		 INSN(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 1, 3), EXIT());
	ACCEPTED("movsx", MOV64_IMM(2, 7), INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 2, 8, 0),
		 INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 2, 16, 0), INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 2, 32, 0),
		 INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 2, 8, 0), INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 2, 16, 0), EXIT());
	ACCEPTED("ldsx", LDXS(BPF_B, 0, 10, -1), LDXS(BPF_H, 0, 10, -2), LDXS(BPF_W, 0, 10, -4), EXIT());
	ACCEPTED("bswap and byte order", MOV64_IMM(0, 1), ALU64_IMM(BPF_END, 0, 16), ALU64_IMM(BPF_END, 0, 64),
		 ALU32_IMM(BPF_END | BPF_TO_LE, 0, 32), INSN(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 64), EXIT());
	ACCEPTED("every atomic", MOV64_IMM(0, 0), MOV64_IMM(1, 1), ATOM(BPF_W, BPF_ADD, 10, 1, -8),
		 ATOM(BPF_DW, BPF_OR | BPF_FETCH, 10, 1, -8), ATOM(BPF_W, BPF_AND, 10, 1, -8),
		 ATOM(BPF_DW, BPF_XOR | BPF_FETCH, 10, 1, -8), ATOM(BPF_W, BPF_XCHG, 10, 1, -8),
		 ATOM(BPF_DW, BPF_CMPXCHG, 10, 1, -8), EXIT());
	ACCEPTED("legacy packet loads", MOV64_REG(6, 1), LD_ABS(BPF_W, 0), LD_ABS(BPF_H, 0), LD_ABS(BPF_B, 0),
		 MOV64_IMM(7, 0), LD_IND(BPF_W, 7, 0), LD_IND(BPF_B, 7, 2), EXIT());
	ACCEPTED("32-bit jumps and callx", MOV64_IMM(0, 0), JMP32_IMM(BPF_JSLT, 0, -1, 0), MOV64_IMM(3, 5),
		 CALLX(3), EXIT());
}

#ifdef BPFHOST_CHECK_BPF_DIR
static void check_text(const char *name, const struct bpf_insn *insns, size_t cnt, void *ctx)
{
	(void)ctx;
	/* Map and global-data relocations are not applied: their lddw stay plain. */
	if (check(insns, cnt))
		fprintf(stderr, "  %s: %s\n", name, bpfhost_last_error());
	ASSERT_OK(check(insns, cnt), name);
	printf("  accepted %s (%zu insns)\n", name, cnt);
}
#endif

/* clang-19 output: prog_check/<name>.<cpu>.text, raw .text of each program. */
static void clang_programs(void)
{
#ifdef BPFHOST_CHECK_BPF_DIR
	ASSERT_GE(test_for_each_text_program(BPFHOST_CHECK_BPF_DIR, check_text, NULL), 6,
		  "every clang program was built");
#else
	printf("  skipped: clang-19 or llvm-objcopy-19 was not found at configure time\n");
#endif
}

/* A large straight-line program: the check is linear (the load-time target). */
static void large_program(void)
{
	const uint32_t n = 200000;
	struct bpf_insn *insns = malloc(n * sizeof(*insns));

	insns[0] = MOV64_IMM(0, 0);
	for (uint32_t i = 1; i < n - 2; i += 2) {
		insns[i] = ALU64_IMM(BPF_ADD, 0, 1);
		insns[i + 1] = JMP_IMM(BPF_JGT, 0, 1000000, 0);
	}
	insns[n - 2] = MOV64_IMM(0, 0);
	insns[n - 1] = EXIT();
	ASSERT_OK(bh_prog_check("large", insns, n), "200,000 instructions");
	free(insns);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(sizes),
		TEST(bad_opcodes),
		TEST(reserved_fields),
		TEST(registers_and_r10),
		TEST(lddw_forms),
		TEST(targets),
		TEST(fall_through),
		TEST(register_flow),
		TEST(v4_encodings),
		TEST(clang_programs),
		TEST(large_program),
	};

	return test_run("prog_check", cases, ARRAY_SIZE(cases));
}
