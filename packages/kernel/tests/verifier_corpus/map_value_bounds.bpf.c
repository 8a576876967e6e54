// SPDX-License-Identifier: MIT
/*
 * Map value bounds: every access within value_size, by constant offsets and
 * by variable offsets whose range branches (64- and 32-bit) have proven.
 */
#include "corpus.h"

struct val32 {
	__u64 a[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct val32);
} arr SEC(".maps");

/* r0 = a checked value of arr (32 bytes), r6 = ctx; a NULL result returns 0 via l_out. */
#define LOOKUP_ARR                                                                          \
	"r6 = r1;"                                                                          \
	"r1 = 0;"                                                                           \
	"*(u32 *)(r10 - 8) = r1;"                                                           \
	"r2 = r10;"                                                                         \
	"r2 += -8;"                                                                         \
	"r1 = %[arr] ll;"                                                                   \
	"call %[map_lookup_elem];"                                                          \
	"if r0 == 0 goto l_out_%=;"
#define OUT "l_out_%=: r0 = 0; exit;"
#define OPS MAP_ADDR(arr), HELPER(map_lookup_elem)

SEC("socket") CORPUS_NAKED int accept_const_offset_last_word(void)
{
	asm volatile(LOOKUP_ARR "r0 = *(u64 *)(r0 + 24); exit;" OUT :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_const_offset_past_end(void)
{
	asm volatile(LOOKUP_ARR "r0 = *(u64 *)(r0 + 32); exit;" OUT :: OPS : "memory");
}

/* Starts inside, ends 4 bytes past value_size. */
SEC("socket") CORPUS_NAKED int refuse_const_offset_straddles_end(void)
{
	asm volatile(LOOKUP_ARR "r0 = *(u64 *)(r0 + 28); exit;" OUT :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_negative_offset(void)
{
	asm volatile(LOOKUP_ARR "r0 = *(u64 *)(r0 - 8); exit;" OUT :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int accept_write_last_byte(void)
{
	asm volatile(LOOKUP_ARR "r1 = 1; *(u8 *)(r0 + 31) = r1; r0 = 0; exit;" OUT :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_write_past_end(void)
{
	asm volatile(LOOKUP_ARR "r1 = 1; *(u8 *)(r0 + 32) = r1; r0 = 0; exit;" OUT :: OPS : "memory");
}

SEC("socket")
int accept_var_index_masked(struct __sk_buff *skb)
{
	__u32 k = 0, i = skb->len & 3;
	struct val32 *v = bpf_map_lookup_elem(&arr, &k);

	return v ? v->a[i] : 0;
}

SEC("socket")
int accept_var_index_branch_bound(struct __sk_buff *skb)
{
	__u32 k = 0, i = skb->len;
	struct val32 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v || i >= 4)
		return 0;
	return v->a[i];
}

/* skb->len unbounded: the value pointer's range is not. */
SEC("socket") CORPUS_NAKED int refuse_var_offset_unbounded(void)
{
	asm volatile(LOOKUP_ARR
		     "r1 = *(u32 *)(r6 + 0);"
		     "r1 <<= 3;"
		     "r0 += r1;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;" OUT :: OPS : "memory");
}

/* `<= 4` admits index 4: offset 32. */
SEC("socket") CORPUS_NAKED int refuse_var_index_off_by_one(void)
{
	asm volatile(LOOKUP_ARR
		     "r1 = *(u32 *)(r6 + 0);"
		     "if r1 > 4 goto l_out_%=;"
		     "r1 <<= 3;"
		     "r0 += r1;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;" OUT :: OPS : "memory");
}

/* The index is masked to 0..3, then the access adds 8 more: a[index + 1]. */
SEC("socket") CORPUS_NAKED int refuse_var_offset_plus_const_past_end(void)
{
	asm volatile(LOOKUP_ARR
		     "r1 = *(u32 *)(r6 + 0);"
		     "r1 &= 3;"
		     "r1 <<= 3;"
		     "r0 += r1;"
		     "r0 = *(u64 *)(r0 + 8);"
		     "exit;" OUT :: OPS : "memory");
}

/* A 32-bit load zero-extends: a 32-bit jump bounds the whole register. */
SEC("socket") CORPUS_NAKED int accept_jmp32_bound_on_u32_load(void)
{
	asm volatile(LOOKUP_ARR
		     "w1 = *(u32 *)(r6 + 0);"
		     "if w1 > 3 goto l_out_%=;"
		     "r1 <<= 3;"
		     "r0 += r1;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;" OUT :: OPS : "memory");
}

/* A signed upper bound alone leaves negative values. */
SEC("socket") CORPUS_NAKED int refuse_signed_upper_bound_only(void)
{
	asm volatile(LOOKUP_ARR
		     "r1 = *(u64 *)(r0 + 0);"
		     "if r1 s> 3 goto l_out_%=;"
		     "r1 <<= 3;"
		     "r0 += r1;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;" OUT :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int accept_signed_bounds_both_sides(void)
{
	asm volatile(LOOKUP_ARR
		     "r1 = *(u64 *)(r0 + 0);"
		     "if r1 s> 3 goto l_out_%=;"
		     "if r1 s< 0 goto l_out_%=;"
		     "r1 <<= 3;"
		     "r0 += r1;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;" OUT :: OPS : "memory");
}

/* The bound is proven on a copy taken before the shift: copies share bounds only while equal. */
SEC("socket") CORPUS_NAKED int accept_bound_on_copy_before_use(void)
{
	asm volatile(LOOKUP_ARR
		     "r1 = *(u64 *)(r0 + 0);"
		     "r2 = r1;"
		     "if r2 > 3 goto l_out_%=;"
		     "r1 <<= 3;"
		     "r0 += r1;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;" OUT :: OPS : "memory");
}

/* The copy is changed before the check: the check bounds the copy only. */
SEC("socket") CORPUS_NAKED int refuse_bound_on_modified_copy(void)
{
	asm volatile(LOOKUP_ARR
		     "r1 = *(u64 *)(r0 + 0);"
		     "r2 = r1;"
		     "r2 += 1;"
		     "if r2 > 3 goto l_out_%=;"
		     "r1 <<= 3;"
		     "r0 += r1;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;" OUT :: OPS : "memory");
}
