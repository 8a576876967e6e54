// SPDX-License-Identifier: MIT
/*
 * Programs through the command entry point: BPF_PROG_LOAD and its
 * refusals, BPF_PROG_TEST_RUN on the built-in socket filter type (Linux's
 * __sk_buff offsets and eth_type_trans rules), every core helper, faults
 * at run time, tail calls (limit 33), ids, info, pins, and bind-map.
 */
#include "test.h"
#include "insn.h"

#include "bpfhost/uapi.h"
#include "epoch/epoch.h"

#define SKB_LEN_OFF 0
#define SKB_PKT_TYPE_OFF 4
#define SKB_PROTOCOL_OFF 16

static uint8_t pkt[64];

static void pkt_init(void)
{
	memset(pkt, 0, sizeof(pkt));
	pkt[12] = 0x08;	/* ETH_P_IP, network order */
	pkt[13] = 0x00;
	for (size_t i = 14; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)i;
}

static char log_buf[4096];

static int load_type(uint32_t type, const char *name, const struct bpf_insn *insns, size_t n)
{
	/*
	 * These tests are about the structural check and the interpreter's
	 * run-time checks: their programs load without the verifier, whose
	 * own tests are verifier_*_test.
	 */
	BPFHOST_OPTS(bpfhost_prog_load_opts, opts, .log_buf = log_buf, .log_size = sizeof(log_buf),
		     .log_level = 1, .prog_flags = BPFHOST_F_TEST_UNVERIFIED);

	return bpfhost_prog_load(type, name, "GPL", insns, n, &opts);
}

static int load(const char *name, const struct bpf_insn *insns, size_t n)
{
	return load_type(BPF_PROG_TYPE_SOCKET_FILTER, name, insns, n);
}
#define LOAD(name, ...)                                                                 \
	({                                                                               \
		const struct bpf_insn p_[] = { __VA_ARGS__ };                            \
		load(name, p_, sizeof(p_) / sizeof(p_[0]));                              \
	})

/* Test run on the packet: returns the errno, *ret gets r0. */
static int run(int fd, uint32_t *ret)
{
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));
	int err = bpfhost_prog_test_run_opts(fd, &o);

	*ret = o.retval;
	return err;
}

static uint32_t run_ok(int fd)
{
	uint32_t r = 0xdeadbeef;

	ASSERT_OK(run(fd, &r), "test run");
	return r;
}

static void t_basic(void)
{
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1000);
	int fd = LOAD("basic", MOV64_IMM(0, 42), EXIT());
	uint8_t out[128];

	ASSERT_GE(fd, 0, "load");
	o.data_out = out;
	o.data_size_out = sizeof(out);
	ASSERT_OK(bpfhost_prog_test_run_opts(fd, &o), "test run x1000");
	ASSERT_EQ(o.retval, 42, "retval");
	ASSERT_EQ(o.data_size_out, sizeof(pkt), "data_size_out is the frame");
	ASSERT_EQ(memcmp(out, pkt, sizeof(pkt)), 0, "data_out is the frame");
	o.data_size_out = 10;
	ASSERT_EQ(bpfhost_prog_test_run_opts(fd, &o), -ENOSPC, "data_out too small");
	ASSERT_EQ(o.data_size_out, sizeof(pkt), "full size reported on ENOSPC");
	bpfhost_close(fd);
}

static void t_load_refusals(void)
{
	struct bpf_insn big[2] = { MOV64_IMM(0, 0), EXIT() };
	int fd;

	ASSERT_EQ(load("empty", big, 0), -EINVAL, "no instructions");
	ASSERT_EQ(bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "big", "GPL", big, BPFHOST_MAX_INSNS + 1, NULL),
		  -E2BIG, "over the size limit");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "over the limit", "size message");
	ASSERT_EQ(load_type(4999, "nope", big, 2), -EINVAL, "unknown program type");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "program type 4999", "type message");
	ASSERT_STR_CONTAINS(log_buf, "program type 4999", "message also in the log buffer");
	fd = LOAD("badhelper", CALL(9999), EXIT());
	ASSERT_EQ(fd, -EINVAL, "unknown helper");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "insn 0: unknown helper 9999", "helper message");
	fd = LOAD("skbbytes", MOV64_IMM(2, 0), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -8), MOV64_IMM(4, 8),
		  CALL(BPF_FUNC_skb_load_bytes), EXIT());
	ASSERT_GE(fd, 0, "skb_load_bytes is a socket filter helper");
	bpfhost_close(fd);
	fd = LOAD("badmap", LD_MAP_FD(1, 777), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(fd, -EBADF, "lddw of a handle that is not open");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "insn 0: lddw refers to handle 777", "map message");
	fd = LOAD("bad-name", MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(fd, -EINVAL, "program name with '-'");
	fd = LOAD("kfunc", INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 5), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(fd, -EINVAL, "kfunc call");
	fd = LOAD("jumpout", JA(5), EXIT());
	ASSERT_EQ(fd, -EINVAL, "jump outside the program");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "'jumpout'", "structure message names the program");
	fd = LOAD("noexit", MOV64_IMM(0, 0));
	ASSERT_EQ(fd, -EINVAL, "falls off the end");
	{
		BPFHOST_OPTS(bpfhost_prog_load_opts, opts, .prog_flags = 1u << 20);
		ASSERT_EQ(bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "f", "GPL", big, 2, &opts), -EINVAL,
			  "unknown prog_flags");
		BPFHOST_OPTS(bpfhost_prog_load_opts, small, .log_buf = log_buf, .log_size = 16, .log_level = 1);
		ASSERT_EQ(bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "f", "GPL", big, 2, &small), -EINVAL,
			  "log_size under 128");
	}
	ASSERT_EQ(bpfhost_handle_count(), 0, "nothing left open by refusals");
}

