// SPDX-License-Identifier: MIT
/*
 * SCHED_CLS and SCHED_ACT (TC) in bpfhost alone (kernel_tc_diff_test
 * compares them with Linux): the section names, the __sk_buff fields a
 * test run fills (len and packet offsets from the MAC header, protocol,
 * pkt_type, the packet pointers), the frame after store/load_bytes,
 * change_tail and VLAN push/pop, ctx_in and ctx_out, the redirect report,
 * and helpers refused at load by name.
 */
#include "test.h"
#include "insn_build.h"
#include "prog_run.h"

#include "bpfhost/bpf.h"
#include "bpfhost/uapi.h"

/*
 * The types' run-time rules and helpers, with hand-built programs loaded
 * without the verifier (some of them break its rules on purpose); the
 * verifier's view of TC programs is kernel_tc_diff_test's.
 */
#define LOAD_TC(name, ...) LOAD_UNVERIFIED_TYPE(BPF_PROG_TYPE_SCHED_CLS, name, __VA_ARGS__)
/* Linux's helper ids (the core's uapi.h lists only those it shares with every type). */
#define FN_skb_store_bytes 9
#define FN_skb_vlan_push 18
#define FN_skb_vlan_pop 19
#define FN_skb_change_tail 38

static uint8_t frame[64];
static uint8_t out[4096];
static uint8_t ctx_out[192];

/* Runs @fd once on @len bytes of frame[] (ctx_in: @ctx_in if not NULL); the errno. */
static int run(int fd, uint32_t len, const void *ctx_in, uint32_t *retval, uint32_t *out_len)
{
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = frame, .data_size_in = len,
		     .data_out = out, .data_size_out = sizeof(out), .ctx_in = ctx_in,
		     .ctx_size_in = ctx_in ? 192 : 0, .ctx_out = ctx_in ? ctx_out : NULL,
		     .ctx_size_out = ctx_in ? sizeof(ctx_out) : 0);
	int err = bpfhost_prog_test_run_opts(fd, &o);

	*retval = o.retval;
	if (out_len)
		*out_len = o.data_size_out;
	return err;
}

static void ipv4_frame(void)
{
	memset(frame, 0, sizeof(frame));
	memset(frame, 0xff, 6);		/* broadcast: PACKET_MULTICAST on loopback */
	frame[12] = 0x08;		/* IPv4 */
	frame[14] = 0x45;
	frame[15] = 0x01;		/* ECT(1) */
}

