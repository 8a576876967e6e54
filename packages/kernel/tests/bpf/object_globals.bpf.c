// SPDX-License-Identifier: MIT
/*
 * Global data in .data, .rodata and .bss read and written by several
 * programs, and bpf-to-bpf calls: a static and a global __noinline function,
 * one calling the other, shared by two programs.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "object_types.h"

int data_counter = 5;
__u64 data_big = 0x1122334455667788ULL;
const volatile struct settings cfg = { .scale = 3, .offset = 100, .enabled = 1 };
const volatile __u32 ro_limit = 1000;
__u32 bss_hits;
__u64 bss_last;

static __noinline __u32 mix(__u32 a, __u32 b)
{
	return a * cfg.scale + b;
}

__noinline __u32 scale_up(__u32 x)
{
	bss_hits++;
	return mix(x, cfg.offset);
}

/* data_counter * scale + offset, then counts the call in .bss. */
SEC("socket")
int read_globals(struct __sk_buff *skb)
{
	__u32 r = scale_up(data_counter);

	if (r > ro_limit)
		return -1;
	return r;
}

/* Writes .data and .bss; returns mix(7, 1). */
SEC("socket")
int write_globals(struct __sk_buff *skb)
{
	data_counter += 10;
	bss_last = data_big + 1;
	return mix(7, 1);
}

/* No globals, no calls. */
SEC("socket/plain")
int plain(struct __sk_buff *skb)
{
	return 17;
}

char LICENSE[] SEC("license") = "GPL";
