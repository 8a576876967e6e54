// SPDX-License-Identifier: MIT
/*
 * BPF_PROG_TYPE_XDP in bpfhost alone (kernel_xdp_diff_test compares it with
 * Linux): the section names, the ctx->data pointer loads and the context
 * rules around them, packet bounds that follow the adjusting helpers,
 * bpf_xdp_adjust_meta's limits and errors (Linux 6.18's source: this
 * kernel build refuses the helper), the redirect report, and the refusals
 * at load (helpers by name, LD_ABS, BPF_F_XDP_HAS_FRAGS elsewhere).
 */
#include "test.h"
#include "insn_build.h"
#include "prog_run.h"
#include "test_prog_provider.h"

#include <dlfcn.h>

#include "bpfhost/bpf.h"
#include "bpfhost/uapi.h"

#define LOAD_XDP(name, ...) LOAD_UNVERIFIED_TYPE(BPF_PROG_TYPE_XDP, name, __VA_ARGS__)

static uint8_t frame[64];
static uint8_t out[4096];

/* Runs @fd once on @len bytes of frame[] (ctx_in: metadata @meta if not 0); the errno. */
static int run(int fd, uint32_t len, uint32_t meta, uint32_t *retval, uint32_t *out_len)
{
	uint32_t ctx[6] = { meta, len, 0, 1, 0, 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = frame, .data_size_in = len,
		     .data_out = out, .data_size_out = sizeof(out), .ctx_in = meta ? ctx : NULL,
		     .ctx_size_in = meta ? sizeof(ctx) : 0);
	int err = bpfhost_prog_test_run_opts(fd, &o);

	*retval = o.retval;
	if (out_len)
		*out_len = o.data_size_out;
	return err;
}

static void t_sections(void)
{
	static const struct {
		const char *sec;
		uint32_t attach;
	} cases[] = {
		{ "xdp", BPF_XDP }, { "xdp.frags", BPF_XDP }, { "xdp/devmap", BPF_XDP_DEVMAP },
		{ "xdp/cpumap", BPF_XDP_CPUMAP }, { "xdp.frags/devmap", BPF_XDP_DEVMAP },
		{ "xdp.frags/cpumap", BPF_XDP_CPUMAP },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t type = 0, attach = 0;

		ASSERT_OK(bpfhost_prog_type_by_section(cases[i].sec, &type, &attach), cases[i].sec);
		ASSERT_EQ(type, BPF_PROG_TYPE_XDP, cases[i].sec);
		ASSERT_EQ(attach, cases[i].attach, cases[i].sec);
	}
	ASSERT_EQ(bpfhost_prog_type_by_section("xdpx", &(uint32_t){ 0 }, &(uint32_t){ 0 }), -ENOENT,
		  "a longer word is not the xdp prefix");
}

/* r2 = ctx->data, r3 = ctx->data_end (4-byte loads): the frame length, and a read through data. */
static void t_ctx_pointers(void)
{
	uint32_t ret = 0, n = 0;
	int fd = LOAD_XDP("len", LDX(BPF_W, 2, 1, 0), LDX(BPF_W, 3, 1, 4), LDX(BPF_W, 4, 1, 8),
			  MOV64_REG(0, 3), ALU64_REG(BPF_SUB, 0, 2),
			  /* data_meta == data without metadata: r0 += (data - meta) << 16 */
			  MOV64_REG(5, 2), ALU64_REG(BPF_SUB, 5, 4), ALU64_IMM(BPF_LSH, 5, 16),
			  ALU64_REG(BPF_ADD, 0, 5), LDX(BPF_B, 6, 2, 13), ALU64_IMM(BPF_LSH, 6, 24),
			  ALU64_REG(BPF_ADD, 0, 6), EXIT());

	ASSERT_GE(fd, 0, "load");
	frame[13] = 0x42;
	ASSERT_OK(run(fd, 64, 0, &ret, &n), "run");
	ASSERT_EQ(ret, 64u | 0x42u << 24, "data_end - data = 64, no metadata, frame byte 13");
	ASSERT_OK(run(fd, 64, 8, &ret, &n), "run with 8 bytes of metadata");
	ASSERT_EQ(ret, 56u | 8u << 16 | (uint32_t)frame[8 + 13] << 24, "56-byte frame after 8 of metadata");
	ASSERT_EQ(n, 64u, "data_out holds the metadata too");
	bpfhost_close(fd);
}

