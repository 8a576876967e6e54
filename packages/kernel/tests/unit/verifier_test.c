// SPDX-License-Identifier: MIT
/*
 * The verifier's own rules, with hand-built programs: what the Linux
 * differential corpus (verifier_kernel_diff_test) cannot show because the
 * kernel has no opinion on it (bpfhost's messages, log levels, the
 * unprivileged option, the test-only flag) or because it is about pruning
 * being sound (a pruned path must be as safe as the one it was pruned
 * against).
 */
#include <string.h>

#include "bpfhost/bpf.h"
#include "insn_build.h"
#include "prog_run.h"
#include "test.h"

static char log_buf[1 << 16];

static int load_log(const char *name, const struct bpf_insn *insns, size_t n, uint32_t level,
		    uint32_t flags)
{
	BPFHOST_OPTS(bpfhost_prog_load_opts, o, .log_buf = log_buf, .log_size = sizeof(log_buf),
		     .log_level = level, .prog_flags = flags);

	return bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, "GPL", insns, n, &o);
}
#define LOAD_LOG(name, level, flags, ...)                                                  \
	({                                                                                 \
		const struct bpf_insn p_[] = { __VA_ARGS__ };                              \
		load_log(name, p_, sizeof(p_) / sizeof(p_[0]), level, flags);              \
	})

static int array_map(uint32_t value_size)
{
	int fd = bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "arr", 4, value_size, 4, NULL);

	ASSERT_GE(fd, 0, "array map");
	return fd;
}

/*
 * Linked scalars and pruning: r6 and r7 are copies on one path and
 * independent on the other; only for copies does a bound on r6 bound r7.
 * The second path reaches the join in a state whose bounds are within the
 * first's, so a pruner that ignored the link would skip it, and r7 would
 * index the value unchecked. It must be refused.
 */
static void t_pruning_keeps_links(void)
{
	int map = array_map(16), fd;

	fd = LOAD("links",
		  /* key 0 on the stack, lookup, NULL check */
		  ST(BPF_W, 10, -4, 0), LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
		  CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JNE, 0, 0, 1), EXIT(),
		  MOV64_REG(8, 0),
		  /* r6 = some byte of the value (0..255) */
		  LDX(BPF_B, 6, 8, 0),
		  /* either r7 = r6 (linked), or r7 = another byte (independent) */
		  LDX(BPF_B, 1, 8, 1), JMP_IMM(BPF_JEQ, 1, 0, 2),
		  LDX(BPF_B, 7, 8, 2), JA(1),
		  MOV64_REG(7, 6),
		  /* join: if r6 < 16, read value[r7] */
		  MOV64_IMM(0, 0), JMP_IMM(BPF_JGE, 6, 16, 3),
		  ALU64_REG(BPF_ADD, 8, 7), LDX(BPF_B, 0, 8, 0), EXIT(),
		  EXIT());
	ASSERT_EQ(fd, -EACCES, "an unbounded index reached through a path pruned by bounds alone");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "insn", "the refusal names the instruction");
	/* The same with only the linked path loads: the copy's bound holds. */
	fd = LOAD("linked",
		  ST(BPF_W, 10, -4, 0), LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
		  CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JNE, 0, 0, 1), EXIT(),
		  MOV64_REG(8, 0), LDX(BPF_B, 6, 8, 0), MOV64_REG(7, 6),
		  MOV64_IMM(0, 0), JMP_IMM(BPF_JGE, 6, 16, 3),
		  ALU64_REG(BPF_ADD, 8, 7), LDX(BPF_B, 0, 8, 0), EXIT(),
		  EXIT());
	ASSERT_GE(fd, 0, "a copy is bounded by its original's check");
	bpfhost_close(fd);
	bpfhost_close(map);
}

