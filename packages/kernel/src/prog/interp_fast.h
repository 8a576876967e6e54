/* SPDX-License-Identifier: MIT */
/*
 * The interpreter's run-time checks for two specialised ops (specialise.h,
 * interp.c): a self tail call at a program's start, whose hops are taken at
 * once, and a call on an inner map, made directly when the run just got it.
 */
#ifndef BPFHOST_INTERP_FAST_H
#define BPFHOST_INTERP_FAST_H

#include "interp.h"
#include "specialise.h"
#include "../maps/map.h"

/*
 * A program whose first instruction is a fused tail call to itself (slot
 * @slot holds @self), run in its main frame: every further hop is that
 * same instruction again, which sets r2 and r3 to what they hold already,
 * counts one tail call and charges the budget what the unfused hop costs
 * (the lddw, the mov, the call). Nothing else happens between two hops, so
 * the hops up to the count limit (or as many as the budget pays for) are
 * taken at once when the slot still holds the program: a run that read the
 * slot at each hop could have read this same value each time (reads
 * nothing orders against a writer). The hop that would meet the limit, the
 * budget's end or another program is left to the handler, which makes
 * every check and reports as before. Returns the tail call count.
 */
static inline uint32_t self_tail_calls(_Atomic(struct bh_object *) *slot, const struct bh_object *self,
				       uint32_t tail_calls, uint64_t *budget_left)
{
	const uint64_t hop = BH_TAIL_CALL_K_SPAN + 1;
	uint64_t hops = MAX_TAIL_CALL_CNT - tail_calls;	/* the caller counted this hop: <= the limit */

	if (hops > *budget_left / hop)
		hops = *budget_left / hop;
	if (atomic_load_explicit(slot, memory_order_acquire) != self)
		return tail_calls;
	*budget_left -= hops * hop;
	return tail_calls + (uint32_t)hops;
}

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
