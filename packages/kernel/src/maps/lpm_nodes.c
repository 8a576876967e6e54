// SPDX-License-Identifier: MIT
/*
 * The LPM trie's node store (lpm_nodes.h). The region is reserved once,
 * sized from max_entries (four times the live bound, for nodes in their
 * grace period, at least 64 MiB of address space, at most what 32-bit
 * indices reach); only what the runs use is committed. A free slot links
 * to the next through its first 4 bytes (an index); only the owner touches
 * the free lists and runs (its lock); batches come back from the epoch on
 * any thread through a lock-free list (push only there, the owner takes
 * the whole list).
 */
#include "lpm_nodes.h"
#include "node_slab.h"	/* bh_slab_round: the same slot sizes as the other node stores */

/*
 * Under AddressSanitizer a slot is poisoned while it is free (after its
 * grace period) or not yet handed out, so a use after the grace period
 * reports as it would with malloc'd nodes.
 */
#if defined(__SANITIZE_ADDRESS__)
#define NODES_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NODES_ASAN 1
#endif
#endif
#ifdef NODES_ASAN
#include <sanitizer/asan_interface.h>
#define nodes_poison(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define nodes_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define nodes_poison(p, n) ((void)(p), (void)(n))
#define nodes_unpoison(p, n) ((void)(p), (void)(n))
#endif

#define NODES_BATCH 60			/* slots per retire batch (~512 bytes) */
#define NODES_RUN_MIN 512U		/* a class's run of slots: a sixteenth of the region */
#define NODES_RUN_MAX 4096U		/* used so far, within these bounds */
#define NODES_FIRST 64U			/* offset 0 is index 0, no node: runs start a line on */
#define NODES_RESERVE_MIN ((uint64_t)64 << 20)
#define NODES_RESERVE_MAX ((uint64_t)UINT32_MAX * LPM_NODES_UNIT + LPM_NODES_UNIT)
/* From here on, commit whole 2 MiB pages (at most 1/16 of the region unused). */
#define NODES_HUGE_FROM ((size_t)32 << 20)
#define NODES_PAGE 4096U

struct nodes_class {
	uint32_t slot;
	uint32_t free;		/* free slots (indices), linked through their first 4 bytes */
	size_t cur, end;	/* the unused part of this class's current run (offsets) */
};

struct nodes_batch {
	struct epoch_head head;
	struct lpm_nodes *store;
	struct nodes_batch *next;	/* on the store's ready list */
	uint32_t n;
	uint64_t slot[NODES_BATCH];	/* index | class << 32 */
};

struct lpm_nodes {
	char *base;
	atomic_uint refs;		/* the owner's, and one per batch in flight */
	_Atomic(struct nodes_batch *) ready;	/* batches past their grace period */
	size_t reserved;		/* bytes of address space */
	_Atomic size_t committed;	/* bytes usable from base */
	size_t top;			/* where the next run starts */
	struct nodes_class cls[LPM_NODES_CLASSES];
	uint32_t npending;
	uint64_t pending[NODES_BATCH];	/* retired slots not yet in a batch */
};

static inline void *at(const struct lpm_nodes *s, size_t off)
{
	return s->base + off;
}

static inline uint32_t *link_of(const struct lpm_nodes *s, uint32_t idx)
{
	return (uint32_t *)at(s, (size_t)idx * LPM_NODES_UNIT);
}

struct lpm_nodes *lpm_nodes_create(const uint32_t sizes[LPM_NODES_CLASSES], uint32_t max_live)
{
	struct lpm_nodes *s = plat_alloc_aligned(sizeof(*s));
	uint64_t want = NODES_RESERVE_MIN;

	if (!s)
		return NULL;
	atomic_init(&s->refs, 1);
	for (unsigned int i = 0; i < LPM_NODES_CLASSES; i++) {
		struct nodes_class *c = &s->cls[i];

		c->slot = bh_slab_round(sizes[i]);
		want += 4 * (uint64_t)max_live * c->slot + NODES_RUN_MAX + c->slot;
	}
	if (want > NODES_RESERVE_MAX)
		want = NODES_RESERVE_MAX;
	s->reserved = (size_t)(want & ~(uint64_t)(PLAT_HUGE_PAGE - 1));
	s->top = NODES_FIRST;
	s->base = plat_reserve(s->reserved);
	if (!s->base) {
		plat_free_aligned(s);
		return NULL;
	}
	return s;
}

char *lpm_nodes_base(const struct lpm_nodes *s)
{
	return s->base;
}

uint32_t lpm_nodes_slot_size(const struct lpm_nodes *s, unsigned int cls)
{
	return s->cls[cls].slot;
}

uint64_t lpm_nodes_bytes(const struct lpm_nodes *s)
{
	return sizeof(*s) + atomic_load_explicit(&((struct lpm_nodes *)s)->committed, memory_order_relaxed);
}

