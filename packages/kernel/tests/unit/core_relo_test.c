// SPDX-License-Identifier: MIT
/*
 * CO-RE: core_fields.bpf.o (its own layout of struct bh_pkt and enum
 * bh_color) relocated against core_target.bpf.o's BTF (btf_custom_path).
 *  - run: `fields` reads a target-layout struct (the host compiler's, from
 *    core_types.h) and writes what it read and every relocated value into
 *    `out`; each must be the target's (offsets, sizes, bitfields, signedness,
 *    enum values, type sizes and ids, existence, matches);
 *  - poison: a reached missing field and a signed field the load cannot
 *    narrow are poisoned calls, and running them fails with a message that
 *    names the C line; a field guarded by bpf_core_field_exists is poisoned
 *    but never reached;
 *  - refusal: two flavors that disagree are refused as ambiguous (naming the
 *    relocation), two that agree are not;
 *  - oracle: libbpf (libbpf-dev) relocates `fields` against the same BTF to
 *    the same instructions, map handles aside;
 *  - built-in target: a program's own flavor of struct __sk_buff relocates
 *    against bpfhost's BTF of the UAPI types, and reads the right fields;
 *  - extension target: the BTF a module gives with its program type is a
 *    target too (when the built-in one has no candidate);
 *  - a malformed .BTF.ext (patched into the object) is refused at open or
 *    prepare with what is wrong, never read out of bounds.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "bpf_objects.h"
#include "bpfhost/bpf.h"
#include "bpfhost/bpfhost.h"
#include "bpfhost/bpf_insn.h"
#include "bpfhost/libbpf.h"
#include "core_types.h"
#include "lib/elf_reader.h"
#ifdef BPFHOST_TEST_LIBBPF
#include "libbpf_oracle.h"
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define POISON_CALL(insn) \
	((insn).code == (BPF_JMP | BPF_CALL) && (uint32_t)(insn).imm == BPFHOST_POISON_HELPER_ID)

/* Opens core_fields against core_target's BTF with only @progs (NULL-terminated) to load. */
static struct bpfhost_object *open_fields(const char *const *progs, const char *btf_path)
{
	char path[4096];
	struct bpfhost_program *p;
	struct bpfhost_object *obj;
	BPFHOST_OPTS(bpfhost_object_open_opts, opts, .btf_custom_path = btf_path);

	snprintf(path, sizeof(path), "%s", bpf_object_path("core_fields"));
	obj = bpfhost_object__open_file(path, &opts);
	ASSERT_TRUE(obj != NULL, bpfhost_last_error());
	if (!obj)
		return NULL;
	bpfhost_object__for_each_program(p, obj) {
		bool on = false;

		for (size_t i = 0; progs[i]; i++)
			on |= !strcmp(bpfhost_program__name(p), progs[i]);
		bpfhost_program__set_autoload(p, on);
	}
	return obj;
}

static const char *target_path(void)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s", bpf_object_path("core_target"));
	return path;
}

static int run(struct bpfhost_object *obj, const char *name, uint32_t *retval)
{
	uint8_t frame[64] = { 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, t, .data_in = frame, .data_size_in = sizeof(frame));
	int err = bpfhost_prog_test_run_opts(
		bpfhost_program__fd(bpfhost_object__find_program_by_name(obj, name)), &t);

	*retval = t.retval;
	return err;
}

/* The BTF id of STRUCT @name in object @obj_name. */
static int struct_id(const char *obj_name, const char *name)
{
	struct bpfhost_object *o = bpfhost_object__open_file(bpf_object_path(obj_name), NULL);
	int id = o ? bpfhost_btf__find_by_name_kind(bpfhost_object__btf(o), name,
						     BPFHOST_BTF_KIND_STRUCT) : -1;

	bpfhost_object__close(o);
	return id;
}