static void t_sections(void)
{
	static const struct {
		const char *sec;
		uint32_t type, attach;
	} cases[] = {
		{ "tc", BPF_PROG_TYPE_SCHED_CLS, 0 },		{ "classifier", BPF_PROG_TYPE_SCHED_CLS, 0 },
		{ "tc/ingress", BPF_PROG_TYPE_SCHED_CLS, 46 },	{ "tc/egress", BPF_PROG_TYPE_SCHED_CLS, 47 },
		{ "tcx/ingress", BPF_PROG_TYPE_SCHED_CLS, 46 }, { "tcx/egress", BPF_PROG_TYPE_SCHED_CLS, 47 },
		{ "tc/other", BPF_PROG_TYPE_SCHED_CLS, 0 },	{ "action", BPF_PROG_TYPE_SCHED_ACT, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t type = 0, attach = 0;

		ASSERT_OK(bpfhost_prog_type_by_section(cases[i].sec, &type, &attach), cases[i].sec);
		ASSERT_EQ(type, cases[i].type, cases[i].sec);
		ASSERT_EQ(attach, cases[i].attach, cases[i].sec);
	}
	ASSERT_EQ(bpfhost_prog_type_by_section("tcx", &(uint32_t){ 0 }, &(uint32_t){ 0 }), -ENOENT,
		  "a longer word is not the tc prefix");
}

/* data/data_end/data_meta (4-byte loads at 76, 80, 140), len, protocol, pkt_type, ifindex. */
static void t_ctx_fields(void)
{
	uint32_t ret = 0;
	int ptrs = LOAD_TC("ptrs", LDX(BPF_W, 2, 1, 76), LDX(BPF_W, 3, 1, 80), LDX(BPF_W, 4, 1, 140),
			   MOV64_REG(0, 3), ALU64_REG(BPF_SUB, 0, 2), MOV64_REG(5, 2), ALU64_REG(BPF_SUB, 5, 4),
			   ALU64_IMM(BPF_LSH, 5, 16), ALU64_REG(BPF_ADD, 0, 5), LDX(BPF_B, 6, 2, 12),
			   ALU64_IMM(BPF_LSH, 6, 24), ALU64_REG(BPF_ADD, 0, 6), EXIT());
	int fields = LOAD_TC("fields", LDX(BPF_W, 0, 1, 0), LDX(BPF_W, 2, 1, 16), ALU64_IMM(BPF_LSH, 2, 8),
			     ALU64_REG(BPF_ADD, 0, 2), LDX(BPF_B, 2, 1, 4), ALU64_IMM(BPF_LSH, 2, 24),
			     ALU64_REG(BPF_ADD, 0, 2), LDX(BPF_W, 2, 1, 40), ALU64_IMM(BPF_LSH, 2, 28),
			     ALU64_REG(BPF_ADD, 0, 2), EXIT());
	int sx = LOAD_TC("sx", LDXS(BPF_W, 0, 1, 76), EXIT());

	ASSERT_GE(ptrs, 0, "load");
	ASSERT_GE(fields, 0, "load");
	ipv4_frame();
	ASSERT_OK(run(ptrs, 64, NULL, &ret, NULL), "run");
	ASSERT_EQ(ret, 64u | 0x08u << 24, "data at the MAC header, 64 bytes, data_meta == data");
	ASSERT_OK(run(fields, 64, NULL, &ret, NULL), "run");
	ASSERT_EQ(ret, 64u + (0x0008u << 8) + (2u << 24) + (1u << 28),
		  "len 64 (with the Ethernet header), protocol htons(ETH_P_IP), multicast, loopback");
	ASSERT_EQ(run(sx, 64, NULL, &ret, NULL), -EFAULT, "sign-extending load of data");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "packet pointer field at context offset 76", "says which");
	ASSERT_EQ(run(ptrs, 13, NULL, &ret, NULL), -EINVAL, "a frame shorter than an Ethernet header");
	ASSERT_EQ(run(ptrs, 33, NULL, &ret, NULL), -EINVAL, "an IPv4 frame without its IP header");
	bpfhost_close(ptrs);
	bpfhost_close(fields);
	bpfhost_close(sx);
}

