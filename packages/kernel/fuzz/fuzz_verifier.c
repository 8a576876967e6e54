// SPDX-License-Identifier: MIT
/*
 * fuzz_verifier: soundness of the static verifier, with the run-time checks
 * as the oracle. Each input gets fresh maps (ARRAY, HASH, RINGBUF,
 * PROG_ARRAY, QUEUE and a one-entry ARRAY for global data), a program built
 * by vprog_gen.c (idioms the verifier should accept, with occasional slips)
 * and loaded through the verifier like any program (privileged, or with
 * BPFHOST_F_UNPRIVILEGED). A refusal is fine. What must hold for every
 * program the verifier accepts:
 *
 *  - its test run returns 0: not a single run-time check fault (-EFAULT:
 *    a bad memory access, a bad helper argument, a ring buffer commit of
 *    something the run does not hold) and not the instruction budget
 *    (-ELOOP: the verifier proved nothing about termination then);
 *  - no ASan or UBSan report while it runs;
 *  - the records it left in the ring buffer fit the ring;
 *  - an unprivileged program leaves no host address (a value inside one of
 *    the process's mappings, /proc/self/maps) in a map value, the ring
 *    buffer or the packet: the rule that keeps pointers from leaking;
 *  - after closing everything, the handles and live objects are back.
 *
 * At exit it prints how many programs the verifier accepted, by program
 * type and privilege, and the commonest refusal reasons (the generator's
 * accept rate: FUZZ_VERIFIER_QUIET=1 silences it). FUZZ_VERIFIER_DUMP=1
 * prints every program and the verifier's verdict.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/asm.h"
#include "bpfhost/bpf.h"
#include "bpfhost/libbpf.h"
#include "known_findings.h"
#include "vprog_gen.h"

#define TESTPROG_TYPE 4200u
#define PKT_SIZE 64u

/* Header bits (first input byte). */
#define HDR_TESTPROG 0x01
#define HDR_XDP 0x02		/* when not testprog */
#define HDR_UNPRIV 0x04		/* BPFHOST_F_UNPRIVILEGED */
#define HDR_SELF_TAIL 0x08	/* the program sits in its own prog array (slot 1) */
#define HDR_CTX_IN 0x10		/* XDP: metadata in front of the packet */

static const struct prog_kind {
	const char *name;
	uint32_t type, type_bit, ctx_size;
	enum gen_pkt pkt;
} kinds[] = {
	{ "socket_filter", BPF_PROG_TYPE_SOCKET_FILTER, GEN_TYPE_SKB, 192, GEN_PKT_SKB },
	{ "testprog", TESTPROG_TYPE, GEN_TYPE_TESTPROG, 24, GEN_PKT_PTR64 },
	{ "xdp", BPF_PROG_TYPE_XDP, GEN_TYPE_XDP, 24, GEN_PKT_XDP },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static bool dump;
static void dump_program(const struct gen_prog *p);

/* The process's mappings: any 8 bytes inside one is a host address. */
static struct {
	uint64_t lo, hi;
} mappings[1024];
static size_t nmappings;

static void read_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long long lo, hi;
	char perms[8];

	nmappings = 0;
	FUZZ_CHECK(f, "cannot open /proc/self/maps");
	/* readable ones, not the sanitizers' reserved shadow (huge, or no access) */
	while (fgets(line, sizeof(line), f) && nmappings < sizeof(mappings) / sizeof(mappings[0]))
		if (sscanf(line, "%llx-%llx %7s", &lo, &hi, perms) == 3 && perms[0] == 'r' &&
		    hi - lo < (1ull << 34)) {
			mappings[nmappings].lo = lo;
			mappings[nmappings++].hi = hi;
		}
	fclose(f);
}

/*
 * Every aligned 8-byte window of @buf: is it a host address? (Not below 4 GiB:
 * the sanitizers' low shadow is there, and small stored values fall in it.)
 * Not instrumented for libFuzzer's comparison tracing, which would
 * otherwise learn the mappings' bounds and plant them as constants.
 */
