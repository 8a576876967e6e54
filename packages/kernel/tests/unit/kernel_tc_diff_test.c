// SPDX-License-Identifier: MIT
/*
 * The Linux kernel as the oracle for TC (SCHED_CLS, SCHED_ACT): the
 * clang-compiled programs of bpf/tc_diff.bpf.c (a parser, a NAT rewriter
 * with store_bytes and the l3/l4 checksum helpers, the checksum helpers
 * with arguments from the frame, change_tail, change_head, adjust_room,
 * VLAN push/pop with ECN, redirects, every context field, the flow hash's
 * properties, LD_ABS/LD_IND, and six helpers in an order each frame picks,
 * which drives their shared header state) run through BPF_PROG_TEST_RUN in the kernel and in bpfhost on
 * the same random frames (IPv4, IPv6, VLAN-tagged, other ethertypes, the
 * size limits), in the same order, a third of them with a ctx_in: the same
 * error or return value, the same data_out bytes and length, the same
 * ctx_out, and the same maps afterwards. Then the section names, the ctx_in
 * rules case by case, and every __sk_buff access (offset, size, kind)
 * against the kernel's verifier. Skipped with a printed reason where bpf(2)
 * or clang-19 is not available.
 */
#include "test.h"
#include "bpf_objects.h"
#include "ctx_sweep.h"
#include "kernel_bpf.h"
#include "insn_build.h"
#include "packet_diff.h"

#include "bpfhost/libbpf.h"
#include "bpfhost/uapi.h"

#define NPROGS 12
static const char *const progs[NPROGS] = {
	"parse", "nat", "csum_var", "change_tail", "change_head", "adjust_room", "vlan", "redirect",
	"ctx_fields", "hash_ecn", "ld_abs", "combo",
};

#define SKB_SIZE 192
#define MAX_FRAME 3712	/* a page less NET_SKB_PAD and the skb_shared_info tailroom */
#define NFRAMES 500

static uint64_t rng = 0x2545f4914f6cdd1dull;

/*
 * Frame @i: random bytes, mostly IPv4 (UDP, TCP, ICMP), some IPv6, some
 * with an 802.1Q or 802.1ad tag (one or two) before IPv4, some with an
 * ethertype below 0x0600; some at the size limits.
 */
static size_t make_frame(uint8_t *f, int i)
{
	static const size_t edges[] = { 14, 15, 18, 34, 42, 54, 64, MAX_FRAME - 1, MAX_FRAME, 1514 };
	size_t len = i < (int)(sizeof(edges) / sizeof(edges[0])) ? edges[i] :
		     14 + pkt_diff_rand(&rng) % 1500;
	static const uint8_t protos[] = { 17, 17, 6, 1 };
	size_t l3 = 14;

	for (size_t k = 0; k < len; k++)
		f[k] = (uint8_t)pkt_diff_rand(&rng);
	switch (i % 8) {
	case 5:	/* IPv6 */
		f[12] = 0x86, f[13] = 0xdd;
		if (len < 54)
			f[13] = 0x00, f[12] = 0x08, len = len < 34 ? 34 : len;
		else
			f[14] = (uint8_t)(0x60 | (f[14] & 0xf)), f[20] = protos[pkt_diff_rand(&rng) % 4];
		return len;
	case 6:	/* VLAN tags before IPv4 */
		f[12] = 0x81, f[13] = 0x00;
		if (len >= 18) {
			bool two = pkt_diff_rand(&rng) & 1;

			f[16] = two ? 0x81 : 0x08, f[17] = 0;
			l3 = two ? 22 : 18;
			if (two && len >= 22)
				f[20] = 0x08, f[21] = 0;
		}
		break;
	case 7:	/* something else: random, sometimes below 0x0600 (802.2 / raw 802.3) */
		if (pkt_diff_rand(&rng) & 1)
			f[12] = 0x05;
		if (len > 16 && (pkt_diff_rand(&rng) & 1))
			f[14] = 0xff, f[15] = 0xff;
		return len;
	default:
		f[12] = 0x08, f[13] = 0x00;
		if (len < 34)
			len = 34;
		break;
	}
	if (len >= l3 + 20) {
		f[l3] = (uint8_t)(0x40 | (i % 16 == 0 ? 6 : 5));
		f[l3 + 9] = protos[pkt_diff_rand(&rng) % 4];
		if (len >= l3 + 28 && i % 5 == 0)
			f[l3 + 22] = 0, f[l3 + 23] = 53;	/* DNS */
	}
	if (i % 3 == 0)
		f[1] |= 1;	/* the small variants of sizes and deltas */
	return len;
}

