// SPDX-License-Identifier: MIT
/*
 * What the verifier needs of a program type's context beyond the access
 * rules (ctx_access.h, shared with the interpreter): which loads yield
 * packet pointers, and whether the packet may be written. Built-in types
 * with Linux's UAPI contexts hold 32-bit pointer fields (xdp_md, and
 * __sk_buff for the TC types); extension contexts name 8-byte pointer
 * fields in their descriptor.
 */
#include "env.h"
#include "../prog/prog_type.h"

struct pkt_field {
	int32_t off;
	enum bh_reg_kind kind;
};

/* Linux's struct __sk_buff offsets of data, data_end and data_meta. */
static const struct pkt_field skb_fields[] = {
	{ 76, BH_REG_PACKET }, { 80, BH_REG_PACKET_END }, { 140, BH_REG_PACKET_META },
};

/* struct xdp_md: data, data_end, data_meta in that order (xdp.c: ctx_ptr32_span). */
static const struct pkt_field xdp_fields[] = {
	{ 0, BH_REG_PACKET }, { 4, BH_REG_PACKET_END }, { 8, BH_REG_PACKET_META },
};

static enum bh_reg_kind lookup(const struct pkt_field *f, size_t n, int32_t off)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].off == off)
			return f[i].kind;
	return BH_REG_NOT_INIT;
}

enum bh_reg_kind bh_ctx_packet_field(const struct bh_prog_type *t, int32_t off, unsigned size)
{
	if (!t->provider) {
		if (size != 4)
			return BH_REG_NOT_INIT;
		if (t->type == BPF_PROG_TYPE_XDP)
			return lookup(xdp_fields, 3, off);
		if (t->type == BPF_PROG_TYPE_SCHED_CLS || t->type == BPF_PROG_TYPE_SCHED_ACT)
			return lookup(skb_fields, 3, off);
		return BH_REG_NOT_INIT;	/* socket filters reach the packet through helpers and LD_ABS */
	}
	if (size != 8)
		return BH_REG_NOT_INIT;
	if (t->ctx.data >= 0 && off == t->ctx.data)
		return BH_REG_PACKET;
	if (t->ctx.end >= 0 && off == t->ctx.end)
		return BH_REG_PACKET_END;
	if (t->ctx.meta >= 0 && off == t->ctx.meta)
		return BH_REG_PACKET_META;
	return BH_REG_NOT_INIT;
}

/* Linux lets XDP and TC programs write their packet; extension contexts' packets are writable too. */
bool bh_packet_writable(const struct bh_prog_type *t)
{
	return t->provider || t->type == BPF_PROG_TYPE_XDP || t->type == BPF_PROG_TYPE_SCHED_CLS ||
	       t->type == BPF_PROG_TYPE_SCHED_ACT;
}
