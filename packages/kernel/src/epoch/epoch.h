/* SPDX-License-Identifier: MIT */
/*
 * Epoch-based reclamation. Readers bracket their access with epoch_enter()
 * and epoch_exit(); memory given to epoch_free() (or work to epoch_call())
 * is released only after every thread that was inside an epoch when it was
 * retired has left it. Lookups in maps therefore take no lock and no
 * reference: the memory they read stays valid until they exit.
 *
 * Invariants:
 *  - enter/exit nest and pair on the same thread;
 *  - a pointer read under an epoch is valid until the matching exit;
 *  - epoch_free() takes only memory from epoch_alloc*() and the matching
 *    aligned/unaligned variant (a mismatch or a double free fails fast);
 *  - epoch_call() callbacks run outside any epoch, from epoch_synchronize()
 *    or epoch_run_deferred(), so they may block and take locks.
 */
#ifndef BPFHOST_EPOCH_H
#define BPFHOST_EPOCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct epoch_head {
	struct epoch_head *next;
	uint64_t tag;
	void (*fn)(struct epoch_head *head);
};

void epoch_enter(void);
void epoch_exit(void);
bool epoch_in(void);
/*
 * Inside exactly one epoch_enter(): leaves it, runs what became ready, and
 * enters again, so a long loop lets its own retired memory go. Pointers read
 * under the epoch are invalid afterwards. False (and nothing done) when nested.
 */
bool epoch_quiesce(void);

void *epoch_alloc(size_t size);
void *epoch_alloc_aligned(size_t size);
void epoch_free(void *p);
void epoch_free_aligned(void *p);

/*
 * Memory with its own retire node: @fn(@head) runs once no thread can still
 * see it, from whichever thread reclaims (it only frees: no locks, no blocking).
 */
void epoch_retire(struct epoch_head *head, void (*fn)(struct epoch_head *head));

/* Runs @fn(@head) once no thread can still see what was unlinked before. */
void epoch_call(struct epoch_head *head, void (*fn)(struct epoch_head *head));

/*
 * Waits for every thread inside an epoch to leave it, then frees what became
 * safe and runs ready callbacks (repeatedly, as callbacks retire more).
 * Called outside any epoch; inside one it only reclaims without waiting.
 */
void epoch_synchronize(void);

/* Runs ready callbacks without waiting (end of a command). Cheap when none. */
void epoch_run_deferred(void);

/* The opaque state extensions pass to enter/exit (>= 32 bytes). */
#define EPOCH_STATE_SIZE 32
void epoch_enter_state(void *state);
void epoch_exit_state(void *state);

#endif /* BPFHOST_EPOCH_H */
