// SPDX-License-Identifier: MIT
/*
 * Verifier states (see state.h): construction, deep copy, call frames and
 * the "within" test that pruning rests on. Being wrong here in the lenient
 * direction would prune a path that was never checked, so every rule errs
 * toward "not within" (more exploration, never less safety).
 */
#include <stdarg.h>

#include "state.h"
#include "../core/internal.h"
#include "../platform/platform.h"

const char *bh_reg_kind_name(enum bh_reg_kind k)
{
	static const char *const names[BH_REG_KIND_COUNT] = {
		[BH_REG_NOT_INIT] = "not_init",
		[BH_REG_SCALAR] = "scalar",
		[BH_REG_CTX] = "ctx",
		[BH_REG_STACK] = "fp",
		[BH_REG_MAP_PTR] = "map_ptr",
		[BH_REG_MAP_VALUE] = "map_value",
		[BH_REG_MAP_VALUE_OR_NULL] = "map_value_or_null",
		[BH_REG_PACKET] = "pkt",
		[BH_REG_PACKET_META] = "pkt_meta",
		[BH_REG_PACKET_END] = "pkt_end",
		[BH_REG_RINGBUF_RECORD] = "ringbuf_mem",
		[BH_REG_RINGBUF_RECORD_OR_NULL] = "ringbuf_mem_or_null",
		[BH_REG_RDONLY_MEM] = "rdonly_mem",
		[BH_REG_KFUNC_REF] = "kfunc_ref",
		[BH_REG_KFUNC_REF_OR_NULL] = "kfunc_ref_or_null",
		[BH_REG_FUNC] = "func",
	};

	return (unsigned)k < BH_REG_KIND_COUNT ? names[k] : "invalid";
}

/* Appends to @buf at *@at, never past @size. */
static void append(char *buf, unsigned size, unsigned *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, unsigned size, unsigned *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= size)
		return;
	va_start(ap, fmt);
	n = plat_vsnprintf(buf + *at, size - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at = *at + (unsigned)n < size ? *at + (unsigned)n : size;
}

char *bh_reg_str(const struct bh_reg *r, char *buf, unsigned size)
{
	char var[300];
	unsigned at = 0;

	if (!size)
		return buf;
	buf[0] = 0;
	if (r->kind == BH_REG_SCALAR) {
		if (bh_scalar_is_const(&r->var))
			return bh_scalar_str(&r->var, buf, size);
		append(buf, size, &at, "scalar(%s)", bh_scalar_str(&r->var, var, sizeof(var)));
		return buf;
	}
	append(buf, size, &at, "%s", bh_reg_kind_name(r->kind));
	if (r->kind == BH_REG_NOT_INIT)
		return buf;
	/* A pointer: its kind (and frame), fixed offset, then what else is known. */
	if (r->kind == BH_REG_STACK)
		append(buf, size, &at, "%u", r->frameno);
	append(buf, size, &at, "(off=%d", r->off);
	if (!bh_scalar_is_const(&r->var) || r->var.var.value)
		append(buf, size, &at, " var=%s", bh_scalar_str(&r->var, var, sizeof(var)));
	if (r->mem_size)
		append(buf, size, &at, " size=%u", r->mem_size);
	if (r->range)
		append(buf, size, &at, " r=%u", r->range);
	if (r->id)
		append(buf, size, &at, " id=%u", r->id);
	if (r->ref_id)
		append(buf, size, &at, " ref=%u", r->ref_id);
	append(buf, size, &at, ")");
	return buf;
}

static struct bh_reg pointer(enum bh_reg_kind kind)
{
	return (struct bh_reg){ .kind = (uint8_t)kind, .var = bh_scalar_const(0) };
}

static void *mem_alloc(struct bh_varena *a, size_t size)
{
	return a ? bh_arena_alloc(a, size) : plat_alloc(size);
}

static void mem_free(struct bh_varena *a, void *p, size_t size)
{
	if (a)
		bh_arena_free(a, p, size);
	else
		plat_free(p);
}

static struct bh_frame *frame_new(struct bh_varena *a, uint32_t callsite, uint32_t subprog, uint32_t frameno)
{
	struct bh_frame *f = mem_alloc(a, sizeof(*f));

	if (!f)
		return NULL;
	plat_memset(f, 0, sizeof(*f));
	f->callsite = callsite;
	f->subprog = subprog;
	f->regs[BPF_REG_10] = pointer(BH_REG_STACK);
	f->regs[BPF_REG_10].frameno = (uint8_t)frameno;
	return f;
}

static void frame_free(struct bh_varena *a, struct bh_frame *f)
{
	if (f) {
		if (f->slots)
			mem_free(a, f->slots, sizeof(*f->slots) * f->nslots);
		mem_free(a, f, sizeof(*f));
	}
}

