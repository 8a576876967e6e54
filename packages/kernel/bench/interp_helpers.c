// SPDX-License-Identifier: MIT
/*
 * Map helpers inside programs: a socket filter doing ONE map operation per
 * BPF_PROG_TEST_RUN iteration (the test run's repeat count; the figure is
 * ns per iteration), the same bytecode in bpfhost and in the Linux kernel
 * (its JIT, as configured), in the same run.
 *
 * Workloads (64-byte packet, 64K = 65,536):
 *   empty         r0 = 0; exit
 *   prandom       the key alone: bpf_get_prandom_u32() & 0xffff stored to the stack
 *   array lookup  64K-entry ARRAY u32 -> u64, prandom key, the value read
 *   hash lookup   64K-entry HASH u32 -> u64 holding keys 0..65535, prandom key, the value read
 *   hash update   the same map, BPF_ANY on an existing key, value = the random number
 *   lru update    64K-entry LRU_HASH, full (keys 0..65535), BPF_ANY on a prandom key: Linux
 *                 takes a free node for every update and evicts when none is left
 *   lpm lookup    LPM_TRIE of 1,024 prefixes 10.a.b.0/24, lookup of 10.a.b.c/32 (always hit)
 *   ringbuf       bpf_ringbuf_output of a 64-byte stack record (8 stores) with
 *                 BPF_RB_NO_WAKEUP into a 32 MiB ring: batches are capped to fit the ring,
 *                 the ring is drained (consumer = producer) between batches, outside the
 *                 timed region, and a failed output (ring full) is counted and printed
 *   tail call     bpf_tail_call into slot 0 of a prog array holding a program returning 1
 * and XDP programs (BPF_PROG_TYPE_XDP, the kernel's XDP test run in its
 * plain mode) on the same frame, an IPv4/UDP packet to port 53:
 *   xdp empty       r0 = XDP_PASS
 *   xdp parser      ctx->data/data_end, bounds check, Ethernet, IPv4 (IHL 5), UDP port 53: XDP_PASS
 *   xdp hash lookup the hash lookup above from an XDP program
 * Keys come from bpf_get_prandom_u32() in both engines (Linux: a per-CPU
 * state; bpfhost: a per-thread one), so the 2-CPU case shares no counter;
 * the prandom row is that cost alone.
 *
 * 1 CPU: one thread pinned to CPU 1 (CPU 0 on a 1-CPU machine). 2 CPUs: two
 * threads pinned to CPUs 0 and 1, each running its own test-run loop of the
 * same program on the same map, batches started together (a barrier). ns
 * per iteration: the kernel's test-run duration (it leaves out time
 * rescheduled; whole ns), bpfhost's thread CPU time / repeat (the same
 * exclusion). Per batch the figure is the threads' mean, and throughput the
 * sum of their rates; each printed figure is the median over batches,
 * bpfhost and kernel batches in turns. Nothing here asserts a time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bpfhost/bpf.h"
#include "bpfhost/bpfhost.h"
#include "bpfhost/uapi.h"
#include "bench_stats.h"
#include "insn_build.h"
#include "interp_helpers.h"
#include "kernel_bpf.h"

#define HB_KEYS 65536U
#define HB_LPM_PREFIXES 1024U
#define HB_RING_SIZE (32U << 20)
#define HB_RECORD 64U
#define HB_RECORD_SLOT (HB_RECORD + 8U)	/* 8-byte header + payload, 8-aligned */
#define HB_BATCH_NS 50000000ULL		/* >= 50 ms per batch */
#define HB_DEFAULT_BATCHES 11
#define HB_MAX_BATCHES 101
#define HB_MAX_INSNS 48
#define HB_RB_NO_WAKEUP 1		/* Linux's BPF_RB_NO_WAKEUP */
#define HB_PKT_SIZE 64

enum workload_id { W_EMPTY, W_PRANDOM, W_ARRAY, W_HASH, W_HASH_UPDATE, W_LRU_UPDATE, W_LPM,
		   W_RINGBUF, W_TAIL, W_XDP_EMPTY, W_XDP_PARSE, W_XDP_HASH, W_COUNT };
enum map_id { M_ARRAY, M_HASH, M_LRU, M_LPM, M_RING, M_PROGS, M_COUNT };

