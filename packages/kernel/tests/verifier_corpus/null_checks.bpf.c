// SPDX-License-Identifier: MIT
/*
 * Null checks on map lookups: the result is "map value or NULL" until a
 * comparison with 0 on it or on any copy of it (registers and stack slots
 * share an id), and only a 64-bit comparison with 0 refines it.
 */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hash8 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr8 SEC(".maps");

/* r0 = lookup(hash8, &0) with the key at fp-4: the prologue of the asm cases. */
#define LOOKUP_HASH8                                                                        \
	"*(u32 *)(r10 - 4) = 0;"                                                            \
	"r2 = r10;"                                                                         \
	"r2 += -4;"                                                                         \
	"r1 = %[hash8] ll;"                                                                 \
	"call %[map_lookup_elem];"

SEC("socket")
int accept_lookup_checked(struct __sk_buff *skb)
{
	__u32 k = skb->len & 7;
	__u64 *v = bpf_map_lookup_elem(&hash8, &k);

	if (!v)
		return 0;
	return *v;
}

/* The first program of issue 11: dereferenced without a check. */
SEC("socket")
int refuse_lookup_no_null_check(struct __sk_buff *skb)
{
	__u32 k = skb->len & 7;
	__u64 *v = bpf_map_lookup_elem(&hash8, &k);

	return *v;
}

SEC("socket")
int accept_array_lookup_checked(struct __sk_buff *skb)
{
	__u32 k = skb->len;
	__u64 *v = bpf_map_lookup_elem(&arr8, &k);

	return v ? *v : 0;
}

/* An array lookup with a variable key may miss (key >= max_entries). */
SEC("socket")
int refuse_array_var_key_unchecked(struct __sk_buff *skb)
{
	__u32 k = skb->len;
	__u64 *v = bpf_map_lookup_elem(&arr8, &k);

	OPAQUE(v);
	return *v;
}

/*
 * A constant in-range key on an array cannot miss: Linux 6.18 drops the
 * NULL when it knows the key, i.e. the key is a spilled constant register.
 */
SEC("socket") CORPUS_NAKED int accept_array_const_key_unchecked(void)
{
	asm volatile("r1 = 1;"
		     "*(u32 *)(r10 - 8) = r1;"
		     "r2 = r10;"
		     "r2 += -8;"
		     "r1 = %[arr8] ll;"
		     "call %[map_lookup_elem];"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;"
		     :: MAP_ADDR(arr8), HELPER(map_lookup_elem) : "memory");
}

/*
 * The same key stored as an immediate at fp-4: the kernel keeps a constant
 * only for slot-aligned stores, so it does not know the key here.
 */
SEC("socket") CORPUS_NAKED int refuse_array_const_key_unknown_to_verifier(void)
{
	asm volatile("*(u32 *)(r10 - 4) = 1;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[arr8] ll;"
		     "call %[map_lookup_elem];"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;"
		     :: MAP_ADDR(arr8), HELPER(map_lookup_elem) : "memory");
}

/* Past max_entries the constant key always misses: still "or NULL". */
SEC("socket") CORPUS_NAKED int refuse_array_const_key_out_of_range(void)
{
	asm volatile("r1 = 4;"
		     "*(u32 *)(r10 - 8) = r1;"
		     "r2 = r10;"
		     "r2 += -8;"
		     "r1 = %[arr8] ll;"
		     "call %[map_lookup_elem];"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;"
		     :: MAP_ADDR(arr8), HELPER(map_lookup_elem) : "memory");
}

