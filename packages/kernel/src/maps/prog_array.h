/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_PROG_ARRAY: u32 index -> program, the table tail calls jump
 * through. Each slot holds a reference to a program object; user space
 * writes program handles and reads back program ids.
 */
#ifndef BPFHOST_PROG_ARRAY_H
#define BPFHOST_PROG_ARRAY_H

#include "map.h"

/*
 * The program at @index, or NULL (empty slot, index out of range, or @map
 * not a prog array). Lock-free; called under epoch, may run from a program.
 * The object stays valid until the caller's epoch exits, even if the slot
 * is replaced meanwhile; take a reference to keep it longer.
 */
struct bh_object *bh_prog_array_get(struct bh_map *map, uint32_t index);

/*
 * The slots of a prog array (max_entries of them), fixed for the map's life,
 * or NULL if @map is not one: what bh_prog_array_get reads, for callers that
 * checked the map and the index already (the interpreter's known tail calls).
 */
_Atomic(struct bh_object *) *bh_prog_array_slots(struct bh_map *map);

/*
 * May programs of @prog_type go into (or tail-call through) @map? The first
 * caller sets the array's owner type. 0 or -EINVAL with a message.
 */
int bh_prog_array_compatible(struct bh_map *map, uint32_t prog_type);

#endif /* BPFHOST_PROG_ARRAY_H */
