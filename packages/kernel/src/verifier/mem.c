// SPDX-License-Identifier: MIT
/*
 * Loads, stores and atomics, and the memory helpers read or write, checked
 * against the kind of the pointer (Linux's check_mem_access): stack bytes
 * of the pointer's own frame, map values by value_size, ring buffer
 * records by their reserved size, packet bytes by the range proven with
 * data_end comparisons, context fields by the program type's rules.
 * Stack writes are tracked byte by byte (what a later read yields);
 * 8-byte aligned stores of a register are spills, refilled whole.
 */
#include "env.h"
#include "../prog/ctx_access.h"
#include "../prog/prog_type.h"

static unsigned size_of(const struct bpf_insn *in)
{
	static const unsigned sizes[4] = { 4, 2, 1, 8 };

	return sizes[BPF_SIZE(in->code) >> 3];
}

/* Any value of @size (< 8) bytes, zero- or sign-extended. */
static struct bh_scalar sized_value(unsigned size, bool sign)
{
	uint64_t max = (1ull << (8 * size)) - 1;
	struct bh_scalar s = bh_scalar_urange(0, max);
	struct bpf_insn mov = { .code = BPF_ALU64 | BPF_MOV | BPF_X, .off = (int16_t)(8 * size) };

	return sign ? bh_scalar_alu_insn(&mov, &s, &s) : s;
}

struct bh_reg bh_reg_sized_unknown(struct bh_venv *env, unsigned size, bool sign)
{
	struct bh_reg r = bh_reg_unknown_scalar();
	unsigned k = size >> 1;	/* 1, 2, 4 -> 0, 1, 2 */
	uint8_t bit = (uint8_t)(1u << (3 * sign + k));

	if (size >= 8)
		return r;
	if (size != 1 && size != 2 && size != 4) {
		r.var = sized_value(size, sign);
		return r;
	}
	/* The same every time: computed once per verification. */
	if (!(env->sized_ready & bit)) {
		env->sized[sign][k] = sized_value(size, sign);
		env->sized_ready |= bit;
	}
	r.var = env->sized[sign][k];
	return r;
}

static const char *access_name(enum bh_access a)
{
	switch (a) {
	case BH_READ: return "read";
	case BH_WRITE: return "write";
	case BH_HELPER_READ: return "helper read";
	default: return "helper write";
	}
}

static bool is_write(enum bh_access a)
{
	return a == BH_WRITE || a == BH_HELPER_WRITE;
}

static bool is_pointer(const struct bh_reg *r)
{
	return r->kind != BH_REG_SCALAR && r->kind != BH_REG_NOT_INIT;
}

/* [lo, hi) of a pointer's accesses: its fixed offsets plus the bounds of its variable part. */
static void span(const struct bh_reg *reg, int32_t off, uint64_t size, int64_t *lo, int64_t *hi)
{
	int64_t base = (int64_t)reg->off + off;

	*lo = base + reg->var.smin;
	*hi = base + reg->var.smax + (int64_t)size;
}

