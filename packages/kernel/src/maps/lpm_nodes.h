/* SPDX-License-Identifier: MIT */
/*
 * The LPM trie's node store: fixed-size slots in one reserved, contiguous
 * region that never moves, named by 32-bit indices (8-byte units from the
 * region's base; 0 is no node). A child link is then 4 bytes instead of 8,
 * and a reader turns it into an address with one add.
 *
 * Slots of up to 64 bytes are 16, 32 or 64 bytes and aligned to their size
 * (none straddles a cache line); bigger ones are exact multiples of 8. Each
 * class carves slots from its own runs (512 bytes to 4 KiB); the region
 * is committed in steps of about a sixteenth of what it holds (whole 2 MiB
 * pages once it is big), so the memory follows the content.
 *
 * The owner serialises every call but lpm_nodes_destroy's last part with
 * its own lock. A retired slot is reused only after an epoch grace period
 * (batches through epoch_retire); the region lives until the owner
 * destroys the store and the last batch in flight has come back.
 */
#ifndef BPFHOST_LPM_NODES_H
#define BPFHOST_LPM_NODES_H

#include "map.h"

#define LPM_NODES_CLASSES 2
#define LPM_NODES_UNIT 8U	/* bytes per index step */

struct lpm_nodes;

/*
 * A store for nodes of @sizes[0] and @sizes[1] bytes, at most @max_live
 * of each class live at once (the reservation allows some more in their
 * grace period). NULL when out of memory or address space.
 */
struct lpm_nodes *lpm_nodes_create(const uint32_t sizes[LPM_NODES_CLASSES], uint32_t max_live);

/* The region's base: node @idx is at base + idx * LPM_NODES_UNIT. Fixed for the store's life. */
char *lpm_nodes_base(const struct lpm_nodes *s);

/* The slot size of class @cls. */
uint32_t lpm_nodes_slot_size(const struct lpm_nodes *s, unsigned int cls);

/* A slot of class @cls (contents undefined), or 0 when out of memory. Owner's lock held. */
uint32_t lpm_nodes_alloc(struct lpm_nodes *s, unsigned int cls);

/* Gives back slot @idx, which readers may still see: reused after a grace period. Owner's lock held. */
void lpm_nodes_retire(struct lpm_nodes *s, uint32_t idx, unsigned int cls);

/* Gives back slot @idx that no reader ever saw: reused at once. Owner's lock held. */
void lpm_nodes_free_unused(struct lpm_nodes *s, uint32_t idx, unsigned int cls);

/* Committed bytes of the region plus the store's own. Owner's lock held, or a racy figure. */
uint64_t lpm_nodes_bytes(const struct lpm_nodes *s);

/* No reader can reach a slot any more: freed now or when the last batch in flight comes back. */
void lpm_nodes_destroy(struct lpm_nodes *s);

#endif /* BPFHOST_LPM_NODES_H */
