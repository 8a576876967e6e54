// SPDX-License-Identifier: MIT
/*
 * Pruning with liveness (src/verifier/live.c for registers, the saved
 * states' read marks in verifier.c for stack slots): two paths that differ
 * only in a register or stack slot nothing reads again meet once; two that
 * differ in one that is read later are both walked, so the unsafe one is
 * refused. Each refusal case is a program whose second path is the unsafe
 * one: a pruner that took a live register or slot for dead would accept it.
 * The processed counts show the dead differences really are pruned.
 */
#include <stdlib.h>
#include <string.h>

#include "bpfhost/bpf.h"
#include "insn_build.h"
#include "test.h"

static char log_buf[1 << 16];

/* Loads a socket filter with statistics in the log: the handle or a negative errno. */
static int load(const char *name, const struct bpf_insn *insns, size_t n, uint64_t *processed,
		uint32_t flags)
{
	BPFHOST_OPTS(bpfhost_prog_load_opts, o, .log_buf = log_buf, .log_size = sizeof(log_buf),
		     .log_level = 4, .prog_flags = flags);
	int fd = bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, "GPL", insns, n, &o);
	const char *p = strstr(log_buf, "processed ");

	*processed = p ? strtoull(p + 10, NULL, 10) : 0;
	return fd;
}
#define LOAD_COUNT(name, processed, ...)                                                   \
	({                                                                                 \
		const struct bpf_insn p_[] = { __VA_ARGS__ };                              \
		load(name, p_, sizeof(p_) / sizeof(p_[0]), processed, 0);                  \
	})
#define LOAD_UNPRIV(name, processed, ...)                                                  \
	({                                                                                 \
		const struct bpf_insn p_[] = { __VA_ARGS__ };                              \
		load(name, p_, sizeof(p_) / sizeof(p_[0]), processed, BPFHOST_F_UNPRIVILEGED); \
	})

/* Ten instructions every path walks after the join. */
#define TAIL10                                                                             \
	MOV64_IMM(0, 0), ALU64_IMM(BPF_ADD, 0, 1), ALU64_IMM(BPF_ADD, 0, 2), ALU64_IMM(BPF_ADD, 0, 3), \
	ALU64_IMM(BPF_ADD, 0, 4), ALU64_IMM(BPF_ADD, 0, 5), ALU64_IMM(BPF_ADD, 0, 6),      \
	ALU64_IMM(BPF_ADD, 0, 7), ALU64_IMM(BPF_ADD, 0, 8), EXIT()

static int array_map(uint32_t value_size, uint32_t entries)
{
	int fd = bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "arr", 4, value_size, entries, NULL);

	ASSERT_GE(fd, 0, "array map");
	return fd;
}

/* r3 is 1 on one path, 2 on the other, and overwritten at the join: one walk of the tail. */
static void t_dead_register(void)
{
	uint64_t n;
	int fd;

	fd = LOAD_COUNT("dead_reg", &n,
			LDX(BPF_W, 2, 1, 0), MOV64_IMM(3, 1), JMP_IMM(BPF_JEQ, 2, 0, 1), MOV64_IMM(3, 2),
			/* join (insn 4): r3 is written before any read */
			MOV64_IMM(3, 7), ALU64_REG(BPF_ADD, 3, 3), TAIL10);
	ASSERT_GE(fd, 0, "loads");
	bpfhost_close(fd);
	/* 16 insns on the first path, then the branch stops at the join. */
	ASSERT_EQ(n, 17, "the second path is pruned at the join (r3 is dead there)");
	/* The same with r3 read at the join: both paths walk the tail. */
	fd = LOAD_COUNT("live_reg", &n,
			LDX(BPF_W, 2, 1, 0), MOV64_IMM(3, 1), JMP_IMM(BPF_JEQ, 2, 0, 1), MOV64_IMM(3, 2),
			ALU64_REG(BPF_ADD, 3, 3), MOV64_IMM(3, 7), TAIL10);
	ASSERT_GE(fd, 0, "loads");
	bpfhost_close(fd);
	ASSERT_EQ(n, 28, "r3 is read at the join: both values are walked");
}

/* A live register that differs: the index 100 path must be walked and refused. */
static void t_live_register_refused(void)
{
	int map = array_map(16, 1), fd;
	uint64_t n;

	fd = LOAD_COUNT("live_index", &n,
			LDX(BPF_W, 2, 1, 0), MOV64_IMM(7, 100), JMP_IMM(BPF_JEQ, 2, 0, 1), MOV64_IMM(7, 1),
			/* join: value[r7] */
			ST(BPF_W, 10, -4, 0), LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
			CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JNE, 0, 0, 1), EXIT(),
			ALU64_REG(BPF_ADD, 0, 7), LDX(BPF_B, 0, 0, 0), EXIT());
	ASSERT_EQ(fd, -EACCES, "value[100] of a 16-byte value, on the path that reaches the join second");
	bpfhost_close(map);
}

