// SPDX-License-Identifier: MIT
/*
 * Generic batch commands, built from a family's single-element ops with
 * Linux's generic_map_*_batch semantics: the batch token is the last key
 * returned; -ENOENT with a count says the iteration is complete; an update
 * or delete batch stops at the first failing element and reports how many
 * went through in count.
 */
#include "map.h"

/* elem_flags may only carry BPF_F_LOCK, for every batch command (Linux refuses NOEXIST/EXIST too). */
static int check_batch_flags(struct bh_map *map, const union bpf_attr *attr, const char *cmd)
{
	if (attr->batch.elem_flags & ~BPF_F_LOCK)
		return bh_err(-EINVAL, "%s: map '%s': unknown elem_flags 0x%llx", cmd, map->name,
			      (unsigned long long)attr->batch.elem_flags);
	if (attr->batch.elem_flags & BPF_F_LOCK)
		return bh_err(-EINVAL, "%s: map '%s': BPF_F_LOCK needs a value with a bpf_spin_lock",
			      cmd, map->name);
	/* Linux's generic batches ignore batch.flags (only hash batches check it). */
	return 0;
}

int bh_map_generic_lookup_batch(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr)
{
	const char *in = u64_to_ptr(attr->batch.in_batch);
	char *out = u64_to_ptr(attr->batch.out_batch);
	char *keys = u64_to_ptr(attr->batch.keys), *values = u64_to_ptr(attr->batch.values);
	uint32_t max = attr->batch.count, cp = 0, vsize = map->value_size_user;
	const char *prev = in;
	int err = check_batch_flags(map, attr, "BPF_MAP_LOOKUP_BATCH");

	if (err)
		return err;
	if (!max)
		return 0;
	if (!keys || !values || !out)
		return bh_err(-EFAULT, "BPF_MAP_LOOKUP_BATCH: map '%s': keys, values or out_batch is NULL",
			      map->name);
	while (cp < max) {
		char *key = keys + (size_t)cp * map->key_size;

		err = map->ops->get_next_key(map, prev, key);
		if (err)
			break;
		err = map->ops->sys_lookup(map, key, values + (size_t)cp * vsize, 0);
		if (err == -ENOENT) {
			/* Deleted since get_next_key: continue after it. */
			prev = key;
			continue;
		}
		if (err)
			break;
		prev = key;
		cp++;
	}
	if (err && err != -ENOENT)
		return err;
	if (err == -ENOENT)
		bh_map_err(-ENOENT, map, "batch lookup reached the end of the map");
	uattr->batch.count = cp;
	if (cp)
		plat_memcpy(out, keys + (size_t)(cp - 1) * map->key_size, map->key_size);
	return err;
}

int bh_map_generic_update_batch(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr)
{
	const char *keys = u64_to_ptr(attr->batch.keys), *values = u64_to_ptr(attr->batch.values);
	uint32_t cp;
	int err = check_batch_flags(map, attr, "BPF_MAP_UPDATE_BATCH");

	if (err)
		return err;
	if (attr->batch.count && (!keys || !values))
		return bh_err(-EFAULT, "BPF_MAP_UPDATE_BATCH: map '%s': keys or values is NULL", map->name);
	for (cp = 0; cp < attr->batch.count; cp++) {
		err = map->ops->sys_update(map, keys + (size_t)cp * map->key_size,
					   values + (size_t)cp * map->value_size_user,
					   attr->batch.elem_flags);
		if (err)
			break;
	}
	uattr->batch.count = cp;
	return err;
}

int bh_map_generic_delete_batch(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr)
{
	const char *keys = u64_to_ptr(attr->batch.keys);
	uint32_t cp;
	int err = check_batch_flags(map, attr, "BPF_MAP_DELETE_BATCH");

	if (err)
		return err;
	if (attr->batch.count && !keys)
		return bh_err(-EFAULT, "BPF_MAP_DELETE_BATCH: map '%s': keys is NULL", map->name);
	for (cp = 0; cp < attr->batch.count; cp++) {
		err = map->ops->sys_delete(map, keys + (size_t)cp * map->key_size);
		if (err)
			break;
	}
	uattr->batch.count = cp;
	return err;
}

/*
 * Linux has no generic lookup-and-delete batch (only hash maps have one);
 * custom maps get this one so every batch command works on them.
 */
int bh_map_generic_lookup_and_delete_batch(struct bh_map *map, const union bpf_attr *attr,
					   union bpf_attr *uattr)
{
	char *out = u64_to_ptr(attr->batch.out_batch);
	char *keys = u64_to_ptr(attr->batch.keys), *values = u64_to_ptr(attr->batch.values);
	uint32_t max = attr->batch.count, cp = 0, vsize = map->value_size_user;
	int err = check_batch_flags(map, attr, "BPF_MAP_LOOKUP_AND_DELETE_BATCH");

	if (err)
		return err;
	if (!max)
		return 0;
	if (!keys || !values || !out)
		return bh_err(-EFAULT, "BPF_MAP_LOOKUP_AND_DELETE_BATCH: map '%s': keys, values or "
			      "out_batch is NULL", map->name);
	/* Every returned element is deleted, so each step starts from the first key. */
	while (cp < max) {
		char *key = keys + (size_t)cp * map->key_size;

		err = map->ops->get_next_key(map, NULL, key);
		if (err)
			break;
		err = map->ops->sys_lookup_and_delete(map, key, values + (size_t)cp * vsize, 0);
		if (err == -ENOENT)
			continue;
		if (err)
			break;
		cp++;
	}
	if (err && err != -ENOENT)
		return err;
	if (err == -ENOENT)
		bh_map_err(-ENOENT, map, "batch lookup-and-delete emptied the map");
	uattr->batch.count = cp;
	if (cp)
		plat_memcpy(out, keys + (size_t)(cp - 1) * map->key_size, map->key_size);
	return err;
}