#if defined(__clang__)
__attribute__((no_sanitize("coverage")))
#endif
static void no_address_in(const char *what, const uint8_t *buf, size_t n, const struct gen_prog *prog)
{
	/*
	 * 8-byte aligned windows only: unaligned ones read small stored bytes
	 * as addresses inside ASan's heap region (0x5100_0000_0300 from a 3 and
	 * a 0x51 side by side), false alarms. A leaking store is an 8-byte
	 * store of a register, which compiled programs align.
	 */
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint64_t v;

		memcpy(&v, buf + i, 8);
		/*
		 * Nor values whose low half is zero: one small scalar byte stored at
		 * byte 5 of a window reads as 0x5X00_0000_0000, the start of an ASan
		 * heap region (two false alarms: a random byte and a constant 82),
		 * while a pointer to memory the program can reach never has a zero
		 * low half (a heap chunk starts after its header).
		 */
		if (v < (1ull << 32) || !(uint32_t)v)
			continue;
		/*
		 * Nor bytes 1-4 all zero: small stores at bytes 0 and 5 (a 110
		 * halfword, then a 0x51 packet byte moved there) read as
		 * 0x5100_0000_006e, 0x6e past the start of an ASan heap region
		 * (a false alarm). The blind spot this leaves: a leaked pointer
		 * into the first 256 bytes of a 1 TiB-aligned region (only the
		 * first chunk of an ASan size class lies there).
		 */
		if (!(uint32_t)(v >> 8))
			continue;
		for (size_t m = 0; m < nmappings; m++)
			if (v >= mappings[m].lo && v < mappings[m].hi) {
				dump_program(prog);
				FUZZ_CHECK(0, "the verifier accepted this unprivileged program and it left the host "
					   "address 0x%llx in %s (byte %zu)", (unsigned long long)v, what, i);
			}
	}
}

/* What an unprivileged program could write to: the maps' values, the ring, the packet. */
static void check_no_leak(const int *fd, const uint8_t *pkt_out, size_t pkt_size, const struct gen_prog *prog)
{
	uint8_t v[VGEN_ARRAY_VALUE];
	uint64_t key, next;
	void *addr;
	uint64_t size, data_off;
	uint32_t k;

	read_mappings();
	for (k = 0; k < 4; k++)
		if (!bpfhost_map_lookup_elem(fd[GEN_MAP_ARRAY], &k, v))
			no_address_in("the array map", v, VGEN_ARRAY_VALUE, prog);
	k = 0;
	if (!bpfhost_map_lookup_elem(fd[GEN_MAP_GLOBAL], &k, v))
		no_address_in("global data", v, VGEN_GLOBAL_VALUE, prog);
	for (void *kp = NULL; !bpfhost_map_get_next_key(fd[GEN_MAP_HASH], kp, &next); kp = &key) {
		key = next;
		if (!bpfhost_map_lookup_elem(fd[GEN_MAP_HASH], &key, v))
			no_address_in("the hash map", v, VGEN_HASH_VALUE, prog);
	}
	if (!bpfhost_map_lookup_elem(fd[GEN_MAP_QUEUE], NULL, v))
		no_address_in("the queue", v, VGEN_QUEUE_VALUE, prog);
	FUZZ_CHECK(!bpfhost_map_mmap(fd[GEN_MAP_RINGBUF], &addr, &size, &data_off), "mmap: %s",
		   bpfhost_last_error());
	{
		/*
		 * Record by record, data only: a header's length and page offset
		 * next to a record's first bytes can read as an address (a false
		 * alarm on 0x510000000300: pg_off 3, then a stored 0x51).
		 */
		const uint8_t *ring = (const uint8_t *)addr + data_off;
		size_t n = size - data_off < VGEN_RING_SIZE ? size - data_off : VGEN_RING_SIZE, at = 0;

		while (at + 8 <= n) {
			uint32_t len;

			memcpy(&len, ring + at, 4);
			len &= ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
			if (!len || len > n - at - 8)
				break;
			no_address_in("the ring buffer", ring + at + 8, len, prog);
			at += (8 + (size_t)len + 7) & ~(size_t)7;
		}
	}
	no_address_in("the packet", pkt_out, pkt_size, prog);
}


/* The accept rate, and why programs were refused. */
#define REASONS_MAX 64
static struct {
	uint64_t loaded[NKINDS][2], accepted[NKINDS][2];
	struct {
		char text[64];
		uint64_t n;
	} reason[REASONS_MAX];
	uint32_t nreasons;
	uint64_t other_reasons;
} stats;

/* The refusal without its program name, instruction numbers and register numbers. */
static void count_reason(const char *msg)
{
	char text[64];
	size_t n = 0;
	const char *p = strstr(msg, ": insn ");

	p = p ? strchr(p + 7, ':') : strchr(msg, ':');
	p = p ? p + 2 : msg;
	for (; *p && n < sizeof(text) - 1 && *p != ';' && *p != '('; p++) {
		if (isdigit((unsigned char)*p)) {
			if (!n || text[n - 1] != '#')
				text[n++] = '#';
		} else {
			text[n++] = *p;
		}
	}
	text[n] = 0;
	for (uint32_t i = 0; i < stats.nreasons; i++)
		if (!strcmp(stats.reason[i].text, text)) {
			stats.reason[i].n++;
			return;
		}
	if (stats.nreasons == REASONS_MAX) {
		stats.other_reasons++;
		return;
	}
	memcpy(stats.reason[stats.nreasons].text, text, n + 1);
	stats.reason[stats.nreasons++].n = 1;
}

