// SPDX-License-Identifier: MIT
/*
 * Patterns a path-insensitive check must not refuse: a value written on one
 * path and read only on the same path after a join, early returns, nested
 * subprograms, a tail call, signed arithmetic, compare-and-swap, ring
 * buffer output of a stack struct.
 */
#include "bpf_defs.h"

MAP(jmp);

MAP(state);
MAP(events);

static __attribute__((noinline)) __s64 leaf(__s64 x, __s64 y)
{
	if (y == 0)
		return x;
#if __BPF_CPU_VERSION__ >= 4
	return x / y + x % y;	/* sdiv, smod */
#else
	return (__s64)((__u64)x / (__u64)y + (__u64)x % (__u64)y);
#endif
}

static __attribute__((noinline)) __s64 middle(__s64 x, __u32 n)
{
	__s64 acc = 0;

	for (__u32 i = 0; i < n && i < 16; i++)
		acc += leaf(x - (__s64)i, (__s64)i - 3);
	return acc;
}

int entry(struct __sk_buff *skb)
{
	__u32 flag = skb->len & 1, zero = 0;
	__u64 stamp;
	__s64 *s, r;

	if (flag)
		stamp = bpf_ktime_get_ns();
	r = middle((__s64)skb->mark - 100, skb->len & 15);
	s = bpf_map_lookup_elem(&state, &zero);
	if (!s)
		return 1;
	__sync_val_compare_and_swap(s, 0, r);
	if (skb->priority == 7)
		bpf_tail_call(skb, &jmp, skb->priority & 3);
	if (skb->priority == 9) {
		struct {
			__u64 stamp;
			__s64 r;
			__u32 len;
		} ev = { flag ? stamp : 0, r, skb->len };

		bpf_ringbuf_output(&events, &ev, sizeof(ev), 0);
	}
	if (flag)
		return (int)(stamp & 0xff);
	return r < 0 ? -1 : (int)(r & 0x7f);
}
