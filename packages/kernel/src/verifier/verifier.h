/* SPDX-License-Identifier: MIT */
/*
 * The static verifier (Linux semantics, privileged by default): called by
 * BPF_PROG_LOAD for every program after maps and helpers are resolved, it
 * walks every path of the program and its sub-programs and refuses what it
 * cannot prove safe, with a message naming the instruction, the register
 * and the rule. The interpreter's run-time checks stay as defence in depth.
 */
#ifndef BPFHOST_VERIFIER_H
#define BPFHOST_VERIFIER_H

#include <stdbool.h>
#include <stdint.h>

struct bh_prog;
struct bh_map;

struct bh_verify_opts {
	/* Per instruction: the map an lddw with a map source names, or NULL. */
	struct bh_map *const *lddw_map;
	/* Per instruction: for an lddw of a map value (direct access), its offset; else -1. */
	const int32_t *lddw_value_off;
	/*
	 * Out, optional, per instruction: at a helper call, the map its map
	 * argument is on every path that reaches it (NULL: no path did, or no
	 * map argument yet seen; BH_CALL_MAP_POISON: different maps, an inner
	 * map, or none). For load-time specialisation (prog/specialise.c).
	 */
	struct bh_map **call_map;
	bool unprivileged;		/* Linux's rules without CAP_BPF/CAP_PERFMON */
	uint32_t log_level;		/* 0, 1 (the failing path), 2 (everything); | 4: statistics */
	char *log_buf;
	uint32_t log_size;
};

#define BH_CALL_MAP_POISON ((struct bh_map *)(uintptr_t)1)

/* Statistics of the last verification (for benchmarks and the log). */
struct bh_verify_stats {
	uint64_t processed;
	uint32_t peak_states;
	uint32_t total_states;
	/*
	 * How far below the top of the run's stack the program may reach: frame
	 * level L of a call chain sits L * MAX_BPF_STACK down, as the
	 * interpreter lays frames out, plus what that frame's function touches.
	 */
	uint32_t stack_reach;
};

/* 0 when every path is safe; else a negative errno and the message (bh_err). */
int bh_verify(struct bh_prog *prog, const struct bh_verify_opts *opts, struct bh_verify_stats *stats);

#endif /* BPFHOST_VERIFIER_H */
