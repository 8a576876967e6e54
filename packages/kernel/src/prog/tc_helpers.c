// SPDX-License-Identifier: MIT
/*
 * The helpers of TC programs (SCHED_CLS, SCHED_ACT) with Linux's ids,
 * limits and errors (6.18, net/core/filter.c; kernel_tc_diff_test runs them
 * beside the kernel's): loading and storing bytes, the checksum fix-ups,
 * resizing the frame (pull_data, change_head/tail, adjust_room), VLAN
 * push/pop, redirects, the flow hash and ECN. They act on the test run's
 * socket buffer (tc.h) as Linux's act on a linear sk_buff whose checksum
 * state is CHECKSUM_NONE (a test run's), so the skb->csum bookkeeping of
 * Linux's helpers has nothing to change. Arguments were checked against the
 * prototypes first; a helper that moves or resizes the frame then moves the
 * run's packet region with it.
 */
#include "tc.h"
#include "prog_type.h"
#include "trace.h"

/* Linux's helper ids (include/uapi/linux/bpf.h). */
enum {
	FUNC_skb_store_bytes = 9,
	FUNC_l3_csum_replace = 10,
	FUNC_l4_csum_replace = 11,
	FUNC_clone_redirect = 13,
	FUNC_skb_vlan_push = 18,
	FUNC_skb_vlan_pop = 19,
	FUNC_redirect = 23,
	FUNC_skb_load_bytes = 26,
	FUNC_csum_diff = 28,
	FUNC_get_hash_recalc = 34,
	FUNC_skb_change_tail = 38,
	FUNC_skb_pull_data = 39,
	FUNC_skb_change_head = 43,
	FUNC_skb_adjust_room = 50,
	FUNC_skb_ecn_set_ce = 97,
};

#define ERR(e) ((uint64_t)(int64_t)-(e))
#define ENOTSUPP 524	/* Linux's kernel-internal "operation not supported" */
#define F_INGRESS 1u
#define F_RECOMPUTE_CSUM (1u << 0)
#define F_INVALIDATE_HASH (1u << 1)
#define F_HDR_FIELD_MASK 0xfu
#define F_PSEUDO_HDR (1u << 4)
#define F_MARK_MANGLED_0 (1u << 5)
#define F_MARK_ENFORCE (1u << 6)
#define F_IPV6 (1u << 7)
#define ADJ_FIXED_GSO (1ull << 0)
#define ADJ_ENCAP_L3_IPV4 (1ull << 1)
#define ADJ_ENCAP_L3_IPV6 (1ull << 2)
#define ADJ_ENCAP_L4_GRE (1ull << 3)
#define ADJ_ENCAP_L4_UDP (1ull << 4)
#define ADJ_NO_CSUM_RESET (1ull << 5)
#define ADJ_ENCAP_L2_ETH (1ull << 6)
#define ADJ_ENCAP_L2_SHIFT 56
#define ADJ_ROOM_NET 0u
#define ADJ_ROOM_MAC 1u
#define ADJ_MASK (ADJ_FIXED_GSO | ADJ_ENCAP_L3_IPV4 | ADJ_ENCAP_L3_IPV6 | ADJ_ENCAP_L4_GRE | \
		  ADJ_ENCAP_L4_UDP | ADJ_ENCAP_L2_ETH | (0xffull << ADJ_ENCAP_L2_SHIFT))

static struct bh_tc_ctx *tc_of(uint64_t ctx)
{
	return u64_to_ptr(ctx);
}

static uint8_t *data_of(const struct bh_tc_ctx *c)
{
	return c->head + c->data;
}

/* What the program reads and may touch follows the skb. */
static void moved(struct bh_tc_ctx *c)
{
	bh_tc_sync(c);
	bh_tc_set_packet(c, &bh_run_current()->pkt);
}

/*
 * Room for @head bytes before data and @tail after the frame (Linux's
 * skb_cow_head / pskb_expand_head): a bigger buffer, the offsets moved
 * with the frame. The side that grows gets half the frame's length more,
 * so a program pushing tag after tag copies the frame a logarithmic number
 * of times, not once per push; 16 MiB at most. 0 or -ENOMEM.
 */
