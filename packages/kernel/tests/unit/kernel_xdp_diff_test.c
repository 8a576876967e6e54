// SPDX-License-Identifier: MIT
/*
 * The Linux kernel as the oracle for XDP: the clang-compiled programs of
 * bpf/xdp_diff.bpf.c (a parser, a MAC swapper with a bpf_csum_diff IPv4
 * checksum, csum_diff with sizes and seeds from the frame, adjust_head/
 * tail/meta with deltas from the frame, an encapsulation, load/store_bytes,
 * bpf_redirect, the context fields, an xdp.frags section) run through BPF_PROG_TEST_RUN in the
 * kernel and in bpfhost on the same frames, in the same order, some with a
 * ctx_in (metadata, ingress device and queue): the same error or return
 * value, the same data_out bytes and length, the same ctx_out, and the same
 * maps afterwards. Then the ctx_in and frame size rules, case by case.
 * Skipped with a printed reason where bpf(2) or clang-19 is not available.
 */
#include "test.h"
#include "bpf_objects.h"
#include "ctx_sweep.h"
#include "kernel_bpf.h"
#include "insn_build.h"
#include "packet_diff.h"

#include "bpfhost/libbpf.h"
#include "bpfhost/uapi.h"

#define NPROGS 11
static const char *const progs[NPROGS] = {
	"parse", "swap_csum", "csum_var", "adjust_head", "adjust_tail", "adjust_meta", "encap",
	"load_store", "redirect", "ctx_fields", "frags_len",
};

#define MAX_FRAME 3520	/* a page less XDP_PACKET_HEADROOM and the skb_shared_info tailroom */
#define NFRAMES 400

static uint64_t rng = 0x9e3779b97f4a7c15ull;

/* Frame @i: random bytes, most of them an IPv4 (UDP, TCP, ICMP) frame; some at the size limits. */
static size_t make_frame(uint8_t *f, int i)
{
	static const size_t edges[] = { 14, 15, 18, 34, 42, 64, MAX_FRAME - 1, MAX_FRAME, 1514 };
	size_t len = i < (int)(sizeof(edges) / sizeof(edges[0])) ? edges[i] :
		     14 + pkt_diff_rand(&rng) % 1500;
	static const uint8_t protos[] = { 17, 17, 6, 1 };

	for (size_t k = 0; k < len; k++)
		f[k] = (uint8_t)pkt_diff_rand(&rng);
	if (i % 4 != 3) {
		f[12] = 0x08;
		f[13] = 0x00;
		if (len >= 34) {
			f[14] = (uint8_t)(0x40 | (i % 8 == 0 ? 6 : 5));
			f[23] = protos[pkt_diff_rand(&rng) % 4];
		}
		if (len >= 42 && i % 5 == 0)
			f[36] = 0, f[37] = 53;	/* DNS */
	}
	if (i % 3 == 0)
		f[1] |= 1;	/* small deltas in the adjust programs */
	if (i >= 9 && i < 9 + 32) {
		/* The limits of adjust_head (page start + struct xdp_frame, data_end - 14) and adjust_tail. */
		int32_t room = 3520 - (int32_t)len, l = (int32_t)len;
		const int32_t deltas[8] = { -216, -217, l - 14, l - 13, room, room + 1, -(l - 14), -(l - 13) };
		int16_t d = (int16_t)deltas[(i - 9) % 8];

		f[1] &= 0xfe;
		f[2] = (uint8_t)((uint16_t)d >> 8);
		f[3] = (uint8_t)d;
	}
	return len;
}

static uint8_t frame[MAX_FRAME + 64];
static struct pkt_diff d;

/*
 * Linux 6.18 as built here refuses bpf_xdp_adjust_meta to XDP programs
 * ("program of this type cannot use helper"): that one is then left to
 * xdp_test, which checks it against Linux's source semantics. Every other
 * program must load.
 */
