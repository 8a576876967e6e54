/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS: maps whose
 * values are other maps. User space writes map handles (value_size 4) and
 * reads back map ids; a program's lookup gets the inner struct bh_map *.
 * Every inner map must match the template named by inner_map_fd at create.
 */
#ifndef BPFHOST_MAP_IN_MAP_H
#define BPFHOST_MAP_IN_MAP_H

#include "map.h"

/* What the template fixed: what the verifier may assume of any inner map. */
struct bh_inner_map_meta {
	const struct bh_map_ops *ops;
	uint32_t map_type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;	/* binding only for arrays without BPF_F_INNER_MAP */
	uint32_t map_flags;
};

/* The template of a map-in-map, or NULL if @map is not one. */
const struct bh_inner_map_meta *bh_map_in_map_meta(const struct bh_map *map);

/*
 * An ARRAY_OF_MAPS's slots (max_entries of them), fixed for the map's life,
 * or NULL if @map is not one. Read them with acquire loads under epoch.
 */
_Atomic(struct bh_map *) *bh_array_of_maps_slots(struct bh_map *map);

#endif /* BPFHOST_MAP_IN_MAP_H */
