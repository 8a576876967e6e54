/* SPDX-License-Identifier: MIT */
/*
 * Inside the "map helpers inside programs" section of bpfhost_interp_bench:
 * the workload table (interp_helpers_table.c), the program builders
 * (interp_helpers_progs.c), the two engines and their maps
 * (interp_helpers_engine.c), the JSON record (interp_helpers_json.c) and
 * the runner (interp_helpers.c).
 */
#ifndef BPFHOST_BENCH_INTERP_HELPERS_INT_H
#define BPFHOST_BENCH_INTERP_HELPERS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfhost/bpf_insn.h"

#define HB_KEYS 65536U			/* entries of the keyed maps (keys 0..65535) */
#define HB_ROLL_ENTRIES 8192U		/* the rolling LRU's map */
#define HB_ROLL_WINDOW 16384U		/* keys one CPU rolls over: twice the map */
#define HB_RING_SIZE (32U << 20)
#define HB_FULL_RING_SIZE (64U << 10)
#define HB_BIG_RECORD 1420U		/* the largest record, read from a map value */
#define HB_CHAIN 5			/* programs in the tail call chain */
#define HB_MAX_INSNS 64
#define HB_RB_NO_WAKEUP 1		/* Linux's BPF_RB_NO_WAKEUP */
#define HB_LPM_MUL 0x5bd1e995		/* odd: i -> i * HB_LPM_MUL mod 2^24 is a bijection */
#define HB_MAX_PERCPU 1024		/* room for the per-CPU value of a user-space update */

enum hb_kind {
	K_EMPTY, K_PRANDOM, K_READ, K_UPDATE, K_UPDATE_READ, K_ROLLING_LRU, K_SMP_ID, K_KTIME,
	K_MIM_READ, K_MIM_UPDATE, K_TAIL, K_TAIL_CHAIN, K_TAIL_LIMIT, K_LPM_READ, K_LPM_UPDATE,
	K_RINGBUF, K_RINGBUF_MAP, K_RINGBUF_FULL, K_XDP_EMPTY, K_XDP_PARSE, K_XDP_HASH,
};

enum hb_map {
	M_ARRAY, M_HASH, M_LRU, M_PERCPU_ARRAY, M_PERCPU_HASH, M_ROLL, M_COUNTER, M_INNER,
	M_ARRAY_OF_MAPS, M_HASH_OF_MAPS, M_LPM_1K, M_LPM_16K, M_LPM_256K, M_LPM_1M, M_RING,
	M_RING_FULL, M_RECORD, M_PROGS, M_CHAIN, M_LOOP, M_COUNT,
};

/* One row: what its program does (kind, map, size) and what every run returns. */
struct hb_workload {
	const char *name;
	const char *group;		/* the README table it belongs to */
	enum hb_kind kind;
	enum hb_map map;
	uint32_t size;			/* record bytes (ring buffer rows) */
	uint32_t prog_type;		/* 0: a socket filter */
	int32_t expect_r0;
	bool any_r0;			/* r0 depends on hits (rolling LRU): not checked */
	/* 2 CPUs: the workloads CPU 0 and CPU 1 run (-1: this one on both). */
	int two[2];
};

extern const struct hb_workload hb_workloads[];
extern const int hb_nworkloads;

/* A map's shape; nprefixes > 0 for LPM tries (filled with that many /24 prefixes). */
struct hb_mapdef {
	const char *name;
	uint32_t type, key_size, value_size, max_entries, flags;
	uint32_t nprefixes;
	enum hb_map inner;		/* map-in-map: its inner map (M_COUNT: none) */
};

extern const struct hb_mapdef hb_maps[M_COUNT];

/* One engine: its maps, programs and the ring's positions. */
struct hb_engine {
	const char *name;
	bool kernel;
	int map[M_COUNT];
	int target;			/* the tail call's target program */
	int chain[HB_CHAIN];		/* the chain's programs, slots 0..4 */
	int loop;			/* the program that tail-calls itself */
	int *prog;			/* [hb_nworkloads] */
	unsigned long *cons, *prod;	/* the big ring's consumer / producer positions */
	void *cons_page, *prod_page;	/* the kernel's mappings of them */
};

struct hb_prog {
	struct bpf_insn insns[HB_MAX_INSNS];
	uint32_t cnt;
};

/* Builds workload @w's program for @e (its map fds). */
void hb_build(struct hb_prog *p, const struct hb_workload *w, const struct hb_engine *e);
/* The chain program in slot @slot (tail-calls slot + 1; the last returns 1). */
void hb_build_chain(struct hb_prog *p, int slot, const struct hb_engine *e);
/* The program that tail-calls slot 0 of M_LOOP (itself) until the limit, then returns 1. */
void hb_build_loop(struct hb_prog *p, const struct hb_engine *e);
/* The bytes one record of @payload takes in a ring: 8-byte header, 8-aligned. */
uint32_t hb_record_slot(uint32_t payload);
/* The LPM key data (a u32 as stored) of prefix @i. */
uint32_t hb_lpm_addr(uint32_t i);

/* Whether workload @w is selected (BPFHOST_HELPER_BENCH_ONLY). */
bool hb_selected(const struct hb_workload *w);
/* Whether map @m is used by a selected workload. */
bool hb_map_needed(enum hb_map m);

/* Maps and programs of every selected workload on @e; 0 or -1 with @why. */
int hb_engine_setup(struct hb_engine *e, char *why, size_t len);
void hb_engine_teardown(struct hb_engine *e);
/* @repeat runs of @fd; *ns gets ns per run. 0 or -errno. */
int hb_run(struct hb_engine *e, int fd, uint32_t repeat, uint32_t *retval, double *ns);
/* Bytes written into the big ring and not consumed; consumes them. */
unsigned long hb_ring_drain(struct hb_engine *e);

/* One measured row on N CPUs. */
struct hb_result {
	bool ok[2];
	int nb;
	double ns[2];			/* per iteration, median over batches */
	double mops[2];			/* aggregate throughput, median over batches */
	double ratio, ratio_min, ratio_max;	/* bpfhost / kernel per batch pair */
	uint32_t retval[2];
	uint64_t failed[2];
};

/* Writes the JSON record of a run to @path; 0 or -errno (printed). @load_start: the
 * 1-minute load average when the section started (-1: unknown). */
int hb_json_write(const char *path, const struct hb_result *one, const struct hb_result *two,
		  bool two_ok, int nb, const int cpu1, bool kernel_ok, double load_start);

#endif /* BPFHOST_BENCH_INTERP_HELPERS_INT_H */
