// SPDX-License-Identifier: MIT
/*
 * The node slab (node_slab.h). Chunks grow with the slab (about an eighth
 * of what it holds, 4 KiB to 256 KiB, then 2 MiB ones that the platform
 * backs with huge pages), so a small map stays small and a big one wastes
 * at most ~12% in its last chunk; a slab told to expect 2 MiB or more
 * (bh_slab_expect) takes 2 MiB chunks from the start. A free slot links to the next through
 * its first word; only the owner touches the free lists and chunks (its
 * lock); batches come back from the epoch on any thread through a
 * lock-free list (push only there, the owner takes the whole list).
 * With per-CPU caches, a cache takes a whole batch that came back and hands
 * its slots out in turn; only refills and drains take the owner's lock.
 */
#include "node_slab.h"

/*
 * Under AddressSanitizer a slot is poisoned while it is free (after its
 * grace period) or not yet handed out, so a use after the grace period
 * still reports as it would with malloc'd nodes.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif
#ifdef SLAB_ASAN
#include <sanitizer/asan_interface.h>
#define slot_poison(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define slot_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define slot_poison(p, n) ((void)(p), (void)(n))
#define slot_unpoison(p, n) ((void)(p), (void)(n))
#endif

#define SLAB_BATCH 62		/* slots per retire batch: one ~512-byte block */
#define CHUNK_MIN (4u << 10)
#define CHUNK_SMALL_MAX (256u << 10)
#define CHUNK_HUGE (2u << 20)

/* Kept outside the chunk, so a 2 MiB chunk holds a whole number of slots. */
struct slab_chunk {
	struct slab_chunk *next;
	void *mem;
};

struct slab_class {
	uint32_t slot;
	void *free;		/* free slots, linked through their first word */
	char *cur, *end;	/* the unused part of this class's current chunk */
};

struct slab_batch {
	struct epoch_head head;
	struct bh_slab *slab;
	struct slab_batch *next;	/* on the slab's ready list */
	uint32_t n;
	uintptr_t slot[SLAB_BATCH];	/* slot address | class */
};

/*
 * One CPU's cache (bh_slab_enable_cpu_caches): a batch past its grace
 * period whose slots it hands out (the slot addresses are in the batch, so
 * the next one is prefetched and no slot is read or linked before its
 * use), free slots, and retired ones not yet in a batch; free slots are
 * poisoned, as on the free lists. The lock is for the threads that share
 * a CPU number (preempted, or more threads than CPUs): uncontended, it
 * stays in this CPU's cache. 576 bytes.
 */
#define CPU_FREE_MAX 16
#define CPU_REFILL (CPU_FREE_MAX / 2)
#define CPU_BATCH 48

struct slab_cpu_cache {
	struct plat_spinlock lock;
	uint16_t nfree, nretired;
	struct slab_batch *mag;
	void *free[CPU_FREE_MAX];
	uintptr_t retired[CPU_BATCH];
} __attribute__((aligned(PLAT_CACHELINE)));

struct bh_slab {
	atomic_uint refs;		/* the owner's, and one per batch in flight */
	_Atomic(struct slab_batch *) ready;	/* batches past their grace period */
	struct slab_chunk *chunks;
	_Atomic uint64_t bytes;		/* chunk memory */
	uint64_t expect;		/* bh_slab_expect */
	unsigned int nclasses;
	struct slab_class cls[BH_SLAB_CLASSES];
	uint32_t npending;
	uintptr_t pending[SLAB_BATCH];	/* retired slots not yet in a batch */
	struct slab_cpu_cache *cpu;	/* per possible CPU, or NULL */
	uint32_t ncpu;
	struct slab_batch *full;	/* with caches: batches off ready, not yet a cache's */
};

uint32_t bh_slab_round(uint32_t size)
{
	uint32_t s = round_up(size ? size : 8, 8);

	if (s <= 16)
		return 16;
	if (s <= 32)
		return 32;
	if (s <= 64)
		return 64;
	return s;
}

struct bh_slab *bh_slab_create(unsigned int nclasses, const uint32_t *sizes)
{
	struct bh_slab *s;

	if (nclasses == 0 || nclasses > BH_SLAB_CLASSES)
		return NULL;
	s = plat_alloc(sizeof(*s));
	if (!s)
		return NULL;
	atomic_init(&s->refs, 1);
	s->nclasses = nclasses;
	for (unsigned int i = 0; i < nclasses; i++)
		s->cls[i].slot = bh_slab_round(sizes[i]);
	return s;
}

uint32_t bh_slab_slot_size(const struct bh_slab *s, unsigned int cls)
{
	return s->cls[cls].slot;
}

