// SPDX-License-Identifier: MIT
/*
 * bpf_loop(nr_loops, callback, ctx, flags): the callback runs any number of
 * times, each time in a frame of its own with r1 the iteration and r2 ctx.
 * Verified as Linux verifies it, as a loop: at the call the path splits
 * into "no call at all" and "into the callback"; at each return from the
 * callback it splits again into "done" and "once more". The next entry is
 * widened against the previous one (a scalar that changed between two
 * entries becomes unknown), so entries soon repeat; an entry within an
 * earlier entry still being explored is pruned against it. That prune is
 * sound for callbacks only: bpf_loop, not the program, bounds the
 * iterations (8,388,608 at most), so only the finite repetitions matter,
 * and each is a repetition the earlier entry's exploration covers.
 */
#include "env.h"

/* Linux's BPF_MAX_LOOPS: the iteration a callback sees is below it. */
#define BH_MAX_LOOPS (1u << 23)

/* The callback's frame on top of @st: r1 the iteration, r2 the ctx, the rest unset. */
static int enter(struct bh_venv *env, struct bh_state *st, uint32_t callsite, uint32_t target,
		 const struct bh_reg *ctx)
{
	struct bh_frame *f;
	int err = bh_state_push_frame(st, callsite, bh_cfg_subprog_of(&env->cfg, target));

	if (err)
		return bh_verr(env, err, "%s", bpfhost_last_error());
	f = st->frames[st->nframes - 1];
	f->callback = true;
	f->cb_ctx = *ctx;
	f->regs[BPF_REG_1] = (struct bh_reg){ .kind = BH_REG_SCALAR,
					      .var = bh_scalar_urange(0, BH_MAX_LOOPS - 1) };
	f->regs[BPF_REG_2] = *ctx;
	for (unsigned r = BPF_REG_3; r <= BPF_REG_5; r++)
		f->regs[r] = (struct bh_reg){ .kind = BH_REG_NOT_INIT };
	return 0;
}

/* After the call: r0 the number of calls (or an error), r1-r5 unset. */
static void after_call(struct bh_state *st)
{
	struct bh_frame *f = st->frames[st->nframes - 1];

	for (unsigned r = BPF_REG_1; r <= BPF_REG_5; r++)
		f->regs[r] = (struct bh_reg){ .kind = BH_REG_NOT_INIT };
	f->regs[BPF_REG_0] = bh_reg_unknown_scalar();
}

int bh_check_loop_call(struct bh_venv *env, const struct bpf_insn *in, uint32_t *next)
{
	const struct bh_reg *fn, *ctx;
	struct bh_state skip;
	uint32_t target;
	int err;

	(void)in;
	for (unsigned r = BPF_REG_1; r <= BPF_REG_4; r++) {
		err = bh_check_reg_init(env, r);
		if (err)
			return err;
	}
	if (bh_cur_reg(env, BPF_REG_1)->kind != BH_REG_SCALAR || bh_cur_reg(env, BPF_REG_4)->kind != BH_REG_SCALAR)
		return bh_verr(env, -EACCES, "bpf_loop takes a number of loops (r1) and flags (r4), not pointers");
	fn = bh_cur_reg(env, BPF_REG_2);
	if (fn->kind != BH_REG_FUNC)
		return bh_verr(env, -EACCES, "R2: bpf_loop takes a static function (lddw rX, func) as its "
			       "callback, not a %s", bh_reg_kind_name(fn->kind));
	target = (uint32_t)fn->off;
	if (target >= env->len || !(env->cfg.flags[target] & BH_CFG_SUBPROG))
		return bh_verr(env, -EINVAL, "R2: the callback at insn %u is not the start of a function", target);
	ctx = bh_cur_reg(env, BPF_REG_3);
	if (ctx->kind != BH_REG_STACK &&
	    !(ctx->kind == BH_REG_SCALAR && bh_scalar_is_const(&ctx->var) && !ctx->var.var.value))
		return bh_verr(env, -EACCES, "R3: bpf_loop's context is a pointer to the stack or NULL, not "
			       "a %s", bh_reg_kind_name(ctx->kind));
	/* No call at all (nr_loops 0, flags or a count refused), or the calls already made. */
	err = bh_state_copy(&skip, &env->cur);
	if (err)
		return bh_verr(env, err, "%s", bpfhost_last_error());
	after_call(&skip);
	err = bh_push_branch(env, env->insn + 1, &skip);
	if (err)
		return err;
	{
		struct bh_reg c = *ctx;

		err = enter(env, &env->cur, env->insn, target, &c);
	}
	*next = target;
	return err;
}