static void t_fields_run(void)
{
	static const char *const progs[] = { "fields", NULL };
	struct bpfhost_object *obj = open_fields(progs, target_path());
	uint8_t blob[96] = { 0 };
	struct bh_pkt pkt;
	uint64_t got[32] = { 0 }, want[32] = { 0 };
	uint32_t k = 0, ret = 0;
	int in_fd, out_fd, y;

	if (!obj)
		return;
	ASSERT_OK(bpfhost_object__load(obj), bpfhost_last_error());
	memset(&pkt, 0, sizeof(pkt));
	pkt.flags = 0xbeef;
	pkt.len = 1500;
	pkt.stamp = 0x1122334455667788ull;
	pkt.delta = -7;
	pkt.kind = 5;
	pkt.prio = 19;
	pkt.level = -3;
	pkt.inner.a = 0xaaaa;
	pkt.inner.b = 0xbbbb;
	pkt.arr[2] = 42;
	pkt.small = 200;
	pkt.anon_a = 0xa0a0a0;
	memcpy(blob, &pkt, sizeof(pkt));
	in_fd = bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, "in"));
	out_fd = bpfhost_map__fd(bpfhost_object__find_map_by_name(obj, "out"));
	ASSERT_OK(bpfhost_map_update_elem(in_fd, &k, blob, 0), "fill in");
	ASSERT_OK(run(obj, "fields", &ret), bpfhost_last_error());
	ASSERT_EQ(ret, 1, "fields returns 1");
	for (k = 0; k < 32; k++)
		ASSERT_OK(bpfhost_map_lookup_elem(out_fd, &k, &got[k]), "read out");
	memcpy(&y, &pkt, sizeof(y));
	want[0] = pkt.len;
	want[1] = pkt.flags;
	want[2] = (uint64_t)(int64_t)pkt.delta;
	want[3] = pkt.stamp;
	want[4] = pkt.inner.a;
	want[5] = pkt.inner.b;
	want[6] = pkt.arr[2];
	want[7] = pkt.kind;
	want[8] = pkt.prio;
	want[9] = (uint64_t)(int64_t)pkt.level;
	want[10] = 0;					/* gone: not in the target */
	want[11] = 1;
	want[12] = sizeof(pkt.stamp);
	want[13] = 1;					/* delta is signed */
	want[14] = pkt.small;				/* read as a __u32, narrowed to the __u8 */
	want[15] = sizeof(struct bh_pkt);
	want[16] = 1;
	want[17] = 0;					/* struct bh_missing */
	want[18] = (uint64_t)(int64_t)BH_GREEN;
	want[19] = 0;					/* BH_PURPLE */
	want[20] = (uint64_t)(int64_t)BH_BLUE;
	want[21] = 0;					/* the local bh_pkt has `gone`: no match */
	want[22] = offsetof(struct bh_pkt, inner.a);
	want[23] = (uint64_t)(int64_t)y;		/* bh_same___v1/v2 agree: y at 0 */
	want[24] = (uint64_t)struct_id("core_target", "bh_pkt");
	want[25] = (uint64_t)struct_id("core_fields", "bh_pkt");
	want[26] = 0;					/* the guarded read never ran */
	want[27] = 1;					/* both bh_same flavors have an int y */
	want[28] = pkt.anon_a;
	want[29] = sizeof(struct bh_pkt) + offsetof(struct bh_pkt, len);
	for (k = 0; k < 32; k++) {
		char name[64];

		snprintf(name, sizeof(name), "out[%u]", k);
		ASSERT_EQ(got[k], want[k], name);
	}
	bpfhost_object__close(obj);
}

/* Index of the first poisoned call in @prog's instructions, or -1. */
static int first_poison(const struct bpfhost_program *p)
{
	const struct bpf_insn *in = bpfhost_program__insns(p);

	for (size_t i = 0; i < bpfhost_program__insn_cnt(p); i++)
		if (POISON_CALL(in[i]))
			return (int)i;
	return -1;
}

