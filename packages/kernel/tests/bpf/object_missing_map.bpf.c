// SPDX-License-Identifier: MIT
/* A program that references a map this object does not define (an extern). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} elsewhere SEC(".maps");

SEC("socket")
int uses_missing(struct __sk_buff *skb)
{
	__u32 k = 0, *v = bpf_map_lookup_elem(&elsewhere, &k);

	return v ? *v : 0;
}

char LICENSE[] SEC("license") = "GPL";