static int make_room(struct bh_tc_ctx *c, uint64_t head, uint64_t tail)
{
	uint64_t size, have_tail = c->size - c->data - c->len;
	uint32_t data;
	int32_t delta;
	uint8_t *buf;

	if (c->data >= head && have_tail >= tail)
		return 0;
	head = head > c->data ? head + 64 + c->len / 2 : c->data;
	tail = tail > have_tail ? tail + 64 + c->len / 2 : have_tail;
	size = head + c->len + tail;
	if (size > (1u << 24))
		return -ENOMEM;
	buf = plat_alloc((size_t)size);
	if (!buf)
		return -ENOMEM;
	plat_memset(buf, 0, (size_t)size);
	data = (uint32_t)head;
	plat_memcpy(buf + data, data_of(c), c->len);
	delta = (int32_t)data - (int32_t)c->data;
	c->mac += delta;
	c->network += delta;
	if (c->transport >= 0)
		c->transport += delta;
	plat_free(c->head);
	c->head = buf;
	c->size = (uint32_t)size;
	c->data = data;
	return 0;
}

/*
 * Linux's skb_is_gso: ctx_in's gso_size makes the test run's skb a GSO one,
 * whose gso_type is 0 (the test run sets no type): the helpers that care
 * refuse it or drop the GSO state, as Linux's.
 */
static bool is_gso(const struct bh_tc_ctx *c)
{
	uint32_t gso_size;

	plat_memcpy(&gso_size, c->skb + TC_SKB_GSO_SIZE, 4);
	return gso_size != 0;
}

/* Linux's skb_gso_reset. */
static void gso_reset(struct bh_tc_ctx *c)
{
	plat_memset(c->skb + TC_SKB_GSO_SIZE, 0, 4);
	plat_memset(c->skb + TC_SKB_GSO_SEGS, 0, 4);
}

/* Linux's bpf_try_make_writable on a linear skb: the first @len bytes exist. */
static bool writable(const struct bh_tc_ctx *c, uint64_t len)
{
	return len <= c->len;
}

/* long bpf_skb_load_bytes(const void *skb, u32 offset, void *to, u32 len) */
static uint64_t h_load_bytes(uint64_t ctx, uint64_t off, uint64_t to, uint64_t len, uint64_t a5)
{
	struct bh_tc_ctx *c = tc_of(ctx);
	uint32_t o = (uint32_t)off, n = (uint32_t)len;

	(void)a5;
	if (o > INT32_MAX || (uint64_t)o + n > c->len) {
		plat_memset(u64_to_ptr(to), 0, n);
		return ERR(EFAULT);
	}
	__builtin_memmove(u64_to_ptr(to), data_of(c) + o, n);	/* to may be packet memory */
	return 0;
}

/* long bpf_skb_store_bytes(struct sk_buff *skb, u32 offset, const void *from, u32 len, u64 flags) */
static uint64_t h_store_bytes(uint64_t ctx, uint64_t off, uint64_t from, uint64_t len, uint64_t flags)
{
	struct bh_tc_ctx *c = tc_of(ctx);
	uint32_t o = (uint32_t)off, n = (uint32_t)len;

	if (flags & ~(uint64_t)(F_RECOMPUTE_CSUM | F_INVALIDATE_HASH))
		return ERR(EINVAL);
	if (o > INT32_MAX || !writable(c, (uint32_t)(o + n)))
		return ERR(EFAULT);
	__builtin_memmove(data_of(c) + o, u64_to_ptr(from), n);
	if (flags & F_INVALIDATE_HASH)
		c->hash_valid = false;
	moved(c);
	return 0;
}

/* Linux's one's complement arithmetic on native 16/32-bit words (include/net/checksum.h). */
static uint32_t csum_add(uint32_t a, uint32_t b)
{
	a += b;
	return a + (a < b);
}

static uint32_t csum_sub(uint32_t a, uint32_t b)
{
	return csum_add(a, ~b);
}

static uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t csum16_add(uint16_t csum, uint16_t addend)
{
	uint16_t res = (uint16_t)(csum + addend);

	return (uint16_t)(res + (res < addend));
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	plat_memcpy(&v, p, 2);
	return v;
}

static void put16(uint8_t *p, uint16_t v)
{
	plat_memcpy(p, &v, 2);
}

static void csum_replace_by_diff(uint8_t *sum, uint32_t diff)
{
	put16(sum, csum_fold(csum_add(diff, ~(uint32_t)get16(sum))));
}

static void csum_replace4(uint8_t *sum, uint32_t from, uint32_t to)
{
	uint32_t tmp = csum_sub(~(uint32_t)get16(sum), from);

	put16(sum, csum_fold(csum_add(tmp, to)));
}

