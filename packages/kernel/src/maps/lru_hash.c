// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_LRU_HASH and BPF_MAP_TYPE_LRU_PERCPU_HASH: the hash table of
 * htab.h plus LRU lists. An insert into a full map evicts the least recently
 * used element instead of failing with -E2BIG.
 *
 * What Linux guarantees, and what we implement: a lookup from a program
 * marks the element referenced (lookups from user space do not, so a map
 * walk does not disturb eviction); eviction takes elements from the cold end
 * of the list, giving referenced ones a second chance (the mark is cleared
 * and they move to the hot end). With BPF_F_NO_COMMON_LRU each CPU has its
 * own list holding max_entries / CPUs elements (max_entries is rounded up to
 * a multiple of the CPU count, as Linux reports it).
 *
 * Where Linux's approximation shows through, we are exact on purpose: the
 * map holds max_entries elements when full (Linux may hold fewer, parked in
 * per-CPU free lists), and an update that adds no key (replace, or a failed
 * BPF_NOEXIST/BPF_EXIST) never evicts anything (Linux may evict, even the
 * key being updated).
 *
 * Locking. Lookups take no lock (epoch). An element is on its LRU list
 * exactly while it is linked in its bucket: both change with the bucket
 * lock and then the list lock held, in that order. Eviction runs with the
 * list lock held and so may only trylock a victim's bucket; when no victim
 * can be taken the updater drops both locks and starts over, so nobody
 * waits for a bucket while holding a lock another thread needs.
 *
 * Elements come from a node slab per list (node_slab.h), taken and given
 * back under that list's lock, which the update path holds anyway: a miss
 * on a full map (evict, then insert) makes no malloc or free and retires
 * the victim in a batch, and a victim's slot is reused after the grace
 * period. An element stays on the list (and in the slab) it started on.
 */
#include "htab.h"
#include "node_slab.h"

#define LRU_FLAGS (BPF_F_NO_COMMON_LRU | BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY | \
		   BPF_F_WRONLY | BPF_F_ZERO_SEED | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)
#define LRU_PERCPU_MAX_SLOT 32768U	/* Linux's PCPU_MIN_UNIT_SIZE */
#define NUMA_NO_NODE_ATTR 0xffffffffU

/* One LRU list: head is the most recently used end, tail the eviction end. */
struct lru_list {
	struct plat_spinlock lock;
	uint32_t len;
	struct htab_elem *head;
	struct htab_elem *tail;
	struct bh_slab *slab;	/* this list's elements */
} __attribute__((aligned(PLAT_CACHELINE)));

struct lru_htab {
	struct htab h;
	uint32_t elem_size;	/* element, key and value bytes */
	uint32_t nlists;	/* 1, or one per possible CPU (BPF_F_NO_COMMON_LRU) */
	uint32_t cap;		/* elements one list may hold */
	uint32_t max_entries;	/* as reported: rounded up to nlists * cap */
	struct lru_list *lists;
};

static inline struct lru_htab *lru_of(struct bh_map *map)
{
	return container_of(htab_of(map), struct lru_htab, h);
}

/* ------------------------------------------------------------ list helpers (list lock held) */

static void list_push_head(struct lru_list *l, struct htab_elem *e)
{
	e->lru_prev = NULL;
	e->lru_next = l->head;
	if (l->head)
		l->head->lru_prev = e;
	else
		l->tail = e;
	l->head = e;
	l->len++;
}

static void list_del(struct lru_list *l, struct htab_elem *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		l->head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		l->tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
	l->len--;
}

static inline void mark_referenced(struct htab_elem *e)
{
	/* Read first: a hot element's cache line is not written on every lookup. */
	if (!atomic_load_explicit(&e->lru_ref, memory_order_relaxed))
		atomic_store_explicit(&e->lru_ref, 1, memory_order_relaxed);
}

/*
 * Takes a victim off @l (list lock held) and out of its bucket; @own is the
 * bucket the caller holds. Referenced elements get a second chance; an
 * element whose bucket is busy is skipped. Returns NULL if nothing could be
 * taken within two passes; the caller retires what it gets and counts
 * its own element in the victim's place.
 */
