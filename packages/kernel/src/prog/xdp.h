/* SPDX-License-Identifier: MIT */
/*
 * BPF_PROG_TYPE_XDP's context as the core keeps it: Linux's struct xdp_md
 * (what the program reads), the packet pointers its 32-bit data/data_end/
 * data_meta fields stand for (right after it: interp.h, ctx_ptr32_span),
 * and the test run's buffer, laid out as Linux's bpf_prog_test_run_xdp lays
 * out its xdp_buff (one page: headroom, frame, tailroom).
 */
#ifndef BPFHOST_XDP_H
#define BPFHOST_XDP_H

#include "interp.h"

#define XDP_MD_SIZE 24u			/* sizeof(struct xdp_md) */
#define XDP_MD_DATA 0
#define XDP_MD_DATA_END 4
#define XDP_MD_DATA_META 8
#define XDP_MD_INGRESS_IFINDEX 12
#define XDP_MD_RX_QUEUE_INDEX 16
#define XDP_MD_EGRESS_IFINDEX 20
#define XDP_PACKET_HEADROOM 256u
#define XDP_BUF_SIZE 4096u		/* the test run's frame_sz: a page */
/* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64: kept free at the end. */
#define XDP_TAILROOM 320u
/* sizeof(struct xdp_frame): adjust_head/meta never reach into it. */
#define XDP_FRAME_HDR 40u
#define XDP_ETH_HLEN 14u
/* Metadata: a multiple of 4 bytes, at most this many (Linux's xdp_metalen_invalid). */
#define XDP_META_MAX 252u

struct bh_xdp_ctx {
	uint32_t md[XDP_MD_SIZE / 4];	/* the context region: struct xdp_md */
	/* What 4-byte loads of md's data, data_end, data_meta yield, in that order. */
	uintptr_t data;
	uintptr_t data_end;
	uintptr_t data_meta;
	uint32_t user_md[XDP_MD_SIZE / 4];	/* ctx_in, for ctx_out */
	uint32_t redirect_ifindex;	/* the last bpf_redirect target noted in the trace log */
	bool redirect_noted;
	struct bh_redirect redirect;	/* the last redirect helper's choice this run */
	uint8_t buf[XDP_BUF_SIZE];	/* data_hard_start */
};

/* The packet region of a run: data_meta..data_end (meta first), writable. */
static inline void bh_xdp_set_packet(const struct bh_xdp_ctx *c, struct bh_region *pkt)
{
	pkt->start = c->data_meta;
	pkt->end = c->data_end;
	pkt->writable = true;
	pkt->map = false;
}

#endif /* BPFHOST_XDP_H */
