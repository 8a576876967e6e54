// SPDX-License-Identifier: MIT
/*
 * The running Linux kernel as the oracle: seeded random sequences of map
 * operations run against a kernel map (bpf(2)) and a bpfhost map created
 * with the same parameters, and every return value, errno and returned
 * value must agree. Where Linux leaves a choice open (hash iteration order,
 * which LRU element is evicted) only what does not depend on that choice is
 * compared. Skips (exit 0) when bpf(2) is not available.
 *
 * KDIFF_SEED=n runs one seed, KDIFF_OPS=n sets the operations per seed,
 * KDIFF_SELF=1 runs the kernel against itself (checks the test's own
 * assumptions: it must pass). The batch edge cases (elem_flags NOEXIST/EXIST
 * refused, batch.flags ignored by generic batches, array delete batches
 * unsupported, hash batches with count 0 or a token past the end) are
 * compared too; KDIFF_STRICT=0 leaves them out, for kernels older than 6.18
 * that answered some of them differently.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "test.h"
#include "kernel_bpf.h"
#include "map_diff.h"


/* ---- HASH and ARRAY ---- */

static bool ordered(const struct spec *s)
{
	return s->type == BPF_MAP_TYPE_ARRAY;
}

static void op_update(struct run *r, const void *key)
{
	unsigned char v[BUF];
	uint64_t f = kdiff_update_flags(r);

	kdiff_fill_random(r, v, BUF);
	r->op = "update";
	kdiff_same(r, "return", kdiff_side[0]->update(r->fd[0], key, v, f), kdiff_side[1]->update(r->fd[1], key, v, f));
}

static void op_lookup(struct run *r, const void *key)
{
	unsigned char v[2][BUF];
	uint64_t f = kdiff_lookup_flags(r);
	int k, h;

	memset(v, 0xa5, sizeof(v));
	r->op = "lookup";
	k = kdiff_side[0]->lookup(r->fd[0], key, v[0], f);
	h = kdiff_side[1]->lookup(r->fd[1], key, v[1], f);
	if (kdiff_same(r, "return", k, h) && k == 0)
		kdiff_same_bytes(r, "value", v[0], v[1], r->s->value_size);
}

static void op_delete(struct run *r, const void *key)
{
	r->op = "delete";
	kdiff_same(r, "return", kdiff_side[0]->del(r->fd[0], key), kdiff_side[1]->del(r->fd[1], key));
}

static void op_lookup_and_delete(struct run *r, const void *key)
{
	unsigned char v[2][BUF];
	uint64_t f = kdiff_lookup_flags(r);
	int k, h;

	memset(v, 0xa5, sizeof(v));
	r->op = "lookup_and_delete";
	k = kdiff_side[0]->lookup_and_delete(r->fd[0], key, v[0], f);
	h = kdiff_side[1]->lookup_and_delete(r->fd[1], key, v[1], f);
	if (kdiff_same(r, "return", k, h) && k == 0)
		kdiff_same_bytes(r, "value", v[0], v[1], r->s->value_size);
}

/*
 * get_next_key. Arrays: exact. Hash maps: from NULL or a missing key both
 * restart, so success must agree and the key returned must exist; from an
 * existing key the answer depends on the iteration order, so each side only
 * has to return an existing other key or -ENOENT (both -ENOENT when it is
 * the only key).
 */
static void op_next(struct run *r, const void *key_or_null)
{
	unsigned char n[2][BUF], v[BUF];
	const void *key = key_or_null;
	bool exists = false;
	int ret[2], keys = 0;

	r->op = key ? "get_next_key" : "get_next_key(NULL)";
	memset(n, 0, sizeof(n));
	for (int s = 0; s < 2; s++)
		ret[s] = kdiff_side[s]->next(r->fd[s], key, n[s]);
	if (ordered(r->s)) {
		if (kdiff_same(r, "return", ret[0], ret[1]) && !ret[0])
			kdiff_same_bytes(r, "next key", n[0], n[1], r->s->key_size);
		return;
	}
	if (key)
		exists = kdiff_side[0]->lookup(r->fd[0], key, v, 0) == 0;
	if (exists)
		keys = kdiff_count_keys(r, 0);
	if (!exists || keys == 1) {
		if (!kdiff_same(r, "return", ret[0], ret[1]))
			return;
	}
	for (int s = 0; s < 2; s++) {
		if (ret[s] == -ENOENT)
			continue;
		if (ret[s]) {
			kdiff_broken(r, s, "get_next_key", ret[s]);
		} else if (kdiff_side[s]->lookup(r->fd[s], n[s], v, 0)) {
			kdiff_broken(r, s, "get_next_key returned a key that lookup does not find", 0);
		} else if (key && !memcmp(key, n[s], r->s->key_size)) {
			kdiff_broken(r, s, "get_next_key returned its own key", 0);
		}
	}
}

