// SPDX-License-Identifier: MIT
/*
 * 32-bit sub-registers: ALU32 zero-extends, so a 32-bit bound on a value
 * produced by a 32-bit operation bounds the register; a 32-bit jump on a
 * 64-bit value bounds only its low half; signed 32-bit bounds admit
 * negative values.
 */
#include "corpus.h"

struct val16 {
	__u8 b[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct val16);
} arr SEC(".maps");

/* r0 = the checked 16-byte value, r6 = ctx, r7 = a full 64-bit unknown (from the value). */
#define LOOKUP_ARR                                                                          \
	"r6 = r1;"                                                                          \
	"r1 = 0;"                                                                           \
	"*(u32 *)(r10 - 8) = r1;"                                                           \
	"r2 = r10;"                                                                         \
	"r2 += -8;"                                                                         \
	"r1 = %[arr] ll;"                                                                   \
	"call %[map_lookup_elem];"                                                          \
	"if r0 == 0 goto l_out_%=;"                                                         \
	"r7 = *(u64 *)(r0 + 0);"
#define OUT "l_out_%=: r0 = 0; exit;"
#define OPS MAP_ADDR(arr), HELPER(map_lookup_elem)
#define READ_AT_R2 "r0 += r2; r0 = *(u8 *)(r0 + 0); exit;"

SEC("socket") CORPUS_NAKED int accept_jmp32_bound_on_u32_load(void)
{
	asm volatile(LOOKUP_ARR "w2 = *(u32 *)(r6 + 0); if w2 > 15 goto l_out_%=;" READ_AT_R2 OUT
		     :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_jmp32_bound_on_64bit_value(void)
{
	asm volatile(LOOKUP_ARR "r2 = r7; if w2 > 15 goto l_out_%=;" READ_AT_R2 OUT :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int accept_alu32_and_zero_extends(void)
{
	asm volatile(LOOKUP_ARR "r2 = r7; w2 &= 15;" READ_AT_R2 OUT :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_alu64_and_keeps_high_bits(void)
{
	asm volatile(LOOKUP_ARR "r2 = r7; r3 = 0xffffffff0000000f ll; r2 &= r3;" READ_AT_R2 OUT
		     :: OPS : "memory");
}

/* mov32 after a 32-bit bound: the copy is zero-extended and bounded. */
SEC("socket") CORPUS_NAKED int accept_mov32_after_jmp32(void)
{
	asm volatile(LOOKUP_ARR "r2 = r7; if w2 > 15 goto l_out_%=; w2 = w2;" READ_AT_R2 OUT
		     :: OPS : "memory");
}

/* Signed: w2 s<= 15 includes 0x80000000..0xffffffff. */
SEC("socket") CORPUS_NAKED int refuse_signed_jmp32_upper_only(void)
{
	asm volatile(LOOKUP_ARR "w2 = *(u32 *)(r6 + 0); if w2 s> 15 goto l_out_%=;" READ_AT_R2 OUT
		     :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int accept_signed_jmp32_both_sides(void)
{
	asm volatile(LOOKUP_ARR "w2 = *(u32 *)(r6 + 0); if w2 s> 15 goto l_out_%=; if w2 s< 0 goto l_out_%=;"
		     READ_AT_R2 OUT :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_lsh32_leaves_range(void)
{
	asm volatile(LOOKUP_ARR "w2 = *(u32 *)(r6 + 0); w2 &= 15; w2 <<= 28;" READ_AT_R2 OUT
		     :: OPS : "memory");
}

/* 32-bit subtraction wraps inside 32 bits; the jump then bounds it. */
SEC("socket") CORPUS_NAKED int accept_sub32_then_bound(void)
{
	asm volatile(LOOKUP_ARR "w2 = *(u32 *)(r6 + 0); w2 -= 1; if w2 > 14 goto l_out_%=;" READ_AT_R2 OUT
		     :: OPS : "memory");
}

/*
 * r2 - 1 is -1 or 0..2^32-2; the 32-bit bound excludes -1 (low half
 * 0xffffffff): Linux 6.18 deduces the 64-bit range from the 32-bit one.
 */
SEC("socket") CORPUS_NAKED int accept_sub64_then_jmp32_bound(void)
{
	asm volatile(LOOKUP_ARR "w2 = *(u32 *)(r6 + 0); r2 -= 1; if w2 > 14 goto l_out_%=;" READ_AT_R2 OUT
		     :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int accept_rsh32_bounds(void)
{
	asm volatile(LOOKUP_ARR "r2 = r7; w2 >>= 28;" READ_AT_R2 OUT :: OPS : "memory");
}

SEC("socket") CORPUS_NAKED int refuse_arsh32_sign_extends_into_high_bits(void)
{
	asm volatile(LOOKUP_ARR "r2 = r7; w2 s>>= 28; r2 <<= 32; r2 s>>= 32;" READ_AT_R2 OUT
		     :: OPS : "memory");
}
