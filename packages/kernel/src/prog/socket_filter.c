// SPDX-License-Identifier: MIT
/*
 * BPF_PROG_TYPE_SOCKET_FILTER, built in: the context is Linux's struct
 * __sk_buff (192 bytes; programs read len, protocol, pkt_type, mark, cb[]
 * ... at Linux's offsets), the packet is reached with LD_ABS/LD_IND and
 * bpf_skb_load_bytes. Test runs build the skb as Linux's
 * bpf_prog_test_run_skb does on loopback: the data starts with an Ethernet
 * header, which eth_type_trans pulls, so len and packet offsets count from
 * the network header.
 */
#include "interp.h"
#include "prog_type.h"

#define SKB_SIZE 192u
#define ETH_HLEN 14u
/* Offsets in struct __sk_buff (checked against <linux/bpf.h> by uapi_layout_test). */
#define SKB_LEN 0
#define SKB_PKT_TYPE 4
#define SKB_MARK 8
#define SKB_PROTOCOL 16
#define SKB_PRIORITY 32
#define SKB_INGRESS_IFINDEX 36
#define SKB_IFINDEX 40
#define SKB_CB 48
#define SKB_CB_SIZE 20
#define SKB_WIRE_LEN 160

/* The context the program sees, then what the core keeps about the packet. */
struct skb_ctx {
	uint8_t skb[SKB_SIZE];
	uint8_t *frame;		/* the whole frame, Ethernet header first */
	uint32_t frame_len;
};

static void put32(uint8_t *skb, uint32_t off, uint32_t v)
{
	plat_memcpy(skb + off, &v, sizeof(v));
}

/* Linux's __sk_buff fields a test run's ctx_in may set; the rest must be zero. */
static bool ctx_in_allowed(const uint8_t *ctx, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		bool ok = (i >= SKB_MARK && i < SKB_MARK + 4) || (i >= SKB_PRIORITY && i < SKB_PRIORITY + 4) ||
			  (i >= SKB_IFINDEX && i < SKB_IFINDEX + 4) ||
			  (i >= SKB_CB && i < SKB_CB + SKB_CB_SIZE) ||
			  (i >= SKB_WIRE_LEN && i < SKB_WIRE_LEN + 4);

		if (ctx[i] && !ok)
			return false;
	}
	return true;
}

static int skb_create(void *binding, const uint8_t *data, size_t data_size, const uint8_t *ctx_in,
		      size_t ctx_size, void **context)
{
	struct skb_ctx *c;
	const uint8_t *dst;
	uint32_t pkt_type = 0;
	uint16_t proto;

	(void)binding;
	if (data_size < ETH_HLEN)
		return bh_err(-EINVAL, "socket filter test run: data_size_in %zu is shorter than an "
			      "Ethernet header (14)", data_size);
	/* Linux's test run wants the whole IP header of an IPv4 or IPv6 frame. */
	proto = (uint16_t)(data[12] << 8 | data[13]);
	if ((proto == 0x0800 && data_size < ETH_HLEN + 20) || (proto == 0x86dd && data_size < ETH_HLEN + 40))
		return bh_err(-EINVAL, "socket filter test run: an %s frame of %zu bytes is shorter than "
			      "its Ethernet and IP headers (%u)", proto == 0x0800 ? "IPv4" : "IPv6", data_size,
			      ETH_HLEN + (proto == 0x0800 ? 20u : 40u));
	if (ctx_size > SKB_SIZE || (ctx_size && !ctx_in_allowed(ctx_in, ctx_size)))
		return bh_err(-EINVAL, "socket filter test run: ctx_in may only set mark, priority, "
			      "ifindex, cb[] and wire_len of struct __sk_buff (%u bytes)", SKB_SIZE);
	c = plat_alloc(sizeof(*c) + data_size);
	if (!c)
		return bh_err(-ENOMEM, "socket filter test run: out of memory");
	if (ctx_size)
		plat_memcpy(c->skb, ctx_in, ctx_size);
	c->frame = (uint8_t *)(c + 1);
	c->frame_len = (uint32_t)data_size;
	plat_memcpy(c->frame, data, data_size);
	/*
	 * eth_type_trans on loopback, whose address and broadcast address are
	 * both 00:00:00:00:00:00: so ff:ff:ff:ff:ff:ff is PACKET_MULTICAST there
	 * (observed on Linux 6.18), like any group address.
	 */
	dst = c->frame;
	if (dst[0] & 1) {
		pkt_type = 2;	/* PACKET_MULTICAST */
	} else {
		static const uint8_t zero[6];

		pkt_type = plat_memcmp(dst, zero, 6) == 0 ? 0 /* HOST */ : 3 /* OTHERHOST */;
	}
	put32(c->skb, SKB_LEN, c->frame_len - ETH_HLEN);
	put32(c->skb, SKB_PKT_TYPE, pkt_type);
	put32(c->skb, SKB_PROTOCOL, (uint32_t)c->frame[12] | (uint32_t)c->frame[13] << 8);
	put32(c->skb, SKB_INGRESS_IFINDEX, 0);
	if (!ctx_size || !c->skb[SKB_IFINDEX])
		put32(c->skb, SKB_IFINDEX, 1);	/* lo */
	*context = c;
	return 0;
}

