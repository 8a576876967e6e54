// SPDX-License-Identifier: MIT
/*
 * Map helpers inside programs: for each workload (interp_helpers_table.c),
 * a program doing its operation once per BPF_PROG_TEST_RUN iteration (the
 * test run's repeat count; the figure is ns per iteration), the same
 * bytecode in bpfhost and in the Linux kernel (its JIT, as configured), in
 * the same run.
 *
 * 1 CPU: one thread pinned to CPU 1 (CPU 0 on a 1-CPU machine). 2 CPUs: two
 * threads pinned to CPUs 0 and 1, each running its own test-run loop on the
 * same maps (the update+read rows: CPU 0 the update program, CPU 1 the
 * read program), batches started together (a barrier). ns per iteration:
 * the kernel's test-run duration (it leaves out time rescheduled; whole
 * ns), bpfhost's thread CPU time / repeat (the same exclusion). Per batch
 * the figure is the threads' mean, and throughput the sum of their rates.
 *
 * Interleaving: each batch runs bpfhost then the kernel or the kernel then
 * bpfhost, alternating, so neither side always runs on caches the other
 * warmed. Printed per row: each side's median over batches, and the ratio
 * bpfhost / kernel of each batch pair as its median and its min-max.
 * Nothing here asserts a time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfhost/bpfhost.h"
#include "bench_stats.h"
#include "interp_helpers.h"
#include "interp_helpers_int.h"

#define HB_BATCH_NS 50000000ULL		/* >= 50 ms per batch */
#define HB_DEFAULT_BATCHES 11
#define HB_MAX_BATCHES 101

static int env_int(const char *name, int def, int lo, int hi)
{
	const char *s = getenv(name);
	int n = s ? atoi(s) : def;

	return n >= lo && n <= hi ? n : def;
}

/* ---- one measurement: a workload on N threads, both engines in turns ---- */

struct job {
	int w;
	int nthreads, nb;
	const int *cpus;
	struct hb_engine *eng[2];	/* bpfhost, kernel (NULL: skipped) */
	int prog[2][2];			/* [engine][thread] */
	uint32_t repeat[2][2];
	uint32_t slot;			/* ring bytes per record (0: not a big-ring row) */
	bool ok[2];
	pthread_barrier_t barrier;
	/* Written by one thread each. */
	double ns[2][2][HB_MAX_BATCHES];	/* [engine][thread][batch] */
	uint32_t retval[2][2];
	int err[2][2];
	uint64_t failed[2];		/* ring buffer records that did not make it in */
};

struct worker {
	struct job *job;
	int tid;
};

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct job *j = wk->job;
	int t = wk->tid;

	for (int b = 0; b < j->nb; b++) {
		for (int k = 0; k < 2; k++) {
			int e = b % 2 ? 1 - k : k;	/* who goes first alternates */

			pthread_barrier_wait(&j->barrier);
			if (j->ok[e] && !j->err[e][t])
				j->err[e][t] = hb_run(j->eng[e], j->prog[e][t], j->repeat[e][t],
						      &j->retval[e][t], &j->ns[e][t][b]);
			pthread_barrier_wait(&j->barrier);
			if (t == 0 && j->ok[e] && j->slot) {
				uint64_t want = ((uint64_t)j->repeat[e][0] +
						 (j->nthreads > 1 ? j->repeat[e][1] : 0)) * j->slot;
				uint64_t got = hb_ring_drain(j->eng[e]);

				if (got < want)
					j->failed[e] += (want - got) / j->slot;
			}
		}
	}
	return NULL;
}

/* A repeat count for batches of >= HB_BATCH_NS (capped for the big ring to hold every record). */
static uint32_t calibrate(struct hb_engine *e, int fd, uint32_t slot, int nthreads)
{
	uint32_t retval, repeat;
	double ns = 0;
	uint64_t cap = 50000000;

	if (hb_run(e, fd, 2000, &retval, &ns))
		return 0;
	if (slot) {
		hb_ring_drain(e);
		cap = (uint64_t)HB_RING_SIZE * 9 / 10 / slot / (uint64_t)nthreads;
	}
	if (ns < 1)
		ns = 1;
	repeat = (uint32_t)((double)HB_BATCH_NS / ns) + 1;
	return repeat > cap ? (uint32_t)cap : repeat < 1000 ? 1000 : repeat;
}

