// SPDX-License-Identifier: MIT
/*
 * Custom maps contract v2, from user space: update pre-processing of a v2
 * table gets the value stored for the key (NULL for a new hash key, the
 * zero-filled element of an array), an undone update reaches the delete
 * callback with UPDATE | UNDO while a displaced value keeps UPDATE alone,
 * v1 tables see exactly what they saw before, an update that loses a race
 * for its key (a writer stores it meanwhile) is undone and asked again with
 * the winner's value, and the core refuses v2
 * tables that contradict themselves.
 */
#include "provider_fixture.h"

#include "bpfhost/extension.h"

static int mod;

static void load_v2(uint32_t base, int uov, int v2, enum tp_combine combine)
{
	tp_config_one(TP_TYPE, base, uov, TP_ALL_POST);
	tp()->config.types[0].v2 = v2;
	tp()->config.types[0].combine = combine;
	mod = tp_load();
	ASSERT_GE(mod, 1, "load test provider");
	tp_clear();
}

static void unload(void)
{
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	ASSERT_EQ(tp()->live_objects, 0, "no provider object leaked");
}

static const struct tp_call *last_update(void)
{
	return tp_nth(TP_UPDATE, tp_count(TP_UPDATE, -1) - 1);
}

/* A uov max tracker on the hash base: the provider combines stored and new without shadow state. */
static void t_hash_stored_value_max(void)
{
	uint32_t k = 3;
	uint64_t v, out = 0;
	const struct tp_call *c;
	int fd;

	load_v2(BPFHOST_BASE_MAP_TYPE_HASH, 1, 1, TP_COMBINE_MAX);
	fd = bpfhost_map_create(TP_TYPE, "maxv2", 4, 8, 4, NULL);
	ASSERT_GE(fd, 1, "create");
	v = 10;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "insert 10");
	c = last_update();
	ASSERT_TRUE(c && c->stored_null && c->stored_size == 0, "new key: stored value NULL, size 0");
	v = 7;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "update 7");
	c = last_update();
	ASSERT_TRUE(c && !c->stored_null, "stored key: the stored value is given");
	ASSERT_EQ(c ? c->stored_size : 0, sizeof(void *), "of actual_value_size bytes");
	ASSERT_EQ(c ? c->stored_value : 0, 10, "the value stored now (the provider's object)");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup");
	ASSERT_EQ(out, 10, "7 < 10: the maximum stays");
	v = 42;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_EXIST), "update 42");
	ASSERT_EQ(last_update() ? last_update()->stored_value : 0, 10, "saw 10");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup");
	ASSERT_EQ(out, 42, "42 > 10");
	ASSERT_EQ(tp()->live_objects, 1, "one object: each displaced one was released");
	ASSERT_OK(bpfhost_map_delete_elem(fd, &k), "delete");
	v = 1;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "insert again");
	ASSERT_TRUE(last_update() && last_update()->stored_null, "after a delete: NULL again");
	bpfhost_close(fd);
	unload();
}

/* Without updates_original_value the stored value is the user's bytes. */
static void t_hash_stored_value_plain(void)
{
	uint32_t k = 5;
	uint64_t v = 0x1234;
	int fd;

	load_v2(BPFHOST_BASE_MAP_TYPE_HASH, 0, 1, TP_COMBINE_NONE);
	fd = bpfhost_map_create(TP_TYPE, "plainv2", 4, 8, 4, NULL);
	ASSERT_GE(fd, 1, "create");
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "insert");
	ASSERT_TRUE(last_update() && last_update()->stored_null, "new key: NULL");
	v = 0x5678;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "replace");
	ASSERT_TRUE(last_update() && !last_update()->stored_null && last_update()->stored_value == 0x1234 &&
		    last_update()->stored_size == 8, "the old user value, value_size bytes");
	ASSERT_TRUE(last_update() && last_update()->in_value == 0x5678, "and the new one as in_value");
	bpfhost_close(fd);
	unload();
}