/* store_bytes at 2, change_tail to 70 (zeroed), then VLAN push twice and the frame and tag seen. */
static void t_helpers(void)
{
	uint32_t ret = 0, n = 0;
	int fd = LOAD_TC("helpers", MOV64_REG(6, 1), ST(BPF_W, 10, -4, 0x0a0b0c0d),
			 MOV64_REG(1, 6), MOV64_IMM(2, 2), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -4),
			 MOV64_IMM(4, 4), MOV64_IMM(5, 0), CALL(FN_skb_store_bytes),
			 MOV64_REG(1, 6), MOV64_IMM(2, 70), MOV64_IMM(3, 0), CALL(FN_skb_change_tail),
			 MOV64_REG(1, 6), MOV64_IMM(2, 0x0081), MOV64_IMM(3, 5), CALL(FN_skb_vlan_push),
			 MOV64_REG(1, 6), MOV64_IMM(2, 0x0081), MOV64_IMM(3, 6), CALL(FN_skb_vlan_push),
			 /* r0 = vlan_present | vlan_tci << 8 | len << 16 */
			 LDX(BPF_W, 0, 6, 20), LDX(BPF_W, 2, 6, 24), ALU64_IMM(BPF_LSH, 2, 8),
			 ALU64_REG(BPF_ADD, 0, 2), LDX(BPF_W, 2, 6, 0), ALU64_IMM(BPF_LSH, 2, 16),
			 ALU64_REG(BPF_ADD, 0, 2), EXIT());
	int pop = LOAD_TC("pop", MOV64_REG(6, 1), CALL(FN_skb_vlan_pop), LDX(BPF_W, 0, 6, 0),
			  LDX(BPF_W, 2, 6, 16), ALU64_IMM(BPF_LSH, 2, 16), ALU64_REG(BPF_ADD, 0, 2), EXIT());

	ASSERT_GE(fd, 0, "load");
	ipv4_frame();
	ASSERT_OK(run(fd, 64, NULL, &ret, &n), "run");
	ASSERT_EQ(ret, 1u | 6u << 8 | 74u << 16, "the second tag is the skb's, the first went into the frame");
	ASSERT_EQ(n, 74u, "70 bytes and one tag");
	ASSERT_EQ(out[2], 0x0d, "stored at offset 2 (little-endian word)");
	ASSERT_EQ(out[5], 0x0a, "stored");
	ASSERT_TRUE(out[12] == 0x81 && out[13] == 0 && out[14] == 0 && out[15] == 5 && out[16] == 0x08,
		    "802.1Q tag 5 before the IPv4 ethertype");
	ASSERT_EQ(out[73], 0, "what change_tail added is zeroed");
	/* The frame with its tag, popped: the tag goes, protocol is the ethertype it carried. */
	memcpy(frame, out, sizeof(frame));
	ASSERT_GE(pop, 0, "load");
	ASSERT_OK(run(pop, 64, NULL, &ret, &n), "run");
	ASSERT_EQ(ret, 60u | 0x0008u << 16, "4 bytes less, protocol IPv4");
	ASSERT_TRUE(out[12] == 0x08 && out[13] == 0, "the ethertype follows the MAC addresses again");
	bpfhost_close(fd);
	bpfhost_close(pop);
}

/*
 * A program pushing tag after tag: each push but the first moves a tag
 * into the frame (4 bytes more). The buffer grows by half the frame each
 * time it is short, so 20,000 pushes copy the frame a few dozen times.
 */
static void t_many_pushes(void)
{
	uint8_t big[128];
	int fd = LOAD_TC("pushes", MOV64_REG(6, 1), MOV64_IMM(7, 0), MOV64_REG(1, 6), MOV64_IMM(2, 0x0081),
			 MOV64_IMM(3, 1), CALL(FN_skb_vlan_push), ALU64_IMM(BPF_ADD, 7, 1),
			 JMP_IMM(BPF_JLT, 7, 20000, -6), LDX(BPF_W, 0, 6, 0), EXIT());
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = frame, .data_size_in = 64, .data_out = big,
		     .data_size_out = sizeof(big));

	ASSERT_GE(fd, 0, "load");
	ipv4_frame();
	ASSERT_EQ(bpfhost_prog_test_run_opts(fd, &o), -ENOSPC, "the frame outgrew data_out");
	ASSERT_EQ(o.data_size_out, 64u + 4u * 19999u, "19,999 tags in the frame");
	ASSERT_TRUE(big[12] == 0x81 && big[13] == 0 && big[15] == 1, "the first bytes came back: a tag");
	bpfhost_close(fd);
}

/* ctx_in: the fields Linux takes; ctx_out: the ones it gives back, as the program left them. */
static void t_ctx_in_out(void)
{
	uint8_t ctx[192] = { 0 };
	uint32_t ret = 0, v;
	int fd = LOAD_TC("ctx", LDX(BPF_W, 0, 1, 8), ALU64_IMM(BPF_ADD, 0, 1), STX(BPF_W, 1, 0, 8),
			 ST(BPF_W, 1, 48, 77), LDX(BPF_W, 0, 1, 160), EXIT());

	ASSERT_GE(fd, 0, "load");
	ipv4_frame();
	memcpy(ctx + 8, &(uint32_t){ 41 }, 4);	/* mark */
	ASSERT_OK(run(fd, 64, ctx, &ret, NULL), "run");
	ASSERT_EQ(ret, 64u, "wire_len defaults to the length");
	memcpy(&v, ctx_out + 8, 4);
	ASSERT_EQ(v, 42u, "mark written back");
	memcpy(&v, ctx_out + 48, 4);
	ASSERT_EQ(v, 77u, "cb[0] written back");
	memcpy(&v, ctx_out + 40, 4);
	ASSERT_EQ(v, 1u, "ifindex: loopback");
	memcpy(ctx + 68, &(uint32_t){ 5 }, 4);	/* hash: not Linux's to set */
	ASSERT_EQ(run(fd, 64, ctx, &ret, NULL), -EINVAL, "hash in ctx_in");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "ctx_in may only set mark", "says what may be set");
	bpfhost_close(fd);
}

