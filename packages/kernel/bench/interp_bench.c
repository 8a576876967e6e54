// SPDX-License-Identifier: MIT
/*
 * bpfhost_interp_bench: the interpreter against the Linux kernel (its JIT,
 * through BPF_PROG_TEST_RUN), the same bytecode in the same run.
 *
 * Three fixed socket-filter programs:
 *   - alu:    a loop of 8 ALU operations + counter + branch, 12,500 times;
 *   - memory: sums 4 KiB of stack bytes, 8 byte loads per iteration;
 *   - lookup: 1,024 hash-map lookups through helper 1 (all keys present).
 * Each loads through bpfhost_prog_load() and bpf(2) BPF_PROG_LOAD and runs
 * through bpfhost_prog_test_run_opts() / BPF_PROG_TEST_RUN with a repeat
 * count sized for >= 200 ms per batch. The kernel reports the mean ns per
 * run without the time it was rescheduled; for bpfhost the thread's CPU
 * time over the batch is divided by the runs (the same exclusion). The
 * figure is the median over batches, bpfhost and kernel in turns.
 *
 * Executed instructions per run come from the program's structure, not
 * from counting at run time: prologue + iterations x loop body + epilogue,
 * where every branch in the body is taken the same way each iteration (the
 * lookup program finds every key), and lddw counts once. Both engines must
 * return the same r0; a mismatch is printed. Nothing here asserts a time.
 *
 * With --rbpf PATH, the alu and memory programs also run through rbpf
 * (bench/rbpf_peer: its interpreter and JIT, crates.io rbpf 0.4.1) in the
 * same run; PATH is that peer's binary. The lookup program needs maps,
 * which rbpf does not have.
 *
 * Then the map-helpers section (interp_helpers.c): one map operation per
 * test-run iteration, bpfhost and the kernel, on 1 and 2 CPUs
 * (--helpers-only runs just that section; --json FILE or BPFHOST_BENCH_JSON
 * writes its figures as JSON for tools/bench-report.mjs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpfhost/bpf.h"
#include "bpfhost/bpfhost.h"
#include "bpfhost/uapi.h"
#include "insn_build.h"
#include "bench_stats.h"
#include "interp_helpers.h"
#include "kernel_bpf.h"

#define MAX_INSNS 256
#define BATCH_NS 200000000ULL		/* >= 200 ms per batch */
#define DEFAULT_BATCHES 15
#define LOOKUP_KEYS 1024U
#define PKT_SIZE 64

struct prog_spec {
	const char *name;
	const char *unit;		/* what one iteration is */
	struct bpf_insn insns[MAX_INSNS];
	uint32_t cnt;			/* slots */
	uint64_t executed;		/* instructions one run executes */
	uint32_t iterations;
};

