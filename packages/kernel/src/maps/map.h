/* SPDX-License-Identifier: MIT */
/*
 * The map object and the ops every map family implements. The dispatcher
 * (map.c) indexes ops by type and never switches on it: what differs by
 * type lives in the ops table (and a few flags in it).
 */
#ifndef BPFHOST_MAP_H
#define BPFHOST_MAP_H

#include "../core/internal.h"

#define BH_MAP_MAX_KEY_SIZE (1U << 20)		/* Linux hash maps take keys far past MAX_BPF_STACK */
#define BH_MAP_MAX_PERCPU_VALUE 32768U		/* PCPU_MIN_UNIT_SIZE: Linux's per-CPU value limit */
#define BH_MAP_MAX_VALUE_SIZE BPFHOST_MAP_MAX_VALUE_SIZE	/* 64 MiB (uapi.h) */
#define BH_MAP_MAX_ENTRIES (1U << 24)		/* per map */
#define BH_MAP_MAX_BYTES (1ULL << 32)		/* storage one map may ask for */

struct bh_map;

struct bh_map_ops {
	const char *name;
	/* Values from user space hold one round_up(value_size, 8) slot per CPU. */
	bool percpu;

	/* Validates attr (sizes, flags) before anything is allocated. */
	int (*check)(const union bpf_attr *attr);
	/* Allocates the map (struct bh_map first); ERR_PTR on failure. */
	struct bh_map *(*alloc)(const union bpf_attr *attr);
	/* Optional: the map is fully initialised and has its id (not yet a handle). */
	void (*created)(struct bh_map *map);
	/* Frees elements and the map; runs after a grace period, outside epoch. */
	void (*free)(struct bh_map *map);

	/*
	 * Program side: called under epoch, may run from a program, must not
	 * block. lookup_elem returns a pointer into storage (this CPU's slot
	 * for per-CPU maps), valid until the epoch exits.
	 */
	void *(*lookup_elem)(struct bh_map *map, const void *key);
	long (*update_elem)(struct bh_map *map, const void *key, const void *value, uint64_t flags);
	long (*delete_elem)(struct bh_map *map, const void *key);
	long (*push_elem)(struct bh_map *map, const void *value, uint64_t flags);
	long (*pop_elem)(struct bh_map *map, void *value);
	long (*peek_elem)(struct bh_map *map, void *value);

	/*
	 * User side (bpfhost_sys_bpf): called under epoch with user-layout
	 * values (value_size_user bytes). NULL means the command is not
	 * supported on the type (-ENOTSUPP/-EINVAL as Linux answers).
	 */
	int (*sys_lookup)(struct bh_map *map, const void *key, void *value, uint64_t flags);
	int (*sys_update)(struct bh_map *map, const void *key, const void *value, uint64_t flags);
	int (*sys_delete)(struct bh_map *map, const void *key);
	int (*sys_lookup_and_delete)(struct bh_map *map, const void *key, void *value, uint64_t flags);
	int (*get_next_key)(struct bh_map *map, const void *key, void *next_key);

	/* Batches: bh_map_generic_*_batch() build them from the ops above. */
	int (*lookup_batch)(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr);
	int (*lookup_and_delete_batch)(struct bh_map *map, const union bpf_attr *attr,
				       union bpf_attr *uattr);
	int (*update_batch)(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr);
	int (*delete_batch)(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr);

	/* Shared memory (ring buffer consumer pages). */
	int (*mmap)(struct bh_map *map, void **addr, uint64_t *size, uint64_t *data_offset);
	/* Bytes the map holds, for info and memory comparisons. */
	uint64_t (*mem_usage)(const struct bh_map *map);
	/* Info for OBJ_GET_INFO_BY_FD beyond the common fields (optional). */
	void (*fill_info)(const struct bh_map *map, struct bpf_map_info *info);
};

struct bh_map {
	struct bh_object obj;		/* first: maps are objects */
	const struct bh_map_ops *ops;
	uint32_t map_type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t value_size_user;	/* per-CPU layout from user space */
	uint64_t map_extra;
	char name[BPF_OBJ_NAME_LEN];
	/*
	 * The MAP_CONTEXT slot: the provider's map context for custom maps,
	 * NULL for built-in ones. Extensions reach it through the offset the
	 * registrar hands them, so it must never move within a version.
	 */
	void *custom_map_context;
	atomic_bool frozen;
};

/*
 * Keys and values reach the maps at any address: a program's at any stack
 * or map value offset, user space's wherever its buffers are. u32 fields in
 * them (array indexes, handles, ids, LPM prefix lengths) are read and
 * written with these, never through a uint32_t pointer.
 */
