// SPDX-License-Identifier: MIT
/*
 * A hash bucket's lock is the low bit of its head word (htab.h). Lookups
 * and walks never see the bit: a locked bucket's keys are found; a trylock
 * fails on a held lock; an LRU insert whose victim is in its own bucket
 * takes that victim, and one whose victim's bucket is held by someone else
 * takes the next; writers of keys in one bucket, and a lookup-and-delete
 * batch racing writers, leave every key answered once and the count exact.
 * Meant to run under TSan and ASan as well.
 */
#include "test.h"
#include "map_handle.h"

#include <pthread.h>
#include <time.h>

#include "epoch/epoch.h"
#include "maps/htab.h"

#define ENTRIES 8192u
#define WRITERS 3
#define PER_WRITER 24
#define RUN_NS 300000000ULL
#define BATCH_KEYS 4096u
#define RACER_KEYS 64u
#define BATCH_COUNT 16u	/* keys per batch call: many calls, so the racer runs between them */
#define PASSES 8
#define MAX_CPUS 512

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint32_t bucket_of(const struct htab *h, uint32_t key)
{
	return htab_hash(h, &key) & (h->n_buckets - 1);
}

/* @n keys from @from up in bucket @bucket. */
static void keys_in_bucket(const struct htab *h, uint32_t bucket, uint32_t from, uint32_t n, uint32_t *out)
{
	for (uint32_t k = from, got = 0; got < n; k++)
		if (bucket_of(h, k) == bucket)
			out[got++] = k;
}

/* While a bucket is locked (as a writer holds it), its keys are found and walked; the lock is exclusive. */
static void locked_bucket_stays_readable(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "locked", 4, 8, ENTRIES, 0);
	struct bh_map *map = test_map_of(fd);
	struct htab *h = htab_of(map);
	struct htab_bucket *b;
	uint32_t keys[4], k, next;
	uint64_t v;

	keys_in_bucket(h, 5, 0, 4, keys);
	for (int i = 0; i < 4; i++) {
		v = keys[i] * 3ull;
		ASSERT_OK(bpfhost_map_update_elem(fd, &keys[i], &v, BPF_NOEXIST), "insert");
	}
	b = htab_bucket(h, htab_hash(h, &keys[0]));
	htab_bucket_lock(b);
	ASSERT_TRUE(!htab_bucket_trylock(b), "a held lock is not taken again");
	epoch_enter();
	for (int i = 0; i < 4; i++) {
		uint64_t *p = map->ops->lookup_elem(map, &keys[i]);

		ASSERT_TRUE(p != NULL && *p == keys[i] * 3ull, "a locked bucket's key and value");
	}
	epoch_exit();
	k = keys[3];
	v = 0;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &v), "user lookup in a locked bucket");
	ASSERT_EQ(v, keys[3] * 3ull, "its value");
	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &next), "walk starts");
	htab_bucket_unlock(b);
	ASSERT_TRUE(htab_bucket_trylock(b), "free again");
	htab_bucket_unlock(b);
	ASSERT_EQ(atomic_load(&b->head) & HTAB_LOCKED, 0, "unlocked");
	ASSERT_OK(bpfhost_map_delete_elem(fd, &keys[0]), "delete after unlock");
	ASSERT_EQ(atomic_load(&h->count), 3, "count exact");
	bpfhost_close(fd);
}

/*
 * A full LRU: a new key in the coldest key's bucket evicts exactly that key
 * (the updater holds the bucket already); a new key whose victim's bucket
 * someone else holds evicts the next coldest instead.
 */
static void lru_victim_in_own_or_busy_bucket(void)
{
	int fd = test_map(BPF_MAP_TYPE_LRU_HASH, "lru", 4, 8, ENTRIES, 0);
	struct htab *h = htab_of(test_map_of(fd));
	struct htab_bucket *busy;
	uint32_t k, same, other = 0;
	uint64_t v;

	for (k = 0; k < ENTRIES; k++) {
		v = k;
		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), "fill");
	}
	keys_in_bucket(h, bucket_of(h, 0), ENTRIES, 1, &same);
	v = same;
	ASSERT_OK(bpfhost_map_update_elem(fd, &same, &v, BPF_NOEXIST), "insert, victim in our bucket");
	k = 0;
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &v), -ENOENT, "the coldest key went");
	/* Key 1 is now the coldest: hold its bucket, insert elsewhere. */
	busy = htab_bucket(h, htab_hash(h, &(uint32_t){ 1 }));
	for (k = same + 1; !other; k++)
		if (bucket_of(h, k) != bucket_of(h, 1) && bucket_of(h, k) != bucket_of(h, 2))
			other = k;
	htab_bucket_lock(busy);
	v = other;
	ASSERT_OK(bpfhost_map_update_elem(fd, &other, &v, BPF_NOEXIST), "insert, victim's bucket busy");
	htab_bucket_unlock(busy);
	k = 1;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &v), "the busy bucket's key stayed");
	k = 2;
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &v), -ENOENT, "the next coldest went instead");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &same, &v), "first new key");
	ASSERT_EQ(v, same, "its value");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &other, &v), "second new key");
	ASSERT_EQ(v, other, "its value");
	ASSERT_EQ(atomic_load(&h->count), ENTRIES, "still full, count exact");
	bpfhost_close(fd);
}

