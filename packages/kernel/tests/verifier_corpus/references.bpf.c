// SPDX-License-Identifier: MIT
/*
 * References: a reserved ring buffer record is submitted or discarded
 * exactly once on every path, is NULL-checked before use, and is gone
 * afterwards; only records may be released.
 */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} progs SEC(".maps");

SEC("socket")
int accept_reserve_submit(struct __sk_buff *skb)
{
	__u64 *r = bpf_ringbuf_reserve(&rb, 16, 0);

	if (!r)
		return 0;
	r[0] = skb->len;
	r[1] = skb->protocol;
	bpf_ringbuf_submit(r, 0);
	return 1;
}

SEC("socket")
int accept_reserve_discard(struct __sk_buff *skb)
{
	__u64 *r = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!r)
		return 0;
	*r = skb->len;
	bpf_ringbuf_discard(r, 0);
	return 1;
}

SEC("socket")
int accept_submit_or_discard(struct __sk_buff *skb)
{
	__u64 *r = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!r)
		return 0;
	*r = skb->len;
	if (skb->len > 100)
		bpf_ringbuf_submit(r, 0);
	else
		bpf_ringbuf_discard(r, 0);
	return 1;
}

/* The sixth program of issue 11: no submit when len <= 100. */
SEC("socket")
int refuse_no_submit_on_one_path(struct __sk_buff *skb)
{
	__u64 *r = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!r)
		return 0;
	*r = skb->len;
	if (skb->len > 100)
		bpf_ringbuf_submit(r, 0);
	return 1;
}

SEC("socket")
int refuse_never_released(struct __sk_buff *skb)
{
	__u64 *r = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!r)
		return 0;
	*r = skb->len;
	return 1;
}

SEC("socket") CORPUS_NAKED int refuse_double_submit(void)
{
	asm volatile("r1 = %[rb] ll;"
		     "r2 = 8;"
		     "r3 = 0;"
		     "call %[ringbuf_reserve];"
		     "if r0 == 0 goto l0_%=;"
		     "r6 = r0;"
		     "r1 = r0;"
		     "r2 = 0;"
		     "call %[ringbuf_submit];"
		     "r1 = r6;"
		     "r2 = 0;"
		     "call %[ringbuf_submit];"
		     "l0_%=: r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(rb), HELPER(ringbuf_reserve), HELPER(ringbuf_submit) : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_use_after_submit(void)
{
	asm volatile("r1 = %[rb] ll;"
		     "r2 = 8;"
		     "r3 = 0;"
		     "call %[ringbuf_reserve];"
		     "if r0 == 0 goto l0_%=;"
		     "r6 = r0;"
		     "r1 = r0;"
		     "r2 = 0;"
		     "call %[ringbuf_submit];"
		     "r1 = 5;"
		     "*(u64 *)(r6 + 0) = r1;"
		     "l0_%=: r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(rb), HELPER(ringbuf_reserve), HELPER(ringbuf_submit) : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_submit_stack_pointer(void)
{
	asm volatile("r1 = 0;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r1 = r10;"
		     "r1 += -8;"
		     "r2 = 0;"
		     "call %[ringbuf_submit];"
		     "r0 = 0;"
		     "exit;"
		     :: HELPER(ringbuf_submit) : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_submit_map_value(void)
{
	asm volatile("r1 = 0;"
		     "*(u32 *)(r10 - 8) = r1;"
		     "r2 = r10;"
		     "r2 += -8;"
		     "r1 = %[arr] ll;"
		     "call %[map_lookup_elem];"
		     "if r0 == 0 goto l0_%=;"
		     "r1 = r0;"
		     "r2 = 0;"
		     "call %[ringbuf_submit];"
		     "l0_%=: r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(arr), HELPER(map_lookup_elem), HELPER(ringbuf_submit) : "memory");
}

/* Submitted before its NULL check. */
SEC("socket") CORPUS_NAKED int refuse_submit_unchecked(void)
{
	asm volatile("r1 = %[rb] ll;"
		     "r2 = 8;"
		     "r3 = 0;"
		     "call %[ringbuf_reserve];"
		     "r1 = r0;"
		     "r2 = 0;"
		     "call %[ringbuf_submit];"
		     "r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(rb), HELPER(ringbuf_reserve), HELPER(ringbuf_submit) : "memory");
}

/* The record is 16 bytes: writing bytes 16..23 is past it. */
SEC("socket") CORPUS_NAKED int refuse_write_past_record(void)
{
	asm volatile("r1 = %[rb] ll;"
		     "r2 = 16;"
		     "r3 = 0;"
		     "call %[ringbuf_reserve];"
		     "if r0 == 0 goto l0_%=;"
		     "r1 = 1;"
		     "*(u64 *)(r0 + 16) = r1;"
		     "r1 = r0;"
		     "r2 = 0;"
		     "call %[ringbuf_submit];"
		     "l0_%=: r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(rb), HELPER(ringbuf_reserve), HELPER(ringbuf_submit) : "memory");
}

/* The record's size must be a known constant. */
SEC("socket") CORPUS_NAKED int refuse_reserve_variable_size(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r2 &= 63;"
		     "r2 += 8;"
		     "r1 = %[rb] ll;"
		     "r3 = 0;"
		     "call %[ringbuf_reserve];"
		     "if r0 == 0 goto l0_%=;"
		     "r1 = r0;"
		     "r2 = 0;"
		     "call %[ringbuf_submit];"
		     "l0_%=: r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(rb), HELPER(ringbuf_reserve), HELPER(ringbuf_submit) : "memory");
}

static __attribute__((noinline)) int submit_it(__u64 *r)
{
	bpf_ringbuf_submit(r, 0);
	return 0;
}

/* Released by the callee: the reference belongs to the program state, not the frame. */
SEC("socket")
int accept_submit_in_callee(struct __sk_buff *skb)
{
	__u64 *r = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!r)
		return 0;
	*r = skb->len;
	return submit_it(r);
}

/* A tail call never returns: the record would leak. */
SEC("socket")
int refuse_tail_call_holding_record(struct __sk_buff *skb)
{
	__u64 *r = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!r)
		return 0;
	bpf_tail_call(skb, &progs, 0);
	bpf_ringbuf_discard(r, 0);
	return 0;
}

SEC("socket")
int accept_two_records(struct __sk_buff *skb)
{
	__u64 *a = bpf_ringbuf_reserve(&rb, 8, 0), *b;

	if (!a)
		return 0;
	b = bpf_ringbuf_reserve(&rb, 8, 0);
	if (!b) {
		bpf_ringbuf_discard(a, 0);
		return 0;
	}
	*a = skb->len;
	*b = skb->protocol;
	bpf_ringbuf_submit(b, 0);
	bpf_ringbuf_submit(a, 0);
	return 1;
}
