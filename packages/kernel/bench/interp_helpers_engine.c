// SPDX-License-Identifier: MIT
/*
 * The helper section's two engines behind one set of calls: bpfhost's
 * library and the running kernel's bpf(2) (tests/support/kernel_bpf.c).
 * Setting up an engine creates and fills the maps the selected workloads
 * use, one map at a time (so each map's elements sit together, as in
 * Linux's preallocated maps), and loads every program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bpfhost/bpf.h"
#include "bpfhost/bpfhost.h"
#include "bpfhost/uapi.h"
#include "insn_build.h"
#include "interp_helpers_int.h"
#include "kernel_bpf.h"

#define HB_PKT_SIZE 64
#define HB_FILL_BATCH 65536U		/* LPM prefixes per batch update */
#define KBPF_MAP_CREATE 0		/* Linux's BPF_MAP_CREATE */
#define KBPF_MAP_UPDATE_BATCH 26	/* Linux's BPF_MAP_UPDATE_BATCH */

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The kernel's map-in-map needs inner_map_fd at create, which
 * kbpf_map_create() does not take: union bpf_attr's first six u32 fields
 * (map_type, key_size, value_size, max_entries, map_flags, inner_map_fd).
 */
static int k_create_outer(uint32_t type, uint32_t key_size, uint32_t max_entries, int inner_fd)
{
	uint32_t attr[6] = { type, key_size, 4, max_entries, 0, (uint32_t)inner_fd };

	return kbpf_sys(KBPF_MAP_CREATE, attr, sizeof(attr));
}

static int e_map_create(struct hb_engine *e, enum hb_map m)
{
	const struct hb_mapdef *d = &hb_maps[m];
	BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = d->flags);

	if (d->inner < M_COUNT) {
		if (e->kernel)
			return k_create_outer(d->type, d->key_size, d->max_entries, e->map[d->inner]);
		opts.inner_map_fd = (uint32_t)e->map[d->inner];
	}
	if (e->kernel)
		return kbpf_map_create(d->type, d->key_size, d->value_size, d->max_entries, d->flags,
				       0);
	return bpfhost_map_create(d->type, d->name, d->key_size, d->value_size, d->max_entries,
				  &opts);
}

static int e_map_update(struct hb_engine *e, int fd, const void *key, const void *value)
{
	return e->kernel ? kbpf_map_update(fd, key, value, BPF_ANY) :
			   bpfhost_map_update_elem(fd, key, value, BPF_ANY);
}

static const char *e_error(const struct hb_engine *e, int err)
{
	return e->kernel ? strerror(-err) : bpfhost_last_error();
}

static void e_close(struct hb_engine *e, int fd)
{
	if (fd < 0)
		return;
	if (e->kernel)
		kbpf_close(fd);
	else
		bpfhost_close(fd);
}

static int e_prog_load(struct hb_engine *e, uint32_t type, const struct hb_prog *p, char *why,
		       size_t len)
{
	static char log[16384];
	int fd;

	type = type ? type : BPF_PROG_TYPE_SOCKET_FILTER;
	if (!e->kernel) {
		fd = bpfhost_prog_load(type, "helpers", "GPL", p->insns, p->cnt, NULL);
		if (fd < 0)
			snprintf(why, len, "bpfhost_prog_load: %s", bpfhost_last_error());
		return fd;
	}
	log[0] = 0;
	fd = kbpf_prog_load(type, p->insns, p->cnt, "GPL", log, sizeof(log));
	if (fd < 0) {
		size_t l = strlen(log);

		snprintf(why, len, "BPF_PROG_LOAD: %s; verifier: %s", strerror(-fd),
			 l > 200 ? log + l - 200 : log);
	}
	return fd;
}

int hb_run(struct hb_engine *e, int fd, uint32_t repeat, uint32_t *retval, double *ns)
{
	/* Ethernet, IPv4 (IHL 5, UDP), UDP to port 53: what the XDP parser reads. */
	static const uint8_t pkt[HB_PKT_SIZE] = { [12] = 0x08, [14] = 0x45, [23] = 17, [37] = 53 };
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

		/* Thread CPU time: the kernel's duration also leaves out time rescheduled. */
		t0 = thread_cpu_ns();
		err = bpfhost_prog_test_run_opts(fd, &opts);
		*ns = (double)(thread_cpu_ns() - t0) / repeat;
		*retval = opts.retval;
	}
	return err;
}

unsigned long hb_ring_drain(struct hb_engine *e)
{
	unsigned long prod, cons;

	if (!e->prod)
		return 0;
	prod = __atomic_load_n(e->prod, __ATOMIC_ACQUIRE);
	cons = __atomic_load_n(e->cons, __ATOMIC_RELAXED);
	__atomic_store_n(e->cons, prod, __ATOMIC_RELEASE);
	return prod - cons;
}

