// SPDX-License-Identifier: MIT
/*
 * BPF_PROG_TYPE_SCHED_CLS and BPF_PROG_TYPE_SCHED_ACT (TC), built in: the
 * context is Linux's struct __sk_buff with the rules of Linux's
 * tc_cls_act_is_valid_access, and test runs follow Linux's
 * bpf_prog_test_run_skb for TC programs (is_l2, direct packet access).
 *
 * Packet pointers: data, data_end and data_meta are u32 fields that Linux's
 * verifier turns into pointer loads; the core keeps the pointers after the
 * 192-byte context (tc.h) and the interpreter yields them for whole 4-byte
 * loads of those fields (interp.h: ctx_ptr32_span, base 76, data_meta in
 * slot 16). data_meta equals data: a test run's skb has no metadata.
 *
 * Test runs (Linux 6.18, checked by kernel_tc_diff_test): the frame goes
 * into a buffer after NET_SKB_PAD (64) bytes of headroom, at most a page
 * less that and the skb_shared_info tailroom; eth_type_trans on loopback
 * gives protocol and pkt_type, then the Ethernet header is pushed back, so
 * len and packet offsets count from the MAC header. ctx_in may set mark,
 * priority, ingress_ifindex, ifindex, cb[], tstamp, wire_len, gso_segs,
 * gso_size and hwtstamp; ctx_out is ctx_in with mark, priority,
 * ingress_ifindex, ifindex, tstamp, cb[], wire_len, gso_segs and hwtstamp
 * as the run left them. data_out is the frame after the run, however the
 * helpers resized it.
 *
 * What bpfhost cannot reproduce: there are no network devices, so the
 * program reads the ifindex ctx_in gave (1, loopback, by default) where
 * Linux first checks that the device exists; the skb has no socket (sk
 * reads NULL; Linux's test run attaches a dummy one); and a value stored to
 * tc_index or tc_classid (u16 in Linux's skb) or queue_mapping (ignored
 * from 0xffff on) reads back whole in the same run, where Linux keeps 16
 * bits (neither field reaches ctx_out); and Linux keeps pkt_type in one
 * byte and protocol, vlan_tci, vlan_proto, queue_mapping, tc_index,
 * tc_classid, gso_segs and gso_size in two, so a narrow load of at least
 * that size starting past the field's first byte yields the whole value
 * there (its verifier does not shift it), where bpfhost yields the bytes at
 * that offset, as the UAPI layout has them. Compilers emit neither.
 */
#include "tc.h"
#include "prog_type.h"

#define BPF_TCX_INGRESS 46u
#define BPF_TCX_EGRESS 47u
#define GSO_MAX_SEGS 65535u
#define GSO_LEGACY_MAX_SIZE 65536u

_Static_assert(offsetof(struct bh_tc_ctx, ptr) == TC_SKB_SIZE,
	       "the pointers follow __sk_buff (interp.h ctx_ptr32_span)");

static void put32(uint8_t *skb, uint32_t off, uint32_t v)
{
	plat_memcpy(skb + off, &v, sizeof(v));
}

static uint32_t get32(const uint8_t *skb, uint32_t off)
{
	uint32_t v;

	plat_memcpy(&v, skb + off, sizeof(v));
	return v;
}

void bh_tc_sync(struct bh_tc_ctx *c)
{
	uintptr_t data = (uintptr_t)(c->head + c->data);

	put32(c->skb, TC_SKB_LEN, c->len);
	put32(c->skb, TC_SKB_PROTOCOL, c->protocol);
	put32(c->skb, TC_SKB_VLAN_PRESENT, c->vlan_proto || c->vlan_tci);
	put32(c->skb, TC_SKB_VLAN_TCI, c->vlan_tci);
	put32(c->skb, TC_SKB_VLAN_PROTO, c->vlan_proto);
	put32(c->skb, TC_SKB_HASH, c->hash_valid ? c->hash : 0);
	c->ptr[0] = data;
	c->ptr[1] = data + c->len;
	c->ptr[TC_PTR_SLOTS - 1] = data;	/* data_meta: no metadata */
}