static void t_redirect(void)
{
	char log[4096];
	uint32_t ret = 0;
	int fd = LOAD_TC("redir", MOV64_IMM(1, 7), MOV64_IMM(2, 1), CALL(BPF_FUNC_redirect), EXIT());
	int bad = LOAD_TC("redir_flags", MOV64_IMM(1, 7), MOV64_IMM(2, 2), CALL(BPF_FUNC_redirect), EXIT());
	int n;

	ASSERT_GE(fd, 0, "load");
	ipv4_frame();
	bpfhost_trace_read(log, sizeof(log));	/* drain */
	ASSERT_OK(run(fd, 64, NULL, &ret, NULL), "run");
	ASSERT_EQ(ret, 7u, "TC_ACT_REDIRECT");
	n = bpfhost_trace_read(log, sizeof(log) - 1);
	log[n > 0 ? n : 0] = 0;
	ASSERT_STR_CONTAINS(log, "redir: insn 2: bpf_redirect: to ifindex 7 ingress", "the target is reported");
	ASSERT_OK(run(bad, 64, NULL, &ret, NULL), "run");
	ASSERT_EQ(ret, 2u, "flags other than BPF_F_INGRESS: TC_ACT_SHOT");
	bpfhost_close(fd);
	bpfhost_close(bad);
}

/* Helpers a type does not provide are refused at load, named. */
static void t_refused_by_name(void)
{
	ASSERT_EQ(LOAD_TC("xdp_helper", CALL(BPF_FUNC_xdp_adjust_head), EXIT()), -EINVAL, "XDP's helper");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "helper bpf_xdp_adjust_head (44) is not available to programs "
			    "of type 'sched_cls' (3)", "named");
	ASSERT_EQ(LOAD_UNVERIFIED_TYPE(BPF_PROG_TYPE_XDP, "tc_helper", CALL(FN_skb_store_bytes), EXIT()), -EINVAL,
		  "TC's helper");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "bpf_skb_store_bytes (9)", "named");
	ASSERT_EQ(LOAD_UNVERIFIED("sock_vlan", CALL(FN_skb_vlan_push), EXIT()), -EINVAL, "not a socket filter's");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "bpf_skb_vlan_push (18)", "named");
	ASSERT_EQ(LOAD_UNVERIFIED_TYPE(BPF_PROG_TYPE_SCHED_ACT, "cgrp", CALL(210), EXIT()), -EINVAL, "a 6.2 helper");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "bpf_cgrp_storage_get (210)", "named too");
	/* callx reaches helpers at run time: the message names the helper too. */
	{
		int fd = LOAD_TC("callx", MOV64_IMM(6, BPF_FUNC_xdp_adjust_head), CALLX(6), EXIT());
		uint32_t ret = 0;

		ASSERT_GE(fd, 0, "load");
		ipv4_frame();
		ASSERT_EQ(run(fd, 64, NULL, &ret, NULL), -EINVAL, "callx to XDP's helper");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "callx: r6 = 44 (bpf_xdp_adjust_head) is not a helper of "
				    "program type 'sched_cls'", "named");
		bpfhost_close(fd);
	}
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_sections), TEST(t_ctx_fields), TEST(t_helpers), TEST(t_many_pushes), TEST(t_ctx_in_out),
		TEST(t_redirect),
		TEST(t_refused_by_name),
	};

	return test_run("tc", cases, sizeof(cases) / sizeof(cases[0]));
}