static void start_threads(struct job *j)
{
	pthread_t th[2];
	struct worker wk[2];
	int started = 0;

	pthread_barrier_init(&j->barrier, NULL, (unsigned int)j->nthreads);
	for (int t = 0; t < j->nthreads; t++) {
		pthread_attr_t attr;
		cpu_set_t set;

		wk[t] = (struct worker){ j, t };
		CPU_ZERO(&set);
		CPU_SET(j->cpus[t], &set);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (pthread_create(&th[t], &attr, worker_main, &wk[t])) {
			fprintf(stderr, "interp_helpers: cannot start a thread on CPU %d\n",
				j->cpus[t]);
			exit(1);
		}
		pthread_attr_destroy(&attr);
		started++;
	}
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	pthread_barrier_destroy(&j->barrier);
}

static void reduce(struct job *j, struct hb_result *r)
{
	const struct hb_workload *w = &hb_workloads[j->w];
	double ns[2][HB_MAX_BATCHES], mops[HB_MAX_BATCHES], ratio[HB_MAX_BATCHES];

	for (int e = 0; e < 2; e++) {
		r->ok[e] = j->ok[e];
		for (int t = 0; t < j->nthreads; t++) {
			if (j->ok[e] && j->err[e][t]) {
				printf("  %s on %s: test run failed on CPU %d: %s\n", w->name,
				       j->eng[e]->name, j->cpus[t], strerror(-j->err[e][t]));
				r->ok[e] = false;
			}
		}
		if (!r->ok[e])
			continue;
		for (int b = 0; b < j->nb; b++) {
			ns[e][b] = mops[b] = 0;
			for (int t = 0; t < j->nthreads; t++) {
				double v = j->ns[e][t][b] > 0 ? j->ns[e][t][b] : 0.5;

				ns[e][b] += v / j->nthreads;
				mops[b] += 1000.0 / v;
			}
		}
		r->ns[e] = bench_median(ns[e], j->nb);
		r->mops[e] = bench_median(mops, j->nb);
		/* The 2-CPU pair rows return each program's own r0: CPU 1's is the read's. */
		r->retval[e] = j->retval[e][j->nthreads - 1];
		r->failed[e] = j->failed[e];
	}
	if (r->ok[0] && r->ok[1]) {
		r->ratio_min = 1e30;
		r->ratio_max = 0;
		for (int b = 0; b < j->nb; b++) {
			ratio[b] = ns[0][b] / ns[1][b];
			r->ratio_min = ratio[b] < r->ratio_min ? ratio[b] : r->ratio_min;
			r->ratio_max = ratio[b] > r->ratio_max ? ratio[b] : r->ratio_max;
		}
		r->ratio = bench_median(ratio, j->nb);
	}
}

static void measure(struct job *j, struct hb_result *r)
{
	const struct hb_workload *w = &hb_workloads[j->w];

	memset(r, 0, sizeof(*r));
	r->nb = j->nb;
	j->slot = w->kind == K_RINGBUF || w->kind == K_RINGBUF_MAP ? hb_record_slot(w->size) : 0;
	for (int e = 0; e < 2; e++) {
		j->ok[e] = j->eng[e] != NULL;
		for (int t = 0; t < j->nthreads && j->ok[e]; t++) {
			int pw = j->nthreads == 2 && w->two[t] >= 0 ? w->two[t] : j->w;

			j->prog[e][t] = j->eng[e]->prog[pw];
			j->repeat[e][t] = calibrate(j->eng[e], j->prog[e][t], j->slot, j->nthreads);
			j->ok[e] = j->repeat[e][t] > 0;
		}
		if (j->eng[e] && !j->ok[e])
			printf("  %s on %s: test run failed: %s\n", w->name, j->eng[e]->name,
			       j->eng[e]->kernel ? "bpf(BPF_PROG_TEST_RUN)" : bpfhost_last_error());
	}
	start_threads(j);
	reduce(j, r);
}

/* ---- printing ---- */

static void print_notes(const struct hb_result *r, const struct hb_workload *w, const char *where)
{
	for (int e = 0; e < 2; e++) {
		if (r->ok[e] && !w->any_r0 && (int32_t)r->retval[e] != w->expect_r0)
			printf("  %s (%s): MISMATCH: %s returned %d, expected %d\n", w->name, where,
			       e ? "kernel" : "bpfhost", (int32_t)r->retval[e], w->expect_r0);
		if (r->ok[e] && r->failed[e])
			printf("  %s (%s): %s: %llu records did not fit the ring\n", w->name, where,
			       e ? "kernel" : "bpfhost", (unsigned long long)r->failed[e]);
	}
}

