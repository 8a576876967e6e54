/* SPDX-License-Identifier: MIT */
/*
 * The program generator of fuzz_prog: turns fuzz input into a program the
 * load-time structural check accepts (valid encodings, jump targets inside
 * their function and never into an lddw, registers written before they are
 * read, known helper ids, map references to the harness's maps), so the
 * fuzzer spends its time in the interpreter, the helpers and the maps
 * rather than in the check's refusals.
 */
#ifndef BPFHOST_FUZZ_PROG_GEN_H
#define BPFHOST_FUZZ_PROG_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfhost/bpf_insn.h"
#include "fuzz_common.h"

#define GEN_MAX_INSNS 1024u

/* The maps a program may name; fd_array (BPF_PSEUDO_MAP_IDX) is indexed by these. */
enum gen_map {
	GEN_MAP_ARRAY,
	GEN_MAP_HASH,
	GEN_MAP_RINGBUF,
	GEN_MAP_AOM,		/* ARRAY_OF_MAPS: slot 0 holds INNER_A */
	GEN_MAP_HOM,		/* HASH_OF_MAPS: key 1 holds INNER_B */
	GEN_MAP_PROG_ARRAY,
	GEN_MAP_QUEUE,
	GEN_MAP_GLOBAL,		/* ARRAY with one entry: direct value access (lddw map_value) */
	GEN_MAP_INNER_A,
	GEN_MAP_INNER_B,
	GEN_MAP_CNT
};

/* How a program of the type reaches its packet through the context. */
enum gen_pkt {
	GEN_PKT_SKB,		/* socket filter: LD_ABS/IND and bpf_skb_load_bytes only */
	GEN_PKT_PTR64,		/* 64-bit data (offset 0) and data_end (8): testprog */
	GEN_PKT_XDP,		/* 4-byte loads of data (0), data_end (4), data_meta (8): xdp_md */
	GEN_PKT_TC,		/* 4-byte loads of data (76), data_end (80), data_meta (140): __sk_buff */
};

/* Program types, for the helpers each may call. */
#define GEN_TYPE_SKB 0x1
#define GEN_TYPE_TESTPROG 0x2
#define GEN_TYPE_XDP 0x4
#define GEN_TYPE_TC 0x8

struct gen_env {
	uint32_t prog_type;
	uint32_t type_bit;		/* GEN_TYPE_* */
	uint32_t ctx_size;		/* bytes of the context r1 points to */
	enum gen_pkt pkt;
	int map_fd[GEN_MAP_CNT];
	uint32_t global_value_size;
};

struct gen_prog {
	struct bpf_insn insns[GEN_MAX_INSNS];
	uint32_t len;
	uint32_t maps_used;		/* bit (1 << enum gen_map) for each map an lddw names */
	uint32_t funcs;			/* main + bpf-to-bpf subprograms */
};

/* Builds @out from the bytes left in @in (reads past the end give zeros). */
void gen_program(struct fuzz_bytes *in, const struct gen_env *env, struct gen_prog *out);

#endif /* BPFHOST_FUZZ_PROG_GEN_H */
