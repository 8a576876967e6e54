// SPDX-License-Identifier: MIT
/*
 * A map helper that fails, or that the map's type does not support, is the
 * program's business: the helper returns the error (NULL for lookups and
 * reservations, 0 for bpf_ringbuf_query) and the program goes on to its
 * exit, as on Linux. Only argument-provenance violations stop a program.
 * Covered: push/pop/peek on hash, array, LPM trie and custom (hash and
 * array base) maps; ring buffer helpers on a hash map; lookup/update/delete
 * on queue, ring buffer, prog array and map-of-maps; update and delete on a
 * custom map whose provider updates the original value; and operations that
 * fail on maps that have them (full queue, empty stack, missing key, index
 * out of range, a record larger than the ring).
 */
#include <string.h>

#include "provider_fixture.h"
#include "insn_build.h"

#include "bpfhost/uapi.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define GOOD 0x600d
#define BAD 0xbad
#define OPNOTSUPP ((uint32_t)-EOPNOTSUPP)

static uint8_t pkt[64];

/* A test run: its error (0: the program ran to its exit) and r0. */
struct res {
	int err;
	uint32_t ret;
};

/* Loads @insns as a socket filter and runs it once. */
static struct res load_run(const char *name, const struct bpf_insn *insns, size_t n)
{
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));
	/*
	 * The verifier refuses a helper on a map type it does not serve (or a
	 * map programs may not use), naming the map; without it, the helper
	 * returns the error to the program. Programs Linux accepts load as they are.
	 */
	int fd = bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, "GPL", insns, n, NULL);
	struct res r;

	if (fd < 0) {
		ASSERT_TRUE(fd == -EINVAL || fd == -EACCES, name);
		ASSERT_TRUE(strstr(bpfhost_last_error(), "map '") || strstr(bpfhost_last_error(), "record"),
			    name);
		fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, name, insns, n,
					  BPFHOST_F_TEST_UNVERIFIED);
	}
	r = (struct res){ fd, 0xdeadbeef };
	ASSERT_GE(fd, 0, name);
	if (fd < 0)
		return r;
	r.err = bpfhost_prog_test_run_opts(fd, &o);
	r.ret = o.retval;
	bpfhost_close(fd);
	return r;
}

#define RUN(name, ...)                                                                   \
	({                                                                               \
		const struct bpf_insn p_[] = { __VA_ARGS__ };                            \
		load_run(name, p_, NELEM(p_));                                           \
	})

/* The program returns what the helper returned; it must have run to its exit. */
static void expect_ret(const char *what, struct res r, uint32_t want)
{
	ASSERT_OK(r.err, what);
	ASSERT_EQ(r.ret, want, what);
}

/* r0 = push(m, fp-8 = 7, 0); exit */
static struct res push(int m)
{
	return RUN("push", ST(BPF_DW, 10, -8, 7), LD_MAP(1, m), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8),
		   MOV64_IMM(3, 0), CALL(BPF_FUNC_map_push_elem), EXIT());
}

/* r0 = pop or peek(m, fp-16); exit */
static struct res pop_peek(int m, int id)
{
	return RUN("poppeek", LD_MAP(1, m), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -16), CALL(id), EXIT());
}

/* GOOD if lookup(m, &key) is NULL, else BAD */
static struct res lookup_null(int m, uint32_t key)
{
	return RUN("lookup", ST(BPF_W, 10, -8, (int32_t)key), ST(BPF_W, 10, -4, 0), LD_MAP(1, m),
		   MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8), CALL(BPF_FUNC_map_lookup_elem),
		   JMP_IMM(BPF_JEQ, 0, 0, 2), MOV64_IMM(0, BAD), EXIT(), MOV64_IMM(0, GOOD), EXIT());
}

/* r0 = update(m, &key, &(u64)9, 0); exit */
static struct res update(int m, uint32_t key)
{
	return RUN("update", ST(BPF_W, 10, -8, (int32_t)key), ST(BPF_W, 10, -4, 0), ST(BPF_DW, 10, -16, 9),
		   LD_MAP(1, m), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8), MOV64_REG(3, 10),
		   ALU64_IMM(BPF_ADD, 3, -16), MOV64_IMM(4, 0), CALL(BPF_FUNC_map_update_elem), EXIT());
}

/* r0 = delete(m, &key); exit */
static struct res delete(int m, uint32_t key)
{
	return RUN("delete", ST(BPF_W, 10, -8, (int32_t)key), ST(BPF_W, 10, -4, 0), LD_MAP(1, m),
		   MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8), CALL(BPF_FUNC_map_delete_elem), EXIT());
}

static char trace[4096];

