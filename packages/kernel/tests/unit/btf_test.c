// SPDX-License-Identifier: MIT
/*
 * BTF: the decoded view of every clang-compiled test object, printed in
 * bpftool's raw format, equals `bpftool btf dump file` of the same object
 * (every kind: int, ptr, array, struct, union, enum, enum64, fwd, typedef,
 * volatile, const, restrict, func, func_proto, var, datasec, float, decl_tag,
 * type_tag); lookups and size resolution; hand-built malformed BTF refused
 * with the type id and the reason; every truncation and random corruption of
 * a real `.BTF` either refused or parsed into a view that can be walked.
 */
#include <stdarg.h>
#include <stdint.h>

#include "test.h"
#include "bpf_objects.h"
#include "bpfhost/libbpf.h"
#include "lib/elf_reader.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static const char *const objects[] = {
	"object_btf_kinds", "object_maps", "object_globals", "object_tailcall", "object_legacy_maps",
};

/* The raw `.BTF` of a test object (malloc'ed), as in the file: no fixups. */
static void *raw_btf(const char *name, size_t *size)
{
	size_t isz = 0;
	uint8_t *image = bpf_object_read(name, &isz);
	const struct elf_section *s;
	struct elf_file elf;
	void *out = NULL;

	*size = 0;
	if (!image || elf_open(&elf, name, image, isz)) {
		free(image);
		return NULL;
	}
	s = elf_find_section(&elf, ".BTF");
	if (s && (out = malloc(s->size))) {
		memcpy(out, s->data, s->size);
		*size = s->size;
	}
	elf_close(&elf);
	free(image);
	return out;
}

/* ---------------------------------------------------------------------------
 * bpftool's raw format (bpftool btf dump file X), from the view.
 */
struct strbuf {
	char *p;
	size_t len, cap;
};

static void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < sb->cap - sb->len) {
			sb->len += (size_t)n;
			return;
		}
		sb->cap = sb->cap * 2 + (size_t)n + 64;
		sb->p = realloc(sb->p, sb->cap);
		if (!sb->p)
			abort();
	}
}

static const char *anon(const char *s)
{
	return s[0] ? s : "(anon)";
}

static const char *linkage_str(uint32_t l)
{
	return l == BPFHOST_BTF_LINKAGE_STATIC ? "static" : l == BPFHOST_BTF_LINKAGE_GLOBAL ? "global" : "extern";
}

static const char *int_enc(uint32_t e)
{
	return e == BPFHOST_BTF_INT_SIGNED ? "SIGNED" : e == BPFHOST_BTF_INT_CHAR ? "CHAR" :
	       e == BPFHOST_BTF_INT_BOOL ? "BOOL" : "(none)";
}

