// SPDX-License-Identifier: MIT
/*
 * include/bpfhost/uapi.h and bpf_insn.h against <linux/bpf.h> and
 * <linux/bpf_common.h>: every number and every member offset/size that both
 * declare must be equal; names only bpfhost has are listed with their
 * values. The Linux side is compiled in tests/support/kernel_uapi.c (the
 * headers cannot meet in one TU); both sides expand the same X-macro lists
 * from kernel_uapi.h. A scan of both headers' sources makes sure the lists
 * miss nothing they declare, and the socket filter's struct __sk_buff
 * offsets (src/prog/socket_filter.c) are read from its source and compared
 * with Linux's.
 */
#include <ctype.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>

#include "test.h"
#include "kernel_uapi.h"

#include "bpfhost/bpf_insn.h"

#define MEMBER_SIZE(type, m) sizeof(((type *)0)->m)
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define CONST_ENTRY(n) { #n, (long long)(n) },
static const struct kuapi_const host_constants[] = { KUAPI_CONSTANTS(CONST_ENTRY) };

#define ATTR_ENTRY(m) { #m, offsetof(union bpf_attr, m), MEMBER_SIZE(union bpf_attr, m) },
static const struct kuapi_field host_attr[] = { KUAPI_ATTR_MEMBERS(ATTR_ENTRY) };

#define INFO_ENTRY(m) { #m, offsetof(struct bpf_map_info, m), MEMBER_SIZE(struct bpf_map_info, m) },
static const struct kuapi_field host_map_info[] = { KUAPI_MAP_INFO_MEMBERS(INFO_ENTRY) };

#define PROG_INFO_ENTRY(m) \
	{ #m, offsetof(struct bpf_prog_info, m), MEMBER_SIZE(struct bpf_prog_info, m) },
static const struct kuapi_field host_prog_info[] = { KUAPI_PROG_INFO_MEMBERS(PROG_INFO_ENTRY) };

#define LINK_INFO_ENTRY(m) \
	{ #m, offsetof(struct bpf_link_info, m), MEMBER_SIZE(struct bpf_link_info, m) },
static const struct kuapi_field host_link_info[] = { KUAPI_LINK_INFO_MEMBERS(LINK_INFO_ENTRY) };

static const struct kuapi_const host_insn_constants[] = { KUAPI_INSN_CONSTANTS(CONST_ENTRY) };

#define MACRO_FN(m) static long long apply_##m(int code) { return m(code); }
KUAPI_INSN_FIELD_MACROS(MACRO_FN)
#define MACRO_ENTRY(m) { #m, apply_##m },
static const struct kuapi_code_macro host_insn_macros[] = { KUAPI_INSN_FIELD_MACROS(MACRO_ENTRY) };

#define INSN_ENTRY(m) { #m, offsetof(struct bpf_insn, m), MEMBER_SIZE(struct bpf_insn, m) },
static const struct kuapi_field host_insn[] = { KUAPI_INSN_MEMBERS(INSN_ENTRY) };

/*
 * bpfhost-only constants: Linux has no UAPI counterpart (bpfhost's own
 * commands and extension ranges) or keeps the number kernel-internal (the
 * limits: BPF_COMPLEXITY_LIMIT_INSNS and MAX_TAIL_CALL_CNT in
 * include/linux/bpf.h, MAX_BPF_STACK in include/linux/filter.h,
 * MAX_CALL_FRAMES in include/linux/bpf_verifier.h). Each with the value
 * bpfhost's ABI, or Linux's kernel source, fixes.
 */
struct host_only_const {
	const char *name;
	long long value, expected;
};
#define HOST_ONLY(n, v) { #n, (long long)(n), (v) }
static const struct host_only_const host_only_constants[] = {
	HOST_ONLY(BPFHOST_OBJ_CLOSE, 0x10000), HOST_ONLY(BPFHOST_OBJ_UNPIN, 0x10001),
	HOST_ONLY(BPFHOST_MAP_MMAP, 0x10002), HOST_ONLY(BPFHOST_PROG_TYPE_BY_SECTION, 0x10003),
	HOST_ONLY(BPFHOST_HOOK_TRIGGER, 0x10004), HOST_ONLY(BPFHOST_TRACE_READ, 0x10005),
	HOST_ONLY(BPFHOST_RINGBUF_WAIT, 0x10006), HOST_ONLY(BPFHOST_MAP_SHAPE, 0x10007),
	HOST_ONLY(BPFHOST_RINGBUF_WAKE_ALL, 1),
	HOST_ONLY(BPFHOST_KFUNC_INFO_WRITABLE, 1),
	HOST_ONLY(BPFHOST_KFUNC_INFO_ACQUIRE, 2),
	HOST_ONLY(BPFHOST_KFUNC_INFO_RELEASE, 4),
	HOST_ONLY(BPFHOST_MAP_TYPE_EXT_BASE, 4096), HOST_ONLY(BPFHOST_MAP_TYPE_EXT_LIMIT, 65536),
	HOST_ONLY(BPFHOST_PROG_TYPE_EXT_BASE, 4096), HOST_ONLY(BPFHOST_PROG_TYPE_EXT_LIMIT, 65536),
	HOST_ONLY(BPFHOST_ATTACH_TYPE_EXT_BASE, 4096),
	HOST_ONLY(BPFHOST_ATTACH_TYPE_EXT_LIMIT, 65536),
	HOST_ONLY(BPFHOST_HELPER_EXT_BASE, 65536),
	HOST_ONLY(BPFHOST_MAX_INSNS, 1000000),
	HOST_ONLY(BPFHOST_INSN_BUDGET_DEFAULT, 16777216),	/* Linux's BPF_COMPLEXITY_LIMIT_INSNS */
	HOST_ONLY(BPFHOST_MAP_MAX_VALUE_SIZE, 1 << 26),
	/* prog_flags bits Linux leaves unused. */
	HOST_ONLY(BPFHOST_F_UNPRIVILEGED, 1u << 30), HOST_ONLY(BPFHOST_F_TEST_UNVERIFIED, 1u << 31),
	HOST_ONLY(MAX_BPF_STACK, 512), HOST_ONLY(MAX_TAIL_CALL_CNT, 33),
	HOST_ONLY(MAX_CALL_FRAMES, 8),
	HOST_ONLY(BPFHOST_POISON_HELPER_ID, 0xbad2310),	/* libbpf's poisoned-relocation call */
	HOST_ONLY(BPFHOST_PROG_TYPE_BTF, 0x10010),
	HOST_ONLY(BPFHOST_KFUNC_INFO, 0x10020),
	HOST_ONLY(BPFHOST_PROG_TYPE_HELPERS, 0x10008),
	HOST_ONLY(BPFHOST_REDIRECT_NONE, 0),
	HOST_ONLY(BPFHOST_REDIRECT_IFINDEX, 1),
	HOST_ONLY(BPFHOST_REDIRECT_MAP, 2),
	HOST_ONLY(BPFHOST_REDIRECT_BROADCAST, 3),
	HOST_ONLY(BPFHOST_REDIRECT_CPU, 4),
};

/*
 * bpfhost-only members of union bpf_attr (the arguments of its own
 * commands), with the offsets bindings rely on.
 */
#define HOST_ONLY_ATTR(m, off, sz) \
	{ #m, offsetof(union bpf_attr, m), MEMBER_SIZE(union bpf_attr, m) }, { #m, off, sz }
static const struct kuapi_field host_only_attr[][2] = {
	{ HOST_ONLY_ATTR(key_buf_size, 32, 4) },
	/* After Linux's last test-run field; in Linux's per-link-type union. */
	{ HOST_ONLY_ATTR(test.insn_budget, 76, 4) },
	{ HOST_ONLY_ATTR(test.redirect_kind, 80, 4) },
	{ HOST_ONLY_ATTR(test.redirect_target, 84, 4) },
	{ HOST_ONLY_ATTR(test.redirect_map_id, 88, 4) },
	{ HOST_ONLY_ATTR(test.redirect_key, 92, 4) },
	{ HOST_ONLY_ATTR(test.redirect_flags, 96, 4) },
	{ HOST_ONLY_ATTR(link_create.insn_budget, 32, 4) },
	{ HOST_ONLY_ATTR(value_buf_size, 36, 4) },
	{ HOST_ONLY_ATTR(section.name, 0, 8) },
	{ HOST_ONLY_ATTR(section.prog_type, 8, 4) },
	{ HOST_ONLY_ATTR(section.expected_attach_type, 12, 4) },
	{ HOST_ONLY_ATTR(trigger.attach_type, 0, 4) },
	{ HOST_ONLY_ATTR(trigger.data_size, 4, 4) },
	{ HOST_ONLY_ATTR(trigger.data, 8, 8) },
	{ HOST_ONLY_ATTR(trigger.prog_cnt, 16, 4) },
	{ HOST_ONLY_ATTR(trigger.retval, 20, 4) },
	{ HOST_ONLY_ATTR(trace.buf, 0, 8) },
	{ HOST_ONLY_ATTR(trace.buf_size, 8, 4) },
	{ HOST_ONLY_ATTR(trace.len, 12, 4) },
	{ HOST_ONLY_ATTR(ringbuf_wait.map_fd, 0, 4) },
	{ HOST_ONLY_ATTR(ringbuf_wait.timeout_ms, 4, 4) },
	{ HOST_ONLY_ATTR(ringbuf_wait.ready, 8, 4) },
	{ HOST_ONLY_ATTR(ringbuf_wait.flags, 12, 4) },
	{ HOST_ONLY_ATTR(type_btf.index, 0, 4) },
	{ HOST_ONLY_ATTR(type_btf.prog_type, 4, 4) },
	{ HOST_ONLY_ATTR(type_btf.buf, 8, 8) },
	{ HOST_ONLY_ATTR(type_btf.buf_size, 16, 4) },
	{ HOST_ONLY_ATTR(type_btf.btf_size, 20, 4) },
	{ HOST_ONLY_ATTR(kfunc.name, 0, 8) },
	{ HOST_ONLY_ATTR(kfunc.id, 8, 4) },
	{ HOST_ONLY_ATTR(kfunc.return_kind, 12, 4) },
	{ HOST_ONLY_ATTR(kfunc.return_size, 16, 4) },
	{ HOST_ONLY_ATTR(kfunc.arg_count, 20, 4) },
	{ HOST_ONLY_ATTR(kfunc.arg_kinds, 24, 20) },
	{ HOST_ONLY_ATTR(kfunc.arg_sizes, 44, 20) },
	{ HOST_ONLY_ATTR(kfunc.ref_type, 64, 4) },
	{ HOST_ONLY_ATTR(kfunc.ref_flags, 68, 4) },
	{ HOST_ONLY_ATTR(type_helpers.prog_type, 0, 4) },
	{ HOST_ONLY_ATTR(type_helpers.id_cnt, 4, 4) },
	{ HOST_ONLY_ATTR(type_helpers.ids, 8, 8) },
	{ HOST_ONLY_ATTR(type_helpers.names, 16, 8) },
	{ HOST_ONLY_ATTR(type_helpers.names_size, 24, 4) },
	{ HOST_ONLY_ATTR(shape.map_fd, 0, 4) },
	{ HOST_ONLY_ATTR(shape.map_type, 4, 4) },
	{ HOST_ONLY_ATTR(shape.key_size, 8, 4) },
	{ HOST_ONLY_ATTR(shape.value_size, 12, 4) },
	{ HOST_ONLY_ATTR(shape.max_entries, 16, 4) },
	{ HOST_ONLY_ATTR(shape.map_flags, 20, 4) },
	{ HOST_ONLY_ATTR(mmap.map_fd, 0, 4) },
	{ HOST_ONLY_ATTR(mmap.pad, 4, 4) },
	{ HOST_ONLY_ATTR(mmap.addr, 8, 8) },
	{ HOST_ONLY_ATTR(mmap.size, 16, 8) },
	{ HOST_ONLY_ATTR(mmap.data_offset, 24, 8) },
	/* BPF_PROG_LOAD: past Linux 6.4+'s fields (kept free), the strings line_info names. */
	{ HOST_ONLY_ATTR(bpfhost_linux_reserved, 140, 12) },
	{ HOST_ONLY_ATTR(btf_strs, 152, 8) },
	{ HOST_ONLY_ATTR(btf_strs_size, 160, 4) },
};

static void compare_constants(const struct kuapi_const *host, size_t n_host,
			      const struct kuapi_const *linux_, size_t n_linux, const char *what)
{
	ASSERT_EQ(n_host, n_linux, what);
	for (size_t i = 0; i < n_host && i < n_linux; i++)
		ASSERT_EQ(host[i].value, linux_[i].value, host[i].name);
}

static void constants(void)
{
	compare_constants(host_constants, ARRAY_LEN(host_constants), kuapi_linux_constants,
			  kuapi_linux_n_constants, "uapi.h constant list lengths");
	compare_constants(host_insn_constants, ARRAY_LEN(host_insn_constants),
			  kuapi_linux_insn_constants, kuapi_linux_n_insn_constants,
			  "bpf_insn.h constant list lengths");
}

static void constants_bpfhost_only(void)
{
	for (size_t i = 0; i < ARRAY_LEN(host_only_constants); i++)
		ASSERT_EQ(host_only_constants[i].value, host_only_constants[i].expected,
			  host_only_constants[i].name);
	/* bpfhost's own numbers sit above every number Linux has given out. */
	ASSERT_TRUE(BPFHOST_OBJ_CLOSE > kuapi_linux_max_cmd, "bpfhost commands above Linux's");
	ASSERT_TRUE(BPFHOST_MAP_TYPE_EXT_BASE > kuapi_linux_max_map_type,
		    "extension map types above Linux's");
	ASSERT_TRUE(BPFHOST_PROG_TYPE_EXT_BASE > kuapi_linux_max_prog_type,
		    "extension program types above Linux's");
	ASSERT_TRUE(BPFHOST_ATTACH_TYPE_EXT_BASE > kuapi_linux_max_attach_type,
		    "extension attach types above Linux's");
	ASSERT_TRUE(BPFHOST_HELPER_EXT_BASE > kuapi_linux_max_func_id,
		    "extension helper ids above Linux's");
	/* bpfhost's limit is unprivileged Linux's program size. */
	ASSERT_EQ(BPF_MAXINSNS, 4096, "BPF_MAXINSNS");
}

/* Newer than the 6.1 headers: the numbers later Linux releases gave them. */
static void constants_newer_than_headers(void)
{
	ASSERT_EQ(BPF_MAP_TYPE_CGRP_STORAGE, 32, "BPF_MAP_TYPE_CGRP_STORAGE (Linux 6.2)");
	ASSERT_EQ(BPF_MAP_TYPE_ARENA, 33, "BPF_MAP_TYPE_ARENA (Linux 6.9)");
	ASSERT_EQ(BPF_MEMSX, 0x80, "BPF_MEMSX (Linux 6.6)");
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

static size_t offsetofend_attr_btf_strs_size_aligned(void)
{
	size_t end = offsetof(union bpf_attr, btf_strs_size) + sizeof(uint32_t);

	return (end + 7) / 8 * 8;
}

static void attr_layout(void)
{
	compare_fields(host_attr, ARRAY_LEN(host_attr), kuapi_linux_attr, kuapi_linux_n_attr,
		       "union bpf_attr");
	ASSERT_EQ(alignof(union bpf_attr), kuapi_linux_alignof_attr, "union bpf_attr alignment");
	/*
	 * Linux's union has members bpfhost does not declare yet: it is larger
	 * only by BPF_PROG_LOAD's bpfhost-only btf_strs past Linux 6.4+'s fields.
	 */
	ASSERT_TRUE(sizeof(union bpf_attr) <= kuapi_linux_sizeof_attr ||
		    sizeof(union bpf_attr) == offsetofend_attr_btf_strs_size_aligned(),
		    "union bpf_attr not larger, but for btf_strs");
}

static void map_info_layout(void)
{
	compare_fields(host_map_info, ARRAY_LEN(host_map_info), kuapi_linux_map_info,
		       kuapi_linux_n_map_info, "struct bpf_map_info");
	/*
	 * Linux 6.15 appended hash (u64) and hash_size after map_extra; bpfhost
	 * has them at Linux's offsets and its ringbuf_abandoned in the tail pad.
	 */
	ASSERT_EQ(offsetof(struct bpf_map_info, hash), kuapi_linux_sizeof_map_info,
		  "hash right after the 6.1 headers' last member (Linux 6.15's offset)");
	ASSERT_EQ(offsetof(struct bpf_map_info, hash_size), offsetof(struct bpf_map_info, hash) + 8,
		  "hash_size after hash");
	ASSERT_EQ(offsetof(struct bpf_map_info, ringbuf_abandoned),
		  offsetof(struct bpf_map_info, hash_size) + 4, "bpfhost ringbuf_abandoned in the tail pad");
	ASSERT_EQ(sizeof(struct bpf_map_info), offsetof(struct bpf_map_info, ringbuf_abandoned) + 4,
		  "bpf_map_info size: Linux 6.15's");
	ASSERT_EQ(alignof(struct bpf_map_info), kuapi_linux_alignof_map_info,
		  "bpf_map_info alignment");
	/* btf_vmlinux_id (Linux 6.8) took the 6.1 headers' 32-bit pad before map_extra. */
	ASSERT_EQ(offsetof(struct bpf_map_info, btf_vmlinux_id),
		  offsetof(struct bpf_map_info, btf_value_type_id) + 4, "btf_vmlinux_id offset");
	ASSERT_EQ(offsetof(struct bpf_map_info, btf_vmlinux_id) + 4,
		  offsetof(struct bpf_map_info, map_extra), "btf_vmlinux_id fills the pad");
}

static void attr_bpfhost_only_members(void)
{
	char name[128];

	for (size_t i = 0; i < ARRAY_LEN(host_only_attr); i++) {
		const struct kuapi_field *got = &host_only_attr[i][0];
		const struct kuapi_field *want = &host_only_attr[i][1];

		snprintf(name, sizeof(name), "union bpf_attr %s offset (bpfhost-only)", got->name);
		ASSERT_EQ(got->offset, want->offset, name);
		snprintf(name, sizeof(name), "union bpf_attr %s size (bpfhost-only)", got->name);
		ASSERT_EQ(got->size, want->size, name);
	}
}

static void prog_info_layout(void)
{
	uint8_t host[sizeof(struct bpf_prog_info)], linux_[sizeof(struct bpf_prog_info)];
	struct bpf_prog_info info;

	compare_fields(host_prog_info, ARRAY_LEN(host_prog_info), kuapi_linux_prog_info,
		       kuapi_linux_n_prog_info, "struct bpf_prog_info");
	ASSERT_EQ(sizeof(struct bpf_prog_info), kuapi_linux_sizeof_prog_info, "bpf_prog_info size");
	ASSERT_EQ(alignof(struct bpf_prog_info), kuapi_linux_alignof_prog_info,
		  "bpf_prog_info alignment");
	/* gpl_compatible is a bit-field: the same bit of the same byte must be set. */
	if (sizeof(info) != kuapi_linux_sizeof_prog_info)
		return;
	memset(&info, 0, sizeof(info));
	info.gpl_compatible = 1;
	memcpy(host, &info, sizeof(info));
	kuapi_linux_prog_info_gpl_bytes(linux_, sizeof(linux_));
	ASSERT_EQ(memcmp(host, linux_, sizeof(host)), 0, "bpf_prog_info gpl_compatible bit");
	ASSERT_EQ(host[offsetof(struct bpf_prog_info, ifindex) + 4], 1,
		  "gpl_compatible is bit 0 of the word after ifindex");
}

/*
 * Linux's bpf_link_info is the head (type, id, prog_id) and then a union of
 * per-link-type structs; where a link type reports its attach type, it is
 * inside that union (tracing.attach_type at 16, cgroup.attach_type at 24).
 * bpfhost has one kind of link, so it puts the hook's attach type in the
 * head's padding (offset 12, before Linux's union at 16): a reader written
 * for Linux sees the head unchanged and zero-or-bpfhost's value in a pad it
 * ignores, but will not find the attach type at Linux's places.
 */
static void link_info_layout(void)
{
	compare_fields(host_link_info, ARRAY_LEN(host_link_info), kuapi_linux_link_info,
		       kuapi_linux_n_link_info, "struct bpf_link_info");
	ASSERT_EQ(alignof(struct bpf_link_info), kuapi_linux_alignof_link_info,
		  "bpf_link_info alignment");
	ASSERT_EQ(offsetof(struct bpf_link_info, attach_type), 12, "bpfhost attach_type offset");
	ASSERT_EQ(MEMBER_SIZE(struct bpf_link_info, attach_type), 4, "bpfhost attach_type size");
	ASSERT_EQ(kuapi_linux_link_info_union_offset, 16, "Linux's per-type union starts at 16");
	ASSERT_TRUE(offsetof(struct bpf_link_info, attach_type) + 4 <=
			    kuapi_linux_link_info_union_offset,
		    "attach_type lies in the padding before Linux's union");
	ASSERT_EQ(kuapi_linux_link_info_tracing_attach_type, 16,
		  "Linux's tracing.attach_type offset");
	ASSERT_EQ(sizeof(struct bpf_link_info), 16, "bpfhost bpf_link_info is the 16-byte head");
	ASSERT_TRUE(sizeof(struct bpf_link_info) <= kuapi_linux_sizeof_link_info,
		    "bpf_link_info not larger than Linux's");
}

static void insn_layout(void)
{
	static const struct {
		uint8_t code, dst, src;
		int16_t off;
		int32_t imm;
	} samples[] = {
		{ 0x18, 1, 1, 0, 7 },
		{ 0xdb, 0xa, 0x3, -8, 0x01 },
		{ 0x85, 0xf, 0x0, 0x1234, -1 },
		{ 0x00, 0x0, 0xf, -32768, INT32_MIN },
		{ 0xff, 0x5, 0xa, 32767, INT32_MAX },
	};

	compare_fields(host_insn, ARRAY_LEN(host_insn), kuapi_linux_insn, kuapi_linux_n_insn,
		       "struct bpf_insn");
	ASSERT_EQ(sizeof(struct bpf_insn), kuapi_linux_sizeof_insn, "bpf_insn size");
	ASSERT_EQ(sizeof(struct bpf_insn), 8, "bpf_insn is 8 bytes");
	/* dst_reg/src_reg are bit-fields: encode and compare the bytes. */
	for (size_t i = 0; i < ARRAY_LEN(samples); i++) {
		struct bpf_insn insn;
		uint8_t host[8], linux_[8];
		char name[64];

		memset(&insn, 0, sizeof(insn));
		insn.code = samples[i].code;
		insn.dst_reg = samples[i].dst & 0xf;
		insn.src_reg = samples[i].src & 0xf;
		insn.off = samples[i].off;
		insn.imm = samples[i].imm;
		memcpy(host, &insn, sizeof(host));
		kuapi_linux_insn_bytes(linux_, samples[i].code, samples[i].dst & 0xf,
				       samples[i].src & 0xf, samples[i].off, samples[i].imm);
		snprintf(name, sizeof(name), "bpf_insn bytes, sample %zu", i);
		ASSERT_EQ(memcmp(host, linux_, sizeof(host)), 0, name);
		/* RFC 9669 (little-endian host): dst in the low nibble of byte 1. */
		snprintf(name, sizeof(name), "regs byte, sample %zu", i);
		ASSERT_EQ(host[1], (samples[i].src & 0xf) << 4 | (samples[i].dst & 0xf), name);
	}
}

static void insn_field_macros(void)
{
	char name[64];

	ASSERT_EQ(ARRAY_LEN(host_insn_macros), kuapi_linux_n_insn_macros, "macro list lengths");
	for (size_t i = 0; i < ARRAY_LEN(host_insn_macros) && i < kuapi_linux_n_insn_macros; i++) {
		int bad = 0;

		for (int code = 0; code < 256; code++)
			bad += host_insn_macros[i].apply(code) !=
			       kuapi_linux_insn_macros[i].apply(code);
		snprintf(name, sizeof(name), "%s on all 256 opcodes", host_insn_macros[i].name);
		ASSERT_EQ(bad, 0, name);
	}
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

/* A source file of this package, found from this test's own path; NULL (with a note) if not. */
static FILE *open_source(const char *rel)
{
	const char *slash = strrchr(__FILE__, '/');
	char path[1024];
	FILE *f;

	if (!slash || __FILE__[0] != '/') {
		printf("note: __FILE__ is not absolute; %s not read, its check skipped\n", rel);
		return NULL;
	}
	snprintf(path, sizeof(path), "%.*s/../../%s", (int)(slash - __FILE__), __FILE__, rel);
	f = fopen(path, "r");
	if (!f)
		printf("note: %s not readable; its check skipped\n", path);
	return f;
}

static const struct kuapi_field *linux_skb_member(const char *name)
{
	for (size_t i = 0; i < kuapi_linux_n_skb; i++)
		if (!strcmp(kuapi_linux_skb[i].name, name))
			return &kuapi_linux_skb[i];
	return NULL;
}

/*
 * The socket filter's context offsets (#define SKB_<MEMBER> <offset>,
 * SKB_<MEMBER>_SIZE <bytes>, SKB_SIZE) read from its source and compared
 * with Linux's struct __sk_buff: the core has no header for them, and a
 * wrong offset would make programs compiled against <linux/bpf.h> read the
 * wrong field.
 */
static void skb_offsets(void)
{
	static const char *const used[] = {
		"LEN", "PKT_TYPE", "MARK", "PROTOCOL", "PRIORITY", "INGRESS_IFINDEX", "IFINDEX",
		"CB", "WIRE_LEN", "SIZE",
	};
	bool seen[ARRAY_LEN(used)] = { false };
	char line[256], name[64], member[64], msg[160];
	FILE *f = open_source("src/prog/socket_filter.c");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const struct kuapi_field *m;
		unsigned long long value;
		char *end;
		size_t len;

		if (sscanf(line, "#define ETH_HLEN %llu", &value) == 1) {
			ASSERT_EQ(value, kuapi_linux_eth_hlen, "socket_filter.c ETH_HLEN");
			continue;
		}
		if (sscanf(line, "#define SKB_%63[A-Z0-9_] %llu", name, &value) != 2)
			continue;
		for (size_t i = 0; i < ARRAY_LEN(used); i++)
			seen[i] |= !strcmp(used[i], name);
		snprintf(msg, sizeof(msg), "socket_filter.c SKB_%s vs struct __sk_buff", name);
		if (!strcmp(name, "SIZE")) {
			ASSERT_EQ(value, kuapi_linux_sizeof_skb, msg);
			continue;
		}
		len = strlen(name);
		end = len > 5 && !strcmp(name + len - 5, "_SIZE") ? name + len - 5 : name + len;
		for (size_t i = 0; i < (size_t)(end - name); i++)
			member[i] = (char)tolower((unsigned char)name[i]);
		member[end - name] = 0;
		m = linux_skb_member(member);
		ASSERT_TRUE(m, msg);	/* an SKB_ name that is no __sk_buff member */
		if (m)
			ASSERT_EQ(value, *end ? m->size : m->offset, msg);
	}
	fclose(f);
	for (size_t i = 0; i < ARRAY_LEN(used); i++) {
		snprintf(msg, sizeof(msg), "socket_filter.c defines SKB_%s", used[i]);
		ASSERT_TRUE(seen[i], msg);
	}
}

/*
 * Completeness: every constant and member name the headers declare is
 * compared above, asserted as bpfhost-only, or listed here with the reason
 * it is not. Members are "<struct>.<path>".
 */
static const char *const not_compared[] = {
	/* Include guards. */
	"BPFHOST_UAPI_H", "BPFHOST_BPF_INSN_H",
	/* Newer than the 6.1 headers: checked apart. */
	"BPF_MAP_TYPE_CGRP_STORAGE", "BPF_MAP_TYPE_ARENA", "BPF_MEMSX",
	"bpf_map_info.btf_vmlinux_id", "bpf_map_info.hash", "bpf_map_info.hash_size",
	/* bpfhost's own, in Linux 6.15's tail padding: map_info_layout. */
	"bpf_map_info.ringbuf_abandoned",
	/* Bound of the enum: Linux's grows with each release. */
	"__MAX_BPF_MAP_TYPE",
	/* Linux 6.4 put map_fd in a union with link_create.prog_fd. */
	"bpf_attr.link_create.map_fd",
	/* Bit-fields (offsetof cannot take them): compared by encoding. */
	"bpf_prog_info.gpl_compatible", "bpf_insn.dst_reg", "bpf_insn.src_reg",
	/* bpfhost's own, in the padding before Linux's union: link_info_layout. */
	"bpf_link_info.attach_type",
};

static bool listed(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

static bool in_fields(const char *name, const struct kuapi_field *fields, size_t n)
{
	for (size_t i = 0; fields && i < n; i++)
		if (!strcmp(fields[i].name, name))
			return true;
	return false;
}

static bool constant_compared(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(host_constants); i++)
		if (!strcmp(host_constants[i].name, name))
			return true;
	for (size_t i = 0; i < ARRAY_LEN(host_insn_constants); i++)
		if (!strcmp(host_insn_constants[i].name, name))
			return true;
	for (size_t i = 0; i < ARRAY_LEN(host_insn_macros); i++)
		if (!strcmp(host_insn_macros[i].name, name))
			return true;
	for (size_t i = 0; i < ARRAY_LEN(host_only_constants); i++)
		if (!strcmp(host_only_constants[i].name, name))
			return true;
	return listed(name, not_compared, ARRAY_LEN(not_compared));
}

/* The structs the scan checks members of: their opening line and tables. */
struct scanned_struct {
	const char *open, *tag;
	const struct kuapi_field *fields;
	size_t n;
};
static const struct scanned_struct scanned[] = {
	{ "union bpf_attr {", "bpf_attr", host_attr, ARRAY_LEN(host_attr) },
	{ "struct bpf_map_info {", "bpf_map_info", host_map_info, ARRAY_LEN(host_map_info) },
	{ "struct bpf_prog_info {", "bpf_prog_info", host_prog_info, ARRAY_LEN(host_prog_info) },
	{ "struct bpf_link_info {", "bpf_link_info", host_link_info, ARRAY_LEN(host_link_info) },
	{ "struct bpf_insn {", "bpf_insn", host_insn, ARRAY_LEN(host_insn) },
};

/* @path ("batch.keys") of struct @s is compared or listed. */
static bool member_compared(const struct scanned_struct *s, const char *path)
{
	char full[160];

	if (in_fields(path, s->fields, s->n))
		return true;
	if (!strcmp(s->tag, "bpf_attr"))
		for (size_t i = 0; i < ARRAY_LEN(host_only_attr); i++)
			if (!strcmp(host_only_attr[i][0].name, path))
				return true;
	snprintf(full, sizeof(full), "%s.%s", s->tag, path);
	return listed(full, not_compared, ARRAY_LEN(not_compared));
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/*
 * The member name a declaration line declares: the last identifier before
 * ';' (or '[' / ':'). With @typed, a lone identifier is a type (an unnamed
 * bit-field such as "uint32_t : 31;"), not a name.
 */
static bool member_name(const char *line, bool typed, char *out, size_t len)
{
	const char *end = strchr(line, ';'), *cut = strpbrk(line, "[:"), *p, *q;

	if (!end || strchr(line, '('))
		return false;
	if (cut && cut < end)
		end = cut;
	while (end > line && !ident_char(end[-1]))
		end--;
	p = end;
	while (p > line && ident_char(p[-1]))
		p--;
	if (p == end || (size_t)(end - p) >= len)
		return false;
	for (q = p; typed && q > line && !ident_char(q[-1]); q--)
		;
	if (typed && q == line)
		return false;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = 0;
	return true;
}

/* An enum member line: an identifier, then '=' or ',' or nothing (a comment may follow). */
static bool enum_member(const char *p, char *out, size_t len)
{
	const char *q = p;

	if (!(isupper((unsigned char)*p) || *p == '_'))
		return false;
	while (ident_char(*q))
		q++;
	if ((size_t)(q - p) >= len)
		return false;
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = 0;
	q += strspn(q, " \t");
	return *q == '=' || *q == ',' || *q == '\n' || *q == 0 || !strncmp(q, "/*", 2);
}

/*
 * Member paths of one brace level. A nested struct's name comes on its
 * closing line ("} batch;"), so names gather per level and are prefixed
 * when the level closes.
 */
struct level {
	char names[192][64];
	int n;
};

static void level_add(struct level *l, const char *prefix, const char *name)
{
	int len;

	ASSERT_TRUE(l->n < (int)ARRAY_LEN(l->names), "member paths fit the scan's table");
	if (l->n >= (int)ARRAY_LEN(l->names))
		return;
	len = snprintf(l->names[l->n], sizeof(l->names[0]), "%s%s%s", prefix, *prefix ? "." : "",
		       name);
	/* A path that does not fit would compare wrongly: fail loudly instead. */
	ASSERT_TRUE(len >= 0 && len < (int)sizeof(l->names[0]), "member path fits");
	l->n++;
}

static void scan_header(const char *rel)
{
	static struct level levels[8];
	const struct scanned_struct *s = NULL;
	char line[512], name[64], msg[256];
	int depth = 0, constants_seen = 0;
	FILE *f = open_source(rel);

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t"), *q;

		if (!s && !strncmp(p, "#define ", 8)) {
			p += 8;
			for (q = p; ident_char(*q); q++)
				;
			snprintf(name, sizeof(name), "%.*s", (int)(q - p), p);
		} else if (!(!s && depth && enum_member(p, name, sizeof(name)))) {
			name[0] = 0;
		}
		if (name[0]) {
			if (strncmp(name, "bpfhost_", 8)) {
				snprintf(msg, sizeof(msg), "%s constant %s is compared (or listed)",
					 rel, name);
				ASSERT_TRUE(constant_compared(name), msg);
				constants_seen++;
			}
			continue;
		}
		if (!depth) {
			s = NULL;
			for (size_t i = 0; i < ARRAY_LEN(scanned); i++)
				if (!strncmp(p, scanned[i].open, strlen(scanned[i].open)))
					s = &scanned[i];
			if (!strchr(p, '{'))
				continue;
		}
		if (strchr(p, '{')) {
			ASSERT_TRUE(depth + 1 < (int)ARRAY_LEN(levels), "nesting fits the scan");
			if (depth + 1 >= (int)ARRAY_LEN(levels))
				break;
			depth++;
			memset(&levels[depth], 0, sizeof(levels[depth]));
			continue;
		}
		if (*p == '}') {
			bool named = member_name(p + 1, false, name, sizeof(name)) && depth > 1;

			for (int i = 0; depth > 1 && i < levels[depth].n; i++)
				level_add(&levels[depth - 1], named ? name : "",
					  levels[depth].names[i]);
			if (--depth == 0 && s) {
				ASSERT_GE(levels[1].n, 3, "scan found the struct's members");
				for (int i = 0; i < levels[1].n; i++) {
					snprintf(msg, sizeof(msg),
						 "%s member %s.%s is compared (or listed)", rel,
						 s->tag, levels[1].names[i]);
					ASSERT_TRUE(member_compared(s, levels[1].names[i]), msg);
				}
			}
			continue;
		}
		if (depth && member_name(p, true, name, sizeof(name)))
			level_add(&levels[depth], "", name);
	}
	fclose(f);
	ASSERT_EQ(depth, 0, "braces balance");
	ASSERT_GE(constants_seen, 20, "scan found the header's constants");
}

static void headers_fully_covered(void)
{
	scan_header("include/bpfhost/uapi.h");
	scan_header("include/bpfhost/bpf_insn.h");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(constants), TEST(constants_newer_than_headers), TEST(constants_bpfhost_only),
		TEST(attr_layout), TEST(attr_bpfhost_only_members), TEST(map_info_layout),
		TEST(prog_info_layout), TEST(link_info_layout), TEST(insn_layout),
		TEST(insn_field_macros), TEST(lpm_key_layout), TEST(skb_offsets),
		TEST(headers_fully_covered),
	};
	return test_run("uapi_layout", cases, sizeof(cases) / sizeof(cases[0]));
}
