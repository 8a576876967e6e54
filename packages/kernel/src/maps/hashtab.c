// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_HASH and BPF_MAP_TYPE_PERCPU_HASH.
 *
 * Elements are allocated on update and retired through the epoch on replace
 * or delete, so a pointer a program got from lookup stays valid (and keeps
 * its old contents) until the program's epoch ends, as with Linux's
 * non-preallocated hash maps. max_entries bounds the element count (-E2BIG).
 *
 * A lookup costs a bucket load and an element load: buckets are 8 bytes
 * (htab.h), so a 64K-entry map's 512 KiB of them stay in L2; bucket arrays
 * of 1 MiB and more sit on huge pages (platform), and so do the elements of
 * HASH and PERCPU_HASH (their node slab), as the kernel's direct map does.
 *
 * An update takes its element from this CPU's slab cache and retires the
 * old one into this CPU's batch (node_slab.h), so updates on several CPUs
 * share no lock but the bucket's; the count stays one exact counter
 * (-E2BIG exactly at max_entries), written only by inserts and deletes.
 */
#include "htab.h"
#include "node_slab.h"

#define HTAB_FLAGS (BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | \
		    BPF_F_ZERO_SEED | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)

int htab_check(const union bpf_attr *attr, const char *family, uint32_t extra_flags)
{
	int err = bh_map_check_sizes(attr, family, HTAB_FLAGS | extra_flags);

	if (err)
		return err;
	if (attr->key_size == 0 || attr->value_size == 0)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map needs key_size > 0 and value_size > 0 "
			      "(got %u, %u)", family, attr->key_size, attr->value_size);
	if ((attr->map_flags & BPF_F_RDONLY) && (attr->map_flags & BPF_F_WRONLY))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: BPF_F_RDONLY and BPF_F_WRONLY together");
	if ((attr->map_flags & BPF_F_RDONLY_PROG) && (attr->map_flags & BPF_F_WRONLY_PROG))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together");
	return 0;
}

