// SPDX-License-Identifier: MIT
/*
 * TC programs (SCHED_CLS, SCHED_ACT) that run unchanged in the Linux kernel
 * (BPF_PROG_TEST_RUN) and in bpfhost: kernel_tc_diff_test compares their
 * return values, the frames they leave (data_out), ctx_out and the maps.
 * Sizes, offsets, flags and deltas come from the frame's bytes, so random
 * frames reach every limit of the helpers, in range and out of it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} tcounts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} tlast SEC(".maps");

static __always_inline void count(__u32 key)
{
	__u64 one = 1, *v = bpf_map_lookup_elem(&tcounts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&tcounts, &key, &one, BPF_NOEXIST);
}

static __always_inline void remember(__u32 slot, __u64 value)
{
	bpf_map_update_elem(&tlast, &slot, &value, BPF_ANY);
}

/* Ethernet / IPv4 / UDP by direct packet access: count protocols, pass DNS, drop odd UDP lengths. */
SEC("tc")
int parse(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	count(0x1000 | skb->pkt_type);
	count(0x2000 | (skb->protocol & 0xffff));
	remember(0, skb->len);
	if ((void *)(eth + 1) > end)
		return TC_ACT_SHOT;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return TC_ACT_SHOT;
	count(ip->protocol);
	if (ip->ihl < 5 || ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end)
		return TC_ACT_SHOT;
	if (udp->dest == bpf_htons(53) || udp->source == bpf_htons(53))
		return TC_ACT_OK;
	return bpf_ntohs(udp->len) & 1 ? TC_ACT_SHOT : TC_ACT_PIPE;
}

/*
 * A NAT-like rewriter: swap the MACs with bpf_skb_store_bytes, decrement the
 * TTL and replace the destination address with bpf_l3_csum_replace, fix the
 * UDP/TCP checksum with bpf_l4_csum_replace (pseudo header, mangled 0) and
 * rewrite the destination port.
 */
SEC("tc/ingress")
int nat(struct __sk_buff *skb)
{
	__u8 mac[12], *p = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u32 old_ip, new_ip;
	__u16 old_ttl, new_ttl, old_port, new_port;
	__u32 l4, csum_off;
	long r;

	if (p + 34 > end)
		return TC_ACT_OK;
	__builtin_memcpy(mac, p + 6, 6);
	__builtin_memcpy(mac + 6, p, 6);
	r = bpf_skb_store_bytes(skb, 0, mac, 12, p[20] & 3);
	remember(1, r);
	p = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (p + 34 > end || p[12] != 0x08 || p[13] != 0)
		return TC_ACT_OK;
	old_ttl = *(__u16 *)(p + 22);
	new_ttl = old_ttl;
	((__u8 *)&new_ttl)[0] -= 1;
	r = bpf_l3_csum_replace(skb, 24, old_ttl, new_ttl, 2);
	remember(2, r);
	r = bpf_skb_store_bytes(skb, 22, &new_ttl, 2, 0);
	p = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (p + 34 > end)
		return TC_ACT_SHOT;
	old_ip = *(__u32 *)(p + 30);
	new_ip = old_ip ^ *(__u32 *)(p + 26);
	l4 = 14 + (p[14] & 15) * 4;
	csum_off = l4 + (p[23] == IPPROTO_TCP ? 16 : 6);
	if (p[23] == IPPROTO_TCP || p[23] == IPPROTO_UDP) {
		r = bpf_l4_csum_replace(skb, csum_off, old_ip, new_ip,
					BPF_F_PSEUDO_HDR | 4 | (p[23] == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0));
		remember(3, r);
	}
	r = bpf_l3_csum_replace(skb, 24, old_ip, new_ip, 4);
	remember(4, r);
	bpf_skb_store_bytes(skb, 30, &new_ip, 4, BPF_F_INVALIDATE_HASH);
	if (bpf_skb_load_bytes(skb, l4 + 2, &old_port, 2) == 0) {
		new_port = old_port + 0x100;
		r = bpf_l4_csum_replace(skb, csum_off, old_port, new_port, 2);
		remember(5, r);
		r = bpf_skb_store_bytes(skb, l4 + 2, &new_port, 2, 0);
		remember(6, r);
	}
	return TC_ACT_OK;
}

