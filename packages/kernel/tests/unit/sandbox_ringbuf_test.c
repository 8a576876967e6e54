// SPDX-License-Identifier: MIT
/*
 * Ring buffer records by provenance (issue 10, items 1 and 4): submit and
 * discard take only the exact start of a record this run reserved and
 * still holds, found in the core's own account (never in bytes a program
 * can write); memory arguments are never the context; records a program
 * leaves behind are discarded as its run ends, counted, and never block
 * the ring; a record stays usable however many map values the run looks
 * up in between.
 */
#include "test.h"
#include "insn_build.h"
#include "prog_run.h"

#include "bpfhost/libbpf.h"
#include "bpfhost/uapi.h"

static int rb, arr;

static int run(int fd, uint32_t *ret)
{
	uint64_t r = 0;
	int err = test_prog_run(fd, 0, 1, &r);

	if (ret)
		*ret = (uint32_t)r;
	return err;
}

static int count_records(void *ctx, void *data, size_t size)
{
	(void)data, (void)size;
	(*(int *)ctx)++;
	return 0;
}

/* Committed records a consumer sees now (and consumes). */
static int consume_all(void)
{
	int n = 0;
	struct bpfhost_ring_buffer *c = bpfhost_ring_buffer__new(rb, count_records, &n, NULL);

	ASSERT_TRUE(c != NULL, "consumer");
	if (c) {
		bpfhost_ring_buffer__consume(c);
		bpfhost_ring_buffer__free(c);
	}
	return n;
}

static uint32_t abandoned(void)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	ASSERT_OK(bpfhost_map_get_info_by_fd(rb, &info, &len), "ring buffer info");
	return info.ringbuf_abandoned;
}

/* r0 = &arr[0] or exit 0 (5 + 2 instructions). */
#define LOOKUP_ARR0()                                                                      \
	ST(BPF_W, 10, -4, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), LD_MAP(1, arr),      \
	CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, 0), EXIT()

/* A map value handed to submit as if it were a record: the critical finding. */
static void t_map_value_is_not_a_record(void)
{
	uint8_t before[4096], after[4096];
	uint32_t key = 0;
	int fd;

	memset(before, 0x5a, sizeof(before));
	ASSERT_OK(bpfhost_map_update_elem(arr, &key, before, 0), "fill the value");
	/* A forged header in the value: BUSY with length 8, pg_off 0. */
	fd = LOAD_UNVERIFIED("forge", LOOKUP_ARR0(), ST(BPF_W, 0, 0, (int32_t)(0x80000000u | 8)), ST(BPF_W, 0, 4, 0),
		  MOV64_REG(1, 0), MOV64_IMM(2, 0), CALL(BPF_FUNC_ringbuf_submit), MOV64_IMM(0, 0), EXIT());
	ASSERT_GE(fd, 0, "load");
	ASSERT_EQ(run(fd, NULL), -EFAULT, "a map value is refused as a record");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "bpf_ringbuf_reserve", "says what is expected");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "program 'forge'", "names the program");
	bpfhost_close(fd);
	fd = LOAD_UNVERIFIED("forge2", LOOKUP_ARR0(), MOV64_REG(1, 0), MOV64_IMM(2, 0), CALL(BPF_FUNC_ringbuf_discard),
		  MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(run(fd, NULL), -EFAULT, "discard too");
	bpfhost_close(fd);
	ASSERT_OK(bpfhost_map_lookup_elem(arr, &key, after), "value");
	ASSERT_EQ(after[0] | after[1] << 8, 8, "the forged header is all that changed");
	ASSERT_EQ(memcmp(after + 8, before + 8, sizeof(after) - 8), 0, "rest of the value intact");
	ASSERT_EQ(consume_all(), 0, "nothing reached the ring");
}

