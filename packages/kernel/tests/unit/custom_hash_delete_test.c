// SPDX-License-Identifier: MIT
/*
 * Custom hash maps: from the moment a delete asks the provider
 * (preprocess_map_delete_element, which may release the value at once with
 * epoch_free), no new lookup reaches the entry, on any path: user lookup,
 * a lookup from another thread (its own epoch), a program's lookup, the
 * extensions' find_element, get-next-key. A veto puts the entry back with
 * its value intact; writers of the key wait for the decision. The test
 * provider's delete hook looks at the map from inside the callback.
 */
#include "provider_fixture.h"

#include <pthread.h>
#include <time.h>

#include "bpfhost/extension.h"
#include "maps/map.h"

/* What the hook saw, from inside the delete callback. */
struct probe {
	int fd;
	struct bh_map *map;
	uint32_t key;			/* the key being deleted */
	int veto;			/* returned while deciding */
	int calls[2];			/* hook calls: deciding, released */
	int visible;			/* times the key was reachable: must stay 0 */
	int other_missing;		/* times the other key was not: must stay 0 */
	/* Writers started from inside the callback (writers_wait_for_the_decision). */
	int start_writer;
	uint64_t writer_flags, writer_value;
	pthread_t writer;
	int writer_early;		/* the writer finished before the decision */
	atomic_int writer_done, writer_ret;
};

static struct probe probe;
static int mod;
static const uint32_t other_key = 2;

static const struct bpfhost_base_map_client_dispatch_table *client(void)
{
	return tp()->client_table;
}

/* A lookup from a thread of its own: it enters its epoch after the callback started. */
static void *fresh_reader(void *arg)
{
	struct probe *p = arg;
	bpfhost_epoch_state_t st;
	uint64_t out;
	uint8_t *stored;
	intptr_t seen = 0;

	if (bpfhost_map_lookup_elem(p->fd, &p->key, &out) != -ENOENT)
		seen++;
	client()->epoch_enter(st);
	if (client()->find_element(p->map, (const uint8_t *)&p->key, &stored) != -ENOENT)
		seen++;
	client()->epoch_exit(st);
	return (void *)seen;
}

static void *writer(void *arg)
{
	struct probe *p = arg;

	atomic_store(&p->writer_ret, bpfhost_map_update_elem(p->fd, &p->key, &p->writer_value,
							     p->writer_flags));
	atomic_store(&p->writer_done, 1);
	return NULL;
}

/* Every way of reaching p->key; counts those that still did. */
static void look(struct probe *p)
{
	uint64_t out;
	uint8_t *stored;
	uint32_t cur, next;
	int finds = (int)atomic_load(&tp()->counts[TP_FIND]), steps = 0, saw_other = 0;
	pthread_t t;
	void *seen = NULL;

	if (bpfhost_map_lookup_elem(p->fd, &p->key, &out) != -ENOENT)
		p->visible++;
	if (client()->find_element(p->map, (const uint8_t *)&p->key, &stored) != -ENOENT)
		p->visible++;
	if (!tp()->config.types[0].updates_original_value && p->map->ops->lookup_elem(p->map, &p->key))
		p->visible++;	/* a program's lookup */
	if (atomic_load(&tp()->counts[TP_FIND]) != finds)
		p->visible++;	/* find post-processing was handed the value */
	if (pthread_create(&t, NULL, fresh_reader, p) == 0) {
		pthread_join(t, &seen);
		p->visible += (int)(intptr_t)seen;
	} else {
		p->visible++;
	}
	for (int err = bpfhost_map_get_next_key(p->fd, NULL, &next); !err && steps < 16;
	     err = bpfhost_map_get_next_key(p->fd, &cur, &next), steps++) {
		if (next == p->key)
			p->visible++;
		saw_other |= next == other_key;
		cur = next;
	}
	/* The claimed key still marks a position: the walk goes on from it. */
	if (bpfhost_map_get_next_key(p->fd, &p->key, &next) == 0 && next == p->key)
		p->visible++;
	if (!saw_other || bpfhost_map_lookup_elem(p->fd, &other_key, &out) != 0)
		p->other_missing++;
}

static int hook(void *arg, int released, const uint8_t *key, const uint8_t *value, uint32_t flags)
{
	struct probe *p = arg;
	uint32_t k;

	(void)value;
	memcpy(&k, key, sizeof(k));
	if (k != p->key || (flags & (BPFHOST_MAP_OPERATION_UPDATE | BPFHOST_MAP_OPERATION_MAP_CLEANUP)))
		return 0;
	p->calls[released]++;
	look(p);
	if (released)
		return 0;
	if (p->start_writer) {
		struct timespec pause = { 0, 30 * 1000 * 1000 };

		p->start_writer = 0;
		pthread_create(&p->writer, NULL, writer, p);
		nanosleep(&pause, NULL);
		p->writer_early = atomic_load(&p->writer_done);
	}
	return p->veto;
}

