// SPDX-License-Identifier: MIT
/* A program in a section no program type claims ("nosuchtype/..."), next to a socket program. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int known(struct __sk_buff *skb)
{
	return 1;
}

SEC("nosuchtype/probe")
int mystery(struct __sk_buff *skb)
{
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