static void t_poison(void)
{
	static const char *const progs[] = { "fields", "reach_missing", "narrow_signed", NULL };
	static const char *const reached[] = { "reach_missing", NULL };
	struct bpfhost_object *obj = open_fields(reached, target_path());
	struct bpfhost_program *p;
	uint32_t ret = 0;
	int err;

	/* As Linux: a poisoned instruction a path reaches is refused at load, naming the relocation. */
	if (!obj)
		return;
	ASSERT_EQ(bpfhost_object__load(obj), -EINVAL, "the verifier refuses a reached poison");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "CO-RE relocation byte_off of local type [", "names it");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "return p->gone;", "and the C line");
	bpfhost_object__close(obj);
	/* Loaded without the verifier, the run that reaches it stops with the same names. */
	obj = open_fields(progs, target_path());
	if (!obj)
		return;
	bpfhost_object__for_each_program(p, obj)
		bpfhost_program__set_flags(p, BPFHOST_F_TEST_UNVERIFIED);
	ASSERT_OK(bpfhost_object__load(obj), bpfhost_last_error());
	ASSERT_GE(first_poison(bpfhost_object__find_program_by_name(obj, "fields")), 0,
		  "fields: the guarded read of `gone` is poisoned");
	ASSERT_GE(first_poison(bpfhost_object__find_program_by_name(obj, "reach_missing")), 0,
		  "reach_missing: poisoned");
	ASSERT_GE(first_poison(bpfhost_object__find_program_by_name(obj, "narrow_signed")), 0,
		  "narrow_signed: poisoned");
	err = run(obj, "reach_missing", &ret);
	ASSERT_EQ(err, -EINVAL, "reaching a poisoned instruction stops the run");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "CO-RE relocation byte_off of local type [",
			    "the message names the relocation");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "access \"0:3\"", "and its access (bh_pkt.gone)");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "core_fields.bpf.c:", "and names the C file");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "return p->gone;", "and the C line");
	err = run(obj, "narrow_signed", &ret);
	ASSERT_EQ(err, -EINVAL, "the signed narrowing is poisoned too");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "return p->tiny;", "named by its line");
	bpfhost_object__close(obj);
}

static void t_ambiguous(void)
{
	static const char *const progs[] = { "ambiguous", NULL };
	struct bpfhost_object *obj = open_fields(progs, target_path());

	if (!obj)
		return;
	ASSERT_EQ(bpfhost_object__load(obj), -EINVAL, "ambiguous candidates are refused");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "ambiguous", "says so");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "bh_ambig.x", "names the field");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "program 'ambiguous'", "and the program");
	bpfhost_object__close(obj);
}

static void t_bad_custom_btf(void)
{
	static const char *const progs[] = { "fields", NULL };
	struct bpfhost_object *obj = open_fields(progs, "/nonexistent/vmlinux");

	if (!obj)
		return;
	ASSERT_EQ(bpfhost_object__load(obj), -ENOENT, "a missing btf_custom_path fails the load");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "/nonexistent/vmlinux", "naming the file");
	bpfhost_object__close(obj);
}

/* `skb_fields` reads its own struct __sk_buff flavor; the built-in BTF is the target. */
static void t_builtin_target(void)
{
	static const char *const progs[] = { "skb_fields", NULL };
	struct bpfhost_object *obj = open_fields(progs, NULL);
	uint8_t frame[80] = { 0 };
	uint32_t mark = 0x5a5a;
	BPFHOST_OPTS(bpfhost_test_run_opts, t, .data_in = frame, .data_size_in = sizeof(frame));
	uint8_t ctx[192] = { 0 };

	if (!obj)
		return;
	ASSERT_OK(bpfhost_object__load(obj), bpfhost_last_error());
	memcpy(ctx + 8, &mark, sizeof(mark));	/* __sk_buff.mark */
	t.ctx_in = ctx;
	t.ctx_size_in = sizeof(ctx);
	ASSERT_OK(bpfhost_prog_test_run_opts(bpfhost_program__fd(
			  bpfhost_object__find_program_by_name(obj, "skb_fields")), &t),
		  bpfhost_last_error());
	/* Linux's test run pulls the Ethernet header: len is the frame less 14. */
	ASSERT_EQ(t.retval, ((uint32_t)(sizeof(frame) - 14) << 16) | mark, "len << 16 | mark");
	bpfhost_object__close(obj);
}


