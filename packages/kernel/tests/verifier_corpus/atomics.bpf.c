// SPDX-License-Identifier: MIT
/*
 * Atomics: on the stack and on map values, within bounds and aligned; never
 * on the context or on a read-only (frozen .rodata) map.
 */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

const volatile __u64 ro_counter = 5;

#define LOOKUP_ARR                                                                          \
	"r1 = 0;"                                                                           \
	"*(u32 *)(r10 - 8) = r1;"                                                           \
	"r2 = r10;"                                                                         \
	"r2 += -8;"                                                                         \
	"r1 = %[arr] ll;"                                                                   \
	"call %[map_lookup_elem];"                                                          \
	"if r0 == 0 goto l_out_%=;"
#define OUT "l_out_%=: r0 = 0; exit;"
#define OPS MAP_ADDR(arr), HELPER(map_lookup_elem)

SEC("socket")
int accept_fetch_add_map_value(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
	return __sync_fetch_and_add(v, skb->len);
}

SEC("socket")
int accept_cmpxchg_map_value(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
	return __sync_val_compare_and_swap(v, 0, skb->len);
}

SEC("socket") CORPUS_NAKED int accept_add_on_stack(void)
{
	asm volatile("r1 = 1;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "lock *(u64 *)(r10 - 8) += r1;"
		     "r0 = *(u64 *)(r10 - 8);"
		     "exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_xchg_on_stack(void)
{
	asm volatile("r1 = 1;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r0 = 7;"
		     "r0 = xchg_64(r10 - 8, r0);"
		     "exit;" ::: "memory");
}

/* Privileged: an atomic on unwritten stack reads an unknown scalar. */
SEC("socket") CORPUS_NAKED int accept_add_on_uninit_stack(void)
{
	asm volatile("r1 = 1;"
		     "lock *(u64 *)(r10 - 8) += r1;"
		     "r0 = 0;"
		     "exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_add_on_ctx(void)
{
	asm volatile("r2 = 1;"
		     "lock *(u32 *)(r1 + %[cb]) += r2;"
		     "r0 = 0;"
		     "exit;"
		     :: [cb] "i"(__builtin_offsetof(struct __sk_buff, cb)) : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_add_past_map_value(void)
{
	asm volatile(LOOKUP_ARR
		     "r1 = 1;"
		     "lock *(u64 *)(r0 + 8) += r1;"
		     OUT :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_add_misaligned_stack(void)
{
	asm volatile("r1 = 0;"
		     "*(u64 *)(r10 - 16) = r1;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "lock *(u64 *)(r10 - 12) += r1;"
		     "r0 = 0;"
		     "exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_fetch_or_result_is_scalar(void)
{
	asm volatile(LOOKUP_ARR
		     "r1 = 4;"
		     "r1 = atomic_fetch_or((u64 *)(r0 + 0), r1);"
		     "r0 = r1;"
		     "exit;"
		     OUT :: OPS : "memory");
}

/* The fetched old value is a scalar even if the slot held a pointer. */
SEC("socket") CORPUS_NAKED int refuse_deref_fetched_value(void)
{
	asm volatile(LOOKUP_ARR
		     "r1 = 0;"
		     "r1 = atomic_fetch_add((u64 *)(r0 + 0), r1);"
		     "r0 = *(u64 *)(r1 + 0);"
		     "exit;"
		     OUT :: OPS : "memory");
}

/* .rodata is frozen and BPF_F_RDONLY_PROG: programs may not write it. */
SEC("socket")
int refuse_add_on_rodata(struct __sk_buff *skb)
{
	return __sync_fetch_and_add((__u64 *)&ro_counter, 1);
}

SEC("socket")
int accept_read_rodata(struct __sk_buff *skb)
{
	return ro_counter + skb->len;
}

/* An atomic on a 32-bit word at offset 4 of the 8-byte value. */
SEC("socket") CORPUS_NAKED int accept_add32_second_word(void)
{
	asm volatile(LOOKUP_ARR
		     "w1 = 1;"
		     "lock *(u32 *)(r0 + 4) += w1;"
		     OUT :: OPS : "memory");
}
