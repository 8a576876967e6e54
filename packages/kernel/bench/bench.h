/* SPDX-License-Identifier: MIT */
/*
 * The kernel benchmark's shared pieces. Every figure it prints is a ratio to
 * a peer measured in the same run (bpf(2) on the Linux kernel's maps, a plain
 * HASH map, one thread): the machines are shared and noisy, so absolute times
 * from another run prove little. Nothing here asserts a time.
 *
 * This header must not include bpfhost/uapi.h or <linux/bpf.h>: the kernel
 * peer includes the latter and both define union bpf_attr.
 */
#ifndef BPFHOST_BENCH_H
#define BPFHOST_BENCH_H

#include "bench_stats.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_ENTRIES 65536U			/* entries per map */
#define BENCH_OPS (16U * BENCH_ENTRIES)		/* operations per measurement (1M) */
#define BENCH_ROUNDS (BENCH_OPS / BENCH_ENTRIES)
#define BENCH_WARMUP BENCH_ENTRIES		/* untimed operations before a row */
#define BENCH_DEFAULT_REPEATS 7

/* Linux map type numbers, so that files without either uapi header can name them. */
enum bench_map_type {
	BENCH_HASH = 1,
	BENCH_ARRAY = 2,
	BENCH_LRU_HASH = 9,
	BENCH_LPM_TRIE = 11,
};

enum bench_op {
	BENCH_LOOKUP,
	BENCH_UPDATE,		/* existing keys, BPF_ANY */
	BENCH_DELETE,		/* a filled map, emptied in permuted order */
};

/* A map's keys and the order operations visit them. */
struct bench_keys {
	uint32_t key_size;	/* 4, or 8 for LPM (prefixlen + 4 data bytes) */
	uint8_t *keys;		/* BENCH_ENTRIES keys of key_size bytes */
	uint32_t *order;	/* BENCH_OPS indices: BENCH_ROUNDS permutations */
};

/* What one timed pass saw besides its time. */
struct bench_pass {
	uint64_t ns;		/* time of the timed operations only */
	uint64_t ops;
	uint64_t fails;		/* calls that did not return 0 */
	int first_err;		/* the first failure's return (negative errno) */
};

/*
 * A map implementation driven through a bpf(2)-like interface: bpfhost
 * (bpfhost_sys_bpf through the bpfhost_map_* wrappers) or the kernel (raw
 * bpf(2)). A pass runs one whole measurement and times only the operations.
 */
struct bench_backend {
	const char *name;
	/* Returns a map fd/handle or a negative errno; @why says what failed. */
	int (*create)(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		      uint32_t map_flags, char *why, size_t why_len);
	int (*update)(int fd, const void *key, const void *value, uint64_t flags);
	void (*close)(int fd);
	/* @ops operations of @op following @k->order (delete: see BENCH_DELETE). */
	void (*pass)(int fd, enum bench_op op, const struct bench_keys *k, uint32_t ops,
		     struct bench_pass *out);
};

extern const struct bench_backend bench_bpfhost;

/* The kernel peer: NULL when bpf(2) cannot be used, with the reason in @why. */
const struct bench_backend *bench_kernel_backend(char *why, size_t why_len);

/* bench_memory.c: a filled map's bytes against the kernel's memlock. */
void bench_memory_section(const struct bench_backend *kernel);

/* bench_util.c */
uint64_t bench_now_ns(void);
int bench_repeats(void);
/* BPFHOST_BENCH_ONLY=<text>: run only rows whose name contains it (for profiling). */
bool bench_selected(const char *what);
void bench_keys_init(struct bench_keys *k, uint32_t type, uint64_t seed);
void bench_keys_free(struct bench_keys *k);
static inline const void *bench_key(const struct bench_keys *k, uint32_t index)
{
	return k->keys + (size_t)index * k->key_size;
}
/* The value stored for key number @index (lookups check nothing, they sum). */
static inline uint64_t bench_value(uint32_t index, uint32_t generation)
{
	return ((uint64_t)generation << 32) | index;
}
/* Fills @fd with every key (BPF_ANY); returns 0 or the first error. */
int bench_fill(const struct bench_backend *be, int fd, const struct bench_keys *k);
void bench_cpu_describe(char *buf, size_t len);

