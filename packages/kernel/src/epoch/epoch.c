// SPDX-License-Identifier: MIT
/*
 * Epochs for threads in user mode. Each thread owns a record holding the
 * global epoch it entered at (0 when outside) and its list of retired
 * memory. Retired items carry the global epoch at retirement; an item with
 * tag t is safe once every record is outside or entered at an epoch > t.
 */
#include "epoch.h"

#include <stdatomic.h>

#include "../platform/platform.h"

struct epoch_thread {
	_Atomic uint64_t active;	/* epoch entered at; 0 = outside */
	struct epoch_thread *next;	/* global list, records are never freed */
	atomic_bool in_use;
	unsigned int depth;		/* owner only */
	struct plat_spinlock lock;	/* retired list */
	struct epoch_head *retired_head, *retired_tail;
	size_t nretired;
} __attribute__((aligned(PLAT_CACHELINE)));

static _Atomic uint64_t global_epoch = 1;
static _Atomic(struct epoch_thread *) threads;
static _Thread_local struct epoch_thread *self;

/* Deferred callbacks: rare (object teardown), so one locked FIFO. */
static struct plat_spinlock calls_lock;
static struct epoch_head *calls_head, *calls_tail;
static atomic_size_t ncalls;

#define RECLAIM_BATCH 64

static void thread_gone(void *arg)
{
	struct epoch_thread *t = arg;

	/* Its retired items stay listed; synchronize or the next owner frees them. */
	t->depth = 0;
	atomic_store(&t->active, 0);
	atomic_store(&t->in_use, false);
}

static struct epoch_thread *self_record(void)
{
	struct epoch_thread *t;

	if (self)
		return self;
	for (t = atomic_load(&threads); t; t = t->next) {
		bool expected = false;

		if (atomic_compare_exchange_strong(&t->in_use, &expected, true))
			break;
	}
	if (!t) {
		t = plat_alloc_untracked(sizeof(*t));
		if (!t)
			plat_fail_fast("epoch: out of memory for a thread record");
		plat_spin_init(&t->lock);
		atomic_init(&t->in_use, true);
		t->next = atomic_load(&threads);
		while (!atomic_compare_exchange_weak(&threads, &t->next, t))
			;
	}
	self = t;
	plat_thread_exit_hook(thread_gone, t);
	return t;
}

void epoch_enter(void)
{
	struct epoch_thread *t = self ? self : self_record();

	if (t->depth++ == 0) {
		/* seq_cst store: a full barrier before this thread's reads. */
		atomic_store(&t->active, atomic_load_explicit(&global_epoch, memory_order_relaxed));
	}
}

void epoch_exit(void)
{
	struct epoch_thread *t = self;

	if (!t || t->depth == 0)
		plat_fail_fast("epoch_exit without epoch_enter");
	if (--t->depth == 0)
		atomic_store_explicit(&t->active, 0, memory_order_release);
}

bool epoch_in(void)
{
	return self && self->depth > 0;
}

bool epoch_quiesce(void)
{
	if (!self || self->depth != 1)
		return false;
	epoch_exit();
	epoch_run_deferred();
	epoch_enter();
	return true;
}

/*
 * The limit below which retired items are safe: the smallest epoch any
 * thread is inside of, and never more than @target, the global epoch this
 * caller just advanced to. Without that cap an item retired after the scan
 * (tag below an unbounded limit) could be freed while a thread that read
 * the global epoch before the advance, and published it after the scan,
 * still holds it.
 */
static uint64_t safe_limit(uint64_t target)
{
	uint64_t min = target;

	for (struct epoch_thread *t = atomic_load(&threads); t; t = t->next) {
		uint64_t a = atomic_load(&t->active);

		if (a && a < min)
			min = a;
	}
	return min;
}

/* Detaches the prefix of @t's list with tags below @limit. */
static struct epoch_head *take_ready(struct epoch_thread *t, uint64_t limit)
{
	struct epoch_head *first, *h, *last = NULL;

	plat_spin_lock(&t->lock);
	first = t->retired_head;
	for (h = first; h && h->tag < limit; h = h->next) {
		last = h;
		t->nretired--;
	}
	if (!last) {
		plat_spin_unlock(&t->lock);
		return NULL;
	}
	t->retired_head = h;
	if (!h)
		t->retired_tail = NULL;
	last->next = NULL;
	plat_spin_unlock(&t->lock);
	return first;
}

static void free_list(struct epoch_head *h)
{
	while (h) {
		struct epoch_head *next = h->next;

		h->fn(h);
		h = next;
	}
}

static void reclaim_thread(struct epoch_thread *t)
{
	uint64_t target = atomic_fetch_add(&global_epoch, 1) + 1;

	free_list(take_ready(t, safe_limit(target)));
}

static void retire(struct epoch_head *h)
{
	struct epoch_thread *t = self ? self : self_record();
	size_t n;

	h->next = NULL;
	h->tag = atomic_load(&global_epoch);
	plat_spin_lock(&t->lock);
	if (t->retired_tail)
		t->retired_tail->next = h;
	else
		t->retired_head = h;
	t->retired_tail = h;
	n = ++t->nretired;
	plat_spin_unlock(&t->lock);
	if (n >= RECLAIM_BATCH)
		reclaim_thread(t);
}

