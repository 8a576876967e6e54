// SPDX-License-Identifier: MIT
/*
 * BTF: parse and validate a `.BTF` section (Linux's encoding, all kinds up to
 * ENUM64) into decoded views the library and the TypeScript codecs read.
 * Validation follows what the kernel's BTF verifier refuses that would make
 * the views lie: ids out of range, names outside the string section, records
 * past the type section, sizes that do not hold their members, reference
 * chains that loop. `.BTF.ext` (line and func info) is not read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_internal.h"

#define BTF_MAGIC 0xeB9F
#define BTF_VERSION 1
#define BTF_MAX_TYPES 0xfffffU		/* as the kernel: type ids fit 20 bits */
#define BTF_MAX_VLEN 0xffffU
#define BTF_MAX_CHAIN 32U		/* modifier/typedef/array steps when resolving */

/* On-disk layouts. */
struct btf_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t type_off;
	uint32_t type_len;
	uint32_t str_off;
	uint32_t str_len;
};

struct btf_type_rec {
	uint32_t name_off;
	uint32_t info;		/* vlen 0-15, kind 24-28, kind_flag 31 */
	uint32_t size_type;	/* size or type, by kind */
};

struct btf_pair { uint32_t a, b; };		/* enum {name, val}, param {name, type} */
struct btf_triple { uint32_t a, b, c; };	/* member, array, secinfo, enum64 */

static const char *const kind_names[] = {
	"UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE",
	"CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG",
	"TYPE_TAG", "ENUM64",
};

const char *bpfhost_btf_kind_str(enum bpfhost_btf_kind kind)
{
	if ((unsigned int)kind < sizeof(kind_names) / sizeof(kind_names[0]))
		return kind_names[kind];
	return "UNKNOWN";
}