static struct htab_elem *evict_locked(struct lru_htab *lh, struct lru_list *l, struct htab_bucket *own)
{
	struct htab *h = &lh->h;
	struct htab_elem *c = l->tail, *prev;
	uint32_t budget = 2 * l->len + 1;

	while (c && budget--) {
		prev = c->lru_prev;
		if (atomic_load_explicit(&c->lru_ref, memory_order_relaxed)) {
			atomic_store_explicit(&c->lru_ref, 0, memory_order_relaxed);
			if (prev) {
				list_del(l, c);
				list_push_head(l, c);
			}
		} else {
			struct htab_bucket *vb = htab_bucket(h, c->hash);

			if (vb == own || htab_bucket_trylock(vb)) {
				bool linked = htab_unlink_locked(vb, c);

				if (vb != own)
					htab_bucket_unlock(vb);
				if (unlikely(!linked))
					plat_fail_fast("lru_hash: an element on an LRU list is not in its bucket");
				/* The count stays: the caller's element takes the victim's place. */
				list_del(l, c);
				/* The next eviction starts at the new tail: load it now. */
				if (l->tail)
					__builtin_prefetch(l->tail, 0);
				return c;
			}
		}
		c = prev ? prev : l->tail;
	}
	return NULL;
}

/* Called by the shared batch code after it unlinked @e (bucket lock held): off its list, retired. */
static void lru_on_unlink(struct htab *h, struct htab_elem *e)
{
	struct lru_htab *lh = container_of(h, struct lru_htab, h);
	struct lru_list *l = &lh->lists[e->lru_list];

	plat_spin_lock(&l->lock);
	list_del(l, e);
	bh_slab_retire(l->slab, e, 0);
	plat_spin_unlock(&l->lock);
}

/*
 * A new element of list @l holding @key and @value (list lock held), or
 * NULL when out of memory. Zeroed first, as a fresh allocation: a
 * program's per-CPU value leaves the other CPUs' slots zero, and no byte
 * of an earlier element's value survives in padding.
 */
static struct htab_elem *elem_new(struct lru_htab *lh, struct lru_list *l, const void *key,
				  uint32_t hash, const void *value, bool prog)
{
	struct htab *h = &lh->h;
	struct htab_elem *e = bh_slab_alloc(l->slab, 0);

	if (unlikely(!e))
		return NULL;
	plat_memset(e, 0, lh->elem_size);
	e->hash = hash;
	plat_memcpy(e->key, key, h->map.key_size);
	if (prog)
		htab_elem_set_value_prog(h, e, value);
	else
		htab_elem_set_value_user(h, e, value);
	e->lru_list = (uint32_t)(l - lh->lists);
	return e;
}

static struct lru_list *this_cpu_list(struct lru_htab *lh)
{
	return lh->nlists == 1 ? &lh->lists[0] : &lh->lists[(uint32_t)plat_cpu_id() % lh->nlists];
}

/* Spin politely while other updaters hold the buckets of every victim. */
static void backoff(unsigned int *tries)
{
	if (++*tries % 64 == 0)
		plat_yield();
	else
		plat_cpu_relax();
}

/* ------------------------------------------------------------ element operations */

static int check_flags(struct lru_htab *lh, uint64_t flags)
{
	if (unlikely((flags & ~BPF_F_LOCK) > BPF_EXIST))
		return bh_map_err(-EINVAL, &lh->h.map, "update flags other than BPF_ANY/NOEXIST/EXIST");
	if (unlikely(flags & BPF_F_LOCK))
		return bh_map_err(-EINVAL, &lh->h.map, "BPF_F_LOCK needs a value with a bpf_spin_lock");
	return 0;
}

