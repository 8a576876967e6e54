// SPDX-License-Identifier: MIT
/*
 * Division: by a register that may be zero is accepted (the ISA defines
 * x/0 = 0 and x%0 = x); by the immediate 0 is refused; never on a pointer.
 */
#include "corpus.h"

SEC("socket")
int accept_div_by_field(struct __sk_buff *skb)
{
	__u64 a = skb->len, b = skb->mark;

	OPAQUE(b);
	return a / b;
}

SEC("socket")
int accept_mod_by_field(struct __sk_buff *skb)
{
	__u64 a = skb->len, b = skb->priority;

	OPAQUE(b);
	return a % b;
}

SEC("socket") CORPUS_NAKED int accept_div32_by_reg(void)
{
	asm volatile("w0 = *(u32 *)(r1 + 0); w2 = *(u32 *)(r1 + 8); w0 /= w2; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_mod32_by_reg(void)
{
	asm volatile("w0 = *(u32 *)(r1 + 0); w2 = *(u32 *)(r1 + 8); w0 %%= w2; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_div_by_known_zero_reg(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 0); r2 = 0; r0 /= r2; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_div_by_imm_zero(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 0); r0 /= 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_mod32_by_imm_zero(void)
{
	asm volatile("w0 = *(u32 *)(r1 + 0); w0 %%= 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_sdiv_by_reg(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 0); r2 = *(u32 *)(r1 + 8); r0 s/= r2; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_smod_by_reg(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 0); r2 = -1; r0 s%%= r2; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_sdiv_by_imm_zero(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 0); r0 s/= 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_div_pointer(void)
{
	asm volatile("r1 /= 2; r0 = 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_div_by_pointer(void)
{
	asm volatile("r0 = 10; r0 /= r1; exit;" ::: "memory");
}
