// SPDX-License-Identifier: MIT
/*
 * The open phase (object_config.c and the setters): global variables read
 * and written by name before load reach the programs and the maps; a global
 * data map whose last variable is an array is resized with its BTF; a
 * caller's inner map shapes a map-in-map; every setter fails with -EBUSY and
 * a message after load.
 */
#include <stddef.h>
#include <stdint.h>

#include "test.h"
#include "bpf_objects.h"
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

static uint32_t run(const struct bpfhost_object *obj, const char *name)
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

static void t_variables(void)
{
	struct bpfhost_object *obj = open_obj("object_globals");
	struct settings cfg = { .scale = 2, .offset = 1, .enabled = 1 };
	const struct bpfhost_btf_type *t;
	struct bpfhost_map *map = NULL;
	uint32_t limit = 20, type_id = 0, zero = 0;
	uint8_t got[64];
	const uint32_t *ro;
	const void *init;
	size_t size = 0;

	if (!obj)
		return;
	ro = bpfhost_object__find_variable(obj, "ro_limit", &size, &map, &type_id);
	ASSERT_TRUE(ro != NULL && *ro == 1000, "ro_limit reads its initial 1000");
	ASSERT_EQ(size, 4, "ro_limit is 4 bytes");
	ASSERT_TRUE(map == bpfhost_object__find_map_by_name(obj, ".rodata"), "in the .rodata map");
	t = bpfhost_btf__type_by_id(bpfhost_object__btf(obj), (uint32_t)bpfhost_btf__resolve_type(bpfhost_object__btf(obj), type_id));
	ASSERT_TRUE(t && t->kind == BPFHOST_BTF_KIND_INT && t->size == 4, "its BTF type: a 4-byte int behind const volatile");
	ASSERT_TRUE(bpfhost_object__find_variable(obj, "bss_last", &size, &map, NULL) != NULL, "bss_last");
	ASSERT_TRUE(size == 8 && map && bpfhost_map__is_internal(map), ".bss variable of 8 bytes");
	ASSERT_TRUE(bpfhost_object__find_variable(obj, "nope", NULL, NULL, NULL) == NULL, "unknown variable");
	ASSERT_EQ(errno, ENOENT, "ENOENT");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "no global variable 'nope'", "message names it");
	ASSERT_EQ(bpfhost_object__set_variable(obj, "ro_limit", &limit, 2), -EINVAL, "wrong size");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "variable 'ro_limit' is 4 bytes, not 2", "message");

	/* read_globals: data_counter * scale + offset, -1 above ro_limit. */
	ASSERT_OK(bpfhost_object__set_variable(obj, "cfg", &cfg, sizeof(cfg)), "set cfg");
	ASSERT_OK(bpfhost_object__set_variable(obj, "ro_limit", &limit, sizeof(limit)), "set ro_limit");
	ASSERT_OK(bpfhost_object__set_variable(obj, "data_counter", &(int){ 9 }, sizeof(int)), "set data_counter");
	ASSERT_EQ(*(const uint32_t *)bpfhost_object__find_variable(obj, "ro_limit", NULL, NULL, NULL), 20,
		  "reads back");
	ASSERT_OK(bpfhost_object__load(obj), "load");
	ASSERT_EQ(run(obj, "read_globals"), 9 * 2 + 1, "the program sees cfg and data_counter (19 <= 20)");
	ASSERT_EQ(run(obj, "write_globals"), 7 * 2 + 1, "mix() uses the new scale");
	map = bpfhost_object__find_map_by_name(obj, ".rodata");
	init = bpfhost_map__initial_value(map, &size);
	ASSERT_TRUE(init && size <= sizeof(got), ".rodata's initial value");
	ASSERT_OK(bpfhost_map_lookup_elem(bpfhost_map__fd(map), &zero, got), ".rodata from user space");
	ASSERT_TRUE(init && !memcmp(got, init, size), "the live map holds what was set");
	ASSERT_EQ(bpfhost_map_update_elem(bpfhost_map__fd(map), &zero, got, BPF_ANY), -EPERM,
		  ".rodata is frozen after load");
	ASSERT_EQ(bpfhost_object__set_variable(obj, "ro_limit", &limit, sizeof(limit)), -EBUSY,
		  "after load: -EBUSY");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "variable 'ro_limit': only before load", "message");
	bpfhost_object__close(obj);
}

