// SPDX-License-Identifier: MIT
/*
 * Stress: worker threads update and read custom maps (hash and array base)
 * and a core HASH map while the main thread force-unloads the providing
 * module, closes the orphans, loads it again and creates fresh maps, over
 * and over. Only the errnos the contract allows may come back; at the end
 * no provider object and no handle is left. Run under ASan and TSan.
 */
#include "provider_fixture.h"

#include <pthread.h>
#include <time.h>

#define WORKERS 3
#define CYCLES 25

static atomic_int hash_fd, array_fd, core_fd;
static atomic_bool stop;
static atomic_long ops, unexpected;

static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void expect(int ret, const char *what)
{
	switch (ret) {
	case 0:
	case -ENOENT:	/* missing key */
	case -EEXIST:	/* NOEXIST */
	case -E2BIG:	/* full, or index out of range */
	case -ENODEV:	/* the map was orphaned by the unload */
	case -EBADF:	/* the handle was closed meanwhile */
	case -EINVAL:	/* array delete */
		return;
	}
	if (atomic_fetch_add(&unexpected, 1) < 10)
		fprintf(stderr, "unexpected %d from %s: %s\n", ret, what, bpfhost_last_error());
}

static void *worker(void *arg)
{
	uint32_t seed = (uint32_t)(uintptr_t)arg * 2654435761u + 1;

	while (!atomic_load(&stop)) {
		uint32_t r = next_rand(&seed), k = r % 16, batch[4] = { k, k + 1, k + 2, k + 3 }, count = 4;
		uint64_t v = r, out, vals[4] = { 1, 2, 3, 4 };
		int h = atomic_load(&hash_fd), a = atomic_load(&array_fd), c = atomic_load(&core_fd);

		switch (r % 9) {
		case 0: expect(bpfhost_map_update_elem(h, &k, &v, (r >> 8) % 3), "custom hash update"); break;
		case 1: expect(bpfhost_map_lookup_elem(h, &k, &out), "custom hash lookup"); break;
		case 2: expect(bpfhost_map_delete_elem(h, &k), "custom hash delete"); break;
		case 3: expect(bpfhost_map_lookup_and_delete_elem(h, &k, &out), "custom hash lookup_and_delete"); break;
		case 4: expect(bpfhost_map_update_batch(h, batch, vals, &count, NULL), "custom hash batch"); break;
		case 5: expect(bpfhost_map_update_elem(a, &k, &v, BPF_ANY), "custom array update"); break;
		case 6: expect(bpfhost_map_lookup_elem(a, &k, &out), "custom array lookup"); break;
		case 7: expect(bpfhost_map_update_elem(c, &k, &v, BPF_ANY), "core update"); break;
		default: expect(bpfhost_map_lookup_elem(c, &k, &out), "core lookup"); break;
		}
		atomic_fetch_add(&ops, 1);
	}
	return NULL;
}

static int load(void)
{
	struct tp_state *s = tp();
	int h;

	memset(&s->config, 0, sizeof(s->config));
	s->config.ntypes = 2;
	s->config.types[0] = (struct tp_type_config){ .map_type = TP_TYPE, .base_map_type = BPFHOST_BASE_MAP_TYPE_HASH,
						     .updates_original_value = 1, .callbacks = TP_ALL_POST };
	s->config.types[1] = (struct tp_type_config){ .map_type = TP_TYPE2, .base_map_type = BPFHOST_BASE_MAP_TYPE_ARRAY,
						     .updates_original_value = 1, .callbacks = TP_ALL_PRE };
	s->quiet = 1;
	h = tp_load();
	ASSERT_GE(h, 1, "load");
	atomic_store(&hash_fd, bpfhost_map_create(TP_TYPE, "stress_h", 4, 8, 12, NULL));
	atomic_store(&array_fd, bpfhost_map_create(TP_TYPE2, "stress_a", 4, 8, 16, NULL));
	ASSERT_GE(atomic_load(&hash_fd), 1, "custom hash");
	ASSERT_GE(atomic_load(&array_fd), 1, "custom array");
	return h;
}

static void unload_reload_under_load(void)
{
	pthread_t threads[WORKERS];
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int h;

	atomic_store(&core_fd, test_map(BPF_MAP_TYPE_HASH, "stress_core", 4, 8, 12, 0));
	h = load();
	for (long i = 0; i < WORKERS; i++)
		pthread_create(&threads[i], NULL, worker, (void *)(i + 1));
	for (int cycle = 0; cycle < CYCLES; cycle++) {
		int old_h = atomic_load(&hash_fd), old_a = atomic_load(&array_fd);

		nanosleep(&pause, NULL);
		ASSERT_OK(bpfhost_extension_unload(h, BPFHOST_UNLOAD_FORCE), "forced unload under load");
		ASSERT_OK(bpfhost_close(old_h), "close orphaned hash");
		ASSERT_OK(bpfhost_close(old_a), "close orphaned array");
		h = load();
	}
	atomic_store(&stop, true);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(threads[i], NULL);
	bpfhost_close(atomic_load(&hash_fd));
	bpfhost_close(atomic_load(&array_fd));
	bpfhost_close(atomic_load(&core_fd));
	ASSERT_OK(bpfhost_extension_unload(h, 0), "final unload");
	bpfhost_synchronize();
	ASSERT_EQ(atomic_load(&unexpected), 0, "only the allowed errnos");
	ASSERT_GE(atomic_load(&ops), CYCLES, "workers made progress");
	ASSERT_EQ(tp()->live_objects, 0, "no provider object leaked");
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
	printf("  %ld operations across %d unload/reload cycles\n", atomic_load(&ops), CYCLES);
}

int main(void)
{
	static const struct test_case cases[] = { TEST(unload_reload_under_load) };

	return test_run("custom_map_stress", cases, 1);
}