static void t_socket_filter_ctx(void)
{
	int fd = LOAD("skblen", LDX_MEM(BPF_W, 0, 1, SKB_LEN_OFF), EXIT());
	uint32_t r;

	ASSERT_EQ(run_ok(fd), sizeof(pkt) - 14, "skb->len counts from the network header");
	bpfhost_close(fd);
	fd = LOAD("skbproto", LDX_MEM(BPF_W, 0, 1, SKB_PROTOCOL_OFF), EXIT());
	ASSERT_EQ(run_ok(fd), 0x0008, "skb->protocol is the raw big-endian h_proto");
	bpfhost_close(fd);
	fd = LOAD("pkttype", LDX_MEM(BPF_W, 0, 1, SKB_PKT_TYPE_OFF), EXIT());
	ASSERT_EQ(run_ok(fd), 0, "PACKET_HOST for the loopback address");
	pkt[0] = 0xff, pkt[1] = 0xff, pkt[2] = 0xff, pkt[3] = 0xff, pkt[4] = 0xff, pkt[5] = 0xff;
	ASSERT_EQ(run_ok(fd), 2, "PACKET_MULTICAST for ff:ff:ff:ff:ff:ff on loopback, as Linux");
	pkt[0] = 0x02;
	ASSERT_EQ(run_ok(fd), 3, "PACKET_OTHERHOST");
	pkt_init();
	bpfhost_close(fd);
	/* LD_ABS: r6 = ctx; offsets count from the network header; big-endian. */
	fd = LOAD("ldabs", MOV64_REG(6, 1), LD_ABS(BPF_H, 2), EXIT());
	ASSERT_EQ(run_ok(fd), (16u << 8) | 17u, "ld_abs h reads network order");
	bpfhost_close(fd);
	fd = LOAD("ldabsoob", MOV64_REG(6, 1), LD_ABS(BPF_W, 48), MOV64_IMM(0, 99), EXIT());
	ASSERT_EQ(run_ok(fd), 0, "ld_abs past the end returns 0 from the program");
	bpfhost_close(fd);
	/* bpf_skb_load_bytes(skb, 4, fp - 8, 4) then return that word. */
	fd = LOAD("loadbytes", MOV64_IMM(2, 4), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -8), MOV64_IMM(4, 4),
		  CALL(BPF_FUNC_skb_load_bytes), JMP_IMM(BPF_JNE, 0, 0, 2), LDX_MEM(BPF_W, 0, 10, -8), EXIT(),
		  MOV64_IMM(0, 1), EXIT());
	ASSERT_EQ(run_ok(fd), 18u | 19u << 8 | 20u << 16 | 21u << 24, "skb_load_bytes copies bytes");
	bpfhost_close(fd);
	/* Reading past struct __sk_buff faults and names the instruction. */
	fd = LOAD("ctxoob", MOV64_IMM(0, 0), LDX_MEM(BPF_W, 0, 1, 192), EXIT());
	ASSERT_EQ(run(fd, &r), -EFAULT, "read past the context");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "insn 1", "fault names the instruction");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "ctxoob", "fault names the program");
	bpfhost_close(fd);
	{
		BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = 10);
		fd = LOAD("short", MOV64_IMM(0, 0), EXIT());
		ASSERT_EQ(bpfhost_prog_test_run_opts(fd, &o), -EINVAL, "data shorter than an Ethernet header");
		bpfhost_close(fd);
	}
}

