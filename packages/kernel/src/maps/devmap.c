// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH and BPF_MAP_TYPE_CPUMAP:
 * the targets of XDP's bpf_redirect_map, with Linux's user-space semantics
 * (kernel/bpf/devmap.c, cpumap.c; kernel_redirect_map_diff_test compares
 * them with the kernel's). A DEVMAP is indexed by key, a DEVMAP_HASH keyed
 * by any u32 in buckets of key & (buckets - 1), as Linux's; both hold
 * struct bpf_devmap_val (ifindex, and with 8-byte values the id of an XDP
 * program for the entry, given by its handle). A CPUMAP holds struct
 * bpf_cpumap_val (queue size, program) per CPU.
 *
 * Entries are immutable: an update publishes a new one with an atomic
 * exchange (under a mutex for the hash's chains) and the old one is freed
 * past the epoch, so programs read them without locks.
 *
 * What bpfhost cannot mirror: it has no network devices, so any ifindex
 * but 0 is accepted (Linux requires the device to exist: -EINVAL), and a
 * CPU exists if it is below plat_num_possible_cpus(). Redirected frames go
 * nowhere: a test run reports the target (xdp_helpers.c).
 */
#include "map.h"
#include "devmap.h"
#include "../epoch/epoch.h"
#include "../prog/prog.h"

#define DEV_FLAGS (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)
#define CPUMAP_MAX_ENTRIES 8192u	/* Linux's NR_CPUS on x86-64 distribution kernels */
#define CPUMAP_MAX_QSIZE 16384u

struct entry {
	uint32_t val[2];		/* bpf_devmap_val / bpf_cpumap_val: ifindex or qsize, prog id */
	uint32_t key;
	struct bh_object *prog;		/* the entry's program, one reference */
	_Atomic(struct entry *) next;	/* DEVMAP_HASH chains */
};

struct dtab {
	struct bh_map map;
	_Atomic(struct entry *) *slots;	/* DEVMAP, CPUMAP: max_entries; DEVMAP_HASH: buckets */
	uint32_t n_buckets;
	uint32_t items;			/* DEVMAP_HASH, under lock */
	struct plat_mutex lock;		/* DEVMAP_HASH writers */
};

static inline struct dtab *dtab_of(struct bh_map *map)
{
	return container_of(map, struct dtab, map);
}

static bool is_hash(const struct bh_map *map)
{
	return map->map_type == BPF_MAP_TYPE_DEVMAP_HASH;
}

static bool is_cpumap(const struct bh_map *map)
{
	return map->map_type == BPF_MAP_TYPE_CPUMAP;
}

static const char *family(uint32_t type)
{
	return type == BPF_MAP_TYPE_CPUMAP ? "cpumap" : type == BPF_MAP_TYPE_DEVMAP ? "devmap" : "devmap_hash";
}

static int dev_check(const union bpf_attr *attr)
{
	const char *f = family(attr->map_type);
	int err;

	if (attr->key_size != 4 || (attr->value_size != 4 && attr->value_size != 8))
		return bh_err(-EINVAL, "BPF_MAP_CREATE: %s map needs key_size 4 and value_size 4 (%s) or 8 "
			      "(and a program handle), got %u and %u", f,
			      attr->map_type == BPF_MAP_TYPE_CPUMAP ? "qsize" : "ifindex", attr->key_size,
			      attr->value_size);
	if (attr->map_type == BPF_MAP_TYPE_CPUMAP) {
		err = bh_map_check_sizes(attr, f, BPF_F_NUMA_NODE);
		if (!err && attr->max_entries > CPUMAP_MAX_ENTRIES)
			err = bh_err(-E2BIG, "BPF_MAP_CREATE: cpumap max_entries %u is over %u (NR_CPUS)",
				     attr->max_entries, CPUMAP_MAX_ENTRIES);
		return err;
	}
	return bh_map_check_sizes(attr, f, DEV_FLAGS);
}

static struct bh_map *dev_alloc(const union bpf_attr *attr)
{
	struct dtab *d = plat_alloc_aligned(sizeof(*d));
	uint32_t n = attr->max_entries;

	if (!d)
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for a %s map",
				      family(attr->map_type)));
	plat_memset(d, 0, sizeof(*d));
	if (attr->map_type == BPF_MAP_TYPE_DEVMAP_HASH) {
		for (n = 1; n < attr->max_entries; n <<= 1)
			;
		d->n_buckets = n;
	}
	d->slots = plat_alloc_aligned((size_t)n * sizeof(*d->slots));
	if (!d->slots) {
		plat_free_aligned(d);
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for %u %s slots", n,
				      family(attr->map_type)));
	}
	plat_memset(d->slots, 0, (size_t)n * sizeof(*d->slots));
	plat_mutex_init(&d->lock);
	return &d->map;
}

