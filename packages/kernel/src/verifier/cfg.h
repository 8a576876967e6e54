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
void bh_cfg_free(struct bh_cfg *cfg);

/* Fills @cfg->live (live.c, zeroed before); bh_cfg_build() calls it. */
void bh_cfg_liveness(const struct bpf_insn *insns, struct bh_cfg *cfg);

/* The sub-program instruction @i belongs to. */
uint32_t bh_cfg_subprog_of(const struct bh_cfg *cfg, uint32_t i);

/*
 * Where control goes after instruction @i inside its sub-program (a call
 * continues at i + 1; the callee is reached through the call), into
 * @out[0..1]; returns how many (0 after exit).
 */
unsigned bh_cfg_successors(const struct bpf_insn *insns, uint32_t i, uint32_t out[2]);

#endif /* BPFHOST_VERIFIER_CFG_H */