/* Map values, records and read-only memory: every byte inside [0, mem_size). */
static int check_sized(struct bh_venv *env, unsigned regno, const struct bh_reg *reg, int32_t off,
		       uint64_t size, enum bh_access acc, const char *what)
{
	const char *obj = reg->kind == BH_REG_MAP_VALUE ? "map value" :
			  reg->kind == BH_REG_RINGBUF_RECORD ? "ring buffer record" :
			  reg->kind == BH_REG_KFUNC_REF ? "kfunc reference" : "read-only memory";
	int64_t lo, hi;

	if (is_write(acc) && reg->kind == BH_REG_KFUNC_REF && (reg->flags & BH_REGF_RDONLY))
		return bh_verr(env, -EACCES, "R%u points to read-only memory (the reference kfunc %s returned "
			       "at insn %u; its module does not declare it writable); %s may not write it",
			       regno, ((const struct bh_helper *)reg->map)->name, reg->origin, what);
	if (is_write(acc) && (reg->kind == BH_REG_RDONLY_MEM || (reg->flags & BH_REGF_RDONLY)))
		return bh_verr(env, -EACCES, "R%u points to read-only memory (%s%s%s); %s may not write it",
			       regno, obj, reg->map ? " of map " : "", reg->map ? bh_vmap_name(reg->map) : "",
			       what);
	if (reg->kind == BH_REG_MAP_VALUE && !(reg->flags & BH_REGF_INNER_VALUE) && reg->map) {
		uint32_t flags = ((const struct bh_map *)reg->map)->map_flags;

		if (!is_write(acc) && (flags & BPF_F_WRONLY_PROG))
			return bh_verr(env, -EACCES, "map '%s' is write-only for programs (BPF_F_WRONLY_PROG)",
				       bh_vmap_name(reg->map));
	}
	if (reg->var.smin < 0 && (int64_t)reg->off + off + reg->var.smin < 0)
		return bh_verr(env, -EACCES, "R%u min value is negative: the %s offset may be below 0; use "
			       "an unsigned index or check `index >= 0` first", regno, obj);
	span(reg, off, size, &lo, &hi);
	if (lo < 0 || hi > (int64_t)reg->mem_size)
		return bh_verr(env, -EACCES, "R%u %s of %llu bytes at offset %lld..%lld is outside the %s%s%s "
			       "(%u bytes); check the index against its size first", regno,
			       access_name(acc), (unsigned long long)size, (long long)lo,
			       (long long)(hi - (int64_t)size), obj, reg->map ? " of map " : "",
			       reg->map ? bh_vmap_name(reg->map) : "", reg->mem_size);
	return 0;
}

static int check_packet(struct bh_venv *env, unsigned regno, const struct bh_reg *reg, int32_t off,
			uint64_t size, enum bh_access acc)
{
	int64_t start = (int64_t)reg->off + off;

	if (is_write(acc) && !bh_packet_writable(env->prog->ptype))
		return bh_verr(env, -EACCES, "programs of type '%s' may not write the packet",
			       env->prog->ptype->name);
	if (reg->var.smin < 0)
		return bh_verr(env, -EACCES, "R%u min value is negative: the packet offset may be below 0; "
			       "use an unsigned offset", regno);
	if (start < 0 || start + (int64_t)size > (int64_t)reg->range)
		return bh_verr(env, -EACCES, "R%u invalid %s of the packet, off=%lld size=%llu, proven "
			       "range %u; compare `ptr + %lld > data_end` before the access", regno,
			       access_name(acc), (long long)start, (unsigned long long)size, reg->range,
			       (long long)(start + (int64_t)size));
	return 0;
}

/* Byte @o (negative, from r10) of frame @f: its slot and byte there. */
static uint8_t *stack_byte(struct bh_frame *f, int64_t o, struct bh_stack_slot **slot)
{
	uint32_t k = (uint32_t)((-o - 1) / BH_SLOT_SIZE);

	*slot = &f->slots[k];
	return &f->slots[k].type[o + (int64_t)BH_SLOT_SIZE * (k + 1)];
}

/* A spill in @s is no longer whole: its bytes become plain scalar bytes. */
static void break_spill(struct bh_stack_slot *s)
{
	for (unsigned b = 0; b < BH_SLOT_SIZE; b++)
		if (s->type[b] == BH_STACK_SPILL)
			s->type[b] = BH_STACK_MISC;
	s->spilled = (struct bh_reg){ .kind = BH_REG_NOT_INIT };
}

static bool tnum_aligned(struct bh_tnum t, uint64_t size)
{
	return !((t.value | t.mask) & (size - 1));
}

/*
 * Checks a stack range of frame reg->frameno and grows the frame to cover
 * it: [*lo, *hi) is every byte the access may touch.
 */