struct workload {
	const char *name;
	double perf_md_ns;		/* the kernel's figure in PERFORMANCE.md (0: none) */
	uint32_t expect_r0;		/* what every run returns */
	uint32_t prog_type;		/* 0: a socket filter */
};

static const struct workload workloads[W_COUNT] = {
	[W_EMPTY] = { "empty", 26, 0 },
	[W_PRANDOM] = { "prandom (key only)", 0, 0 },
	[W_ARRAY] = { "array lookup", 44, 1 },
	[W_HASH] = { "hash lookup", 78, 1 },
	[W_HASH_UPDATE] = { "hash update", 176, 0 },
	[W_LRU_UPDATE] = { "lru_hash update", 317, 0 },
	[W_LPM] = { "lpm_trie lookup", 149, 1 },
	[W_RINGBUF] = { "ringbuf output", 56, 0 },
	[W_TAIL] = { "tail call", 34, 1 },
	[W_XDP_EMPTY] = { "xdp empty", 0, 2, BPF_PROG_TYPE_XDP },
	[W_XDP_PARSE] = { "xdp parser", 0, 2, BPF_PROG_TYPE_XDP },
	[W_XDP_HASH] = { "xdp hash lookup", 0, 1, BPF_PROG_TYPE_XDP },
};

/* BPFHOST_HELPER_BENCH_ONLY=word (e.g. "hash"): only the workloads whose name has it. */
static bool selected(enum workload_id w)
{
	const char *only = getenv("BPFHOST_HELPER_BENCH_ONLY");

	return !only || !*only || strstr(workloads[w].name, only);
}

/* One engine: its maps, programs and the ring's positions. */
struct engine {
	const char *name;
	bool kernel;
	int map[M_COUNT];
	int target;			/* the tail call's target program */
	int prog[W_COUNT];
	unsigned long *cons, *prod;	/* ring buffer consumer / producer positions */
	void *cons_page, *prod_page;	/* the kernel's mappings of them */
};

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int env_int(const char *name, int def, int lo, int hi)
{
	const char *s = getenv(name);
	int n = s ? atoi(s) : def;

	return n >= lo && n <= hi ? n : def;
}

/* ---- the two engines behind one set of calls ---- */

static int e_map_create(struct engine *e, uint32_t type, uint32_t key_size, uint32_t value_size,
			uint32_t max_entries, uint32_t flags)
{
	BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = flags);

	if (e->kernel)
		return kbpf_map_create(type, key_size, value_size, max_entries, flags, 0);
	return bpfhost_map_create(type, "helpers", key_size, value_size, max_entries, &opts);
}

static int e_map_update(struct engine *e, int fd, const void *key, const void *value)
{
	return e->kernel ? kbpf_map_update(fd, key, value, BPF_ANY) :
			   bpfhost_map_update_elem(fd, key, value, BPF_ANY);
}

static void e_close(struct engine *e, int fd)
{
	if (fd < 0)
		return;
	if (e->kernel)
		kbpf_close(fd);
	else
		bpfhost_close(fd);
}

static int e_prog_load(struct engine *e, uint32_t type, const struct bpf_insn *insns, uint32_t cnt,
		       char *why, size_t len)
{
	static char log[16384];
	int fd;

	type = type ? type : BPF_PROG_TYPE_SOCKET_FILTER;
	if (!e->kernel) {
		fd = bpfhost_prog_load(type, "helpers", "GPL", insns, cnt, NULL);
		if (fd < 0)
			snprintf(why, len, "bpfhost_prog_load: %s", bpfhost_last_error());
		return fd;
	}
	fd = kbpf_prog_load(type, insns, cnt, "GPL", log, sizeof(log));
	if (fd < 0) {
		size_t l = strlen(log);

		snprintf(why, len, "BPF_PROG_LOAD: %s; verifier: %s", strerror(-fd),
			 l > 200 ? log + l - 200 : log);
	}
	return fd;
}

