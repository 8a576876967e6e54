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

char LICENSE[] SEC("license") = "GPL";
