// SPDX-License-Identifier: MIT
/*
 * Declared initial values: a prog array filled with two of this object's
 * programs and an array of maps filled with inner maps (__array(values, ...)).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner inner_a SEC(".maps");
struct inner inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [1] = &inner_a, [3] = &inner_b },
};

int tail_a(struct __sk_buff *skb);
int tail_b(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} jmp_table SEC(".maps") = {
	.values = { [0] = (void *)&tail_a, [2] = (void *)&tail_b },
};

SEC("socket")
int tail_a(struct __sk_buff *skb)
{
	return 100;
}

SEC("socket")
int tail_b(struct __sk_buff *skb)
{
	return 200;
}

/* Tail-calls slot 2 (tail_b); 1 if the call falls through. */
SEC("socket")
int entry(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp_table, 2);
	return 1;
}

/* Reads inner_b through outer[3]: the value stored there, or -1. */
SEC("socket")
int through_outer(struct __sk_buff *skb)
{
	__u32 k = 3, zero = 0, *v;
	void *inner = bpf_map_lookup_elem(&outer, &k);

	if (!inner)
		return -1;
	v = bpf_map_lookup_elem(inner, &zero);
	return v ? *v : -1;
}

char LICENSE[] SEC("license") = "GPL";