/* What the trace log got since the last read. */
static const char *read_trace(void)
{
	int n = bpfhost_trace_read(trace, sizeof(trace) - 1);

	trace[n > 0 ? n : 0] = 0;
	return trace;
}

/* push, pop and peek on @m: -EOPNOTSUPP each, and the program ran to its exit. */
static void no_queue_ops(int m, const char *name)
{
	char msg[96];

	bpfhost_trace_read(trace, sizeof(trace));
	expect_ret("push", push(m), OPNOTSUPP);
	snprintf(msg, sizeof(msg), "push: insn 6: bpf_map_push_elem on map '%s'", name);
	ASSERT_STR_CONTAINS(read_trace(), msg, "the trace log names the program, helper and map");
	ASSERT_STR_CONTAINS(trace, "the map type does not support it (returns -EOPNOTSUPP)", "and why");
	expect_ret("pop", pop_peek(m, BPF_FUNC_map_pop_elem), OPNOTSUPP);
	expect_ret("peek", pop_peek(m, BPF_FUNC_map_peek_elem), OPNOTSUPP);
}

static void t_queue_helpers_on_other_maps(void)
{
	int hash = test_map(BPF_MAP_TYPE_HASH, "h", 4, 8, 4, 0);
	int arr = test_map(BPF_MAP_TYPE_ARRAY, "a", 4, 8, 4, 0);
	int lpm = test_map(BPF_MAP_TYPE_LPM_TRIE, "t", 8, 8, 4, BPF_F_NO_PREALLOC);

	no_queue_ops(hash, "h");
	no_queue_ops(arr, "a");
	no_queue_ops(lpm, "t");
	bpfhost_close(hash);
	bpfhost_close(arr);
	bpfhost_close(lpm);
}

static void t_queue_helpers_on_custom_maps(void)
{
	uint32_t bases[] = { BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY };

	for (size_t b = 0; b < NELEM(bases); b++) {
		int mod, map;

		tp_config_one(TP_TYPE, bases[b], 0, TP_ALL_POST);
		mod = tp_load();
		ASSERT_GE(mod, 0, "load provider");
		map = bpfhost_map_create(TP_TYPE, "cm", 4, 8, 8, NULL);
		ASSERT_GE(map, 0, "custom map");
		no_queue_ops(map, "cm");
		bpfhost_close(map);
		ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	}
}

static void t_ringbuf_helpers_on_a_hash(void)
{
	int hash = test_map(BPF_MAP_TYPE_HASH, "h", 4, 8, 4, 0);

	read_trace();

	expect_ret("ringbuf_output", RUN("rbout", ST(BPF_DW, 10, -8, 1), LD_MAP(1, hash), MOV64_REG(2, 10),
					 ALU64_IMM(BPF_ADD, 2, -8), MOV64_IMM(3, 8), MOV64_IMM(4, 0),
					 CALL(BPF_FUNC_ringbuf_output), EXIT()), OPNOTSUPP);
	ASSERT_STR_CONTAINS(read_trace(), "rbout: insn 7: bpf_ringbuf_output on map 'h'", "trace log");
	expect_ret("ringbuf_reserve gives NULL", RUN("rbres", LD_MAP(1, hash), MOV64_IMM(2, 8),
						     MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve),
						     JMP_IMM(BPF_JEQ, 0, 0, 2), MOV64_IMM(0, BAD), EXIT(),
						     MOV64_IMM(0, GOOD), EXIT()), GOOD);
	expect_ret("ringbuf_query gives 0", RUN("rbq", LD_MAP(1, hash), MOV64_IMM(2, 0),
						CALL(BPF_FUNC_ringbuf_query), ALU64_IMM(BPF_ADD, 0, GOOD), EXIT()),
		   GOOD);
	bpfhost_close(hash);
}

/* Linux's answers where the type has no keys or no program-side elements. */
static void t_element_helpers_on_keyless_maps(void)
{
	int q = test_map(BPF_MAP_TYPE_QUEUE, "q", 0, 8, 4, 0);
	int rb = test_map(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, 0);
	int pa = test_map(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 4, 0);
	int inner = test_map(BPF_MAP_TYPE_ARRAY, "in", 4, 8, 4, 0);
	int aom;

	BPFHOST_OPTS(bpfhost_map_create_opts, mo, .inner_map_fd = (uint32_t)inner);
	aom = bpfhost_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "aom", 4, 4, 2, &mo);
	ASSERT_GE(aom, 0, "array of maps");

	expect_ret("queue lookup is NULL", lookup_null(q, 0), GOOD);
	expect_ret("queue update", update(q, 0), (uint32_t)-EINVAL);
	expect_ret("queue delete", delete(q, 0), (uint32_t)-EINVAL);
	expect_ret("ringbuf lookup is NULL", lookup_null(rb, 0), GOOD);
	expect_ret("ringbuf update", update(rb, 0), (uint32_t)-ENOTSUPP);
	expect_ret("ringbuf delete", delete(rb, 0), (uint32_t)-ENOTSUPP);
	expect_ret("prog array lookup is NULL", lookup_null(pa, 0), GOOD);
	expect_ret("prog array update", update(pa, 0), OPNOTSUPP);
	expect_ret("prog array delete", delete(pa, 0), OPNOTSUPP);
	expect_ret("array of maps update", update(aom, 0), OPNOTSUPP);
	expect_ret("array of maps delete", delete(aom, 0), OPNOTSUPP);
	bpfhost_close(aom);
	bpfhost_close(inner);
	bpfhost_close(pa);
	bpfhost_close(rb);
	bpfhost_close(q);
}