/* test_prog_provider.so gives struct test_ctx's BTF with its type: core_ext relocates against it. */
static void t_extension_target(void)
{
	struct bpfhost_object *obj = bpfhost_object__open_file(bpf_object_path("core_ext"), NULL);
	uint8_t ctx[24] = { 0 };
	uint32_t value = 0x1234567;
	BPFHOST_OPTS(bpfhost_test_run_opts, t, .ctx_in = ctx, .ctx_size_in = sizeof(ctx));
	int mod = bpfhost_extension_load(BPFHOST_TEST_MODULE_DIR "/test_prog_provider.so");

	ASSERT_GE(mod, 1, "load the module with the BTF");
	ASSERT_TRUE(obj != NULL, bpfhost_last_error());
	if (obj && mod >= 1) {
		const struct bpfhost_program *p = bpfhost_object__find_program_by_name(obj, "ext_value");

		union bpf_attr a;
		uint8_t small[8];

		memset(&a, 0, sizeof(a));
		ASSERT_OK(bpfhost_sys_bpf(BPFHOST_PROG_TYPE_BTF, &a, sizeof(a)), "the module's BTF: its size");
		ASSERT_EQ(a.type_btf.prog_type, 4200, "of the module's type");
		ASSERT_EQ(a.type_btf.btf_size, 24 + 19 * 4 + 43, "the module's bytes");
		a.type_btf.buf = (uintptr_t)small;
		a.type_btf.buf_size = sizeof(small);
		ASSERT_EQ(bpfhost_sys_bpf(BPFHOST_PROG_TYPE_BTF, &a, sizeof(a)), -ENOSPC, "a short buffer");
		memset(&a, 0, sizeof(a));
		a.type_btf.index = 1;
		ASSERT_EQ(bpfhost_sys_bpf(BPFHOST_PROG_TYPE_BTF, &a, sizeof(a)), -ENOENT, "one type only");
		ASSERT_OK(bpfhost_object__load(obj), bpfhost_last_error());
		ASSERT_EQ(bpfhost_program__insns(p)[0].off, 16, "ctx->value relocated to the module's byte 16");
		memcpy(ctx + 16, &value, sizeof(value));
		ASSERT_OK(bpfhost_prog_test_run_opts(bpfhost_program__fd(p), &t), bpfhost_last_error());
		ASSERT_EQ(t.retval, value, "and reads it there");
	}
	bpfhost_object__close(obj);
	if (mod >= 1)
		ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	/* Without the module, the relocation finds no target: poisoned, the run stops there. */
	obj = bpfhost_object__open_file(bpf_object_path("core_ext"), NULL);
	if (obj) {
		bpfhost_program__set_type(bpfhost_object__find_program_by_name(obj, "ext_value"),
					  BPF_PROG_TYPE_SOCKET_FILTER);
		ASSERT_OK(bpfhost_object__prepare(obj), bpfhost_last_error());
		ASSERT_TRUE(POISON_CALL(bpfhost_program__insns(
				    bpfhost_object__find_program_by_name(obj, "ext_value"))[0]),
			    "no target without the module: poisoned");
	}
	bpfhost_object__close(obj);
}

/* The log lines the loader prints (bpfhost_set_print). */
static char printed[4096];

static int capture(enum bpfhost_print_level level, const char *fmt, va_list ap)
{
	size_t n = strlen(printed);

	(void)level;
	if (n < sizeof(printed) - 1)
		vsnprintf(printed + n, sizeof(printed) - n, fmt, ap);
	return 0;
}

static void t_poison_logged(void)
{
	static const char *const progs[] = { "reach_missing", NULL };
	struct bpfhost_object *obj = open_fields(progs, target_path());
	bpfhost_print_fn_t old;

	if (!obj)
		return;
	printed[0] = '\0';
	old = bpfhost_set_print(capture);
	ASSERT_OK(bpfhost_object__prepare(obj), bpfhost_last_error());
	bpfhost_set_print(old);
	ASSERT_STR_CONTAINS(printed, "program 'reach_missing': CO-RE relocation #", "the poisoning is said");
	ASSERT_STR_CONTAINS(printed, "byte_off [", "with the relocation's kind");
	ASSERT_STR_CONTAINS(printed, "bh_pkt.gone", "and the field it names");
	bpfhost_object__close(obj);
}

/* core_fields.bpf.o with its .BTF.ext body at @body (for patching). */
struct ext_image {
	uint8_t *image;
	size_t size;
	uint8_t *body;			/* past the header */
	uint32_t hdr[8];		/* magic+version+flags, hdr_len, func off/len, line off/len, core off/len */
};

static bool ext_open(struct ext_image *x)
{
	struct elf_file elf;
	const struct elf_section *s;

	x->image = bpf_object_read("core_fields", &x->size);
	if (!x->image || elf_open(&elf, "core_fields", x->image, x->size))
		return false;
	s = elf_find_section(&elf, ".BTF.ext");
	if (s) {
		memcpy(x->hdr, s->data, sizeof(x->hdr));
		x->body = (uint8_t *)s->data + x->hdr[1];
	}
	elf_close(&elf);
	return s != NULL;
}

