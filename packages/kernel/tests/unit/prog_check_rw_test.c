// SPDX-License-Identifier: MIT
/*
 * The registers each instruction form reads and writes, as the structural
 * check (prog_check.c) sees them through the loader: one table case per
 * form (ALU/ALU64 with mov, movsx, neg, byte swaps, signed div/mod; jumps,
 * jmp32, ja, gotol; exit; helper calls by prototype, void helpers,
 * bpf_tail_call, callx, bpf-to-bpf calls; lddw and its map forms; LD_ABS,
 * LD_IND; LDX, LDSX, ST, STX; every atomic). A refused case names the
 * instruction and register the check must report.
 *
 * Where bpf(2) works, the kernel verifier judges every case too, and its
 * verdict is the oracle: it must accept what the table accepts, and refuse
 * what the table refuses with "R<n> !read_ok" at the same instruction.
 * Cases the kernel cannot judge (callx, map-index lddw) say why.
 */
#include "test.h"
#include "insn_build.h"
#include "kernel_bpf.h"

#include "bpfhost/uapi.h"
#include "prog/prog_check.h"
#include "prog/prog_type.h"

/* Map placeholders in lddw imm, replaced by each side's map handles. */
enum { M_HASH = -1, M_PROG_ARRAY = -2, M_RINGBUF = -3, M_ARRAY1 = -4, M_COUNT = 4 };

#define MAX_INSNS 16

struct rw_case {
	const char *name;
	int insn;		/* the instruction refused, or -1: the program loads */
	int reg;		/* the register it reads unwritten */
	const char *no_kernel;	/* why the kernel cannot judge the case, or NULL */
	struct bpf_insn insns[MAX_INSNS];
};

/* Each case ends with an exit; case_len() finds it. */
#define LOADS(name, ...) { name, -1, -1, NULL, { __VA_ARGS__ } }
#define REFUSED(name, insn, reg, ...) { name, insn, reg, NULL, { __VA_ARGS__ } }
#define LOADS_NO_KERNEL(name, why, ...) { name, -1, -1, why, { __VA_ARGS__ } }
#define REFUSED_NO_KERNEL(name, why, insn, reg, ...) { name, insn, reg, why, { __VA_ARGS__ } }

#define LD_MAP_VAL(d, m) INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_VALUE, 0, m), INSN(0, 0, 0, 0, 0)
#define MOVSX64(d, s, bits) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, bits, 0)
#define MOVSX32(d, s, bits) INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, bits, 0)
#define SDIV64_IMM(d, i) INSN(BPF_ALU64 | BPF_DIV | BPF_K, d, 0, 1, i)
#define SMOD32_REG(d, s) INSN(BPF_ALU | BPF_MOD | BPF_X, d, s, 1, 0)
#define JMP32_REG(op, d, s, o) INSN(BPF_JMP32 | (op) | BPF_X, d, s, o, 0)
#define NO_CALLX "the kernel has no callx (BPF_CALL | BPF_X): \"unknown opcode 8d\""

