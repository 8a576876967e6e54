// SPDX-License-Identifier: MIT
/*
 * include/bpfhost/uapi.h against <linux/bpf.h>: every number and every
 * member offset/size that both declare must be equal. The Linux side is
 * compiled in tests/support/kernel_uapi.c (the two headers cannot meet in
 * one TU); both sides expand the same X-macro lists from kernel_uapi.h.
 * A scan of uapi.h's source makes sure the lists miss nothing it declares.
 */
#include <ctype.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>

#include "test.h"
#include "kernel_uapi.h"

#define MEMBER_SIZE(type, m) sizeof(((type *)0)->m)
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define CONST_ENTRY(n) { #n, (long long)(n) },
static const struct kuapi_const host_constants[] = { KUAPI_CONSTANTS(CONST_ENTRY) };

#define ATTR_ENTRY(m) { #m, offsetof(union bpf_attr, m), MEMBER_SIZE(union bpf_attr, m) },
static const struct kuapi_field host_attr[] = { KUAPI_ATTR_MEMBERS(ATTR_ENTRY) };

#define INFO_ENTRY(m) { #m, offsetof(struct bpf_map_info, m), MEMBER_SIZE(struct bpf_map_info, m) },
static const struct kuapi_field host_map_info[] = { KUAPI_MAP_INFO_MEMBERS(INFO_ENTRY) };

static void constants(void)
{
	ASSERT_EQ(ARRAY_LEN(host_constants), kuapi_linux_n_constants, "constant list lengths");
	for (size_t i = 0; i < ARRAY_LEN(host_constants) && i < kuapi_linux_n_constants; i++)
		ASSERT_EQ(host_constants[i].value, kuapi_linux_constants[i].value,
			  host_constants[i].name);
}

/* Newer than the 6.1 headers: the numbers later Linux releases gave them. */
static void constants_newer_than_headers(void)
{
	ASSERT_EQ(BPF_MAP_TYPE_CGRP_STORAGE, 32, "BPF_MAP_TYPE_CGRP_STORAGE (Linux 6.2)");
	ASSERT_EQ(BPF_MAP_TYPE_ARENA, 33, "BPF_MAP_TYPE_ARENA (Linux 6.9)");
}

static void compare_fields(const struct kuapi_field *host, size_t n_host,
			   const struct kuapi_field *linux_, size_t n_linux, const char *what)
{
	char name[128];

	ASSERT_EQ(n_host, n_linux, what);
	for (size_t i = 0; i < n_host && i < n_linux; i++) {
		snprintf(name, sizeof(name), "%s %s offset", what, host[i].name);
		ASSERT_EQ(host[i].offset, linux_[i].offset, name);
		snprintf(name, sizeof(name), "%s %s size", what, host[i].name);
		ASSERT_EQ(host[i].size, linux_[i].size, name);
	}
}

static void attr_layout(void)
{
	compare_fields(host_attr, ARRAY_LEN(host_attr), kuapi_linux_attr, kuapi_linux_n_attr,
		       "union bpf_attr");
	ASSERT_EQ(alignof(union bpf_attr), kuapi_linux_alignof_attr, "union bpf_attr alignment");
	/* Linux's union has members bpfhost does not declare yet: it may only be larger. */
	ASSERT_TRUE(sizeof(union bpf_attr) <= kuapi_linux_sizeof_attr, "union bpf_attr not larger");
}

static void map_info_layout(void)
{
	compare_fields(host_map_info, ARRAY_LEN(host_map_info), kuapi_linux_map_info,
		       kuapi_linux_n_map_info, "struct bpf_map_info");
	ASSERT_EQ(sizeof(struct bpf_map_info), kuapi_linux_sizeof_map_info, "bpf_map_info size");
	ASSERT_EQ(alignof(struct bpf_map_info), kuapi_linux_alignof_map_info,
		  "bpf_map_info alignment");
	/* btf_vmlinux_id (Linux 6.8) took the 6.1 headers' 32-bit pad before map_extra. */
	ASSERT_EQ(offsetof(struct bpf_map_info, btf_vmlinux_id),
		  offsetof(struct bpf_map_info, btf_value_type_id) + 4, "btf_vmlinux_id offset");
	ASSERT_EQ(offsetof(struct bpf_map_info, btf_vmlinux_id) + 4,
		  offsetof(struct bpf_map_info, map_extra), "btf_vmlinux_id fills the pad");
}

static void lpm_key_layout(void)
{
	ASSERT_EQ(offsetof(struct bpf_lpm_trie_key, prefixlen), kuapi_linux_lpm_prefixlen_offset,
		  "bpf_lpm_trie_key prefixlen offset");
	ASSERT_EQ(offsetof(struct bpf_lpm_trie_key, data), kuapi_linux_lpm_data_offset,
		  "bpf_lpm_trie_key data offset");
	ASSERT_EQ(sizeof(struct bpf_lpm_trie_key), kuapi_linux_sizeof_lpm_key,
		  "bpf_lpm_trie_key size");
}

/*
 * Completeness: every constant and member name uapi.h declares is either
 * compared above or listed here with the reason it is not.
 */
static const char *const not_compared[] = {
	/* bpfhost's own: no Linux counterpart. */
	"BPFHOST_OBJ_CLOSE", "BPFHOST_OBJ_UNPIN", "BPFHOST_MAP_MMAP", "BPFHOST_MAP_TYPE_EXT_BASE",
	"BPFHOST_MAP_TYPE_EXT_LIMIT", "BPFHOST_UAPI_H", "mmap",
	/* Newer than the 6.1 headers: checked apart. */
	"BPF_MAP_TYPE_CGRP_STORAGE", "BPF_MAP_TYPE_ARENA", "btf_vmlinux_id",
	/* Bound of the enum: Linux's grows with each release. */
	"__MAX_BPF_MAP_TYPE",
	/* Linux 6.4 put map_fd in a union with link_create.prog_fd. */
	"link_create.map_fd",
};

static bool listed(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

/* @name is a constant, or a member path ("batch.keys") of @fields. */
static bool compared(const char *name, const struct kuapi_field *fields, size_t n)
{
	char first[96];

	for (size_t i = 0; i < ARRAY_LEN(host_constants); i++)
		if (!strcmp(host_constants[i].name, name))
			return true;
	for (size_t i = 0; fields && i < n; i++)
		if (!strcmp(fields[i].name, name))
			return true;
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(name, "."), name);
	return listed(name, not_compared, ARRAY_LEN(not_compared)) ||
	       listed(first, not_compared, ARRAY_LEN(not_compared));
}

/* The last identifier before ';' (or '[' / ':') on a member line, if any. */
static bool member_name(const char *line, char *out, size_t len)
{
	const char *end = strchr(line, ';'), *cut = strpbrk(line, "[:"), *p;

	if (!end || strchr(line, '('))
		return false;
	if (cut && cut < end)
		end = cut;
	while (end > line && !(isalnum((unsigned char)end[-1]) || end[-1] == '_'))
		end--;
	p = end;
	while (p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
		p--;
	if (p == end || (size_t)(end - p) >= len)
		return false;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = 0;
	return true;
}

/*
 * Member paths of one brace level. A nested struct's name comes on its
 * closing line ("} batch;"), so names gather per level and are prefixed
 * when the level closes.
 */
struct level {
	char names[96][64];
	int n;
};

static void level_add(struct level *l, const char *prefix, const char *name)
{
	int len;

	if (l->n >= (int)ARRAY_LEN(l->names))
		return;
	len = snprintf(l->names[l->n], sizeof(l->names[0]), "%s%s%s", prefix, *prefix ? "." : "", name);
	/* A path that does not fit would compare wrongly: fail loudly instead. */
	ASSERT_TRUE(len >= 0 && len < (int)sizeof(l->names[0]), "member path fits");
	l->n++;
}

static void uapi_h_fully_covered(void)
{
	static struct level levels[8];
	char path[1024], line[512], name[64], msg[256];
	const char *slash = strrchr(__FILE__, '/');
	const struct kuapi_field *fields = NULL;
	size_t n_fields = 0;
	int depth = 0;
	FILE *f;

	if (!slash || __FILE__[0] != '/') {
		printf("note: __FILE__ is not absolute; uapi.h completeness scan skipped\n");
		return;
	}
	snprintf(path, sizeof(path), "%.*s/../../include/bpfhost/uapi.h", (int)(slash - __FILE__),
		 __FILE__);
	f = fopen(path, "r");
	if (!f) {
		printf("note: %s not readable; uapi.h completeness scan skipped\n", path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t"), *q;

		if (!fields && (!strncmp(p, "#define ", 8) || (isupper((unsigned char)*p) && strchr(p, '=')) ||
			       !strncmp(p, "__MAX", 5))) {
			if (*p == '#')
				p += 8;
			q = p + strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
			snprintf(name, sizeof(name), "%.*s", (int)(q - p), p);
			if (strncmp(name, "bpfhost_", 8)) {
				snprintf(msg, sizeof(msg), "uapi.h constant %s is compared (or listed)", name);
				ASSERT_TRUE(compared(name, NULL, 0), msg);
			}
			continue;
		}
		if (!depth && !strncmp(p, "union bpf_attr {", 16)) {
			fields = host_attr, n_fields = ARRAY_LEN(host_attr);
		} else if (!depth && !strncmp(p, "struct bpf_map_info {", 21)) {
			fields = host_map_info, n_fields = ARRAY_LEN(host_map_info);
		} else if (!depth) {
			if (strchr(p, '{'))
				fields = NULL, n_fields = 0;
			else
				continue;
		}
		if (strchr(p, '{')) {
			depth++;
			memset(&levels[depth], 0, sizeof(levels[depth]));
			continue;
		}
		if (*p == '}') {
			bool named = member_name(p, name, sizeof(name)) && depth > 1;

			for (int i = 0; depth > 1 && i < levels[depth].n; i++)
				level_add(&levels[depth - 1], named ? name : "", levels[depth].names[i]);
			if (--depth == 0 && fields) {
				for (int i = 0; i < levels[1].n; i++) {
					snprintf(msg, sizeof(msg), "uapi.h member %s is compared (or listed)",
						 levels[1].names[i]);
					ASSERT_TRUE(compared(levels[1].names[i], fields, n_fields), msg);
				}
			}
			continue;
		}
		if (depth && member_name(p, name, sizeof(name)))
			level_add(&levels[depth], "", name);
	}
	fclose(f);
	ASSERT_EQ(depth, 0, "uapi.h braces balance");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(constants), TEST(constants_newer_than_headers), TEST(attr_layout),
		TEST(map_info_layout), TEST(lpm_key_layout), TEST(uapi_h_fully_covered),
	};
	return test_run("uapi_layout", cases, sizeof(cases) / sizeof(cases[0]));
}