static bool setup(void)
{
	return pkt_diff_setup(&d, bpf_objects_available() ? bpf_object_path("xdp_diff") : NULL, progs, NPROGS,
			      "adjust_meta", "this kernel refuses bpf_xdp_adjust_meta; program adjust_meta is not "
			      "compared (xdp_test covers the helper)");
}

static void t_kernel_agrees(void)
{
	int runs = 0, differ = 0, refused = 0, with_ctx = 0, verdicts[5] = { 0 }, maps;
	int per_prog[NPROGS][5] = { { 0 } };
	struct pkt_outcome *k, *b;

	if (!setup())
		return;
	k = d.k;
	b = d.b;
	for (int i = 0; i < NFRAMES; i++) {
		size_t len = make_frame(frame, i);
		uint32_t ctx_in[6] = { 0 };
		bool use_ctx = i % 3 == 1;

		if (use_ctx) {
			ctx_in[0] = 4 * (pkt_diff_rand(&rng) % 9);	/* metadata: 0..32 bytes */
			ctx_in[1] = (uint32_t)len;
			ctx_in[3] = 1;				/* lo, queue 0 */
		}
		for (int p = 0; p < NPROGS; p++) {
			char name[128];

			if (d.kfd[p] < 0 || d.bfd[p] < 0)
				continue;
			snprintf(name, sizeof(name), "%s on frame %d (%zu bytes%s, meta %u)", progs[p], i, len,
				 use_ctx ? ", ctx_in" : "", ctx_in[0]);
			pkt_diff_run(d.kfd[p], d.bfd[p], frame, len, use_ctx ? ctx_in : NULL, use_ctx ? 24 : 0,
				     use_ctx ? 24 : 0, k, b);
			differ += !pkt_diff_agree(k, b, name);
			if (k->err) {
				refused++;
				continue;
			}
			runs++;
			with_ctx += use_ctx;
			verdicts[k->retval < 5 ? k->retval : 0]++;
			per_prog[p][k->retval < 5 ? k->retval : 0]++;
		}
	}
	maps = kmirror_compare_maps(d.obj, &d.km);
	ASSERT_EQ(maps, d.km.n, "every map compared");
	ASSERT_EQ(differ, 0, "no run differs");
	printf("kernel comparison: %d XDP runs on %d frames agree (%d with ctx_in/ctx_out; verdicts "
	       "aborted %d, drop %d, pass %d, tx %d, redirect %d), %d refused by both, %d differ, "
	       "%d maps compared entry by entry\n", runs, NFRAMES, with_ctx, verdicts[0], verdicts[1],
	       verdicts[2], verdicts[3], verdicts[4], refused, differ, maps);
	/* adjust_head: pass = the helper failed, tx = it moved the head (likewise encap: tx). */
	for (int p = 0; p < NPROGS; p++)
		printf("  %-12s aborted %3d drop %3d pass %3d tx %3d redirect %3d\n", progs[p], per_prog[p][0],
		       per_prog[p][1], per_prog[p][2], per_prog[p][3], per_prog[p][4]);
	pkt_diff_teardown(&d);
}