static int ext_load(struct ext_image *x)
{
	static const char *const progs[] = { "fields", "reach_missing", NULL };
	BPFHOST_OPTS(bpfhost_object_open_opts, o, .btf_custom_path = target_path());
	struct bpfhost_object *obj = bpfhost_object__open_mem(x->image, x->size, &o);
	struct bpfhost_program *p;
	int err;

	if (!obj)
		return -errno;
	bpfhost_object__for_each_program(p, obj)
		bpfhost_program__set_autoload(p, !strcmp(bpfhost_program__name(p), progs[0]) ||
						 !strcmp(bpfhost_program__name(p), progs[1]));
	err = bpfhost_object__prepare(obj);
	bpfhost_object__close(obj);
	return err;
}

static void ext_case(void (*patch)(struct ext_image *), int err, const char *what, const char *name)
{
	struct ext_image x = { 0 };

	ASSERT_TRUE(ext_open(&x), "core_fields has .BTF.ext");
	if (x.body) {
		patch(&x);
		ASSERT_EQ(ext_load(&x), err, name);
		ASSERT_STR_CONTAINS(bpfhost_last_error(), what, name);
	}
	free(x.image);
}

static uint8_t *core_rec(struct ext_image *x, uint32_t i)
{
	uint32_t rec_size;

	memcpy(&rec_size, x->body + x->hdr[6], 4);
	return x->body + x->hdr[6] + 4 + 8 + (size_t)i * rec_size;	/* first section's records */
}

static void patch_magic(struct ext_image *x)
{
	x->body[-(int)x->hdr[1]] ^= 0xff;
}

static void patch_func_rec_size(struct ext_image *x)
{
	uint32_t v = 6;

	memcpy(x->body + x->hdr[2], &v, 4);
}

static void patch_line_count(struct ext_image *x)
{
	uint32_t v = 0x10000000;

	memcpy(x->body + x->hdr[4] + 4 + 4, &v, 4);	/* the first section's record count */
}

static void patch_line_str(struct ext_image *x)
{
	uint32_t v = 0xffffff;

	memcpy(x->body + x->hdr[4] + 4 + 8 + 4, &v, 4);	/* the first line record's file_name_off */
}

static void patch_core_insn(struct ext_image *x)
{
	uint32_t v = 0x7ffffff8;

	memcpy(core_rec(x, 0), &v, 4);
}

static void patch_core_access(struct ext_image *x)
{
	for (uint32_t i = 0; i < 4; i++) {
		uint32_t v = 0xfffffff0;

		memcpy(core_rec(x, i) + 8, &v, 4);
	}
}

static void patch_core_kind(struct ext_image *x)
{
	for (uint32_t i = 0; i < 4; i++) {
		uint32_t v = 99;

		memcpy(core_rec(x, i) + 12, &v, 4);
	}
}

static void patch_core_type(struct ext_image *x)
{
	for (uint32_t i = 0; i < 4; i++) {
		uint32_t v = 0xfffff;

		memcpy(core_rec(x, i) + 4, &v, 4);
	}
}

static void t_bad_btf_ext(void)
{
	ext_case(patch_magic, -EINVAL, ".BTF.ext: bad magic", "bad magic");
	ext_case(patch_func_rec_size, -EINVAL, "func info record size 6", "func info record size");
	ext_case(patch_line_count, -EINVAL, "records of 16 bytes do not fit", "line info count");
	ext_case(patch_line_str, -EINVAL, "string offset (16777215", "line info strings");
	ext_case(patch_core_insn, -EINVAL, "is not an instruction of it", "CO-RE insn_off");
	ext_case(patch_core_access, -EINVAL, "access string offset", "CO-RE access string");
	ext_case(patch_core_kind, -EOPNOTSUPP, "relocation kind 99 is unknown", "CO-RE kind");
	ext_case(patch_core_type, -EINVAL, "local type id 1048575 is out of range", "CO-RE type id");
}

#define VMLINUX "/sys/kernel/btf/vmlinux"

/*
 * The running kernel's BTF as btf_custom_path (raw BTF of every kernel
 * type): skb_fields relocates against its struct __sk_buff to what the
 * built-in BTF gives, and, where libbpf loads it, to what libbpf gives.
 */