/* Loads the provider, creates a map holding keys 1 and 2 (full at 2), arms the hook on key 1. */
static int setup(uint32_t callbacks, int uov)
{
	uint32_t k;
	uint64_t v;
	int fd;

	tp_config_one(TP_TYPE, BPFHOST_BASE_MAP_TYPE_HASH, uov, callbacks);
	tp()->delete_hook = NULL;
	mod = tp_load();
	ASSERT_GE(mod, 1, "load test provider");
	fd = bpfhost_map_create(TP_TYPE, "chash_del", 4, 8, 2, NULL);
	ASSERT_GE(fd, 1, "create");
	for (k = 1; k <= 2; k++) {
		v = 0x100 * k;
		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "insert");
	}
	memset(&probe, 0, sizeof(probe));
	probe.fd = fd;
	probe.key = 1;
	epoch_enter();
	probe.map = bh_map_from_obj(bh_handle_lookup(fd));
	epoch_exit();
	tp()->delete_hook = hook;
	tp()->delete_hook_arg = &probe;
	tp_clear();
	return fd;
}

static void teardown(int fd)
{
	tp()->delete_hook = NULL;
	ASSERT_OK(bpfhost_close(fd), "close");
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	ASSERT_EQ(tp()->live_objects, 0, "no provider object leaked");
}

static void expect_hidden(int deciding, int released)
{
	ASSERT_EQ(probe.calls[0], deciding, "hook ran while the provider decided");
	ASSERT_EQ(probe.calls[1], released, "hook ran after the value was released");
	ASSERT_EQ(probe.visible, 0, "no lookup path reached the entry once the delete asked the provider");
	ASSERT_EQ(probe.other_missing, 0, "the other key stayed visible");
}

static void expect_gone(int fd)
{
	uint64_t out;
	uint32_t k = 1, next;

	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &out), -ENOENT, "deleted");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &other_key, &out), "other key");
	ASSERT_EQ(out, 0x200, "other value");
	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &next), "first key");
	ASSERT_EQ(next, other_key, "only the other key is left");
}

/* The entry is back, with the very value it had (same stored bytes, same object). */
static void expect_restored(int fd, const uint8_t *stored_before)
{
	uint64_t out = 0;
	uint32_t k = 1, cur, next;
	uint8_t *stored = NULL;
	int n = 0;

	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "visible again after the veto");
	ASSERT_EQ(out, 0x100, "value intact");
	epoch_enter();
	ASSERT_OK(client()->find_element(probe.map, (const uint8_t *)&k, &stored), "find_element again");
	ASSERT_TRUE(stored && !memcmp(stored, stored_before, sizeof(uint64_t)), "same stored bytes");
	epoch_exit();
	for (int err = bpfhost_map_get_next_key(fd, NULL, &next); !err && n < 8;
	     err = bpfhost_map_get_next_key(fd, &cur, &next)) {
		cur = next;
		n++;
	}
	ASSERT_EQ(n, 2, "next-key walk sees both keys again");
}

static void stored_bytes(uint8_t out[8])
{
	uint8_t *stored = NULL;

	epoch_enter();
	ASSERT_OK(client()->find_element(probe.map, (const uint8_t *)&probe.key, &stored), "find_element");
	if (stored)
		memcpy(out, stored, 8);
	epoch_exit();
}

/* The peer's sample: pre-processing frees the value's object with epoch_free. */
static void pre_delete_hides_entry(void)
{
	for (int uov = 1; uov >= 0; uov--) {
		int fd = setup(TP_ALL_PRE, uov);

		ASSERT_OK(bpfhost_map_delete_elem(fd, &probe.key), "delete");
		expect_hidden(1, 1);
		expect_gone(fd);
		ASSERT_EQ(tp()->live_objects, uov ? 1 : 0, "the object was released");
		teardown(fd);
	}
}

static void pre_delete_veto_restores_entry(void)
{
	uint8_t before[8];
	int fd = setup(TP_ALL_PRE, 1);

	stored_bytes(before);
	probe.veto = -EPERM;
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &probe.key), -EPERM, "vetoed");
	expect_hidden(1, 0);
	expect_restored(fd, before);
	ASSERT_EQ(tp()->live_objects, 2, "nothing released");
	/* Lookup-and-delete vetoed the same way. */
	memset(probe.calls, 0, sizeof(probe.calls));
	{
		uint64_t out = 0;

		ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &probe.key, &out), -EPERM,
			  "lookup_and_delete vetoed");
	}
	expect_hidden(1, 0);
	expect_restored(fd, before);
	/* And once the provider agrees, it goes. */
	probe.veto = 0;
	memset(probe.calls, 0, sizeof(probe.calls));
	ASSERT_OK(bpfhost_map_delete_elem(fd, &probe.key), "delete after the veto");
	expect_hidden(1, 1);
	expect_gone(fd);
	teardown(fd);
}

