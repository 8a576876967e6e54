// SPDX-License-Identifier: MIT
/*
 * Map definitions of objects: BTF `.maps` of every common type equal their
 * C source, key/value BTF types resolve to the C types (sizes and member
 * offsets from the host compiler's sizeof/offsetof of the same header), the
 * legacy `maps` section, global data maps (names, flags, DATASEC value
 * types), prog array and map-in-map initial slots (run through tail calls and
 * inner lookups), setters before and after load, and refused definitions.
 */
#include <stddef.h>
#include <stdint.h>

#include "test.h"
#include "bpf_objects.h"
#include "provider_fixture.h"
#include "object_types.h"
#include "bpfhost/libbpf.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static struct bpfhost_object *open_obj(const char *name)
{
	struct bpfhost_object *obj = bpfhost_object__open_file(bpf_object_path(name), NULL);

	ASSERT_TRUE(obj != NULL, "open");
	return obj;
}

static uint32_t run_ok(const struct bpfhost_object *obj, const char *name)
{
	const struct bpfhost_program *p = bpfhost_object__find_program_by_name(obj, name);
	uint8_t pkt[64] = { [12] = 0x08 };
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));

	ASSERT_TRUE(p != NULL, name);
	if (!p)
		return 0xdeadbeef;
	ASSERT_OK(bpfhost_prog_test_run_opts(bpfhost_program__fd(p), &o), "test run");
	return o.retval;
}

struct expect_map {
	const char *name;
	uint32_t type, key_size, value_size, max_entries, flags;
};

static void t_btf_map_definitions(void)
{
	/* From object_maps.bpf.c. */
	static const struct expect_map want[] = {
		{ "flows", BPF_MAP_TYPE_HASH, sizeof(struct flow_key), sizeof(struct flow_stats), 128, BPF_F_NO_PREALLOC },
		{ "counters", BPF_MAP_TYPE_ARRAY, 4, sizeof(counter_t), 8, 0 },
		{ "pcpu_array", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0 },
		{ "pcpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 64, 0 },
		{ "recent", BPF_MAP_TYPE_LRU_HASH, 8, sizeof(struct flow_key), 16, 0 },
		{ "work_queue", BPF_MAP_TYPE_QUEUE, 0, 4, 32, 0 },
		{ "events", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0 },
		{ "shared_cfg", BPF_MAP_TYPE_HASH, 4, 4, 4, 0 },
	};
	struct bpfhost_object *obj = open_obj("object_maps");
	struct bpfhost_map *m;
	size_t n = 0;

	if (!obj)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		m = bpfhost_object__find_map_by_name(obj, want[i].name);
		ASSERT_TRUE(m != NULL, want[i].name);
		if (!m)
			continue;
		ASSERT_EQ(bpfhost_map__type(m), want[i].type, want[i].name);
		ASSERT_EQ(bpfhost_map__key_size(m), want[i].key_size, "key_size");
		ASSERT_EQ(bpfhost_map__value_size(m), want[i].value_size, "value_size");
		ASSERT_EQ(bpfhost_map__max_entries(m), want[i].max_entries, "max_entries");
		ASSERT_EQ(bpfhost_map__map_flags(m), want[i].flags, "map_flags");
		ASSERT_TRUE(!bpfhost_map__is_internal(m), "not internal");
		ASSERT_TRUE(bpfhost_map__inner_map(m) == NULL, "no inner map");
		ASSERT_EQ(bpfhost_map__pinning(m), !strcmp(want[i].name, "shared_cfg") ? BPFHOST_PIN_BY_NAME : BPFHOST_PIN_NONE,
			  "pinning");
	}
	bpfhost_object__for_each_map(m, obj)
		n++;
	/* The eight maps and the constant pool clang put in .rodata.cst16 (struct initialisers). */
	ASSERT_EQ(n, ARRAY_SIZE(want) + 1, "map count");
	m = bpfhost_object__find_map_by_name(obj, ".rodata.cst16");
	ASSERT_TRUE(m != NULL && bpfhost_map__is_internal(m), "clang's .rodata.cst16 is a global data map");
	if (m)
		ASSERT_EQ(strcmp(bpfhost_map__name(m), ".rodata.cst16"), 0, "a dotted section keeps its own name (libbpf)");
	bpfhost_object__close(obj);
}

