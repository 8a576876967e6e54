// SPDX-License-Identifier: MIT
/*
 * BPF_PROG_TYPE_XDP, built in: the context is Linux's struct xdp_md and
 * test runs follow Linux's bpf_prog_test_run_xdp.
 *
 * Packet pointers. In the UAPI, xdp_md's data, data_end and data_meta are
 * u32 and programs read them with 4-byte loads ("(void *)(long)ctx->data");
 * Linux's verifier rewrites those loads into pointer loads. bpfhost has no
 * verifier rewriting, so the core keeps the three 64-bit pointers right
 * after the 24-byte context, where the program cannot reach them, and the
 * interpreter turns a 4-byte load of one of those fields into a load of
 * its pointer (interp.h: ctx_ptr32_span). The context rules allow only
 * whole aligned 4-byte loads of every xdp_md field and no stores, as
 * Linux's xdp_is_valid_access (sign-extending loads of the pointer fields
 * fault, as the verifier refuses them; the fields themselves hold 0).
 * Packet accesses are checked against data_meta..data_end, which the
 * adjusting helpers move (xdp_helpers.c).
 *
 * Test runs (Linux's semantics, observed on 6.18 by kernel_xdp_diff_test):
 * the frame is copied into a zeroed page after XDP_PACKET_HEADROOM bytes,
 * SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) bytes are kept free at the
 * end, data_out is data_meta..data_end after the program ran, and ctx_in
 * may give the metadata length (data, with data_end = data_size_in and
 * data_meta 0), ingress_ifindex and rx_queue_index. bpfhost has no network
 * devices: the program reads the ingress_ifindex it was given (1, Linux's
 * loopback, when none) and rx_queue_index as given; Linux checks that the
 * device and queue exist.
 */
#include "xdp.h"
#include "prog_type.h"

_Static_assert(offsetof(struct bh_xdp_ctx, data) == XDP_MD_SIZE &&
	       offsetof(struct bh_xdp_ctx, data_end) == XDP_MD_SIZE + 8 &&
	       offsetof(struct bh_xdp_ctx, data_meta) == XDP_MD_SIZE + 16,
	       "the pointers follow xdp_md in field order (interp.h ctx_ptr32_span)");

static bool metalen_invalid(uint32_t len)
{
	return (len & 3) || len > XDP_META_MAX;
}

static int xdp_create(void *binding, const uint8_t *data, size_t data_size, const uint8_t *ctx_in,
		      size_t ctx_size, void **context)
{
	uint32_t md[XDP_MD_SIZE / 4] = { 0 }, headroom = XDP_PACKET_HEADROOM, meta = 0, max;
	struct bh_xdp_ctx *c;
	uint8_t *start;

	(void)binding;
	for (size_t i = XDP_MD_SIZE; i < ctx_size; i++)
		if (ctx_in[i])
			return bh_err(-E2BIG, "xdp test run: ctx_in byte %zu past struct xdp_md (%u bytes) "
				      "is not zero", i, XDP_MD_SIZE);
	if (ctx_size) {
		plat_memcpy(md, ctx_in, ctx_size < XDP_MD_SIZE ? ctx_size : XDP_MD_SIZE);
		/* Linux: no data before the metadata, data_end within the input. */
		if (md[XDP_MD_DATA_META / 4] || md[XDP_MD_DATA_END / 4] > data_size ||
		    md[XDP_MD_DATA / 4] > md[XDP_MD_DATA_END / 4] || metalen_invalid(md[XDP_MD_DATA / 4]))
			return bh_err(-EINVAL, "xdp test run: ctx_in must have data_meta 0, data_end up to "
				      "data_size_in (%zu) and data (the metadata length at the start of "
				      "data_in) a multiple of 4 up to %u; it has data %u, data_end %u, "
				      "data_meta %u", data_size, XDP_META_MAX, md[0], md[1], md[2]);
		if (md[XDP_MD_EGRESS_IFINDEX / 4])
			return bh_err(-EINVAL, "xdp test run: ctx_in egress_ifindex must be 0");
		if (!md[XDP_MD_INGRESS_IFINDEX / 4] && md[XDP_MD_RX_QUEUE_INDEX / 4])
			return bh_err(-EINVAL, "xdp test run: ctx_in rx_queue_index needs an ingress_ifindex");
		meta = md[XDP_MD_DATA / 4];
		headroom -= meta;
	}
	if (data_size - meta < XDP_ETH_HLEN)
		return bh_err(-EINVAL, "xdp test run: data_size_in %zu less the metadata (%u) is shorter "
			      "than an Ethernet header (14)", data_size, meta);
	/*
	 * Linux 6.18 puts what lies past ctx_in's data_end (and past a page)
	 * into fragments, a multi-buffer frame; bpfhost has one buffer.
	 */
	max = XDP_BUF_SIZE - headroom - XDP_TAILROOM;
	if (data_size > max || (ctx_size && md[XDP_MD_DATA_END / 4] != data_size))
		return bh_err(-EOPNOTSUPP, "xdp test run: multi-buffer frames are not supported: "
			      "data_size_in %zu must be at most %u bytes (a page less headroom and "
			      "tailroom) and equal to ctx_in's data_end (%u)", data_size, max,
			      md[XDP_MD_DATA_END / 4]);
	c = plat_alloc(sizeof(*c));
	if (!c)
		return bh_err(-ENOMEM, "xdp test run: out of memory");
	plat_memset(c, 0, sizeof(*c));
	plat_memcpy(c->user_md, md, sizeof(md));
	start = c->buf + headroom;
	plat_memcpy(start, data, data_size);
	c->data_meta = (uintptr_t)start;
	c->data = (uintptr_t)start + meta;
	c->data_end = (uintptr_t)start + data_size;
	/* Without an ingress device the frame comes from loopback's queue 0, as on Linux. */
	c->md[XDP_MD_INGRESS_IFINDEX / 4] = md[XDP_MD_INGRESS_IFINDEX / 4] ? md[XDP_MD_INGRESS_IFINDEX / 4] : 1;
	c->md[XDP_MD_RX_QUEUE_INDEX / 4] = md[XDP_MD_RX_QUEUE_INDEX / 4];
	*context = c;
	return 0;
}