static uint32_t random_key_index(struct run *r)
{
	return kdiff_below(r, r->s->keyspace);
}

static void op_update_batch(struct run *r)
{
	unsigned char keys[8 * BUF], values[8 * BUF];
	const struct spec *s = r->s;
	static const uint64_t agreed[] = { BPF_F_LOCK, 8, 1ull << 32 };
	uint32_t n = kdiff_below(r, 8), c[2];
	uint64_t ef = kdiff_below(r, 100) < 80 ? 0 : kdiff_strict ? kdiff_update_flags(r) : agreed[kdiff_below(r, 3)];
	uint64_t fl = kdiff_below(r, 100) < 95 || !kdiff_strict ? 0 : 1;
	int ret[2];

	for (uint32_t i = 0; i < n; i++)
		kdiff_make_key(s, random_key_index(r), keys + i * s->key_size);
	kdiff_fill_random(r, values, sizeof(values));
	r->op = "update_batch";
	for (int i = 0; i < 2; i++) {
		c[i] = n;
		ret[i] = kdiff_side[i]->batch(BPF_MAP_UPDATE_BATCH, r->fd[i], NULL, NULL, keys, values, &c[i],
					ef, fl);
	}
	if (kdiff_same(r, "return", ret[0], ret[1]))
		kdiff_same(r, "count", c[0], c[1]);
}

static void op_delete_batch(struct run *r)
{
	unsigned char keys[8 * BUF];
	const struct spec *s = r->s;
	uint32_t n = kdiff_below(r, 8), c[2];
	uint64_t ef = kdiff_below(r, 100) < 95 ? 0 : BPF_F_LOCK;
	uint64_t fl = kdiff_below(r, 100) < 95 || !kdiff_strict ? 0 : 1;
	int ret[2];

	if (ordered(s) && !kdiff_strict)
		return;
	for (uint32_t i = 0; i < n; i++)
		kdiff_make_key(s, random_key_index(r), keys + i * s->key_size);
	r->op = "delete_batch";
	for (int i = 0; i < 2; i++) {
		c[i] = n;
		ret[i] = kdiff_side[i]->batch(BPF_MAP_DELETE_BATCH, r->fd[i], NULL, NULL, keys, NULL, &c[i],
					ef, fl);
	}
	if (kdiff_same(r, "return", ret[0], ret[1]))
		kdiff_same(r, "count", c[0], c[1]);
}

/*
 * Lookup (or lookup-and-delete) batches from the start until -ENOENT, with
 * @count per call. Hash maps: a bucket that does not fit gives -ENOSPC and
 * the caller retries with twice the count; buckets differ between the two
 * implementations, so only the final set and the end (-ENOENT) compare,
 * and the first call when @count covers the whole map. Arrays: each call
 * compares exactly.
 */