static int oom(const char *what)
{
	return bh_err(-ENOMEM, "verifier: out of memory for %s", what);
}

int bh_state_init(struct bh_state *st)
{
	return bh_state_init_in(st, NULL);
}

int bh_state_init_in(struct bh_state *st, struct bh_varena *a)
{
	plat_memset(st, 0, sizeof(*st));
	st->arena = a;
	st->frames[0] = frame_new(a, UINT32_MAX, 0, 0);
	if (!st->frames[0])
		return oom("the entry state");
	st->nframes = 1;
	st->frames[0]->regs[BPF_REG_1] = pointer(BH_REG_CTX);
	return 0;
}

void bh_state_free(struct bh_state *st)
{
	for (uint32_t i = 0; i < st->nframes; i++)
		frame_free(st->arena, st->frames[i]);
	st->nframes = 0;
}

void bh_state_move(struct bh_state *dst, struct bh_state *src)
{
	dst->arena = src->arena;
	dst->checkpoint = src->checkpoint;
	dst->nframes = src->nframes;
	plat_memcpy(dst->frames, src->frames, sizeof(src->frames[0]) * src->nframes);
	dst->nrefs = src->nrefs;
	plat_memcpy(dst->refs, src->refs, sizeof(src->refs[0]) * src->nrefs);
	src->nframes = 0;
}

int bh_state_copy(struct bh_state *dst, const struct bh_state *src)
{
	struct bh_varena *a = src->arena;

	/* Only the used part: the unused references and frames are never read. */
	dst->arena = a;
	dst->checkpoint = src->checkpoint;
	dst->nframes = 0;
	plat_memset(dst->frames, 0, sizeof(dst->frames));
	dst->nrefs = src->nrefs;
	plat_memcpy(dst->refs, src->refs, sizeof(src->refs[0]) * src->nrefs);
	for (uint32_t i = 0; i < src->nframes; i++) {
		const struct bh_frame *s = src->frames[i];
		struct bh_frame *d = mem_alloc(a, sizeof(*d));

		if (!d)
			goto fail;
		*d = *s;
		d->slots = NULL;
		dst->frames[dst->nframes++] = d;
		if (s->nslots) {
			d->slots = mem_alloc(a, sizeof(*d->slots) * s->nslots);
			if (!d->slots)
				goto fail;
			plat_memcpy(d->slots, s->slots, sizeof(*d->slots) * s->nslots);
		}
	}
	return 0;
fail:
	bh_state_free(dst);
	return oom("a copy of the state");
}

int bh_frame_grow(struct bh_frame *f, uint32_t nslots)
{
	return bh_state_grow_stack(&(struct bh_state){ .arena = NULL }, f, nslots);
}

int bh_state_grow_stack(struct bh_state *st, struct bh_frame *f, uint32_t nslots)
{
	struct bh_stack_slot *s;

	if (nslots <= f->nslots)
		return 0;
	if (nslots > BH_STACK_SLOTS)
		return bh_err(-EINVAL, "verifier: %u stack slots is more than the %u of a frame", nslots,
			      BH_STACK_SLOTS);
	s = mem_alloc(st->arena, sizeof(*s) * nslots);
	if (!s)
		return oom("the stack");
	if (f->nslots)
		plat_memcpy(s, f->slots, sizeof(*s) * f->nslots);
	/* BH_STACK_INVALID is 0, and a zeroed spilled register is NOT_INIT. */
	plat_memset(s + f->nslots, 0, sizeof(*s) * (nslots - f->nslots));
	if (f->slots)
		mem_free(st->arena, f->slots, sizeof(*f->slots) * f->nslots);
	f->slots = s;
	f->nslots = nslots;
	return 0;
}

int bh_state_push_frame(struct bh_state *st, uint32_t callsite, uint32_t subprog)
{
	struct bh_frame *caller = st->frames[st->nframes - 1], *f;

	if (st->nframes >= MAX_CALL_FRAMES)
		return bh_err(-E2BIG, "this call would be nested %u deep, more than the %u frames allowed",
			      st->nframes + 1, MAX_CALL_FRAMES);
	f = frame_new(st->arena, callsite, subprog, st->nframes);
	if (!f)
		return oom("a call frame");
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		f->regs[r] = caller->regs[r];
	st->frames[st->nframes++] = f;
	return 0;
}

void bh_state_pop_frame(struct bh_state *st)
{
	struct bh_frame *callee, *caller;

	if (st->nframes < 2)
		return;
	callee = st->frames[--st->nframes];
	caller = st->frames[st->nframes - 1];
	/* The callee's r0 is the result; the argument registers are clobbered. */
	caller->regs[BPF_REG_0] = callee->regs[BPF_REG_0];
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		caller->regs[r] = (struct bh_reg){ .kind = BH_REG_NOT_INIT };
	frame_free(st->arena, callee);
	st->frames[st->nframes] = NULL;
}