/* Loads and stores the xdp_md rules refuse: the run stops with -EFAULT naming the field. */
static void t_ctx_rules(void)
{
	static const struct {
		const char *what, *msg;
		struct bpf_insn insn;
	} cases[] = {
		{ "store to data", "'data' (offset 0) is read-only", STX(BPF_W, 1, 1, 0) },
		{ "store to ingress_ifindex", "'ingress_ifindex' (offset 12) is read-only",
		  ST(BPF_W, 1, 12, 5) },
		{ "2-byte load of data", "'data'", LDX(BPF_H, 0, 1, 0) },
		{ "8-byte load of data", "'data'", LDX(BPF_DW, 0, 1, 0) },
		{ "load of egress_ifindex", "'egress_ifindex' (offset 20) is not accessible",
		  LDX(BPF_W, 0, 1, 20) },
		{ "load past xdp_md (the kept pointers)", "not in the stack, context", LDX(BPF_DW, 0, 1, 24) },
		{ "sign-extending load of data_end", "sign-extending load of the packet pointer field at "
		  "context offset 4", LDXS(BPF_W, 0, 1, 4) },
		{ "atomic add to rx_queue_index", "'rx_queue_index' (offset 16) is read-only",
		  ATOM(BPF_W, BPF_ADD, 1, 1, 16) },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t ret = 0;
		int fd = LOAD_XDP("rule", MOV64_IMM(0, 2), cases[i].insn, MOV64_IMM(0, 2), EXIT());

		ASSERT_GE(fd, 0, cases[i].what);
		ASSERT_EQ(run(fd, 64, 0, &ret, NULL), -EFAULT, cases[i].what);
		ASSERT_STR_CONTAINS(bpfhost_last_error(), cases[i].msg, cases[i].what);
		bpfhost_close(fd);
	}
}

/* After an adjusting helper, pointers from before it are checked against the new bounds. */
static void t_packet_follows_helpers(void)
{
	uint32_t ret = 0, n = 0;
	/* Keep data_end - 1, shrink the tail by 10, then read the old last byte. */
	int tail = LOAD_XDP("tail", MOV64_REG(6, 1), LDX(BPF_W, 7, 1, 4), ALU64_IMM(BPF_ADD, 7, -1),
			    MOV64_IMM(2, -10), CALL(BPF_FUNC_xdp_adjust_tail), LDX(BPF_B, 0, 7, 0), EXIT());
	/* Keep data, pull the head by 4, then read the old first byte. */
	int head = LOAD_XDP("head", MOV64_REG(6, 1), LDX(BPF_W, 7, 1, 0), MOV64_IMM(2, 4),
			    CALL(BPF_FUNC_xdp_adjust_head), LDX(BPF_B, 0, 7, 0), EXIT());
	/* Grow the tail by 8: the new bytes are zero and writable through the new data_end. */
	int grow = LOAD_XDP("grow", MOV64_REG(6, 1), MOV64_IMM(2, 8), CALL(BPF_FUNC_xdp_adjust_tail),
			    MOV64_REG(8, 0), LDX(BPF_W, 7, 6, 4), LDX(BPF_B, 0, 7, -1),
			    ALU64_REG(BPF_OR, 0, 8), ST(BPF_B, 7, -2, 0x77), EXIT());

	ASSERT_GE(tail, 0, "load tail");
	ASSERT_GE(head, 0, "load head");
	ASSERT_GE(grow, 0, "load grow");
	ASSERT_EQ(run(tail, 64, 0, &ret, NULL), -EFAULT, "the old tail is outside the packet now");
	ASSERT_EQ(run(head, 64, 0, &ret, NULL), -EFAULT, "the old head is outside the packet now");
	memset(frame, 0xab, sizeof(frame));
	ASSERT_OK(run(grow, 64, 0, &ret, &n), "grow");
	ASSERT_EQ(ret, 0u, "adjust_tail returned 0 and the grown byte reads 0");
	ASSERT_EQ(n, 72u, "data_out is 8 bytes longer");
	ASSERT_EQ(out[63], 0xab, "the frame is kept");
	ASSERT_EQ(out[70], 0x77, "the store through the new data_end landed");
	ASSERT_EQ(out[71], 0, "the grown tail is zeroed");
	bpfhost_close(tail);
	bpfhost_close(head);
	bpfhost_close(grow);
}

/*
 * Repeats of a test run share the context and its run state (test_run.c),
 * as Linux's bpf_test_run runs every repeat on the same xdp_buff: each
 * repeat sees the frame where the last one left it, and its packet bounds
 * follow. Each pulls the head by 4 and returns the byte now at data.
 */
