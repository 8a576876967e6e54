// SPDX-License-Identifier: MIT
/* A typeless __ksym variable (BTF VAR of void): refused as a kernel symbol, not as bad BTF. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const void bpf_link_fops __ksym;

SEC("socket")
int use_ksym(struct __sk_buff *skb)
{
	return (long)&bpf_link_fops & 1;
}

char LICENSE[] SEC("license") = "GPL";