static void dump_type(struct strbuf *sb, const struct bpfhost_btf *btf, const struct bpfhost_btf_type *t)
{
	sb_printf(sb, "[%u] %s '%s'", t->id, bpfhost_btf_kind_str(t->kind), anon(t->name));
	switch (t->kind) {
	case BPFHOST_BTF_KIND_INT:
		sb_printf(sb, " size=%u bits_offset=%u nr_bits=%u encoding=%s", t->size, t->int_offset,
			  t->int_bits, int_enc(t->int_encoding));
		break;
	case BPFHOST_BTF_KIND_PTR:
	case BPFHOST_BTF_KIND_CONST:
	case BPFHOST_BTF_KIND_VOLATILE:
	case BPFHOST_BTF_KIND_RESTRICT:
	case BPFHOST_BTF_KIND_TYPEDEF:
	case BPFHOST_BTF_KIND_TYPE_TAG:
		sb_printf(sb, " type_id=%u", t->type);
		break;
	case BPFHOST_BTF_KIND_ARRAY:
		sb_printf(sb, " type_id=%u index_type_id=%u nr_elems=%u", t->elem_type, t->index_type, t->nelems);
		break;
	case BPFHOST_BTF_KIND_STRUCT:
	case BPFHOST_BTF_KIND_UNION:
		sb_printf(sb, " size=%u vlen=%u", t->size, t->vlen);
		for (uint32_t i = 0; i < t->vlen; i++) {
			const struct bpfhost_btf_member *m = &t->members[i];

			sb_printf(sb, "\n\t'%s' type_id=%u bits_offset=%u", anon(m->name), m->type, m->bit_offset);
			if (m->bitfield_size)
				sb_printf(sb, " bitfield_size=%u", m->bitfield_size);
		}
		break;
	case BPFHOST_BTF_KIND_ENUM:
		sb_printf(sb, " encoding=%s size=%u vlen=%u", t->kind_flag ? "SIGNED" : "UNSIGNED", t->size, t->vlen);
		for (uint32_t i = 0; i < t->vlen; i++) {
			if (t->kind_flag)
				sb_printf(sb, "\n\t'%s' val=%d", t->values[i].name, (int32_t)t->values[i].value);
			else
				sb_printf(sb, "\n\t'%s' val=%u", t->values[i].name, (uint32_t)t->values[i].value);
		}
		break;
	case BPFHOST_BTF_KIND_ENUM64:
		sb_printf(sb, " encoding=%s size=%u vlen=%u", t->kind_flag ? "SIGNED" : "UNSIGNED", t->size, t->vlen);
		for (uint32_t i = 0; i < t->vlen; i++) {
			if (t->kind_flag)
				sb_printf(sb, "\n\t'%s' val=%lldLL", t->values[i].name, (long long)t->values[i].value);
			else
				sb_printf(sb, "\n\t'%s' val=%lluULL", t->values[i].name,
					  (unsigned long long)t->values[i].value);
		}
		break;
	case BPFHOST_BTF_KIND_FWD:
		sb_printf(sb, " fwd_kind=%s", t->kind_flag ? "union" : "struct");
		break;
	case BPFHOST_BTF_KIND_FUNC:
		sb_printf(sb, " type_id=%u linkage=%s", t->type, linkage_str(t->linkage));
		break;
	case BPFHOST_BTF_KIND_FUNC_PROTO:
		sb_printf(sb, " ret_type_id=%u vlen=%u", t->type, t->vlen);
		for (uint32_t i = 0; i < t->vlen; i++)
			sb_printf(sb, "\n\t'%s' type_id=%u", anon(t->params[i].name), t->params[i].type);
		break;
	case BPFHOST_BTF_KIND_VAR:
		sb_printf(sb, " type_id=%u, linkage=%s", t->type, linkage_str(t->linkage));
		break;
	case BPFHOST_BTF_KIND_DATASEC:
		sb_printf(sb, " size=%u vlen=%u", t->size, t->vlen);
		for (uint32_t i = 0; i < t->vlen; i++) {
			const struct bpfhost_btf_var_secinfo *s = &t->secinfos[i];
			const struct bpfhost_btf_type *v = bpfhost_btf__type_by_id(btf, s->type);

			sb_printf(sb, "\n\ttype_id=%u offset=%u size=%u (%s '%s')", s->type, s->offset, s->size,
				  bpfhost_btf_kind_str(v->kind), anon(v->name));
		}
		break;
	case BPFHOST_BTF_KIND_FLOAT:
		sb_printf(sb, " size=%u", t->size);
		break;
	case BPFHOST_BTF_KIND_DECL_TAG:
		sb_printf(sb, " type_id=%u component_idx=%d", t->type, t->component_idx);
		break;
	default:
		sb_printf(sb, " ?");
		break;
	}
	sb_printf(sb, "\n");
}

static char *run_bpftool(const char *path)
{
#ifdef BPFHOST_BPFTOOL
	struct strbuf sb = { 0 };
	char cmd[4200], line[4096];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s btf dump file '%s' 2>/dev/null", BPFHOST_BPFTOOL, path);
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	sb_printf(&sb, "%s", "");
	while (fgets(line, sizeof(line), f))
		sb_printf(&sb, "%s", line);
	if (pclose(f) != 0) {
		free(sb.p);
		return NULL;
	}
	return sb.p;
#else
	(void)path;
	return NULL;
#endif
}

/* First differing line of two texts, for the failure message. */
static void first_diff(const char *a, const char *b, char *out, size_t size)
{
	int line = 1;

	while (*a && *a == *b) {
		if (*a == '\n')
			line++;
		a++;
		b++;
	}
	snprintf(out, size, "line %d: ours '%.60s' vs bpftool '%.60s'", line, a, b);
}