static void csum_replace2(uint8_t *sum, uint16_t from, uint16_t to)
{
	put16(sum, (uint16_t)~csum16_add(csum16_add((uint16_t)~get16(sum), (uint16_t)~from), to));
}

/* long bpf_l3_csum_replace(struct sk_buff *skb, u32 offset, u64 from, u64 to, u64 size) */
static uint64_t h_l3_csum_replace(uint64_t ctx, uint64_t off, uint64_t from, uint64_t to, uint64_t flags)
{
	struct bh_tc_ctx *c = tc_of(ctx);
	uint32_t o = (uint32_t)off;
	uint8_t *p;

	if (flags & ~(uint64_t)F_HDR_FIELD_MASK)
		return ERR(EINVAL);
	if (o > 0xffff || (o & 1))
		return ERR(EFAULT);
	if (!writable(c, o + 2))
		return ERR(EFAULT);
	p = data_of(c) + o;
	switch (flags & F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return ERR(EINVAL);
		csum_replace_by_diff(p, (uint32_t)to);
		break;
	case 2:
		csum_replace2(p, (uint16_t)from, (uint16_t)to);
		break;
	case 4:
		csum_replace4(p, (uint32_t)from, (uint32_t)to);
		break;
	default:
		return ERR(EINVAL);
	}
	moved(c);
	return 0;
}

/*
 * long bpf_l4_csum_replace(struct sk_buff *skb, u32 offset, u64 from, u64 to, u64 flags):
 * with CHECKSUM_NONE, inet_proto_csum_replace* are csum_replace4 and
 * csum_replace_by_diff whatever BPF_F_PSEUDO_HDR says (a 2-byte field is
 * replaced as a 4-byte one holding it).
 */
static uint64_t h_l4_csum_replace(uint64_t ctx, uint64_t off, uint64_t from, uint64_t to, uint64_t flags)
{
	struct bh_tc_ctx *c = tc_of(ctx);
	bool mmzero = flags & F_MARK_MANGLED_0, mforce = flags & F_MARK_ENFORCE;
	uint32_t o = (uint32_t)off;
	uint8_t *p;

	if (flags & ~(uint64_t)(F_MARK_MANGLED_0 | F_MARK_ENFORCE | F_PSEUDO_HDR | F_HDR_FIELD_MASK | F_IPV6))
		return ERR(EINVAL);
	if (o > 0xffff || (o & 1))
		return ERR(EFAULT);
	if (!writable(c, o + 2))
		return ERR(EFAULT);
	p = data_of(c) + o;
	if (mmzero && !mforce && !get16(p))
		return 0;
	switch (flags & F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return ERR(EINVAL);
		csum_replace_by_diff(p, (uint32_t)to);
		break;
	case 2:
		csum_replace4(p, (uint16_t)from, (uint16_t)to);
		break;
	case 4:
		csum_replace4(p, (uint32_t)from, (uint32_t)to);
		break;
	default:
		return ERR(EINVAL);
	}
	if (mmzero && !get16(p))
		put16(p, 0xffff);	/* CSUM_MANGLED_0 */
	moved(c);
	return 0;
}

/* long bpf_skb_pull_data(struct sk_buff *skb, u32 len): a linear skb has it all. */
static uint64_t h_pull_data(uint64_t ctx, uint64_t len, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct bh_tc_ctx *c = tc_of(ctx);

	(void)a3, (void)a4, (void)a5;
	moved(c);
	return writable(c, (uint32_t)len ? (uint32_t)len : c->len) ? 0 : ERR(ENOMEM);
}

/* Linux's __bpf_skb_min_len: the frame keeps its headers. */
static uint32_t min_len(const struct bh_tc_ctx *c)
{
	return (uint32_t)((c->transport >= 0 ? c->transport : c->network) - (int32_t)c->data);
}