static void t_resize_data_array(void)
{
	struct bpfhost_object *obj = open_obj("object_config");
	const struct bpfhost_btf_type *ds, *arr;
	struct bpfhost_btf *btf;
	struct bpfhost_map *m, *pair;
	const uint32_t *init;
	uint32_t vals[8] = { 0 }, zero = 0, arr_id;
	size_t size = 0;

	if (!obj)
		return;
	btf = bpfhost_object__btf(obj);
	m = bpfhost_object__find_map_by_name(obj, ".data.values");
	pair = bpfhost_object__find_map_by_name(obj, ".data.pair");
	ASSERT_TRUE(m && pair, "maps of .data.values and .data.pair");
	if (!m || !pair)
		goto out;
	ASSERT_EQ(bpfhost_map__value_size(m), 16, "4 u32s");
	ASSERT_OK(bpfhost_map__set_value_size(m, 32), "8 u32s");
	ASSERT_EQ(bpfhost_map__value_size(m), 32, "value size read back");
	ds = bpfhost_btf__type_by_id(btf, bpfhost_map__btf_value_type_id(m));
	ASSERT_TRUE(ds && ds->kind == BPFHOST_BTF_KIND_DATASEC && ds->size == 32, "DATASEC follows");
	if (ds && ds->vlen == 1) {
		ASSERT_EQ(ds->secinfos[0].size, 32, "the variable's size follows");
		arr_id = (uint32_t)bpfhost_btf__resolve_type(btf, bpfhost_btf__type_by_id(btf, ds->secinfos[0].type)->type);
		arr = bpfhost_btf__type_by_id(btf, arr_id);
		ASSERT_TRUE(arr && arr->kind == BPFHOST_BTF_KIND_ARRAY && arr->nelems == 8, "values[8] now");
	}
	init = bpfhost_object__find_variable(obj, "values", &size, NULL, NULL);
	ASSERT_TRUE(init && size == 32, "the variable is 32 bytes");
	if (init)
		ASSERT_TRUE(init[0] == 10 && init[3] == 40 && init[4] == 0 && init[7] == 0,
			    "old elements kept, new ones zero");
	vals[0] = 1;
	vals[3] = 2;
	vals[7] = 7;
	ASSERT_OK(bpfhost_object__set_variable(obj, "values", vals, sizeof(vals)), "set all 8");
	ASSERT_EQ(bpfhost_map__set_value_size(pair, 2), -EINVAL, "would cut pair_a");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "only the last variable, an array, can change length", "message");
	ASSERT_OK(bpfhost_map__set_value_size(pair, 12), "pair_b is no array: allowed, BTF dropped");
	ASSERT_EQ(bpfhost_map__btf_value_type_id(pair), 0, "BTF value type cleared, as libbpf");
	ASSERT_TRUE(bpfhost_object__find_variable(obj, "pair_b", NULL, NULL, NULL) == NULL,
		    "its variables are no longer known by name");
	ASSERT_OK(bpfhost_object__load(obj), "load");
	{
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		uint32_t live[8];

		memset(&info, 0, sizeof(info));
		ASSERT_OK(bpfhost_map_get_info_by_fd(bpfhost_map__fd(m), &info, &len), "info");
		ASSERT_EQ(info.value_size, 32, "created with 32-byte values");
		ASSERT_OK(bpfhost_map_lookup_elem(bpfhost_map__fd(m), &zero, live), "lookup");
		ASSERT_TRUE(live[0] == 1 && live[3] == 2 && live[7] == 7, "initialised with what was set");
	}
	ASSERT_EQ(run(obj, "sum_values"), 1 + 2 + 4 + 1 + 2, "the program reads the resized map");
	ASSERT_EQ(bpfhost_map__set_value_size(m, 64), -EBUSY, "after load: -EBUSY");
out:
	bpfhost_object__close(obj);
}

static void t_resize_refusals(void)
{
	struct bpfhost_object *obj = open_obj("object_config");
	struct bpfhost_map *m;

	if (!obj)
		return;
	m = bpfhost_object__find_map_by_name(obj, ".data.values");
	ASSERT_EQ(bpfhost_map__set_value_size(m, 0), -EINVAL, "0 bytes");
	ASSERT_EQ(bpfhost_map__set_value_size(m, BPFHOST_MAP_MAX_VALUE_SIZE + 4), -E2BIG, "too large");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "BPFHOST_MAP_MAX_VALUE_SIZE", "message names the limit");
	ASSERT_EQ(bpfhost_map__value_size(m), 16, "unchanged");
	/* A size the array cannot describe keeps the bytes but drops the BTF. */
	ASSERT_OK(bpfhost_map__set_value_size(m, 18), "18 bytes: allowed without BTF");
	ASSERT_EQ(bpfhost_map__btf_value_type_id(m), 0, "BTF value type cleared");
	bpfhost_object__close(obj);
}

/*
 * A shrunk data section the program still reads past: refused at load (by
 * the verifier) or faulted at run time, never a read past the value.
 */