static uint8_t frame[MAX_FRAME + 64];
static struct pkt_diff d;

static bool setup(void)
{
	return pkt_diff_setup(&d, bpf_objects_available() ? bpf_object_path("tc_diff") : NULL, progs, NPROGS,
			      NULL, NULL);
}

static void put32(uint8_t *ctx, uint32_t off, uint32_t v)
{
	memcpy(ctx + off, &v, 4);
}

/* A ctx_in with every field Linux's test run takes (mark, priority, cb[], tstamp, wire_len ...). */
static void make_ctx(uint8_t *ctx, size_t len)
{
	uint64_t ts = (uint64_t)pkt_diff_rand(&rng) << 20, hw = pkt_diff_rand(&rng);

	memset(ctx, 0, SKB_SIZE);
	put32(ctx, 8, pkt_diff_rand(&rng));				/* mark */
	put32(ctx, 32, pkt_diff_rand(&rng));				/* priority */
	put32(ctx, 36, pkt_diff_rand(&rng) % 4);			/* ingress_ifindex */
	put32(ctx, 40, pkt_diff_rand(&rng) & 1);			/* ifindex: 0 or loopback */
	for (int i = 0; i < 5; i++)
		put32(ctx, 48 + 4 * i, pkt_diff_rand(&rng));		/* cb[] */
	memcpy(ctx + 152, &ts, 8);				/* tstamp */
	/* wire_len */
	put32(ctx, 160, pkt_diff_rand(&rng) & 1 ? (uint32_t)len + pkt_diff_rand(&rng) % 100 : 0);
	put32(ctx, 164, pkt_diff_rand(&rng) % 64);			/* gso_segs */
	put32(ctx, 176, pkt_diff_rand(&rng) % 1500);			/* gso_size */
	memcpy(ctx + 184, &hw, 8);				/* hwtstamp */
}

static void t_kernel_agrees(void)
{
	int runs = 0, differ = 0, refused = 0, with_ctx = 0, maps;
	int per_prog[NPROGS][3] = { { 0 } };
	struct pkt_outcome *k, *b;

	if (!setup())
		return;
	k = d.k;
	b = d.b;
	for (int i = 0; i < NFRAMES; i++) {
		size_t len = make_frame(frame, i);
		uint8_t ctx_in[SKB_SIZE];
		bool use_ctx = i % 3 == 1;

		if (use_ctx)
			make_ctx(ctx_in, len);
		for (int p = 0; p < NPROGS; p++) {
			char name[128];

			if (d.kfd[p] < 0 || d.bfd[p] < 0)
				continue;
			snprintf(name, sizeof(name), "%s on frame %d (%zu bytes, ethertype %02x%02x%s)", progs[p],
				 i, len, frame[12], frame[13], use_ctx ? ", ctx_in" : "");
			pkt_diff_run(d.kfd[p], d.bfd[p], frame, len, use_ctx ? ctx_in : NULL, use_ctx ? SKB_SIZE : 0,
				     use_ctx ? SKB_SIZE : 0, k, b);
			differ += !pkt_diff_agree(k, b, name);
			if (k->err) {
				refused++;
				continue;
			}
			runs++;
			with_ctx += use_ctx;
			per_prog[p][k->retval == 0 ? 0 : k->retval == 2 ? 1 : 2]++;
		}
	}
	maps = kmirror_compare_maps(d.obj, &d.km);
	ASSERT_EQ(maps, d.km.n, "every map compared");
	ASSERT_EQ(differ, 0, "no run differs");
	printf("kernel comparison: %d TC runs on %d frames agree (%d with ctx_in/ctx_out), %d refused "
	       "by both, %d differ, %d maps compared entry by entry\n", runs, NFRAMES, with_ctx, refused,
	       differ, maps);
	for (int p = 0; p < NPROGS; p++)
		printf("  %-12s ok %3d shot %3d other %3d\n", progs[p], per_prog[p][0], per_prog[p][1],
		       per_prog[p][2]);
	pkt_diff_teardown(&d);
}

