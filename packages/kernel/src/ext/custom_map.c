// SPDX-License-Identifier: MIT
/*
 * Custom maps: map types implemented by an extension's map information
 * provider over core-owned storage, on a hash or an array base.
 *
 * The core calls the provider's element callbacks with the flags of the
 * peer's matrix (HELPER from programs, UPDATE for displaced or undone
 * values, MAP_CLEANUP on teardown), never while holding one of its locks.
 * Writers of one hash entry are ordered by a "claimed" mark taken under the
 * bucket lock: a delete that asks the provider first (preprocess) claims the
 * entry, and other writers of that key wait for the decision, so a value is
 * reported gone exactly once.
 */
#include "custom_map.h"

#include "registrar.h"
#include "../maps/htab.h"

/* A registered custom type: the provider's tables, copied and validated. */
struct custom_type {
	struct custom_type *next;
	uint32_t map_type;
	uint32_t base_map_type;
	struct bh_provider *provider;	/* NULL once the provider left */
	struct bh_module *module;
	struct bpfhost_base_map_provider_properties props;
	struct bpfhost_base_map_provider_dispatch_table table;
	struct custom_common *maps;	/* live maps of this type (registrar lock) */
	long refs;			/* maps pointing here */
};

enum custom_state {
	CUSTOM_CREATING,	/* not yet published: holds its module busy, not listed */
	CUSTOM_LIVE,
	CUSTOM_ORPHANED,	/* provider gone: operations return -ENODEV */
};

/* What both bases share, reached from a map through custom_of(). */
struct custom_common {
	struct bh_map *map;
	struct custom_type *type;
	struct custom_common *next, *prev;	/* in type->maps */
	const struct bpfhost_base_map_provider_dispatch_table *table;
	void *binding_context;
	bool uov;				/* updates_original_value */
	uint32_t actual_value_size;
	atomic_bool orphaned;
	enum custom_state state;		/* registrar lock */
	bool cleaning;				/* an unload is cleaning it up */
};

struct custom_hash {
	struct htab h;
	struct custom_common c;
};

#define CA_LOCKS 64

struct custom_array {
	struct bh_map map;
	struct custom_common c;
	uint32_t slot;			/* round_up(actual_value_size, 8) */
	char *values;
	struct plat_spinlock locks[CA_LOCKS];	/* writers (and uov readers) per stripe */
};

static const struct bh_map_ops custom_hash_ops;
static const struct bh_map_ops custom_array_ops;
static struct custom_type *types;

static struct custom_common *custom_of(struct bh_map *map)
{
	if (map->ops == &custom_hash_ops)
		return &container_of(htab_of(map), struct custom_hash, h)->c;
	return &container_of(map, struct custom_array, map)->c;
}

static bool is_custom(const struct bh_map *map)
{
	return map->ops == &custom_hash_ops || map->ops == &custom_array_ops;
}

static inline uint32_t helper_flag(bool helper)
{
	return helper ? BPFHOST_MAP_OPERATION_HELPER : 0;
}

static int orphan_check(struct custom_common *c)
{
	if (unlikely(atomic_load_explicit(&c->orphaned, memory_order_acquire)))
		return bh_map_err(-ENODEV, c->map, "the module providing this custom map was unloaded");
	return 0;
}

/* A provider's error, unchanged, with the map and callback named. */
static int cb_err(struct custom_common *c, const char *callback, int err)
{
	const char *mod = c->type->module ? c->type->module->name : "?";

	if (err > 0)
		return bh_err(-EINVAL, "map '%s' (id %u): provider '%s' %s returned %d, not a negative errno",
			      c->map->name, c->map->obj.id, mod, callback, err);
	return bh_err(err, "map '%s' (id %u): provider '%s' %s failed with %s", c->map->name,
		      c->map->obj.id, mod, callback, bh_errno_name(err));
}

/* The entry left the map: tell the provider (its answer cannot matter here). */
static void notify_gone(struct custom_common *c, const void *key, const void *stored, uint32_t flags)
{
	void *mctx = c->map->custom_map_context;

	if (c->table->postprocess_map_delete_element)
		c->table->postprocess_map_delete_element(c->binding_context, mctx, c->map->key_size, key,
							 c->actual_value_size, stored, flags);
	else
		(void)c->table->preprocess_map_delete_element(c->binding_context, mctx, c->map->key_size,
							      key, c->actual_value_size, stored, flags);
}