static void op_drain(struct run *r, int cmd, uint32_t count)
{
	static struct entry e[2][MAX_ELEMS];
	static unsigned char keys[2][MAX_ELEMS * BUF], values[2][MAX_ELEMS * BUF];
	const struct spec *s = r->s;
	unsigned char tok[2][BUF], out[2][BUF];
	uint32_t c[2], cnt[2] = { count, count }, total[2] = { 0, 0 }, first_count[2] = { 0, 0 };
	int ret[2] = { 0, 0 }, first_ret[2] = { 0, 0 }, elems = -1;
	bool first = true;

	r->op = cmd == BPF_MAP_LOOKUP_BATCH ? "lookup_batch" : "lookup_and_delete_batch";
	if (!ordered(s))
		elems = kdiff_count_keys(r, 0);
	memset(out, 0, sizeof(out));
	for (int call = 0; call < 4 * MAX_ELEMS; call++) {
		bool done = true;

		for (int i = 0; i < 2; i++) {
			if (call && (ret[i] == -ENOENT || (ret[i] && ret[i] != -ENOSPC)))
				continue;
			if (call && ret[i] == -ENOSPC)
				cnt[i] = cnt[i] * 2 > MAX_ELEMS ? MAX_ELEMS : cnt[i] * 2;
			if (total[i] + cnt[i] > MAX_ELEMS)
				cnt[i] = MAX_ELEMS - total[i];
			c[i] = cnt[i];
			memset(keys[i], 0, sizeof(keys[i]));
			memset(values[i], 0, sizeof(values[i]));
			ret[i] = kdiff_side[i]->batch(cmd, r->fd[i], call && total[i] ? tok[i] : NULL, out[i],
						keys[i], values[i], &c[i], 0, 0);
			if (first) {
				first_ret[i] = ret[i];
				first_count[i] = c[i];
			}
			if ((ret[i] == 0 || ret[i] == -ENOENT) && total[i] + c[i] <= MAX_ELEMS) {
				for (uint32_t j = 0; j < c[i]; j++) {
					struct entry *x = &e[i][total[i] + j];

					memset(x, 0, sizeof(*x));
					memcpy(x->key, keys[i] + j * s->key_size, s->key_size);
					memcpy(x->value, values[i] + j * s->value_size, s->value_size);
				}
				total[i] += c[i];
				memcpy(tok[i], out[i], BUF);
			}
			if (ret[i] == 0 || ret[i] == -ENOSPC)
				done = false;
		}
		if (ordered(s) || first) {
			if (ordered(s) || (elems >= 0 && count >= (uint32_t)elems)) {
				if (!kdiff_same(r, "return", first ? first_ret[0] : ret[0],
					  first ? first_ret[1] : ret[1]) ||
				    !kdiff_same(r, "count", first ? first_count[0] : c[0],
					  first ? first_count[1] : c[1]))
					return;
			}
			if (ordered(s) && (ret[0] == 0 || ret[0] == -ENOENT) && c[0] &&
			    (!kdiff_same_bytes(r, "keys", keys[0], keys[1], c[0] * s->key_size) ||
			     !kdiff_same_bytes(r, "values", values[0], values[1], c[0] * s->value_size) ||
			     !kdiff_same_bytes(r, "out_batch", out[0], out[1], s->key_size)))
				return;
		}
		first = false;
		if (done)
			break;
	}
	if (!kdiff_same(r, "final return", ret[0], ret[1]) || ret[0] != -ENOENT)
		return;
	if (!kdiff_same(r, "elements returned", total[0], total[1]))
		return;
	kdiff_sort_entries(e[0], total[0]);
	kdiff_sort_entries(e[1], total[1]);
	for (uint32_t j = 0; j < total[0] && !r->failed; j++) {
		kdiff_same_bytes(r, "batch key (sorted)", e[0][j].key, e[1][j].key, s->key_size);
		kdiff_same_bytes(r, "batch value", e[0][j].value, e[1][j].value, s->value_size);
	}
}

/* Batch corner cases: count 0, a token past the end, non-zero flags. */
static void op_batch_edges(struct run *r)
{
	static unsigned char keys[2][MAX_ELEMS * BUF], values[2][MAX_ELEMS * BUF];
	unsigned char tok[BUF], out[2][BUF];
	uint32_t c[2], which = kdiff_below(r, 4), cnt = which == 0 ? 0 : 1 + kdiff_below(r, 4);
	uint64_t ef = which == 2 ? BPF_F_LOCK : 0, fl = which == 3 ? 1 : 0;
	int cmd = kdiff_below(r, 2) ? BPF_MAP_LOOKUP_BATCH : BPF_MAP_LOOKUP_AND_DELETE_BATCH;
	bool with_tok = which == 1 || kdiff_below(r, 2);
	int ret[2];

	if (!kdiff_strict) {
		if (which == 0 && !ordered(r->s))
			with_tok = false;
		if (which == 3 && ordered(r->s) && cmd == BPF_MAP_LOOKUP_BATCH)
			return;
	}
	memset(tok, 0, sizeof(tok));
	/* A hash token is a bucket number; an array's is an index: both past the end. */
	tok[0] = (unsigned char)(r->s->max_entries * 2 + 1);
	r->op = which == 0 ? "batch(count 0)" : which == 1 ? "batch(token past end)" :
		which == 2 ? "batch(elem_flags F_LOCK)" : "batch(flags 1)";
	for (int i = 0; i < 2; i++) {
		c[i] = cnt;
		ret[i] = kdiff_side[i]->batch(cmd, r->fd[i], with_tok ? tok : NULL, out[i], keys[i],
					values[i], &c[i], ef, fl);
	}
	if (kdiff_same(r, "return", ret[0], ret[1]) && (kdiff_strict || which != 1 || ordered(r->s)))
		kdiff_same(r, "count", c[0], c[1]);
}