static void lookup_and_delete_hides_entry(void)
{
	for (int pre = 1; pre >= 0; pre--) {
		int fd = setup(pre ? TP_ALL_PRE : TP_ALL_POST, 1);
		uint64_t out = 0;

		ASSERT_OK(bpfhost_map_lookup_and_delete_elem(fd, &probe.key, &out), "lookup_and_delete");
		ASSERT_EQ(out, 0x100, "the value it removed");
		expect_hidden(pre, 1);
		expect_gone(fd);
		teardown(fd);
	}
}

static void post_delete_hides_entry(void)
{
	int fd = setup(TP_ALL_POST, 1);

	ASSERT_OK(bpfhost_map_delete_elem(fd, &probe.key), "delete");
	expect_hidden(0, 1);
	expect_gone(fd);
	teardown(fd);
}

static void batch_delete_hides_entry(void)
{
	for (int pre = 1; pre >= 0; pre--) {
		int fd = setup(pre ? TP_ALL_PRE : TP_ALL_POST, 1);
		uint32_t keys[1] = { 1 }, count = 1;

		ASSERT_OK(bpfhost_map_delete_batch(fd, keys, &count, NULL), "delete batch");
		ASSERT_EQ(count, 1, "one deleted");
		expect_hidden(pre, 1);
		expect_gone(fd);
		teardown(fd);
	}
}

/*
 * An update of the key waits while the provider decides, and must not take
 * the hidden entry for a missing one: EXIST after a veto replaces the kept
 * value; NOEXIST after a delete inserts (the map is full at 2 entries, so a
 * count that went wrong would say -E2BIG).
 */
static void writers_wait_for_the_decision(void)
{
	for (int veto = 1; veto >= 0; veto--) {
		int fd = setup(TP_ALL_PRE, 1);
		uint64_t out = 0;

		probe.veto = veto ? -EPERM : 0;
		probe.start_writer = 1;
		probe.writer_flags = veto ? BPF_EXIST : BPF_NOEXIST;
		probe.writer_value = 0x111;
		ASSERT_EQ(bpfhost_map_delete_elem(fd, &probe.key), probe.veto, "delete decided");
		ASSERT_EQ(probe.writer_early, 0, "the writer waited for the decision");
		pthread_join(probe.writer, NULL);
		ASSERT_OK(atomic_load(&probe.writer_ret), veto ? "EXIST update of the kept entry"
							      : "NOEXIST insert after the delete");
		expect_hidden(1, veto ? 0 : 1);
		ASSERT_OK(bpfhost_map_lookup_elem(fd, &probe.key, &out), "the writer's value is there");
		ASSERT_EQ(out, 0x111, "the writer's value");
		ASSERT_EQ(tp()->live_objects, 2, "one object per entry");
		teardown(fd);
	}
}

/* A vetoed entry is an ordinary entry again: MAP_CLEANUP releases it (close, forced unload). */
static void cleanup_after_veto(void)
{
	int fd = setup(TP_ALL_PRE, 1);

	probe.veto = -EPERM;
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &probe.key), -EPERM, "vetoed");
	tp()->delete_hook = NULL;
	tp_clear();
	ASSERT_OK(bpfhost_close(fd), "close");
	ASSERT_EQ(tp_count(TP_PRE_DELETE, BPFHOST_MAP_OPERATION_MAP_CLEANUP), 2, "MAP_CLEANUP for both");
	ASSERT_EQ(tp()->live_objects, 0, "both released");
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");

	/* The same through a forced unload, which cleans the live map up. */
	fd = setup(TP_ALL_PRE, 1);
	probe.veto = -EPERM;
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &probe.key), -EPERM, "vetoed");
	tp()->delete_hook = NULL;
	tp_clear();
	ASSERT_OK(bpfhost_extension_unload(mod, BPFHOST_UNLOAD_FORCE), "forced unload");
	ASSERT_EQ(tp_count(TP_PRE_DELETE, BPFHOST_MAP_OPERATION_MAP_CLEANUP), 2, "forced: MAP_CLEANUP for both");
	ASSERT_EQ(tp()->live_objects, 0, "forced: both released");
	ASSERT_OK(bpfhost_close(fd), "close the orphan");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(pre_delete_hides_entry), TEST(pre_delete_veto_restores_entry),
		TEST(lookup_and_delete_hides_entry), TEST(post_delete_hides_entry),
		TEST(batch_delete_hides_entry), TEST(writers_wait_for_the_decision),
		TEST(cleanup_after_veto),
	};
	int rc = test_run("custom_hash_delete", cases, sizeof(cases) / sizeof(cases[0]));

	if (bpfhost_handle_count() != 0) {
		fprintf(stderr, "FAIL: %d handles leaked\n", bpfhost_handle_count());
		rc = 1;
	}
	return rc;
}
