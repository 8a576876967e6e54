// SPDX-License-Identifier: MIT
/*
 * Map commands: create, element operations, info, freeze. Type-specific
 * behaviour comes from the ops table (map_types.def for built-in types, the
 * registrar for custom ones); nothing here switches on the map type.
 */
#include "map.h"
#include "../ext/custom_map.h"

static const struct bh_map_ops *const builtin_ops[__MAX_BPF_MAP_TYPE] = {
#define BH_MAP_TYPE(type, ops) [type] = &ops,
#include "map_types.def"
#undef BH_MAP_TYPE
};

const char *bh_map_describe(const struct bh_map *map, char *buf, size_t len)
{
	plat_snprintf(buf, len, "map '%.*s' (id %u)", (int)BPF_OBJ_NAME_LEN, map->name, map->obj.id);
	return buf;
}

int bh_map_get(int handle, const char *cmd, struct bh_map **map)
{
	/* One lookup: the handle may be closed and its number reused meanwhile. */
	struct bh_object *obj = bh_handle_lookup(handle);

	*map = NULL;
	if (unlikely(!obj))
		return bh_err(-EBADF, "%s: handle %d is not open", cmd, handle);
	if (unlikely(obj->kind != BH_OBJ_MAP))
		return bh_err(-EINVAL, "%s: handle %d is a %s, not a map", cmd, handle,
			      bh_obj_kind_name(obj->kind));
	*map = bh_map_from_obj(obj);
	return 0;
}

struct bh_map *bh_map_from_handle(int handle, const char *cmd)
{
	struct bh_map *map;

	bh_map_get(handle, cmd, &map);
	return map;
}

#define MAP_OR_RETURN(map, handle, cmd)                                        \
	struct bh_map *map;                                                    \
	int map##_err = bh_map_get((int)(handle), cmd, &map);                  \
	if (unlikely(map##_err))                                               \
		return map##_err

int bh_map_check_sizes(const union bpf_attr *attr, const char *family, uint32_t allowed_flags)
{
	if (attr->map_flags & ~allowed_flags)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map does not take map_flags 0x%x",
			      family, attr->map_flags & ~allowed_flags);
	if (attr->max_entries == 0)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map needs max_entries > 0", family);
	if (attr->max_entries > BH_MAP_MAX_ENTRIES)
		return bh_err(-E2BIG, "BPF_MAP_CREATE: %s map max_entries %u is over the limit %u",
			      family, attr->max_entries, BH_MAP_MAX_ENTRIES);
	if (attr->key_size > BH_MAP_MAX_KEY_SIZE)
		return bh_err(-E2BIG, "BPF_MAP_CREATE: %s map key_size %u is over %u", family,
			      attr->key_size, BH_MAP_MAX_KEY_SIZE);
	if (attr->value_size > BH_MAP_MAX_VALUE_SIZE)
		return bh_err(-E2BIG, "BPF_MAP_CREATE: %s map value_size %u is over %u", family,
			      attr->value_size, BH_MAP_MAX_VALUE_SIZE);
	if ((uint64_t)attr->max_entries * (round_up((uint64_t)attr->key_size, 8) +
					   round_up((uint64_t)attr->value_size, 8)) > BH_MAP_MAX_BYTES)
		return bh_err(-E2BIG, "BPF_MAP_CREATE: %s map of %u entries would need more than %llu bytes",
			      family, attr->max_entries, (unsigned long long)BH_MAP_MAX_BYTES);
	return 0;
}

static void map_destroy(struct bh_object *obj)
{
	struct bh_map *map = bh_map_from_obj(obj);

	map->ops->free(map);
}

int bh_map_create(union bpf_attr *attr)
{
	const struct bh_map_ops *ops = NULL;
	struct bh_map *map;
	int err, h;

	err = bh_check_obj_name(attr->map_name, "BPF_MAP_CREATE", "map");
	if (err)
		return err;
	/* Only bloom filters and arenas read map_extra on Linux; none here yet. */
	if (attr->map_extra)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: map_extra 0x%llx is not used by map type %u",
			      (unsigned long long)attr->map_extra, attr->map_type);
	if (attr->map_type < __MAX_BPF_MAP_TYPE)
		ops = builtin_ops[attr->map_type];
	if (ops) {
		if (ops->check) {
			err = ops->check(attr);
			if (err)
				return err;
		}
		map = ops->alloc(attr);
	} else if (attr->map_type >= BPFHOST_MAP_TYPE_EXT_BASE &&
		   attr->map_type < BPFHOST_MAP_TYPE_EXT_LIMIT) {
		map = bh_custom_map_alloc(attr);
	} else {
		return bh_err(-EINVAL, "BPF_MAP_CREATE: map type %u is not supported "
			      "(custom types start at %u)", attr->map_type, BPFHOST_MAP_TYPE_EXT_BASE);
	}
	if (IS_ERR(map))
		return (int)PTR_ERR(map);

	if (!map->ops)
		map->ops = ops;
	map->map_type = attr->map_type;
	map->key_size = attr->key_size;
	map->value_size = attr->value_size;
	map->max_entries = attr->max_entries;
	map->map_flags = attr->map_flags;
	map->map_extra = attr->map_extra;
	map->value_size_user = map->ops->percpu ?
		bh_percpu_slot(attr->value_size) * (uint32_t)plat_num_possible_cpus() :
		attr->value_size;
	plat_memcpy(map->name, attr->map_name, sizeof(map->name));
	bh_object_init(&map->obj, BH_OBJ_MAP, map_destroy);

	err = bh_id_publish(&map->obj);
	if (err) {
		map->ops->free(map);
		return err;
	}
	if (map->ops->created)
		map->ops->created(map);
	h = bh_handle_install(&map->obj);
	if (h < 0)
		bh_object_put(&map->obj);
	return h;
}