static void t_view_equals_bpftool(void)
{
	size_t total_types = 0;

	for (size_t i = 0; i < ARRAY_SIZE(objects); i++) {
		size_t size;
		void *raw = raw_btf(objects[i], &size);
		struct bpfhost_btf *btf = raw ? bpfhost_btf__new(raw, size) : NULL;
		char *want = run_bpftool(bpf_object_path(objects[i]));
		struct strbuf sb = { 0 };
		char diff[256];

		ASSERT_TRUE(btf != NULL, objects[i]);
		if (!btf) {
			free(raw);
			free(want);
			continue;
		}
		sb_printf(&sb, "%s", "");
		for (uint32_t id = 1; id < bpfhost_btf__type_cnt(btf); id++)
			dump_type(&sb, btf, bpfhost_btf__type_by_id(btf, id));
		total_types += bpfhost_btf__type_cnt(btf) - 1;
		if (!want) {
			if (i == 0)
				printf("note: bpftool not found or failed; the view is not compared with it\n");
		} else {
			first_diff(sb.p, want, diff, sizeof(diff));
			ASSERT_EQ(strcmp(sb.p, want), 0, diff);
		}
		free(sb.p);
		free(want);
		bpfhost_btf__free(btf);
		free(raw);
	}
	printf("bpftool comparison: %zu types in %zu objects\n", total_types, ARRAY_SIZE(objects));
}