/* long bpf_skb_change_tail(struct sk_buff *skb, u32 len, u64 flags): what grows is zeroed. */
static uint64_t h_change_tail(uint64_t ctx, uint64_t len, uint64_t flags, uint64_t a4, uint64_t a5)
{
	struct bh_tc_ctx *c = tc_of(ctx);
	uint32_t n = (uint32_t)len;
	uint64_t ret = 0;

	(void)a4, (void)a5;
	if (flags || n > TC_SKB_MAX_LEN || n < min_len(c))
		ret = ERR(EINVAL);
	else if (c->encapsulation)
		ret = ERR(ENOTSUPP);
	else if (n > c->len && make_room(c, 0, n - c->len))
		ret = ERR(ENOMEM);
	if (!ret) {
		if (n > c->len)
			plat_memset(data_of(c) + c->len, 0, n - c->len);
		c->len = n;
		if (is_gso(c))
			gso_reset(c);
	}
	moved(c);
	return ret;
}

/* long bpf_skb_change_head(struct sk_buff *skb, u32 len, u64 flags): zeroes before the MAC header. */
static uint64_t h_change_head(uint64_t ctx, uint64_t room, uint64_t flags, uint64_t a4, uint64_t a5)
{
	struct bh_tc_ctx *c = tc_of(ctx);
	uint32_t r = (uint32_t)room, new_len = c->len + r;
	uint64_t ret = 0;

	(void)a4, (void)a5;
	if (flags || (!is_gso(c) && new_len > TC_SKB_MAX_LEN) || new_len < c->len)
		ret = ERR(EINVAL);
	else if (make_room(c, r, 0))
		ret = ERR(ENOMEM);
	if (!ret) {
		c->data -= r;
		c->len = new_len;
		plat_memset(data_of(c), 0, r);
		c->mac = (int32_t)c->data;
		c->mac_len = (uint32_t)(c->network - c->mac);
	}
	moved(c);
	return ret;
}

/* IPv4 or IPv6 header length by skb->protocol (Linux's bpf_skb_net_base_len), else ~0. */
static uint32_t net_base_len(const struct bh_tc_ctx *c)
{
	if (c->protocol == TC_ETH_P_IP)
		return 20;
	if (c->protocol == TC_ETH_P_IPV6)
		return 40;
	return ~0u;
}

/* Room of @len zeroed bytes at @off from data (Linux's bpf_skb_net_hdr_push). */
static void net_hdr_push(struct bh_tc_ctx *c, uint32_t off, uint32_t len)
{
	bool trans_same = c->transport == c->network;

	c->data -= len;
	c->len += len;
	__builtin_memmove(data_of(c), data_of(c) + len, off);
	plat_memset(data_of(c) + off, 0, len);
	c->mac -= (int32_t)len;
	c->network -= (int32_t)len;
	if (trans_same)
		c->transport = c->network;
}

/* Linux's bpf_skb_net_grow without GSO (a test run's skb has none). */
static uint64_t net_grow(struct bh_tc_ctx *c, uint32_t off, uint32_t len, uint64_t flags)
{
	uint32_t inner_mac_len = (uint32_t)(flags >> ADJ_ENCAP_L2_SHIFT);
	bool encap = flags & (ADJ_ENCAP_L3_IPV4 | ADJ_ENCAP_L3_IPV6);
	uint32_t mac_len = 0;

	if (is_gso(c))	/* neither TCP nor UDP_L4 (gso_type 0) */
		return ERR(ENOTSUPP);
	if (make_room(c, len, 0))
		return ERR(ENOMEM);
	if (encap) {
		if (c->protocol != TC_ETH_P_IP && c->protocol != TC_ETH_P_IPV6)
			return ERR(ENOTSUPP);
		if ((flags & ADJ_ENCAP_L3_IPV4) && (flags & ADJ_ENCAP_L3_IPV6))
			return ERR(EINVAL);
		if ((flags & ADJ_ENCAP_L4_GRE) && (flags & ADJ_ENCAP_L4_UDP))
			return ERR(EINVAL);
		if ((flags & ADJ_ENCAP_L2_ETH) && inner_mac_len < TC_ETH_HLEN)
			return ERR(EINVAL);
		if (c->encapsulation)
			return ERR(EALREADY);
		mac_len = (uint32_t)(c->network - c->mac);
		if (inner_mac_len > len)
			return ERR(EINVAL);
	}
	net_hdr_push(c, off, len);
	if (encap) {
		c->encapsulation = true;
		c->network = (int32_t)(c->data + mac_len);
		if (flags & (ADJ_ENCAP_L4_GRE | ADJ_ENCAP_L4_UDP))
			c->transport = c->network + ((flags & ADJ_ENCAP_L3_IPV6) ? 40 : 20);
		if (c->protocol == TC_ETH_P_IP && (flags & ADJ_ENCAP_L3_IPV6))
			c->protocol = TC_ETH_P_IPV6;
		else if (c->protocol == TC_ETH_P_IPV6 && (flags & ADJ_ENCAP_L3_IPV4))
			c->protocol = TC_ETH_P_IP;
	}
	return 0;
}

