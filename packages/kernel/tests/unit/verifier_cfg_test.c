// SPDX-License-Identifier: MIT
/*
 * The verifier's control-flow graph (src/verifier/cfg.c): sub-program
 * boundaries, successors, loop heads and prune points of hand-built
 * programs; every refusal (unreachable code, recursion, jumps out of a
 * sub-program or the program, falling off the end, back-edges when
 * unprivileged) with the instruction it names; a large program in linear
 * time; and every program of tests/bpf's clang objects that loads today,
 * and prog_check's clang programs (-mcpu=v3 and v4), pass the CFG stage.
 */
#include <dirent.h>
#include <time.h>

#include "test.h"
#include "prog_run.h"
#include "insn_build.h"
#include "bpf_objects.h"

#include "bpfhost/libbpf.h"
#include "verifier/cfg.h"

static struct bh_cfg cfg;

static int build(const struct bpf_insn *insns, size_t n, bool unpriv)
{
	bh_cfg_free(&cfg);
	return bh_cfg_build("cfg", insns, (uint32_t)n, unpriv, &cfg);
}

#define BUILD(unpriv, ...)                                                                 \
	({                                                                                 \
		static const struct bpf_insn p_[] = { __VA_ARGS__ };                       \
		build(p_, sizeof(p_) / sizeof(p_[0]), unpriv);                             \
	})
#define REFUSED(why, name, ...)                                                            \
	do {                                                                               \
		ASSERT_EQ(BUILD(false, __VA_ARGS__), -EINVAL, name);                       \
		ASSERT_STR_CONTAINS(bpfhost_last_error(), why, name);                      \
	} while (0)

static bool flag(uint32_t i, uint8_t f)
{
	return cfg.flags && i < cfg.len && (cfg.flags[i] & f);
}

static void straight_line(void)
{
	uint32_t to[2];
	static const struct bpf_insn p[] = { MOV64_IMM(0, 1), LD_IMM64(2, 0x1122334455667788ull), EXIT() };

	ASSERT_OK(build(p, 4, false), "accepted");
	ASSERT_EQ(cfg.nsub, 1, "one sub-program");
	ASSERT_EQ(cfg.sub_start[0], 0, "starts at 0");
	ASSERT_EQ(cfg.sub_start[1], 4, "ends at len");
	ASSERT_TRUE(flag(2, BH_CFG_LDDW_HI), "lddw second half");
	ASSERT_EQ(cfg.nloops, 0, "no loops");
	ASSERT_EQ(cfg.nprune, 1, "only the entry is a prune point");
	ASSERT_EQ(bh_cfg_successors(p, 1, to), 1, "lddw: one successor");
	ASSERT_EQ(to[0], 3, "lddw skips its second half");
	ASSERT_EQ(bh_cfg_successors(p, 3, to), 0, "exit: none");
}

static void diamond(void)
{
	uint32_t to[2];
	/* 0: if r1 > 5 goto 3; 1: r0 = 1; 2: goto 4; 3: r0 = 2; 4: exit */
	static const struct bpf_insn p[] = {
		JMP_IMM(BPF_JGT, 1, 5, 2), MOV64_IMM(0, 1), JA(1), MOV64_IMM(0, 2), EXIT(),
	};

	ASSERT_OK(build(p, 5, false), "accepted");
	ASSERT_EQ(bh_cfg_successors(p, 0, to), 2, "branch: two successors");
	ASSERT_TRUE(to[0] == 1 && to[1] == 3, "fall-through first, then the target");
	ASSERT_TRUE(flag(1, BH_CFG_PRUNE) && flag(3, BH_CFG_PRUNE) && flag(4, BH_CFG_PRUNE),
		    "both sides of the branch and the join are prune points");
	ASSERT_TRUE(!flag(2, BH_CFG_PRUNE), "the ja itself is not");
	ASSERT_TRUE(flag(3, BH_CFG_JUMP_TARGET) && flag(4, BH_CFG_JUMP_TARGET), "jump targets");
	ASSERT_EQ(cfg.nloops, 0, "forward jumps make no loop");
	/* A conditional jump to the next instruction has one successor. */
	ASSERT_OK(BUILD(false, JMP_IMM(BPF_JEQ, 1, 0, 0), MOV64_IMM(0, 0), EXIT()), "jump by 0");
}

