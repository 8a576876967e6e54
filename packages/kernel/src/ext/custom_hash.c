// SPDX-License-Identifier: MIT
/*
 * Custom maps on a hash base: the core's hash table (lock-free lookups
 * under epoch) with the provider's callbacks around each element operation.
 * Writers of one entry are ordered by a "claimed" mark taken under the
 * bucket lock: a delete that asks the provider first (preprocess) claims the
 * entry, and other writers of that key wait for the decision, so a value is
 * reported gone exactly once. A claimed entry stays linked (a veto puts it
 * back as it was) but is gone for every reader from the moment it is
 * claimed: the provider may release the value at once (epoch_free), and a
 * lookup that found it later would hand the released value on. No core lock
 * is held around a callback.
 */
#include "custom_map_internal.h"

static struct custom_hash *chash_of(struct bh_map *map)
{
	return container_of(htab_of(map), struct custom_hash, h);
}

/*
 * Readers test the mark after finding the entry. A seq_cst store and load:
 * a reader that still sees 0 was inside its epoch before the claim, so a
 * value the provider frees after claiming outlives that reader.
 */
static inline bool chash_claimed(struct htab_elem *e)
{
	return atomic_load(&e->claimed) != 0;
}

/* Lock-free lookup under epoch: a claimed entry is not there. */
static struct htab_elem *chash_find_visible(struct custom_hash *ch, const void *key)
{
	struct htab_elem *e = htab_find(&ch->h, key, htab_hash(&ch->h, key));

	return e && !chash_claimed(e) ? e : NULL;
}

static int chash_lookup(struct bh_map *map, const void *key, void *value, bool helper, void **stored_out)
{
	struct custom_hash *ch = chash_of(map);
	struct htab_elem *e;
	void *stored;
	int err = custom_orphan_check(&ch->c);

	if (err)
		return err;
	e = chash_find_visible(ch, key);
	if (!e)
		return bh_map_err(-ENOENT, map, "no such key");
	stored = htab_elem_value(&ch->h, e);
	err = custom_call_find(&ch->c, key, stored, value, helper);
	if (err)
		return err;
	if (value && !ch->c.uov)
		plat_memcpy(value, stored, map->value_size);
	if (stored_out)
		*stored_out = stored;
	return 0;
}

static int chash_update(struct bh_map *map, const void *key, const void *value, uint64_t flags,
			bool helper)
{
	struct custom_hash *ch = chash_of(map);
	struct custom_common *c = &ch->c;
	uint32_t hash = htab_hash(&ch->h, key);
	struct htab_bucket *b = htab_bucket(&ch->h, hash);
	struct htab_elem *e, *old, *seen = NULL;
	uint8_t *fresh;
	int err = custom_orphan_check(c);

	if (err)
		return err;
	if (helper && c->uov)
		return bh_map_err(-EOPNOTSUPP, map, "programs cannot update a map whose provider "
				  "updates the original value");
	err = custom_check_update_flags(map, flags);
	if (err)
		return err;
	/* Allocate first: a failure here never reaches the provider. */
	e = htab_elem_new(&ch->h, key, hash);
	if (!e)
		return bh_map_err(-ENOMEM, map, "out of memory for an element");
	fresh = htab_elem_value(&ch->h, e);
retry:
	if (c->stored_arg)
		/* Under epoch (callers are in one): @seen's bytes stay readable even if replaced. */
		seen = chash_find_visible(ch, key);
	if (c->uov)
		plat_memset(fresh, 0, c->actual_value_size);
	err = custom_call_update(c, key, value, seen ? htab_elem_value(&ch->h, seen) : NULL, fresh, helper);
	if (err) {
		htab_elem_free(e);
		return err;
	}
	if (!c->uov)
		plat_memcpy(fresh, value, map->value_size);

	for (;;) {
		htab_bucket_lock(b);
		old = htab_find(&ch->h, key, hash);
		if (!old || !atomic_load_explicit(&old->claimed, memory_order_relaxed))
			break;
		/* A delete is asking the provider about @old: wait for its answer. */
		htab_bucket_unlock(b);
		plat_yield();
	}
	if (c->stored_arg && old != seen) {
		/*
		 * Another writer stored or deleted the key since the provider
		 * saw it: the prepared value is stale. Undo it and prepare again
		 * from what is stored now (elements are never reused while we
		 * are in the epoch, so pointer equality means the same value).
		 */
		htab_bucket_unlock(b);
		custom_notify_gone(c, key, fresh, custom_undo_flags(c, helper));
		goto retry;
	}
	if (old && flags == BPF_NOEXIST)
		err = bh_map_err(-EEXIST, map, "key exists (BPF_NOEXIST)");
	else if (!old && flags == BPF_EXIST)
		err = bh_map_err(-ENOENT, map, "no such key (BPF_EXIST)");
	else if (!old && atomic_fetch_add(&ch->h.count, 1) >= map->max_entries) {
		atomic_fetch_sub(&ch->h.count, 1);
		err = bh_map_err(-E2BIG, map, "map is full (max_entries reached)");
	}
	if (err) {
		htab_bucket_unlock(b);
		/* Undo: the provider prepared a value that will not be stored. */
		if (custom_has_update(c))
			custom_notify_gone(c, key, fresh, custom_undo_flags(c, helper));
		htab_elem_free(e);
		return err;
	}
	if (old)
		htab_replace_locked(b, old, e);
	else
		htab_link_locked(b, e);
	htab_bucket_unlock(b);
	if (old) {
		custom_notify_gone(c, old->key, htab_elem_value(&ch->h, old),
			    BPFHOST_MAP_OPERATION_UPDATE | custom_helper_flag(helper));
		htab_elem_free(old);
	}
	return 0;
}

