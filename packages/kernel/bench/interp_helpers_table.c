// SPDX-License-Identifier: MIT
/*
 * The workloads of the helper section and the maps they use: one row per
 * workload of the public cross-runtime suite (microsoft/bpf_performance's
 * tests.yml lists them; the programs here are our own), plus the rows this
 * bench had before (prandom alone, a single tail call, the XDP programs).
 *
 * Keys: bpf_get_prandom_u32() & 0xffff into 64K-entry maps holding keys
 * 0..65535 (reads hit; updates replace an existing key, BPF_ANY).
 * "update+read": on 1 CPU one program does the update and then the read of
 * its key; on 2 CPUs CPU 0 runs the update program while CPU 1 runs the
 * read program on the same map.
 */
#include <stdlib.h>
#include <string.h>

#include "bpfhost/uapi.h"
#include "interp_helpers_int.h"

#define EAGAIN_R0 (-11)		/* bpf_ringbuf_output into a full ring: -EAGAIN */

/* Row indices, for the 2-CPU pairs of the update+read rows. */
enum {
	W_EMPTY, W_PRANDOM,
	W_HASH_R, W_HASH_U, W_HASH_UR, W_PHASH_R, W_PHASH_U, W_PHASH_UR,
	W_ARRAY_R, W_ARRAY_U, W_ARRAY_UR, W_PARRAY_R, W_PARRAY_U, W_PARRAY_UR,
	W_LRU_R, W_LRU_U, W_LRU_UR,
};

#define SAME { -1, -1 }
#define ROW3(T, M, R, U)                                                                    \
	{ T " read", "maps", K_READ, M, 0, 0, 1, false, SAME },                             \
	{ T " update", "maps", K_UPDATE, M, 0, 0, 0, false, SAME },                         \
	{ T " update+read", "maps", K_UPDATE_READ, M, 0, 0, 1, false, { U, R } }

const struct hb_workload hb_workloads[] = {
	{ "empty", "baseline", K_EMPTY, M_COUNT, 0, 0, 0, false, SAME },
	{ "prandom (key only)", "baseline", K_PRANDOM, M_COUNT, 0, 0, 0, false, SAME },
	ROW3("HASH", M_HASH, W_HASH_R, W_HASH_U),
	ROW3("PERCPU_HASH", M_PERCPU_HASH, W_PHASH_R, W_PHASH_U),
	ROW3("ARRAY", M_ARRAY, W_ARRAY_R, W_ARRAY_U),
	ROW3("PERCPU_ARRAY", M_PERCPU_ARRAY, W_PARRAY_R, W_PARRAY_U),
	ROW3("LRU_HASH", M_LRU, W_LRU_R, W_LRU_U),
	{ "LRU_HASH rolling (read, update on miss)", "maps", K_ROLLING_LRU, M_ROLL, 0, 0, 0, true,
	  SAME },
	{ "bpf_get_smp_processor_id", "helpers", K_SMP_ID, M_COUNT, 0, 0, 0, false, SAME },
	{ "bpf_ktime_get_ns", "helpers", K_KTIME, M_COUNT, 0, 0, 0, false, SAME },
	{ "ARRAY_OF_MAPS read", "map-in-map", K_MIM_READ, M_ARRAY_OF_MAPS, 0, 0, 1, false, SAME },
	{ "ARRAY_OF_MAPS update", "map-in-map", K_MIM_UPDATE, M_ARRAY_OF_MAPS, 0, 0, 0, false,
	  SAME },
	{ "HASH_OF_MAPS read", "map-in-map", K_MIM_READ, M_HASH_OF_MAPS, 0, 0, 1, false, SAME },
	{ "HASH_OF_MAPS update", "map-in-map", K_MIM_UPDATE, M_HASH_OF_MAPS, 0, 0, 0, false, SAME },
	{ "tail call", "tail calls", K_TAIL, M_PROGS, 0, 0, 1, false, SAME },
	{ "tail call chain of 5", "tail calls", K_TAIL_CHAIN, M_CHAIN, 0, 0, 1, false, SAME },
	{ "tail call limit (33 calls)", "tail calls", K_TAIL_LIMIT, M_LOOP, 0, 0, 1, false, SAME },
	{ "LPM_TRIE read 1K", "lpm", K_LPM_READ, M_LPM_1K, 0, 0, 1, false, SAME },
	{ "LPM_TRIE read 16K", "lpm", K_LPM_READ, M_LPM_16K, 0, 0, 1, false, SAME },
	{ "LPM_TRIE read 256K", "lpm", K_LPM_READ, M_LPM_256K, 0, 0, 1, false, SAME },
	{ "LPM_TRIE read 1M", "lpm", K_LPM_READ, M_LPM_1M, 0, 0, 1, false, SAME },
	{ "LPM_TRIE update 256K", "lpm", K_LPM_UPDATE, M_LPM_256K, 0, 0, 0, false, SAME },
	{ "ringbuf output 64 B", "ringbuf", K_RINGBUF, M_RING, 64, 0, 0, false, SAME },
	{ "ringbuf output 400 B", "ringbuf", K_RINGBUF_MAP, M_RING, 400, 0, 0, false, SAME },
	{ "ringbuf output 1420 B", "ringbuf", K_RINGBUF_MAP, M_RING, HB_BIG_RECORD, 0, 0, false,
	  SAME },
	{ "ringbuf output, full ring", "ringbuf", K_RINGBUF_FULL, M_RING_FULL, 64, 0, EAGAIN_R0,
	  false, SAME },
	{ "xdp empty", "xdp", K_XDP_EMPTY, M_COUNT, 0, BPF_PROG_TYPE_XDP, XDP_PASS, false, SAME },
	{ "xdp parser", "xdp", K_XDP_PARSE, M_COUNT, 0, BPF_PROG_TYPE_XDP, XDP_PASS, false, SAME },
	{ "xdp HASH read", "xdp", K_XDP_HASH, M_HASH, 0, BPF_PROG_TYPE_XDP, 1, false, SAME },
};

