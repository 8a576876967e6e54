// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY: u32 index keys below
 * max_entries, zero-filled values that always exist, no delete. Values are
 * updated in place (a concurrent reader may see a torn value, as on Linux).
 */
#include "map.h"

#define ARRAY_FLAGS (BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_RDONLY | BPF_F_WRONLY | \
		     BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | BPF_F_INNER_MAP)

struct bpf_array {
	struct bh_map map;
	uint32_t elem_size;	/* round_up(value_size, 8); per-CPU: times CPUs */
	uint32_t slot;		/* round_up(value_size, 8) */
	bool percpu;
	char *values;
};

static inline struct bpf_array *array_of(struct bh_map *map)
{
	return container_of(map, struct bpf_array, map);
}

static int array_check(const union bpf_attr *attr)
{
	int err = bh_map_check_sizes(attr, "array", ARRAY_FLAGS);

	if (err)
		return err;
	if (attr->key_size != 4 || attr->value_size == 0)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: array map needs key_size 4 and value_size > 0 "
			      "(got %u, %u)", attr->key_size, attr->value_size);
	if ((attr->map_flags & BPF_F_RDONLY) && (attr->map_flags & BPF_F_WRONLY))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: BPF_F_RDONLY and BPF_F_WRONLY together");
	return 0;
}

static int percpu_array_check(const union bpf_attr *attr)
{
	if (round_up(attr->value_size, 8) > BH_MAP_MAX_PERCPU_VALUE)
		return bh_err(-E2BIG, "BPF_MAP_CREATE: percpu_array value_size %u is over the per-CPU "
			      "limit %u", attr->value_size, BH_MAP_MAX_PERCPU_VALUE);
	if (attr->map_flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: a per-CPU array takes neither BPF_F_MMAPABLE "
			      "nor BPF_F_INNER_MAP (flags 0x%x)", attr->map_flags);
	return array_check(attr);
}

static struct bh_map *array_alloc_common(const union bpf_attr *attr, bool percpu)
{
	struct bpf_array *a = plat_alloc_aligned(sizeof(*a));
	uint32_t slot = bh_percpu_slot(attr->value_size);

	if (!a)
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for an array map"));
	a->percpu = percpu;
	a->slot = slot;
	a->elem_size = percpu ? slot * (uint32_t)plat_num_possible_cpus() : slot;
	a->values = plat_alloc_aligned((size_t)a->elem_size * attr->max_entries);
	if (!a->values) {
		plat_free_aligned(a);
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for %u array values",
				      attr->max_entries));
	}
	return &a->map;
}

static struct bh_map *array_alloc(const union bpf_attr *attr)
{
	return array_alloc_common(attr, false);
}

static struct bh_map *percpu_array_alloc(const union bpf_attr *attr)
{
	return array_alloc_common(attr, true);
}

static void array_free(struct bh_map *map)
{
	struct bpf_array *a = array_of(map);

	plat_free_aligned(a->values);
	plat_free_aligned(a);
}

static inline char *array_elem(struct bpf_array *a, uint32_t index)
{
	return a->values + (size_t)index * a->elem_size;
}

static void *array_lookup_elem(struct bh_map *map, const void *key)
{
	struct bpf_array *a = array_of(map);
	uint32_t index = bh_load_u32(key);

	if (unlikely(index >= map->max_entries))
		return NULL;
	if (a->percpu)
		return array_elem(a, index) + (size_t)plat_cpu_id() * a->slot;
	return array_elem(a, index);
}

/* For load-time specialisation (prog/specialise.c): values never move in a map's life. */
bool bh_array_map_layout(struct bh_map *map, char **values, uint32_t *elem_size, uint32_t *slot)
{
	struct bpf_array *a;

	if (map->ops != &array_map_ops && map->ops != &percpu_array_map_ops)
		return false;
	a = array_of(map);
	*values = a->values;
	*elem_size = a->elem_size;
	*slot = a->percpu ? a->slot : 0;
	return true;
}

