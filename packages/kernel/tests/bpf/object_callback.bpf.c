// SPDX-License-Identifier: MIT
/*
 * A callback passed to bpf_loop: the function's address is an lddw with
 * src_reg BPF_PSEUDO_FUNC relocated against .text (object_reloc_test checks
 * the relocation; the core need not offer bpf_loop for that).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int add_index(__u32 index, void *ctx)
{
	*(__u64 *)ctx += index;
	return 0;
}

SEC("socket")
int sum_loop(struct __sk_buff *skb)
{
	__u64 sum = 0;

	bpf_loop(10, add_index, &sum, 0);
	return sum;
}

char LICENSE[] SEC("license") = "GPL";