/* Linux's bpf_prog_test_run_skb's convert___skb_to_skb: the fields ctx_in may set. */
static bool ctx_in_allowed(const uint8_t *ctx, size_t size)
{
	static const struct {
		uint32_t off, len;
	} ok[] = {
		{ TC_SKB_MARK, 4 }, { TC_SKB_PRIORITY, 12 } /* priority, ingress_ifindex, ifindex */,
		{ TC_SKB_CB, TC_SKB_CB_SIZE }, { TC_SKB_TSTAMP, 16 } /* tstamp, wire_len, gso_segs */,
		{ TC_SKB_GSO_SIZE, 4 }, { TC_SKB_HWTSTAMP, 8 },
	};

	for (size_t i = 0; i < size; i++) {
		bool allowed = false;

		for (size_t k = 0; k < ARRAY_SIZE(ok); k++)
			allowed |= i >= ok[k].off && i < ok[k].off + ok[k].len;
		if (ctx[i] && !allowed)
			return false;
	}
	return true;
}

/*
 * eth_type_trans on loopback (address and broadcast 00:00:00:00:00:00):
 * pkt_type, and the protocol: the ethertype from 0x0600 on, else 802.3
 * (raw IPX, the payload starting ff ff) or 802.2.
 */
static void eth_type_trans(struct bh_tc_ctx *c, uint32_t *pkt_type)
{
	static const uint8_t zero[6];
	const uint8_t *f = c->head + c->data;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);

	if (f[0] & 1)
		*pkt_type = 2;	/* PACKET_MULTICAST: ff:ff:... is not loopback's broadcast */
	else
		*pkt_type = plat_memcmp(f, zero, 6) == 0 ? 0 /* HOST */ : 3 /* OTHERHOST */;
	if (type >= 0x0600)
		c->protocol = TC_BE16(type);
	else if (c->len >= TC_ETH_HLEN + 2 && f[14] == 0xff && f[15] == 0xff)
		c->protocol = TC_BE16(0x0001);	/* ETH_P_802_3 */
	else
		c->protocol = TC_BE16(0x0004);	/* ETH_P_802_2 */
}

