// SPDX-License-Identifier: MIT
/*
 * Context access rules (issue 10, item 8): a program may load and store
 * only what its type's field table allows. The socket filter follows
 * Linux's __sk_buff rules (stores to cb[] only; data, data_end and the
 * other fields Linux refuses are not readable; narrow loads as Linux
 * allows them), compared offset by offset with the running kernel's
 * verifier where bpf(2) is available. Extension types get the same
 * enforcement from their table; a bad table fails the registration; a
 * module without a table keeps the old rules.
 */
#include <dlfcn.h>

#include "test.h"
#include "insn_build.h"
#include "ctx_sweep.h"
#include "kernel_bpf.h"
#include "test_prog_provider.h"

#include "bpfhost/uapi.h"

#define TPP_MODULE BPFHOST_TEST_MODULE_DIR "/test_prog_provider.so"
#define TPP_TYPE 4200u

/* struct __sk_buff offsets (uapi_layout_test checks them against <linux/bpf.h>). */
#define SKB_LEN 0
#define SKB_PKT_TYPE 4
#define SKB_MARK 8
#define SKB_PROTOCOL 16
#define SKB_IFINDEX 40
#define SKB_CB 48
#define SKB_TC_CLASSID 72
#define SKB_DATA 76
#define SKB_DATA_END 80
#define SKB_DATA_META 140
#define SKB_TSTAMP 152
#define SKB_WIRE_LEN 160
#define SKB_SK 168
#define SKB_SIZE 192

static uint8_t pkt[64];

static void pkt_init(void)
{
	memset(pkt, 0, sizeof(pkt));
	pkt[12] = 0x08;	/* ETH_P_IP */
	for (size_t i = 14; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)i;
	pkt[14] = 0x45;	/* an IPv4 header's first byte */
}

static int load(uint32_t type, const char *name, const struct bpf_insn *insns, size_t n)
{
	return bpfhost_prog_load(type, name, "GPL", insns, n, NULL);
}
#define LOAD(type, name, ...)                                                           \
	({                                                                               \
		const struct bpf_insn p_[] = { __VA_ARGS__ };                            \
		load(type, name, p_, sizeof(p_) / sizeof(p_[0]));                        \
	})
#define SOCK(name, ...) LOAD(BPF_PROG_TYPE_SOCKET_FILTER, name, __VA_ARGS__)

/* A socket filter test run on pkt: the errno; *ret gets r0, ctx_out (192 bytes) if given. */
static int run_skb(int fd, uint32_t *ret, const uint8_t *ctx_in, size_t ctx_size, uint8_t *ctx_out)
{
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
		     .ctx_in = ctx_in, .ctx_size_in = (uint32_t)ctx_size, .ctx_out = ctx_out,
		     .ctx_size_out = ctx_out ? SKB_SIZE : 0);
	int err = bpfhost_prog_test_run_opts(fd, &o);

	if (ret)
		*ret = o.retval;
	return err;
}

/* Loads and runs a socket filter; expects -EFAULT and @msg in the message. */
static void expect_refused(const char *name, const struct bpf_insn *insns, size_t n, const char *msg)
{
	int fd = load(BPF_PROG_TYPE_SOCKET_FILTER, name, insns, n);

	ASSERT_EQ(fd, -EACCES, "the verifier refuses it at load");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "context", name);
	/* Loaded without the verifier, the run-time check stops it too. */
	fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, name, insns, n, BPFHOST_F_TEST_UNVERIFIED);
	ASSERT_GE(fd, 0, name);
	ASSERT_EQ(run_skb(fd, NULL, NULL, 0, NULL), -EFAULT, name);
	ASSERT_STR_CONTAINS(bpfhost_last_error(), msg, name);
	bpfhost_close(fd);
}
#define REFUSED(name, msg, ...)                                                         \
	do {                                                                             \
		const struct bpf_insn p_[] = { __VA_ARGS__ };                            \
		expect_refused(name, p_, sizeof(p_) / sizeof(p_[0]), msg);              \
	} while (0)

