// SPDX-License-Identifier: MIT
/*
 * Concurrent writers and readers, fault injection of every allocation on
 * the matrix's paths (the core's, through bpfhost_fault_inject_alloc, and
 * the provider's epoch allocations, through the kit's client table), and
 * the forced unload. After each, the balance must hold.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <bpfhost/bpf.h>
#include <bpfhost/bpfhost.h>

#include "check_internal.h"

#define MAXB 4096

struct worker {
	const struct kit_opts *o;
	int fd;
	unsigned int seed;
	bool writer;
	unsigned long bad;
	int bad_err;
	const char *bad_op;
};

static bool allowed(int err)
{
	return !err || err == -ENOENT || err == -EEXIST || err == -E2BIG;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	const struct kit_opts *o = w->o;
	const bool hash = o->p->base == BPFHOST_BASE_MAP_TYPE_HASH;
	uint8_t k[MAXB], v[MAXB], out[MAXB];
	static const uint64_t flags[] = { BPF_ANY, BPF_NOEXIST, BPF_EXIST };

	for (uint32_t i = 0; i < o->iterations; i++) {
		uint32_t r = (uint32_t)rand_r(&w->seed);
		/* Twice the entries on a hash: the map fills and updates undo. */
		uint32_t key = r % (hash ? 2 * o->max_entries : o->max_entries);
		const char *op;
		int err;

		kit_key(o, key, k);
		kit_value(o, r >> 8, v);
		if (!w->writer) {
			op = (r >> 4) & 1 ? "lookup" : "get-next-key";
			err = (r >> 4) & 1 ? bpfhost_map_lookup_elem(w->fd, k, out)
					   : bpfhost_map_get_next_key(w->fd, k, out);
		} else {
			switch ((r >> 4) % (hash ? 5 : 3)) {
			case 0: case 1: case 2:
				op = "update";
				err = bpfhost_map_update_elem(w->fd, k, v, flags[(r >> 12) % 3]);
				break;
			case 3:
				op = "delete";
				err = bpfhost_map_delete_elem(w->fd, k);
				break;
			default:
				op = "lookup-and-delete";
				err = bpfhost_map_lookup_and_delete_elem(w->fd, k, out);
				break;
			}
		}
		if (!allowed(err) && !w->bad++) {
			w->bad_err = err;
			w->bad_op = op;
		}
	}
	return NULL;
}

/* Programs writing and reading alongside user space: the helper paths under concurrency. */
#define NPROGS 6

struct prog_worker {
	const struct kit_opts *o;
	int fds[NPROGS];
	unsigned int seed;
	unsigned long bad;
	int bad_err;
};

static void *prog_work(void *arg)
{
	struct prog_worker *w = arg;
	const bool uov = w->o->p->uov;

	for (uint32_t i = 0; i < w->o->iterations; i++) {
		uint32_t r = (uint32_t)rand_r(&w->seed) % NPROGS, ret = 0;
		int err = kit_run_program(w->fds[r], &ret), got = (int32_t)ret;

		/* Lookups (r < 2) return 0 or 1; updates and deletes an errno the base allows. */
		bool array_delete = r == NPROGS - 1 && w->o->p->base == BPFHOST_BASE_MAP_TYPE_ARRAY;

		if (!err && r >= 2 && !allowed(got) && !(uov && got == -EOPNOTSUPP) &&
		    !(array_delete && got == -EINVAL))
			err = got;
		if (err && !w->bad++)
			w->bad_err = err;
	}
	return NULL;
}

/* Loads the programs of the program thread; false when programs cannot use the map. */
static bool prog_worker_init(struct prog_worker *pw, const struct kit_opts *o, int fd)
{
	static const struct { int op; uint32_t key; uint64_t flags; } progs[NPROGS] = {
		{ 0, 0, 0 }, { 0, 1, 0 }, { 1, 0, BPF_ANY }, { 1, 1, BPF_NOEXIST }, { 1, 0, BPF_EXIST }, { 2, 1, 0 },
	};

	*pw = (struct prog_worker){ .o = o, .seed = 12345 };
	for (int i = 0; i < NPROGS; i++) {
		pw->fds[i] = kit_helper_program(o, fd, progs[i].op, progs[i].key, progs[i].flags);
		if (pw->fds[i] < 0) {
			for (int j = 0; j < i; j++)
				bpfhost_close(pw->fds[j]);
			return false;
		}
	}
	return true;
}