static int check_writable(struct bh_map *map, const char *cmd)
{
	if (unlikely(map->map_flags & BPF_F_RDONLY))
		return bh_err(-EPERM, "%s: map '%s' was created BPF_F_RDONLY", cmd, map->name);
	if (unlikely(atomic_load_explicit(&map->frozen, memory_order_relaxed)))
		return bh_err(-EPERM, "%s: map '%s' is frozen", cmd, map->name);
	return 0;
}

static int check_readable(struct bh_map *map, const char *cmd)
{
	if (unlikely(map->map_flags & BPF_F_WRONLY))
		return bh_err(-EPERM, "%s: map '%s' was created BPF_F_WRONLY", cmd, map->name);
	return 0;
}

static int not_supported(struct bh_map *map, const char *cmd)
{
	return bh_err(-ENOTSUPP, "%s: not supported on %s map '%s'", cmd, map->ops->name, map->name);
}

/* The caller said how big its buffers are (attr->value_buf_size != 0): they must fit the map. */
static int check_buffer_sizes(const struct bh_map *map, const union bpf_attr *attr, const char *cmd)
{
	if (attr->key_buf_size != map->key_size)
		return bh_err(-EINVAL, "%s: map '%s' (id %u) has %u-byte keys; the key given is %u bytes",
			      cmd, map->name, map->obj.id, map->key_size, attr->key_buf_size);
	if (attr->value_buf_size != map->value_size_user)
		return bh_err(-EINVAL, "%s: map '%s' (id %u) has %u-byte values%s; the value given is "
			      "%u bytes", cmd, map->name, map->obj.id, map->value_size_user,
			      map->ops->percpu ? " (one 8-byte aligned slot per possible CPU)" : "",
			      attr->value_buf_size);
	return 0;
}