uint64_t bh_slab_bytes(const struct bh_slab *s)
{
	return atomic_load_explicit(&((struct bh_slab *)s)->bytes, memory_order_relaxed);
}

void bh_slab_expect(struct bh_slab *s, uint64_t bytes)
{
	s->expect = bytes;
}

static size_t chunk_bytes(const struct bh_slab *s, uint32_t slot)
{
	uint64_t want = atomic_load_explicit(&((struct bh_slab *)s)->bytes, memory_order_relaxed) / 8;
	size_t c = CHUNK_MIN;

	if (want >= CHUNK_HUGE || s->expect >= CHUNK_HUGE)
		c = CHUNK_HUGE;
	else
		while (c < CHUNK_SMALL_MAX && 2 * (uint64_t)c <= want)
			c *= 2;
	if (c < slot)
		c = round_up((size_t)slot, CHUNK_MIN);
	return c;
}

/* Moves every slot of the batches that came back onto the free lists. */
static void take_ready(struct bh_slab *s)
{
	struct slab_batch *b = atomic_exchange_explicit(&s->ready, NULL, memory_order_acquire);

	while (b) {
		struct slab_batch *next = b->next;

		for (uint32_t i = 0; i < b->n; i++) {
			struct slab_class *c = &s->cls[b->slot[i] & 7];
			void *p = (void *)(b->slot[i] & ~(uintptr_t)7);

			*(void **)p = c->free;
			c->free = p;
			slot_poison(p, c->slot);
		}
		plat_free(b);
		b = next;
	}
}

void *bh_slab_alloc(struct bh_slab *s, unsigned int cls)
{
	struct slab_class *c = &s->cls[cls];
	void *p;

	if (!c->free && atomic_load_explicit(&s->ready, memory_order_relaxed))
		take_ready(s);
	if (c->free) {
		p = c->free;
		slot_unpoison(p, c->slot);
		c->free = *(void **)p;
		/* The next pop reads that slot's link: start loading it now. */
		if (c->free)
			__builtin_prefetch(c->free, 1);
		return p;
	}
	if ((size_t)(c->end - c->cur) < c->slot) {
		size_t bytes = chunk_bytes(s, c->slot);
		struct slab_chunk *chunk = plat_alloc(sizeof(*chunk));

		if (!chunk)
			return NULL;
		chunk->mem = plat_alloc_aligned(bytes);
		if (!chunk->mem) {
			plat_free(chunk);
			return NULL;
		}
		chunk->next = s->chunks;
		s->chunks = chunk;
		atomic_fetch_add_explicit(&s->bytes, bytes, memory_order_relaxed);
		c->cur = chunk->mem;
		c->end = (char *)chunk->mem + bytes;
		slot_poison(c->cur, (size_t)(c->end - c->cur));
	}
	p = c->cur;
	c->cur += c->slot;
	slot_unpoison(p, c->slot);
	return p;
}

static void free_all(struct bh_slab *s)
{
	struct slab_batch *b = atomic_exchange_explicit(&s->ready, NULL, memory_order_acquire);

	while (b) {
		struct slab_batch *next = b->next;

		plat_free(b);
		b = next;
	}
	while (s->chunks) {
		struct slab_chunk *next = s->chunks->next;

		plat_free_aligned(s->chunks->mem);
		plat_free(s->chunks);
		s->chunks = next;
	}
	for (struct slab_batch *f = s->full, *next; f; f = next) {
		next = f->next;
		plat_free(f);
	}
	for (uint32_t i = 0; i < s->ncpu; i++)
		plat_free(s->cpu[i].mag);
	plat_free_aligned(s->cpu);
	plat_free(s);
}

/* A batch is past its grace period: its slots may be reused (any thread; frees only). */
static void batch_back(struct epoch_head *head)
{
	struct slab_batch *b = container_of(head, struct slab_batch, head);
	struct bh_slab *s = b->slab;
	struct slab_batch *top = atomic_load_explicit(&s->ready, memory_order_relaxed);

	do
		b->next = top;
	while (!atomic_compare_exchange_weak_explicit(&s->ready, &top, b, memory_order_release,
						      memory_order_relaxed));
	/* b may be reused from here on; s lives while this batch's reference does. */
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
		free_all(s);
}

/* Sends @n (<= SLAB_BATCH) retired slots through the epoch as one batch; any thread. */
static void retire_batch(struct bh_slab *s, const uintptr_t *slots, uint32_t n)
{
	struct slab_batch *b = plat_alloc(offsetof(struct slab_batch, slot) + n * sizeof(b->slot[0]));

	/* Out of memory: these slots stay unused until the slab goes; nothing breaks. */
	if (!b)
		return;
	b->slab = s;
	b->n = n;
	plat_memcpy(b->slot, slots, n * sizeof(b->slot[0]));
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	epoch_retire(&b->head, batch_back);
}