/* @repeat runs of @fd; *ns gets ns per run (see the top comment). 0 or -errno. */
static int e_run(struct engine *e, int fd, uint32_t repeat, uint32_t *retval, double *ns)
{
	/* Ethernet, IPv4 (IHL 5, UDP), UDP to port 53: what the XDP parser reads. */
	static const uint8_t pkt[HB_PKT_SIZE] = { [12] = 0x08, [14] = 0x45, [23] = 17, [36] = 0, [37] = 53 };
	uint32_t duration = 0;
	uint64_t t0;
	int err;

	if (e->kernel) {
		err = kbpf_prog_test_run(fd, pkt, sizeof(pkt), repeat, retval, &duration);
		*ns = duration;
		return err;
	}
	{
		BPFHOST_OPTS(bpfhost_test_run_opts, opts, .data_in = pkt,
			     .data_size_in = sizeof(pkt), .repeat = (int)repeat);

		t0 = thread_cpu_ns();
		err = bpfhost_prog_test_run_opts(fd, &opts);
		*ns = (double)(thread_cpu_ns() - t0) / repeat;
		*retval = opts.retval;
	}
	return err;
}

/* Bytes the program wrote into the ring and nobody consumed; then consumes them. */
static unsigned long ring_drain(struct engine *e)
{
	unsigned long prod = __atomic_load_n(e->prod, __ATOMIC_ACQUIRE);
	unsigned long cons = __atomic_load_n(e->cons, __ATOMIC_RELAXED);

	__atomic_store_n(e->cons, prod, __ATOMIC_RELEASE);
	return prod - cons;
}

static int ring_map(struct engine *e, char *why, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t size, data_offset;
	void *addr;
	int err;

	if (!e->kernel) {
		err = bpfhost_map_mmap(e->map[M_RING], &addr, &size, &data_offset);
		if (err) {
			snprintf(why, len, "bpfhost_map_mmap: %s", bpfhost_last_error());
			return err;
		}
		e->cons = addr;
		e->prod = (unsigned long *)((uint8_t *)addr + page);
		return 0;
	}
	/* Linux: the consumer page is writable, the producer page read-only. */
	e->cons_page = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, e->map[M_RING],
			    0);
	e->prod_page = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, e->map[M_RING], page);
	if (e->cons_page == MAP_FAILED || e->prod_page == MAP_FAILED) {
		snprintf(why, len, "mmap of the kernel ring buffer: %s", strerror(errno));
		return -errno;
	}
	e->cons = e->cons_page;
	e->prod = e->prod_page;
	return 0;
}

/* ---- the programs ---- */

struct prog_buf {
	struct bpf_insn insns[HB_MAX_INSNS];
	uint32_t cnt;
};

static void put(struct prog_buf *p, const struct bpf_insn *insns, uint32_t n)
{
	if (p->cnt + n > HB_MAX_INSNS) {
		fprintf(stderr, "interp_helpers: program too long\n");
		exit(2);
	}
	memcpy(p->insns + p->cnt, insns, n * sizeof(*insns));
	p->cnt += n;
}

#define EMIT(p, ...)                                                                     \
	do {                                                                             \
		const struct bpf_insn emit_[] = { __VA_ARGS__ };                         \
		put(p, emit_, sizeof(emit_) / sizeof(emit_[0]));                         \
	} while (0)

/* r0 = bpf_get_prandom_u32() & 0xffff stored at fp-4 (the u32 key); fp-16 the random number. */
static void emit_key(struct prog_buf *p)
{
	EMIT(p, CALL(BPF_FUNC_get_prandom_u32), STX(BPF_DW, 10, 0, -16),
	     ALU64_IMM(BPF_AND, 0, (int32_t)(HB_KEYS - 1)), STX(BPF_W, 10, 0, -4));
}

/* Lookup of the key at fp+@key_off in @map_fd; r0 = 1 (value read) when found, else 0. */
static void emit_lookup(struct prog_buf *p, int map_fd, int16_t key_off)
{
	EMIT(p, MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, key_off), LD_MAP(1, map_fd),
	     CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 2), LDX(BPF_DW, 1, 0, 0),
	     MOV64_IMM(0, 1), EXIT());
}

