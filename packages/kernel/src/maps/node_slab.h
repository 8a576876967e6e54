/* SPDX-License-Identifier: MIT */
/*
 * A map's node slab: fixed-size slots carved from large chunks, with no
 * header per slot, reused only after an epoch grace period. A map whose
 * readers walk nodes lock-free (the LPM trie) gets nodes that fit cache
 * lines, the memory of its content (no malloc or epoch header per node)
 * and, for big maps, chunks on huge pages (fewer TLB misses per walk).
 *
 * The owner serialises every call but the last one with its own lock (a
 * spin lock is fine: nothing here blocks). A retired slot goes to a batch;
 * a full batch is retired through the epoch and comes back to the slab
 * once no reader can still see its slots. The slab's memory lives until
 * the owner destroys it and the last batch in flight has come back.
 */
#ifndef BPFHOST_NODE_SLAB_H
#define BPFHOST_NODE_SLAB_H

#include "map.h"

#define BH_SLAB_CLASSES 2

struct bh_slab;

/*
 * A slab with @nclasses (1..BH_SLAB_CLASSES) slot sizes, each a multiple
 * of 8. A size up to 64 bytes is rounded up to 16, 32 or 64, so no slot
 * straddles a cache line. NULL when out of memory.
 */
struct bh_slab *bh_slab_create(unsigned int nclasses, const uint32_t *sizes);

/* The slot a node of @size bytes takes: up to 64 bytes, 16, 32 or 64 (no line straddled). */
uint32_t bh_slab_round(uint32_t size);

/*
 * The owner expects to hold about @bytes (a preallocated map's
 * max_entries times its slot): from 2 MiB on, every chunk is a 2 MiB huge
 * page, so even the first nodes sit on huge pages; the last chunk may
 * then be mostly unused (at most 2 MiB). Call before the first alloc.
 */
void bh_slab_expect(struct bh_slab *s, uint64_t bytes);

/* The slot size of class @cls. */
uint32_t bh_slab_slot_size(const struct bh_slab *s, unsigned int cls);

/* A slot of class @cls (contents undefined), or NULL when out of memory. Owner's lock held. */
void *bh_slab_alloc(struct bh_slab *s, unsigned int cls);

/*
 * Gives back slot @p of class @cls, which readers may still see: it is
 * reused after a grace period. Owner's lock held.
 */
void bh_slab_retire(struct bh_slab *s, void *p, unsigned int cls);

/* Gives back slot @p of class @cls that no reader ever saw: reused at once. Owner's lock held. */
void bh_slab_free_unused(struct bh_slab *s, void *p, unsigned int cls);

/*
 * Per-CPU caches, for a slab of one class whose owner allocates and retires
 * from many CPUs at once (a hash map's updates): each CPU keeps a few free
 * slots and its own retire batch under its own lock, and takes the
 * owner's lock only to refill or drain a group of slots, so CPUs do not
 * meet on the owner's lock (or its cache line) on every call. Call before
 * the first alloc; -ENOMEM or -EINVAL (more than one class).
 */
int bh_slab_enable_cpu_caches(struct bh_slab *s);

/*
 * With per-CPU caches: a slot of class 0 (contents undefined) or NULL,
 * through this CPU's cache. The owner's lock @owner must NOT be held: it is
 * taken here when the cache refills.
 */
void *bh_slab_cached_alloc(struct bh_slab *s, struct plat_spinlock *owner);

/* With per-CPU caches: bh_slab_retire through this CPU's batch. Needs no owner lock. */
void bh_slab_cached_retire(struct bh_slab *s, void *p);

/* With per-CPU caches: bh_slab_free_unused through this CPU's cache (@owner NOT held). */
void bh_slab_cached_free_unused(struct bh_slab *s, void *p, struct plat_spinlock *owner);

/* Bytes of the per-CPU caches' own memory (0 without them). */
uint64_t bh_slab_cache_bytes(const struct bh_slab *s);

/* Bytes of chunk memory the slab holds. Owner's lock held, or a racy figure. */
uint64_t bh_slab_bytes(const struct bh_slab *s);

/*
 * The owner is done (no reader can reach a slot any more): the memory is
 * freed now or when the last batch in flight comes back.
 */
void bh_slab_destroy(struct bh_slab *s);

#endif /* BPFHOST_NODE_SLAB_H */