static void skb_destroy(void *binding, void *context, uint8_t *data_out, size_t *data_size_out,
			uint8_t *ctx_out, size_t *ctx_size_out)
{
	struct skb_ctx *c = context;
	size_t n;

	(void)binding;
	n = c->frame_len < *data_size_out ? c->frame_len : *data_size_out;
	if (data_out)
		plat_memcpy(data_out, c->frame, n);
	*data_size_out = c->frame_len;
	n = SKB_SIZE < *ctx_size_out ? SKB_SIZE : *ctx_size_out;
	if (ctx_out)
		plat_memcpy(ctx_out, c->skb, n);
	*ctx_size_out = ctx_out ? SKB_SIZE : 0;
	plat_free(c);
}

/* The packet region of a socket filter context: from the network header on. */
static void skb_packet(void *context, struct bh_region *pkt)
{
	struct skb_ctx *c = context;

	pkt->start = (uintptr_t)(c->frame + ETH_HLEN);
	pkt->end = (uintptr_t)(c->frame + c->frame_len);
	pkt->writable = false;
}

/* long bpf_skb_load_bytes(const void *skb, u32 offset, void *to, u32 len) */
static uint64_t h_skb_load_bytes(uint64_t skb, uint64_t offset, uint64_t to, uint64_t len, uint64_t a5)
{
	struct bh_run *run = bh_run_current();
	uint64_t avail = run->pkt.end - run->pkt.start;

	(void)skb, (void)a5;
	if ((uint32_t)offset > 0xffff || (uint32_t)offset > avail || (uint32_t)len > avail - (uint32_t)offset) {
		plat_memset(u64_to_ptr(to), 0, (uint32_t)len);
		return (uint64_t)(int64_t)-EFAULT;
	}
	plat_memcpy(u64_to_ptr(to), (const uint8_t *)run->pkt.start + (uint32_t)offset, (uint32_t)len);
	return 0;
}

const struct bh_helper bh_skb_load_bytes_helper = {
	h_skb_load_bytes, BPF_FUNC_skb_load_bytes, BPFHOST_RET_INTEGER,
	{ BPFHOST_ARG_PTR_TO_CTX, BPFHOST_ARG_ANYTHING, BPFHOST_ARG_PTR_TO_UNINIT_MEM,
	  BPFHOST_ARG_CONST_SIZE },
	"bpf_skb_load_bytes",
};

#define RD BPFHOST_CONTEXT_FIELD_READ
#define NARROW (BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_NARROW_READ)
#define NONE 0u

/*
 * What a socket filter may do with each __sk_buff field: Linux's
 * sk_filter_is_valid_access and bpf_skb_is_valid_access (Linux 6.18;
 * ctx_access_test compares every offset and size with the kernel's
 * verifier). Loads of the u32 fields, whole or narrow; stores only to
 * cb[]; sk only as a whole u64; the packet pointers, the socket fields
 * of sk_skb programs, the timestamps and wire_len not at all.
 */
static const struct bh_ctx_field skb_fields[] = {
	{ "len", 0, 4, NARROW },
	{ "pkt_type", 4, 4, NARROW },
	{ "mark", 8, 4, NARROW },
	{ "queue_mapping", 12, 4, NARROW },
	{ "protocol", 16, 4, NARROW },
	{ "vlan_present", 20, 4, NARROW },
	{ "vlan_tci", 24, 4, NARROW },
	{ "vlan_proto", 28, 4, NARROW },
	{ "priority", 32, 4, NARROW },
	{ "ingress_ifindex", 36, 4, NARROW },
	{ "ifindex", 40, 4, NARROW },
	{ "tc_index", 44, 4, NARROW },
	{ "cb", SKB_CB, SKB_CB_SIZE, RD | BPFHOST_CONTEXT_FIELD_WRITE | BPFHOST_CONTEXT_FIELD_BYTES },
	{ "hash", 68, 4, NARROW },
	{ "tc_classid", 72, 4, NONE },
	{ "data", 76, 4, NONE },
	{ "data_end", 80, 4, NONE },
	{ "napi_id", 84, 4, NARROW },
	{ "family", 88, 4, NONE },
	{ "remote_ip4", 92, 4, NONE },
	{ "local_ip4", 96, 4, NONE },
	{ "remote_ip6", 100, 16, NONE },
	{ "local_ip6", 116, 16, NONE },
	{ "remote_port", 132, 4, NONE },
	{ "local_port", 136, 4, NONE },
	{ "data_meta", 140, 4, NONE },
	{ "flow_keys", 144, 8, NONE },
	{ "tstamp", 152, 8, NONE },
	{ "wire_len", SKB_WIRE_LEN, 4, NONE },
	{ "gso_segs", 164, 4, NARROW },
	{ "sk", 168, 8, RD },	/* a struct bpf_sock *: NULL here, no socket */
	{ "gso_size", 176, 4, NARROW },
	{ "tstamp_type", 180, 1, NONE },
	/* 181..183: padding, in no field */
	{ "hwtstamp", 184, 8, NONE },
};

/* Built from skb_fields when the type is first used (prog_type.c). */
static uint8_t skb_rules[SKB_SIZE];

static struct bh_section_prefix socket_sections[] = {
	{ (char *)"socket", 0 },
};

struct bh_prog_type bh_socket_filter_type = {
	.refcnt = 1,
	.type = BPF_PROG_TYPE_SOCKET_FILTER,
	.name = "socket_filter",
	.ctx = { { 0, 0, 0 }, SKB_SIZE, -1, -1, -1, NULL, 0 },
	.ctx_fields = skb_fields,
	.ctx_field_cnt = sizeof(skb_fields) / sizeof(skb_fields[0]),
	.ctx_rules = skb_rules,
	.sections = socket_sections,
	.section_cnt = 1,
	.ctx_create = skb_create,
	.ctx_destroy = skb_destroy,
	.packet = skb_packet,
};