/* The finding: a socket filter wrote skb->len. Linux lets it write cb[] only. */
static void t_socket_filter_writes(void)
{
	REFUSED("len_stx", "context field 'len' (offset 0) is read-only for program type socket_filter",
		MOV64_IMM(2, 1000), STX(BPF_W, 1, 2, SKB_LEN), MOV64_IMM(0, 0), EXIT());
	REFUSED("len_st", "context field 'len' (offset 0) is read-only for program type socket_filter",
		ST(BPF_W, 1, SKB_LEN, 1000), MOV64_IMM(0, 0), EXIT());
	REFUSED("mark", "context field 'mark' (offset 8) is read-only", ST(BPF_W, 1, SKB_MARK, 1),
		MOV64_IMM(0, 0), EXIT());
	REFUSED("protocol_byte", "context field 'protocol' (offset 16) is read-only",
		ST(BPF_B, 1, SKB_PROTOCOL + 1, 1), MOV64_IMM(0, 0), EXIT());
	REFUSED("tstamp", "context field 'tstamp' (offset 152) is not accessible",
		ST(BPF_DW, 1, SKB_TSTAMP, 1), MOV64_IMM(0, 0), EXIT());
	REFUSED("cb_past_end", "a store of 8 bytes at context offset 64 runs past field 'cb' (offset 48, 20 bytes)",
		ST(BPF_DW, 1, SKB_CB + 16, 1), MOV64_IMM(0, 0), EXIT());
	REFUSED("cb_unaligned", "context field 'cb' (offset 48, 20 bytes) allows no store of 8 bytes at offset 52",
		ST(BPF_DW, 1, SKB_CB + 4, 1), MOV64_IMM(0, 0), EXIT());
	REFUSED("sk_write", "context field 'sk' (offset 168) is read-only", MOV64_IMM(2, 0),
		STX(BPF_DW, 1, 2, SKB_SK), MOV64_IMM(0, 0), EXIT());
	REFUSED("atomic_cb", "atomic operations may not touch the context (offset 48) of program type "
		"socket_filter", MOV64_IMM(2, 1), ATOM(BPF_W, BPF_ADD, 1, 2, SKB_CB), MOV64_IMM(0, 0), EXIT());
	REFUSED("past_ctx", "not in the stack, context", ST(BPF_W, 1, SKB_SIZE, 1), MOV64_IMM(0, 0), EXIT());

	/* The refused store changed nothing: len is still the frame minus its Ethernet header. */
	{
		int fd = SOCK("len_after", LDX(BPF_W, 0, 1, SKB_LEN), EXIT());
		uint32_t r = 0;

		ASSERT_OK(run_skb(fd, &r, NULL, 0, NULL), "run");
		ASSERT_EQ(r, sizeof(pkt) - 14, "len");
		bpfhost_close(fd);
	}
}

