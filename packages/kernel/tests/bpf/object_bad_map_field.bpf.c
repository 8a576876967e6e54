// SPDX-License-Identifier: MIT
/* A BTF map definition with a field libbpf does not know ("bogus"). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(bogus, 3);
} odd SEC(".maps");

SEC("socket")
int uses_odd(struct __sk_buff *skb)
{
	__u32 k = 0, *v = bpf_map_lookup_elem(&odd, &k);

	return v ? *v : 0;
}

char LICENSE[] SEC("license") = "GPL";
