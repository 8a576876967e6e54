// SPDX-License-Identifier: MIT
/*
 * The control-flow graph (see cfg.h). It does not trust the structural
 * check to have run: every target is checked again before it is followed,
 * so the walk never leaves the program whatever it is given.
 */

#include "cfg.h"
#include "../core/internal.h"
#include "../platform/platform.h"

uint32_t bh_cfg_subprog_of(const struct bh_cfg *cfg, uint32_t i)
{
	uint32_t lo = 0, hi = cfg->nsub;	/* sub_start[lo] <= i < sub_start[hi] */

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (cfg->sub_start[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The per-instruction bytes of the one allocation (see bh_cfg_build_in). */
#define CFG_BYTES_PER_INSN (2 * sizeof(uint32_t) + sizeof(uint16_t) + 2 + 1)

static size_t cfg_bytes(uint32_t len)
{
	return CFG_BYTES_PER_INSN * (size_t)len + sizeof(uint32_t);
}

void bh_cfg_free(struct bh_cfg *cfg)
{
	/* sub_start, live, walk_state and flags share walk_stack's allocation. */
	if (cfg->arena)
		bh_arena_free(cfg->arena, cfg->walk_stack, cfg_bytes(cfg->len));
	else
		plat_free(cfg->walk_stack);
	cfg->sub_start = NULL;
	cfg->walk_stack = NULL;
	cfg->walk_state = NULL;
	cfg->flags = NULL;
	cfg->live = NULL;
}

/*
 * Targets inside the program and not into an lddw; marks (and counts,
 * *@nsub) sub-programs. *@forward: every jump goes forward and nothing is
 * called (then the walk is one pass in order, forward_walk()).
 */
static int mark_targets(const char *name, const struct bpf_insn *insns, uint32_t len, uint8_t *flags,
			uint32_t *nsub, bool *forward)
{
	for (uint32_t i = 0; i < len; i++) {
		const struct bpf_insn *in = &insns[i];
		bool sub = bh_insn_is_local_call(in) || bh_insn_is_func_addr(in);
		const char *what;
		int64_t t;

		if (flags[i] & BH_CFG_LDDW_HI)
			continue;
		if (bh_insn_is_lddw(in) && (i + 1 >= len))
			return bh_insn_err(-EINVAL, name, i, "lddw is missing its second half");
		if (!sub && !bh_insn_is_ja(in) && !bh_insn_is_cond_jump(in))
			continue;
		what = bh_insn_is_local_call(in) ? "call" : sub ? "function address" : "jump";
		t = bh_insn_target(in, i);
		if (t < 0 || t >= len)
			return bh_insn_err(-EINVAL, name, i, "%s to %lld is outside the program (%u insns)", what,
				      (long long)t, len);
		if (flags[t] & BH_CFG_LDDW_HI)
			return bh_insn_err(-EINVAL, name, i, "%s to %lld lands inside the lddw at %lld", what,
				      (long long)t, (long long)t - 1);
		if (sub || t <= i)
			*forward = false;
		if (sub && !(flags[t] & BH_CFG_SUBPROG))
			++*nsub;
		flags[t] |= sub ? BH_CFG_SUBPROG : BH_CFG_JUMP_TARGET;
	}
	return 0;
}

/* Each sub-program ends with exit or ja, and its jumps stay inside it. */
static int check_subprogs(const char *name, const struct bpf_insn *insns, const struct bh_cfg *cfg)
{
	for (uint32_t k = 0; k < cfg->nsub; k++) {
		uint32_t start = cfg->sub_start[k], end = cfg->sub_start[k + 1], last = end - 1;

		if (cfg->flags[last] & BH_CFG_LDDW_HI)
			last--;
		if (!bh_insn_is_exit(&insns[last]) && !bh_insn_is_ja(&insns[last]))
			return bh_insn_err(-EINVAL, name, last,
				      "the last instruction of the sub-program at insn %u must be exit or ja: execution would fall %s",
				      start, end == cfg->len ? "off the end of the program" : "into the next sub-program");
		/* One sub-program: mark_targets() kept every jump inside the program already. */
		for (uint32_t i = start; cfg->nsub > 1 && i < end; i++) {
			int64_t t;

			if (cfg->flags[i] & BH_CFG_LDDW_HI || (!bh_insn_is_ja(&insns[i]) && !bh_insn_is_cond_jump(&insns[i])))
				continue;
			t = bh_insn_target(&insns[i], i);
			if (t < start || t >= end)
				return bh_insn_err(-EINVAL, name, i,
					      "jump to insn %lld leaves its sub-program (insns %u-%u); use a call",
					      (long long)t, start, end - 1);
		}
	}
	return 0;
}

enum { NEW, ON_PATH, DONE };

/*
 * Depth-first from instruction 0, following calls into callees and
 * function addresses into callbacks. An edge back to an instruction on the
 * current path closes a cycle: through a call it is recursion, otherwise a
 * loop whose head is the edge's target.
 */
static int walk(const char *name, const struct bpf_insn *insns, bool unprivileged, struct bh_cfg *cfg)
{
	uint32_t len = cfg->len, *stack = cfg->walk_stack, depth = 0;
	uint8_t *state = cfg->walk_state, *edge;
	int err = 0;

	edge = state + len;	/* how many edges of each instruction on the path were followed */
	/* state[] starts NEW: the allocation is zeroed. */
	stack[depth++] = 0;
	state[0] = ON_PATH;
	edge[0] = 0;
	while (depth && !err) {
		uint32_t i = stack[depth - 1], to[3], n;
		const struct bpf_insn *in = &insns[i];
		bool call;

		n = bh_cfg_successors(insns, i, to);
		if (bh_insn_is_local_call(in) || bh_insn_is_func_addr(in))
			to[n++] = (uint32_t)bh_insn_target(in, i);	/* the callee, last */
		if (edge[i] == n) {
			state[i] = DONE;
			depth--;
			continue;
		}
		call = (bh_insn_is_local_call(in) || bh_insn_is_func_addr(in)) && edge[i] == n - 1;
		uint32_t t = to[edge[i]++];

		if (state[t] == NEW) {
			state[t] = ON_PATH;
			edge[t] = 0;
			stack[depth++] = t;
		} else if (state[t] == ON_PATH) {
			if (call)
				err = bh_insn_err(-EINVAL, name, i,
					     "calls insn %u, which is already running on this path: recursion is not allowed",
					     t);
			else if (unprivileged)
				err = bh_insn_err(-EINVAL, name, i,
					     "back-edge to insn %u: loops are not allowed in unprivileged programs",
					     t);
			else
				cfg->flags[t] |= BH_CFG_LOOP_HEAD;
		}
	}
	return err;
}

/*
 * The walk of a program whose every edge goes forward (no calls, no jump
 * back): nothing closes a cycle, and one pass in order finds what instruction
 * 0 reaches, as the depth-first walk would (the same DONE states, no loop
 * heads). Successors stay inside the program: check_subprogs() saw to it.
 */
static void forward_walk(const struct bpf_insn *insns, struct bh_cfg *cfg)
{
	uint8_t *state = cfg->walk_state;

	state[0] = DONE;
	for (uint32_t i = 0; i < cfg->len; i++) {
		uint32_t to[2];
		unsigned n;

		if (state[i] != DONE || (cfg->flags[i] & BH_CFG_LDDW_HI))
			continue;
		n = bh_cfg_successors(insns, i, to);
		for (unsigned k = 0; k < n; k++)
			state[to[k]] = DONE;
	}
}

/*
 * After the walk, one pass: unreachable instructions (refused), and where
 * states are compared: jump targets, both sides of a branch, after calls,
 * entries. An instruction's flags are final once its predecessor is seen.
 */
static int mark_prune_points(const char *name, const struct bpf_insn *insns, struct bh_cfg *cfg)
{
	const uint8_t *state = cfg->walk_state;

	for (uint32_t i = 0; i < cfg->len; i++) {
		const struct bpf_insn *in = &insns[i];
		uint8_t f = cfg->flags[i];

		if (f & BH_CFG_LDDW_HI)
			continue;
		if (state[i] != DONE)
			return bh_err(-EINVAL,
				      "program '%s': unreachable insn %u: no path from insn 0 reaches it (code after exit or ja, or a function nobody calls); remove it",
				      name, i);
		if (f & (BH_CFG_SUBPROG | BH_CFG_JUMP_TARGET | BH_CFG_LOOP_HEAD))
			f |= BH_CFG_PRUNE;
		if (BPF_CLASS(in->code) == BPF_JMP || BPF_CLASS(in->code) == BPF_JMP32) {
			if ((bh_insn_is_cond_jump(in) || in->code == (BPF_JMP | BPF_CALL) ||
			     in->code == (BPF_JMP | BPF_CALL | BPF_X)) && i + 1 < cfg->len)
				cfg->flags[i + 1] |= BH_CFG_PRUNE;
		}
		cfg->flags[i] = f;
		cfg->nprune += !!(f & BH_CFG_PRUNE);
		cfg->nloops += !!(f & BH_CFG_LOOP_HEAD);
	}
	return 0;
}

int bh_cfg_build(const char *name, const struct bpf_insn *insns, uint32_t len, bool unprivileged,
		 struct bh_cfg *cfg)
{
	return bh_cfg_build_in(name, insns, len, unprivileged, NULL, cfg);
}

int bh_cfg_build_in(const char *name, const struct bpf_insn *insns, uint32_t len, bool unprivileged,
		    struct bh_varena *a, struct bh_cfg *cfg)
{
	bool forward = true;
	int err;

	plat_memset(cfg, 0, sizeof(*cfg));
	if (!len)
		return bh_err(-EINVAL, "program '%s': no instructions", name);
	cfg->len = len;
	cfg->arena = a;
	/*
	 * One allocation for the instruction tables: the walk's stack, the
	 * sub-program starts, the liveness (live.c), the walk's state and edge
	 * counts, the flags (widest first, so each is aligned).
	 */
	cfg->walk_stack = a ? bh_arena_alloc(a, cfg_bytes(len)) : plat_alloc(cfg_bytes(len));
	if (!cfg->walk_stack)
		return bh_err(-ENOMEM, "program '%s': out of memory for the control-flow graph of %u insns",
			      name, len);
	cfg->sub_start = cfg->walk_stack + len;		/* nsub + 1 <= len + 1 entries */
	cfg->live = (uint16_t *)(cfg->sub_start + len + 1);
	cfg->walk_state = (uint8_t *)(cfg->live + len);
	cfg->flags = cfg->walk_state + 2 * (size_t)len;
	/* flags, walk_state and live start clear (the walk's stack and sub_start are written before read). */
	if (a)
		plat_memset(cfg->live, 0, (size_t)(cfg->flags + len - (uint8_t *)cfg->live));
	for (uint32_t i = 0; i + 1 < len; i++)
		if (bh_insn_is_lddw(&insns[i]))
			cfg->flags[++i] |= BH_CFG_LDDW_HI;
	cfg->flags[0] |= BH_CFG_SUBPROG;
	cfg->nsub = 1;
	err = mark_targets(name, insns, len, cfg->flags, &cfg->nsub, &forward);
	if (err)
		goto fail;
	for (uint32_t i = 0, k = 0; k < cfg->nsub; i++)
		if (cfg->flags[i] & BH_CFG_SUBPROG)
			cfg->sub_start[k++] = i;
	cfg->sub_start[cfg->nsub] = len;
	err = check_subprogs(name, insns, cfg);
	if (!err && forward)
		forward_walk(insns, cfg);
	else if (!err)
		err = walk(name, insns, unprivileged, cfg);
	if (!err)
		err = mark_prune_points(name, insns, cfg);
	if (err)
		goto fail;
	bh_cfg_liveness(insns, cfg);
	return 0;
fail:
	bh_cfg_free(cfg);
	return err;
}