/* fp-8 holds 1 or 2, and is overwritten whole before anything reads it: pruned. */
static void t_dead_slot(void)
{
	uint64_t n;
	int fd;

	fd = LOAD_COUNT("dead_slot", &n,
			LDX(BPF_W, 2, 1, 0), ST(BPF_DW, 10, -8, 1), JMP_IMM(BPF_JEQ, 2, 0, 1),
			ST(BPF_DW, 10, -8, 2),
			/* join (insn 4): fp-8 rewritten, then read */
			ST(BPF_DW, 10, -8, 3), LDX(BPF_DW, 3, 10, -8), TAIL10);
	ASSERT_GE(fd, 0, "loads");
	bpfhost_close(fd);
	ASSERT_EQ(n, 17, "the second path is pruned at the join (fp-8 is rewritten before it is read)");
	/* Partly rewritten: the other half still shows, so both are walked. */
	fd = LOAD_COUNT("half_slot", &n,
			LDX(BPF_W, 2, 1, 0), ST(BPF_DW, 10, -8, 1), JMP_IMM(BPF_JEQ, 2, 0, 1),
			ST(BPF_DW, 10, -8, 2),
			ST(BPF_W, 10, -8, 3), LDX(BPF_DW, 3, 10, -8), TAIL10);
	ASSERT_GE(fd, 0, "loads");
	bpfhost_close(fd);
	ASSERT_EQ(n, 28, "a 4-byte store leaves the slot's earlier bytes readable: both walked");
}

/* fp-8 holds the index 100 on the path that comes second; it is read after the join. */
static void t_live_slot_refused(void)
{
	int map = array_map(16, 1), fd;
	uint64_t n;

	fd = LOAD_COUNT("slot_index", &n,
			LDX(BPF_W, 2, 1, 0), ST(BPF_DW, 10, -8, 100), JMP_IMM(BPF_JEQ, 2, 0, 1),
			ST(BPF_DW, 10, -8, 1),
			/* join: r7 = fp-8, then value[r7] */
			ST(BPF_W, 10, -12, 0), LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -12),
			CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JNE, 0, 0, 1), EXIT(),
			LDX(BPF_DW, 7, 10, -8), ALU64_REG(BPF_ADD, 0, 7), LDX(BPF_B, 0, 0, 0), EXIT());
	ASSERT_EQ(fd, -EACCES, "an index spilled on one path and filled after the join is checked on both");
	/*
	 * A read the join's saved state learns only through pruning: the first
	 * path (fp-8 = 1) jumps straight to the second join (insn 9) and reads
	 * fp-8 after it; the second (fp-8 = 1) passes the first join (insn 8)
	 * and is pruned at insn 9 against the first, so the state saved at
	 * insn 8 must take over that read; the third (fp-8 = 100) reaches
	 * insn 8 last and differs from the second only there (r6, which split
	 * them, is dead), so only the inherited read makes it walk on.
	 */
	fd = LOAD_COUNT("slot_inherited", &n,
			LDX(BPF_W, 2, 1, 0), LDX(BPF_W, 6, 1, 4), ST(BPF_DW, 10, -8, 1),
			JMP_IMM(BPF_JEQ, 2, 0, 1), JA(4),
			ST(BPF_DW, 10, -8, 100), JMP_IMM(BPF_JEQ, 6, 0, 1), ST(BPF_DW, 10, -8, 1),
			MOV64_IMM(4, 0),
			ST(BPF_W, 10, -12, 0), LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -12),
			CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JNE, 0, 0, 1), EXIT(),
			LDX(BPF_DW, 7, 10, -8), ALU64_REG(BPF_ADD, 0, 7), LDX(BPF_B, 0, 0, 0), EXIT());
	ASSERT_EQ(fd, -EACCES, "a read inherited through a pruned path keeps the slot live at the first join");
	bpfhost_close(map);
}

/*
 * The key at fp-4 is read by the helper: written on the first path, never
 * on the second, which an unprivileged load refuses (Linux). Its read
 * keeps fp-4 live at the join.
 */
static void t_helper_read_slot_refused(void)
{
	int map = array_map(8, 4), fd;
	uint64_t n;

	fd = LOAD_UNPRIV("key_slot", &n,
			 LDX(BPF_W, 2, 1, 0), JMP_IMM(BPF_JEQ, 2, 0, 1), ST(BPF_W, 10, -4, 0),
			 /* join: lookup with the key at fp-4 */
			 LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
			 CALL(BPF_FUNC_map_lookup_elem), MOV64_IMM(0, 0), EXIT());
	ASSERT_EQ(fd, -EACCES, "the key is unwritten on the second path");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "not written", "the refusal says why");
	/* Written on both paths (other keys): the helper's read prunes nothing unsafe, and it loads. */
	fd = LOAD_UNPRIV("key_slot_ok", &n,
			 LDX(BPF_W, 2, 1, 0), ST(BPF_W, 10, -4, 1), JMP_IMM(BPF_JEQ, 2, 0, 1),
			 ST(BPF_W, 10, -4, 0),
			 LD_MAP(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
			 CALL(BPF_FUNC_map_lookup_elem), MOV64_IMM(0, 0), EXIT());
	ASSERT_GE(fd, 0, "loads");
	bpfhost_close(fd);
	bpfhost_close(map);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_dead_register), TEST(t_live_register_refused), TEST(t_dead_slot),
		TEST(t_live_slot_refused), TEST(t_helper_read_slot_refused),
	};

	return test_run("verifier_liveness", cases, sizeof(cases) / sizeof(cases[0]));
}