/* Per-CPU program update of an existing element: this CPU's slot, in place. */
static int percpu_update_in_place(struct lru_htab *lh, const void *key, uint32_t hash,
				  const void *value, uint64_t flags, bool *done)
{
	struct htab *h = &lh->h;
	struct htab_bucket *b = htab_bucket(h, hash);
	struct htab_elem *old;
	int err = 0;

	*done = false;
	htab_bucket_lock(b);
	old = htab_find(h, key, hash);
	if (old) {
		*done = true;
		if (flags == BPF_NOEXIST) {
			err = bh_map_err(-EEXIST, &h->map, "key exists (BPF_NOEXIST)");
		} else {
			htab_elem_set_value_prog(h, old, value);
			mark_referenced(old);
		}
	}
	htab_bucket_unlock(b);
	return err;
}

/*
 * The one update path; @prog says the value has the program layout (one
 * CPU's value). A replacement takes the old element's place on its list
 * (hot end, referenced, as Linux marks it); a new key takes a slot on this
 * CPU's list, evicting when the list is full. Elements are made under the
 * locks (the list's slab), so a refused update allocates nothing.
 */
static int lru_update(struct lru_htab *lh, const void *key, const void *value, uint64_t flags, bool prog)
{
	struct htab *h = &lh->h;
	uint32_t hash = htab_hash(h, key);
	struct htab_bucket *b = htab_bucket(h, hash);
	struct htab_elem *old, *e, *victim;
	unsigned int tries = 0;
	struct lru_list *l;
	int err = check_flags(lh, flags);

	if (err)
		return err;
	if (prog && h->percpu) {
		bool done;

		err = percpu_update_in_place(lh, key, hash, value, flags, &done);
		if (done)
			return err;
	}

	for (;;) {
		htab_bucket_lock(b);
		old = htab_find(h, key, hash);
		if (old && flags == BPF_NOEXIST) {
			err = bh_map_err(-EEXIST, &h->map, "key exists (BPF_NOEXIST)");
			goto fail;
		}
		if (!old && flags == BPF_EXIST) {
			err = bh_map_err(-ENOENT, &h->map, "no such key (BPF_EXIST)");
			goto fail;
		}
		l = old ? &lh->lists[old->lru_list] : this_cpu_list(lh);
		plat_spin_lock(&l->lock);
		e = elem_new(lh, l, key, hash, value, prog);
		if (unlikely(!e)) {
			plat_spin_unlock(&l->lock);
			err = bh_map_err(-ENOMEM, &h->map, "out of memory for an element");
			goto fail;
		}
		if (old) {
			atomic_store_explicit(&e->lru_ref, 1, memory_order_relaxed);
			list_del(l, old);
			list_push_head(l, e);
			htab_replace_locked(b, old, e);
			bh_slab_retire(l->slab, old, 0);
			plat_spin_unlock(&l->lock);
			htab_bucket_unlock(b);
			return 0;
		}
		victim = NULL;
		if (l->len >= lh->cap) {
			victim = evict_locked(lh, l, b);
			if (!victim) {
				bh_slab_free_unused(l->slab, e, 0);
				plat_spin_unlock(&l->lock);
				htab_bucket_unlock(b);
				backoff(&tries);
				continue;
			}
		}
		list_push_head(l, e);
		htab_link_locked(b, e);
		if (victim)
			bh_slab_retire(l->slab, victim, 0);
		else
			atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
		plat_spin_unlock(&l->lock);
		htab_bucket_unlock(b);
		return 0;
	}
fail:
	htab_bucket_unlock(b);
	return err;
}

static int lru_delete(struct lru_htab *lh, const void *key, void *value_out)
{
	struct htab *h = &lh->h;
	uint32_t hash = htab_hash(h, key);
	struct htab_bucket *b = htab_bucket(h, hash);
	struct lru_list *l;
	struct htab_elem *e;

	htab_bucket_lock(b);
	e = htab_find(h, key, hash);
	if (!e) {
		htab_bucket_unlock(b);
		return bh_map_err(-ENOENT, &h->map, "no such key");
	}
	htab_unlink_locked(b, e);
	atomic_fetch_sub_explicit(&h->count, 1, memory_order_relaxed);
	l = &lh->lists[e->lru_list];
	plat_spin_lock(&l->lock);
	list_del(l, e);
	bh_slab_retire(l->slab, e, 0);
	plat_spin_unlock(&l->lock);
	htab_bucket_unlock(b);
	/* Retired, but ours until the epoch ends. */
	if (value_out)
		htab_copy_value_user(h, e, value_out);
	return 0;
}

