// SPDX-License-Identifier: MIT
/*
 * Where a hash map's memory comes from: blocks of 1 MiB and more are whole
 * 2 MiB-aligned huge pages (and counted as such), a 64K-entry HASH has
 * 64K 8-byte buckets (512 KiB, lock bits included), its elements are 64-byte slots
 * of huge-page chunks (one cache line each), deletes and replaces give
 * slots back once the epoch lets them go, and a reused slot starts zeroed
 * (a PERCPU_HASH program update leaves the other CPUs' values 0).
 */
#define _GNU_SOURCE	/* sched_setaffinity */
#include <sched.h>

#include "test.h"
#include "map_handle.h"

#include "maps/htab.h"
#include "maps/node_slab.h"

#define BIG 65536u
#define N 4096u

/* 1 MiB + 1 byte takes one 2 MiB huge page, aligned, zeroed, counted; 512 KiB does not. */
static void big_blocks_are_whole_huge_pages(void)
{
	size_t before = plat_huge_bytes();
	unsigned char *p = plat_alloc_aligned(PLAT_HUGE_MIN + 1), *small;
	size_t nonzero = 0;

	ASSERT_TRUE(p != NULL, "huge block");
	ASSERT_EQ((uintptr_t)p % PLAT_HUGE_PAGE, 0, "2 MiB aligned");
	ASSERT_EQ(plat_alloc_aligned_size(PLAT_HUGE_MIN + 1), PLAT_HUGE_PAGE, "rounded to a huge page");
	ASSERT_EQ(plat_huge_bytes() - before, PLAT_HUGE_PAGE, "counted as one huge page");
	for (size_t i = 0; i < PLAT_HUGE_PAGE; i++)
		nonzero += p[i] != 0;
	ASSERT_EQ(nonzero, 0, "zeroed to the end of the rounded size");
	memset(p, 0xab, PLAT_HUGE_PAGE);	/* the whole rounded size is usable */
	small = plat_alloc_aligned(PLAT_HUGE_MIN / 2);
	ASSERT_TRUE(small != NULL, "small block");
	ASSERT_EQ((uintptr_t)small % PLAT_CACHELINE, 0, "cache-line aligned");
	ASSERT_EQ(plat_huge_bytes() - before, PLAT_HUGE_PAGE, "a small block is not a huge one");
	plat_free_aligned(small);
	plat_free_aligned(p);
	ASSERT_EQ(plat_huge_bytes(), before, "freeing unmaps it");
}

/* A preallocated 64K-entry HASH: 64K buckets in 512 KiB, 64-byte elements in 2 MiB chunks. */
static void big_hash_on_huge_pages(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "big", 4, 8, BIG, 0);
	struct bh_map *map = test_map_of(fd);
	struct htab *h = htab_of(map);
	unsigned int misaligned = 0, chunk_off = 0;
	uint64_t bytes;

	ASSERT_EQ(sizeof(struct htab_bucket), 8, "a bucket is its head pointer");
	ASSERT_EQ(h->n_buckets, BIG, "load factor 1, no more");
	for (uint32_t k = 0; k < BIG; k++) {
		uint64_t v = (uint64_t)k * 3;

		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), "fill");
	}
	epoch_enter();
	for (uint32_t k = 0; k < BIG; k++) {
		uint64_t *v = map->ops->lookup_elem(map, &k);
		uintptr_t e = (uintptr_t)v - sizeof(struct htab_elem) - 8;

		ASSERT_TRUE(v != NULL && *v == (uint64_t)k * 3, "stored value found");
		misaligned += e % PLAT_CACHELINE != 0;
		/* Chunks are 2 MiB huge pages: an element never crosses one. */
		chunk_off += e / PLAT_HUGE_PAGE != (e + PLAT_CACHELINE - 1) / PLAT_HUGE_PAGE;
	}
	epoch_exit();
	bytes = test_map_mem(map);
	printf("%u entries: %llu bytes, %.1f per entry\n", BIG, (unsigned long long)bytes, (double)bytes / BIG);
	ASSERT_EQ(misaligned, 0, "every element in its own cache line");
	ASSERT_EQ(chunk_off, 0, "no element crosses a huge page");
	/* 512 KiB of buckets, 64K x 64 bytes of elements in exactly two 2 MiB chunks. */
	ASSERT_GE(2 * PLAT_HUGE_PAGE + BIG * 8 + 4096 + bh_slab_cache_bytes(h->slab), bytes,
		  "buckets, two element chunks and the per-CPU caches");
	ASSERT_GE(bytes, 2 * PLAT_HUGE_PAGE + BIG * 8, "every chunk counted");
	bpfhost_close(fd);
}

/*
 * The same fill moving between two CPUs every 4096 inserts: each CPU's
 * element cache may keep a batch the other cannot use, so the slab may
 * take one chunk more than the entries need, never more than that.
 */