/* Only the exact start of a held record; not twice; not one from an earlier run. */
static void t_record_provenance(void)
{
	uint32_t r = 0;
	int fd;

	/* Reserve 16, submit r0 + 8. */
	fd = LOAD_UNVERIFIED("inside", LD_MAP(1, rb), MOV64_IMM(2, 16), MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve),
		  JMP_IMM(BPF_JNE, 0, 0, 1), EXIT(), MOV64_REG(1, 0), ALU64_IMM(BPF_ADD, 1, 8), MOV64_IMM(2, 0),
		  CALL(BPF_FUNC_ringbuf_submit), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(run(fd, NULL), -EFAULT, "a pointer inside a record is not a record");
	bpfhost_close(fd);
	ASSERT_EQ(abandoned(), 1, "the faulting run's record was discarded by the core");
	/* Submit twice. */
	fd = LOAD_UNVERIFIED("twice", LD_MAP(1, rb), MOV64_IMM(2, 16), MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve),
		  JMP_IMM(BPF_JNE, 0, 0, 1), EXIT(), MOV64_REG(6, 0), MOV64_REG(1, 6), MOV64_IMM(2, 0),
		  CALL(BPF_FUNC_ringbuf_submit), MOV64_REG(1, 6), MOV64_IMM(2, 0), CALL(BPF_FUNC_ringbuf_discard),
		  MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(run(fd, NULL), -EFAULT, "a submitted record cannot be discarded");
	bpfhost_close(fd);
	ASSERT_EQ(consume_all(), 1, "the one submit was delivered");
	/* Run 1 keeps the record's address in arr[0]; run 2 submits it. */
	fd = LOAD_UNVERIFIED("stash", LOOKUP_ARR0(), MOV64_REG(7, 0), LDX(BPF_DW, 1, 7, 0), JMP_IMM(BPF_JEQ, 1, 0, 4),
		  MOV64_IMM(2, 0), CALL(BPF_FUNC_ringbuf_submit), MOV64_IMM(0, 2), EXIT(),
		  LD_MAP(1, rb), MOV64_IMM(2, 8), MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve),
		  JMP_IMM(BPF_JNE, 0, 0, 1), EXIT(), STX(BPF_DW, 7, 0, 0), MOV64_REG(1, 0), MOV64_IMM(2, 0),
		  CALL(BPF_FUNC_ringbuf_submit), MOV64_IMM(0, 1), EXIT());
	{
		uint8_t zero[4096] = { 0 };
		uint32_t key = 0;

		ASSERT_OK(bpfhost_map_update_elem(arr, &key, zero, 0), "clear arr[0]");
	}
	ASSERT_OK(run(fd, &r), "run 1 reserves, keeps the address and submits");
	ASSERT_EQ(r, 1, "run 1");
	ASSERT_EQ(run(fd, NULL), -EFAULT, "run 2 may not submit a record of run 1");
	bpfhost_close(fd);
	ASSERT_EQ(consume_all(), 1, "only run 1's record");
}

/* Memory arguments are stack, packet, map values and records: never the context. */
static void t_ctx_is_not_memory(void)
{
	int fd = LOAD_UNVERIFIED("ctxout", MOV64_REG(2, 1), LD_MAP(1, rb), MOV64_IMM(3, 8), MOV64_IMM(4, 0),
		      CALL(BPF_FUNC_ringbuf_output), MOV64_IMM(0, 0), EXIT());

	ASSERT_EQ(run(fd, NULL), -EFAULT, "the context as ringbuf_output data");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "argument 2", "names the argument");
	bpfhost_close(fd);
	fd = LOAD_UNVERIFIED("ctxval", ST(BPF_W, 10, -4, 0), MOV64_REG(3, 1), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
		  LD_MAP(1, arr), MOV64_IMM(4, 0), CALL(BPF_FUNC_map_update_elem), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(run(fd, NULL), -EFAULT, "the context as a map value");
	bpfhost_close(fd);
	/* A record is memory: output from a record into the ring works. */
	fd = LOAD_UNVERIFIED("recmem", LD_MAP(1, rb), MOV64_IMM(2, 8), MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve),
		  JMP_IMM(BPF_JNE, 0, 0, 1), EXIT(), MOV64_REG(6, 0), ST(BPF_DW, 6, 0, 7), LD_MAP(1, rb),
		  MOV64_REG(2, 6), MOV64_IMM(3, 8), MOV64_IMM(4, 0), CALL(BPF_FUNC_ringbuf_output),
		  MOV64_REG(1, 6), MOV64_IMM(2, 0), CALL(BPF_FUNC_ringbuf_submit), MOV64_IMM(0, 3), EXIT());
	{
		uint32_t r = 0;

		ASSERT_OK(run(fd, &r), "record as ringbuf_output data");
		ASSERT_EQ(r, 3, "ran to the end");
	}
	bpfhost_close(fd);
	ASSERT_EQ(consume_all(), 2, "both records");
}

