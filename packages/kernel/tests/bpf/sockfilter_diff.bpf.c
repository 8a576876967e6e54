// SPDX-License-Identifier: MIT
/*
 * Socket filter programs that run unchanged in the Linux kernel (through
 * BPF_PROG_TEST_RUN) and in bpfhost: kernel_prog_diff_test compares their
 * return values and the maps they leave behind.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

const volatile __u32 salt = 0x9e3779b9;
__u64 runs = 0;

SEC("socket")
int skb_len(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("socket")
int skb_fields(struct __sk_buff *skb)
{
	return (skb->protocol << 8) ^ (skb->pkt_type << 4) ^ skb->ifindex;
}

SEC("socket")
int ld_abs(struct __sk_buff *skb)
{
	/* IPv4 header: version/IHL byte, total length, then the source address. */
	return (load_byte(skb, 0) << 24) ^ load_half(skb, 2) ^ load_word(skb, 12);
}

SEC("socket")
int ld_abs_oob(struct __sk_buff *skb)
{
	/* Past the end: the program stops and returns 0 in both. */
	return load_word(skb, 4000) + 5;
}

static __attribute__((noinline)) __u32 fnv1a(const __u8 *p, int n)
{
	__u32 h = 2166136261u;

	for (int i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

SEC("socket")
int hash_payload(struct __sk_buff *skb)
{
	__u8 buf[32];

	if (bpf_skb_load_bytes(skb, 0, buf, sizeof(buf)))
		return 1;
	return fnv1a(buf, sizeof(buf)) ^ salt;
}

SEC("socket")
int load_bytes_oob(struct __sk_buff *skb)
{
	__u8 buf[8];

	return bpf_skb_load_bytes(skb, 2000, buf, sizeof(buf));
}

/* Counts packets per first payload byte and sums lengths; returns the count. */
SEC("socket")
int count_by_byte(struct __sk_buff *skb)
{
	__u32 key = load_byte(skb, 9), zero = 0;
	__u64 one = 1, *v, *t;

	runs++;
	v = bpf_map_lookup_elem(&counts, &key);
	if (v) {
		__sync_fetch_and_add(v, 1);
	} else {
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
		v = &one;
	}
	t = bpf_map_lookup_elem(&totals, &zero);
	if (t)
		*t += skb->len;
	return *v;
}

SEC("socket")
int arith(struct __sk_buff *skb)
{
	__u64 x = skb->len, acc = 0;
	__s64 s = -(__s64)skb->len;

	for (int i = 1; i < 40; i++) {
		acc += (x * i) / (i + 3);
		acc ^= acc << 7;
		acc += (__u64)s % (i + 1);
		acc = (acc >> 3) | (acc << 61);
		s = s * 3 - i;
	}
	return (__u32)(acc ^ (acc >> 32));
}

SEC("socket")
int delete_and_count(struct __sk_buff *skb)
{
	__u32 key = load_byte(skb, 9);

	return bpf_map_delete_elem(&counts, &key) == 0 ? 1 : 2;
}

char LICENSE[] SEC("license") = "GPL";
