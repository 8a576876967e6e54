// SPDX-License-Identifier: MIT
/*
 * BTF-defined maps of several types with struct, typedef, enum, union and
 * bitfield key/value types (checked against the BTF view), and one socket
 * program that touches each map.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "object_types.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, counter_t);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
} pcpu_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, __u64);
	__type(value, struct flow_key);
} recent SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 32);
	__type(value, __u32);
} work_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_cfg SEC(".maps");

/* Counts a packet in every map; returns the new count of counters[0]. */
SEC("socket")
int count_packets(struct __sk_buff *skb)
{
	struct flow_key key = { .saddr = 1, .daddr = 2, .sport = 3, .dport = 4, .proto = 6 };
	struct flow_stats init = { .packets = 1, .bytes = 64, .verdict = VERDICT_PASS };
	struct flow_stats *st;
	__u32 zero = 0, qv = 42;
	__u64 one = 1, lkey = 9;
	counter_t *c;
	__u64 *pc;

	st = bpf_map_lookup_elem(&flows, &key);
	if (st) {
		st->packets++;
		st->bytes += 64;
	} else {
		bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
	}
	pc = bpf_map_lookup_elem(&pcpu_array, &zero);
	if (pc)
		*pc += 1;
	bpf_map_update_elem(&pcpu_hash, &zero, &one, BPF_ANY);
	bpf_map_update_elem(&recent, &lkey, &key, BPF_ANY);
	bpf_map_push_elem(&work_queue, &qv, 0);
	bpf_ringbuf_output(&events, &qv, sizeof(qv), 0);
	c = bpf_map_lookup_elem(&counters, &zero);
	if (!c)
		return 0;
	*c += 1;
	return *c;
}

/* Reads the pinned config map (reused across objects). */
SEC("socket")
int read_cfg(struct __sk_buff *skb)
{
	__u32 k = 0, *v = bpf_map_lookup_elem(&shared_cfg, &k);

	return v ? *v : 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
