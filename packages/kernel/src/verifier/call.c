// SPDX-License-Identifier: MIT
/*
 * Helper calls by prototype (struct bh_helper: the argument and return
 * kinds extension.h defines): every argument register is checked against
 * its kind (map pointers, keys and values sized by that map, memory with
 * the size in the next argument bounded, the context, records), the map a
 * helper gets must be of a type that helper serves (Linux's
 * check_map_func_compatibility), r0 gets the return kind, r1-r5 are
 * clobbered, and helpers that move packet data invalidate every packet
 * pointer.
 */
#include "env.h"
#include "../ext/custom_map.h"
#include "../ext/kfunc.h"
#include "../maps/map_in_map.h"
#include "../prog/prog_type.h"

#define BPF_POISON_ID BPFHOST_POISON_HELPER_ID

/* What the map argument told about the maps the later arguments refer to. */
struct call_meta {
	const struct bh_map *map;		/* the map argument, or the outer map of an inner one */
	bool inner;				/* the map is an inner map of `map` */
	uint32_t map_type, key_size, value_size;
	unsigned map_regno;
	uint32_t map_flags;
	bool key_known;				/* the key is a constant the verifier knows */
	uint32_t key;
};

/*
 * "<prefix><helper> argument <regno>" into @buf (80 bytes), the argument's
 * name in refusals: built by hand, as snprintf cost a thousand instructions
 * per argument of every call on every path, for a message rarely shown.
 */
static const char *arg_what(char *buf, size_t size, const char *prefix, const char *name, unsigned regno)
{
	static const char arg[] = " argument ";
	size_t n = 0, k;

	k = plat_strnlen(prefix, size / 4);
	plat_memcpy(buf, prefix, k);
	n += k;
	k = plat_strnlen(name, size - n - sizeof(arg) - 2);
	plat_memcpy(buf + n, name, k);
	n += k;
	plat_memcpy(buf + n, arg, sizeof(arg) - 1);
	n += sizeof(arg) - 1;
	buf[n++] = (char)('0' + regno % 10);	/* r1-r5 */
	buf[n] = 0;
	return buf;
}

static bool is_pointer(const struct bh_reg *r)
{
	return r->kind != BH_REG_SCALAR && r->kind != BH_REG_NOT_INIT;
}

/* Linux's helpers that may move or resize packet data (bpf_helper_changes_pkt_data). */
static bool changes_packet(const struct bh_helper *h)
{
	/*
	 * Linux's ids: skb_store_bytes, l3/l4_csum_replace, clone_redirect,
	 * skb_vlan_push/pop, skb_change_proto, skb_change_tail, skb_pull_data,
	 * skb_change_head, xdp_adjust_head, skb_adjust_room, xdp_adjust_meta,
	 * xdp_adjust_tail.
	 */
	static const uint16_t ids[] = { 9, 10, 11, 13, 18, 19, 31, 38, 39, 43, 44, 50, 54, 65 };

	if (h->changes_pkt_data)	/* the helper says so itself (tc_helpers.c, xdp_helpers.c) */
		return true;
	if (h->kfunc) {			/* a kfunc given the context may change the packet behind it */
		for (int i = 0; i < 5; i++)
			if (h->args[i] == BPFHOST_ARG_PTR_TO_CTX)
				return true;
		return false;
	}

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (h->id == ids[i])
			return true;
	if (h->id < BPFHOST_HELPER_EXT_BASE)
		return false;
	/* An extension helper given the context may change the packet behind it. */
	for (int i = 0; i < 5; i++)
		if (h->args[i] == BPFHOST_ARG_PTR_TO_CTX)
			return true;
	return false;
}