static void run_keyed(struct run *r, int ops)
{
	unsigned char key[BUF];

	for (r->step = 0; r->step < ops && !r->failed; r->step++) {
		uint32_t p = kdiff_below(r, 1000);

		kdiff_make_key(r->s, random_key_index(r), key);
		if (p < 300)
			op_update(r, key);
		else if (p < 500)
			op_lookup(r, key);
		else if (p < 620)
			op_delete(r, key);
		else if (p < 700)
			op_lookup_and_delete(r, key);
		else if (p < 760)
			op_next(r, key);
		else if (p < 800)
			op_next(r, NULL);
		else if (p < 860)
			op_update_batch(r);
		else if (p < 900)
			op_delete_batch(r);
		else if (p < 950)
			op_drain(r, BPF_MAP_LOOKUP_BATCH, 1 + kdiff_below(r, r->s->max_entries + 2));
		else if (p < 960)
			op_drain(r, BPF_MAP_LOOKUP_AND_DELETE_BATCH, 1 + kdiff_below(r, r->s->max_entries + 2));
		else if (p < 975)
			op_batch_edges(r);
		else
			kdiff_compare_contents(r, true);
	}
	if (!r->failed)
		kdiff_compare_contents(r, true);
}

/* ---- LRU_HASH ---- */

/*
 * Which key an LRU map evicts is the implementation's choice (and Linux's
 * per-CPU free lists evict before the map is full), so only what holds
 * whatever was evicted is compared: operations on the key just updated,
 * and values of keys both maps still hold. Neither may ever hold more than
 * max_entries keys, and any key one holds has the value last written.
 */
/*
 * An update takes a free element before it looks for the key, and may evict
 * to get one. With one LRU list the key just updated is the most recent and
 * is not the victim; with per-CPU lists (BPF_F_NO_COMMON_LRU) it can be, so
 * Linux may answer @evicted instead of @expected there, and so may bpfhost.
 */
static void lru_compare(struct run *r, const int ret[2], int expected, int evicted)
{
	if (!(r->s->map_flags & BPF_F_NO_COMMON_LRU)) {
		kdiff_same(r, "return", ret[0], ret[1]);
		return;
	}
	for (int k = 0; k < 2; k++)
		if (ret[k] != expected && ret[k] != evicted)
			kdiff_broken(r, k, "update of the key just updated", ret[k]);
}