/*
 * The ALU and jump memos (alu.c, jump.c): the second path repeats the first
 * one's 32-bit multiply, shift and compare on the same values, so its
 * results come from the memo; they must bound its index exactly as
 * computed ([0, 255] * 3 >> 2 is at most 191): a 192-byte value loads,
 * a 191-byte one is refused there.
 */
static void t_memo_same_results(void)
{
	for (uint32_t size = 191; size <= 192; size++) {
		int map = array_map(size), fd;

		fd = LOAD("memo",
			  ST(BPF_W, 10, -4, 0), LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
			  CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JNE, 0, 0, 1), EXIT(),
			  MOV64_REG(8, 0), LDX(BPF_B, 6, 8, 0), LDX(BPF_B, 1, 8, 1), JMP_IMM(BPF_JEQ, 1, 0, 7),
			  /* one path (walked first): computes, reads nothing */
			  ALU32_IMM(BPF_MUL, 6, 3), ALU32_IMM(BPF_RSH, 6, 2), MOV64_IMM(0, 0),
			  JMP32_IMM(BPF_JGT, 6, 250, 2), MOV64_REG(0, 6), MOV64_IMM(0, 1), EXIT(),
			  /* the other: the same operations on the same values, then the read */
			  ALU32_IMM(BPF_MUL, 6, 3), ALU32_IMM(BPF_RSH, 6, 2), MOV64_IMM(0, 0),
			  JMP32_IMM(BPF_JGT, 6, 250, 2), ALU64_REG(BPF_ADD, 8, 6), LDX(BPF_B, 0, 8, 0), EXIT());
		if (size == 192) {
			ASSERT_GE(fd, 0, "index at most 191: a 192-byte value");
			bpfhost_close(fd);
		} else {
			ASSERT_EQ(fd, -EACCES, "index up to 191, from the memo: past a 191-byte value");
		}
		bpfhost_close(map);
	}
}

/* A stack pointer of a callee stored into its caller's frame would outlive the callee. */
static void t_callee_stack_pointer(void)
{
	int fd = LOAD("escape",
		      MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -8), CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(),
		      /* callee: *(u64 *)r1 = its own fp - 8 */
		      MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8), STX(BPF_DW, 1, 2, 0),
		      MOV64_IMM(0, 0), EXIT());

	ASSERT_EQ(fd, -EACCES, "a callee's stack pointer stored into the caller's stack");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "caller", "message");
}

/*
 * The run's stack reach comes from the verifier: an access through a
 * filled stack pointer, which the load-time estimate cannot follow, runs
 * (found by fuzz_verifier: it faulted as "below what the program reaches").
 */
static void t_stack_reach(void)
{
	uint64_t r = 0;
	int fd = LOAD("reach", MOV64_REG(1, 10), ALU64_IMM(BPF_ADD, 1, -256), STX(BPF_DW, 10, 1, -8),
		      LDX(BPF_DW, 2, 10, -8), ST(BPF_DW, 2, 0, 7), LDX(BPF_DW, 0, 2, 0), EXIT());

	ASSERT_GE(fd, 0, "loads");
	ASSERT_OK(test_prog_run(fd, 0, 0, &r), "the access 256 bytes down runs");
	ASSERT_EQ(r, 7, "and reads what it wrote");
	bpfhost_close(fd);
}

/*
 * A loop of lookups with a NULL check each time: the NULL paths wait until
 * the loop's walk ends and are pruned against the states it saved at the
 * join, one per iteration (the interpreter bench's program; Linux loads it).
 */