static void mark_reg_null(struct bh_reg *r, uint32_t id, bool is_null)
{
	if (!bh_reg_kind_or_null((enum bh_reg_kind)r->kind) || r->id != id)
		return;
	if (is_null) {
		*r = bh_reg_const(0);
		return;
	}
	if (r->kind == BH_REG_MAP_VALUE_OR_NULL)	/* a map-in-map lookup yields the inner map */
		r->kind = (r->flags & BH_REGF_INNER_MAP) ? BH_REG_MAP_PTR : BH_REG_MAP_VALUE;
	else if (r->kind == BH_REG_KFUNC_REF_OR_NULL)
		r->kind = BH_REG_KFUNC_REF;
	else
		r->kind = BH_REG_RINGBUF_RECORD;
	r->id = 0;	/* checked: its copies need no linking any more */
}

void bh_state_mark_null(struct bh_state *st, uint32_t id, bool is_null)
{
	uint32_t ref = 0;

	if (!id)
		return;
	for (uint32_t i = 0; i < st->nframes; i++) {
		struct bh_frame *f = st->frames[i];

		for (int r = 0; r < MAX_BPF_REG; r++) {
			if (f->regs[r].id == id && bh_reg_kind_or_null((enum bh_reg_kind)f->regs[r].kind))
				ref = f->regs[r].ref_id ? f->regs[r].ref_id : ref;
			mark_reg_null(&f->regs[r], id, is_null);
		}
		for (uint32_t k = 0; k < f->nslots; k++) {
			if (f->slots[k].spilled.id == id &&
			    bh_reg_kind_or_null((enum bh_reg_kind)f->slots[k].spilled.kind))
				ref = f->slots[k].spilled.ref_id ? f->slots[k].spilled.ref_id : ref;
			mark_reg_null(&f->slots[k].spilled, id, is_null);
		}
	}
	if (!is_null || !ref)
		return;
	for (uint32_t i = 0; i < st->nrefs; i++)
		if (st->refs[i].id == ref) {
			st->refs[i] = st->refs[--st->nrefs];
			break;
		}
}

/* Ids of @old mapped one to one onto ids of @cur. */
#define IDMAP_MAX (MAX_CALL_FRAMES * (MAX_BPF_REG + BH_STACK_SLOTS) * 2 + BH_MAX_REFS)
struct idmap {
	uint32_t n;
	uint32_t old[IDMAP_MAX], cur[IDMAP_MAX];
};

static bool ids_match(struct idmap *m, uint32_t old, uint32_t cur)
{
	if (!old)		/* old was not linked to anything: no constraint */
		return true;
	if (!cur)
		return false;
	for (uint32_t i = 0; i < m->n; i++) {
		if (m->old[i] == old)
			return m->cur[i] == cur;
		if (m->cur[i] == cur)
			return false;
	}
	if (m->n == IDMAP_MAX)
		return false;	/* cannot happen by construction; refuse to prune if it does */
	m->old[m->n] = old;
	m->cur[m->n++] = cur;
	return true;
}

static bool reg_within(const struct bh_reg *old, const struct bh_reg *cur, struct idmap *m)
{
	if (old->kind == BH_REG_NOT_INIT)	/* old never read it: anything goes */
		return true;
	if (old->kind != cur->kind)
		return false;
	if (old->kind == BH_REG_SCALAR)	/* linked copies in old must be linked in cur too */
		return bh_scalar_within(&old->var, &cur->var) && ids_match(m, old->id, cur->id);
	/* A pointer: the same object at the same offset, no less proven. */
	if (old->frameno != cur->frameno || old->flags != cur->flags || old->map != cur->map ||
	    old->mem_size != cur->mem_size ||
	    old->off != cur->off || cur->range < old->range)
		return false;
	return bh_scalar_within(&old->var, &cur->var) && ids_match(m, old->id, cur->id) &&
	       ids_match(m, old->ref_id, cur->ref_id);
}

static uint8_t byte_type(const struct bh_frame *f, uint32_t slot, unsigned b)
{
	return slot < f->nslots ? f->slots[slot].type[b] : BH_STACK_INVALID;
}

static bool spilled_scalar(const struct bh_frame *f, uint32_t slot)
{
	return slot < f->nslots && f->slots[slot].spilled.kind == BH_REG_SCALAR;
}

/* Slot @slot's eight type bytes as one word (0: all BH_STACK_INVALID, or past the allocated slots). */
static uint64_t slot_types(const struct bh_frame *f, uint32_t slot)
{
	uint64_t t = 0;

	if (slot < f->nslots)
		plat_memcpy(&t, f->slots[slot].type, sizeof(t));
	return t;
}