struct engine {
	const char *name;
	int (*load)(const struct prog_spec *p, char *why, size_t len);
	int (*run)(int fd, uint32_t repeat, uint32_t *retval, uint32_t *duration);
	void (*close)(int fd);
	int map_fd;			/* the lookup program's hash map */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void emit(struct prog_spec *p, struct bpf_insn insn)
{
	if (p->cnt >= MAX_INSNS) {
		fprintf(stderr, "interp_bench: program %s too long\n", p->name);
		exit(2);
	}
	p->insns[p->cnt++] = insn;
}

/* Counts instructions (lddw once) in slots [from, to). */
static uint64_t insn_count(const struct prog_spec *p, uint32_t from, uint32_t to)
{
	uint64_t n = 0;

	for (uint32_t i = from; i < to; i++, n++)
		if (p->insns[i].code == (BPF_LD | BPF_IMM | BPF_DW))
			i++;
	return n;
}

/* r0 = hash of a counter: 8 ALU ops, then counter and branch. */
static void build_alu(struct prog_spec *p)
{
	uint32_t body, end, iters = 12500;

	*p = (struct prog_spec){ .name = "alu", .unit = "iteration (10 insns)", .iterations = iters };
	emit(p, MOV64_IMM(0, 1));
	emit(p, MOV64_IMM(2, 0x3779b9));
	emit(p, MOV64_IMM(3, 7));
	emit(p, MOV64_IMM(1, (int32_t)iters));
	body = p->cnt;
	emit(p, ALU64_REG(BPF_ADD, 0, 2));
	emit(p, MOV64_REG(4, 0));
	emit(p, ALU64_IMM(BPF_LSH, 4, 13));
	emit(p, ALU64_REG(BPF_XOR, 0, 4));
	emit(p, MOV64_REG(4, 0));
	emit(p, ALU64_IMM(BPF_RSH, 4, 7));
	emit(p, ALU64_REG(BPF_XOR, 0, 4));
	emit(p, ALU64_REG(BPF_MUL, 0, 3));
	emit(p, ALU64_IMM(BPF_SUB, 1, 1));
	emit(p, JMP_IMM(BPF_JNE, 1, 0, -(int16_t)(p->cnt + 1 - body)));
	end = p->cnt;
	emit(p, EXIT());
	p->executed = insn_count(p, 0, body) + (uint64_t)iters * insn_count(p, body, end) + 1;
}

/* Fills 512 bytes of stack, then sums 4 KiB of it byte by byte (8 loads per iteration). */
static void build_memory(struct prog_spec *p)
{
	uint32_t body, end, iters = 4096 / 8;

	*p = (struct prog_spec){ .name = "memory", .unit = "iteration (8 byte loads, 22 insns)",
				 .iterations = iters };
	for (int off = 8; off <= 512; off += 8)
		emit(p, ST(BPF_DW, 10, (int16_t)-off, (int32_t)(0x01020304u * (uint32_t)off)));
	emit(p, MOV64_IMM(0, 0));
	emit(p, MOV64_IMM(1, (int32_t)iters));
	emit(p, MOV64_REG(2, 10));
	emit(p, ALU64_IMM(BPF_ADD, 2, -512));
	emit(p, MOV64_IMM(3, 0));
	body = p->cnt;
	emit(p, MOV64_REG(4, 2));
	emit(p, ALU64_REG(BPF_ADD, 4, 3));
	for (int b = 0; b < 8; b++) {
		emit(p, LDX(BPF_B, 5, 4, (int16_t)b));
		emit(p, ALU64_REG(BPF_ADD, 0, 5));
	}
	emit(p, ALU64_IMM(BPF_ADD, 3, 8));
	emit(p, ALU64_IMM(BPF_AND, 3, 511));
	emit(p, ALU64_IMM(BPF_SUB, 1, 1));
	emit(p, JMP_IMM(BPF_JNE, 1, 0, -(int16_t)(p->cnt + 1 - body)));
	end = p->cnt;
	emit(p, EXIT());
	p->executed = insn_count(p, 0, body) + (uint64_t)iters * insn_count(p, body, end) + 1;
}

/* LOOKUP_KEYS lookups of keys 0..1023 in @map_fd, summing the values found. */
static void build_lookup(struct prog_spec *p, int map_fd)
{
	uint32_t body, end, iters = LOOKUP_KEYS;

	*p = (struct prog_spec){ .name = "lookup", .unit = "iteration (12 insns + lookup)",
				 .iterations = iters };
	emit(p, MOV64_IMM(6, 0));	/* sum */
	emit(p, MOV64_IMM(7, 0));	/* key */
	body = p->cnt;
	emit(p, STX(BPF_W, 10, 7, -4));
	emit(p, MOV64_REG(2, 10));
	emit(p, ALU64_IMM(BPF_ADD, 2, -4));
	emit(p, INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, map_fd));
	emit(p, INSN(0, 0, 0, 0, 0));
	emit(p, CALL(BPF_FUNC_map_lookup_elem));
	emit(p, JMP_IMM(BPF_JEQ, 0, 0, 2));
	emit(p, LDX(BPF_DW, 1, 0, 0));
	emit(p, ALU64_REG(BPF_ADD, 6, 1));
	emit(p, ALU64_IMM(BPF_ADD, 7, 1));
	emit(p, MOV64_REG(1, 7));
	emit(p, ALU64_IMM(BPF_SUB, 1, (int32_t)iters));
	emit(p, JMP_IMM(BPF_JNE, 1, 0, -(int16_t)(p->cnt + 1 - body)));
	end = p->cnt;
	emit(p, MOV64_REG(0, 6));
	emit(p, EXIT());
	p->executed = insn_count(p, 0, body) + (uint64_t)iters * insn_count(p, body, end) + 2;
}