static void run_lru(struct run *r, int ops)
{
	static unsigned char last[MAX_ELEMS * 2][BUF];
	static bool written[MAX_ELEMS * 2];
	const struct spec *s = r->s;
	unsigned char key[BUF], v[BUF], got[2][BUF];
	int ret[2];

	memset(written, 0, sizeof(written));
	for (r->step = 0; r->step < ops && !r->failed; r->step++) {
		uint32_t i = random_key_index(r), p = kdiff_below(r, 100);

		kdiff_make_key(s, i, key);
		kdiff_fill_random(r, v, BUF);
		r->op = "update(ANY)";
		if (!kdiff_same(r, "return", kdiff_side[0]->update(r->fd[0], key, v, BPF_ANY),
			  kdiff_side[1]->update(r->fd[1], key, v, BPF_ANY)))
			break;
		memcpy(last[i], v, BUF);
		written[i] = true;
		r->op = "lookup(just updated)";
		for (int k = 0; k < 2; k++)
			ret[k] = kdiff_side[k]->lookup(r->fd[k], key, got[k], 0);
		if (kdiff_same(r, "return", ret[0], ret[1]) && !ret[0])
			kdiff_same_bytes(r, "value", got[0], got[1], s->value_size);
		if (p < 15) {
			r->op = "update(NOEXIST, just updated)";
			for (int k = 0; k < 2; k++)
				ret[k] = kdiff_side[k]->update(r->fd[k], key, v, BPF_NOEXIST);
			lru_compare(r, ret, -EEXIST, 0);
		} else if (p < 30) {
			kdiff_fill_random(r, v, BUF);
			r->op = "update(EXIST, just updated)";
			for (int k = 0; k < 2; k++)
				ret[k] = kdiff_side[k]->update(r->fd[k], key, v, BPF_EXIST);
			lru_compare(r, ret, 0, -ENOENT);
			if (!ret[0] || !ret[1])
				memcpy(last[i], v, BUF);
		} else if (p < 40) {
			r->op = "delete(just updated)";
			kdiff_same(r, "return", kdiff_side[0]->del(r->fd[0], key), kdiff_side[1]->del(r->fd[1], key));
			r->op = "delete(just deleted)";
			kdiff_same(r, "return", kdiff_side[0]->del(r->fd[0], key), kdiff_side[1]->del(r->fd[1], key));
		} else if (p < 50) {
			r->op = "lookup_and_delete(just updated)";
			for (int k = 0; k < 2; k++)
				ret[k] = kdiff_side[k]->lookup_and_delete(r->fd[k], key, got[k], 0);
			if (kdiff_same(r, "return", ret[0], ret[1]) && !ret[0])
				kdiff_same_bytes(r, "value", got[0], got[1], s->value_size);
			r->op = "lookup(just deleted)";
			kdiff_same(r, "return", kdiff_side[0]->lookup(r->fd[0], key, got[0], 0),
			     kdiff_side[1]->lookup(r->fd[1], key, got[1], 0));
		} else if (p < 70) {
			/* Any key: present or not is eviction's choice; its value is not. */
			uint32_t j = random_key_index(r);

			kdiff_make_key(s, j, key);
			r->op = "lookup(any key)";
			for (int k = 0; k < 2; k++) {
				ret[k] = kdiff_side[k]->lookup(r->fd[k], key, got[k], 0);
				if (ret[k] && ret[k] != -ENOENT)
					kdiff_broken(r, k, "lookup", ret[k]);
				else if (!ret[k] && (!written[j] || memcmp(got[k], last[j], s->value_size)))
					kdiff_broken(r, k, "lookup found a value never written to the key", 0);
			}
		} else if (p < 75) {
			uint32_t j = random_key_index(r);

			kdiff_make_key(s, j, key);
			r->op = "delete(any key)";
			for (int k = 0; k < 2; k++) {
				ret[k] = kdiff_side[k]->del(r->fd[k], key);
				if (ret[k] && ret[k] != -ENOENT)
					kdiff_broken(r, k, "delete", ret[k]);
			}
		}
		if (r->step % 8 == 0) {
			r->op = "count";
			for (int k = 0; k < 2; k++) {
				int n = kdiff_count_keys(r, k);

				if (n > (int)s->max_entries)
					kdiff_broken(r, k, "iteration yields more than max_entries keys", n);
			}
		}
	}
}

/* ---- LPM_TRIE ---- */

/* Data bits of an LPM key of the spec (key_size - 4 bytes). */
static uint32_t lpm_bits(const struct spec *s)
{
	return (s->key_size - 4) * 8;
}

/*
 * A prefix near one of a few bases, so prefixes nest and overlap; bits past
 * the prefix length are random too (they are stored and iterated as given).
 */
static void lpm_key(struct run *r, void *key, uint32_t prefixlen)
{
	static const unsigned char bases[3][16] = {
		{ 10, 0, 0, 0, 1, 2, 3, 4 }, { 10, 1, 128, 0, 5, 6, 7, 8 }, { 192, 168, 1, 0, 9, 9, 9, 9 },
	};
	uint32_t bytes = r->s->key_size - 4, b = kdiff_below(r, 3);
	unsigned char *k = key;

	memset(k, 0, BUF);
	memcpy(k, &prefixlen, 4);
	memcpy(k + 4, bases[b], bytes);
	/* Vary the low half of the bits, more rarely the high ones. */
	for (uint32_t i = bytes / 2; i < bytes; i++)
		k[4 + i] = kdiff_below(r, 4) ? (unsigned char)kdiff_below(r, 4) : (unsigned char)kdiff_rnd(r);
	if (kdiff_below(r, 10) == 0)
		k[4] ^= (unsigned char)(1u << kdiff_below(r, 8));
}

static uint32_t lpm_prefixlen(struct run *r)
{
	uint32_t bits = lpm_bits(r->s);

	return kdiff_below(r, 100) < 97 ? kdiff_below(r, bits + 1) : bits + 1 + kdiff_below(r, 8);
}

