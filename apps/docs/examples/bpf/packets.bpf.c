// SPDX-License-Identifier: MIT
/*
 * The user guide's BPF object: a socket filter that sorts packets into size
 * buckets and reports them. The guide's TypeScript examples load it
 * (`nx run docs:test` compiles it with clang-19 to packets.bpf.o).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define BUCKET_SIZE 64

/* What `buckets` holds for each size bucket (packet length / 64). */
struct bucket_stats {
	__u64 packets;
	__u64 bytes;
	__u32 min_len;
	__u32 max_len;
};

/* The record `classify` submits to `events` for each packet. */
struct packet_event {
	__u64 seq;
	__u32 len;
	__u32 bucket;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, struct bucket_stats);
} buckets SEC(".maps");

/* Packets seen, counted separately on each CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

/* The lengths of the last 8 packets, oldest first. */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} recent SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/* Globals: user space reads and writes them through the packets.bss and packets.data maps. */
__u64 next_seq = 0;
__u32 max_len = 1500;

SEC("socket")
int classify(struct __sk_buff *skb)
{
	__u32 len = skb->len, bucket = len / BUCKET_SIZE, zero = 0;
	struct bucket_stats *st, first = { 1, len, len, len };
	struct packet_event *ev;
	__u64 *n;

	st = bpf_map_lookup_elem(&buckets, &bucket);
	if (st) {
		__sync_fetch_and_add(&st->packets, 1);
		__sync_fetch_and_add(&st->bytes, len);
		if (len < st->min_len)
			st->min_len = len;
		if (len > st->max_len)
			st->max_len = len;
	} else {
		bpf_map_update_elem(&buckets, &bucket, &first, BPF_NOEXIST);
	}

	n = bpf_map_lookup_elem(&seen, &zero);
	if (n)
		*n += 1;

	/* BPF_EXIST: when the queue is full, the oldest length makes room. */
	bpf_map_push_elem(&recent, &len, BPF_EXIST);

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (ev) {
		ev->seq = __sync_fetch_and_add(&next_seq, 1) + 1;
		ev->len = len;
		ev->bucket = bucket;
		bpf_ringbuf_submit(ev, 0);
	}

	bpf_printk("%u bytes, bucket %u", len, bucket);
	/* A socket filter returns how many bytes to keep: 0 drops the packet. */
	return len > max_len ? 0 : len;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