/* Delete, optionally returning the value first (lookup-and-delete). */
static int chash_delete(struct bh_map *map, const void *key, void *value, bool helper, bool lookup)
{
	struct custom_hash *ch = chash_of(map);
	struct custom_common *c = &ch->c;
	uint32_t hash = htab_hash(&ch->h, key);
	struct htab_bucket *b = htab_bucket(&ch->h, hash);
	bool ask = lookup || c->table->preprocess_map_delete_element;
	struct htab_elem *e;
	void *stored;
	int err = custom_orphan_check(c);

	if (err)
		return err;
	if (helper && c->uov)
		return bh_map_err(-EOPNOTSUPP, map, "programs cannot delete from a map whose provider "
				  "updates the original value");
	for (;;) {
		htab_bucket_lock(b);
		e = htab_find(&ch->h, key, hash);
		if (!e) {
			htab_bucket_unlock(b);
			return bh_map_err(-ENOENT, map, "no such key");
		}
		if (!atomic_load_explicit(&e->claimed, memory_order_relaxed))
			break;
		htab_bucket_unlock(b);
		plat_yield();
	}
	stored = htab_elem_value(&ch->h, e);
	if (ask) {
		/*
		 * Claim it before the provider sees it: from here on no lookup
		 * reaches the value, which pre-processing may release at once.
		 */
		atomic_store(&e->claimed, 1);
		htab_bucket_unlock(b);
		err = lookup ? custom_call_find(c, key, stored, value, helper) : 0;
		if (!err && lookup && !c->uov)
			plat_memcpy(value, stored, map->value_size);
		if (!err && c->table->preprocess_map_delete_element) {
			err = c->table->preprocess_map_delete_element(c->binding_context,
								      map->custom_map_context,
								      map->key_size, key,
								      c->actual_value_size, stored,
								      custom_helper_flag(helper));
			if (err)
				err = custom_cb_err(c, "preprocess_map_delete_element", err);
		}
		htab_bucket_lock(b);
		if (err) {
			/* Vetoed (or find failed): visible again, value untouched. */
			atomic_store(&e->claimed, 0);
			htab_bucket_unlock(b);
			return err;
		}
	}
	htab_unlink_locked(b, e);
	atomic_fetch_sub(&ch->h.count, 1);
	htab_bucket_unlock(b);
	if (c->table->postprocess_map_delete_element)
		c->table->postprocess_map_delete_element(c->binding_context, map->custom_map_context,
							 map->key_size, key, c->actual_value_size,
							 stored, custom_helper_flag(helper));
	htab_elem_free(e);
	return 0;
}

/* Teardown: MAP_CLEANUP for every entry, then the storage goes. */
static void chash_cleanup(struct custom_hash *ch)
{
	for (uint32_t i = 0; i < ch->h.n_buckets; i++) {
		struct htab_elem *e = htab_first(&ch->h.buckets[i], memory_order_seq_cst), *next;

		atomic_store(&ch->h.buckets[i].head, 0);
		for (; e; e = next) {
			next = atomic_load(&e->next);
			custom_notify_gone(&ch->c, e->key, htab_elem_value(&ch->h, e),
				    BPFHOST_MAP_OPERATION_MAP_CLEANUP);
			htab_elem_free(e);
		}
	}
	atomic_store(&ch->h.count, 0);
}

static void *chash_lookup_elem(struct bh_map *map, const void *key)
{
	struct custom_hash *ch = chash_of(map);
	struct htab_elem *e;
	void *stored = NULL;

	if (!ch->c.uov)
		return chash_lookup(map, key, NULL, true, &stored) ? NULL : stored;
	/* Provider-translated values: only a copy, and only if the provider allows it. */
	if (!ch->c.programs_read || custom_orphan_check(&ch->c))
		return NULL;
	e = chash_find_visible(ch, key);
	return e ? custom_program_read(&ch->c, key, htab_elem_value(&ch->h, e)) : NULL;
}