static int stack_bounds(struct bh_venv *env, unsigned regno, const struct bh_reg *reg, int32_t off,
			uint64_t size, enum bh_access acc, bool strict_align, int64_t *lo, int64_t *hi)
{
	struct bh_frame *f = env->cur.frames[reg->frameno];
	bool fixed = bh_scalar_is_const(&reg->var);
	uint32_t *depth;
	int err;

	if (!fixed && !env->priv)
		return bh_verr(env, -EACCES, "R%u variable-offset stack access is prohibited for "
			       "unprivileged programs", regno);
	span(reg, off, size, lo, hi);
	if (*hi > 0 || (!size && *lo >= 0))
		return bh_verr(env, -EACCES, "R%u invalid %s of the stack at fp%+lld, %llu byte(s): it would "
			       "reach %lld byte(s) past r10, the top of the frame", regno, access_name(acc),
			       (long long)*lo, (unsigned long long)size, (long long)*hi);
	if (*lo < -(int64_t)MAX_BPF_STACK)
		return bh_verr(env, -EACCES, "R%u invalid %s of the stack at fp%+lld, %llu byte(s): a frame "
			       "has %u bytes below r10", regno, access_name(acc), (long long)*lo,
			       (unsigned long long)size, MAX_BPF_STACK);
	if (strict_align && size > 1) {
		struct bh_tnum at = bh_tnum_add(reg->var.var, bh_tnum_const((uint64_t)((int64_t)reg->off + off)));

		if (!tnum_aligned(at, size))
			return bh_verr(env, -EACCES, "R%u misaligned stack access at fp%+lld, %llu bytes (the "
				       "stack is accessed at multiples of the size)", regno, (long long)*lo,
				       (unsigned long long)size);
	}
	depth = &env->subprog_depth[f->subprog];
	if ((uint64_t)-*lo > *depth)
		*depth = (uint32_t)-*lo;
	err = bh_state_grow_stack(&env->cur, f, (uint32_t)((-*lo + BH_SLOT_SIZE - 1) / BH_SLOT_SIZE));
	return err ? bh_verr(env, err, "%s", bpfhost_last_error()) : 0;
}

/* A load of @size bytes from the stack into *@out. */
static int stack_read(struct bh_venv *env, unsigned regno, const struct bh_reg *reg, int32_t off,
		      unsigned size, bool sign, struct bh_reg *out)
{
	struct bh_frame *f = env->cur.frames[reg->frameno];
	bool zero = true, misc = true, uninit = false, ptr = false;
	struct bh_stack_slot *slot;
	int64_t lo, hi;
	int err = stack_bounds(env, regno, reg, off, size, BH_READ, true, &lo, &hi);

	if (err)
		return err;
	bh_stack_mark_read(env, reg->frameno, lo, hi);
	if (bh_scalar_is_const(&reg->var) && size == 8 && !(lo % 8)) {
		uint8_t *b = stack_byte(f, lo, &slot);
		bool whole = true;

		for (unsigned i = 0; i < 8; i++)
			whole &= b[i] == BH_STACK_SPILL;
		if (whole && slot->spilled.kind != BH_REG_NOT_INIT) {
			*out = slot->spilled;
			return 0;
		}
	}
	if (bh_scalar_is_const(&reg->var) && size == 4 && !(lo % 8) && !sign) {
		/* The low half of a spilled scalar (little-endian): its 32-bit value. */
		uint8_t *b = stack_byte(f, lo, &slot);

		if (b[0] == BH_STACK_SPILL && b[1] == BH_STACK_SPILL && b[2] == BH_STACK_SPILL &&
		    b[3] == BH_STACK_SPILL && slot->spilled.kind == BH_REG_SCALAR) {
			*out = (struct bh_reg){ .kind = BH_REG_SCALAR, .var = bh_scalar_zext32(&slot->spilled.var) };
			return 0;
		}
	}
	for (int64_t o = lo; o < hi; o++) {
		uint8_t t = *stack_byte(f, o, &slot);

		zero &= t == BH_STACK_ZERO;
		misc &= t != BH_STACK_INVALID;
		uninit |= t == BH_STACK_INVALID;
		ptr |= t == BH_STACK_SPILL && is_pointer(&slot->spilled);
	}
	if (uninit && !env->priv)
		return bh_verr(env, -EACCES, "R%u invalid read from the stack at fp%+lld, %u bytes: not all "
			       "of it was written on this path", regno, (long long)lo, size);
	if (ptr && !env->priv)
		return bh_verr(env, -EACCES, "R%u reads part of a spilled pointer at fp%+lld", regno,
			       (long long)lo);
	(void)misc;
	*out = zero && bh_scalar_is_const(&reg->var) ? bh_reg_const(0) : bh_reg_sized_unknown(env, size, sign);
	return 0;
}