/* The checksum helpers with offsets, values and flags from the frame (their error paths too). */
SEC("tc")
int csum_var(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u64 from, to, flags, diff;
	__u32 off, buf[8];
	__u8 b6, b7;
	long r1, r2;
	__s64 d;

	if (p + 64 > end)
		return TC_ACT_OK;
	off = *(__u16 *)(p + 2);
	if (p[1] & 1)
		off &= 0x3f;
	from = *(__u32 *)(p + 40);
	to = *(__u32 *)(p + 44);
	flags = p[4];
	if (p[5] & 1)
		flags &= 0xf6;	/* field size 0, 2 or 4 more often */
	if (!(p[5] & 2))
		from = (flags & 0xf) ? from : 0;
	r1 = bpf_l3_csum_replace(skb, off, from, to, flags & 0xf);
	r2 = bpf_l4_csum_replace(skb, off ^ 2, from, to, flags);
	remember(7, r1);
	remember(8, r2);
	p = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (p + 64 > end)
		return TC_ACT_SHOT;
	__builtin_memcpy(buf, p + 16, sizeof(buf));
	b6 = p[6];
	b7 = p[7];
	d = bpf_csum_diff(buf, (b6 & 7) * 4, buf + 4, (b7 & 3) * 4, *(__u32 *)(p + 8));
	remember(9, d);
	diff = (__u32)d;
	r1 = bpf_l3_csum_replace(skb, 14 + (b6 & 30), 0, diff, 0);
	r2 = bpf_l4_csum_replace(skb, 14 + (b7 & 30), 0, diff, BPF_F_MARK_MANGLED_0 | (b7 & 0x40));
	return (int)(r1 * 3 + r2);
}

/* bpf_skb_change_tail to a length from the frame (the limits too), then loads and stores near the end. */
SEC("tc")
int change_tail(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u32 len, old = skb->len;
	__u64 v = 0;
	long r;

	if (p + 4 > end)
		return TC_ACT_SHOT;
	len = p[2] << 8 | p[3];
	if (p[1] & 1)
		len = skb->len + (int)(__s8)p[3];
	if ((p[1] & 6) == 2)
		len = 16064 + (p[3] & 1);
	if ((p[1] & 6) == 4)
		len = 13 + (p[3] & 3);
	r = bpf_skb_change_tail(skb, len, p[0] == 0x42);
	remember(10, r);
	remember(11, skb->len);
	r = bpf_skb_load_bytes(skb, skb->len - 8, &v, 8);
	remember(12, r | v << 8);
	r = bpf_skb_store_bytes(skb, old > 20 ? old - 20 : 0, &old, 4, 0);
	remember(13, r);
	r = bpf_skb_load_bytes(skb, 0x10000 + (len & 7), &v, 4);
	remember(14, r);
	p = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (p + 14 > end)
		return TC_ACT_SHOT;
	p[12] = (__u8)(end - p);
	return TC_ACT_OK;
}

/* bpf_skb_change_head by room from the frame, then a new Ethernet header written in it. */
SEC("tc/egress")
int change_head(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u32 room;
	long r;

	if (p + 4 > end)
		return TC_ACT_SHOT;
	room = p[2] << 8 | p[3];
	if (p[1] & 1)
		room = p[3] & 31;
	r = bpf_skb_change_head(skb, room, p[0] == 0x42);
	remember(15, r);
	remember(16, skb->len);
	p = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (p + 14 > end)
		return TC_ACT_SHOT;
	p[0] = (__u8)r;
	p[1] = (__u8)skb->len;
	r = bpf_skb_change_tail(skb, skb->len - 2, 0);
	remember(17, r);
	return r ? TC_ACT_SHOT : TC_ACT_OK;
}