/* Sets the thread's message "<what>: type [id] KIND 'name': <why>" and returns -EINVAL. */
static int type_err(const char *what, const struct bpfhost_btf_type *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int type_err(const char *what, const struct bpfhost_btf_type *t, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return bpfhost_set_last_error(-EINVAL, "%s: type [%u] %s '%s': %s", what, t->id,
				      bpfhost_btf_kind_str(t->kind), t->name ? t->name : "", why);
}

/* Bytes of kind-specific data after the common record, or -1 for an unknown kind. */
static int64_t extra_len(uint32_t kind, uint32_t vlen)
{
	switch (kind) {
	case BPFHOST_BTF_KIND_INT:
	case BPFHOST_BTF_KIND_VAR:
	case BPFHOST_BTF_KIND_DECL_TAG:
		return 4;
	case BPFHOST_BTF_KIND_ARRAY:
		return 12;
	case BPFHOST_BTF_KIND_STRUCT:
	case BPFHOST_BTF_KIND_UNION:
	case BPFHOST_BTF_KIND_DATASEC:
	case BPFHOST_BTF_KIND_ENUM64:
		return (int64_t)vlen * 12;
	case BPFHOST_BTF_KIND_ENUM:
	case BPFHOST_BTF_KIND_FUNC_PROTO:
		return (int64_t)vlen * 8;
	case BPFHOST_BTF_KIND_PTR:
	case BPFHOST_BTF_KIND_FWD:
	case BPFHOST_BTF_KIND_TYPEDEF:
	case BPFHOST_BTF_KIND_VOLATILE:
	case BPFHOST_BTF_KIND_CONST:
	case BPFHOST_BTF_KIND_RESTRICT:
	case BPFHOST_BTF_KIND_FUNC:
	case BPFHOST_BTF_KIND_FLOAT:
	case BPFHOST_BTF_KIND_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

static const char *str_at(const struct bpfhost_btf *btf, uint32_t off)
{
	/* The section ends in NUL (checked), so any offset inside is a string. */
	return off < btf->str_len ? btf->strs + off : NULL;
}

static int check_header(const uint8_t *data, size_t size, const char *what, struct btf_header *h)
{
	uint64_t body;

	if (size < sizeof(*h))
		return bpfhost_set_last_error(-EINVAL, "%s: %zu bytes is too short for a BTF header (24 bytes)",
					      what, size);
	memcpy(h, data, sizeof(*h));
	if (h->magic != BTF_MAGIC)
		return bpfhost_set_last_error(-EINVAL, "%s: bad BTF magic 0x%x (expected 0xeb9f, little endian)",
					      what, h->magic);
	if (h->version != BTF_VERSION)
		return bpfhost_set_last_error(-EINVAL, "%s: BTF version %u is not 1", what, h->version);
	if (h->flags)
		return bpfhost_set_last_error(-EINVAL, "%s: BTF header flags 0x%x are not 0", what, h->flags);
	if (h->hdr_len < sizeof(*h) || h->hdr_len > size)
		return bpfhost_set_last_error(-EINVAL, "%s: BTF header length %u is out of range (24..%zu)",
					      what, h->hdr_len, size);
	/* A longer header (a newer writer) is fine only if its extra fields are unused. */
	for (uint32_t i = sizeof(*h); i < h->hdr_len; i++)
		if (data[i])
			return bpfhost_set_last_error(-EINVAL, "%s: BTF header byte %u is not zero (unknown header field)",
						      what, i);
	body = size - h->hdr_len;
	if ((uint64_t)h->type_off + h->type_len > body)
		return bpfhost_set_last_error(-EINVAL, "%s: BTF type section (offset %u, %u bytes) runs past the end (%llu bytes)",
					      what, h->type_off, h->type_len, (unsigned long long)body);
	if ((uint64_t)h->str_off + h->str_len > body)
		return bpfhost_set_last_error(-EINVAL, "%s: BTF string section (offset %u, %u bytes) runs past the end (%llu bytes)",
					      what, h->str_off, h->str_len, (unsigned long long)body);
	if (h->type_off % 4)
		return bpfhost_set_last_error(-EINVAL, "%s: BTF type section offset %u is not 4-byte aligned",
					      what, h->type_off);
	if (h->type_off < h->str_off ? (uint64_t)h->type_off + h->type_len > h->str_off :
	    (uint64_t)h->str_off + h->str_len > h->type_off)
		return bpfhost_set_last_error(-EINVAL, "%s: BTF type and string sections overlap", what);
	if (h->str_len == 0 || data[h->hdr_len + h->str_off] != '\0' ||
	    data[h->hdr_len + h->str_off + h->str_len - 1] != '\0')
		return bpfhost_set_last_error(-EINVAL, "%s: BTF string section must start and end with NUL",
					      what);
	return 0;
}

struct btf_counts {
	uint32_t types;
	uint64_t members, values, params, secinfos;
};

/* First pass: record extents, kinds and list sizes, so one allocation fits all. */
static int count_types(const uint8_t *types, uint32_t len, const char *what, struct btf_counts *c)
{
	uint32_t off = 0;

	memset(c, 0, sizeof(*c));
	c->types = 1;	/* void */
	while (off < len) {
		struct btf_type_rec r;
		uint32_t kind, vlen;
		int64_t extra;

		if (len - off < sizeof(r))
			return bpfhost_set_last_error(-EINVAL, "%s: type [%u] at byte %u: record truncated (%u bytes left)",
						      what, c->types, off, len - off);
		memcpy(&r, types + off, sizeof(r));
		kind = (r.info >> 24) & 0x1f;
		vlen = r.info & 0xffff;
		extra = extra_len(kind, vlen);
		if (extra < 0 || kind == BPFHOST_BTF_KIND_UNKN)
			return bpfhost_set_last_error(-EINVAL, "%s: type [%u] at byte %u: unknown kind %u",
						      what, c->types, off, kind);
		if (r.info & 0x60ff0000U)
			return bpfhost_set_last_error(-EINVAL, "%s: type [%u] at byte %u: unused info bits set (0x%x)",
						      what, c->types, off, r.info);
		if ((uint64_t)len - off - sizeof(r) < (uint64_t)extra)
			return bpfhost_set_last_error(-EINVAL, "%s: type [%u] %s at byte %u: %lld bytes of members run past the type section",
						      what, c->types, bpfhost_btf_kind_str(kind), off,
						      (long long)extra);
		off += (uint32_t)(sizeof(r) + extra);
		if (++c->types > BTF_MAX_TYPES)
			return bpfhost_set_last_error(-EINVAL, "%s: more than %u types", what, BTF_MAX_TYPES);
		switch (kind) {
		case BPFHOST_BTF_KIND_STRUCT:
		case BPFHOST_BTF_KIND_UNION:
			c->members += vlen;
			break;
		case BPFHOST_BTF_KIND_ENUM:
		case BPFHOST_BTF_KIND_ENUM64:
			c->values += vlen;
			break;
		case BPFHOST_BTF_KIND_FUNC_PROTO:
			c->params += vlen;
			break;
		case BPFHOST_BTF_KIND_DATASEC:
			c->secinfos += vlen;
			break;
		}
	}
	return 0;
}

static const uint8_t *take(const uint8_t **p, size_t n)
{
	const uint8_t *q = *p;

	*p += n;
	return q;
}

/* Second pass: decode each record into its view. Ids and names are checked after. */
static int decode_types(struct bpfhost_btf *btf, const uint8_t *p, const char *what)
{
	struct bpfhost_btf_member *m = btf->members;
	struct bpfhost_btf_enum_value *v = btf->values;
	struct bpfhost_btf_param *pa = btf->params;
	struct bpfhost_btf_var_secinfo *s = btf->secinfos;

	btf->types[0].name = "";
	for (uint32_t id = 1; id < btf->type_cnt; id++) {
		struct bpfhost_btf_type *t = &btf->types[id];
		struct btf_type_rec r;
		uint32_t u;

		memcpy(&r, take(&p, sizeof(r)), sizeof(r));
		t->id = id;
		t->kind = (enum bpfhost_btf_kind)((r.info >> 24) & 0x1f);
		t->kind_flag = r.info >> 31;
		t->vlen = r.info & 0xffff;
		t->name = str_at(btf, r.name_off);
		if (!t->name) {
			t->name = "";
			return type_err(what, t, "name offset %u is outside the string section (%u bytes)",
					r.name_off, btf->str_len);
		}
		switch (t->kind) {
		case BPFHOST_BTF_KIND_INT:
			t->size = r.size_type;
			memcpy(&u, take(&p, 4), 4);
			t->int_encoding = (u >> 24) & 0xf;
			t->int_offset = (u >> 16) & 0xff;
			t->int_bits = u & 0xff;
			if (u & 0xf000ff00U)
				return type_err(what, t, "unused int data bits set (0x%x)", u);
			break;
		case BPFHOST_BTF_KIND_ARRAY: {
			struct btf_triple a;

			t->size = 0;
			memcpy(&a, take(&p, sizeof(a)), sizeof(a));
			t->elem_type = a.a;
			t->index_type = a.b;
			t->nelems = a.c;
			break;
		}
		case BPFHOST_BTF_KIND_STRUCT:
		case BPFHOST_BTF_KIND_UNION:
			t->size = r.size_type;
			t->members = m;
			for (uint32_t i = 0; i < t->vlen; i++, m++) {
				struct btf_triple x;

				memcpy(&x, take(&p, sizeof(x)), sizeof(x));
				m->name = str_at(btf, x.a);
				if (!m->name)
					return type_err(what, t, "member %u: name offset %u is outside the string section",
							i, x.a);
				m->type = x.b;
				m->bit_offset = t->kind_flag ? x.c & 0xffffff : x.c;
				m->bitfield_size = t->kind_flag ? x.c >> 24 : 0;
			}
			break;
		case BPFHOST_BTF_KIND_ENUM:
			t->size = r.size_type;
			t->values = v;
			for (uint32_t i = 0; i < t->vlen; i++, v++) {
				struct btf_pair x;

				memcpy(&x, take(&p, sizeof(x)), sizeof(x));
				v->name = str_at(btf, x.a);
				if (!v->name)
					return type_err(what, t, "value %u: name offset %u is outside the string section",
							i, x.a);
				v->value = t->kind_flag ? (uint64_t)(int64_t)(int32_t)x.b : x.b;
			}
			break;
		case BPFHOST_BTF_KIND_ENUM64:
			t->size = r.size_type;
			t->values = v;
			for (uint32_t i = 0; i < t->vlen; i++, v++) {
				struct btf_triple x;

				memcpy(&x, take(&p, sizeof(x)), sizeof(x));
				v->name = str_at(btf, x.a);
				if (!v->name)
					return type_err(what, t, "value %u: name offset %u is outside the string section",
							i, x.a);
				v->value = ((uint64_t)x.c << 32) | x.b;
			}
			break;
		case BPFHOST_BTF_KIND_FUNC_PROTO:
			t->type = r.size_type;
			t->params = pa;
			for (uint32_t i = 0; i < t->vlen; i++, pa++) {
				struct btf_pair x;

				memcpy(&x, take(&p, sizeof(x)), sizeof(x));
				pa->name = str_at(btf, x.a);
				if (!pa->name)
					return type_err(what, t, "parameter %u: name offset %u is outside the string section",
							i, x.a);
				pa->type = x.b;
			}
			break;
		case BPFHOST_BTF_KIND_VAR:
			t->type = r.size_type;
			memcpy(&t->linkage, take(&p, 4), 4);
			break;
		case BPFHOST_BTF_KIND_DATASEC:
			t->size = r.size_type;
			t->secinfos = s;
			for (uint32_t i = 0; i < t->vlen; i++, s++) {
				struct btf_triple x;

				memcpy(&x, take(&p, sizeof(x)), sizeof(x));
				s->type = x.a;
				s->offset = x.b;
				s->size = x.c;
			}
			break;
		case BPFHOST_BTF_KIND_DECL_TAG:
			t->type = r.size_type;
			memcpy(&t->component_idx, take(&p, 4), 4);
			break;
		case BPFHOST_BTF_KIND_FLOAT:
			t->size = r.size_type;
			break;
		case BPFHOST_BTF_KIND_FUNC:
			t->type = r.size_type;
			t->linkage = t->vlen;
			break;
		default:	/* PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG */
			t->type = t->kind == BPFHOST_BTF_KIND_FWD ? 0 : r.size_type;
			if (t->kind == BPFHOST_BTF_KIND_FWD && r.size_type)
				return type_err(what, t, "size/type field %u is not 0", r.size_type);
			break;
		}
	}
	return 0;
}

static bool kind_has_vlen(enum bpfhost_btf_kind k)
{
	return k == BPFHOST_BTF_KIND_STRUCT || k == BPFHOST_BTF_KIND_UNION ||
	       k == BPFHOST_BTF_KIND_ENUM || k == BPFHOST_BTF_KIND_ENUM64 ||
	       k == BPFHOST_BTF_KIND_FUNC_PROTO || k == BPFHOST_BTF_KIND_DATASEC ||
	       k == BPFHOST_BTF_KIND_FUNC;
}

static bool kind_takes_flag(enum bpfhost_btf_kind k)
{
	return k == BPFHOST_BTF_KIND_STRUCT || k == BPFHOST_BTF_KIND_UNION ||
	       k == BPFHOST_BTF_KIND_FWD || k == BPFHOST_BTF_KIND_ENUM ||
	       k == BPFHOST_BTF_KIND_ENUM64 || k == BPFHOST_BTF_KIND_DECL_TAG ||
	       k == BPFHOST_BTF_KIND_TYPE_TAG;
}

static bool kind_needs_name(enum bpfhost_btf_kind k)
{
	return k == BPFHOST_BTF_KIND_TYPEDEF || k == BPFHOST_BTF_KIND_FUNC ||
	       k == BPFHOST_BTF_KIND_VAR || k == BPFHOST_BTF_KIND_DATASEC ||
	       k == BPFHOST_BTF_KIND_FWD || k == BPFHOST_BTF_KIND_FLOAT ||
	       k == BPFHOST_BTF_KIND_DECL_TAG || k == BPFHOST_BTF_KIND_TYPE_TAG ||
	       k == BPFHOST_BTF_KIND_INT;
}

/* Kinds whose `type` refers on to another type in a resolution chain. */
static bool kind_is_ref(enum bpfhost_btf_kind k)
{
	return k == BPFHOST_BTF_KIND_TYPEDEF || k == BPFHOST_BTF_KIND_VOLATILE ||
	       k == BPFHOST_BTF_KIND_CONST || k == BPFHOST_BTF_KIND_RESTRICT ||
	       k == BPFHOST_BTF_KIND_TYPE_TAG || k == BPFHOST_BTF_KIND_VAR;
}

static int check_id(const struct bpfhost_btf *btf, const char *what, const struct bpfhost_btf_type *t,
		    const char *field, uint32_t id, bool void_ok)
{
	if (id >= btf->type_cnt)
		return type_err(what, t, "%s type id %u is out of range (%u types)", field, id,
				btf->type_cnt);
	if (!void_ok && id == 0)
		return type_err(what, t, "%s type is void", field);
	return 0;
}

static bool size_ok(uint32_t size, const uint32_t *allowed, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (size == allowed[i])
			return true;
	return false;
}

/* A member that is not a bitfield must fit its struct (as the kernel's "Member exceeds struct_size"). */
static int check_member_size(const struct bpfhost_btf *btf, const char *what,
			     const struct bpfhost_btf_type *t, const struct bpfhost_btf_member *m)
{
	const struct bpfhost_btf_type *mt = btf_skip_mods_and_typedefs(btf, m->type, NULL);
	int64_t size;

	/* Without kind_flag, a bitfield is an INT narrower than its size. */
	if (mt && mt->kind == BPFHOST_BTF_KIND_INT && mt->int_bits < mt->size * 8) {
		if ((uint64_t)m->bit_offset + mt->int_offset + mt->int_bits > (uint64_t)t->size * 8)
			return type_err(what, t, "member '%s': a %u-bit field at bit %u is past the end of its %u bytes",
					m->name, mt->int_bits, m->bit_offset, t->size);
		return 0;
	}
	size = bpfhost_btf__resolve_size(btf, m->type);
	if (size < 0)
		return 0;	/* no size (forward declaration, a loop found later): not this check's */
	if (m->bit_offset % 8)
		return type_err(what, t, "member '%s': bit offset %u is not byte aligned", m->name,
				m->bit_offset);
	if ((uint64_t)m->bit_offset / 8 + (uint64_t)size > t->size)
		return type_err(what, t, "member '%s': %lld bytes at byte %u are past the end of its %u bytes",
				m->name, (long long)size, m->bit_offset / 8, t->size);
	return 0;
}

static int check_members(const struct bpfhost_btf *btf, const char *what,
			 const struct bpfhost_btf_type *t)
{
	bool is_union = t->kind == BPFHOST_BTF_KIND_UNION;

	for (uint32_t i = 0; i < t->vlen; i++) {
		const struct bpfhost_btf_member *m = &t->members[i];
		uint64_t end = (uint64_t)m->bit_offset + m->bitfield_size;
		int err = check_id(btf, what, t, "member", m->type, false);

		if (err)
			return err;
		if (is_union && m->bit_offset)
			return type_err(what, t, "member '%s': a union member at bit offset %u",
					m->name, m->bit_offset);
		if (end > (uint64_t)t->size * 8)
			return type_err(what, t, "member '%s': bit offset %u (+%u bits) is past the end of its %u bytes",
					m->name, m->bit_offset, m->bitfield_size, t->size);
		if (!m->bitfield_size) {
			err = check_member_size(btf, what, t, m);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Per-type checks that need the whole table (ids, referenced kinds). */
static int check_type(const struct bpfhost_btf *btf, const char *what, const struct bpfhost_btf_type *t)
{
	static const uint32_t int_sizes[] = { 1, 2, 4, 8, 16 };
	static const uint32_t enum_sizes[] = { 1, 2, 4, 8 };
	static const uint32_t float_sizes[] = { 2, 4, 8, 12, 16 };
	int err = 0;

	if (t->vlen && !kind_has_vlen(t->kind))
		return type_err(what, t, "vlen %u on a kind without members", t->vlen);
	if (t->kind_flag && !kind_takes_flag(t->kind))
		return type_err(what, t, "kind_flag set on a kind that has none");
	if (kind_needs_name(t->kind) && !t->name[0])
		return type_err(what, t, "a %s needs a name", bpfhost_btf_kind_str(t->kind));
	switch (t->kind) {
	case BPFHOST_BTF_KIND_INT:
		if (!size_ok(t->size, int_sizes, 5))
			return type_err(what, t, "int size %u is not 1, 2, 4, 8 or 16", t->size);
		if (!t->int_bits || t->int_bits > 128 || t->int_offset + t->int_bits > t->size * 8)
			return type_err(what, t, "int of %u bits at bit %u does not fit %u bytes",
					t->int_bits, t->int_offset, t->size);
		if (t->int_encoding & (t->int_encoding - 1) || t->int_encoding > BPFHOST_BTF_INT_BOOL)
			return type_err(what, t, "int encoding 0x%x is not one of SIGNED, CHAR, BOOL",
					t->int_encoding);
		break;
	case BPFHOST_BTF_KIND_ARRAY:
		err = check_id(btf, what, t, "element", t->elem_type, false);
		if (!err)
			err = check_id(btf, what, t, "index", t->index_type, false);
		break;
	case BPFHOST_BTF_KIND_STRUCT:
	case BPFHOST_BTF_KIND_UNION:
		err = check_members(btf, what, t);
		break;
	case BPFHOST_BTF_KIND_ENUM:
	case BPFHOST_BTF_KIND_ENUM64:
		if (!size_ok(t->size, enum_sizes, 4))
			return type_err(what, t, "enum size %u is not 1, 2, 4 or 8", t->size);
		for (uint32_t i = 0; i < t->vlen; i++)
			if (!t->values[i].name[0])
				return type_err(what, t, "value %u has no name", i);
		break;
	case BPFHOST_BTF_KIND_FUNC:
		err = check_id(btf, what, t, "prototype", t->type, false);
		if (!err && btf->types[t->type].kind != BPFHOST_BTF_KIND_FUNC_PROTO)
			return type_err(what, t, "type [%u] is a %s, not a FUNC_PROTO", t->type,
					bpfhost_btf_kind_str(btf->types[t->type].kind));
		if (!err && t->linkage > BPFHOST_BTF_LINKAGE_EXTERN)
			return type_err(what, t, "linkage %u is not static, global or extern", t->linkage);
		break;
	case BPFHOST_BTF_KIND_FUNC_PROTO:
		err = check_id(btf, what, t, "return", t->type, true);
		for (uint32_t i = 0; !err && i < t->vlen; i++) {
			const struct bpfhost_btf_param *pa = &t->params[i];

			if (pa->type == 0 && (pa->name[0] || i != t->vlen - 1))
				return type_err(what, t, "parameter %u is void (only a last unnamed one means varargs)",
						i);
			err = check_id(btf, what, t, "parameter", pa->type, true);
		}
		break;
	case BPFHOST_BTF_KIND_VAR:
		/* `extern const void sym __ksym;` is a typeless kernel symbol: void, as Linux allows. */
		err = check_id(btf, what, t, "variable", t->type, t->linkage == BPFHOST_BTF_LINKAGE_EXTERN);
		if (!err && t->linkage > BPFHOST_BTF_LINKAGE_EXTERN)
			return type_err(what, t, "linkage %u is not static, global or extern", t->linkage);
		break;
	case BPFHOST_BTF_KIND_DATASEC:
		for (uint32_t i = 0; !err && i < t->vlen; i++) {
			const struct bpfhost_btf_var_secinfo *s = &t->secinfos[i];
			enum bpfhost_btf_kind k;

			err = check_id(btf, what, t, "variable", s->type, false);
			if (err)
				break;
			k = btf->types[s->type].kind;
			if (k != BPFHOST_BTF_KIND_VAR && k != BPFHOST_BTF_KIND_FUNC)
				return type_err(what, t, "entry %u is a %s, not a VAR or FUNC", i,
						bpfhost_btf_kind_str(k));
			/* Object files leave the section size 0 until the loader fixes it up. */
			if (t->size && (uint64_t)s->offset + s->size > t->size)
				return type_err(what, t, "entry %u (offset %u, %u bytes) is past the section's %u bytes",
						i, s->offset, s->size, t->size);
		}
		break;
	case BPFHOST_BTF_KIND_FLOAT:
		if (!size_ok(t->size, float_sizes, 5))
			return type_err(what, t, "float size %u is not 2, 4, 8, 12 or 16", t->size);
		break;
	case BPFHOST_BTF_KIND_DECL_TAG: {
		const struct bpfhost_btf_type *target;

		err = check_id(btf, what, t, "tagged", t->type, false);
		if (err)
			break;
		target = &btf->types[t->type];
		if (target->kind == BPFHOST_BTF_KIND_FUNC && target->type < btf->type_cnt)
			target = &btf->types[target->type];
		if (t->component_idx < -1 ||
		    (t->component_idx >= 0 && (uint32_t)t->component_idx >= target->vlen))
			return type_err(what, t, "component index %d is out of range for type [%u]",
					t->component_idx, t->type);
		break;
	}
	case BPFHOST_BTF_KIND_FWD:
		break;
	default:	/* PTR and the modifiers; void allowed (void *, const void) */
		err = check_id(btf, what, t, "referenced", t->type, true);
		break;
	}
	return err;
}

/* Reference chains (typedef, modifiers, var, array elements) must end within BTF_MAX_CHAIN steps. */
static int check_chain(const struct bpfhost_btf *btf, const char *what, const struct bpfhost_btf_type *t)
{
	const struct bpfhost_btf_type *cur = t;

	for (uint32_t depth = 0; depth <= BTF_MAX_CHAIN; depth++) {
		if (kind_is_ref(cur->kind))
			cur = &btf->types[cur->type];
		else if (cur->kind == BPFHOST_BTF_KIND_ARRAY)
			cur = &btf->types[cur->elem_type];
		else
			return 0;
	}
	return type_err(what, t, "its chain of typedefs, modifiers and arrays is circular or deeper than %u",
			BTF_MAX_CHAIN);
}

static void btf_free_views(struct bpfhost_btf *btf)
{
	free(btf->types);
	free(btf->members);
	free(btf->values);
	free(btf->params);
	free(btf->secinfos);
	free(btf->raw);
	free(btf);
}

static void *alloc_list(uint64_t n, size_t sz)
{
	return calloc(n ? n : 1, sz);
}

struct bpfhost_btf *btf_parse(const void *data, size_t size, const char *what)
{
	struct bpfhost_btf *btf;
	struct btf_header h;
	struct btf_counts c;
	int err;

	if (!data && size) {
		errno = EINVAL;
		bpfhost_set_last_error(-EINVAL, "%s: NULL data", what);
		return NULL;
	}
	err = check_header(data, size, what, &h);
	if (!err)
		err = count_types((const uint8_t *)data + h.hdr_len + h.type_off, h.type_len, what, &c);
	if (err) {
		errno = -err;
		return NULL;
	}
	btf = calloc(1, sizeof(*btf));
	if (btf) {
		btf->raw = malloc(size);
		btf->types = calloc(c.types, sizeof(*btf->types));
		btf->members = alloc_list(c.members, sizeof(*btf->members));
		btf->values = alloc_list(c.values, sizeof(*btf->values));
		btf->params = alloc_list(c.params, sizeof(*btf->params));
		btf->secinfos = alloc_list(c.secinfos, sizeof(*btf->secinfos));
	}
	if (!btf || !btf->raw || !btf->types || !btf->members || !btf->values || !btf->params ||
	    !btf->secinfos) {
		if (btf)
			btf_free_views(btf);
		errno = ENOMEM;
		bpfhost_set_last_error(-ENOMEM, "%s: no memory for %u BTF types", what, c.types);
		return NULL;
	}
	memcpy(btf->raw, data, size);
	btf->raw_size = size;
	btf->strs = (const char *)btf->raw + h.hdr_len + h.str_off;
	btf->str_len = h.str_len;
	btf->type_cnt = c.types;
	err = decode_types(btf, btf->raw + h.hdr_len + h.type_off, what);
	for (uint32_t id = 1; !err && id < btf->type_cnt; id++)
		err = check_type(btf, what, &btf->types[id]);
	for (uint32_t id = 1; !err && id < btf->type_cnt; id++)
		err = check_chain(btf, what, &btf->types[id]);
	if (err) {
		btf_free_views(btf);
		errno = -err;
		return NULL;
	}
	return btf;
}

struct bpfhost_btf *bpfhost_btf__new(const void *data, size_t size)
{
	return btf_parse(data, size, "BTF");
}

void bpfhost_btf__free(struct bpfhost_btf *btf)
{
	if (btf)
		btf_free_views(btf);
}

uint32_t bpfhost_btf__type_cnt(const struct bpfhost_btf *btf)
{
	return btf ? btf->type_cnt : 0;
}

const struct bpfhost_btf_type *bpfhost_btf__type_by_id(const struct bpfhost_btf *btf, uint32_t id)
{
	if (!btf || id >= btf->type_cnt) {
		errno = EINVAL;
		bpfhost_set_last_error(-EINVAL, "BTF: type id %u is out of range (%u types)", id,
				       btf ? btf->type_cnt : 0);
		return NULL;
	}
	return &btf->types[id];
}

const struct bpfhost_btf_type *btf_skip_mods_and_typedefs(const struct bpfhost_btf *btf,
							  uint32_t id, uint32_t *res_id)
{
	const struct bpfhost_btf_type *t;

	/* Chains are bounded (check_chain), so this ends. */
	for (uint32_t depth = 0; id < btf->type_cnt && depth <= BTF_MAX_CHAIN; depth++) {
		t = &btf->types[id];
		if (t->kind != BPFHOST_BTF_KIND_TYPEDEF && t->kind != BPFHOST_BTF_KIND_VOLATILE &&
		    t->kind != BPFHOST_BTF_KIND_CONST && t->kind != BPFHOST_BTF_KIND_RESTRICT &&
		    t->kind != BPFHOST_BTF_KIND_TYPE_TAG) {
			if (res_id)
				*res_id = id;
			return t;
		}
		id = t->type;
	}
	return NULL;
}

int bpfhost_btf__resolve_type(const struct bpfhost_btf *btf, uint32_t id)
{
	uint32_t res;

	if (!btf || !btf_skip_mods_and_typedefs(btf, id, &res)) {
		errno = EINVAL;
		return bpfhost_set_last_error(-EINVAL, "BTF: type id %u does not resolve", id);
	}
	return (int)res;
}

int64_t bpfhost_btf__resolve_size(const struct bpfhost_btf *btf, uint32_t id)
{
	uint64_t nelems = 1;

	for (uint32_t depth = 0; btf && id < btf->type_cnt && depth <= BTF_MAX_CHAIN; depth++) {
		const struct bpfhost_btf_type *t = &btf->types[id];
		uint64_t size;

		switch (t->kind) {
		case BPFHOST_BTF_KIND_INT:
		case BPFHOST_BTF_KIND_STRUCT:
		case BPFHOST_BTF_KIND_UNION:
		case BPFHOST_BTF_KIND_ENUM:
		case BPFHOST_BTF_KIND_ENUM64:
		case BPFHOST_BTF_KIND_DATASEC:
		case BPFHOST_BTF_KIND_FLOAT:
		case BPFHOST_BTF_KIND_PTR:
			size = t->kind == BPFHOST_BTF_KIND_PTR ? 8 : t->size;
			if (size && nelems > UINT32_MAX / size) {
				errno = E2BIG;
				return bpfhost_set_last_error(-E2BIG, "BTF: type [%u]: size is over 4 GiB", id);
			}
			return (int64_t)(nelems * size);
		case BPFHOST_BTF_KIND_TYPEDEF:
		case BPFHOST_BTF_KIND_VOLATILE:
		case BPFHOST_BTF_KIND_CONST:
		case BPFHOST_BTF_KIND_RESTRICT:
		case BPFHOST_BTF_KIND_TYPE_TAG:
		case BPFHOST_BTF_KIND_VAR:
			id = t->type;
			break;
		case BPFHOST_BTF_KIND_ARRAY:
			if (t->nelems && nelems > UINT32_MAX / t->nelems) {
				errno = E2BIG;
				return bpfhost_set_last_error(-E2BIG, "BTF: type [%u]: array size is over 4 GiB", id);
			}
			nelems *= t->nelems;
			id = t->elem_type;
			break;
		default:
			errno = EINVAL;
			return bpfhost_set_last_error(-EINVAL, "BTF: type [%u] %s '%s' has no size", id,
						      bpfhost_btf_kind_str(t->kind), t->name);
		}
	}
	errno = EINVAL;
	return bpfhost_set_last_error(-EINVAL, "BTF: type id %u does not resolve to a size", id);
}

int bpfhost_btf__find_by_name_kind(const struct bpfhost_btf *btf, const char *name,
				   enum bpfhost_btf_kind kind)
{
	if (btf && name) {
		if (kind == BPFHOST_BTF_KIND_UNKN && !strcmp(name, "void"))
			return 0;
		for (uint32_t id = 1; id < btf->type_cnt; id++)
			if (btf->types[id].kind == kind && !strcmp(btf->types[id].name, name))
				return (int)id;
	}
	errno = ENOENT;
	return bpfhost_set_last_error(-ENOENT, "BTF: no %s named '%s'", bpfhost_btf_kind_str(kind),
				      name ? name : "(null)");
}
