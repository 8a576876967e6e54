// SPDX-License-Identifier: MIT
/*
 * The verification arena (see arena.h). Under ASan every block not handed
 * out is poisoned, so a state used after it was freed is still caught as
 * it was with malloc.
 */
#include "arena.h"
#include "../platform/platform.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* 64 KB chunks stay below malloc's mmap threshold; the cache keeps up to 2 MB between loads. */
#define CHUNK_SIZE (64u << 10)
#define CACHE_MAX 32u

struct bh_arena_chunk {
	struct bh_arena_chunk *next;
	uint64_t pad[7];	/* blocks start 64-byte aligned (if malloc's are) */
	char data[];
};

#define CHUNK_DATA (CHUNK_SIZE - sizeof(struct bh_arena_chunk))

/* A block too large for the free lists: its own allocation, listed so that release frees it. */
struct bh_arena_big {
	struct bh_arena_big *next, *prev;
	uint64_t pad[6];
	char data[];
};

static void *big_alloc(struct bh_varena *a, size_t size)
{
	struct bh_arena_big *b = plat_alloc(sizeof(*b) + size);

	if (!b)
		return NULL;
	b->prev = NULL;
	b->next = a->big;
	if (a->big)
		a->big->prev = b;
	a->big = b;
	return b->data;
}

static void big_free(struct bh_varena *a, void *p)
{
	struct bh_arena_big *b = (struct bh_arena_big *)((char *)p - offsetof(struct bh_arena_big, data));

	if (b->prev)
		b->prev->next = b->next;
	else
		a->big = b->next;
	if (b->next)
		b->next->prev = b->prev;
	plat_free(b);
}

/* Chunks between verifications: any thread's load may take them. */
static struct plat_spinlock cache_lock;
static struct bh_arena_chunk *cache;
static unsigned cache_len;

static struct bh_arena_chunk *chunk_get(void)
{
	struct bh_arena_chunk *c;

	plat_spin_lock(&cache_lock);
	c = cache;
	if (c) {
		cache = c->next;
		cache_len--;
	}
	plat_spin_unlock(&cache_lock);
	if (!c)
		c = plat_alloc(CHUNK_SIZE);
	if (c)
		POISON(c->data, CHUNK_DATA);
	return c;
}

static void chunk_put(struct bh_arena_chunk *c)
{
	plat_spin_lock(&cache_lock);
	if (cache_len < CACHE_MAX) {
		c->next = cache;
		cache = c;
		cache_len++;
		c = NULL;
	}
	plat_spin_unlock(&cache_lock);
	if (c) {
		UNPOISON(c->data, CHUNK_DATA);
		plat_free(c);
	}
}

/* The size class of a block of @size bytes (<= BH_ARENA_MAX_BLOCK) and its rounded size. */
static unsigned size_class(size_t size, size_t *block)
{
	unsigned cls;

	if (size <= BH_ARENA_FINE) {
		cls = (unsigned)((size + BH_ARENA_GRAIN - 1) / BH_ARENA_GRAIN);
		*block = (size_t)cls * BH_ARENA_GRAIN;
		return cls;
	}
	for (cls = BH_ARENA_FINE / BH_ARENA_GRAIN + 1, *block = 2 * BH_ARENA_FINE; *block < size; cls++)
		*block *= 2;
	return cls;
}

void *bh_arena_alloc(struct bh_varena *a, size_t size)
{
	size_t n;
	void **head;
	char *p;

	if (size > BH_ARENA_MAX_BLOCK)
		return big_alloc(a, size);
	head = &a->free[size_class(size ? size : 1, &n)];
	if (*head) {
		p = *head;
		UNPOISON(p, sizeof(void *));
		*head = *(void **)p;
		UNPOISON(p, n);
		return p;
	}
	if ((size_t)(a->end - a->bump) < n) {
		struct bh_arena_chunk *c = chunk_get();

		if (!c)
			return NULL;
		c->next = a->chunks;
		a->chunks = c;
		a->bump = c->data;
		a->end = c->data + CHUNK_DATA;
	}
	p = a->bump;
	a->bump += n;
	UNPOISON(p, n);
	return p;
}

void bh_arena_free(struct bh_varena *a, void *p, size_t size)
{
	size_t n;
	void **head;

	if (!p)
		return;
	if (size > BH_ARENA_MAX_BLOCK) {
		big_free(a, p);
		return;
	}
	head = &a->free[size_class(size ? size : 1, &n)];
	*(void **)p = *head;
	*head = p;
	POISON(p, n);
}

void bh_arena_release(struct bh_varena *a)
{
	while (a->big)
		big_free(a, a->big->data);
	while (a->chunks) {
		struct bh_arena_chunk *c = a->chunks;

		a->chunks = c->next;
		chunk_put(c);
	}
	plat_memset(a, 0, sizeof(*a));
}
