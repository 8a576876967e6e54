// SPDX-License-Identifier: MIT
/*
 * bpf-to-bpf calls: frames, the 512-byte stack limit across the call chain,
 * at most 8 frames, no recursion, pointers to the caller's stack passed
 * down (bounded by the caller's buffer), r1-r5 clobbered and r6-r9 the
 * callee's own, a scalar r0 at a sub-program's exit.
 */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

static __attribute__((noinline)) int twice(int x)
{
	return x * 2 + 1;
}

SEC("socket")
int accept_call_subprog(struct __sk_buff *skb)
{
	return twice(skb->len);
}

static __attribute__((noinline)) int fill(__u64 *out, int n)
{
	out[0] = n;
	out[1] = n + 1;
	return 0;
}

SEC("socket")
int accept_pass_stack_buffer(struct __sk_buff *skb)
{
	__u64 buf[2];

	fill(buf, skb->len);
	return buf[0] + buf[1];
}

static __attribute__((noinline)) int ctx_len(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("socket")
int accept_pass_ctx(struct __sk_buff *skb)
{
	return ctx_len(skb) + 1;
}

static __attribute__((noinline)) int bump(__u64 *v)
{
	*v += 1;
	return 0;
}

SEC("socket")
int accept_pass_map_value(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
	return bump(v);
}

/* Reads 8 bytes past the caller's 8-byte buffer: the caller's frame ends there. */
CORPUS_ASM_SUB int read_second_word(void)
{
	asm volatile("r0 = *(u64 *)(r1 + 8); exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_callee_reads_past_caller_buffer(void)
{
	asm volatile("r1 = 0;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r1 = r10;"
		     "r1 += -8;"
		     "call read_second_word;"
		     "exit;" ::: "memory");
}

CORPUS_ASM_SUB int use_256(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 256) = r1; r0 = 0; exit;" ::: "memory");
}

CORPUS_ASM_SUB int use_320(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 320) = r1; r0 = 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_stack_256_plus_256(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 256) = r1; call use_256; exit;" ::: "memory");
}

/* 256 + 320 bytes: over 512 across the two frames. */
SEC("socket") CORPUS_NAKED int refuse_stack_256_plus_320(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 256) = r1; call use_320; exit;" ::: "memory");
}

CORPUS_ASM_SUB int return_fp(void)
{
	asm volatile("r0 = r10; r0 += -8; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_callee_returns_stack_pointer(void)
{
	asm volatile("call return_fp; r0 = 0; exit;" ::: "memory");
}

CORPUS_ASM_SUB int no_r0(void)
{
	asm volatile("r1 = 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_callee_without_r0(void)
{
	asm volatile("call no_r0; exit;" ::: "memory");
}

/* r6 of the new frame was never written. */
CORPUS_ASM_SUB int read_r6(void)
{
	asm volatile("r0 = r6; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_callee_reads_callers_r6(void)
{
	asm volatile("r6 = 1; call read_r6; exit;" ::: "memory");
}

CORPUS_ASM_SUB int ret0(void)
{
	asm volatile("r0 = 0; exit;" ::: "memory");
}

/* r1-r5 are scratch across a call. */
SEC("socket") CORPUS_NAKED int refuse_r1_read_after_call(void)
{
	asm volatile("call ret0; r0 = *(u32 *)(r1 + 0); exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_r6_kept_across_call(void)
{
	asm volatile("r6 = r1; call ret0; r0 = *(u32 *)(r6 + 0); exit;" ::: "memory");
}

CORPUS_ASM_SUB int recurse(void)
{
	asm volatile("call recurse; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_recursion(void)
{
	asm volatile("call recurse; exit;" ::: "memory");
}

/* A chain: depth1 calls depth2 ... calls depth8 (8 frames below the program). */
CORPUS_ASM_SUB int depth8(void) { asm volatile("r0 = 0; exit;" ::: "memory"); }
CORPUS_ASM_SUB int depth7(void) { asm volatile("call depth8; exit;" ::: "memory"); }
CORPUS_ASM_SUB int depth6(void) { asm volatile("call depth7; exit;" ::: "memory"); }
CORPUS_ASM_SUB int depth5(void) { asm volatile("call depth6; exit;" ::: "memory"); }
CORPUS_ASM_SUB int depth4(void) { asm volatile("call depth5; exit;" ::: "memory"); }
CORPUS_ASM_SUB int depth3(void) { asm volatile("call depth4; exit;" ::: "memory"); }
CORPUS_ASM_SUB int depth2(void) { asm volatile("call depth3; exit;" ::: "memory"); }
CORPUS_ASM_SUB int depth1(void) { asm volatile("call depth2; exit;" ::: "memory"); }

/* The program and 7 callees: 8 frames, Linux's maximum. */
SEC("socket") CORPUS_NAKED int accept_eight_frames(void)
{
	asm volatile("call depth2; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_nine_frames(void)
{
	asm volatile("call depth1; exit;" ::: "memory");
}

/* The callee writes 16 bytes through a pointer to an 8-byte buffer. */
SEC("socket")
int refuse_callee_overflows_buffer(struct __sk_buff *skb)
{
	__u64 one;

	fill(&one, skb->len);
	return one;
}