static inline uint32_t bh_load_u32(const void *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline void bh_store_u32(void *p, uint32_t v)
{
	__builtin_memcpy(p, &v, sizeof(v));
}

static inline struct bh_map *bh_map_from_obj(struct bh_object *obj)
{
	return container_of(obj, struct bh_map, obj);
}

/* Built-in ops tables, one per family file (map_types.def lists them). */
#define BH_MAP_TYPE(type, ops) extern const struct bh_map_ops ops;
#include "map_types.def"
#undef BH_MAP_TYPE

/* Size in bytes of one value as user space sees it. */
static inline uint32_t bh_map_value_size_user(const struct bh_map *map)
{
	return map->value_size_user;
}

/* The map a handle names: 0, or -EBADF (not open) / -EINVAL (not a map) with the message. */
int bh_map_get(int handle, const char *cmd, struct bh_map **map);
/* The same, NULL on error (the message says which). */
struct bh_map *bh_map_from_handle(int handle, const char *cmd);
/* The map's name for messages: "map 'name' (id N)". */
const char *bh_map_describe(const struct bh_map *map, char *buf, size_t len);
/* Sets the error "map 'name': what" cheaply (no formatting on hot paths). */
int bh_map_err(int err, const struct bh_map *map, const char *what);

/* Common create checks shared by families (sizes, max_entries, flags). */
int bh_map_check_sizes(const union bpf_attr *attr, const char *family, uint32_t allowed_flags);

/* get_next_key of index-keyed maps (arrays): u32 keys below max_entries. */
int bh_map_index_get_next_key(struct bh_map *map, const void *key, void *next_key);

/* Generic batch implementations (Linux generic_map_*_batch semantics). */
int bh_map_generic_lookup_batch(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr);
int bh_map_generic_update_batch(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr);
int bh_map_generic_delete_batch(struct bh_map *map, const union bpf_attr *attr, union bpf_attr *uattr);
/* Lookup-and-delete batch from get_next_key + sys_lookup_and_delete (token = last key). */
int bh_map_generic_lookup_and_delete_batch(struct bh_map *map, const union bpf_attr *attr,
					   union bpf_attr *uattr);

/*
 * An ARRAY or PERCPU_ARRAY's storage (arraymap.c), fixed for the map's life:
 * index i's value at values + i * elem_size (per-CPU: + cpu * slot; slot 0
 * for a plain array). false for other maps.
 */
bool bh_array_map_layout(struct bh_map *map, char **values, uint32_t *elem_size, uint32_t *slot);

/* Per-CPU layout helpers. */
static inline uint32_t bh_percpu_slot(uint32_t value_size)
{
	return round_up(value_size, 8);
}

/* Command handlers (called by the dispatcher under epoch). */
int bh_map_create(union bpf_attr *attr);
int bh_map_lookup_elem(union bpf_attr *attr);
int bh_map_update_elem(union bpf_attr *attr);
int bh_map_delete_elem(union bpf_attr *attr);
int bh_map_get_next_key(union bpf_attr *attr);
int bh_map_lookup_and_delete_elem(union bpf_attr *attr);
int bh_map_freeze(union bpf_attr *attr);
int bh_map_batch(int cmd, union bpf_attr *attr, union bpf_attr *uattr);
int bh_map_get_info(struct bh_map *map, union bpf_attr *attr, union bpf_attr *uattr);
int bh_map_mmap(union bpf_attr *attr, union bpf_attr *uattr);

/* Hash used by hash-based maps: fast, seeded, any key length. */
static inline uint32_t bh_rotl32(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}
static inline uint32_t bh_fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}
static inline uint32_t bh_hash(const void *key, uint32_t len, uint32_t seed)
{
	const uint8_t *p = key;
	uint32_t h = seed ^ len;
	uint32_t k;

	if (len == 4) {
		__builtin_memcpy(&k, p, 4);
		return bh_fmix32(h ^ (k * 0xcc9e2d51u));
	}
	while (len >= 4) {
		__builtin_memcpy(&k, p, 4);
		k *= 0xcc9e2d51u;
		k = bh_rotl32(k, 15);
		k *= 0x1b873593u;
		h ^= k;
		h = bh_rotl32(h, 13) * 5 + 0xe6546b64u;
		p += 4;
		len -= 4;
	}
	k = 0;
	switch (len) {
	case 3:
		k ^= (uint32_t)p[2] << 16;
		/* fallthrough */
	case 2:
		k ^= (uint32_t)p[1] << 8;
		/* fallthrough */
	case 1:
		k ^= p[0];
		k *= 0xcc9e2d51u;
		k = bh_rotl32(k, 15);
		k *= 0x1b873593u;
		h ^= k;
	}
	return bh_fmix32(h);
}

#endif /* BPFHOST_MAP_H */
