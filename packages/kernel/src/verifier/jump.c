// SPDX-License-Identifier: MIT
/*
 * Conditional jumps: the state is split into the taken side (pushed on the
 * worklist) and the fall-through (walked now), each refined by what its
 * side proves: scalar bounds (branch.c, copies linked by id refined
 * together), NULL checks (every copy of the pointer), and packet ranges
 * (`if data + N > data_end` proves N bytes for every pointer with the
 * same base). A side no value can take is not walked.
 */
#include "branch.h"
#include "env.h"

/*
 * bh_scalar_branch() is pure, like the ALU transfers (alu.c): its last
 * BH_BRANCH_MEMO results per verification, by a hash of what it reads,
 * spare refining the same pair again where paths meet.
 */
#define BH_BRANCH_MEMO 16u

struct bh_branch_memo {
	bool used;
	uint8_t op;
	bool is64;
	enum bh_branch br;
	struct bh_scalar dst, src, taken[2], fall[2];
};

static enum bh_branch branch_memo(struct bh_venv *env, uint8_t op, bool is64, const struct bh_scalar *dst,
				  const struct bh_scalar *src, struct bh_scalar t[2], struct bh_scalar f[2])
{
	struct bh_branch_memo *m;
	uint64_t h;

	if (bh_scalar_is_const(dst) && bh_scalar_is_const(src))	/* decided at once (branch.c) */
		return bh_scalar_branch(op, is64, dst, src, t, f);
	if (!env->branch_memo) {
		env->branch_memo = bh_arena_alloc(&env->arena, sizeof(*env->branch_memo) * BH_BRANCH_MEMO);
		if (!env->branch_memo)	/* no memory only costs the memo */
			return bh_scalar_branch(op, is64, dst, src, t, f);
		for (uint32_t k = 0; k < BH_BRANCH_MEMO; k++)
			env->branch_memo[k].used = false;
	}
	h = (op | (uint64_t)is64 << 8) * 0x9e3779b97f4a7c15ull;
	h ^= (dst->var.value ^ dst->var.mask * 3 ^ dst->umax ^ dst->smin) * 0xbf58476d1ce4e5b9ull;
	h ^= (src->var.value ^ src->var.mask * 3 ^ src->umax ^ src->smin) * 0x94d049bb133111ebull;
	m = &env->branch_memo[(h >> 40) % BH_BRANCH_MEMO];
	if (!(m->used && m->op == op && m->is64 == is64 && bh_scalar_same(&m->dst, dst) &&
	      bh_scalar_same(&m->src, src))) {
		m->used = true;
		m->op = op;
		m->is64 = is64;
		m->dst = *dst;
		m->src = *src;
		m->br = bh_scalar_branch(op, is64, dst, src, m->taken, m->fall);
	}
	t[0] = m->taken[0];
	t[1] = m->taken[1];
	f[0] = m->fall[0];
	f[1] = m->fall[1];
	return m->br;
}

/* Every scalar copy of @id (registers and spills of every frame) becomes @v. */
static void refine_linked(struct bh_state *st, uint32_t id, const struct bh_scalar *v)
{
	if (!id)
		return;
	for (uint32_t i = 0; i < st->nframes; i++) {
		struct bh_frame *f = st->frames[i];

		for (unsigned r = 0; r < MAX_BPF_REG; r++)
			if (f->regs[r].kind == BH_REG_SCALAR && f->regs[r].id == id)
				f->regs[r].var = *v;
		for (uint32_t k = 0; k < f->nslots; k++)
			if (f->slots[k].spilled.kind == BH_REG_SCALAR && f->slots[k].spilled.id == id)
				f->slots[k].spilled.var = *v;
	}
}

static void set_scalars(struct bh_state *st, unsigned dst, int src, const struct bh_scalar v[2])
{
	struct bh_frame *f = st->frames[st->nframes - 1];

	f->regs[dst].var = v[0];
	refine_linked(st, f->regs[dst].id, &v[0]);
	if (src >= 0) {
		f->regs[src].var = v[1];
		refine_linked(st, f->regs[src].id, &v[1]);
	}
}

/* Packet pointers of @kind with @id: @range bytes from their base are proven inside. */
static void mark_range(struct bh_state *st, enum bh_reg_kind kind, uint32_t id, int32_t range)
{
	if (range <= 0 || range > BH_MAX_PACKET_OFF)
		return;
	for (uint32_t i = 0; i < st->nframes; i++) {
		struct bh_frame *f = st->frames[i];

		for (unsigned r = 0; r < MAX_BPF_REG; r++)
			if (f->regs[r].kind == kind && f->regs[r].id == id && f->regs[r].range < (uint32_t)range)
				f->regs[r].range = (uint32_t)range;
		for (uint32_t k = 0; k < f->nslots; k++) {
			struct bh_reg *s = &f->slots[k].spilled;

			if (s->kind == kind && s->id == id && s->range < (uint32_t)range)
				s->range = (uint32_t)range;
		}
	}
}

/*
 * `ptr op limit` between a packet pointer and its limit (data_end for
 * packet pointers, the packet start for metadata pointers): which side
 * proves ptr <= limit. Returns 0 for neither, 1 taken, 2 fall-through.
 */
static int range_side(uint8_t op, bool ptr_is_dst)
{
	if (ptr_is_dst) {
		switch (op) {
		case BPF_JGT: case BPF_JGE: return 2;	/* fall: ptr <= limit (or <) */
		case BPF_JLT: case BPF_JLE: return 1;
		default: return 0;
		}
	}
	switch (op) {
	case BPF_JGT: case BPF_JGE: return 1;		/* limit > ptr taken */
	case BPF_JLT: case BPF_JLE: return 2;		/* limit < ptr: fall is limit >= ptr */
	default: return 0;
	}
}

