// SPDX-License-Identifier: MIT
/*
 * How much of the stack a program can reach, computed at load so that each
 * run clears only that much (nothing of the host shows through) and the
 * run-time check confines stack accesses to it.
 *
 * Compilers address the stack as r10 + constant, directly or through a
 * copy of r10 moved by constants, so a forward pass that follows copies of
 * r10 through mov/add/sub sees every offset a compiled program uses. It
 * needs no soundness: the run-time check, not this estimate, is what keeps
 * accesses inside; an access this pass did not foresee faults with a
 * message instead of reading what the run never cleared. The static
 * verifier will give the exact depth (Linux's stack_depth).
 */
#include "prog.h"

#define NO_REACH INT64_MIN

/* Deepest byte below r10 one sub-program's instructions [start, end) touch. */
static uint32_t frame_depth(const struct bpf_insn *insns, uint32_t start, uint32_t end)
{
	int64_t off[MAX_BPF_REG];	/* r10 + off[r], or NO_REACH when not a stack pointer */
	int64_t deepest = 0;

	for (int r = 0; r < MAX_BPF_REG; r++)
		off[r] = NO_REACH;
	off[BPF_REG_10] = 0;
#define NOTE(o) ((o) < -deepest ? (void)(deepest = -(o)) : (void)0)
	for (uint32_t i = start; i < end; i++) {
		const struct bpf_insn *in = &insns[i];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code), d = in->dst_reg & 0xf;
		uint8_t s = in->src_reg & 0xf;

		if (d >= MAX_BPF_REG || s >= MAX_BPF_REG)
			continue;
		switch (cls) {
		case BPF_ALU64:
			if (op == BPF_MOV && BPF_SRC(in->code) == BPF_X && in->off == 0)
				off[d] = off[s];
			else if ((op == BPF_ADD || op == BPF_SUB) && BPF_SRC(in->code) == BPF_K &&
				 off[d] != NO_REACH)
				off[d] += op == BPF_ADD ? (int64_t)in->imm : -(int64_t)in->imm;
			else if (d != BPF_REG_10)
				off[d] = NO_REACH;
			if (off[d] != NO_REACH)
				NOTE(off[d]);
			break;
		case BPF_ALU:
			if (d != BPF_REG_10)
				off[d] = NO_REACH;
			break;
		case BPF_LDX:
			if (off[s] != NO_REACH)
				NOTE(off[s] + in->off);
			if (d != BPF_REG_10)
				off[d] = NO_REACH;
			break;
		case BPF_ST:
		case BPF_STX:
			if (off[d] != NO_REACH)
				NOTE(off[d] + in->off);
			/* Atomics with BPF_FETCH, xchg and cmpxchg write src (cmpxchg: r0). */
			if (BPF_MODE(in->code) == BPF_ATOMIC) {
				if (in->imm == BPF_CMPXCHG)
					off[BPF_REG_0] = NO_REACH;
				else if ((in->imm & BPF_FETCH) && s != BPF_REG_10)
					off[s] = NO_REACH;
			}
			break;
		case BPF_LD:
			if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
				if (d != BPF_REG_10)
					off[d] = NO_REACH;
				i++;
			} else {
				for (int r = 0; r <= BPF_REG_5; r++)
					off[r] = NO_REACH;
			}
			break;
		case BPF_JMP:
			if (op == BPF_CALL)
				for (int r = 0; r <= BPF_REG_5; r++)
					off[r] = NO_REACH;
			break;
		default:
			break;
		}
	}
#undef NOTE
	return deepest > MAX_BPF_STACK ? MAX_BPF_STACK : (uint32_t)deepest;
}

/* A call, or a callback's address (bpf_loop calls it from the frame that took it). */
static bool is_local_call(const struct bpf_insn *in)
{
	return (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL) ||
	       (in->code == (BPF_LD | BPF_IMM | BPF_DW) && in->src_reg == BPF_PSEUDO_FUNC);
}

uint32_t bh_prog_stack_reach(const struct bpf_insn *insns, uint32_t len)
{
	const uint32_t all = MAX_CALL_FRAMES * MAX_BPF_STACK, none = UINT32_MAX;
	uint32_t *mem, *sub_of, *start, *depth, *prev, *cur, n = 0, reach = 0;
	bool calls = false;

	for (uint32_t i = 0; i < len; i++)
		calls |= is_local_call(&insns[i]);
	if (!calls) {
		reach = frame_depth(insns, 0, len);
		goto out;
	}
	mem = plat_alloc(sizeof(*mem) * 5 * ((size_t)len + 1));
	if (!mem) {
		reach = all;	/* clearing all of it is always safe */
		goto out;
	}
	sub_of = mem;			/* insn -> index of the sub-program starting there */
	start = sub_of + len + 1;	/* sub-program k is [start[k], start[k + 1]) */
	depth = start + len + 1;
	prev = depth + len + 1;
	cur = prev + len + 1;
	/* Sub-programs start at 0 and at every bpf-to-bpf call target. */
	for (uint32_t i = 0; i <= len; i++)
		sub_of[i] = none;
	sub_of[0] = 0;
	for (uint32_t i = 0; i < len; i++)
		if (is_local_call(&insns[i])) {
			int64_t t = (int64_t)i + 1 + insns[i].imm;

			if (t >= 0 && t < (int64_t)len)
				sub_of[t] = 0;
		}
	for (uint32_t i = 0; i < len; i++)
		if (sub_of[i] != none) {
			sub_of[i] = n;
			start[n++] = i;
		}
	start[n] = len;
	for (uint32_t k = 0; k < n; k++) {
		depth[k] = frame_depth(insns, start[k], start[k + 1]);
		prev[k] = 0;
	}
	/*
	 * Frame level L sits L * MAX_BPF_STACK below the top, levels 0..7 as
	 * the interpreter allows (so recursion is bounded too). cur[k] is the
	 * deepest byte sub-program k and its callees reach when k runs at level
	 * L; prev[] holds level L + 1. From the deepest level up to the main
	 * program at level 0.
	 */
	for (int level = MAX_CALL_FRAMES - 1; level >= 0; level--) {
		uint32_t *t;

		for (uint32_t k = 0; k < n; k++) {
			uint32_t r = (uint32_t)level * MAX_BPF_STACK + depth[k];

			for (uint32_t i = start[k]; i < start[k + 1] && level + 1 < (int)MAX_CALL_FRAMES; i++) {
				int64_t to = (int64_t)i + 1 + insns[i].imm;

				if (is_local_call(&insns[i]) && to >= 0 && to < (int64_t)len &&
				    sub_of[to] != none && prev[sub_of[to]] > r)
					r = prev[sub_of[to]];
			}
			cur[k] = r;
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	reach = prev[0];
	plat_free(mem);
out:
	/* Loads and stores are at most 8 bytes: a reach of 8 or more keeps reach - size from wrapping. */
	reach = round_up(reach, 8);
	return reach < 8 ? 8 : reach > all ? all : reach;
}
