// SPDX-License-Identifier: MIT
/*
 * Stress, after the peer's custom-map concurrency tests: an object map
 * (updates_original_value: the stored value points to an object the
 * provider allocates with epoch_alloc) on a hash base, with each kind of
 * delete callback: pre-processing, which releases the object at once with
 * epoch_free as the peer's sample does, and post-processing.
 *
 *  - update_and_query: writers overwrite every key of a full map while
 *    readers look the keys up. Every update succeeds and a key being
 *    overwritten is never missing for a reader; a next-key walk sees every
 *    key exactly once.
 *  - insert_delete_and_query: writers insert and delete (plain, lookup-and-
 *    delete, batch) keys of their own, and the pre-processing provider
 *    vetoes the deletes of values marked "pinned"; readers look everything
 *    up. Every update and delete gives exactly the result its writer
 *    expects, a vetoed entry keeps its value, keys that are never deleted
 *    are never missing.
 *
 * Readers use user lookups (find post-processing reads the object) and
 * find_element with their own epoch (the reader reads the object); a value
 * always names its key. Under ASan a reader handed a released object fails
 * at once; TSan checks every access is ordered. Run under ASan and TSan.
 */
#include "provider_fixture.h"

#include <pthread.h>
#include <time.h>

#include "bpfhost/extension.h"
#include "maps/map.h"

#define WRITERS 2
#define READERS 2
#define RUN_MS 700
#define UQ_KEYS 64		/* update_and_query: the map is full with them */
#define STABLE_KEYS 16		/* insert_delete: never deleted, overwritten */
#define OWNED_KEYS 16		/* insert_delete: per writer */
#define OWNED_BASE 1000
#define PINNED 1ull		/* value bit: the provider vetoes deleting it */
#define VETO (-EPERM)

static int fd;
static struct bh_map *map;
static atomic_bool stop;
static atomic_long violations, updates, deletes, vetoes, reads, walks;

static void violation(const char *what, uint32_t key, long long got)
{
	if (atomic_fetch_add(&violations, 1) < 10)
		fprintf(stderr, "violation: %s (key %u, got %lld): %s\n", what, key, got, bpfhost_last_error());
}

static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* A value names its key in the high half. */
static uint64_t value_of(uint32_t key, uint32_t seq)
{
	return (uint64_t)key << 32 | seq;
}

static const struct bpfhost_base_map_client_dispatch_table *client(void)
{
	return tp()->client_table;
}

/*
 * When each key's object was last released by a plain delete, on a clock
 * readers read before they look up: a reader that reaches an object whose
 * release was noted before its lookup began has reached a released value,
 * whether or not the memory was reclaimed yet. Plain deletes and updates of
 * a key come from its one owner, so the stores of a note never interleave.
 */
#define NOTES 2048
static struct {
	_Atomic(uintptr_t) obj;
	atomic_ullong at;
} notes[NOTES];
static atomic_ullong release_clock = 1;
static int pre_kind;

static void note_release(const uint8_t *key, const uint8_t *value)
{
	uint32_t k;
	uintptr_t obj;

	memcpy(&k, key, sizeof(k));
	memcpy(&obj, value, sizeof(obj));
	atomic_store_explicit(&notes[k % NOTES].at, atomic_fetch_add(&release_clock, 1), memory_order_relaxed);
	atomic_store_explicit(&notes[k % NOTES].obj, obj, memory_order_release);
}

/* The provider's delete hook: vetoes deleting pinned values (pre-processing) and notes releases. */
static int delete_hook(void *arg, int released, const uint8_t *key, const uint8_t *value, uint32_t flags)
{
	uint64_t *obj;

	(void)arg;
	if (flags & (BPFHOST_MAP_OPERATION_UPDATE | BPFHOST_MAP_OPERATION_MAP_CLEANUP))
		return 0;
	if (!released) {
		/* Deciding: the object is still live, and the entry already claimed. */
		memcpy(&obj, value, sizeof(obj));
		if (*obj & PINNED)
			return VETO;
		note_release(key, value);
	} else if (!pre_kind) {
		note_release(key, value);
	}
	return 0;
}

