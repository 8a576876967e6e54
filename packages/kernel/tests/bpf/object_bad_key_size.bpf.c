// SPDX-License-Identifier: MIT
/* A BTF map definition whose key_size (8) contradicts its key type (__u32). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__uint(key_size, 8);
	__type(key, __u32);
	__type(value, __u32);
} conflicted SEC(".maps");

SEC("socket")
int uses_conflicted(struct __sk_buff *skb)
{
	__u32 k = 0, *v = bpf_map_lookup_elem(&conflicted, &k);

	return v ? *v : 0;
}

char LICENSE[] SEC("license") = "GPL";