static const struct rw_case cases[] = {
	/* ALU and ALU64 */
	LOADS("mov imm writes its destination", MOV64_IMM(3, 1), MOV64_REG(0, 3), EXIT()),
	REFUSED("r1 = r2 with r2 unwritten", 0, 2, MOV64_REG(1, 2), MOV64_IMM(0, 0), EXIT()),
	REFUSED("mov reads its source, not its destination", 0, 3, MOV64_REG(0, 3), EXIT()),
	REFUSED("mov32 reads its source", 1, 4, MOV64_IMM(0, 0), ALU32_REG(BPF_MOV, 0, 4), EXIT()),
	REFUSED("alu imm reads its destination", 1, 3, MOV64_IMM(0, 0), ALU64_IMM(BPF_ADD, 3, 1), EXIT()),
	REFUSED("alu reg reads its destination", 1, 3, MOV64_IMM(0, 0), ALU64_REG(BPF_OR, 3, 0), EXIT()),
	REFUSED("alu32 reg reads its source", 1, 4, MOV64_IMM(0, 0), ALU32_REG(BPF_SUB, 0, 4), EXIT()),
	REFUSED("xor of a register with itself reads it", 1, 3, MOV64_IMM(0, 0), ALU64_REG(BPF_XOR, 3, 3),
		EXIT()),
	REFUSED("neg reads its destination", 1, 3, MOV64_IMM(0, 0), ALU64_IMM(BPF_NEG, 3, 0), EXIT()),
	REFUSED("neg32 reads its destination", 1, 3, MOV64_IMM(0, 0), ALU32_IMM(BPF_NEG, 3, 0), EXIT()),
	REFUSED("le32 reads its destination", 1, 3, MOV64_IMM(0, 0), ALU32_IMM(BPF_END | BPF_TO_LE, 3, 32),
		EXIT()),
	REFUSED("be16 reads its destination", 1, 3, MOV64_IMM(0, 0), ALU32_IMM(BPF_END | BPF_TO_BE, 3, 16),
		EXIT()),
	REFUSED("bswap64 reads its destination", 1, 3, MOV64_IMM(0, 0), ALU64_IMM(BPF_END, 3, 64), EXIT()),
	LOADS("byte swaps write their destination", MOV64_IMM(0, 0x1234), ALU64_IMM(BPF_END, 0, 16),
	      ALU32_IMM(BPF_END | BPF_TO_LE, 0, 32), EXIT()),
	REFUSED("movsx reads its source", 1, 4, MOV64_IMM(0, 0), MOVSX64(0, 4, 16), EXIT()),
	REFUSED("movsx32 reads its source", 1, 4, MOV64_IMM(0, 0), MOVSX32(0, 4, 8), EXIT()),
	LOADS("movsx writes its destination", MOV64_IMM(2, -1), MOVSX64(0, 2, 32), MOVSX32(0, 2, 16), EXIT()),
	REFUSED("smod reads its source", 2, 4, MOV64_IMM(0, 7), SDIV64_IMM(0, -2), SMOD32_REG(0, 4), EXIT()),
	LOADS("div and mod by a constant", MOV64_IMM(0, 7), ALU64_IMM(BPF_DIV, 0, 2), ALU32_IMM(BPF_MOD, 0, 3),
	      EXIT()),

	/* Jumps and exit */
	REFUSED("exit with r0 never written", 0, 0, EXIT()),
	REFUSED("a conditional jump reads its destination", 1, 4, MOV64_IMM(0, 0), JMP_IMM(BPF_JEQ, 4, 0, 0),
		EXIT()),
	REFUSED("a conditional jump reads its source", 1, 4, MOV64_IMM(0, 0), JMP_REG(BPF_JGT, 0, 4, 0),
		EXIT()),
	REFUSED("jmp32 imm reads its destination", 1, 4, MOV64_IMM(0, 0), JMP32_IMM(BPF_JSLT, 4, -1, 0),
		EXIT()),
	REFUSED("jmp32 reg reads its source", 1, 4, MOV64_IMM(0, 0), JMP32_REG(BPF_JSET, 0, 4, 0), EXIT()),
	LOADS("ja reads nothing", MOV64_IMM(0, 0), JA(0), EXIT()),
	LOADS("gotol reads nothing", MOV64_IMM(0, 0), JA32(0), EXIT()),
	REFUSED("jumps write nothing", 2, 0, JMP_IMM(BPF_JEQ, 1, 0, 0), JA(0), EXIT()),

	/* Helper calls: arguments by prototype, r0 written unless void, r1-r5 clobbered */
	LOADS("a helper call writes r0", CALL(BPF_FUNC_ktime_get_ns), EXIT()),
	REFUSED("a helper reads its arguments", 2, 2, LD_MAP(1, M_HASH), CALL(BPF_FUNC_map_lookup_elem), EXIT()),
	REFUSED("a helper reads its last argument", 8, 4, ST(BPF_W, 10, -4, 0), ST(BPF_DW, 10, -16, 0),
		LD_MAP(1, M_HASH), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), MOV64_REG(3, 10),
		ALU64_IMM(BPF_ADD, 3, -16), CALL(BPF_FUNC_map_update_elem), EXIT()),
	REFUSED("bpf_skb_load_bytes reads its length", 3, 4, MOV64_IMM(2, 0), MOV64_REG(3, 10),
		ALU64_IMM(BPF_ADD, 3, -8), CALL(BPF_FUNC_skb_load_bytes), EXIT()),
	LOADS("bpf_trace_printk reads r1-r2 only (r3-r5 as the format asks)", ST(BPF_W, 10, -8, 0x0a6425),
	      MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8), MOV64_IMM(2, 4), CALL(BPF_FUNC_trace_printk), EXIT()),
	REFUSED("r1 after a helper call", 1, 1, CALL(BPF_FUNC_ktime_get_ns), MOV64_REG(0, 1), EXIT()),
	REFUSED("r5 after a helper call", 2, 5, MOV64_IMM(5, 1), CALL(BPF_FUNC_ktime_get_ns), MOV64_REG(0, 5),
		EXIT()),
	LOADS("r6-r9 survive a helper call", MOV64_IMM(6, 1), MOV64_IMM(9, 2), CALL(BPF_FUNC_ktime_get_ns),
	      MOV64_REG(0, 6), ALU64_REG(BPF_ADD, 0, 9), EXIT()),
	LOADS("a helper without arguments after a call", CALL(BPF_FUNC_ktime_get_ns),
	      CALL(BPF_FUNC_get_prandom_u32), EXIT()),
	REFUSED("bpf_tail_call leaves r0 unwritten", 4, 0, LD_MAP(2, M_PROG_ARRAY), MOV64_IMM(3, 0),
		CALL(BPF_FUNC_tail_call), EXIT()),
	REFUSED("r0 written before bpf_tail_call is unwritten after it", 5, 0, MOV64_IMM(0, 0),
		LD_MAP(2, M_PROG_ARRAY), MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call), EXIT()),
	REFUSED("bpf_tail_call reads its index", 2, 3, LD_MAP(2, M_PROG_ARRAY), CALL(BPF_FUNC_tail_call),
		MOV64_IMM(0, 0), EXIT()),
	LOADS("r0 written after bpf_tail_call", LD_MAP(2, M_PROG_ARRAY), MOV64_IMM(3, 0),
	      CALL(BPF_FUNC_tail_call), MOV64_IMM(0, 0), EXIT()),
	REFUSED("bpf_ringbuf_submit leaves r0 unwritten", 9, 0, LD_MAP(1, M_RINGBUF), MOV64_IMM(2, 8),
		MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve), JMP_IMM(BPF_JEQ, 0, 0, 4), MOV64_REG(1, 0),
		MOV64_IMM(2, 0), CALL(BPF_FUNC_ringbuf_submit), EXIT(), MOV64_IMM(0, 0), EXIT()),
	REFUSED("bpf_ringbuf_discard reads its flags", 7, 2, LD_MAP(1, M_RINGBUF), MOV64_IMM(2, 8),
		MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve), JMP_IMM(BPF_JEQ, 0, 0, 4), MOV64_REG(1, 0),
		CALL(BPF_FUNC_ringbuf_discard), MOV64_IMM(0, 0), EXIT(), MOV64_IMM(0, 0), EXIT()),
	REFUSED_NO_KERNEL("callx reads its register", NO_CALLX, 1, 3, MOV64_IMM(0, 0), CALLX(3), EXIT()),
	LOADS_NO_KERNEL("callx writes r0", NO_CALLX, MOV64_IMM(3, BPF_FUNC_ktime_get_ns), CALLX(3), EXIT()),
	REFUSED_NO_KERNEL("r3 after callx", NO_CALLX, 2, 3, MOV64_IMM(3, BPF_FUNC_ktime_get_ns), CALLX(3),
			  MOV64_REG(0, 3), EXIT()),

	/* bpf-to-bpf calls: the callee gets what the caller wrote of r1-r5, the caller its r0 */
	REFUSED("a callee reads an argument its caller never wrote", 4, 3, MOV64_IMM(2, 1), CALL_LOCAL(2),
		MOV64_IMM(0, 0), EXIT(), MOV64_REG(0, 3), EXIT()),
	LOADS("a callee reads the arguments its caller wrote", MOV64_IMM(3, 1), CALL_LOCAL(2), MOV64_IMM(0, 0),
	      EXIT(), MOV64_REG(0, 3), ALU64_REG(BPF_ADD, 0, 1), EXIT()),
	REFUSED("a callee does not see r6-r9", 4, 6, MOV64_IMM(6, 1), CALL_LOCAL(2), MOV64_REG(0, 6), EXIT(),
		MOV64_REG(0, 6), EXIT()),
	REFUSED("r1 after a bpf-to-bpf call", 1, 1, CALL_LOCAL(2), MOV64_REG(0, 1), EXIT(), MOV64_IMM(0, 0),
		EXIT()),
	LOADS("r6-r9 survive a bpf-to-bpf call", MOV64_IMM(6, 1), CALL_LOCAL(2), MOV64_REG(0, 6), EXIT(),
	      MOV64_IMM(6, 2), MOV64_IMM(0, 0), EXIT()),
	LOADS("r0 after a bpf-to-bpf call is the callee's", CALL_LOCAL(1), EXIT(), MOV64_IMM(0, 0), EXIT()),
	REFUSED("a callee that never writes r0: the caller's exit reads it", 2, 0, MOV64_IMM(0, 1),
		CALL_LOCAL(1), EXIT(), EXIT()),
	LOADS("a callee's exit does not read r0", CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(), EXIT()),
	LOADS("an argument passes through two calls", MOV64_IMM(2, 1), CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(),
	      CALL_LOCAL(1), EXIT(), MOV64_REG(0, 2), EXIT()),
	REFUSED("an argument a callee's helper call clobbered", 7, 2, MOV64_IMM(2, 1), CALL_LOCAL(2),
		MOV64_IMM(0, 0), EXIT(), CALL(BPF_FUNC_ktime_get_ns), CALL_LOCAL(1), EXIT(), MOV64_REG(0, 2),
		EXIT()),

	/* lddw */
	LOADS("lddw writes its destination", LD_IMM64(3, 0x100000001ull), MOV64_REG(0, 3), EXIT()),
	LOADS("lddw of a map writes its destination", ST(BPF_W, 10, -4, 0), LD_MAP(1, M_HASH), MOV64_REG(2, 10),
	      ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem), MOV64_IMM(0, 0), EXIT()),
	LOADS("lddw of a map value writes its destination", LD_MAP_VAL(3, M_ARRAY1), LDX(BPF_W, 0, 3, 0),
	      EXIT()),

	/* Legacy packet loads: r6 is the context, r0 the result, r1-r5 clobbered */
	REFUSED("LD_ABS reads r6", 0, 6, LD_ABS(BPF_B, 0), EXIT()),
	REFUSED("LD_ABS leaves r1-r5 unwritten", 2, 1, MOV64_REG(6, 1), LD_ABS(BPF_B, 0), MOV64_REG(0, 1),
		EXIT()),
	LOADS("LD_ABS writes r0", MOV64_REG(6, 1), LD_ABS(BPF_W, 0), EXIT()),
	REFUSED("LD_IND reads its source", 1, 7, MOV64_REG(6, 1), LD_IND(BPF_B, 7, 0), EXIT()),
	LOADS("LD_IND keeps r6-r9", MOV64_REG(6, 1), MOV64_IMM(7, 0), LD_IND(BPF_H, 7, 0),
	      ALU64_REG(BPF_ADD, 0, 7), EXIT()),

	/* Loads and stores */
	REFUSED("LDX reads its source", 1, 3, MOV64_IMM(0, 0), LDX(BPF_DW, 0, 3, 0), EXIT()),
	LOADS("LDX writes its destination", ST(BPF_DW, 10, -8, 0), LDX(BPF_DW, 0, 10, -8), EXIT()),
	REFUSED("LDSX reads its source", 1, 3, MOV64_IMM(0, 0), LDXS(BPF_H, 0, 3, 0), EXIT()),
	LOADS("LDSX writes its destination", ST(BPF_DW, 10, -8, 0), LDXS(BPF_W, 0, 10, -8), EXIT()),
	REFUSED("ST reads its address", 1, 3, MOV64_IMM(0, 0), ST(BPF_W, 3, 0, 1), EXIT()),
	REFUSED("STX reads its source", 1, 2, MOV64_IMM(0, 0), STX(BPF_DW, 10, 2, -8), EXIT()),
	REFUSED("STX reads its address", 1, 3, MOV64_IMM(0, 0), STX(BPF_DW, 3, 0, 0), EXIT()),
	REFUSED("ST and STX write no register", 2, 0, ST(BPF_DW, 10, -8, 0), STX(BPF_DW, 10, 1, -16), EXIT()),

	/* Atomics: address and source read; fetch and xchg write the source; cmpxchg reads and writes r0 */
	LOADS("lock add with r0 never written before it", ST(BPF_W, 10, -12, 0), MOV64_IMM(1, 1),
	      ATOM(BPF_W, BPF_ADD, 10, 1, -12), MOV64_IMM(0, 0), EXIT()),
	REFUSED("lock add does not write r0", 3, 0, ST(BPF_W, 10, -12, 0), MOV64_IMM(1, 1),
		ATOM(BPF_W, BPF_ADD, 10, 1, -12), EXIT()),
	REFUSED("lock add reads its source", 2, 2, ST(BPF_W, 10, -12, 0), MOV64_IMM(0, 0),
		ATOM(BPF_W, BPF_ADD, 10, 2, -12), EXIT()),
	REFUSED("an atomic reads its address", 1, 3, MOV64_IMM(0, 0), ATOM(BPF_W, BPF_ADD, 3, 0, 0), EXIT()),
	LOADS("lock or, and, xor", ST(BPF_DW, 10, -8, 0), MOV64_IMM(1, 3), ATOM(BPF_DW, BPF_OR, 10, 1, -8),
	      ATOM(BPF_DW, BPF_AND, 10, 1, -8), ATOM(BPF_W, BPF_XOR, 10, 1, -8), MOV64_IMM(0, 0), EXIT()),
	REFUSED("fetch add reads its source", 2, 2, MOV64_IMM(0, 0), ST(BPF_DW, 10, -8, 0),
		ATOM(BPF_DW, BPF_ADD | BPF_FETCH, 10, 2, -8), EXIT()),
	LOADS("the fetch variants write their source", ST(BPF_DW, 10, -8, 5), MOV64_IMM(1, 1),
	      ATOM(BPF_DW, BPF_ADD | BPF_FETCH, 10, 1, -8), ATOM(BPF_W, BPF_OR | BPF_FETCH, 10, 1, -8),
	      ATOM(BPF_DW, BPF_AND | BPF_FETCH, 10, 1, -8), ATOM(BPF_W, BPF_XOR | BPF_FETCH, 10, 1, -8),
	      MOV64_REG(0, 1), EXIT()),
	REFUSED("xchg reads its source", 2, 2, MOV64_IMM(0, 0), ST(BPF_DW, 10, -8, 0),
		ATOM(BPF_DW, BPF_XCHG, 10, 2, -8), EXIT()),
	LOADS("xchg writes its source", ST(BPF_DW, 10, -8, 0), MOV64_IMM(1, 1), ATOM(BPF_W, BPF_XCHG, 10, 1, -8),
	      MOV64_REG(0, 1), EXIT()),
	REFUSED("cmpxchg reads r0", 2, 0, ST(BPF_DW, 10, -8, 0), MOV64_IMM(1, 1),
		ATOM(BPF_DW, BPF_CMPXCHG, 10, 1, -8), EXIT()),
	REFUSED("cmpxchg reads its source", 2, 2, MOV64_IMM(0, 0), ST(BPF_DW, 10, -8, 0),
		ATOM(BPF_DW, BPF_CMPXCHG, 10, 2, -8), EXIT()),
	LOADS("cmpxchg writes r0", MOV64_IMM(0, 0), ST(BPF_DW, 10, -8, 0), MOV64_IMM(1, 1),
	      ATOM(BPF_W, BPF_CMPXCHG, 10, 1, -8), EXIT()),
};