const int hb_nworkloads = (int)(sizeof(hb_workloads) / sizeof(hb_workloads[0]));

/* LPM tries hold nprefixes /24 prefixes; max_entries is that count. */
#define LPM(n, c) { n, BPF_MAP_TYPE_LPM_TRIE, 8, 8, c, BPF_F_NO_PREALLOC, c, M_COUNT }

const struct hb_mapdef hb_maps[M_COUNT] = {
	[M_ARRAY] = { "array", BPF_MAP_TYPE_ARRAY, 4, 8, HB_KEYS, 0, 0, M_COUNT },
	[M_HASH] = { "hash", BPF_MAP_TYPE_HASH, 4, 8, HB_KEYS, 0, 0, M_COUNT },
	[M_LRU] = { "lru_hash", BPF_MAP_TYPE_LRU_HASH, 4, 8, HB_KEYS, 0, 0, M_COUNT },
	[M_PERCPU_ARRAY] = { "percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, HB_KEYS, 0, 0,
			     M_COUNT },
	[M_PERCPU_HASH] = { "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, HB_KEYS, 0, 0,
			    M_COUNT },
	[M_ROLL] = { "rolling_lru", BPF_MAP_TYPE_LRU_HASH, 4, 8, HB_ROLL_ENTRIES, 0, 0, M_COUNT },
	[M_COUNTER] = { "roll_counter", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0, 0, M_COUNT },
	[M_INNER] = { "inner_hash", BPF_MAP_TYPE_HASH, 4, 8, HB_KEYS, 0, 0, M_COUNT },
	[M_ARRAY_OF_MAPS] = { "array_of_maps", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1, 0, 0,
			      M_INNER },
	[M_HASH_OF_MAPS] = { "hash_of_maps", BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 1, 0, 0, M_INNER },
	[M_LPM_1K] = LPM("lpm_1k", 1024U),
	[M_LPM_16K] = LPM("lpm_16k", 16384U),
	[M_LPM_256K] = LPM("lpm_256k", 262144U),
	[M_LPM_1M] = LPM("lpm_1m", 1048576U),
	[M_RING] = { "ring", BPF_MAP_TYPE_RINGBUF, 0, 0, HB_RING_SIZE, 0, 0, M_COUNT },
	[M_RING_FULL] = { "full_ring", BPF_MAP_TYPE_RINGBUF, 0, 0, HB_FULL_RING_SIZE, 0, 0,
			  M_COUNT },
	[M_RECORD] = { "record", BPF_MAP_TYPE_ARRAY, 4, HB_BIG_RECORD, 1, 0, 0, M_COUNT },
	[M_PROGS] = { "progs", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1, 0, 0, M_COUNT },
	[M_CHAIN] = { "chain", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, HB_CHAIN, 0, 0, M_COUNT },
	[M_LOOP] = { "loop", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1, 0, 0, M_COUNT },
};

/*
 * BPFHOST_HELPER_BENCH_ONLY=word[,word...]: only the workloads whose name
 * or group contains one of the words (case-sensitive), e.g. "LPM,tail".
 */
bool hb_selected(const struct hb_workload *w)
{
	const char *only = getenv("BPFHOST_HELPER_BENCH_ONLY");
	char buf[256], *save = NULL;

	if (!only || !*only)
		return true;
	strncpy(buf, only, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (*t && (strstr(w->name, t) || strstr(w->group, t)))
			return true;
	return false;
}

/* The maps a kind uses besides its own. */
static bool uses(const struct hb_workload *w, enum hb_map m)
{
	switch (w->kind) {
	case K_ROLLING_LRU:
		return m == M_ROLL || m == M_COUNTER;
	case K_MIM_READ:
	case K_MIM_UPDATE:
		return m == w->map || m == M_INNER;
	case K_RINGBUF_MAP:
		return m == M_RING || m == M_RECORD;
	default:
		return m == w->map;
	}
}

bool hb_map_needed(enum hb_map m)
{
	for (int i = 0; i < hb_nworkloads; i++)
		if (hb_selected(&hb_workloads[i]) && uses(&hb_workloads[i], m))
			return true;
	return false;
}
