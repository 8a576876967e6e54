// SPDX-License-Identifier: MIT
/*
 * ALU instructions and lddw. Scalars go through the tnum/bounds transfer
 * functions (bounds.c). Pointers follow Linux's rules: only 64-bit add and
 * subtract of a scalar move a pointer (a constant into its fixed offset,
 * anything else into its variable part); maybe-NULL pointers, map pointers
 * and packet ends do not move at all; any other operation on a pointer is
 * refused, except where Linux lets a privileged program turn one into a
 * scalar (a host address then, which only privileged programs may see).
 */
#include "env.h"

static bool is_pointer(const struct bh_reg *r)
{
	return r->kind != BH_REG_SCALAR && r->kind != BH_REG_NOT_INIT;
}

/* dst becomes a scalar with no link to other registers. */
static void set_scalar(struct bh_reg *dst, struct bh_scalar v)
{
	*dst = (struct bh_reg){ .kind = BH_REG_SCALAR, .var = v };
}

/*
 * The transfer functions are pure: the same instruction on the same
 * abstract values gives the same result, and paths that meet again bring
 * the same values back to the same instructions. The costly ones (32-bit
 * ops beyond add/sub/and/or/xor, which run the 64-bit transfer on both
 * extensions, and 64-bit mul and lsh, which add the 32-bit view) keep
 * their last results per verification, BH_ALU_MEMO of them, by a hash of
 * what they read.
 */
#define BH_ALU_MEMO 32u

struct bh_alu_memo {
	bool used;
	uint8_t code;
	int16_t off;
	int32_t imm;
	struct bh_scalar dst, src, out;
};

static bool memo_worth(const struct bpf_insn *in)
{
	uint8_t op = BPF_OP(in->code);

	if (BPF_CLASS(in->code) == BPF_ALU64)
		return op == BPF_MUL || op == BPF_LSH;
	return op != BPF_ADD && op != BPF_SUB && op != BPF_AND && op != BPF_OR && op != BPF_XOR;
}

/* bh_scalar_alu_insn(@in, @dst, @src), from the memo when it was computed before. */
static struct bh_scalar alu_memo(struct bh_venv *env, const struct bpf_insn *in, const struct bh_scalar *dst,
				 const struct bh_scalar *src)
{
	static const struct bh_scalar none;
	const struct bh_scalar *s = src ? src : &none;
	struct bh_alu_memo *m;
	uint64_t h;

	if (!memo_worth(in))
		return bh_scalar_alu_insn(in, dst, src);
	if (!env->alu_memo) {
		env->alu_memo = bh_arena_alloc(&env->arena, sizeof(*env->alu_memo) * BH_ALU_MEMO);
		if (!env->alu_memo)	/* no memory only costs the memo */
			return bh_scalar_alu_insn(in, dst, src);
		for (uint32_t k = 0; k < BH_ALU_MEMO; k++)
			env->alu_memo[k].used = false;
	}
	h = (in->code | (uint64_t)(uint16_t)in->off << 8 | (uint64_t)(uint32_t)in->imm << 24) * 0x9e3779b97f4a7c15ull;
	h ^= (dst->var.value ^ dst->var.mask * 3 ^ dst->umax ^ dst->smin) * 0xbf58476d1ce4e5b9ull;
	h ^= (s->var.value ^ s->var.mask * 3 ^ s->umax ^ s->smin) * 0x94d049bb133111ebull;
	m = &env->alu_memo[(h >> 40) % BH_ALU_MEMO];
	if (m->used && m->code == in->code && m->off == in->off && m->imm == in->imm && bh_scalar_same(&m->dst, dst) &&
	    bh_scalar_same(&m->src, s))
		return m->out;
	m->used = true;
	m->code = in->code;
	m->off = in->off;
	m->imm = in->imm;
	m->dst = *dst;
	m->src = *s;
	m->out = bh_scalar_alu_insn(in, dst, src);
	return m->out;
}

