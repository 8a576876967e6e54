// SPDX-License-Identifier: MIT
/*
 * Line and func info: `lines` calls two sub-programs (so its func_info has
 * three records and its line_info records come from three functions, moved
 * to where the linker appends them); `fault` reads through a bad pointer in
 * a sub-program, so the run-time fault can name this file and that line.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline __u32 mix(__u32 x)
{
	x ^= x >> 7;
	x *= 2654435761u;
	return x ^ (x >> 13);
}

static __noinline __u32 fold(__u32 x, __u32 y)
{
	__u32 r = mix(x) + y;

	return r > 1000 ? r % 1000 : r;
}

SEC("socket")
int lines(struct __sk_buff *skb)
{
	__u32 a = skb->len;
	__u32 b = mix(a);

	return fold(a, b);
}

static __noinline int deref(long addr)
{
	return *(volatile int *)addr; /* FAULT HERE */
}

SEC("socket")
int fault(struct __sk_buff *skb)
{
	return deref(skb->len);
}

char LICENSE[] SEC("license") = "GPL";
