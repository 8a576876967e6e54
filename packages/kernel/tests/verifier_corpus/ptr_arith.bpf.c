// SPDX-License-Identifier: MIT
/*
 * Pointer arithmetic: only 64-bit add/sub of scalars to pointers that may
 * move (never the map pointer, data_end or a maybe-NULL pointer), no
 * pointer + pointer, no multiply/bitwise/negate on pointers. Privileged
 * programs may subtract and compare pointers and store them in maps.
 */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

#define LOOKUP_ARR                                                                          \
	"r1 = 0;"                                                                           \
	"*(u32 *)(r10 - 8) = r1;"                                                           \
	"r2 = r10;"                                                                         \
	"r2 += -8;"                                                                         \
	"r1 = %[arr] ll;"                                                                   \
	"call %[map_lookup_elem];"
#define OPS MAP_ADDR(arr), HELPER(map_lookup_elem)

SEC("socket") CORPUS_NAKED int refuse_ptr_plus_ptr(void)
{
	asm volatile("r1 += r10; r0 = 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_ptr_multiply(void)
{
	asm volatile("r2 = r10; r2 *= 2; r0 = 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_ptr_and_mask(void)
{
	asm volatile("r2 = r10; r2 &= -8; r0 = 0; exit;" ::: "memory");
}

/* Privileged: negating a pointer gives an unknown scalar (unprivileged: refused). */
SEC("socket") CORPUS_NAKED int accept_ptr_negate(void)
{
	asm volatile("r2 = r10; r2 = -r2; r0 = 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_ptr_32bit_add(void)
{
	asm volatile("w1 += 8; r0 = 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_map_ptr_arith(void)
{
	asm volatile("r1 = %[arr] ll; r1 += 8; r0 = 0; exit;" :: MAP_ADDR(arr) : "memory");
}

/* A variable key: the lookup may miss (a constant in-range key would be non-NULL). */
SEC("socket") CORPUS_NAKED int refuse_nullable_ptr_arith(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "*(u32 *)(r10 - 8) = r2;"
		     "r2 = r10;"
		     "r2 += -8;"
		     "r1 = %[arr] ll;"
		     "call %[map_lookup_elem];"
		     "r0 += 8;"
		     "if r0 == 0 goto l0_%=;"
		     "r0 = *(u64 *)(r0 - 8);"
		     "l0_%=: exit;" :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int accept_ptr_add_sub_back(void)
{
	asm volatile(LOOKUP_ARR
		     "if r0 == 0 goto l0_%=;"
		     "r0 += 16;"
		     "r0 -= 16;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "l0_%=: exit;" :: OPS : "memory");
}

/* Privileged: pointer - pointer is an unknown scalar. */
SEC("socket") CORPUS_NAKED int accept_ptr_minus_ptr(void)
{
	asm volatile("r2 = r10; r2 += -8; r0 = r10; r0 -= r2; exit;" ::: "memory");
}

/* Privileged: pointers may be compared. */
SEC("socket") CORPUS_NAKED int accept_ptr_compare(void)
{
	asm volatile("r0 = 0; if r1 > r10 goto l0_%=; r0 = 1; l0_%=: exit;" ::: "memory");
}

/* Privileged: a pointer may be stored in a map value (it reads back as a scalar). */
SEC("socket") CORPUS_NAKED int accept_store_pointer_in_map(void)
{
	asm volatile("r6 = r1;" LOOKUP_ARR
		     "if r0 == 0 goto l0_%=;"
		     "*(u64 *)(r0 + 0) = r6;"
		     "l0_%=: r0 = 0;"
		     "exit;" :: OPS : "memory");
}

/* The value read back from the map is a scalar, not the pointer stored. */
SEC("socket") CORPUS_NAKED int refuse_deref_value_from_map(void)
{
	asm volatile(LOOKUP_ARR
		     "if r0 == 0 goto l0_%=;"
		     "r1 = *(u64 *)(r0 + 0);"
		     "r0 = *(u32 *)(r1 + 0);"
		     "l0_%=: exit;" :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_deref_constant_address(void)
{
	asm volatile("r1 = 0x1000; r0 = *(u64 *)(r1 + 0); exit;" ::: "memory");
}

/* fp plus an unknown scalar can point anywhere. */
SEC("socket") CORPUS_NAKED int refuse_fp_plus_unknown(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r3 = r10;"
		     "r3 += r2;"
		     "r0 = *(u8 *)(r3 - 8);"
		     "exit;" ::: "memory");
}

/* fp - 24 is refused where fp + -24 is fine: Linux never subtracts from r10's copies. */
SEC("socket") CORPUS_NAKED int refuse_fp_minus_const(void)
{
	asm volatile("r1 = 3;"
		     "*(u64 *)(r10 - 24) = r1;"
		     "r2 = r10;"
		     "r2 -= 24;"
		     "r0 = *(u64 *)(r2 + 0);"
		     "exit;" ::: "memory");
}
