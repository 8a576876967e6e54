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

/* Is @v the inner map the run's last lookup handed out, one of INNER_DIRECT_TYPES? */
static inline bool inner_map_direct(const struct bh_run *run, uint64_t v)
{
	const struct bh_region *last = &run->dyn[(run->dyn_next - 1) % BH_RUN_DYN_REGIONS];
	const struct bh_map *m = u64_to_ptr(v);

	return run->dyn_next && last->map && last->start == v && v && m->map_type < 32 &&
	       (INNER_DIRECT_TYPES >> m->map_type & 1) && !m->custom_map_context;
}

#endif /* BPFHOST_INTERP_FAST_H */