/* Whether any of the eight type bytes in @t is BH_STACK_SPILL. */
static bool has_spill(uint64_t t)
{
	for (unsigned b = 0; b < BH_SLOT_SIZE; b++)
		if (((t >> (8 * b)) & 0xff) == BH_STACK_SPILL)
			return true;
	return false;
}

static bool stack_within(const struct bh_frame *old, const struct bh_frame *cur, struct idmap *m,
			 bool uninit_reads, uint64_t live)
{
	uint32_t n = old->nslots > cur->nslots ? old->nslots : cur->nslots;

	for (uint32_t k = 0; k < n; k++) {
		uint64_t otw = slot_types(old, k), ctw = slot_types(cur, k);
		bool spill = false;

		if (!(live & (1ull << k)))	/* no continuation of old reads it before writing it */
			continue;
		/*
		 * Most slots settle on their eight type bytes at once: none written
		 * in old (and no uninitialised read to worry about), or the same
		 * bytes with no spill among them (misc, zero and invalid each cover
		 * themselves). The rest take the byte-by-byte rules below.
		 */
		if (!otw && (!uninit_reads || !has_spill(ctw)))
			continue;
		if (otw == ctw && !has_spill(otw))
			continue;
		for (unsigned b = 0; b < BH_SLOT_SIZE; b++) {
			uint8_t ot = byte_type(old, k, b), ct = byte_type(cur, k, b);

			switch (ot) {
			case BH_STACK_INVALID:
				/* Never read by old, unless reading it was allowed (as an unknown scalar). */
				if (uninit_reads && ct == BH_STACK_SPILL && !spilled_scalar(cur, k))
					return false;
				break;
			case BH_STACK_MISC:	/* some scalar: any initialised scalar byte */
				if (ct == BH_STACK_INVALID || (ct == BH_STACK_SPILL && !spilled_scalar(cur, k)))
					return false;
				break;
			case BH_STACK_ZERO:
				if (ct != BH_STACK_ZERO)
					return false;
				break;
			default:
				if (ct != BH_STACK_SPILL)
					return false;
				spill = true;
				break;
			}
		}
		if (spill && !reg_within(&old->slots[k].spilled, &cur->slots[k].spilled, m))
			return false;
	}
	return true;
}

/*
 * A cheap first look that settles most misses: a register old has set
 * whose kind differs in cur, or a constant of old that cur does not hold
 * exactly, cannot be within (loop counters differ every iteration).
 */
static bool quick_reject(const struct bh_state *old, const struct bh_state *cur, uint16_t live)
{
	for (uint32_t i = 0; i < old->nframes; i++) {
		const struct bh_frame *of = old->frames[i], *cf = cur->frames[i];
		uint16_t regs = i + 1 == old->nframes ? live : 0xffff;

		for (int r = 0; r < MAX_BPF_REG; r++) {
			const struct bh_reg *o = &of->regs[r], *c = &cf->regs[r];

			if (o->kind == BH_REG_NOT_INIT || !(regs & (1u << r)))
				continue;
			if (o->kind != c->kind)
				return true;
			if (o->kind == BH_REG_SCALAR && bh_scalar_is_const(&o->var) &&
			    (!bh_scalar_is_const(&c->var) || o->var.var.value != c->var.var.value))
				return true;
		}
	}
	return false;
}

bool bh_state_within(const struct bh_state *old, const struct bh_state *cur, bool uninit_reads)
{
	return bh_state_within_live(old, cur, uninit_reads, 0xffff, NULL);
}

bool bh_state_within_live(const struct bh_state *old, const struct bh_state *cur, bool uninit_reads,
			  uint16_t live, const uint64_t *slots)
{
	struct idmap map;	/* on the stack: only its used part is ever read */
	struct idmap *m = &map;
	bool ok = old->nframes == cur->nframes && old->nrefs == cur->nrefs;

	if (!ok || quick_reject(old, cur, live))
		return false;
	m->n = 0;
	for (uint32_t i = 0; ok && i < old->nrefs; i++)
		ok = ids_match(m, old->refs[i].id, cur->refs[i].id);
	for (uint32_t i = 0; ok && i < old->nframes; i++) {
		const struct bh_frame *of = old->frames[i], *cf = cur->frames[i];

		ok = of->callsite == cf->callsite && of->subprog == cf->subprog &&
		     of->callback == cf->callback && (!of->callback || reg_within(&of->cb_ctx, &cf->cb_ctx, m));
		for (int r = 0; ok && r < MAX_BPF_REG; r++)
			ok = (i + 1 < old->nframes || (live & (1u << r))) ? reg_within(&of->regs[r], &cf->regs[r], m) :
									     true;
		ok = ok && stack_within(of, cf, m, uninit_reads, slots ? slots[i] : ~0ull);
	}
	return ok;
}

bool bh_state_equal(const struct bh_state *a, const struct bh_state *b)
{
	return bh_state_within(a, b, true) && bh_state_within(b, a, true);
}