/* An array element always has a value: zero-filled first, then the last stored one. */
static void t_array_stored_value(void)
{
	uint32_t k = 2;
	uint64_t v = 9, out = 0;
	int fd;

	load_v2(BPFHOST_BASE_MAP_TYPE_ARRAY, 1, 1, TP_COMBINE_SUM);
	fd = bpfhost_map_create(TP_TYPE, "sumarr", 4, 8, 4, NULL);
	ASSERT_GE(fd, 1, "create");
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "add 9");
	ASSERT_TRUE(last_update() && !last_update()->stored_null && last_update()->stored_value == 0,
		    "never written: the zero-filled element (no object)");
	v = 4;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_EXIST), "add 4");
	ASSERT_EQ(last_update() ? last_update()->stored_value : 0, 9, "saw 9");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup");
	ASSERT_EQ(out, 13, "9 + 4");
	bpfhost_close(fd);
	unload();
}

/* Undo and displacement, v2: UPDATE | UNDO for the undo, UPDATE alone for the displaced value. */
static void undo_flags(int v2)
{
	const uint32_t U = BPFHOST_MAP_OPERATION_UPDATE, UNDO = BPFHOST_MAP_OPERATION_UNDO;
	uint32_t k = 1, k2 = 2, k3 = 3;
	uint64_t v = 1;
	int fd;

	load_v2(BPFHOST_BASE_MAP_TYPE_HASH, 1, v2, TP_COMBINE_NONE);
	fd = bpfhost_map_create(TP_TYPE, "undo", 4, 8, 2, NULL);
	ASSERT_GE(fd, 1, "create");
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "insert");
	tp_clear();
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), -EEXIST, "NOEXIST on a stored key");
	ASSERT_EQ(tp_count(TP_POST_DELETE, (int)(U | UNDO)), v2 ? 1 : 0, "undo: UPDATE|UNDO for v2 only");
	ASSERT_EQ(tp_count(TP_POST_DELETE, (int)U), v2 ? 0 : 1, "undo: UPDATE alone for v1");
	tp_clear();
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k2, &v, BPF_EXIST), -ENOENT, "EXIST on a missing key");
	ASSERT_EQ(tp_count(TP_POST_DELETE, (int)(U | UNDO)), v2 ? 1 : 0, "EXIST undo");
	ASSERT_OK(bpfhost_map_update_elem(fd, &k2, &v, BPF_ANY), "fill");
	tp_clear();
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k3, &v, BPF_ANY), -E2BIG, "full map");
	ASSERT_EQ(tp_count(TP_POST_DELETE, (int)(U | UNDO)), v2 ? 1 : 0, "full-map undo");
	tp_clear();
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "replace");
	ASSERT_EQ(tp_count(TP_POST_DELETE, (int)U), 1, "displaced: UPDATE");
	ASSERT_EQ(tp_count(TP_POST_DELETE, (int)(U | UNDO)), 0, "displaced: never UNDO");
	ASSERT_EQ(tp()->live_objects, 2, "undone values were released");
	bpfhost_close(fd);
	unload();
}

static void t_undo_flag_v2(void)
{
	undo_flags(1);
}

/* A v2 table that keeps the v1 update callback still gets UNDO. */
static void t_undo_flag_v2_with_v1_update(void)
{
	undo_flags(2);
	ASSERT_TRUE(tp_nth(TP_UPDATE, 0) && tp_nth(TP_UPDATE, 0)->stored_size == 0, "v1 callback: no stored value");
}

/* A table built before v2 (header.size without the new field): exactly the v1 flags. */
static void t_undo_flag_v1_unchanged(void)
{
	undo_flags(0);
}

/* A writer that stores the key while the update callback runs: the race the core must catch. */
static int race_fd;
static int races_left;

static void racing_writer(void *arg, const uint8_t *key, const uint8_t *stored)
{
	uint64_t v = 100;

	(void)arg;
	(void)stored;
	if (races_left-- <= 0)
		return;
	/* No core lock is held around the callback: this nested update completes first. */
	ASSERT_OK(bpfhost_map_update_elem(race_fd, key, &v, BPF_ANY), "the racing update");
}