static void run_lpm(struct run *r, int ops)
{
	static unsigned char recent[32][BUF];
	const struct spec *s = r->s;
	unsigned char key[BUF], v[BUF], got[2][BUF];
	uint32_t n_recent = 0;
	int ret[2];

	for (r->step = 0; r->step < ops && !r->failed; r->step++) {
		uint32_t p = kdiff_below(r, 100);

		if (p < 35) {
			lpm_key(r, key, lpm_prefixlen(r));
			uint64_t f = kdiff_update_flags(r);

			kdiff_fill_random(r, v, BUF);
			r->op = "update";
			if (kdiff_same(r, "return", kdiff_side[0]->update(r->fd[0], key, v, f),
				 kdiff_side[1]->update(r->fd[1], key, v, f)))
				memcpy(recent[n_recent++ % 32], key, BUF);
		} else if (p < 50) {
			if (n_recent && kdiff_below(r, 2))
				memcpy(key, recent[kdiff_below(r, n_recent < 32 ? n_recent : 32)], BUF);
			else
				lpm_key(r, key, lpm_prefixlen(r));
			op_delete(r, key);
		} else if (p < 80) {
			lpm_key(r, key, lpm_bits(s));
			r->op = "lookup(full length)";
			memset(got, 0xa5, sizeof(got));
			for (int k = 0; k < 2; k++)
				ret[k] = kdiff_side[k]->lookup(r->fd[k], key, got[k], 0);
			if (kdiff_same(r, "return", ret[0], ret[1]) && !ret[0])
				kdiff_same_bytes(r, "longest-match value", got[0], got[1], s->value_size);
		} else if (p < 90) {
			uint64_t f = kdiff_lookup_flags(r);

			lpm_key(r, key, lpm_prefixlen(r));
			r->op = "lookup(prefix)";
			memset(got, 0xa5, sizeof(got));
			for (int k = 0; k < 2; k++)
				ret[k] = kdiff_side[k]->lookup(r->fd[k], key, got[k], f);
			if (kdiff_same(r, "return", ret[0], ret[1]) && !ret[0])
				kdiff_same_bytes(r, "longest-match value", got[0], got[1], s->value_size);
		} else if (p < 93) {
			op_next(r, NULL);
		} else if (p < 96) {
			if (n_recent && kdiff_below(r, 2))
				memcpy(key, recent[kdiff_below(r, n_recent < 32 ? n_recent : 32)], BUF);
			else
				lpm_key(r, key, lpm_prefixlen(r));
			op_next(r, key);
		} else if (p < 97) {
			lpm_key(r, key, lpm_prefixlen(r));
			op_lookup_and_delete(r, key);
		} else {
			kdiff_compare_contents(r, true);
		}
	}
	if (!r->failed)
		kdiff_compare_contents(r, true);
}

/* ---- QUEUE and STACK ---- */

static void run_queue_stack(struct run *r, int ops)
{
	static const uint64_t push_flags[] = { BPF_ANY, BPF_ANY, BPF_EXIST, BPF_EXIST, BPF_NOEXIST,
					       BPF_F_LOCK, 3, 8 };
	const struct spec *s = r->s;
	unsigned char v[BUF], got[2][BUF], dummy[BUF] = { 0 };
	int ret[2];

	for (r->step = 0; r->step < ops && !r->failed; r->step++) {
		uint32_t p = kdiff_below(r, 100);
		bool has_value = false;
		uint64_t f;

		memset(got, 0xa5, sizeof(got));
		if (p < 40) {
			f = kdiff_below(r, 10) ? push_flags[kdiff_below(r, 4)] : push_flags[kdiff_below(r, 8)];
			kdiff_fill_random(r, v, BUF);
			r->op = f == BPF_EXIST ? "push(EXIST)" : "push";
			kdiff_same(r, "return", kdiff_side[0]->update(r->fd[0], NULL, v, f),
			     kdiff_side[1]->update(r->fd[1], NULL, v, f));
			continue;
		}
		if (p < 70) {
			f = kdiff_below(r, 20) ? 0 : kdiff_lookup_flags(r);
			r->op = "pop";
			has_value = true;
			for (int k = 0; k < 2; k++)
				ret[k] = kdiff_side[k]->lookup_and_delete(r->fd[k], NULL, got[k], f);
		} else if (p < 90) {
			f = kdiff_below(r, 20) ? 0 : kdiff_lookup_flags(r);
			r->op = "peek";
			has_value = true;
			for (int k = 0; k < 2; k++)
				ret[k] = kdiff_side[k]->lookup(r->fd[k], NULL, got[k], f);
		} else if (p < 93) {
			r->op = "delete";
			for (int k = 0; k < 2; k++)
				ret[k] = kdiff_side[k]->del(r->fd[k], NULL);
		} else if (p < 96) {
			r->op = "get_next_key";
			for (int k = 0; k < 2; k++)
				ret[k] = kdiff_side[k]->next(r->fd[k], NULL, got[k]);
		} else if (p < 98) {
			/* key_size is 0: a key pointer is refused. */
			bool peek = kdiff_below(r, 2);

			r->op = peek ? "peek(with key)" : "push(with key)";
			kdiff_fill_random(r, v, BUF);
			for (int k = 0; k < 2; k++)
				ret[k] = peek ? kdiff_side[k]->lookup(r->fd[k], dummy, got[k], 0) :
						kdiff_side[k]->update(r->fd[k], dummy, v, 0);
		} else {
			uint32_t c[2];

			r->op = "lookup_batch";
			for (int k = 0; k < 2; k++) {
				c[k] = 1;
				ret[k] = kdiff_side[k]->batch(BPF_MAP_LOOKUP_BATCH, r->fd[k], NULL, dummy, got[k],
							got[k], &c[k], 0, 0);
			}
			if (kdiff_same(r, "return", ret[0], ret[1]))
				kdiff_same(r, "count", c[0], c[1]);
			continue;
		}
		if (kdiff_same(r, "return", ret[0], ret[1]) && !ret[0] && has_value)
			kdiff_same_bytes(r, "value", got[0], got[1], s->value_size);
	}
}