static int array_check_update(struct bh_map *map, uint32_t index, uint64_t flags)
{
	if (unlikely((flags & ~BPF_F_LOCK) > BPF_EXIST))
		return bh_map_err(-EINVAL, map, "update flags other than BPF_ANY/NOEXIST/EXIST");
	if (unlikely(flags & BPF_F_LOCK))
		return bh_map_err(-EINVAL, map, "BPF_F_LOCK needs a value with a bpf_spin_lock");
	if (unlikely(index >= map->max_entries))
		return bh_map_err(-E2BIG, map, "index is not below max_entries");
	if (unlikely(flags == BPF_NOEXIST))
		return bh_map_err(-EEXIST, map, "array elements always exist (BPF_NOEXIST)");
	return 0;
}

static long array_update_elem(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	uint32_t index = bh_load_u32(key);
	int err = array_check_update(map, index, flags);

	if (err)
		return err;
	plat_memcpy(array_lookup_elem(map, key), value, map->value_size);
	return 0;
}

static long array_delete_elem(struct bh_map *map, const void *key)
{
	(void)key;
	return bh_map_err(-EINVAL, map, "array elements cannot be deleted");
}

static int array_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	struct bpf_array *a = array_of(map);
	uint32_t index = bh_load_u32(key);

	(void)flags;
	if (index >= map->max_entries)
		return bh_map_err(-ENOENT, map, "index is not below max_entries");
	plat_memcpy(value, array_elem(a, index), a->percpu ? a->elem_size : map->value_size);
	return 0;
}

static int array_sys_update(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	struct bpf_array *a = array_of(map);
	uint32_t index = bh_load_u32(key);
	int err = array_check_update(map, index, flags);

	if (err)
		return err;
	plat_memcpy(array_elem(a, index), value, a->percpu ? a->elem_size : map->value_size);
	return 0;
}

static int array_sys_delete(struct bh_map *map, const void *key)
{
	return (int)array_delete_elem(map, key);
}

int bh_map_index_get_next_key(struct bh_map *map, const void *key, void *next_key)
{
	uint32_t index = key ? bh_load_u32(key) : UINT32_MAX;

	if (index >= map->max_entries) {
		bh_store_u32(next_key, 0);
		return 0;
	}
	if (index == map->max_entries - 1)
		return bh_map_err(-ENOENT, map, "no more keys");
	bh_store_u32(next_key, index + 1);
	return 0;
}

static int array_mmap(struct bh_map *map, void **addr, uint64_t *size, uint64_t *data_offset)
{
	struct bpf_array *a = array_of(map);

	if (!(map->map_flags & BPF_F_MMAPABLE))
		return bh_err(-ENODEV, "BPFHOST_MAP_MMAP: array map '%s' was not created BPF_F_MMAPABLE",
			      map->name);
	*addr = a->values;
	*size = (uint64_t)a->elem_size * map->max_entries;
	*data_offset = 0;
	return 0;
}

static uint64_t array_mem_usage(const struct bh_map *map)
{
	const struct bpf_array *a = container_of(map, struct bpf_array, map);

	return sizeof(*a) + (uint64_t)a->elem_size * map->max_entries;
}

#define ARRAY_COMMON_OPS                                        \
	.free = array_free,                                     \
	.lookup_elem = array_lookup_elem,                       \
	.update_elem = array_update_elem,                       \
	.delete_elem = array_delete_elem,                       \
	.sys_lookup = array_sys_lookup,                         \
	.sys_update = array_sys_update,                         \
	.sys_delete = array_sys_delete,                         \
	.get_next_key = bh_map_index_get_next_key,                     \
	.lookup_batch = bh_map_generic_lookup_batch,            \
	.update_batch = bh_map_generic_update_batch,            \
	.mem_usage = array_mem_usage

const struct bh_map_ops array_map_ops = {
	.name = "array",
	.check = array_check,
	.alloc = array_alloc,
	.mmap = array_mmap,
	ARRAY_COMMON_OPS,
};

const struct bh_map_ops percpu_array_map_ops = {
	.name = "percpu_array",
	.percpu = true,
	.check = percpu_array_check,
	.alloc = percpu_array_alloc,
	ARRAY_COMMON_OPS,
};
