// SPDX-License-Identifier: MIT
/*
 * Custom maps: each provider callback is called with the arguments and flags
 * of the contract's matrix for user-mode operations, on both base types; the
 * update undo path; MAP_CLEANUP on deletion; errors propagate unchanged.
 */
#include "provider_fixture.h"

#include "bpfhost/extension.h"
#include "ext/custom_map.h"
#include "maps/map.h"

static int mod;

static void load_one(uint32_t base, int uov, uint32_t callbacks)
{
	tp_config_one(TP_TYPE, base, uov, callbacks);
	mod = tp_load();
	ASSERT_GE(mod, 1, "load test provider");
	tp_clear();
}

static void unload(void)
{
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	ASSERT_EQ(tp()->live_objects, 0, "no provider object leaked");
}

static void hash_uov_flag_matrix(void)
{
	uint32_t k = 7;
	uint64_t v = 0x1111, out = 0;
	const struct tp_call *c;
	int fd;

	load_one(BPFHOST_BASE_MAP_TYPE_HASH, 1, TP_ALL_POST);
	fd = bpfhost_map_create(TP_TYPE, "objmap", 4, 8, 2, NULL);
	ASSERT_GE(fd, 1, "create");
	c = tp_nth(TP_CREATE, 0);
	ASSERT_TRUE(c != NULL, "create called");
	ASSERT_EQ(c ? c->in_value_size : 0, 8, "create saw value_size");

	tp_clear();
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "insert");
	c = tp_nth(TP_UPDATE, 0);
	ASSERT_TRUE(c != NULL, "update callback");
	if (c) {
		ASSERT_EQ(c->flags, 0, "user update: flags 0");
		ASSERT_EQ(c->key, 7, "update key");
		ASSERT_EQ(c->key_size, 4, "update key_size");
		ASSERT_EQ(c->in_value, 0x1111, "update in_value is the caller's");
		ASSERT_EQ(c->in_value_size, 8, "update in size = value_size");
		ASSERT_EQ(c->out_value_size, sizeof(void *), "update out size = actual_value_size");
		ASSERT_EQ(c->out_value_null, 0, "update out buffer given");
	}
	ASSERT_EQ(tp_count(TP_POST_DELETE, -1), 0, "new key: no delete notification");

	tp_clear();
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup");
	ASSERT_EQ(out, 0x1111, "lookup returns what find wrote");
	c = tp_nth(TP_FIND, 0);
	ASSERT_TRUE(c && c->flags == 0 && c->in_value_size == sizeof(void *) && c->out_value_size == 8,
		    "find: flags 0, stored size in, value_size out");

	tp_clear();
	v = 0x2222;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_EXIST), "replace");
	ASSERT_EQ(tp_count(TP_UPDATE, 0), 1, "replace: update 0");
	ASSERT_EQ(tp_count(TP_POST_DELETE, BPFHOST_MAP_OPERATION_UPDATE), 1, "replace: old value gets UPDATE");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup after replace");
	ASSERT_EQ(out, 0x2222, "replaced value");
	ASSERT_EQ(tp()->live_objects, 1, "one object after replace");

	/* Undo: NOEXIST on an existing key, after the provider prepared a value. */
	tp_clear();
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), -EEXIST, "NOEXIST on existing");
	ASSERT_EQ(tp_count(TP_UPDATE, 0), 1, "undo: update was called");
	ASSERT_EQ(tp_count(TP_POST_DELETE, BPFHOST_MAP_OPERATION_UPDATE), 1, "undo: new value released");
	ASSERT_EQ(tp()->live_objects, 1, "undo leaked nothing");
	k = 8;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_EXIST), -ENOENT, "EXIST on missing");
	ASSERT_EQ(tp()->live_objects, 1, "EXIST undo leaked nothing");
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "second key");
	k = 9;
	tp_clear();
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), -E2BIG, "full");
	ASSERT_EQ(tp_count(TP_POST_DELETE, BPFHOST_MAP_OPERATION_UPDATE), 1, "full: undo");
	ASSERT_EQ(tp()->live_objects, 2, "full: nothing leaked");

	/* Missing keys never reach the provider and say -ENOENT everywhere. */
	tp_clear();
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &out), -ENOENT, "lookup missing");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -ENOENT, "delete missing");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &k, &out), -ENOENT, "lookup_and_delete missing");
	ASSERT_EQ(atomic_load(&tp()->ncalls), 0, "no callback for a missing key");

	tp_clear();
	k = 8;
	ASSERT_OK(bpfhost_map_lookup_and_delete_elem(fd, &k, &out), "lookup_and_delete");
	ASSERT_EQ(out, 0x2222, "lookup_and_delete value");
	ASSERT_EQ(tp_count(TP_FIND, 0), 1, "lookup_and_delete: find 0");
	ASSERT_EQ(tp_count(TP_POST_DELETE, 0), 1, "lookup_and_delete: delete 0");

	tp_clear();
	k = 7;
	ASSERT_OK(bpfhost_map_delete_elem(fd, &k), "delete");
	ASSERT_EQ(tp_count(TP_POST_DELETE, 0), 1, "user delete: flags 0");
	ASSERT_EQ(tp()->live_objects, 0, "delete freed the object");

	/* Cleanup on the last close: MAP_CLEANUP per entry, then map delete. */
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "refill");
	tp_clear();
	ASSERT_OK(bpfhost_close(fd), "close");
	ASSERT_EQ(tp_count(TP_POST_DELETE, BPFHOST_MAP_OPERATION_MAP_CLEANUP), 1, "MAP_CLEANUP per entry");
	ASSERT_EQ(tp_count(TP_MAP_DELETE, -1), 1, "postprocess_map_delete once");
	unload();
}