static void t_map_helpers(void)
{
	int map = test_map(BPF_MAP_TYPE_HASH, "h", 4, 8, 16, 0);
	uint32_t key = 1;
	uint64_t v = 0;
	/* key 1: lookup; if missing insert 5, else add 1 in place; return the value. */
	int fd = LOAD("counter",
		      ST_MEM(BPF_W, 10, -4, 1), LD_MAP_FD(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
		      CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 5),
		      LDX_MEM(BPF_DW, 1, 0, 0), ALU64_IMM(BPF_ADD, 1, 1), STX_MEM(BPF_DW, 0, 1, 0),
		      MOV64_REG(0, 1), EXIT(),
		      ST_MEM(BPF_DW, 10, -16, 5), LD_MAP_FD(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
		      MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -16), MOV64_IMM(4, BPF_NOEXIST),
		      CALL(BPF_FUNC_map_update_elem), MOV64_IMM(0, 5), EXIT());

	ASSERT_GE(fd, 0, "load counter");
	ASSERT_EQ(run_ok(fd), 5, "first run inserts");
	ASSERT_EQ(run_ok(fd), 6, "second run increments in place");
	ASSERT_EQ(run_ok(fd), 7, "third");
	ASSERT_OK(bpfhost_map_lookup_elem(map, &key, &v), "user space sees the value");
	ASSERT_EQ(v, 7, "value");
	bpfhost_close(fd);

	fd = LOAD("deleter", ST_MEM(BPF_W, 10, -4, 1), LD_MAP_FD(1, map), MOV64_REG(2, 10),
		  ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_delete_elem), EXIT());
	ASSERT_EQ(run_ok(fd), 0, "delete from a program");
	ASSERT_EQ(run_ok(fd), (uint32_t)-ENOENT, "second delete: -ENOENT");
	ASSERT_EQ(bpfhost_map_lookup_elem(map, &key, &v), -ENOENT, "gone for user space too");
	bpfhost_close(fd);

	/* Argument checks: a key pointer outside the program's memory, a bogus map. */
	fd = LOAD("badkey", LD_MAP_FD(1, map), MOV64_IMM(2, 4096), CALL(BPF_FUNC_map_lookup_elem), EXIT());
	ASSERT_EQ(run(fd, &key), -EFAULT, "key pointer not readable");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "key_size bytes", "key message");
	bpfhost_close(fd);
	fd = LOAD("badmapptr", MOV64_IMM(1, 12345), MOV64_REG(2, 10), CALL(BPF_FUNC_map_lookup_elem), EXIT());
	ASSERT_EQ(run(fd, &key), -EFAULT, "not a map");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "not a map the program references", "map message");
	bpfhost_close(fd);
	/* A value pointer past value_size and a NULL dereference after a miss fault. */
	fd = LOAD("valoob", ST_MEM(BPF_W, 10, -4, 2), ST_MEM(BPF_DW, 10, -16, 1), LD_MAP_FD(1, map),
		  MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -16),
		  MOV64_IMM(4, 0), CALL(BPF_FUNC_map_update_elem),
		  LD_MAP_FD(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem),
		  LDX_MEM(BPF_DW, 0, 0, 8), EXIT());
	ASSERT_EQ(run(fd, &key), -EFAULT, "read past the map value");
	bpfhost_close(fd);
	fd = LOAD("nullderef", ST_MEM(BPF_W, 10, -4, 77), LD_MAP_FD(1, map), MOV64_REG(2, 10),
		  ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem), LDX_MEM(BPF_DW, 0, 0, 0), EXIT());
	ASSERT_EQ(run(fd, &key), -EFAULT, "NULL dereference after a missed lookup");
	bpfhost_close(fd);
	bpfhost_close(map);
}

static void t_queue_helpers(void)
{
	int q = test_map(BPF_MAP_TYPE_QUEUE, "q", 0, 8, 4, 0);
	uint64_t v = 0;
	/* push 11, push 22, peek -> r6, pop -> fp-8; return peek * 100 + popped. */
	int fd = LOAD("queue", ST_MEM(BPF_DW, 10, -8, 11), LD_MAP_FD(1, q), MOV64_REG(2, 10),
		      ALU64_IMM(BPF_ADD, 2, -8), MOV64_IMM(3, 0), CALL(BPF_FUNC_map_push_elem),
		      ST_MEM(BPF_DW, 10, -8, 22), LD_MAP_FD(1, q), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8),
		      MOV64_IMM(3, 0), CALL(BPF_FUNC_map_push_elem),
		      LD_MAP_FD(1, q), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -16), CALL(BPF_FUNC_map_peek_elem),
		      LDX_MEM(BPF_DW, 6, 10, -16),
		      LD_MAP_FD(1, q), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -16), CALL(BPF_FUNC_map_pop_elem),
		      LDX_MEM(BPF_DW, 0, 10, -16), ALU64_IMM(BPF_MUL, 6, 100), ALU64_REG(BPF_ADD, 0, 6), EXIT());

	ASSERT_GE(fd, 0, "load");
	ASSERT_EQ(run_ok(fd), 1111, "FIFO: peek and pop give the first pushed");
	ASSERT_OK(bpfhost_map_lookup_and_delete_elem(q, NULL, &v), "user space pops the rest");
	ASSERT_EQ(v, 22, "second value");
	bpfhost_close(fd);
	bpfhost_close(q);
}

