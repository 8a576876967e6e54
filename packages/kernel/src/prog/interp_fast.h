/* SPDX-License-Identifier: MIT */
/*
 * The interpreter's run-time check for a specialised op (specialise.h,
 * interp.c): a call on an inner map, made directly when the run just got it.
 */
#ifndef BPFHOST_INTERP_FAST_H
#define BPFHOST_INTERP_FAST_H

#include "interp.h"
#include "specialise.h"
#include "../maps/map.h"

/*
 * Inner maps a BH_OP_INNER_MAP may use directly: the built-in types whose
 * lookup, update and delete helpers are just their ops and whose lookup
 * result is a plain value (no map-in-map: its result is a map, with its own
 * bookkeeping).
 */
#define INNER_DIRECT_TYPES                                                                 \
	(1u << BPF_MAP_TYPE_HASH | 1u << BPF_MAP_TYPE_ARRAY | 1u << BPF_MAP_TYPE_PERCPU_HASH |     \
	 1u << BPF_MAP_TYPE_PERCPU_ARRAY | 1u << BPF_MAP_TYPE_LRU_HASH |                       \
	 1u << BPF_MAP_TYPE_LRU_PERCPU_HASH | 1u << BPF_MAP_TYPE_LPM_TRIE)

/* Is @v the inner map the run's last lookup handed out, one of INNER_DIRECT_TYPES? */
static inline bool inner_map_direct(const struct bh_run *run, uint64_t v)
{
	const struct bh_region *last = &run->dyn[(run->dyn_next - 1) % BH_RUN_DYN_REGIONS];
	const struct bh_map *m = u64_to_ptr(v);

	return run->dyn_next && last->map && last->start == v && v && m->map_type < 32 &&
	       (INNER_DIRECT_TYPES >> m->map_type & 1) && !m->custom_map_context;
}

#endif /* BPFHOST_INTERP_FAST_H */
