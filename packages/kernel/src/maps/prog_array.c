// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_PROG_ARRAY: an array of atomic program pointers, each slot
 * owning one reference. Updates swap a slot with an exchange and put what
 * was there; the put defers destruction past the epoch, so a tail call
 * that read the old pointer keeps a live program until it leaves.
 *
 * As Linux: the array has an owner program type, set by the first program
 * stored in it or loaded with a reference to it, and every other program
 * must match it; and the array is cleared when its last user reference
 * (handle or pin) goes, which breaks the prog -> array -> prog cycles that
 * tail-calling programs make.
 */
#include "prog_array.h"
#include "../prog/prog.h"

/* Linux refuses BPF_F_RDONLY_PROG/WRONLY_PROG on fd arrays ("special maps"). */
#define PROG_ARRAY_FLAGS (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)

struct prog_array {
	struct bh_map map;
	_Atomic(struct bh_object *) *slots;
	_Atomic uint32_t owner_type;	/* 0 until the first program claims it */
};

static inline struct prog_array *prog_array_of(struct bh_map *map)
{
	return container_of(map, struct prog_array, map);
}

static int prog_array_check(const union bpf_attr *attr)
{
	int err;

	if (attr->value_size != 4)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: prog array map needs value_size 4 (a program "
			      "handle), got %u", attr->value_size);
	err = bh_map_check_sizes(attr, "prog array", PROG_ARRAY_FLAGS);
	if (err)
		return err;
	if (attr->key_size != 4)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: prog array map needs key_size 4, got %u",
			      attr->key_size);
	if ((attr->map_flags & BPF_F_RDONLY) && (attr->map_flags & BPF_F_WRONLY))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: BPF_F_RDONLY and BPF_F_WRONLY together");
	return 0;
}

static struct bh_map *prog_array_alloc(const union bpf_attr *attr)
{
	struct prog_array *pa = plat_alloc_aligned(sizeof(*pa));

	if (!pa)
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for a prog array map"));
	pa->slots = plat_alloc_aligned((size_t)attr->max_entries * sizeof(*pa->slots));
	if (!pa->slots) {
		plat_free_aligned(pa);
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for %u prog array slots",
				      attr->max_entries));
	}
	return &pa->map;
}

/* Runs after a grace period: no reader can see the slots any more. */
static void prog_array_free(struct bh_map *map)
{
	struct prog_array *pa = prog_array_of(map);

	for (uint32_t i = 0; i < map->max_entries; i++) {
		struct bh_object *prog = atomic_load_explicit(&pa->slots[i], memory_order_relaxed);

		if (prog)
			bh_object_put(prog);
	}
	plat_free_aligned(pa->slots);
	plat_free_aligned(pa);
}

struct bh_object *bh_prog_array_get(struct bh_map *map, uint32_t index)
{
	if (unlikely(map->ops != &prog_array_map_ops || index >= map->max_entries))
		return NULL;
	return atomic_load_explicit(&prog_array_of(map)->slots[index], memory_order_acquire);
}

_Atomic(struct bh_object *) *bh_prog_array_slots(struct bh_map *map)
{
	return map->ops == &prog_array_map_ops ? prog_array_of(map)->slots : NULL;
}

/* Program side: only bpf_tail_call reaches a prog array (the verifier refuses the rest). */
static void *prog_array_lookup_elem(struct bh_map *map, const void *key)
{
	(void)key;
	bh_map_err(-EOPNOTSUPP, map, "programs cannot look up prog array elements");
	return NULL;
}

static long prog_array_update_elem(struct bh_map *map, const void *key, const void *value,
				   uint64_t flags)
{
	(void)key;
	(void)value;
	(void)flags;
	return bh_map_err(-EOPNOTSUPP, map, "programs cannot update prog array elements");
}

static long prog_array_delete_elem(struct bh_map *map, const void *key)
{
	(void)key;
	return bh_map_err(-EOPNOTSUPP, map, "programs cannot delete prog array elements");
}

