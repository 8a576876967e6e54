// SPDX-License-Identifier: MIT
/*
 * The interpreter's inline checks for packet and context pointer accesses
 * (interp.c: access_ok's packet test, ldx_w's ctx->data path), run on
 * programs loaded without the verifier so that only the run-time checks
 * stand: every load and store of 1, 2, 4 and 8 bytes at every offset from
 * 16 bytes before data_meta to 16 past data_end completes exactly when it
 * lies inside data_meta..data_end (with and without metadata), and every
 * 4-byte context load of XDP's xdp_md completes exactly where the context
 * rules allow it, giving the packet pointers for data, data_end, data_meta.
 */
#include <stdbool.h>

#include "test.h"
#include "insn.h"
#include "prog_run.h"
#include "bpfhost/uapi.h"

#define FRAME 64u

static uint8_t frame[FRAME];

/* Runs @fd on the frame, @meta bytes of it metadata: the errno, r0 in *@r0. */
static int run(int fd, uint32_t meta, uint64_t *r0)
{
	uint32_t ctx[6] = { meta, FRAME, 0, 1, 0, 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = frame, .data_size_in = FRAME, .ctx_in = meta ? ctx : NULL,
		     .ctx_size_in = meta ? sizeof(ctx) : 0);
	int err = bpfhost_prog_test_run_opts(fd, &o);

	*r0 = o.retval;
	return err;
}

static const uint8_t sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
static const uint32_t bytes[] = { 1, 2, 4, 8 };

static void t_packet_bounds(void)
{
	for (uint32_t meta = 0; meta <= 8; meta += 8) {
		for (int32_t off = -16 - (int32_t)meta; off <= (int32_t)(FRAME - meta) + 16; off++) {
			for (int s = 0; s < 4; s++) {
				for (int store = 0; store < 2; store++) {
					/* r2 = data_meta + meta + off (= data + off); then the access at r2. */
					const struct bpf_insn p[] = {
						LDX_MEM(BPF_W, 2, 1, 8), LDX_MEM(BPF_W, 3, 1, 0), ALU64_IMM(BPF_ADD, 2, (int32_t)meta),
						ALU64_IMM(BPF_ADD, 2, off),
						store ? STX_MEM(sizes[s], 2, 3, 0) : LDX_MEM(sizes[s], 4, 2, 0),
						MOV64_IMM(0, XDP_PASS), EXIT(),
					};
					int fd = test_prog_load_flags(BPF_PROG_TYPE_XDP, "pkt", p, sizeof(p) / sizeof(p[0]),
								      BPFHOST_F_TEST_UNVERIFIED);
					bool inside = off >= -(int32_t)meta && off + (int32_t)bytes[s] <= (int32_t)(FRAME - meta);
					char what[96];
					uint64_t r0 = 0;
					int err;

					ASSERT_GE(fd, 0, "load");
					err = run(fd, meta, &r0);
					snprintf(what, sizeof(what), "%s of %u bytes at data%+d (metadata %u)",
						 store ? "store" : "load", bytes[s], off, meta);
					ASSERT_EQ(err, inside ? 0 : -EFAULT, what);
					if (inside)
						ASSERT_EQ(r0, XDP_PASS, what);
					bpfhost_close(fd);
				}
			}
		}
	}
}

/* Every 4-byte load in xdp_md and just past it: the pointers, the plain fields, the refusals. */
static void t_ctx_loads(void)
{
	for (int32_t off = -4; off < 32; off++) {
		/* r0 = the loaded value minus data (pointers) or the value itself. */
		const struct bpf_insn p[] = {
			LDX_MEM(BPF_W, 2, 1, 0), LDX_MEM(BPF_W, 0, 1, (int16_t)off), ALU64_REG(BPF_SUB, 0, 2), EXIT(),
		};
		int fd = test_prog_load_flags(BPF_PROG_TYPE_XDP, "ctx", p, sizeof(p) / sizeof(p[0]),
					      BPFHOST_F_TEST_UNVERIFIED);
		bool ok = off >= 0 && off < 24 && !(off & 3) && off != 20;	/* egress_ifindex: not for plain XDP */
		uint64_t r0 = 0;
		char what[64];
		int err;

		ASSERT_GE(fd, 0, "load");
		err = run(fd, 8, &r0);
		snprintf(what, sizeof(what), "4-byte context load at %d", off);
		ASSERT_EQ(err, ok ? 0 : -EFAULT, what);
		bpfhost_close(fd);
		if (!ok)
			continue;
		if (off == 0)
			ASSERT_EQ((uint32_t)r0, 0, "data - data");
		if (off == 4)
			ASSERT_EQ((uint32_t)r0, FRAME - 8, "data_end - data: the frame less its metadata");
		if (off == 8)
			ASSERT_EQ((uint32_t)r0, (uint32_t)-8, "data_meta - data: the metadata before data");
	}
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_packet_bounds), TEST(t_ctx_loads) };

	for (uint32_t i = 0; i < FRAME; i++)
		frame[i] = (uint8_t)i;
	return test_run("interp_packet", cases, sizeof(cases) / sizeof(cases[0]));
}