static void build(struct prog_buf *p, enum workload_id w, const struct engine *e)
{
	p->cnt = 0;
	switch (w) {
	case W_EMPTY:
		EMIT(p, MOV64_IMM(0, 0), EXIT());
		break;
	case W_PRANDOM:
		emit_key(p);
		EMIT(p, MOV64_IMM(0, 0), EXIT());
		break;
	case W_ARRAY:
	case W_HASH:
		emit_key(p);
		emit_lookup(p, e->map[w == W_ARRAY ? M_ARRAY : M_HASH], -4);
		break;
	case W_HASH_UPDATE:
	case W_LRU_UPDATE:
		emit_key(p);
		EMIT(p, MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), MOV64_REG(3, 10),
		     ALU64_IMM(BPF_ADD, 3, -16), MOV64_IMM(4, BPF_ANY),
		     LD_MAP(1, e->map[w == W_HASH_UPDATE ? M_HASH : M_LRU]),
		     CALL(BPF_FUNC_map_update_elem), EXIT());
		break;
	case W_LPM:
		/* Key {prefixlen 32, 10.a.b.c}: a = r>>8 & 3, b = r & 0xff, c = r>>16 & 0xff. */
		EMIT(p, CALL(BPF_FUNC_get_prandom_u32), MOV64_REG(1, 0),
		     ALU64_IMM(BPF_AND, 1, 0xff), ALU64_IMM(BPF_LSH, 1, 16), MOV64_REG(2, 0),
		     ALU64_IMM(BPF_AND, 2, 0x300), ALU64_REG(BPF_OR, 1, 2), MOV64_REG(2, 0),
		     ALU64_IMM(BPF_AND, 2, 0xff0000), ALU64_IMM(BPF_LSH, 2, 8),
		     ALU64_REG(BPF_OR, 1, 2), ALU64_IMM(BPF_OR, 1, 10), STX(BPF_W, 10, 1, -4),
		     ST(BPF_W, 10, -8, 32));
		emit_lookup(p, e->map[M_LPM], -8);
		break;
	case W_RINGBUF:
		for (int16_t off = 8; off <= (int16_t)HB_RECORD; off += 8)
			EMIT(p, ST(BPF_DW, 10, (int16_t)-off, off));
		EMIT(p, LD_MAP(1, e->map[M_RING]), MOV64_REG(2, 10),
		     ALU64_IMM(BPF_ADD, 2, -(int)HB_RECORD), MOV64_IMM(3, HB_RECORD),
		     MOV64_IMM(4, HB_RB_NO_WAKEUP), CALL(BPF_FUNC_ringbuf_output), EXIT());
		break;
	case W_TAIL:
		EMIT(p, LD_MAP(2, e->map[M_PROGS]), MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call),
		     MOV64_IMM(0, 0), EXIT());
		break;
	case W_XDP_EMPTY:
		EMIT(p, MOV64_IMM(0, XDP_PASS), EXIT());
		break;
	case W_XDP_PARSE:
		/* r2 = data, r3 = data_end; 42 bytes (Ethernet, IPv4, UDP) or XDP_DROP. */
		EMIT(p, LDX(BPF_W, 2, 1, 0), LDX(BPF_W, 3, 1, 4), MOV64_REG(4, 2), ALU64_IMM(BPF_ADD, 4, 42),
		     JMP_REG(BPF_JGT, 4, 3, 13), LDX(BPF_H, 5, 2, 12), JMP_IMM(BPF_JNE, 5, 0x0008, 13),
		     LDX(BPF_B, 5, 2, 14), ALU64_IMM(BPF_AND, 5, 0xf), JMP_IMM(BPF_JNE, 5, 5, 10),
		     LDX(BPF_B, 5, 2, 23), JMP_IMM(BPF_JNE, 5, 17, 8), LDX(BPF_H, 5, 2, 36),
		     JMP_IMM(BPF_JNE, 5, 0x3500, 2), MOV64_IMM(0, XDP_PASS), EXIT(), MOV64_IMM(0, XDP_TX),
		     EXIT(), MOV64_IMM(0, XDP_DROP), EXIT(), MOV64_IMM(0, XDP_PASS), EXIT());
		break;
	case W_XDP_HASH:
		emit_key(p);
		emit_lookup(p, e->map[M_HASH], -4);
		break;
	default:
		break;
	}
}

/* ---- setting up an engine ---- */

/* One map at a time, so each map's elements sit together as in Linux's preallocated maps. */
static int fill_key_maps(struct engine *e, char *why, size_t len)
{
	static const enum map_id keyed[] = { M_ARRAY, M_HASH, M_LRU };

	for (size_t m = 0; m < sizeof(keyed) / sizeof(keyed[0]); m++) {
		for (uint32_t key = 0; key < HB_KEYS; key++) {
			uint64_t v = key * 3ULL + 1;

			if (e_map_update(e, e->map[keyed[m]], &key, &v)) {
				snprintf(why, len, "filling map %d failed at key %u", (int)keyed[m],
					 key);
				return -1;
			}
		}
	}
	for (uint32_t i = 0; i < HB_LPM_PREFIXES; i++) {
		struct {
			uint32_t prefixlen;
			uint8_t data[4];
		} key = { 24, { 10, (uint8_t)(i >> 8), (uint8_t)i, 0 } };
		uint64_t v = i + 1;

		if (e_map_update(e, e->map[M_LPM], &key, &v)) {
			snprintf(why, len, "filling the LPM trie failed at prefix %u", i);
			return -1;
		}
	}
	return 0;
}

