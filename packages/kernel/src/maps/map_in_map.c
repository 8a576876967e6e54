// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS.
 *
 * A slot or element owns one reference to its inner map. Replacing or
 * deleting it puts that reference after the map's own locks are dropped;
 * the inner map is then destroyed only after the epoch, so a program that
 * looked it up keeps a valid pointer until it leaves. Freeing the outer map
 * puts every inner map it still holds.
 *
 * The array is a plain array of atomic pointers. The hash is the table of
 * htab.h with a struct bh_map * as the stored value (user space sees a u32:
 * a handle on update, an id on lookup), so it keeps htab's lock-free lookups.
 */
#include "map_in_map.h"
#include "htab.h"

/* Linux: fd arrays take no BPF_F_RDONLY_PROG/WRONLY_PROG, arrays' other flags are ARRAY-only. */
#define ARRAY_OF_MAPS_FLAGS (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)

/*
 * The slots follow the map in one allocation: a program's outer lookup is
 * one dependent load (map + index to the inner map pointer), as Linux's
 * array of maps.
 */
struct map_array {
	struct bh_map map;
	struct bh_inner_map_meta meta;
	_Atomic(struct bh_map *) slots[];
};

struct map_htab {
	struct htab htab;	/* first: htab.map is the map */
	struct bh_inner_map_meta meta;
};

static inline struct map_array *map_array_of(struct bh_map *map)
{
	return container_of(map, struct map_array, map);
}

static inline struct map_htab *map_htab_of(struct bh_map *map)
{
	return container_of(map, struct map_htab, htab.map);
}

const struct bh_inner_map_meta *bh_map_in_map_meta(const struct bh_map *map)
{
	if (map->ops == &array_of_maps_map_ops)
		return &container_of(map, struct map_array, map)->meta;
	if (map->ops == &hash_of_maps_map_ops)
		return &container_of(map, struct map_htab, htab.map)->meta;
	return NULL;
}

/* Records the template inner_map_fd names (called under epoch, at create). */
static int meta_init(struct bh_inner_map_meta *meta, const union bpf_attr *attr, const char *family)
{
	struct bh_object *obj;
	struct bh_map *tmpl;

	if (!attr->inner_map_fd)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map needs inner_map_fd, a map its inner maps "
			      "must match", family);
	obj = bh_handle_lookup((int)attr->inner_map_fd);
	if (!obj)
		return bh_err(-EBADF, "BPF_MAP_CREATE: %s map: inner_map_fd %u is not an open handle",
			      family, attr->inner_map_fd);
	if (obj->kind != BH_OBJ_MAP)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map: inner_map_fd %u is a %s, not a map",
			      family, attr->inner_map_fd, bh_obj_kind_name(obj->kind));
	tmpl = bh_map_from_obj(obj);
	if (bh_map_in_map_meta(tmpl))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map: template map '%s' is itself a map of "
			      "maps (one level of nesting only)", family, tmpl->name);
	if (tmpl->ops == &prog_array_map_ops)
		return bh_err(-ENOTSUPP, "BPF_MAP_CREATE: %s map: a prog array ('%s') cannot be an "
			      "inner map", family, tmpl->name);
	meta->ops = tmpl->ops;
	meta->map_type = tmpl->map_type;
	meta->key_size = tmpl->key_size;
	meta->value_size = tmpl->value_size;
	meta->max_entries = tmpl->max_entries;
	meta->map_flags = tmpl->map_flags;
	return 0;
}

/*
 * The map a user value names, with a reference, if it matches the template
 * as Linux's map_meta_equal decides: type, key and value size and flags;
 * max_entries too for plain arrays unless the template is BPF_F_INNER_MAP.
 */