/* Program side reads the entry (as bpf_map_lookup_elem), so lookups are read-only to programs. */
static void dev_created(struct bh_map *map)
{
	if (!is_cpumap(map))
		map->map_flags |= BPF_F_RDONLY_PROG;
}

static void entry_put(struct entry *e)
{
	if (!e)
		return;
	if (e->prog)
		bh_object_put(e->prog);
	epoch_free(e);
}

static void dev_free(struct bh_map *map)
{
	struct dtab *d = dtab_of(map);
	uint32_t n = is_hash(map) ? d->n_buckets : map->max_entries;

	for (uint32_t i = 0; i < n; i++) {
		struct entry *e = atomic_load_explicit(&d->slots[i], memory_order_relaxed);

		while (e) {
			struct entry *next = atomic_load_explicit(&e->next, memory_order_relaxed);

			if (e->prog)
				bh_object_put(e->prog);
			epoch_free(e);
			e = next;
		}
	}
	plat_mutex_destroy(&d->lock);
	plat_free_aligned(d->slots);
	plat_free_aligned(d);
}

/* The entry for @key, or NULL: under epoch. */
static struct entry *find(struct bh_map *map, uint32_t key)
{
	struct dtab *d = dtab_of(map);
	struct entry *e;

	if (!is_hash(map))
		return key < map->max_entries ? atomic_load_explicit(&d->slots[key], memory_order_acquire) : NULL;
	for (e = atomic_load_explicit(&d->slots[key & (d->n_buckets - 1)], memory_order_acquire); e;
	     e = atomic_load_explicit(&e->next, memory_order_acquire))
		if (e->key == key)
			return e;
	return NULL;
}

const uint32_t *bh_redirect_map_lookup(struct bh_map *map, uint32_t key)
{
	struct entry *e;

	if (map->map_type == BPF_MAP_TYPE_XSKMAP)
		return NULL;	/* no sockets (xskmap.c) */
	e = find(map, key);

	return e ? e->val : NULL;
}

static void *dev_lookup_elem(struct bh_map *map, const void *key)
{
	if (is_cpumap(map)) {
		bh_map_err(-EOPNOTSUPP, map, "programs reach a cpumap only through bpf_redirect_map");
		return NULL;
	}
	return (void *)bh_redirect_map_lookup(map, bh_load_u32(key));
}

static long dev_update_elem(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	(void)key, (void)value, (void)flags;
	return bh_map_err(-EOPNOTSUPP, map, "programs cannot update devmap or cpumap elements (as on Linux)");
}

static long dev_delete_elem(struct bh_map *map, const void *key)
{
	(void)key;
	return bh_map_err(-EOPNOTSUPP, map, "programs cannot delete devmap or cpumap elements (as on Linux)");
}

static int dev_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	struct entry *e = find(map, bh_load_u32(key));

	(void)flags;
	if (!e)
		return bh_map_err(-ENOENT, map, "no entry for this key");
	plat_memcpy(value, e->val, map->value_size);	/* ifindex or qsize, then the program's id */
	return 0;
}

/*
 * A new entry for @key from the user's value: the program handle of an
 * 8-byte value (> 0) must name an XDP program loaded for @attach. Linux
 * answers every refusal here with -EINVAL (a CPUMAP's with -ENOMEM).
 */
static int entry_new(struct bh_map *map, uint32_t key, const uint32_t val[2], uint32_t attach,
		     struct entry **out)
{
	int err = is_cpumap(map) ? -ENOMEM : -EINVAL;
	struct bh_object *prog = NULL;
	struct entry *e;