/* Maps, the tail call's target and every workload's program on @e; 0 or -1 with @why. */
static int engine_setup(struct engine *e, char *why, size_t len)
{
	static const struct bpf_insn ret1[] = { MOV64_IMM(0, 1), EXIT() };
	struct prog_buf p;
	uint32_t zero = 0, target;

	for (int m = 0; m < M_COUNT; m++)
		e->map[m] = -1;
	for (int w = 0; w < W_COUNT; w++)
		e->prog[w] = -1;
	e->target = -1;
	e->map[M_ARRAY] = e_map_create(e, BPF_MAP_TYPE_ARRAY, 4, 8, HB_KEYS, 0);
	e->map[M_HASH] = e_map_create(e, BPF_MAP_TYPE_HASH, 4, 8, HB_KEYS, 0);
	e->map[M_LRU] = e_map_create(e, BPF_MAP_TYPE_LRU_HASH, 4, 8, HB_KEYS, 0);
	e->map[M_LPM] = e_map_create(e, BPF_MAP_TYPE_LPM_TRIE, 8, 8, HB_LPM_PREFIXES,
				     BPF_F_NO_PREALLOC);
	e->map[M_RING] = e_map_create(e, BPF_MAP_TYPE_RINGBUF, 0, 0, HB_RING_SIZE, 0);
	e->map[M_PROGS] = e_map_create(e, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1, 0);
	for (int m = 0; m < M_COUNT; m++) {
		if (e->map[m] < 0) {
			snprintf(why, len, "map %d not created: %s", m,
				 e->kernel ? strerror(-e->map[m]) : bpfhost_last_error());
			return -1;
		}
	}
	if (fill_key_maps(e, why, len) || ring_map(e, why, len))
		return -1;
	e->target = e_prog_load(e, 0, ret1, 2, why, len);
	if (e->target < 0)
		return -1;
	target = (uint32_t)e->target;
	if (e_map_update(e, e->map[M_PROGS], &zero, &target)) {
		snprintf(why, len, "prog array update: %s",
			 e->kernel ? "bpf(2) failed" : bpfhost_last_error());
		return -1;
	}
	for (int w = 0; w < W_COUNT; w++) {
		build(&p, (enum workload_id)w, e);
		e->prog[w] = e_prog_load(e, workloads[w].prog_type, p.insns, p.cnt, why, len);
		if (e->prog[w] < 0)
			return -1;
	}
	return 0;
}

static void engine_teardown(struct engine *e)
{
	long page = sysconf(_SC_PAGESIZE);

	for (int w = 0; w < W_COUNT; w++)
		e_close(e, e->prog[w]);
	e_close(e, e->target);
	if (e->cons_page && e->cons_page != MAP_FAILED)
		munmap(e->cons_page, (size_t)page);
	if (e->prod_page && e->prod_page != MAP_FAILED)
		munmap(e->prod_page, (size_t)page);
	for (int m = 0; m < M_COUNT; m++)
		e_close(e, e->map[m]);
}

/* ---- one measurement: a workload on N threads, both engines in turns ---- */

struct job {
	enum workload_id w;
	int nthreads, nb;
	const int *cpus;
	struct engine *eng[2];		/* bpfhost, kernel (NULL: skipped) */
	uint32_t repeat[2];
	bool ok[2];
	pthread_barrier_t barrier;
	/* Written by one thread each. */
	double ns[2][2][HB_MAX_BATCHES];	/* [engine][thread][batch] */
	uint32_t retval[2][2];
	int err[2][2];
	uint64_t failed[2];		/* ring buffer records that did not make it in */
};

struct result {
	bool ok[2];
	double ns[2];			/* per iteration, median over batches */
	double mops[2];			/* aggregate throughput, median over batches */
	uint32_t retval[2];
	uint64_t failed[2];
};