static struct bh_map *inner_map_get(struct bh_map *outer, const struct bh_inner_map_meta *meta,
				    const void *value)
{
	uint32_t handle = bh_load_u32(value);
	struct bh_object *obj = bh_handle_lookup((int)handle);
	struct bh_map *inner;
	const char *what = NULL;

	if (!obj)
		return ERR_PTR(bh_err(-EBADF, "map '%s': value %u is not an open map handle",
				      outer->name, handle));
	if (obj->kind != BH_OBJ_MAP)
		return ERR_PTR(bh_err(-EINVAL, "map '%s': value %u is a %s handle, not a map",
				      outer->name, handle, bh_obj_kind_name(obj->kind)));
	inner = bh_map_from_obj(obj);
	if (inner->map_type != meta->map_type)
		what = "map type";
	else if (inner->key_size != meta->key_size)
		what = "key_size";
	else if (inner->value_size != meta->value_size)
		what = "value_size";
	else if (inner->map_flags != meta->map_flags)
		what = "map_flags";
	else if (meta->ops == &array_map_ops && !(meta->map_flags & BPF_F_INNER_MAP) &&
		 inner->max_entries != meta->max_entries)
		what = "max_entries (the template array is not BPF_F_INNER_MAP)";
	if (what)
		return ERR_PTR(bh_err(-EINVAL, "map '%s': inner map '%s' does not match the template: "
				      "%s differs", outer->name, inner->name, what));
	/* The handle may be closing concurrently: never revive a dying map. */
	if (!bh_object_get_not_zero(&inner->obj))
		return ERR_PTR(bh_err(-EBADF, "map '%s': map handle %u is being closed", outer->name,
				      handle));
	return inner;
}

static inline void inner_map_put(struct bh_map *inner)
{
	if (inner)
		bh_object_put(&inner->obj);
}

/* Program side: the verifier lets programs only look up maps of maps. */
static long map_in_map_update_elem(struct bh_map *map, const void *key, const void *value,
				   uint64_t flags)
{
	(void)key;
	(void)value;
	(void)flags;
	return bh_map_err(-EOPNOTSUPP, map, "programs cannot update a map of maps");
}

static long map_in_map_delete_elem(struct bh_map *map, const void *key)
{
	(void)key;
	return bh_map_err(-EOPNOTSUPP, map, "programs cannot delete from a map of maps");
}

/* ---- BPF_MAP_TYPE_ARRAY_OF_MAPS ---- */

static int array_of_maps_check(const union bpf_attr *attr)
{
	int err;

	if (attr->value_size != 4)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: array of maps needs value_size 4 (a map "
			      "handle), got %u", attr->value_size);
	err = bh_map_check_sizes(attr, "array of maps", ARRAY_OF_MAPS_FLAGS);
	if (err)
		return err;
	if (attr->key_size != 4)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: array of maps needs key_size 4, got %u",
			      attr->key_size);
	if ((attr->map_flags & BPF_F_RDONLY) && (attr->map_flags & BPF_F_WRONLY))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: BPF_F_RDONLY and BPF_F_WRONLY together");
	return 0;
}

static struct bh_map *array_of_maps_alloc(const union bpf_attr *attr)
{
	struct map_array *a = plat_alloc_aligned(sizeof(*a) + (size_t)attr->max_entries * sizeof(a->slots[0]));
	int err;

	if (!a)
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for an array of maps with %u "
				      "slots", attr->max_entries));
	err = meta_init(&a->meta, attr, "array of maps");
	if (err)
		goto fail;
	return &a->map;
fail:
	plat_free_aligned(a);
	return ERR_PTR(err);
}

static void array_of_maps_free(struct bh_map *map)
{
	struct map_array *a = map_array_of(map);

	for (uint32_t i = 0; i < map->max_entries; i++)
		inner_map_put(atomic_load_explicit(&a->slots[i], memory_order_relaxed));
	plat_free_aligned(a);
}

/* Called under epoch, may run from a program: the inner map itself, or NULL. */
static void *array_of_maps_lookup_elem(struct bh_map *map, const void *key)
{
	uint32_t index = bh_load_u32(key);

	if (unlikely(index >= map->max_entries))
		return NULL;
	return atomic_load_explicit(&map_array_of(map)->slots[index], memory_order_acquire);
}