	if ((int32_t)val[1] > 0) {
		prog = bh_handle_lookup((int)val[1]);
		if (!prog || prog->kind != BH_OBJ_PROG || bh_prog_type_of(prog) != BPF_PROG_TYPE_XDP ||
		    ((struct bh_prog *)prog)->expected_attach_type != attach)
			return bh_err(err, "map '%s': key %u: handle %d is not an XDP program loaded for %s "
				      "entries (expected attach type %u)", map->name, key, (int)val[1],
				      is_cpumap(map) ? "cpumap" : "devmap", attach);
		if (!bh_object_get_not_zero(prog))
			return bh_err(err, "map '%s': key %u: program handle %d is being closed", map->name,
				      key, (int)val[1]);
	}
	e = epoch_alloc(sizeof(*e));
	if (!e) {
		if (prog)
			bh_object_put(prog);
		return bh_err(-ENOMEM, "map '%s': out of memory", map->name);
	}
	e->val[0] = val[0];
	e->val[1] = prog ? prog->id : 0;
	e->key = key;
	e->prog = prog;
	atomic_init(&e->next, NULL);
	*out = e;
	return 0;
}

static int array_update(struct bh_map *map, uint32_t key, const uint32_t val[2], uint64_t flags)
{
	struct dtab *d = dtab_of(map);
	struct entry *e = NULL;
	int err;

	if (flags > BPF_EXIST)
		return bh_map_err(-EINVAL, map, "flags must be BPF_ANY or BPF_EXIST");
	if (key >= map->max_entries)
		return bh_map_err(-E2BIG, map, "key is not below max_entries");
	if (flags == BPF_NOEXIST)
		return bh_map_err(-EEXIST, map, "every index exists: BPF_NOEXIST is refused");
	if (is_cpumap(map)) {
		if (val[0] > CPUMAP_MAX_QSIZE)
			return bh_map_err(-EOVERFLOW, map, "qsize is over 16384");
		if (key >= (uint32_t)plat_num_possible_cpus())
			return bh_err(-ENODEV, "map '%s': CPU %u does not exist (%d possible)", map->name, key,
				      plat_num_possible_cpus());
	}
	/* ifindex (qsize) 0 empties the slot; a program with it is refused. */
	if (val[0]) {
		err = entry_new(map, key, val, is_cpumap(map) ? BPF_XDP_CPUMAP : BPF_XDP_DEVMAP, &e);
		if (err)
			return err;
	} else if (!is_cpumap(map) && (int32_t)val[1] > 0) {
		return bh_map_err(-EINVAL, map, "an entry with ifindex 0 takes no program");
	}
	entry_put(atomic_exchange_explicit(&d->slots[key], e, memory_order_acq_rel));
	return 0;
}

static int hash_update(struct bh_map *map, uint32_t key, const uint32_t val[2], uint64_t flags)
{
	struct dtab *d = dtab_of(map);
	_Atomic(struct entry *) *link;
	struct entry *old = NULL, *e;
	int err;

	if (flags > BPF_EXIST || !val[0])
		return bh_map_err(-EINVAL, map, flags > BPF_EXIST ? "flags must be BPF_ANY, BPF_NOEXIST or "
				  "BPF_EXIST" : "ifindex 0 is no device");
	plat_mutex_lock(&d->lock);
	link = &d->slots[key & (d->n_buckets - 1)];
	for (old = atomic_load_explicit(link, memory_order_relaxed); old;
	     old = atomic_load_explicit(&old->next, memory_order_relaxed))
		if (old->key == key)
			break;
	if (old && (flags & BPF_NOEXIST)) {
		plat_mutex_unlock(&d->lock);
		return bh_map_err(-EEXIST, map, "the key exists (BPF_NOEXIST)");
	}
	err = entry_new(map, key, val, BPF_XDP_DEVMAP, &e);
	if (err) {
		plat_mutex_unlock(&d->lock);
		return err;
	}
	if (!old && d->items >= map->max_entries) {
		plat_mutex_unlock(&d->lock);
		entry_put(e);
		return bh_map_err(-E2BIG, map, "the map is full (max_entries)");
	}
	if (old) {
		/* Unlink the old entry; readers on it still see its next. */
		_Atomic(struct entry *) *p = link;

		while (atomic_load_explicit(p, memory_order_relaxed) != old)
			p = &atomic_load_explicit(p, memory_order_relaxed)->next;
		atomic_store_explicit(p, atomic_load_explicit(&old->next, memory_order_relaxed),
				      memory_order_release);
	} else {
		d->items++;
	}
	/* Newest first in its bucket, as Linux's hlist_add_head. */
	atomic_store_explicit(&e->next, atomic_load_explicit(link, memory_order_relaxed), memory_order_relaxed);
	atomic_store_explicit(link, e, memory_order_release);
	plat_mutex_unlock(&d->lock);
	entry_put(old);
	return 0;
}