static const char *op_name(uint8_t op)
{
	static const char *const names[16] = {
		"+", "-", "*", "/", "|", "&", "<<", ">>", "neg", "%", "^", "mov", "s>>", "bswap", "?", "?",
	};

	return names[op >> 4];
}

/* A register operand turned into a scalar of the instruction's source. */
static struct bh_scalar source_scalar(const struct bpf_insn *in, const struct bh_reg *src)
{
	if (BPF_SRC(in->code) == BPF_X)
		return src->var;
	/* ALU64 sign-extends the immediate; ALU uses its 32 bits. */
	if (BPF_CLASS(in->code) == BPF_ALU64)
		return bh_scalar_const((uint64_t)(int64_t)in->imm);
	return bh_scalar_const((uint32_t)in->imm);
}

/* Linux's check_reg_sane_offset: pointer offsets stay far from overflowing. */
static int check_sane_offset(struct bh_venv *env, unsigned regno, const struct bh_reg *r)
{
	int64_t lo = r->var.smin, hi = r->var.smax;

	if (r->off >= BH_MAX_VAR_OFF || r->off <= -BH_MAX_VAR_OFF)
		return bh_verr(env, -EACCES, "R%u %s pointer offset %d is out of range (at most %d either "
			       "way)", regno, bh_reg_kind_name(r->kind), r->off, BH_MAX_VAR_OFF - 1);
	if (lo <= -BH_MAX_VAR_OFF || hi >= BH_MAX_VAR_OFF)
		return bh_verr(env, -EACCES, "R%u math between a %s pointer and a register with unbounded "
			       "value is not allowed; bound it first (`if (x < N)` or `x &= MASK`)", regno,
			       bh_reg_kind_name(r->kind));
	return 0;
}

/* dst (pointer @ptr) op scalar @s, for dst = ptr op s or dst = s + ptr. */
static int pointer_alu(struct bh_venv *env, const struct bpf_insn *in, struct bh_reg *dst,
		       const struct bh_reg *ptr, const struct bh_scalar *s, bool ptr_is_src)
{
	uint8_t op = BPF_OP(in->code);
	struct bh_reg r = *ptr;
	int err;

	if (BPF_CLASS(in->code) != BPF_ALU64) {
		if (env->priv && op == BPF_SUB) {	/* a meaningless scalar made of a host address */
			set_scalar(dst, bh_scalar_urange(0, UINT32_MAX));
			return 0;
		}
		return bh_verr(env, -EACCES, "R%u 32-bit pointer arithmetic is prohibited", in->dst_reg);
	}
	if (bh_reg_kind_or_null(r.kind))
		return bh_verr(env, -EACCES, "R%u pointer arithmetic on %s is prohibited; check it against "
			       "NULL (0) first", ptr_is_src ? in->src_reg : in->dst_reg,
			       bh_reg_kind_name(r.kind));
	if (r.kind == BH_REG_PACKET_END || r.kind == BH_REG_FUNC ||
	    (r.kind == BH_REG_MAP_PTR && !(bh_scalar_is_const(s) && !s->var.value && op == BPF_ADD)))
		return bh_verr(env, -EACCES, "R%u pointer arithmetic on %s is prohibited",
			       ptr_is_src ? in->src_reg : in->dst_reg, bh_reg_kind_name(r.kind));
	if (op != BPF_ADD && op != BPF_SUB)
		return bh_verr(env, -EACCES, "R%u: %s on a %s pointer is prohibited (only + and - of a "
			       "scalar move a pointer)", in->dst_reg, op_name(op), bh_reg_kind_name(r.kind));
	if (op == BPF_SUB && ptr_is_src)
		return bh_verr(env, -EACCES, "R%u: a pointer subtracted from a scalar is prohibited",
			       in->dst_reg);
	if (op == BPF_SUB && r.kind == BH_REG_STACK)	/* as Linux: move the frame pointer by adding */
		return bh_verr(env, -EACCES, "R%u subtraction from a stack pointer is prohibited; add a "
			       "negative offset instead", in->dst_reg);
	if (!env->priv && !bh_scalar_is_const(s) && s->smin < 0 && s->smax >= 0)
		return bh_verr(env, -EACCES, "R%u: pointer arithmetic with a value of mixed signed bounds is "
			       "prohibited for unprivileged programs", in->dst_reg);
	if (bh_scalar_is_const(s)) {
		int64_t c = (int64_t)s->var.value, off = r.off;

		if (c <= -BH_MAX_VAR_OFF || c >= BH_MAX_VAR_OFF)
			return bh_verr(env, -EACCES, "R%u %s pointer moved by %lld, out of range (at most %d)",
				       in->dst_reg, bh_reg_kind_name(r.kind), (long long)c, BH_MAX_VAR_OFF - 1);
		off = op == BPF_ADD ? off + c : off - c;
		r.off = (int32_t)off;
		if (off != r.off)
			return bh_verr(env, -EACCES, "R%u pointer offset overflows", in->dst_reg);
	} else {
		struct bh_scalar sum;

		if (s->smin <= -BH_MAX_VAR_OFF || s->smax >= BH_MAX_VAR_OFF)
			return bh_verr(env, -EACCES, "R%u math between a %s pointer and a register with "
				       "unbounded value is not allowed; bound it first (`if (x < N)` or "
				       "`x &= MASK`)", in->dst_reg, bh_reg_kind_name(r.kind));
		sum = bh_scalar_alu(op, true, 0, &r.var, s);
		r.var = sum;
		if (r.kind == BH_REG_PACKET || r.kind == BH_REG_PACKET_META) {
			/* A new variable part: nothing of it is proven inside the packet yet. */
			r.id = bh_new_id(env);
			r.range = 0;
		}
	}
	err = check_sane_offset(env, in->dst_reg, &r);
	if (err)
		return err;
	*dst = r;
	return 0;
}

