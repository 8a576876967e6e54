/* SPDX-License-Identifier: MIT */
/* DEVMAP, DEVMAP_HASH, CPUMAP (devmap.c) and XSKMAP (xskmap.c): what bpf_redirect_map reads. */
#ifndef BPFHOST_DEVMAP_H
#define BPFHOST_DEVMAP_H

#include "map.h"

/*
 * The entry of @map (one of the four types) for @key, under epoch: its
 * value as programs read it (ifindex or qsize, program id), or NULL (an
 * XSKMAP has none: bpfhost has no sockets).
 */
const uint32_t *bh_redirect_map_lookup(struct bh_map *map, uint32_t key);

#endif /* BPFHOST_DEVMAP_H */
