// SPDX-License-Identifier: MIT
/*
 * bpf_perf_event_output into a BPF_MAP_TYPE_PERF_EVENT_ARRAY: `small` sends
 * an 8-byte sample (a sequence number and the packet length) to this CPU's
 * slot, `big` a 1 KiB sample to slot `flags` (set by the test, so index and
 * flag refusals can be tried); both return the helper's result.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} events SEC(".maps");

struct small_sample {
	__u32 seq;
	__u32 len;
};

__u32 seq;
__u64 flags;
__u8 big_buf[1024];

SEC("socket")
int small(struct __sk_buff *skb)
{
	struct small_sample s = { .seq = ++seq, .len = skb->len };

	return bpf_perf_event_output(skb, &events, BPF_F_CURRENT_CPU, &s, sizeof(s));
}

SEC("socket")
int big(struct __sk_buff *skb)
{
	big_buf[0] = (__u8)++seq;
	big_buf[1023] = 0xee;
	return bpf_perf_event_output(skb, &events, flags, big_buf, sizeof(big_buf));
}

char LICENSE[] SEC("license") = "GPL";
