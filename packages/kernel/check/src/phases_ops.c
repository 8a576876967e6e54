// SPDX-License-Identifier: MIT
/*
 * The call matrix from user space: every element command with each update
 * flag, on the base's semantics (the guide's "calls of each operation"
 * table), the undo path, a full map, batches and teardown. Each phase ends
 * with the balance: every stored value left once, every map context was
 * deleted, every provider allocation freed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpfhost/bpf.h>
#include <bpfhost/bpfhost.h>

#include "check_internal.h"

#define MAXB 4096

struct snap {
	unsigned long c[KIT_CB_COUNT][KIT_FLAG_WORDS];
	unsigned long stored_null, stored_given;
};

static void snap(struct snap *s)
{
	for (int i = 0; i < KIT_CB_COUNT; i++)
		for (int f = 0; f < KIT_FLAG_WORDS; f++)
			s->c[i][f] = atomic_load(&kit_shared->calls[i][f]);
	s->stored_null = atomic_load(&kit_shared->stored_null);
	s->stored_given = atomic_load(&kit_shared->stored_given);
}

/* The flags of an undone update: UPDATE, with UNDO for contract v2 tables. */
static uint32_t undo_flags(const struct kit_opts *o)
{
	return BPFHOST_MAP_OPERATION_UPDATE | (o->p->v2 ? BPFHOST_MAP_OPERATION_UNDO : 0);
}

/*
 * Contract v2: update pre-processing got the stored value (the shim checked
 * that it is what the key holds) or NULL, as often as it ran.
 */
static void stored_row(const struct kit_opts *o, const struct snap *s, bool given, const char *op)
{
	unsigned long n = atomic_load(&kit_shared->stored_null) - s->stored_null;
	unsigned long g = atomic_load(&kit_shared->stored_given) - s->stored_given;

	if (!o->p->stored_arg)
		return;
	if (given ? (g != 1 || n != 0) : (n != 1 || g != 0))
		kit_fail("%s: preprocess_map_update_element_v2 should get %s once; got no stored value "
			 "%lu time%s and one %lu time%s", op, given ? "the stored value" : "NULL (no stored value)",
			 n, n == 1 ? "" : "s", g, g == 1 ? "" : "s");
}

static unsigned long delta(const struct snap *s, enum kit_cb cb, int flags)
{
	unsigned long n = 0;

	for (int f = 0; f < KIT_FLAG_WORDS; f++)
		if (flags < 0 || f == flags)
			n += atomic_load(&kit_shared->calls[cb][f]) - s->c[cb][f];
	return n;
}

static bool expect(int got, int want, const char *op)
{
	if (got == want)
		return true;
	kit_fail("%s returned %s, expected %s%s%s", op, kit_errno_name(got), kit_errno_name(want),
		 got ? ": " : "", got ? bpfhost_last_error() : "");
	return false;
}

static enum kit_cb del_cb(const struct kit_opts *o)
{
	return o->p->has_pre_delete ? KIT_PRE_DELETE : KIT_POST_DELETE;
}

/* The provider's calls for one row of the table: @cb with @flags, @want times. */
static void row(const struct snap *s, enum kit_cb cb, int flags, unsigned long want, const char *op)
{
	unsigned long got = delta(s, cb, flags);

	if (got != want)
		kit_fail("%s: %s with flags 0x%x was called %lu time%s, the contract says %lu", op,
			 kit_cb_name[cb], flags, got, got == 1 ? "" : "s", want);
}