static int by_count(const void *a, const void *b)
{
	uint64_t x = ((const typeof(stats.reason[0]) *)a)->n, y = ((const typeof(stats.reason[0]) *)b)->n;

	return x < y ? 1 : x > y ? -1 : 0;
}

static void print_stats(void)
{
	uint64_t all = 0, ok = 0;

	if (getenv("FUZZ_VERIFIER_QUIET"))
		return;
	for (size_t k = 0; k < NKINDS; k++)
		for (int u = 0; u < 2; u++) {
			all += stats.loaded[k][u];
			ok += stats.accepted[k][u];
			if (stats.loaded[k][u])
				fprintf(stderr, "fuzz_verifier: %-13s %-12s %8llu loaded, %8llu accepted (%.1f%%)\n",
					kinds[k].name, u ? "unprivileged" : "privileged",
					(unsigned long long)stats.loaded[k][u],
					(unsigned long long)stats.accepted[k][u],
					100.0 * (double)stats.accepted[k][u] / (double)stats.loaded[k][u]);
		}
	for (size_t i = 0; i < FUZZ_NKNOWN; i++)
		if (fuzz_known[i].id && fuzz_known[i].message && fuzz_known_hits[i])
			fprintf(stderr, "fuzz_verifier: known finding %s (not fixed yet) hit %llu times: %s\n",
				fuzz_known[i].id, (unsigned long long)fuzz_known_hits[i], fuzz_known[i].message);
	if (!all)
		return;
	fprintf(stderr, "fuzz_verifier: accept rate %.1f%% (%llu of %llu programs)\n",
		100.0 * (double)ok / (double)all, (unsigned long long)ok, (unsigned long long)all);
	qsort(stats.reason, stats.nreasons, sizeof(stats.reason[0]), by_count);
	for (uint32_t i = 0; i < stats.nreasons && i < 20; i++)
		fprintf(stderr, "fuzz_verifier: refused %8llu: %s\n", (unsigned long long)stats.reason[i].n,
			stats.reason[i].text);
}

static void create_maps(int *fd)
{
	uint8_t v[VGEN_ARRAY_VALUE];

	for (int m = 0; m < GEN_MAP_CNT; m++)
		fd[m] = -1;
	fd[GEN_MAP_ARRAY] = fuzz_map(BPF_MAP_TYPE_ARRAY, "array", 4, VGEN_ARRAY_VALUE, 4, 0, 0);
	fd[GEN_MAP_HASH] = fuzz_map(BPF_MAP_TYPE_HASH, "hash", 8, VGEN_HASH_VALUE, 8, 0, 0);
	fd[GEN_MAP_RINGBUF] = fuzz_map(BPF_MAP_TYPE_RINGBUF, "ringbuf", 0, 0, VGEN_RING_SIZE, 0, 0);
	fd[GEN_MAP_PROG_ARRAY] = fuzz_map(BPF_MAP_TYPE_PROG_ARRAY, "progs", 4, 4, 4, 0, 0);
	fd[GEN_MAP_QUEUE] = fuzz_map(BPF_MAP_TYPE_QUEUE, "queue", 0, VGEN_QUEUE_VALUE, 4, 0, 0);
	fd[GEN_MAP_GLOBAL] = fuzz_map(BPF_MAP_TYPE_ARRAY, "global", 4, VGEN_GLOBAL_VALUE, 1, 0, 0);
	for (uint32_t k = 0; k < 4; k++) {
		uint64_t k64 = k;

		memset(v, 0x11 * (int)(k + 1), sizeof(v));
		fuzz_put(fd[GEN_MAP_ARRAY], &k, v);
		if (k < 3)	/* key 3 is missing: lookups of it give NULL */
			fuzz_put(fd[GEN_MAP_HASH], &k64, v);
		if (k < 2)
			FUZZ_CHECK(!bpfhost_map_update_elem(fd[GEN_MAP_QUEUE], NULL, v, BPF_ANY),
				   "queue push: %s", bpfhost_last_error());
	}
}

