/* SPDX-License-Identifier: MIT */
/* DEVMAP, DEVMAP_HASH and CPUMAP (devmap.c): what bpf_redirect_map reads. */
#ifndef BPFHOST_DEVMAP_H
#define BPFHOST_DEVMAP_H

#include "map.h"

/*
 * The entry of @map (one of the three types) for @key, under epoch: its
 * value as programs read it (ifindex or qsize, program id), or NULL.
 */
const uint32_t *bh_redirect_map_lookup(struct bh_map *map, uint32_t key);

#endif /* BPFHOST_DEVMAP_H */