_Atomic(struct bh_map *) *bh_array_of_maps_slots(struct bh_map *map)
{
	return map->ops == &array_of_maps_map_ops ? map_array_of(map)->slots : NULL;
}

static int array_of_maps_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	struct bh_map *inner = array_of_maps_lookup_elem(map, key);

	(void)flags;
	if (!inner)
		return bh_map_err(-ENOENT, map, bh_load_u32(key) >= map->max_entries ?
				  "index is not below max_entries" : "no map at this index");
	bh_store_u32(value, inner->obj.id);
	return 0;
}

/* Linux checks flags, then the index, then the handle. */
static int array_of_maps_sys_update(struct bh_map *map, const void *key, const void *value,
				   uint64_t flags)
{
	struct map_array *a = map_array_of(map);
	uint32_t index = bh_load_u32(key);
	struct bh_map *inner;

	if (flags != BPF_ANY)
		return bh_map_err(-EINVAL, map, "array of maps updates take BPF_ANY only");
	if (index >= map->max_entries)
		return bh_map_err(-E2BIG, map, "index is not below max_entries");
	inner = inner_map_get(map, &a->meta, value);
	if (IS_ERR(inner))
		return (int)PTR_ERR(inner);
	inner_map_put(atomic_exchange_explicit(&a->slots[index], inner, memory_order_acq_rel));
	return 0;
}

static int array_of_maps_sys_delete(struct bh_map *map, const void *key)
{
	struct map_array *a = map_array_of(map);
	uint32_t index = bh_load_u32(key);
	struct bh_map *old;

	if (index >= map->max_entries)
		return bh_map_err(-E2BIG, map, "index is not below max_entries");
	old = atomic_exchange_explicit(&a->slots[index], NULL, memory_order_acq_rel);
	if (!old)
		return bh_map_err(-ENOENT, map, "no map at this index");
	inner_map_put(old);
	return 0;
}

static uint64_t array_of_maps_mem_usage(const struct bh_map *map)
{
	return sizeof(struct map_array) + (uint64_t)map->max_entries * sizeof(void *);
}

/* Linux gives arrays of maps the generic lookup and update batches only. */
const struct bh_map_ops array_of_maps_map_ops = {
	.name = "array_of_maps",
	.check = array_of_maps_check,
	.alloc = array_of_maps_alloc,
	.free = array_of_maps_free,
	.lookup_elem = array_of_maps_lookup_elem,
	.update_elem = map_in_map_update_elem,
	.delete_elem = map_in_map_delete_elem,
	.sys_lookup = array_of_maps_sys_lookup,
	.sys_update = array_of_maps_sys_update,
	.sys_delete = array_of_maps_sys_delete,
	.get_next_key = bh_map_index_get_next_key,
	.lookup_batch = bh_map_generic_lookup_batch,
	.update_batch = bh_map_generic_update_batch,
	.mem_usage = array_of_maps_mem_usage,
};

/* ---- BPF_MAP_TYPE_HASH_OF_MAPS ---- */

static inline struct bh_map *elem_inner(const struct htab *h, struct htab_elem *e)
{
	return *(struct bh_map **)htab_elem_value(h, e);
}

static int hash_of_maps_check(const union bpf_attr *attr)
{
	if (attr->value_size != 4)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: hash of maps needs value_size 4 (a map "
			      "handle), got %u", attr->value_size);
	return htab_check(attr, "hash of maps", 0);
}

static struct bh_map *hash_of_maps_alloc(const union bpf_attr *attr)
{
	struct map_htab *mh = plat_alloc_aligned(sizeof(*mh));
	union bpf_attr stored = *attr;
	int err;