/* Linux's bpf_skb_net_shrink: @len bytes at @off from data go. */
static uint64_t net_shrink(struct bh_tc_ctx *c, uint32_t off, uint32_t len, uint64_t flags)
{
	bool trans_same = c->transport == c->network;

	if (flags & ~(ADJ_FIXED_GSO | ADJ_NO_CSUM_RESET))
		return ERR(EINVAL);
	if (is_gso(c))
		return ERR(ENOTSUPP);
	if (!writable(c, (uint64_t)off + len))
		return ERR(ENOMEM);
	__builtin_memmove(data_of(c) + len, data_of(c), off);
	c->data += len;
	c->len -= len;
	c->mac += (int32_t)len;
	c->network += (int32_t)len;
	if (trans_same)
		c->transport = c->network;
	return 0;
}

/* long bpf_skb_adjust_room(struct sk_buff *skb, s32 len_diff, u32 mode, u64 flags) */
static uint64_t h_adjust_room(uint64_t ctx, uint64_t diff, uint64_t mode, uint64_t flags, uint64_t a5)
{
	struct bh_tc_ctx *c = tc_of(ctx);
	int32_t d = (int32_t)diff;
	uint32_t abs_d = d < 0 ? (uint32_t)0 - (uint32_t)d : (uint32_t)d;
	uint32_t base = net_base_len(c), off, len_cur;
	uint64_t ret;

	(void)a5;
	if (flags & ~(ADJ_MASK | ADJ_NO_CSUM_RESET))
		return ERR(EINVAL);
	if (abs_d > 0xfff)
		return ERR(EFAULT);
	if (c->protocol != TC_ETH_P_IP && c->protocol != TC_ETH_P_IPV6)
		return ERR(ENOTSUPP);
	off = (uint32_t)(c->network - c->mac);
	if ((uint32_t)mode == ADJ_ROOM_NET)
		off += base;
	else if ((uint32_t)mode != ADJ_ROOM_MAC)
		return ERR(ENOTSUPP);
	len_cur = c->len - (uint32_t)(c->network - (int32_t)c->data);
	if ((d < 0 && (abs_d >= len_cur || len_cur - abs_d < base)) ||
	    (d >= 0 && c->len + abs_d > TC_SKB_MAX_LEN && !is_gso(c)))
		return ERR(ENOTSUPP);
	ret = d < 0 ? net_shrink(c, off, abs_d, flags) : net_grow(c, off, abs_d, flags);
	moved(c);
	return ret;
}

/* Linux's __vlan_insert_tag: the tag after the MAC addresses. */
static int vlan_insert_tag(struct bh_tc_ctx *c, uint16_t proto, uint16_t tci)
{
	uint8_t *p;

	if (make_room(c, TC_VLAN_HLEN, 0))
		return -ENOMEM;
	c->data -= TC_VLAN_HLEN;
	c->len += TC_VLAN_HLEN;
	p = data_of(c);
	__builtin_memmove(p, p + TC_VLAN_HLEN, 12);
	c->mac -= (int32_t)TC_VLAN_HLEN;
	put16(p + 12, proto);
	p[14] = (uint8_t)(tci >> 8);
	p[15] = (uint8_t)tci;
	return 0;
}

static bool eth_type_vlan(uint16_t proto)
{
	return proto == TC_ETH_P_8021Q || proto == TC_ETH_P_8021AD;
}

/* Linux's __skb_vlan_pop: the tag after the MAC addresses goes; skb->protocol is what it carried. */
static int skb_vlan_pop_tag(struct bh_tc_ctx *c, uint16_t *tci)
{
	uint8_t *p;
	uint16_t encap;

	if (c->mac != (int32_t)c->data)
		return -EINVAL;
	if (c->len < TC_ETH_HLEN + TC_VLAN_HLEN)
		return -ENOMEM;
	p = data_of(c);
	*tci = (uint16_t)(p[14] << 8 | p[15]);
	encap = (uint16_t)(p[16] << 8 | p[17]);
	if (encap >= 0x0600)
		c->protocol = TC_BE16(encap);
	else	/* the two bytes after the tag (ff ff: raw 802.3), read past the frame as Linux does */
		c->protocol = c->data + 20 <= c->size && p[18] == 0xff && p[19] == 0xff ? TC_BE16(0x0001) :
											  TC_BE16(0x0004);
	__builtin_memmove(p + TC_VLAN_HLEN, p, 12);
	c->data += TC_VLAN_HLEN;
	c->len -= TC_VLAN_HLEN;
	c->mac += (int32_t)TC_VLAN_HLEN;
	if (c->network - (int32_t)c->data < (int32_t)TC_ETH_HLEN)
		c->network = (int32_t)(c->data + TC_ETH_HLEN);
	c->mac_len = (uint32_t)(c->network - c->mac);
	return 0;
}

