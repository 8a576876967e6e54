// SPDX-License-Identifier: MIT
/* A strong kfunc no module registers: refused at load, naming it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int tk_unknown(int x) __ksym;

SEC("socket")
int call_unknown(struct __sk_buff *skb)
{
	return tk_unknown(1);
}

char LICENSE[] SEC("license") = "GPL";