static void t_vmlinux_target(void)
{
	static const char *const progs[] = { "skb_fields", NULL };
	struct bpfhost_object *own = open_fields(progs, NULL), *vm;
	FILE *f = fopen(VMLINUX, "rb");

	if (!f) {
		printf("note: %s is absent: the vmlinux target is not tried\n", VMLINUX);
		bpfhost_object__close(own);
		return;
	}
	fclose(f);
	vm = open_fields(progs, VMLINUX);
	if (own && vm) {
		const struct bpfhost_program *a, *b;

		ASSERT_OK(bpfhost_object__prepare(own), bpfhost_last_error());
		ASSERT_OK(bpfhost_object__prepare(vm), bpfhost_last_error());
		a = bpfhost_object__find_program_by_name(own, "skb_fields");
		b = bpfhost_object__find_program_by_name(vm, "skb_fields");
		ASSERT_EQ(bpfhost_program__insn_cnt(a), bpfhost_program__insn_cnt(b), "same length");
		ASSERT_TRUE(!memcmp(bpfhost_program__insns(a), bpfhost_program__insns(b),
				    bpfhost_program__insn_cnt(a) * sizeof(struct bpf_insn)),
			    "the kernel's __sk_buff is bpfhost's");
#ifdef BPFHOST_TEST_LIBBPF
		{
			static struct lbo_result lb;
			char why[512];

			if (lbo_load(bpf_object_path("core_fields"), NULL, "skb_fields", &lb, why, sizeof(why))) {
				printf("note: the libbpf oracle did not run: %s\n", why);
			} else {
				ASSERT_EQ(lb.insn_cnt, bpfhost_program__insn_cnt(b), "libbpf's length");
				ASSERT_TRUE(!memcmp(lb.insns, bpfhost_program__insns(b), lb.insn_cnt * 8),
					    "libbpf relocates against vmlinux to the same instructions");
			}
		}
#endif
	}
	bpfhost_object__close(own);
	bpfhost_object__close(vm);
}

#ifdef BPFHOST_TEST_LIBBPF
static bool same_insn(const struct bpf_insn *a, const uint64_t *raw, bool map_half)
{
	struct bpf_insn b;

	memcpy(&b, raw, sizeof(b));
	/* Map loads carry each loader's own handles. */
	if (map_half)
		return a->code == b.code && a->dst_reg == b.dst_reg && a->src_reg == b.src_reg;
	return !memcmp(a, &b, sizeof(b));
}

static void t_libbpf_agrees(void)
{
	static const char *const progs[] = { "fields", NULL };
	static struct lbo_result lb;
	struct bpfhost_object *obj;
	const struct bpfhost_program *p;
	const struct bpf_insn *in;
	char why[512];
	int err = lbo_load(bpf_object_path("core_fields"), target_path(), "fields", &lb, why, sizeof(why));
	size_t n;

	if (err) {
		printf("note: the libbpf oracle did not run: %s\n", why);
		return;
	}
	obj = open_fields(progs, target_path());
	if (!obj)
		return;
	ASSERT_OK(bpfhost_object__prepare(obj), bpfhost_last_error());
	p = bpfhost_object__find_program_by_name(obj, "fields");
	in = bpfhost_program__insns(p);
	n = bpfhost_program__insn_cnt(p);
	ASSERT_EQ(n, lb.insn_cnt, "same instruction count as libbpf");
	for (size_t i = 0; i < n && i < lb.insn_cnt; i++) {
		bool map = in[i].code == (BPF_LD | BPF_IMM | BPF_DW) && in[i].src_reg;
		char name[64];

		snprintf(name, sizeof(name), "insn %zu as libbpf relocated it", i);
		ASSERT_TRUE(same_insn(&in[i], &lb.insns[i], map), name);
		if (map) {
			i++;
			ASSERT_TRUE(same_insn(&in[i], &lb.insns[i], false), name);
		}
	}
	bpfhost_object__close(obj);
}
#endif

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_fields_run),
		TEST(t_poison),
		TEST(t_ambiguous),
		TEST(t_bad_custom_btf),
		TEST(t_builtin_target),
		TEST(t_poison_logged),
		TEST(t_extension_target),
		TEST(t_vmlinux_target),
		TEST(t_bad_btf_ext),
#ifdef BPFHOST_TEST_LIBBPF
		TEST(t_libbpf_agrees),
#endif
	};

	if (!bpf_objects_available()) {
		printf(BPF_OBJECTS_SKIP_MESSAGE);
		return 0;
	}
	return test_run("core_relo", cases, ARRAY_SIZE(cases));
}