/* One read of @key: 0 if found (value checked), -ENOENT if not, else the error. */
static int read_key(uint32_t key, int how)
{
	uint64_t out = 0, *obj;
	uint8_t *stored;
	bpfhost_epoch_state_t st;
	int err;

	if (how == 0) {
		err = bpfhost_map_lookup_elem(fd, &key, &out);
	} else {
		unsigned long long t0;

		client()->epoch_enter(st);
		t0 = atomic_load(&release_clock);
		err = client()->find_element(map, (const uint8_t *)&key, &stored);
		if (!err) {
			memcpy(&obj, stored, sizeof(obj));
			out = *obj;	/* the object must still be live */
			if (atomic_load_explicit(&notes[key % NOTES].obj, memory_order_acquire) == (uintptr_t)obj &&
			    atomic_load_explicit(&notes[key % NOTES].at, memory_order_relaxed) < t0)
				violation("a lookup reached an object released before it began", key, 0);
		}
		client()->epoch_exit(st);
	}
	if (!err && out >> 32 != key)
		violation("value names another key", key, (long long)out);
	atomic_fetch_add(&reads, 1);
	return err;
}

/* A whole next-key walk; returns the keys seen (bounded: a deleted position restarts it). */
static int walk(uint32_t *seen, int max)
{
	uint32_t cur, next;
	int n = 0, err = bpfhost_map_get_next_key(fd, NULL, &next);

	while (!err && n < max) {
		seen[n++] = next;
		cur = next;
		err = bpfhost_map_get_next_key(fd, &cur, &next);
	}
	if (err && err != -ENOENT)
		violation("get_next_key failed", 0, err);
	atomic_fetch_add(&walks, 1);
	return err == -ENOENT ? n : -1;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000 * 1000 };

	nanosleep(&t, NULL);
}

/* Loads the provider with one object-map type (pre or post delete) and creates the map. */
static int setup(int pre, uint32_t max_entries)
{
	int mod;

	tp_config_one(TP_TYPE, BPFHOST_BASE_MAP_TYPE_HASH, 1, pre ? TP_ALL_PRE : TP_ALL_POST);
	tp()->quiet = 1;
	tp()->delete_hook = delete_hook;
	tp()->delete_hook_arg = NULL;
	pre_kind = pre;
	memset(notes, 0, sizeof(notes));
	mod = tp_load();
	ASSERT_GE(mod, 1, "load test provider");
	fd = bpfhost_map_create(TP_TYPE, "chash_stress", 4, 8, max_entries, NULL);
	ASSERT_GE(fd, 1, "create");
	epoch_enter();
	map = bh_map_from_obj(bh_handle_lookup(fd));
	epoch_exit();
	atomic_store(&stop, false);
	atomic_store(&violations, 0);
	atomic_store(&updates, 0);
	atomic_store(&deletes, 0);
	atomic_store(&vetoes, 0);
	atomic_store(&reads, 0);
	atomic_store(&walks, 0);
	return mod;
}