static void xdp_destroy(void *binding, void *context, uint8_t *data_out, size_t *data_size_out,
			uint8_t *ctx_out, size_t *ctx_size_out)
{
	struct bh_xdp_ctx *c = context;
	size_t len = c->data_end - c->data_meta, n;

	(void)binding;
	n = len < *data_size_out ? len : *data_size_out;
	if (data_out)
		plat_memcpy(data_out, (const void *)c->data_meta, n);
	*data_size_out = len;
	/* As Linux's xdp_convert_buff_to_md: offsets from data_meta, the rest as given. */
	c->user_md[XDP_MD_DATA / 4] = (uint32_t)(c->data - c->data_meta);
	c->user_md[XDP_MD_DATA_END / 4] = (uint32_t)len;
	n = XDP_MD_SIZE < *ctx_size_out ? XDP_MD_SIZE : *ctx_size_out;
	if (ctx_out)
		plat_memcpy(ctx_out, c->user_md, n);
	*ctx_size_out = ctx_out ? XDP_MD_SIZE : 0;
	plat_free(c);
}

/* Each run starts with the packet where the last one left it, and no redirect noted. */
static void xdp_packet(void *context, struct bh_region *pkt)
{
	struct bh_xdp_ctx *c = context;

	c->redirect_noted = false;
	c->redirect.kind = BPFHOST_REDIRECT_NONE;
	bh_xdp_set_packet(c, pkt);
}

static void xdp_redirect(const void *context, uint32_t retval, struct bh_redirect *out)
{
	const struct bh_xdp_ctx *c = context;

	if (retval == XDP_REDIRECT)
		*out = c->redirect;
}

/* Programs for DEVMAP and CPUMAP entries run on redirected frames only: Linux refuses their test runs. */
static int xdp_test_run_check(const struct bh_prog *prog)
{
	if (prog->expected_attach_type == BPF_XDP_DEVMAP || prog->expected_attach_type == BPF_XDP_CPUMAP)
		return bh_err(-EINVAL, "BPF_PROG_TEST_RUN: program '%s' is for %s entries (expected "
			      "attach type %u): as on Linux, only plain XDP programs are test-run",
			      prog->name, prog->expected_attach_type == BPF_XDP_DEVMAP ? "DEVMAP" : "CPUMAP",
			      prog->expected_attach_type);
	return 0;
}

#define RD BPFHOST_CONTEXT_FIELD_READ
#define NONE 0u

/*
 * Linux's xdp_is_valid_access (6.18): every field is read whole (4 bytes,
 * aligned), nothing is written; egress_ifindex only by programs attached
 * to a DEVMAP (BPF_XDP_DEVMAP), which bpfhost does not run yet.
 */
static const struct bh_ctx_field xdp_fields[] = {
	{ "data", XDP_MD_DATA, 4, RD },
	{ "data_end", XDP_MD_DATA_END, 4, RD },
	{ "data_meta", XDP_MD_DATA_META, 4, RD },
	{ "ingress_ifindex", XDP_MD_INGRESS_IFINDEX, 4, RD },
	{ "rx_queue_index", XDP_MD_RX_QUEUE_INDEX, 4, RD },
	{ "egress_ifindex", XDP_MD_EGRESS_IFINDEX, 4, NONE },
};

static uint8_t xdp_rules[XDP_MD_SIZE];

/* libbpf's XDP section names (exact there; a "/..." suffix here maps to the nearest). */
static struct bh_section_prefix xdp_sections[] = {
	{ (char *)"xdp", BPF_XDP },
	{ (char *)"xdp.frags", BPF_XDP },
	{ (char *)"xdp/devmap", BPF_XDP_DEVMAP },
	{ (char *)"xdp/cpumap", BPF_XDP_CPUMAP },
	{ (char *)"xdp.frags/devmap", BPF_XDP_DEVMAP },
	{ (char *)"xdp.frags/cpumap", BPF_XDP_CPUMAP },
};

extern struct bh_prog_type bh_socket_filter_type;

struct bh_prog_type bh_xdp_type = {
	.next = &bh_socket_filter_type,
	.refcnt = 1,
	.type = BPF_PROG_TYPE_XDP,
	.name = "xdp",
	.ctx = { { 0, 0, 0 }, XDP_MD_SIZE, -1, -1, -1, NULL, 0 },
	.ctx_fields = xdp_fields,
	.ctx_field_cnt = sizeof(xdp_fields) / sizeof(xdp_fields[0]),
	.ctx_rules = xdp_rules,
	.sections = xdp_sections,
	.section_cnt = sizeof(xdp_sections) / sizeof(xdp_sections[0]),
	.ctx_create = xdp_create,
	.ctx_destroy = xdp_destroy,
	.packet = xdp_packet,
	.ctx_ptr32_span = XDP_MD_DATA_META + 4,
	.ctx_ptr32_mask = 0x7,	/* data, data_end, data_meta */
	.no_ld_abs = true,
	.test_run_check = xdp_test_run_check,
	.redirect = xdp_redirect,
};
