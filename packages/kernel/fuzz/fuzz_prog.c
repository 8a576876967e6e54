// SPDX-License-Identifier: MIT
/*
 * fuzz_prog: program load + test run. Each input gets fresh maps (ARRAY,
 * HASH, RINGBUF, ARRAY_OF_MAPS and HASH_OF_MAPS with their inner maps,
 * PROG_ARRAY, QUEUE, a one-entry ARRAY for global data, and a canary map no
 * program names), a program built by prog_gen.c from the input, and one
 * small test run. What must hold for every input:
 *
 *  - the generated program loads with BPFHOST_F_TEST_UNVERIFIED (the
 *    generator only makes programs the structural check accepts; a refusal
 *    is a generator or check bug): most of its programs are hostile, and
 *    the run-time checks are what this harness exercises;
 *  - the test run returns 0 or a negative errno (a fault is fine, a crash
 *    or a sanitizer report is not);
 *  - but when the static verifier accepts the program too (it is tried
 *    first), its run must not fault nor run out of budget: the verifier's
 *    soundness, as fuzz_verifier checks it with programs made to pass;
 *  - maps the program does not name (nor reach through a map of maps) are
 *    unchanged, byte for byte;
 *  - after closing everything, the handle count and the live objects are
 *    back to where they were before the input.
 *
 * The program type is one of the built-in socket filter, XDP and TC
 * (SCHED_CLS; XDP's and TC's helpers move and resize the packet under the
 * program's pointers), or "testprog"
 * (4200, from tests/ext/test_prog_provider.c, loaded once) whose context
 * carries 64-bit data/data_end packet pointers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/asm.h"
#include "bpfhost/bpf.h"
#include "bpfhost/libbpf.h"
#include "known_findings.h"
#include "prog_gen.h"

#define TESTPROG_TYPE 4200u
#define TESTPROG_CTX_SIZE 24u	/* struct test_ctx: data, data_end, value, pad */
#define SKB_CTX_SIZE 192u
#define XDP_CTX_SIZE 24u	/* struct xdp_md */
#define PKT_SIZE 64u
#define RUN_BUDGET 4096u	/* instructions per invocation: small, so loops end fast */

/* Header bits (first input byte). */
#define HDR_TESTPROG 0x01
#define HDR_RDONLY_PROG 0x02	/* the ARRAY is BPF_F_RDONLY_PROG */
#define HDR_NO_PREALLOC 0x04	/* the HASH is BPF_F_NO_PREALLOC */
#define HDR_SELF_TAIL 0x08	/* the program sits in its own prog array (slot 1) */
#define HDR_CTX_IN 0x10		/* pass ctx_in (and ctx_out) */
#define HDR_XDP 0x20		/* XDP (when not testprog) */
#define HDR_TC 0x40		/* SCHED_CLS (when neither testprog nor XDP) */

static const struct prog_kind {
	uint32_t type, type_bit, ctx_size;
	enum gen_pkt pkt;
} kinds[] = {
	{ BPF_PROG_TYPE_SOCKET_FILTER, GEN_TYPE_SKB, SKB_CTX_SIZE, GEN_PKT_SKB },
	{ TESTPROG_TYPE, GEN_TYPE_TESTPROG, TESTPROG_CTX_SIZE, GEN_PKT_PTR64 },
	{ BPF_PROG_TYPE_XDP, GEN_TYPE_XDP, XDP_CTX_SIZE, GEN_PKT_XDP },
	{ BPF_PROG_TYPE_SCHED_CLS, GEN_TYPE_TC, SKB_CTX_SIZE, GEN_PKT_TC },
};

struct fixture {
	int fd[GEN_MAP_CNT];
	int canary_fd;
	int tiny_fd;		/* prog array slot 0: r0 = 1; exit */
	int prog_fd;
};