/* ctx_in and frame sizes that Linux refuses or accepts, each alike in bpfhost. */
static void t_ctx_rules_agree(void)
{
	static const struct {
		const char *what;
		size_t len;
		uint32_t ctx[7];
		uint32_t ctx_size;
		bool out_only;		/* ctx_out without ctx_in */
		bool frags;		/* Linux makes a multi-buffer frame: bpfhost refuses */
	} cases[] = {
		{ "no ctx, 13 bytes", 13, { 0 }, 0 },
		{ "no ctx, 14 bytes", 14, { 0 }, 0 },
		{ "metadata 4", 64, { 4, 64 }, 24 },
		{ "metadata 32", 64, { 32, 64 }, 24 },
		{ "metadata 36", 64, { 36, 64 }, 24 },
		{ "metadata 2", 64, { 2, 64 }, 24 },
		{ "data past data_end", 64, { 68, 64 }, 24 },
		{ "data_end not the size (fragments)", 64, { 0, 63 }, 24, false, true },
		{ "data_meta set", 64, { 0, 64, 4 }, 24 },
		{ "queue without device", 64, { 0, 64, 0, 0, 1 }, 24 },
		{ "egress_ifindex", 64, { 0, 64, 0, 1, 0, 1 }, 24 },
		{ "lo, queue 0", 64, { 0, 64, 0, 1, 0 }, 24 },
		{ "short ctx_in (data, data_end)", 64, { 8, 64 }, 8 },
		{ "ctx_in past xdp_md, zero", 64, { 0, 64, 0, 1, 0, 0, 0 }, 28 },
		{ "ctx_in past xdp_md, not zero", 64, { 0, 64, 0, 1, 0, 0, 7 }, 28 },
		{ "metadata 32, frame of 2 bytes", 34, { 32, 34 }, 24 },
		{ "metadata 32, frame of 13 bytes", 45, { 32, 45 }, 24 },
		{ "metadata 32, frame of 14 bytes", 46, { 32, 46 }, 24 },
		{ "data_end past the size", 64, { 0, 65 }, 24 },
		{ "no ctx, a page less head and tail", MAX_FRAME, { 0 }, 0 },
		/* Multi-buffer frames: Linux puts what is past data_end into fragments. */
		{ "data_end 0 (fragments)", 64, { 0, 0 }, 24, false, true },
		{ "data_end 14 of 64 (fragments)", 64, { 0, 14 }, 24, false, true },
		{ "no ctx, past a page (fragments)", MAX_FRAME + 1, { 0 }, 0, false, true },
		{ "ctx_out only: a zeroed ctx_in (fragments)", 64, { 0 }, 0, true, true },
	};
	struct pkt_outcome *k, *b;
	int p = 9;	/* ctx_fields: what the program saw */

	if (!setup())
		return;
	k = d.k;
	b = d.b;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t ctx_out = cases[i].ctx_size || cases[i].out_only ? 24 : 0;

		make_frame(frame, 100);
		pkt_diff_run(d.kfd[p], d.bfd[p], frame, cases[i].len, cases[i].ctx_size ? cases[i].ctx : NULL,
			     cases[i].ctx_size, ctx_out, k, b);
		pkt_diff_print_case(cases[i].what, k, b);
		if (cases[i].frags) {
			/* bpfhost has one buffer per frame: refused with a reason, not run half. */
			ASSERT_EQ(k->err, 0, cases[i].what);
			ASSERT_EQ(b->err, -EOPNOTSUPP, cases[i].what);
			continue;
		}
		pkt_diff_agree(k, b, cases[i].what);
	}
	pkt_diff_teardown(&d);
}

/*
 * The xdp_md rules against the kernel's verifier: every access kind, size
 * and offset (a few outside the struct too). The verifier refusing the
 * program must be bpfhost faulting at run time on the context, accepting
 * must be running; loads of ingress_ifindex and rx_queue_index must agree
 * in value (pointer loads are kept out of r0: their values are addresses).
 */
static void t_ctx_access_agrees(void)
{
	static const uint32_t ctx[6] = { 0, 64, 0, 1, 0, 0 };
	struct ctx_sweep sw = { .prog_type = BPF_PROG_TYPE_XDP, .what = "xdp_md", .data = frame, .data_size = 64,
				.ctx = ctx, .ctx_size = sizeof(ctx) };
	char reason[128];

	if (kbpf_probe(reason, sizeof(reason))) {
		printf("SKIP: bpf(2) not available (%s); kernel comparison skipped\n", reason);
		return;
	}
	make_frame(frame, 200);
	for (int kind = 0; kind < CTX_KINDS; kind++)
		for (int off = -8; off < 32; off++)
			for (int s = 0; s < 4; s++)
				ctx_sweep_one(&sw, kind, s, (int16_t)off, kind <= CTX_LDXS && off >= 12 && off < 24);
	ctx_sweep_report(&sw);
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_kernel_agrees), TEST(t_ctx_rules_agree),
						   TEST(t_ctx_access_agrees) };

	return test_run("kernel_xdp_diff", cases, sizeof(cases) / sizeof(cases[0]));
}
