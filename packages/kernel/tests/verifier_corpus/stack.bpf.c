// SPDX-License-Identifier: MIT
/*
 * The stack: 512 bytes below r10, aligned accesses, read-only r10, spill
 * and fill of pointers (a partial overwrite or a narrow fill loses the
 * pointer), variable offsets. Privileged loads may read uninitialised
 * stack (an unknown scalar).
 */
#include "corpus.h"

SEC("socket")
int accept_buffer_write_read(struct __sk_buff *skb)
{
	volatile __u8 buf[32];

	for (int i = 0; i < 32; i++)
		buf[i] = (__u8)(skb->len + i);
	return buf[skb->len & 31];
}

SEC("socket") CORPUS_NAKED int accept_lowest_slot(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 512) = r1; r0 = *(u64 *)(r10 - 512); exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_below_frame(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 520) = r1; r0 = 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_at_frame_pointer(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 + 0) = r1; r0 = 0; exit;" ::: "memory");
}

/* Privileged: an unwritten slot reads as an unknown scalar. */
SEC("socket") CORPUS_NAKED int accept_uninit_read_privileged(void)
{
	asm volatile("r0 = *(u64 *)(r10 - 8); exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_write_r10(void)
{
	asm volatile("r10 = 0; r0 = 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_misaligned_slot(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 12) = r1; r0 = 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_spill_fill_ctx(void)
{
	asm volatile("*(u64 *)(r10 - 8) = r1;"
		     "r1 = 0;"
		     "r2 = *(u64 *)(r10 - 8);"
		     "r0 = *(u32 *)(r2 + 0);"
		     "exit;" ::: "memory");
}

/* Half of a spilled pointer is a scalar: no longer dereferenceable. */
SEC("socket") CORPUS_NAKED int refuse_narrow_fill_of_pointer(void)
{
	asm volatile("*(u64 *)(r10 - 8) = r1;"
		     "r2 = *(u32 *)(r10 - 8);"
		     "r0 = *(u32 *)(r2 + 0);"
		     "exit;" ::: "memory");
}

/* One byte of the spilled pointer overwritten: the fill is a scalar. */
SEC("socket") CORPUS_NAKED int refuse_fill_after_partial_overwrite(void)
{
	asm volatile("*(u64 *)(r10 - 8) = r1;"
		     "r3 = 0;"
		     "*(u8 *)(r10 - 8) = r3;"
		     "r2 = *(u64 *)(r10 - 8);"
		     "r0 = *(u32 *)(r2 + 0);"
		     "exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_spill_scalar_fill_narrow(void)
{
	asm volatile("r1 = 0x1234;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r0 = *(u32 *)(r10 - 8);"
		     "exit;" ::: "memory");
}

/* A bounded variable offset into initialised stack (privileged). */
SEC("socket") CORPUS_NAKED int accept_var_offset_read(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r2 &= 7;"
		     "r1 = 0;"
		     "*(u64 *)(r10 - 16) = r1;"
		     "*(u64 *)(r10 - 8) = r1;"
		     "r3 = r10;"
		     "r3 += -16;"
		     "r3 += r2;"
		     "r0 = *(u8 *)(r3 + 0);"
		     "exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_var_offset_unbounded(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r3 = r10;"
		     "r3 += -16;"
		     "r3 += r2;"
		     "r0 = *(u8 *)(r3 + 0);"
		     "exit;" ::: "memory");
}

/* Offset 0..15 from fp-8: the upper half is past the frame. */
SEC("socket") CORPUS_NAKED int refuse_var_offset_past_frame(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "r2 &= 15;"
		     "r3 = r10;"
		     "r3 += -8;"
		     "r3 += r2;"
		     "r0 = *(u8 *)(r3 + 0);"
		     "exit;" ::: "memory");
}

/* A stack pointer, spilled and filled, still points into the frame. */
SEC("socket") CORPUS_NAKED int accept_spill_fill_stack_pointer(void)
{
	asm volatile("r1 = 7;"
		     "*(u64 *)(r10 - 16) = r1;"
		     "r2 = r10;"
		     "r2 += -16;"
		     "*(u64 *)(r10 - 8) = r2;"
		     "r3 = *(u64 *)(r10 - 8);"
		     "r0 = *(u64 *)(r3 + 0);"
		     "exit;" ::: "memory");
}
