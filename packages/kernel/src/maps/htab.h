/* SPDX-License-Identifier: MIT */
/*
 * The hash table shared by HASH, PERCPU_HASH and the LRU variants.
 * Buckets are singly linked lists whose links are published with release
 * stores: lookups walk them with acquire loads, under epoch, taking no lock.
 * Writers take the bucket's spin lock and never modify a published element's
 * key or (user) value: an update links a new element and retires the old one.
 *
 * A bucket is one word, the first element's address with the writers' lock
 * in its low bit (elements are 8-byte aligned): the array every lookup
 * touches is 8 bytes a bucket (a 64K-entry map's 512 KiB stay in L2), and a
 * writer touches only its bucket's line, lock included. Readers mask the bit
 * (htab_first); a lock holder keeps it set in every store to the head
 * (htab_set_first_locked) until htab_bucket_unlock clears it.
 */
#ifndef BPFHOST_HTAB_H
#define BPFHOST_HTAB_H

#include "map.h"

struct htab_elem {
	_Atomic(struct htab_elem *) next;
	uint32_t hash;
	/* Read lock-free, so outside the union below that the retire node reuses. */
	union {
		atomic_uint lru_ref;	/* LRU: used since the last eviction scan */
		atomic_uint claimed;	/* custom maps: a delete is being decided (set under the bucket lock) */
	};
	union {
		/* Only under locks, while the element is linked. */
		struct {
			uint32_t lru_list;	/* LRU: index of the list holding it (set before linking) */
			struct htab_elem *lru_prev;	/* LRU list, under the LRU lock */
			struct htab_elem *lru_next;
		};
		/*
		 * Once unlinked from everything, the retire node (htab_elem_free):
		 * no separate epoch header, so a small element fits one cache line.
		 */
		struct epoch_head rcu;
	};
	char key[] __attribute__((aligned(8)));
	/* key (round_up(key_size, 8)), then the value (per-CPU: one slot per CPU) */
};

struct htab_bucket {
	_Atomic(uintptr_t) head;	/* struct htab_elem * | HTAB_LOCKED */
};

#define HTAB_LOCKED ((uintptr_t)1)

struct htab {
	struct bh_map map;
	struct htab_bucket *buckets;
	uint32_t n_buckets;		/* power of two */
	uint32_t seed;
	uint32_t key_round;		/* round_up(key_size, 8) */
	uint32_t value_bytes;		/* stored value bytes (all CPUs) */
	bool percpu;
	/* LRU variants: what lru_hash.c keeps (NULL for plain hashes). */
	void *lru;
	/*
	 * HASH and PERCPU_HASH: elements come from this slab (huge-page
	 * chunks for big maps, one cache line for small elements) through
	 * its per-CPU caches, which take slab_lock only to refill or drain.
	 * NULL: htab_elem_new mallocs.
	 */
	struct bh_slab *slab;
	/*
	 * Optional: called with the bucket lock held after shared code (the
	 * lookup-and-delete batch) unlinks @e; the family drops its own
	 * references to it (LRU lists) and retires it (its elements may not
	 * come from htab_elem_new). Without it, shared code calls htab_elem_free.
	 */
	void (*on_unlink)(struct htab *h, struct htab_elem *e);
	/*
	 * Written by inserts and deletes on any CPU: a line of their own, so
	 * the fields every lookup reads (above) do not bounce with them.
	 * (Every struct holding a htab is allocated with plat_alloc_aligned.)
	 */
	_Alignas(PLAT_CACHELINE) atomic_uint count;
	struct plat_spinlock slab_lock;
};

static inline struct htab *htab_of(struct bh_map *map)
{
	return container_of(map, struct htab, map);
}

static inline void *htab_elem_value(const struct htab *h, struct htab_elem *e)
{
	return e->key + h->key_round;
}

static inline struct htab_bucket *htab_bucket(const struct htab *h, uint32_t hash)
{
	return &h->buckets[hash & (h->n_buckets - 1)];
}

/* The first element of @b's chain (NULL if empty), the lock bit masked off. */
static inline struct htab_elem *htab_first(struct htab_bucket *b, memory_order order)
{
	return (struct htab_elem *)(atomic_load_explicit(&b->head, order) & ~HTAB_LOCKED);
}

