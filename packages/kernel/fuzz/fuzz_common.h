/* SPDX-License-Identifier: MIT */
/*
 * What every harness shares: its initialisation, reading the fuzz input as
 * a byte stream, the program harnesses' fixture pieces (maps, the tiny
 * tail-call target, draining the ring buffer, printing a program), and the
 * check that an input left nothing behind (the handles and the live
 * objects are back to what they were before it). A broken invariant prints
 * why and aborts, so libFuzzer keeps the input as a crash.
 */
#ifndef BPFHOST_FUZZ_COMMON_H
#define BPFHOST_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bpfhost/asm.h"
#include "bpfhost/bpf.h"
#include "bpfhost/bpfhost.h"
#include "bpfhost/libbpf.h"
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

/*
 * Every harness's LLVMFuzzerInitialize: the library's diagnostics off (they
 * would drown libFuzzer's output), and extension module @module (NULL:
 * none) loaded once for the whole run.
 */
static inline void fuzz_init(const char *module)
{
	int handle;

	bpfhost_set_print(NULL);
	if (!module)
		return;
	handle = bpfhost_extension_load(module);
	FUZZ_CHECK(handle > 0, "loading %s: %s", module, bpfhost_last_error());
}

/* A map of the input's fixture, which must be created; @inner_fd: a map of maps' template, else 0. */
static inline int fuzz_map(uint32_t type, const char *name, uint32_t ks, uint32_t vs, uint32_t max,
			   uint32_t flags, int inner_fd)
{
	BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = flags,
		     .inner_map_fd = inner_fd > 0 ? (uint32_t)inner_fd : 0);
	int fd = bpfhost_map_create(type, name, ks, vs, max, &opts);

	FUZZ_CHECK(fd > 0, "creating map '%s' failed: %d %s", name, fd, bpfhost_last_error());
	return fd;
}

static inline void fuzz_put(int fd, const void *key, const void *value)
{
	int err = bpfhost_map_update_elem(fd, key, value, BPF_ANY);

	FUZZ_CHECK(!err, "filling a map failed: %d %s", err, bpfhost_last_error());
}

/* The prog array's slot 0 (a tail call that lands): r0 = 1; exit. FUZZ_TINY_LEN instructions. */
#define FUZZ_TINY_LEN 2u
static inline const struct bpf_insn *fuzz_tiny_prog(void)
{
	static const struct bpf_insn tiny[FUZZ_TINY_LEN] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return tiny;
}

/* @insns as text on stderr, to read a reproducer. */
static inline void fuzz_dump_insns(const struct bpf_insn *insns, uint32_t len)
{
	static char text[1 << 17];

	if (bpfhost_disasm(insns, len, text, sizeof(text)) >= 0)
		fprintf(stderr, "%s", text);
}

struct fuzz_ring_count {
	int records;
	size_t ring_size;
};

static inline int fuzz_count_record(void *ctx, void *data, size_t size)
{
	struct fuzz_ring_count *c = ctx;

	(void)data;
	FUZZ_CHECK(size <= c->ring_size, "ring buffer record of %zu bytes in a %zu-byte ring", size,
		   c->ring_size);
	c->records++;
	return 0;
}

/* Consumes what the program left in ring buffer @ring_fd (@ring_size bytes): each record must fit. */
static inline int fuzz_drain_ring(int ring_fd, size_t ring_size)
{
	struct fuzz_ring_count c = { 0, ring_size };
	struct bpfhost_ring_buffer *rb = bpfhost_ring_buffer__new(ring_fd, fuzz_count_record, &c, NULL);

	FUZZ_CHECK(rb, "ring buffer consumer: %s", bpfhost_last_error());
	FUZZ_CHECK(bpfhost_ring_buffer__consume(rb) >= 0, "consume: %s", bpfhost_last_error());
	bpfhost_ring_buffer__free(rb);
	return c.records;
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