/* A store of @size bytes to the stack: @val the register stored, or NULL with the immediate @imm. */
static int stack_write(struct bh_venv *env, unsigned regno, const struct bh_reg *reg, int32_t off,
		       unsigned size, const struct bh_reg *val, int32_t imm)
{
	struct bh_frame *f = env->cur.frames[reg->frameno];
	bool known_zero = val ? (val->kind == BH_REG_SCALAR && bh_scalar_is_const(&val->var) &&
				 !val->var.var.value) : !imm;
	struct bh_stack_slot *slot;
	int64_t lo, hi;
	int err = stack_bounds(env, regno, reg, off, size, BH_WRITE, true, &lo, &hi);

	if (err)
		return err;
	if (val && val->kind == BH_REG_STACK && val->frameno > reg->frameno)
		return bh_verr(env, -EACCES, "R%u points to a callee's stack; storing it into its caller's "
			       "frame would outlive the call", regno);
	if (bh_scalar_is_const(&reg->var) && size == 8 && !(lo % 8)) {
		uint8_t *b = stack_byte(f, lo, &slot);

		slot->spilled = val ? *val : bh_reg_const((uint64_t)(int64_t)imm);
		for (unsigned i = 0; i < 8; i++)
			b[i] = BH_STACK_SPILL;
		/* Wholly replaced: what it held before is read by nobody after this (stack liveness). */
		f->written |= 1ull << ((-lo - 1) / BH_SLOT_SIZE);
		return 0;
	}
	if (val && is_pointer(val) && !env->priv)
		return bh_verr(env, -EACCES, "R%u stores part of a pointer on the stack", regno);
	if (bh_scalar_is_const(&reg->var) && size == 4 && !(lo % 8) && val && val->kind == BH_REG_SCALAR) {
		/* As Linux: a 32-bit scalar spill keeps its value for a 32-bit fill (array keys). */
		uint8_t *b = stack_byte(f, lo, &slot);

		if (b[4] == BH_STACK_SPILL)
			break_spill(slot);
		slot->spilled = (struct bh_reg){ .kind = BH_REG_SCALAR, .var = bh_scalar_zext32(&val->var) };
		for (unsigned i = 0; i < 4; i++)
			b[i] = BH_STACK_SPILL;
		return 0;
	}
	for (int64_t o = lo; o < hi; o++) {
		uint8_t *b = stack_byte(f, o, &slot);

		if (*b == BH_STACK_SPILL)
			break_spill(slot);
		if (!bh_scalar_is_const(&reg->var))	/* may or may not be written: keep only what both allow */
			*b = *b == BH_STACK_ZERO && known_zero ? BH_STACK_ZERO : BH_STACK_MISC;
		else
			*b = known_zero ? BH_STACK_ZERO : BH_STACK_MISC;
	}
	return 0;
}

/* Helper access to the stack: bytes read must be readable; written ones become scalar bytes. */
static int stack_helper(struct bh_venv *env, unsigned regno, const struct bh_reg *reg, int32_t off,
			uint64_t size, enum bh_access acc, const char *what)
{
	struct bh_frame *f;
	struct bh_stack_slot *slot;
	int64_t lo, hi;
	int err;

	/* Zero bytes too must point into the frame (as Linux; the run-time check agrees). */
	err = stack_bounds(env, regno, reg, off, size, acc, false, &lo, &hi);
	if (err)
		return err;
	f = env->cur.frames[reg->frameno];
	if (acc != BH_HELPER_WRITE)
		bh_stack_mark_read(env, reg->frameno, lo, hi);
	for (int64_t o = lo; o < hi; o++) {
		uint8_t *b = stack_byte(f, o, &slot);

		if (acc == BH_HELPER_WRITE) {
			if (*b == BH_STACK_SPILL)
				break_spill(slot);
			*b = BH_STACK_MISC;
			continue;
		}
		if (*b == BH_STACK_INVALID && !env->priv)
			return bh_verr(env, -EACCES, "R%u: %s reads the stack at fp%lld, which was not written "
				       "on this path", regno, what, (long long)o);
		if (*b == BH_STACK_SPILL && is_pointer(&slot->spilled) && !env->priv)
			return bh_verr(env, -EACCES, "R%u: %s would read a spilled pointer at fp%lld", regno,
				       what, (long long)o);
	}
	return 0;
}

