/* SPDX-License-Identifier: MIT */
/*
 * The kernel as the oracle of map semantics (kernel_diff_test): the same
 * calls against a kernel map (bpf(2)) and a bpfhost map created alike,
 * seeded random keys and values, and the comparisons that report a
 * mismatch with the seed, step and operation that reproduce it.
 */
#ifndef BPFHOST_TEST_MAP_DIFF_H
#define BPFHOST_TEST_MAP_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENOTSUPP_ 524
#define MAX_ELEMS 64	/* max_entries of any map here is below */
#define BUF 64		/* bytes of any key or value here */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One map family under test: the same calls against the kernel or bpfhost. */
struct backend {
	const char *name;
	int (*create)(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags,
		      uint64_t extra);
	int (*lookup)(int fd, const void *key, void *value, uint64_t flags);
	int (*update)(int fd, const void *key, const void *value, uint64_t flags);
	int (*del)(int fd, const void *key);
	int (*next)(int fd, const void *key, void *next_key);
	int (*lookup_and_delete)(int fd, const void *key, void *value, uint64_t flags);
	int (*batch)(int cmd, int fd, void *in, void *out, void *keys, void *values,
		     uint32_t *count, uint64_t elem_flags, uint64_t flags);
	int (*close)(int fd);
};

extern const struct backend kdiff_kernel_backend, kdiff_host_backend;
/* Side 0 is the oracle (the kernel); side 1 is bpfhost (or the kernel with KDIFF_SELF). */
extern const struct backend *kdiff_side[2];
/* Compare the batch edge cases too (KDIFF_STRICT=0 leaves them out). */
extern bool kdiff_strict;

struct spec {
	const char *name;
	uint32_t type, key_size, value_size, max_entries, map_flags;
	uint32_t keyspace;	/* distinct keys the sequence draws from */
};

/* The sequence being run, for mismatch reports. */
struct run {
	const struct spec *s;
	uint64_t rng;
	unsigned int seed;
	int step;
	const char *op;
	bool failed;
	int fd[2];
};

struct entry {
	unsigned char key[BUF];
	unsigned char value[BUF];
};

/* The run's seeded random numbers (splitmix64). */
uint64_t kdiff_rnd(struct run *r);
uint32_t kdiff_below(struct run *r, uint32_t n);
void kdiff_fill_random(struct run *r, void *p, uint32_t n);
/* Comparisons: each counts a check; a mismatch prints seed, step and op and fails the test. */
const char *kdiff_errname(int e);
void kdiff_mismatch(struct run *r, const char *what, const char *k, const char *h);
bool kdiff_same(struct run *r, const char *what, long long k, long long h);
void kdiff_hex(char *out, size_t len, const void *p, uint32_t n);
bool kdiff_same_bytes(struct run *r, const char *what, const void *k, const void *h, uint32_t n);
void kdiff_broken(struct run *r, int s, const char *what, int ret);
/* Whole-map views: every key (and value) by get_next_key, sorted; both sides alike. */
int kdiff_collect(struct run *r, int s, struct entry *out, bool values);
void kdiff_sort_entries(struct entry *e, size_t n);
void kdiff_compare_contents(struct run *r, bool values);
int kdiff_count_keys(struct run *r, int s);
/* Setup: both maps of the run's spec (false: bpfhost lacks the type, or a mismatch), keys, flags. */
bool kdiff_host_lacks_type(int ret);
bool kdiff_open_pair(struct run *r);
void kdiff_close_pair(struct run *r);
void kdiff_make_key(const struct spec *s, uint32_t i, void *key);
uint64_t kdiff_update_flags(struct run *r);
uint64_t kdiff_lookup_flags(struct run *r);

#endif /* BPFHOST_TEST_MAP_DIFF_H */
