// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: what bpf_perf_event_output writes to. In
 * Linux each slot (one per CPU, by convention) holds a perf event whose
 * ring user space mmaps; bpfhost has no perf events, so a slot holds a
 * ring buffer map (BPF_MAP_TYPE_RINGBUF) instead: user space stores its
 * handle as the value, as it would store a perf event fd. The library's
 * bpfhost_perf_buffer (after libbpf's perf_buffer) does this for every
 * slot and reads the samples back.
 *
 * Each record in the ring is a u32 tag then the sample: the tag is the
 * slot index, with BH_PERF_LOST_BIT when a u64 count of samples dropped for
 * lack of room comes before the sample (Linux's PERF_RECORD_LOST, also in
 * band and only when there is room for it and the sample).
 */
#include "perf_event_array.h"
#include "ringbuf.h"

#define PERF_FLAGS BPF_F_NUMA_NODE

struct perf_slot {
	_Atomic(struct bh_map *) ring;	/* owns one reference */
	_Atomic uint64_t lost;		/* dropped since the last report */
};

struct perf_array {
	struct bh_map map;
	struct perf_slot *slots;
};

static inline struct perf_array *perf_of(struct bh_map *map)
{
	return container_of(map, struct perf_array, map);
}

static int perf_check(const union bpf_attr *attr)
{
	if (attr->map_flags & ~PERF_FLAGS)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: perf event array does not take map_flags 0x%x",
			      attr->map_flags & ~PERF_FLAGS);
	if (attr->key_size != 4 || attr->value_size != 4)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: perf event array needs key_size 4 and value_size 4 "
			      "(a ring buffer map handle), got %u and %u", attr->key_size, attr->value_size);
	if (!attr->max_entries || attr->max_entries > 4096)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: perf event array max_entries %u is not 1 to 4096 "
			      "(one slot per CPU)", attr->max_entries);
	return 0;
}

static struct bh_map *perf_alloc(const union bpf_attr *attr)
{
	struct perf_array *pa = plat_alloc_aligned(sizeof(*pa));

	if (!pa)
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for a perf event array"));
	pa->slots = plat_alloc((size_t)attr->max_entries * sizeof(*pa->slots));
	if (!pa->slots) {
		plat_free_aligned(pa);
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for %u perf event slots",
				      attr->max_entries));
	}
	return &pa->map;
}

static void perf_free(struct bh_map *map)
{
	struct perf_array *pa = perf_of(map);

	for (uint32_t i = 0; i < map->max_entries; i++) {
		struct bh_map *ring = atomic_load_explicit(&pa->slots[i].ring, memory_order_relaxed);

		if (ring)
			bh_object_put(&ring->obj);
	}
	plat_free(pa->slots);
	plat_free_aligned(pa);
}

/* Programs reach the array only through bpf_perf_event_output. */
static void *perf_lookup_elem(struct bh_map *map, const void *key)
{
	(void)key;
	bh_map_err(-EOPNOTSUPP, map, "programs cannot look up perf event array elements");
	return NULL;
}

static long perf_update_elem(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	(void)key, (void)value, (void)flags;
	return bh_map_err(-EOPNOTSUPP, map, "programs cannot update perf event array elements");
}

static long perf_delete_elem(struct bh_map *map, const void *key)
{
	(void)key;
	return bh_map_err(-EOPNOTSUPP, map, "programs cannot delete perf event array elements");
}

/* User space reads back the id of the ring in the slot. */
static int perf_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	uint32_t index = bh_load_u32(key);
	struct bh_map *ring;

	(void)flags;
	if (index >= map->max_entries)
		return bh_map_err(-ENOENT, map, "index is not below max_entries");
	ring = atomic_load_explicit(&perf_of(map)->slots[index].ring, memory_order_acquire);
	if (!ring)
		return bh_map_err(-ENOENT, map, "no ring buffer in this slot");
	bh_store_u32(value, ring->obj.id);
	return 0;
}

