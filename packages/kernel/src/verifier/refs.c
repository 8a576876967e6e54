// SPDX-License-Identifier: MIT
/*
 * Acquired references: a ring buffer record from bpf_ringbuf_reserve must
 * be submitted or discarded exactly once on every path, and a pointer an
 * acquiring kfunc returned passed to a releasing kfunc of its module and
 * tag exactly once on every path. The state holds
 * the references of its path; releasing one turns every copy of the
 * record's pointer into a scalar (privileged) or an unset register, so a
 * use after submit is refused where it happens.
 */
#include "env.h"
#include "../ext/kfunc.h"

const char *bh_ref_describe(const struct bh_ref *ref, char *buf, size_t size)
{
	if (ref->kfunc)
		plat_snprintf(buf, size, "the reference kfunc %s returned at insn %u",
			      ((const struct bh_helper *)ref->kfunc)->name, ref->insn);
	else
		plat_snprintf(buf, size, "the ring buffer record reserved at insn %u", ref->insn);
	return buf;
}

int bh_ref_acquire(struct bh_venv *env, const void *kfunc, uint32_t *id)
{
	struct bh_state *st = &env->cur;

	if (st->nrefs >= BH_MAX_REFS)
		return bh_verr(env, -EINVAL, "more than %u references (ring buffer records, kfuncs' "
			       "references) are held at once on this path", BH_MAX_REFS);
	*id = bh_new_id(env);
	st->refs[st->nrefs].id = *id;
	st->refs[st->nrefs].insn = env->insn;
	st->refs[st->nrefs].kfunc = kfunc;
	st->nrefs++;
	return 0;
}

static void forget(struct bh_venv *env, struct bh_reg *r, uint32_t ref_id)
{
	if (r->ref_id == ref_id && r->kind != BH_REG_SCALAR && r->kind != BH_REG_NOT_INIT)
		*r = env->priv ? bh_reg_unknown_scalar() : (struct bh_reg){ .kind = BH_REG_NOT_INIT };
}

int bh_ref_release(struct bh_venv *env, uint32_t ref_id)
{
	struct bh_state *st = &env->cur;
	uint32_t i;

	for (i = 0; i < st->nrefs; i++)
		if (st->refs[i].id == ref_id)
			break;
	if (i == st->nrefs)
		return bh_verr(env, -EINVAL, "the reference was already released (the record submitted or "
			       "discarded) on this path");
	st->refs[i] = st->refs[--st->nrefs];
	for (uint32_t f = 0; f < st->nframes; f++) {
		struct bh_frame *fr = st->frames[f];

		for (unsigned r = 0; r < MAX_BPF_REG; r++)
			forget(env, &fr->regs[r], ref_id);
		for (uint32_t k = 0; k < fr->nslots; k++)
			if (fr->slots[k].spilled.ref_id == ref_id && fr->slots[k].spilled.kind != BH_REG_SCALAR) {
				fr->slots[k].spilled = bh_reg_unknown_scalar();
				for (unsigned b = 0; b < BH_SLOT_SIZE; b++)
					fr->slots[k].type[b] = BH_STACK_MISC;
			}
	}
	return 0;
}

int bh_refs_check_exit(struct bh_venv *env, const char *where)
{
	const struct bh_ref *ref = &env->cur.refs[0];

	if (!env->cur.nrefs)
		return 0;
	if (ref->kfunc) {
		const struct bh_helper *rel = bh_kfunc_releaser(ref->kfunc);

		return bh_verr(env, -EINVAL, "the reference kfunc %s returned at insn %u is not released on "
			       "this path to %s; every path must pass it to %s (or another releasing kfunc of "
			       "its type) once", ((const struct bh_helper *)ref->kfunc)->name, ref->insn, where,
			       rel ? rel->name : "its releasing kfunc");
	}
	return bh_verr(env, -EINVAL, "the ring buffer record reserved at insn %u is neither submitted nor "
		       "discarded on this path to %s; every path must submit or discard it",
		       ref->insn, where);
}