/* Checking a copy refines the original. */
SEC("socket") CORPUS_NAKED int accept_copy_checked(void)
{
	asm volatile(LOOKUP_HASH8
		     "r6 = r0;"
		     "if r6 == 0 goto l0_%=;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;"
		     "l0_%=: r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(hash8), HELPER(map_lookup_elem) : "memory");
}

/* Two lookups: checking the second says nothing about the first. */
SEC("socket") CORPUS_NAKED int refuse_check_other_lookup(void)
{
	asm volatile(LOOKUP_HASH8
		     "r6 = r0;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[hash8] ll;"
		     "call %[map_lookup_elem];"
		     "if r0 == 0 goto l0_%=;"
		     "r0 = *(u64 *)(r6 + 0);"
		     "exit;"
		     "l0_%=: r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(hash8), HELPER(map_lookup_elem) : "memory");
}

/* Dereferenced on the branch where it is NULL. */
SEC("socket") CORPUS_NAKED int refuse_deref_on_null_branch(void)
{
	asm volatile(LOOKUP_HASH8
		     "if r0 != 0 goto l0_%=;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "l0_%=: r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(hash8), HELPER(map_lookup_elem) : "memory");
}

SEC("socket") CORPUS_NAKED int accept_check_with_jne(void)
{
	asm volatile(LOOKUP_HASH8
		     "if r0 != 0 goto l0_%=;"
		     "exit;"
		     "l0_%=: r1 = 3;"
		     "*(u64 *)(r0 + 0) = r1;"
		     "r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(hash8), HELPER(map_lookup_elem) : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_check_after_use(void)
{
	asm volatile(LOOKUP_HASH8
		     "r1 = *(u64 *)(r0 + 0);"
		     "if r0 == 0 goto l0_%=;"
		     "r0 = r1;"
		     "l0_%=: exit;"
		     :: MAP_ADDR(hash8), HELPER(map_lookup_elem) : "memory");
}

/* Spilled before the check, filled after it: the stack copy shares the id. */
SEC("socket") CORPUS_NAKED int accept_spilled_copy_checked(void)
{
	asm volatile(LOOKUP_HASH8
		     "*(u64 *)(r10 - 16) = r0;"
		     "if r0 == 0 goto l0_%=;"
		     "r1 = *(u64 *)(r10 - 16);"
		     "r0 = *(u64 *)(r1 + 0);"
		     "exit;"
		     "l0_%=: r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(hash8), HELPER(map_lookup_elem) : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_spilled_copy_unchecked(void)
{
	asm volatile(LOOKUP_HASH8
		     "*(u64 *)(r10 - 16) = r0;"
		     "r1 = *(u64 *)(r10 - 16);"
		     "r0 = *(u64 *)(r1 + 0);"
		     "exit;"
		     :: MAP_ADDR(hash8), HELPER(map_lookup_elem) : "memory");
}

/* A comparison with 1 proves nothing about NULL. */
SEC("socket") CORPUS_NAKED int refuse_compared_with_one(void)
{
	asm volatile(LOOKUP_HASH8
		     "if r0 == 1 goto l0_%=;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "l0_%=: exit;"
		     :: MAP_ADDR(hash8), HELPER(map_lookup_elem) : "memory");
}

/* Only 64-bit comparisons refine a pointer: a 32-bit one does not. */
SEC("socket") CORPUS_NAKED int refuse_null_check_32bit(void)
{
	asm volatile(LOOKUP_HASH8
		     "if w0 == 0 goto l0_%=;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;"
		     "l0_%=: r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(hash8), HELPER(map_lookup_elem) : "memory");
}

SEC("socket")
int accept_value_updated_in_place(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&hash8, &k);

	if (v)
		*v += skb->len;
	return 0;
}

/* A maybe-NULL value passed where the helper wants memory. */
SEC("socket") CORPUS_NAKED int refuse_nullable_value_to_update(void)
{
	asm volatile(LOOKUP_HASH8
		     "r3 = r0;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[hash8] ll;"
		     "r4 = 0;"
		     "call %[map_update_elem];"
		     "r0 = 0;"
		     "exit;"
		     :: MAP_ADDR(hash8), HELPER(map_lookup_elem), HELPER(map_update_elem) : "memory");
}