/* cb[0..4]: stores of 1, 2, 4 and 8 bytes aligned to their size, read back and in ctx_out. */
static void t_socket_filter_cb(void)
{
	uint8_t in[SKB_SIZE] = { 0 }, out[SKB_SIZE];
	uint32_t cb[5], r = 0;
	uint64_t dw;
	int fd = SOCK("cb_rw",
		      ST(BPF_W, 1, SKB_CB, 0x11111111), ST(BPF_W, 1, SKB_CB + 4, 0x22222222),
		      MOV64_IMM(2, 0x33333333), STX(BPF_W, 1, 2, SKB_CB + 8),
		      ST(BPF_H, 1, SKB_CB + 12, 0x4444), ST(BPF_B, 1, SKB_CB + 15, 0x55),
		      ST(BPF_W, 1, SKB_CB + 16, 0x66666666),
		      /* r0 = cb[1] + (u8)cb[3] + the dword cb[0..1] >> 32 */
		      LDX(BPF_W, 0, 1, SKB_CB + 4), LDX(BPF_B, 3, 1, SKB_CB + 12), ALU64_REG(BPF_ADD, 0, 3),
		      LDX(BPF_DW, 3, 1, SKB_CB), ALU64_IMM(BPF_RSH, 3, 32), ALU64_REG(BPF_ADD, 0, 3), EXIT());

	ASSERT_GE(fd, 0, "load");
	in[SKB_CB + 13] = 0x77;	/* a byte the program leaves alone */
	ASSERT_OK(run_skb(fd, &r, in, sizeof(in), out), "cb stores are allowed");
	ASSERT_EQ(r, 0x22222222u + 0x44 + 0x22222222u, "loads of cb read what was stored");
	memcpy(cb, out + SKB_CB, sizeof(cb));
	ASSERT_EQ(cb[0], 0x11111111, "cb[0] in ctx_out");
	ASSERT_EQ(cb[1], 0x22222222, "cb[1]");
	ASSERT_EQ(cb[2], 0x33333333, "cb[2]");
	ASSERT_EQ(cb[3], 0x55004444u, "cb[3]: a half-word and a byte; byte 13 stored over by the half-word");
	ASSERT_EQ(cb[4], 0x66666666, "cb[4]");
	bpfhost_close(fd);

	fd = SOCK("cb_dw", LD_IMM64(2, 0x0123456789abcdefull), STX(BPF_DW, 1, 2, SKB_CB + 8),
		  LDX(BPF_DW, 0, 1, SKB_CB + 8), ALU64_IMM(BPF_RSH, 0, 16), EXIT());
	ASSERT_OK(run_skb(fd, &r, NULL, 0, out), "an 8-byte store at cb[2]");
	ASSERT_EQ(r, (uint32_t)(0x0123456789abcdefull >> 16), "read back whole");
	memcpy(&dw, out + SKB_CB + 8, 8);
	ASSERT_EQ(dw, 0x0123456789abcdefull, "in ctx_out");
	bpfhost_close(fd);
}