static void t_ringbuf_helpers(void)
{
	int rb = test_map(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, 0);
	uint32_t r;
	/* output 8 bytes; reserve 16, write, submit; query available data. */
	int fd = LOAD("ring", ST_MEM(BPF_DW, 10, -8, 0x1234), LD_MAP_FD(1, rb), MOV64_REG(2, 10),
		      ALU64_IMM(BPF_ADD, 2, -8), MOV64_IMM(3, 8), MOV64_IMM(4, 0), CALL(BPF_FUNC_ringbuf_output),
		      LD_MAP_FD(1, rb), MOV64_IMM(2, 16), MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve),
		      JMP_IMM(BPF_JEQ, 0, 0, 5), ST_MEM(BPF_DW, 0, 8, 7), MOV64_REG(1, 0), MOV64_IMM(2, 0),
		      CALL(BPF_FUNC_ringbuf_submit), JA(0),
		      LD_MAP_FD(1, rb), MOV64_IMM(2, 0), CALL(BPF_FUNC_ringbuf_query), EXIT());

	ASSERT_GE(fd, 0, "load");
	ASSERT_EQ(run_ok(fd), 8 + 8 + 8 + 16, "two records with headers are available");
	bpfhost_close(fd);
	/* Writing a record after submitting it faults. */
	fd = LOAD("ringuse", LD_MAP_FD(1, rb), MOV64_IMM(2, 8), MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve),
		  JMP_IMM(BPF_JEQ, 0, 0, 6), MOV64_REG(6, 0), MOV64_REG(1, 0), MOV64_IMM(2, 0),
		  CALL(BPF_FUNC_ringbuf_discard), ST_MEM(BPF_DW, 6, 0, 1), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(run(fd, &r), -EFAULT, "use after discard");
	bpfhost_close(fd);
	/* Submitting a pointer that is not a reserved record is refused. */
	fd = LOAD("ringbad", MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8), MOV64_IMM(2, 0),
		  CALL(BPF_FUNC_ringbuf_submit), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(run(fd, &r), -EFAULT, "submit of a stack pointer");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "bpf_ringbuf_reserve", "message");
	bpfhost_close(fd);
	bpfhost_close(rb);
}