static int prog_array_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	struct bh_object *prog = bh_prog_array_get(map, bh_load_u32(key));

	(void)flags;
	if (!prog)
		return bh_map_err(-ENOENT, map, bh_load_u32(key) >= map->max_entries ?
				  "index is not below max_entries" : "no program at this index");
	/* User space reads back the program's id, as Linux returns it. */
	bh_store_u32(value, prog->id);
	return 0;
}

/* Linux checks flags, then the index, then the handle. */
static int prog_array_sys_update(struct bh_map *map, const void *key, const void *value,
				 uint64_t flags)
{
	struct prog_array *pa = prog_array_of(map);
	uint32_t index = bh_load_u32(key), handle = bh_load_u32(value);
	struct bh_object *prog, *old;

	if (flags != BPF_ANY)
		return bh_map_err(-EINVAL, map, "prog array updates take BPF_ANY only");
	if (index >= map->max_entries)
		return bh_map_err(-E2BIG, map, "index is not below max_entries");
	prog = bh_handle_lookup((int)handle);
	if (!prog)
		return bh_err(-EBADF, "map '%s': value %u is not an open program handle", map->name, handle);
	if (prog->kind != BH_OBJ_PROG)
		return bh_err(-EINVAL, "map '%s': value %u is a %s handle, not a program", map->name,
			      handle, bh_obj_kind_name(prog->kind));
	if (bh_prog_array_compatible(map, bh_prog_type_of(prog)))
		return -EINVAL;
	/* The handle may be closing concurrently: never revive a dying object. */
	if (!bh_object_get_not_zero(prog))
		return bh_err(-EBADF, "map '%s': program handle %u is being closed", map->name, handle);
	old = atomic_exchange_explicit(&pa->slots[index], prog, memory_order_acq_rel);
	if (old)
		bh_object_put(old);
	return 0;
}

static int prog_array_sys_delete(struct bh_map *map, const void *key)
{
	struct prog_array *pa = prog_array_of(map);
	uint32_t index = bh_load_u32(key);
	struct bh_object *old;

	if (index >= map->max_entries)
		return bh_map_err(-E2BIG, map, "index is not below max_entries");
	old = atomic_exchange_explicit(&pa->slots[index], NULL, memory_order_acq_rel);
	if (!old)
		return bh_map_err(-ENOENT, map, "no program at this index");
	bh_object_put(old);
	return 0;
}

static uint64_t prog_array_mem_usage(const struct bh_map *map)
{
	return sizeof(struct prog_array) + (uint64_t)map->max_entries * sizeof(void *);
}

/* No batch ops and no lookup-and-delete: Linux answers -ENOTSUPP for them. */
int bh_prog_array_compatible(struct bh_map *map, uint32_t prog_type)
{
	struct prog_array *pa = prog_array_of(map);
	uint32_t owner = 0;

	if (atomic_compare_exchange_strong(&pa->owner_type, &owner, prog_type) || owner == prog_type)
		return 0;
	return bh_err(-EINVAL, "map '%s': prog array holds programs of type %u, not %u", map->name,
		      owner, prog_type);
}

/* The last handle or pin is gone: empty the slots (Linux's usercnt release). */
static void prog_array_release_users(struct bh_object *obj)
{
	struct prog_array *pa = prog_array_of(bh_map_from_obj(obj));

	for (uint32_t i = 0; i < pa->map.max_entries; i++) {
		struct bh_object *old = atomic_exchange_explicit(&pa->slots[i], NULL, memory_order_acq_rel);

		if (old)
			bh_object_put(old);
	}
}

static void prog_array_created(struct bh_map *map)
{
	map->obj.release_users = prog_array_release_users;
}

const struct bh_map_ops prog_array_map_ops = {
	.created = prog_array_created,
	.name = "prog_array",
	.check = prog_array_check,
	.alloc = prog_array_alloc,
	.free = prog_array_free,
	.lookup_elem = prog_array_lookup_elem,
	.update_elem = prog_array_update_elem,
	.delete_elem = prog_array_delete_elem,
	.sys_lookup = prog_array_sys_lookup,
	.sys_update = prog_array_sys_update,
	.sys_delete = prog_array_sys_delete,
	.get_next_key = bh_map_index_get_next_key,
	.mem_usage = prog_array_mem_usage,
};