/* The view of a member of a struct type, by name. */
static const struct bpfhost_btf_member *member(const struct bpfhost_btf_type *t, const char *name)
{
	for (uint32_t i = 0; t && i < t->vlen; i++)
		if (!strcmp(t->members[i].name, name))
			return &t->members[i];
	return NULL;
}

#define ASSERT_MEMBER(btf, t, T, field)                                                         \
	do {                                                                                       \
		const struct bpfhost_btf_member *m_ = member(t, #field);                           \
		ASSERT_TRUE(m_ != NULL, #T "." #field);                                         \
		if (m_) {                                                                          \
			ASSERT_EQ(m_->bit_offset, offsetof(T, field) * 8, #field " offset");   \
			ASSERT_EQ(bpfhost_btf__resolve_size(btf, m_->type),                        \
				  sizeof(((T *)0)->field), #field " size");                      \
		}                                                                                  \
	} while (0)

static void t_key_value_btf(void)
{
	struct bpfhost_object *obj = open_obj("object_maps");
	const struct bpfhost_btf_type *k, *v, *t;
	const struct bpfhost_btf_member *m;
	struct bpfhost_map *flows, *counters;
	struct bpfhost_btf *btf;
	uint32_t id = 0;

	if (!obj)
		return;
	btf = bpfhost_object__btf(obj);
	flows = bpfhost_object__find_map_by_name(obj, "flows");
	k = bpfhost_btf__type_by_id(btf, bpfhost_map__btf_key_type_id(flows));
	v = bpfhost_btf__type_by_id(btf, bpfhost_map__btf_value_type_id(flows));
	ASSERT_TRUE(k && v, "key and value types");
	if (!k || !v)
		goto out;
	ASSERT_EQ(k->kind, BPFHOST_BTF_KIND_STRUCT, "key is a struct");
	ASSERT_EQ(strcmp(k->name, "flow_key"), 0, "struct flow_key");
	ASSERT_EQ(k->size, sizeof(struct flow_key), "sizeof(struct flow_key)");
	ASSERT_EQ(k->vlen, 6, "six members");
	ASSERT_MEMBER(btf, k, struct flow_key, saddr);
	ASSERT_MEMBER(btf, k, struct flow_key, daddr);
	ASSERT_MEMBER(btf, k, struct flow_key, sport);
	ASSERT_MEMBER(btf, k, struct flow_key, dport);
	ASSERT_MEMBER(btf, k, struct flow_key, proto);
	ASSERT_MEMBER(btf, k, struct flow_key, pad);
	m = member(k, "pad");
	t = m ? bpfhost_btf__type_by_id(btf, m->type) : NULL;
	ASSERT_TRUE(t && t->kind == BPFHOST_BTF_KIND_ARRAY && t->nelems == 3, "pad is __u8[3]");
	if (t) {
		ASSERT_EQ(bpfhost_btf__resolve_size(btf, t->elem_type), 1, "element size 1");
		t = bpfhost_btf__type_by_id(btf, t->elem_type);
		ASSERT_TRUE(t && t->kind == BPFHOST_BTF_KIND_TYPEDEF && !strcmp(t->name, "__u8"), "element typedef __u8");
	}

	ASSERT_EQ(strcmp(v->name, "flow_stats"), 0, "struct flow_stats");
	ASSERT_EQ(v->size, sizeof(struct flow_stats), "sizeof(struct flow_stats)");
	ASSERT_MEMBER(btf, v, struct flow_stats, packets);
	ASSERT_MEMBER(btf, v, struct flow_stats, bytes);
	ASSERT_MEMBER(btf, v, struct flow_stats, seen);
	ASSERT_MEMBER(btf, v, struct flow_stats, delta);
	ASSERT_MEMBER(btf, v, struct flow_stats, verdict);
	ASSERT_MEMBER(btf, v, struct flow_stats, v);
	/* Bitfields: 3 and 5 bits right after the union. */
	m = member(v, "flag_a");
	ASSERT_TRUE(m && m->bitfield_size == 3 && m->bit_offset == offsetof(struct flow_stats, v) * 8 + 32,
		    "flag_a: 3 bits after the union");
	m = member(v, "flag_b");
	ASSERT_TRUE(m && m->bitfield_size == 5 && m->bit_offset == offsetof(struct flow_stats, v) * 8 + 35,
		    "flag_b: 5 bits after flag_a");
	/* The nested anonymous struct and union. */
	m = member(v, "seen");
	t = m ? bpfhost_btf__type_by_id(btf, m->type) : NULL;
	ASSERT_TRUE(t && t->kind == BPFHOST_BTF_KIND_STRUCT && !t->name[0] && t->vlen == 2, "seen: anonymous struct");
	m = member(v, "v");
	t = m ? bpfhost_btf__type_by_id(btf, m->type) : NULL;
	ASSERT_TRUE(t && t->kind == BPFHOST_BTF_KIND_UNION && t->size == 4 && t->vlen == 2, "v: union of 4 bytes");
	if (t && t->vlen == 2) {
		const struct bpfhost_btf_type *f = bpfhost_btf__type_by_id(btf, t->members[1].type);

		ASSERT_TRUE(f && f->kind == BPFHOST_BTF_KIND_FLOAT && f->size == 4, "ratio is a 4-byte float");
	}
	m = member(v, "verdict");
	t = m ? bpfhost_btf__type_by_id(btf, m->type) : NULL;
	ASSERT_TRUE(t && t->kind == BPFHOST_BTF_KIND_ENUM && !strcmp(t->name, "verdict") && t->vlen == 3, "enum verdict");
	if (t && t->vlen == 3) {
		ASSERT_TRUE(t->kind_flag, "signed enum");
		ASSERT_EQ(strcmp(t->values[1].name, "VERDICT_DROP"), 0, "value name");
		ASSERT_EQ(t->values[1].value, VERDICT_DROP, "VERDICT_DROP = 7");
		ASSERT_EQ((int64_t)t->values[2].value, VERDICT_UNKNOWN, "VERDICT_UNKNOWN = -1, sign-extended");
	}

	/* counter_t: a typedef of __u32, itself a typedef of unsigned int. */
	counters = bpfhost_object__find_map_by_name(obj, "counters");
	t = bpfhost_btf__type_by_id(btf, bpfhost_map__btf_value_type_id(counters));
	ASSERT_TRUE(t && t->kind == BPFHOST_BTF_KIND_TYPEDEF && !strcmp(t->name, "counter_t"), "value is counter_t");
	id = (uint32_t)bpfhost_btf__resolve_type(btf, bpfhost_map__btf_value_type_id(counters));
	t = bpfhost_btf__type_by_id(btf, id);
	ASSERT_TRUE(t && t->kind == BPFHOST_BTF_KIND_INT && t->size == 4 && t->int_bits == 32 &&
		    !(t->int_encoding & BPFHOST_BTF_INT_SIGNED), "resolves to a 32-bit unsigned int");
	/* Maps declared with key_size/value_size only carry no types. */
	ASSERT_EQ(bpfhost_map__btf_key_type_id(bpfhost_object__find_map_by_name(obj, "pcpu_array")), 0, "no key type");
	ASSERT_EQ(bpfhost_map__btf_value_type_id(bpfhost_object__find_map_by_name(obj, "events")), 0, "no value type");
out:
	bpfhost_object__close(obj);
}

static void t_legacy_maps(void)
{
	struct bpfhost_object *obj = open_obj("object_legacy_maps");
	struct bpfhost_map *h, *a;
	uint32_t k = 1, zero = 0, word[4] = { 0xabcdef, 0, 0, 0 };
	uint64_t v = 0;

	if (!obj)
		return;
	h = bpfhost_object__find_map_by_name(obj, "legacy_hash");
	a = bpfhost_object__find_map_by_name(obj, "legacy_array");
	ASSERT_TRUE(h && a, "both maps by symbol name");
	if (!h || !a)
		goto out;
	ASSERT_EQ(bpfhost_map__type(h), BPF_MAP_TYPE_HASH, "hash");
	ASSERT_EQ(bpfhost_map__key_size(h), 4, "key_size");
	ASSERT_EQ(bpfhost_map__value_size(h), 8, "value_size");
	ASSERT_EQ(bpfhost_map__max_entries(h), 32, "max_entries");
	ASSERT_EQ(bpfhost_map__type(a), BPF_MAP_TYPE_ARRAY, "array");
	ASSERT_EQ(bpfhost_map__value_size(a), 16, "value_size");
	ASSERT_EQ(bpfhost_map__max_entries(a), 2, "max_entries");
	ASSERT_EQ(bpfhost_map__map_flags(a), BPF_F_MMAPABLE, "map_flags");
	ASSERT_EQ(bpfhost_map__btf_key_type_id(h), 0, "legacy maps carry no BTF types");
	ASSERT_OK(bpfhost_object__load(obj), "load");
	ASSERT_OK(bpfhost_map_update_elem(bpfhost_map__fd(a), &zero, word, BPF_ANY), "set legacy_array[0]");
	ASSERT_EQ(run_ok(obj, "legacy_prog"), 0xabcdef, "the program reads legacy_array");
	ASSERT_OK(bpfhost_map_lookup_elem(bpfhost_map__fd(h), &k, &v), "the program wrote legacy_hash");
	ASSERT_EQ(v, 77, "value 77");
out:
	bpfhost_object__close(obj);
}

static void t_global_data_maps(void)
{
	struct bpfhost_object *obj = open_obj("object_btf_kinds");
	const struct bpfhost_btf_type *ds;
	struct bpfhost_btf *btf;
	struct bpfhost_map *bss, *ro;
	const int32_t *init;
	size_t size = 0;

	if (!obj)
		return;
	btf = bpfhost_object__btf(obj);
	bss = bpfhost_object__find_map_by_name(obj, ".bss");
	ro = bpfhost_object__find_map_by_name(obj, ".rodata");
	ASSERT_TRUE(bss && ro, ".bss and .rodata maps");
	if (!bss || !ro)
		goto out;
	ASSERT_EQ(strcmp(bpfhost_map__name(bss), "object_b.bss"), 0, "8 chars of the object + .bss");
	ASSERT_EQ(strcmp(bpfhost_map__name(ro), "object_b.rodata"), 0, "8 chars of the object + .rodata");
	ASSERT_EQ(bpfhost_map__type(bss), BPF_MAP_TYPE_ARRAY, "array");
	ASSERT_EQ(bpfhost_map__key_size(bss), 4, "key_size 4");
	ASSERT_EQ(bpfhost_map__max_entries(bss), 1, "one entry");
	ASSERT_EQ(bpfhost_map__value_size(bss), 112 + 4, "struct kinds (112) + int counter");
	ASSERT_EQ(bpfhost_map__map_flags(bss), BPF_F_MMAPABLE, "global vars: mmapable");
	ASSERT_EQ(bpfhost_map__map_flags(ro), BPF_F_MMAPABLE | BPF_F_RDONLY_PROG, ".rodata: read-only for programs");
	ASSERT_EQ(bpfhost_map__btf_key_type_id(bss), 0, "no key type");
	ds = bpfhost_btf__type_by_id(btf, bpfhost_map__btf_value_type_id(bss));
	ASSERT_TRUE(ds && ds->kind == BPFHOST_BTF_KIND_DATASEC && !strcmp(ds->name, ".bss"), "value type: DATASEC .bss");
	if (ds && ds->vlen == 2) {
		const struct bpfhost_btf_type *v0 = bpfhost_btf__type_by_id(btf, ds->secinfos[0].type);
		const struct bpfhost_btf_type *v1 = bpfhost_btf__type_by_id(btf, ds->secinfos[1].type);

		ASSERT_EQ(ds->size, 116, "DATASEC size fixed up from the section");
		ASSERT_TRUE(v0 && !strcmp(v0->name, "kinds_var") && v0->kind == BPFHOST_BTF_KIND_VAR, "kinds_var");
		ASSERT_EQ(ds->secinfos[0].offset, 0, "kinds_var at 0");
		ASSERT_EQ(ds->secinfos[0].size, 112, "kinds_var size");
		ASSERT_TRUE(v1 && !strcmp(v1->name, "counter"), "counter");
		ASSERT_EQ(ds->secinfos[1].offset, 112, "counter's offset fixed up from its symbol");
		ASSERT_EQ(bpfhost_btf__resolve_size(btf, ds->secinfos[1].type), 4, "VAR resolves to int");
	} else {
		ASSERT_TRUE(false, "DATASEC .bss has two variables");
	}
	init = bpfhost_map__initial_value(ro, &size);
	ASSERT_TRUE(init && size == 4 && *init == 4, ".rodata initial value: ro_value = 4");
	ASSERT_TRUE(bpfhost_map__initial_value(bpfhost_object__find_map_by_name(obj, "kinds_map"), &size) == NULL,
		    "no initial value for a BTF map");
	ASSERT_EQ(bpfhost_map__set_value_size(bss, 8), -EINVAL, "8 bytes would cut kinds_var, which is not last");
out:
	bpfhost_object__close(obj);
}

static void t_prog_array_and_map_in_map(void)
{
	int before = bpfhost_handle_count();
	struct bpfhost_object *obj = open_obj("object_tailcall");
	struct bpfhost_map *outer, *inner, *jmp, *ib;
	uint32_t k = 3, zero = 0, v = 99, id = 0;
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	if (!obj)
		return;
	outer = bpfhost_object__find_map_by_name(obj, "outer");
	jmp = bpfhost_object__find_map_by_name(obj, "jmp_table");
	ib = bpfhost_object__find_map_by_name(obj, "inner_b");
	ASSERT_TRUE(outer && jmp && ib, "maps");
	if (!outer || !jmp || !ib)
		goto out;
	ASSERT_EQ(bpfhost_map__type(outer), BPF_MAP_TYPE_ARRAY_OF_MAPS, "array of maps");
	ASSERT_EQ(bpfhost_map__value_size(outer), 4, "value_size 4 (a map id)");
	inner = bpfhost_map__inner_map(outer);
	ASSERT_TRUE(inner != NULL, "inner map template");
	if (inner) {
		ASSERT_EQ(strcmp(bpfhost_map__name(inner), "outer.inner"), 0, "template name");
		ASSERT_EQ(bpfhost_map__type(inner), BPF_MAP_TYPE_ARRAY, "template type");
		ASSERT_EQ(bpfhost_map__value_size(inner), 4, "template value_size");
		ASSERT_EQ(bpfhost_map__max_entries(inner), 1, "template max_entries");
	}
	ASSERT_EQ(bpfhost_map__type(jmp), BPF_MAP_TYPE_PROG_ARRAY, "prog array");
	ASSERT_EQ(bpfhost_map__value_size(jmp), 4, "value_size 4");
	ASSERT_EQ(bpfhost_map__max_entries(jmp), 3, "max_entries");
	ASSERT_OK(bpfhost_object__load(obj), "load");
	/* jmp_table = { [0] = tail_a, [2] = tail_b }: entry tail-calls slot 2. */
	ASSERT_EQ(run_ok(obj, "entry"), 200, "tail call into tail_b through the initial slot");
	ASSERT_OK(bpfhost_map_delete_elem(bpfhost_map__fd(jmp), &(uint32_t){ 2 }), "clear slot 2");
	ASSERT_EQ(run_ok(obj, "entry"), 1, "an empty slot falls through");
	/* outer = { [1] = inner_a, [3] = inner_b } */
	ASSERT_OK(bpfhost_map_update_elem(bpfhost_map__fd(ib), &zero, &v, BPF_ANY), "inner_b[0] = 99");
	ASSERT_EQ(run_ok(obj, "through_outer"), 99, "outer[3] is inner_b");
	ASSERT_OK(bpfhost_map_lookup_elem(bpfhost_map__fd(outer), &k, &id), "outer[3] from user space");
	memset(&info, 0, sizeof(info));
	ASSERT_OK(bpfhost_map_get_info_by_fd(bpfhost_map__fd(ib), &info, &len), "inner_b info");
	ASSERT_EQ(id, info.id, "outer[3] holds inner_b's id");
	ASSERT_EQ(bpfhost_map_lookup_elem(bpfhost_map__fd(outer), &zero, &id), -ENOENT, "outer[0] is empty");
	ASSERT_EQ(bpfhost_handle_count(), before + 4 + 4, "4 maps + 4 programs (the inner template is closed)");
out:
	bpfhost_object__close(obj);
	ASSERT_EQ(bpfhost_handle_count(), before, "no handle left");
}

static void t_setters(void)
{
	struct bpfhost_object *obj = open_obj("object_maps");
	struct bpfhost_map *m;

	if (!obj)
		return;
	m = bpfhost_object__find_map_by_name(obj, "counters");
	ASSERT_OK(bpfhost_map__set_max_entries(m, 64), "set_max_entries");
	ASSERT_OK(bpfhost_map__set_type(m, BPF_MAP_TYPE_PERCPU_ARRAY), "set_type");
	ASSERT_OK(bpfhost_map__set_map_flags(m, 0), "set_map_flags");
	ASSERT_EQ(bpfhost_map__max_entries(m), 64, "max_entries read back");
	ASSERT_EQ(bpfhost_map__type(m), BPF_MAP_TYPE_PERCPU_ARRAY, "type read back");
	ASSERT_OK(bpfhost_map__set_pin_path(bpfhost_object__find_map_by_name(obj, "shared_cfg"), NULL), "no pin");
	ASSERT_OK(bpfhost_program__set_autoload(bpfhost_object__find_program_by_name(obj, "count_packets"), false),
		  "count_packets expects an array");
	ASSERT_OK(bpfhost_object__load(obj), "load");
	{
		struct bpf_map_info info;
		uint32_t len = sizeof(info);

		memset(&info, 0, sizeof(info));
		ASSERT_OK(bpfhost_map_get_info_by_fd(bpfhost_map__fd(m), &info, &len), "info");
		ASSERT_EQ(info.type, BPF_MAP_TYPE_PERCPU_ARRAY, "created with the new type");
		ASSERT_EQ(info.max_entries, 64, "created with the new max_entries");
		ASSERT_EQ(strcmp(info.name, "counters"), 0, "created with its name");
	}
	ASSERT_EQ(bpfhost_map__set_max_entries(m, 1), -EBUSY, "after load: -EBUSY");
	ASSERT_EQ(bpfhost_map__set_type(m, BPF_MAP_TYPE_ARRAY), -EBUSY, "after load: -EBUSY");
	ASSERT_EQ(bpfhost_map__max_entries(m), 64, "unchanged");
	bpfhost_object__close(obj);
}

static void t_refused_definitions(void)
{
	struct bpfhost_object *obj;

	obj = bpfhost_object__open_file(bpf_object_path("object_bad_map_field"), NULL);
	ASSERT_TRUE(obj == NULL, "unknown field refused at open");
	ASSERT_EQ(errno, EINVAL, "errno EINVAL");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "object 'object_bad_map_field': map 'odd': unknown field 'bogus'", "message");
	bpfhost_object__close(obj);
	obj = bpfhost_object__open_file(bpf_object_path("object_bad_key_size"), NULL);
	ASSERT_TRUE(obj == NULL, "conflicting key sizes refused at open");
	ASSERT_EQ(errno, EINVAL, "errno EINVAL");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "map 'conflicted': conflicting key_size: 8 and 4", "message");
	bpfhost_object__close(obj);
}

/* A custom map type from an extension module, created and used through the object. */
static void t_custom_map_type(void)
{
	int before = bpfhost_handle_count();
	struct bpfhost_object *obj;
	struct bpfhost_map *m;
	uint32_t k = 1;
	uint64_t v = 4242;
	int mod;

	tp_config_one(TP_TYPE, BPF_MAP_TYPE_HASH, 0, TP_ALL_POST);
	obj = open_obj("object_custom_map");
	if (!obj)
		return;
	m = bpfhost_object__find_map_by_name(obj, "custom");
	ASSERT_EQ(bpfhost_map__type(m), TP_TYPE, "the custom type id from __uint(type, ...)");
	ASSERT_EQ(bpfhost_object__load(obj), -EOPNOTSUPP, "no provider for the type yet");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "object 'object_custom_map': map 'custom': create failed", "message");
	bpfhost_object__close(obj);

	mod = tp_load();
	ASSERT_GE(mod, 1, "load the provider module");
	obj = open_obj("object_custom_map");
	if (!obj)
		goto out;
	ASSERT_OK(bpfhost_object__load(obj), "load with the provider");
	ASSERT_EQ(tp_count(TP_CREATE, -1), 1, "the provider created the map");
	ASSERT_EQ(tp_count(TP_ASSOCIATE, -1), 1, "and was asked about the socket filter using it");
	m = bpfhost_object__find_map_by_name(obj, "custom");
	ASSERT_OK(bpfhost_map_update_elem(bpfhost_map__fd(m), &k, &v, BPF_ANY), "user update");
	tp_clear();
	ASSERT_EQ(run_ok(obj, "read_custom"), 4242, "the program's lookup sees it");
	ASSERT_EQ(tp_count(TP_FIND, BPFHOST_MAP_OPERATION_HELPER), 1, "through the provider's find, with HELPER");
	bpfhost_object__close(obj);
out:
	if (mod >= 1)
		ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	ASSERT_EQ(bpfhost_handle_count(), before, "no handle left");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_btf_map_definitions),
		TEST(t_key_value_btf),
		TEST(t_legacy_maps),
		TEST(t_global_data_maps),
		TEST(t_prog_array_and_map_in_map),
		TEST(t_setters),
		TEST(t_refused_definitions),
		TEST(t_custom_map_type),
	};

	if (!bpf_objects_available()) {
		printf(BPF_OBJECTS_SKIP_MESSAGE);
		return 0;
	}
	return test_run("object_maps", cases, ARRAY_SIZE(cases));
}