static uint32_t roundup_pow_of_two(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

int htab_init(struct htab *h, const union bpf_attr *attr, bool percpu)
{
	uint32_t slot = bh_percpu_slot(attr->value_size);

	h->percpu = percpu;
	/*
	 * Load factor at most 1 (a hit walks 1 + load/2 elements on average),
	 * and no more buckets than that even where a huge page has room: the
	 * smaller bucket array stays in cache (a 64K-entry map's 512 KiB in
	 * L2), which saves more misses than the shorter chains would.
	 */
	h->n_buckets = roundup_pow_of_two(attr->max_entries);
	h->key_round = round_up(attr->key_size, 8);
	h->value_bytes = percpu ? slot * (uint32_t)plat_num_possible_cpus() : attr->value_size;
	h->seed = (attr->map_flags & BPF_F_ZERO_SEED) ? 0 : plat_random_u32();
	/* map.c fills these too, but the element helpers need them first. */
	h->map.key_size = attr->key_size;
	h->map.value_size = attr->value_size;
	h->map.max_entries = attr->max_entries;
	h->slab = NULL;
	plat_spin_init(&h->slab_lock);
	/* Zeroed: every bucket starts empty and unlocked. */
	h->buckets = plat_alloc_aligned((size_t)h->n_buckets * sizeof(*h->buckets));
	if (!h->buckets)
		return bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for %u hash buckets", h->n_buckets);
	return 0;
}

void htab_bucket_lock_slow(struct htab_bucket *b)
{
	unsigned int spins = 0;

	while (!htab_bucket_trylock(b)) {
		/* A preempted holder on a busy machine: give it the CPU. */
		if (++spins > 256) {
			plat_yield();
			spins = 0;
		} else {
			plat_cpu_relax();
		}
	}
}

void htab_free_elems(struct htab *h)
{
	for (uint32_t i = 0; i < h->n_buckets; i++) {
		struct htab_elem *e = htab_first(&h->buckets[i], memory_order_relaxed);

		while (e) {
			struct htab_elem *next = atomic_load(&e->next);

			htab_elem_free(e);
			e = next;
		}
	}
	plat_free_aligned(h->buckets);
}

static void elem_release(struct epoch_head *head)
{
	plat_free(container_of(head, struct htab_elem, rcu));
}

void htab_elem_free(struct htab_elem *e)
{
	epoch_retire(&e->rcu, elem_release);
}

static size_t elem_bytes(const struct htab *h)
{
	return sizeof(struct htab_elem) + h->key_round + h->value_bytes;
}

struct htab_elem *htab_elem_new(struct htab *h, const void *key, uint32_t hash)
{
	struct htab_elem *e;

	if (h->slab) {
		e = bh_slab_cached_alloc(h->slab, &h->slab_lock);
		/*
		 * A reused slot holds an old element: clear all but a plain
		 * value, which every slab user (htab_update) overwrites whole.
		 */
		if (e) {
			plat_memset(e, 0, sizeof(*e) + h->key_round);
			if (h->percpu)
				plat_memset(htab_elem_value(h, e), 0, h->value_bytes);
		}
	} else {
		e = plat_alloc(elem_bytes(h));
	}
	if (!e)
		return NULL;
	e->hash = hash;
	plat_memcpy(e->key, key, h->map.key_size);
	return e;
}

/* @e was unlinked (or never linked): reused once current readers left. */
static void elem_retire(struct htab *h, struct htab_elem *e)
{
	if (!h->slab) {
		htab_elem_free(e);
		return;
	}
	bh_slab_cached_retire(h->slab, e);
}

/* The batch delete's unlink hook (bucket lock held). */
static void elem_unlinked(struct htab *h, struct htab_elem *e)
{
	elem_retire(h, e);
}

/* User layout: per-CPU values come as round_up(value_size, 8) per CPU. */
void htab_elem_set_value_user(struct htab *h, struct htab_elem *e, const void *value)
{
	plat_memcpy(htab_elem_value(h, e), value, h->value_bytes);
}

/* Program layout: one value, for this CPU (others zero on a new element). */
void htab_elem_set_value_prog(struct htab *h, struct htab_elem *e, const void *value)
{
	char *v = htab_elem_value(h, e);

	if (h->percpu)
		v += (size_t)plat_cpu_id() * bh_percpu_slot(h->map.value_size);
	plat_memcpy(v, value, h->map.value_size);
}

void htab_copy_value_user(const struct htab *h, struct htab_elem *e, void *value)
{
	plat_memcpy(value, htab_elem_value(h, e), h->value_bytes);
}

/* The link that points at @e: NULL when @e is first (the head word) or absent (*@found false). */
static _Atomic(struct htab_elem *) *link_to(struct htab_bucket *b, struct htab_elem *e, bool *found)
{
	struct htab_elem *cur = htab_first(b, memory_order_relaxed), *next;

	*found = true;
	if (cur == e)
		return NULL;
	for (; cur; cur = next) {
		next = atomic_load_explicit(&cur->next, memory_order_relaxed);
		if (next == e)
			return &cur->next;
	}
	*found = false;
	return NULL;
}

/* Points the link to @old (head word or an element's next) at @e, releasing @e's contents. */
static void relink_locked(struct htab_bucket *b, struct htab_elem *old, struct htab_elem *e)
{
	bool found;
	_Atomic(struct htab_elem *) *link = link_to(b, old, &found);

	if (link)
		atomic_store_explicit(link, e, memory_order_release);
	else if (found)
		htab_set_first_locked(b, e);
}

bool htab_unlink_locked(struct htab_bucket *b, struct htab_elem *e)
{
	bool found;
	_Atomic(struct htab_elem *) *link = link_to(b, e, &found);
	struct htab_elem *next = atomic_load_explicit(&e->next, memory_order_relaxed);

	if (link)
		atomic_store_explicit(link, next, memory_order_release);
	else if (found)
		htab_set_first_locked(b, next);
	return found;
}

void htab_link_locked(struct htab_bucket *b, struct htab_elem *e)
{
	atomic_store_explicit(&e->next, htab_first(b, memory_order_relaxed), memory_order_relaxed);
	htab_set_first_locked(b, e);
}

void htab_replace_locked(struct htab_bucket *b, struct htab_elem *old, struct htab_elem *e)
{
	atomic_store_explicit(&e->next, atomic_load_explicit(&old->next, memory_order_relaxed),
			      memory_order_relaxed);
	relink_locked(b, old, e);
}

static int check_flags(struct htab *h, uint64_t flags)
{
	if (unlikely((flags & ~BPF_F_LOCK) > BPF_EXIST))
		return bh_map_err(-EINVAL, &h->map, "update flags other than BPF_ANY/NOEXIST/EXIST");
	if (unlikely(flags & BPF_F_LOCK))
		return bh_map_err(-EINVAL, &h->map, "BPF_F_LOCK needs a value with a bpf_spin_lock");
	return 0;
}

/*
 * The one update path. @prog says the value has the program layout (one
 * CPU's value); a per-CPU element that exists is then updated in place.
 */
static int htab_update(struct htab *h, const void *key, const void *value, uint64_t flags, bool prog)
{
	uint32_t hash = htab_hash(h, key);
	struct htab_bucket *b = htab_bucket(h, hash);
	struct htab_elem *old, *e;
	int err = check_flags(h, flags);

	if (err)
		return err;
	if (prog && h->percpu) {
		/* Linux updates this CPU's slot of an existing element in place. */
		htab_bucket_lock(b);
		old = htab_find(h, key, hash);
		if (old) {
			if (flags == BPF_NOEXIST) {
				htab_bucket_unlock(b);
				return bh_map_err(-EEXIST, &h->map, "key exists (BPF_NOEXIST)");
			}
			htab_elem_set_value_prog(h, old, value);
			htab_bucket_unlock(b);
			return 0;
		}
		htab_bucket_unlock(b);
	} else {
		/* The bucket's line loads while the new element is made. */
		__builtin_prefetch(b, 1);
	}
	e = htab_elem_new(h, key, hash);
	if (unlikely(!e))
		return bh_map_err(-ENOMEM, &h->map, "out of memory for an element");
	if (prog)
		htab_elem_set_value_prog(h, e, value);
	else
		htab_elem_set_value_user(h, e, value);
	/* The chain's first element loads while the lock is taken (a hint: nothing is read). */
	__builtin_prefetch(htab_first(b, memory_order_relaxed), 0);

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
	if (old) {
		htab_replace_locked(b, old, e);
	} else {
		if (atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed) >= h->map.max_entries) {
			atomic_fetch_sub_explicit(&h->count, 1, memory_order_relaxed);
			err = bh_map_err(-E2BIG, &h->map, "map is full (max_entries reached)");
			goto fail;
		}
		htab_link_locked(b, e);
	}
	htab_bucket_unlock(b);
	if (old)
		elem_retire(h, old);
	return 0;
fail:
	htab_bucket_unlock(b);
	if (h->slab) {
		/* Never linked: no reader saw it, it can be reused at once. */
		bh_slab_cached_free_unused(h->slab, e, &h->slab_lock);
	} else {
		htab_elem_free(e);
	}
	return err;
}

