// SPDX-License-Identifier: MIT
/*
 * Custom maps on an array base, as Linux arrays: u32 index keys below
 * max_entries, zero-filled values that always exist, no delete, and
 * MAP_CLEANUP for every element. Writers of a slot (and readers of
 * provider-translated values) take the slot's stripe lock, never around a
 * provider callback.
 */
#include "custom_map_internal.h"

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
	uint32_t index = bh_load_u32(key);
	char small[SMALL_VALUE], *copy = small;
	char *stored;
	int err = custom_orphan_check(&ca->c);

	if (err)
		return err;
	if (index >= map->max_entries)
		return bh_map_err(-ENOENT, map, "index is not below max_entries");
	stored = carray_slot(ca, index);
	if (!ca->c.uov) {
		err = custom_call_find(&ca->c, key, stored, NULL, helper);
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
	err = custom_call_find(&ca->c, key, copy, value, helper);
	if (copy != small)
		plat_free(copy);
	return err;
}

static int carray_update(struct bh_map *map, const void *key, const void *value, uint64_t flags,
			 bool helper)
{
	struct custom_array *ca = carray_of(map);
	struct custom_common *c = &ca->c;
	uint32_t index = bh_load_u32(key), size = c->actual_value_size;
	char small_new[SMALL_VALUE], small_old[SMALL_VALUE];
	char *fresh = small_new, *old = small_old;
	const char *src = value;
	uint32_t seq = 0;
	int err = custom_orphan_check(c);

	if (err)
		return err;
	if (helper && c->uov)
		return bh_map_err(-EOPNOTSUPP, map, "programs cannot update a map whose provider "
				  "updates the original value");
	err = custom_check_update_flags(map, flags);
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
retry:
	if (c->stored_arg) {
		/* What the provider combines with: a stable copy, and the slot's store count. */
		plat_spin_lock(carray_lock(ca, index));
		plat_memcpy(old, carray_slot(ca, index), size);
		seq = ca->seq[index];
		plat_spin_unlock(carray_lock(ca, index));
	}
	plat_memset(fresh, 0, size);
	err = custom_call_update(c, key, value, c->stored_arg ? old : NULL, fresh, helper);
	if (err)
		goto out;
	if (c->uov)
		src = fresh;
	plat_spin_lock(carray_lock(ca, index));
	if (c->stored_arg && ca->seq[index] != seq) {
		/* Another writer stored the slot since the provider saw it: undo, prepare again. */
		plat_spin_unlock(carray_lock(ca, index));
		custom_notify_gone(c, key, src, custom_undo_flags(c, helper));
		goto retry;
	}
	plat_memcpy(old, carray_slot(ca, index), size);
	plat_memcpy(carray_slot(ca, index), src, size);
	ca->seq[index]++;
	plat_spin_unlock(carray_lock(ca, index));
	/* The displaced value (zero-filled if never set) leaves the map. */
	custom_notify_gone(c, key, old, BPFHOST_MAP_OPERATION_UPDATE | custom_helper_flag(helper));
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
		custom_notify_gone(&ca->c, &i, carray_slot(ca, i), BPFHOST_MAP_OPERATION_MAP_CLEANUP);
		plat_memset(carray_slot(ca, i), 0, ca->c.actual_value_size);
	}
}

static void *carray_lookup_elem(struct bh_map *map, const void *key)
{
	struct custom_array *ca = carray_of(map);
	uint32_t index = bh_load_u32(key);
	char small[SMALL_VALUE], *copy = small;
	void *stored = NULL, *ret;

	if (!ca->c.uov)
		return carray_lookup(map, key, NULL, true, &stored) ? NULL : stored;
	/* Provider-translated values: only a copy, and only if the provider allows it. */
	if (!ca->c.programs_read || custom_orphan_check(&ca->c) || index >= map->max_entries)
		return NULL;
	if (ca->c.actual_value_size > SMALL_VALUE) {
		copy = plat_alloc(ca->c.actual_value_size);
		if (!copy)
			return NULL;
	}
	/* The provider reads a stable copy: a writer may be replacing the slot. */
	plat_spin_lock(carray_lock(ca, index));
	plat_memcpy(copy, carray_slot(ca, index), ca->c.actual_value_size);
	plat_spin_unlock(carray_lock(ca, index));
	ret = custom_program_read(&ca->c, key, copy);
	if (copy != small)
		plat_free(copy);
	return ret;
}