/* Loads: the fields Linux lets a socket filter read give their values; the rest are refused. */
static void t_socket_filter_reads(void)
{
	uint8_t in[SKB_SIZE] = { 0 };
	uint32_t mark = 0xa1b2c3d4u, r = 0;
	struct {
		const char *name;
		struct bpf_insn ld;
		uint32_t want;
	} ok[] = {
		{ "len", LDX(BPF_W, 0, 1, SKB_LEN), sizeof(pkt) - 14 },
		{ "len low half", LDX(BPF_H, 0, 1, SKB_LEN), sizeof(pkt) - 14 },
		{ "len high half", LDX(BPF_H, 0, 1, SKB_LEN + 2), 0 },
		{ "len byte 0", LDX(BPF_B, 0, 1, SKB_LEN), sizeof(pkt) - 14 },
		{ "protocol", LDX(BPF_W, 0, 1, SKB_PROTOCOL), 0x0008 },
		{ "protocol byte 0", LDX(BPF_B, 0, 1, SKB_PROTOCOL), 0x08 },
		{ "pkt_type (PACKET_HOST)", LDX(BPF_W, 0, 1, SKB_PKT_TYPE), 0 },
		{ "ifindex (lo)", LDX(BPF_W, 0, 1, SKB_IFINDEX), 1 },
		{ "mark (ctx_in)", LDX(BPF_W, 0, 1, SKB_MARK), mark },
		{ "mark byte 3", LDX(BPF_B, 0, 1, SKB_MARK + 3), mark >> 24 },
		{ "mark half 1 signed", LDXS(BPF_H, 0, 1, SKB_MARK + 2), 0xffffa1b2u },
		{ "sk (no socket: NULL)", LDX(BPF_DW, 0, 1, SKB_SK), 0 },
	};

	memcpy(in + SKB_MARK, &mark, 4);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const struct bpf_insn p[] = { ok[i].ld, EXIT() };
		int fd = load(BPF_PROG_TYPE_SOCKET_FILTER, "read", p, 2);

		r = 0xdeadbeef;
		ASSERT_OK(run_skb(fd, &r, in, sizeof(in), NULL), ok[i].name);
		ASSERT_EQ(r, ok[i].want, ok[i].name);
		bpfhost_close(fd);
	}

	REFUSED("data", "context field 'data' (offset 76) is not accessible for program type socket_filter",
		LDX(BPF_W, 0, 1, SKB_DATA), EXIT());
	REFUSED("data_end", "context field 'data_end' (offset 80) is not accessible",
		LDX(BPF_W, 0, 1, SKB_DATA_END), EXIT());
	REFUSED("data_meta", "context field 'data_meta' (offset 140) is not accessible",
		LDX(BPF_W, 0, 1, SKB_DATA_META), EXIT());
	REFUSED("tc_classid", "context field 'tc_classid' (offset 72) is not accessible",
		LDX(BPF_W, 0, 1, SKB_TC_CLASSID), EXIT());
	REFUSED("wire_len", "context field 'wire_len' (offset 160) is not accessible",
		LDX(BPF_W, 0, 1, SKB_WIRE_LEN), EXIT());
	REFUSED("padding", "context offset 181 is in no field of program type socket_filter (padding)",
		LDX(BPF_B, 0, 1, 181), EXIT());
	/* Narrow loads: aligned parts only, never wider than the field. */
	REFUSED("len_dw", "a load of 8 bytes at context offset 0 runs past field 'len' (offset 0, 4 bytes)",
		LDX(BPF_DW, 0, 1, SKB_LEN), EXIT());
	REFUSED("len_h_unaligned", "context field 'len' (offset 0, 4 bytes) allows no load of 2 bytes at offset 1", LDX(BPF_H, 0, 1, SKB_LEN + 1), EXIT());
	REFUSED("len_w_straddle", "a load of 4 bytes at context offset 2 runs past field 'len'",
		LDX(BPF_W, 0, 1, SKB_LEN + 2), EXIT());
	REFUSED("sk_w", "context field 'sk' (offset 168, 8 bytes) allows no load of 4 bytes at offset 168 for "
		"program type socket_filter (accesses of the whole field only)", LDX(BPF_W, 0, 1, SKB_SK), EXIT());
}

/* Helpers that take the context still get it; a memory argument is never the context (Linux). */
static void t_socket_filter_helpers(void)
{
	uint32_t r = 0;
	/* bpf_skb_load_bytes(skb, 0, fp - 8, 4): the IPv4 header's first word. */
	int fd = SOCK("load_bytes", MOV64_IMM(2, 0), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -8),
		      MOV64_IMM(4, 4), CALL(BPF_FUNC_skb_load_bytes), JMP_IMM(BPF_JNE, 0, 0, 1),
		      LDX(BPF_W, 0, 10, -8), EXIT());

	ASSERT_OK(run_skb(fd, &r, NULL, 0, NULL), "PTR_TO_CTX argument");
	ASSERT_EQ(r, 0x45u | 15u << 8 | 16u << 16 | 17u << 24, "bytes copied");
	bpfhost_close(fd);
	/* The same into skb->len: the context is not memory a helper writes. */
	{
		const struct bpf_insn p[] = { MOV64_IMM(2, 0), MOV64_REG(3, 1), MOV64_IMM(4, 4),
					      CALL(BPF_FUNC_skb_load_bytes), EXIT() };

		ASSERT_EQ(load(BPF_PROG_TYPE_SOCKET_FILTER, "load_bytes_len", p, 5), -EACCES,
			  "the verifier refuses the context as a helper's memory");
		fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "load_bytes_len", p, 5,
					  BPFHOST_F_TEST_UNVERIFIED);
	}
	ASSERT_EQ(run_skb(fd, &r, NULL, 0, NULL), -EFAULT, "skb_load_bytes into skb->len");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "not writable stack, packet, map value or record memory",
			    "message");
	bpfhost_close(fd);
}