static void t_lookups_and_sizes(void)
{
	size_t size;
	void *raw = raw_btf("object_btf_kinds", &size);
	struct bpfhost_btf *btf = raw ? bpfhost_btf__new(raw, size) : NULL;
	const struct bpfhost_btf_type *t, *k;
	int id, kinds_id;

	ASSERT_TRUE(btf != NULL, "parse");
	if (!btf)
		goto out;
	ASSERT_TRUE(bpfhost_btf__type_by_id(btf, 0) != NULL && bpfhost_btf__type_by_id(btf, 0)->kind == BPFHOST_BTF_KIND_UNKN,
		    "id 0 is void");
	ASSERT_TRUE(bpfhost_btf__type_by_id(btf, bpfhost_btf__type_cnt(btf)) == NULL, "id past the end");
	ASSERT_EQ(errno, EINVAL, "errno EINVAL");
	ASSERT_EQ(bpfhost_btf__find_by_name_kind(btf, "void", BPFHOST_BTF_KIND_UNKN), 0, "void");
	ASSERT_EQ(bpfhost_btf__find_by_name_kind(btf, "kinds", BPFHOST_BTF_KIND_UNION), -ENOENT, "wrong kind");
	kinds_id = bpfhost_btf__find_by_name_kind(btf, "kinds", BPFHOST_BTF_KIND_STRUCT);
	ASSERT_GE(kinds_id, 1, "struct kinds");
	k = bpfhost_btf__type_by_id(btf, (uint32_t)kinds_id);
	ASSERT_EQ(bpfhost_btf__resolve_size(btf, (uint32_t)kinds_id), 112, "sizeof(struct kinds)");
	if (k && k->vlen == 16) {
		ASSERT_EQ(bpfhost_btf__resolve_size(btf, k->members[5].type), 2 * 3 * 4, "int arr[2][3]");
		ASSERT_EQ(k->members[4].bitfield_size, 4, "bits : 4");
		ASSERT_EQ(bpfhost_btf__resolve_size(btf, k->members[12].type), 8, "a pointer is 8 bytes");
		ASSERT_EQ(bpfhost_btf__resolve_size(btf, k->members[8].type), 8, "vc_u64 through typedef/const/volatile");
		id = bpfhost_btf__resolve_type(btf, k->members[8].type);
		t = bpfhost_btf__type_by_id(btf, (uint32_t)id);
		ASSERT_TRUE(t && t->kind == BPFHOST_BTF_KIND_INT && !strcmp(t->name, "unsigned long long"),
			    "resolve_type skips typedef, const, volatile");
		t = bpfhost_btf__type_by_id(btf, k->members[14].type);	/* int __ttag("user") * */
		ASSERT_TRUE(t && t->kind == BPFHOST_BTF_KIND_PTR, "tagged pointer");
		t = t ? bpfhost_btf__type_by_id(btf, t->type) : NULL;
		ASSERT_TRUE(t && t->kind == BPFHOST_BTF_KIND_TYPE_TAG && !strcmp(t->name, "user"), "type tag 'user'");
	} else {
		ASSERT_TRUE(false, "struct kinds has 16 members");
	}
	id = bpfhost_btf__find_by_name_kind(btf, "wide", BPFHOST_BTF_KIND_ENUM64);
	t = id > 0 ? bpfhost_btf__type_by_id(btf, (uint32_t)id) : NULL;
	ASSERT_TRUE(t && t->vlen == 2 && t->size == 8 && t->values[1].value == 0x1234567890ULL, "ENUM64 values");
	id = bpfhost_btf__find_by_name_kind(btf, "small", BPFHOST_BTF_KIND_ENUM);
	t = id > 0 ? bpfhost_btf__type_by_id(btf, (uint32_t)id) : NULL;
	ASSERT_TRUE(t && t->kind_flag && (int64_t)t->values[1].value == -2, "signed ENUM: -2 sign-extended");
	id = bpfhost_btf__find_by_name_kind(btf, "tiny", BPFHOST_BTF_KIND_ENUM);
	t = id > 0 ? bpfhost_btf__type_by_id(btf, (uint32_t)id) : NULL;
	ASSERT_TRUE(t && t->size == 1 && !t->kind_flag && t->values[0].value == 3, "packed 1-byte ENUM");
	id = bpfhost_btf__find_by_name_kind(btf, "member_tag", BPFHOST_BTF_KIND_DECL_TAG);
	t = id > 0 ? bpfhost_btf__type_by_id(btf, (uint32_t)id) : NULL;
	ASSERT_TRUE(t && t->type == (uint32_t)kinds_id && t->component_idx == 4, "decl tag on member 4");
	id = bpfhost_btf__find_by_name_kind(btf, "take", BPFHOST_BTF_KIND_FUNC);
	t = id > 0 ? bpfhost_btf__type_by_id(btf, (uint32_t)id) : NULL;
	ASSERT_TRUE(t && t->linkage == BPFHOST_BTF_LINKAGE_STATIC, "static function");
	ASSERT_EQ(bpfhost_btf__resolve_size(btf, (uint32_t)id), -EINVAL, "a function has no size");
	t = t ? bpfhost_btf__type_by_id(btf, t->type) : NULL;
	ASSERT_TRUE(t && t->kind == BPFHOST_BTF_KIND_FUNC_PROTO && t->vlen == 2 && !strcmp(t->params[1].name, "b"),
		    "its prototype");
	if (t && t->vlen == 2) {
		const struct bpfhost_btf_type *r = bpfhost_btf__type_by_id(btf, t->params[0].type);

		ASSERT_TRUE(r && r->kind == BPFHOST_BTF_KIND_RESTRICT, "int *restrict a");
	}
	id = bpfhost_btf__find_by_name_kind(btf, "opaque_u", BPFHOST_BTF_KIND_FWD);
	t = id > 0 ? bpfhost_btf__type_by_id(btf, (uint32_t)id) : NULL;
	ASSERT_TRUE(t && t->kind_flag, "union forward declaration");
	ASSERT_EQ(bpfhost_btf__resolve_size(btf, (uint32_t)id), -EINVAL, "a forward declaration has no size");
	bpfhost_btf__free(btf);
out:
	free(raw);
}

/* ---------------------------------------------------------------------------
 * Hand-built BTF.
 */
struct bb {
	uint8_t types[1024];
	size_t tlen;
	char strs[256];
	size_t slen;
};

static void bb_init(struct bb *b)
{
	memset(b, 0, sizeof(*b));
	b->slen = 1;	/* "" */
}

static uint32_t bb_str(struct bb *b, const char *s)
{
	uint32_t off = (uint32_t)b->slen;

	memcpy(b->strs + b->slen, s, strlen(s) + 1);
	b->slen += strlen(s) + 1;
	return off;
}

static void bb_u32(struct bb *b, uint32_t v)
{
	memcpy(b->types + b->tlen, &v, 4);
	b->tlen += 4;
}

#define INFO(kind, vlen, kflag) (((uint32_t)(kflag) << 31) | ((uint32_t)(kind) << 24) | (vlen))