static void create_maps(struct fixture *fx, uint8_t hdr)
{
	int *fd = fx->fd;
	uint64_t v[4];

	fd[GEN_MAP_INNER_A] = fuzz_map(BPF_MAP_TYPE_ARRAY, "inner_a", 4, 8, 2, 0, 0);
	fd[GEN_MAP_INNER_B] = fuzz_map(BPF_MAP_TYPE_ARRAY, "inner_b", 4, 8, 2, 0, 0);
	fd[GEN_MAP_ARRAY] = fuzz_map(BPF_MAP_TYPE_ARRAY, "array", 4, 16, 4,
				hdr & HDR_RDONLY_PROG ? BPF_F_RDONLY_PROG : 0, 0);
	fd[GEN_MAP_HASH] = fuzz_map(BPF_MAP_TYPE_HASH, "hash", 8, 16, 8,
			       hdr & HDR_NO_PREALLOC ? BPF_F_NO_PREALLOC : 0, 0);
	fd[GEN_MAP_RINGBUF] = fuzz_map(BPF_MAP_TYPE_RINGBUF, "ringbuf", 0, 0, 4096, 0, 0);
	fd[GEN_MAP_AOM] = fuzz_map(BPF_MAP_TYPE_ARRAY_OF_MAPS, "aom", 4, 4, 2, 0, fd[GEN_MAP_INNER_A]);
	fd[GEN_MAP_HOM] = fuzz_map(BPF_MAP_TYPE_HASH_OF_MAPS, "hom", 4, 4, 2, 0, fd[GEN_MAP_INNER_A]);
	fd[GEN_MAP_PROG_ARRAY] = fuzz_map(BPF_MAP_TYPE_PROG_ARRAY, "progs", 4, 4, 4, 0, 0);
	fd[GEN_MAP_QUEUE] = fuzz_map(BPF_MAP_TYPE_QUEUE, "queue", 0, 8, 4, 0, 0);
	fd[GEN_MAP_GLOBAL] = fuzz_map(BPF_MAP_TYPE_ARRAY, "global", 4, 32, 1, 0, 0);
	fx->canary_fd = fuzz_map(BPF_MAP_TYPE_HASH, "canary", 8, 16, 4, 0, 0);

	for (uint32_t k = 0; k < 4; k++) {
		uint64_t k64 = k;

		v[0] = 0x1111111111111111ull * (k + 1);
		v[1] = ~v[0];
		fuzz_put(fd[GEN_MAP_ARRAY], &k, v);
		if (k < 3)
			fuzz_put(fd[GEN_MAP_HASH], &k64, v);
		fuzz_put(fx->canary_fd, &k64, v);
		if (k < 2) {
			fuzz_put(fd[GEN_MAP_INNER_A], &k, v);
			fuzz_put(fd[GEN_MAP_INNER_B], &k, &v[1]);
		}
		if (k < 2)
			FUZZ_CHECK(!bpfhost_map_update_elem(fd[GEN_MAP_QUEUE], NULL, v, BPF_ANY),
				   "queue push: %s", bpfhost_last_error());
	}
	{
		uint32_t zero = 0, one = 1;

		fuzz_put(fd[GEN_MAP_AOM], &zero, &fd[GEN_MAP_INNER_A]);
		fuzz_put(fd[GEN_MAP_HOM], &one, &fd[GEN_MAP_INNER_B]);
	}
}

