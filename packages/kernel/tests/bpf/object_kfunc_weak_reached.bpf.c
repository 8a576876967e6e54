// SPDX-License-Identifier: MIT
/* A __weak kfunc no module provides, called unguarded: the verifier refuses the path. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int tk_absent(int x) __ksym __weak;

SEC("socket")
int call_weak_unguarded(struct __sk_buff *skb)
{
	return tk_absent(1);
}

char LICENSE[] SEC("license") = "GPL";