static void t_misc_helpers(void)
{
	int fd = LOAD("cpu", CALL(BPF_FUNC_get_smp_processor_id), EXIT());
	uint32_t a, b;

	ASSERT_TRUE(run_ok(fd) < (uint32_t)bpfhost_num_possible_cpus(), "cpu id in range");
	bpfhost_close(fd);
	fd = LOAD("ktime", CALL(BPF_FUNC_ktime_get_ns), MOV64_REG(6, 0), CALL(BPF_FUNC_ktime_get_boot_ns),
		  MOV64_REG(7, 0), CALL(BPF_FUNC_ktime_get_ns), JMP_REG(BPF_JLT, 0, 6, 2), MOV64_IMM(0, 1), EXIT(),
		  MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(run_ok(fd), 1, "ktime is monotonic");
	bpfhost_close(fd);
	fd = LOAD("rand", CALL(BPF_FUNC_get_prandom_u32), EXIT());
	a = run_ok(fd);
	b = run_ok(fd);
	ASSERT_TRUE(a != b || run_ok(fd) != a, "prandom varies");
	bpfhost_close(fd);
}

static void t_trace_printk(void)
{
	char out[1024];
	/* "v=%d\n" on the stack, then bpf_trace_printk(fp-8, 6, 41 + 1). */
	int fd = LOAD("tracer", LD_IMM64(1, 0x000a64253d76ull), STX_MEM(BPF_DW, 10, 1, -8), MOV64_REG(1, 10),
		      ALU64_IMM(BPF_ADD, 1, -8), MOV64_IMM(2, 6), MOV64_IMM(3, 42), CALL(BPF_FUNC_trace_printk),
		      EXIT());
	int n;

	bpfhost_trace_read(out, sizeof(out));
	ASSERT_EQ(run_ok(fd), strlen("tracer: v=42\n"), "returns the bytes written");
	n = bpfhost_trace_read(out, sizeof(out) - 1);
	ASSERT_GE(n, 1, "the log has the line");
	out[n > 0 ? n : 0] = 0;
	ASSERT_STR_CONTAINS(out, "tracer: v=42\n", "formatted line");
	ASSERT_EQ(bpfhost_trace_read(out, sizeof(out)), 0, "read drains");
	bpfhost_close(fd);
}

static void t_global_data(void)
{
	int data = test_map(BPF_MAP_TYPE_ARRAY, "g.data", 4, 16, 1, 0);
	uint32_t zero = 0;
	uint64_t init[2] = { 40, 0 }, out[2];
	/* g[1] = g[0] + 2; return g[1]. */
	int fd;

	ASSERT_OK(bpfhost_map_update_elem(data, &zero, init, 0), "init");
	fd = LOAD("global", LD_MAP_VALUE(1, data, 0), LDX_MEM(BPF_DW, 0, 1, 0), ALU64_IMM(BPF_ADD, 0, 2),
		  LD_MAP_VALUE(2, data, 8), STX_MEM(BPF_DW, 2, 0, 0), EXIT());
	ASSERT_GE(fd, 0, "load");
	ASSERT_EQ(run_ok(fd), 42, "reads global data");
	ASSERT_OK(bpfhost_map_lookup_elem(data, &zero, out), "lookup");
	ASSERT_EQ(out[1], 42, "the program wrote global data");
	bpfhost_close(fd);
	fd = LOAD("globaloob", LD_MAP_VALUE(1, data, 8), LDX_MEM(BPF_DW, 0, 1, 8), EXIT());
	ASSERT_EQ(run(fd, &zero), -EFAULT, "past the global data");
	bpfhost_close(fd);
	fd = LOAD("globalbad", LD_MAP_VALUE(1, data, 16), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(fd, -EINVAL, "value offset past value_size");
	bpfhost_close(data);
}

/* Each program bumps a counter, then tail-calls slot index+1. */
static void t_tail_calls(void)
{
	int pa = test_map(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 64, 0);
	int cnt = test_map(BPF_MAP_TYPE_ARRAY, "cnt", 4, 8, 1, 0);
	int fds[40], n;
	uint32_t zero = 0;
	uint64_t c = 0;
	char trace[512];

	for (int i = 0; i < 40; i++) {
		fds[i] = LOAD("tail", MOV64_REG(6, 1), LD_MAP_VALUE(1, cnt, 0), LDX_MEM(BPF_DW, 2, 1, 0),
			      ALU64_IMM(BPF_ADD, 2, 1), STX_MEM(BPF_DW, 1, 2, 0), MOV64_REG(1, 6),
			      LD_MAP_FD(2, pa), MOV64_IMM(3, i + 1), CALL(BPF_FUNC_tail_call), MOV64_IMM(0, 1000 + i),
			      EXIT());
		ASSERT_GE(fds[i], 0, "load chain link");
	}
	for (uint32_t i = 1; i < 40; i++)
		ASSERT_OK(bpfhost_map_update_elem(pa, &i, &fds[i], 0), "fill prog array");
	/* 1 + 33 tail calls run; the 34th call fails and that program returns. */
	bpfhost_trace_read(trace, sizeof(trace));
	ASSERT_EQ(run_ok(fds[0]), 1000 + 33, "the 34th tail call falls through");
	n = bpfhost_trace_read(trace, sizeof(trace) - 1);
	trace[n > 0 ? n : 0] = 0;
	ASSERT_STR_CONTAINS(trace, "tail: insn 10: tail call limit (33) reached", "the trace log says so");
	ASSERT_OK(bpfhost_map_lookup_elem(cnt, &zero, &c), "counter");
	ASSERT_EQ(c, 34, "34 programs ran");
	/* An empty slot: the call falls through at once. */
	{
		uint32_t k = 1;
		ASSERT_OK(bpfhost_map_delete_elem(pa, &k), "empty slot 1");
	}
	ASSERT_EQ(run_ok(fds[0]), 1000, "tail call into an empty slot continues");
	for (int i = 0; i < 40; i++)
		bpfhost_close(fds[i]);
	bpfhost_close(pa);
	bpfhost_close(cnt);
}

/*
 * A tail call from a subprogram keeps the frames below it (as Linux's JITs
 * do), and its target may call a subprogram again: here each of the 34
 * programs nests one frame deeper than the last (35 frames, past the 8 of
 * bpf-to-bpf calls the verifier bounds per program), and the run ends
 * normally when the limit makes the last tail call fall through.
 */
static void t_tail_calls_from_subprograms(void)
{
	int pa = test_map(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 1, 0);
	int cnt = test_map(BPF_MAP_TYPE_ARRAY, "cnt", 4, 8, 1, 0);
	uint32_t zero = 0;
	uint64_t c = 0;
	/* main: r0 = sub(ctx); exit. sub: count, tail-call slot 0 (main again), else return 1000 + count. */
	int fd = LOAD("nest", INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 1), EXIT(),
		      MOV64_REG(6, 1), LD_MAP_VALUE(1, cnt, 0), LDX_MEM(BPF_DW, 2, 1, 0), ALU64_IMM(BPF_ADD, 2, 1),
		      STX_MEM(BPF_DW, 1, 2, 0), MOV64_REG(7, 2), MOV64_REG(1, 6), LD_MAP_FD(2, pa), MOV64_IMM(3, 0),
		      CALL(BPF_FUNC_tail_call), MOV64_REG(0, 7), ALU64_IMM(BPF_ADD, 0, 1000), EXIT());

	ASSERT_GE(fd, 0, "a tail call in a subprogram loads");
	ASSERT_OK(bpfhost_map_update_elem(pa, &zero, &fd, 0), "slot 0: the program itself");
	ASSERT_EQ(run_ok(fd), 1000 + 34, "34 subprogram runs, 33 tail calls, the last falls through");
	ASSERT_OK(bpfhost_map_lookup_elem(cnt, &zero, &c), "counter");
	ASSERT_EQ(c, 34, "the counter saw each");
	ASSERT_OK(bpfhost_map_delete_elem(pa, &zero), "break the cycle (the array holds the program)");
	bpfhost_close(fd);
	bpfhost_close(pa);
	bpfhost_close(cnt);
}

static long rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * 4;
}

/*
 * A long test run lets go of what its runs retire: 2M updates of one hash
 * key replace 2M elements, which must not all wait for the end of the run.
 */
static void t_long_run_reclaims(void)
{
	int map = test_map(BPF_MAP_TYPE_HASH, "churn", 4, 8, 16, 0);
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 2000000);
	int fd = LOAD("churn", ST_MEM(BPF_W, 10, -4, 1), ST_MEM(BPF_DW, 10, -16, 7), LD_MAP_FD(1, map),
		      MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -16),
		      MOV64_IMM(4, 0), CALL(BPF_FUNC_map_update_elem), EXIT());
	long before, after;

