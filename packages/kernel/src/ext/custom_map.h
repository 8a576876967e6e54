/* SPDX-License-Identifier: MIT */
/* Custom maps: map types an extension's map information provider implements. */
#ifndef BPFHOST_CUSTOM_MAP_H
#define BPFHOST_CUSTOM_MAP_H

#include "../maps/map.h"

/* Creates a map of a registered custom type (the type is in the ext range). */
struct bh_map *bh_custom_map_alloc(const union bpf_attr *attr);

/*
 * Asks the provider whether programs of @program_type may use @map (program
 * load and bind-map). 0 for built-in maps; the provider's error otherwise.
 */
int bh_custom_map_associate_program_type(struct bh_map *map, uint32_t program_type);

/*
 * Whether @map is a custom map whose provider updates_original_value
 * (programs cannot use its helpers: the verifier refuses them at load).
 */
bool bh_custom_map_updates_original_value(struct bh_map *map);

/*
 * Whether @map is such a map whose provider lets programs read it (contract
 * v2 programs_read): bpf_map_lookup_elem returns a read-only copy.
 */
bool bh_custom_map_programs_read(struct bh_map *map);

#endif /* BPFHOST_CUSTOM_MAP_H */
