// SPDX-License-Identifier: MIT
/*
 * LRU hash maps under concurrent updaters, deleters and readers with heavy
 * eviction (64 keys into 16 slots): user and program paths, batches and
 * walks at the same time. Every result must be one the operation may give;
 * values are never torn or stale memory; afterwards the map holds at most
 * max_entries keys, each once, each found by lookup, and the element count
 * matches. Meant to run under TSan and ASan as well.
 */
#include "test.h"

#include <pthread.h>
#include <time.h>

#include "maps/htab.h"

#define THREADS 4
#define KEYS 64
#define MAX_ENTRIES 16
#define RUN_NS 700000000ULL	/* per map configuration */
#define MAGIC 0x5bd1e995u

struct config {
	uint32_t type, flags;
	const char *name;
};

struct shared {
	int fd;
	bool percpu;
	uint32_t vsize_user;
	atomic_bool stop;
	atomic_long bad;		/* results the operation may not give */
	atomic_long torn;		/* values that do not belong to their key */
	atomic_long ops;
	atomic_long evictions_seen;	/* inserts whose key was gone right after: just a figure */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* A value is two u32 words per slot: the key and key ^ MAGIC (per-CPU: every slot, or zero). */
static void make_value(const struct shared *sh, uint32_t key, uint32_t *v)
{
	uint32_t words = sh->vsize_user / 4;

	for (uint32_t i = 0; i < words; i += 2) {
		v[i] = key;
		v[i + 1] = key ^ MAGIC;
	}
}

static bool value_ok(const struct shared *sh, uint32_t key, const uint32_t *v)
{
	uint32_t words = sh->vsize_user / 4;

	for (uint32_t i = 0; i < words; i += 2) {
		if (v[i] == key && v[i + 1] == (key ^ MAGIC))
			continue;
		/* A per-CPU slot that a program insert did not write is zero. */
		if (sh->percpu && v[i] == 0 && v[i + 1] == 0)
			continue;
		return false;
	}
	return true;
}

static void check(struct shared *sh, int err, int allowed)
{
	if (err != 0 && err != allowed)
		atomic_fetch_add(&sh->bad, 1);
}

/* The program path: lookup (marks), update, delete under epoch. */
static void prog_op(struct shared *sh, uint32_t key, unsigned int what)
{
	struct bh_map *map;
	uint32_t v[2] = { key, key ^ MAGIC };

	epoch_enter();
	map = bh_map_from_handle(sh->fd, "stress");
	if (!map) {
		atomic_fetch_add(&sh->bad, 1);
	} else if (what == 0) {
		const uint32_t *p = map->ops->lookup_elem(map, &key);

		if (p && !(p[0] == key && p[1] == (key ^ MAGIC)) && !(sh->percpu && !p[0] && !p[1]))
			atomic_fetch_add(&sh->torn, 1);
	} else if (what == 1) {
		/*
		 * On per-CPU maps a program update of an existing key writes its
		 * slot in place, racing with user-space copies by design (as on
		 * Linux); insert only, so TSan sees no such race here.
		 */
		if (sh->percpu)
			check(sh, (int)map->ops->update_elem(map, &key, v, BPF_NOEXIST), -EEXIST);
		else
			check(sh, (int)map->ops->update_elem(map, &key, v, BPF_ANY), 0);
	} else {
		check(sh, (int)map->ops->delete_elem(map, &key), -ENOENT);
	}
	epoch_exit();
}

static void *worker(void *arg)
{
	struct shared *sh = arg;
	uint32_t seed = (uint32_t)(uintptr_t)&seed ^ (uint32_t)now_ns();
	uint32_t *v = malloc(sh->vsize_user), *out = malloc(sh->vsize_user);
	long ops = 0;

	if (!seed)
		seed = 1;
	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
		uint32_t key = xorshift(&seed) % KEYS, next, r = xorshift(&seed) % 100;
		int err;

		if (r < 30) {
			make_value(sh, key, v);
			check(sh, bpfhost_map_update_elem(sh->fd, &key, v, BPF_ANY), 0);
			if (bpfhost_map_lookup_elem(sh->fd, &key, out) == -ENOENT)
				atomic_fetch_add(&sh->evictions_seen, 1);
		} else if (r < 38) {
			make_value(sh, key, v);
			check(sh, bpfhost_map_update_elem(sh->fd, &key, v, BPF_NOEXIST), -EEXIST);
		} else if (r < 43) {
			make_value(sh, key, v);
			check(sh, bpfhost_map_update_elem(sh->fd, &key, v, BPF_EXIST), -ENOENT);
		} else if (r < 60) {
			err = bpfhost_map_lookup_elem(sh->fd, &key, out);
			check(sh, err, -ENOENT);
			if (!err && !value_ok(sh, key, out))
				atomic_fetch_add(&sh->torn, 1);
		} else if (r < 75) {
			prog_op(sh, key, 0);
		} else if (r < 80) {
			prog_op(sh, key, 1);
		} else if (r < 83) {
			prog_op(sh, key, 2);
		} else if (r < 93) {
			check(sh, bpfhost_map_delete_elem(sh->fd, &key), -ENOENT);
		} else if (r < 97) {
			err = bpfhost_map_lookup_and_delete_elem(sh->fd, &key, out);
			check(sh, err, -ENOENT);
			if (!err && !value_ok(sh, key, out))
				atomic_fetch_add(&sh->torn, 1);
		} else {
			err = bpfhost_map_get_next_key(sh->fd, &key, &next);
			check(sh, err, -ENOENT);
			if (!err && next >= KEYS)
				atomic_fetch_add(&sh->bad, 1);
		}
		ops++;
	}
	atomic_fetch_add(&sh->ops, ops);
	free(v);
	free(out);
	return NULL;
}