static void print_ratio(const struct hb_result *r)
{
	char range[32];

	snprintf(range, sizeof(range), "%.2f-%.2f", r->ratio_min, r->ratio_max);
	printf(" %7.2fx %11s  %-7s", r->ratio, range, r->ratio <= 1.0 ? "met" : "NOT met");
}

static void print_one_cpu(const struct hb_result *res, int cpu, int nb)
{
	printf("\n1 CPU (a thread pinned to CPU %d), ns per iteration, median of %d batches; ratio "
	       "bpfhost / kernel: median and min-max over the batch pairs:\n", cpu, nb);
	printf("%-40s %9s %9s %8s %11s  %s\n", "workload", "bpfhost", "kernel", "ratio", "min-max",
	       "target");
	for (int i = 0; i < hb_nworkloads; i++) {
		const struct hb_result *r = &res[i];
		const struct hb_workload *w = &hb_workloads[i];

		if (!hb_selected(w))
			continue;
		if (!r->ok[0]) {
			printf("%-40s %9s\n", w->name, "failed");
			continue;
		}
		printf("%-40s %9.1f", w->name, r->ns[0]);
		if (r->ok[1]) {
			printf(" %9.1f", r->ns[1]);
			print_ratio(r);
		} else {
			printf(" %9s", "-");
		}
		printf("\n");
		print_notes(r, w, "1 CPU");
	}
}

static void print_two_cpus(const struct hb_result *res, const struct hb_result *one,
			   const int cpus[2], int nb)
{
	printf("\n2 CPUs (threads pinned to CPUs %d and %d, each its own test-run loop on the same "
	       "maps; update+read: CPU %d updates while CPU %d reads), median of %d batches:\n",
	       cpus[0], cpus[1], cpus[0], cpus[1], nb);
	printf("%-40s %9s %9s %8s %11s  %-7s %8s %8s %7s %7s\n", "workload", "bpfhost", "kernel",
	       "ratio", "min-max", "target", "bh Mop/s", "k Mop/s", "bh 2/1", "k 2/1");
	for (int i = 0; i < hb_nworkloads; i++) {
		const struct hb_result *r = &res[i];
		const struct hb_workload *w = &hb_workloads[i];
		double s[2] = { 0, 0 };

		if (!hb_selected(w))
			continue;
		if (!r->ok[0]) {
			printf("%-40s %9s\n", w->name, "failed");
			continue;
		}
		/* Scaling: 2-CPU aggregate throughput over the 1-CPU throughput. */
		for (int e = 0; e < 2; e++)
			if (r->ok[e] && one[i].ok[e])
				s[e] = r->mops[e] / one[i].mops[e];
		printf("%-40s %9.1f", w->name, r->ns[0]);
		if (r->ok[1]) {
			printf(" %9.1f", r->ns[1]);
			print_ratio(r);
			printf(" %8.1f %8.1f %6.2fx %6.2fx", r->mops[0], r->mops[1], s[0], s[1]);
		} else {
			printf(" %9s %8.1f %6.2fx", "-", r->mops[0], s[0]);
		}
		printf("\n");
		print_notes(r, w, "2 CPUs");
	}
}