/* ---- extension types --------------------------------------------------- */

static struct tpp_control *tpp(void)
{
	static struct tpp_control *c;

	if (!c) {
		void *dl = dlopen(TPP_MODULE, RTLD_NOW | RTLD_LOCAL);
		struct tpp_control *(*control)(void);

		if (!dl) {
			fprintf(stderr, "cannot open %s: %s\n", TPP_MODULE, dlerror());
			exit(2);
		}
		control = (struct tpp_control * (*)(void)) dlsym(dl, "test_prog_provider_control");
		c = control();
	}
	return c;
}

static int tpp_load(enum tpp_ctx_mode mode, const struct bpfhost_context_field *fields, uint32_t n)
{
	tpp()->ctx_mode = mode;
	tpp()->fields = fields;
	tpp()->field_count = n;
	return bpfhost_extension_load(TPP_MODULE);
}

static char run_msg[512];	/* the message of run_tpp's test run (closing clears the core's) */

/* Runs a program of the module's type on a default context (value = 5): errno, *ret = r0. */
static int run_tpp(const char *name, const struct bpf_insn *insns, size_t n, uint32_t *ret,
		   uint8_t *ctx_out)
{
	uint8_t data[4] = { 9, 8, 7, 6 }, in[TPP_CTX_SIZE] = { 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = data, .data_size_in = sizeof(data),
		     .ctx_in = in, .ctx_size_in = sizeof(in), .ctx_out = ctx_out,
		     .ctx_size_out = ctx_out ? TPP_CTX_SIZE : 0);
	/* These exercise the run-time rules: the verifier's own refusals are tested elsewhere. */
	int fd = test_prog_load_flags(TPP_TYPE, name, insns, n, BPFHOST_F_TEST_UNVERIFIED), err;

	in[TPP_CTX_VALUE] = 5;
	ASSERT_GE(fd, 0, name);
	err = bpfhost_prog_test_run_opts(fd, &o);
	snprintf(run_msg, sizeof(run_msg), "%s", bpfhost_last_error());
	*ret = o.retval;
	bpfhost_close(fd);
	return err;
}
#define RUN_TPP(name, ret, out, ...)                                                     \
	({                                                                               \
		const struct bpf_insn p_[] = { __VA_ARGS__ };                            \
		run_tpp(name, p_, sizeof(p_) / sizeof(p_[0]), ret, out);                 \
	})