#if defined(__SANITIZE_ADDRESS__)
	printf("SKIP: ASan keeps freed memory in quarantine, so resident memory says nothing here\n");
	if (1) {
#else
	if (rss_kb() < 0) {
		printf("SKIP: /proc/self/statm is not readable; reclaim check skipped\n");
#endif
		bpfhost_close(fd);
		bpfhost_close(map);
		return;
	}
	before = rss_kb();
	ASSERT_OK(bpfhost_prog_test_run_opts(fd, &o), "2M updates in one test run");
	ASSERT_EQ(o.retval, 0, "every update succeeded");
	after = rss_kb();
	printf("resident memory %ld kB before, %ld kB after 2M replaced elements\n", before, after);
	ASSERT_TRUE(after - before < 32 * 1024, "replaced elements are freed during the run (< 32 MB growth)");
	bpfhost_close(fd);
	bpfhost_close(map);
}

/* The tag GET_INFO reports: FNV-1a over the instructions' bytes as loaded, most significant byte first. */
static void expect_tag(const uint8_t tag[8], const struct bpf_insn *insns, size_t n)
{
	const uint8_t *b = (const uint8_t *)insns;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t k = 0; k < n * sizeof(*insns); k++)
		h = (h ^ b[k]) * 0x100000001b3ull;
	for (int k = 0; k < 8; k++)
		ASSERT_EQ(tag[k], (uint8_t)(h >> (56 - 8 * k)), "tag: FNV-1a of the loaded instructions");
}

static void t_ids_info_pins(void)
{
	int map = test_map(BPF_MAP_TYPE_ARRAY, "bound", 4, 8, 1, 0);
	int fd = LOAD("infoprog", MOV64_IMM(0, 3), EXIT()), fd2;
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), id, next = 0, map_ids[4];
	struct bpf_insn xl[2];

	ASSERT_OK(bpfhost_prog_bind_map(fd, map), "bind map");
	ASSERT_OK(bpfhost_prog_bind_map(fd, map), "binding twice is fine");
	memset(&info, 0, sizeof(info));
	info.xlated_prog_insns = (uint64_t)(uintptr_t)xl;
	info.xlated_prog_len = sizeof(xl);
	info.map_ids = (uint64_t)(uintptr_t)map_ids;
	info.nr_map_ids = 4;
	ASSERT_OK(bpfhost_obj_get_info_by_fd(fd, &info, &len), "info");
	ASSERT_EQ(info.type, BPF_PROG_TYPE_SOCKET_FILTER, "type");
	ASSERT_STR_CONTAINS(info.name, "infoprog", "name");
	ASSERT_EQ(info.xlated_prog_len, 16, "xlated length");
	ASSERT_EQ(xl[0].imm, 3, "xlated instructions");
	ASSERT_EQ(info.nr_map_ids, 1, "one bound map");
	ASSERT_TRUE(info.gpl_compatible, "GPL");
	ASSERT_TRUE(info.tag[0] | info.tag[1] | info.tag[7], "tag set");
	{
		const struct bpf_insn as_loaded[] = { MOV64_IMM(0, 3), EXIT() };

		expect_tag(info.tag, as_loaded, 2);
	}
	id = info.id;
	ASSERT_GE(id, 1, "id");
	ASSERT_OK(bpfhost_prog_get_next_id(0, &next), "next id");
	ASSERT_EQ(bpfhost_prog_get_next_id(UINT32_MAX, &next), -ENOENT, "nothing after the last id (no wrap)");
	ASSERT_OK(bpfhost_prog_get_next_id(0, &next), "next id again");
	ASSERT_TRUE(next <= id, "ids iterate");
	fd2 = bpfhost_prog_get_fd_by_id(id);
	ASSERT_GE(fd2, 0, "fd by id");
	ASSERT_EQ(run_ok(fd2), 3, "the same program");
	bpfhost_close(fd2);
	ASSERT_OK(bpfhost_obj_pin(fd, "/progs/info"), "pin");
	bpfhost_close(fd);
	fd2 = bpfhost_obj_get("/progs/info");
	ASSERT_GE(fd2, 0, "get pinned program");
	ASSERT_EQ(run_ok(fd2), 3, "pinned program runs");
	ASSERT_OK(bpfhost_obj_unpin("/progs/info"), "unpin");
	bpfhost_close(fd2);
	ASSERT_EQ(bpfhost_prog_get_fd_by_id(id), -ENOENT, "gone after last reference");
	bpfhost_close(map);
}

#define TP_PROG_TYPE 4200u
#define TP_ATTACH 4300u
#define TP_HELPER_ADD 65600
#define TP_CTX_VALUE 16