/* 0 when this thread may run on each of @cpus; else -1 with @why. */
static int cpus_usable(const int *cpus, int n, char *why, size_t len)
{
	cpu_set_t old, set;

	if (sched_getaffinity(0, sizeof(old), &old)) {
		snprintf(why, len, "sched_getaffinity: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		CPU_ZERO(&set);
		CPU_SET(cpus[i], &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			snprintf(why, len, "CPU %d not usable: %s", cpus[i], strerror(errno));
			sched_setaffinity(0, sizeof(old), &old);
			return -1;
		}
	}
	sched_setaffinity(0, sizeof(old), &old);
	return 0;
}

static void print_header(bool kernel_ok, const char *kernel_why)
{
	printf("socket filters on a 64-byte packet (xdp rows: XDP on a 64-byte IPv4/UDP frame); keys: "
	       "bpf_get_prandom_u32() & 0xffff in both engines (the prandom row is that cost "
	       "alone); 64K-entry HASH/PERCPU_HASH/ARRAY/PERCPU_ARRAY/LRU_HASH u32->u64 holding keys "
	       "0..65535: reads hit and read the value, updates BPF_ANY on existing keys; rolling "
	       "LRU: 8192-entry LRU_HASH, per-CPU counter keys rolling over 16,384 per CPU, update on "
	       "miss; map-in-map: outer key 0 -> 64K-entry HASH; LPM_TRIE: N /24 prefixes, /32 reads "
	       "that all hit, update replaces a /24; ringbuf: bpf_ringbuf_output with "
	       "BPF_RB_NO_WAKEUP into a 32 MiB ring (400/1420 B records from a map value), batches "
	       "capped to fit, drained between batches (untimed); full ring: 64 KiB, never drained\n");
	printf("ns per iteration: the kernel's test-run duration, bpfhost's thread CPU time / repeat; "
	       "batches of >= 50 ms (ringbuf: as many records as fit), engines in turns, who goes "
	       "first alternating; target: ratio <= 1.00\n");
	if (!kernel_ok)
		printf("kernel column: skipped (%s)\n", kernel_why);
}

void interp_helpers_bench(bool kernel_ok, const char *kernel_why, const char *json_path)
{
	static struct hb_engine bh = { .name = "bpfhost" };
	static struct hb_engine kernel = { .name = "kernel", .kernel = true };
	static struct job job;
	struct hb_result *one = calloc((size_t)hb_nworkloads, sizeof(*one));
	struct hb_result *two = calloc((size_t)hb_nworkloads, sizeof(*two));
	struct hb_engine *eng[2] = { &bh, kernel_ok ? &kernel : NULL };
	int nb = env_int("BPFHOST_HELPER_BENCH_BATCHES", HB_DEFAULT_BATCHES, 1, HB_MAX_BATCHES);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int cpu1[1] = { ncpu > 1 ? 1 : 0 }, cpu2[2] = { 0, 1 };
	bool two_ok;
	char why[512];
	double load_start = -1;

	printf("\n== map helpers inside programs: one operation per BPF_PROG_TEST_RUN iteration "
	       "(repeat), 1 and 2 CPUs ==\n");
	if (getenv("BPFHOST_HELPER_BENCH") && !strcmp(getenv("BPFHOST_HELPER_BENCH"), "0")) {
		printf("skipped (BPFHOST_HELPER_BENCH=0)\n");
		goto out;
	}
	print_header(kernel_ok, kernel_why);
	if (getloadavg(&load_start, 1) < 1)
		load_start = -1;
	if (hb_engine_setup(&bh, why, sizeof(why))) {
		printf("bpfhost setup failed: %s\n", why);
		hb_engine_teardown(&bh);
		goto out;
	}
	if (eng[1] && hb_engine_setup(&kernel, why, sizeof(why))) {
		printf("kernel column: skipped (setup failed: %s)\n", why);
		hb_engine_teardown(&kernel);
		eng[1] = NULL;
	}
	two_ok = ncpu >= 2 && !cpus_usable(cpu2, 2, why, sizeof(why));
	if (ncpu < 2)
		snprintf(why, sizeof(why), "%ld CPU online", ncpu);

	for (int i = 0; i < hb_nworkloads; i++) {
		if (!hb_selected(&hb_workloads[i]))
			continue;
		memset(&job, 0, sizeof(job));
		job = (struct job){ .w = i, .nthreads = 1, .nb = nb, .cpus = cpu1,
				    .eng = { eng[0], eng[1] } };
		measure(&job, &one[i]);
	}
	print_one_cpu(one, cpu1[0], nb);
	if (!two_ok) {
		printf("\n2 CPUs: skipped (%s)\n", why);
	} else {
		for (int i = 0; i < hb_nworkloads; i++) {
			if (!hb_selected(&hb_workloads[i]))
				continue;
			memset(&job, 0, sizeof(job));
			job = (struct job){ .w = i, .nthreads = 2, .nb = nb, .cpus = cpu2,
					    .eng = { eng[0], eng[1] } };
			measure(&job, &two[i]);
		}
		print_two_cpus(two, one, cpu2, nb);
	}
	if (json_path)
		hb_json_write(json_path, one, two, two_ok, nb, cpu1[0], eng[1] != NULL,
			      load_start);
	hb_engine_teardown(&bh);
	if (eng[1])
		hb_engine_teardown(&kernel);
out:
	free(one);
	free(two);
}