struct worker {
	struct job *job;
	int tid;
};

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct job *j = wk->job;
	int t = wk->tid;

	for (int b = 0; b < j->nb; b++) {
		for (int e = 0; e < 2; e++) {
			pthread_barrier_wait(&j->barrier);
			if (j->ok[e] && !j->err[e][t])
				j->err[e][t] = e_run(j->eng[e], j->eng[e]->prog[j->w], j->repeat[e],
						     &j->retval[e][t], &j->ns[e][t][b]);
			pthread_barrier_wait(&j->barrier);
			if (t == 0 && j->ok[e] && j->w == W_RINGBUF) {
				uint64_t want = (uint64_t)j->repeat[e] * (uint64_t)j->nthreads *
						HB_RECORD_SLOT;
				uint64_t got = ring_drain(j->eng[e]);

				if (got < want)
					j->failed[e] += (want - got) / HB_RECORD_SLOT;
			}
		}
	}
	return NULL;
}

/* A repeat count for batches of >= HB_BATCH_NS (capped for the ring to hold every record). */
static uint32_t calibrate(struct engine *e, enum workload_id w, int nthreads)
{
	uint32_t retval, repeat;
	double ns = 0;
	uint64_t cap = 50000000;

	if (e_run(e, e->prog[w], 2000, &retval, &ns))
		return 0;
	if (w == W_RINGBUF) {
		ring_drain(e);
		cap = (uint64_t)HB_RING_SIZE * 9 / 10 / HB_RECORD_SLOT / (uint64_t)nthreads;
	}
	if (ns < 1)
		ns = 1;
	repeat = (uint32_t)((double)HB_BATCH_NS / ns) + 1;
	return repeat > cap ? (uint32_t)cap : repeat < 1000 ? 1000 : repeat;
}

static void measure(struct job *j, struct result *r)
{
	pthread_t th[2];
	struct worker wk[2];
	int started = 0;

	memset(r, 0, sizeof(*r));
	for (int e = 0; e < 2; e++) {
		if (j->eng[e])
			j->repeat[e] = calibrate(j->eng[e], j->w, j->nthreads);
		j->ok[e] = j->eng[e] && j->repeat[e] > 0;
		if (j->eng[e] && !j->ok[e])
			printf("  %s on %s: test run failed: %s\n", workloads[j->w].name,
			       j->eng[e]->name,
			       j->eng[e]->kernel ? "bpf(BPF_PROG_TEST_RUN)" : bpfhost_last_error());
	}
	pthread_barrier_init(&j->barrier, NULL, (unsigned int)j->nthreads);
	for (int t = 0; t < j->nthreads; t++) {
		pthread_attr_t attr;
		cpu_set_t set;

		wk[t] = (struct worker){ j, t };
		CPU_ZERO(&set);
		CPU_SET(j->cpus[t], &set);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (pthread_create(&th[t], &attr, worker_main, &wk[t])) {
			fprintf(stderr, "interp_helpers: cannot start a thread on CPU %d\n",
				j->cpus[t]);
			exit(1);
		}
		pthread_attr_destroy(&attr);
		started++;
	}
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	pthread_barrier_destroy(&j->barrier);

	for (int e = 0; e < 2; e++) {
		double ns[HB_MAX_BATCHES], mops[HB_MAX_BATCHES];

		r->ok[e] = j->ok[e];
		for (int t = 0; t < j->nthreads; t++) {
			if (j->ok[e] && j->err[e][t]) {
				printf("  %s on %s: test run failed on CPU %d: %s\n",
				       workloads[j->w].name, j->eng[e]->name, j->cpus[t],
				       strerror(-j->err[e][t]));
				r->ok[e] = false;
			}
		}
		if (!r->ok[e])
			continue;
		for (int b = 0; b < j->nb; b++) {
			ns[b] = mops[b] = 0;
			for (int t = 0; t < j->nthreads; t++) {
				double v = j->ns[e][t][b] > 0 ? j->ns[e][t][b] : 0.5;

				ns[b] += v / j->nthreads;
				mops[b] += 1000.0 / v;
			}
		}
		r->ns[e] = bench_median(ns, j->nb);
		r->mops[e] = bench_median(mops, j->nb);
		r->retval[e] = j->retval[e][0];
		r->failed[e] = j->failed[e];
		for (int t = 1; t < j->nthreads; t++)
			if (j->retval[e][t] != r->retval[e])
				printf("  %s on %s: threads returned %u and %u\n",
				       workloads[j->w].name, j->eng[e]->name, r->retval[e],
				       j->retval[e][t]);
	}
}