static int htab_delete(struct htab *h, const void *key, void *value_out)
{
	uint32_t hash = htab_hash(h, key);
	struct htab_bucket *b = htab_bucket(h, hash);
	struct htab_elem *e;

	htab_bucket_lock(b);
	e = htab_find(h, key, hash);
	if (!e) {
		htab_bucket_unlock(b);
		return bh_map_err(-ENOENT, &h->map, "no such key");
	}
	htab_unlink_locked(b, e);
	atomic_fetch_sub_explicit(&h->count, 1, memory_order_relaxed);
	htab_bucket_unlock(b);
	if (value_out)
		htab_copy_value_user(h, e, value_out);
	elem_retire(h, e);
	return 0;
}

static void *htab_lookup_elem(struct bh_map *map, const void *key)
{
	struct htab *h = htab_of(map);
	struct htab_elem *e = htab_find(h, key, htab_hash(h, key));

	return e ? htab_prog_value(h, e) : NULL;
}

static long htab_update_elem(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	return htab_update(htab_of(map), key, value, flags, true);
}

static long htab_delete_elem(struct bh_map *map, const void *key)
{
	return htab_delete(htab_of(map), key, NULL);
}

int htab_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	struct htab *h = htab_of(map);
	struct htab_elem *e = htab_find(h, key, htab_hash(h, key));

	(void)flags;
	if (!e)
		return bh_map_err(-ENOENT, map, "no such key");
	htab_copy_value_user(h, e, value);
	return 0;
}

static int htab_sys_update(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	return htab_update(htab_of(map), key, value, flags, false);
}

static int htab_sys_delete(struct bh_map *map, const void *key)
{
	return htab_delete(htab_of(map), key, NULL);
}

static int htab_sys_lookup_and_delete(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	(void)flags;
	return htab_delete(htab_of(map), key, value);
}

static struct htab_elem *first_from(const struct htab *h, uint32_t bucket)
{
	for (uint32_t i = bucket; i < h->n_buckets; i++) {
		struct htab_elem *e = htab_first(&h->buckets[i], memory_order_acquire);

		if (e)
			return e;
	}
	return NULL;
}