static void hash_plain_values(void)
{
	uint32_t k = 1, next;
	uint64_t v = 42, out = 0;
	const struct tp_call *c;
	int fd;

	load_one(BPFHOST_BASE_MAP_TYPE_HASH, 0, TP_ALL_POST);
	fd = bpfhost_map_create(TP_TYPE, "plain", 4, 8, 16, NULL);
	ASSERT_GE(fd, 1, "create");
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "update");
	c = tp_nth(TP_UPDATE, 0);
	ASSERT_TRUE(c && c->out_value_null && c->out_value_size == 0, "no out buffer without uov");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup");
	ASSERT_EQ(out, 42, "the core stored the caller's bytes");
	c = tp_nth(TP_FIND, 0);
	ASSERT_TRUE(c && c->out_value_null && c->in_value == 42, "find sees stored bytes, no out");
	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &next), "next key");
	ASSERT_EQ(next, 1, "next key value");
	ASSERT_EQ(bpfhost_map_get_next_key(fd, &next, &next), -ENOENT, "end of keys");
	bpfhost_close(fd);
	unload();
}

static void pre_delete_veto(void)
{
	uint32_t k = 3;
	uint64_t v = 5, out = 0;
	int fd;

	load_one(BPFHOST_BASE_MAP_TYPE_HASH, 1, TP_ALL_PRE);
	fd = bpfhost_map_create(TP_TYPE, "veto", 4, 8, 4, NULL);
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "insert");
	tp()->config.pre_delete_error = -EACCES;
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -EACCES, "provider vetoes a plain delete");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "preprocess_map_delete_element", "message names the callback");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "veto", "message names the map");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "entry still there");
	ASSERT_EQ(out, 5, "value intact");
	/* A replace cannot be vetoed: the displaced value still goes. */
	tp_clear();
	v = 6;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "replace despite veto setting");
	ASSERT_EQ(tp_count(TP_PRE_DELETE, BPFHOST_MAP_OPERATION_UPDATE), 1, "pre delete with UPDATE");
	tp()->config.pre_delete_error = 0;
	ASSERT_OK(bpfhost_map_delete_elem(fd, &k), "delete allowed");
	ASSERT_EQ(tp()->live_objects, 0, "object freed");
	bpfhost_close(fd);
	unload();
}

