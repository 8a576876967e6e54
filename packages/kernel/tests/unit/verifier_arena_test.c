// SPDX-License-Identifier: MIT
/*
 * The verification arena (src/verifier/arena.c): blocks of every size class
 * and past the largest keep their contents apart, a freed block is what
 * the next allocation of its class gets, blocks too large for the free
 * lists are freed with the arena (ASan's leak check runs this test), and
 * the chunks a released arena gives back serve the next one.
 */
#include <string.h>

#include "test.h"
#include "verifier/arena.h"

static const size_t sizes[] = { 1, 63, 64, 65, 600, 1280, 2048, 2049, 4096, 7168, 8193, 16384, 16385, 100000 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static void t_blocks_apart(void)
{
	struct bh_varena a = { 0 };
	unsigned char *p[NSIZES];

	for (size_t i = 0; i < NSIZES; i++) {
		p[i] = bh_arena_alloc(&a, sizes[i]);
		ASSERT_TRUE(p[i] != NULL, "allocated");
		memset(p[i], (int)i + 1, sizes[i]);
	}
	for (size_t i = 0; i < NSIZES; i++) {
		size_t bad = 0;

		for (size_t b = 0; b < sizes[i]; b++)
			bad += p[i][b] != (unsigned char)(i + 1);
		ASSERT_EQ(bad, 0, "no block overlaps another");
	}
	bh_arena_release(&a);
	ASSERT_TRUE(a.chunks == NULL && a.big == NULL && a.bump == NULL, "released: nothing held");
}

static void t_reuse(void)
{
	struct bh_varena a = { 0 };

	for (size_t i = 0; i < NSIZES; i++) {
		void *p = bh_arena_alloc(&a, sizes[i]), *q;

		ASSERT_TRUE(p != NULL, "allocated");
		bh_arena_free(&a, p, sizes[i]);
		q = bh_arena_alloc(&a, sizes[i]);
		if (sizes[i] <= BH_ARENA_MAX_BLOCK)
			ASSERT_TRUE(q == p, "a freed block is the next of its size class");
		/* Past the largest class: its own allocation, freed and made again. */
		bh_arena_free(&a, q, sizes[i]);
	}
	/* One size class shared by sizes that round alike. */
	{
		void *p = bh_arena_alloc(&a, 65), *q;

		bh_arena_free(&a, p, 65);
		q = bh_arena_alloc(&a, 128);
		ASSERT_TRUE(q == p, "65 and 128 bytes share a class");
	}
	/* Big blocks left allocated go with the arena. */
	ASSERT_TRUE(bh_arena_alloc(&a, 50000) != NULL && bh_arena_alloc(&a, 70000) != NULL, "big blocks");
	bh_arena_release(&a);
	ASSERT_TRUE(a.big == NULL, "big blocks freed by the release");
}

static void t_chunks_cached(void)
{
	struct bh_varena a = { 0 }, b = { 0 };
	void *first;

	first = bh_arena_alloc(&a, 64);
	ASSERT_TRUE(first != NULL, "allocated");
	bh_arena_release(&a);
	/* The cache hands back the chunk just released (last in, first out). */
	ASSERT_TRUE(bh_arena_alloc(&b, 64) == first, "the next arena starts in the cached chunk");
	bh_arena_release(&b);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_blocks_apart),
		TEST(t_reuse),
		TEST(t_chunks_cached),
	};

	return test_run("verifier_arena", cases, sizeof(cases) / sizeof(cases[0]));
}