/* Instructions up to the last exit (the zero slots after it are the table's padding). */
static uint32_t case_len(const struct rw_case *c)
{
	uint32_t n = MAX_INSNS;

	while (n && c->insns[n - 1].code != (BPF_JMP | BPF_EXIT))
		n--;
	return n;
}

/* Copies the case, with @maps[-placeholder - 1] for the map placeholders of its lddw. */
static uint32_t patch_maps(struct bpf_insn *insns, const struct rw_case *c, const int *maps)
{
	uint32_t len = case_len(c);

	memcpy(insns, c->insns, len * sizeof(*insns));
	for (uint32_t i = 0; i + 1 < len; i++)
		if (insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && insns[i].src_reg && insns[i].imm < 0 &&
		    insns[i].imm >= -M_COUNT)
			insns[i].imm = maps[-insns[i].imm - 1];
	return len;
}

/* Every case through bpfhost's loader, which checks with the helpers' prototypes. */
static void t_bpfhost_verdicts(void)
{
	int maps[M_COUNT] = {
		test_map(BPF_MAP_TYPE_HASH, "h", 4, 8, 4, 0),
		test_map(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 4, 0),
		test_map(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, 0),
		test_map(BPF_MAP_TYPE_ARRAY, "a1", 4, 8, 1, 0),
	};

	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		const struct rw_case *c = &cases[k];
		struct bpf_insn insns[MAX_INSNS];
		char want[96];
		int fd;

		uint32_t len = patch_maps(insns, c, maps);

		/* The structural check's verdicts (the verifier refuses callx besides). */
		fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "rw", insns, len,
					  BPFHOST_F_TEST_UNVERIFIED);
		if (c->insn < 0) {
			ASSERT_GE(fd, 0, c->name);
			if (fd < 0)
				fprintf(stderr, "  %s: %s\n", c->name, bpfhost_last_error());
			else
				bpfhost_close(fd);
			continue;
		}
		ASSERT_EQ(fd, -EINVAL, c->name);
		snprintf(want, sizeof(want), "program 'rw': insn %d: r%d is read before any instruction writes it",
			 c->insn, c->reg);
		ASSERT_STR_CONTAINS(bpfhost_last_error(), want, c->name);
		if (fd >= 0)
			bpfhost_close(fd);
	}
	for (int m = 0; m < M_COUNT; m++)
		bpfhost_close(maps[m]);
}

