// SPDX-License-Identifier: MIT
/*
 * XDP packet access: data may be read or written only where a comparison
 * with data_end has proven the range (constant and variable offsets), data
 * meta against data; data_end itself is never dereferenced or moved.
 */
#include "corpus.h"

#define XDP_OFF(f) [f] "i"(__builtin_offsetof(struct xdp_md, f))

SEC("xdp")
int accept_eth_header_checked(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	if (data + 14 > end)
		return XDP_PASS;
	return data[12] == 8 ? XDP_DROP : XDP_PASS;
}

SEC("xdp") CORPUS_NAKED int refuse_no_range_check(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]); r0 = *(u8 *)(r2 + 0); exit;" :: XDP_OFF(data) : "memory");
}

/* 14 bytes proven, byte 14 read. */
SEC("xdp") CORPUS_NAKED int refuse_off_by_one(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2;"
		     "r4 += 14;"
		     "if r4 > r3 goto l0_%=;"
		     "r0 = *(u8 *)(r2 + 14);"
		     "exit;"
		     "l0_%=: r0 = 2;"
		     "exit;"
		     :: XDP_OFF(data), XDP_OFF(data_end) : "memory");
}

SEC("xdp") CORPUS_NAKED int accept_last_proven_byte(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2;"
		     "r4 += 14;"
		     "if r4 > r3 goto l0_%=;"
		     "r0 = *(u8 *)(r2 + 13);"
		     "exit;"
		     "l0_%=: r0 = 2;"
		     "exit;"
		     :: XDP_OFF(data), XDP_OFF(data_end) : "memory");
}

/* The comparison the wrong way round proves the opposite. */
SEC("xdp") CORPUS_NAKED int refuse_check_inverted(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2;"
		     "r4 += 14;"
		     "if r4 <= r3 goto l0_%=;"
		     "r0 = *(u8 *)(r2 + 0);"
		     "exit;"
		     "l0_%=: r0 = 2;"
		     "exit;"
		     :: XDP_OFF(data), XDP_OFF(data_end) : "memory");
}

/* data_end on the left: every comparison form refines. */
SEC("xdp") CORPUS_NAKED int accept_check_data_end_on_left(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2;"
		     "r4 += 8;"
		     "if r3 < r4 goto l0_%=;"
		     "r0 = *(u64 *)(r2 + 0);"
		     "exit;"
		     "l0_%=: r0 = 2;"
		     "exit;"
		     :: XDP_OFF(data), XDP_OFF(data_end) : "memory");
}

SEC("xdp")
int accept_var_offset_checked(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *p;

	if (data + 1 > end)
		return XDP_PASS;
	p = data + (data[0] & 63);
	if (p + 1 > end)
		return XDP_PASS;
	return *p;
}

/* A variable offset of up to 4 GiB: Linux refuses to add it to a packet pointer. */
SEC("xdp") CORPUS_NAKED int refuse_var_offset_unbounded(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = *(u32 *)(r1 + %[ingress_ifindex]);"
		     "r2 += r4;"
		     "r4 = r2;"
		     "r4 += 1;"
		     "if r4 > r3 goto l0_%=;"
		     "r0 = *(u8 *)(r2 + 0);"
		     "exit;"
		     "l0_%=: r0 = 2;"
		     "exit;"
		     :: XDP_OFF(data), XDP_OFF(data_end), XDP_OFF(ingress_ifindex) : "memory");
}

/* The range was proven before the variable offset was added. */
SEC("xdp") CORPUS_NAKED int refuse_var_offset_after_check(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2;"
		     "r4 += 64;"
		     "if r4 > r3 goto l0_%=;"
		     "r5 = *(u8 *)(r2 + 0);"
		     "r2 += r5;"
		     "r0 = *(u8 *)(r2 + 0);"
		     "exit;"
		     "l0_%=: r0 = 2;"
		     "exit;"
		     :: XDP_OFF(data), XDP_OFF(data_end) : "memory");
}

SEC("xdp")
int accept_write_checked(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	if (data + 6 > end)
		return XDP_PASS;
	data[5] = 0xff;
	return XDP_TX;
}

SEC("xdp") CORPUS_NAKED int refuse_write_past_checked(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data]);"
		     "r3 = *(u32 *)(r1 + %[data_end]);"
		     "r4 = r2;"
		     "r4 += 6;"
		     "if r4 > r3 goto l0_%=;"
		     "r5 = 0;"
		     "*(u16 *)(r2 + 5) = r5;"
		     "l0_%=: r0 = 2;"
		     "exit;"
		     :: XDP_OFF(data), XDP_OFF(data_end) : "memory");
}

SEC("xdp")
int accept_meta_checked(struct xdp_md *ctx)
{
	__u32 *meta = (void *)(long)ctx->data_meta;
	void *data = (void *)(long)ctx->data;

	if ((void *)(meta + 1) > data)
		return XDP_PASS;
	return *meta == 1 ? XDP_DROP : XDP_PASS;
}

SEC("xdp") CORPUS_NAKED int refuse_meta_unchecked(void)
{
	asm volatile("r2 = *(u32 *)(r1 + %[data_meta]); r0 = *(u32 *)(r2 + 0); exit;"
		     :: XDP_OFF(data_meta) : "memory");
}

SEC("xdp") CORPUS_NAKED int refuse_deref_data_end(void)
{
	asm volatile("r3 = *(u32 *)(r1 + %[data_end]); r0 = *(u8 *)(r3 + 0); exit;"
		     :: XDP_OFF(data_end) : "memory");
}

SEC("xdp") CORPUS_NAKED int refuse_arith_on_data_end(void)
{
	asm volatile("r3 = *(u32 *)(r1 + %[data_end]); r3 += -1; r0 = 2; exit;" :: XDP_OFF(data_end) : "memory");
}

SEC("xdp") CORPUS_NAKED int refuse_write_ctx_data(void)
{
	asm volatile("r2 = 0; *(u32 *)(r1 + %[data]) = r2; r0 = 2; exit;" :: XDP_OFF(data) : "memory");
}

SEC("xdp")
int accept_ctx_queue_and_ifindex(struct xdp_md *ctx)
{
	return (ctx->rx_queue_index + ctx->ingress_ifindex) & 3;
}