static void errors_propagate(void)
{
	uint32_t k = 1;
	uint64_t v = 1, out;
	int fd;

	load_one(BPFHOST_BASE_MAP_TYPE_HASH, 1, TP_ALL_POST);
	tp()->config.create_error = -ENOSPC;
	ASSERT_EQ(bpfhost_map_create(TP_TYPE, "nospace", 4, 8, 4, NULL), -ENOSPC,
		  "create error unchanged (the peer flattens it)");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "preprocess_map_create", "create message names callback");
	tp()->config.create_error = 0;
	tp()->config.create_null_context = 1;
	ASSERT_EQ(bpfhost_map_create(TP_TYPE, "nullctx", 4, 8, 4, NULL), -EINVAL, "NULL map context refused");
	tp()->config.create_null_context = 0;
	fd = bpfhost_map_create(TP_TYPE, "errs", 4, 8, 4, NULL);
	ASSERT_GE(fd, 1, "create");
	tp()->config.update_error = -ERANGE;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), -ERANGE, "update error unchanged");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &out), -ENOENT, "nothing stored");
	tp()->config.update_error = 0;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "update");
	tp()->config.find_error = -EIO;
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &out), -EIO, "find error unchanged");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &k, &out), -EIO, "lookup_and_delete stops at find");
	tp()->config.find_error = 0;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "entry survived");
	/* The core's own checks come before the provider (the peer skips them). */
	tp_clear();
	ASSERT_EQ(bpfhost_map_create(TP_TYPE, "zero", 0, 8, 4, NULL), -EINVAL, "key_size 0");
	ASSERT_EQ(bpfhost_map_create(TP_TYPE, "zero", 4, 0, 4, NULL), -EINVAL, "value_size 0");
	ASSERT_EQ(bpfhost_map_create(TP_TYPE, "zero", 4, 8, 0, NULL), -EINVAL, "max_entries 0");
	ASSERT_EQ(tp_count(TP_CREATE, -1), 0, "provider not asked about bad sizes");
	/* actual_value_size must equal value_size without updates_original_value. */
	bpfhost_close(fd);
	unload();
	load_one(BPFHOST_BASE_MAP_TYPE_HASH, 0, TP_ALL_POST);
	tp()->config.create_actual_value_size = 16;
	ASSERT_EQ(bpfhost_map_create(TP_TYPE, "mismatch", 4, 8, 4, NULL), -EINVAL, "actual != value_size");
	ASSERT_EQ(tp_count(TP_MAP_DELETE, -1), 1, "refused create gives the context back");
	unload();
}

static void array_base(void)
{
	uint32_t k = 1;
	uint64_t v = 9, out = 1;
	int fd;

	load_one(BPFHOST_BASE_MAP_TYPE_ARRAY, 1, TP_ALL_POST);
	ASSERT_EQ(bpfhost_map_create(TP_TYPE, "arr", 8, 8, 4, NULL), -EINVAL, "array base needs key_size 4");
	fd = bpfhost_map_create(TP_TYPE, "arr", 4, 8, 4, NULL);
	ASSERT_GE(fd, 1, "create");
	tp_clear();
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "update");
	ASSERT_EQ(tp_count(TP_UPDATE, 0), 1, "update callback");
	ASSERT_EQ(tp_count(TP_POST_DELETE, BPFHOST_MAP_OPERATION_UPDATE), 1, "zero value displaced");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup");
	ASSERT_EQ(out, 9, "value through find");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), -EEXIST, "array NOEXIST");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -EINVAL, "array delete refused");
	k = 4;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), -E2BIG, "index out of range");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &out), -ENOENT, "lookup out of range");
	k = 0;
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &out), -ENOENT, "never-set uov slot: provider says ENOENT");
	tp_clear();
	ASSERT_OK(bpfhost_close(fd), "close");
	ASSERT_EQ(tp_count(TP_POST_DELETE, BPFHOST_MAP_OPERATION_MAP_CLEANUP), 4,
		  "MAP_CLEANUP for every element");
	ASSERT_EQ(tp()->live_objects, 0, "objects freed");
	unload();

	/* Plain values on an array base: zero-filled slots that always exist. */
	load_one(BPFHOST_BASE_MAP_TYPE_ARRAY, 0, TP_ALL_POST);
	fd = bpfhost_map_create(TP_TYPE, "arr2", 4, 8, 4, NULL);
	k = 2;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "zero slot exists");
	ASSERT_EQ(out, 0, "zero filled");
	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &k), "first index");
	ASSERT_EQ(k, 0, "first index 0");
	bpfhost_close(fd);
	unload();
}