static void t_extension_table(void)
{
	uint8_t out[TPP_CTX_SIZE];
	uint32_t r = 0, v;
	int mod = tpp_load(TPP_CTX_FIELDS, NULL, 0);

	ASSERT_GE(mod, 0, "the module's table is accepted");
	/* data[0] through the packet pointers (whole loads), value narrow and whole. */
	ASSERT_OK(RUN_TPP("reads", &r, NULL, LDX(BPF_DW, 2, 1, TPP_CTX_DATA), LDX(BPF_B, 0, 2, 0),
			  LDX(BPF_H, 3, 1, TPP_CTX_VALUE), ALU64_REG(BPF_ADD, 0, 3), EXIT()), "reads");
	ASSERT_EQ(r, 9 + 5, "data[0] + value");
	ASSERT_OK(RUN_TPP("write_value", &r, out, ST(BPF_W, 1, TPP_CTX_VALUE, 77), MOV64_IMM(0, 0), EXIT()),
		  "value is writable");
	memcpy(&v, out + TPP_CTX_VALUE, 4);
	ASSERT_EQ(v, 77, "value in ctx_out");

	ASSERT_EQ(RUN_TPP("value_narrow_store", &r, NULL, ST(BPF_H, 1, TPP_CTX_VALUE, 1), MOV64_IMM(0, 0),
			  EXIT()), -EFAULT, "no narrow stores");
	ASSERT_STR_CONTAINS(run_msg, "context field 'value' (offset 16, 4 bytes) allows no "
			    "store of 2 bytes at offset 16 for program type testprog (accesses of the whole "
			    "field only)", "message");
	ASSERT_EQ(RUN_TPP("pad", &r, NULL, ST(BPF_W, 1, TPP_CTX_PAD, 1), MOV64_IMM(0, 0), EXIT()), -EFAULT,
		  "pad is in no field");
	ASSERT_STR_CONTAINS(run_msg, "context offset 20 is in no field of program type testprog",
			    "message");
	ASSERT_EQ(RUN_TPP("data_w", &r, NULL, LDX(BPF_W, 0, 1, TPP_CTX_DATA), EXIT()), -EFAULT,
		  "half a packet pointer");
	ASSERT_STR_CONTAINS(run_msg, "context field 'data' (offset 0, 8 bytes) allows no "
			    "load of 4 bytes at offset 0", "message");
	ASSERT_EQ(RUN_TPP("data_end_store", &r, NULL, MOV64_REG(2, 10), STX(BPF_DW, 1, 2, TPP_CTX_DATA_END),
			  MOV64_IMM(0, 0), EXIT()), -EFAULT, "packet pointers are read-only");
	ASSERT_STR_CONTAINS(run_msg, "context field 'data_end' (offset 8) is read-only for "
			    "program type testprog", "message");
	ASSERT_EQ(RUN_TPP("atomic_value", &r, NULL, MOV64_IMM(2, 1), ATOM(BPF_W, BPF_ADD, 1, 2, TPP_CTX_VALUE),
			  MOV64_IMM(0, 0), EXIT()), -EFAULT, "no atomics on a context with a table");
	ASSERT_STR_CONTAINS(run_msg, "atomic operations may not touch the context (offset 16) "
			    "of program type testprog", "message");
	/* Through the hook too (bpfhost_hook_trigger -> the link's invoke). */
	{
		const struct bpf_insn p[] = { ST(BPF_W, 1, TPP_CTX_PAD, 1), MOV64_IMM(0, 0), EXIT() };
		int fd = test_prog_load_flags(TPP_TYPE, "hooked_pad", p, 3, BPFHOST_F_TEST_UNVERIFIED), link;
		uint8_t data[2] = { 1, 2 };
		uint32_t cnt = 0, res = 0;

		link = bpfhost_link_create(fd, 0, 4300, NULL);
		ASSERT_GE(link, 0, "link");
		ASSERT_EQ(bpfhost_hook_trigger(4300, data, 2, &cnt, &res), -EFAULT, "the hook's run faults");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "context offset 20 is in no field", "message");
		bpfhost_close(link);
		bpfhost_close(fd);
	}
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

/*
 * A descriptor without a table (a module built before it, or none given):
 * read-only bytes of its declared size (the verifier's contract for
 * version-1 contexts); a type whose programs write their context declares
 * a field table.
 */