static void t_repeats(void)
{
	int fd = LOAD_XDP("pull", MOV64_REG(6, 1), MOV64_IMM(2, 4), CALL(BPF_FUNC_xdp_adjust_head),
			  LDX(BPF_W, 7, 6, 0), LDX(BPF_W, 8, 6, 4), MOV64_REG(3, 7), ALU64_IMM(BPF_ADD, 3, 1),
			  JMP_REG(BPF_JGT, 3, 8, 2), LDX(BPF_B, 0, 7, 0), EXIT(), MOV64_IMM(0, 255), EXIT());
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = frame, .data_size_in = 64, .data_out = out,
		     .data_size_out = sizeof(out), .repeat = 3);

	ASSERT_GE(fd, 0, "load pull");
	for (int i = 0; i < 64; i++)
		frame[i] = (uint8_t)i;
	ASSERT_OK(bpfhost_prog_test_run_opts(fd, &o), "repeat 3");
	ASSERT_EQ(o.retval, 12u, "the third repeat starts 8 bytes in and pulls 4 more");
	ASSERT_EQ(o.data_size_out, 52u, "data_out: the frame less 12 bytes");
	ASSERT_EQ(out[0], 12, "data_out starts at data");
	o.repeat = 1;
	o.data_size_out = sizeof(out);
	ASSERT_OK(bpfhost_prog_test_run_opts(fd, &o), "a new test run");
	ASSERT_EQ(o.retval, 4u, "a new test run starts on the frame as given");
	bpfhost_close(fd);
}

/*
 * bpf_xdp_adjust_meta(ctx, delta) as Linux 6.18's source: the metadata may
 * not reach into the struct xdp_frame at the page's start (-EINVAL), nor
 * past data (-EINVAL); its length is a multiple of 4 (-EACCES).
 */
static void t_adjust_meta(void)
{
	static const struct {
		int32_t delta;
		int32_t ret;
		uint32_t out_len;
	} cases[] = {
		{ -8, 0, 72 }, { -216, 0, 280 }, { -220, -EINVAL, 64 }, { 4, -EINVAL, 64 },
		{ -6, -EACCES, 64 }, { 0, 0, 64 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];
		uint32_t ret = 0, n = 0;
		/* adjust_meta(delta); then write 0x5a to the first metadata byte if there is one. */
		int fd = LOAD_XDP("meta", MOV64_REG(6, 1), MOV64_IMM(2, cases[i].delta),
				  CALL(BPF_FUNC_xdp_adjust_meta), LDX(BPF_W, 2, 6, 8), LDX(BPF_W, 3, 6, 0),
				  JMP_REG(BPF_JGE, 2, 3, 1), ST(BPF_B, 2, 0, 0x5a), EXIT());

		snprintf(name, sizeof(name), "adjust_meta(%d)", cases[i].delta);
		ASSERT_GE(fd, 0, name);
		memset(frame, 0xab, sizeof(frame));
		ASSERT_OK(run(fd, 64, 0, &ret, &n), name);
		ASSERT_EQ((int32_t)ret, cases[i].ret, name);
		ASSERT_EQ(n, cases[i].out_len, name);
		if (cases[i].out_len > 64)
			ASSERT_EQ(out[0], 0x5a, "the metadata leads data_out");
		ASSERT_EQ(out[n - 1], 0xab, "the frame follows it");
		bpfhost_close(fd);
	}
}

static void t_redirect(void)
{
	char log[4096];
	uint32_t ret = 0;
	int fd = LOAD_XDP("redir", MOV64_IMM(1, 7), MOV64_IMM(2, 0), CALL(BPF_FUNC_redirect), EXIT());
	int flags = LOAD_XDP("redir_flags", MOV64_IMM(1, 7), MOV64_IMM(2, 1), CALL(BPF_FUNC_redirect), EXIT());
	int n;

	ASSERT_GE(fd, 0, "load");
	bpfhost_trace_read(log, sizeof(log));	/* drain */
	ASSERT_OK(run(fd, 64, 0, &ret, NULL), "run");
	ASSERT_EQ(ret, (uint32_t)XDP_REDIRECT, "verdict");
	n = bpfhost_trace_read(log, sizeof(log) - 1);
	log[n > 0 ? n : 0] = 0;
	ASSERT_STR_CONTAINS(log, "redir: insn 2: bpf_redirect: XDP_REDIRECT to ifindex 7", "the target is reported");
	ASSERT_OK(run(flags, 64, 0, &ret, NULL), "run with flags");
	ASSERT_EQ(ret, (uint32_t)XDP_ABORTED, "flags make it XDP_ABORTED");
	bpfhost_close(fd);
	bpfhost_close(flags);
}