static bool is_packet_limit(const struct bh_reg *ptr, const struct bh_reg *other)
{
	if (ptr->kind == BH_REG_PACKET)
		return other->kind == BH_REG_PACKET_END;
	/* Metadata ends where the packet starts: the unmoved packet pointer. */
	return ptr->kind == BH_REG_PACKET_META && other->kind == BH_REG_PACKET && !other->off &&
	       bh_scalar_is_const(&other->var) && !other->var.var.value;
}

static int pointer_pair(struct bh_venv *env, const struct bpf_insn *in, struct bh_state *taken,
			uint32_t target, uint32_t *next)
{
	const struct bh_reg *d = bh_cur_reg(env, in->dst_reg), *s = bh_cur_reg(env, in->src_reg);
	uint8_t op = BPF_OP(in->code);
	const struct bh_reg *ptr = NULL;
	int side = 0;

	if (BPF_CLASS(in->code) == BPF_JMP && is_packet_limit(d, s)) {
		ptr = d;
		side = range_side(op, true);
	} else if (BPF_CLASS(in->code) == BPF_JMP && is_packet_limit(s, d)) {
		ptr = s;
		side = range_side(op, false);
	}
	if (!ptr && !env->priv)
		return bh_verr(env, -EACCES, "R%u pointer comparison is prohibited for unprivileged programs",
			       in->dst_reg);
	if (ptr && side == 1)
		mark_range(taken, ptr->kind, ptr->id, ptr->off);
	else if (ptr && side == 2)
		mark_range(&env->cur, ptr->kind, ptr->id, ptr->off);
	*next = env->insn + 1;
	return bh_push_branch(env, target, taken);
}

int bh_check_cond_jump(struct bh_venv *env, const struct bpf_insn *in, uint32_t *next)
{
	bool is64 = BPF_CLASS(in->code) == BPF_JMP, x = BPF_SRC(in->code) == BPF_X;
	uint32_t target = env->insn + 1 + in->off;
	uint8_t op = BPF_OP(in->code);
	struct bh_reg *d, src_imm, *s;
	struct bh_state taken;
	enum bh_branch br;
	int err = bh_check_reg_init(env, in->dst_reg);

	if (!err && x)
		err = bh_check_reg_init(env, in->src_reg);
	if (err)
		return err;
	d = bh_cur_reg(env, in->dst_reg);
	if (x) {
		s = bh_cur_reg(env, in->src_reg);
	} else {
		src_imm = bh_reg_const(is64 ? (uint64_t)(int64_t)in->imm : (uint32_t)in->imm);
		s = &src_imm;
	}
	if (d->kind == BH_REG_SCALAR && s->kind == BH_REG_SCALAR) {
		struct bh_scalar t[2], f[2];

		br = branch_memo(env, op, is64, &d->var, &s->var, t, f);
		if (br == BH_BRANCH_ALWAYS) {
			*next = target;
			return 0;
		}
		if (br == BH_BRANCH_NEVER) {
			*next = env->insn + 1;
			return 0;
		}
		err = bh_state_copy(&taken, &env->cur);
		if (err)
			return bh_verr(env, err, "%s", bpfhost_last_error());
		set_scalars(&taken, in->dst_reg, x ? in->src_reg : -1, t);
		set_scalars(&env->cur, in->dst_reg, x ? in->src_reg : -1, f);
		*next = env->insn + 1;
		return bh_push_branch(env, target, &taken);
	}
	if (d->kind != BH_REG_SCALAR && s->kind != BH_REG_SCALAR) {
		err = bh_state_copy(&taken, &env->cur);
		if (err)
			return bh_verr(env, err, "%s", bpfhost_last_error());
		err = pointer_pair(env, in, &taken, target, next);
		bh_state_free(&taken);
		return err;
	}
	{
		/* A pointer and a scalar: NULL checks, or (privileged) an undecided compare. */
		bool ptr_dst = d->kind != BH_REG_SCALAR;
		const struct bh_reg *ptr = ptr_dst ? d : s, *other = ptr_dst ? s : d;
		enum bh_null_side side = BH_NULL_NOWHERE;
		uint32_t id = ptr->id;

		br = (ptr_dst || op == BPF_JEQ || op == BPF_JNE) ?
			     bh_pointer_branch(op, is64, ptr, &other->var, &side) : BH_BRANCH_UNKNOWN;
		if (side == BH_NULL_NOWHERE && !env->priv)
			return bh_verr(env, -EACCES, "R%u pointer comparison is prohibited for unprivileged "
				       "programs (only `!= 0` checks of maybe-NULL pointers)",
				       ptr_dst ? in->dst_reg : in->src_reg);
		if (br == BH_BRANCH_ALWAYS) {
			*next = target;
			return 0;
		}
		if (br == BH_BRANCH_NEVER) {
			*next = env->insn + 1;
			return 0;
		}
		err = bh_state_copy(&taken, &env->cur);
		if (err)
			return bh_verr(env, err, "%s", bpfhost_last_error());
		if (side != BH_NULL_NOWHERE) {
			bh_state_mark_null(&taken, id, side == BH_NULL_TAKEN);
			bh_state_mark_null(&env->cur, id, side == BH_NULL_FALL);
		}
		*next = env->insn + 1;
		return bh_push_branch(env, target, &taken);
	}
}
