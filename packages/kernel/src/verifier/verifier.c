// SPDX-License-Identifier: MIT
/*
 * The verifier's driver (see verifier.h): a depth-first walk of every path
 * from instruction 0, one instruction at a time, with the branches not
 * taken yet on a worklist (LIFO). At prune points the current state is
 * compared with the states already reached there:
 *
 * - within one whose every continuation has been proven safe ("done"):
 *   this path is safe too and ends;
 * - exactly equal to one still being explored (an ancestor on this path, at
 *   a loop head): the loop made no progress and never ends: refused;
 * - otherwise it is saved and the walk goes on.
 *
 * A saved state is done when every branch pushed after it has been walked:
 * when a path ends and the worklist is no longer than it was at the save
 * (depth-first order makes that exact). Loops are thus explored iteration
 * by iteration until they leave, as Linux does, bounded by the processed
 * instruction limit.
 */
#include "env.h"
#include "../prog/prog_type.h"

/*
 * Saved states per instruction. A loop with a counter saves one per
 * iteration at its head and at its joins, and the branches it left pending
 * are pruned against those once the loop's walk ends: too low a cap turns
 * that into exponential walking (a lookup-and-NULL-check loop of 256
 * iterations hit the 1M limit at 64). Comparisons stay cheap (most misses
 * end at a differing constant: state.c quick_reject).
 */
#define BH_EXPLORED_PER_INSN 2048
/* At a loop head: the ancestors compared for an exact repeat, and how many are kept. */
#define BH_LOOP_REPEAT_WINDOW 8u
#define BH_LOOP_HEAD_UNDONE 64u
/* And in all: a bound on the memory a hostile program can make the verifier hold. */
#define BH_EXPLORED_MAX 32768u

static void explored_free(struct bh_venv *env, struct bh_explored *e)
{
	while (e) {
		struct bh_explored *next = e->next;

		bh_state_free(&e->st);
		bh_arena_free(&env->arena, e, sizeof(*e));
		e = next;
	}
}

int bh_push_branch(struct bh_venv *env, uint32_t insn, struct bh_state *st)
{
	struct bh_pending *p;

	if (env->wl_len >= BH_VERIFY_BRANCH_LIMIT) {
		bh_state_free(st);
		return bh_verr(env, -E2BIG, "more than %u branches are pending at once; the program has "
			       "too many paths to check (split it into sub-programs or tail calls)",
			       BH_VERIFY_BRANCH_LIMIT);
	}
	if (env->wl_len == env->wl_cap) {
		uint32_t cap = env->wl_cap ? env->wl_cap * 2 : 8;
		struct bh_pending *wl = bh_arena_alloc(&env->arena, sizeof(*wl) * cap);

		if (!wl) {
			bh_state_free(st);
			return bh_verr(env, -ENOMEM, "out of memory for the branch worklist");
		}
		if (env->wl_len)
			plat_memcpy(wl, env->wl, sizeof(*wl) * env->wl_len);
		if (env->wl)
			bh_arena_free(&env->arena, env->wl, sizeof(*wl) * env->wl_cap);
		env->wl = wl;
		env->wl_cap = cap;
	}
	p = &env->wl[env->wl_len];
	p->st = bh_arena_alloc(&env->arena, sizeof(*p->st));
	if (!p->st) {
		bh_state_free(st);
		return bh_verr(env, -ENOMEM, "out of memory for the branch worklist");
	}
	bh_state_move(p->st, st);	/* taken over: its frames are the pending branch's now */
	p->insn = insn;
	p->log_pos = env->log_pos;
	env->wl_len++;
	return 0;
}

/*
 * Slots @mask of frame @k are read here: unless this path wrote them since
 * its last saved state, that state and its ancestors (up to where the slot
 * was written) have continuations that read them. Already marked: so are
 * the ancestors.
 */