int htab_get_next_key(struct bh_map *map, const void *key, void *next_key)
{
	struct htab *h = htab_of(map);
	struct htab_elem *e = NULL, *next = NULL;

	if (key) {
		uint32_t hash = htab_hash(h, key);

		e = htab_find(h, key, hash);
		if (e) {
			next = atomic_load_explicit(&e->next, memory_order_acquire);
			if (!next)
				next = first_from(h, (hash & (h->n_buckets - 1)) + 1);
		}
	}
	/* No key, or the key is gone: start over, as Linux does. */
	if (!e)
		next = first_from(h, 0);
	if (!next)
		return bh_map_err(-ENOENT, map, "no more keys");
	plat_memcpy(next_key, next->key, map->key_size);
	return 0;
}

int htab_batch_begin(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr,
		     const char *cmd, uint32_t *batch)
{
	const uint32_t *in = u64_to_ptr(attr->batch.in_batch);
	struct htab *h = htab_of(map);

	if (attr->batch.elem_flags & ~BPF_F_LOCK)
		return bh_err(-EINVAL, "%s: map '%s': unknown elem_flags", cmd, map->name);
	if (attr->batch.elem_flags & BPF_F_LOCK)
		return bh_err(-EINVAL, "%s: map '%s': BPF_F_LOCK needs a bpf_spin_lock", cmd, map->name);
	if (attr->batch.flags)
		return bh_err(-EINVAL, "%s: map '%s': flags must be 0", cmd, map->name);
	if (!attr->batch.count)
		return 0;
	/* Like Linux: the count is reset before the token is looked at. */
	uattr->batch.count = 0;
	*batch = 0;
	if (in)
		plat_memcpy(batch, in, sizeof(*batch));
	if (*batch >= h->n_buckets)
		return bh_map_err(-ENOENT, map, "batch token past the last bucket");
	if (!attr->batch.keys || !attr->batch.values || !attr->batch.out_batch)
		return bh_err(-EFAULT, "%s: map '%s': keys, values or out_batch is NULL", cmd, map->name);
	return 1;
}

/*
 * Bucket-at-a-time batches, as Linux's htab: the token is a u32 bucket
 * index; a bucket that does not fit the remaining count ends the batch
 * (-ENOSPC if nothing fit at all).
 */
static int htab_batch(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr, bool del)
{
	struct htab *h = htab_of(map);
	const char *cmd = del ? "BPF_MAP_LOOKUP_AND_DELETE_BATCH" : "BPF_MAP_LOOKUP_BATCH";
	void *out = u64_to_ptr(attr->batch.out_batch);
	char *keys = u64_to_ptr(attr->batch.keys), *values = u64_to_ptr(attr->batch.values);
	uint32_t max = attr->batch.count, total = 0, batch;
	int ret;

	ret = htab_batch_begin(map, attr, uattr, cmd, &batch);
	if (ret <= 0)
		return ret;
	ret = 0;

	for (;;) {
		struct htab_bucket *b;
		struct htab_elem *e, *next;
		uint32_t n = 0;

		if (batch >= h->n_buckets) {
			ret = bh_map_err(-ENOENT, map, "batch reached the end of the map");
			break;
		}
		b = &h->buckets[batch];
		htab_bucket_lock(b);
		for (e = htab_first(b, memory_order_relaxed); e; e = atomic_load_explicit(&e->next, memory_order_relaxed))
			n++;
		if (n > max - total) {
			htab_bucket_unlock(b);
			if (total == 0)
				ret = bh_err(-ENOSPC, "%s: map '%s': count %u is smaller than a bucket of %u",
					     cmd, map->name, max, n);
			break;
		}
		for (e = htab_first(b, memory_order_relaxed); e; e = next) {
			next = atomic_load_explicit(&e->next, memory_order_relaxed);
			plat_memcpy(keys + (size_t)total * map->key_size, e->key, map->key_size);
			htab_copy_value_user(h, e, values + (size_t)total * map->value_size_user);
			total++;
			if (del) {
				htab_unlink_locked(b, e);
				atomic_fetch_sub_explicit(&h->count, 1, memory_order_relaxed);
				if (h->on_unlink)
					h->on_unlink(h, e);
				else
					htab_elem_free(e);
			}
		}
		htab_bucket_unlock(b);
		batch++;
	}
	bh_store_u32(out, batch);
	uattr->batch.count = total;
	return ret;
}