static int call_find(struct custom_common *c, const void *key, const void *stored, void *out,
		     bool helper)
{
	int err;

	if (!c->table->postprocess_map_find_element)
		return 0;
	err = c->table->postprocess_map_find_element(c->binding_context, c->map->custom_map_context,
						     c->map->key_size, key, c->actual_value_size, stored,
						     c->uov ? c->map->value_size : 0, c->uov ? out : NULL,
						     helper_flag(helper));
	return err ? cb_err(c, "postprocess_map_find_element", err) : 0;
}

static int check_update_flags(struct bh_map *map, uint64_t flags)
{
	if (unlikely(flags > BPF_EXIST))
		return bh_map_err(-EINVAL, map, "update flags other than BPF_ANY/NOEXIST/EXIST");
	return 0;
}

/* ------------------------------------------------------------------ hash base */

static struct custom_hash *chash_of(struct bh_map *map)
{
	return container_of(htab_of(map), struct custom_hash, h);
}

static int chash_lookup(struct bh_map *map, const void *key, void *value, bool helper, void **stored_out)
{
	struct custom_hash *ch = chash_of(map);
	struct htab_elem *e;
	void *stored;
	int err = orphan_check(&ch->c);

	if (err)
		return err;
	e = htab_find(&ch->h, key, htab_hash(&ch->h, key));
	if (!e)
		return bh_map_err(-ENOENT, map, "no such key");
	stored = htab_elem_value(&ch->h, e);
	err = call_find(&ch->c, key, stored, value, helper);
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
	struct htab_elem *e, *old;
	int err = orphan_check(c);

	if (err)
		return err;
	if (helper && c->uov)
		return bh_map_err(-EOPNOTSUPP, map, "programs cannot update a map whose provider "
				  "updates the original value");
	err = check_update_flags(map, flags);
	if (err)
		return err;
	/* Allocate first: a failure here never reaches the provider. */
	e = htab_elem_new(&ch->h, key, hash);
	if (!e)
		return bh_map_err(-ENOMEM, map, "out of memory for an element");
	if (c->table->preprocess_map_update_element) {
		err = c->table->preprocess_map_update_element(c->binding_context, map->custom_map_context,
							      map->key_size, key, map->value_size, value,
							      c->uov ? c->actual_value_size : 0,
							      c->uov ? (uint8_t *)htab_elem_value(&ch->h, e) : NULL,
							      helper_flag(helper));
		if (err) {
			htab_elem_free(e);
			return cb_err(c, "preprocess_map_update_element", err);
		}
	}
	if (!c->uov)
		plat_memcpy(htab_elem_value(&ch->h, e), value, map->value_size);

	for (;;) {
		plat_spin_lock(&b->lock);
		old = htab_find(&ch->h, key, hash);
		if (!old || !old->claimed)
			break;
		/* A delete is asking the provider about @old: wait for its answer. */
		plat_spin_unlock(&b->lock);
		plat_yield();
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
		plat_spin_unlock(&b->lock);
		/* Undo: the provider prepared a value that will not be stored. */
		if (c->table->preprocess_map_update_element)
			notify_gone(c, key, htab_elem_value(&ch->h, e),
				    BPFHOST_MAP_OPERATION_UPDATE | helper_flag(helper));
		htab_elem_free(e);
		return err;
	}
	if (old)
		htab_replace_locked(b, old, e);
	else
		htab_link_locked(b, e);
	plat_spin_unlock(&b->lock);
	if (old) {
		notify_gone(c, old->key, htab_elem_value(&ch->h, old),
			    BPFHOST_MAP_OPERATION_UPDATE | helper_flag(helper));
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
	int err = orphan_check(c);

	if (err)
		return err;
	if (helper && c->uov)
		return bh_map_err(-EOPNOTSUPP, map, "programs cannot delete from a map whose provider "
				  "updates the original value");
	for (;;) {
		plat_spin_lock(&b->lock);
		e = htab_find(&ch->h, key, hash);
		if (!e) {
			plat_spin_unlock(&b->lock);
			return bh_map_err(-ENOENT, map, "no such key");
		}
		if (!e->claimed)
			break;
		plat_spin_unlock(&b->lock);
		plat_yield();
	}
	stored = htab_elem_value(&ch->h, e);
	if (ask) {
		/* Keep the entry visible while the provider decides. */
		e->claimed = 1;
		plat_spin_unlock(&b->lock);
		err = lookup ? call_find(c, key, stored, value, helper) : 0;
		if (!err && lookup && !c->uov)
			plat_memcpy(value, stored, map->value_size);
		if (!err && c->table->preprocess_map_delete_element) {
			err = c->table->preprocess_map_delete_element(c->binding_context,
								      map->custom_map_context,
								      map->key_size, key,
								      c->actual_value_size, stored,
								      helper_flag(helper));
			if (err)
				err = cb_err(c, "preprocess_map_delete_element", err);
		}
		plat_spin_lock(&b->lock);
		if (err) {
			e->claimed = 0;
			plat_spin_unlock(&b->lock);
			return err;
		}
	}
	htab_unlink_locked(b, e);
	atomic_fetch_sub(&ch->h.count, 1);
	plat_spin_unlock(&b->lock);
	if (c->table->postprocess_map_delete_element)
		c->table->postprocess_map_delete_element(c->binding_context, map->custom_map_context,
							 map->key_size, key, c->actual_value_size,
							 stored, helper_flag(helper));
	htab_elem_free(e);
	return 0;
}

/* Teardown: MAP_CLEANUP for every entry, then the storage goes. */
static void chash_cleanup(struct custom_hash *ch)
{
	for (uint32_t i = 0; i < ch->h.n_buckets; i++) {
		struct htab_elem *e = atomic_load(&ch->h.buckets[i].head), *next;

		atomic_store(&ch->h.buckets[i].head, NULL);
		for (; e; e = next) {
			next = atomic_load(&e->next);
			notify_gone(&ch->c, e->key, htab_elem_value(&ch->h, e),
				    BPFHOST_MAP_OPERATION_MAP_CLEANUP);
			htab_elem_free(e);
		}
	}
	atomic_store(&ch->h.count, 0);
}

static void *chash_lookup_elem(struct bh_map *map, const void *key)
{
	void *stored = NULL;

	if (chash_of(map)->c.uov)
		return NULL;	/* programs may not see provider-translated values */
	return chash_lookup(map, key, NULL, true, &stored) ? NULL : stored;
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

static int chash_get_next_key(struct bh_map *map, const void *key, void *next_key)
{
	int err = orphan_check(custom_of(map));

	return err ? err : htab_get_next_key(map, key, next_key);
}

/* ----------------------------------------------------------------- array base */

static struct custom_array *carray_of(struct bh_map *map)
{
	return container_of(map, struct custom_array, map);
}

static inline char *carray_slot(struct custom_array *ca, uint32_t index)
{
	return ca->values + (size_t)index * ca->slot;
}

static inline struct plat_spinlock *carray_lock(struct custom_array *ca, uint32_t index)
{
	return &ca->locks[index % CA_LOCKS];
}

/* Scratch for a value: the stack for small ones, else the heap (or NULL). */
#define SMALL_VALUE 256

static int carray_lookup(struct bh_map *map, const void *key, void *value, bool helper, void **stored_out)
{
	struct custom_array *ca = carray_of(map);
	uint32_t index = *(const uint32_t *)key;
	char small[SMALL_VALUE], *copy = small;
	char *stored;
	int err = orphan_check(&ca->c);

	if (err)
		return err;
	if (index >= map->max_entries)
		return bh_map_err(-ENOENT, map, "index is not below max_entries");
	stored = carray_slot(ca, index);
	if (!ca->c.uov) {
		err = call_find(&ca->c, key, stored, NULL, helper);
		if (!err && value)
			plat_memcpy(value, stored, map->value_size);
		if (!err && stored_out)
			*stored_out = stored;
		return err;
	}
	/* The provider reads a stable copy: a writer may be replacing the slot. */
	if (ca->c.actual_value_size > SMALL_VALUE) {
		copy = plat_alloc(ca->c.actual_value_size);
		if (!copy)
			return bh_map_err(-ENOMEM, map, "out of memory copying a value");
	}
	plat_spin_lock(carray_lock(ca, index));
	plat_memcpy(copy, stored, ca->c.actual_value_size);
	plat_spin_unlock(carray_lock(ca, index));
	err = call_find(&ca->c, key, copy, value, helper);
	if (copy != small)
		plat_free(copy);
	return err;
}

static int carray_update(struct bh_map *map, const void *key, const void *value, uint64_t flags,
			 bool helper)
{
	struct custom_array *ca = carray_of(map);
	struct custom_common *c = &ca->c;
	uint32_t index = *(const uint32_t *)key, size = c->actual_value_size;
	char small_new[SMALL_VALUE], small_old[SMALL_VALUE];
	char *fresh = small_new, *old = small_old;
	const char *src = value;
	int err = orphan_check(c);

	if (err)
		return err;
	if (helper && c->uov)
		return bh_map_err(-EOPNOTSUPP, map, "programs cannot update a map whose provider "
				  "updates the original value");
	err = check_update_flags(map, flags);
	if (err)
		return err;
	if (index >= map->max_entries)
		return bh_map_err(-E2BIG, map, "index is not below max_entries");
	if (flags == BPF_NOEXIST)
		return bh_map_err(-EEXIST, map, "array elements always exist (BPF_NOEXIST)");
	if (size > SMALL_VALUE) {
		fresh = plat_alloc(size);
		old = plat_alloc(size);
		if (!fresh || !old) {
			plat_free(fresh);
			plat_free(old);
			return bh_map_err(-ENOMEM, map, "out of memory for value scratch space");
		}
	}
	plat_memset(fresh, 0, size);
	if (c->table->preprocess_map_update_element) {
		err = c->table->preprocess_map_update_element(c->binding_context, map->custom_map_context,
							      map->key_size, key, map->value_size, value,
							      c->uov ? size : 0, c->uov ? (uint8_t *)fresh : NULL,
							      helper_flag(helper));
		if (err) {
			err = cb_err(c, "preprocess_map_update_element", err);
			goto out;
		}
	}
	if (c->uov)
		src = fresh;
	plat_spin_lock(carray_lock(ca, index));
	plat_memcpy(old, carray_slot(ca, index), size);
	plat_memcpy(carray_slot(ca, index), src, size);
	plat_spin_unlock(carray_lock(ca, index));
	/* The displaced value (zero-filled if never set) leaves the map. */
	notify_gone(c, key, old, BPFHOST_MAP_OPERATION_UPDATE | helper_flag(helper));
out:
	if (fresh != small_new) {
		plat_free(fresh);
		plat_free(old);
	}
	return err;
}

static void carray_cleanup(struct custom_array *ca)
{
	for (uint32_t i = 0; i < ca->map.max_entries; i++) {
		notify_gone(&ca->c, &i, carray_slot(ca, i), BPFHOST_MAP_OPERATION_MAP_CLEANUP);
		plat_memset(carray_slot(ca, i), 0, ca->c.actual_value_size);
	}
}

static void *carray_lookup_elem(struct bh_map *map, const void *key)
{
	void *stored = NULL;

	if (carray_of(map)->c.uov)
		return NULL;
	return carray_lookup(map, key, NULL, true, &stored) ? NULL : stored;
}

static long carray_update_elem(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	return carray_update(map, key, value, flags, true);
}

static long carray_delete_elem(struct bh_map *map, const void *key)
{
	int err = orphan_check(custom_of(map));

	(void)key;
	return err ? err : bh_map_err(-EINVAL, map, "array elements cannot be deleted");
}

static int carray_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	(void)flags;
	return carray_lookup(map, key, value, false, NULL);
}

static int carray_sys_update(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	return carray_update(map, key, value, flags, false);
}

static int carray_sys_delete(struct bh_map *map, const void *key)
{
	return (int)carray_delete_elem(map, key);
}

/* Arrays have no lookup-and-delete (as Linux); an orphan still says -ENODEV. */
static int carray_sys_lookup_and_delete(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	int err = orphan_check(custom_of(map));

	(void)key;
	(void)value;
	(void)flags;
	return err ? err : bh_err(-ENOTSUPP, "BPF_MAP_LOOKUP_AND_DELETE_ELEM: not supported on "
				  "array-based custom map '%s'", map->name);
}

static int carray_get_next_key(struct bh_map *map, const void *key, void *next_key)
{
	int err = orphan_check(custom_of(map));

	return err ? err : bh_map_index_get_next_key(map, key, next_key);
}

/* ------------------------------------------------------------ create and free */

/* Storage checks the core makes whatever the provider says (the peer skips them). */
static int check_base(const union bpf_attr *attr, uint32_t base)
{
	int err = bh_map_check_sizes(attr, "custom", BPF_F_NO_PREALLOC | BPF_F_RDONLY | BPF_F_WRONLY |
				     BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | BPF_F_ZERO_SEED);

	if (err)
		return err;
	if (attr->value_size == 0)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: custom map needs value_size > 0");
	if (base == BPFHOST_BASE_MAP_TYPE_HASH && attr->key_size == 0)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: hash-based custom map needs key_size > 0");
	if (base == BPFHOST_BASE_MAP_TYPE_ARRAY && attr->key_size != 4)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: array-based custom map needs key_size 4 (got %u)",
			      attr->key_size);
	return 0;
}