static void matrix_hash(const struct kit_opts *o, int fd)
{
	uint8_t k0[MAXB], k1[MAXB], v[MAXB], out[MAXB], next[MAXB];
	const int del = (int)del_cb(o);
	unsigned long find = o->p->has_find, upd = o->p->has_update;
	struct snap s;
	int n, err;

	kit_key(o, 0, k0);
	kit_key(o, 1, k1);
	kit_value(o, 0, v);
	expect(bpfhost_map_lookup_elem(fd, k0, out), -ENOENT, "lookup of a missing key");
	snap(&s);
	if (!expect(bpfhost_map_update_elem(fd, k0, v, BPF_ANY), 0, "update BPF_ANY of a new key"))
		return;
	row(&s, KIT_UPDATE, 0, upd, "update of a new key");
	stored_row(o, &s, false, "update of a new key");
	snap(&s);
	expect(bpfhost_map_lookup_elem(fd, k0, out), 0, "lookup of a stored key");
	row(&s, KIT_FIND, 0, find, "lookup");
	snap(&s);
	expect(bpfhost_map_update_elem(fd, k0, v, BPF_NOEXIST), -EEXIST, "update BPF_NOEXIST of a stored key");
	row(&s, KIT_UPDATE, 0, upd, "BPF_NOEXIST on a stored key (the undo path)");
	row(&s, (enum kit_cb)del, undo_flags(o), upd, "BPF_NOEXIST on a stored key (the undo path)");
	stored_row(o, &s, true, "BPF_NOEXIST on a stored key");
	snap(&s);
	expect(bpfhost_map_update_elem(fd, k1, v, BPF_EXIST), -ENOENT, "update BPF_EXIST of a missing key");
	row(&s, (enum kit_cb)del, undo_flags(o), upd, "BPF_EXIST on a missing key (the undo path)");
	stored_row(o, &s, false, "BPF_EXIST on a missing key");
	snap(&s);
	expect(bpfhost_map_update_elem(fd, k0, v, BPF_EXIST), 0, "update BPF_EXIST of a stored key");
	row(&s, (enum kit_cb)del, BPFHOST_MAP_OPERATION_UPDATE, 1, "update of a stored key (displaced value)");
	row(&s, (enum kit_cb)del, undo_flags(o), o->p->v2 ? 0 : 1, "update of a stored key (no undo)");
	stored_row(o, &s, true, "update of a stored key");
	expect(bpfhost_map_update_elem(fd, k0, v, BPF_ANY), 0, "update BPF_ANY of a stored key");
	expect(bpfhost_map_update_elem(fd, k1, v, BPF_NOEXIST), 0, "update BPF_NOEXIST of a new key");

	snap(&s);
	n = 0;
	for (err = bpfhost_map_get_next_key(fd, NULL, next); !err;
	     err = bpfhost_map_get_next_key(fd, next, next)) {
		if (memcmp(next, k0, o->key_size) && memcmp(next, k1, o->key_size))
			kit_fail("get-next-key returned a key the kit never stored");
		if (++n > 2)
			break;
	}
	expect(err, -ENOENT, "get-next-key past the last key");
	if (n != 2)
		kit_fail("get-next-key visited %d keys, the map holds 2", n);
	row(&s, KIT_FIND, -1, 0, "get-next-key");
	row(&s, KIT_UPDATE, -1, 0, "get-next-key");

	snap(&s);
	expect(bpfhost_map_lookup_and_delete_elem(fd, k1, out), 0, "lookup-and-delete");
	row(&s, KIT_FIND, 0, find, "lookup-and-delete");
	row(&s, (enum kit_cb)del, 0, 1, "lookup-and-delete");
	expect(bpfhost_map_lookup_elem(fd, k1, out), -ENOENT, "lookup after lookup-and-delete");
	snap(&s);
	err = bpfhost_map_delete_elem(fd, k0);
	if (err && o->p->has_pre_delete && delta(&s, KIT_PRE_DELETE, 0) == 1) {
		kit_note("preprocess_map_delete_element vetoed a plain delete with %s; the entry stays",
			 kit_errno_name(err));
		expect(bpfhost_map_lookup_elem(fd, k0, out), 0, "lookup after a vetoed delete");
	} else {
		expect(err, 0, "delete of a stored key");
		row(&s, (enum kit_cb)del, 0, 1, "delete");
		expect(bpfhost_map_delete_elem(fd, k0), -ENOENT, "delete of a missing key");
	}
	expect(bpfhost_map_update_elem(fd, k0, v, BPF_ANY), 0, "update BPF_ANY (left for teardown)");
}

