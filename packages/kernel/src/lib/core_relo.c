// SPDX-License-Identifier: MIT
/*
 * CO-RE relocation resolution (see core_relo.h): the local access spec,
 * candidate search by essential name, matching a spec against a candidate,
 * the values each kind computes, and patching the instruction. The rules
 * are libbpf's, so an object relocates to the same instructions here as
 * there against the same target BTF (core_relo_test compares the two).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_relo.h"

#define SPEC_MAX_LEN 64
#define COMPAT_MAX_DEPTH 32
#define LDDW_CODE (BPF_LD | BPF_IMM | BPF_DW)

typedef struct bpfhost_btf_type btf_t;

struct core_acc {
	uint32_t type_id;		/* composite (named member), element (array) or root */
	uint32_t idx;
	const char *name;		/* member or enumerator name; NULL for array indexes */
};

struct core_spec {
	const struct bpfhost_btf *btf;
	uint32_t root_type_id;
	uint32_t kind;
	struct core_acc spec[SPEC_MAX_LEN];
	uint32_t len;			/* named accessors and array indexes */
	uint32_t raw_spec[SPEC_MAX_LEN];
	uint32_t raw_len;
	uint32_t bit_offset;
};

static const char *const kind_names[CORE_KIND_CNT] = {
	"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64",
	"local_type_id", "target_type_id", "type_exists", "type_size", "enumval_exists",
	"enumval_value", "type_matches",
};

const char *core_relo_kind_str(uint32_t kind)
{
	return kind < CORE_KIND_CNT ? kind_names[kind] : "unknown";
}

static bool is_field_based(uint32_t k)
{
	return k <= CORE_FIELD_RSHIFT_U64;
}

static bool is_type_based(uint32_t k)
{
	return (k >= CORE_TYPE_ID_LOCAL && k <= CORE_TYPE_SIZE) || k == CORE_TYPE_MATCHES;
}

static bool is_enumval_based(uint32_t k)
{
	return k == CORE_ENUMVAL_EXISTS || k == CORE_ENUMVAL_VALUE;
}

static int fail(char *why, size_t len, int err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return err;
}

static const btf_t *type_at(const struct bpfhost_btf *btf, uint32_t id)
{
	return id < btf->type_cnt ? &btf->types[id] : NULL;
}

static const btf_t *skip_mods(const struct bpfhost_btf *btf, uint32_t id, uint32_t *res)
{
	return btf_skip_mods_and_typedefs(btf, id, res);
}

static bool is_composite(const btf_t *t)
{
	return t->kind == BPFHOST_BTF_KIND_STRUCT || t->kind == BPFHOST_BTF_KIND_UNION;
}

static bool is_any_enum(const btf_t *t)
{
	return t->kind == BPFHOST_BTF_KIND_ENUM || t->kind == BPFHOST_BTF_KIND_ENUM64;
}