static long carray_update_elem(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	return carray_update(map, key, value, flags, true);
}

static int carray_delete(struct bh_map *map, bool helper)
{
	int err = custom_orphan_check(custom_of(map));

	if (err)
		return err;
	/* As the hash base: programs never delete from such a map (DESIGN "Custom maps"). */
	if (helper && carray_of(map)->c.uov)
		return bh_map_err(-EOPNOTSUPP, map, "programs cannot delete from a map whose provider "
				  "updates the original value");
	return bh_map_err(-EINVAL, map, "array elements cannot be deleted");
}

static long carray_delete_elem(struct bh_map *map, const void *key)
{
	(void)key;
	return carray_delete(map, true);
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
	(void)key;
	return carray_delete(map, false);
}

/* Arrays have no lookup-and-delete (as Linux); an orphan still says -ENODEV. */
static int carray_sys_lookup_and_delete(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	int err = custom_orphan_check(custom_of(map));

	(void)key;
	(void)value;
	(void)flags;
	return err ? err : bh_err(-ENOTSUPP, "BPF_MAP_LOOKUP_AND_DELETE_ELEM: not supported on "
				  "array-based custom map '%s'", map->name);
}

static int carray_get_next_key(struct bh_map *map, const void *key, void *next_key)
{
	int err = custom_orphan_check(custom_of(map));

	return err ? err : bh_map_index_get_next_key(map, key, next_key);
}

/* ----------------------------------------------------- storage of the base */

static int carray_check(const union bpf_attr *attr)
{
	if (attr->key_size != 4)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: array-based custom map needs key_size 4 (got %u)",
			      attr->key_size);
	return 0;
}

static struct custom_common *carray_alloc(const union bpf_attr *attr, uint32_t actual)
{
	struct custom_array *ca = plat_alloc_aligned(sizeof(*ca));

	if (!ca)
		return NULL;
	ca->slot = round_up(actual, 8);
	ca->values = plat_alloc_aligned((size_t)ca->slot * attr->max_entries);
	ca->seq = ca->values ? plat_alloc((size_t)attr->max_entries * sizeof(*ca->seq)) : NULL;
	if (!ca->seq) {
		plat_free_aligned(ca->values);
		plat_free_aligned(ca);
		return NULL;
	}
	plat_memset(ca->seq, 0, (size_t)attr->max_entries * sizeof(*ca->seq));
	for (int i = 0; i < CA_LOCKS; i++)
		plat_spin_init(&ca->locks[i]);
	ca->map.ops = &custom_array_ops;
	ca->map.key_size = attr->key_size;
	ca->map.max_entries = attr->max_entries;
	ca->c.map = &ca->map;
	return &ca->c;
}

static void carray_free(struct custom_common *c)
{
	struct custom_array *ca = carray_of(c->map);

	plat_free(ca->seq);
	plat_free_aligned(ca->values);
	plat_free_aligned(ca);
}

static void carray_cleanup_common(struct custom_common *c)
{
	carray_cleanup(carray_of(c->map));
}

static int carray_find_raw(struct bh_map *map, const void *key, uint8_t **value)
{
	uint32_t index;

	plat_memcpy(&index, key, sizeof(index));
	if (index >= map->max_entries)
		return -ENOENT;
	*value = (uint8_t *)carray_slot(carray_of(map), index);
	return 0;
}

static uint64_t carray_mem_usage(const struct bh_map *map)
{
	return sizeof(struct custom_array) +
	       ((uint64_t)container_of(map, struct custom_array, map)->slot + sizeof(uint32_t)) *
	       map->max_entries;
}

const struct custom_base custom_array_base = {
	.check = carray_check,
	.alloc = carray_alloc,
	.free = carray_free,
	.cleanup = carray_cleanup_common,
	.find = carray_find_raw,
};

const struct bh_map_ops custom_array_ops = {
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
	.mem_usage = carray_mem_usage,
};