/* Commits the region up to at least @end: a sixteenth more, whole 2 MiB pages once big. */
static bool commit_to(struct lpm_nodes *s, size_t end)
{
	size_t have = atomic_load_explicit(&s->committed, memory_order_relaxed);
	size_t to = have + have / 16;

	if (end > s->reserved)
		return false;
	if (to < end)
		to = end;
	to = round_up(to, (size_t)NODES_PAGE);
	if (to >= NODES_HUGE_FROM)
		to = round_up(to, PLAT_HUGE_PAGE);
	if (to > s->reserved)
		to = s->reserved;
	if (plat_commit(s->base, have, to))
		return false;
	nodes_poison(at(s, have), to - have);
	atomic_store_explicit(&s->committed, to, memory_order_relaxed);
	return true;
}

/* A new run: small while the trie is (a one-prefix trie takes one page), at least 4 slots. */
static size_t run_bytes(const struct lpm_nodes *s, uint32_t slot)
{
	size_t run = round_up(s->top / 16, (size_t)PLAT_CACHELINE);

	if (run < NODES_RUN_MIN)
		run = NODES_RUN_MIN;
	if (run > NODES_RUN_MAX)
		run = NODES_RUN_MAX;
	if (run < 4 * (size_t)slot)
		run = slot <= NODES_RUN_MAX / 4 ? NODES_RUN_MAX : slot;
	return run;
}

/* Moves every slot of the batches that came back onto the free lists. */
static void take_ready(struct lpm_nodes *s)
{
	struct nodes_batch *b = atomic_exchange_explicit(&s->ready, NULL, memory_order_acquire);

	while (b) {
		struct nodes_batch *next = b->next;

		for (uint32_t i = 0; i < b->n; i++)
			lpm_nodes_free_unused(s, (uint32_t)b->slot[i], (unsigned int)(b->slot[i] >> 32));
		plat_free(b);
		b = next;
	}
}

uint32_t lpm_nodes_alloc(struct lpm_nodes *s, unsigned int cls)
{
	struct nodes_class *c = &s->cls[cls];
	uint32_t idx;

	if (!c->free && atomic_load_explicit(&s->ready, memory_order_relaxed))
		take_ready(s);
	if (c->free) {
		idx = c->free;
		nodes_unpoison(link_of(s, idx), c->slot);
		c->free = *link_of(s, idx);
		return idx;
	}
	if (c->end - c->cur < c->slot) {
		size_t end = s->top + run_bytes(s, c->slot);

		if (end > atomic_load_explicit(&s->committed, memory_order_relaxed) && !commit_to(s, end))
			return 0;
		/* The rest of the old run (less than a slot) stays unused. */
		c->cur = s->top;
		c->end = end;
		s->top = round_up(end, (size_t)PLAT_CACHELINE);
	}
	idx = (uint32_t)(c->cur / LPM_NODES_UNIT);
	nodes_unpoison(at(s, c->cur), c->slot);
	c->cur += c->slot;
	return idx;
}

void lpm_nodes_free_unused(struct lpm_nodes *s, uint32_t idx, unsigned int cls)
{
	struct nodes_class *c = &s->cls[cls];

	*link_of(s, idx) = c->free;
	c->free = idx;
	nodes_poison(link_of(s, idx), c->slot);
}

static void free_all(struct lpm_nodes *s)
{
	struct nodes_batch *b = atomic_exchange_explicit(&s->ready, NULL, memory_order_acquire);
	size_t committed = atomic_load_explicit(&s->committed, memory_order_relaxed);

	while (b) {
		struct nodes_batch *next = b->next;

		plat_free(b);
		b = next;
	}
	/* The shadow of unmapped memory must not stay poisoned for the next mapping there. */
	nodes_unpoison(s->base, committed);
	plat_release(s->base, s->reserved, committed);
	plat_free_aligned(s);
}

/* A batch is past its grace period: its slots may be reused (any thread; frees only). */
static void batch_back(struct epoch_head *head)
{
	struct nodes_batch *b = container_of(head, struct nodes_batch, head);
	struct lpm_nodes *s = b->store;
	struct nodes_batch *top = atomic_load_explicit(&s->ready, memory_order_relaxed);

	do
		b->next = top;
	while (!atomic_compare_exchange_weak_explicit(&s->ready, &top, b, memory_order_release,
						      memory_order_relaxed));
	/* b may be taken from here on; s lives while this batch's reference does. */
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
		free_all(s);
}

void lpm_nodes_retire(struct lpm_nodes *s, uint32_t idx, unsigned int cls)
{
	struct nodes_batch *b;

	s->pending[s->npending++] = idx | (uint64_t)cls << 32;
	if (s->npending < NODES_BATCH)
		return;
	s->npending = 0;
	b = plat_alloc(sizeof(*b));
	/* Out of memory: these slots stay unused until the store goes; nothing breaks. */
	if (!b)
		return;
	b->store = s;
	b->n = NODES_BATCH;
	plat_memcpy(b->slot, s->pending, sizeof(b->slot));
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	epoch_retire(&b->head, batch_back);
}

void lpm_nodes_destroy(struct lpm_nodes *s)
{
	if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
		free_all(s);
}