static long chash_update_elem(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	return chash_update(map, key, value, flags, true);
}

static long chash_delete_elem(struct bh_map *map, const void *key)
{
	return chash_delete(map, key, NULL, true, false);
}

static int chash_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	(void)flags;
	return chash_lookup(map, key, value, false, NULL);
}

static int chash_sys_update(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	return chash_update(map, key, value, flags, false);
}

static int chash_sys_delete(struct bh_map *map, const void *key)
{
	return chash_delete(map, key, NULL, false, false);
}

static int chash_sys_lookup_and_delete(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	(void)flags;
	return chash_delete(map, key, value, false, true);
}

/* The first unclaimed entry from @e on: its chain, then the buckets after @bucket. */
static struct htab_elem *chash_visible_from(struct custom_hash *ch, struct htab_elem *e, uint32_t bucket)
{
	for (;;) {
		for (; e; e = atomic_load_explicit(&e->next, memory_order_acquire))
			if (!chash_claimed(e))
				return e;
		if (++bucket >= ch->h.n_buckets)
			return NULL;
		e = htab_first(&ch->h.buckets[bucket], memory_order_acquire);
	}
}

/* As htab_get_next_key, but claimed keys are not handed out (they only mark a position). */
static int chash_get_next_key(struct bh_map *map, const void *key, void *next_key)
{
	struct custom_hash *ch = chash_of(map);
	struct htab_elem *e = NULL, *next = NULL;
	int err = custom_orphan_check(&ch->c);

	if (err)
		return err;
	if (key) {
		uint32_t hash = htab_hash(&ch->h, key);

		e = htab_find(&ch->h, key, hash);
		if (e)
			next = chash_visible_from(ch, atomic_load_explicit(&e->next, memory_order_acquire),
						  hash & (ch->h.n_buckets - 1));
	}
	/* No key, or the key is gone: start over, as Linux does. */
	if (!e)
		next = chash_visible_from(ch, htab_first(&ch->h.buckets[0], memory_order_acquire), 0);
	if (!next)
		return bh_map_err(-ENOENT, map, "no more keys");
	plat_memcpy(next_key, next->key, map->key_size);
	return 0;
}

/* ----------------------------------------------------- storage of the base */

static int chash_check(const union bpf_attr *attr)
{
	if (attr->key_size == 0)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: hash-based custom map needs key_size > 0");
	return 0;
}

static struct custom_common *chash_alloc(const union bpf_attr *attr, uint32_t actual)
{
	struct custom_hash *ch = plat_alloc_aligned(sizeof(*ch));
	union bpf_attr stored = *attr;

	if (!ch)
		return NULL;
	stored.value_size = actual;
	if (htab_init(&ch->h, &stored, false)) {
		plat_free_aligned(ch);
		return NULL;
	}
	ch->h.map.ops = &custom_hash_ops;
	ch->c.map = &ch->h.map;
	return &ch->c;
}

static void chash_free(struct custom_common *c)
{
	struct custom_hash *ch = chash_of(c->map);

	htab_free_elems(&ch->h);
	plat_free_aligned(ch);
}

static void chash_cleanup_common(struct custom_common *c)
{
	chash_cleanup(chash_of(c->map));
}

static int chash_find_raw(struct bh_map *map, const void *key, uint8_t **value)
{
	struct custom_hash *ch = chash_of(map);
	struct htab_elem *e = chash_find_visible(ch, key);

	if (!e)
		return -ENOENT;
	*value = htab_elem_value(&ch->h, e);
	return 0;
}

const struct custom_base custom_hash_base = {
	.check = chash_check,
	.alloc = chash_alloc,
	.free = chash_free,
	.cleanup = chash_cleanup_common,
	.find = chash_find_raw,
};

const struct bh_map_ops custom_hash_ops = {
	.name = "custom_hash",
	.created = custom_map_created,
	.free = custom_map_free,
	.lookup_elem = chash_lookup_elem,
	.update_elem = chash_update_elem,
	.delete_elem = chash_delete_elem,
	.sys_lookup = chash_sys_lookup,
	.sys_update = chash_sys_update,
	.sys_delete = chash_sys_delete,
	.sys_lookup_and_delete = chash_sys_lookup_and_delete,
	.get_next_key = chash_get_next_key,
	.lookup_batch = bh_map_generic_lookup_batch,
	.lookup_and_delete_batch = bh_map_generic_lookup_and_delete_batch,
	.update_batch = bh_map_generic_update_batch,
	.delete_batch = bh_map_generic_delete_batch,
	.mem_usage = htab_mem_usage,
};