/* DESIGN "Custom maps": programs never update or delete such maps; -EOPNOTSUPP is their answer. */
static void t_updates_original_value(void)
{
	uint32_t bases[] = { BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY };

	for (size_t b = 0; b < NELEM(bases); b++) {
		uint32_t key = 1;
		uint64_t v = 5;
		int mod, map;

		tp_config_one(TP_TYPE, bases[b], 1, TP_ALL_POST);
		mod = tp_load();
		ASSERT_GE(mod, 0, "load provider");
		map = bpfhost_map_create(TP_TYPE, "uov", 4, 8, 8, NULL);
		ASSERT_GE(map, 0, "create");
		ASSERT_OK(bpfhost_map_update_elem(map, &key, &v, 0), "user update");
		expect_ret("program update refused, the program goes on", update(map, 1), OPNOTSUPP);
		expect_ret("program delete refused, the program goes on", delete(map, 1), OPNOTSUPP);
		ASSERT_OK(bpfhost_map_lookup_elem(map, &key, &v), "the entry is still there");
		bpfhost_close(map);
		ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	}
}

/* Operations the map has, failing: the error is the helper's return value. */
static void t_failing_operations(void)
{
	int q = test_map(BPF_MAP_TYPE_QUEUE, "q", 0, 8, 1, 0);
	int st = test_map(BPF_MAP_TYPE_STACK, "s", 0, 8, 1, 0);
	int hash = test_map(BPF_MAP_TYPE_HASH, "h", 4, 8, 1, 0);
	int arr = test_map(BPF_MAP_TYPE_ARRAY, "a", 4, 8, 2, 0);
	int rb = test_map(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, 0);

	expect_ret("push", push(q), 0);
	expect_ret("push on a full queue", push(q), (uint32_t)-E2BIG);
	expect_ret("pop on an empty stack", pop_peek(st, BPF_FUNC_map_pop_elem), (uint32_t)-ENOENT);
	expect_ret("peek on an empty stack", pop_peek(st, BPF_FUNC_map_peek_elem), (uint32_t)-ENOENT);
	expect_ret("delete of a missing key", delete(hash, 3), (uint32_t)-ENOENT);
	expect_ret("update", update(hash, 1), 0);
	expect_ret("update of a full hash", update(hash, 2), (uint32_t)-E2BIG);
	expect_ret("array index out of range", update(arr, 2), (uint32_t)-E2BIG);
	expect_ret("array delete", delete(arr, 0), (uint32_t)-EINVAL);
	expect_ret("ring buffer record larger than the ring",
		   RUN("rbbig", LD_MAP(1, rb), MOV64_IMM(2, 8192), MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve),
		       JMP_IMM(BPF_JEQ, 0, 0, 2), MOV64_IMM(0, BAD), EXIT(), MOV64_IMM(0, GOOD), EXIT()),
		   GOOD);
	bpfhost_close(rb);
	bpfhost_close(arr);
	bpfhost_close(hash);
	bpfhost_close(st);
	bpfhost_close(q);
}

/* bpf_tail_call on a map of the program that is not a prog array: -EINVAL, and the program goes on. */
static void t_tail_call_on_an_array(void)
{
	int arr = test_map(BPF_MAP_TYPE_ARRAY, "notprogs", 4, 4, 2, 0);

	expect_ret("tail call through an array map",
		   RUN("tc_array", MOV64_REG(6, 1), LD_MAP(2, arr), MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call),
		       MOV64_IMM(0, GOOD), EXIT()),
		   GOOD);
	bpfhost_close(arr);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_queue_helpers_on_other_maps),
		TEST(t_queue_helpers_on_custom_maps),
		TEST(t_ringbuf_helpers_on_a_hash),
		TEST(t_element_helpers_on_keyless_maps),
		TEST(t_updates_original_value),
		TEST(t_failing_operations),
		TEST(t_tail_call_on_an_array),
	};

	return test_run("prog_helper_errors", cases, NELEM(cases));
}
