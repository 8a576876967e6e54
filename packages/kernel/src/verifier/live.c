// SPDX-License-Identifier: MIT
/*
 * Register liveness (see cfg.h): which registers an instruction may read
 * before every path from it writes them, by the usual backward dataflow
 * over each sub-program's instructions. A register that is not live at a
 * prune point is never read again before being written, so two states
 * that differ only there have the same futures (Linux's REG_LIVE_READ,
 * computed ahead of the walk). Every use is over-approximated: a helper
 * call reads all of r1-r5 whatever its prototype, an atomic reads r0.
 */
#include "cfg.h"

#define R(n) ((uint16_t)(1u << (n)))
#define ARGS (R(1) | R(2) | R(3) | R(4) | R(5))
#define CALLER_SAVED (R(0) | ARGS)

/* What instruction @in reads (*@use) and writes for sure (*@def). */
static void use_def(const struct bpf_insn *in, uint16_t *use, uint16_t *def)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code), mode = BPF_MODE(in->code);

	*use = 0;
	*def = 0;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op != BPF_MOV)
			*use |= R(in->dst_reg);
		if (op != BPF_END && op != BPF_NEG && BPF_SRC(in->code) == BPF_X)
			*use |= R(in->src_reg);
		*def = R(in->dst_reg);
		break;
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			*def = R(in->dst_reg);
			break;
		}
		/* LD_ABS/LD_IND: r6 the context, src the index; r0 the result, r1-r5 clobbered. */
		*use = R(BPF_REG_6) | (mode == BPF_IND ? R(in->src_reg) : 0);
		*def = CALLER_SAVED;
		break;
	case BPF_LDX:
		*use = R(in->src_reg);
		*def = R(in->dst_reg);
		break;
	case BPF_ST:
		*use = R(in->dst_reg);
		break;
	case BPF_STX:
		*use = R(in->dst_reg) | R(in->src_reg);
		if (mode == BPF_ATOMIC)
			*use |= R(BPF_REG_0);	/* cmpxchg compares with r0; the fetches write, not read */
		break;
	default:	/* BPF_JMP, BPF_JMP32 */
		if (op == BPF_JA)
			break;
		if (op == BPF_CALL) {
			*use = ARGS;
			*def = CALLER_SAVED;
			break;
		}
		if (op == BPF_EXIT) {
			*use = R(BPF_REG_0);
			break;
		}
		*use = R(in->dst_reg) | (BPF_SRC(in->code) == BPF_X ? R(in->src_reg) : 0);
		break;
	}
	/* r10 is read-only and the same in every state; keep it compared anyway. */
	*use |= R(BPF_REG_10);
	*def &= (uint16_t)~R(BPF_REG_10);
}

/*
 * Passes over the program before giving up: each pass settles at least one
 * more level of back-edges, so compiled loops take a few; a program made to
 * need more (a long chain of backward jumps) gets every register live,
 * which only costs pruning, instead of a quadratic number of passes.
 */
#define MAX_PASSES 32

void bh_cfg_liveness(const struct bpf_insn *insns, struct bh_cfg *cfg)
{
	uint32_t len = cfg->len;
	bool changed = true;

	for (unsigned pass = 0; changed; pass++) {
		if (pass == MAX_PASSES) {
			for (uint32_t i = 0; i < len; i++)
				cfg->live[i] = 0xffff;
			return;
		}
		bool backward = false;

		changed = false;
		/* Backwards: when no successor comes earlier, one pass is exact (no loops, no jumps back). */
		for (uint32_t i = len; i-- > 0;) {
			uint32_t to[2];
			uint16_t use, def, out = 0, in;
			unsigned n;

			if (cfg->flags[i] & BH_CFG_LDDW_HI)
				continue;
			n = bh_cfg_successors(insns, i, to);
			for (unsigned k = 0; k < n; k++) {
				out |= cfg->live[to[k]];
				backward |= to[k] <= i;
			}
			use_def(&insns[i], &use, &def);
			in = (uint16_t)((out & ~def) | use);
			if (in != cfg->live[i]) {
				cfg->live[i] = in;
				changed = true;
			}
		}
		if (!backward)
			return;
	}
}