static int tc_create(void *binding, const uint8_t *data, size_t data_size, const uint8_t *ctx_in,
		     size_t ctx_size, void **context)
{
	uint32_t pkt_type, wire_len, gso_segs;
	struct bh_tc_ctx *c;
	uint16_t proto;

	(void)binding;
	if (data_size < TC_ETH_HLEN || data_size > TC_MAX_FRAME)
		return bh_err(-EINVAL, "tc test run: data_size_in %zu must be from 14 (an Ethernet "
			      "header) to %u bytes (a page less headroom and tailroom)", data_size,
			      TC_MAX_FRAME);
	for (size_t i = TC_SKB_SIZE; i < ctx_size; i++)
		if (ctx_in[i])
			return bh_err(-E2BIG, "tc test run: ctx_in byte %zu past struct __sk_buff (%u "
				      "bytes) is not zero", i, TC_SKB_SIZE);
	/* As Linux 6.18: an IPv4 or IPv6 frame carries its whole IP header. */
	proto = (uint16_t)(data[12] << 8 | data[13]);
	if ((proto == 0x0800 && data_size < TC_ETH_HLEN + 20) ||
	    (proto == 0x86dd && data_size < TC_ETH_HLEN + 40))
		return bh_err(-EINVAL, "tc test run: an %s frame of %zu bytes is shorter than its "
			      "Ethernet and IP headers (%u)", proto == 0x0800 ? "IPv4" : "IPv6", data_size,
			      TC_ETH_HLEN + (proto == 0x0800 ? 20u : 40u));
	if (ctx_size && !ctx_in_allowed(ctx_in, ctx_size < TC_SKB_SIZE ? ctx_size : TC_SKB_SIZE))
		return bh_err(-EINVAL, "tc test run: ctx_in may only set mark, priority, "
			      "ingress_ifindex, ifindex, cb[], tstamp, wire_len, gso_segs, gso_size and "
			      "hwtstamp of struct __sk_buff");
	c = plat_alloc(sizeof(*c));
	if (!c)
		return bh_err(-ENOMEM, "tc test run: out of memory");
	plat_memset(c, 0, sizeof(*c));
	if (ctx_size)
		plat_memcpy(c->user, ctx_in, ctx_size < TC_SKB_SIZE ? ctx_size : TC_SKB_SIZE);
	wire_len = get32(c->user, TC_SKB_WIRE_LEN);
	if (ctx_size && wire_len && (wire_len < data_size || wire_len > GSO_LEGACY_MAX_SIZE)) {
		plat_free(c);
		return bh_err(-EINVAL, "tc test run: ctx_in wire_len %u must be 0 or from the frame's "
			      "length (%zu) to %u", wire_len, data_size, GSO_LEGACY_MAX_SIZE);
	}
	gso_segs = get32(c->user, TC_SKB_GSO_SEGS);
	if (gso_segs > GSO_MAX_SEGS) {
		plat_free(c);
		return bh_err(-EINVAL, "tc test run: ctx_in gso_segs %u is more than %u", gso_segs,
			      GSO_MAX_SEGS);
	}
	/* Linux's buffer: the headroom, the frame, tailroom to a page. */
	c->size = 4096;
	c->head = plat_alloc(c->size);
	if (!c->head) {
		plat_free(c);
		return bh_err(-ENOMEM, "tc test run: out of memory");
	}
	plat_memset(c->head, 0, c->size);
	c->data = TC_HEADROOM;
	c->len = (uint32_t)data_size;
	plat_memcpy(c->head + c->data, data, data_size);
	c->mac = (int32_t)c->data;
	c->network = (int32_t)(c->data + TC_ETH_HLEN);
	c->transport = -1;
	eth_type_trans(c, &pkt_type);
	put32(c->skb, TC_SKB_PKT_TYPE, pkt_type);
	/* The fields convert___skb_to_skb takes; the rest of the skb starts zeroed. */
	plat_memcpy(c->skb + TC_SKB_MARK, c->user + TC_SKB_MARK, 4);
	plat_memcpy(c->skb + TC_SKB_PRIORITY, c->user + TC_SKB_PRIORITY, 8);	/* and ingress_ifindex */
	plat_memcpy(c->skb + TC_SKB_CB, c->user + TC_SKB_CB, TC_SKB_CB_SIZE);
	plat_memcpy(c->skb + TC_SKB_TSTAMP, c->user + TC_SKB_TSTAMP, 8);
	plat_memcpy(c->skb + TC_SKB_GSO_SEGS, c->user + TC_SKB_GSO_SEGS, 4);
	plat_memcpy(c->skb + TC_SKB_GSO_SIZE, c->user + TC_SKB_GSO_SIZE, 4);
	plat_memcpy(c->skb + TC_SKB_HWTSTAMP, c->user + TC_SKB_HWTSTAMP, 8);
	/* The device: loopback unless ctx_in named another (Linux: > 1). */
	put32(c->skb, TC_SKB_IFINDEX, get32(c->user, TC_SKB_IFINDEX) > 1 ? get32(c->user, TC_SKB_IFINDEX) : 1);
	/* wire_len is qdisc_skb_cb's pkt_len: set from ctx_in (the length if 0), else 0. */
	if (ctx_size)
		put32(c->skb, TC_SKB_WIRE_LEN, wire_len ? wire_len : c->len);
	bh_tc_sync(c);
	*context = c;
	return 0;
}