struct bucket_run {
	int fd;
	bool percpu;
	int ncpus;		/* value slots of a per-CPU map, else 1 */
	struct bh_map *map;
	uint32_t keys[WRITERS][PER_WRITER];
	atomic_bool stop;
	atomic_long bad;
	atomic_long ops;
};

struct writer {
	struct bucket_run *r;
	int id;
};

/* @v in every CPU's slot (a per-CPU map's user layout); a plain map uses the first. */
static void fill(uint64_t *buf, uint64_t v)
{
	for (int c = 0; c < MAX_CPUS; c++)
		buf[c] = v;
}

/* Insert, read back, replace, delete own keys: user and program paths in turn. */
static void *bucket_writer(void *arg)
{
	struct writer *w = arg;
	struct bucket_run *r = w->r;
	long bad = 0, ops = 0;
	uint64_t buf[MAX_CPUS], got[MAX_CPUS];

	for (uint32_t round = 0; !atomic_load(&r->stop); round++) {
		for (int i = 0; i < PER_WRITER; i++) {
			uint32_t k = r->keys[w->id][i];
			uint64_t v = (uint64_t)k << 32 | round;

			if (round & 1) {
				epoch_enter();
				bad += r->map->ops->update_elem(r->map, &k, &v, BPF_NOEXIST) != 0;
				v++;
				bad += r->map->ops->update_elem(r->map, &k, &v, BPF_EXIST) != 0;
				/* A per-CPU value: only this CPU's slot was written, so only presence is checked. */
				if (r->percpu)
					bad += r->map->ops->lookup_elem(r->map, &k) == NULL;
				else
					bad += bpfhost_map_lookup_elem(r->fd, &k, got) != 0 || got[0] != v;
				epoch_exit();
			} else {
				fill(buf, v);
				bad += bpfhost_map_update_elem(r->fd, &k, buf, BPF_NOEXIST) != 0;
				fill(buf, ++v);
				bad += bpfhost_map_update_elem(r->fd, &k, buf, BPF_EXIST) != 0;
				fill(got, 0);
				bad += bpfhost_map_lookup_elem(r->fd, &k, got) != 0 || got[0] != v ||
				       got[r->ncpus - 1] != v;
			}
		}
		for (int i = 0; i < PER_WRITER; i++) {
			uint32_t k = r->keys[w->id][i];

			if (round & 1) {
				epoch_enter();
				bad += r->map->ops->delete_elem(r->map, &k) != 0;
				epoch_exit();
			} else {
				bad += bpfhost_map_delete_elem(r->fd, &k) != 0;
			}
		}
		ops += 5 * PER_WRITER;
	}
	atomic_fetch_add(&r->bad, bad);
	atomic_fetch_add(&r->ops, ops);
	return NULL;
}

/* Writers on disjoint keys that all share one bucket. */
static void writers_share_one_bucket(uint32_t type, const char *name)
{
	static struct bucket_run r;
	struct writer w[WRITERS];
	pthread_t t[WRITERS];
	uint32_t all[WRITERS * PER_WRITER];
	uint64_t end;
	struct htab *h;

	memset(&r, 0, sizeof(r));
	r.fd = test_map(type, name, 4, 8, ENTRIES, 0);
	r.map = test_map_of(r.fd);
	h = htab_of(r.map);
	r.percpu = h->percpu;
	r.ncpus = h->percpu ? plat_num_possible_cpus() : 1;
	ASSERT_TRUE(r.ncpus <= MAX_CPUS, "value buffers fit the CPUs");
	keys_in_bucket(h, 7, 0, WRITERS * PER_WRITER, all);
	for (int i = 0; i < WRITERS * PER_WRITER; i++)
		r.keys[i % WRITERS][i / WRITERS] = all[i];
	for (int i = 0; i < WRITERS; i++) {
		w[i].r = &r;
		w[i].id = i;
		ASSERT_EQ(pthread_create(&t[i], NULL, bucket_writer, &w[i]), 0, "thread");
	}
	end = now_ns() + RUN_NS;
	while (now_ns() < end)
		plat_yield();
	atomic_store(&r.stop, true);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	printf("%s: %ld operations on one bucket\n", name, atomic_load(&r.ops));
	ASSERT_EQ(atomic_load(&r.bad), 0, "every operation on an own key succeeds with its value");
	ASSERT_EQ(atomic_load(&h->count), 0, "every key deleted, count exact");
	bpfhost_close(r.fd);
}

static void hash_writers_share_one_bucket(void)
{
	writers_share_one_bucket(BPF_MAP_TYPE_HASH, "hash");
}

static void percpu_hash_writers_share_one_bucket(void)
{
	writers_share_one_bucket(BPF_MAP_TYPE_PERCPU_HASH, "percpu_hash");
}

static void lru_writers_share_one_bucket(void)
{
	writers_share_one_bucket(BPF_MAP_TYPE_LRU_HASH, "lru_hash");
}

