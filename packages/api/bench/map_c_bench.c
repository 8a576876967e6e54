// SPDX-License-Identifier: MIT
/*
 * The C side of `nx run api:bench`: map update/lookup on a HASH map (u32 key,
 * u64 value) through the bpfhost C library, one element at a time and in
 * batches, with exactly the key pattern and counts the TypeScript side uses
 * (bench/map-bench.ts), and optionally the Linux kernel's own HASH map through
 * bpf(2) (map_c_bench_kernel.c). Prints one JSON object: ns per element for
 * each operation and round.
 *
 * Usage: map_c_bench [--entries N (a power of two)] [--passes P] [--rounds R] [--kernel]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfhost/bpf.h"

/* map_c_bench_kernel.c: ns per lookup/update on a kernel HASH map, or a negative errno and @why. */
int kernel_bench(uint32_t entries, uint32_t passes, double *update_ns, double *lookup_ns, char *why,
		 size_t why_len);

#define MAX_ROUNDS 64

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* The i-th key: an odd multiplier permutes 0..n-1 when n is a power of two (same in map-bench.ts). */
static inline uint32_t key_at(uint32_t i, uint32_t n)
{
	return (uint32_t)(i * 40503u) & (n - 1);
}

struct round {
	double update, lookup, update_batch, lookup_batch;
	double k_update, k_lookup;
};

static volatile uint64_t sink;

static int die(const char *what, int err)
{
	fprintf(stderr, "map_c_bench: %s: %s (%s)\n", what, strerror(-err), bpfhost_last_error());
	exit(1);
}

static void one_round(uint32_t n, uint32_t passes, uint32_t *keys, uint64_t *values, struct round *r)
{
	int fd = bpfhost_map_create(BPF_MAP_TYPE_HASH, "bench", 4, 8, n, NULL);
	uint64_t t, sum = 0, v;
	int err;

	if (fd < 0)
		die("bpfhost_map_create", fd);
	for (uint32_t i = 0; i < n; i++) {
		keys[i] = key_at(i, n);
		values[i] = i;
		err = bpfhost_map_update_elem(fd, &keys[i], &values[i], BPF_ANY);
		if (err)
			die("fill", err);
	}

	/* One element at a time: update existing keys, then look them up. */
	t = now_ns();
	for (uint32_t p = 0; p < passes; p++)
		for (uint32_t i = 0; i < n; i++) {
			uint32_t k = key_at(i, n);

			v = (uint64_t)i + p;
			err = bpfhost_map_update_elem(fd, &k, &v, BPF_ANY);
			if (err)
				die("update", err);
		}
	r->update = (double)(now_ns() - t) / ((double)passes * n);

	t = now_ns();
	for (uint32_t p = 0; p < passes; p++)
		for (uint32_t i = 0; i < n; i++) {
			uint32_t k = key_at(i, n);

			err = bpfhost_map_lookup_elem(fd, &k, &v);
			if (err)
				die("lookup", err);
			sum += v;
		}
	r->lookup = (double)(now_ns() - t) / ((double)passes * n);

	/* Batches: every key in one update batch; the whole map read back with lookup batches. */
	t = now_ns();
	for (uint32_t p = 0; p < passes; p++) {
		uint32_t count = n;

		err = bpfhost_map_update_batch(fd, keys, values, &count, NULL);
		if (err || count != n)
			die("update batch", err ? err : -EIO);
	}
	r->update_batch = (double)(now_ns() - t) / ((double)passes * n);

	t = now_ns();
	for (uint32_t p = 0; p < passes; p++) {
		uint32_t out_batch = 0, total = 0;
		void *in = NULL;

		for (;;) {
			uint32_t count = n - total;

			if (count == 0)
				break;
			err = bpfhost_map_lookup_batch(fd, in, &out_batch, keys + total, values + total, &count, NULL);
			total += count;
			if (err == -ENOENT)
				break;
			if (err)
				die("lookup batch", err);
			in = &out_batch;
		}
		if (total != n)
			die("lookup batch count", -EIO);
		sum += values[n - 1];
	}
	r->lookup_batch = (double)(now_ns() - t) / ((double)passes * n);
	sink = sum;
	bpfhost_close(fd);
}

int main(int argc, char **argv)
{
	uint32_t n = 65536, passes = 4, rounds = 1;
	int kernel = 0;
	char why[160] = "";
	struct round r[MAX_ROUNDS];
	uint32_t *keys;
	uint64_t *values;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--entries") && i + 1 < argc)
			n = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--passes") && i + 1 < argc)
			passes = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--kernel"))
			kernel = 1;
		else {
			fprintf(stderr, "usage: %s [--entries N] [--passes P] [--rounds R] [--kernel]\n", argv[0]);
			return 2;
		}
	}
	if (n < 2 || (n & (n - 1)) || !passes || !rounds || rounds > MAX_ROUNDS) {
		fprintf(stderr, "map_c_bench: entries must be a power of two, passes >= 1, 1 <= rounds <= %d\n", MAX_ROUNDS);
		return 2;
	}
	keys = calloc(n, sizeof(*keys));
	values = calloc(n, sizeof(*values));
	if (!keys || !values)
		return 1;
	for (uint32_t i = 0; i < rounds; i++) {
		one_round(n, passes, keys, values, &r[i]);
		r[i].k_update = r[i].k_lookup = -1;
		/* The kernel is ~50x slower per operation: one pass is plenty. */
		if (kernel && !why[0] && kernel_bench(n, 1, &r[i].k_update, &r[i].k_lookup, why, sizeof(why)) < 0)
			r[i].k_update = r[i].k_lookup = -1;
	}

	printf("{\"entries\":%u,\"passes\":%u,\"rounds\":[", n, passes);
	for (uint32_t i = 0; i < rounds; i++) {
		printf("%s{\"update\":%.3f,\"lookup\":%.3f,\"updateBatch\":%.3f,\"lookupBatch\":%.3f", i ? "," : "",
		       r[i].update, r[i].lookup, r[i].update_batch, r[i].lookup_batch);
		if (r[i].k_update >= 0)
			printf(",\"kernelUpdate\":%.3f,\"kernelLookup\":%.3f", r[i].k_update, r[i].k_lookup);
		printf("}");
	}
	printf("]");
	if (why[0]) {
		printf(",\"kernelSkipped\":\"");
		for (const char *c = why; *c; c++)
			putchar(*c == '"' || *c == '\\' ? '\'' : *c);
		printf("\"");
	}
	printf("}\n");
	free(keys);
	free(values);
	return 0;
}