static void tc_destroy(void *binding, void *context, uint8_t *data_out, size_t *data_size_out,
		       uint8_t *ctx_out, size_t *ctx_size_out)
{
	struct bh_tc_ctx *c = context;
	size_t n;

	(void)binding;
	n = c->len < *data_size_out ? c->len : *data_size_out;
	if (data_out)
		plat_memcpy(data_out, c->head + c->data, n);
	*data_size_out = c->len;
	/* As Linux's convert_skb_to___skb. */
	plat_memcpy(c->user + TC_SKB_MARK, c->skb + TC_SKB_MARK, 4);
	plat_memcpy(c->user + TC_SKB_PRIORITY, c->skb + TC_SKB_PRIORITY, 12);
	plat_memcpy(c->user + TC_SKB_CB, c->skb + TC_SKB_CB, TC_SKB_CB_SIZE);
	plat_memcpy(c->user + TC_SKB_TSTAMP, c->skb + TC_SKB_TSTAMP, 16);
	plat_memcpy(c->user + TC_SKB_HWTSTAMP, c->skb + TC_SKB_HWTSTAMP, 8);
	n = TC_SKB_SIZE < *ctx_size_out ? TC_SKB_SIZE : *ctx_size_out;
	if (ctx_out)
		plat_memcpy(ctx_out, c->user, n);
	*ctx_size_out = ctx_out ? TC_SKB_SIZE : 0;
	plat_free(c->head);
	plat_free(c);
}

/* Each run starts with the skb where the last one left it, and no redirect noted. */
static void tc_packet(void *context, struct bh_region *pkt)
{
	struct bh_tc_ctx *c = context;

	c->redirect_noted = false;
	c->redirect.kind = BPFHOST_REDIRECT_NONE;
	bh_tc_sync(c);
	bh_tc_set_packet(c, pkt);
}

static void tc_redirect(const void *context, uint32_t retval, struct bh_redirect *out)
{
	const struct bh_tc_ctx *c = context;

	if (retval == TC_ACT_REDIRECT)
		*out = c->redirect;
}

#define RD BPFHOST_CONTEXT_FIELD_READ
#define NARROW (BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_NARROW_READ)
#define NARROW_WR (NARROW | BPFHOST_CONTEXT_FIELD_WRITE)
#define RW (BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_WRITE)
#define NONE 0u

/*
 * Linux's tc_cls_act_is_valid_access and bpf_skb_is_valid_access (6.18;
 * kernel_tc_diff_test compares every offset, size and kind with the
 * kernel's verifier): the u32 fields read whole or narrow; mark,
 * queue_mapping, priority, tc_index and tc_classid also written whole; cb[]
 * read and written at any aligned size; data, data_end, data_meta read as
 * whole u32 (packet pointers); tstamp read and written as a u64, hwtstamp
 * and sk read as a u64, tstamp_type as a byte; the socket fields and
 * flow_keys not at all.
 */