/* A reserve without a submit no longer wedges the ring (item 4). */
static void t_left_behind_is_discarded(void)
{
	uint32_t before = abandoned(), r = 0;
	char log[4096];
	int leak, out;

	bpfhost_trace_read(log, sizeof(log));	/* drain */
	leak = LOAD_UNVERIFIED("leak", LD_MAP(1, rb), MOV64_IMM(2, 16), MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve),
		    MOV64_IMM(0, 0), EXIT());
	out = LOAD_UNVERIFIED("out", ST(BPF_DW, 10, -8, 42), LD_MAP(1, rb), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8),
		   MOV64_IMM(3, 8), MOV64_IMM(4, 0), CALL(BPF_FUNC_ringbuf_output), EXIT());
	ASSERT_OK(run(leak, NULL), "reserve and exit");
	ASSERT_EQ(abandoned(), before + 1, "counted in the ring's info");
	ASSERT_GE(bpfhost_trace_read(log, sizeof(log)), 0, "trace");
	ASSERT_STR_CONTAINS(log, "neither submitted nor discarded", "a trace line says so");
	ASSERT_STR_CONTAINS(log, "leak", "naming the program");
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(run(out, &r), "output after it");
		ASSERT_EQ(r, 0, "output succeeds");
	}
	ASSERT_EQ(consume_all(), 3, "and is delivered: the ring is not blocked");
	bpfhost_close(leak);
	bpfhost_close(out);
}

/*
 * Forty map lookups between reserve and submit used to push the record out of
 * the run's 32 helper regions; and a run may hold at most 32 records.
 */
static void t_many_regions_and_records(void)
{
	uint32_t before = abandoned(), r = 0;
	int fd;

	fd = LOAD_UNVERIFIED("many", LD_MAP(1, rb), MOV64_IMM(2, 8), MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve),
		  JMP_IMM(BPF_JNE, 0, 0, 1), EXIT(), MOV64_REG(6, 0), MOV64_IMM(7, 40),
		  /* loop: */ ST(BPF_W, 10, -4, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), LD_MAP(1, arr),
		  CALL(BPF_FUNC_map_lookup_elem), ALU64_IMM(BPF_SUB, 7, 1), JMP_IMM(BPF_JNE, 7, 0, -8),
		  ST(BPF_DW, 6, 0, 9), MOV64_REG(1, 6), MOV64_IMM(2, 0), CALL(BPF_FUNC_ringbuf_submit),
		  MOV64_IMM(0, 5), EXIT());
	ASSERT_OK(run(fd, &r), "submit after 40 lookups");
	ASSERT_EQ(r, 5, "result");
	ASSERT_EQ(consume_all(), 1, "delivered");
	bpfhost_close(fd);

	/* r7 = 0; 40 times: if reserve(8) != NULL, r7++. r0 = r7. */
	fd = LOAD_UNVERIFIED("hoard", MOV64_IMM(7, 0), MOV64_IMM(8, 40), LD_MAP(1, rb), MOV64_IMM(2, 8), MOV64_IMM(3, 0),
		  CALL(BPF_FUNC_ringbuf_reserve), JMP_IMM(BPF_JEQ, 0, 0, 1), ALU64_IMM(BPF_ADD, 7, 1),
		  ALU64_IMM(BPF_SUB, 8, 1), JMP_IMM(BPF_JNE, 8, 0, -9), MOV64_REG(0, 7), EXIT());
	ASSERT_OK(run(fd, &r), "hoard");
	ASSERT_EQ(r, 32, "32 records at once; then reserve returns NULL");
	ASSERT_EQ(abandoned(), before + 32, "all 32 discarded as the run ended");
	ASSERT_EQ(consume_all(), 0, "none delivered");
	ASSERT_OK(run(fd, &r), "and the ring has room again");
	ASSERT_EQ(r, 32, "again");
	bpfhost_close(fd);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_map_value_is_not_a_record), TEST(t_record_provenance), TEST(t_ctx_is_not_memory),
		TEST(t_left_behind_is_discarded), TEST(t_many_regions_and_records),
	};
	int ret;

	rb = test_map(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, 0);
	arr = test_map(BPF_MAP_TYPE_ARRAY, "arr", 4, 4096, 2, 0);
	ret = test_run("sandbox_ringbuf", cases, sizeof(cases) / sizeof(cases[0]));
	bpfhost_close(rb);
	bpfhost_close(arr);
	return ret;
}