/* The section names as libbpf spells them: the program types and attach types they select. */
static void t_sections(void)
{
	static const struct {
		const char *prog;
		uint32_t type, attach;
	} want[] = {
		{ "parse", BPF_PROG_TYPE_SCHED_CLS, 0 },	/* tc */
		{ "nat", BPF_PROG_TYPE_SCHED_CLS, 46 },		/* tc/ingress: BPF_TCX_INGRESS */
		{ "change_head", BPF_PROG_TYPE_SCHED_CLS, 47 },	/* tc/egress */
		{ "redirect", BPF_PROG_TYPE_SCHED_CLS, 46 },	/* tcx/ingress */
		{ "ctx_fields", BPF_PROG_TYPE_SCHED_CLS, 0 },	/* classifier */
		{ "hash_ecn", BPF_PROG_TYPE_SCHED_ACT, 0 },	/* action */
	};
	struct bpfhost_object *o;

	if (!bpf_objects_available()) {
		printf("SKIP: clang-19 or libbpf-dev was not found at build time; no BPF objects\n");
		return;
	}
	o = bpfhost_object__open_file(bpf_object_path("tc_diff"), NULL);
	ASSERT_TRUE(o != NULL, "open");
	if (!o)
		return;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct bpfhost_program *p = bpfhost_object__find_program_by_name(o, want[i].prog);

		ASSERT_TRUE(p != NULL, want[i].prog);
		if (!p)
			continue;
		ASSERT_EQ(bpfhost_program__type(p), want[i].type, want[i].prog);
		ASSERT_EQ(bpfhost_program__expected_attach_type(p), want[i].attach, want[i].prog);
	}
	bpfhost_object__close(o);
}

/* ctx_in and frame sizes that Linux refuses or accepts, each alike in bpfhost. */
static void t_ctx_rules_agree(void)
{
	static const struct {
		const char *what;
		size_t len;
		uint32_t off, val;	/* one __sk_buff u32 set in a zeroed ctx_in */
		uint32_t ctx_size;
		bool out_only;
	} cases[] = {
		{ "no ctx, 13 bytes", 13, 0, 0, 0 },
		{ "no ctx, 14 bytes", 14, 0, 0, 0 },
		{ "no ctx, IPv4 of 33 bytes", 33, 0, 0, 0 },
		{ "no ctx, a page less head and tail", MAX_FRAME, 0, 0, 0 },
		{ "no ctx, one more", MAX_FRAME + 1, 0, 0, 0 },
		{ "len set", 64, 0, 64, SKB_SIZE },
		{ "mark", 64, 8, 7, SKB_SIZE },
		{ "queue_mapping", 64, 12, 1, SKB_SIZE },
		{ "priority", 64, 32, 9, SKB_SIZE },
		{ "ingress_ifindex", 64, 36, 3, SKB_SIZE },
		{ "ifindex 1", 64, 40, 1, SKB_SIZE },
		{ "tc_index", 64, 44, 1, SKB_SIZE },
		{ "cb[4]", 64, 64, 5, SKB_SIZE },
		{ "hash", 64, 68, 5, SKB_SIZE },
		{ "tc_classid", 64, 72, 5, SKB_SIZE },
		{ "data", 64, 76, 5, SKB_SIZE },
		{ "tstamp", 64, 152, 5, SKB_SIZE },
		{ "wire_len below len", 64, 160, 63, SKB_SIZE },
		{ "wire_len len", 64, 160, 64, SKB_SIZE },
		{ "wire_len 65536", 64, 160, 65536, SKB_SIZE },
		{ "wire_len 65537", 64, 160, 65537, SKB_SIZE },
		{ "gso_segs 65535", 64, 164, 65535, SKB_SIZE },
		{ "gso_segs 65536", 64, 164, 65536, SKB_SIZE },
		{ "sk", 64, 168, 1, SKB_SIZE },
		{ "gso_size", 64, 176, 1400, SKB_SIZE },
		{ "tstamp_type", 64, 180, 1, SKB_SIZE },
		{ "hwtstamp", 64, 184, 1, SKB_SIZE },
		{ "short ctx_in (mark)", 64, 8, 7, 12 },
		{ "ctx_out only: a zeroed ctx_in", 64, 0, 0, 0, true },
	};
	struct pkt_outcome *k, *b;
	int p = 8;	/* ctx_fields */

	if (!setup())
		return;
	k = d.k;
	b = d.b;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t ctx[SKB_SIZE + 8] = { 0 };
		bool has_ctx = cases[i].ctx_size || cases[i].out_only;

		make_frame(frame, 100);
		if (cases[i].len == 33)
			frame[12] = 0x08, frame[13] = 0;
		put32(ctx, cases[i].off, cases[i].val);
		pkt_diff_run(d.kfd[p], d.bfd[p], frame, cases[i].len, cases[i].ctx_size ? ctx : NULL,
			     cases[i].ctx_size, has_ctx ? SKB_SIZE : 0, k, b);
		pkt_diff_print_case(cases[i].what, k, b);
		pkt_diff_agree(k, b, cases[i].what);
	}
	pkt_diff_teardown(&d);
}