static const struct bh_ctx_field tc_fields[] = {
	{ "len", TC_SKB_LEN, 4, NARROW },
	{ "pkt_type", TC_SKB_PKT_TYPE, 4, NARROW },
	{ "mark", TC_SKB_MARK, 4, NARROW_WR },
	{ "queue_mapping", TC_SKB_QUEUE_MAPPING, 4, NARROW_WR },
	{ "protocol", TC_SKB_PROTOCOL, 4, NARROW },
	{ "vlan_present", TC_SKB_VLAN_PRESENT, 4, NARROW },
	{ "vlan_tci", TC_SKB_VLAN_TCI, 4, NARROW },
	{ "vlan_proto", TC_SKB_VLAN_PROTO, 4, NARROW },
	{ "priority", TC_SKB_PRIORITY, 4, NARROW_WR },
	{ "ingress_ifindex", TC_SKB_INGRESS_IFINDEX, 4, NARROW },
	{ "ifindex", TC_SKB_IFINDEX, 4, NARROW },
	{ "tc_index", TC_SKB_TC_INDEX, 4, NARROW_WR },
	{ "cb", TC_SKB_CB, TC_SKB_CB_SIZE, RW | BPFHOST_CONTEXT_FIELD_BYTES },
	{ "hash", TC_SKB_HASH, 4, NARROW },
	{ "tc_classid", TC_SKB_TC_CLASSID, 4, NARROW_WR },
	{ "data", TC_SKB_DATA, 4, RD },
	{ "data_end", TC_SKB_DATA_END, 4, RD },
	{ "napi_id", TC_SKB_NAPI_ID, 4, NARROW },
	{ "family", 88, 4, NONE },
	{ "remote_ip4", 92, 4, NONE },
	{ "local_ip4", 96, 4, NONE },
	{ "remote_ip6", 100, 16, NONE },
	{ "local_ip6", 116, 16, NONE },
	{ "remote_port", 132, 4, NONE },
	{ "local_port", 136, 4, NONE },
	{ "data_meta", TC_SKB_DATA_META, 4, RD },
	{ "flow_keys", 144, 8, NONE },
	{ "tstamp", TC_SKB_TSTAMP, 8, RW },
	{ "wire_len", TC_SKB_WIRE_LEN, 4, NARROW },
	{ "gso_segs", TC_SKB_GSO_SEGS, 4, NARROW },
	{ "sk", TC_SKB_SK, 8, RD },	/* a struct bpf_sock *: NULL here, no socket */
	{ "gso_size", TC_SKB_GSO_SIZE, 4, NARROW },
	{ "tstamp_type", TC_SKB_TSTAMP_TYPE, 1, RD },
	/* 181..183: padding, in no field */
	{ "hwtstamp", TC_SKB_HWTSTAMP, 8, RD },
};

static uint8_t cls_rules[TC_SKB_SIZE], act_rules[TC_SKB_SIZE];

/* libbpf's TC section names (exact there; a "/..." suffix here maps to the nearest). */
static struct bh_section_prefix cls_sections[] = {
	{ (char *)"tc", 0 },
	{ (char *)"classifier", 0 },
	{ (char *)"tc/ingress", BPF_TCX_INGRESS },
	{ (char *)"tc/egress", BPF_TCX_EGRESS },
	{ (char *)"tcx/ingress", BPF_TCX_INGRESS },
	{ (char *)"tcx/egress", BPF_TCX_EGRESS },
};

static struct bh_section_prefix act_sections[] = {
	{ (char *)"action", 0 },
};

extern struct bh_prog_type bh_xdp_type;
extern struct bh_prog_type bh_sched_act_type;

#define TC_TYPE(var, next_type, prog_type, type_name, rules, secs)                     \
	struct bh_prog_type var = {                                                    \
		.next = next_type,                                                     \
		.refcnt = 1,                                                           \
		.type = prog_type,                                                     \
		.name = type_name,                                                     \
		.ctx = { { 0, 0, 0 }, TC_SKB_SIZE, -1, -1, -1, NULL, 0 },              \
		.ctx_fields = tc_fields,                                               \
		.ctx_field_cnt = sizeof(tc_fields) / sizeof(tc_fields[0]),             \
		.ctx_rules = rules,                                                    \
		.sections = secs,                                                      \
		.section_cnt = sizeof(secs) / sizeof(secs[0]),                         \
		.ctx_create = tc_create,                                               \
		.ctx_destroy = tc_destroy,                                             \
		.packet = tc_packet,                                                   \
		.redirect = tc_redirect,                                               \
		.ctx_ptr32_span = TC_PTR_SLOTS * 4,                                    \
		.ctx_ptr32_base = TC_SKB_DATA,                                         \
		.ctx_ptr32_mask = 1u | 1u << 1 | 1u << (TC_PTR_SLOTS - 1),             \
	}

TC_TYPE(bh_sched_cls_type, &bh_sched_act_type, BPF_PROG_TYPE_SCHED_CLS, "sched_cls", cls_rules,
	cls_sections);
TC_TYPE(bh_sched_act_type, &bh_xdp_type, BPF_PROG_TYPE_SCHED_ACT, "sched_act", act_rules, act_sections);
