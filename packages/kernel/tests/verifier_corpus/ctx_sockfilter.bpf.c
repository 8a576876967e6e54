// SPDX-License-Identifier: MIT
/*
 * The socket filter's context (struct __sk_buff) field by field: which
 * fields it may read (not data/data_end: socket filters see the packet only
 * through helpers and LD_ABS), that only cb[] is writable, narrow loads, and
 * that the context pointer must be used unmodified.
 */
#include "corpus.h"

#define SKB_OFF(f) [f] "i"(__builtin_offsetof(struct __sk_buff, f))

SEC("socket")
int accept_read_len(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("socket")
int accept_read_several_fields(struct __sk_buff *skb)
{
	return skb->protocol ^ skb->pkt_type ^ skb->ifindex ^ skb->hash ^ skb->priority;
}

/* The fourth program of issue 11. */
SEC("socket")
int refuse_read_data(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;

	return *(__u8 *)data;
}

SEC("socket") CORPUS_NAKED int refuse_read_data_end(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[data_end]); exit;" :: SKB_OFF(data_end) : "memory");
}

SEC("socket")
int accept_write_cb(struct __sk_buff *skb)
{
	skb->cb[0] = skb->len;
	skb->cb[4] = 1;
	return skb->cb[0];
}

SEC("socket") CORPUS_NAKED int accept_narrow_write_cb(void)
{
	asm volatile("r2 = 1; *(u8 *)(r1 + %[cb] + 3) = r2; r0 = 0; exit;"
		     :: [cb] "i"(__builtin_offsetof(struct __sk_buff, cb)) : "memory");
}

SEC("socket")
int refuse_write_len(struct __sk_buff *skb)
{
	skb->len = 0;
	return 0;
}

/* mark is writable for tc programs, read-only for socket filters. */
SEC("socket")
int refuse_write_mark(struct __sk_buff *skb)
{
	skb->mark = 1;
	return 0;
}

SEC("socket") CORPUS_NAKED int accept_narrow_load_low_byte(void)
{
	asm volatile("r0 = *(u8 *)(r1 + %[len]); exit;" :: SKB_OFF(len) : "memory");
}

SEC("socket") CORPUS_NAKED int accept_narrow_load_high_half(void)
{
	asm volatile("r0 = *(u16 *)(r1 + %[len] + 2); exit;" :: SKB_OFF(len) : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_misaligned_load(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[len] + 2); exit;" :: SKB_OFF(len) : "memory");
}

/* Wider than the field: an 8-byte load of a 4-byte field. */
SEC("socket") CORPUS_NAKED int refuse_wide_load(void)
{
	asm volatile("r0 = *(u64 *)(r1 + %[len]); exit;" :: SKB_OFF(len) : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_past_context_end(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 400); exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_modified_ctx_pointer(void)
{
	asm volatile("r1 += 8; r0 = *(u32 *)(r1 + 0); exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_var_offset_ctx(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r2 &= 4;"
		     "r1 += r2;"
		     "r0 = *(u32 *)(r1 + 0);"
		     "exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_store_immediate_to_len(void)
{
	asm volatile("*(u32 *)(r1 + %[len]) = 0; r0 = 0; exit;" :: SKB_OFF(len) : "memory");
}

/* Privileged: a pointer may be stored in cb[] (for unprivileged loads it is a leak). */
SEC("socket") CORPUS_NAKED int accept_store_pointer_to_cb(void)
{
	asm volatile("*(u64 *)(r1 + %[cb]) = r1; r0 = 0; exit;"
		     :: [cb] "i"(__builtin_offsetof(struct __sk_buff, cb)) : "memory");
}

SEC("socket")
int accept_read_cb_after_write(struct __sk_buff *skb)
{
	skb->cb[2] = skb->protocol;
	return skb->cb[2] + skb->cb[1];
}
