/* SPDX-License-Identifier: MIT */
/*
 * BPF_PROG_TYPE_SCHED_CLS and SCHED_ACT (TC) as the core keeps them:
 * Linux's struct __sk_buff (what the program reads and writes), the packet
 * pointers its 32-bit data/data_end/data_meta fields stand for (right after
 * it: interp.h, ctx_ptr32_span), and the socket buffer of a test run, laid
 * out as the parts of Linux's sk_buff the TC helpers use: a linear buffer
 * (head, data, len), the MAC, network and transport header offsets, mac_len,
 * protocol, the VLAN tag held outside the frame (hwaccel), the flow hash.
 */
#ifndef BPFHOST_TC_H
#define BPFHOST_TC_H

#include "interp.h"

#define TC_SKB_SIZE 192u		/* sizeof(struct __sk_buff) */
#define TC_ETH_HLEN 14u
#define TC_VLAN_HLEN 4u
/*
 * Offsets in struct __sk_buff (Linux's UAPI; kernel_tc_diff_test's sweep of
 * every offset and size against the kernel's verifier, and the values it
 * loads, would show one out of place).
 */
#define TC_SKB_LEN 0
#define TC_SKB_PKT_TYPE 4
#define TC_SKB_MARK 8
#define TC_SKB_QUEUE_MAPPING 12
#define TC_SKB_PROTOCOL 16
#define TC_SKB_VLAN_PRESENT 20
#define TC_SKB_VLAN_TCI 24
#define TC_SKB_VLAN_PROTO 28
#define TC_SKB_PRIORITY 32
#define TC_SKB_INGRESS_IFINDEX 36
#define TC_SKB_IFINDEX 40
#define TC_SKB_TC_INDEX 44
#define TC_SKB_CB 48
#define TC_SKB_CB_SIZE 20u
#define TC_SKB_HASH 68
#define TC_SKB_TC_CLASSID 72
#define TC_SKB_DATA 76
#define TC_SKB_DATA_END 80
#define TC_SKB_NAPI_ID 84
#define TC_SKB_DATA_META 140
#define TC_SKB_TSTAMP 152
#define TC_SKB_WIRE_LEN 160
#define TC_SKB_GSO_SEGS 164
#define TC_SKB_SK 168
#define TC_SKB_GSO_SIZE 176
#define TC_SKB_TSTAMP_TYPE 180
#define TC_SKB_HWTSTAMP 184
/* The 32-bit packet pointer fields span data (76) .. data_meta (140): 17 slots. */
#define TC_PTR_SLOTS ((TC_SKB_DATA_META - TC_SKB_DATA) / 4 + 1)

/* Linux's limits: BPF_SKB_MAX_LEN (SKB_MAX_ALLOC on x86-64: 16 KiB less skb_shared_info). */
#define TC_SKB_MAX_LEN 16064u
/* The test run's headroom (NET_SKB_PAD + NET_IP_ALIGN) and frame limit (a page less it and 320). */
#define TC_HEADROOM 64u
#define TC_MAX_FRAME (4096u - TC_HEADROOM - 320u)

/* Ethertypes as skb->protocol holds them: big-endian, read as a native u16. */
#define TC_BE16(x) ((uint16_t)((((x) & 0xff) << 8) | (((x) >> 8) & 0xff)))
#define TC_ETH_P_IP TC_BE16(0x0800)
#define TC_ETH_P_IPV6 TC_BE16(0x86dd)
#define TC_ETH_P_8021Q TC_BE16(0x8100)
#define TC_ETH_P_8021AD TC_BE16(0x88a8)

#define TC_ACT_SHOT 2
#define TC_ACT_REDIRECT 7

struct bh_tc_ctx {
	uint8_t skb[TC_SKB_SIZE];	/* the context region: struct __sk_buff */
	/* What 4-byte loads of data, data_end (slots 0, 1) and data_meta (slot 16) yield. */
	uintptr_t ptr[TC_PTR_SLOTS];
	uint8_t *head;			/* the buffer */
	uint32_t size;			/* its bytes */
	uint32_t data;			/* offsets in head: data, headers (-1: not set) */
	uint32_t len;
	int32_t mac, network, transport;
	uint32_t mac_len;		/* skb->mac_len: 0 until a VLAN helper sets it, as on Linux */
	uint16_t protocol;		/* big-endian, as skb->protocol */
	uint16_t vlan_proto;		/* the hwaccel tag: big-endian proto, host-order TCI */
	uint16_t vlan_tci;
	bool encapsulation;
	bool hash_valid;		/* skb->hash holds a computed hash (sw_hash/l4_hash) */
	uint32_t hash;
	uint32_t redirect_ifindex;	/* the last bpf_redirect target noted in the trace log */
	bool redirect_noted;
	struct bh_redirect redirect;	/* bpf_redirect's choice this run (not bpf_clone_redirect's) */
	uint8_t user[TC_SKB_SIZE];	/* ctx_in, for ctx_out */
};

/* The frame's bytes (data..data + len), writable. */
static inline void bh_tc_set_packet(const struct bh_tc_ctx *c, struct bh_region *pkt)
{
	pkt->start = (uintptr_t)(c->head + c->data);
	pkt->end = pkt->start + c->len;
	pkt->writable = true;
	pkt->map = false;
}

/* After the skb changed: what the program reads (len, protocol, VLAN, hash, the pointers). */
void bh_tc_sync(struct bh_tc_ctx *c);

#endif /* BPFHOST_TC_H */
