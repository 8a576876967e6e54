// SPDX-License-Identifier: MIT
/*
 * Stress: threads raise the same keys of the sample's max tracker with
 * values in different orders while a reader looks them up. The core's
 * per-key read-modify-write (contract v2) means no update can lower a key or
 * be lost: each key ends at the largest value any thread wrote to it, and
 * a reader never sees a key go down. Run under ASan and TSan.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "test.h"
#include "sample_ext.h"

#define THREADS 4
#define ROUNDS 20000
#define KEYS 4

static int map_fd;
static atomic_long lowered, failed;
static atomic_int ready;

/* All threads start together, so their updates of a key really overlap. */
static void start_line(void)
{
	atomic_fetch_add(&ready, 1);
	while (atomic_load(&ready) < THREADS + 1)
		sched_yield();
}

static void *writer(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg;

	start_line();
	for (uint32_t i = 0; i < ROUNDS; i++) {
		uint32_t k = i % KEYS;
		/* Interleaved: thread t writes t, t + THREADS, ...; odd threads count down. */
		uint64_t v = (id % 2 ? (uint64_t)(ROUNDS - 1 - i) : i) * THREADS + id;

		if (bpfhost_map_update_elem(map_fd, &k, &v, BPF_ANY))
			atomic_fetch_add(&failed, 1);
	}
	return NULL;
}

static void *reader(void *arg)
{
	uint64_t last[KEYS] = { 0 };

	(void)arg;
	start_line();
	for (uint32_t i = 0; i < ROUNDS; i++) {
		uint32_t k = i % KEYS;
		uint64_t v;

		if (bpfhost_map_lookup_elem(map_fd, &k, &v) == 0) {
			if (v < last[k])
				atomic_fetch_add(&lowered, 1);
			last[k] = v;
		}
	}
	return NULL;
}

static void t_concurrent_max(void)
{
	int mod = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH);
	pthread_t t[THREADS + 1];

	ASSERT_GE(mod, 1, "load sample_ext.so");
	map_fd = bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_MAX_TRACKER, "maxes", 4, 8, KEYS, NULL);
	ASSERT_GE(map_fd, 1, "create");
	for (uintptr_t i = 0; i < THREADS; i++)
		ASSERT_OK(pthread_create(&t[i], NULL, writer, (void *)i), "writer");
	ASSERT_OK(pthread_create(&t[THREADS], NULL, reader, NULL), "reader");
	for (int i = 0; i <= THREADS; i++)
		pthread_join(t[i], NULL);
	ASSERT_EQ(atomic_load(&failed), 0, "every update succeeded");
	ASSERT_EQ(atomic_load(&lowered), 0, "no key ever went down");
	for (uint32_t k = 0; k < KEYS; k++) {
		uint64_t want = 0, v = 0;

		/* The largest value written to k: the last round with i % KEYS == k, any thread. */
		for (uint32_t id = 0; id < THREADS; id++)
			for (uint32_t i = k; i < ROUNDS; i += KEYS) {
				uint64_t w = (id % 2 ? (uint64_t)(ROUNDS - 1 - i) : i) * THREADS + id;

				want = w > want ? w : want;
			}
		ASSERT_OK(bpfhost_map_lookup_elem(map_fd, &k, &v), "lookup");
		ASSERT_EQ(v, want, "the key holds the largest value written to it");
	}
	bpfhost_close(map_fd);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_concurrent_max) };

	return test_run("sample_ext_max_tracker_stress", cases, sizeof(cases) / sizeof(cases[0]));
}
