/* SPDX-License-Identifier: MIT */
/*
 * The control-flow graph the verifier walks: sub-program boundaries
 * (instruction 0, bpf-to-bpf call targets and callback addresses taken by
 * `lddw rX, func`), each instruction's successors, and, from a depth-first
 * walk from instruction 0 that follows calls into their callees as Linux's
 * check_cfg does: unreachable instructions and recursion (refused),
 * back-edges (refused for unprivileged loads; otherwise their targets are
 * loop heads, explored as bounded loops), and prune points (where the core
 * loop compares states).
 */
#ifndef BPFHOST_VERIFIER_CFG_H
#define BPFHOST_VERIFIER_CFG_H

#include "arena.h"
#include <stdbool.h>
#include <stdint.h>

#include "bpfhost/bpf_insn.h"

/* Per-instruction flags. */
#define BH_CFG_LDDW_HI 0x01	/* second half of an lddw: not an instruction */
#define BH_CFG_SUBPROG 0x02	/* first instruction of a sub-program */
#define BH_CFG_PRUNE 0x04	/* states are compared here (a prune point) */
#define BH_CFG_LOOP_HEAD 0x08	/* the target of a back-edge */
#define BH_CFG_JUMP_TARGET 0x10	/* some jump lands here */

struct bh_cfg {
	uint32_t len;
	uint32_t nsub;		/* sub-programs; number k spans [sub_start[k], sub_start[k + 1]) */
	uint32_t *sub_start;	/* nsub + 1 entries, the last one len */
	uint8_t *flags;		/* len entries */
	uint32_t nloops;	/* instructions flagged BH_CFG_LOOP_HEAD */
	uint32_t nprune;	/* instructions flagged BH_CFG_PRUNE */
	uint16_t *live;		/* len entries: bit r, register r may be read before written (live.c) */
	uint32_t *walk_stack;	/* the depth-first walk's scratch (len entries each; one allocation with the above) */
	uint8_t *walk_state;
	struct bh_varena *arena;	/* where that allocation comes from (NULL: plat_alloc) */
};

/*
 * Builds @cfg for program @name. Refuses (a negative errno and a message
 * naming the program, the instruction and the rule) jumps or calls outside
 * the program or into an lddw, jumps out of their sub-program, a
 * sub-program whose last instruction can fall through, recursion,
 * unreachable instructions, and, when @unprivileged, any back-edge.
 * On success free it with bh_cfg_free().
 */
int bh_cfg_build(const char *name, const struct bpf_insn *insns, uint32_t len, bool unprivileged,
		 struct bh_cfg *cfg);
/* The same with the tables in arena @a (the verifier's: memory its previous loads warmed). */
int bh_cfg_build_in(const char *name, const struct bpf_insn *insns, uint32_t len, bool unprivileged,
		    struct bh_varena *a, struct bh_cfg *cfg);
void bh_cfg_free(struct bh_cfg *cfg);

/* Fills @cfg->live (live.c, zeroed before); bh_cfg_build() calls it. */
void bh_cfg_liveness(const struct bpf_insn *insns, struct bh_cfg *cfg);

/* The sub-program instruction @i belongs to. */
uint32_t bh_cfg_subprog_of(const struct bh_cfg *cfg, uint32_t i);

/* Instruction kinds the CFG and the liveness need (inline: both run over every instruction). */
static inline bool bh_insn_is_lddw(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static inline bool bh_insn_is_local_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL;
}

/* `lddw rX, func`: a callback's address, which makes its target a sub-program. */
static inline bool bh_insn_is_func_addr(const struct bpf_insn *in)
{
	return bh_insn_is_lddw(in) && in->src_reg == BPF_PSEUDO_FUNC;
}

static inline bool bh_insn_is_ja(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_JA) || in->code == (BPF_JMP32 | BPF_JA);
}

static inline bool bh_insn_is_exit(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_EXIT);
}

static inline bool bh_insn_is_cond_jump(const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	if (cls != BPF_JMP && cls != BPF_JMP32)
		return false;
	switch (op) {
	case BPF_JEQ: case BPF_JGT: case BPF_JGE: case BPF_JSET: case BPF_JNE:
	case BPF_JSGT: case BPF_JSGE: case BPF_JLT: case BPF_JLE: case BPF_JSLT: case BPF_JSLE:
		return true;
	default:
		return false;
	}
}

/* Where a jump, local call or function address at @i points (ja32, calls and lddw use imm). */
static inline int64_t bh_insn_target(const struct bpf_insn *in, uint32_t i)
{
	if (in->code == (BPF_JMP32 | BPF_JA) || bh_insn_is_local_call(in) || bh_insn_is_func_addr(in))
		return (int64_t)i + in->imm + 1;
	return (int64_t)i + in->off + 1;
}

/*
 * Where control goes after instruction @i inside its sub-program (a call
 * continues at i + 1; the callee is reached through the call), into
 * @out[0..1]; returns how many (0 after exit).
 */
static inline unsigned bh_cfg_successors(const struct bpf_insn *insns, uint32_t i, uint32_t out[2])
{
	const struct bpf_insn *in = &insns[i];

	if (bh_insn_is_exit(in))
		return 0;
	if (bh_insn_is_ja(in)) {
		out[0] = (uint32_t)bh_insn_target(in, i);
		return 1;
	}
	if (bh_insn_is_lddw(in)) {
		out[0] = i + 2;
		return 1;
	}
	out[0] = i + 1;
	if (!bh_insn_is_cond_jump(in) || bh_insn_target(in, i) == i + 1)
		return 1;
	out[1] = (uint32_t)bh_insn_target(in, i);
	return 2;
}

#endif /* BPFHOST_VERIFIER_CFG_H */