/* Batches concurrently with the workers: lookup, and now and then lookup-and-delete. */
static void *batcher(void *arg)
{
	struct shared *sh = arg;
	uint32_t keys[KEYS], out_batch, round = 0;
	char *values = malloc((size_t)sh->vsize_user * KEYS);

	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
		uint32_t count = KEYS;
		int err;

		if (++round % 8 == 0)
			err = bpfhost_map_lookup_and_delete_batch(sh->fd, NULL, &out_batch, keys, values,
								  &count, NULL);
		else
			err = bpfhost_map_lookup_batch(sh->fd, NULL, &out_batch, keys, values, &count, NULL);
		check(sh, err, -ENOENT);
		for (uint32_t i = 0; i < count && i < KEYS; i++)
			if (keys[i] >= KEYS ||
			    !value_ok(sh, keys[i], (const uint32_t *)(values + (size_t)i * sh->vsize_user)))
				atomic_fetch_add(&sh->torn, 1);
		atomic_fetch_add(&sh->ops, 1);
	}
	free(values);
	return NULL;
}

/* Quiescent checks: each key once, at most max_entries, found by lookup, count matches. */
static void final_consistency(struct shared *sh, uint32_t max_entries, const char *name)
{
	unsigned char seen[KEYS] = { 0 };
	uint32_t k = 0, next, *out = malloc(sh->vsize_user);
	int n = 0, dup = 0, missing = 0, torn = 0, err;
	unsigned int count;

	for (err = bpfhost_map_get_next_key(sh->fd, NULL, &next); !err;
	     err = bpfhost_map_get_next_key(sh->fd, &k, &next)) {
		if (next >= KEYS || seen[next]++)
			dup++;
		else if (bpfhost_map_lookup_elem(sh->fd, &next, out))
			missing++;
		else if (!value_ok(sh, next, out))
			torn++;
		n++;
		k = next;
		if (n > KEYS)
			break;
	}
	ASSERT_EQ(err, -ENOENT, name);
	ASSERT_TRUE(n <= (int)max_entries, "iteration finds at most max_entries keys");
	ASSERT_EQ(dup, 0, "each key iterated once");
	ASSERT_EQ(missing, 0, "every iterated key is found by lookup");
	ASSERT_EQ(torn, 0, "every iterated value belongs to its key");
	epoch_enter();
	{
		struct bh_map *map = bh_map_from_handle(sh->fd, "stress");

		count = map ? atomic_load(&htab_of(map)->count) : ~0u;
	}
	epoch_exit();
	ASSERT_EQ(count, n, "element count matches the keys iterated");
	free(out);
}