/* "foo___flavor" -> 3: the name up to the last "___" flavor separator. */
static size_t essential_len(const char *name)
{
	size_t n = strlen(name);

	for (int i = (int)n - 5; i >= 0; i--) {
		const char *s = name + i;

		if (s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_')
			return (size_t)i + 1;
	}
	return n;
}

static bool essential_names_equal(const char *a, const char *b)
{
	size_t la = essential_len(a), lb = essential_len(b);

	return la == lb && !strncmp(a, b, la);
}

/* A flexible array: a zero-length array that is the last member of the struct of @prev. */
static bool is_flex_arr(const struct bpfhost_btf *btf, const struct core_acc *prev, const btf_t *arr)
{
	const btf_t *t;

	if (!prev->name || arr->nelems > 0)
		return false;
	t = type_at(btf, prev->type_id);
	return t && prev->idx == t->vlen - 1;
}

/* Parses "a0:a1:..." into raw indexes. */
static int parse_access(const char *s, struct core_spec *spec, char *why, size_t wl)
{
	spec->raw_len = 0;
	if (!*s)
		return fail(why, wl, -EINVAL, "empty access string");
	while (*s) {
		char *end;
		unsigned long v;

		if (*s < '0' || *s > '9')
			return fail(why, wl, -EINVAL, "access string has '%c' where a number belongs", *s);
		v = strtoul(s, &end, 10);
		if (v > INT32_MAX)
			return fail(why, wl, -EINVAL, "access index %lu is too large", v);
		if (spec->raw_len == SPEC_MAX_LEN)
			return fail(why, wl, -E2BIG, "access string is deeper than %u", SPEC_MAX_LEN);
		spec->raw_spec[spec->raw_len++] = (uint32_t)v;
		s = end;
		if (*s == ':')
			s++;
		else if (*s)
			return fail(why, wl, -EINVAL, "access string has '%c' after a number", *s);
	}
	return 0;
}

/* The local spec: libbpf's bpf_core_parse_spec. */
static int parse_spec(const struct bpfhost_btf *btf, uint32_t type_id, const char *access, uint32_t kind,
		      struct core_spec *spec, char *why, size_t wl)
{
	const btf_t *t;
	uint32_t id = type_id;
	int64_t sz;
	int err;

	memset(spec, 0, sizeof(*spec));
	spec->btf = btf;
	spec->root_type_id = type_id;
	spec->kind = kind;
	err = parse_access(access, spec, why, wl);
	if (err)
		return err;
	if (is_type_based(kind)) {
		if (strcmp(access, "0"))
			return fail(why, wl, -EINVAL, "a type relocation's access string must be \"0\", not \"%s\"",
				    access);
		return 0;
	}
	t = skip_mods(btf, id, &id);
	if (!t)
		return fail(why, wl, -EINVAL, "local type [%u] does not resolve", type_id);
	spec->spec[0] = (struct core_acc){ .type_id = id, .idx = spec->raw_spec[0] };
	spec->len = 1;
	if (is_enumval_based(kind)) {
		if (!is_any_enum(t) || spec->raw_len > 1 || spec->raw_spec[0] >= t->vlen)
			return fail(why, wl, -EINVAL, "enum relocation access \"%s\" is not a value of [%u] %s",
				    access, id, bpfhost_btf_kind_str(t->kind));
		spec->spec[0].name = t->values[spec->raw_spec[0]].name;
		return 0;
	}
	if (!is_field_based(kind))
		return fail(why, wl, -EINVAL, "relocation kind %u is unknown", kind);
	sz = bpfhost_btf__resolve_size(btf, id);
	if (sz < 0)
		return fail(why, wl, -EINVAL, "local type [%u] has no size", id);
	spec->bit_offset = (uint32_t)(spec->raw_spec[0] * (uint64_t)sz * 8);
	for (uint32_t i = 1; i < spec->raw_len; i++) {
		uint32_t access_idx = spec->raw_spec[i];
		struct core_acc *acc = &spec->spec[spec->len];

		t = skip_mods(btf, id, &id);
		if (!t)
			return fail(why, wl, -EINVAL, "local type [%u] does not resolve", id);
		if (is_composite(t)) {
			const struct bpfhost_btf_member *m;

			if (access_idx >= t->vlen)
				return fail(why, wl, -EINVAL, "member index %u of [%u] %s is past its %u members",
					    access_idx, id, t->name, t->vlen);
			m = &t->members[access_idx];
			spec->bit_offset += m->bit_offset;
			if (m->name[0]) {
				*acc = (struct core_acc){ .type_id = id, .idx = access_idx, .name = m->name };
				spec->len++;
			}
			id = m->type;
		} else if (t->kind == BPFHOST_BTF_KIND_ARRAY) {
			const btf_t *arr = t;
			bool flex;

			t = skip_mods(btf, arr->elem_type, &id);
			if (!t)
				return fail(why, wl, -EINVAL, "array element type does not resolve");
			flex = spec->len > 0 && is_flex_arr(btf, acc - 1, arr);
			if (!flex && access_idx >= arr->nelems)
				return fail(why, wl, -EINVAL, "array index %u is past its %u elements", access_idx,
					    arr->nelems);
			*acc = (struct core_acc){ .type_id = id, .idx = access_idx };
			spec->len++;
			sz = bpfhost_btf__resolve_size(btf, id);
			if (sz < 0)
				return fail(why, wl, -EINVAL, "array element [%u] has no size", id);
			spec->bit_offset += (uint32_t)(access_idx * (uint64_t)sz * 8);
		} else {
			return fail(why, wl, -EINVAL, "access %u of \"%s\" reaches [%u] %s, which is neither a struct, union nor array",
				    i, access, id, bpfhost_btf_kind_str(t->kind));
		}
		if (spec->len >= SPEC_MAX_LEN)
			return fail(why, wl, -E2BIG, "access is nested deeper than %u", SPEC_MAX_LEN);
	}
	return 0;
}

/* Fields' types: compatible as libbpf's bpf_core_fields_are_compat. */
static int fields_compat(const struct bpfhost_btf *lb, uint32_t lid, const struct bpfhost_btf *tb,
			 uint32_t tid)
{
	for (int depth = 0; depth < COMPAT_MAX_DEPTH; depth++) {
		const btf_t *l = skip_mods(lb, lid, &lid), *t = skip_mods(tb, tid, &tid);

		if (!l || !t)
			return -EINVAL;
		if (is_composite(l) && is_composite(t))
			return 1;
		if (l->kind != t->kind && !(is_any_enum(l) && is_any_enum(t)))
			return 0;
		switch (l->kind) {
		case BPFHOST_BTF_KIND_PTR:
		case BPFHOST_BTF_KIND_FLOAT:
			return 1;
		case BPFHOST_BTF_KIND_FWD:
		case BPFHOST_BTF_KIND_ENUM:
		case BPFHOST_BTF_KIND_ENUM64:
			return !l->name[0] || essential_names_equal(l->name, t->name);
		case BPFHOST_BTF_KIND_INT:
			/* Only the deprecated bitfield-like ints are refused. */
			return l->int_offset == 0 && t->int_offset == 0;
		case BPFHOST_BTF_KIND_ARRAY:
			lid = l->elem_type;
			tid = t->elem_type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* Types compatible for type-based relocations: libbpf's bpf_core_types_are_compat. */
static int types_compat(const struct bpfhost_btf *lb, uint32_t lid, const struct bpfhost_btf *tb,
			uint32_t tid, int depth)
{
	const btf_t *l, *t;

	if (depth >= COMPAT_MAX_DEPTH)
		return -EINVAL;
	for (;;) {
		l = skip_mods(lb, lid, &lid);
		t = skip_mods(tb, tid, &tid);
		if (!l || !t)
			return -EINVAL;
		if (l->kind != t->kind && !(is_any_enum(l) && is_any_enum(t)))
			return 0;
		switch (l->kind) {
		case BPFHOST_BTF_KIND_UNKN:
		case BPFHOST_BTF_KIND_STRUCT:
		case BPFHOST_BTF_KIND_UNION:
		case BPFHOST_BTF_KIND_ENUM:
		case BPFHOST_BTF_KIND_ENUM64:
		case BPFHOST_BTF_KIND_FWD:
		case BPFHOST_BTF_KIND_FLOAT:
			return 1;
		case BPFHOST_BTF_KIND_INT:
			return l->int_offset == 0 && t->int_offset == 0;
		case BPFHOST_BTF_KIND_PTR:
			lid = l->type;
			tid = t->type;
			break;
		case BPFHOST_BTF_KIND_ARRAY:
			lid = l->elem_type;
			tid = t->elem_type;
			break;
		case BPFHOST_BTF_KIND_FUNC_PROTO:
			if (l->vlen != t->vlen)
				return 0;
			for (uint32_t i = 0; i < l->vlen; i++) {
				int r = types_compat(lb, l->params[i].type, tb, t->params[i].type, depth + 1);

				if (r <= 0)
					return r;
			}
			lid = l->type;
			tid = t->type;
			break;
		default:
			return 0;
		}
		if (++depth >= COMPAT_MAX_DEPTH)
			return -EINVAL;
	}
}

/*
 * TYPE_MATCHES (libbpf's bpf_core_types_match): names match (up to flavors);
 * structs and unions have every local member, by name, with matching types;
 * enums the same size and every local enumerator; ints the same size and
 * signedness; pointers' targets match (behind a pointer, a composite needs
 * only its name and kind).
 */
static int types_match(const struct bpfhost_btf *lb, uint32_t lid, const struct bpfhost_btf *tb,
		       uint32_t tid, bool behind_ptr, int depth)
{
	const btf_t *l, *t;

	if (depth >= COMPAT_MAX_DEPTH)
		return -EINVAL;
	l = skip_mods(lb, lid, &lid);
	t = skip_mods(tb, tid, &tid);
	if (!l || !t)
		return -EINVAL;
	if (l->name[0] && !essential_names_equal(l->name, t->name))
		return 0;
	switch (l->kind) {
	case BPFHOST_BTF_KIND_UNKN:
	case BPFHOST_BTF_KIND_FLOAT:
		return l->kind == t->kind && l->size == t->size;
	case BPFHOST_BTF_KIND_FWD:
		if (t->kind == BPFHOST_BTF_KIND_FWD)
			return l->kind_flag == t->kind_flag;
		if (!is_composite(t))
			return 0;
		return l->kind_flag == (t->kind == BPFHOST_BTF_KIND_UNION);
	case BPFHOST_BTF_KIND_ENUM:
	case BPFHOST_BTF_KIND_ENUM64:
		if (!is_any_enum(t))
			return 0;
		if (behind_ptr)
			return 1;
		if (l->size != t->size)
			return 0;
		for (uint32_t i = 0; i < l->vlen; i++) {
			bool found = false;

			for (uint32_t j = 0; j < t->vlen && !found; j++)
				found = essential_names_equal(l->values[i].name, t->values[j].name);
			if (!found)
				return 0;
		}
		return 1;
	case BPFHOST_BTF_KIND_STRUCT:
	case BPFHOST_BTF_KIND_UNION:
		if (l->kind != t->kind)
			return 0;
		if (behind_ptr)
			return 1;
		if (l->vlen > t->vlen)
			return 0;
		for (uint32_t i = 0; i < l->vlen; i++) {
			int r = 0;

			for (uint32_t j = 0; j < t->vlen; j++) {
				if (strcmp(l->members[i].name, t->members[j].name))
					continue;
				r = types_match(lb, l->members[i].type, tb, t->members[j].type, false,
						depth + 1);
				break;
			}
			if (r <= 0)
				return r;
		}
		return 1;
	case BPFHOST_BTF_KIND_INT:
		return t->kind == BPFHOST_BTF_KIND_INT && l->size == t->size &&
		       !!(l->int_encoding & BPFHOST_BTF_INT_SIGNED) ==
		       !!(t->int_encoding & BPFHOST_BTF_INT_SIGNED);
	case BPFHOST_BTF_KIND_PTR:
		if (t->kind != BPFHOST_BTF_KIND_PTR)
			return 0;
		return types_match(lb, l->type, tb, t->type, true, depth + 1);
	case BPFHOST_BTF_KIND_ARRAY:
		if (t->kind != BPFHOST_BTF_KIND_ARRAY || l->nelems != t->nelems)
			return 0;
		return types_match(lb, l->elem_type, tb, t->elem_type, behind_ptr, depth + 1);
	case BPFHOST_BTF_KIND_FUNC_PROTO:
		if (t->kind != BPFHOST_BTF_KIND_FUNC_PROTO || l->vlen != t->vlen)
			return 0;
		for (uint32_t i = 0; i < l->vlen; i++) {
			int r = types_match(lb, l->params[i].type, tb, t->params[i].type, behind_ptr,
					    depth + 1);

			if (r <= 0)
				return r;
		}
		return types_match(lb, l->type, tb, t->type, behind_ptr, depth + 1);
	default:
		return 0;
	}
}

/* Finds the local accessor's member by name in target composite @tid (anonymous members searched). */
static int match_member(const struct bpfhost_btf *lb, const struct core_acc *lacc,
			const struct bpfhost_btf *tb, uint32_t tid, struct core_spec *spec,
			uint32_t *next_tid, int depth)
{
	const btf_t *t = skip_mods(tb, tid, &tid), *lt;
	const struct bpfhost_btf_member *lm;

	if (!t)
		return -EINVAL;
	if (!is_composite(t))
		return 0;
	if (depth >= COMPAT_MAX_DEPTH)
		return -E2BIG;
	lt = &lb->types[lacc->type_id];
	lm = &lt->members[lacc->idx];
	for (uint32_t i = 0; i < t->vlen; i++) {
		const struct bpfhost_btf_member *m = &t->members[i];
		int found;

		if (spec->raw_len == SPEC_MAX_LEN)
			return -E2BIG;
		spec->bit_offset += m->bit_offset;
		spec->raw_spec[spec->raw_len++] = i;
		if (!m->name[0]) {
			found = match_member(lb, lacc, tb, m->type, spec, next_tid, depth + 1);
			if (found)
				return found;
		} else if (!strcmp(lm->name, m->name)) {
			if (spec->len == SPEC_MAX_LEN)
				return -E2BIG;
			spec->spec[spec->len++] = (struct core_acc){ .type_id = tid, .idx = i, .name = m->name };
			*next_tid = m->type;
			found = fields_compat(lb, lm->type, tb, m->type);
			if (!found)
				spec->len--;
			return found;
		}
		spec->bit_offset -= m->bit_offset;
		spec->raw_len--;
	}
	return 0;
}

/* Does candidate @tid match @local? Fills @targ. 1, 0, or -errno. */
static int spec_match(const struct core_spec *local, const struct bpfhost_btf *tb, uint32_t tid,
		      struct core_spec *targ)
{
	memset(targ, 0, sizeof(*targ));
	targ->btf = tb;
	targ->root_type_id = tid;
	targ->kind = local->kind;
	if (is_type_based(local->kind)) {
		if (local->kind == CORE_TYPE_MATCHES)
			return types_match(local->btf, local->root_type_id, tb, tid, false, 0);
		return types_compat(local->btf, local->root_type_id, tb, tid, 0);
	}
	if (is_enumval_based(local->kind)) {
		const btf_t *t = skip_mods(tb, tid, &tid);

		if (!t || !is_any_enum(t))
			return 0;
		for (uint32_t i = 0; i < t->vlen; i++) {
			if (!essential_names_equal(local->spec[0].name, t->values[i].name))
				continue;
			targ->spec[0] = (struct core_acc){ .type_id = tid, .idx = i, .name = t->values[i].name };
			targ->len = 1;
			targ->raw_spec[0] = i;
			targ->raw_len = 1;
			return 1;
		}
		return 0;
	}
	for (uint32_t i = 0; i < local->len; i++) {
		const struct core_acc *lacc = &local->spec[i];
		const btf_t *t = skip_mods(tb, tid, &tid);
		int64_t sz;

		if (!t)
			return -EINVAL;
		if (lacc->name) {
			int m = match_member(local->btf, lacc, tb, tid, targ, &tid, 0);

			if (m <= 0)
				return m;
			continue;
		}
		if (i > 0) {
			bool flex;

			if (t->kind != BPFHOST_BTF_KIND_ARRAY)
				return 0;
			flex = targ->len > 0 && is_flex_arr(tb, &targ->spec[targ->len - 1], t);
			if (!flex && lacc->idx >= t->nelems)
				return 0;
			if (!skip_mods(tb, t->elem_type, &tid))
				return -EINVAL;
		}
		if (targ->raw_len == SPEC_MAX_LEN || targ->len == SPEC_MAX_LEN)
			return -E2BIG;
		targ->spec[targ->len++] = (struct core_acc){ .type_id = tid, .idx = lacc->idx };
		targ->raw_spec[targ->raw_len++] = lacc->idx;
		sz = bpfhost_btf__resolve_size(tb, tid);
		if (sz < 0)
			return -EINVAL;
		targ->bit_offset += (uint32_t)(lacc->idx * (uint64_t)sz * 8);
	}
	return 1;
}

/* A field relocation's value on @spec (NULL: no target). -EUCLEAN asks for poison. */
static int calc_field(const struct core_spec *spec, uint32_t kind, uint64_t *val, uint32_t *field_sz,
		      uint32_t *type_id, bool *validate)
{
	const struct core_acc *acc;
	const btf_t *t, *mt;
	uint32_t bit_off, bit_sz, byte_off, byte_sz, field_type_id = 0;
	bool bitfield;
	int64_t sz;

	if (kind == CORE_FIELD_EXISTS) {
		*val = spec ? 1 : 0;
		return 0;
	}
	if (!spec)
		return -EUCLEAN;
	acc = &spec->spec[spec->len - 1];
	t = type_at(spec->btf, acc->type_id);
	if (!acc->name) {
		if (kind != CORE_FIELD_BYTE_OFFSET && kind != CORE_FIELD_BYTE_SIZE)
			return -EINVAL;	/* an array element has no signedness or bit position */
		sz = bpfhost_btf__resolve_size(spec->btf, acc->type_id);
		if (sz < 0)
			return -EINVAL;
		if (kind == CORE_FIELD_BYTE_OFFSET) {
			*val = spec->bit_offset / 8;
			*field_sz = (uint32_t)sz;
			*type_id = acc->type_id;
		} else {
			*val = (uint64_t)sz;
		}
		if (validate)
			*validate = true;
		return 0;
	}
	mt = skip_mods(spec->btf, t->members[acc->idx].type, &field_type_id);
	if (!mt)
		return -EINVAL;
	bit_off = spec->bit_offset;
	bit_sz = t->members[acc->idx].bitfield_size;
	bitfield = bit_sz > 0;
	if (bitfield) {
		byte_sz = mt->size;
		if (!byte_sz)
			return -EINVAL;
		byte_off = bit_off / 8 / byte_sz * byte_sz;
		/* The smallest load that holds the whole bitfield. */
		while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
			if (byte_sz >= 8)
				return -E2BIG;
			byte_sz *= 2;
			byte_off = bit_off / 8 / byte_sz * byte_sz;
		}
	} else {
		sz = bpfhost_btf__resolve_size(spec->btf, field_type_id);
		if (sz < 0)
			return -EINVAL;
		byte_sz = (uint32_t)sz;
		byte_off = bit_off / 8;
		bit_sz = byte_sz * 8;
	}
	/* Bitfield loads may differ from the compiler's and still be right: only signedness is checked. */
	if (validate)
		*validate = !bitfield;
	switch (kind) {
	case CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!bitfield) {
			*field_sz = byte_sz;
			*type_id = field_type_id;
		}
		break;
	case CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		break;
	case CORE_FIELD_SIGNED:
		*val = (is_any_enum(mt) && mt->kind_flag) ||
		       (mt->kind == BPFHOST_BTF_KIND_INT && (mt->int_encoding & BPFHOST_BTF_INT_SIGNED));
		if (validate)
			*validate = true;
		break;
	case CORE_FIELD_LSHIFT_U64:
		*val = 64 - (bit_off + bit_sz - byte_off * 8);	/* little endian */
		break;
	case CORE_FIELD_RSHIFT_U64:
		*val = 64 - bit_sz;
		if (validate)
			*validate = true;
		break;
	default:
		return -EOPNOTSUPP;
	}
	return 0;
}

static int calc_type(const struct core_spec *spec, uint32_t kind, uint64_t *val, bool *validate)
{
	int64_t sz;

	if (validate)
		*validate = true;
	if (!spec) {
		*val = 0;	/* a type that is not there: 0, never poison */
		return 0;
	}
	switch (kind) {
	case CORE_TYPE_ID_TARGET:
		*val = spec->root_type_id;
		if (validate)
			*validate = false;	/* ids change when objects are linked */
		break;
	case CORE_TYPE_EXISTS:
	case CORE_TYPE_MATCHES:
		*val = 1;
		break;
	case CORE_TYPE_SIZE:
		sz = bpfhost_btf__resolve_size(spec->btf, spec->root_type_id);
		if (sz < 0)
			return -EINVAL;
		*val = (uint64_t)sz;
		break;
	default:
		return -EOPNOTSUPP;
	}
	return 0;
}

static int calc_enumval(const struct core_spec *spec, uint32_t kind, uint64_t *val)
{
	const btf_t *t;

	if (kind == CORE_ENUMVAL_EXISTS) {
		*val = spec ? 1 : 0;
		return 0;
	}
	if (!spec)
		return -EUCLEAN;
	t = type_at(spec->btf, spec->spec[0].type_id);
	*val = t->values[spec->spec[0].idx].value;
	if (t->kind == BPFHOST_BTF_KIND_ENUM)	/* a 32-bit enumerator, sign-extended as libbpf */
		*val = (uint64_t)(int64_t)(int32_t)(uint32_t)*val;
	return 0;
}

static bool is_unsigned_int(const btf_t *t)
{
	return t->kind == BPFHOST_BTF_KIND_INT && !(t->int_encoding & BPFHOST_BTF_INT_SIGNED);
}

static int calc_relo(const struct core_spec *local, const struct core_spec *targ,
		     struct core_result *res)
{
	uint32_t kind = local->kind, orig_tid = 0, new_tid = 0;
	int err = -EOPNOTSUPP;

	memset(res, 0, sizeof(*res));
	res->validate = true;
	if (is_field_based(kind)) {
		err = calc_field(local, kind, &res->orig_val, &res->orig_sz, &orig_tid, &res->validate);
		if (!err)
			err = calc_field(targ, kind, &res->new_val, &res->new_sz, &new_tid, NULL);
		if (!err && res->orig_sz != res->new_sz) {
			const btf_t *o = type_at(local->btf, orig_tid), *n = type_at(targ->btf, new_tid);

			/* A pointer, or an unsigned int, reads right at another width (zero-extended). */
			if (!((o->kind == BPFHOST_BTF_KIND_PTR && n->kind == BPFHOST_BTF_KIND_PTR) ||
			      (is_unsigned_int(o) && is_unsigned_int(n))))
				res->fail_memsz_adjust = true;
		}
	} else if (is_type_based(kind)) {
		err = calc_type(local, kind, &res->orig_val, &res->validate);
		if (!err)
			err = calc_type(targ, kind, &res->new_val, NULL);
	} else if (is_enumval_based(kind)) {
		err = calc_enumval(local, kind, &res->orig_val);
		if (!err)
			err = calc_enumval(targ, kind, &res->new_val);
	}
	if (err == -EUCLEAN) {
		res->poison = true;
		err = 0;
	}
	return err;
}

int core_relo_resolve(const struct bpfhost_btf *local, const struct core_relo_rec *rec,
		      const struct core_targets *targets, struct core_result *res, char *why,
		      size_t wl)
{
	struct core_spec *lspec, *cand, *best;
	const btf_t *lt;
	const char *access;
	uint32_t matched = 0;
	int err;

	if (rec->access_str_off >= local->str_len)
		return fail(why, wl, -EINVAL, "access string offset %u is outside the BTF strings",
			    rec->access_str_off);
	if (rec->kind >= CORE_KIND_CNT)
		return fail(why, wl, -EOPNOTSUPP, "relocation kind %u is unknown", rec->kind);
	lt = type_at(local, rec->type_id);
	if (!lt || !rec->type_id)
		return fail(why, wl, -EINVAL, "local type id %u is out of range", rec->type_id);
	access = local->strs + rec->access_str_off;
	lspec = calloc(3, sizeof(*lspec));
	if (!lspec)
		return fail(why, wl, -ENOMEM, "no memory");
	cand = lspec + 1;
	best = lspec + 2;
	err = parse_spec(local, rec->type_id, access, rec->kind, lspec, why, wl);
	if (err)
		goto out;
	if (rec->kind == CORE_TYPE_ID_LOCAL) {
		memset(res, 0, sizeof(*res));
		res->orig_val = res->new_val = rec->type_id;
		goto out;
	}
	if (!lt->name[0]) {
		err = fail(why, wl, -EOPNOTSUPP, "the local type [%u] %s is anonymous: CO-RE finds targets by name",
			   rec->type_id, bpfhost_btf_kind_str(lt->kind));
		goto out;
	}
	/* The first target with candidates by name decides (libbpf: vmlinux, then modules). */
	for (uint32_t b = 0, named = 0; b < targets->cnt && !named; b++) {
		const struct bpfhost_btf *tb = targets->btfs[b];

		for (uint32_t id = 1; id < tb->type_cnt; id++) {
			const btf_t *t = &tb->types[id];
			struct core_result r;

			if (t->kind != lt->kind && !(is_any_enum(t) && is_any_enum(lt)))
				continue;
			if (!t->name[0] || !essential_names_equal(lt->name, t->name))
				continue;
			named++;
			err = spec_match(lspec, tb, id, cand);
			if (err < 0) {
				fail(why, wl, err, "matching candidate [%u] %s %s failed", id,
				     bpfhost_btf_kind_str(t->kind), t->name);
				goto out;
			}
			if (!err)
				continue;
			err = calc_relo(lspec, cand, &r);
			if (err) {
				fail(why, wl, err, "cannot compute %s for candidate [%u] %s",
				     core_relo_kind_str(rec->kind), id, t->name);
				goto out;
			}
			if (!matched) {
				*res = r;
				*best = *cand;
			} else if (cand->bit_offset != best->bit_offset) {
				err = fail(why, wl, -EINVAL, "ambiguous: candidates [%u] and [%u] %s put the field at bit offsets %u and %u",
					   best->root_type_id, id, t->name, best->bit_offset, cand->bit_offset);
				goto out;
			} else if (r.poison != res->poison || (!r.poison && r.new_val != res->new_val)) {
				err = fail(why, wl, -EINVAL, "ambiguous: candidates [%u] and [%u] %s give %llu and %llu",
					   best->root_type_id, id, t->name,
					   (unsigned long long)res->new_val, (unsigned long long)r.new_val);
				goto out;
			}
			matched++;
		}
	}
	err = 0;
	if (!matched) {
		err = calc_relo(lspec, NULL, res);
		if (err)
			fail(why, wl, err, "cannot compute %s", core_relo_kind_str(rec->kind));
	}
	res->cand_cnt = matched;
out:
	free(lspec);
	return err;
}

static int insn_size_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

static int bytes_to_size(uint32_t n)
{
	switch (n) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	case 8: return BPF_DW;
	default: return -1;
	}
}

void core_relo_poison(struct bpf_insn *insn, uint32_t left)
{
	struct bpf_insn call = { .code = BPF_JMP | BPF_CALL, .imm = (int32_t)BPFHOST_POISON_HELPER_ID };

	/* Both halves of an lddw, so the second is not read as a stray opcode 0. */
	if (insn->code == LDDW_CODE && left > 1)
		insn[1] = call;
	insn[0] = call;
}

int core_relo_patch(struct bpf_insn *insn, uint32_t left, const struct core_result *res, char *why,
		    size_t wl)
{
	uint8_t cls = BPF_CLASS(insn->code);
	uint64_t imm;

	if (res->poison) {
		core_relo_poison(insn, left);
		return 0;
	}
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (BPF_SRC(insn->code) != BPF_K)
			return fail(why, wl, -EINVAL, "the ALU instruction takes a register, not an immediate");
		if (res->validate && (uint64_t)(int64_t)insn->imm != res->orig_val)
			return fail(why, wl, -EINVAL, "the ALU instruction holds %d, not the expected %llu",
				    insn->imm, (unsigned long long)res->orig_val);
		insn->imm = (int32_t)res->new_val;
		return 0;
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		if (res->validate && (uint64_t)(int64_t)insn->off != res->orig_val)
			return fail(why, wl, -EINVAL, "the memory instruction's offset is %d, not the expected %llu",
				    insn->off, (unsigned long long)res->orig_val);
		if (res->new_val > SHRT_MAX)
			return fail(why, wl, -ERANGE, "offset %llu does not fit the instruction",
				    (unsigned long long)res->new_val);
		if (res->fail_memsz_adjust) {
			/* A signed field of another width, or a size change that would misread: poison. */
			core_relo_poison(insn, left);
			return 0;
		}
		insn->off = (int16_t)res->new_val;
		if (res->new_sz != res->orig_sz) {
			int sz = bytes_to_size(res->new_sz);

			if (insn_size_bytes(insn->code) != (int)res->orig_sz)
				return fail(why, wl, -EINVAL, "the instruction accesses %d bytes, not the field's %u",
					    insn_size_bytes(insn->code), res->orig_sz);
			if (sz < 0)
				return fail(why, wl, -EINVAL, "the target field's %u bytes are no load size",
					    res->new_sz);
			insn->code = (uint8_t)(BPF_MODE(insn->code) | sz | BPF_CLASS(insn->code));
		}
		return 0;
	case BPF_LD:
		if (insn->code != LDDW_CODE || left < 2 || insn[0].src_reg || insn[0].off ||
		    insn[1].code || insn[1].dst_reg || insn[1].src_reg || insn[1].off)
			return fail(why, wl, -EINVAL, "the lddw has an unexpected form");
		imm = (uint32_t)insn[0].imm | ((uint64_t)(uint32_t)insn[1].imm << 32);
		if (res->validate && imm != res->orig_val)
			return fail(why, wl, -EINVAL, "the lddw holds %llu, not the expected %llu",
				    (unsigned long long)imm, (unsigned long long)res->orig_val);
		insn[0].imm = (int32_t)(uint32_t)res->new_val;
		insn[1].imm = (int32_t)(uint32_t)(res->new_val >> 32);
		return 0;
	default:
		return fail(why, wl, -EINVAL, "opcode 0x%02x cannot be relocated", insn->code);
	}
}

