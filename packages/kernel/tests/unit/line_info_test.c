// SPDX-License-Identifier: MIT
/*
 * Line and func info (BPF_PROG_LOAD's func_info, line_info and bpfhost's
 * btf_strs):
 *  - the core refuses what Linux refuses (records out of order, on the
 *    second half of an lddw, a function without its records, strings out of
 *    range, unknown non-zero record tails, line info without its strings)
 *    and keeps what it accepts: GET_INFO gives the counts, sizes and records;
 *  - a run-time fault names the C file, line and text of the instruction;
 *  - the loader passes each program's records with its sub-programs'
 *    appended and moved: the counts, lines and files the kernel reports for
 *    the same object loaded by libbpf (the oracle, where it loads) are ours;
 *  - a fault in a sub-program of a clang object names the exact C line, and
 *    bpfhost_program__source_line() gives the same line for it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "bpf_objects.h"
#include "insn_build.h"
#include "bpfhost/bpf.h"
#include "bpfhost/libbpf.h"
#ifdef BPFHOST_TEST_LIBBPF
#include "libbpf_oracle.h"
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Functions at 0 and 4; insn 5 is the second half of an lddw. */
static const struct bpf_insn two_funcs[] = {
	MOV64_IMM(1, 1),
	CALL_LOCAL(2),
	MOV64_IMM(0, 0),
	EXIT(),
	LD_IMM64(0, 7),
	EXIT(),
};

static const char strs[] = "\0a.c\0x = 1;\0";	/* "a.c" at 1, "x = 1;" at 5 */

#define LINE(off, line, col) { (off), 1, 5, (uint32_t)(line) << 10 | (col) }

struct load_args {
	const void *func;
	uint32_t func_cnt, func_rec;
	const void *line;
	uint32_t line_cnt, line_rec;
	const char *s;
	uint32_t s_size;
	uint32_t flags;		/* prog_flags */
};

static int load(const struct bpf_insn *insns, size_t n, const struct load_args *a)
{
	BPFHOST_OPTS(bpfhost_prog_load_opts, o, .func_info = a->func, .func_info_cnt = a->func_cnt,
		     .func_info_rec_size = a->func_rec, .line_info = a->line,
		     .line_info_cnt = a->line_cnt, .line_info_rec_size = a->line_rec,
		     .btf_strs = a->s, .btf_strs_size = a->s_size, .prog_flags = a->flags);

	return bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "li", "GPL", insns, n, &o);
}

static void expect_refused(const struct load_args *a, int err, const char *what, const char *name)
{
	int fd = load(two_funcs, ARRAY_SIZE(two_funcs), a);

	ASSERT_EQ(fd, err, name);
	if (fd >= 0)
		bpfhost_close(fd);
	else
		ASSERT_STR_CONTAINS(bpfhost_last_error(), what, name);
}