static void matrix_array(const struct kit_opts *o, int fd)
{
	uint8_t k0[MAXB], kend[MAXB], v[MAXB], out[MAXB], next[MAXB];
	const int del = (int)del_cb(o);
	struct snap s;
	uint32_t n;
	int err;

	kit_key(o, 0, k0);
	kit_key(o, o->max_entries, kend);
	kit_value(o, 0, v);
	snap(&s);
	expect(bpfhost_map_lookup_elem(fd, k0, out), 0, "lookup of an element never written");
	row(&s, KIT_FIND, 0, o->p->has_find, "lookup");
	snap(&s);
	if (!expect(bpfhost_map_update_elem(fd, k0, v, BPF_ANY), 0, "update BPF_ANY"))
		return;
	row(&s, KIT_UPDATE, 0, o->p->has_update, "update");
	row(&s, (enum kit_cb)del, BPFHOST_MAP_OPERATION_UPDATE, 1,
	    "update of an element (its zero-filled value is displaced)");
	stored_row(o, &s, true, "update of an array element");
	expect(bpfhost_map_update_elem(fd, k0, v, BPF_NOEXIST), -EEXIST, "update BPF_NOEXIST (elements always exist)");
	expect(bpfhost_map_update_elem(fd, k0, v, BPF_EXIST), 0, "update BPF_EXIST");
	expect(bpfhost_map_update_elem(fd, kend, v, BPF_ANY), -E2BIG, "update past max_entries");
	expect(bpfhost_map_lookup_elem(fd, kend, out), -ENOENT, "lookup past max_entries");
	expect(bpfhost_map_delete_elem(fd, k0), -EINVAL, "delete on an array base");
	expect(bpfhost_map_lookup_and_delete_elem(fd, k0, out), -KIT_ENOTSUPP, "lookup-and-delete on an array base");
	n = 0;
	for (err = bpfhost_map_get_next_key(fd, NULL, next); !err && n <= o->max_entries;
	     err = bpfhost_map_get_next_key(fd, next, next))
		n++;
	expect(err, -ENOENT, "get-next-key past the last index");
	if (n != o->max_entries)
		kit_fail("get-next-key visited %u indexes, max_entries is %u", n, o->max_entries);
}

void phase_matrix(const struct kit_opts *o)
{
	unsigned long allocs = ledger_allocs(NULL);
	struct snap s;
	int fd;

	snap(&s);
	fd = kit_map(o, "kit_matrix", o->max_entries);
	if (fd < 0)
		return;
	row(&s, KIT_CREATE, 0, 1, "BPF_MAP_CREATE");
	if (o->p->base == BPFHOST_BASE_MAP_TYPE_HASH)
		matrix_hash(o, fd);
	else
		matrix_array(o, fd);
	snap(&s);
	kit_close_and_balance(fd, "closing the map");
	row(&s, KIT_MAP_DELETE, 0, 1, "teardown");
	kit_balanced("after the call matrix", allocs);
}

void phase_full_and_undo(const struct kit_opts *o)
{
	uint8_t k[MAXB], v[MAXB];
	unsigned long allocs = ledger_allocs(NULL);
	struct snap s;
	int fd;

	fd = kit_map(o, "kit_full", o->max_entries);
	if (fd < 0)
		return;
	for (uint32_t i = 0; i < o->max_entries; i++) {
		kit_key(o, i, k);
		kit_value(o, i, v);
		if (!expect(bpfhost_map_update_elem(fd, k, v, BPF_ANY), 0, "filling the map"))
			break;
	}
	kit_key(o, o->max_entries, k);
	snap(&s);
	expect(bpfhost_map_update_elem(fd, k, v, BPF_ANY), -E2BIG,
	       o->p->base == BPFHOST_BASE_MAP_TYPE_HASH ? "update of a new key on a full map"
							: "update past max_entries");
	if (o->p->base == BPFHOST_BASE_MAP_TYPE_HASH) {
		row(&s, KIT_UPDATE, 0, o->p->has_update, "a new key on a full map (the undo path)");
		row(&s, del_cb(o), undo_flags(o), o->p->has_update,
		    "a new key on a full map (the undo path)");
	}
	kit_key(o, 0, k);
	expect(bpfhost_map_update_elem(fd, k, v, BPF_ANY), 0, "replacing a key of a full map");
	snap(&s);
	kit_close_and_balance(fd, "closing the full map");
	row(&s, del_cb(o), BPFHOST_MAP_OPERATION_MAP_CLEANUP, o->max_entries,
	    "teardown of a full map (MAP_CLEANUP per entry)");
	kit_balanced("after the full map", allocs);
}