static int check_mov(struct bh_venv *env, const struct bpf_insn *in, struct bh_reg *dst)
{
	bool is64 = BPF_CLASS(in->code) == BPF_ALU64;
	struct bh_reg *src;
	int err;

	if (BPF_SRC(in->code) == BPF_K) {
		set_scalar(dst, bh_scalar_alu_insn(in, &dst->var, NULL));
		return 0;
	}
	err = bh_check_reg_init(env, in->src_reg);
	if (err)
		return err;
	src = bh_cur_reg(env, in->src_reg);
	if (is_pointer(src)) {
		if (is64 && !in->off) {
			*dst = *src;
			return 0;
		}
		if (!env->priv)
			return bh_verr(env, -EACCES, "R%u partial copy of a pointer is prohibited",
				       in->src_reg);
		set_scalar(dst, is64 ? bh_scalar_unknown() : bh_scalar_urange(0, UINT32_MAX));
		return 0;
	}
	if (is64 && !in->off) {
		/* A copy: a later bounds check on either refines both (scalar ids). */
		if (!src->id && !bh_scalar_is_const(&src->var))
			src->id = bh_new_id(env);
		*dst = *src;
		return 0;
	}
	set_scalar(dst, bh_scalar_alu_insn(in, &dst->var, &src->var));
	return 0;
}