/* ---- bpfhost ---- */

static int bh_load(const struct prog_spec *p, char *why, size_t len)
{
	int fd = bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, p->name, "GPL", p->insns, p->cnt, NULL);

	if (fd < 0)
		snprintf(why, len, "bpfhost_prog_load: %s", bpfhost_last_error());
	return fd;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The thread's CPU time per run, not the wall time the test run reports:
 * the kernel's BPF_PROG_TEST_RUN leaves out the time it was rescheduled,
 * and on a shared machine wall time would charge other processes to us.
 */
static int bh_run(int fd, uint32_t repeat, uint32_t *retval, uint32_t *duration)
{
	static uint8_t pkt[PKT_SIZE];
	BPFHOST_OPTS(bpfhost_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		     .repeat = (int)repeat);
	uint64_t t0 = thread_cpu_ns();
	int err = bpfhost_prog_test_run_opts(fd, &opts);

	*retval = opts.retval;
	*duration = (uint32_t)((thread_cpu_ns() - t0) / repeat);
	return err;
}

static void bh_close(int fd)
{
	bpfhost_close(fd);
}

/* ---- the kernel ---- */

static int k_load(const struct prog_spec *p, char *why, size_t len)
{
	static char log[65536];
	int fd = kbpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, p->insns, p->cnt, "GPL", log, sizeof(log));

	if (fd < 0) {
		size_t l = strlen(log);

		snprintf(why, len, "BPF_PROG_LOAD: %s; verifier: %s", strerror(-fd),
			 l > 300 ? log + l - 300 : log);
	}
	return fd;
}

static int k_run(int fd, uint32_t repeat, uint32_t *retval, uint32_t *duration)
{
	static uint8_t pkt[PKT_SIZE];

	return kbpf_prog_test_run(fd, pkt, sizeof(pkt), repeat, retval, duration);
}

static void k_close(int fd)
{
	kbpf_close(fd);
}

/* Repeat count for one batch of >= BATCH_NS, from a calibration run. */
static uint32_t batch_repeat(const struct engine *e, int fd)
{
	uint32_t retval, duration = 0;
	uint64_t t0 = now_ns(), per;

	if (e->run(fd, 64, &retval, &duration))
		return 0;
	per = (now_ns() - t0) / 64;
	if (duration > per)
		per = duration;
	if (!per)
		per = 1;
	return BATCH_NS / per + 1 > 100000000 ? 100000000 : (uint32_t)(BATCH_NS / per + 1);
}

struct row {
	double ns_per_run[2];
	uint32_t retval[2];
	bool ok[2];
};

static int batches(void)
{
	const char *s = getenv("BPFHOST_INTERP_BENCH_BATCHES");
	int n = s ? atoi(s) : DEFAULT_BATCHES;

	return n > 0 && n <= 101 ? n : DEFAULT_BATCHES;
}

/* Runs one program on both engines, batches in turns. */
static void measure(struct engine *eng[2], struct prog_spec spec[2], struct row *row)
{
	int fd[2] = { -1, -1 }, nb = batches();
	uint32_t repeat[2] = { 0, 0 };
	double *samples[2];
	char why[512];

	for (int e = 0; e < 2; e++) {
		samples[e] = calloc((size_t)nb, sizeof(double));
		row->ok[e] = false;
		if (!eng[e])
			continue;
		fd[e] = eng[e]->load(&spec[e], why, sizeof(why));
		if (fd[e] < 0) {
			printf("  %s on %s: not loaded: %s\n", spec[e].name, eng[e]->name, why);
			continue;
		}
		repeat[e] = batch_repeat(eng[e], fd[e]);
		row->ok[e] = repeat[e] > 0;
		if (!row->ok[e])
			printf("  %s on %s: test run failed: %s\n", spec[e].name, eng[e]->name,
			       e == 0 ? bpfhost_last_error() : "bpf(BPF_PROG_TEST_RUN)");
	}
	for (int b = 0; b < nb; b++) {
		for (int e = 0; e < 2; e++) {
			uint32_t duration = 0;

			if (!row->ok[e])
				continue;
			if (eng[e]->run(fd[e], repeat[e], &row->retval[e], &duration)) {
				row->ok[e] = false;
				continue;
			}
			samples[e][b] = duration;
		}
	}
	for (int e = 0; e < 2; e++) {
		if (row->ok[e])
			row->ns_per_run[e] = bench_median(samples[e], nb);
		if (fd[e] >= 0)
			eng[e]->close(fd[e]);
		free(samples[e]);
	}
}

