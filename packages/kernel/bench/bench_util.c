// SPDX-License-Identifier: MIT
/* Timing, statistics, key sets and the result table of the kernel benchmark. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* BPFHOST_BENCH_REPEATS overrides the repeat count (odd counts give a true median). */
int bench_repeats(void)
{
	const char *s = getenv("BPFHOST_BENCH_REPEATS");
	int n = s ? atoi(s) : 0;

	return n >= 1 && n <= 101 ? n : BENCH_DEFAULT_REPEATS;
}

bool bench_selected(const char *what)
{
	const char *only = getenv("BPFHOST_BENCH_ONLY");

	return !only || strstr(what, only);
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A bijection on u32: distinct indices give distinct, well-spread keys. */
static uint32_t spread(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

/*
 * Keys: array indices for ARRAY, spread u32s for the hashes, /32 prefixes of
 * spread addresses for LPM_TRIE. The order is BENCH_ROUNDS fixed-seed
 * permutations of the entries, so every round touches each key once.
 */
void bench_keys_init(struct bench_keys *k, uint32_t type, uint64_t seed)
{
	uint64_t s = seed;

	k->key_size = type == BENCH_LPM_TRIE ? 8 : 4;
	k->keys = malloc((size_t)BENCH_ENTRIES * k->key_size);
	k->order = malloc((size_t)BENCH_OPS * sizeof(*k->order));
	if (!k->keys || !k->order) {
		fprintf(stderr, "bench: out of memory for keys\n");
		exit(1);
	}
	for (uint32_t i = 0; i < BENCH_ENTRIES; i++) {
		uint8_t *key = k->keys + (size_t)i * k->key_size;
		uint32_t v = type == BENCH_ARRAY ? i : spread(i);

		if (type == BENCH_LPM_TRIE) {
			uint32_t prefixlen = 32;

			memcpy(key, &prefixlen, 4);
			/* Data is in network order, as an IPv4 address. */
			key[4] = (uint8_t)(v >> 24);
			key[5] = (uint8_t)(v >> 16);
			key[6] = (uint8_t)(v >> 8);
			key[7] = (uint8_t)v;
		} else {
			memcpy(key, &v, 4);
		}
	}
	for (uint32_t r = 0; r < BENCH_ROUNDS; r++) {
		uint32_t *perm = k->order + (size_t)r * BENCH_ENTRIES;

		for (uint32_t i = 0; i < BENCH_ENTRIES; i++)
			perm[i] = i;
		for (uint32_t i = BENCH_ENTRIES - 1; i > 0; i--) {
			uint32_t j = (uint32_t)(splitmix64(&s) % (i + 1));
			uint32_t t = perm[i];

			perm[i] = perm[j];
			perm[j] = t;
		}
	}
}

void bench_keys_free(struct bench_keys *k)
{
	free(k->keys);
	free(k->order);
	k->keys = NULL;
	k->order = NULL;
}

int bench_fill(const struct bench_backend *be, int fd, const struct bench_keys *k)
{
	for (uint32_t i = 0; i < BENCH_ENTRIES; i++) {
		uint64_t value = bench_value(i, 0);
		int err = be->update(fd, bench_key(k, i), &value, 0);

		if (err)
			return err;
	}
	return 0;
}

void bench_cpu_describe(char *buf, size_t len)
{
	char line[256], model[128] = "unknown CPU";
	struct utsname u;
	int cpus = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');

			if (!strncmp(line, "processor", 9))
				cpus++;
			if (!strncmp(line, "model name", 10) && colon && model[0] == 'u') {
				snprintf(model, sizeof(model), "%s", colon + 2);
				model[strcspn(model, "\n")] = 0;
			}
		}
		fclose(f);
	}
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	snprintf(buf, len, "%d CPU(s), %s, Linux %s", cpus, model, u.release);
}

struct bench_row *bench_row_add(struct bench_table *t, const char *what)
{
	struct bench_row *r;

	if (t->n == BENCH_MAX_ROWS) {
		fprintf(stderr, "bench: too many rows\n");
		exit(1);
	}
	r = &t->rows[t->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->what, sizeof(r->what), "%s", what);
	return r;
}

void bench_row_judge(struct bench_row *r, const char *target, double value, bool higher_is_better)
{
	r->target = target;
	r->target_value = value;
	r->higher_is_better = higher_is_better;
	r->met = higher_is_better ? r->ratio >= value : r->ratio <= value;
}

static void fmt_rate(char *buf, size_t len, double ns_op)
{
	double rate = ns_op > 0 ? 1e9 / ns_op : 0;

	if (rate >= 1e6)
		snprintf(buf, len, "%.2fM", rate / 1e6);
	else
		snprintf(buf, len, "%.0fK", rate / 1e3);
}

void bench_table_print(const struct bench_table *t)
{
	char a[32], b[32], ratio[32], target[32];
	int met = 0, judged = 0, ref_met = 0, ref_judged = 0;

	printf("\n%-24s %10s %9s | %-14s %10s %9s | %-16s %-9s %s\n", "operation", "ops/s", "ns/op",
	       "peer", "ops/s", "ns/op", "ratio", "target", "result");
	printf("%.*s\n", 124, "----------------------------------------------------------------"
	       "------------------------------------------------------------------------------");
	for (int i = 0; i < t->n; i++) {
		const struct bench_row *r = &t->rows[i];

		if (!r->available) {
			printf("%-24s %-60s %s\n", r->what, "not available", r->note);
			continue;
		}
		fmt_rate(a, sizeof(a), r->ns_op);
		if (!r->have_peer) {
			printf("%-24s %10s %9.1f | %-14s %-50s\n", r->what, a, r->ns_op, r->base_name,
			       r->note[0] ? r->note : "(no peer)");
			continue;
		}
		fmt_rate(b, sizeof(b), r->peer_ns_op);
		snprintf(ratio, sizeof(ratio), "%.2fx %s", r->ratio, r->ratio_unit);
		snprintf(target, sizeof(target), r->reference ? "(%s)" : "%s", r->target ? r->target : "-");
		printf("%-24s %10s %9.1f | %-14s %10s %9.1f | %-16s %-9s %s%s%s\n", r->what, a, r->ns_op,
		       r->base_name, b, r->peer_ns_op, ratio, target,
		       r->target ? (r->met ? "met" : "NOT MET") : "-", r->note[0] ? "  " : "", r->note);
		if (r->target && r->reference) {
			ref_judged++;
			ref_met += r->met;
		} else if (r->target) {
			judged++;
			met += r->met;
		}
	}
	printf("\nPERFORMANCE.md targets met: %d of %d", met, judged);
	if (ref_judged)
		printf("; other map types against the same bar (in parentheses): %d of %d", ref_met,
		       ref_judged);
	printf("\n");
}