static void t_loop_of_lookups(void)
{
	int map = bpfhost_map_create(BPF_MAP_TYPE_HASH, "h", 4, 8, 16, NULL), fd;

	ASSERT_GE(map, 0, "hash map");
	fd = LOAD("lookups", MOV64_IMM(6, 0), MOV64_IMM(7, 0), STX(BPF_W, 10, 7, -4), MOV64_REG(2, 10),
		  ALU64_IMM(BPF_ADD, 2, -4), LD_MAP(1, map), CALL(BPF_FUNC_map_lookup_elem),
		  JMP_IMM(BPF_JEQ, 0, 0, 2), LDX(BPF_DW, 1, 0, 0), ALU64_REG(BPF_ADD, 6, 1),
		  ALU64_IMM(BPF_ADD, 7, 1), MOV64_REG(1, 7), ALU64_IMM(BPF_SUB, 1, 1024),
		  JMP_IMM(BPF_JNE, 1, 0, -13), MOV64_REG(0, 6), EXIT());
	ASSERT_GE(fd, 0, "1024 iterations load within the limit");
	bpfhost_close(fd);
	bpfhost_close(map);
}

/*
 * Zero-sized memory arguments still point somewhere the run allows: a
 * stack pointer outside the frame, or NULL where the prototype takes no
 * NULL, is refused (found by fuzz_prog: they passed, then faulted at run).
 */
static void t_zero_size_args(void)
{
	int rb = bpfhost_map_create(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, NULL), fd;

	ASSERT_GE(rb, 0, "ring buffer");
	fd = LOAD("above", LD_MAP(1, rb), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, 65), MOV64_IMM(3, 0),
		  MOV64_IMM(4, 0), CALL(BPF_FUNC_ringbuf_output), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(fd, -EACCES, "r10 + 65, zero bytes");
	fd = LOAD("null", LD_MAP(1, rb), MOV64_IMM(2, 0), MOV64_IMM(3, 0), MOV64_IMM(4, 0),
		  CALL(BPF_FUNC_ringbuf_output), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(fd, -EACCES, "NULL, zero bytes, for an argument that takes no NULL");
	fd = LOAD("inside", LD_MAP(1, rb), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8), MOV64_IMM(3, 0),
		  MOV64_IMM(4, 0), CALL(BPF_FUNC_ringbuf_output), MOV64_IMM(0, 0), EXIT());
	ASSERT_GE(fd, 0, "r10 - 8, zero bytes: fine");
	bpfhost_close(fd);
	bpfhost_close(rb);
}

static void t_messages(void)
{
	int map = array_map(8), fd;

	fd = LOAD("count", ST(BPF_W, 10, -4, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
		  LD_MAP(1, map), CALL(BPF_FUNC_map_lookup_elem), LDX(BPF_DW, 0, 0, 0), EXIT());
	ASSERT_EQ(fd, -EACCES, "NULL not checked");
	ASSERT_STR_CONTAINS(bpfhost_last_error(),
			    "program 'count': insn 6: R0 may be NULL (map 'arr' lookup at insn 5) when "
			    "read with size 8; check it against 0 first", "the issue's sentence");
	fd = LOAD("spin", MOV64_IMM(0, 0), JA(-1), EXIT());
	ASSERT_EQ(fd, -EINVAL, "ja -1 with an exit after it: unreachable");
	fd = LOAD("spin", MOV64_IMM(0, 0), JMP_IMM(BPF_JEQ, 0, 0, -1), EXIT());
	ASSERT_EQ(fd, -EINVAL, "a loop that never changes its state");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "infinite loop", "message");
	fd = LOAD("forever", MOV64_IMM(0, 0), ALU64_IMM(BPF_ADD, 0, 1), JMP_IMM(BPF_JNE, 0, 0, -2),
		  EXIT());
	ASSERT_EQ(fd, -E2BIG, "a loop whose exit needs 2^64 iterations hits the complexity limit");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "1000000 instructions processed", "message");
	fd = LOAD_UNVERIFIED("forever", MOV64_IMM(0, 0), JMP_IMM(BPF_JEQ, 0, 0, -1), EXIT());
	ASSERT_GE(fd, 0, "BPFHOST_F_TEST_UNVERIFIED loads it for the budget's tests");
	ASSERT_EQ(test_prog_run(fd, 1000, 0, NULL), -ELOOP, "and the budget stops it");
	bpfhost_close(fd);
	bpfhost_close(map);
}