/* The latest entry of the callback at @target still being explored with the frames of @st. */
static const struct bh_state *last_entry(struct bh_venv *env, uint32_t target, const struct bh_state *st)
{
	for (const struct bh_explored *e = env->explored[target]; e; e = e->next) {
		const struct bh_frame *ef, *sf;

		if (e->done || e->st.nframes != st->nframes)
			continue;
		ef = e->st.frames[e->st.nframes - 1];
		sf = st->frames[st->nframes - 1];
		if (ef->callback && ef->callsite == sf->callsite)
			return &e->st;
	}
	return NULL;
}

static void widen_reg(struct bh_reg *cur, const struct bh_reg *old)
{
	if (cur->kind == BH_REG_SCALAR && old->kind == BH_REG_SCALAR &&
	    !(bh_scalar_within(&cur->var, &old->var) && bh_scalar_within(&old->var, &cur->var))) {
		/* Field by field: GCC 12 under TSan misjudges a whole-struct store here. */
		cur->var = bh_scalar_unknown();
		cur->id = 0;
	}
}

/* Scalars of the callers' frames that changed since the last entry become unknown. */
static void widen(struct bh_state *st, const struct bh_state *old)
{
	for (uint32_t i = 0; i + 1 < st->nframes; i++) {
		struct bh_frame *f = st->frames[i];
		const struct bh_frame *o = old->frames[i];

		for (unsigned r = 0; r < MAX_BPF_REG; r++)
			widen_reg(&f->regs[r], &o->regs[r]);
		for (uint32_t k = 0; k < f->nslots && k < o->nslots; k++)
			if (f->slots[k].type[0] == BH_STACK_SPILL && o->slots[k].type[0] == BH_STACK_SPILL)
				widen_reg(&f->slots[k].spilled, &o->slots[k].spilled);
	}
}

int bh_callback_exit(struct bh_venv *env, uint32_t *next)
{
	struct bh_frame *callee = bh_cur_frame(env);
	const struct bh_reg *r0 = &callee->regs[BPF_REG_0];
	uint32_t callsite = callee->callsite, target = env->cfg.sub_start[callee->subprog];
	struct bh_reg ctx = callee->cb_ctx;
	const struct bh_state *last;
	struct bh_state again;
	int err;

	if (r0->kind != BH_REG_SCALAR || r0->var.umax > 1)
		return bh_verr(env, -EACCES, "R0 at the callback's return must be 0 (go on) or 1 (stop)%s",
			       r0->kind == BH_REG_SCALAR ? "; it may be something else" : "");
	bh_state_pop_frame(&env->cur);
	/* Once more: the next entry, widened against the last one. */
	err = bh_state_copy(&again, &env->cur);
	if (err)
		return bh_verr(env, err, "%s", bpfhost_last_error());
	err = enter(env, &again, callsite, target, &ctx);
	last = err ? NULL : last_entry(env, target, &again);
	if (last)
		widen(&again, last);
	if (!err)
		err = bh_push_branch(env, target, &again);
	bh_state_free(&again);
	if (err)
		return err;
	/* Or the loop is over. */
	after_call(&env->cur);
	*next = callsite + 1;
	return 0;
}

bool bh_callback_entry_covered(struct bh_venv *env, uint32_t i, const struct bh_state *old)
{
	const struct bh_frame *f = bh_cur_frame(env);

	return f->callback && env->cfg.sub_start[f->subprog] == i &&
	       bh_state_within(old, &env->cur, env->priv);
}