/* ---- the section ---- */

static void print_notes(const struct result *r, enum workload_id w, const char *where)
{
	for (int e = 0; e < 2; e++) {
		if (r->ok[e] && r->retval[e] != workloads[w].expect_r0)
			printf("  %s (%s): MISMATCH: %s returned %d, expected %u\n",
			       workloads[w].name, where, e ? "kernel" : "bpfhost",
			       (int32_t)r->retval[e], workloads[w].expect_r0);
		if (r->ok[e] && r->failed[e])
			printf("  %s (%s): %s: %llu records did not fit the ring\n",
			       workloads[w].name, where, e ? "kernel" : "bpfhost",
			       (unsigned long long)r->failed[e]);
	}
}

static void print_one_cpu(const struct result res[W_COUNT], int cpu, int nb)
{
	printf("\n1 CPU (a thread pinned to CPU %d), ns per iteration, median of %d batches:\n",
	       cpu, nb);
	printf("%-20s %10s %10s %9s  %-8s %s\n", "workload", "bpfhost", "kernel", "ratio", "target",
	       "kernel in PERFORMANCE.md");
	for (int w = 0; w < W_COUNT; w++) {
		const struct result *r = &res[w];
		char ref[32] = "-";

		if (!selected((enum workload_id)w))
			continue;
		if (workloads[w].perf_md_ns > 0)
			snprintf(ref, sizeof(ref), "%.0f ns", workloads[w].perf_md_ns);
		if (!r->ok[0]) {
			printf("%-20s %10s\n", workloads[w].name, "failed");
			continue;
		}
		if (r->ok[1])
			printf("%-20s %10.1f %10.1f %8.2fx  %-8s %s\n", workloads[w].name, r->ns[0],
			       r->ns[1], r->ns[0] / r->ns[1],
			       r->ns[0] <= r->ns[1] ? "met" : "NOT met", ref);
		else
			printf("%-20s %10.1f %10s %9s  %-8s %s\n", workloads[w].name, r->ns[0], "-",
			       "-", "-", ref);
		print_notes(r, (enum workload_id)w, "1 CPU");
	}
}

static void print_two_cpus(const struct result res[W_COUNT], const struct result one[W_COUNT],
			   const int cpus[2], int nb)
{
	printf("\n2 CPUs (threads pinned to CPUs %d and %d, each its own test-run loop of the same "
	       "program on the same map), median of %d batches:\n", cpus[0], cpus[1], nb);
	printf("%-20s %10s %10s %9s  %-8s %10s %10s %9s %9s\n", "workload", "bpfhost ns",
	       "kernel ns", "ratio", "target", "bpfhost", "kernel", "bpfhost", "kernel");
	printf("%-20s %10s %10s %9s  %-8s %10s %10s %9s %9s\n", "", "per iter", "per iter", "", "",
	       "Mops/s", "Mops/s", "2 vs 1", "2 vs 1");
	for (int w = 0; w < W_COUNT; w++) {
		const struct result *r = &res[w];
		double s[2] = { 0, 0 };

		if (!selected((enum workload_id)w))
			continue;
		if (!r->ok[0]) {
			printf("%-20s %10s\n", workloads[w].name, "failed");
			continue;
		}
		/* Scaling: 2-CPU aggregate throughput over the 1-CPU throughput. */
		for (int e = 0; e < 2; e++)
			if (r->ok[e] && one[w].ok[e])
				s[e] = r->mops[e] / one[w].mops[e];
		if (r->ok[1])
			printf("%-20s %10.1f %10.1f %8.2fx  %-8s %10.1f %10.1f %8.2fx %8.2fx\n",
			       workloads[w].name, r->ns[0], r->ns[1], r->ns[0] / r->ns[1],
			       r->ns[0] <= r->ns[1] ? "met" : "NOT met", r->mops[0], r->mops[1],
			       s[0], s[1]);
		else
			printf("%-20s %10.1f %10s %9s  %-8s %10.1f %10s %8.2fx %9s\n",
			       workloads[w].name, r->ns[0], "-", "-", "-", r->mops[0], "-", s[0],
			       "-");
		print_notes(r, (enum workload_id)w, "2 CPUs");
	}
}