/* The field of @t's context that holds byte @off, for messages. */
static const char *ctx_field_name(const struct bh_prog_type *t, int32_t off)
{
	for (uint32_t i = 0; i < t->ctx_field_cnt; i++)
		if (off >= (int32_t)t->ctx_fields[i].offset &&
		    off < (int32_t)(t->ctx_fields[i].offset + t->ctx_fields[i].size))
			return t->ctx_fields[i].name;
	return NULL;
}

static int check_ctx(struct bh_venv *env, unsigned regno, const struct bh_reg *reg, int32_t off,
		     unsigned size, bool write, struct bh_reg *out, bool sign)
{
	const struct bh_prog_type *t = env->prog->ptype;
	const char *field;
	enum bh_reg_kind pkt;

	if (reg->off)
		return bh_verr(env, -EACCES, "R%u is the context moved by %d; access context fields from "
			       "the context pointer itself (ctx->field)", regno, reg->off);
	if (!bh_scalar_is_const(&reg->var) || reg->var.var.value)
		return bh_verr(env, -EACCES, "R%u is the context at a variable offset; context fields are "
			       "accessed at fixed offsets only", regno);
	field = ctx_field_name(t, off);
	if (off < 0 || (uint64_t)off + size > t->ctx.size || !t->ctx_rules ||
	    !(t->ctx_rules[off] & (write ? BH_CTX_WRITE(size) : BH_CTX_READ(size))))
		return bh_verr(env, -EACCES, "invalid context access: %s of %u bytes at offset %d%s%s%s is "
			       "not allowed for program type '%s'", write ? "write" : "read", size, off,
			       field ? " (field '" : "", field ? field : "", field ? "')" : "", t->name);
	if (write || !out)
		return 0;
	pkt = bh_ctx_packet_field(t, off, size);
	if (pkt != BH_REG_NOT_INIT && sign)
		return bh_verr(env, -EACCES, "a sign-extending load of the packet pointer field at context "
			       "offset %d is not allowed; load it with a plain load", off);
	if (pkt != BH_REG_NOT_INIT) {
		*out = (struct bh_reg){ .kind = (uint8_t)pkt, .var = bh_scalar_const(0) };
		return 0;
	}
	*out = bh_reg_sized_unknown(env, size, sign);
	return 0;
}

static int deref_refusal(struct bh_venv *env, unsigned regno, const struct bh_reg *reg, unsigned size,
			 bool write)
{
	if (reg->kind == BH_REG_KFUNC_REF_OR_NULL)
		return bh_verr(env, -EACCES, "R%u may be NULL (kfunc %s at insn %u) when %s with size %u; check "
			       "it against 0 first", regno, ((const struct bh_helper *)reg->map)->name, reg->origin,
			       write ? "written" : "read", size);
	if (bh_reg_kind_or_null(reg->kind))
		return bh_verr(env, -EACCES, "R%u may be NULL (%s%s%s at insn %u) when %s with size %u; check "
			       "it against 0 first", regno,
			       reg->kind == BH_REG_MAP_VALUE_OR_NULL ? "map '" : "ring buffer '",
			       bh_vmap_name(reg->map),
			       reg->kind == BH_REG_MAP_VALUE_OR_NULL ? "' lookup" : "' reserve", reg->origin,
			       write ? "written" : "read", size);
	if (reg->kind == BH_REG_SCALAR)
		return bh_verr(env, -EACCES, "R%u is a scalar, not a pointer: invalid memory access", regno);
	return bh_verr(env, -EACCES, "R%u is a %s, which may not be dereferenced", regno,
		       bh_reg_kind_name(reg->kind));
}

int bh_check_mem_range(struct bh_venv *env, unsigned regno, const struct bh_reg *reg, int32_t off,
		       uint64_t size_max, bool zero_ok, enum bh_access access, const char *what)
{
	if (!size_max && !zero_ok)
		return bh_verr(env, -EACCES, "R%u: %s needs a size above 0", regno, what);
	switch (reg->kind) {
	case BH_REG_STACK:
		return stack_helper(env, regno, reg, off, size_max, access, what);
	case BH_REG_MAP_VALUE:
	case BH_REG_RINGBUF_RECORD:
	case BH_REG_RDONLY_MEM:
	case BH_REG_KFUNC_REF:
		return check_sized(env, regno, reg, off, size_max, access, what);
	case BH_REG_PACKET:
	case BH_REG_PACKET_META:
		return check_packet(env, regno, reg, off, size_max, access);
	default:	/* NULL too: only *_OR_NULL arguments take it (call.c), as the run-time check */
		return bh_verr(env, -EACCES, "R%u: %s takes memory (stack, map value, packet or record), "
			       "not a %s", regno, what, bh_reg_kind_name(reg->kind));
	}
}