static struct custom_common *alloc_storage(const union bpf_attr *attr, uint32_t base, uint32_t actual)
{
	if (base == BPFHOST_BASE_MAP_TYPE_HASH) {
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
	} else {
		struct custom_array *ca = plat_alloc_aligned(sizeof(*ca));

		if (!ca)
			return NULL;
		ca->slot = round_up(actual, 8);
		ca->values = plat_alloc_aligned((size_t)ca->slot * attr->max_entries);
		if (!ca->values) {
			plat_free_aligned(ca);
			return NULL;
		}
		for (int i = 0; i < CA_LOCKS; i++)
			plat_spin_init(&ca->locks[i]);
		ca->map.ops = &custom_array_ops;
		ca->map.key_size = attr->key_size;
		ca->map.max_entries = attr->max_entries;
		ca->c.map = &ca->map;
		return &ca->c;
	}
}

static void free_storage(struct custom_common *c)
{
	if (c->map->ops == &custom_hash_ops) {
		struct custom_hash *ch = chash_of(c->map);

		htab_free_elems(&ch->h);
		plat_free_aligned(ch);
	} else {
		struct custom_array *ca = carray_of(c->map);

		plat_free_aligned(ca->values);
		plat_free_aligned(ca);
	}
}

/* Registrar lock held. */
static void type_put(struct custom_type *t)
{
	if (--t->refs == 0 && !t->provider)
		plat_free(t);
}