void epoch_retire(struct epoch_head *head, void (*fn)(struct epoch_head *head))
{
	head->fn = fn;
	retire(head);
}

/* Header in front of epoch_alloc'd memory; keeps the payload 16/64 aligned. */
#define EPOCH_MAGIC_LIVE 0x45504f43u	/* "EPOC" */
#define EPOCH_MAGIC_DEAD 0xdeadbeefu

struct epoch_block {
	struct epoch_head head;
	uint32_t magic;
	uint32_t aligned;
};

#define HDR_SIZE 32
#define HDR_SIZE_ALIGNED PLAT_CACHELINE
_Static_assert(sizeof(struct epoch_block) <= HDR_SIZE, "epoch header fits");

static void block_release(struct epoch_head *h)
{
	struct epoch_block *b = (struct epoch_block *)h;

	if (b->aligned)
		plat_free_aligned((char *)b - (HDR_SIZE_ALIGNED - HDR_SIZE));
	else
		plat_free(b);
}

void *epoch_alloc(size_t size)
{
	struct epoch_block *b = plat_alloc(HDR_SIZE + size);

	if (!b)
		return NULL;
	b->magic = EPOCH_MAGIC_LIVE;
	return (char *)b + HDR_SIZE;
}

void *epoch_alloc_aligned(size_t size)
{
	char *base = plat_alloc_aligned(HDR_SIZE_ALIGNED + size);
	struct epoch_block *b;

	if (!base)
		return NULL;
	b = (struct epoch_block *)(base + HDR_SIZE_ALIGNED - HDR_SIZE);
	b->magic = EPOCH_MAGIC_LIVE;
	b->aligned = 1;
	return base + HDR_SIZE_ALIGNED;
}

static void block_free(void *p, uint32_t aligned)
{
	struct epoch_block *b;

	if (!p)
		return;
	b = (struct epoch_block *)((char *)p - HDR_SIZE);
	if (b->magic != EPOCH_MAGIC_LIVE)
		plat_fail_fast("epoch_free: double free or not epoch memory");
	if (b->aligned != aligned)
		plat_fail_fast("epoch_free: aligned/unaligned free mismatch");
	b->magic = EPOCH_MAGIC_DEAD;
	b->head.fn = block_release;
	retire(&b->head);
}

void epoch_free(void *p)
{
	block_free(p, 0);
}

void epoch_free_aligned(void *p)
{
	block_free(p, 1);
}

void epoch_call(struct epoch_head *head, void (*fn)(struct epoch_head *head))
{
	head->fn = fn;
	head->next = NULL;
	head->tag = atomic_load(&global_epoch);
	plat_spin_lock(&calls_lock);
	if (calls_tail)
		calls_tail->next = head;
	else
		calls_head = head;
	calls_tail = head;
	plat_spin_unlock(&calls_lock);
	atomic_fetch_add(&ncalls, 1);
}

/* Runs callbacks with tag < @limit; returns how many ran. */
static size_t run_calls(uint64_t limit)
{
	struct epoch_head *first, *h, *last = NULL;
	size_t n = 0;

	plat_spin_lock(&calls_lock);
	first = calls_head;
	for (h = first; h && h->tag < limit; h = h->next) {
		last = h;
		n++;
	}
	if (last) {
		calls_head = h;
		if (!h)
			calls_tail = NULL;
		last->next = NULL;
	}
	plat_spin_unlock(&calls_lock);
	if (!last)
		return 0;
	atomic_fetch_sub(&ncalls, n);
	free_list(first);
	return n;
}

void epoch_run_deferred(void)
{
	if (atomic_load_explicit(&ncalls, memory_order_relaxed) == 0 || epoch_in())
		return;
	run_calls(safe_limit(atomic_fetch_add(&global_epoch, 1) + 1));
}

void epoch_synchronize(void)
{
	for (int round = 0; round < 16; round++) {
		uint64_t target = atomic_fetch_add(&global_epoch, 1) + 1;
		uint64_t limit = target;
		size_t ran;

		if (epoch_in()) {
			limit = safe_limit(target);
		} else {
			for (struct epoch_thread *t = atomic_load(&threads); t; t = t->next) {
				uint64_t a;

				while ((a = atomic_load(&t->active)) != 0 && a < target)
					plat_yield();
			}
		}
		for (struct epoch_thread *t = atomic_load(&threads); t; t = t->next)
			free_list(take_ready(t, limit));
		ran = epoch_in() ? 0 : run_calls(limit);
		if (!ran)
			break;
	}
}

/* The extension-visible state: who entered, to catch unpaired exits. */
struct epoch_state_rec {
	uint64_t magic;
	struct epoch_thread *owner;
	uint64_t reserved[2];
};
_Static_assert(sizeof(struct epoch_state_rec) <= EPOCH_STATE_SIZE, "state fits");

#define EPOCH_STATE_MAGIC 0x6570737461746531ull

void epoch_enter_state(void *state)
{
	struct epoch_state_rec *s = state;

	epoch_enter();
	s->magic = EPOCH_STATE_MAGIC;
	s->owner = self;
}

void epoch_exit_state(void *state)
{
	struct epoch_state_rec *s = state;

	if (s->magic != EPOCH_STATE_MAGIC || s->owner != self)
		plat_fail_fast("epoch_exit: state not from epoch_enter on this thread");
	s->magic = 0;
	epoch_exit();
}