/*
 * The timed loops, written once and instantiated by each backend with its
 * own direct calls (always_inline lets the compiler drop the indirection).
 */
typedef int (*bench_lookup_fn)(int fd, const void *key, void *value);
typedef int (*bench_update_fn)(int fd, const void *key, const void *value, uint64_t flags);
typedef int (*bench_delete_fn)(int fd, const void *key);

static inline __attribute__((always_inline)) void
bench_pass_run(int fd, enum bench_op op, const struct bench_keys *k, uint32_t ops,
	       struct bench_pass *out, bench_lookup_fn lookup, bench_update_fn update,
	       bench_delete_fn del)
{
	const uint32_t *order = k->order;
	uint64_t fails = 0, sum = 0, t0, ns = 0;
	int first = 0, err;
	uint64_t value = 0;

	if (ops > BENCH_OPS)
		ops = BENCH_OPS;
	switch (op) {
	case BENCH_LOOKUP:
		t0 = bench_now_ns();
		for (uint32_t i = 0; i < ops; i++) {
			err = lookup(fd, bench_key(k, order[i]), &value);
			if (__builtin_expect(err != 0, 0)) {
				fails++;
				first = first ? first : err;
			}
			sum += value;
		}
		ns = bench_now_ns() - t0;
		break;
	case BENCH_UPDATE:
		t0 = bench_now_ns();
		for (uint32_t i = 0; i < ops; i++) {
			value = bench_value(order[i], i);
			err = update(fd, bench_key(k, order[i]), &value, 0 /* BPF_ANY */);
			if (__builtin_expect(err != 0, 0)) {
				fails++;
				first = first ? first : err;
			}
		}
		ns = bench_now_ns() - t0;
		break;
	case BENCH_DELETE:
		/* Round r empties the filled map in the order of permutation r; refills are untimed. */
		for (uint32_t done = 0; done < ops; done += BENCH_ENTRIES) {
			const uint32_t *perm = order + done;
			uint32_t n = ops - done < BENCH_ENTRIES ? ops - done : BENCH_ENTRIES;

			for (uint32_t i = 0; i < BENCH_ENTRIES; i++) {
				value = bench_value(i, 0);
				(void)update(fd, bench_key(k, i), &value, 0);
			}
			t0 = bench_now_ns();
			for (uint32_t i = 0; i < n; i++) {
				err = del(fd, bench_key(k, perm[i]));
				if (__builtin_expect(err != 0, 0)) {
					fails++;
					first = first ? first : err;
				}
			}
			ns += bench_now_ns() - t0;
		}
		break;
	}
	/* Keep the looked-up values alive without printing them. */
	__asm__ volatile("" : : "r"(sum) : "memory");
	out->ns = ns;
	out->ops = ops;
	out->fails = fails;
	out->first_err = first;
}

/* Sections (bench_main.c prints their rows in one table). */
struct bench_row {
	char what[40];			/* "HASH lookup" */
	char base_name[24];		/* what the ratio is taken against */
	bool available;			/* false: 'note' says why */
	bool have_peer;
	double ns_op, peer_ns_op;	/* medians */
	double ratio;			/* as the target states it */
	const char *ratio_unit;		/* "x kernel", "x plain", "x 1 thread" */
	const char *target;		/* ">= 30x", "<= 1.3x", NULL for none */
	double target_value;
	bool higher_is_better;
	bool met;
	bool reference;			/* not a PERFORMANCE.md target: the same bar, for comparison */
	bool is_throughput;		/* the figures are ops/s totals (concurrency) */
	char note[160];
};

#define BENCH_MAX_ROWS 32
struct bench_table {
	struct bench_row rows[BENCH_MAX_ROWS];
	int n;
};

struct bench_row *bench_row_add(struct bench_table *t, const char *what);
void bench_row_judge(struct bench_row *r, const char *target, double value, bool higher_is_better);
void bench_table_print(const struct bench_table *t);

void bench_maps_section(struct bench_table *t, const struct bench_backend *kernel,
			const char *kernel_why);
void bench_custom_section(struct bench_table *t);
void bench_concurrent_section(struct bench_table *t);
/* bench_load.c: program load against the kernel's BPF_PROG_LOAD, its own table. */
void bench_load_section(void);

#endif /* BPFHOST_BENCH_H */