void phase_batches(const struct kit_opts *o)
{
	const uint32_t n = o->max_entries;
	unsigned long allocs = ledger_allocs(NULL);
	uint8_t *keys = calloc(n, o->key_size), *vals = calloc(n, o->value_size);
	uint32_t count, tok = 0, got = 0;
	struct snap s;
	int fd, err;

	if (!keys || !vals)
		goto out;
	fd = kit_map(o, "kit_batch", n);
	if (fd < 0)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		kit_key(o, i, keys + (size_t)i * o->key_size);
		kit_value(o, i, vals + (size_t)i * o->value_size);
	}
	count = n;
	snap(&s);
	expect(bpfhost_map_update_batch(fd, keys, vals, &count, NULL), 0, "update batch");
	if (count != n)
		kit_fail("update batch stored %u of %u elements", count, n);
	row(&s, KIT_UPDATE, 0, o->p->has_update ? count : 0, "update batch (one update per element)");
	/* Lookup batch from the start, in steps of 3. */
	snap(&s);
	for (int calls = 0; calls < (int)n + 2; calls++) {
		count = 3;
		err = bpfhost_map_lookup_batch(fd, got ? &tok : NULL, &tok, keys, vals, &count, NULL);
		got += count;
		if (err)
			break;
	}
	if (got != n)
		kit_fail("lookup batch returned %u of %u elements", got, n);
	row(&s, KIT_FIND, 0, o->p->has_find ? got : 0, "lookup batch (one find per element)");
	if (o->p->base == BPFHOST_BASE_MAP_TYPE_HASH) {
		for (uint32_t i = 0; i < n; i++)
			kit_key(o, i, keys + (size_t)i * o->key_size);
		count = n / 2;
		snap(&s);
		expect(bpfhost_map_delete_batch(fd, keys, &count, NULL), 0, "delete batch");
		row(&s, del_cb(o), 0, n / 2, "delete batch (one delete per element)");
		count = n;
		tok = 0;
		snap(&s);
		err = bpfhost_map_lookup_and_delete_batch(fd, NULL, &tok, keys, vals, &count, NULL);
		if (err && err != -ENOENT)
			expect(err, 0, "lookup-and-delete batch");
		if (count != n - n / 2)
			kit_fail("lookup-and-delete batch returned %u elements, %u were left", count, n - n / 2);
		row(&s, del_cb(o), 0, count, "lookup-and-delete batch");
	} else {
		count = n;
		tok = 0;
		snap(&s);
		expect(bpfhost_map_lookup_and_delete_batch(fd, NULL, &tok, keys, vals, &count, NULL),
		       -KIT_ENOTSUPP, "lookup-and-delete batch on an array base");
		row(&s, del_cb(o), -1, 0, "a refused lookup-and-delete batch");
	}
	kit_close_and_balance(fd, "closing the batch map");
	kit_balanced("after the batches", allocs);
out:
	free(keys);
	free(vals);
}

void phase_cleanup(const struct kit_opts *o)
{
	uint8_t k[MAXB], v[MAXB];
	unsigned long allocs = ledger_allocs(NULL);
	int fds[3];
	struct snap s;

	/* Three maps with entries at once: teardown must reach each entry of each. */
	for (int m = 0; m < 3; m++) {
		fds[m] = kit_map(o, "kit_cleanup", o->max_entries);
		if (fds[m] < 0)
			return;
		for (uint32_t i = 0; i <= (uint32_t)m && i < o->max_entries; i++) {
			kit_key(o, i, k);
			kit_value(o, i + (uint32_t)m, v);
			expect(bpfhost_map_update_elem(fds[m], k, v, BPF_ANY), 0, "update");
		}
	}
	snap(&s);
	for (int m = 0; m < 3; m++)
		kit_close_and_balance(fds[m], "closing a map with entries");
	row(&s, KIT_MAP_DELETE, 0, 3, "teardown of three maps");
	kit_balanced("after teardown", allocs);
}
