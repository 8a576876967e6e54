// SPDX-License-Identifier: MIT
/*
 * Concurrent lookups: 2 threads against 1 on the same 64K-entry HASH map,
 * each thread doing 1M lookups through bpfhost_sys_bpf. Throughput is the
 * operations of all threads over the wall time from a common start to the
 * last finish. This one cannot run on one CPU: the threads are pinned to
 * CPUs 0 and 1 (the single thread to CPU 1), or run unpinned, as printed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bpfhost/bpf.h"
#include "bench.h"

struct worker {
	pthread_t thread;
	int fd;
	int cpu;			/* -1: unpinned */
	bool pinned;			/* the pin took */
	const struct bench_keys *k;
	uint64_t end_ns, cpu_ns, fails;
};

static atomic_int ready;
static atomic_bool go;

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const uint32_t *order = w->k->order;
	uint64_t value = 0, sum = 0, fails = 0, cpu0;

	if (w->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		w->pinned = pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
	}
	/* Warm this thread's epoch record and caches before the start. */
	for (uint32_t i = 0; i < 4096; i++)
		(void)bpfhost_map_lookup_elem(w->fd, bench_key(w->k, order[i]), &value);
	atomic_fetch_add(&ready, 1);
	while (!atomic_load_explicit(&go, memory_order_acquire))
		;
	cpu0 = thread_cpu_ns();
	for (uint32_t i = 0; i < BENCH_OPS; i++) {
		if (bpfhost_map_lookup_elem(w->fd, bench_key(w->k, order[i]), &value))
			fails++;
		sum += value;
	}
	w->end_ns = bench_now_ns();
	w->cpu_ns = thread_cpu_ns() - cpu0;
	__asm__ volatile("" : : "r"(sum) : "memory");
	w->fails = fails;
	return NULL;
}

/*
 * One run of @n threads; returns lookups per second over all of them and in
 * @cpu_share the CPU time the threads got over n x the wall time (other
 * processes on these 2 vCPUs take from it, and then the ratio says little).
 */
static double run(int fd, struct bench_keys *keys, int n, const int *cpus, bool *pinned,
		  uint64_t *fails, double *cpu_share)
{
	struct worker w[2];
	uint64_t start, end = 0, cpu = 0;

	atomic_store(&ready, 0);
	atomic_store(&go, false);
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ .fd = fd, .cpu = cpus[i], .k = &keys[i] };
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i])) {
			fprintf(stderr, "bench: pthread_create failed\n");
			return 0;
		}
	}
	while (atomic_load(&ready) < n)
		sched_yield();
	start = bench_now_ns();
	atomic_store_explicit(&go, true, memory_order_release);
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].end_ns > end)
			end = w[i].end_ns;
		*pinned = *pinned && w[i].pinned;
		*fails += w[i].fails;
		cpu += w[i].cpu_ns;
	}
	*cpu_share = (double)cpu / ((double)n * (double)(end - start));
	return (double)n * BENCH_OPS * 1e9 / (double)(end - start);
}

void bench_concurrent_section(struct bench_table *t)
{
	static const int one_cpu[] = { 1 }, two_cpus[] = { 0, 1 }, unpinned[] = { -1, -1 };
	double one[128], two[128], share1[128], share2[128];
	struct bench_keys keys[2];
	char why[512] = "";
	struct bench_row *r;
	bool pinned = true;
	uint64_t fails = 0;
	int fd, err, reps = bench_repeats();
	cpu_set_t probe, saved;

	if (!bench_selected("HASH lookup, 2 threads"))
		return;
	r = bench_row_add(t, "HASH lookup, 2 threads");
	pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved);
	CPU_ZERO(&probe);
	CPU_SET(0, &probe);
	CPU_SET(1, &probe);
	/* If CPUs 0 and 1 cannot both be had, run unpinned (and say so). */
	if (pthread_setaffinity_np(pthread_self(), sizeof(probe), &probe))
		pinned = false;
	bench_keys_init(&keys[0], BENCH_HASH, 0xc0c0a001ULL);
	bench_keys_init(&keys[1], BENCH_HASH, 0xc0c0a002ULL);
	fd = bench_bpfhost.create(BENCH_HASH, 4, 8, BENCH_ENTRIES, 0, why, sizeof(why));
	if (fd < 0 || (err = bench_fill(&bench_bpfhost, fd, &keys[0])) != 0) {
		snprintf(r->note, sizeof(r->note), "(%.150s)", fd < 0 ? why : strerror(-err));
		goto out;
	}
	for (int i = 0; i < reps; i++) {
		one[i] = run(fd, keys, 1, pinned ? one_cpu : unpinned, &pinned, &fails, &share1[i]);
		two[i] = run(fd, keys, 2, pinned ? two_cpus : unpinned, &pinned, &fails, &share2[i]);
	}
	r->available = r->have_peer = true;
	r->is_throughput = true;
	snprintf(r->base_name, sizeof(r->base_name), "1 thread");
	r->ns_op = 1e9 / bench_median(two, reps);
	r->peer_ns_op = 1e9 / bench_median(one, reps);
	r->ratio = r->peer_ns_op / r->ns_op;
	r->ratio_unit = "1 thread";
	bench_row_judge(r, ">= 1.8x", 1.8, true);
	snprintf(r->note, sizeof(r->note), "%s; CPU share %.0f%% (2 thr), %.0f%% (1 thr)%s",
		 pinned ? "pinned to CPUs 0,1 (1 thread: CPU 1)" : "threads unpinned",
		 100 * bench_median(share2, reps), 100 * bench_median(share1, reps),
		 fails ? "; some lookups failed" : "");
out:
	if (fd >= 0)
		bench_bpfhost.close(fd);
	bench_keys_free(&keys[0]);
	bench_keys_free(&keys[1]);
	pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
	fprintf(stderr, "bench: concurrent lookups done\n");
}
