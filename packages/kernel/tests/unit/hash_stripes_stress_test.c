// SPDX-License-Identifier: MIT
/*
 * Hash bucket locks are stripes past 64K buckets (htab.h): with more
 * buckets than stripes, keys in different buckets share a lock. A bucket index and a hash give
 * the same stripe; an LRU insert whose victim shares its stripe takes that
 * victim (the updater already holds the lock); writers of keys on one
 * stripe, in the same and in different buckets, and a lookup-and-delete
 * batch racing them, leave every key answered once and the count exact.
 * Meant to run under TSan and ASan as well.
 */
#include "test.h"
#include "map_handle.h"

#include <pthread.h>
#include <time.h>

#include "epoch/epoch.h"
#include "maps/htab.h"

#define LOCKS 65536u		/* a lock per bucket up to here, stripes past it */
#define STRIPED (4 * LOCKS)	/* four buckets a stripe */
#define LRU_ENTRIES (2 * LOCKS)	/* two buckets a stripe */
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

static uint32_t stripe_of(const struct htab *h, uint32_t key)
{
	return htab_hash(h, &key) & h->lock_mask;
}

static uint32_t bucket_of(const struct htab *h, uint32_t key)
{
	return htab_hash(h, &key) & (h->n_buckets - 1);
}

/* @n keys from @from up whose stripe is @stripe. */
static void keys_on_stripe(const struct htab *h, uint32_t stripe, uint32_t from, uint32_t n, uint32_t *out)
{
	for (uint32_t k = from, got = 0; got < n; k++)
		if (stripe_of(h, k) == stripe)
			out[got++] = k;
}

static void lock_of_bucket_and_hash_agree(void)
{
	int big = test_map(BPF_MAP_TYPE_HASH, "big", 4, 8, STRIPED, BPF_F_NO_PREALLOC);
	int small = test_map(BPF_MAP_TYPE_HASH, "small", 4, 8, 16, 0);
	struct htab *h = htab_of(test_map_of(big)), *s = htab_of(test_map_of(small));
	unsigned int differ = 0;

	ASSERT_EQ(h->lock_mask + 1, LOCKS, "64K stripes for 256K buckets");
	ASSERT_EQ(s->lock_mask + 1, s->n_buckets, "a small map: a lock per bucket");
	for (uint32_t k = 0; k < 20000; k++) {
		uint32_t hash = htab_hash(h, &k);

		differ += htab_lock_of(h, hash) != htab_lock_of(h, hash & (h->n_buckets - 1));
		differ += htab_lock_of(h, hash) != &h->locks[stripe_of(h, k)];
	}
	ASSERT_EQ(differ, 0, "a hash and its bucket index name the same lock");
	bpfhost_close(big);
	bpfhost_close(small);
}

/*
 * A full LRU: a new key on the same stripe as the coldest key, in another
 * bucket (and then in the same bucket), evicts exactly that coldest key.
 */
static void lru_evicts_victim_on_own_stripe(void)
{
	int fd = test_map(BPF_MAP_TYPE_LRU_HASH, "lru", 4, 8, LRU_ENTRIES, 0);
	struct htab *h = htab_of(test_map_of(fd));
	uint32_t k, other = 0, same = 0;
	uint64_t v;

	ASSERT_TRUE(h->n_buckets > h->lock_mask + 1, "more buckets than stripes");
	for (k = 0; k < LRU_ENTRIES; k++) {
		v = k;
		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), "fill");
	}
	for (k = LRU_ENTRIES; !other || !same; k++) {
		if (!other && stripe_of(h, k) == stripe_of(h, 0) && bucket_of(h, k) != bucket_of(h, 0))
			other = k;
		if (!same && k != other && bucket_of(h, k) == bucket_of(h, 1))
			same = k;
	}
	v = other;
	ASSERT_OK(bpfhost_map_update_elem(fd, &other, &v, BPF_NOEXIST), "insert, victim on our stripe");
	k = 0;
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &v), -ENOENT, "the coldest key went");
	v = same;
	ASSERT_OK(bpfhost_map_update_elem(fd, &same, &v, BPF_NOEXIST), "insert, victim in our bucket");
	k = 1;
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &v), -ENOENT, "the next coldest key went");
	k = 2;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &v), "the rest stay");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &other, &v), "first new key");
	ASSERT_EQ(v, other, "its value");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &same, &v), "second new key");
	ASSERT_EQ(v, same, "its value");
	ASSERT_EQ(atomic_load(&h->count), LRU_ENTRIES, "still full, count exact");
	bpfhost_close(fd);
}