static int ring_map(struct hb_engine *e, char *why, size_t len)
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

/*
 * Keys 0..max-1, value key * 3 + 1 (per-CPU maps: the same on every CPU;
 * the buffer holds more CPUs than either engine reads).
 */
static int fill_keyed(struct hb_engine *e, enum hb_map m, char *why, size_t len)
{
	static uint64_t v[HB_MAX_PERCPU];
	bool percpu = hb_maps[m].type == BPF_MAP_TYPE_PERCPU_HASH ||
		      hb_maps[m].type == BPF_MAP_TYPE_PERCPU_ARRAY;

	for (uint32_t key = 0; key < hb_maps[m].max_entries; key++) {
		int err;

		for (int c = 0; c < (percpu ? HB_MAX_PERCPU : 1); c++)
			v[c] = key * 3ULL + 1;
		err = e_map_update(e, e->map[m], &key, v);
		if (err) {
			snprintf(why, len, "filling map %s failed at key %u: %s", hb_maps[m].name,
				 key, e_error(e, err));
			return -1;
		}
	}
	return 0;
}

/* LPM keys: {prefixlen, address as the program stores it}. */
struct lpm_key {
	uint32_t prefixlen;
	uint32_t addr;
};

/* One batch update on either engine; the kernel without batch support: one by one. */
static int lpm_batch(struct hb_engine *e, int fd, struct lpm_key *keys, uint64_t *values,
		     uint32_t n)
{
	uint32_t count = n;
	int err;

	if (!e->kernel)
		return bpfhost_map_update_batch(fd, keys, values, &count, NULL);
	err = kbpf_map_batch(KBPF_MAP_UPDATE_BATCH, fd, NULL, NULL, keys, values, &count, 0, 0);
	if (err == -EINVAL || err == -ENOTSUP || err == -EOPNOTSUPP || err == -524) {
		for (uint32_t i = 0; i < n; i++) {
			err = kbpf_map_update(fd, &keys[i], &values[i], BPF_ANY);
			if (err)
				return err;
		}
	}
	return err;
}

/* The trie's nprefixes /24 prefixes (hb_lpm_addr(i)), value i + 1, in batches. */
static int fill_lpm(struct hb_engine *e, enum hb_map m, char *why, size_t len)
{
	uint32_t n = hb_maps[m].nprefixes;
	struct lpm_key *keys = malloc(HB_FILL_BATCH * sizeof(*keys));
	uint64_t *values = malloc(HB_FILL_BATCH * sizeof(*values));
	int err = 0;

	for (uint32_t base = 0; keys && values && base < n && !err; base += HB_FILL_BATCH) {
		uint32_t cnt = n - base < HB_FILL_BATCH ? n - base : HB_FILL_BATCH;

		for (uint32_t i = 0; i < cnt; i++) {
			keys[i] = (struct lpm_key){ 24, hb_lpm_addr(base + i) };
			values[i] = base + i + 1ULL;
		}
		err = lpm_batch(e, e->map[m], keys, values, cnt);
		if (err)
			snprintf(why, len, "filling %s failed near prefix %u: %s", hb_maps[m].name,
				 base, e_error(e, err));
	}
	if (!keys || !values) {
		snprintf(why, len, "filling %s: out of memory", hb_maps[m].name);
		err = -ENOMEM;
	}
	free(keys);
	free(values);
	return err ? -1 : 0;
}

static int load_into(struct hb_engine *e, enum hb_map m, uint32_t slot, int *fd,
		     const struct hb_prog *p, char *why, size_t len)
{
	int err;

	*fd = e_prog_load(e, 0, p, why, len);
	if (*fd < 0)
		return -1;
	err = e_map_update(e, e->map[m], &slot, &(uint32_t){ (uint32_t)*fd });
	if (err) {
		snprintf(why, len, "prog array %s update: %s", hb_maps[m].name, e_error(e, err));
		return -1;
	}
	return 0;
}

/* The tail calls' target programs, in their prog arrays. */
static int load_targets(struct hb_engine *e, char *why, size_t len)
{
	struct hb_prog p = { .insns = { MOV64_IMM(0, 1), EXIT() }, .cnt = 2 };

	if (e->map[M_PROGS] >= 0 && load_into(e, M_PROGS, 0, &e->target, &p, why, len))
		return -1;
	for (int s = 0; s < HB_CHAIN && e->map[M_CHAIN] >= 0; s++) {
		hb_build_chain(&p, s, e);
		if (load_into(e, M_CHAIN, (uint32_t)s, &e->chain[s], &p, why, len))
			return -1;
	}
	if (e->map[M_LOOP] >= 0) {
		hb_build_loop(&p, e);
		if (load_into(e, M_LOOP, 0, &e->loop, &p, why, len))
			return -1;
	}
	return 0;
}