static void invalidate_packet(struct bh_venv *env)
{
	struct bh_reg gone = env->priv ? bh_reg_unknown_scalar() : (struct bh_reg){ .kind = BH_REG_NOT_INIT };

	for (uint32_t i = 0; i < env->cur.nframes; i++) {
		struct bh_frame *f = env->cur.frames[i];

		for (unsigned r = 0; r < MAX_BPF_REG; r++)
			if (f->regs[r].kind >= BH_REG_PACKET && f->regs[r].kind <= BH_REG_PACKET_END)
				f->regs[r] = gone;
		for (uint32_t k = 0; k < f->nslots; k++) {
			struct bh_stack_slot *s = &f->slots[k];

			if (s->spilled.kind >= BH_REG_PACKET && s->spilled.kind <= BH_REG_PACKET_END) {
				s->spilled = bh_reg_unknown_scalar();
				for (unsigned b = 0; b < BH_SLOT_SIZE; b++)
					s->type[b] = BH_STACK_MISC;
			}
		}
	}
}

static bool plain_map(uint32_t t)
{
	return t != BPF_MAP_TYPE_PROG_ARRAY && t != BPF_MAP_TYPE_RINGBUF && t != BPF_MAP_TYPE_QUEUE &&
	       t != BPF_MAP_TYPE_STACK && t != BPF_MAP_TYPE_ARRAY_OF_MAPS &&
	       t != BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* Linux's check_map_func_compatibility for the maps and helpers bpfhost has. */
static bool map_serves(uint32_t t, uint32_t helper)
{
	switch (helper) {
	case BPF_FUNC_tail_call:
		return t == BPF_MAP_TYPE_PROG_ARRAY;
	case BPF_FUNC_map_push_elem: case BPF_FUNC_map_pop_elem: case BPF_FUNC_map_peek_elem:
		return t == BPF_MAP_TYPE_QUEUE || t == BPF_MAP_TYPE_STACK;
	case BPF_FUNC_ringbuf_output: case BPF_FUNC_ringbuf_reserve: case BPF_FUNC_ringbuf_query:
		return t == BPF_MAP_TYPE_RINGBUF;
	case BPF_FUNC_map_lookup_elem:
		return plain_map(t) || t == BPF_MAP_TYPE_ARRAY_OF_MAPS || t == BPF_MAP_TYPE_HASH_OF_MAPS;
	case BPF_FUNC_map_update_elem: case BPF_FUNC_map_delete_elem:
		return plain_map(t);
	default:
		/* Other helpers taking maps (an extension's, redirects) choose their maps themselves. */
		return plain_map(t) || t >= BPFHOST_MAP_TYPE_EXT_BASE;
	}
}

static int check_map_arg(struct bh_venv *env, const struct bh_helper *h, unsigned regno,
			 const struct bh_reg *reg, struct call_meta *meta)
{
	const struct bh_map *map = reg->map;

	if (reg->kind != BH_REG_MAP_PTR)
		return bh_verr(env, -EACCES, "R%u: %s takes a map (lddw of a map) as argument %u, not %s",
			       regno, h->name, regno, bh_reg_kind_name(reg->kind));
	meta->map = map;
	meta->inner = reg->flags & BH_REGF_INNER_MAP;
	meta->map_regno = regno;
	if (meta->inner) {
		const struct bh_inner_map_meta *m = bh_map_in_map_meta(map);

		if (!m)
			return bh_verr(env, -EINVAL, "R%u: map '%s' has no inner map template", regno,
				       map->name);
		meta->map_type = m->map_type;
		meta->key_size = m->key_size;
		meta->value_size = m->value_size;
		meta->map_flags = m->map_flags;
	} else {
		meta->map_type = map->map_type;
		meta->key_size = map->key_size;
		meta->value_size = map->value_size;
		meta->map_flags = map->map_flags;
		/*
		 * The core's map helpers; an extension's own helpers know their
		 * maps. A v2 provider may let programs look values up: a copy
		 * that find post-processing wrote, read-only (as BPF_F_RDONLY_PROG).
		 */
		if (h->id == BPF_FUNC_map_lookup_elem && bh_custom_map_programs_read((struct bh_map *)map))
			meta->map_flags |= BPF_F_RDONLY_PROG;
		else if (h->id < BPFHOST_HELPER_EXT_BASE &&
		    bh_custom_map_updates_original_value((struct bh_map *)map))
			return bh_verr(env, -EACCES, "%s on map '%s': its provider updates the original value "
				       "(updates_original_value), so programs cannot use it%s", h->name, map->name,
				       bh_custom_map_programs_read((struct bh_map *)map) ?
				       " except to read it with bpf_map_lookup_elem" :
				       "; read it from user space (or its provider sets programs_read)");
	}
	if (h->map_type_count) {	/* an extension helper's own list (extension.h) */
		for (uint32_t i = 0; i < h->map_type_count; i++)
			if (h->map_types[i] == meta->map_type)
				return 0;
		return bh_verr(env, -EINVAL, "%s cannot be used with map '%s' of type %u: it takes maps of "
			       "the types its extension lists (first: %u)", h->name,
			       meta->inner ? "(inner map)" : map->name, meta->map_type, h->map_types[0]);
	}
	if (!map_serves(meta->map_type, h->id))
		return bh_verr(env, -EINVAL, "%s cannot be used with map '%s' of type %u%s", h->name,
			       meta->inner ? "(inner map)" : map->name, meta->map_type,
			       h->id == BPF_FUNC_tail_call ? " (it needs a BPF_MAP_TYPE_PROG_ARRAY)" :
			       h->id == BPF_FUNC_map_push_elem || h->id == BPF_FUNC_map_pop_elem ||
			       h->id == BPF_FUNC_map_peek_elem ? " (it needs a queue or stack map)" :
			       h->id == BPF_FUNC_ringbuf_output || h->id == BPF_FUNC_ringbuf_reserve ||
			       h->id == BPF_FUNC_ringbuf_query ? " (it needs a ring buffer map)" : "");
	return 0;
}

/* A memory argument and its size in the next register. */
/*
 * Linux's constant-key array lookups: a key spilled as a known constant in
 * an aligned stack slot, inside max_entries, always finds its value.
 */
static void note_const_key(struct bh_venv *env, const struct bh_reg *reg, struct call_meta *meta)
{
	const struct bh_frame *f;
	const struct bh_stack_slot *s;
	int64_t o;

	if (reg->kind != BH_REG_STACK || !bh_scalar_is_const(&reg->var) || meta->key_size != 4)
		return;
	o = (int64_t)reg->off + (int64_t)reg->var.var.value;
	if (o >= 0 || o < -(int64_t)MAX_BPF_STACK || o % 8)
		return;
	f = env->cur.frames[reg->frameno];
	if ((uint32_t)(-o / 8) > f->nslots)
		return;
	s = &f->slots[-o / 8 - 1];
	for (unsigned b = 0; b < 4; b++)	/* the key's bytes: an 8-byte spill or a 32-bit one */
		if (s->type[b] != BH_STACK_SPILL)
			return;
	if (s->spilled.kind != BH_REG_SCALAR || !bh_scalar_is_const(&s->spilled.var))
		return;
	meta->key_known = true;
	meta->key = (uint32_t)s->spilled.var.var.value;
}

static int check_mem_arg(struct bh_venv *env, const struct bh_helper *h, unsigned regno,
			 uint8_t kind, uint8_t size_kind)
{
	const struct bh_reg *ptr = bh_cur_reg(env, regno), *size;
	bool zero_ok = size_kind == BPFHOST_ARG_CONST_SIZE_OR_ZERO;
	char what[80];
	int err;

	arg_what(what, sizeof(what), "", h->name, regno);
	if (size_kind != BPFHOST_ARG_CONST_SIZE && !zero_ok)
		return bh_verr(env, -EINVAL, "%s: argument %u is memory but argument %u is not its size",
			       h->name, regno, regno + 1);
	err = bh_check_reg_init(env, regno + 1);
	if (err)
		return err;
	size = bh_cur_reg(env, regno + 1);
	if (size->kind != BH_REG_SCALAR)
		return bh_verr(env, -EACCES, "R%u: the size given to %s is a %s, not a number", regno + 1,
			       h->name, bh_reg_kind_name(size->kind));
	if (size->var.smin < 0)
		return bh_verr(env, -EACCES, "R%u min value is negative: the size given to %s may be below "
			       "0; use an unsigned size", regno + 1, h->name);
	if (size->var.umax >= BH_MAX_VAR_SIZE)
		return bh_verr(env, -EACCES, "R%u unbounded memory access: the size given to %s has no "
			       "upper bound; use `size &= MASK` or `if (size < N)` first", regno + 1, h->name);
	if (!zero_ok && !size->var.umin)
		return bh_verr(env, -EACCES, "R%u invalid zero-sized access: the size given to %s may be 0",
			       regno + 1, h->name);
	if (kind == BPFHOST_ARG_PTR_TO_MEM_OR_NULL && ptr->kind == BH_REG_SCALAR &&
	    bh_scalar_is_const(&ptr->var) && !ptr->var.var.value) {
		if (size->var.umax)	/* Linux: zero bytes from NULL, no more */
			return bh_verr(env, -EACCES, "R%u is NULL but the size given to %s may be above 0",
				       regno, h->name);
		return 0;
	}
	return bh_check_mem_range(env, regno, ptr, 0, size->var.umax, zero_ok,
				  kind == BPFHOST_ARG_PTR_TO_UNINIT_MEM ? BH_HELPER_WRITE : BH_HELPER_READ, what);
}

static int check_record_arg(struct bh_venv *env, const struct bh_helper *h, unsigned regno,
			    const struct bh_reg *reg, uint32_t *release)
{
	if (reg->kind == BH_REG_RINGBUF_RECORD_OR_NULL)
		return bh_verr(env, -EACCES, "R%u may be NULL (ring buffer '%s' reserve at insn %u) when "
			       "passed to %s; check it against 0 first", regno, bh_vmap_name(reg->map),
			       reg->origin, h->name);
	if (reg->kind != BH_REG_RINGBUF_RECORD || !reg->ref_id)
		return bh_verr(env, -EACCES, "R%u: %s takes a record bpf_ringbuf_reserve returned, not a %s",
			       regno, h->name, bh_reg_kind_name(reg->kind));
	if (reg->off || !bh_scalar_is_const(&reg->var) || reg->var.var.value)
		return bh_verr(env, -EACCES, "R%u: %s takes the record's start, not a pointer %d bytes into "
			       "it", regno, h->name, reg->off);
	*release = reg->ref_id;
	return 0;
}

/* A releasing kfunc's argument: a live reference its module's kfunc of the same tag acquired. */
static int check_release_arg(struct bh_venv *env, const struct bh_helper *h, unsigned regno,
			     const struct bh_reg *reg, uint32_t *release)
{
	const struct bpfhost_kfunc *want = bh_kfunc_proto(h);
	const struct bh_helper *acq = reg->map;

	if (reg->kind == BH_REG_KFUNC_REF_OR_NULL)
		return bh_verr(env, -EACCES, "R%u may be NULL (kfunc %s at insn %u) when passed to kfunc %s; "
			       "check it against 0 first", regno, acq->name, reg->origin, h->name);
	if (reg->kind != BH_REG_KFUNC_REF || !reg->ref_id)
		return bh_verr(env, -EACCES, "R%u: kfunc %s releases a reference an acquiring kfunc of its module "
			       "returned (ref_type %u), not a %s%s", regno, h->name, want->ref_type,
			       bh_reg_kind_name(reg->kind),
			       reg->kind == BH_REG_SCALAR || reg->kind == BH_REG_NOT_INIT ?
			       " (a reference is unusable once released)" : "");
	if (bh_kfunc_owner(acq) != bh_kfunc_owner(h) || bh_kfunc_proto(acq)->ref_type != want->ref_type)
		return bh_verr(env, -EACCES, "R%u: kfunc %s releases references of type %u, but R%u is the "
			       "reference kfunc %s returned at insn %u, of type %u%s; release it with its own "
			       "releasing kfunc (%s)", regno, h->name, want->ref_type, regno, acq->name,
			       reg->origin, bh_kfunc_proto(acq)->ref_type,
			       bh_kfunc_owner(acq) != bh_kfunc_owner(h) ? " of another module" : "",
			       bh_kfunc_releaser(acq) ? bh_kfunc_releaser(acq)->name : "?");
	if (reg->off || !bh_scalar_is_const(&reg->var) || reg->var.var.value)
		return bh_verr(env, -EACCES, "R%u: kfunc %s takes the reference kfunc %s returned, not a pointer "
			       "%d bytes into it", regno, h->name, acq->name, reg->off);
	*release = reg->ref_id;
	return 0;
}

static int check_args(struct bh_venv *env, const struct bh_helper *h, struct call_meta *meta,
		      uint32_t *release)
{
	char what[80];
	int err;

	for (unsigned i = 0; i < 5; i++) {
		unsigned regno = BPF_REG_1 + i;
		uint8_t kind = h->args[i];
		const struct bh_reg *reg;

		if (kind == BPFHOST_ARG_DONTCARE)
			continue;
		err = bh_check_reg_init(env, regno);
		if (err)
			return err;
		reg = bh_cur_reg(env, regno);
		switch (kind) {
		case BPFHOST_ARG_ANYTHING:
			if (h->kfunc && reg->kind != BH_REG_SCALAR)	/* as Linux: a kfunc's scalar is a number */
				return bh_verr(env, -EACCES, "R%u: kfunc %s takes a %u-byte number as argument %u, "
					       "not a %s", regno, h->name, h->mem_size[i] ? h->mem_size[i] : 8,
					       regno, bh_reg_kind_name(reg->kind));
			if (is_pointer(reg) && !env->priv)
				return bh_verr(env, -EACCES, "R%u: passing a pointer as a number to %s leaks it",
					       regno, h->name);
			break;
		case BPFHOST_ARG_CONST_MAP_PTR:
			err = check_map_arg(env, h, regno, reg, meta);
			break;
		case BPFHOST_ARG_PTR_TO_MAP_KEY:
		case BPFHOST_ARG_PTR_TO_MAP_VALUE:
		case BPFHOST_ARG_PTR_TO_UNINIT_MAP_VALUE:
			if (!meta->map)
				return bh_verr(env, -EINVAL, "%s: a key or value argument without a map before it",
					       h->name);
			if (kind == BPFHOST_ARG_PTR_TO_MAP_KEY)
				note_const_key(env, reg, meta);
			arg_what(what, sizeof(what), "", h->name, regno);
			err = bh_check_mem_range(env, regno, reg, 0,
						 kind == BPFHOST_ARG_PTR_TO_MAP_KEY ? meta->key_size :
										      meta->value_size,
						 false, kind == BPFHOST_ARG_PTR_TO_UNINIT_MAP_VALUE ? BH_HELPER_WRITE :
												      BH_HELPER_READ,
						 what);
			break;
		case BPFHOST_ARG_PTR_TO_MEM:
		case BPFHOST_ARG_PTR_TO_MEM_OR_NULL:
		case BPFHOST_ARG_PTR_TO_UNINIT_MEM:
			if (i == 4)
				return bh_verr(env, -EINVAL, "%s: memory as the last argument has no size", h->name);
			err = check_mem_arg(env, h, regno, kind, h->args[i + 1]);
			i++;	/* the size was checked with it */
			break;
		case BPFHOST_ARG_PTR_TO_CTX:
			if (reg->kind != BH_REG_CTX)
				return bh_verr(env, -EACCES, "R%u: %s takes the context, not a %s", regno, h->name,
					       bh_reg_kind_name(reg->kind));
			if (reg->off || !bh_scalar_is_const(&reg->var) || reg->var.var.value)
				return bh_verr(env, -EACCES, "R%u: %s takes the context itself, not the context "
					       "moved by %d", regno, h->name, reg->off);
			break;
		case BPFHOST_ARG_PTR_TO_ALLOC_MEM:
			err = check_record_arg(env, h, regno, reg, release);
			break;
		case BH_ARG_KFUNC_MEM:
		case BH_ARG_KFUNC_MEM_RW:
			/* The prototype's size, initialised (read), and writable too for `T *`. */
			if (!is_pointer(reg))
				return bh_verr(env, -EACCES, "R%u: kfunc %s takes a pointer to %u bytes as argument "
					       "%u, not a number", regno, h->name, h->mem_size[i], regno);
			arg_what(what, sizeof(what), "kfunc ", h->name, regno);
			err = bh_check_mem_range(env, regno, reg, 0, h->mem_size[i], false, BH_HELPER_READ, what);
			if (!err && kind == BH_ARG_KFUNC_MEM_RW)
				err = bh_check_mem_range(env, regno, reg, 0, h->mem_size[i], false,
							 BH_HELPER_WRITE, what);
			break;
		case BH_ARG_KFUNC_RELEASE:
			err = check_release_arg(env, h, regno, reg, release);
			break;
		default:
			return bh_verr(env, -EINVAL, "%s: argument %u has kind %u, which a size follows, not "
				       "precedes", h->name, regno, kind);
		}
		if (err)
			return err;
	}
	return 0;
}

static int set_return(struct bh_venv *env, const struct bh_helper *h, const struct call_meta *meta,
		      struct bh_reg *r0)
{
	switch (h->ret) {
	case BPFHOST_RET_VOID:
		*r0 = (struct bh_reg){ .kind = BH_REG_NOT_INIT };
		return 0;
	case BPFHOST_RET_PTR_TO_MAP_VALUE_OR_NULL:
		if (!meta->map)
			return bh_verr(env, -EINVAL, "%s returns a map value but takes no map", h->name);
		*r0 = (struct bh_reg){ .kind = BH_REG_MAP_VALUE_OR_NULL, .map = meta->map,
				       .mem_size = meta->value_size, .id = bh_new_id(env),
				       .origin = env->insn, .var = bh_scalar_const(0) };
		if (!meta->inner && (meta->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
				     meta->map_type == BPF_MAP_TYPE_HASH_OF_MAPS))
			r0->flags |= BH_REGF_INNER_MAP;
		if (meta->inner)	/* a value of an inner map: the outer map's flags say nothing of it */
			r0->flags |= BH_REGF_INNER_VALUE;
		if (meta->map_flags & BPF_F_RDONLY_PROG)
			r0->flags |= BH_REGF_RDONLY;
		if (!meta->inner && h->id == BPF_FUNC_map_lookup_elem && meta->key_known &&
		    (meta->map_type == BPF_MAP_TYPE_ARRAY || meta->map_type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
		    meta->key < meta->map->max_entries) {
			r0->kind = BH_REG_MAP_VALUE;	/* an array always holds its in-range keys */
			r0->id = 0;
		}
		return 0;
	case BPFHOST_RET_PTR_TO_ALLOC_MEM_OR_NULL: {
		const struct bh_reg *size = bh_cur_reg(env, BPF_REG_2);
		uint32_t ref;
		int err;

		if (size->kind != BH_REG_SCALAR || !bh_scalar_is_const(&size->var))
			return bh_verr(env, -EACCES, "R2: the size given to %s must be a known constant",
				       h->name);
		if (size->var.var.value > UINT32_MAX / 2)
			return bh_verr(env, -EINVAL, "R2: %s of %llu bytes is larger than any ring buffer",
				       h->name, (unsigned long long)size->var.var.value);
		err = bh_ref_acquire(env, NULL, &ref);
		if (err)
			return err;
		*r0 = (struct bh_reg){ .kind = BH_REG_RINGBUF_RECORD_OR_NULL, .map = meta->map,
				       .mem_size = (uint32_t)size->var.var.value, .id = bh_new_id(env),
				       .ref_id = ref, .origin = env->insn, .var = bh_scalar_const(0) };
		return 0;
	}
	case BH_RET_KFUNC_ACQUIRED: {
		const struct bpfhost_kfunc *k = bh_kfunc_proto(h);
		uint32_t ref;
		int err = bh_ref_acquire(env, h, &ref);

		if (err)
			return err;
		*r0 = (struct bh_reg){ .kind = BH_REG_KFUNC_REF_OR_NULL, .map = h, .mem_size = k->return_size,
				       .id = bh_new_id(env), .ref_id = ref, .origin = env->insn,
				       .var = bh_scalar_const(0) };
		if (!(k->ref_flags & BPFHOST_KFUNC_REF_WRITABLE))
			r0->flags |= BH_REGF_RDONLY;
		return 0;
	}
	default:
		*r0 = bh_reg_unknown_scalar();
		return 0;
	}
}

/* Records which map this call site gets on this path (verifier.h: call_map). */
static void note_call_map(struct bh_venv *env, const struct call_meta *meta)
{
	struct bh_map **slot = &env->opts->call_map[env->insn];
	struct bh_map *map = meta->map && !meta->inner ? (struct bh_map *)meta->map : BH_CALL_MAP_POISON;

	if (!*slot)
		*slot = map;
	else if (*slot != map)
		*slot = BH_CALL_MAP_POISON;
}

int bh_check_helper_call(struct bh_venv *env, const struct bpf_insn *in)
{
	struct call_meta meta = { 0 };
	const struct bh_helper *h;
	uint32_t release = 0;
	struct bh_reg r0;
	int err;

	if (in->imm < 0 || (uint32_t)in->imm >= env->prog->helper_cnt)
		return bh_verr(env, -EINVAL, "call of helper index %d, which was not resolved", in->imm);
	h = env->prog->helpers[in->imm];
	if (h->id == BPF_POISON_ID) {	/* as Linux: a failed CO-RE relocation refuses only where reached */
		char note[160];

		if (bh_prog_poison_note(env->prog, env->insn, note, sizeof(note)))
			plat_snprintf(note, sizeof(note), "a CO-RE relocation (or a call of a __weak kfunc no "
				      "loaded module provides: guard it with bpf_ksym_exists())");
		return bh_verr(env, -EINVAL, "%s could not be resolved against the target BTF, and this path "
			       "reaches it; guard it with bpf_core_field_exists() or pass the target's BTF",
			       note);
	}
	/* As Linux (CAP_BPF): a module's functions are not for unprivileged programs. */
	if (h->kfunc && !env->priv)
		return bh_verr(env, -EPERM, "kfunc %s: unprivileged programs (BPFHOST_F_UNPRIVILEGED) cannot call "
			       "kfuncs; load the program privileged", h->name);
	if (h->id == BPF_FUNC_tail_call && env->cur.nrefs) {
		char what[96];

		if (!env->cur.refs[0].kfunc)
			return bh_verr(env, -EINVAL, "bpf_tail_call while a ring buffer record (reserved at insn "
				       "%u) is held would leak it; submit or discard it first",
				       env->cur.refs[0].insn);
		return bh_verr(env, -EINVAL, "bpf_tail_call while %s is held would leak it; release it first",
			       bh_ref_describe(&env->cur.refs[0], what, sizeof(what)));
	}
	err = check_args(env, h, &meta, &release);
	if (err)
		return err;
	if (release) {
		err = bh_ref_release(env, release);
		if (err)
			return err;
	}
	err = set_return(env, h, &meta, &r0);
	if (err)
		return err;
	for (unsigned r = BPF_REG_1; r <= BPF_REG_5; r++)
		*bh_cur_reg(env, r) = (struct bh_reg){ .kind = BH_REG_NOT_INIT };
	*bh_cur_reg(env, BPF_REG_0) = r0;
	if (changes_packet(h))
		invalidate_packet(env);
	if (env->opts->call_map)
		note_call_map(env, &meta);
	return 0;
}