void phase_concurrency(const struct kit_opts *o)
{
	unsigned long allocs = ledger_allocs(NULL);
	struct worker w[64];
	struct prog_worker pw;
	pthread_t t[64], pt;
	uint32_t n = o->threads < 2 ? 2 : o->threads > 64 ? 64 : o->threads;
	bool progs;
	int fd;

	fd = kit_map(o, "kit_concurrent", o->max_entries);
	if (fd < 0)
		return;
	progs = prog_worker_init(&pw, o, fd);
	if (!progs)
		kit_note("no program could use the map: only user space writes and reads concurrently "
			 "(pass --prog-type for programs too)");
	/* Stored values a v2 update sees may be released by a racing writer meanwhile. */
	atomic_store(&kit_concurrent, true);
	if (progs && pthread_create(&pt, NULL, prog_work, &pw))
		progs = false;
	for (uint32_t i = 0; i < n; i++) {
		w[i] = (struct worker){ .o = o, .fd = fd, .seed = 0x9e3779b9u * (i + 1), .writer = i % 2 == 0 };
		if (pthread_create(&t[i], NULL, work, &w[i])) {
			n = i;
			break;
		}
	}
	for (uint32_t i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	if (progs)
		pthread_join(pt, NULL);
	atomic_store(&kit_concurrent, false);
	if (progs) {
		for (int i = 0; i < NPROGS; i++)
			bpfhost_close(pw.fds[i]);
		if (pw.bad)
			kit_fail("the program thread: %lu runs failed or returned an errno the base does not "
				 "allow, the first %s", pw.bad, kit_errno_name(pw.bad_err));
	}
	for (uint32_t i = 0; i < n; i++)
		if (w[i].bad)
			kit_fail("%s thread: %lu operations failed with errors other than -ENOENT, "
				 "-EEXIST and -E2BIG, the first a %s with %s", w[i].writer ? "a writer" : "a reader",
				 w[i].bad, w[i].bad_op, kit_errno_name(w[i].bad_err));
	kit_close_and_balance(fd, "closing the map after concurrent use");
	kit_balanced("after concurrent writers and readers", allocs);
}

/* The matrix in short, tolerating failures: what a fault-injection point runs. False: no map. */
static bool sequence(const struct kit_opts *o)
{
	uint8_t k0[MAXB], k1[MAXB], v[MAXB], out[MAXB], keys[2 * MAXB], vals[2 * MAXB];
	uint32_t count = 2;
	int fd;

	fd = bpfhost_map_create(o->map_type, "kit_fault", o->key_size, o->value_size, o->max_entries, NULL);
	if (fd < 0)
		return false;
	kit_key(o, 0, k0);
	kit_key(o, 1, k1);
	kit_value(o, 0, v);
	bpfhost_map_update_elem(fd, k0, v, BPF_ANY);
	bpfhost_map_update_elem(fd, k0, v, BPF_ANY);
	bpfhost_map_update_elem(fd, k1, v, BPF_NOEXIST);
	bpfhost_map_update_elem(fd, k0, v, BPF_NOEXIST);
	bpfhost_map_lookup_elem(fd, k0, out);
	memcpy(keys, k0, o->key_size);
	memcpy(keys + o->key_size, k1, o->key_size);
	memcpy(vals, v, o->value_size);
	memcpy(vals + o->value_size, v, o->value_size);
	bpfhost_map_update_batch(fd, keys, vals, &count, NULL);
	if (o->p->base == BPFHOST_BASE_MAP_TYPE_HASH) {
		bpfhost_map_delete_elem(fd, k1);
		bpfhost_map_lookup_and_delete_elem(fd, k0, out);
		bpfhost_map_update_elem(fd, k1, v, BPF_ANY);
	}
	bpfhost_close(fd);
	return true;
}

/* The sequence without faults first: a sweep over a map that is never created checks nothing. */
static bool unfaulted(const struct kit_opts *o, unsigned long allocs)
{
	if (!sequence(o)) {
		kit_fail("creating a map (key_size %u, value_size %u, max_entries %u) failed without any "
			 "fault: %s (pass the sizes the provider accepts)", o->key_size, o->value_size,
			 o->max_entries, bpfhost_last_error());
		return false;
	}
	return kit_balanced("the fault-injection sequence without faults", allocs);
}

#define SWEEP_LIMIT 2000

void phase_faults_core(const struct kit_opts *o)
{
	unsigned long allocs = ledger_allocs(NULL);
	int handles = bpfhost_handle_count();
	unsigned long n;

	if (!unfaulted(o, allocs))
		return;
	for (n = 1; n <= SWEEP_LIMIT; n++) {
		unsigned long before;
		char what[96];
		bool hit;

		atomic_store(&kit_shared->fault_point, n);
		before = bpfhost_alloc_count();
		bpfhost_fault_inject_alloc(n);
		sequence(o);
		bpfhost_fault_inject_alloc(0);
		hit = bpfhost_alloc_count() - before >= n;
		snprintf(what, sizeof(what), "when the core's allocation #%lu of the sequence failed", n);
		if (!kit_balanced(what, allocs))
			return;
		if (bpfhost_handle_count() != handles) {
			kit_fail("%s: %d handles left open", what, bpfhost_handle_count() - handles);
			return;
		}
		if (!hit)
			break;
	}
	atomic_store(&kit_shared->fault_point, 0);
	kit_note("%lu allocation points of the core failed in turn", n - 1);
}

void phase_faults_provider(const struct kit_opts *o)
{
	unsigned long allocs = ledger_allocs(NULL);
	unsigned long n, total;

	total = atomic_load(&kit_provider_allocs);
	if (!unfaulted(o, allocs))
		return;
	total = atomic_load(&kit_provider_allocs) - total;
	if (!total) {
		kit_note("skipped: the provider made no epoch allocation on these paths; memory it "
			 "takes with malloc() is invisible to the kit (run the kit under ASan/LSan)");
		return;
	}
	for (n = 1; n <= total && n <= SWEEP_LIMIT; n++) {
		char what[128];

		atomic_store(&kit_shared->fault_point, n);
		atomic_store(&kit_fail_alloc_at, atomic_load(&kit_provider_allocs) + n);
		sequence(o);
		atomic_store(&kit_fail_alloc_at, 0);
		snprintf(what, sizeof(what), "when the provider's epoch allocation #%lu of the sequence "
			 "returned NULL", n);
		if (!kit_balanced(what, allocs))
			return;
	}
	atomic_store(&kit_shared->fault_point, 0);
	kit_note("%lu epoch allocations of the provider failed in turn", n - 1);
}

void phase_forced_unload(const struct kit_opts *o)
{
	uint8_t k[MAXB], v[MAXB], out[MAXB];
	unsigned long calls = 0, after;
	int fds[2], err;

	for (int m = 0; m < 2; m++) {
		fds[m] = kit_map(o, "kit_orphan", o->max_entries);
		if (fds[m] < 0)
			return;
	}
	for (uint32_t i = 0; i < 2 && i < o->max_entries; i++) {
		kit_key(o, i, k);
		kit_value(o, i, v);
		if (bpfhost_map_update_elem(fds[0], k, v, BPF_ANY))
			kit_fail("update failed: %s", bpfhost_last_error());
	}
	for (int cb = 0; cb < KIT_CB_COUNT; cb++)
		calls += kit_calls((enum kit_cb)cb, -1);
	err = bpfhost_extension_unload(o->module, 0);
	if (err != -EBUSY)
		kit_fail("a plain unload with live maps returned %s, expected -EBUSY", kit_errno_name(err));
	for (int cb = 0; cb < KIT_CB_COUNT; cb++)
		calls -= kit_calls((enum kit_cb)cb, -1);
	if (calls)
		kit_fail("a refused unload called the provider");
	err = bpfhost_extension_unload(o->module, BPFHOST_UNLOAD_FORCE);
	if (err) {
		kit_fail("the forced unload failed with %s: %s", kit_errno_name(err), bpfhost_last_error());
		return;
	}
	if (!atomic_load(&kit_unloaded))
		kit_fail("the forced unload did not call the module's unload");
	/* Every binding is detached now: nothing of the provider may be left. */
	kit_balanced("after the forced unload", 0);
	kit_key(o, 0, k);
	kit_value(o, 0, v);
	after = atomic_load(&kit_after_unload);
	if ((err = bpfhost_map_lookup_elem(fds[0], k, out)) != -ENODEV)
		kit_fail("lookup on an orphaned map returned %s, expected -ENODEV", kit_errno_name(err));
	if ((err = bpfhost_map_update_elem(fds[0], k, v, BPF_ANY)) != -ENODEV)
		kit_fail("update on an orphaned map returned %s, expected -ENODEV", kit_errno_name(err));
	if ((err = bpfhost_map_get_next_key(fds[0], NULL, out)) != -ENODEV)
		kit_fail("get-next-key on an orphaned map returned %s, expected -ENODEV", kit_errno_name(err));
	bpfhost_close(fds[0]);
	bpfhost_close(fds[1]);
	bpfhost_synchronize();
	err = bpfhost_map_create(o->map_type, "kit_gone", o->key_size, o->value_size, o->max_entries, NULL);
	if (err != -EOPNOTSUPP) {
		kit_fail("creating a map of the unloaded type returned %s, expected -EOPNOTSUPP",
			 kit_errno_name(err));
		if (err >= 0)
			bpfhost_close(err);
	}
	if (atomic_load(&kit_after_unload) != after || after)
		kit_fail("%lu provider callback%s came after the module's unload", atomic_load(&kit_after_unload),
			 atomic_load(&kit_after_unload) == 1 ? "" : "s");
}
