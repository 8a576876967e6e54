// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_XSKMAP: AF_XDP sockets for bpf_redirect_map. bpfhost has no
 * sockets, so what it mirrors of Linux (net/xdp/xskmap.c) is the rest: the
 * creation rules, key walks, deletes, lookups from user space refused with
 * -EOPNOTSUPP, and programs that find no socket (bpf_redirect_map then
 * returns its fallback verdict). Every update is refused with -EOPNOTSUPP
 * and a message, where Linux takes an AF_XDP socket's fd. Objects that
 * declare an XSKMAP load and their programs run.
 */
#include "map.h"

#define XSK_FLAGS (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)

static int xsk_check(const union bpf_attr *attr)
{
	if (attr->key_size != 4 || attr->value_size != 4)
		return bh_err(-EINVAL, "BPF_MAP_CREATE: xskmap needs key_size 4 and value_size 4 (a socket), "
			      "got %u and %u", attr->key_size, attr->value_size);
	return bh_map_check_sizes(attr, "xskmap", XSK_FLAGS);
}

static struct bh_map *xsk_alloc(const union bpf_attr *attr)
{
	struct bh_map *map = plat_alloc_aligned(sizeof(*map));

	(void)attr;
	if (!map)
		return ERR_PTR(bh_err(-ENOMEM, "BPF_MAP_CREATE: out of memory for an xskmap"));
	return map;
}

static void xsk_free(struct bh_map *map)
{
	plat_free_aligned(map);
}

/* No socket is ever in the map. */
static void *xsk_lookup_elem(struct bh_map *map, const void *key)
{
	(void)map, (void)key;
	return NULL;
}

static long xsk_update_elem(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	(void)key, (void)value, (void)flags;
	return bh_map_err(-EOPNOTSUPP, map, "programs cannot update an xskmap (as on Linux)");
}

static long xsk_delete_elem(struct bh_map *map, const void *key)
{
	(void)key;
	return bh_map_err(-EOPNOTSUPP, map, "programs cannot delete xskmap elements (as on Linux)");
}

static int xsk_sys_lookup(struct bh_map *map, const void *key, void *value, uint64_t flags)
{
	(void)key, (void)value, (void)flags;
	return bh_map_err(-EOPNOTSUPP, map, "xskmap entries are not read from user space (as on Linux)");
}

static int xsk_sys_update(struct bh_map *map, const void *key, const void *value, uint64_t flags)
{
	(void)value;
	if (flags > BPF_EXIST)
		return bh_map_err(-EINVAL, map, "flags must be BPF_ANY, BPF_NOEXIST or BPF_EXIST");
	if (bh_load_u32(key) >= map->max_entries)
		return bh_map_err(-E2BIG, map, "key is not below max_entries");
	return bh_err(-EOPNOTSUPP, "map '%s': an xskmap holds AF_XDP sockets, which bpfhost does not "
		      "have: its programs see no socket, and bpf_redirect_map returns its fallback", map->name);
}

static int xsk_sys_delete(struct bh_map *map, const void *key)
{
	if (bh_load_u32(key) >= map->max_entries)
		return bh_map_err(-EINVAL, map, "key is not below max_entries");
	return 0;
}

static uint64_t xsk_mem_usage(const struct bh_map *map)
{
	return sizeof(*map) + (uint64_t)map->max_entries * sizeof(void *);
}

const struct bh_map_ops xskmap_map_ops = {
	.name = "xskmap",
	.check = xsk_check,
	.alloc = xsk_alloc,
	.free = xsk_free,
	.lookup_elem = xsk_lookup_elem,
	.update_elem = xsk_update_elem,
	.delete_elem = xsk_delete_elem,
	.sys_lookup = xsk_sys_lookup,
	.sys_update = xsk_sys_update,
	.sys_delete = xsk_sys_delete,
	.get_next_key = bh_map_index_get_next_key,
	.mem_usage = xsk_mem_usage,
};