static void t_extension_no_table(void)
{
	static const enum tpp_ctx_mode modes[] = { TPP_CTX_V1, TPP_CTX_NO_FIELDS };

	for (size_t m = 0; m < 2; m++) {
		const char *what = modes[m] == TPP_CTX_V1 ? "v1 descriptor" : "no fields";
		const struct bpf_insn store[] = { ST(BPF_W, 1, TPP_CTX_PAD, 3), MOV64_IMM(0, 0), EXIT() };
		uint32_t r = 0;
		int mod = tpp_load(modes[m], NULL, 0);

		ASSERT_GE(mod, 0, what);
		ASSERT_OK(RUN_TPP("reads", &r, NULL, LDX(BPF_W, 0, 1, TPP_CTX_VALUE), LDX(BPF_B, 2, 1, TPP_CTX_PAD),
				  ALU64_REG(BPF_ADD, 0, 2), EXIT()), what);
		ASSERT_EQ(r, 5, "any load inside the context: value 5, pad 0");
		ASSERT_EQ(load(TPP_TYPE, "store", store, 3), -EACCES, "the verifier refuses a store");
		ASSERT_EQ(RUN_TPP("store", &r, NULL, ST(BPF_W, 1, TPP_CTX_PAD, 3), MOV64_IMM(0, 0), EXIT()),
			  -EFAULT, "and the run-time rules too");
		ASSERT_EQ(RUN_TPP("atomic", &r, NULL, MOV64_IMM(2, 2), ATOM(BPF_W, BPF_ADD, 1, 2, TPP_CTX_VALUE),
				  MOV64_IMM(0, 0), EXIT()), -EFAULT, "atomics are stores");
		ASSERT_EQ(RUN_TPP("data_end_half", &r, NULL, ST(BPF_W, 1, TPP_CTX_DATA_END + 4, 0), MOV64_IMM(0, 0),
				  EXIT()), -EFAULT, what);
		ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	}
}

#define FIELD(name, off, size, flags) { BPFHOST_CONTEXT_FIELD_HEADER, name, off, size, flags }
#define F_RW (BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_WRITE)

/* Tables the core must refuse at registration, each with its message. */
static void t_extension_bad_tables(void)
{
	static const struct bpfhost_context_field ptrs[] = {
		FIELD("data", 0, 8, BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_PACKET_DATA),
		FIELD("data_end", 8, 8, BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_PACKET_END),
	};
	struct {
		const char *name;
		struct bpfhost_context_field f;
		const char *msg;
	} bad[] = {
		{ "overlap", FIELD("value2", 14, 4, F_RW), "fields[2] ('value2', offset 14, 4 bytes): overlaps "
		  "the descriptor's end pointer" },
		{ "past the end", FIELD("value", 20, 8, F_RW), "fields[2] ('value', offset 20, 8 bytes): runs "
		  "past the end of the context (24 bytes)" },
		{ "offset past the end", FIELD("value", 4096, 4, F_RW), "runs past the end of the context" },
		{ "empty", FIELD("value", 16, 0, F_RW), "fields[2] ('value', offset 16, 0 bytes): is empty" },
		{ "odd size", FIELD("value", 16, 3, F_RW), "a loaded or stored field is 1, 2, 4 or 8 bytes" },
		{ "unknown flag", FIELD("value", 16, 4, 0x100), "unknown flags 0x100" },
		{ "narrow without read", FIELD("value", 16, 4, BPFHOST_CONTEXT_FIELD_NARROW_READ),
		  "NARROW_READ needs READ" },
		{ "packet flag elsewhere", FIELD("value", 16, 8, BPFHOST_CONTEXT_FIELD_READ |
		  BPFHOST_CONTEXT_FIELD_PACKET_META), "PACKET_META needs the descriptor's meta pointer" },
		{ "no name", FIELD(NULL, 16, 4, F_RW), "bpfhost_context_descriptor.fields[2].name is NULL" },
	};
	static const struct bpfhost_context_field writable_ptr[] = {
		FIELD("data", 0, 8, F_RW | BPFHOST_CONTEXT_FIELD_PACKET_DATA),
	};
	static const struct bpfhost_context_field overlap[] = {
		FIELD("a", 16, 4, F_RW), FIELD("b", 18, 4, F_RW),
	};
	static const struct bpfhost_context_field hides_ptr[] = {
		FIELD("blob", 0, 16, BPFHOST_CONTEXT_FIELD_READ | BPFHOST_CONTEXT_FIELD_BYTES),
	};
	struct bpfhost_context_field three[3];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(three, ptrs, sizeof(ptrs));
		three[2] = bad[i].f;
		ASSERT_EQ(tpp_load(TPP_CTX_CUSTOM, three, 3), -EINVAL, bad[i].name);
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "module 'test_prog_provider", bad[i].name);
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "program type 4200", bad[i].name);
		ASSERT_STR_CONTAINS(bpfhost_last_error(), bad[i].msg, bad[i].name);
	}
	ASSERT_EQ(tpp_load(TPP_CTX_CUSTOM, writable_ptr, 1), -EINVAL, "writable packet pointer");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "a packet pointer may be READ (whole) only", "message");
	ASSERT_EQ(tpp_load(TPP_CTX_CUSTOM, overlap, 2), -EINVAL, "overlapping fields");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "fields[1] ('b', offset 18, 4 bytes) overlaps fields[0] "
			    "('a', offset 16, 4 bytes)", "message");
	ASSERT_EQ(tpp_load(TPP_CTX_CUSTOM, hides_ptr, 1), -EINVAL, "a buffer over the packet pointers");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "overlaps the descriptor's data pointer", "message");
	ASSERT_EQ(tpp_load(TPP_CTX_CUSTOM, NULL, 2), -EINVAL, "field_count without fields");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "field_count 2 but fields is NULL", "message");
	ASSERT_EQ(tpp_load(TPP_CTX_CUSTOM, overlap, 25), -EINVAL, "more fields than bytes");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "field_count 25 is more than the context's 24 bytes", "message");
	/* After all the refusals a good table still registers (nothing was left behind). */
	{
		int mod = tpp_load(TPP_CTX_FIELDS, NULL, 0);

		ASSERT_GE(mod, 0, "the good table");
		ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	}
}

