/* SPDX-License-Identifier: MIT */
/*
 * The program generator of fuzz_verifier: turns fuzz input into programs
 * built from the idioms real programs use (map lookups with NULL checks,
 * scalars bounded by a comparison and then used as offsets, packet bounds
 * checks against data_end, stack spills and fills, bounded loops, ring
 * buffer reserve/submit, bpf-to-bpf calls with a pointer into the caller's
 * frame, helpers with memory + size arguments), so that the static verifier
 * accepts a good share of them. A per-program slip rate (from the input)
 * sometimes gets one detail wrong (a bound off by one, a missing NULL
 * check, a partial overwrite of a spilled pointer, a loop without its
 * increment ...): the programs on the edge of what the verifier can prove
 * are where an unsound rule lets an unsafe program through.
 *
 * Register conventions: r6 holds the context, r7-r9 always hold scalars
 * (kept across calls), r0-r5 are a snippet's scratch. The frame's
 * fp-32..fp-1 hold keys 0..3, fp-128..fp-65 a 64-byte buffer (initialised),
 * fp-192..fp-129 spill slots.
 */
#ifndef BPFHOST_FUZZ_VPROG_GEN_H
#define BPFHOST_FUZZ_VPROG_GEN_H

#include "prog_gen.h"

/* The maps fuzz_verifier creates (enum gen_map slots) and their shapes. */
#define VGEN_ARRAY_VALUE 48u	/* GEN_MAP_ARRAY: 4 entries, u32 keys */
#define VGEN_HASH_VALUE 16u	/* GEN_MAP_HASH: u64 keys 0..2 present */
#define VGEN_GLOBAL_VALUE 32u	/* GEN_MAP_GLOBAL: one entry */
#define VGEN_QUEUE_VALUE 8u	/* GEN_MAP_QUEUE */
#define VGEN_RING_SIZE 4096u	/* GEN_MAP_RINGBUF */

/* Builds @out from the bytes left in @in (reads past the end give zeros). */
void vgen_program(struct fuzz_bytes *in, const struct gen_env *env, struct gen_prog *out);

#endif /* BPFHOST_FUZZ_VPROG_GEN_H */
