// SPDX-License-Identifier: MIT
/* A kfunc call: refused as one. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_rcu_read_lock(void) __ksym;

SEC("socket")
int use_kfunc(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