static void t_refusals(void)
{
	const struct bpf_func_info fi[] = { { 0, 1 }, { 4, 2 } }, fi_bad[] = { { 0, 1 }, { 3, 2 } };
	const struct bpf_line_info li[] = { LINE(0, 1, 0), LINE(2, 2, 0), LINE(4, 3, 0) };
	const struct bpf_line_info li_order[] = { LINE(0, 1, 0), LINE(0, 2, 0), LINE(4, 3, 0) };
	const struct bpf_line_info li_half[] = { LINE(0, 1, 0), LINE(4, 2, 0), LINE(5, 3, 0) };
	const struct bpf_line_info li_nofn[] = { LINE(0, 1, 0), LINE(2, 2, 0) };
	const struct bpf_line_info li_str[] = { LINE(0, 1, 0), { 4, sizeof(strs), 5, 0 } };
	uint32_t wide[2][5] = { { 0, 1, 5, 1 << 10, 0 }, { 4, 1, 5, 2 << 10, 7 } };
	const char unterminated[] = { 0, 'a' };

	expect_refused(&(struct load_args){ .line = li, .line_cnt = 3, .line_rec = 16 }, -EINVAL,
		       "btf_strs", "line info needs its strings");
	expect_refused(&(struct load_args){ .func = fi, .func_cnt = 1, .func_rec = 8 }, -EINVAL,
		       "1 func_info records for 2 functions", "one func_info per function");
	expect_refused(&(struct load_args){ .func = fi_bad, .func_cnt = 2, .func_rec = 8 }, -EINVAL,
		       "func_info[1].insn_off 3", "func_info at a function start");
	expect_refused(&(struct load_args){ .line = li_order, .line_cnt = 3, .line_rec = 16,
					    .s = strs, .s_size = sizeof(strs) },
		       -EINVAL, "line_info[1].insn_off 0", "line info in order");
	expect_refused(&(struct load_args){ .line = li_half, .line_cnt = 3, .line_rec = 16,
					    .s = strs, .s_size = sizeof(strs) },
		       -EINVAL, "second half of an lddw", "not on an lddw's second half");
	expect_refused(&(struct load_args){ .line = li_nofn, .line_cnt = 2, .line_rec = 16,
					    .s = strs, .s_size = sizeof(strs) },
		       -EINVAL, "function at insn 4", "each function has a record");
	expect_refused(&(struct load_args){ .line = li_str, .line_cnt = 2, .line_rec = 16,
					    .s = strs, .s_size = sizeof(strs) },
		       -EINVAL, "outside btf_strs", "strings inside btf_strs");
	expect_refused(&(struct load_args){ .line = li, .line_cnt = 3, .line_rec = 16,
					    .s = unterminated, .s_size = sizeof(unterminated) },
		       -EINVAL, "start and end with NUL", "a string section");
	expect_refused(&(struct load_args){ .line = wide, .line_cnt = 2, .line_rec = 20,
					    .s = strs, .s_size = sizeof(strs) },
		       -E2BIG, "line_info[1] has non-zero bytes", "unknown tails must be zero");
	expect_refused(&(struct load_args){ .line = li, .line_cnt = 3, .line_rec = 6,
					    .s = strs, .s_size = sizeof(strs) },
		       -EINVAL, "record size 6", "record size at least the record");
	{
		const struct bpf_core_relo relo = { 0, 1, 5, 0 };
		BPFHOST_OPTS(bpfhost_prog_load_opts, o, .core_relos = &relo, .core_relo_cnt = 1,
			     .core_relo_rec_size = sizeof(relo), .btf_strs = strs,
			     .btf_strs_size = sizeof(strs));

		ASSERT_EQ(bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "li", "GPL", two_funcs,
					    ARRAY_SIZE(two_funcs), &o), -EINVAL,
			  "a CO-RE record on an instruction that is not poisoned");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "does not apply CO-RE relocations in the core",
				    "says the core does not relocate");
	}
	wide[1][4] = 0;
	{
		int fd = load(two_funcs, ARRAY_SIZE(two_funcs),
			      &(struct load_args){ .line = wide, .line_cnt = 2, .line_rec = 20,
						   .s = strs, .s_size = sizeof(strs) });

		ASSERT_GE(fd, 0, "longer records with zero tails load");
		if (fd >= 0)
			bpfhost_close(fd);
	}
}

static void t_get_info(void)
{
	const struct bpf_func_info fi[] = { { 0, 1 }, { 4, 2 } };
	const struct bpf_line_info li[] = { LINE(0, 1, 0), LINE(2, 2, 0), LINE(4, 3, 0) };
	struct bpf_line_info got_li[3];
	struct bpf_func_info got_fi[2];
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd = load(two_funcs, ARRAY_SIZE(two_funcs),
		      &(struct load_args){ .func = fi, .func_cnt = 2, .func_rec = 8, .line = li,
					   .line_cnt = 3, .line_rec = 16, .s = strs,
					   .s_size = sizeof(strs) });

	ASSERT_GE(fd, 0, bpfhost_last_error());
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	info.nr_line_info = 3;
	info.line_info = (uintptr_t)got_li;
	info.nr_func_info = 2;
	info.func_info = (uintptr_t)got_fi;
	ASSERT_OK(bpfhost_obj_get_info_by_fd(fd, &info, &len), "get info");
	ASSERT_EQ(info.nr_line_info, 3, "nr_line_info");
	ASSERT_EQ(info.line_info_rec_size, sizeof(struct bpf_line_info), "line_info_rec_size");
	ASSERT_EQ(info.nr_func_info, 2, "nr_func_info");
	ASSERT_EQ(info.func_info_rec_size, sizeof(struct bpf_func_info), "func_info_rec_size");
	ASSERT_TRUE(!memcmp(got_li, li, sizeof(li)), "line_info records as loaded");
	ASSERT_TRUE(!memcmp(got_fi, fi, sizeof(fi)), "func_info records as loaded");
	bpfhost_close(fd);

	/* Without source information: zero counts. */
	fd = load(two_funcs, ARRAY_SIZE(two_funcs), &(struct load_args){ 0 });
	ASSERT_GE(fd, 0, "loads without");
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	ASSERT_OK(bpfhost_obj_get_info_by_fd(fd, &info, &len), "get info");
	ASSERT_EQ(info.nr_line_info + info.nr_func_info, 0, "no records");
	bpfhost_close(fd);
}