/* ---- the kernel as the oracle ------------------------------------------- */

/*
 * Every offset (and a few outside the struct), size and kind of access:
 * the kernel's verifier refusing the program at load must be bpfhost
 * refusing it, and bpfhost refusing the access at run time (-EFAULT naming
 * the context) without its verifier; accepting must be allowing it. Where
 * both load the same stable field, the value must agree too.
 */
static void t_kernel_agrees(void)
{
	static const struct bpf_insn trivial[] = { MOV64_IMM(0, 0), EXIT() };
	struct ctx_sweep sw = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER, .what = "__sk_buff", .data = pkt,
				.data_size = sizeof(pkt) };
	char reason[128];
	int kfd;

	if (kbpf_probe(reason, sizeof(reason))) {
		printf("SKIP: bpf(2) not available (%s); kernel comparison skipped\n", reason);
		return;
	}
	kfd = kbpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, trivial, 2, "GPL", NULL, 0);
	if (kfd < 0) {
		printf("SKIP: the kernel refuses even a trivial socket filter (%d); comparison skipped\n", kfd);
		return;
	}
	kbpf_close(kfd);
	for (int kind = 0; kind < CTX_KINDS; kind++)
		for (int off = -8; off < SKB_SIZE + 8; off++)
			for (int s = 0; s < 4; s++) {
				sw.fault_msg = off < 0 || off >= SKB_SIZE ? "not in the stack, context" : "context";
				/*
				 * Values of len, pkt_type, mark, queue_mapping, protocol: fields both
				 * sides fill alike (no timestamps, hashes, sockets). Not the 2-byte
				 * load of protocol's upper half: Linux backs protocol with a 2-byte
				 * skb field and loads that whole instead of the upper half (the
				 * protocol again, where bpfhost reads the __u32's upper half, 0).
				 */
				ctx_sweep_one(&sw, kind, s, (int16_t)off,
					      kind <= CTX_LDXS && off >= 0 && off < 20 &&
						      !(off == SKB_PROTOCOL + 2 && s == 1));
			}
	ctx_sweep_report(&sw);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_socket_filter_writes), TEST(t_socket_filter_cb), TEST(t_socket_filter_reads),
		TEST(t_socket_filter_helpers), TEST(t_extension_table), TEST(t_extension_no_table),
		TEST(t_extension_bad_tables), TEST(t_kernel_agrees),
	};

	pkt_init();
	return test_run("ctx_access", cases, sizeof(cases) / sizeof(cases[0]));
}
