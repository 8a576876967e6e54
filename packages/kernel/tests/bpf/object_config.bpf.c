// SPDX-License-Identifier: MIT
/*
 * The open phase: a `.data.values` section whose last (only) variable is an
 * array, so its map can be resized before load (libbpf's pattern for
 * run-time-sized global arrays), and `const volatile` configuration.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 nr_values = 4;
__u32 values[4] SEC(".data.values") = { 10, 20, 30, 40 };
/* Two variables: only the last may change length, and it is no array. */
__u32 pair_a SEC(".data.pair") = 1;
__u32 pair_b SEC(".data.pair") = 2;

/* values[0] + values[3] + nr_values */
SEC("socket")
int sum_values(struct __sk_buff *skb)
{
	return values[0] + values[3] + nr_values + pair_a + pair_b;
}

char LICENSE[] SEC("license") = "GPL";
