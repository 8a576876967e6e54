// SPDX-License-Identifier: MIT
/*
 * A classic socket filter: legacy packet loads (clang's llvm.bpf.load.*
 * builtins become BPF_LD | BPF_ABS/BPF_IND, which read r6 implicitly and
 * clobber r1-r5), an unrolled loop, 32-bit jumps.
 */
#include "bpf_defs.h"

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

int entry(struct __sk_buff *skb)
{
	__u32 ihl, sum = 0;

	if (load_half(skb, 12) != 0x0800)	/* IPv4 */
		return 0;
	ihl = (load_byte(skb, 14) & 0xf) * 4;
	if (ihl < 20)
		return 0;
#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += load_half(skb, 14 + 2 * i);
	sum = (sum & 0xffff) + (sum >> 16);
	if (load_byte(skb, 23) == 6 && load_half(skb, 14 + ihl + 2) == 80)
		return (int)load_word(skb, 14 + ihl + 4) ^ (int)sum;
	return (int)(sum & 0xffff);
}