/*
 * Linux keeps pkt_type in 1 byte and protocol, vlan_tci, vlan_proto,
 * queue_mapping, tc_index, tc_classid, gso_segs and gso_size in 2: its
 * verifier shifts a narrow load only when it is narrower than that, so a
 * load of @size >= that storage at a byte past the field's start yields the
 * whole value there, where bpfhost (and the UAPI layout) yields those bytes.
 * No compiler emits such loads; their values are not compared (tc.c).
 */
static bool linux_narrow_quirk(int off, int size)
{
	int field = off & ~3, rel = off & 3, storage = 4;

	if (field == 4)
		storage = 1;
	else if (field == 12 || field == 16 || field == 24 || field == 28 || field == 44 || field == 72 ||
		 field == 164 || field == 176)
		storage = 2;
	return off >= 0 && rel && size >= storage && storage < 4;
}

/*
 * The __sk_buff rules against the kernel's verifier: every access kind,
 * size and offset (a few outside the struct too), for SCHED_CLS. The
 * verifier refusing the program must be bpfhost faulting at run time on the
 * context, accepting must be running; loads of fields that are not
 * pointers, the socket or the hash must agree in value.
 */
static void t_ctx_access_agrees(void)
{
	struct ctx_sweep sw = { .prog_type = BPF_PROG_TYPE_SCHED_CLS, .what = "__sk_buff", .data = frame,
				.data_size = 64 };
	char reason[128];

	if (kbpf_probe(reason, sizeof(reason))) {
		printf("SKIP: bpf(2) not available (%s); kernel comparison skipped\n", reason);
		return;
	}
	make_frame(frame, 200);
	for (int kind = 0; kind < CTX_KINDS; kind++)
		for (int off = -8; off < SKB_SIZE + 8; off++)
			for (int s = 0; s < 4; s++) {
				/* Pointers (data, data_end, data_meta, sk) and the hash: no value compared. */
				bool value = kind <= CTX_LDXS && !(off >= 76 && off < 84) && !(off >= 140 && off < 144) &&
					     !(off >= 168 && off < 176) && !(off >= 68 && off < 72) &&
					     !linux_narrow_quirk(off, 1 << s);

				ctx_sweep_one(&sw, kind, s, (int16_t)off, value);
			}
	ctx_sweep_report(&sw);
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_kernel_agrees), TEST(t_sections),
						   TEST(t_ctx_rules_agree), TEST(t_ctx_access_agrees) };

	return test_run("kernel_tc_diff", cases, sizeof(cases) / sizeof(cases[0]));
}