int bh_check_alu(struct bh_venv *env, const struct bpf_insn *in)
{
	uint8_t op = BPF_OP(in->code);
	bool is64 = BPF_CLASS(in->code) == BPF_ALU64;
	struct bh_reg *dst, *src = NULL;
	struct bh_scalar s;
	int err;

	if (in->dst_reg == BPF_REG_10)
		return bh_verr(env, -EACCES, "r10, the frame pointer, is read-only");
	dst = bh_cur_reg(env, in->dst_reg);
	if (op == BPF_MOV)
		return check_mov(env, in, dst);
	err = bh_check_reg_init(env, in->dst_reg);
	if (err)
		return err;
	if (op == BPF_NEG || op == BPF_END) {
		if (is_pointer(dst)) {
			if (!env->priv)
				return bh_verr(env, -EACCES, "R%u pointer arithmetic prohibited", in->dst_reg);
			set_scalar(dst, bh_scalar_unknown());
			return 0;
		}
		set_scalar(dst, bh_scalar_alu_insn(in, &dst->var, NULL));
		return 0;
	}
	if (BPF_SRC(in->code) == BPF_X) {
		err = bh_check_reg_init(env, in->src_reg);
		if (err)
			return err;
		src = bh_cur_reg(env, in->src_reg);
	} else {
		unsigned bits = is64 ? 64 : 32;

		if ((op == BPF_DIV || op == BPF_MOD) && !in->imm)
			return bh_verr(env, -EINVAL, "division by the constant zero");
		if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) && (uint32_t)in->imm >= bits)
			return bh_verr(env, -EINVAL, "shift by %d, not below the width %u", in->imm, bits);
	}
	if (src && is_pointer(src)) {
		if (is_pointer(dst)) {
			if (op == BPF_SUB && env->priv) {	/* a distance between host addresses */
				set_scalar(dst, is64 ? bh_scalar_unknown() : bh_scalar_urange(0, UINT32_MAX));
				return 0;
			}
			return bh_verr(env, -EACCES, "R%u pointer %s pointer is prohibited", in->dst_reg,
				       op_name(op));
		}
		struct bh_reg ptr = *src;

		s = dst->var;
		return pointer_alu(env, in, dst, &ptr, &s, true);
	}
	s = source_scalar(in, src);
	if (is_pointer(dst)) {
		struct bh_reg ptr = *dst;

		return pointer_alu(env, in, dst, &ptr, &s, false);
	}
	{
		uint64_t r;

		if (bh_scalar_is_const(&dst->var) && (!src || bh_scalar_is_const(&src->var)) &&
		    bh_alu_const(in, dst->var.var.value, src ? src->var.var.value : 0, &r)) {
			set_scalar(dst, bh_scalar_const(r));	/* two known values: computed, as run */
			return 0;
		}
	}
	set_scalar(dst, alu_memo(env, in, &dst->var, src ? &src->var : NULL));
	return 0;
}

int bh_check_lddw(struct bh_venv *env, const struct bpf_insn *in)
{
	struct bh_map *map = env->opts->lddw_map ? env->opts->lddw_map[env->insn] : NULL;
	struct bh_reg *dst;

	if (in->dst_reg == BPF_REG_10)
		return bh_verr(env, -EACCES, "r10, the frame pointer, is read-only");
	dst = bh_cur_reg(env, in->dst_reg);
	if (in->src_reg == BPF_PSEUDO_FUNC) {	/* relative, as the CFG found it */
		*dst = (struct bh_reg){ .kind = BH_REG_FUNC, .var = bh_scalar_const(0),
					.off = (int32_t)(env->insn + 1 + in->imm) };
		return 0;
	}
	if (!map) {
		if (in->src_reg)
			return bh_verr(env, -EINVAL, "lddw with source %u is not supported", in->src_reg);
		*dst = bh_reg_const((uint64_t)(uint32_t)in[1].imm << 32 | (uint32_t)in->imm);
		return 0;
	}
	*dst = (struct bh_reg){ .kind = BH_REG_MAP_PTR, .map = map, .var = bh_scalar_const(0) };
	if (env->opts->lddw_value_off && env->opts->lddw_value_off[env->insn] >= 0) {
		dst->kind = BH_REG_MAP_VALUE;
		dst->off = env->opts->lddw_value_off[env->insn];
		dst->mem_size = map->value_size;
		if (map->map_flags & BPF_F_RDONLY_PROG)
			dst->flags |= BH_REGF_RDONLY;
	}
	return 0;
}