static void bb_type(struct bb *b, uint32_t name, uint32_t info, uint32_t size_type)
{
	bb_u32(b, name);
	bb_u32(b, info);
	bb_u32(b, size_type);
}

/* Header + types + strings into @out (4 KiB); returns the size. */
static size_t bb_finish(const struct bb *b, uint8_t *out)
{
	uint32_t hdr[6] = { 0x0001eb9f | (0u << 24), 24, 0, (uint32_t)b->tlen, (uint32_t)b->tlen, (uint32_t)b->slen };

	/* magic 0xeb9f, version 1, flags 0 */
	hdr[0] = 0xeb9f | (1u << 16);
	memcpy(out, hdr, sizeof(hdr));
	memcpy(out + 24, b->types, b->tlen);
	memcpy(out + 24 + b->tlen, b->strs, b->slen);
	return 24 + b->tlen + b->slen;
}

/* A valid base: [1] int, [2] struct s { int a; int b; }, [3] int *. */
static void bb_base(struct bb *b)
{
	uint32_t n_int = bb_str(b, "int"), n_s = bb_str(b, "s"), n_a = bb_str(b, "a"), n_b = bb_str(b, "b");

	bb_type(b, n_int, INFO(BPFHOST_BTF_KIND_INT, 0, 0), 4);
	bb_u32(b, (BPFHOST_BTF_INT_SIGNED << 24) | 32);
	bb_type(b, n_s, INFO(BPFHOST_BTF_KIND_STRUCT, 2, 0), 8);
	bb_u32(b, n_a); bb_u32(b, 1); bb_u32(b, 0);
	bb_u32(b, n_b); bb_u32(b, 1); bb_u32(b, 32);
	bb_type(b, 0, INFO(BPFHOST_BTF_KIND_PTR, 0, 0), 1);
}

static void expect_bad(const uint8_t *blob, size_t size, const char *what, const char *needle)
{
	struct bpfhost_btf *btf = bpfhost_btf__new(blob, size);

	ASSERT_TRUE(btf == NULL, what);
	ASSERT_EQ(errno, EINVAL, what);
	ASSERT_STR_CONTAINS(bpfhost_last_error(), needle, what);
	bpfhost_btf__free(btf);
}