static void big_hash_filled_across_cpus(void)
{
	cpu_set_t one, back;
	int fd, on = 0;
	struct htab *h;
	uint64_t bytes;

	CPU_ZERO(&one);
	CPU_SET(1, &one);
	if (plat_num_possible_cpus() < 2 || sched_getaffinity(0, sizeof(back), &back) ||
	    sched_setaffinity(0, sizeof(one), &one)) {
		printf("skipped: needs CPUs 0 and 1 to move between\n");
		return;
	}
	fd = test_map(BPF_MAP_TYPE_HASH, "moving", 4, 8, BIG, 0);
	h = htab_of(test_map_of(fd));
	for (uint32_t k = 0; k < BIG; k++) {
		uint64_t v = k;

		if (k % 4096 == 0) {
			on ^= 1;
			CPU_ZERO(&one);
			CPU_SET(on, &one);
			ASSERT_OK(sched_setaffinity(0, sizeof(one), &one), "move to the other CPU");
		}
		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), "fill");
	}
	bytes = test_map_mem(&h->map);
	printf("filled on two CPUs: %llu bytes\n", (unsigned long long)bytes);
	ASSERT_GE(3 * PLAT_HUGE_PAGE + BIG * 8 + 4096 + bh_slab_cache_bytes(h->slab), bytes,
		  "at most one chunk more than on one CPU");
	for (uint32_t k = 0; k < BIG; k += 997) {
		uint64_t v = 0;

		ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &v), "every key stored");
		ASSERT_EQ(v, k, "its value");
	}
	bpfhost_close(fd);
	ASSERT_OK(sched_setaffinity(0, sizeof(back), &back), "affinity restored");
}

/* 256K entries: 2 MiB of buckets, exactly one huge page (no doubling into more). */
static void big_bucket_array_is_one_huge_page(void)
{
	size_t before = plat_huge_bytes();
	int fd = test_map(BPF_MAP_TYPE_HASH, "pages", 4, 8, 4 * BIG, BPF_F_NO_PREALLOC);
	struct htab *h = htab_of(test_map_of(fd));

	ASSERT_EQ(h->n_buckets, 4 * BIG, "load factor 1");
	ASSERT_EQ((uintptr_t)h->buckets % PLAT_HUGE_PAGE, 0, "buckets on a huge page");
	ASSERT_EQ(plat_huge_bytes() - before, PLAT_HUGE_PAGE, "one huge page");
	for (uint32_t k = 0; k < 1000; k++) {
		uint64_t v = k;

		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), "insert");
	}
	for (uint32_t k = 0; k < 1000; k += 2)
		ASSERT_OK(bpfhost_map_delete_elem(fd, &k), "delete");
	bpfhost_close(fd);
}

/* Replace and delete in rounds (NO_PREALLOC: small chunks): slots come back, memory stays. */
static void churn_reuses_elements(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "churn", 4, 8, N, BPF_F_NO_PREALLOC);
	struct bh_map *map = test_map_of(fd);
	uint64_t first = 0, last = 0;

	for (int round = 0; round <= 40; round++) {
		for (uint32_t k = 0; k < N; k++) {
			uint64_t v = (uint64_t)round << 32 | k;

			ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "insert or replace");
		}
		if (round % 2)
			for (uint32_t k = 0; k < N; k += 2)
				ASSERT_OK(bpfhost_map_delete_elem(fd, &k), "delete");
		epoch_synchronize();
		last = test_map_mem(map);
		if (round == 1)
			first = last;
	}
	printf("after 2 rounds %llu bytes, after 41 %llu\n", (unsigned long long)first, (unsigned long long)last);
	ASSERT_GE(first + first / 2, last, "41 rounds of churn need at most 1.5x two rounds' memory");
	for (uint32_t k = 0; k < N; k++) {
		uint64_t v = 0;

		ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &v), "last round's key");
		ASSERT_EQ(v, (uint64_t)40 << 32 | k, "last round's value");
	}
	bpfhost_close(fd);
}

/* Slots that held all-ones per-CPU values come back zeroed for a program's update. */
static void reused_percpu_slot_is_zeroed(void)
{
	int ncpu = plat_num_possible_cpus();
	int fd = test_map(BPF_MAP_TYPE_PERCPU_HASH, "pcpu", 4, 8, N, BPF_F_NO_PREALLOC);
	struct bh_map *map = test_map_of(fd);
	uint64_t *vals = calloc((size_t)ncpu, sizeof(*vals)), ones = ~0ull;
	unsigned int bad = 0;

	ASSERT_TRUE(vals != NULL, "values");
	for (int c = 0; c < ncpu; c++)
		vals[c] = ~0ull;
	/* Enough deletes for several retire batches to come back through the epoch. */
	for (int round = 0; round < 4; round++) {
		for (uint32_t k = 0; k < 512; k++)
			ASSERT_OK(bpfhost_map_update_elem(fd, &k, vals, BPF_NOEXIST), "user update, all CPUs");
		for (uint32_t k = 0; k < 512; k++)
			ASSERT_OK(bpfhost_map_delete_elem(fd, &k), "delete");
		epoch_synchronize();
	}
	epoch_enter();
	for (uint32_t k = 1000; k < 1512; k++)
		ASSERT_OK((int)map->ops->update_elem(map, &k, &ones, BPF_NOEXIST), "program update, one CPU");
	epoch_exit();
	for (uint32_t k = 1000; k < 1512; k++) {
		int set = 0;

		ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, vals), "lookup all CPUs");
		for (int c = 0; c < ncpu; c++) {
			set += vals[c] != 0;
			bad += vals[c] != 0 && vals[c] != ~0ull;
		}
		bad += set != 1;
	}
	ASSERT_EQ(bad, 0, "one CPU's value set, every other CPU's value 0");
	free(vals);
	bpfhost_close(fd);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(big_blocks_are_whole_huge_pages),
		TEST(big_hash_on_huge_pages),
		TEST(big_hash_filled_across_cpus),
		TEST(big_bucket_array_is_one_huge_page),
		TEST(churn_reuses_elements),
		TEST(reused_percpu_slot_is_zeroed),
	};

	/* Chunk counts are exact only on one CPU (ctest -j2 moved it: one chunk more). */
	test_pin_to_this_cpu();
	return test_run("hash_layout", cases, sizeof(cases) / sizeof(cases[0]));
}