static void batches(void)
{
	uint32_t keys[8], out_keys[10], count, token;
	uint64_t values[8], out_values[10];
	int fd;

	load_one(BPFHOST_BASE_MAP_TYPE_HASH, 1, TP_ALL_POST);
	fd = bpfhost_map_create(TP_TYPE, "batch", 4, 8, 8, NULL);
	for (int i = 0; i < 8; i++) {
		keys[i] = (uint32_t)i + 100;
		values[i] = (uint64_t)i * 3;
	}
	count = 8;
	ASSERT_OK(bpfhost_map_update_batch(fd, keys, values, &count, NULL), "update batch");
	ASSERT_EQ(count, 8, "all updated");
	ASSERT_EQ(tp_count(TP_UPDATE, 0), 8, "update callback per element");
	count = 10;
	tp_clear();
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, NULL, &token, out_keys, out_values, &count, NULL), -ENOENT,
		  "lookup batch to the end (the peer refuses it)");
	ASSERT_EQ(count, 8, "lookup batch count");
	ASSERT_EQ(tp_count(TP_FIND, 0), 8, "find per element");
	for (int i = 0; i < 8; i++)
		ASSERT_EQ(out_values[i], (out_keys[i] - 100) * 3, "batch value through find");
	count = 4;
	ASSERT_OK(bpfhost_map_delete_batch(fd, keys, &count, NULL), "delete batch");
	ASSERT_EQ(tp()->live_objects, 4, "four objects left");
	count = 10;
	ASSERT_EQ(bpfhost_map_lookup_and_delete_batch(fd, NULL, &token, out_keys, out_values, &count, NULL),
		  -ENOENT, "lookup_and_delete batch");
	ASSERT_EQ(count, 4, "four returned");
	ASSERT_EQ(tp()->live_objects, 0, "all freed");
	count = 8;
	ASSERT_EQ(bpfhost_map_update_batch(fd, keys, values, &count,
					   &(struct bpfhost_map_batch_opts){ .sz = sizeof(struct bpfhost_map_batch_opts),
									     .elem_flags = BPF_NOEXIST }),
		  -EINVAL, "elem_flags NOEXIST refused, as Linux does");
	count = 6;
	ASSERT_OK(bpfhost_map_update_batch(fd, keys, values, &count, NULL), "refill six");
	/* Keys 106, 107 plus two new ones: the ninth entry does not fit. */
	keys[0] = 200;
	keys[1] = 201;
	keys[2] = 202;
	count = 3;
	tp_clear();
	ASSERT_EQ(bpfhost_map_update_batch(fd, keys, values, &count, NULL), -E2BIG,
		  "batch stops at the element that does not fit");
	ASSERT_EQ(count, 2, "two went in");
	ASSERT_EQ(tp_count(TP_POST_DELETE, BPFHOST_MAP_OPERATION_UPDATE), 1, "the third was undone");
	ASSERT_EQ(tp()->live_objects, 8, "undo left nothing behind");
	bpfhost_close(fd);
	unload();
}