/* Takes @b's lock if it is free; never waits. */
static inline bool htab_bucket_trylock(struct htab_bucket *b)
{
	uintptr_t w = atomic_load_explicit(&b->head, memory_order_relaxed);

	return !(w & HTAB_LOCKED) &&
	       atomic_compare_exchange_strong_explicit(&b->head, &w, w | HTAB_LOCKED, memory_order_acquire,
						       memory_order_relaxed);
}

void htab_bucket_lock_slow(struct htab_bucket *b);

static inline void htab_bucket_lock(struct htab_bucket *b)
{
	if (!htab_bucket_trylock(b))
		htab_bucket_lock_slow(b);
}

/* Only the holder changes a locked head: clearing the bit is a plain release store. */
static inline void htab_bucket_unlock(struct htab_bucket *b)
{
	atomic_store_explicit(&b->head, atomic_load_explicit(&b->head, memory_order_relaxed) & ~HTAB_LOCKED,
			      memory_order_release);
}

/* A lock holder publishes @e (or NULL) as the chain's first element, keeping the lock. */
static inline void htab_set_first_locked(struct htab_bucket *b, struct htab_elem *e)
{
	atomic_store_explicit(&b->head, (uintptr_t)e | HTAB_LOCKED, memory_order_release);
}

/* @b (the key looked for) may sit at any address: fixed-size loads through memcpy. */
static inline bool htab_key_eq(const void *a, const void *b, uint32_t size)
{
	uint64_t x, y;

	if (size == 4)
		return bh_load_u32(a) == bh_load_u32(b);
	if (size == 8) {
		__builtin_memcpy(&x, a, sizeof(x));
		__builtin_memcpy(&y, b, sizeof(y));
		return x == y;
	}
	return __builtin_memcmp(a, b, size) == 0;
}

/* Lock-free lookup under epoch. */
static inline struct htab_elem *htab_find(const struct htab *h, const void *key, uint32_t hash)
{
	struct htab_elem *e = htab_first(htab_bucket(h, hash), memory_order_acquire);
	uint32_t ks = h->map.key_size;

	for (; e; e = atomic_load_explicit(&e->next, memory_order_acquire))
		if (e->hash == hash && htab_key_eq(e->key, key, ks))
			return e;
	return NULL;
}

static inline uint32_t htab_hash(const struct htab *h, const void *key)
{
	return bh_hash(key, h->map.key_size, h->seed);
}

/* Shared pieces for the families built on this table (lru_hash.c). */
int htab_check(const union bpf_attr *attr, const char *family, uint32_t extra_flags);
int htab_init(struct htab *h, const union bpf_attr *attr, bool percpu);
void htab_free_elems(struct htab *h);	/* not concurrent with anything */
struct htab_elem *htab_elem_new(struct htab *h, const void *key, uint32_t hash);
/* Frees an element no reader can newly reach, once current readers left. */
void htab_elem_free(struct htab_elem *e);
void htab_elem_set_value_user(struct htab *h, struct htab_elem *e, const void *value);
void htab_elem_set_value_prog(struct htab *h, struct htab_elem *e, const void *value);
void htab_copy_value_user(const struct htab *h, struct htab_elem *e, void *value);
/* What a program's lookup points at: the value, or this CPU's slot of it. */
static inline void *htab_prog_value(const struct htab *h, struct htab_elem *e)
{
	if (h->percpu)
		return (char *)htab_elem_value(h, e) + (size_t)plat_cpu_id() * bh_percpu_slot(h->map.value_size);
	return htab_elem_value(h, e);
}
/* A user-space lookup (copy of every CPU's value); marks nothing. */
int htab_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags);
/* Unlinks @e from its bucket (bucket lock held); returns false if absent. */
bool htab_unlink_locked(struct htab_bucket *b, struct htab_elem *e);
/* Puts @e in @old's place in the bucket (bucket lock held). */
void htab_replace_locked(struct htab_bucket *b, struct htab_elem *old, struct htab_elem *e);
/* Links a new @e at the head of its bucket (bucket lock held). */
void htab_link_locked(struct htab_bucket *b, struct htab_elem *e);
int htab_get_next_key(struct bh_map *map, const void *key, void *next_key);
/*
 * The common start of a bucket-token batch: flag checks, count 0, the token.
 * Returns 1 to go on from *@batch, or what the command returns (0, -errno).
 */
int htab_batch_begin(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr,
		     const char *cmd, uint32_t *batch);
int htab_lookup_batch(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr);
int htab_lookup_and_delete_batch(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr);
uint64_t htab_mem_usage(const struct bh_map *map);

#endif /* BPFHOST_HTAB_H */