/* ---- driver ---- */

static const struct spec specs[] = {
	{ "hash(4,8,16)", BPF_MAP_TYPE_HASH, 4, 8, 16, 0, 24 },
	{ "hash(12,5,8,no_prealloc)", BPF_MAP_TYPE_HASH, 12, 5, 8, BPF_F_NO_PREALLOC, 12 },
	{ "hash(4,4,1)", BPF_MAP_TYPE_HASH, 4, 4, 1, 0, 3 },
	{ "array(4,8,8)", BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0, 11 },
	{ "array(4,3,1)", BPF_MAP_TYPE_ARRAY, 4, 3, 1, 0, 4 },
	{ "array(4,12,5)", BPF_MAP_TYPE_ARRAY, 4, 12, 5, 0, 8 },
	{ "lru_hash(4,8,16)", BPF_MAP_TYPE_LRU_HASH, 4, 8, 16, 0, 40 },
	{ "lru_hash(8,4,8,no_common)", BPF_MAP_TYPE_LRU_HASH, 8, 4, 8, BPF_F_NO_COMMON_LRU, 24 },
	{ "lpm_trie(8,8,16)", BPF_MAP_TYPE_LPM_TRIE, 8, 8, 16, BPF_F_NO_PREALLOC, 0 },
	{ "lpm_trie(5,4,6)", BPF_MAP_TYPE_LPM_TRIE, 5, 4, 6, BPF_F_NO_PREALLOC, 0 },
	{ "lpm_trie(20,8,24)", BPF_MAP_TYPE_LPM_TRIE, 20, 8, 24, BPF_F_NO_PREALLOC, 0 },
	{ "queue(0,4,4)", BPF_MAP_TYPE_QUEUE, 0, 4, 4, 0, 0 },
	{ "queue(0,8,1)", BPF_MAP_TYPE_QUEUE, 0, 8, 1, 0, 0 },
	{ "stack(0,4,4)", BPF_MAP_TYPE_STACK, 0, 4, 4, 0, 0 },
	{ "stack(0,12,2)", BPF_MAP_TYPE_STACK, 0, 12, 2, 0, 0 },
};

static int n_ops = 3000;
static unsigned int only_seed;
static const unsigned int seeds[] = { 1, 2, 3, 0xbadc0de };

static void run_spec(const struct spec *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(seeds); i++) {
		struct run r = { .s = s, .seed = only_seed ? only_seed : seeds[i] };

		r.rng = r.seed;
		if (!kdiff_open_pair(&r)) {
			if (!r.failed)
				printf("SKIP %s: bpfhost does not support map type %u yet\n", s->name, s->type);
			return;
		}
		switch (s->type) {
		case BPF_MAP_TYPE_LRU_HASH: run_lru(&r, n_ops); break;
		case BPF_MAP_TYPE_LPM_TRIE: run_lpm(&r, n_ops); break;
		case BPF_MAP_TYPE_QUEUE:
		case BPF_MAP_TYPE_STACK: run_queue_stack(&r, n_ops); break;
		default: run_keyed(&r, n_ops); break;
		}
		kdiff_close_pair(&r);
		if (only_seed)
			break;
	}
}

static void run_type(uint32_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++)
		if (specs[i].type == type)
			run_spec(&specs[i]);
}