/*
 * long bpf_skb_vlan_push(struct sk_buff *skb, __be16 vlan_proto, u16 vlan_tci):
 * the tag goes to the skb (hwaccel, what vlan_present/tci/proto read); a tag
 * already there moves into the frame first.
 */
static uint64_t h_vlan_push(uint64_t ctx, uint64_t proto, uint64_t tci, uint64_t a4, uint64_t a5)
{
	struct bh_tc_ctx *c = tc_of(ctx);
	uint16_t p = (uint16_t)proto;
	uint64_t ret = 0;

	(void)a4, (void)a5;
	if (p != TC_ETH_P_8021Q && p != TC_ETH_P_8021AD)
		p = TC_ETH_P_8021Q;
	if (c->vlan_proto || c->vlan_tci) {
		int err = c->mac != (int32_t)c->data ? -EINVAL : vlan_insert_tag(c, c->vlan_proto, c->vlan_tci);

		if (err)
			ret = ERR(-err);
		else {
			/*
			 * As Linux 6.18 (observed: ECN then lands on the tag): the
			 * network header moves back with the frame, onto the tag.
			 */
			c->protocol = c->vlan_proto;
			c->network -= (int32_t)TC_VLAN_HLEN;
		}
	}
	if (!ret) {
		c->vlan_proto = p;
		c->vlan_tci = (uint16_t)tci;
	}
	moved(c);
	return ret;
}

/* long bpf_skb_vlan_pop(struct sk_buff *skb): the skb's tag, else the frame's; a next one moves out. */
static uint64_t h_vlan_pop(uint64_t ctx, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct bh_tc_ctx *c = tc_of(ctx);
	uint16_t tci, proto;
	int err = 0;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (c->vlan_proto || c->vlan_tci) {
		c->vlan_proto = 0;
		c->vlan_tci = 0;
	} else if (eth_type_vlan(c->protocol)) {
		err = skb_vlan_pop_tag(c, &tci);
	} else {
		moved(c);
		return 0;
	}
	if (!err && eth_type_vlan(c->protocol)) {
		proto = c->protocol;
		err = skb_vlan_pop_tag(c, &tci);
		if (!err) {
			c->vlan_proto = proto;
			c->vlan_tci = tci;
		}
	}
	moved(c);
	return err ? ERR(-err) : 0;
}

static void note_redirect(struct bh_tc_ctx *c, const char *helper, uint32_t ifindex, uint64_t flags)
{
	struct bh_run *run = bh_run_current();

	if (c->redirect_noted && c->redirect_ifindex == ifindex)
		return;
	c->redirect_noted = true;
	c->redirect_ifindex = ifindex;
	bh_trace_note(run->prog->name, "insn %u: %s: to ifindex %u %s (a test run sends nothing)", run->pc,
		      helper, ifindex, (flags & F_INGRESS) ? "ingress" : "egress");
}

/* long bpf_redirect(u32 ifindex, u64 flags): TC_ACT_REDIRECT, or TC_ACT_SHOT with other flags. */
static uint64_t h_redirect(uint64_t ifindex, uint64_t flags, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct bh_tc_ctx *c = u64_to_ptr(bh_run_current()->ctx.start);

	(void)a3, (void)a4, (void)a5;
	if (flags & ~(uint64_t)F_INGRESS)
		return TC_ACT_SHOT;
	c->redirect = (struct bh_redirect){ BPFHOST_REDIRECT_IFINDEX, (uint32_t)ifindex, 0, 0, (uint32_t)flags };
	note_redirect(c, "bpf_redirect", (uint32_t)ifindex, flags);
	return TC_ACT_REDIRECT;
}