/* Median load time of @p on @e in microseconds, or -1. */
static double load_us(const struct engine *e, const struct prog_spec *p)
{
	double v[7];
	char why[512];

	for (int i = 0; i < 7; i++) {
		uint64_t t0 = now_ns();
		int fd = e->load(p, why, sizeof(why));

		v[i] = (double)(now_ns() - t0) / 1000.0;
		if (fd < 0)
			return -1;
		e->close(fd);
	}
	return bench_median(v, 7);
}

/* Median load time in us of @n instructions on @e (-1 when refused; @why says why). */
static double load_insns_us(const struct engine *e, const struct bpf_insn *insns, uint32_t n, char *why,
			    size_t len)
{
	double v[5];
	int fd;

	for (int i = 0; i < 5; i++) {
		uint64_t t0 = now_ns();

		if (e->load == bh_load)
			fd = bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "big", "GPL", insns, n, NULL);
		else
			fd = kbpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, insns, n, "GPL", NULL, 0);
		v[i] = (double)(now_ns() - t0) / 1000.0;
		if (fd < 0) {
			snprintf(why, len, "%s", e->load == bh_load ? bpfhost_last_error() : strerror(-fd));
			return -1;
		}
		e->close(fd);
	}
	return bench_median(v, 5);
}

/*
 * Load of a 100,000-instruction program (straight line, a conditional jump
 * every 10 instructions): bpfhost's structural check against the verifier.
 */
static void big_load(struct engine *eng[2])
{
	const uint32_t n = 100000;
	struct bpf_insn *insns = malloc(n * sizeof(*insns));
	double us[2] = { -1, -1 };
	char why[256] = "";

	insns[0] = MOV64_IMM(0, 0);
	for (uint32_t i = 1; i < n - 1; i++)
		insns[i] = i % 10 ? ALU64_IMM(i % 3 ? BPF_ADD : BPF_XOR, 0, (int32_t)i) :
				    JMP_IMM(BPF_JGT, 0, 0x7fffffff, 0);
	insns[n - 1] = EXIT();
	for (int e = 0; e < 2; e++) {
		if (!eng[e])
			continue;
		us[e] = load_insns_us(eng[e], insns, n, why, sizeof(why));
		if (us[e] < 0)
			printf("load of 100,000 insns on %s: refused: %s\n", eng[e]->name, why);
	}
	if (us[0] > 0) {
		printf("load of a 100,000-instruction program: bpfhost %.0f us", us[0]);
		if (us[1] > 0)
			printf(", kernel %.0f us (kernel/bpfhost %.1fx; target >= 10x)", us[1], us[1] / us[0]);
		printf("\n");
	}
	free(insns);
}

/* The lookup program's map on each engine: HASH u32 -> u64, keys 0..1023. */
static int fill_maps(struct engine *bh, struct engine *k)
{
	bh->map_fd = bpfhost_map_create(BPF_MAP_TYPE_HASH, "lookup", 4, 8, LOOKUP_KEYS, NULL);
	if (bh->map_fd < 0) {
		printf("bpfhost map: %s\n", bpfhost_last_error());
		return -1;
	}
	if (k)
		k->map_fd = kbpf_map_create(BPF_MAP_TYPE_HASH, 4, 8, LOOKUP_KEYS, 0, 0);
	for (uint32_t key = 0; key < LOOKUP_KEYS; key++) {
		uint64_t v = key * 3ULL + 1;

		if (bpfhost_map_update_elem(bh->map_fd, &key, &v, BPF_ANY))
			return -1;
		if (k && k->map_fd >= 0 && kbpf_map_update(k->map_fd, &key, &v, 0))
			return -1;
	}
	return 0;
}