static void t_resize_shrink_is_checked(void)
{
	struct bpfhost_object *obj = open_obj("object_config");
	const struct bpfhost_program *p;
	uint8_t pkt[64] = { [12] = 0x08 };
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));
	int err;

	if (!obj)
		return;
	ASSERT_OK(bpfhost_map__set_value_size(bpfhost_object__find_map_by_name(obj, ".data.values"), 8),
		  "values[2]: sum_values still reads values[3]");
	err = bpfhost_object__load(obj);
	if (!err) {
		p = bpfhost_object__find_program_by_name(obj, "sum_values");
		ASSERT_EQ(bpfhost_prog_test_run_opts(bpfhost_program__fd(p), &o), -EFAULT,
			  "the read past the 8-byte value faults");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "invalid read of 4 bytes", "message");
	} else {
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "sum_values", "or the load is refused, naming the program");
	}
	bpfhost_object__close(obj);
}

static void t_inner_map_fd(void)
{
	int before = bpfhost_handle_count();
	struct bpfhost_object *obj = open_obj("object_tailcall");
	struct bpfhost_map *outer, *jmp;
	int inner, bad;

	if (!obj)
		return;
	outer = bpfhost_object__find_map_by_name(obj, "outer");
	jmp = bpfhost_object__find_map_by_name(obj, "jmp_table");
	inner = bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "mine", 4, 4, 1, NULL);
	ASSERT_GE(inner, 1, "caller's inner map");
	bad = bpfhost_map_create(BPF_MAP_TYPE_HASH, "bad", 8, 8, 4, NULL);
	ASSERT_EQ(bpfhost_map__set_inner_map_fd(jmp, inner), -EINVAL, "a prog array has no inner map");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "map 'jmp_table': an inner map is for array or hash of maps",
			    "message");
	ASSERT_EQ(bpfhost_map__set_inner_map_fd(outer, 9999), -EBADF, "not a handle");
	ASSERT_TRUE(bpfhost_map__inner_map(outer) != NULL, "the template stays after a refusal");
	ASSERT_OK(bpfhost_map__set_inner_map_fd(outer, inner), "set");
	ASSERT_TRUE(bpfhost_map__inner_map(outer) == NULL, "the declared template is dropped");
	ASSERT_OK(bpfhost_object__load(obj), "load: slots of inner_a/inner_b fit the caller's shape");
	ASSERT_EQ(bpfhost_map__set_inner_map_fd(outer, inner), -EBUSY, "after load");
	/* An outer map shaped by a hash refuses the object's array inner maps. */
	bpfhost_object__close(obj);
	obj = open_obj("object_tailcall");
	if (obj) {
		ASSERT_OK(bpfhost_map__set_inner_map_fd(bpfhost_object__find_map_by_name(obj, "outer"), bad),
			  "set a hash");
		ASSERT_TRUE(bpfhost_object__load(obj) < 0, "the declared slots do not match a hash inner map");
		bpfhost_object__close(obj);
	}
	ASSERT_OK(bpfhost_close(inner), "the caller's inner map is still the caller's to close");
	ASSERT_OK(bpfhost_close(bad), "close");
	ASSERT_EQ(bpfhost_handle_count(), before, "no handle left");
}

static void t_setters_after_load(void)
{
	struct bpfhost_object *obj = open_obj("object_globals");
	struct bpfhost_program *p;
	struct bpfhost_map *m;
	size_t size = 0;
	const void *init;

	if (!obj)
		return;
	p = bpfhost_object__find_program_by_name(obj, "plain");
	m = bpfhost_object__find_map_by_name(obj, ".bss");
	ASSERT_OK(bpfhost_program__set_autoload(p, false), "autoload off before load");
	ASSERT_OK(bpfhost_object__load(obj), "load");
	ASSERT_EQ(bpfhost_program__fd(p), -ENOENT, "not loaded");
	ASSERT_EQ(bpfhost_program__set_type(p, BPF_PROG_TYPE_SOCKET_FILTER), -EBUSY, "set_type");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "program 'plain': set_type only before load", "message");
	ASSERT_EQ(bpfhost_program__set_expected_attach_type(p, 0), -EBUSY, "set_expected_attach_type");
	ASSERT_EQ(bpfhost_program__set_autoload(p, true), -EBUSY, "set_autoload");
	ASSERT_EQ(bpfhost_map__set_max_entries(m, 2), -EBUSY, "set_max_entries");
	ASSERT_EQ(bpfhost_map__set_map_flags(m, 0), -EBUSY, "set_map_flags");
	ASSERT_EQ(bpfhost_map__set_pin_path(m, "/x"), -EBUSY, "set_pin_path");
	init = bpfhost_map__initial_value(m, &size);
	ASSERT_EQ(bpfhost_map__set_initial_value(m, init, size), -EBUSY, "set_initial_value");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "set_initial_value only before load", "message");
	bpfhost_object__close(obj);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_variables),
		TEST(t_resize_data_array),
		TEST(t_resize_refusals),
		TEST(t_resize_shrink_is_checked),
		TEST(t_inner_map_fd),
		TEST(t_setters_after_load),
	};

	if (!bpf_objects_available()) {
		printf(BPF_OBJECTS_SKIP_MESSAGE);
		return 0;
	}
	return test_run("object_config", cases, ARRAY_SIZE(cases));
}