/*
 * long bpf_clone_redirect(struct sk_buff *skb, u32 ifindex, u64 flags): a
 * test run's devices are loopback (1) and the ifindex ctx_in gave; a clone
 * sent to one of them is accepted (0, as loopback does on Linux) and noted
 * in the trace log; other ifindexes do not exist (-EINVAL).
 */
static uint64_t h_clone_redirect(uint64_t ctx, uint64_t ifindex, uint64_t flags, uint64_t a4, uint64_t a5)
{
	struct bh_tc_ctx *c = tc_of(ctx);
	uint32_t i = (uint32_t)ifindex, own;

	(void)a4, (void)a5;
	plat_memcpy(&own, c->skb + TC_SKB_IFINDEX, 4);
	if (flags & ~(uint64_t)F_INGRESS)
		return ERR(EINVAL);
	/* Linux keeps the test run's type-less GSO skbs (ctx_in gso_size) from leaking out. */
	if (is_gso(c))
		return ERR(EBADMSG);
	if (i != 1 && i != own)
		return ERR(EINVAL);
	moved(c);
	if (c->mac >= c->network)
		return ERR(ERANGE);
	note_redirect(c, "bpf_clone_redirect", i, flags);
	return 0;
}

/*
 * The flow hash (Linux's __skb_get_hash): Linux keys its flow dissector's
 * hash with a secret drawn at boot, so no value can match it; this one
 * hashes the same flow keys (protocol, addresses, ports) with FNV-1a and,
 * as Linux, is never 0, is kept in skb->hash until the frame is rewritten
 * with BPF_F_INVALIDATE_HASH, and is the same for the same flow.
 */
