/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY (perf_event_array.c): slots of ring buffer
 * maps that bpf_perf_event_output writes tagged records into; the record
 * format the library's bpfhost_perf_buffer reads:
 *
 *   u32 tag     the slot (CPU) index, | BH_PERF_LOST_BIT when a count follows
 *   [u64 lost]  with BH_PERF_LOST_BIT: samples dropped since the last record
 *   payload     the sample
 */
#ifndef BPFHOST_PERF_EVENT_ARRAY_H
#define BPFHOST_PERF_EVENT_ARRAY_H

#include "map.h"

#define BH_PERF_LOST_BIT 0x80000000u

/*
 * bpf_perf_event_output: @flags is the slot (BPF_F_CURRENT_CPU: this
 * CPU's). 0, -EINVAL (not a perf event array, BPF_F_CTXLEN_MASK bits),
 * -E2BIG (index past max_entries, sample too large), -ENOENT (empty slot),
 * -ENOSPC (no room: counted, reported with the next sample that fits).
 */
long bh_perf_event_output(struct bh_map *map, uint64_t flags, const void *data, uint64_t size);

#endif /* BPFHOST_PERF_EVENT_ARRAY_H */