/* A digest of what a map holds (FNV-1a over its elements as user space reads them). */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t map_digest(int fd)
{
	struct bpfhost_map_shape s;
	uint8_t key[16], next[16], value[64];
	uint64_t h = 0xcbf29ce484222325ull;
	void *key_p = NULL;
	int err;

	FUZZ_CHECK(!bpfhost_map_shape(fd, &s), "map shape: %s", bpfhost_last_error());
	if (s.map_type == BPF_MAP_TYPE_RINGBUF) {
		void *addr;
		uint64_t size, data_off;

		FUZZ_CHECK(!bpfhost_map_mmap(fd, &addr, &size, &data_off), "mmap: %s",
			   bpfhost_last_error());
		return fnv(h, addr, size < data_off + s.max_entries ? size : data_off + s.max_entries);
	}
	if (s.map_type == BPF_MAP_TYPE_QUEUE) {
		err = bpfhost_map_lookup_elem(fd, NULL, value);
		h = fnv(h, &err, sizeof(err));
		return err ? h : fnv(h, value, s.value_size);
	}
	FUZZ_CHECK(s.key_size <= sizeof(key) && s.value_size <= sizeof(value), "map too wide");
	while (!(err = bpfhost_map_get_next_key(fd, key_p, next))) {
		memcpy(key, next, s.key_size);
		key_p = key;
		h = fnv(h, key, s.key_size);
		err = bpfhost_map_lookup_elem(fd, key, value);
		h = fnv(h, &err, sizeof(err));
		if (!err)
			h = fnv(h, value, s.value_size);
	}
	FUZZ_CHECK(err == -ENOENT, "get_next_key: %d %s", err, bpfhost_last_error());
	return h;
}

static int load(uint32_t type, const struct bpf_insn *insns, uint32_t len, const int *fd_array,
		uint32_t flags)
{
	BPFHOST_OPTS(bpfhost_prog_load_opts, opts, .fd_array = fd_array, .prog_flags = flags);

	return bpfhost_prog_load(type, "fuzz", "GPL", insns, len, &opts);
}

static void dump_program(const struct gen_prog *p)
{
	fuzz_dump_insns(p->insns, p->len);
}

/* Reads what the program left in the ring (each record must fit) and the trace. */
static void drain(struct fixture *fx)
{
	char trace[4096];

	FUZZ_CHECK(fuzz_drain_ring(fx->fd[GEN_MAP_RINGBUF], 4096) <= 4096 / 8, "more records than fit a "
		   "4096-byte ring");
	while (bpfhost_trace_read(trace, sizeof(trace)) > 0)
		;
}