static void t_malformed(void)
{
	uint8_t blob[4096];
	struct bb b;
	size_t n;
	uint32_t v;

	bb_init(&b);
	bb_base(&b);
	n = bb_finish(&b, blob);
	{
		struct bpfhost_btf *btf = bpfhost_btf__new(blob, n);

		ASSERT_TRUE(btf != NULL, "the base is valid");
		ASSERT_EQ(bpfhost_btf__type_cnt(btf), 4, "void + 3 types");
		ASSERT_EQ(bpfhost_btf__resolve_size(btf, 2), 8, "struct s");
		bpfhost_btf__free(btf);
	}
	/* Header. */
	expect_bad(blob, 10, "shorter than a header", "too short for a BTF header");
	blob[0] ^= 0xff;
	expect_bad(blob, n, "bad magic", "bad BTF magic");
	blob[0] ^= 0xff;
	blob[2] = 2;
	expect_bad(blob, n, "version 2", "BTF version 2 is not 1");
	blob[2] = 1;
	blob[3] = 1;
	expect_bad(blob, n, "flags", "header flags 0x1");
	blob[3] = 0;
	memcpy(&v, blob + 4, 4);
	memcpy(blob + 4, &(uint32_t){ 16 }, 4);
	expect_bad(blob, n, "header length 16", "header length 16 is out of range");
	memcpy(blob + 4, &v, 4);
	memcpy(blob + 12, &(uint32_t){ (uint32_t)b.tlen + 4 }, 4);
	expect_bad(blob, n, "type section past the end", "type and string sections overlap");
	memcpy(blob + 12, &(uint32_t){ (uint32_t)b.tlen }, 4);
	expect_bad(blob, n - 1, "string section cut", "string section (offset");
	blob[n - 1] = 'x';
	expect_bad(blob, n, "string section not NUL-terminated", "must start and end with NUL");
	blob[n - 1] = 0;

	/* Types (each case rebuilt from scratch). */
#define CASE(build, what, needle)                                   \
	do {                                                        \
		bb_init(&b);                                        \
		build;                                              \
		n = bb_finish(&b, blob);                            \
		expect_bad(blob, n, what, needle);                  \
	} while (0)

	CASE((bb_base(&b), bb_type(&b, 0, INFO(25, 0, 0), 0)), "unknown kind", "type [4] at byte 64: unknown kind 25");
	CASE((bb_base(&b), b.tlen -= 4), "record cut short", "type [3] at byte 52: record truncated (8 bytes left)");
	CASE((bb_type(&b, bb_str(&b, "t"), INFO(BPFHOST_BTF_KIND_TYPEDEF, 0, 0), 99)), "id out of range",
	     "type [1] TYPEDEF 't': referenced type id 99 is out of range (2 types)");
	CASE((bb_type(&b, 9999, INFO(BPFHOST_BTF_KIND_TYPEDEF, 0, 0), 0)), "name outside the strings",
	     "type [1] TYPEDEF '': name offset 9999 is outside the string section");
	CASE((bb_base(&b), bb_type(&b, 0, INFO(BPFHOST_BTF_KIND_PTR, 1, 0), 1)), "vlen on a pointer",
	     "type [4] PTR '': vlen 1 on a kind without members");
	CASE((bb_type(&b, bb_str(&b, "i"), INFO(BPFHOST_BTF_KIND_INT, 0, 0), 4), bb_u32(&b, 40)), "int too wide",
	     "type [1] INT 'i': int of 40 bits at bit 0 does not fit 4 bytes");
	CASE((bb_type(&b, bb_str(&b, "i"), INFO(BPFHOST_BTF_KIND_INT, 0, 1), 4), bb_u32(&b, 32)), "kind_flag on int",
	     "type [1] INT 'i': kind_flag set");
	CASE((bb_type(&b, bb_str(&b, "a"), INFO(BPFHOST_BTF_KIND_TYPEDEF, 0, 0), 2),
	      bb_type(&b, bb_str(&b, "b"), INFO(BPFHOST_BTF_KIND_TYPEDEF, 0, 0), 1)),
	     "typedef loop", "type [1] TYPEDEF 'a': its chain of typedefs, modifiers and arrays is circular");
	CASE((bb_base(&b), bb_type(&b, bb_str(&b, "u"), INFO(BPFHOST_BTF_KIND_STRUCT, 1, 0), 4), bb_u32(&b, 0),
	      bb_u32(&b, 1), bb_u32(&b, 32)),
	     "member past the end", "type [4] STRUCT 'u': member '': 4 bytes at byte 4 are past the end of its 4 bytes");
	CASE((bb_base(&b), bb_type(&b, bb_str(&b, "u"), INFO(BPFHOST_BTF_KIND_UNION, 1, 0), 4), bb_u32(&b, 0),
	      bb_u32(&b, 1), bb_u32(&b, 8)),
	     "offset in a union", "type [4] UNION 'u': member '': a union member at bit offset 8");
	CASE((bb_base(&b), bb_type(&b, bb_str(&b, "u"), INFO(BPFHOST_BTF_KIND_STRUCT, 1, 0), 4), bb_u32(&b, 0),
	      bb_u32(&b, 77), bb_u32(&b, 0)),
	     "member type out of range", "type [4] STRUCT 'u': member type id 77 is out of range");
	CASE((bb_base(&b), bb_type(&b, bb_str(&b, "f"), INFO(BPFHOST_BTF_KIND_FUNC, 0, 0), 1)), "func of an int",
	     "type [4] FUNC 'f': type [1] is a INT, not a FUNC_PROTO");
	CASE((bb_base(&b), bb_type(&b, bb_str(&b, ".data"), INFO(BPFHOST_BTF_KIND_DATASEC, 1, 0), 4), bb_u32(&b, 1),
	      bb_u32(&b, 0), bb_u32(&b, 4)),
	     "datasec of an int", "type [4] DATASEC '.data': entry 0 is a INT, not a VAR or FUNC");
	CASE((bb_type(&b, bb_str(&b, "e"), INFO(BPFHOST_BTF_KIND_ENUM, 1, 0), 3), bb_u32(&b, bb_str(&b, "X")),
	      bb_u32(&b, 1)),
	     "enum of 3 bytes", "type [1] ENUM 'e': enum size 3 is not 1, 2, 4 or 8");
	CASE((bb_base(&b), bb_type(&b, bb_str(&b, "tag"), INFO(BPFHOST_BTF_KIND_DECL_TAG, 0, 0), 2), bb_u32(&b, 5)),
	     "decl tag component", "type [4] DECL_TAG 'tag': component index 5 is out of range for type [2]");
	CASE((bb_base(&b), bb_type(&b, 0, INFO(BPFHOST_BTF_KIND_TYPEDEF, 0, 0), 1)), "anonymous typedef",
	     "type [4] TYPEDEF '': a TYPEDEF needs a name");
	CASE((bb_base(&b), bb_type(&b, 0, INFO(BPFHOST_BTF_KIND_ARRAY, 0, 0), 0), bb_u32(&b, 0), bb_u32(&b, 1),
	      bb_u32(&b, 4)),
	     "array of void", "type [4] ARRAY '': element type is void");
	CASE((bb_base(&b), bb_type(&b, bb_str(&b, "v"), INFO(BPFHOST_BTF_KIND_VAR, 0, 0), 1), bb_u32(&b, 7)),
	     "var linkage", "type [4] VAR 'v': linkage 7 is not static, global or extern");
#undef CASE
}