static uint32_t fnv(uint32_t h, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint32_t flow_hash(const struct bh_tc_ctx *c)
{
	const uint8_t *n = c->head + c->network;
	uint32_t off = (uint32_t)(c->network - (int32_t)c->data), h = 2166136261u, l4 = 0;
	uint32_t avail = off <= c->len ? c->len - off : 0;	/* the helpers keep it so; never trust it */
	uint8_t proto = 0;

	h = fnv(h, (const uint8_t *)&c->protocol, 2);
	if (c->protocol == TC_ETH_P_IP && avail >= 20) {
		h = fnv(h, n + 12, 8);
		proto = n[9];
		l4 = (uint32_t)(n[0] & 0xf) * 4;
	} else if (c->protocol == TC_ETH_P_IPV6 && avail >= 40) {
		h = fnv(h, n + 8, 32);
		proto = n[6];
		l4 = 40;
	}
	h = fnv(h, &proto, 1);
	if ((proto == 6 || proto == 17 || proto == 132) && l4 >= 20 && avail >= l4 + 4)
		h = fnv(h, n + l4, 4);
	return h ? h : 1;
}

/* u32 bpf_get_hash_recalc(struct sk_buff *skb) */
static uint64_t h_get_hash_recalc(uint64_t ctx, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct bh_tc_ctx *c = tc_of(ctx);

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (!c->hash_valid) {
		c->hash = flow_hash(c);
		c->hash_valid = true;
		bh_tc_sync(c);
	}
	return c->hash;
}

/* Linux's vlan_get_protocol: skb->protocol, past the VLAN tags in the frame (from mac_len). */
static uint16_t inner_protocol(const struct bh_tc_ctx *c)
{
	uint16_t type = c->protocol;
	uint32_t depth = c->mac_len;

	if (!eth_type_vlan(type))
		return type;
	if (depth) {
		if (depth < TC_VLAN_HLEN)
			return 0;
		depth -= TC_VLAN_HLEN;
	} else {
		depth = TC_ETH_HLEN;
	}
	for (int left = 8; eth_type_vlan(type); depth += TC_VLAN_HLEN) {
		if (depth + TC_VLAN_HLEN > c->len || !--left)
			return 0;
		type = get16(data_of(c) + depth + 2);
	}
	return type;
}

/* long bpf_skb_ecn_set_ce(struct sk_buff *skb): Linux's INET_ECN_set_ce at the network header. */
static uint64_t h_ecn_set_ce(uint64_t ctx, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct bh_tc_ctx *c = tc_of(ctx);
	uint16_t proto = inner_protocol(c);
	uint32_t hlen = proto == TC_ETH_P_IP ? 20 : proto == TC_ETH_P_IPV6 ? 40 : 0;
	uint8_t *ip = c->head + c->network;
	uint32_t ecn;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (!hlen || c->len < hlen || (uint32_t)c->network + hlen > c->data + c->len)
		return 0;
	if (proto == TC_ETH_P_IPV6) {
		if (!(((ip[0] << 4 | ip[1] >> 4) & 0xff) & 3))
			return 0;	/* not ECN-capable */
		ip[1] |= 3 << 4;	/* CE in the traffic class's low bits */
		return 1;
	}
	ecn = (uint32_t)(ip[1] + 1) & 3;
	if (!(ecn & 2))
		return !ecn;
	/* ECT(1) -> check += htons(0xfffd), ECT(0) -> htons(0xfffe); then CE. */
	put16(ip + 10, csum16_add(get16(ip + 10), (uint16_t)(TC_BE16(0xfffb) + TC_BE16(ecn))));
	ip[1] |= 3;
	return 1;
}

#define A(x) BPFHOST_ARG_##x
#define R(x) BPFHOST_RET_##x
static const struct bh_helper tc_helpers[] = {
	{ h_load_bytes, FUNC_skb_load_bytes, R(INTEGER),
	  { A(PTR_TO_CTX), A(ANYTHING), A(PTR_TO_UNINIT_MEM), A(CONST_SIZE) }, "bpf_skb_load_bytes" },
	{ h_store_bytes, FUNC_skb_store_bytes, R(INTEGER),
	  { A(PTR_TO_CTX), A(ANYTHING), A(PTR_TO_MEM), A(CONST_SIZE), A(ANYTHING) }, "bpf_skb_store_bytes",
	  true },
	{ h_l3_csum_replace, FUNC_l3_csum_replace, R(INTEGER),
	  { A(PTR_TO_CTX), A(ANYTHING), A(ANYTHING), A(ANYTHING), A(ANYTHING) }, "bpf_l3_csum_replace", true },
	{ h_l4_csum_replace, FUNC_l4_csum_replace, R(INTEGER),
	  { A(PTR_TO_CTX), A(ANYTHING), A(ANYTHING), A(ANYTHING), A(ANYTHING) }, "bpf_l4_csum_replace", true },
	{ h_pull_data, FUNC_skb_pull_data, R(INTEGER), { A(PTR_TO_CTX), A(ANYTHING) }, "bpf_skb_pull_data",
	  true },
	{ h_change_tail, FUNC_skb_change_tail, R(INTEGER), { A(PTR_TO_CTX), A(ANYTHING), A(ANYTHING) },
	  "bpf_skb_change_tail", true },
	{ h_change_head, FUNC_skb_change_head, R(INTEGER), { A(PTR_TO_CTX), A(ANYTHING), A(ANYTHING) },
	  "bpf_skb_change_head", true },
	{ h_adjust_room, FUNC_skb_adjust_room, R(INTEGER),
	  { A(PTR_TO_CTX), A(ANYTHING), A(ANYTHING), A(ANYTHING) }, "bpf_skb_adjust_room", true },
	{ h_vlan_push, FUNC_skb_vlan_push, R(INTEGER), { A(PTR_TO_CTX), A(ANYTHING), A(ANYTHING) },
	  "bpf_skb_vlan_push", true },
	{ h_vlan_pop, FUNC_skb_vlan_pop, R(INTEGER), { A(PTR_TO_CTX) }, "bpf_skb_vlan_pop", true },
	{ h_redirect, FUNC_redirect, R(INTEGER), { A(ANYTHING), A(ANYTHING) }, "bpf_redirect" },
	{ h_clone_redirect, FUNC_clone_redirect, R(INTEGER), { A(PTR_TO_CTX), A(ANYTHING), A(ANYTHING) },
	  "bpf_clone_redirect", true },
	{ h_get_hash_recalc, FUNC_get_hash_recalc, R(INTEGER), { A(PTR_TO_CTX) }, "bpf_get_hash_recalc" },
	{ h_ecn_set_ce, FUNC_skb_ecn_set_ce, R(INTEGER), { A(PTR_TO_CTX) }, "bpf_skb_ecn_set_ce" },
};

const struct bh_helper *bh_tc_helper(uint32_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(tc_helpers); i++)
		if (tc_helpers[i].id == id)
			return &tc_helpers[i];
	/* bpf_csum_diff is the same for XDP and TC. */
	return id == FUNC_csum_diff ? bh_xdp_helper(id) : NULL;
}