int bh_map_lookup_elem(union bpf_attr *attr)
{
	MAP_OR_RETURN(map, attr->map_fd, "BPF_MAP_LOOKUP_ELEM");
	void *key = u64_to_ptr(attr->key), *value = u64_to_ptr(attr->value);
	int err;

	if (unlikely(attr->flags & ~BPF_F_LOCK))
		return bh_err(-EINVAL, "BPF_MAP_LOOKUP_ELEM: unknown flags 0x%llx", (unsigned long long)attr->flags);
	if (unlikely(attr->flags & BPF_F_LOCK))
		return bh_err(-EINVAL, "map '%s': BPF_F_LOCK needs a value with a bpf_spin_lock", map->name);
	err = check_readable(map, "BPF_MAP_LOOKUP_ELEM");
	if (unlikely(err))
		return err;
	if (attr->value_buf_size && unlikely(err = check_buffer_sizes(map, attr, "BPF_MAP_LOOKUP_ELEM")))
		return err;
	if (unlikely((map->key_size && !key) || !value))
		return bh_err(-EFAULT, "BPF_MAP_LOOKUP_ELEM: map '%s': key or value pointer is NULL", map->name);
	if (unlikely(!map->ops->sys_lookup))
		return not_supported(map, "BPF_MAP_LOOKUP_ELEM");
	return map->ops->sys_lookup(map, key, value, attr->flags);
}

int bh_map_update_elem(union bpf_attr *attr)
{
	MAP_OR_RETURN(map, attr->map_fd, "BPF_MAP_UPDATE_ELEM");
	void *key = u64_to_ptr(attr->key), *value = u64_to_ptr(attr->value);
	int err = check_writable(map, "BPF_MAP_UPDATE_ELEM");

	if (unlikely(err))
		return err;
	if (attr->value_buf_size && unlikely(err = check_buffer_sizes(map, attr, "BPF_MAP_UPDATE_ELEM")))
		return err;
	if (unlikely((map->key_size && !key) || (map->value_size && !value)))
		return bh_err(-EFAULT, "BPF_MAP_UPDATE_ELEM: map '%s': key or value pointer is NULL", map->name);
	if (unlikely(!map->ops->sys_update))
		return not_supported(map, "BPF_MAP_UPDATE_ELEM");
	return map->ops->sys_update(map, key, value, attr->flags);
}

int bh_map_delete_elem(union bpf_attr *attr)
{
	MAP_OR_RETURN(map, attr->map_fd, "BPF_MAP_DELETE_ELEM");
	void *key = u64_to_ptr(attr->key);
	int err = check_writable(map, "BPF_MAP_DELETE_ELEM");

	if (unlikely(err))
		return err;
	if (unlikely(map->key_size && !key))
		return bh_err(-EFAULT, "BPF_MAP_DELETE_ELEM: map '%s': key pointer is NULL", map->name);
	if (unlikely(!map->ops->sys_delete))
		return not_supported(map, "BPF_MAP_DELETE_ELEM");
	return map->ops->sys_delete(map, key);
}

int bh_map_get_next_key(union bpf_attr *attr)
{
	MAP_OR_RETURN(map, attr->map_fd, "BPF_MAP_GET_NEXT_KEY");
	void *key = u64_to_ptr(attr->key), *next = u64_to_ptr(attr->next_key);
	int err = check_readable(map, "BPF_MAP_GET_NEXT_KEY");

	if (unlikely(err))
		return err;
	if (unlikely(!next))
		return bh_err(-EFAULT, "BPF_MAP_GET_NEXT_KEY: map '%s': next_key pointer is NULL", map->name);
	if (unlikely(!map->ops->get_next_key))
		return not_supported(map, "BPF_MAP_GET_NEXT_KEY");
	return map->ops->get_next_key(map, key, next);
}

int bh_map_lookup_and_delete_elem(union bpf_attr *attr)
{
	MAP_OR_RETURN(map, attr->map_fd, "BPF_MAP_LOOKUP_AND_DELETE_ELEM");
	void *key = u64_to_ptr(attr->key), *value = u64_to_ptr(attr->value);
	int err;

	if (attr->flags & ~BPF_F_LOCK)
		return bh_err(-EINVAL, "BPF_MAP_LOOKUP_AND_DELETE_ELEM: unknown flags 0x%llx",
			      (unsigned long long)attr->flags);
	if (attr->flags & BPF_F_LOCK)
		return bh_err(-EINVAL, "map '%s': BPF_F_LOCK needs a value with a bpf_spin_lock", map->name);
	err = check_readable(map, "BPF_MAP_LOOKUP_AND_DELETE_ELEM");
	if (!err)
		err = check_writable(map, "BPF_MAP_LOOKUP_AND_DELETE_ELEM");
	if (err)
		return err;
	if ((map->key_size && !key) || !value)
		return bh_err(-EFAULT, "BPF_MAP_LOOKUP_AND_DELETE_ELEM: map '%s': key or value pointer is NULL",
			      map->name);
	if (!map->ops->sys_lookup_and_delete)
		return not_supported(map, "BPF_MAP_LOOKUP_AND_DELETE_ELEM");
	return map->ops->sys_lookup_and_delete(map, key, value, attr->flags);
}