static void mark_slots(struct bh_venv *env, uint32_t k, uint64_t mask)
{
	struct bh_explored *e = env->cur.checkpoint;

	if (k >= MAX_CALL_FRAMES)
		return;
	if (k < env->cur.nframes)
		mask &= ~env->cur.frames[k]->written;
	while (e && mask) {
		mask &= ~e->live[k];
		e->live[k] |= mask;
		mask &= ~e->written[k];
		e = e->parent;
	}
}

void bh_stack_mark_read(struct bh_venv *env, uint32_t frameno, int64_t lo, int64_t hi)
{
	uint64_t mask = 0;

	if (lo >= hi || hi > 0 || lo < -(int64_t)MAX_BPF_STACK)
		return;
	for (uint32_t s = (uint32_t)(-hi / BH_SLOT_SIZE); s <= (uint32_t)((-lo - 1) / BH_SLOT_SIZE); s++)
		mask |= 1ull << s;
	mark_slots(env, frameno, mask);
}

/* The path ends in (is pruned against) @e: what @e's continuations read, this path's read too. */
static void inherit_reads(struct bh_venv *env, const struct bh_explored *e)
{
	for (uint32_t k = 0; k < env->cur.nframes; k++)
		mark_slots(env, k, e ? e->live[k] : ~0ull);
}

/* Every saved state whose continuations have all been walked is done (see the top). */
static void mark_done(struct bh_venv *env)
{
	while (env->pending_len && env->pending_saved[env->pending_len - 1]->wl_depth >= env->wl_len) {
		env->pending_saved[env->pending_len - 1]->done = true;
		env->pending_len--;
	}
}

static int save_state(struct bh_venv *env, uint32_t i, uint32_t count)
{
	struct bh_explored *e;

	if (count >= BH_EXPLORED_PER_INSN || env->live_states >= BH_EXPLORED_MAX)
		return 0;	/* not saving only costs pruning */
	if (env->pending_len == env->pending_cap) {
		uint32_t cap = env->pending_cap ? env->pending_cap * 2 : 64;
		struct bh_explored **p = bh_arena_alloc(&env->arena, sizeof(*p) * cap);

		if (!p)
			return bh_verr(env, -ENOMEM, "out of memory for explored states");
		if (env->pending_len)
			plat_memcpy(p, env->pending_saved, sizeof(*p) * env->pending_len);
		if (env->pending_saved)
			bh_arena_free(&env->arena, env->pending_saved, sizeof(*p) * env->pending_cap);
		env->pending_saved = p;
		env->pending_cap = cap;
	}
	e = bh_arena_alloc(&env->arena, sizeof(*e));
	if (!e)
		return bh_verr(env, -ENOMEM, "out of memory for explored states");
	if (bh_state_copy(&e->st, &env->cur)) {
		bh_arena_free(&env->arena, e, sizeof(*e));
		return bh_verr(env, -ENOMEM, "out of memory for explored states");
	}
	/* The path's next saved state is this one; what was written since its parent is its own. */
	e->parent = env->cur.checkpoint;
	plat_memset(e->live, 0, sizeof(e->live));
	plat_memset(e->written, 0, sizeof(e->written));
	for (uint32_t k = 0; k < env->cur.nframes; k++) {
		e->written[k] = env->cur.frames[k]->written;
		env->cur.frames[k]->written = 0;
	}
	env->cur.checkpoint = e;
	e->wl_depth = env->wl_len;
	e->hit = 0;
	e->miss = 0;
	e->done = false;
	e->next = env->explored[i];
	env->explored[i] = e;
	env->pending_saved[env->pending_len++] = e;
	env->states++;
	env->live_states++;
	if (count + 1 > env->max_per_insn)
		env->max_per_insn = count + 1;
	if (env->live_states > env->peak_states)
		env->peak_states = env->live_states;
	return 0;
}

/*
 * 1: the path is safe from here (pruned); 0: go on; < 0: refused.
 * Only done states prune. States still being explored (this path's own
 * ancestors) serve two checks: a callback entry they cover (loop.c), and,
 * at loop heads, an exact repeat, an endless loop (the last few suffice:
 * a loop that repeats a state repeats its previous iteration's). A loop
 * head keeps few of them, so a long loop's walk does not compare against
 * every earlier iteration; other prune points keep one per visit, which
 * the branches a loop left pending are pruned against once it ends.
 */
