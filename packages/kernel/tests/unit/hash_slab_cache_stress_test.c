// SPDX-License-Identifier: MIT
/*
 * Stress: a HASH's elements come from per-CPU slab caches (node_slab.h).
 * More threads than CPUs (so threads share a CPU's cache) replace, delete
 * and re-insert their own keys and fail BPF_NOEXIST inserts (an element
 * made and given back unused): every key ends with its owner's last value,
 * and concurrent inserts of distinct keys into a map with room for fewer
 * succeed exactly max_entries times (the count is exact). Run under TSan.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "test.h"
#include "map_handle.h"

#include "maps/htab.h"
#include "maps/node_slab.h"

#define THREADS 4
#define OWN 1024u
#define ROUNDS 30
#define MAX_FULL 1000u

static int fd;
static atomic_long errors;
static atomic_uint inserted;

static void *churn(void *arg)
{
	uint32_t base = (uint32_t)(uintptr_t)arg * OWN;

	for (uint32_t round = 0; round < ROUNDS; round++) {
		for (uint32_t k = base; k < base + OWN; k++) {
			uint64_t v = (uint64_t)round << 32 | k;

			errors += bpfhost_map_update_elem(fd, &k, &v, BPF_ANY) != 0;
			/* Made, refused, given back unused. */
			errors += bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST) != -EEXIST;
		}
		for (uint32_t k = base + round % 2; k < base + OWN; k += 2)
			errors += bpfhost_map_delete_elem(fd, &k) != 0;
	}
	/* The last round deleted every other key: put them back with the last value. */
	for (uint32_t k = base; k < base + OWN; k++) {
		uint64_t v = (uint64_t)(ROUNDS - 1) << 32 | k;

		errors += bpfhost_map_update_elem(fd, &k, &v, BPF_ANY) != 0;
	}
	return NULL;
}

static void churn_from_more_threads_than_cpus(void)
{
	pthread_t t[THREADS];
	struct bh_map *map;
	uint64_t before, after;

	fd = test_map(BPF_MAP_TYPE_HASH, "cache_churn", 4, 8, THREADS * OWN, BPF_F_NO_PREALLOC);
	map = test_map_of(fd);
	for (uint32_t k = 0; k < THREADS * OWN; k++) {
		uint64_t v = 0;

		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), "fill");
	}
	before = test_map_mem(map);
	for (uintptr_t i = 0; i < THREADS; i++)
		ASSERT_OK(pthread_create(&t[i], NULL, churn, (void *)i), "thread");
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	epoch_synchronize();
	after = test_map_mem(map);
	printf("full map %llu bytes, after %d rounds of churn on %d threads %llu\n",
	       (unsigned long long)before, ROUNDS, THREADS, (unsigned long long)after);
	ASSERT_EQ(atomic_load(&errors), 0, "every update and delete as expected");
	for (uint32_t k = 0; k < THREADS * OWN; k++) {
		uint64_t v = 0;

		ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &v), "key present");
		ASSERT_EQ(v, (uint64_t)(ROUNDS - 1) << 32 | k, "its owner's last value");
	}
	/*
	 * No bound asserted: how many retired slots wait for their grace
	 * period depends on how often the threads' epochs advance (several
	 * MiB here, before per-CPU caches too); hash_layout checks reuse.
	 */
	bpfhost_close(fd);
}

static void *fill(void *arg)
{
	uint32_t base = (uint32_t)(uintptr_t)arg * MAX_FULL;

	for (uint32_t k = base; k < base + MAX_FULL; k++) {
		uint64_t v = k;
		int err = bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST);

		if (!err)
			inserted++;
		else
			errors += err != -E2BIG;
	}
	return NULL;
}

static void full_map_takes_exactly_max_entries(void)
{
	pthread_t t[THREADS];
	uint32_t key, next, n = 0;
	int err;

	atomic_store(&errors, 0);
	fd = test_map(BPF_MAP_TYPE_HASH, "cache_full", 4, 8, MAX_FULL, BPF_F_NO_PREALLOC);
	for (uintptr_t i = 0; i < THREADS; i++)
		ASSERT_OK(pthread_create(&t[i], NULL, fill, (void *)i), "thread");
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	ASSERT_EQ(atomic_load(&errors), 0, "only -E2BIG refusals");
	ASSERT_EQ(atomic_load(&inserted), MAX_FULL, "exactly max_entries inserts succeeded");
	for (err = bpfhost_map_get_next_key(fd, NULL, &next); !err && n <= MAX_FULL;
	     err = bpfhost_map_get_next_key(fd, &key, &next)) {
		key = next;
		n++;
	}
	ASSERT_EQ(n, MAX_FULL, "the map holds max_entries keys");
	bpfhost_close(fd);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(churn_from_more_threads_than_cpus),
		TEST(full_map_takes_exactly_max_entries),
	};

	return test_run("hash_slab_cache_stress", cases, sizeof(cases) / sizeof(cases[0]));
}