/* Called under epoch; may run from a program. Marks the element referenced. */
static void *lru_lookup_elem(struct bh_map *map, const void *key)
{
	struct htab *h = htab_of(map);
	struct htab_elem *e = htab_find(h, key, htab_hash(h, key));

	if (!e)
		return NULL;
	mark_referenced(e);
	return htab_prog_value(h, e);
}

/* Called under epoch; may run from a program. */
static long lru_update_elem(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	return lru_update(lru_of(map), key, value, flags, true);
}

/* Called under epoch; may run from a program. */
static long lru_delete_elem(struct bh_map *map, const void *key)
{
	return lru_delete(lru_of(map), key, NULL);
}

static int lru_sys_update(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	return lru_update(lru_of(map), key, value, flags, false);
}

static int lru_sys_delete(struct bh_map *map, const void *key)
{
	return lru_delete(lru_of(map), key, NULL);
}

static int lru_sys_lookup_and_delete(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	(void)flags;
	return lru_delete(lru_of(map), key, value);
}

/* ------------------------------------------------------------ create and free */

static int lru_check_common(const union bpf_attr *attr, const char *family, bool percpu)
{
	uint32_t flags = attr->map_flags;
	int err;

	if (flags & ~LRU_FLAGS)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map does not take map_flags 0x%x",
			      family, flags & ~LRU_FLAGS);
	if ((flags & BPF_F_RDONLY_PROG) && (flags & BPF_F_WRONLY_PROG))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together");
	/* Linux answers -ENOTSUPP here (and before any size check). */
	if (flags & BPF_F_NO_PREALLOC)
		return bh_err(-ENOTSUPP, "BPF_MAP_CREATE: %s map is always preallocated; "
			      "BPF_F_NO_PREALLOC is not supported", family);
	if ((flags & BPF_F_NUMA_NODE) && attr->numa_node != NUMA_NO_NODE_ATTR &&
	    (percpu || (flags & BPF_F_NO_COMMON_LRU)))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map with %s cannot take BPF_F_NUMA_NODE",
			      family, percpu ? "per-CPU values" : "BPF_F_NO_COMMON_LRU");
	err = htab_check(attr, family, BPF_F_NO_COMMON_LRU | BPF_F_NO_PREALLOC);
	if (err)
		return err;
	if (percpu && bh_percpu_slot(attr->value_size) > LRU_PERCPU_MAX_SLOT)
		return bh_err(-E2BIG, "BPF_MAP_CREATE: %s map value_size %u is over the per-CPU limit %u",
			      family, attr->value_size, LRU_PERCPU_MAX_SLOT);
	return 0;
}

static int lru_check(const union bpf_attr *attr)
{
	return lru_check_common(attr, "lru_hash", false);
}

static int lru_percpu_check(const union bpf_attr *attr)
{
	return lru_check_common(attr, "lru_percpu_hash", true);
}

/* After a grace period, outside epoch: no list or bucket is in use; the elements go with the slabs. */
static void lru_free(struct bh_map *map)
{
	struct lru_htab *lh = lru_of(map);

	plat_free_aligned(lh->h.buckets);
	for (uint32_t i = 0; i < lh->nlists; i++)
		bh_slab_destroy(lh->lists[i].slab);
	plat_free_aligned(lh->lists);
	plat_free_aligned(lh);
}

static struct bh_map *lru_alloc_common(const union bpf_attr *attr, bool percpu)
{
	struct lru_htab *lh = plat_alloc_aligned(sizeof(*lh));
	union bpf_attr sized = *attr;
	uint32_t ncpus = (uint32_t)plat_num_possible_cpus();
	int err;

