// SPDX-License-Identifier: MIT
/*
 * Stress, contract v2: threads add to the same few keys of a "sum" map
 * (update pre-processing stores stored + new) on both bases. The core makes
 * each update an atomic read-modify-write of its key (a writer that lost
 * the race has its prepared value undone and is asked again), so no add may
 * be lost: each key ends at exactly the total added to it, every undone
 * or displaced object is released, and lookups running meanwhile only ever
 * see totals that grow. Run under ASan and TSan.
 */
#include "provider_fixture.h"

#include <pthread.h>

#define THREADS 4
#define ADDS 3000
#define KEYS 3

static int map_fd;
static atomic_long bad_reads, errors;

static void *adder(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg;

	for (uint32_t i = 0; i < ADDS; i++) {
		uint32_t k = (i + id) % KEYS;
		uint64_t one = 1;
		int err = bpfhost_map_update_elem(map_fd, &k, &one, BPF_ANY);

		if (err && atomic_fetch_add(&errors, 1) < 5)
			fprintf(stderr, "update: %d %s\n", err, bpfhost_last_error());
	}
	return NULL;
}

static void *reader(void *arg)
{
	uint64_t last[KEYS] = { 0 };

	(void)arg;
	for (int i = 0; i < ADDS; i++) {
		uint32_t k = (uint32_t)i % KEYS;
		uint64_t v = 0;

		if (bpfhost_map_lookup_elem(map_fd, &k, &v) == 0) {
			if (v < last[k])
				atomic_fetch_add(&bad_reads, 1);
			last[k] = v;
		}
	}
	return NULL;
}

static void sum_map(uint32_t base)
{
	pthread_t t[THREADS + 1];
	uint64_t total = 0;
	int mod;

	tp_config_one(TP_TYPE, base, 1, TP_ALL_POST);
	tp()->config.types[0].v2 = 1;
	tp()->config.types[0].combine = TP_COMBINE_SUM;
	tp()->config.update_yield = 1;
	tp()->quiet = 1;
	mod = tp_load();
	ASSERT_GE(mod, 1, "load");
	map_fd = bpfhost_map_create(TP_TYPE, "sum", 4, 8, KEYS, NULL);
	ASSERT_GE(map_fd, 1, "create");
	atomic_store(&errors, 0);
	atomic_store(&bad_reads, 0);
	for (uintptr_t i = 0; i < THREADS; i++)
		ASSERT_OK(pthread_create(&t[i], NULL, adder, (void *)i), "adder");
	ASSERT_OK(pthread_create(&t[THREADS], NULL, reader, NULL), "reader");
	for (int i = 0; i <= THREADS; i++)
		pthread_join(t[i], NULL);
	ASSERT_EQ(atomic_load(&errors), 0, "every update succeeded");
	ASSERT_EQ(atomic_load(&bad_reads), 0, "totals only grow");
	for (uint32_t k = 0; k < KEYS; k++) {
		uint64_t v = 0;

		ASSERT_OK(bpfhost_map_lookup_elem(map_fd, &k, &v), "lookup");
		total += v;
	}
	ASSERT_EQ(total, (uint64_t)THREADS * ADDS, "no add was lost");
	ASSERT_EQ(tp()->live_objects, KEYS, "one object per key: undone and displaced ones released");
	/*
	 * Each add prepared once, plus once per lost race, and every value but
	 * the KEYS stored ones left again (displaced or undone; an array also
	 * displaces the zero-filled element, which no update prepared).
	 */
	ASSERT_EQ(atomic_load(&tp()->counts[TP_UPDATE]),
		  atomic_load(&tp()->counts[TP_POST_DELETE]) + (base == BPFHOST_BASE_MAP_TYPE_HASH ? KEYS : 0),
		  "every prepared value but the stored ones left exactly once");
	fprintf(stderr, "base %u: %ld update calls for %d adds (the rest were lost races, redone)\n", base,
		atomic_load(&tp()->counts[TP_UPDATE]), THREADS * ADDS);
	bpfhost_close(map_fd);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	ASSERT_EQ(tp()->live_objects, 0, "nothing leaked");
	tp()->quiet = 0;
}

static void t_sum_hash(void)
{
	sum_map(BPFHOST_BASE_MAP_TYPE_HASH);
}

static void t_sum_array(void)
{
	sum_map(BPFHOST_BASE_MAP_TYPE_ARRAY);
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_sum_hash), TEST(t_sum_array) };

	return test_run("custom_map_v2_stress", cases, sizeof(cases) / sizeof(cases[0]));
}
