/* SPDX-License-Identifier: MIT */
/*
 * Load-time specialisation (specialise.c): after the verifier accepts a
 * program, helper calls whose map it proved on every path become internal
 * opcodes the interpreter runs inline, as Linux rewrites them for its JIT:
 * ARRAY and PERCPU_ARRAY lookups, ARRAY_OF_MAPS lookups, direct lookups in
 * the other built-in maps, tail calls through a known prog array, and the
 * helpers without arguments (CPU id, clocks, prandom); a tail call whose map
 * and index are constants just before it is fused into one opcode.
 *
 * prog->insns carries the internal opcodes; prog->orig_insns (what GET_INFO
 * and `prog dump xlated` show) keeps the calls as loaded. The opcodes use
 * jump-class operations RFC 9669 leaves unassigned (0xe0, 0xf0), which the
 * structural check refuses in any program a caller loads.
 */
#ifndef BPFHOST_SPECIALISE_H
#define BPFHOST_SPECIALISE_H

#include "prog.h"

/* imm: the index into prog->fast; the other fields are 0. */
#define BH_OP_ARRAY_LOOKUP (BPF_JMP | 0xe0 | BPF_K)	/* ARRAY: base + index * elem_size */
#define BH_OP_PCPU_LOOKUP (BPF_JMP | 0xf0 | BPF_K)	/* PERCPU_ARRAY: the same + this CPU's slot */
#define BH_OP_AOM_LOOKUP (BPF_JMP | 0xe0 | BPF_X)	/* ARRAY_OF_MAPS: the slot's inner map */
#define BH_OP_MAP_LOOKUP (BPF_JMP | 0xf0 | BPF_X)	/* another built-in map: its lookup_elem directly */
#define BH_OP_TAIL_CALL (BPF_JMP32 | 0xe0 | BPF_K)	/* bpf_tail_call on a known prog array */
#define BH_OP_CALL_NOARGS (BPF_JMP32 | 0xf0 | BPF_K)	/* a helper without arguments, called directly */
/*
 * `lddw r2, prog_array; mov r3, K; call bpf_tail_call` (or mov first), K in
 * range: at the first of the three, which it replaces alone (the other two
 * stay, for jumps into the middle). It sets r2 and r3 as they would, then
 * tail-calls slot K; anything but a filled slot of the program's type below
 * the count limit takes the checked tail call path.
 */
#define BH_OP_TAIL_CALL_K (BPF_JMP32 | 0xe0 | BPF_X)
/*
 * bpf_map_lookup_elem, _update_elem or _delete_elem where the verifier saw
 * no single map (an inner map a map-in-map lookup returned, or different
 * maps on different paths), @map NULL: the map's own operation, called
 * directly, when r1 is the inner map the run's last lookup handed out, of
 * one of INNER_DIRECT_TYPES, and the key (and an update's value) lies in the
 * stack; anything else takes the helper path. Also an update or delete in
 * the one map of INNER_DIRECT_TYPES the verifier proved, or a
 * bpf_ringbuf_output to the one ring buffer it proved, @map: then r1 must be
 * @map (and the output's record, r2 and r3 bytes, lie in the stack).
 */
#define BH_OP_INNER_MAP (BPF_JMP32 | 0xf0 | BPF_X)
/*
 * The built-in map types whose lookup, update and delete helpers are just
 * their ops and whose lookup result is a plain value (no map-in-map: its
 * result is a map, with its own bookkeeping).
 */
#define INNER_DIRECT_TYPES                                                                 \
	(1u << BPF_MAP_TYPE_HASH | 1u << BPF_MAP_TYPE_ARRAY | 1u << BPF_MAP_TYPE_PERCPU_HASH |     \
	 1u << BPF_MAP_TYPE_PERCPU_ARRAY | 1u << BPF_MAP_TYPE_LRU_HASH |                       \
	 1u << BPF_MAP_TYPE_LRU_PERCPU_HASH | 1u << BPF_MAP_TYPE_LPM_TRIE)
/* Instructions from a BH_OP_TAIL_CALL_K to its call (lddw counts two). */
#define BH_TAIL_CALL_K_SPAN 3

/*
 * One rewritten call. Each internal opcode first checks that the map
 * register still holds @map and, for lookups, that the key lies in the
 * stack; otherwise it takes the helper path of @helper (every argument
 * checked at run time), so a specialised call is never less checked than
 * the helper call it replaced.
 */
struct bh_fast_op {
	const struct bh_helper *helper;	/* the call as loaded */
	struct bh_map *map;		/* the map the verifier proved (the program holds a reference) */
	void *base;			/* ARRAY: values; ARRAY_OF_MAPS, PROG_ARRAY: slots */
	/* One op kind uses each: the struct stays one cache line. */
	union {
		void *(*lookup)(struct bh_map *map, const void *key);	/* BH_OP_MAP_LOOKUP */
		/*
		 * BH_OP_TAIL_CALL_K: r2 (the map) and r3 as the lddw and the mov
		 * leave them, side by side as in the registers (one copy); r3's
		 * low half the index.
		 */
		uint64_t r2r3[2];
	};
	uint32_t max_entries;
	uint32_t elem_size;		/* arrays: bytes between two indexes' values */
	uint32_t slot;			/* PERCPU_ARRAY: bytes between two CPUs' values */
	uint32_t key_size;
	uint32_t value_size;
	bool writable;			/* the value region: writable by the program (BPF_F_RDONLY_PROG) */
	bool inner_maps;		/* HASH_OF_MAPS: the result is an inner map */
};
/* prog->fast[i] is one line: a specialised op loads nothing from a second. */
_Static_assert(sizeof(struct bh_fast_op) <= 64, "struct bh_fast_op fits a cache line");

/*
 * Rewrites @prog's helper calls that @call_map (the verifier's, per
 * instruction) shows a single built-in map for, and the argument-less core
 * helpers. 0, or -ENOMEM with the message. Never called for programs the
 * verifier did not check (BPFHOST_F_TEST_UNVERIFIED).
 */
int bh_prog_specialise(struct bh_prog *prog, struct bh_map *const *call_map);

/* Is @h one of the core's own helpers (helpers.c), not a program type's or an extension's? */
bool bh_core_helper_is_builtin(const struct bh_helper *h);

/*
 * What a lookup in @map that found @ret (not 0) hands the program, for the
 * helper path and the specialised one alike (helper_call.c): the value's
 * region (writable unless BPF_F_RDONLY_PROG or a provider's copy), or for a
 * map-in-map the inner map (its provider asked first). @ret, or 0 with
 * run->err set when an inner map's provider refuses the program.
 */
struct bh_run;
uint64_t bh_run_map_lookup_result(struct bh_run *run, const struct bh_map *map, uint64_t ret);

/*
 * Whether loads specialise: on unless the environment variable
 * BPFHOST_NO_SPECIALISE is set to something other than "" or "0" (read at
 * the first load), or a test turned it off.
 */
bool bh_specialise_enabled(void);
/* Test-only: turns specialisation of later loads on or off (overrides the environment). */
void bh_specialise_set_enabled(bool on);

#endif /* BPFHOST_SPECIALISE_H */