static void teardown(int mod, const char *name)
{
	printf("  %s: %ld updates, %ld deletes (%ld vetoed), %ld reads, %ld walks\n", name,
	       atomic_load(&updates), atomic_load(&deletes), atomic_load(&vetoes), atomic_load(&reads),
	       atomic_load(&walks));
	ASSERT_EQ(atomic_load(&violations), 0, "no invariant broken");
	ASSERT_GE(atomic_load(&updates), 1, "writers made progress");
	ASSERT_GE(atomic_load(&reads), 1, "readers made progress");
	ASSERT_OK(bpfhost_close(fd), "close");
	tp()->delete_hook = NULL;
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	bpfhost_synchronize();
	ASSERT_EQ(tp()->live_objects, 0, "no provider object leaked");
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

static void run(void *(*writer)(void *), void *(*reader)(void *))
{
	pthread_t w[WRITERS], r[READERS];

	for (long i = 0; i < WRITERS; i++)
		pthread_create(&w[i], NULL, writer, (void *)i);
	for (long i = 0; i < READERS; i++)
		pthread_create(&r[i], NULL, reader, (void *)i);
	sleep_ms(RUN_MS);
	atomic_store(&stop, true);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(w[i], NULL);
	for (int i = 0; i < READERS; i++)
		pthread_join(r[i], NULL);
}

/* ------------------------------------------------------- update and query */

static void *uq_writer(void *arg)
{
	uint32_t seed = (uint32_t)(uintptr_t)arg * 2654435761u + 7, seq = 0;

	while (!atomic_load(&stop)) {
		uint32_t r = next_rand(&seed), key = r % UQ_KEYS;
		uint64_t v = value_of(key, ++seq);
		/* The key always exists: EXIST and ANY must both succeed (the map is full: no insert fits). */
		int err = bpfhost_map_update_elem(fd, &key, &v, (r >> 16) & 1 ? BPF_EXIST : BPF_ANY);

		if (err)
			violation("update of an existing key failed", key, err);
		atomic_fetch_add(&updates, 1);
	}
	return NULL;
}

static void *uq_reader(void *arg)
{
	uint32_t seed = (uint32_t)(uintptr_t)arg * 40503u + 11, n = 0;

	while (!atomic_load(&stop)) {
		uint32_t key = next_rand(&seed) % UQ_KEYS;
		int err = read_key(key, n & 1);

		if (err)
			violation("a key being overwritten was missing", key, err);
		if (++n % 64 == 0) {
			uint32_t seen[UQ_KEYS * 2];
			uint64_t mask = 0;
			int got = walk(seen, UQ_KEYS * 2);

			/* Replacement keeps an entry's place: the walk is exact. */
			for (int i = 0; i < got; i++)
				if (seen[i] < UQ_KEYS)
					mask |= 1ull << seen[i];
			if (got != UQ_KEYS || mask != ~0ull)
				violation("next-key walk did not see every key once", 0, got);
		}
	}
	return NULL;
}

static void update_and_query(int pre)
{
	int mod = setup(pre, UQ_KEYS);

	for (uint32_t k = 0; k < UQ_KEYS; k++) {
		uint64_t v = value_of(k, 0);

		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), "fill");
	}
	run(uq_writer, uq_reader);
	for (uint32_t k = 0; k < UQ_KEYS; k++)
		ASSERT_OK(read_key(k, 0), "every key still there");
	ASSERT_EQ(tp()->live_objects, UQ_KEYS, "one object per entry");
	teardown(mod, pre ? "update_and_query_preprocess" : "update_and_query_postprocess");
}

static void update_and_query_preprocess(void)
{
	update_and_query(1);
}

static void update_and_query_postprocess(void)
{
	update_and_query(0);
}

/* ---------------------------------------------- insert, delete and query */

/* Per writer: what it last stored in each of its keys (0: absent). Owner only. */
static uint64_t owned[WRITERS][OWNED_KEYS];

static void *id_writer(void *arg)
{
	long w = (long)(intptr_t)arg;
	uint32_t seed = (uint32_t)w * 2654435761u + 3, seq = 0;

	while (!atomic_load(&stop)) {
		uint32_t r = next_rand(&seed), i = r % OWNED_KEYS, key = OWNED_BASE + (uint32_t)w * 100 + i;
		uint64_t *mine = &owned[w][i], out = 0;
		int err, want;

		if (r % 8 == 0) {
			/* Overwrite a key nobody deletes. */
			uint32_t s = (r >> 8) % STABLE_KEYS;
			uint64_t v = value_of(s, ++seq) & ~PINNED;

			err = bpfhost_map_update_elem(fd, &s, &v, BPF_EXIST);
			if (err)
				violation("overwrite of a stable key failed", s, err);
			atomic_fetch_add(&updates, 1);
			continue;
		}
		if (!*mine || (*mine & PINNED && (r >> 8) % 2 == 0)) {
			/* Insert (NOEXIST must hold) or replace a pinned value (EXIST must hold). */
			uint64_t v = value_of(key, ++seq);

			if (!pre_kind)
				v &= ~PINNED;
			/* The new object may reuse a released one's address: forget that release first. */
			atomic_store_explicit(&notes[key % NOTES].obj, 0, memory_order_release);
			err = bpfhost_map_update_elem(fd, &key, &v, *mine ? BPF_EXIST : BPF_NOEXIST);
			if (err)
				violation(*mine ? "replace of an own key failed" : "insert of an own key failed",
					  key, err);
			else
				*mine = v;
			atomic_fetch_add(&updates, 1);
			continue;
		}
		want = (*mine & PINNED) ? VETO : 0;
		switch ((r >> 8) % 3) {
		case 0:
			err = bpfhost_map_delete_elem(fd, &key);
			break;
		case 1:
			err = bpfhost_map_lookup_and_delete_elem(fd, &key, &out);
			if (!err && out != *mine)
				violation("lookup_and_delete returned another value", key, (long long)out);
			break;
		default: {
			uint32_t count = 1;

			err = bpfhost_map_delete_batch(fd, &key, &count, NULL);
			if (count != (err ? 0u : 1u))
				violation("delete batch count", key, count);
			break;
		}
		}
		if (err != want)
			violation(want ? "delete of a pinned value was not vetoed" : "delete of an own key failed",
				  key, err);
		atomic_fetch_add(&deletes, 1);
		if (err == VETO) {
			atomic_fetch_add(&vetoes, 1);
			/* Visible again, with its value. */
			err = bpfhost_map_lookup_elem(fd, &key, &out);
			if (err || out != *mine)
				violation("vetoed entry lost or changed", key, err ? err : (long long)out);
		} else if (!err) {
			*mine = 0;
		}
	}
	return NULL;
}