static void lost_race(uint32_t base)
{
	const uint32_t U = BPFHOST_MAP_OPERATION_UPDATE, UNDO = BPFHOST_MAP_OPERATION_UNDO;
	uint32_t k = 1;
	uint64_t v = 7, out = 0;

	load_v2(base, 1, 1, TP_COMBINE_SUM);
	race_fd = bpfhost_map_create(TP_TYPE, "race", 4, 8, 4, NULL);
	ASSERT_GE(race_fd, 1, "create");
	ASSERT_OK(bpfhost_map_update_elem(race_fd, &k, &v, BPF_ANY), "k = 7");
	tp_clear();
	races_left = 1;
	tp()->update_hook = racing_writer;
	v = 5;
	ASSERT_OK(bpfhost_map_update_elem(race_fd, &k, &v, BPF_ANY), "add 5 while another writer adds 100");
	tp()->update_hook = NULL;
	ASSERT_OK(bpfhost_map_lookup_elem(race_fd, &k, &out), "lookup");
	ASSERT_EQ(out, 112, "7 + 100 + 5: the lost race was redone, nothing lost");
	/* Calls: outer (saw 7), inner (saw 7, stored 107), outer again (saw 107). */
	ASSERT_EQ(tp_count(TP_UPDATE, 0), 3, "the losing update was asked again");
	ASSERT_EQ(tp_nth(TP_UPDATE, 2) ? tp_nth(TP_UPDATE, 2)->stored_value : 0, 107,
		  "the second time with the value the winner stored");
	ASSERT_EQ(tp_count(TP_POST_DELETE, (int)(U | UNDO)), 1, "the stale prepared value was undone");
	ASSERT_EQ(tp_count(TP_POST_DELETE, (int)U), 2, "two displaced values (7, then 107)");
	ASSERT_EQ(tp()->live_objects, 1, "one object left for the key");
	bpfhost_close(race_fd);
	unload();
}

static void t_lost_race_hash(void)
{
	lost_race(BPFHOST_BASE_MAP_TYPE_HASH);
}

static void t_lost_race_array(void)
{
	lost_race(BPFHOST_BASE_MAP_TYPE_ARRAY);
}

static void refused(int uov, int v2, int programs_read, uint32_t callbacks, const char *msg)
{
	int m;

	tp_config_one(TP_TYPE, BPFHOST_BASE_MAP_TYPE_HASH, uov, callbacks);
	tp()->config.types[0].v2 = v2;
	tp()->config.types[0].programs_read = programs_read;
	m = tp_load();
	ASSERT_EQ(m, -EINVAL, msg);
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "map type", "the message names the type");
	if (m > 0)
		bpfhost_extension_unload(m, 0);
}

static void t_bad_v2_tables(void)
{
	refused(0, 1, 1, TP_ALL_POST, "programs_read without updates_original_value");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "programs_read is for providers", "message");
	refused(1, 0, 1, TP_ALL_POST, "programs_read with a v1 table");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "needs a contract v2 dispatch table", "message");
	refused(1, 1, 0, TP_ALL_POST & ~TP_HAS(TP_UPDATE), "uov without any update callback");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "preprocess_map_update_element is NULL", "message");
	refused(0, 3, 0, TP_ALL_POST, "both update callbacks");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "not both", "message");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_hash_stored_value_max), TEST(t_hash_stored_value_plain), TEST(t_array_stored_value),
		TEST(t_undo_flag_v2), TEST(t_undo_flag_v2_with_v1_update), TEST(t_undo_flag_v1_unchanged),
		TEST(t_lost_race_hash), TEST(t_lost_race_array), TEST(t_bad_v2_tables),
	};

	return test_run("custom_map_v2", cases, sizeof(cases) / sizeof(cases[0]));
}