/* Every prefix of a real .BTF is refused; random corruption never crashes. */
static void t_truncation_and_corruption(void)
{
	size_t size, accepted = 0, refused = 0;
	uint8_t *raw = raw_btf("object_btf_kinds", &size);
	uint8_t *copy = raw ? malloc(size) : NULL;
	uint64_t rng = 0x9e3779b97f4a7c15ULL;

	ASSERT_TRUE(raw && copy, "raw .BTF");
	if (!raw || !copy)
		goto out;
	for (size_t len = 0; len < size; len++) {
		struct bpfhost_btf *btf = bpfhost_btf__new(raw, len);

		if (btf) {
			ASSERT_TRUE(false, "a truncated BTF parsed");
			bpfhost_btf__free(btf);
			break;
		}
		if (errno != EINVAL || !bpfhost_last_error()[0]) {
			ASSERT_TRUE(false, "EINVAL with a message");
			break;
		}
	}
	for (int iter = 0; iter < 3000; iter++) {
		struct bpfhost_btf *btf;
		int flips;

		memcpy(copy, raw, size);
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		flips = 1 + (int)((rng >> 60) & 3);
		for (int f = 0; f < flips; f++) {
			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			copy[(rng >> 33) % size] ^= (uint8_t)(1u << ((rng >> 20) & 7));
		}
		btf = bpfhost_btf__new(copy, size);
		if (!btf) {
			refused++;
			if (errno != EINVAL) {
				ASSERT_EQ(errno, EINVAL, "a refused BTF is EINVAL");
				break;
			}
			continue;
		}
		accepted++;
		/* Whatever was accepted can be walked. */
		for (uint32_t id = 0; id < bpfhost_btf__type_cnt(btf); id++) {
			const struct bpfhost_btf_type *t = bpfhost_btf__type_by_id(btf, id);

			(void)bpfhost_btf__resolve_size(btf, id);
			(void)bpfhost_btf__resolve_type(btf, id);
			for (uint32_t m = 0; t && (t->kind == BPFHOST_BTF_KIND_STRUCT || t->kind == BPFHOST_BTF_KIND_UNION) &&
					     m < t->vlen; m++)
				ASSERT_TRUE(bpfhost_btf__type_by_id(btf, t->members[m].type) != NULL, "member types exist");
		}
		bpfhost_btf__free(btf);
	}
	printf("corruption: %zu accepted (names, sizes or values changed), %zu refused of 3000\n", accepted, refused);
out:
	free(copy);
	free(raw);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_view_equals_bpftool),
		TEST(t_lookups_and_sizes),
		TEST(t_malformed),
		TEST(t_truncation_and_corruption),
	};

	static const struct test_case without_objects[] = {
		TEST(t_malformed),
	};

	if (!bpf_objects_available()) {
		printf("note: the BPF test objects were not built (clang-19 or libbpf-dev missing); "
		       "only hand-built BTF is tested\n");
		return test_run("btf", without_objects, ARRAY_SIZE(without_objects));
	}
	return test_run("btf", cases, ARRAY_SIZE(cases));
}