/* 0 when this thread may run on each of @cpus; else -1 with @why. */
static int cpus_usable(const int *cpus, int n, char *why, size_t len)
{
	cpu_set_t old, set;

	if (sched_getaffinity(0, sizeof(old), &old)) {
		snprintf(why, len, "sched_getaffinity: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		CPU_ZERO(&set);
		CPU_SET(cpus[i], &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			snprintf(why, len, "CPU %d not usable: %s", cpus[i], strerror(errno));
			sched_setaffinity(0, sizeof(old), &old);
			return -1;
		}
	}
	sched_setaffinity(0, sizeof(old), &old);
	return 0;
}

void interp_helpers_bench(bool kernel_ok, const char *kernel_why)
{
	static struct engine bh = { .name = "bpfhost" };
	static struct engine kernel = { .name = "kernel", .kernel = true };
	static struct job job;
	static struct result one[W_COUNT], two[W_COUNT];
	struct engine *eng[2] = { &bh, kernel_ok ? &kernel : NULL };
	int nb = env_int("BPFHOST_HELPER_BENCH_BATCHES", HB_DEFAULT_BATCHES, 1, HB_MAX_BATCHES);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int cpu1[1] = { ncpu > 1 ? 1 : 0 }, cpu2[2] = { 0, 1 };
	bool two_ok;
	char why[512];

	printf("\n== map helpers inside programs: one map operation per BPF_PROG_TEST_RUN "
	       "iteration (repeat), 1 and 2 CPUs ==\n");
	if (getenv("BPFHOST_HELPER_BENCH") && !strcmp(getenv("BPFHOST_HELPER_BENCH"), "0")) {
		printf("skipped (BPFHOST_HELPER_BENCH=0)\n");
		return;
	}
	printf("socket filters on a 64-byte packet; keys: bpf_get_prandom_u32() & 0xffff in both "
	       "engines (the prandom row is that cost alone); 64K-entry ARRAY/HASH/LRU_HASH "
	       "u32->u64 holding keys 0..65535, lookups read the value, updates BPF_ANY on "
	       "existing keys; LPM_TRIE of 1,024 /24 prefixes, /32 lookups that all hit; ringbuf: "
	       "64-byte bpf_ringbuf_output with BPF_RB_NO_WAKEUP into a 32 MiB ring, batches "
	       "capped to fit, drained between batches (untimed); tail call: into a program "
	       "returning 1\n");
	printf("ns per iteration: the kernel's test-run duration, bpfhost's thread CPU time / "
	       "repeat; batches of >= 50 ms (ringbuf: as many records as fit), engines in turns; "
	       "ratio = bpfhost / kernel, target <= 1.00 (no slower than the kernel's test run)\n");
	if (!kernel_ok)
		printf("kernel column: skipped (%s)\n", kernel_why);
	if (engine_setup(&bh, why, sizeof(why))) {
		printf("bpfhost setup failed: %s\n", why);
		engine_teardown(&bh);
		return;
	}
	if (eng[1] && engine_setup(&kernel, why, sizeof(why))) {
		printf("kernel column: skipped (setup failed: %s)\n", why);
		engine_teardown(&kernel);
		eng[1] = NULL;
	}
	two_ok = ncpu >= 2 && !cpus_usable(cpu2, 2, why, sizeof(why));
	if (ncpu < 2)
		snprintf(why, sizeof(why), "%ld CPU online", ncpu);

	for (int w = 0; w < W_COUNT; w++) {
		if (!selected((enum workload_id)w))
			continue;
		memset(&job, 0, sizeof(job));
		job = (struct job){ .w = (enum workload_id)w, .nthreads = 1, .nb = nb, .cpus = cpu1,
				    .eng = { eng[0], eng[1] } };
		measure(&job, &one[w]);
	}
	print_one_cpu(one, cpu1[0], nb);
	if (!two_ok) {
		printf("\n2 CPUs: skipped (%s)\n", why);
	} else {
		for (int w = 0; w < W_COUNT; w++) {
			if (!selected((enum workload_id)w))
				continue;
			memset(&job, 0, sizeof(job));
			job = (struct job){ .w = (enum workload_id)w, .nthreads = 2, .nb = nb,
					    .cpus = cpu2, .eng = { eng[0], eng[1] } };
			measure(&job, &two[w]);
		}
		print_two_cpus(two, one, cpu2, nb);
	}
	engine_teardown(&bh);
	if (eng[1])
		engine_teardown(&kernel);
}