int bh_map_freeze(union bpf_attr *attr)
{
	MAP_OR_RETURN(map, attr->map_fd, "BPF_MAP_FREEZE");
	bool expected = false;

	/* A frozen or read-only map cannot be written, so it cannot be frozen (-EPERM, as Linux). */
	if (map->map_flags & BPF_F_RDONLY)
		return bh_err(-EPERM, "BPF_MAP_FREEZE: map '%s' was created BPF_F_RDONLY", map->name);
	if (!atomic_compare_exchange_strong(&map->frozen, &expected, true))
		return bh_err(-EPERM, "BPF_MAP_FREEZE: map '%s' is already frozen", map->name);
	return 0;
}

int bh_map_batch(int cmd, union bpf_attr *attr, union bpf_attr *uattr)
{
	MAP_OR_RETURN(map, attr->batch.map_fd, "BPF_MAP_*_BATCH");
	int (*fn)(struct bh_map *, const union bpf_attr *, union bpf_attr *) = NULL;
	const char *name = "BPF_MAP_*_BATCH";
	int err = 0;

	switch (cmd) {
	case BPF_MAP_LOOKUP_BATCH:
		name = "BPF_MAP_LOOKUP_BATCH";
		fn = map->ops->lookup_batch;
		err = check_readable(map, name);
		break;
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
		name = "BPF_MAP_LOOKUP_AND_DELETE_BATCH";
		fn = map->ops->lookup_and_delete_batch;
		err = check_readable(map, name);
		if (!err)
			err = check_writable(map, name);
		break;
	case BPF_MAP_UPDATE_BATCH:
		name = "BPF_MAP_UPDATE_BATCH";
		fn = map->ops->update_batch;
		err = check_writable(map, name);
		break;
	case BPF_MAP_DELETE_BATCH:
		name = "BPF_MAP_DELETE_BATCH";
		fn = map->ops->delete_batch;
		err = check_writable(map, name);
		break;
	}
	if (err)
		return err;
	if (!fn)
		return not_supported(map, name);
	return fn(map, attr, uattr);
}

int bh_map_get_info(struct bh_map *map, union bpf_attr *attr, union bpf_attr *uattr)
{
	struct bpf_map_info info;
	uint32_t len;
	int err = bh_info_begin(attr, sizeof(info), &len);

	if (err)
		return err;
	plat_memset(&info, 0, sizeof(info));
	info.type = map->map_type;
	info.id = map->obj.id;
	info.key_size = map->key_size;
	info.value_size = map->value_size;
	info.max_entries = map->max_entries;
	info.map_flags = map->map_flags;
	info.map_extra = map->map_extra;
	plat_memcpy(info.name, map->name, sizeof(info.name));
	if (map->ops->fill_info)
		map->ops->fill_info(map, &info);
	return bh_info_end(attr, uattr, &info, len);
}

int bh_map_mmap(union bpf_attr *attr, union bpf_attr *uattr)
{
	MAP_OR_RETURN(map, attr->mmap.map_fd, "BPFHOST_MAP_MMAP");
	void *addr;
	uint64_t size, off;
	int err;

	if (!map->ops->mmap)
		return bh_err(-ENODEV, "BPFHOST_MAP_MMAP: %s map '%s' has no shared memory",
			      map->ops->name, map->name);
	err = map->ops->mmap(map, &addr, &size, &off);
	if (err)
		return err;
	uattr->mmap.addr = (uint64_t)(uintptr_t)addr;
	uattr->mmap.size = size;
	uattr->mmap.data_offset = off;
	return 0;
}