static void t_refused_at_load(void)
{
	BPFHOST_OPTS(bpfhost_prog_load_opts, frags, .prog_flags = BPF_F_XDP_HAS_FRAGS);
	const struct bpf_insn ret2[] = { MOV64_IMM(0, 2), EXIT() };
	uint32_t ret = 0;
	int fd;

	ASSERT_EQ(LOAD_XDP("fib", CALL(BPF_FUNC_fib_lookup), EXIT()), -EINVAL, "bpf_fib_lookup");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "helper bpf_fib_lookup (69) is not available to programs "
			    "of type 'xdp' (6)", "named");
	ASSERT_EQ(LOAD_XDP("skb", CALL(BPF_FUNC_skb_load_bytes), EXIT()), -EINVAL, "bpf_skb_load_bytes");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "bpf_skb_load_bytes", "named");
	ASSERT_EQ(LOAD_UNVERIFIED("sock_adjust", CALL(BPF_FUNC_xdp_adjust_head), EXIT()), -EINVAL,
		  "XDP helpers are XDP's");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "bpf_xdp_adjust_head", "named");
	ASSERT_EQ(LOAD_XDP("ldabs", MOV64_REG(6, 1), LD_ABS(BPF_B, 0), EXIT()), -EINVAL, "LD_ABS");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "LD_ABS and LD_IND are not allowed", "LD_ABS");
	fd = bpfhost_prog_load(BPF_PROG_TYPE_XDP, "frags", "GPL", ret2, 2, &frags);
	ASSERT_GE(fd, 0, "xdp.frags programs load");
	ASSERT_OK(run(fd, 64, 0, &ret, NULL), "and run");
	ASSERT_EQ(ret, (uint32_t)XDP_PASS, "verdict");
	bpfhost_close(fd);
	ASSERT_EQ(bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "frags", "GPL", ret2, 2, &frags), -EINVAL,
		  "BPF_F_XDP_HAS_FRAGS is XDP's");
	for (int k = 0; k < 2; k++) {
		BPFHOST_OPTS(bpfhost_prog_load_opts, devmap,
			     .expected_attach_type = k ? BPF_XDP_CPUMAP : BPF_XDP_DEVMAP);

		fd = bpfhost_prog_load(BPF_PROG_TYPE_XDP, "entry", "GPL", ret2, 2, &devmap);
		ASSERT_GE(fd, 0, "a DEVMAP/CPUMAP entry program loads");
		ASSERT_EQ(run(fd, 64, 0, &ret, NULL), -EINVAL, "but is not test-run, as on Linux");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), k ? "CPUMAP" : "DEVMAP", "says which");
		bpfhost_close(fd);
	}
	/* A helper's context argument must be the context itself. */
	fd = LOAD_XDP("notctx", MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8), ST(BPF_DW, 10, -8, 0),
		      MOV64_IMM(2, 4), CALL(BPF_FUNC_xdp_adjust_head), EXIT());
	ASSERT_GE(fd, 0, "load");
	ASSERT_EQ(run(fd, 64, 0, &ret, NULL), -EFAULT, "adjust_head on the stack");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "not the program's context", "says why");
	bpfhost_close(fd);
}

/*
 * A hook provider (an extension, less trusted) that says it runs XDP
 * programs would hand them a context of its own making, where the core
 * reads the packet pointers after xdp_md: linking is refused.
 */
static void t_no_hook_for_builtin(void)
{
	const char *path = BPFHOST_TEST_MODULE_DIR "/test_prog_provider.so";
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	struct tpp_control *(*control)(void) = dl ? (struct tpp_control * (*)(void)) dlsym(dl,
		"test_prog_provider_control") : NULL;
	int fd, sock, mod;

	ASSERT_TRUE(control != NULL, "the test module opens");
	if (!control)
		return;
	control()->hook_program_type = BPF_PROG_TYPE_XDP;
	mod = bpfhost_extension_load(path);
	ASSERT_GE(mod, 0, "load the module with a hook for XDP programs");
	fd = LOAD_XDP("hooked", MOV64_IMM(0, 2), EXIT());
	ASSERT_GE(fd, 0, "load");
	ASSERT_EQ(bpfhost_link_create(fd, 0, 4300, NULL), -EINVAL, "no link");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "cannot run programs of the built-in type 'xdp'", "says why");
	sock = LOAD_UNVERIFIED("hooked_sock", MOV64_IMM(0, 0), EXIT());
	ASSERT_GE(sock, 0, "load");
	ASSERT_EQ(bpfhost_link_create(sock, 0, 4300, NULL), -EINVAL, "nor for a socket filter");
	bpfhost_close(fd);
	bpfhost_close(sock);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	control()->hook_program_type = 0;
	dlclose(dl);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_sections), TEST(t_ctx_pointers), TEST(t_ctx_rules), TEST(t_packet_follows_helpers),
		TEST(t_repeats),
		TEST(t_adjust_meta), TEST(t_redirect), TEST(t_refused_at_load), TEST(t_no_hook_for_builtin),
	};

	return test_run("xdp", cases, sizeof(cases) / sizeof(cases[0]));
}