/* Fills the full ring until an output fails, through the full-ring workload's program. */
static int fill_full_ring(struct hb_engine *e, int prog, char *why, size_t len)
{
	uint32_t retval = 0;
	double ns;
	int err = hb_run(e, prog, HB_FULL_RING_SIZE / hb_record_slot(64) + 64, &retval, &ns);

	if (err || (int32_t)retval >= 0) {
		snprintf(why, len, "the full ring did not fill (test run %d, r0 %d)", err,
			 (int32_t)retval);
		return -1;
	}
	return 0;
}

/* Workload @i runs: it is selected, or a selected row's 2-CPU pair runs it. */
static bool needed(int i)
{
	if (hb_selected(&hb_workloads[i]))
		return true;
	for (int j = 0; j < hb_nworkloads; j++)
		if (hb_selected(&hb_workloads[j]) &&
		    (hb_workloads[j].two[0] == i || hb_workloads[j].two[1] == i))
			return true;
	return false;
}

/* The keyed maps whose keys 0..max-1 are stored before the run (the rolling LRU starts empty). */
static bool prefilled(enum hb_map m)
{
	return m == M_ARRAY || m == M_HASH || m == M_LRU || m == M_PERCPU_ARRAY ||
	       m == M_PERCPU_HASH || m == M_INNER;
}

static int create_maps(struct hb_engine *e, char *why, size_t len)
{
	uint32_t zero = 0;

	for (int m = 0; m < M_COUNT; m++) {
		if (!hb_map_needed((enum hb_map)m))
			continue;
		e->map[m] = e_map_create(e, (enum hb_map)m);
		if (e->map[m] < 0) {
			snprintf(why, len, "map %s not created: %s", hb_maps[m].name,
				 e_error(e, e->map[m]));
			return -1;
		}
		if (hb_maps[m].nprefixes ? fill_lpm(e, (enum hb_map)m, why, len) :
		    prefilled((enum hb_map)m) ? fill_keyed(e, (enum hb_map)m, why, len) : 0)
			return -1;
		if (hb_maps[m].inner < M_COUNT &&
		    e_map_update(e, e->map[m], &zero, &(uint32_t){ (uint32_t)e->map[M_INNER] })) {
			snprintf(why, len, "map %s: the inner map not stored", hb_maps[m].name);
			return -1;
		}
	}
	return 0;
}

int hb_engine_setup(struct hb_engine *e, char *why, size_t len)
{
	struct hb_prog p;

	e->prog = malloc((size_t)hb_nworkloads * sizeof(*e->prog));
	for (int m = 0; m < M_COUNT; m++)
		e->map[m] = -1;
	for (int i = 0; i < hb_nworkloads; i++)
		e->prog[i] = -1;
	for (int s = 0; s < HB_CHAIN; s++)
		e->chain[s] = -1;
	e->target = e->loop = -1;
	if (create_maps(e, why, len) || (e->map[M_RING] >= 0 && ring_map(e, why, len)) ||
	    load_targets(e, why, len))
		return -1;
	for (int i = 0; i < hb_nworkloads; i++) {
		if (!needed(i))
			continue;
		hb_build(&p, &hb_workloads[i], e);
		e->prog[i] = e_prog_load(e, hb_workloads[i].prog_type, &p, why, len);
		if (e->prog[i] < 0) {
			size_t l = strlen(why);

			snprintf(why + l, len - l, " (workload %s)", hb_workloads[i].name);
			return -1;
		}
		if (hb_workloads[i].kind == K_RINGBUF_FULL && fill_full_ring(e, e->prog[i], why, len))
			return -1;
	}
	return 0;
}

void hb_engine_teardown(struct hb_engine *e)
{
	long page = sysconf(_SC_PAGESIZE);

	for (int i = 0; e->prog && i < hb_nworkloads; i++)
		e_close(e, e->prog[i]);
	free(e->prog);
	e->prog = NULL;
	e_close(e, e->target);
	e_close(e, e->loop);
	for (int s = 0; s < HB_CHAIN; s++)
		e_close(e, e->chain[s]);
	if (e->cons_page && e->cons_page != MAP_FAILED)
		munmap(e->cons_page, (size_t)page);
	if (e->prod_page && e->prod_page != MAP_FAILED)
		munmap(e->prod_page, (size_t)page);
	for (int m = 0; m < M_COUNT; m++)
		e_close(e, e->map[m]);
}
