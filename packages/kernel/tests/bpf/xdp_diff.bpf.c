// SPDX-License-Identifier: MIT
/*
 * XDP programs that run unchanged in the Linux kernel (BPF_PROG_TEST_RUN)
 * and in bpfhost: kernel_xdp_diff_test compares their return values, the
 * frames they leave (data_out), ctx_out and the maps. Deltas, offsets and
 * sizes come from the frame's bytes, so random frames reach every limit
 * of the helpers, in range and out of it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} xcounts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} xlast SEC(".maps");

static __always_inline void count(__u32 key)
{
	__u64 one = 1, *v = bpf_map_lookup_elem(&xcounts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&xcounts, &key, &one, BPF_NOEXIST);
}

static __always_inline void remember(__u32 slot, __u64 value)
{
	bpf_map_update_elem(&xlast, &slot, &value, BPF_ANY);
}

/* Ethernet / IPv4 / UDP: pass DNS, drop other UDP, count IP protocols. */
SEC("xdp")
int parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_DROP;
	count(ip->protocol);
	if (ip->ihl < 5 || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end)
		return XDP_DROP;
	if (udp->dest == bpf_htons(53) || udp->source == bpf_htons(53))
		return XDP_PASS;
	return bpf_ntohs(udp->len) & 1 ? XDP_DROP : XDP_TX;
}

/* Swap the MACs, decrement an IPv4 TTL and redo the header checksum with bpf_csum_diff. */
SEC("xdp")
int swap_csum(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char tmp[ETH_ALEN];
	struct iphdr *ip;
	__s64 sum;

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	ip = (void *)(eth + 1);
	if (eth->h_proto != bpf_htons(ETH_P_IP) || (void *)(ip + 1) > end)
		return XDP_TX;
	ip->ttl--;
	ip->check = 0;
	sum = bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0);
	if (sum < 0)
		return XDP_ABORTED;
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = ~((sum & 0xffff) + (sum >> 16));
	return XDP_TX;
}

/* bpf_csum_diff with sizes and a seed taken from the frame, the result written into it. */
SEC("xdp")
int csum_var(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u32 from[16], to[16], fs, ts, seed;
	__s64 r;

	if ((void *)(p + 128) > end)
		return XDP_PASS;
	__builtin_memcpy(from, p + 64, sizeof(from));
	__builtin_memcpy(to, p, sizeof(to));
	fs = (p[14] & 15) * 4;
	ts = (p[15] & 15) * 4;
	seed = *(__u32 *)(p + 8);
	if (p[16] & 1)
		fs += 2;	/* not a multiple of 4: -EINVAL */
	fs &= 63;
	ts &= 63;
	r = bpf_csum_diff(fs ? from : 0, fs, ts ? to : 0, ts, seed);
	*(__s64 *)(p + 56) = r;
	return XDP_TX;
}

/* bpf_xdp_adjust_head by a delta from the frame; then write through the new data pointer. */
SEC("xdp")
int adjust_head(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	int delta;
	long r;

	if (p + 4 > end)
		return XDP_ABORTED;
	delta = (int)(__s16)(p[2] << 8 | p[3]);
	if (p[1] & 1)
		delta = (int)(p[3] & 127) - 64;
	r = bpf_xdp_adjust_head(ctx, delta);
	remember(0, r);
	p = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (p + 14 > end)
		return XDP_DROP;
	p[0] = (__u8)r;
	p[13] = (__u8)delta;
	return r ? XDP_PASS : XDP_TX;
}

/* bpf_xdp_adjust_tail, grow or shrink; a grown tail is zeroed, then marked. */
SEC("xdp")
int adjust_tail(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	int delta;
	long r;

	if (p + 4 > end)
		return XDP_ABORTED;
	delta = (int)(__s16)(p[2] << 8 | p[3]);
	if (p[1] & 1)
		delta = (int)p[3] - 128;
	r = bpf_xdp_adjust_tail(ctx, delta);
	remember(1, r);
	p = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (p + 14 > end)
		return XDP_DROP;
	p[12] = (__u8)r;
	p[13] = (__u8)(end - p);
	return XDP_TX;
}

/* bpf_xdp_adjust_meta, then the metadata written through data_meta and read back. */
SEC("xdp")
int adjust_meta(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end, *meta;
	int delta;
	long r;

	if (p + 14 > end)
		return XDP_ABORTED;
	delta = -(int)(p[2] % 72);
	if (p[1] & 1)
		delta = (int)(__s8)p[3];
	r = bpf_xdp_adjust_meta(ctx, delta);
	remember(2, r);
	meta = (void *)(long)ctx->data_meta;
	p = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	/* The adjustment invalidated every packet bound: both are proven again. */
	if (meta + 4 <= p && p + 14 <= end) {
		*(__u32 *)meta = 0xa1b2c3d4;
		p[5] = meta[0] ^ (__u8)(p - meta);
	}
	if (p + 14 > end)
		return XDP_DROP;
	p[4] = (__u8)r;
	return XDP_PASS;
}

/* A 4-byte encapsulation: head grows, a tag goes in front, the tail shrinks by one. */
SEC("xdp")
int encap(struct xdp_md *ctx)
{
	__u8 *p, *end;

	if (bpf_xdp_adjust_head(ctx, -4))
		return XDP_DROP;
	p = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (p + 18 > end)
		return XDP_ABORTED;
	__builtin_memmove(p, p + 4, 12);
	p[12] = 0x81;
	p[13] = 0x00;
	p[14] = 0x0f;
	p[15] = 0xff;
	if (bpf_xdp_adjust_tail(ctx, -1))
		return XDP_PASS;
	return XDP_TX;
}

/* bpf_xdp_load_bytes/store_bytes at offsets and lengths from the frame. */
SEC("xdp")
int load_store(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 buf[64] = {};
	__u32 off, len;
	long r1, r2;

	if (p + 8 > end)
		return XDP_ABORTED;
	off = p[4] | (p[5] & 3) << 8;
	if (p[5] & 0x80)
		off += 0x10000;	/* past 0xffff: -EFAULT */
	len = 1 + p[6] % 64;
	r1 = bpf_xdp_load_bytes(ctx, off, buf, len);
	r2 = bpf_xdp_store_bytes(ctx, p[7] % 32, buf, len);
	remember(3, (__u64)r1 << 32 | (__u32)r2);
	count(0x100 | (__u8)r1);
	return r1 ? XDP_DROP : XDP_PASS;
}

/* bpf_redirect to an ifindex from the frame; flags make it XDP_ABORTED. */
SEC("xdp")
int redirect(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	if (p + 8 > end)
		return XDP_ABORTED;
	if (p[6] & 1)
		return XDP_PASS;
	return bpf_redirect(p[7], p[6] & 2 ? 1 : 0);
}

/* What the context says: the device, the queue, the frame and metadata lengths. */
SEC("xdp")
int ctx_fields(struct xdp_md *ctx)
{
	long len = (long)ctx->data_end - (long)ctx->data;
	long meta = (long)ctx->data - (long)ctx->data_meta;

	return (int)(ctx->ingress_ifindex << 24 ^ ctx->rx_queue_index << 16 ^ len << 6 ^ meta);
}

/* libbpf's multi-buffer section name selects the XDP type too; the frame is one buffer here. */
SEC("xdp.frags")
int frags_len(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	if (p + 14 > end)
		return XDP_DROP;
	count(0x200 | (__u8)(end - p));
	return (end - p) & 1 ? XDP_PASS : XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
