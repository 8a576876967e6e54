// SPDX-License-Identifier: MIT
/*
 * Helper arguments by prototype: memory + size pairs (the size's bounds
 * against the buffer), keys and values sized by their map, the map types a
 * helper accepts, and the helpers a socket filter may call at all.
 */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hash8 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u64);
	__type(value, __u64);
} hash_k8 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 16);
	__type(value, __u64);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} progs SEC(".maps");

SEC("socket")
int accept_load_bytes_fits(struct __sk_buff *skb)
{
	__u8 buf[16];

	if (bpf_skb_load_bytes(skb, 0, buf, sizeof(buf)))
		return 0;
	return buf[0] + buf[15];
}

/* The third program of issue 11: 16 bytes into an 8-byte buffer. */
SEC("socket") CORPUS_NAKED int refuse_load_bytes_too_big(void)
{
	asm volatile("r2 = 0;"
		     "r3 = r10;"
		     "r3 += -8;"
		     "r4 = 16;"
		     "call %[skb_load_bytes];"
		     "r0 = 0;"
		     "exit;"
		     :: HELPER(skb_load_bytes) : "memory");
}

SEC("socket")
int accept_load_bytes_bounded_size(struct __sk_buff *skb)
{
	__u8 buf[16];
	__u32 n = (skb->len & 15) + 1;

	OPAQUE(n);
	if (n > 16 || n == 0)
		return 0;
	if (bpf_skb_load_bytes(skb, 0, buf, n))
		return 0;
	return buf[0];
}

SEC("socket") CORPUS_NAKED int refuse_load_bytes_unbounded_size(void)
{
	asm volatile("r4 = *(u32 *)(r1 + 0);"
		     "r2 = 0;"
		     "r3 = r10;"
		     "r3 += -16;"
		     "call %[skb_load_bytes];"
		     "r0 = 0;"
		     "exit;"
		     :: HELPER(skb_load_bytes) : "memory");
}

/* bpf_skb_load_bytes' size may not be 0. */
SEC("socket") CORPUS_NAKED int refuse_load_bytes_zero_size(void)
{
	asm volatile("r2 = 0;"
		     "r3 = r10;"
		     "r3 += -8;"
		     "r4 = 0;"
		     "call %[skb_load_bytes];"
		     "r0 = 0;"
		     "exit;"
		     :: HELPER(skb_load_bytes) : "memory");
}

/* The packet offset is checked when the helper runs, not at load. */
SEC("socket") CORPUS_NAKED int accept_load_bytes_offset_any(void)
{
	asm volatile("r2 = 100000;"
		     "r3 = r10;"
		     "r3 += -8;"
		     "r4 = 8;"
		     "call %[skb_load_bytes];"
		     "r0 = 0;"
		     "exit;"
		     :: HELPER(skb_load_bytes) : "memory");
}

SEC("socket")
int accept_lookup_key_sized(struct __sk_buff *skb)
{
	__u64 k = skb->len, *v = bpf_map_lookup_elem(&hash_k8, &k);

	return v ? *v : 0;
}

/* An 8-byte key read from fp-4: half of it is past the frame. */
SEC("socket") CORPUS_NAKED int refuse_lookup_key_too_small(void)
{
	asm volatile("r1 = 0;"
		     "*(u32 *)(r10 - 4) = r1;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[hash_k8] ll;"
		     "call %[map_lookup_elem];"
		     "r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(hash_k8), HELPER(map_lookup_elem) : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_update_value_too_small(void)
{
	asm volatile("r1 = 0;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r2 = r10;"
		     "r2 += -8;"
		     "r3 = r10;"
		     "r3 += -4;"
		     "r1 = %[hash8] ll;"
		     "r4 = 0;"
		     "call %[map_update_elem];"
		     "r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(hash8), HELPER(map_update_elem) : "memory");
}

/* The key is a scalar, not a pointer. */
SEC("socket") CORPUS_NAKED int refuse_key_not_pointer(void)
{
	asm volatile("r2 = 0;"
		     "r1 = %[hash8] ll;"
		     "call %[map_lookup_elem];"
		     "r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(hash8), HELPER(map_lookup_elem) : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_ctx_as_map(void)
{
	asm volatile("r2 = r10;"
		     "r2 += -8;"
		     "r3 = 0;"
		     "*(u64 *)(r10 - 8) = r3;"
		     "call %[map_lookup_elem];"
		     "r0 = 0;"
		     "exit;"
		     :: HELPER(map_lookup_elem) : "memory");
}

SEC("socket")
int accept_push_on_queue(struct __sk_buff *skb)
{
	__u64 v = skb->len;

	return bpf_map_push_elem(&queue, &v, 0) ? 1 : 0;
}

/* The fifth program of issue 11: push on a hash map. */
SEC("socket")
int refuse_push_on_hash(struct __sk_buff *skb)
{
	__u64 v = skb->len;

	return bpf_map_push_elem(&hash8, &v, 0) ? 1 : 0;
}

SEC("socket")
int accept_ringbuf_output(struct __sk_buff *skb)
{
	__u64 v = skb->len;

	return bpf_ringbuf_output(&rb, &v, sizeof(v), 0) ? 1 : 0;
}

SEC("socket")
int refuse_ringbuf_output_on_hash(struct __sk_buff *skb)
{
	__u64 v = skb->len;

	return bpf_ringbuf_output(&hash8, &v, sizeof(v), 0) ? 1 : 0;
}

SEC("socket")
int accept_tail_call(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &progs, skb->len & 3);
	return 0;
}

SEC("socket")
int refuse_tail_call_on_hash(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &hash8, 0);
	return 0;
}

/* Programs read a program array only through bpf_tail_call. */
SEC("socket")
int refuse_lookup_on_prog_array(struct __sk_buff *skb)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&progs, &k) != 0;
}

/* An XDP helper: socket filters do not have it. */
SEC("socket") CORPUS_NAKED int refuse_xdp_helper_in_socket_filter(void)
{
	asm volatile("r2 = 0; call %[xdp_adjust_head]; r0 = 0; exit;" :: HELPER(xdp_adjust_head) : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_unknown_helper_id(void)
{
	asm volatile("call 100000; r0 = 0; exit;" ::: "memory");
}