static bool dump;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_init(BPFHOST_FUZZ_PROG_MODULE);
	dump = getenv("FUZZ_PROG_DUMP") != NULL;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gen_prog prog;
	struct fuzz_bytes in = { data, size };
	struct fuzz_counts before = fuzz_counts_now();
	uint8_t hdr = fuzz_u8(&in), repeat = 1 + fuzz_u8(&in) % 2;
	const struct prog_kind *kind = &kinds[hdr & HDR_TESTPROG ? 1 : hdr & HDR_XDP ? 2 : hdr & HDR_TC ? 3 : 0];
	uint32_t type = kind->type;
	struct gen_env env = {
		.prog_type = type,
		.type_bit = kind->type_bit,
		.ctx_size = kind->ctx_size,
		.pkt = kind->pkt,
		.global_value_size = 32,
	};
	uint8_t pkt[PKT_SIZE], pkt_out[4096], ctx_in[SKB_CTX_SIZE], ctx_out[SKB_CTX_SIZE];
	uint64_t digest[GEN_MAP_CNT], canary;
	struct fixture fx;
	uint32_t used, zero = 0, one = 1;
	bool verified;
	int err;

	create_maps(&fx, hdr);
	memcpy(env.map_fd, fx.fd, sizeof(fx.fd));

	/* An IPv4 frame (the socket filter's test run wants the whole IP header). */
	memset(pkt, 0, sizeof(pkt));
	pkt[12] = 0x08;
	for (uint32_t i = 14; i < PKT_SIZE; i++)
		pkt[i] = fuzz_u8(&in);

	gen_program(&in, &env, &prog);
	if (dump)	/* FUZZ_PROG_DUMP=1: show the program (to read a reproducer) */
		dump_program(&prog);
	/* (no loops: known finding F2, known_findings.h) */
	fx.prog_fd = fuzz_has_back_edge(prog.insns, prog.len) ? -1 : load(type, prog.insns, prog.len,
									     fx.fd, 0);
	verified = fx.prog_fd > 0;
	if (!verified)
		fx.prog_fd = load(type, prog.insns, prog.len, fx.fd, BPFHOST_F_TEST_UNVERIFIED);
	if (fx.prog_fd < 0) {
		dump_program(&prog);
		FUZZ_CHECK(0, "the generated program (%u insns) was refused: %s", prog.len,
			   bpfhost_last_error());
	}
	fx.tiny_fd = load(type, fuzz_tiny_prog(), FUZZ_TINY_LEN, NULL, 0);
	FUZZ_CHECK(fx.tiny_fd > 0, "tiny program: %s", bpfhost_last_error());
	fuzz_put(fx.fd[GEN_MAP_PROG_ARRAY], &zero, &fx.tiny_fd);
	if (hdr & HDR_SELF_TAIL)
		fuzz_put(fx.fd[GEN_MAP_PROG_ARRAY], &one, &fx.prog_fd);

	for (int m = 0; m < GEN_MAP_CNT; m++)
		digest[m] = map_digest(fx.fd[m]);
	canary = map_digest(fx.canary_fd);

	{
		BPFHOST_OPTS(bpfhost_test_run_opts, opts, .data_in = pkt, .data_size_in = PKT_SIZE,
			     .data_out = pkt_out, .data_size_out = sizeof(pkt_out), .repeat = repeat,
			     .insn_budget = verified ? 0 : RUN_BUDGET);
		if (hdr & HDR_CTX_IN) {
			memset(ctx_in, 0, sizeof(ctx_in));
			if (kind->pkt == GEN_PKT_XDP) {
				/* data: a metadata length (a multiple of 4, at most 32); data_end */
				uint32_t md[2] = { (pkt[20] & 7u) * 4, PKT_SIZE };

				memcpy(ctx_in, md, sizeof(md));
			} else {
				/* socket filter: mark (other fields must be 0); testprog: value */
				ctx_in[kind->pkt == GEN_PKT_PTR64 ? 16 : 8] = pkt[20];
			}
			opts.ctx_in = ctx_in;
			opts.ctx_size_in = kind->ctx_size;
			opts.ctx_out = ctx_out;
			opts.ctx_size_out = sizeof(ctx_out);
		}
		err = bpfhost_prog_test_run_opts(fx.prog_fd, &opts);
		FUZZ_CHECK(err == 0 || (err < 0 && err >= -4095), "test run returned %d", err);
		/* (-ENOSPC: the packet grew past data_out, the harness's buffer, not the program's fault) */
		if (verified && err && err != -ENOSPC && !fuzz_known_finding(bpfhost_last_error())) {
			char why[512];

			snprintf(why, sizeof(why), "%s", bpfhost_last_error());
			dump_program(&prog);
			FUZZ_CHECK(0, "the verifier accepted this program and its run failed: %d %s", err,
				   why);
		}
	}

	/* What the program could reach: the maps it names, and inner maps through their outer map. */
	used = prog.maps_used;
	if (used & (1u << GEN_MAP_AOM))
		used |= 1u << GEN_MAP_INNER_A;
	if (used & (1u << GEN_MAP_HOM))
		used |= 1u << GEN_MAP_INNER_B;
	for (int m = 0; m < GEN_MAP_CNT; m++)
		if (!(used & (1u << m)))
			FUZZ_CHECK(map_digest(fx.fd[m]) == digest[m],
				   "map %d changed though the program does not reach it", m);
	FUZZ_CHECK(map_digest(fx.canary_fd) == canary, "the canary map changed");
	drain(&fx);

	for (int m = 0; m < GEN_MAP_CNT; m++)
		bpfhost_close(fx.fd[m]);
	bpfhost_close(fx.canary_fd);
	bpfhost_close(fx.tiny_fd);
	bpfhost_close(fx.prog_fd);
	fuzz_counts_check("fuzz_prog", before);
	return 0;
}
