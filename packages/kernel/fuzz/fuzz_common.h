/* SPDX-License-Identifier: MIT */
/*
 * What every harness shares: reading the fuzz input as a byte stream, and
 * the check that an input left nothing behind (the handles and the live
 * objects are back to what they were before it). A broken invariant prints
 * why and aborts, so libFuzzer keeps the input as a crash.
 */
#ifndef BPFHOST_FUZZ_COMMON_H
#define BPFHOST_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bpfhost/bpfhost.h"
#include "core/internal.h"

#define FUZZ_CHECK(cond, ...)                                                              \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "fuzz invariant broken (%s:%d): ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                                      \
			fprintf(stderr, "\n");                                             \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* The input as a stream; past its end every read gives 0. */
struct fuzz_bytes {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_bytes *b)
{
	if (!b->n)
		return 0;
	b->n--;
	return *b->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_bytes *b)
{
	return (uint16_t)(fuzz_u8(b) | fuzz_u8(b) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_bytes *b)
{
	return (uint32_t)fuzz_u16(b) | (uint32_t)fuzz_u16(b) << 16;
}

static inline uint64_t fuzz_u64(struct fuzz_bytes *b)
{
	return (uint64_t)fuzz_u32(b) | (uint64_t)fuzz_u32(b) << 32;
}

struct fuzz_counts {
	int handles;
	uint32_t objects;	/* published ids: maps, programs, links */
};

static inline struct fuzz_counts fuzz_counts_now(void)
{
	struct fuzz_counts c = { bpfhost_handle_count(), bh_id_count() };

	return c;
}

/*
 * After the input closed everything it opened. Destructors run after a
 * grace period and may drop the last reference to further objects (a
 * program its maps, a map of maps its inner maps), so wait a few rounds.
 */
static inline void fuzz_counts_check(const char *who, struct fuzz_counts before)
{
	struct fuzz_counts now = fuzz_counts_now();

	for (int round = 0; round < 8 && (now.handles != before.handles || now.objects != before.objects);
	     round++) {
		bpfhost_synchronize();
		now = fuzz_counts_now();
	}
	FUZZ_CHECK(now.handles == before.handles && now.objects == before.objects,
		   "%s: %d handles and %u live objects before the input, %d and %u after closing "
		   "everything it opened", who, before.handles, before.objects, now.handles, now.objects);
}

#endif /* BPFHOST_FUZZ_COMMON_H */