void core_relo_describe(const struct bpfhost_btf *local, const struct core_relo_rec *rec, char *out,
			size_t len)
{
	const char *access = rec->access_str_off < local->str_len ? local->strs + rec->access_str_off : "?";
	const btf_t *t = type_at(local, rec->type_id);
	struct core_spec spec;
	char why[64];
	size_t n;

	if (!t) {
		snprintf(out, len, "[%u] (out of range)", rec->type_id);
		return;
	}
	n = (size_t)snprintf(out, len, "%s [%u] %s%s%s", core_relo_kind_str(rec->kind), rec->type_id,
			     bpfhost_btf_kind_str(t->kind), t->name[0] ? " " : "", t->name);
	if (is_type_based(rec->kind) || n >= len ||
	    parse_spec(local, rec->type_id, access, rec->kind, &spec, why, sizeof(why))) {
		if (n < len)
			snprintf(out + n, len - n, " (access %s)", access);
		return;
	}
	if (is_enumval_based(rec->kind)) {
		snprintf(out + n, len - n, "::%s", spec.spec[0].name);
		return;
	}
	for (uint32_t i = 0; i < spec.len && n < len; i++) {
		const struct core_acc *a = &spec.spec[i];

		if (a->name)
			n += (size_t)snprintf(out + n, len - n, ".%s", a->name);
		else if (i > 0 || a->idx)
			n += (size_t)snprintf(out + n, len - n, "[%u]", a->idx);
	}
	if (n < len)
		snprintf(out + n, len - n, " (access %s)", access);
}
