// SPDX-License-Identifier: MIT
/*
 * Legacy `maps` records of two sizes (20 and 28 bytes, as objects linked
 * from different compilers leave them): 68 bytes for 3 symbols do not
 * divide, so each is read at its symbol with its symbol's size.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def_long {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
	unsigned int inner_map_idx;	/* 0: unused */
	unsigned int numa_node;		/* 0: unused */
};

struct bpf_map_def SEC("maps") first = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 4,
};

struct bpf_map_def_long SEC("maps") second = {
	.type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 4, .max_entries = 16,
};

struct bpf_map_def SEC("maps") third = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 16, .max_entries = 2,
};

SEC("socket")
int uneven(struct __sk_buff *skb)
{
	__u32 k = 1, v = 5, *t;
	__u64 *f;

	bpf_map_update_elem(&second, &k, &v, BPF_ANY);
	f = bpf_map_lookup_elem(&first, &k);
	t = bpf_map_lookup_elem(&third, &k);
	return (f ? (__u32)*f : 0) + (t ? *t : 0);
}

char LICENSE[] SEC("license") = "GPL";