static void dump_program(const struct gen_prog *p)
{
	fuzz_dump_insns(p->insns, p->len);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_init(BPFHOST_FUZZ_PROG_MODULE);
	dump = getenv("FUZZ_VERIFIER_DUMP") != NULL;
	atexit(print_stats);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gen_prog prog;
	struct fuzz_bytes in = { data, size };
	struct fuzz_counts before = fuzz_counts_now();
	uint8_t hdr = fuzz_u8(&in);
	size_t ki = hdr & HDR_TESTPROG ? 1 : hdr & HDR_XDP ? 2 : 0;
	const struct prog_kind *kind = &kinds[ki];
	bool unpriv = hdr & HDR_UNPRIV;
	struct gen_env env = {
		.prog_type = kind->type,
		.type_bit = kind->type_bit,
		.ctx_size = kind->ctx_size,
		.pkt = kind->pkt,
		.global_value_size = VGEN_GLOBAL_VALUE,
	};
	uint8_t pkt[PKT_SIZE], pkt_out[4096], ctx_in[24];
	uint32_t zero = 0, one = 1;
	int fd[GEN_MAP_CNT], prog_fd, tiny_fd, err;

	create_maps(fd);
	memcpy(env.map_fd, fd, sizeof(fd));
	/* An IPv4 frame (the socket filter's test run wants the whole IP header). */
	memset(pkt, 0, sizeof(pkt));
	pkt[12] = 0x08;
	/* (not from the input for unprivileged programs: it could hold what looks like an address) */
	for (uint32_t i = 14; i < 24; i++)
		pkt[i] = unpriv ? (uint8_t)(0x41 + i) : fuzz_u8(&in);

	memset(pkt_out, 0, sizeof(pkt_out));	/* scanned for addresses: nothing of the host's stack */
	vgen_program(&in, &env, &prog);
	{
		BPFHOST_OPTS(bpfhost_prog_load_opts, opts, .prog_flags = unpriv ? BPFHOST_F_UNPRIVILEGED : 0);

		prog_fd = bpfhost_prog_load(kind->type, "vfuzz", "GPL", prog.insns, prog.len, &opts);
	}
	stats.loaded[ki][unpriv]++;
	if (dump) {
		dump_program(&prog);
		fprintf(stderr, "== %s %s: %s\n", kind->name, unpriv ? "unprivileged" : "privileged",
			prog_fd > 0 ? "accepted" : bpfhost_last_error());
	}
	if (prog_fd < 0) {
		FUZZ_CHECK(prog_fd != -ENOMEM && prog_fd != -EFAULT, "load: %d %s", prog_fd,
			   bpfhost_last_error());
		count_reason(bpfhost_last_error());
		goto out;
	}
	stats.accepted[ki][unpriv]++;
	tiny_fd = bpfhost_prog_load(kind->type, "tiny", "GPL", fuzz_tiny_prog(), FUZZ_TINY_LEN, NULL);
	FUZZ_CHECK(tiny_fd > 0, "tiny program: %s", bpfhost_last_error());
	fuzz_put(fd[GEN_MAP_PROG_ARRAY], &zero, &tiny_fd);
	if (hdr & HDR_SELF_TAIL)
		fuzz_put(fd[GEN_MAP_PROG_ARRAY], &one, &prog_fd);
	{
		BPFHOST_OPTS(bpfhost_test_run_opts, opts, .data_in = pkt, .data_size_in = PKT_SIZE,
			     .data_out = pkt_out, .data_size_out = sizeof(pkt_out));

		if ((hdr & HDR_CTX_IN) && kind->pkt == GEN_PKT_XDP) {
			/* data: a metadata length (a multiple of 4, at most 32); data_end */
			uint32_t md[2] = { (pkt[20] & 7u) * 4, PKT_SIZE };

			memset(ctx_in, 0, sizeof(ctx_in));
			memcpy(ctx_in, md, sizeof(md));
			opts.ctx_in = ctx_in;
			opts.ctx_size_in = sizeof(ctx_in);
		}
		err = bpfhost_prog_test_run_opts(prog_fd, &opts);
		/* (-ENOSPC: the packet grew past data_out, the harness's buffer, not the program's fault) */
		if (err && (err == -ENOSPC || fuzz_known_finding(bpfhost_last_error())))
			err = 0;
		if (err) {
			char why[512];

			snprintf(why, sizeof(why), "%s", bpfhost_last_error());
			dump_program(&prog);
			FUZZ_CHECK(0, "the verifier accepted this %s program (%s) and its run failed: %d %s",
				   kind->name, unpriv ? "unprivileged" : "privileged", err, why);
		}
		if (unpriv)
			check_no_leak(fd, pkt_out, opts.data_size_out < sizeof(pkt_out) ? opts.data_size_out
				      : sizeof(pkt_out), &prog);
	}
	fuzz_drain_ring(fd[GEN_MAP_RINGBUF], VGEN_RING_SIZE);
	bpfhost_close(tiny_fd);
	bpfhost_close(prog_fd);
out:
	for (int m = 0; m < GEN_MAP_CNT; m++)
		if (fd[m] > 0)
			bpfhost_close(fd[m]);
	fuzz_counts_check("fuzz_verifier", before);
	return 0;
}
