// SPDX-License-Identifier: MIT
/*
 * The LPM trie's node layout and memory: nodes come from the trie's node
 * store with no header and 4-byte child indices, an IPv4 node with a u64
 * value takes one 32-byte slot and a branch point a 16-byte one (never
 * straddling a cache line), a trie of N random /32 prefixes (N values,
 * N - 1 branch points) holds about 48 bytes per prefix, and nodes that
 * replace or delete retire are reused once the epoch lets them go, so
 * churn does not grow the trie.
 */
#include "test.h"
#include "map_handle.h"

#include "maps/map.h"

#define N 4096u

struct k4 {
	uint32_t plen;
	uint8_t d[4];
};

static struct k4 key32(uint32_t a)
{
	struct k4 k = { 32, { (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a } };

	return k;
}

static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random /32 prefixes: slots of 32 and 16 bytes, about 48 bytes of store per prefix. */
static void node_slots_fit_cache_lines(void)
{
	int fd = test_map(BPF_MAP_TYPE_LPM_TRIE, "layout", sizeof(struct k4), 8, N, BPF_F_NO_PREALLOC);
	struct bh_map *map = test_map_of(fd);
	uint32_t s = 12345, *addrs = calloc(N, sizeof(*addrs)), stored = 0;
	uint64_t bytes;
	unsigned int misaligned = 0;

	ASSERT_TRUE(addrs != NULL, "addresses");
	while (stored < N) {
		uint32_t a = next_rand(&s);
		struct k4 k = key32(a);
		uint64_t v = a;

		if (bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST) == 0)
			addrs[stored++] = a;
	}
	epoch_enter();
	for (uint32_t i = 0; i < N; i++) {
		struct k4 k = key32(addrs[i]);
		uint64_t *v = map->ops->lookup_elem(map, &k);

		ASSERT_TRUE(v != NULL && *v == addrs[i], "stored prefix found");
		/* The value ends the node: node = value - 16, a 32-byte slot. */
		if (v && ((uintptr_t)v - 16) % 32)
			misaligned++;
	}
	bytes = map->ops->mem_usage(map);
	epoch_exit();
	printf("%u prefixes: %llu bytes, %.1f per prefix\n", N, (unsigned long long)bytes,
	       (double)bytes / N);
	ASSERT_EQ(misaligned, 0, "every node in its own 32-byte slot");
	/*
	 * N slots of 32 bytes and N - 1 of 16, plus at most a sixteenth of
	 * commit step, a run per class and the first page.
	 */
	ASSERT_GE(48u * N * 17 / 16 + 3 * 4096, bytes, "about 48 bytes per prefix");
	ASSERT_GE(bytes, 48u * (N - 1), "every node counted");
	free(addrs);
	bpfhost_close(fd);
}

/* Replace and delete in rounds: retired nodes come back, the slab does not grow. */
static void churn_reuses_nodes(void)
{
	int fd = test_map(BPF_MAP_TYPE_LPM_TRIE, "churn", sizeof(struct k4), 8, N, BPF_F_NO_PREALLOC);
	struct bh_map *map = test_map_of(fd);
	uint64_t first = 0, last = 0;

	for (int round = 0; round <= 40; round++) {
		for (uint32_t i = 0; i < N; i++) {
			struct k4 k = key32(0x0a000000u + i * 977u);
			uint64_t v = (uint64_t)round << 32 | i;

			ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "insert or replace");
		}
		/* Every other round deletes half of them (leaves and branch points go). */
		if (round % 2)
			for (uint32_t i = 0; i < N; i += 2) {
				struct k4 k = key32(0x0a000000u + i * 977u);

				ASSERT_OK(bpfhost_map_delete_elem(fd, &k), "delete");
			}
		epoch_synchronize();
		last = test_map_mem(map);
		if (round == 1)
			first = last;
	}
	printf("after 2 rounds %llu bytes, after 41 %llu\n", (unsigned long long)first,
	       (unsigned long long)last);
	ASSERT_GE(first + first / 2, last, "41 rounds of churn need at most 1.5x two rounds' memory");
	for (uint32_t i = 0; i < N; i++) {
		struct k4 k = key32(0x0a000000u + i * 977u);
		uint64_t v = 0;

		ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &v), "last round's prefix");
		ASSERT_EQ(v, (uint64_t)40 << 32 | i, "last round's value");
	}
	bpfhost_close(fd);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(node_slots_fit_cache_lines),
		TEST(churn_reuses_nodes),
	};

	return test_run("lpm_trie_layout", cases, sizeof(cases) / sizeof(cases[0]));
}