/* White-box: what a program and an extension helper see of a custom map. */
static void program_side(void)
{
	uint32_t k = 5;
	uint64_t v = 77;
	struct bh_map *map;
	uint8_t *stored = NULL;
	const struct bpfhost_base_map_client_dispatch_table *client;
	int fd, plain;

	load_one(BPFHOST_BASE_MAP_TYPE_HASH, 0, TP_ALL_POST);
	fd = bpfhost_map_create(TP_TYPE, "prog", 4, 8, 4, NULL);
	plain = test_map(BPF_MAP_TYPE_HASH, "plainh", 4, 8, 4, 0);
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "update");
	client = tp()->client_table;
	ASSERT_EQ(tp()->map_context_offset, offsetof(struct bh_map, custom_map_context), "MAP_CONTEXT offset");

	epoch_enter();
	map = bh_map_from_obj(bh_handle_lookup(fd));
	ASSERT_TRUE(*MAP_CONTEXT(map, tp()->map_context_offset) != NULL, "custom map has a context");
	ASSERT_TRUE(*MAP_CONTEXT(bh_map_from_obj(bh_handle_lookup(plain)), tp()->map_context_offset) == NULL,
		    "built-in map: MAP_CONTEXT is NULL");
	tp_clear();
	{
		uint64_t *p = map->ops->lookup_elem(map, &k);

		ASSERT_TRUE(p && *p == 77, "helper lookup returns the stored value");
		ASSERT_EQ(tp_count(TP_FIND, BPFHOST_MAP_OPERATION_HELPER), 1, "helper lookup: find with HELPER");
		ASSERT_EQ(tp_nth(TP_FIND, 0) ? tp_nth(TP_FIND, 0)->key_size : 0, 4,
			  "helper lookup: real key size (the peer passes 0)");
		if (p)
			(*p)++;	/* programs may write in place */
	}
	ASSERT_OK(client->find_element(map, (const uint8_t *)&k, &stored), "client find_element");
	ASSERT_TRUE(stored && *(uint64_t *)stored == 78, "find_element points at storage");
	ASSERT_EQ(tp_count(TP_FIND, -1), 1, "find_element calls no provider callback");
	ASSERT_EQ(client->find_element(bh_map_from_obj(bh_handle_lookup(plain)), (const uint8_t *)&k, &stored),
		  -EINVAL, "find_element on a built-in map");
	k = 6;
	ASSERT_EQ(client->find_element(map, (const uint8_t *)&k, &stored), -ENOENT, "find_element missing");
	tp_clear();
	ASSERT_OK(map->ops->update_elem(map, &k, &v, BPF_ANY), "helper update");
	ASSERT_EQ(tp_count(TP_UPDATE, BPFHOST_MAP_OPERATION_HELPER), 1, "helper update: HELPER");
	ASSERT_OK(map->ops->delete_elem(map, &k), "helper delete");
	ASSERT_EQ(tp_count(TP_POST_DELETE, BPFHOST_MAP_OPERATION_HELPER), 1, "helper delete: HELPER");
	tp()->config.associate_error = -EOPNOTSUPP;
	ASSERT_EQ(bh_custom_map_associate_program_type(map, 99), -EOPNOTSUPP, "associate refusal propagates");
	tp()->config.associate_error = 0;
	ASSERT_OK(bh_custom_map_associate_program_type(map, 99), "associate accepted");
	epoch_exit();
	bpfhost_close(fd);
	bpfhost_close(plain);
	unload();

	/* updates_original_value: programs may not touch the map at all. */
	load_one(BPFHOST_BASE_MAP_TYPE_HASH, 1, TP_ALL_POST);
	fd = bpfhost_map_create(TP_TYPE, "uovprog", 4, 8, 4, NULL);
	k = 5;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "user update");
	epoch_enter();
	map = bh_map_from_obj(bh_handle_lookup(fd));
	tp_clear();
	ASSERT_TRUE(map->ops->lookup_elem(map, &k) == NULL, "helper lookup refused");
	ASSERT_EQ(map->ops->update_elem(map, &k, &v, BPF_ANY), -EOPNOTSUPP, "helper update refused");
	ASSERT_EQ(map->ops->delete_elem(map, &k), -EOPNOTSUPP, "helper delete refused");
	ASSERT_EQ(atomic_load(&tp()->ncalls), 0, "refused before the provider");
	ASSERT_OK(client->find_element(map, (const uint8_t *)&k, &stored), "extension helper path still works");
	epoch_exit();
	bpfhost_close(fd);
	unload();
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(hash_uov_flag_matrix), TEST(hash_plain_values), TEST(pre_delete_veto),
		TEST(errors_propagate), TEST(array_base), TEST(batches), TEST(program_side),
	};
	int rc = test_run("custom_map", cases, sizeof(cases) / sizeof(cases[0]));

	if (bpfhost_handle_count() != 0) {
		fprintf(stderr, "FAIL: %d handles leaked\n", bpfhost_handle_count());
		rc = 1;
	}
	return rc;
}