static void loops(void)
{
	/* 0: r0 = 0; 1: r0 += 1; 2: if r0 < 10 goto 1; 3: exit */
	static const struct bpf_insn p[] = {
		MOV64_IMM(0, 0), ALU64_IMM(BPF_ADD, 0, 1), JMP_IMM(BPF_JLT, 0, 10, -2), EXIT(),
	};

	ASSERT_OK(build(p, 4, false), "a bounded loop is accepted (privileged)");
	ASSERT_EQ(cfg.nloops, 1, "one loop");
	ASSERT_TRUE(flag(1, BH_CFG_LOOP_HEAD) && flag(1, BH_CFG_PRUNE), "its head is a prune point");
	ASSERT_EQ(build(p, 4, true), -EINVAL, "unprivileged: refused");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "program 'cfg': insn 2: back-edge to insn 1", "message");
	/* ja -1 (an infinite loop) is a loop too: termination is the core loop's job. */
	ASSERT_OK(BUILD(false, MOV64_IMM(0, 0), JA(-1)), "ja -1");
	ASSERT_TRUE(flag(1, BH_CFG_LOOP_HEAD), "ja -1 loops on itself");
	/* Nested loops: two heads. */
	ASSERT_OK(BUILD(false, MOV64_IMM(1, 0), MOV64_IMM(2, 0), ALU64_IMM(BPF_ADD, 2, 1),
			JMP_IMM(BPF_JLT, 2, 4, -2), ALU64_IMM(BPF_ADD, 1, 1), JMP_IMM(BPF_JLT, 1, 4, -5),
			MOV64_IMM(0, 0), EXIT()),
		  "nested");
	ASSERT_EQ(cfg.nloops, 2, "two loop heads");
	ASSERT_TRUE(flag(1, BH_CFG_LOOP_HEAD) && flag(2, BH_CFG_LOOP_HEAD), "at 1 and 2");
}

static void subprograms(void)
{
	/* 0: call 3; 1: r0 = 0; 2: exit; 3 (f): call 5; 4: exit; 5 (g): r0 = 1; 6: exit */
	static const struct bpf_insn p[] = {
		CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(), CALL_LOCAL(1), EXIT(), MOV64_IMM(0, 1), EXIT(),
	};

	ASSERT_OK(build(p, 7, false), "accepted");
	ASSERT_EQ(cfg.nsub, 3, "three sub-programs");
	ASSERT_TRUE(cfg.sub_start[0] == 0 && cfg.sub_start[1] == 3 && cfg.sub_start[2] == 5, "starts");
	ASSERT_EQ(bh_cfg_subprog_of(&cfg, 2), 0, "insn 2 in main");
	ASSERT_EQ(bh_cfg_subprog_of(&cfg, 3), 1, "insn 3 in f");
	ASSERT_EQ(bh_cfg_subprog_of(&cfg, 4), 1, "insn 4 in f");
	ASSERT_EQ(bh_cfg_subprog_of(&cfg, 6), 2, "insn 6 in g");
	ASSERT_TRUE(flag(1, BH_CFG_PRUNE) && flag(4, BH_CFG_PRUNE), "after calls: prune points");
	ASSERT_TRUE(flag(3, BH_CFG_SUBPROG | BH_CFG_PRUNE) && flag(5, BH_CFG_PRUNE), "entries");
	/* A helper call continues at the next instruction too. */
	ASSERT_OK(BUILD(false, CALL(5), EXIT()), "helper call");
	ASSERT_TRUE(flag(1, BH_CFG_PRUNE), "after a helper call");
	/* A callback whose address is taken (lddw rX, func) is reachable. */
	ASSERT_OK(BUILD(false, INSN(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_FUNC, 0, 3), INSN(0, 0, 0, 0, 0),
			MOV64_IMM(0, 0), EXIT(), MOV64_IMM(0, 1), EXIT()),
		  "callback by address");
	ASSERT_EQ(cfg.nsub, 2, "the callback is a sub-program");
}

static void refusals(void)
{
	REFUSED("program 'cfg': unreachable insn 2", "dead code after exit", MOV64_IMM(0, 0), EXIT(),
		MOV64_IMM(0, 1), EXIT());
	REFUSED("unreachable insn 2", "dead code jumped over", MOV64_IMM(0, 0), JA(2), MOV64_IMM(0, 1),
		MOV64_IMM(0, 2), EXIT());
	REFUSED("unreachable insn 3", "a function nobody calls", MOV64_IMM(0, 0), JA(0), EXIT(),
		MOV64_IMM(0, 1), EXIT());
	/* f at 3 calls itself; main -> f -> g -> f. */
	REFUSED("insn 3: calls insn 3, which is already running on this path: recursion", "recursion",
		CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(), CALL_LOCAL(-1), EXIT());
	REFUSED("insn 5: calls insn 3", "mutual recursion", CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(),
		CALL_LOCAL(1), EXIT(), CALL_LOCAL(-3), EXIT());
	REFUSED("insn 1: jump to insn 4 leaves its sub-program (insns 0-2)", "jump into another function",
		CALL_LOCAL(2), JA(2), EXIT(), MOV64_IMM(0, 0), EXIT());
	REFUSED("insn 0: jump to 5 is outside the program", "jump past the end", JA(4), EXIT());
	REFUSED("insn 0: jump to -1 is outside the program", "jump before the start", JA(-2), EXIT());
	REFUSED("insn 0: call to 9 is outside the program", "call past the end", CALL_LOCAL(8), EXIT());
	REFUSED("lands inside the lddw at 1", "jump into an lddw", JA(1), LD_IMM64(0, 1), EXIT());
	REFUSED("insn 1: the last instruction of the sub-program at insn 0 must be exit or ja: execution would fall off the end",
		"falls off the end", MOV64_IMM(0, 0), MOV64_IMM(0, 1));
	REFUSED("would fall into the next sub-program", "falls into the next function", CALL_LOCAL(1),
		MOV64_IMM(0, 0), MOV64_IMM(0, 1), EXIT());
	REFUSED("lddw is missing its second half", "truncated lddw", MOV64_IMM(0, 0),
		INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 0));
	ASSERT_EQ(build(NULL, 0, false), -EINVAL, "no instructions");
}