/*
 * One access of @size at @reg + @off: @val the stored register (NULL: an
 * immediate @imm, or a load), *@out the loaded value.
 */
static int access(struct bh_venv *env, unsigned regno, int32_t off, unsigned size, bool write,
		  const struct bh_reg *val, int32_t imm, struct bh_reg *out, bool sign)
{
	struct bh_reg reg = *bh_cur_reg(env, regno);
	int err;

	if (write && val && is_pointer(val) && !env->priv && reg.kind != BH_REG_STACK)
		return bh_verr(env, -EACCES, "storing a pointer into %s leaks a host address (refused for "
			       "unprivileged programs)", bh_reg_kind_name(reg.kind));
	switch (reg.kind) {
	case BH_REG_STACK:
		return write ? stack_write(env, regno, &reg, off, size, val, imm) :
			       stack_read(env, regno, &reg, off, size, sign, out);
	case BH_REG_CTX:
		if (write && val && is_pointer(val) && !env->priv)
			return bh_verr(env, -EACCES, "R%u is a pointer: storing it into the context would "
				       "leak a host address", val == bh_cur_reg(env, 0) ? 0u : regno);
		return check_ctx(env, regno, &reg, off, size, write, out, sign);
	case BH_REG_MAP_VALUE:
	case BH_REG_RINGBUF_RECORD:
	case BH_REG_RDONLY_MEM:
	case BH_REG_KFUNC_REF:
		err = check_sized(env, regno, &reg, off, size, write ? BH_WRITE : BH_READ, "this store");
		break;
	case BH_REG_PACKET:
	case BH_REG_PACKET_META:
		err = check_packet(env, regno, &reg, off, size, write ? BH_WRITE : BH_READ);
		break;
	default:
		return deref_refusal(env, regno, &reg, size, write);
	}
	if (!err && !write)
		*out = bh_reg_sized_unknown(env, size, sign);
	return err;
}

int bh_check_load(struct bh_venv *env, const struct bpf_insn *in)
{
	struct bh_reg out;
	int err;

	if (BPF_MODE(in->code) != BPF_MEM && BPF_MODE(in->code) != BPF_MEMSX)
		return bh_verr(env, -EINVAL, "unknown load mode 0x%x", BPF_MODE(in->code));
	err = bh_check_reg_init(env, in->src_reg);
	if (err)
		return err;
	if (in->dst_reg == BPF_REG_10)
		return bh_verr(env, -EACCES, "r10, the frame pointer, is read-only");
	err = access(env, in->src_reg, in->off, size_of(in), false, NULL, 0, &out,
		     BPF_MODE(in->code) == BPF_MEMSX);
	if (err)
		return err;
	*bh_cur_reg(env, in->dst_reg) = out;
	return 0;
}

int bh_check_store(struct bh_venv *env, const struct bpf_insn *in)
{
	const struct bh_reg *val = NULL;
	int err = bh_check_reg_init(env, in->dst_reg);

	if (err)
		return err;
	if (BPF_CLASS(in->code) == BPF_STX) {
		err = bh_check_reg_init(env, in->src_reg);
		if (err)
			return err;
		val = bh_cur_reg(env, in->src_reg);
	}
	if (val && BPF_SIZE(in->code) != BPF_DW && val->kind != BH_REG_SCALAR && !env->priv)
		return bh_verr(env, -EACCES, "R%u partial store of a pointer", in->src_reg);
	return access(env, in->dst_reg, in->off, size_of(in), true, val, in->imm, NULL, false);
}

