// SPDX-License-Identifier: MIT
/*
 * Strings in read-only data: bpf_printk's format (in .rodata) and string
 * literals merged into .rodata.str1.1, the second reached through the
 * section symbol plus an addend in the lddw (libbpf: offset = symbol + imm).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int printer(struct __sk_buff *skb)
{
	bpf_printk("%s and %s: %d", "first", "second", 42);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
