// SPDX-License-Identifier: MIT
/*
 * The rolling LRU workload from the program side: a full LRU_HASH, keys
 * that roll past max_entries, a lookup and an update on each miss. Every
 * miss evicts and inserts (nothing is referenced, so eviction is oldest
 * first and the map ends holding exactly the last max_entries keys, with
 * their values), and the victims' slots are reused once the epoch lets
 * them go: the heap does not grow with the number of evictions.
 */
#define _GNU_SOURCE
#include "test.h"

#include <malloc.h>

#include "maps/map.h"

#define ENTRIES 1024u

static size_t heap_in_use(void)
{
	struct mallinfo2 m = mallinfo2();

	return m.uordblks + m.hblkhd;
}

/* @n rolling operations from key @from on; returns the misses. */
static uint32_t roll(struct bh_map *map, uint32_t from, uint32_t n)
{
	uint32_t misses = 0;

	epoch_enter();
	for (uint32_t k = from; k < from + n; k++) {
		uint64_t v = (uint64_t)k * 3;

		if (!map->ops->lookup_elem(map, &k)) {
			misses++;
			ASSERT_OK((int)map->ops->update_elem(map, &k, &v, BPF_ANY), "update on miss");
		}
		/* A test run leaves its epoch every 1,024 runs: so do we. */
		if ((k & 1023) == 1023)
			epoch_quiesce();
	}
	epoch_exit();
	return misses;
}

static void rolling_keys_evict_oldest_and_reuse_slots(void)
{
	int fd = test_map(BPF_MAP_TYPE_LRU_HASH, "rolling", 4, 8, ENTRIES, 0);
	struct bh_map *map;
	size_t warm, after;
	uint32_t count = 0, key, next;
	uint64_t v;

	epoch_enter();
	map = bh_map_from_handle(fd, "test");
	epoch_exit();
	ASSERT_TRUE(map != NULL, "map");
	ASSERT_EQ(roll(map, 0, ENTRIES), ENTRIES, "filling: every key a miss");
	ASSERT_EQ(roll(map, ENTRIES, 20 * ENTRIES), 20 * ENTRIES, "rolling keys always miss");
	epoch_synchronize();
	warm = heap_in_use();
	ASSERT_EQ(roll(map, 21 * ENTRIES, 200 * ENTRIES), 200 * ENTRIES, "still always a miss");
	epoch_synchronize();
	after = heap_in_use();
	printf("heap after 21K evictions %zu, after 221K %zu\n", warm, after);
	ASSERT_GE(warm + warm / 10, after, "200K more evictions grow the heap by less than 10%");

	for (int err = bpfhost_map_get_next_key(fd, NULL, &next); !err;
	     err = bpfhost_map_get_next_key(fd, &key, &next)) {
		ASSERT_GE(next, 221 * ENTRIES - ENTRIES, "only the last ENTRIES keys are left");
		key = next;
		count++;
	}
	ASSERT_EQ(count, ENTRIES, "the map is full");
	for (key = 221 * ENTRIES - ENTRIES; key < 221 * ENTRIES; key++) {
		ASSERT_OK(bpfhost_map_lookup_elem(fd, &key, &v), "a recent key is there");
		ASSERT_EQ(v, (uint64_t)key * 3, "with its value");
	}
	bpfhost_close(fd);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(rolling_keys_evict_oldest_and_reuse_slots),
	};

	return test_run("lru_hash_rolling", cases, sizeof(cases) / sizeof(cases[0]));
}