static void hash(void) { run_type(BPF_MAP_TYPE_HASH); }
static void array(void) { run_type(BPF_MAP_TYPE_ARRAY); }
static void lru_hash(void) { run_type(BPF_MAP_TYPE_LRU_HASH); }
static void lpm_trie(void) { run_type(BPF_MAP_TYPE_LPM_TRIE); }
static void queue(void) { run_type(BPF_MAP_TYPE_QUEUE); }
static void stack(void) { run_type(BPF_MAP_TYPE_STACK); }

/* Create attributes both must accept or refuse alike. */
static void create_params(void)
{
	static const struct {
		uint32_t type, ks, vs, max, flags;
	} c[] = {
		{ BPF_MAP_TYPE_HASH, 0, 4, 4, 0 },
		{ BPF_MAP_TYPE_HASH, 4, 0, 4, 0 },
		{ BPF_MAP_TYPE_HASH, 4, 4, 0, 0 },
		{ BPF_MAP_TYPE_HASH, 4, 4, 4, BPF_F_RDONLY | BPF_F_WRONLY },
		{ BPF_MAP_TYPE_HASH, 4, 4, 4, BPF_F_MMAPABLE },
		{ BPF_MAP_TYPE_HASH, 4, 4, 4, 1u << 20 },
		{ BPF_MAP_TYPE_ARRAY, 8, 4, 4, 0 },
		{ BPF_MAP_TYPE_ARRAY, 4, 0, 4, 0 },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 0, 0 },
		{ BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, BPF_F_MMAPABLE },
		{ BPF_MAP_TYPE_LRU_HASH, 4, 4, 4, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_LRU_HASH, 0, 4, 4, 0 },
		{ BPF_MAP_TYPE_LPM_TRIE, 8, 4, 4, 0 },
		{ BPF_MAP_TYPE_LPM_TRIE, 4, 4, 4, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_LPM_TRIE, 8, 0, 4, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_LPM_TRIE, 8, 4, 0, BPF_F_NO_PREALLOC },
		{ BPF_MAP_TYPE_QUEUE, 4, 4, 4, 0 },
		{ BPF_MAP_TYPE_QUEUE, 0, 0, 4, 0 },
		{ BPF_MAP_TYPE_QUEUE, 0, 4, 0, 0 },
		{ BPF_MAP_TYPE_STACK, 0, 4, 4, BPF_F_NO_PREALLOC },
	};
	struct spec sp = { "create" };
	struct run r = { .s = &sp };
	char op[96];

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		int k = kdiff_side[0]->create(c[i].type, c[i].ks, c[i].vs, c[i].max, c[i].flags, 0);
		int h = kdiff_side[1]->create(c[i].type, c[i].ks, c[i].vs, c[i].max, c[i].flags, 0);

		if (!(h < 0 && kdiff_host_lacks_type(h))) {
			snprintf(op, sizeof(op), "create(type %u, key %u, value %u, max %u, flags 0x%x)",
				 c[i].type, c[i].ks, c[i].vs, c[i].max, c[i].flags);
			r.op = op;
			kdiff_same(&r, "return", k >= 0 ? 0 : k, h >= 0 ? 0 : h);
		}
		if (k >= 0)
			kdiff_side[0]->close(k);
		if (h >= 0)
			kdiff_side[1]->close(h);
	}
}

static void no_handles_left(void)
{
	ASSERT_EQ(bpfhost_handle_count(), 0, "every bpfhost map closed");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(create_params), TEST(hash), TEST(array), TEST(lru_hash), TEST(lpm_trie),
		TEST(queue), TEST(stack), TEST(no_handles_left),
	};
	char reason[160];
	const char *e;

	if (kbpf_probe(reason, sizeof(reason))) {
		printf("SKIP: bpf(2) not available: %s\n", reason);
		return 0;
	}
	kbpf_pin_to_one_cpu();	/* best effort: see kernel_bpf.h */
	if ((e = getenv("KDIFF_OPS")))
		n_ops = atoi(e);
	if ((e = getenv("KDIFF_SEED")))
		only_seed = (unsigned int)strtoul(e, NULL, 0);
	if ((e = getenv("KDIFF_SELF")) && *e == '1')
		kdiff_side[1] = &kdiff_kernel_backend;
	if ((e = getenv("KDIFF_STRICT")) && *e == '0')
		kdiff_strict = false;
	return test_run("kernel_diff", cases, ARRAY_SIZE(cases));
}