int bh_check_atomic(struct bh_venv *env, const struct bpf_insn *in)
{
	unsigned size = size_of(in);
	struct bh_reg reg, out, val;
	struct bh_tnum at;
	unsigned fetch_reg;
	int err;

	if (size != 4 && size != 8)
		return bh_verr(env, -EINVAL, "atomic operations take 4 or 8 bytes, not %u", size);
	err = bh_check_reg_init(env, in->dst_reg);
	if (!err)
		err = bh_check_reg_init(env, in->src_reg);
	if (!err && in->imm == BPF_CMPXCHG)
		err = bh_check_reg_init(env, BPF_REG_0);
	if (err)
		return err;
	reg = *bh_cur_reg(env, in->dst_reg);
	val = *bh_cur_reg(env, in->src_reg);
	if (reg.kind != BH_REG_STACK && reg.kind != BH_REG_MAP_VALUE && reg.kind != BH_REG_RINGBUF_RECORD) {
		if (bh_reg_kind_or_null(reg.kind) || reg.kind == BH_REG_SCALAR)
			return deref_refusal(env, in->dst_reg, &reg, size, true);
		return bh_verr(env, -EACCES, "atomic operations on R%u (%s) are not allowed; use the stack, "
			       "a map value or a record", in->dst_reg,
			       reg.kind == BH_REG_CTX ? "the context" : bh_reg_kind_name(reg.kind));
	}
	if (is_pointer(&val) && !env->priv)
		return bh_verr(env, -EACCES, "R%u is a pointer: an atomic store would leak it", in->src_reg);
	at = bh_tnum_add(reg.var.var, bh_tnum_const((uint64_t)((int64_t)reg.off + in->off)));
	if (!tnum_aligned(at, size))
		return bh_verr(env, -EACCES, "R%u misaligned atomic access of %u bytes (atomics need an "
			       "address that is a multiple of the size)", in->dst_reg, size);
	if (reg.kind == BH_REG_STACK) {
		err = stack_read(env, in->dst_reg, &reg, in->off, size, false, &out);
		if (!err) {
			struct bh_reg unknown = bh_reg_unknown_scalar();

			err = stack_write(env, in->dst_reg, &reg, in->off, size, &unknown, 0);
		}
	} else {
		err = check_sized(env, in->dst_reg, &reg, in->off, size, BH_WRITE, "this atomic operation");
	}
	if (err)
		return err;
	if (!(in->imm & BPF_FETCH))
		return 0;
	fetch_reg = in->imm == BPF_CMPXCHG ? BPF_REG_0 : in->src_reg;
	*bh_cur_reg(env, fetch_reg) = bh_reg_sized_unknown(env, size, false);
	return 0;
}

/* Legacy packet loads: r6 the context, r0 the result, r1-r5 clobbered (Linux's check_ld_abs). */
int bh_check_ld_abs(struct bh_venv *env, const struct bpf_insn *in)
{
	unsigned size = size_of(in);
	int err = bh_check_reg_init(env, BPF_REG_6);

	if (err)
		return err;
	if (bh_cur_reg(env, BPF_REG_6)->kind != BH_REG_CTX)
		return bh_verr(env, -EINVAL, "LD_ABS/LD_IND needs the context in r6 (it is %s)",
			       bh_reg_kind_name(bh_cur_reg(env, BPF_REG_6)->kind));
	if (env->cur.nrefs)
		return bh_verr(env, -EINVAL, "LD_ABS/LD_IND may end the program while %s (insn %u) is held; "
			       "release it first", env->cur.refs[0].kfunc ? "a kfunc's reference" :
			       "a ring buffer record", env->cur.refs[0].insn);
	if (BPF_MODE(in->code) == BPF_IND) {
		err = bh_check_reg_init(env, in->src_reg);
		if (err)
			return err;
		if (bh_cur_reg(env, in->src_reg)->kind != BH_REG_SCALAR)
			return bh_verr(env, -EACCES, "R%u: LD_IND takes a scalar offset", in->src_reg);
	}
	for (unsigned r = BPF_REG_1; r <= BPF_REG_5; r++)
		*bh_cur_reg(env, r) = (struct bh_reg){ .kind = BH_REG_NOT_INIT };
	*bh_cur_reg(env, BPF_REG_0) = bh_reg_sized_unknown(env, size == 8 ? 8 : size, false);
	return 0;
}