int htab_lookup_batch(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr)
{
	return htab_batch(map, attr, uattr, false);
}

int htab_lookup_and_delete_batch(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr)
{
	return htab_batch(map, attr, uattr, true);
}

uint64_t htab_mem_usage(const struct bh_map *map)
{
	const struct htab *h = container_of(map, struct htab, map);
	uint64_t elem = elem_bytes(h) + 32;

	if (h->slab)
		return sizeof(*h) + plat_alloc_aligned_size((size_t)h->n_buckets * sizeof(struct htab_bucket)) +
		       bh_slab_bytes(h->slab) + bh_slab_cache_bytes(h->slab);
	return sizeof(*h) + (uint64_t)h->n_buckets * sizeof(struct htab_bucket) +
	       (uint64_t)atomic_load(&((struct htab *)h)->count) * elem;
}

static int htab_map_check(const union bpf_attr *attr)
{
	return htab_check(attr, "hash", 0);
}

static int htab_percpu_map_check(const union bpf_attr *attr)
{
	if (round_up(attr->value_size, 8) > BH_MAP_MAX_PERCPU_VALUE)
		return bh_err(-E2BIG, "BPF_MAP_CREATE: percpu_hash value_size %u is over the per-CPU "
			      "limit %u", attr->value_size, BH_MAP_MAX_PERCPU_VALUE);
	return htab_check(attr, "percpu_hash", 0);
}

static struct bh_map *alloc_common(const union bpf_attr *attr, bool percpu)
{
	struct htab *h = plat_alloc_aligned(sizeof(*h));
	uint32_t size;
	int err;

	if (!h)
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for a hash map"));
	err = htab_init(h, attr, percpu);
	if (err) {
		plat_free_aligned(h);
		return ERR_PTR(err);
	}
	size = (uint32_t)elem_bytes(h);
	h->slab = bh_slab_create(1, &size);
	if (!h->slab || bh_slab_enable_cpu_caches(h->slab)) {
		bh_slab_destroy(h->slab);
		plat_free_aligned(h->buckets);
		plat_free_aligned(h);
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for a hash map's slab"));
	}
	/* Preallocated in Linux (charged for max_entries): huge chunks from the start. */
	if (!(attr->map_flags & BPF_F_NO_PREALLOC))
		bh_slab_expect(h->slab, (uint64_t)attr->max_entries * bh_slab_slot_size(h->slab, 0));
	h->on_unlink = elem_unlinked;
	return &h->map;
}

static struct bh_map *htab_map_alloc(const union bpf_attr *attr)
{
	return alloc_common(attr, false);
}

static struct bh_map *htab_percpu_map_alloc(const union bpf_attr *attr)
{
	return alloc_common(attr, true);
}

static void htab_map_free(struct bh_map *map)
{
	struct htab *h = htab_of(map);

	/* Nothing can reach the map any more: every element goes with the slab. */
	plat_free_aligned(h->buckets);
	bh_slab_destroy(h->slab);
	plat_free_aligned(h);
}

#define HTAB_COMMON_OPS                                                   \
	.free = htab_map_free,                                            \
	.lookup_elem = htab_lookup_elem,                                  \
	.update_elem = htab_update_elem,                                  \
	.delete_elem = htab_delete_elem,                                  \
	.sys_lookup = htab_sys_lookup,                                    \
	.sys_update = htab_sys_update,                                    \
	.sys_delete = htab_sys_delete,                                    \
	.sys_lookup_and_delete = htab_sys_lookup_and_delete,              \
	.get_next_key = htab_get_next_key,                                \
	.lookup_batch = htab_lookup_batch,                                \
	.lookup_and_delete_batch = htab_lookup_and_delete_batch,          \
	.update_batch = bh_map_generic_update_batch,                      \
	.delete_batch = bh_map_generic_delete_batch,                      \
	.mem_usage = htab_mem_usage

const struct bh_map_ops htab_map_ops = {
	.name = "hash",
	.check = htab_map_check,
	.alloc = htab_map_alloc,
	HTAB_COMMON_OPS,
};

const struct bh_map_ops htab_percpu_map_ops = {
	.name = "percpu_hash",
	.percpu = true,
	.check = htab_percpu_map_check,
	.alloc = htab_percpu_map_alloc,
	HTAB_COMMON_OPS,
};