struct racer {
	int fd;
	uint32_t keys[RACER_KEYS];
	atomic_bool stop;
	atomic_long rounds;
	long gone;		/* deletes that found the key taken (by the batch) */
	long bad;
};

/* Inserts and deletes its keys while the batch runs; counts those the batch took. */
static void *racer_run(void *arg)
{
	struct racer *rc = arg;

	while (!atomic_load(&rc->stop)) {
		for (uint32_t i = 0; i < RACER_KEYS; i++) {
			uint64_t v = (uint64_t)rc->keys[i] * 3 + 1;

			rc->bad += bpfhost_map_update_elem(rc->fd, &rc->keys[i], &v, BPF_NOEXIST) != 0;
		}
		for (uint32_t i = 0; i < RACER_KEYS; i++) {
			int err = bpfhost_map_delete_elem(rc->fd, &rc->keys[i]);

			rc->gone += err == -ENOENT;
			rc->bad += err && err != -ENOENT;
		}
		atomic_fetch_add(&rc->rounds, 1);
	}
	return NULL;
}

/*
 * Lookup-and-delete batches while another thread inserts and deletes keys
 * in the buckets the batches lock (and in others): every filled
 * key comes back once per pass with its value, each racer key the batch
 * took is one the racer found gone, and the map ends empty with count 0.
 */
static void batch_delete_races_writers(uint32_t type, uint32_t flags, const char *name)
{
	static struct racer rc;
	static uint32_t keys[BATCH_COUNT], seen[BATCH_KEYS];
	static uint64_t values[BATCH_COUNT];
	uint32_t tok = 0, total = 0, count, next;
	long racer_taken = 0, wrong = 0;
	struct htab *h;
	pthread_t t;
	int err = 0;

	memset(&rc, 0, sizeof(rc));
	memset(seen, 0, sizeof(seen));
	rc.fd = test_map(type, name, 4, 8, ENTRIES, flags);
	h = htab_of(test_map_of(rc.fd));
	/* Racer keys spread over buckets, so buckets the batch has yet to visit hold some. */
	for (uint32_t i = 0; i < RACER_KEYS; i++)
		keys_in_bucket(h, (i * 61) & (h->n_buckets - 1), 1u << 20, 1, &rc.keys[i]);
	ASSERT_EQ(pthread_create(&t, NULL, racer_run, &rc), 0, "thread");
	while (!atomic_load(&rc.rounds))
		plat_yield();
	for (int pass = 0; pass < PASSES; pass++) {
		for (uint32_t k = 0; k < BATCH_KEYS; k++) {
			uint64_t v = (uint64_t)k * 3 + 1;

			ASSERT_OK(bpfhost_map_update_elem(rc.fd, &k, &v, BPF_NOEXIST), "fill");
		}
		for (int calls = 0; calls < 1000000; calls++) {
			count = BATCH_COUNT;
			err = bpfhost_map_lookup_and_delete_batch(rc.fd, calls ? &tok : NULL, &tok, keys, values,
								  &count, NULL);
			if (err && err != -ENOENT)
				break;
			for (uint32_t i = 0; i < count; i++) {
				wrong += values[i] != (uint64_t)keys[i] * 3 + 1;
				if (keys[i] < BATCH_KEYS)
					seen[keys[i]]++;
				else
					racer_taken++;
			}
			total += count;
			if (err)
				break;
		}
		ASSERT_EQ(err, -ENOENT, "batches end with -ENOENT");
	}
	atomic_store(&rc.stop, true);
	pthread_join(t, NULL);
	ASSERT_EQ(wrong, 0, "every value belongs to its key");
	for (uint32_t k = 0; k < BATCH_KEYS; k++)
		wrong += seen[k] != PASSES;
	ASSERT_EQ(wrong, 0, "every filled key returned exactly once a pass");
	ASSERT_EQ(rc.bad, 0, "racer inserts and deletes give no other errors");
	ASSERT_EQ(racer_taken, rc.gone, "each racer key the batch took, the racer found gone");
	ASSERT_EQ(bpfhost_map_get_next_key(rc.fd, NULL, &next), -ENOENT, "map empty");
	ASSERT_EQ(atomic_load(&h->count), 0, "count exact");
	printf("%s: %u returned, %ld racer keys taken by the batch\n", name, total, racer_taken);
	bpfhost_close(rc.fd);
}

static void hash_batch_delete_races_writers(void)
{
	batch_delete_races_writers(BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC, "hash_batch");
}

static void lru_batch_delete_races_writers(void)
{
	batch_delete_races_writers(BPF_MAP_TYPE_LRU_HASH, 0, "lru_batch");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(locked_bucket_stays_readable),
		TEST(lru_victim_in_own_or_busy_bucket),
		TEST(hash_writers_share_one_bucket),
		TEST(percpu_hash_writers_share_one_bucket),
		TEST(lru_writers_share_one_bucket),
		TEST(hash_batch_delete_races_writers),
		TEST(lru_batch_delete_races_writers),
	};

	return test_run("hash_bucket_lock", cases, sizeof(cases) / sizeof(cases[0]));
}