/* bpf_skb_adjust_room with a difference, mode and flags from the frame. */
SEC("tc")
int adjust_room(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__s32 diff;
	__u32 mode;
	__u64 flags = 0;
	long r;

	if (p + 8 > end)
		return TC_ACT_SHOT;
	diff = (__s32)(__s16)(p[2] << 8 | p[3]);
	if (p[1] & 1)
		diff = (int)(__s8)p[3];
	mode = p[4] & 3;
	if (p[5] & 1)
		flags = p[6];
	if (p[5] & 2)
		flags |= (__u64)p[7] << 56;
	r = bpf_skb_adjust_room(skb, diff, mode, flags);
	remember(18, r);
	remember(19, skb->len | (__u64)skb->protocol << 32);
	r = bpf_skb_adjust_room(skb, -diff, mode, 0);
	remember(20, r);
	r = bpf_skb_change_tail(skb, skb->len + 1, 0);
	remember(21, r);
	return TC_ACT_OK;
}

/* VLAN push and pop in an order from the frame; the tag the skb holds as the program sees it. */
SEC("tc")
int vlan(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u8 ops;
	__u16 proto, tci;
	long r = 0;
	int i;

	if (p + 8 > end)
		return TC_ACT_SHOT;
	ops = p[2];
	proto = *(__u16 *)(p + 4);
	tci = *(__u16 *)(p + 6);
	if (p[1] & 1)
		proto = bpf_htons(ETH_P_8021Q);
	for (i = 0; i < 4; i++) {
		if (ops & (1 << i))
			r = r * 4 + bpf_skb_vlan_push(skb, proto, tci + i);
		else if (ops & (16 << i))
			r = r * 4 + bpf_skb_vlan_pop(skb);
	}
	remember(22, r);
	remember(23, skb->vlan_present | skb->vlan_tci << 8 | (__u64)skb->vlan_proto << 24 |
			     (__u64)skb->protocol << 40);
	remember(24, skb->len);
	r = bpf_skb_ecn_set_ce(skb);
	remember(25, r);
	return skb->vlan_present ? TC_ACT_OK : TC_ACT_PIPE;
}

/* bpf_redirect and bpf_clone_redirect with targets and flags from the frame. */
SEC("tcx/ingress")
int redirect(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	long r;

	if (p + 4 > end)
		return TC_ACT_SHOT;
	if (p[1] & 1) {
		r = bpf_clone_redirect(skb, p[2] & 1 ? 1 : 0x7fff0000u | p[2], p[3] & 3);
		remember(26, r);
		return (int)r;
	}
	return bpf_redirect(p[2], p[3] & 3);
}

/* Every field a TC program may read, counted; then the writable ones written. */
SEC("classifier")
int ctx_fields(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u8 *meta = (void *)(long)skb->data_meta;
	__u64 x;

	x = skb->len ^ skb->pkt_type << 4 ^ skb->mark ^ skb->queue_mapping << 8 ^ skb->protocol << 12 ^
	    skb->vlan_present ^ skb->vlan_tci ^ skb->vlan_proto ^ skb->priority ^ skb->ingress_ifindex ^
	    skb->ifindex << 20 ^ skb->tc_index ^ skb->cb[0] ^ skb->cb[1] ^ skb->cb[2] ^ skb->cb[3] ^
	    skb->cb[4] ^ skb->tc_classid ^ skb->napi_id ^ skb->wire_len << 3 ^ skb->gso_segs ^ skb->gso_size ^
	    skb->tstamp_type;
	remember(27, x);
	remember(28, skb->tstamp ^ skb->hwtstamp);
	remember(29, (__u64)(meta == (void *)p) | (__u64)(end - p) << 1);
	if (p + 14 > end)
		return TC_ACT_SHOT;
	skb->mark = *(__u32 *)(p + 0) ^ skb->mark;
	skb->priority = *(__u32 *)(p + 4);
	skb->cb[1] = skb->len;
	skb->cb[4] = *(__u32 *)(p + 8);
	*(__u16 *)((__u8 *)&skb->cb[2] + 2) = 0xbeef;
	skb->tstamp = *(__u64 *)(p + 2) >> 8;
	skb->tc_index = p[10];
	skb->tc_classid = p[11];
	skb->queue_mapping = p[12];
	return p[13] & 7;
}