static const struct bh_helper *socket_filter_helper(const void *ctx, uint32_t id)
{
	(void)ctx;
	return bh_core_helper(id, BPF_PROG_TYPE_SOCKET_FILTER);
}

/*
 * What the check says in words, and the lddw forms the loader only takes
 * with an fd_array (the kernel too): they write their destination alone.
 */
static void t_messages_and_map_index_lddw(void)
{
	const struct bpf_insn lookup[] = { LD_MAP(1, 0), CALL(BPF_FUNC_map_lookup_elem), EXIT() };
	const struct bpf_insn tail[] = { LD_MAP(2, 0), MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call), EXIT() };
	const struct bpf_insn idx[] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_IDX, 0, 0), INSN(0, 0, 0, 0, 0),
		INSN(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_MAP_IDX_VALUE, 0, 0), INSN(0, 0, 0, 0, 0),
		MOV64_REG(0, 2), LDX(BPF_W, 0, 0, 0), ALU64_REG(BPF_ADD, 0, 1), EXIT(),
	};
	const struct bpf_insn idx_bad[] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_IDX, 0, 0), INSN(0, 0, 0, 0, 0),
		MOV64_REG(0, 2), EXIT(),
	};

	ASSERT_EQ(bh_prog_check_calls("m", lookup, ARRAY_SIZE(lookup), BH_CHECK_ENTRY_REGS,
				      socket_filter_helper, NULL), -EINVAL, "lookup without a key");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "insn 2: r2 is read before any instruction writes it "
			    "(argument 2 of bpf_map_lookup_elem", "names the argument and the helper");
	ASSERT_EQ(bh_prog_check_calls("m", tail, ARRAY_SIZE(tail), BH_CHECK_ENTRY_REGS, socket_filter_helper,
				      NULL), -EINVAL, "exit after bpf_tail_call");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "program 'm': insn 4: r0 is read before any instruction "
			    "writes it", "names the exit and r0");
	ASSERT_OK(bh_prog_check_calls("m", idx, ARRAY_SIZE(idx), BH_CHECK_ENTRY_REGS, socket_filter_helper,
				      NULL), "map-index lddw forms write their destination");
	ASSERT_EQ(bh_prog_check_calls("m", idx_bad, ARRAY_SIZE(idx_bad), BH_CHECK_ENTRY_REGS,
				      socket_filter_helper, NULL), -EINVAL, "and nothing else");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "insn 2: r2 is read", "r2 named");
}