static void t_log_levels(void)
{
	static const char *const prog = "insn";
	int fd;

	fd = LOAD_LOG(prog, 1, 0, MOV64_IMM(0, 1), JMP_IMM(BPF_JEQ, 1, 0, 1), MOV64_IMM(0, 2), EXIT());
	ASSERT_GE(fd, 0, "loads");
	ASSERT_TRUE(!strstr(log_buf, "0: (b7)"), "level 1 keeps nothing of a successful load's paths");
	ASSERT_STR_CONTAINS(log_buf, "processed", "but the statistics");
	bpfhost_close(fd);
	fd = LOAD_LOG(prog, 2, 0, MOV64_IMM(0, 1), JMP_IMM(BPF_JEQ, 1, 0, 1), MOV64_IMM(0, 2), EXIT());
	ASSERT_GE(fd, 0, "loads");
	ASSERT_STR_CONTAINS(log_buf, "0: (b7) r0 = 1", "level 2 shows every instruction");
	ASSERT_STR_CONTAINS(log_buf, "R1=ctx", "and the state");
	bpfhost_close(fd);
	fd = LOAD_LOG(prog, 1, 0, MOV64_IMM(0, 1), JMP_IMM(BPF_JEQ, 1, 0, 1), LDX(BPF_W, 0, 0, 0), EXIT());
	ASSERT_EQ(fd, -EACCES, "a scalar dereferenced on one path");
	ASSERT_STR_CONTAINS(log_buf, "2: (61) r0 = *(u32 *)(r0 +0)", "the failing path's instructions");
	ASSERT_STR_CONTAINS(log_buf, "R0 is a scalar, not a pointer", "and the reason, last");
}

static void t_unprivileged(void)
{
	int map = array_map(8), fd;
	const struct bpf_insn leak[] = {
		ST(BPF_W, 10, -4, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), LD_MAP(1, map),
		CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 1), STX(BPF_DW, 0, 10, 0),
		MOV64_IMM(0, 0), EXIT(),
	};
	const struct bpf_insn uninit[] = { LDX(BPF_DW, 0, 10, -8), EXIT() };
	const struct bpf_insn ret_ptr[] = { MOV64_REG(0, 10), EXIT() };

	fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "leak", leak, sizeof(leak) / sizeof(leak[0]), 0);
	ASSERT_GE(fd, 0, "privileged: the frame pointer may be stored in a map (Linux)");
	bpfhost_close(fd);
	fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "leak", leak, sizeof(leak) / sizeof(leak[0]), BPFHOST_F_UNPRIVILEGED);
	ASSERT_EQ(fd, -EACCES, "unprivileged: a pointer into a map leaks an address");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "leaks a host address", "message");
	fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "uninit", uninit, 2, 0);
	ASSERT_GE(fd, 0, "privileged: unwritten stack reads as an unknown value (cleared per run)");
	bpfhost_close(fd);
	fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "uninit", uninit, 2, BPFHOST_F_UNPRIVILEGED);
	ASSERT_EQ(fd, -EACCES, "unprivileged: refused");
	fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "ret", ret_ptr, 2, 0);
	ASSERT_EQ(fd, -EACCES, "a pointer returned: refused (the caller would see a host address)");
	fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "both", ret_ptr, 2,
				  BPFHOST_F_UNPRIVILEGED | BPFHOST_F_TEST_UNVERIFIED);
	ASSERT_EQ(fd, -EINVAL, "unprivileged and unverified contradict each other");
	bpfhost_close(map);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_pruning_keeps_links), TEST(t_callee_stack_pointer), TEST(t_stack_reach), TEST(t_loop_of_lookups), TEST(t_zero_size_args),
		TEST(t_messages), TEST(t_memo_same_results),
		TEST(t_log_levels), TEST(t_unprivileged),
	};

	return test_run("verifier", cases, sizeof(cases) / sizeof(cases[0]));
}