/* The flow hash's properties (Linux's value is keyed by a boot-time secret), ECN, pull_data. */
SEC("action")
int hash_ecn(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u32 h1, h2, before = skb->hash, len;
	__u8 b = 0;
	long r;

	if (p + 4 > end)
		return TC_ACT_SHOT;
	len = p[2] << 8 | p[3];
	if (p[1] & 1)
		len = skb->len + (p[3] & 1);
	r = bpf_skb_pull_data(skb, len);
	remember(30, r);
	h1 = bpf_get_hash_recalc(skb);
	h2 = bpf_get_hash_recalc(skb);
	remember(31, (before == 0) | (h1 != 0) << 1 | (h1 == h2) << 2 | (skb->hash == h1) << 3);
	bpf_skb_store_bytes(skb, 0, &b, 1, BPF_F_INVALIDATE_HASH);
	r = bpf_skb_ecn_set_ce(skb);
	count(0x3000 | (skb->hash == 0) << 4 | (__u32)r);
	return TC_ACT_OK;
}

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

/* Legacy packet loads (LD_ABS/LD_IND) count from the MAC header in TC; past the end the program returns 0. */
SEC("tc")
int ld_abs(struct __sk_buff *skb)
{
	__u64 proto = load_half(skb, 12), x = load_byte(skb, 14) & 0xf;

	if (proto != ETH_P_IP)
		return (int)(proto & 0xff) | 0x100;
	x = load_word(skb, 14 + x * 4) ^ load_byte(skb, 23);
	return (int)(x ^ load_byte(skb, skb->len - 1 + (load_byte(skb, 2) & 1)));
}

/*
 * Six skb operations in an order the frame picks (VLAN push/pop, change_head,
 * change_tail, adjust_room, store_bytes, l3_csum_replace, ECN, pull_data),
 * each result kept: the helpers' shared state (header offsets, mac_len,
 * protocol, the VLAN tag, length) must evolve as Linux's does.
 */
SEC("tc")
int combo(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u8 ops[8];
	__u64 acc = 0;
	__u16 v = 0x1234;
	long r;
	int i;

	if (p + 8 > end)
		return TC_ACT_SHOT;
	__builtin_memcpy(ops, p, 8);
#pragma unroll
	for (i = 0; i < 6; i++) {
		__u8 op = ops[i + 2];

		switch (op % 9) {
		case 0:
			r = bpf_skb_vlan_push(skb, op & 0x10 ? bpf_htons(ETH_P_8021AD) : bpf_htons(ETH_P_8021Q),
					      op);
			break;
		case 1:
			r = bpf_skb_vlan_pop(skb);
			break;
		case 2:
			r = bpf_skb_change_head(skb, op & 0x1e, 0);
			break;
		case 3:
			r = bpf_skb_change_tail(skb, skb->len + (int)(op & 0x1f) - 16, 0);
			break;
		case 4:
			r = bpf_skb_adjust_room(skb, (int)(op & 0x1c) - 12, op >> 7, op & 0x20 ? BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 : 0);
			break;
		case 5:
			r = bpf_skb_store_bytes(skb, op & 0x3f, &v, 2, 0);
			break;
		case 6:
			r = bpf_l3_csum_replace(skb, 24, 0x1234, op, 2);
			break;
		case 7:
			r = bpf_skb_ecn_set_ce(skb);
			break;
		default:
			r = bpf_skb_pull_data(skb, op);
			break;
		}
		acc = acc * 31 + (__u64)r + skb->len * 7 + skb->protocol + skb->vlan_tci * 3 + skb->vlan_present;
	}
	remember(31 - (ops[1] & 1), acc);
	return (int)(acc ^ (acc >> 32));
}

char LICENSE[] SEC("license") = "GPL";
