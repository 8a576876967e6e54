// SPDX-License-Identifier: MIT
/*
 * Ordinary C for prog_check_test: loops, a switch, stack structs, memset and
 * memcpy, a five-argument subprogram, map lookups and updates, globals,
 * atomics. Everything lives in .text (no SEC) so the calls between functions
 * are resolved by the compiler and the section is a whole program; the
 * entry function comes first.
 */
#include "bpf_defs.h"

MAP(counts);

struct flow {
	__u32 src, dst;
	__u16 sport, dport;
	__u8 proto, pad[3];
};

__u64 total_bytes;
volatile __u32 config_shift = 3;

static __attribute__((noinline)) __u64 mix(__u64 a, __u64 b, __u32 c, __u32 d, __u64 e)
{
	__u64 h = a * 0x9e3779b97f4a7c15ULL;

	h ^= b + (c << 6) + (d >> 2);
	return h % (e | 1);
}

static __attribute__((noinline)) int classify(const struct flow *f)
{
	switch (f->proto) {
	case 6:
		return f->dport == 80 ? 1 : 2;
	case 17:
		return f->dport == 53 ? 3 : 4;
	case 1:
		return 5;
	default:
		return 0;
	}
}

int entry(struct __sk_buff *skb)
{
	__u8 buf[32];
	struct flow f;
	__u32 key, sum = 0;
	__u64 *v, one = 1;

	__builtin_memset(&f, 0, sizeof(f));
	if (bpf_skb_load_bytes(skb, 0, buf, sizeof(buf)) < 0)
		return 0;
	for (int i = 0; i < (int)sizeof(buf); i++)
		sum += buf[i] * (i + 1);
	__builtin_memcpy(&f.src, buf + 12, 4);
	__builtin_memcpy(&f.dst, buf + 16, 4);
	f.proto = buf[9];
	f.dport = (__u16)(buf[22] << 8 | buf[23]);
	key = (__u32)classify(&f);
	v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	__sync_fetch_and_add(&total_bytes, skb->len);
	return (int)(mix(sum, f.src, f.dst, key, skb->len) >> config_shift) & 0xffff;
}