void bh_slab_retire(struct bh_slab *s, void *p, unsigned int cls)
{
	s->pending[s->npending++] = (uintptr_t)p | cls;
	if (s->npending < SLAB_BATCH)
		return;
	s->npending = 0;
	retire_batch(s, s->pending, SLAB_BATCH);
}

void bh_slab_free_unused(struct bh_slab *s, void *p, unsigned int cls)
{
	*(void **)p = s->cls[cls].free;
	s->cls[cls].free = p;
	slot_poison(p, s->cls[cls].slot);
}

int bh_slab_enable_cpu_caches(struct bh_slab *s)
{
	uint32_t n = (uint32_t)plat_num_possible_cpus();

	if (s->nclasses != 1)
		return -EINVAL;
	s->cpu = plat_alloc_aligned((size_t)n * sizeof(*s->cpu));
	if (!s->cpu)
		return -ENOMEM;
	plat_memset(s->cpu, 0, (size_t)n * sizeof(*s->cpu));
	for (uint32_t i = 0; i < n; i++)
		plat_spin_init(&s->cpu[i].lock);
	s->ncpu = n;
	return 0;
}

uint64_t bh_slab_cache_bytes(const struct bh_slab *s)
{
	return (uint64_t)s->ncpu * sizeof(*s->cpu);
}

static struct slab_cpu_cache *this_cpu_cache(struct bh_slab *s)
{
	return &s->cpu[(uint32_t)plat_cpu_id() % s->ncpu];
}

void *bh_slab_cached_alloc(struct bh_slab *s, struct plat_spinlock *owner)
{
	struct slab_cpu_cache *c = this_cpu_cache(s);
	uint32_t slot = s->cls[0].slot;
	struct slab_batch *done = NULL;
	void *p = NULL;

	plat_spin_lock(&c->lock);
	if (unlikely(!c->nfree && !c->mag)) {
		/* Cache lock, then the owner's: nobody takes them the other way round. */
		plat_spin_lock(owner);
		if (!s->full)
			s->full = atomic_exchange_explicit(&s->ready, NULL, memory_order_acquire);
		if (s->full) {
			c->mag = s->full;
			s->full = c->mag->next;
		} else {
			while (c->nfree < CPU_REFILL) {
				void *q = bh_slab_alloc(s, 0);

				if (!q)
					break;
				slot_poison(q, slot);
				c->free[c->nfree++] = q;
			}
		}
		plat_spin_unlock(owner);
#ifdef SLAB_ASAN
		for (uint32_t i = 0; c->mag && i < c->mag->n; i++)
			slot_poison((void *)c->mag->slot[i], slot);
#endif
	}
	if (c->nfree) {
		p = c->free[--c->nfree];
	} else if (c->mag) {
		struct slab_batch *m = c->mag;

		p = (void *)m->slot[--m->n];
		if (m->n)
			__builtin_prefetch((void *)m->slot[m->n - 1], 1);
		else {
			done = m;
			c->mag = NULL;
		}
	}
	if (p)
		slot_unpoison(p, slot);
	plat_spin_unlock(&c->lock);
	plat_free(done);
	return p;
}

void bh_slab_cached_retire(struct bh_slab *s, void *p)
{
	struct slab_cpu_cache *c = this_cpu_cache(s);
	uintptr_t full[CPU_BATCH];
	bool send = false;

	plat_spin_lock(&c->lock);
	c->retired[c->nretired++] = (uintptr_t)p;
	if (c->nretired == CPU_BATCH) {
		c->nretired = 0;
		plat_memcpy(full, c->retired, sizeof(full));
		send = true;
	}
	plat_spin_unlock(&c->lock);
	/* Outside the lock: epoch_retire may run other objects' reclaim callbacks. */
	if (send)
		retire_batch(s, full, CPU_BATCH);
}

void bh_slab_cached_free_unused(struct bh_slab *s, void *p, struct plat_spinlock *owner)
{
	struct slab_cpu_cache *c = this_cpu_cache(s);

	plat_spin_lock(&c->lock);
	if (unlikely(c->nfree == CPU_FREE_MAX)) {
		plat_spin_lock(owner);
		while (c->nfree > CPU_REFILL) {
			void *q = c->free[--c->nfree];

			slot_unpoison(q, s->cls[0].slot);
			bh_slab_free_unused(s, q, 0);
		}
		plat_spin_unlock(owner);
	}
	slot_poison(p, s->cls[0].slot);
	c->free[c->nfree++] = p;
	plat_spin_unlock(&c->lock);
}

void bh_slab_destroy(struct bh_slab *s)
{
	if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
		free_all(s);
}
