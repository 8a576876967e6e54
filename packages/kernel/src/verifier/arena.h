/* SPDX-License-Identifier: MIT */
/*
 * The memory of one verification: states (frames, stack slots, saved
 * states) come from large chunks and go back to per-size free lists, so a
 * pushed branch or a saved state costs no malloc/free. The chunks outlive
 * the verification in a small process-wide cache: the next load reuses
 * them instead of growing the heap again (a load of a few hundred states
 * spent half its time in page faults and brk when every load gave its
 * megabytes back to the system and took them again).
 */
#ifndef BPFHOST_VERIFIER_ARENA_H
#define BPFHOST_VERIFIER_ARENA_H

#include <stddef.h>
#include <stdint.h>

/*
 * Size classes: multiples of BH_ARENA_GRAIN up to BH_ARENA_FINE (frames,
 * saved states, small stacks), then powers of two up to BH_ARENA_MAX_BLOCK;
 * few enough that the arena's table is cheap to set up for every load.
 */
#define BH_ARENA_GRAIN 64u
#define BH_ARENA_FINE 2048u
#define BH_ARENA_MAX_BLOCK 16384u
#define BH_ARENA_CLASSES (BH_ARENA_FINE / BH_ARENA_GRAIN + 4)

struct bh_arena_chunk;
struct bh_arena_big;

struct bh_varena {
	struct bh_arena_chunk *chunks;	/* every chunk this verification holds */
	struct bh_arena_big *big;	/* blocks past BH_ARENA_MAX_BLOCK, each from plat_alloc */
	char *bump, *end;		/* the unused tail of the newest chunk */
	void *free[BH_ARENA_CLASSES];	/* per size class */
};

/* @size bytes, not zeroed (larger blocks are); NULL when out of memory. */
void *bh_arena_alloc(struct bh_varena *a, size_t size);
/* Gives back a block of @size bytes (the size it was allocated with). */
void bh_arena_free(struct bh_varena *a, void *p, size_t size);
/* Every block at once: the chunks go to the cache (or to the system past its bound). */
void bh_arena_release(struct bh_varena *a);

#endif /* BPFHOST_VERIFIER_ARENA_H */