static int perf_sys_update(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	struct perf_slot *slot;
	uint32_t index = bh_load_u32(key), handle = bh_load_u32(value);
	struct bh_map *ring, *old;
	int err;

	if (flags != BPF_ANY)
		return bh_map_err(-EINVAL, map, "perf event array updates take BPF_ANY only");
	if (index >= map->max_entries)
		return bh_map_err(-E2BIG, map, "index is not below max_entries");
	err = bh_map_get((int)handle, "BPF_MAP_UPDATE_ELEM", &ring);
	if (err)
		return bh_err(err, "map '%s': value %u is not an open map handle (a perf event array "
			      "slot holds a ring buffer map)", map->name, handle);
	if (ring->map_type != BPF_MAP_TYPE_RINGBUF)
		return bh_err(-EINVAL, "map '%s': value %u is map '%s' of type %u, not a ring buffer "
			      "(bpfhost's stand-in for a perf event)", map->name, handle, ring->name,
			      ring->map_type);
	if (!bh_object_get_not_zero(&ring->obj))
		return bh_err(-EBADF, "map '%s': map handle %u is being closed", map->name, handle);
	slot = &perf_of(map)->slots[index];
	/* The slot's loss count stays: the next sample in it reports it, whichever ring. */
	old = atomic_exchange_explicit(&slot->ring, ring, memory_order_acq_rel);
	if (old)
		bh_object_put(&old->obj);
	return 0;
}

static int perf_sys_delete(struct bh_map *map, const void *key)
{
	uint32_t index = bh_load_u32(key);
	struct bh_map *old;

	if (index >= map->max_entries)
		return bh_map_err(-E2BIG, map, "index is not below max_entries");
	old = atomic_exchange_explicit(&perf_of(map)->slots[index].ring, NULL, memory_order_acq_rel);
	if (!old)
		return bh_map_err(-ENOENT, map, "no ring buffer in this slot");
	bh_object_put(&old->obj);
	return 0;
}

/* One record: @tag, then @a (@a_len bytes) and @b (@b_len bytes). 0 or -ENOSPC. */
static long put_record(struct bh_map *ring, uint32_t tag, const void *a, uint32_t a_len,
		       const void *b, uint64_t b_len)
{
	uint8_t *rec = bh_ringbuf_reserve(ring, 4 + a_len + b_len, 0);

	if (!rec)
		return -ENOSPC;
	plat_memcpy(rec, &tag, 4);
	if (a_len)
		plat_memcpy(rec + 4, a, a_len);
	if (b_len)
		plat_memcpy(rec + 4 + a_len, b, (size_t)b_len);
	return bh_ringbuf_submit(ring, rec, 0);
}

long bh_perf_event_output(struct bh_map *map, uint64_t flags, const void *data, uint64_t size)
{
	uint64_t index = flags & BPF_F_INDEX_MASK, lost;
	struct perf_slot *slot;
	struct bh_map *ring;
	long err;

	if (map->ops != &perf_event_array_map_ops)
		return -EINVAL;
	if (flags & ~BPF_F_INDEX_MASK)
		return -EINVAL;	/* BPF_F_CTXLEN_MASK: appending the packet is not supported */
	if (index == BPF_F_CURRENT_CPU)
		index = plat_cpu_id();
	if (index >= map->max_entries)
		return -E2BIG;
	if (size > BH_RINGBUF_MAX_RECORD_SZ - 16)
		return -E2BIG;
	slot = &perf_of(map)->slots[index];
	ring = atomic_load_explicit(&slot->ring, memory_order_acquire);
	if (!ring)
		return -ENOENT;
	/* A loss is reported in the same record as the next sample: both fit, or neither. */
	lost = atomic_exchange_explicit(&slot->lost, 0, memory_order_relaxed);
	if (lost)
		err = put_record(ring, BH_PERF_LOST_BIT | (uint32_t)index, &lost, sizeof(lost), data, size);
	else
		err = put_record(ring, (uint32_t)index, NULL, 0, data, size);
	if (err)
		atomic_fetch_add_explicit(&slot->lost, lost + 1, memory_order_relaxed);
	return err;
}

const struct bh_map_ops perf_event_array_map_ops = {
	.name = "perf event array",
	.check = perf_check,
	.alloc = perf_alloc,
	.free = perf_free,
	.lookup_elem = perf_lookup_elem,
	.update_elem = perf_update_elem,
	.delete_elem = perf_delete_elem,
	.sys_lookup = perf_sys_lookup,
	.sys_update = perf_sys_update,
	.sys_delete = perf_sys_delete,
	.get_next_key = bh_map_index_get_next_key,
};