static void t_fault_names_line(void)
{
	static const struct bpf_insn faulty[] = {
		MOV64_IMM(1, 0),
		LDX(BPF_W, 0, 1, 0),	/* a null read */
		EXIT(),
	};
	const struct bpf_line_info li[] = { LINE(0, 6, 2), LINE(1, 7, 3), LINE(2, 8, 0) };
	uint8_t frame[64] = { 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, t, .data_in = frame, .data_size_in = sizeof(frame));
	int fd;

	/* The verifier refuses the null read and names its C line... */
	fd = load(faulty, ARRAY_SIZE(faulty),
		  &(struct load_args){ .line = li, .line_cnt = 3, .line_rec = 16, .s = strs,
				       .s_size = sizeof(strs) });
	ASSERT_EQ(fd, -EACCES, "the verifier refuses a read at a scalar");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "(at ", "and names the C line");
	/* ...and loaded without it, the run-time fault names it too. */
	fd = load(faulty, ARRAY_SIZE(faulty),
		  &(struct load_args){ .line = li, .line_cnt = 3, .line_rec = 16, .s = strs,
				       .s_size = sizeof(strs), .flags = BPFHOST_F_TEST_UNVERIFIED });

	ASSERT_GE(fd, 0, bpfhost_last_error());
	if (fd < 0)
		return;
	ASSERT_EQ(bpfhost_prog_test_run_opts(fd, &t), -EFAULT, "the null read faults");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "insn 1: invalid read", "the fault as before");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "(at a.c:7: x = 1;)", "and its source line");
	bpfhost_close(fd);
}

/* The line of tests/bpf/line_info.bpf.c holding @mark, or 0. */
static unsigned int source_line_of(const char *mark)
{
#ifdef BPFHOST_TEST_BPF_SRC_DIR
	char path[4096], line[512];
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/line_info.bpf.c", BPFHOST_TEST_BPF_SRC_DIR);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, mark)) {
			fclose(f);
			return n;
		}
	}
	if (f)
		fclose(f);
#endif
	(void)mark;
	return 0;
}

/*
 * The object's 'fault' program reads at a scalar address on purpose: the
 * verifier refuses it (and names its C line), so the run-time fault's
 * message is shown with the program loaded without it.
 */
static struct bpfhost_object *open_unverified(void)
{
	struct bpfhost_object *obj = bpfhost_object__open_file(bpf_object_path("line_info"), NULL);
	struct bpfhost_program *p = NULL;

	while (obj && (p = bpfhost_object__next_program(obj, p)))
		bpfhost_program__set_flags(p, BPFHOST_F_TEST_UNVERIFIED);
	return obj;
}