struct stripe_run {
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
	struct stripe_run *r;
	int id;
};

/* @v in every CPU's slot (a per-CPU map's user layout); a plain map uses the first. */
static void fill(uint64_t *buf, uint64_t v)
{
	for (int c = 0; c < MAX_CPUS; c++)
		buf[c] = v;
}

/* Insert, read back, replace, delete own keys: user and program paths in turn. */
static void *stripe_writer(void *arg)
{
	struct writer *w = arg;
	struct stripe_run *r = w->r;
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

/* Writers on disjoint keys that all share one stripe (and some buckets). */
static void writers_share_one_stripe(uint32_t type, uint32_t max_entries, uint32_t flags, const char *name)
{
	static struct stripe_run r;
	struct writer w[WRITERS];
	pthread_t t[WRITERS];
	uint32_t all[WRITERS * PER_WRITER], buckets = 0;
	uint64_t end;
	struct htab *h;

	memset(&r, 0, sizeof(r));
	r.fd = test_map(type, name, 4, 8, max_entries, flags);
	r.map = test_map_of(r.fd);
	h = htab_of(r.map);
	r.percpu = h->percpu;
	r.ncpus = h->percpu ? plat_num_possible_cpus() : 1;
	ASSERT_TRUE(r.ncpus <= MAX_CPUS, "value buffers fit the CPUs");
	ASSERT_TRUE(h->n_buckets > h->lock_mask + 1, "more buckets than stripes");
	keys_on_stripe(h, 7, 0, WRITERS * PER_WRITER, all);
	for (int i = 0; i < WRITERS * PER_WRITER; i++) {
		r.keys[i % WRITERS][i / WRITERS] = all[i];
		buckets += i && bucket_of(h, all[i]) != bucket_of(h, all[0]);
	}
	ASSERT_TRUE(buckets > 0, "the keys span several buckets of the stripe");
	for (int i = 0; i < WRITERS; i++) {
		w[i].r = &r;
		w[i].id = i;
		ASSERT_EQ(pthread_create(&t[i], NULL, stripe_writer, &w[i]), 0, "thread");
	}
	end = now_ns() + RUN_NS;
	while (now_ns() < end)
		plat_yield();
	atomic_store(&r.stop, true);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	printf("%s: %ld operations on one stripe\n", name, atomic_load(&r.ops));
	ASSERT_EQ(atomic_load(&r.bad), 0, "every operation on an own key succeeds with its value");
	ASSERT_EQ(atomic_load(&h->count), 0, "every key deleted, count exact");
	bpfhost_close(r.fd);
}

static void hash_writers_share_one_stripe(void)
{
	writers_share_one_stripe(BPF_MAP_TYPE_HASH, STRIPED, BPF_F_NO_PREALLOC, "hash");
}

static void percpu_hash_writers_share_one_stripe(void)
{
	writers_share_one_stripe(BPF_MAP_TYPE_PERCPU_HASH, STRIPED, BPF_F_NO_PREALLOC, "percpu_hash");
}

static void lru_writers_share_one_stripe(void)
{
	writers_share_one_stripe(BPF_MAP_TYPE_LRU_HASH, LRU_ENTRIES, 0, "lru_hash");
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
 * Lookup-and-delete batches over a map whose buckets share stripes, while
 * another thread inserts and deletes keys on the same stripes: every filled
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
	rc.fd = test_map(type, name, 4, 8, LRU_ENTRIES, flags);
	h = htab_of(test_map_of(rc.fd));
	ASSERT_TRUE(h->n_buckets > h->lock_mask + 1, "more buckets than stripes");
	/* Racer keys spread over stripes, so buckets the batch has yet to visit hold some. */
	for (uint32_t i = 0; i < RACER_KEYS; i++)
		keys_on_stripe(h, (i * 61) & h->lock_mask, 1u << 20, 1, &rc.keys[i]);
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
		TEST(lock_of_bucket_and_hash_agree),
		TEST(lru_evicts_victim_on_own_stripe),
		TEST(hash_writers_share_one_stripe),
		TEST(percpu_hash_writers_share_one_stripe),
		TEST(lru_writers_share_one_stripe),
		TEST(hash_batch_delete_races_writers),
		TEST(lru_batch_delete_races_writers),
	};

	return test_run("hash_stripes", cases, sizeof(cases) / sizeof(cases[0]));
}