static int visit_prune_point(struct bh_venv *env, uint32_t i)
{
	bool loop_head = env->cfg.flags[i] & BH_CFG_LOOP_HEAD;
	/* Only a callback's first instruction can be covered by a state still being explored. */
	bool cb_entry = bh_cur_frame(env)->callback && env->cfg.sub_start[bh_cur_frame(env)->subprog] == i;
	uint32_t count = 0, undone = 0;
	struct bh_explored **link = &env->explored[i], *e;

	while ((e = *link)) {
		if (e->done) {
			if (bh_state_within_live(&e->st, &env->cur, env->priv, env->cfg.live[i], e->live)) {
				e->hit++;
				inherit_reads(env, e);
				return 1;
			}
			/*
			 * A done state that keeps missing (a loop's exit states, one
			 * per iteration, none alike) only costs comparisons: drop it,
			 * as Linux does. Not saving or dropping never costs soundness.
			 */
			if (++e->miss > e->hit * 4 + 16) {
				*link = e->next;
				e->next = NULL;
				explored_free(env, e);
				env->live_states--;
				continue;
			}
			link = &e->next;
			count++;
			continue;
		}
		link = &e->next;
		count++;
		if (cb_entry && bh_callback_entry_covered(env, i, &e->st)) {
			/* Covered by a state whose continuations are not all known yet: every slot counts as read. */
			inherit_reads(env, NULL);
			return 1;
		}
		if (loop_head && undone++ < BH_LOOP_REPEAT_WINDOW && bh_state_equal(&e->st, &env->cur))
			return bh_verr(env, -EINVAL, "infinite loop: the path comes back to insn %u in the same "
				       "state; nothing in the loop moves it toward its exit", i);
	}
	if (loop_head && undone >= BH_LOOP_HEAD_UNDONE)
		return 0;
	return save_state(env, i, count);
}

static int check_exit(struct bh_venv *env, uint32_t *next, bool *path_end)
{
	struct bh_reg *r0 = bh_cur_reg(env, BPF_REG_0);
	int err;

	if (env->cur.nframes > 1) {
		struct bh_frame *callee = bh_cur_frame(env);

		if (r0->kind == BH_REG_STACK && r0->frameno == env->cur.nframes - 1)
			return bh_verr(env, -EINVAL, "R0 points to this function's stack, which ends with it; "
				       "return a value or write through a pointer the caller passed");
		if (callee->callback)
			return bh_callback_exit(env, next);
		*next = callee->callsite + 1;
		bh_state_pop_frame(&env->cur);
		return 0;
	}
	if (r0->kind == BH_REG_NOT_INIT)
		return bh_verr(env, -EACCES, "R0 is not set at exit; the program must return a value "
			       "(set r0 before exit)");
	if (r0->kind != BH_REG_SCALAR)
		return bh_verr(env, -EACCES, "R0 is a %s pointer at exit; a program returns a scalar (a "
			       "host address would leak to its caller)", bh_reg_kind_name(r0->kind));
	err = bh_refs_check_exit(env, "the program's exit");
	if (err)
		return err;
	*path_end = true;
	return 0;
}

/* Depth of sub-program @s's own stack, as Linux rounds it for the combined limit. */
static uint32_t frame_depth(const struct bh_venv *env, uint32_t s)
{
	return (env->subprog_depth[s] + 15) & ~15u;
}

/*
 * Linux's combined stack rule: along every chain of bpf-to-bpf calls the
 * frames together use at most MAX_BPF_STACK bytes. A depth-first walk of
 * the call graph (the CFG refused recursion) from the main program.
 */