static void t_object_fault(void)
{
	struct bpfhost_object *obj = open_unverified();
	uint8_t frame[64] = { 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, t, .data_in = frame, .data_size_in = sizeof(frame));
	char want[128];

	ASSERT_TRUE(obj != NULL, bpfhost_last_error());
	if (!obj)
		return;
	ASSERT_OK(bpfhost_object__load(obj), bpfhost_last_error());
	ASSERT_EQ(bpfhost_prog_test_run_opts(bpfhost_program__fd(
			  bpfhost_object__find_program_by_name(obj, "fault")), &t), -EFAULT,
		  "a read at address skb->len faults");
	snprintf(want, sizeof(want), "(at line_info.bpf.c:%u: return *(volatile int *)addr;",
		 source_line_of("FAULT HERE"));
	ASSERT_STR_CONTAINS(bpfhost_last_error(), want, "names the sub-program's C line");
	/* The library answers the same from the object (what `prog dump` shows). */
	{
		const struct bpfhost_program *p = bpfhost_object__find_program_by_name(obj, "fault");
		uint32_t n = (uint32_t)bpfhost_program__insn_cnt(p), line = 0, col = 0, found = 0;
		const char *file = NULL, *text = NULL;

		for (uint32_t i = 0; i < n; i++) {
			ASSERT_OK(bpfhost_program__source_line(p, i, &file, &line, &col, &text),
				  "every instruction has a line");
			if (text && strstr(text, "FAULT HERE")) {
				found++;
				ASSERT_EQ(line, source_line_of("FAULT HERE"), "its line");
				ASSERT_TRUE(strstr(file, "line_info.bpf.c") != NULL, "its file");
			}
		}
		ASSERT_GE(found, 1, "the deref's instructions name its line");
		ASSERT_EQ(bpfhost_program__source_line(p, n, NULL, NULL, NULL, NULL), -ENOENT,
			  "past the end: none");
	}
	bpfhost_object__close(obj);
}

/* Each program's GET_INFO: func and line counts, and its line records' lines and files. */
static void t_object_records(void)
{
	struct bpfhost_object *obj = open_unverified();
	struct bpf_line_info li[64];
	struct bpf_func_info fi[8];
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	const struct bpf_insn *in;
	int fd;

	ASSERT_TRUE(obj != NULL, bpfhost_last_error());
	if (!obj)
		return;
	ASSERT_OK(bpfhost_object__load(obj), bpfhost_last_error());
	fd = bpfhost_program__fd(bpfhost_object__find_program_by_name(obj, "lines"));
	in = bpfhost_program__insns(bpfhost_object__find_program_by_name(obj, "lines"));
	memset(&info, 0, sizeof(info));
	info.nr_line_info = 64;
	info.line_info = (uintptr_t)li;
	info.nr_func_info = 8;
	info.func_info = (uintptr_t)fi;
	ASSERT_OK(bpfhost_obj_get_info_by_fd(fd, &info, &len), "get info");
	ASSERT_EQ(info.nr_func_info, 3, "lines, mix and fold: three functions");
	for (uint32_t i = 1; i < info.nr_func_info && i < 8; i++) {
		bool called = false;

		for (uint32_t j = 0; j < fi[i].insn_off; j++)
			called |= in[j].code == (BPF_JMP | BPF_CALL) && in[j].src_reg == BPF_PSEUDO_CALL &&
				  j + 1 + in[j].imm == (int64_t)fi[i].insn_off;
		ASSERT_TRUE(called, "each func_info after the first is a call target");
	}
	ASSERT_GE(info.nr_line_info, 6, "line records of all three functions");
#ifdef BPFHOST_TEST_LIBBPF
	{
		static struct lbo_result lb;
		char why[512];
		int err = lbo_load(bpf_object_path("line_info"), NULL, "lines", &lb, why, sizeof(why));

		if (err) {
			printf("note: the libbpf oracle did not run: %s\n", why);
		} else {
			ASSERT_EQ(info.nr_func_info, lb.nr_func_info, "func_info count as the kernel's");
			ASSERT_EQ(info.nr_line_info, lb.nr_line_info, "line_info count as the kernel's");
			for (uint32_t i = 0; i < info.nr_line_info && i < lb.nr_line_info && i < 64; i++)
				ASSERT_EQ(li[i].line_col, lb.line_col[i], "each record's line and column");
			ASSERT_TRUE(lb.nr_line_info && !strcmp(lb.file[0], "line_info.bpf.c"),
				    "the kernel names our file too");
		}
	}
#endif
	bpfhost_object__close(obj);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_refusals),
		TEST(t_get_info),
		TEST(t_fault_names_line),
		TEST(t_object_fault),
		TEST(t_object_records),
	};

	if (!bpf_objects_available())
		printf(BPF_OBJECTS_SKIP_MESSAGE);
	return test_run("line_info", cases, bpf_objects_available() ? ARRAY_SIZE(cases) : 3);
}