static int dev_sys_update(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	/* The value as Linux reads it: ifindex/qsize, then a program fd (-1 or 0: none). */
	uint32_t val[2] = { 0, is_cpumap(map) ? 0 : UINT32_MAX };

	plat_memcpy(val, value, map->value_size);
	return is_hash(map) ? hash_update(map, bh_load_u32(key), val, flags) :
			      array_update(map, bh_load_u32(key), val, flags);
}

static int dev_sys_delete(struct bh_map *map, const void *key)
{
	struct dtab *d = dtab_of(map);
	uint32_t k = bh_load_u32(key);
	_Atomic(struct entry *) *p;
	struct entry *e;

	if (!is_hash(map)) {
		if (k >= map->max_entries)
			return bh_map_err(-EINVAL, map, "key is not below max_entries");
		entry_put(atomic_exchange_explicit(&d->slots[k], NULL, memory_order_acq_rel));
		return 0;
	}
	plat_mutex_lock(&d->lock);
	for (p = &d->slots[k & (d->n_buckets - 1)]; (e = atomic_load_explicit(p, memory_order_relaxed));
	     p = &e->next)
		if (e->key == k)
			break;
	if (e) {
		atomic_store_explicit(p, atomic_load_explicit(&e->next, memory_order_relaxed), memory_order_release);
		d->items--;
	}
	plat_mutex_unlock(&d->lock);
	if (!e)
		return bh_map_err(-ENOENT, map, "no entry for this key");
	entry_put(e);
	return 0;
}

/* Linux's order: the key's successor in its chain, else the first entry of a later bucket. */
static int hash_get_next_key(struct bh_map *map, const void *key, void *next_key)
{
	struct dtab *d = dtab_of(map);
	struct entry *e = key ? find(map, bh_load_u32(key)) : NULL, *n;
	uint32_t i = 0;

	if (e) {
		n = atomic_load_explicit(&e->next, memory_order_acquire);
		if (n) {
			bh_store_u32(next_key, n->key);
			return 0;
		}
		i = (e->key & (d->n_buckets - 1)) + 1;
	}
	for (; i < d->n_buckets; i++) {
		n = atomic_load_explicit(&d->slots[i], memory_order_acquire);
		if (n) {
			bh_store_u32(next_key, n->key);
			return 0;
		}
	}
	return -ENOENT;
}

static uint64_t dev_mem_usage(const struct bh_map *map)
{
	const struct dtab *d = container_of(map, struct dtab, map);

	return sizeof(*d) + (uint64_t)(is_hash(map) ? d->n_buckets : map->max_entries) * sizeof(void *);
}

#define DEV_OPS(ops_name, type_name, next_key)                                         \
	const struct bh_map_ops ops_name = {                                           \
		.name = type_name,                                                     \
		.check = dev_check,                                                    \
		.alloc = dev_alloc,                                                    \
		.created = dev_created,                                                \
		.free = dev_free,                                                      \
		.lookup_elem = dev_lookup_elem,                                        \
		.update_elem = dev_update_elem,                                        \
		.delete_elem = dev_delete_elem,                                        \
		.sys_lookup = dev_sys_lookup,                                          \
		.sys_update = dev_sys_update,                                          \
		.sys_delete = dev_sys_delete,                                          \
		.get_next_key = next_key,                                              \
		.mem_usage = dev_mem_usage,                                            \
	}

DEV_OPS(devmap_map_ops, "devmap", bh_map_index_get_next_key);
DEV_OPS(devmap_hash_map_ops, "devmap_hash", hash_get_next_key);
DEV_OPS(cpumap_map_ops, "cpumap", bh_map_index_get_next_key);