static void *id_reader(void *arg)
{
	uint32_t seed = (uint32_t)(uintptr_t)arg * 40503u + 5, n = 0;

	while (!atomic_load(&stop)) {
		uint32_t r = next_rand(&seed), key;
		int err;

		if (r % 3 == 0)
			key = r % STABLE_KEYS;
		else
			key = OWNED_BASE + (r >> 8) % WRITERS * 100 + (r >> 16) % OWNED_KEYS;
		err = read_key(key, n & 1);
		if (key < STABLE_KEYS ? err != 0 : err != 0 && err != -ENOENT)
			violation(key < STABLE_KEYS ? "a stable key was missing" : "lookup error", key, err);
		if (++n % 64 == 0) {
			uint32_t seen[256], stable = 0;
			int got = walk(seen, 256);

			/* Positions of deleted keys restart it; the stable keys never move. */
			for (int i = 0; i < got; i++) {
				if (seen[i] < STABLE_KEYS)
					stable |= 1u << seen[i];
				else if (seen[i] < OWNED_BASE || seen[i] >= OWNED_BASE + WRITERS * 100)
					violation("next-key walk returned a key never stored", seen[i], got);
			}
			if (got >= 0 && stable != (1u << STABLE_KEYS) - 1)
				violation("next-key walk missed a stable key", 0, (long long)stable);
		}
	}
	return NULL;
}

static void insert_delete_and_query(int pre)
{
	/* Exactly room for every key: a count gone wrong fails an insert with -E2BIG. */
	int mod = setup(pre, STABLE_KEYS + WRITERS * OWNED_KEYS);
	uint32_t present = STABLE_KEYS;

	memset(owned, 0, sizeof(owned));
	for (uint32_t k = 0; k < STABLE_KEYS; k++) {
		uint64_t v = value_of(k, 0);

		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), "fill");
	}
	run(id_writer, id_reader);
	ASSERT_GE(atomic_load(&deletes), 1, "writers deleted");
	if (pre)
		ASSERT_GE(atomic_load(&vetoes), 1, "the provider vetoed some deletes");
	/* The map holds exactly what the writers think it holds. */
	for (uint32_t w = 0; w < WRITERS; w++) {
		for (uint32_t i = 0; i < OWNED_KEYS; i++) {
			uint32_t key = OWNED_BASE + w * 100 + i;
			uint64_t out = 0;
			int err = bpfhost_map_lookup_elem(fd, &key, &out);

			if (owned[w][i]) {
				present++;
				ASSERT_TRUE(!err && out == owned[w][i], "an own key holds its writer's last value");
			} else {
				ASSERT_EQ(err, -ENOENT, "an own key its writer deleted is gone");
			}
		}
	}
	for (uint32_t k = 0; k < STABLE_KEYS; k++)
		ASSERT_OK(read_key(k, 1), "stable keys all there");
	ASSERT_EQ(tp()->live_objects, present, "one object per entry");
	teardown(mod, pre ? "insert_delete_and_query_preprocess" : "insert_delete_and_query_postprocess");
}

static void insert_delete_and_query_preprocess(void)
{
	insert_delete_and_query(1);
}

static void insert_delete_and_query_postprocess(void)
{
	insert_delete_and_query(0);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(update_and_query_preprocess), TEST(update_and_query_postprocess),
		TEST(insert_delete_and_query_preprocess), TEST(insert_delete_and_query_postprocess),
	};

	return test_run("custom_hash_concurrency_stress", cases, sizeof(cases) / sizeof(cases[0]));
}