static void list_remove(struct custom_common *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		c->type->maps = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

struct bh_map *bh_custom_map_alloc(const union bpf_attr *attr)
{
	struct custom_type *t;
	struct custom_common *c;
	void *binding_context, *map_context = NULL;
	uint32_t actual = attr->value_size;
	int err;

	bh_registrar_lock();
	for (t = types; t; t = t->next)
		if (t->map_type == attr->map_type && t->provider)
			break;
	if (!t) {
		bh_registrar_unlock();
		return ERR_PTR(bh_err(-EOPNOTSUPP, "BPF_MAP_CREATE: no extension provides map type %u",
				      attr->map_type));
	}
	if (t->module->unloading) {
		bh_registrar_unlock();
		return ERR_PTR(bh_err(-ENODEV, "BPF_MAP_CREATE: module '%s' providing map type %u is "
				      "unloading", t->module->name, attr->map_type));
	}
	/* Pin the module: an unload now waits for us (busy) or sees the map. */
	atomic_fetch_add(&t->module->busy, 1);
	t->refs++;
	binding_context = t->provider->binding_context;
	bh_registrar_unlock();

	err = check_base(attr, t->base_map_type);
	if (err)
		goto fail_ref;
	err = t->table.preprocess_map_create(binding_context, attr->map_type, attr->key_size,
					     attr->value_size, attr->max_entries, &actual, &map_context);
	if (err) {
		err = bh_err(err > 0 ? -EINVAL : err, "BPF_MAP_CREATE: map '%s': provider '%s' "
			     "preprocess_map_create failed with %s", attr->map_name, t->module->name,
			     bh_errno_name(err));
		goto fail_ref;
	}
	if (!map_context)
		err = bh_err(-EINVAL, "BPF_MAP_CREATE: map '%s': provider '%s' preprocess_map_create "
			     "returned a NULL map context", attr->map_name, t->module->name);
	else if (actual == 0)
		err = bh_err(-EINVAL, "BPF_MAP_CREATE: map '%s': provider '%s' asked for "
			     "actual_value_size 0", attr->map_name, t->module->name);
	else if (!t->props.updates_original_value && actual != attr->value_size)
		err = bh_err(-EINVAL, "BPF_MAP_CREATE: map '%s': provider '%s' asked for "
			     "actual_value_size %u != value_size %u without updates_original_value",
			     attr->map_name, t->module->name, actual, attr->value_size);
	else if (actual > BH_MAP_MAX_VALUE_SIZE)
		err = bh_err(-E2BIG, "BPF_MAP_CREATE: map '%s': provider '%s' asked for "
			     "actual_value_size %u", attr->map_name, t->module->name, actual);
	if (err)
		goto fail_provider;
	c = alloc_storage(attr, t->base_map_type, actual);
	if (!c) {
		err = bh_err(-ENOMEM, "BPF_MAP_CREATE: map '%s': out of memory for custom map storage",
			     attr->map_name);
		goto fail_provider;
	}
	c->type = t;
	c->table = &t->table;
	c->binding_context = binding_context;
	c->uov = t->props.updates_original_value;
	c->actual_value_size = actual;
	c->map->custom_map_context = map_context;
	plat_memcpy(c->map->name, attr->map_name, sizeof(c->map->name));
	/* Unload cannot see it until bh_map_create() is done with it (custom_map_created). */
	c->state = CUSTOM_CREATING;
	return c->map;

fail_provider:
	if (map_context)
		t->table.postprocess_map_delete(binding_context, map_context);
fail_ref:
	bh_registrar_lock();
	atomic_fetch_sub(&t->module->busy, 1);
	type_put(t);
	bh_registrar_unlock();
	return ERR_PTR(err);
}

static void run_cleanup(struct custom_common *c)
{
	if (c->map->ops == &custom_hash_ops)
		chash_cleanup(chash_of(c->map));
	else
		carray_cleanup(carray_of(c->map));
	c->table->postprocess_map_delete(c->binding_context, c->map->custom_map_context);
	c->map->custom_map_context = NULL;
}

/* The map is fully built and published: from now on an unload sees it. */
static void custom_map_created(struct bh_map *map)
{
	struct custom_common *c = custom_of(map);
	struct custom_type *t = c->type;

	bh_registrar_lock();
	c->state = CUSTOM_LIVE;
	c->next = t->maps;
	if (t->maps)
		t->maps->prev = c;
	t->maps = c;
	atomic_fetch_sub(&t->module->busy, 1);
	bh_registrar_unlock();
}

/* The last reference is gone and no reader remains (outside epoch). */
static void custom_map_free(struct bh_map *map)
{
	struct custom_common *c = custom_of(map);
	struct bh_module *module = NULL;
	bool live;

	bh_registrar_lock();
	while (c->cleaning) {
		bh_registrar_unlock();
		plat_yield();
		bh_registrar_lock();
	}
	live = c->state != CUSTOM_ORPHANED;
	if (c->state == CUSTOM_CREATING) {
		/* Never published: it still holds its module busy from creation. */
		module = c->type->module;
	} else if (live) {
		/* Only a live map's module is sure to be loaded. */
		list_remove(c);
		module = c->type->module;
		atomic_fetch_add(&module->busy, 1);
	} else {
		list_remove(c);
	}
	bh_registrar_unlock();

	if (live) {
		/* Epoch: providers may use find_element and epoch memory here. */
		epoch_enter();
		run_cleanup(c);
		epoch_exit();
	}

	bh_registrar_lock();
	if (live)
		atomic_fetch_sub(&module->busy, 1);
	type_put(c->type);
	bh_registrar_unlock();
	free_storage(c);
}

/* Called with the registrar lock held: the module's live maps, named. */
int bh_custom_maps_of_module(struct bh_module *module, char *names, size_t len)
{
	size_t used = 0;
	int n = 0;

	if (len)
		names[0] = 0;
	for (struct custom_type *t = types; t; t = t->next) {
		if (t->module != module)
			continue;
		for (struct custom_common *c = t->maps; c; c = c->next) {
			if (c->state != CUSTOM_LIVE)
				continue;
			n++;
			if (used < len)
				used += (size_t)plat_snprintf(names + used, len - used, "%s'%s' (id %u, type %u)",
							      n > 1 ? ", " : "", c->map->name,
							      c->map->obj.id, t->map_type);
		}
	}
	return n;
}

/* Forced unload: clean every live map of the module up and orphan it. */
void bh_custom_maps_orphan(struct bh_module *module)
{
	for (;;) {
		struct custom_common *victim = NULL;

		bh_registrar_lock();
		for (struct custom_type *t = types; t && !victim; t = t->next) {
			if (t->module != module)
				continue;
			for (struct custom_common *c = t->maps; c; c = c->next) {
				if (c->state == CUSTOM_LIVE) {
					victim = c;
					break;
				}
			}
		}
		if (victim) {
			victim->state = CUSTOM_ORPHANED;
			victim->cleaning = true;
			atomic_store_explicit(&victim->orphaned, true, memory_order_release);
		}
		bh_registrar_unlock();
		if (!victim)
			return;
		/* Every operation that could still call the provider has finished. */
		epoch_synchronize();
		bh_log(BPFHOST_WARN, "module '%s' unloaded: map '%s' (id %u) is cleaned up and orphaned\n",
		       module->name, victim->map->name, victim->map->obj.id);
		epoch_enter();
		run_cleanup(victim);
		epoch_exit();
		bh_registrar_lock();
		victim->cleaning = false;
		bh_registrar_unlock();
	}
}

int bh_custom_map_associate_program_type(struct bh_map *map, uint32_t program_type)
{
	struct custom_common *c;
	int err;

	if (!is_custom(map))
		return 0;
	c = custom_of(map);
	err = orphan_check(c);
	if (err)
		return err;
	err = c->table->preprocess_associate_program_type(c->binding_context, map->custom_map_context,
							  program_type);
	if (err)
		return bh_err(err > 0 ? -EINVAL : err, "map '%s' (id %u): provider '%s' refuses program "
			      "type %u (%s)", map->name, map->obj.id, c->type->module->name,
			      program_type, bh_errno_name(err));
	return 0;
}

static uint64_t custom_mem_usage(const struct bh_map *map)
{
	if (map->ops == &custom_hash_ops)
		return htab_mem_usage(map);
	return sizeof(struct custom_array) +
	       (uint64_t)container_of(map, struct custom_array, map)->slot * map->max_entries;
}

static const struct bh_map_ops custom_hash_ops = {
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
	.mem_usage = custom_mem_usage,
};

static const struct bh_map_ops custom_array_ops = {
	.name = "custom_array",
	.created = custom_map_created,
	.free = custom_map_free,
	.sys_lookup_and_delete = carray_sys_lookup_and_delete,
	.lookup_elem = carray_lookup_elem,
	.update_elem = carray_update_elem,
	.delete_elem = carray_delete_elem,
	.sys_lookup = carray_sys_lookup,
	.sys_update = carray_sys_update,
	.sys_delete = carray_sys_delete,
	.get_next_key = carray_get_next_key,
	.lookup_batch = bh_map_generic_lookup_batch,
	.update_batch = bh_map_generic_update_batch,
	.delete_batch = bh_map_generic_delete_batch,
	.mem_usage = custom_mem_usage,
};

/* ------------------------------------------------- the client side of the NPI */

static int client_find_element(const void *mapp, const uint8_t *key, uint8_t **value)
{
	struct bh_map *map = (struct bh_map *)mapp;
	struct custom_common *c;
	struct htab_elem *e;
	uint32_t index;

	if (!map || !key || !value || !is_custom(map))
		return -EINVAL;
	c = custom_of(map);
	if (atomic_load_explicit(&c->orphaned, memory_order_acquire))
		return -ENODEV;
	if (map->ops == &custom_hash_ops) {
		struct custom_hash *ch = chash_of(map);

		e = htab_find(&ch->h, key, htab_hash(&ch->h, key));
		if (!e)
			return -ENOENT;
		*value = htab_elem_value(&ch->h, e);
		return 0;
	}
	plat_memcpy(&index, key, sizeof(index));
	if (index >= map->max_entries)
		return -ENOENT;
	*value = (uint8_t *)carray_slot(carray_of(map), index);
	return 0;
}

static void *client_epoch_allocate(size_t size, uint32_t tag)
{
	(void)tag;
	return epoch_alloc(size);
}

static void *client_epoch_allocate_aligned(size_t size, uint32_t tag)
{
	(void)tag;
	return epoch_alloc_aligned(size);
}

static const struct bpfhost_base_map_client_dispatch_table client_table = {
	.header = { BPFHOST_BASE_MAP_CLIENT_DISPATCH_TABLE_CURRENT_VERSION,
		    BPFHOST_BASE_MAP_CLIENT_DISPATCH_TABLE_CURRENT_VERSION_SIZE,
		    sizeof(struct bpfhost_base_map_client_dispatch_table) },
	.find_element = client_find_element,
	.epoch_enter = epoch_enter_state,
	.epoch_exit = epoch_exit_state,
	.epoch_allocate = client_epoch_allocate,
	.epoch_allocate_cache_aligned = client_epoch_allocate_aligned,
	.epoch_free = epoch_free,
	.epoch_free_cache_aligned = epoch_free_aligned,
};

static const struct bpfhost_map_client_data client_data = {
	.header = { BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION, BPFHOST_MAP_CLIENT_DATA_CURRENT_VERSION_SIZE,
		    sizeof(struct bpfhost_map_client_data) },
	.map_context_offset = offsetof(struct bh_map, custom_map_context),
	.base_client_table = &client_table,
};

_Static_assert(sizeof(bpfhost_epoch_state_t) >= EPOCH_STATE_SIZE, "epoch state fits");

#define REQUIRE(field)                                                                         \
	do {                                                                                   \
		if (!t->table.field) {                                                         \
			err = bh_err(-EINVAL, "module '%s': map type %u: "                     \
				     "bpfhost_base_map_provider_dispatch_table." #field " is NULL", \
				     p->module->name, data.map_type);                          \
			goto fail;                                                             \
		}                                                                              \
	} while (0)

/* Registrar lock held. */
static int map_client_attach(struct bh_provider *p)
{
	struct bpfhost_map_provider_data data;
	struct custom_type *t, *other;
	int err;

	err = bh_ext_copy_versioned(p->module, "bpfhost_map_provider_data", p->chars.npi_specific_characteristics,
				    BPFHOST_MAP_PROVIDER_DATA_CURRENT_VERSION,
				    BPFHOST_MAP_PROVIDER_DATA_CURRENT_VERSION_SIZE, &data, sizeof(data));
	if (err)
		return err;
	if (data.map_type < BPFHOST_MAP_TYPE_EXT_BASE || data.map_type >= BPFHOST_MAP_TYPE_EXT_LIMIT)
		return bh_err(-EINVAL, "module '%s': bpfhost_map_provider_data.map_type %u is outside "
			      "the custom range [%u, %u)", p->module->name, data.map_type,
			      BPFHOST_MAP_TYPE_EXT_BASE, BPFHOST_MAP_TYPE_EXT_LIMIT);
	if (data.base_map_type != BPFHOST_BASE_MAP_TYPE_HASH &&
	    data.base_map_type != BPFHOST_BASE_MAP_TYPE_ARRAY)
		return bh_err(-EINVAL, "module '%s': map type %u: bpfhost_map_provider_data.base_map_type "
			      "%u is neither hash (1) nor array (2)", p->module->name, data.map_type,
			      data.base_map_type);
	for (other = types; other; other = other->next)
		if (other->map_type == data.map_type && other->provider)
			return bh_err(-EEXIST, "module '%s': map type %u is already provided by module '%s'",
				      p->module->name, data.map_type, other->module->name);

	t = plat_alloc(sizeof(*t));
	if (!t)
		return bh_err(-ENOMEM, "module '%s': out of memory registering map type %u",
			      p->module->name, data.map_type);
	err = bh_ext_copy_versioned(p->module, "bpfhost_base_map_provider_properties", data.base_properties,
				    BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_CURRENT_VERSION,
				    BPFHOST_BASE_MAP_PROVIDER_PROPERTIES_CURRENT_VERSION_SIZE,
				    &t->props, sizeof(t->props));
	if (!err)
		err = bh_ext_copy_versioned(p->module, "bpfhost_base_map_provider_dispatch_table",
					    data.base_provider_table,
					    BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION,
					    BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_CURRENT_VERSION_SIZE,
					    &t->table, sizeof(t->table));
	if (err)
		goto fail;
	REQUIRE(preprocess_map_create);
	REQUIRE(postprocess_map_delete);
	REQUIRE(preprocess_associate_program_type);
	if (t->table.preprocess_map_delete_element && t->table.postprocess_map_delete_element) {
		err = bh_err(-EINVAL, "module '%s': map type %u: set exactly one of "
			     "preprocess_map_delete_element and postprocess_map_delete_element, not both",
			     p->module->name, data.map_type);
		goto fail;
	}
	if (!t->table.preprocess_map_delete_element && !t->table.postprocess_map_delete_element) {
		err = bh_err(-EINVAL, "module '%s': map type %u: set exactly one of "
			     "preprocess_map_delete_element and postprocess_map_delete_element, neither is set",
			     p->module->name, data.map_type);
		goto fail;
	}
	if (t->props.updates_original_value) {
		REQUIRE(postprocess_map_find_element);
		REQUIRE(preprocess_map_update_element);
	}
	err = bh_provider_bind(p, &bh_core_module_id, &client_data);
	if (err)
		goto fail;
	t->map_type = data.map_type;
	t->base_map_type = data.base_map_type;
	t->provider = p;
	t->module = p->module;
	t->next = types;
	types = t;
	p->client_state = t;
	return 0;
fail:
	plat_free(t);
	return err;
}

/* Registrar lock held. The module's maps were orphaned before this. */
static void map_client_detach(struct bh_provider *p)
{
	struct custom_type *t = p->client_state, **link;

	if (!t)
		return;
	p->client_state = NULL;
	for (link = &types; *link; link = &(*link)->next) {
		if (*link == t) {
			*link = t->next;
			break;
		}
	}
	for (struct custom_common *c = t->maps; c; c = c->next) {
		if (c->state == CUSTOM_LIVE) {
			/* Deregistered outside an unload: the provider can no longer be called. */
			bh_log(BPFHOST_WARN, "module '%s' deregistered map type %u while map '%s' "
			       "(id %u) lives: it is orphaned without cleanup\n", p->module->name,
			       t->map_type, c->map->name, c->map->obj.id);
			c->state = CUSTOM_ORPHANED;
			atomic_store(&c->orphaned, true);
		}
	}
	t->provider = NULL;
	if (t->refs == 0)
		plat_free(t);
}

const struct bh_client bh_custom_map_client = {
	.name = "custom maps",
	.npi_id = BPFHOST_NPI_MAP_INFO,
	.attach_provider = map_client_attach,
	.detach_provider = map_client_detach,
};