/* What the rbpf peer measured for one program. */
struct rbpf_row {
	bool ok;
	double interp_ns, jit_ns;	/* per run; jit < 0: no JIT */
	uint64_t r0;
};

/* Runs the rbpf peer at @peer on the alu and memory programs (rows[0..1]). */
static void run_rbpf(const char *peer, struct prog_spec spec[3][2], struct rbpf_row rows[2])
{
	char dir[] = "/tmp/bpfhost-interp-bench-XXXXXX", cmd[1024], line[512];
	FILE *f;

	if (access(peer, X_OK)) {
		printf("rbpf peer: skipped (%s: %s; nx run kernel:bench builds it with cargo)\n", peer,
		       strerror(errno));
		return;
	}
	if (!mkdtemp(dir)) {
		printf("rbpf peer: skipped (mkdtemp: %s)\n", strerror(errno));
		return;
	}
	for (int i = 0; i < 2; i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/%s.bin", dir, spec[i][0].name);
		f = fopen(path, "wb");
		if (!f || fwrite(spec[i][0].insns, sizeof(struct bpf_insn), spec[i][0].cnt, f) !=
			      spec[i][0].cnt) {
			printf("rbpf peer: skipped (cannot write %s)\n", path);
			if (f)
				fclose(f);
			return;
		}
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "'%s' '%s' %s %s", peer, dir, spec[0][0].name, spec[1][0].name);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char name[32];
		double interp, jit;
		unsigned long long r0;

		if (sscanf(line, "rbpf %31s %lf %lf %llu", name, &interp, &jit, &r0) != 4) {
			printf("rbpf peer: %s", line);
			continue;
		}
		for (int i = 0; i < 2; i++)
			if (!strcmp(name, spec[i][0].name))
				rows[i] = (struct rbpf_row){ true, interp, jit, r0 };
	}
	if (f)
		pclose(f);
	for (int i = 0; i < 2; i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/%s.bin", dir, spec[i][0].name);
		unlink(path);
	}
	rmdir(dir);
}

