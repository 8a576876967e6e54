// SPDX-License-Identifier: MIT
/*
 * Exit: r0 must be written on every path; a sub-program returns a scalar.
 * Neither socket filters nor (plain) XDP programs have a return range, and
 * privileged programs may return a pointer.
 */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

SEC("socket")
int accept_return_constant(struct __sk_buff *skb)
{
	return 42;
}

SEC("socket") CORPUS_NAKED int refuse_r0_never_written(void)
{
	asm volatile("r1 = 0; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_r0_written_on_one_path(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 0);"
		     "if r2 > 10 goto l0_%=;"
		     "r0 = 1;"
		     "l0_%=: exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_return_64bit_constant(void)
{
	asm volatile("r0 = 0xffffffff00000001 ll; exit;" ::: "memory");
}

/* Privileged: the context pointer as the return value. */
SEC("socket") CORPUS_NAKED int accept_return_ctx_pointer(void)
{
	asm volatile("r0 = r1; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_return_fp(void)
{
	asm volatile("r0 = r10; exit;" ::: "memory");
}

CORPUS_ASM_SUB int return_ctx(void)
{
	asm volatile("r0 = r1; exit;" ::: "memory");
}

/* A static sub-program may return a pointer (only global ones must return scalars). */
SEC("socket") CORPUS_NAKED int accept_subprog_returns_ctx(void)
{
	asm volatile("call return_ctx; r0 = 0; exit;" ::: "memory");
}

SEC("socket")
int accept_return_map_value_contents(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&arr, &k);

	return v ? *v : -1;
}

SEC("xdp")
int accept_xdp_unknown_action(struct xdp_md *ctx)
{
	return 77;
}

SEC("xdp") CORPUS_NAKED int refuse_xdp_r0_never_written(void)
{
	asm volatile("exit;" ::: "memory");
}

SEC("xdp")
int accept_xdp_action_from_packet_length(struct xdp_md *ctx)
{
	return (ctx->data_end - ctx->data) & 3;
}