/* Program type and hook from a module (tests/ext/test_prog_provider.c). */
static void t_hooks(void)
{
	int mod = bpfhost_extension_load(BPFHOST_TEST_MODULE_DIR "/test_prog_provider.so");
	uint32_t type = 0, attach = 0, cnt = 0, ret = 0;
	uint8_t data[4] = { 3, 0, 0, 0 };
	int fd, fd2, sock, l1, l2;

	ASSERT_GE(mod, 0, "load the program provider module");
	ASSERT_OK(bpfhost_prog_type_by_section("testprog/run", &type, &attach), "section lookup");
	ASSERT_EQ(type, TP_PROG_TYPE, "type from the prefix");
	ASSERT_EQ(attach, TP_ATTACH, "attach type from the prefix");
	ASSERT_OK(bpfhost_prog_type_by_section("testprog", &type, &attach), "bare prefix");
	ASSERT_EQ(attach, 0, "no attach type");
	ASSERT_OK(bpfhost_prog_type_by_section("socket", &type, &attach), "built-in prefix");
	ASSERT_EQ(type, BPF_PROG_TYPE_SOCKET_FILTER, "socket filter");
	ASSERT_EQ(bpfhost_prog_type_by_section("testprogx", &type, &attach), -ENOENT,
		  "prefix must end at the name or a '/'");
	ASSERT_EQ(bpfhost_prog_type_by_section("kprobe/x", &type, &attach), -ENOENT, "unknown prefix");

	/* r0 = test_add(data[0], ctx->value): through the packet pointers and the module's helper. */
	{
		const struct bpf_insn p[] = {
			LDX_MEM(BPF_DW, 2, 1, 0), LDX_MEM(BPF_DW, 3, 1, 8), LDX_MEM(BPF_W, 6, 1, TP_CTX_VALUE),
			MOV64_REG(4, 2), ALU64_IMM(BPF_ADD, 4, 1), MOV64_IMM(1, 0), JMP_REG(BPF_JGT, 4, 3, 1),
			LDX_MEM(BPF_B, 1, 2, 0), MOV64_REG(2, 6), CALL(TP_HELPER_ADD), EXIT(),
		};
		fd = load_type(TP_PROG_TYPE, "hooked", p, sizeof(p) / sizeof(p[0]));
		fd2 = load_type(TP_PROG_TYPE, "hooked2", p, sizeof(p) / sizeof(p[0]));
	}
	ASSERT_GE(fd, 0, "load a program of the module's type");
	ASSERT_GE(fd2, 0, "and a second");
	{
		/* Test run with the core's default context: ctx_in, data pointers filled. */
		uint8_t ctx[24] = { 0 }, ctx_out[24];
		BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = data, .data_size_in = 4, .ctx_in = ctx,
			     .ctx_size_in = sizeof(ctx), .ctx_out = ctx_out, .ctx_size_out = sizeof(ctx_out));

		ctx[TP_CTX_VALUE] = 30;
		ASSERT_OK(bpfhost_prog_test_run_opts(fd, &o), "test run");
		ASSERT_EQ(o.retval, 33, "data[0] + ctx->value through the module's helper");
		ASSERT_EQ(ctx_out[TP_CTX_VALUE], 30, "ctx_out");
		ASSERT_EQ(ctx_out[0] | ctx_out[8], 0, "pointers zeroed in ctx_out");
		o.ctx_size_in = 100;
		ASSERT_EQ(bpfhost_prog_test_run_opts(fd, &o), -EINVAL, "ctx_in larger than the context");
	}

	{
		/* The packet pointers are read-only: a program may not aim them elsewhere. */
		const struct bpf_insn w[] = { STX_MEM(BPF_DW, 1, 10, 0), MOV64_IMM(0, 0), EXIT() };
		const struct bpf_insn w2[] = { ST_MEM(BPF_W, 1, 12, 1), MOV64_IMM(0, 0), EXIT() };
		const struct bpf_insn ok[] = { ST_MEM(BPF_W, 1, TP_CTX_VALUE, 1), MOV64_IMM(0, 0), EXIT() };
		BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = data, .data_size_in = 4, .repeat = 2);
		int wfd = load_type(TP_PROG_TYPE, "ptrwrite", w, 3);

		ASSERT_EQ(bpfhost_prog_test_run_opts(wfd, &o), -EFAULT, "writing ctx->data faults");
		bpfhost_close(wfd);
		wfd = load_type(TP_PROG_TYPE, "ptrwrite2", w2, 3);
		ASSERT_EQ(bpfhost_prog_test_run_opts(wfd, &o), -EFAULT, "writing half of ctx->data_end faults");
		bpfhost_close(wfd);
		wfd = load_type(TP_PROG_TYPE, "ctxwrite", ok, 3);
		ASSERT_OK(bpfhost_prog_test_run_opts(wfd, &o), "other context fields are writable");
		bpfhost_close(wfd);
	}
	sock = LOAD("sock", MOV64_IMM(0, 0), EXIT());
	{
		/* A prog array owned by socket filters refuses a program of another type. */
		int pa = test_map(BPF_MAP_TYPE_PROG_ARRAY, "owned", 4, 4, 2, 0), other;
		uint32_t k = 0;
		const struct bpf_insn p[] = { LD_MAP_FD(2, pa), MOV64_IMM(0, 0), EXIT() };

		ASSERT_OK(bpfhost_map_update_elem(pa, &k, &sock, 0), "socket filter into the array");
		other = load_type(TP_PROG_TYPE, "othertype", p, sizeof(p) / sizeof(p[0]));
		ASSERT_EQ(other, -EINVAL, "a program of another type may not use the array");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "holds programs of type 1, not 4200", "message");
		bpfhost_close(pa);
	}
	ASSERT_EQ(bpfhost_link_create(sock, 0, TP_ATTACH, NULL), -EINVAL, "wrong program type for the hook");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "runs programs of type 4200", "message");
	ASSERT_EQ(bpfhost_link_create(fd, 0, 4399, NULL), -EINVAL, "no such hook");
	l1 = bpfhost_link_create(fd, 0, TP_ATTACH, NULL);
	ASSERT_GE(l1, 0, "link");
	ASSERT_OK(bpfhost_hook_trigger(TP_ATTACH, data, 4, &cnt, &ret), "trigger");
	ASSERT_EQ(cnt, 1, "one program ran");
	ASSERT_EQ(ret, 3 + 7, "data[0] + the hook's ctx value 7");
	l2 = bpfhost_link_create(fd2, 0, TP_ATTACH, NULL);
	ASSERT_GE(l2, 0, "second link");
	ASSERT_OK(bpfhost_hook_trigger(TP_ATTACH, data, 4, &cnt, &ret), "trigger two");
	ASSERT_EQ(cnt, 2, "two programs ran");
	ASSERT_EQ(ret, 20, "sum of both");
	{
		struct bpf_link_info li;
		uint32_t len = sizeof(li);

		ASSERT_OK(bpfhost_link_get_info_by_fd(l2, &li, &len), "link info");
		ASSERT_EQ(li.attach_type, TP_ATTACH, "link attach type");
		ASSERT_GE(li.id, 1, "link id");
	}
	{
		int pinned;

		ASSERT_OK(bpfhost_obj_pin(l2, "/links/l2"), "pin a link");
		pinned = bpfhost_obj_get("/links/l2");
		ASSERT_GE(pinned, 0, "get the pinned link");
		bpfhost_close(pinned);
		ASSERT_OK(bpfhost_obj_unpin("/links/l2"), "unpin");
	}
	ASSERT_OK(bpfhost_link_detach(l1), "detach");
	ASSERT_EQ(bpfhost_link_detach(l1), -ENOLINK, "detach twice");
	{
		/* As Linux: a pin keeps a link attached; the last handle or pin going detaches it at once. */
		int l3 = bpfhost_link_create(fd, 0, TP_ATTACH, NULL);

		ASSERT_GE(l3, 0, "third link");
		ASSERT_OK(bpfhost_obj_pin(l3, "/links/l3"), "pin it");
		ASSERT_OK(bpfhost_close(l3), "close its only handle");
		ASSERT_OK(bpfhost_hook_trigger(TP_ATTACH, data, 4, &cnt, &ret), "trigger, pinned link");
		ASSERT_EQ(cnt, 2, "the pin keeps the link attached");
		/* This thread stays in an epoch: the link's memory cannot go, but it must detach. */
		epoch_enter();
		ASSERT_OK(bpfhost_obj_unpin("/links/l3"), "unpin: its last user");
		ASSERT_OK(bpfhost_hook_trigger(TP_ATTACH, data, 4, &cnt, &ret), "trigger after unpin");
		ASSERT_EQ(cnt, 1, "detached when its last user went, not after a grace period");
		epoch_exit();
	}
	ASSERT_OK(bpfhost_hook_trigger(TP_ATTACH, data, 0, &cnt, &ret), "trigger with empty data");
	ASSERT_EQ(cnt, 1, "detached link no longer runs");
	ASSERT_EQ(ret, 7, "empty data: the program's bounds check takes the 0 branch");
	ASSERT_EQ(bpfhost_hook_trigger(4398, data, 4, &cnt, &ret), -ENOENT, "trigger of an unknown hook");

	ASSERT_EQ(bpfhost_extension_unload(mod, 0), -EBUSY, "unload with programs loaded");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "of type 'testprog'", "names the programs' type");
	ASSERT_OK(bpfhost_extension_unload(mod, BPFHOST_UNLOAD_FORCE), "forced unload");
	{
		BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = data, .data_size_in = 4);
		ASSERT_EQ(bpfhost_prog_test_run_opts(fd, &o), -ENODEV, "program of an unloaded type");
	}
	ASSERT_EQ(bpfhost_hook_trigger(TP_ATTACH, data, 4, &cnt, &ret), -ENOENT, "hook gone");
	ASSERT_EQ(bpfhost_link_detach(l2), -ENOLINK, "link was detached by the unload");
	ASSERT_EQ(bpfhost_prog_type_by_section("testprog/run", &type, &attach), -ENOENT, "prefix gone");
	bpfhost_close(l1);
	bpfhost_close(l2);
	bpfhost_close(fd);
	bpfhost_close(fd2);
	bpfhost_close(sock);
	ASSERT_EQ(bpfhost_handle_count(), 0, "all closed");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_basic), TEST(t_load_refusals), TEST(t_socket_filter_ctx), TEST(t_map_helpers),
		TEST(t_queue_helpers), TEST(t_ringbuf_helpers), TEST(t_misc_helpers), TEST(t_trace_printk),
		TEST(t_global_data), TEST(t_tail_calls), TEST(t_tail_calls_from_subprograms), TEST(t_ids_info_pins), TEST(t_hooks),
		TEST(t_long_run_reclaims),
	};

	pkt_init();
	return test_run("prog", cases, sizeof(cases) / sizeof(cases[0]));
}