/* After the storm the LRU bookkeeping still admits exactly max_entries new keys. */
static void refill(struct shared *sh, uint32_t max_entries, bool per_cpu_lists)
{
	uint32_t *v = malloc(sh->vsize_user), k = 0, next;
	int fails = 0, n = 0;

	for (k = 1000; k < 1000 + 4 * max_entries; k++) {
		make_value(sh, k, v);
		fails += bpfhost_map_update_elem(sh->fd, &k, v, BPF_ANY) != 0;
	}
	ASSERT_EQ(fails, 0, "refill never fails");
	for (int err = bpfhost_map_get_next_key(sh->fd, NULL, &next); !err && n <= KEYS;
	     err = bpfhost_map_get_next_key(sh->fd, &k, &next)) {
		n++;
		k = next;
	}
	if (per_cpu_lists)
		ASSERT_TRUE(n <= (int)max_entries && n >= 1, "refill bounded by max_entries");
	else
		ASSERT_EQ(n, max_entries, "refill fills exactly max_entries");
	free(v);
}

static void run(const struct config *cfg)
{
	struct shared sh = { 0 };
	pthread_t t[THREADS + 1];
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	uint64_t start;

	sh.percpu = cfg->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	sh.vsize_user = sh.percpu ? 8u * (uint32_t)bpfhost_num_possible_cpus() : 8u;
	sh.fd = test_map(cfg->type, "stress", 4, 8, MAX_ENTRIES, cfg->flags);
	ASSERT_OK(bpfhost_map_get_info_by_fd(sh.fd, &info, &len), "info");
	for (int i = 0; i < THREADS; i++)
		ASSERT_OK(pthread_create(&t[i], NULL, worker, &sh), "start worker");
	ASSERT_OK(pthread_create(&t[THREADS], NULL, batcher, &sh), "start batcher");
	start = now_ns();
	while (now_ns() - start < RUN_NS)
		bpfhost_synchronize();	/* reclaim while they run */
	atomic_store(&sh.stop, true);
	for (int i = 0; i <= THREADS; i++)
		pthread_join(t[i], NULL);

	ASSERT_EQ(atomic_load(&sh.bad), 0, "every result is one the operation may give");
	ASSERT_EQ(atomic_load(&sh.torn), 0, "no torn or foreign values");
	ASSERT_GE(atomic_load(&sh.ops), 1000, "the threads made progress");
	final_consistency(&sh, info.max_entries, cfg->name);
	refill(&sh, info.max_entries, cfg->flags & BPF_F_NO_COMMON_LRU);
	printf("  %s: %ld ops, %ld inserts gone at once (evicted or deleted by others)\n", cfg->name,
	       atomic_load(&sh.ops), atomic_load(&sh.evictions_seen));
	bpfhost_close(sh.fd);
}

static void lru_hash(void)
{
	static const struct config c = { BPF_MAP_TYPE_LRU_HASH, 0, "lru_hash" };

	run(&c);
}

static void lru_hash_no_common_lru(void)
{
	static const struct config c = { BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU, "lru_hash_no_common" };

	run(&c);
}

static void lru_percpu_hash(void)
{
	static const struct config c = { BPF_MAP_TYPE_LRU_PERCPU_HASH, 0, "lru_percpu_hash" };

	run(&c);
}

static void no_leaks(void)
{
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle left open");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(lru_hash),
		TEST(lru_hash_no_common_lru),
		TEST(lru_percpu_hash),
		TEST(no_leaks),
	};
	return test_run("lru_hash_stress", cases, sizeof(cases) / sizeof(cases[0]));
}