/* A long chain of branches and a long loop: linear time, no recursion. */
static void large_programs(void)
{
	const uint32_t n = 1000000;
	struct bpf_insn *p = malloc(n * sizeof(*p));
	struct timespec t0, t1;
	double ms;

	/* Each pair: if r1 == i goto +1 (to the next pair); r0 += 1. Then exit. */
	for (uint32_t i = 0; i + 1 < n; i += 2) {
		p[i] = JMP_IMM(BPF_JEQ, 1, (int32_t)i, 1);
		p[i + 1] = ALU64_IMM(BPF_ADD, 0, 1);
	}
	p[n - 2] = MOV64_IMM(0, 0);
	p[n - 1] = EXIT();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_OK(build(p, n, false), "1M instructions of branches");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("  1M-insn branch chain: %.1f ms, %u prune points\n", ms, cfg.nprune);
	/* Both sides of every branch: all but the final exit. */
	ASSERT_EQ(cfg.nprune, n - 1, "prune points");
	/* A back-edge from the end to the start. */
	p[n - 2] = JMP_IMM(BPF_JNE, 0, 7, -1);
	ASSERT_OK(build(p, n, false), "loop");
	p[n - 3] = JA(-(int16_t)30000);
	ASSERT_OK(build(p, n, false), "long back-edge");
	ASSERT_TRUE(flag(n - 3 - 30000 + 1, BH_CFG_LOOP_HEAD), "its head");
	free(p);
}

/*
 * Random programs (jumps, calls and lddw with random targets): the CFG never
 * reads outside the program, refuses with -EINVAL or accepts, and what it
 * accepts has successors inside the instruction's own sub-program.
 */
static void random_programs(void)
{
	uint64_t seed = 0x853c49e6748fea9bull;
	struct bpf_insn p[48];
	unsigned accepted = 0, refused = 0, bad = 0;

	for (int round = 0; round < 30000; round++) {
		uint32_t n = 1, to[2];
		int err;

		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		n += (uint32_t)(seed % 40);
		for (uint32_t i = 0; i < n; i++) {
			int16_t off;

			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			off = (int16_t)((int)((seed >> 8) % 8) - 2);	/* mostly forward */
			switch ((seed >> 32) % 12) {
			case 0: p[i] = EXIT(); break;
			case 2: p[i] = JA(off); break;
			case 3: case 4: p[i] = JMP_IMM(BPF_JGT, 1, 0, off); break;
			case 5: p[i] = CALL_LOCAL(off); break;
			case 6: p[i] = CALL(1); break;
			case 7:
				if (i + 1 < n) {
					p[i] = INSN(BPF_LD | BPF_IMM | BPF_DW, 1, (seed >> 40) % 2 ? BPF_PSEUDO_FUNC : 0, 0, off);
					p[++i] = INSN(0, 0, 0, 0, 0);
					break;
				}
				/* fall through */
			default: p[i] = MOV64_IMM(0, 0); break;
			}
		}
		if ((seed >> 44) % 4)
			p[n - 1] = EXIT();	/* most end well, the others are refused */
		err = build(p, n, (seed >> 50) % 4 == 0);
		if (err) {
			refused++;
			bad += err != -EINVAL;
			continue;
		}
		accepted++;
		for (uint32_t i = 0; i < n; i++) {
			unsigned k;

			if (cfg.flags[i] & BH_CFG_LDDW_HI)
				continue;
			k = bh_cfg_successors(p, i, to);
			for (unsigned j = 0; j < k; j++)
				bad += to[j] >= n || bh_cfg_subprog_of(&cfg, to[j]) != bh_cfg_subprog_of(&cfg, i);
		}
	}
	printf("  30000 random programs: %u accepted, %u refused\n", accepted, refused);
	ASSERT_EQ(bad, 0, "no wrong errno, no successor outside its sub-program");
	ASSERT_GE(accepted, 1000, "some accepted");
	ASSERT_GE(refused, 1000, "some refused");
}