	if (!lh)
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for an LRU hash map"));
	lh->nlists = (attr->map_flags & BPF_F_NO_COMMON_LRU) ? ncpus : 1;
	/* Every per-CPU list gets the same share, at least one element. */
	lh->max_entries = round_up(attr->max_entries, lh->nlists);
	lh->cap = lh->max_entries / lh->nlists;
	lh->lists = plat_alloc_aligned((size_t)lh->nlists * sizeof(*lh->lists));
	if (!lh->lists) {
		err = bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for %u LRU lists", lh->nlists);
		plat_free_aligned(lh);
		return ERR_PTR(err);
	}
	sized.max_entries = lh->max_entries;
	err = htab_init(&lh->h, &sized, percpu);
	if (err) {
		plat_free_aligned(lh->lists);
		plat_free_aligned(lh);
		return ERR_PTR(err);
	}
	lh->elem_size = (uint32_t)sizeof(struct htab_elem) + lh->h.key_round + lh->h.value_bytes;
	for (uint32_t i = 0; i < lh->nlists; i++) {
		plat_spin_init(&lh->lists[i].lock);
		lh->lists[i].slab = bh_slab_create(1, &lh->elem_size);
		if (!lh->lists[i].slab) {
			err = bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for LRU list %u", i);
			lh->h.lru = lh;
			lru_free(&lh->h.map);
			return ERR_PTR(err);
		}
		/*
		 * Always preallocated in Linux (charged for every element): a
		 * list of 2 MiB or more takes huge-page chunks from the start,
		 * as HASH does, so a lookup's element load costs no extra TLB miss.
		 */
		bh_slab_expect(lh->lists[i].slab, (uint64_t)lh->cap * bh_slab_slot_size(lh->lists[i].slab, 0));
	}
	lh->h.lru = lh;
	lh->h.on_unlink = lru_on_unlink;
	return &lh->h.map;
}

static struct bh_map *lru_alloc(const union bpf_attr *attr)
{
	return lru_alloc_common(attr, false);
}

static struct bh_map *lru_percpu_alloc(const union bpf_attr *attr)
{
	return lru_alloc_common(attr, true);
}


static uint64_t lru_mem_usage(const struct bh_map *map)
{
	const struct lru_htab *lh = container_of(map, struct lru_htab, h.map);

	return htab_mem_usage(map) + sizeof(*lh) - sizeof(lh->h) +
	       (uint64_t)lh->nlists * sizeof(struct lru_list);
}

/* Linux reports max_entries rounded up to a multiple of the CPUs with BPF_F_NO_COMMON_LRU. */
static void lru_fill_info(const struct bh_map *map, struct bpf_map_info *info)
{
	info->max_entries = container_of(map, struct lru_htab, h.map)->max_entries;
}

/* User-space lookups (htab_sys_lookup) do not mark elements, as on Linux: a map walk must not skew eviction. */
#define LRU_COMMON_OPS                                                    \
	.free = lru_free,                                                 \
	.lookup_elem = lru_lookup_elem,                                   \
	.update_elem = lru_update_elem,                                   \
	.delete_elem = lru_delete_elem,                                   \
	.sys_lookup = htab_sys_lookup,                                    \
	.sys_update = lru_sys_update,                                     \
	.sys_delete = lru_sys_delete,                                     \
	.sys_lookup_and_delete = lru_sys_lookup_and_delete,               \
	.get_next_key = htab_get_next_key,                                \
	.lookup_batch = htab_lookup_batch,                                \
	.lookup_and_delete_batch = htab_lookup_and_delete_batch,          \
	.update_batch = bh_map_generic_update_batch,                      \
	.delete_batch = bh_map_generic_delete_batch,                      \
	.mem_usage = lru_mem_usage,                                       \
	.fill_info = lru_fill_info

const struct bh_map_ops lru_hash_map_ops = {
	.name = "lru_hash",
	.check = lru_check,
	.alloc = lru_alloc,
	LRU_COMMON_OPS,
};

const struct bh_map_ops lru_percpu_hash_map_ops = {
	.name = "lru_percpu_hash",
	.percpu = true,
	.check = lru_percpu_check,
	.alloc = lru_percpu_alloc,
	LRU_COMMON_OPS,
};
