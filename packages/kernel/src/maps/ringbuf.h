/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_RINGBUF: the producer side the ring buffer helpers call, and
 * the memory layout a consumer reads (Linux's, as libbpf's ring_buffer__*
 * sees it through BPFHOST_MAP_MMAP):
 *
 *   addr + 0           consumer_pos page (unsigned long, written by the consumer)
 *   addr + page        producer_pos page (unsigned long, written by producers)
 *   addr + data_offset data area of max_entries bytes, mapped twice back to back
 *
 * Each record is a struct bh_ringbuf_hdr then the payload, rounded up to 8
 * bytes. len carries BPF_RINGBUF_BUSY_BIT until the record is submitted or
 * discarded (BPF_RINGBUF_DISCARD_BIT); a consumer reads producer_pos and len
 * with acquire loads and publishes consumer_pos with a release store.
 */
#ifndef BPFHOST_RINGBUF_H
#define BPFHOST_RINGBUF_H

#include "map.h"

/* Linux's BPF_RB_* flags of the ring buffer helpers (enum values in bpf.h). */
#ifndef BPF_RB_NO_WAKEUP
#define BPF_RB_NO_WAKEUP (1ULL << 0)
#define BPF_RB_FORCE_WAKEUP (1ULL << 1)
#define BPF_RB_AVAIL_DATA 0
#define BPF_RB_RING_SIZE 1
#define BPF_RB_CONS_POS 2
#define BPF_RB_PROD_POS 3
#endif

/* Largest record payload: len must leave the BUSY and DISCARD bits free. */
#define BH_RINGBUF_MAX_RECORD_SZ (UINT32_MAX >> 2)

struct bh_ringbuf_hdr {
	_Atomic uint32_t len;	/* payload bytes | BUSY | DISCARD */
	uint32_t pg_off;	/* pages from the ring's private page to this header's page */
};

/*
 * Producer API. All are called under epoch, may run from a program, and
 * never block (a spin lock orders reservations). @map must be a ring
 * buffer; anything else is refused like a bad argument.
 */

/*
 * Reserves @size bytes; returns the payload (8-byte aligned) or NULL when
 * @flags is not 0, @size is too large, or the record would overrun the
 * consumer position. The caller must submit or discard it.
 */
void *bh_ringbuf_reserve(struct bh_map *map, uint64_t size, uint64_t flags);
/*
 * Publishes a record @map reserved; @flags: BPF_RB_NO_WAKEUP or
 * BPF_RB_FORCE_WAKEUP. -EINVAL (and nothing touched) when @sample is not a
 * record of @map still reserved: the ring is never found from the record.
 */
int bh_ringbuf_submit(struct bh_map *map, void *sample, uint64_t flags);
/* Gives a reserved record back: the consumer skips it. As submit otherwise. */
int bh_ringbuf_discard(struct bh_map *map, void *sample, uint64_t flags);
/*
 * Discards a record whose program ended without committing it, and counts
 * it (bpf_map_info.ringbuf_abandoned), so the ring never stays blocked.
 */
int bh_ringbuf_abandon(struct bh_map *map, void *sample);
/* Copies @size bytes in as one record: 0, -EINVAL (flags), -EAGAIN (no room). */
long bh_ringbuf_output(struct bh_map *map, const void *data, uint64_t size, uint64_t flags);
/* BPF_RB_AVAIL_DATA, _RING_SIZE, _CONS_POS or _PROD_POS; 0 for other @flags. */
uint64_t bh_ringbuf_query(struct bh_map *map, uint64_t flags);

/*
 * Sleeps until the ring holds unconsumed records (producer_pos !=
 * consumer_pos) or @timeout_ms passes (< 0: no limit). Call outside any
 * epoch. Returns 1 when there is data, 0 on timeout.
 */
int bh_ringbuf_wait(struct bh_map *map, int timeout_ms);

/* Makes every bh_ringbuf_wait on @map return now (a consumer closing). */
void bh_ringbuf_wake_all(struct bh_map *map);

/*
 * Bumped by every commit that would wake a Linux consumer, as
 * bpf_ringbuf_commit decides it (the word bh_ringbuf_wait sleeps on).
 */
uint64_t bh_ringbuf_wakeup_seq(struct bh_map *map);

#endif /* BPFHOST_RINGBUF_H */