/* Out of memory at each allocation: -ENOMEM with a message, nothing leaked. */
static void out_of_memory(void)
{
	static const struct bpf_insn p[] = {
		CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(), MOV64_IMM(0, 1), EXIT(),
	};
	unsigned long nth, total = 0;

	for (nth = 1;; nth++) {
		unsigned long before = bpfhost_alloc_count();
		int err;

		bpfhost_fault_inject_alloc(nth);
		err = build(p, 5, false);
		total = bpfhost_alloc_count() - before;
		bpfhost_fault_inject_alloc(0);
		if (nth > total) {
			ASSERT_OK(err, "all allocations made");
			break;
		}
		ASSERT_EQ(err, -ENOMEM, "allocation failed");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "program 'cfg': out of memory", "message");
		ASSERT_TRUE(cfg.flags == NULL && cfg.sub_start == NULL, "nothing kept");
	}
	ASSERT_EQ(total, 1, "one allocation: the per-instruction tables (flags, liveness, walk, sub-program starts)");
}

#ifdef BPFHOST_TEST_BPF_DIR
static int cfg_of_object(const char *path, int *programs)
{
	struct bpfhost_object *obj = bpfhost_object__open_file(path, NULL);
	const struct bpfhost_program *prog;
	int err;

	if (!obj)
		return 1;
	err = bpfhost_object__load(obj);
	if (err) {	/* objects that do not load today are not part of this check */
		printf("  %s does not load today (%s): skipped\n", path, bpfhost_last_error());
		bpfhost_object__close(obj);
		return 1;
	}
	bpfhost_object__for_each_program(prog, obj) {
		if (bpfhost_program__fd(prog) < 0)
			continue;
		err = build(bpfhost_program__insns(prog), bpfhost_program__insn_cnt(prog), false);
		if (err)
			fprintf(stderr, "  %s: %s\n", path, bpfhost_last_error());
		ASSERT_OK(err, bpfhost_program__name(prog));
		printf("  %s: %s (%zu insns, %u sub-programs, %u loops, %u prune points)\n", path,
		       bpfhost_program__name(prog), bpfhost_program__insn_cnt(prog), cfg.nsub, cfg.nloops,
		       cfg.nprune);
		(*programs)++;
	}
	bpfhost_object__close(obj);
	return 0;
}
#endif

/* Every program of tests/bpf's clang objects that loads today passes. */
static void clang_objects(void)
{
#ifdef BPFHOST_TEST_BPF_DIR
	DIR *d = opendir(BPFHOST_TEST_BPF_DIR);
	struct dirent *de;
	int programs = 0, objects = 0;

	ASSERT_TRUE(d != NULL, "objects folder");
	while (d && (de = readdir(d))) {
		char path[1024];
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 6, ".bpf.o"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", BPFHOST_TEST_BPF_DIR, de->d_name);
		objects += cfg_of_object(path, &programs) == 0;
	}
	if (d)
		closedir(d);
	printf("  %d objects loaded, %d programs passed the CFG stage\n", objects, programs);
	ASSERT_GE(objects, 6, "most objects load");
	ASSERT_GE(programs, 10, "their programs were checked");
#else
	printf(BPF_OBJECTS_SKIP_MESSAGE);
#endif
}

#ifdef BPFHOST_CHECK_BPF_DIR
static void build_text(const char *name, const struct bpf_insn *insns, size_t cnt, void *ctx)
{
	int err = build(insns, cnt, false);

	(void)ctx;
	if (err)
		fprintf(stderr, "  %s: %s\n", name, bpfhost_last_error());
	ASSERT_OK(err, name);
	printf("  %s (%zu insns, %u sub-programs, %u loops)\n", name, cnt, cfg.nsub, cfg.nloops);
}
#endif

/* prog_check's clang-19 programs (raw .text, -mcpu=v3 and v4, entry first) pass too. */
static void clang_text(void)
{
#ifdef BPFHOST_CHECK_BPF_DIR
	ASSERT_GE(test_for_each_text_program(BPFHOST_CHECK_BPF_DIR, build_text, NULL), 6,
		  "every clang program was built");
#else
	printf("  skipped: clang-19 or llvm-objcopy-19 was not found at configure time\n");
#endif
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(straight_line), TEST(diamond), TEST(loops), TEST(subprograms), TEST(refusals),
		TEST(large_programs), TEST(random_programs), TEST(out_of_memory),
		TEST(clang_objects), TEST(clang_text),
	};
	int rc = test_run("verifier_cfg", cases, sizeof(cases) / sizeof(cases[0]));

	bh_cfg_free(&cfg);
	return rc;
}
