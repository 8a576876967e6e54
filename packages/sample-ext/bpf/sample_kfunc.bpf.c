// SPDX-License-Identifier: MIT
/*
 * Sample programs that call the sample extension's kfuncs (declared in
 * sample_ext.h, resolved by name when the object loads).
 *
 *   sample/checksum    sample_event_checksum(ctx) on the event's bytes, and
 *                      sample_stats_add() of the event's length into
 *                      stats[0]. Returns the checksum.
 *   socket             a socket filter: sample_stats_add() of the packet's
 *                      length into stats[1] (the stats kfunc serves every
 *                      program type). Returns 0.
 *   sample/counter     borrows counter (event id % 8) with
 *                      sample_counter_acquire(), counts the event into it
 *                      and gives it back; returns the counter's hits.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "sample_ext.h"

/* #region kfunc-prog (shown by the docs site) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct sample_stats);
} stats SEC(".maps");

SEC("sample/checksum")
int checksum_event(struct sample_ctx *ctx)
{
	__u32 key = 0, sum = sample_event_checksum(ctx);
	struct sample_stats *s = bpf_map_lookup_elem(&stats, &key);

	if (s)
		sample_stats_add(s, ctx->data_len);
	return sum;
}
/* #endregion kfunc-prog */

SEC("socket")
int count_packet(struct __sk_buff *skb)
{
	__u32 key = 1;
	struct sample_stats *s = bpf_map_lookup_elem(&stats, &key);

	if (s)
		sample_stats_add(s, skb->len);
	return 0;
}

/* #region kfunc-ref-prog (shown by the docs site) */
SEC("sample/counter")
int count_event(struct sample_ctx *ctx)
{
	struct sample_counter *c = sample_counter_acquire(ctx->event_id % SAMPLE_COUNTERS);
	__u64 hits;

	if (!c)			/* without this check the program does not load */
		return 0;
	c->hits++;
	c->sum += ctx->data_len;
	hits = c->hits;
	sample_counter_release(c);	/* on every path, once: c is unusable after it */
	return hits;
}
/* #endregion kfunc-ref-prog */

char LICENSE[] SEC("license") = "GPL";
