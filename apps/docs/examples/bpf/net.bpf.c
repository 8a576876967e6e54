// SPDX-License-Identifier: MIT
/*
 * The user guide's networking object: an XDP parser and a TC rewriter, as
 * they would run in Linux. "Unit-testing XDP and TC programs with node:test"
 * test-runs them (`nx run docs:test` compiles this with clang-19 to
 * net.bpf.o).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* An 802.1Q tag: what follows the MAC addresses in a tagged frame. */
struct vlan_tag {
	__be16 tpid;
	__be16 tci;
};

/* Packets seen per IP protocol number. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} protocols SEC(".maps");

/* Packets seen per receive queue (xdp_md.rx_queue_index). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} queues SEC(".maps");

/* The backends xdp_balance sends to: slot -> ifindex (a DEVMAP). */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} backends SEC(".maps");

/* Samples xdp_sample writes with bpf_perf_event_output: one slot per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} samples SEC(".maps");

/* What xdp_sample reports for each frame. */
struct frame_sample {
	__u32 len;
	__u16 proto;	/* the EtherType, host order */
	__u16 pad;
};

/* The UDP port xdp_filter drops; a test may change it before load. */
const volatile __u16 blocked_port = 9;

static __always_inline void count(void *map, __u32 key)
{
	__u64 one = 1, *v = bpf_map_lookup_elem(map, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(map, &key, &one, BPF_NOEXIST);
}

/*
 * Strips an 802.1Q tag, counts IPv4 packets per protocol and per queue,
 * drops UDP to blocked_port, passes the rest; XDP_ABORTED for a truncated
 * IPv4 header.
 */
SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	if (eth->h_proto == bpf_htons(ETH_P_8021Q)) {
		/* Move the MACs over the tag, then the frame's start past it. */
		if (data + sizeof(*eth) + sizeof(struct vlan_tag) > end)
			return XDP_ABORTED;
		__builtin_memmove(data + sizeof(struct vlan_tag), data, 2 * ETH_ALEN);
		if (bpf_xdp_adjust_head(ctx, sizeof(struct vlan_tag)))
			return XDP_ABORTED;
		data = (void *)(long)ctx->data;
		end = (void *)(long)ctx->data_end;
		eth = data;
		if ((void *)(eth + 1) > end)
			return XDP_ABORTED;
	}
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_ABORTED;
	count(&protocols, ip->protocol);
	count(&queues, ctx->rx_queue_index);
	if (ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return XDP_PASS;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end)
		return XDP_ABORTED;
	return udp->dest == bpf_htons(blocked_port) ? XDP_DROP : XDP_PASS;
}

#define UDP_DEST_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct udphdr, dest))
#define UDP_CSUM_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct udphdr, check))

/*
 * Sends UDP for port 8080 to port 80: rewrites the port, fixes the UDP
 * checksum and marks the packet (skb->mark = 80). Shoots IPv4 packets whose
 * TTL ran out; passes the rest unchanged.
 */
SEC("tc")
int tc_rewrite(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__be16 to = bpf_htons(80), from;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->ttl <= 1)
		return TC_ACT_SHOT;
	if (ip->protocol != IPPROTO_UDP || ip->ihl != 5 || (void *)(udp + 1) > end)
		return TC_ACT_OK;
	if (udp->dest != bpf_htons(8080))
		return TC_ACT_OK;
	from = udp->dest;
	/* A zero UDP checksum means none: BPF_F_MARK_MANGLED_0 keeps it so. */
	if (bpf_l4_csum_replace(skb, UDP_CSUM_OFF, from, to, BPF_F_MARK_MANGLED_0 | sizeof(to)))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, UDP_DEST_OFF, &to, sizeof(to), 0))
		return TC_ACT_SHOT;
	skb->mark = 80;
	return TC_ACT_OK;
}

/*
 * Spreads IPv4 packets over the backends by source address (its last byte
 * picks the slot): XDP_REDIRECT to the slot's device, or XDP_PASS when the
 * slot is empty or the frame is not IPv4.
 */
SEC("xdp")
int xdp_balance(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	return bpf_redirect_map(&backends, bpf_ntohl(ip->saddr) & 3, XDP_PASS);
}

/* Reports each frame's length and EtherType on the current CPU's slot; passes it. */
SEC("xdp")
int xdp_sample(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct frame_sample s = { .len = (__u32)(end - data) };

	if ((void *)(eth + 1) <= end)
		s.proto = bpf_ntohs(eth->h_proto);
	bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU, &s, sizeof(s));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "MIT";