/* Where the kernel refused: "R<reg> !read_ok" right after the line of instruction <insn>. */
static bool kernel_read_refusal(const char *log, int insn, int reg)
{
	char needle[32];
	const char *at, *line;

	snprintf(needle, sizeof(needle), "\nR%d !read_ok", reg);
	at = strstr(log, needle);
	if (!at)
		return false;
	for (line = at; line > log && line[-1] != '\n'; line--)
		;
	return strtol(line, NULL, 10) == insn;
}

static void t_kernel_agrees(void)
{
	static char log[1 << 16];
	char reason[128];
	int maps[M_COUNT];

	if (kbpf_probe(reason, sizeof(reason))) {
		printf("SKIP: bpf(2) not available (%s); the kernel verifier does not judge the cases\n",
		       reason);
		return;
	}
	maps[0] = kbpf_map_create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0, 0);
	maps[1] = kbpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 0);
	maps[2] = kbpf_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, 0);
	maps[3] = kbpf_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 0);
	for (int m = 0; m < M_COUNT; m++)
		ASSERT_GE(maps[m], 0, "kernel map");

	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		const struct rw_case *c = &cases[k];
		struct bpf_insn insns[MAX_INSNS];
		uint32_t len;
		int fd;

		if (c->no_kernel) {
			printf("  not judged by the kernel: %s (%s)\n", c->name, c->no_kernel);
			continue;
		}
		len = patch_maps(insns, c, maps);
		log[0] = 0;
		fd = kbpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, insns, len, "GPL", log, sizeof(log));
		if (c->insn < 0) {
			ASSERT_GE(fd, 0, c->name);
			if (fd < 0)
				fprintf(stderr, "  kernel refused '%s' (%d):\n%s\n", c->name, fd, log);
			else
				kbpf_close(fd);
			continue;
		}
		ASSERT_EQ(fd, -EACCES, c->name);
		ASSERT_TRUE(kernel_read_refusal(log, c->insn, c->reg), c->name);
		if (fd >= 0)
			kbpf_close(fd);
		else if (!kernel_read_refusal(log, c->insn, c->reg))
			fprintf(stderr, "  kernel log of '%s' (want R%d !read_ok at insn %d):\n%s\n", c->name,
				c->reg, c->insn, log);
	}
	for (int m = 0; m < M_COUNT; m++)
		if (maps[m] >= 0)
			kbpf_close(maps[m]);
}

int main(void)
{
	static const struct test_case tests[] = {
		TEST(t_bpfhost_verdicts),
		TEST(t_messages_and_map_index_lddw),
		TEST(t_kernel_agrees),
	};

	return test_run("prog_check_rw", tests, ARRAY_SIZE(tests));
}