	if (!mh)
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for a hash of maps"));
	err = meta_init(&mh->meta, attr, "hash of maps");
	if (err)
		goto fail;
	/* Elements store the inner map pointer; map.c keeps value_size 4 for users. */
	stored.value_size = sizeof(struct bh_map *);
	err = htab_init(&mh->htab, &stored, false);
	if (err)
		goto fail;
	return &mh->htab.map;
fail:
	plat_free_aligned(mh);
	return ERR_PTR(err);
}

static void hash_of_maps_free(struct bh_map *map)
{
	struct map_htab *mh = map_htab_of(map);
	struct htab *h = &mh->htab;

	for (uint32_t i = 0; i < h->n_buckets; i++) {
		struct htab_elem *e = htab_first(&h->buckets[i], memory_order_relaxed);

		for (; e; e = atomic_load_explicit(&e->next, memory_order_relaxed))
			inner_map_put(elem_inner(h, e));
	}
	htab_free_elems(h);
	plat_free_aligned(mh);
}

/* Called under epoch, may run from a program: the inner map itself, or NULL. */
static void *hash_of_maps_lookup_elem(struct bh_map *map, const void *key)
{
	struct htab *h = htab_of(map);
	struct htab_elem *e = htab_find(h, key, htab_hash(h, key));

	return e ? elem_inner(h, e) : NULL;
}

static int hash_of_maps_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	struct bh_map *inner = hash_of_maps_lookup_elem(map, key);

	(void)flags;
	if (!inner)
		return bh_map_err(-ENOENT, map, "no such key");
	bh_store_u32(value, inner->obj.id);
	return 0;
}

/* Linux resolves the handle first, then applies the hash's flag rules. */
static int hash_of_maps_sys_update(struct bh_map *map, const void *key, const void *value,
				   uint64_t flags)
{
	struct map_htab *mh = map_htab_of(map);
	struct htab *h = &mh->htab;
	uint32_t hash = htab_hash(h, key);
	struct htab_bucket *b = htab_bucket(h, hash);
	struct htab_elem *old, *e;
	struct bh_map *inner = inner_map_get(map, &mh->meta, value);
	int err = 0;

	if (IS_ERR(inner))
		return (int)PTR_ERR(inner);
	if ((flags & ~BPF_F_LOCK) > BPF_EXIST) {
		err = bh_map_err(-EINVAL, map, "update flags other than BPF_ANY/NOEXIST/EXIST");
		goto put;
	}
	if (flags & BPF_F_LOCK) {
		err = bh_map_err(-EINVAL, map, "BPF_F_LOCK needs a value with a bpf_spin_lock");
		goto put;
	}
	e = htab_elem_new(h, key, hash);
	if (!e) {
		err = bh_map_err(-ENOMEM, map, "out of memory for an element");
		goto put;
	}
	*(struct bh_map **)htab_elem_value(h, e) = inner;

	htab_bucket_lock(b);
	old = htab_find(h, key, hash);
	if (old && flags == BPF_NOEXIST)
		err = bh_map_err(-EEXIST, map, "key exists (BPF_NOEXIST)");
	else if (!old && flags == BPF_EXIST)
		err = bh_map_err(-ENOENT, map, "no such key (BPF_EXIST)");
	else if (old)
		htab_replace_locked(b, old, e);
	else if (atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed) >= map->max_entries) {
		atomic_fetch_sub_explicit(&h->count, 1, memory_order_relaxed);
		err = bh_map_err(-E2BIG, map, "map is full (max_entries reached)");
	} else {
		htab_link_locked(b, e);
	}
	htab_bucket_unlock(b);
	if (err) {
		htab_elem_free(e);
		goto put;
	}
	if (old) {
		inner_map_put(elem_inner(h, old));
		htab_elem_free(old);
	}
	return 0;
put:
	inner_map_put(inner);
	return err;
}

