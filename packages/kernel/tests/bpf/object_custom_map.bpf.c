// SPDX-License-Identifier: MIT
/*
 * A BTF-defined map of a custom type an extension registers (the test
 * provider's 4196 = BPFHOST_MAP_TYPE_EXT_BASE + 100, hash based).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, 4196);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} custom SEC(".maps");

/* custom[1], or 0 when missing. */
SEC("socket")
int read_custom(struct __sk_buff *skb)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&custom, &k);

	return v ? *v : 0;
}

char LICENSE[] SEC("license") = "GPL";
