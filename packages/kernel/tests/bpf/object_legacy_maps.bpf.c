// SPDX-License-Identifier: MIT
/* Maps in the legacy `maps` section: struct bpf_map_def records named by their symbols. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") legacy_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 32,
};

struct bpf_map_def SEC("maps") legacy_array = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = 16,
	.max_entries = 2,
	.map_flags = BPF_F_MMAPABLE,
};

/* Stores 77 under key 1 of legacy_hash and returns legacy_array[0]'s first word. */
SEC("socket")
int legacy_prog(struct __sk_buff *skb)
{
	__u32 k = 1, zero = 0, *a;
	__u64 v = 77;

	bpf_map_update_elem(&legacy_hash, &k, &v, BPF_ANY);
	a = bpf_map_lookup_elem(&legacy_array, &zero);
	return a ? *a : -1;
}

char LICENSE[] SEC("license") = "GPL";