static int check_stack_depth(struct bh_venv *env, uint32_t sub, uint32_t total, uint32_t depth)
{
	uint32_t start = env->cfg.sub_start[sub], end = env->cfg.sub_start[sub + 1];

	total += frame_depth(env, sub);
	if (depth * MAX_BPF_STACK + env->subprog_depth[sub] > env->stack_reach)
		env->stack_reach = depth * MAX_BPF_STACK + env->subprog_depth[sub];
	if (total > MAX_BPF_STACK)
		return bh_insn_err(-EACCES, env->name, start, "the stack of this call chain (%u calls deep) "
				   "is %u bytes, more than the %u all frames share; move buffers to a map "
				   "(a per-CPU array)", depth + 1, total, MAX_BPF_STACK);
	for (uint32_t i = start; i < end; i++) {
		const struct bpf_insn *in = &env->insns[i];

		/* A callback runs in a frame of its own, called from the function that names it. */
		if ((in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL) ||
		    (in->code == (BPF_LD | BPF_IMM | BPF_DW) && in->src_reg == BPF_PSEUDO_FUNC)) {
			uint32_t callee = bh_cfg_subprog_of(&env->cfg, i + in->imm + 1);
			int err = check_stack_depth(env, callee, total, depth + 1);

			if (err)
				return err;
		}
	}
	return 0;
}

static int check_local_call(struct bh_venv *env, const struct bpf_insn *in, uint32_t *next)
{
	uint32_t target = env->insn + in->imm + 1;
	int err;

	/* r1-r5 pass as they are: the callee's reading of an unset one is refused there. */
	err = bh_state_push_frame(&env->cur, env->insn, bh_cfg_subprog_of(&env->cfg, target));
	if (err)
		return bh_verr(env, err, "%s", bpfhost_last_error());
	*next = target;
	return 0;
}

/* One instruction of the current path; *@next where it continues, *@end when it ended. */
static int step(struct bh_venv *env, uint32_t *next, bool *end)
{
	const struct bpf_insn *in = &env->insns[env->insn];
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	*next = env->insn + 1;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		return bh_check_alu(env, in);
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			*next = env->insn + 2;
			return bh_check_lddw(env, in);
		}
		return bh_check_ld_abs(env, in);
	case BPF_LDX:
		return bh_check_load(env, in);
	case BPF_ST:
	case BPF_STX:
		if (BPF_MODE(in->code) == BPF_ATOMIC)
			return bh_check_atomic(env, in);
		return bh_check_store(env, in);
	default:
		break;
	}
	if (op == BPF_JA) {
		*next = env->insn + 1 + (cls == BPF_JMP32 ? in->imm : in->off);
		return 0;
	}
	if (op == BPF_CALL) {
		if (in->src_reg == BPF_PSEUDO_CALL)
			return check_local_call(env, in, next);
		if (BPF_SRC(in->code) == BPF_X)
			return bh_verr(env, -EINVAL, "callx (a call through a register) cannot be checked; "
				       "call helpers by id and functions by offset");
		if (in->imm >= 0 && (uint32_t)in->imm < env->prog->helper_cnt &&
		    env->prog->helpers[in->imm]->id == BPF_FUNC_loop)
			return bh_check_loop_call(env, in, next);
		return bh_check_helper_call(env, in);
	}
	if (op == BPF_EXIT)
		return check_exit(env, next, end);
	return bh_check_cond_jump(env, in, next);
}