static int hash_of_maps_sys_delete(struct bh_map *map, const void *key)
{
	struct htab *h = htab_of(map);
	uint32_t hash = htab_hash(h, key);
	struct htab_bucket *b = htab_bucket(h, hash);
	struct htab_elem *e;

	htab_bucket_lock(b);
	e = htab_find(h, key, hash);
	if (e) {
		htab_unlink_locked(b, e);
		atomic_fetch_sub_explicit(&h->count, 1, memory_order_relaxed);
	}
	htab_bucket_unlock(b);
	if (!e)
		return bh_map_err(-ENOENT, map, "no such key");
	inner_map_put(elem_inner(h, e));
	htab_elem_free(e);
	return 0;
}

/*
 * Bucket-at-a-time batches with u32 bucket tokens, as Linux's hash batches
 * (and htab.h's): the values are inner map ids. A bucket that does not fit
 * what is left of count ends the batch (-ENOSPC if nothing fit at all).
 * A deleting batch detaches whole buckets and puts the inner maps unlocked.
 */
static int hash_of_maps_batch(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr,
			      bool del)
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

	for (;; batch++) {
		struct htab_bucket *b;
		struct htab_elem *head, *e;
		uint32_t n = 0;

		if (batch >= h->n_buckets) {
			ret = bh_map_err(-ENOENT, map, "batch reached the end of the map");
			break;
		}
		b = &h->buckets[batch];
		htab_bucket_lock(b);
		head = htab_first(b, memory_order_relaxed);
		for (e = head; e; e = atomic_load_explicit(&e->next, memory_order_relaxed))
			n++;
		if (n > max - total) {
			htab_bucket_unlock(b);
			if (total == 0)
				ret = bh_err(-ENOSPC, "%s: map '%s': count %u is smaller than a bucket of %u",
					     cmd, map->name, max, n);
			break;
		}
		for (e = head; e; e = atomic_load_explicit(&e->next, memory_order_relaxed)) {
			uint32_t id = elem_inner(h, e)->obj.id;

			plat_memcpy(keys + (size_t)total * map->key_size, e->key, map->key_size);
			plat_memcpy(values + (size_t)total * sizeof(id), &id, sizeof(id));
			total++;
		}
		if (del && head) {
			/* Readers already inside keep walking the detached chain. */
			htab_set_first_locked(b, NULL);
			atomic_fetch_sub_explicit(&h->count, n, memory_order_relaxed);
		}
		htab_bucket_unlock(b);
		while (del && head) {
			e = head;
			head = atomic_load_explicit(&e->next, memory_order_relaxed);
			inner_map_put(elem_inner(h, e));
			htab_elem_free(e);
		}
	}
	bh_store_u32(out, batch);
	uattr->batch.count = total;
	return ret;
}

static int hash_of_maps_lookup_batch(struct bh_map *map, const union bpf_attr *attr,
				     union bpf_attr *uattr)
{
	return hash_of_maps_batch(map, attr, uattr, false);
}

static int hash_of_maps_lookup_and_delete_batch(struct bh_map *map, const union bpf_attr *attr,
						union bpf_attr *uattr)
{
	return hash_of_maps_batch(map, attr, uattr, true);
}

const struct bh_map_ops hash_of_maps_map_ops = {
	.name = "hash_of_maps",
	.check = hash_of_maps_check,
	.alloc = hash_of_maps_alloc,
	.free = hash_of_maps_free,
	.lookup_elem = hash_of_maps_lookup_elem,
	.update_elem = map_in_map_update_elem,
	.delete_elem = map_in_map_delete_elem,
	.sys_lookup = hash_of_maps_sys_lookup,
	.sys_update = hash_of_maps_sys_update,
	.sys_delete = hash_of_maps_sys_delete,
	.get_next_key = htab_get_next_key,
	.lookup_batch = hash_of_maps_lookup_batch,
	.lookup_and_delete_batch = hash_of_maps_lookup_and_delete_batch,
	.update_batch = bh_map_generic_update_batch,
	.delete_batch = bh_map_generic_delete_batch,
	.mem_usage = htab_mem_usage,
};