int main(int argc, char **argv)
{
	struct engine bh = { "bpfhost", bh_load, bh_run, bh_close, -1 };
	struct engine kernel = { "kernel", k_load, k_run, k_close, -1 };
	struct engine *eng[2] = { &bh, &kernel };
	static struct prog_spec spec[3][2];
	const char *verdict[3] = { "<= 2.0 ns/insn", "<= 2.5 ns/insn", "<= kernel JIT per iteration" };
	struct rbpf_row rbpf[2] = { 0 };
	const char *rbpf_peer = NULL;
	bool helpers_only = false;
	const char *json = getenv("BPFHOST_BENCH_JSON");
	char why[256];
	struct row rows[3];
	double load[2];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rbpf") && i + 1 < argc) {
			rbpf_peer = argv[++i];
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json = argv[++i];
		} else if (!strcmp(argv[i], "--helpers-only")) {
			helpers_only = true;
		} else {
			fprintf(stderr, "usage: %s [--rbpf PATH-TO-rbpf_peer] [--helpers-only] [--json FILE]\n", argv[0]);
			return 2;
		}
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("bpfhost interpreter benchmark\n");
	bench_print_affinity("pinned", "not pinned: taskset -c 1 pins it");
	if (kbpf_probe(why, sizeof(why))) {
		printf("kernel column: skipped (%s)\n", why);
		eng[1] = NULL;
	} else {
		printf("kernel column: BPF_PROG_TEST_RUN on the running kernel (JIT as configured)\n");
	}
	if (helpers_only) {
		interp_helpers_bench(eng[1] != NULL, why, json && *json ? json : NULL);
		return 0;
	}
	if (fill_maps(&bh, eng[1]))
		return 1;
	for (int e = 0; e < 2; e++) {
		build_alu(&spec[0][e]);
		build_memory(&spec[1][e]);
		build_lookup(&spec[2][e], e == 0 ? bh.map_fd : kernel.map_fd);
	}
	printf("method: median of %d batches of >= 200 ms each, engines in turns; ns per run: the kernel's "
	       "test-run duration, bpfhost's thread CPU time (both leave out time preempted); executed "
	       "instructions from the program structure\n\n",
	       batches());

	for (int i = 0; i < 3; i++)
		measure(eng, spec[i], &rows[i]);
	if (rbpf_peer)
		run_rbpf(rbpf_peer, spec, rbpf);

	printf("%-8s %12s %14s %14s %10s  %-s\n", "program", "insns/run", "bpfhost ns/insn",
	       "kernel ns/insn", "ratio", "target (PERFORMANCE.md)");
	for (int i = 0; i < 3; i++) {
		const struct prog_spec *p = &spec[i][0];
		double b = rows[i].ns_per_run[0] / (double)p->executed;
		double k = rows[i].ns_per_run[1] / (double)p->executed;

		if (!rows[i].ok[0]) {
			printf("%-8s %12llu %14s\n", p->name, (unsigned long long)p->executed, "failed");
			continue;
		}
		if (rows[i].ok[1])
			printf("%-8s %12llu %14.3f %14.3f %9.1fx  %s\n", p->name,
			       (unsigned long long)p->executed, b, k, b / k, verdict[i]);
		else
			printf("%-8s %12llu %14.3f %14s %10s  %s\n", p->name, (unsigned long long)p->executed,
			       b, "-", "-", verdict[i]);
		if (rows[i].ok[1] && rows[i].retval[0] != rows[i].retval[1])
			printf("         MISMATCH: r0 bpfhost %u, kernel %u\n", rows[i].retval[0],
			       rows[i].retval[1]);
	}
	for (int i = 0; i < 2; i++) {
		const struct prog_spec *p = &spec[i][0];
		double b = rows[i].ns_per_run[0] / (double)p->executed;

		if (!rbpf[i].ok || !rows[i].ok[0])
			continue;
		printf("%-8s rbpf 0.4.1 interpreter %.3f ns/insn (%.1fx bpfhost's time; target >= 3x), "
		       "JIT %.3f ns/insn\n", p->name, rbpf[i].interp_ns / (double)p->executed,
		       rbpf[i].interp_ns / rows[i].ns_per_run[0], rbpf[i].jit_ns / (double)p->executed);
		if ((uint32_t)rbpf[i].r0 != rows[i].retval[0])
			printf("         MISMATCH: r0 bpfhost %u, rbpf %llu\n", rows[i].retval[0],
			       (unsigned long long)rbpf[i].r0);
		(void)b;
	}
	printf("\nper iteration:\n");
	for (int i = 0; i < 3; i++) {
		const struct prog_spec *p = &spec[i][0];

		if (!rows[i].ok[0])
			continue;
		printf("  %-8s bpfhost %8.2f ns", p->name, rows[i].ns_per_run[0] / p->iterations);
		if (rows[i].ok[1])
			printf(", kernel %8.2f ns (bpfhost/kernel %.2fx)", rows[i].ns_per_run[1] / p->iterations,
			       rows[i].ns_per_run[0] / rows[i].ns_per_run[1]);
		printf("  per %s\n", p->unit);
	}

	for (int e = 0; e < 2; e++)
		load[e] = eng[e] ? load_us(eng[e], &spec[0][e]) : -1;
	printf("\nload of the alu program (%u slots; the kernel's verifier walks all %llu executed "
	       "insns): bpfhost %.1f us", spec[0][0].cnt, (unsigned long long)spec[0][0].executed, load[0]);
	if (load[1] > 0)
		printf(", kernel %.1f us (kernel/bpfhost %.0fx; target >= 10x)\n", load[1], load[1] / load[0]);
	else
		printf("\n");
	big_load(eng);
	printf("ratio: bpfhost ns over kernel ns (lower is better for bpfhost; the kernel runs JIT code)\n");
	bpfhost_close(bh.map_fd);
	if (eng[1] && kernel.map_fd >= 0)
		kbpf_close(kernel.map_fd);
	interp_helpers_bench(eng[1] != NULL, why, json && *json ? json : NULL);
	return 0;
}