static int walk(struct bh_venv *env)
{
	int err;

	for (;;) {
		uint32_t next;
		bool end = false;

		if (++env->processed > BH_VERIFY_INSN_LIMIT)
			return bh_verr(env, -E2BIG, "the program is too complex to verify: %u instructions "
				       "processed (the limit, as Linux's); bound its loops more tightly or split "
				       "it with tail calls", BH_VERIFY_INSN_LIMIT);
		if (env->cfg.flags[env->insn] & BH_CFG_PRUNE) {
			err = visit_prune_point(env, env->insn);
			if (err < 0)
				return err;
			end = err == 1;
			if (end && env->log_level >= 2)
				bh_vlog(env, "%u: safe (within a state already proven safe)\n", env->insn);
		}
		if (!end) {
			if (env->log_level >= 1) {
				if (env->log_level >= 2)
					bh_vlog_state(env, &env->cur);
				bh_vlog_insn(env, env->insn);
			}
			err = step(env, &next, &end);
			if (err)
				return err;
		}
		if (!end) {
			env->insn = next;
			continue;
		}
		/* The path ended safely: take the next pending branch. */
		mark_done(env);
		bh_state_free(&env->cur);
		if (!env->wl_len)
			return 0;
		env->wl_len--;
		bh_state_move(&env->cur, env->wl[env->wl_len].st);
		bh_arena_free(&env->arena, env->wl[env->wl_len].st, sizeof(struct bh_state));
		env->insn = env->wl[env->wl_len].insn;
		if (env->log_level == 1) {	/* level 1 shows the failing path only */
			env->log_pos = env->wl[env->wl_len].log_pos;
			if (env->log)
				env->log[env->log_pos] = 0;
		}
		if (env->log_level >= 1)
			bh_vlog(env, "from a branch to %u:\n", env->insn);
	}
}

int bh_verify(struct bh_prog *prog, const struct bh_verify_opts *opts, struct bh_verify_stats *stats)
{
	/* On the stack (about a kilobyte): one allocation less per load. */
	struct bh_venv env_storage, *env = &env_storage;
	int err;

	plat_memset(env, 0, sizeof(*env));
	env->prog = prog;
	env->name = prog->name;
	env->insns = prog->insns;
	env->len = prog->len;
	env->opts = opts;
	env->priv = !opts->unprivileged;
	env->log = opts->log_buf;
	env->log_size = opts->log_buf ? opts->log_size : 0;
	env->log_level = opts->log_buf ? (opts->log_level & 3) : 0;
	if (env->log && env->log_size)
		env->log[0] = 0;
	err = bh_cfg_build_in(prog->name, prog->insns, prog->len, opts->unprivileged, &env->arena, &env->cfg);
	if (err) {
		bh_arena_release(&env->arena);	/* the CFG's tables were its first blocks */
		return err;
	}
	env->explored = bh_arena_alloc(&env->arena, sizeof(*env->explored) * prog->len);
	env->subprog_depth = bh_arena_alloc(&env->arena, sizeof(*env->subprog_depth) * env->cfg.nsub);
	if (!env->explored || !env->subprog_depth) {
		err = bh_err(-ENOMEM, "program '%s': out of memory for the verifier", prog->name);
		goto out;
	}
	plat_memset(env->explored, 0, sizeof(*env->explored) * prog->len);
	plat_memset(env->subprog_depth, 0, sizeof(*env->subprog_depth) * env->cfg.nsub);
	err = bh_state_init_in(&env->cur, &env->arena);
	if (err)
		goto out;
	err = walk(env);
	if (!err)
		err = check_stack_depth(env, 0, 0, 0);
	if (err)
		bh_state_free(&env->cur);
	if (!err && env->log_level == 1 && env->log) {	/* level 1 is about the failing path */
		env->log_pos = 0;
		env->log[0] = 0;
	}
	if (env->log_level || (opts->log_level & 4))
		bh_vlog(env, "processed %llu insns (limit %u) max_states_per_insn %u total_states %u\n",
			(unsigned long long)env->processed, BH_VERIFY_INSN_LIMIT, env->max_per_insn,
			env->states);
	if (err && env->log_level)
		bh_vlog(env, "%s\n", bpfhost_last_error());
	if (stats) {
		stats->processed = env->processed;
		stats->total_states = env->states;
		stats->peak_states = env->peak_states;
		stats->stack_reach = env->stack_reach;
	}
out:
	/*
	 * Every state (pending branches, saved states) lives in the arena: its
	 * release frees them all, with the CFG's tables, the explored lists,
	 * pending_saved, subprog_depth and wl, at once rather than block by block.
	 */
	bh_arena_release(&env->arena);
	return err;
}
