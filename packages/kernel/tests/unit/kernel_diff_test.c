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

#define ENOTSUPP_ 524
#define MAX_ELEMS 64	/* max_entries of any map here is below */
#define BUF 64		/* bytes of any key or value here */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One map family under test: the same calls against the kernel or bpfhost. */
struct backend {
	const char *name;
	int (*create)(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags,
		      uint64_t extra);
	int (*lookup)(int fd, const void *key, void *value, uint64_t flags);
	int (*update)(int fd, const void *key, const void *value, uint64_t flags);
	int (*del)(int fd, const void *key);
	int (*next)(int fd, const void *key, void *next_key);
	int (*lookup_and_delete)(int fd, const void *key, void *value, uint64_t flags);
	int (*batch)(int cmd, int fd, void *in, void *out, void *keys, void *values,
		     uint32_t *count, uint64_t elem_flags, uint64_t flags);
	int (*close)(int fd);
};

static const struct backend kernel_backend = {
	"kernel", kbpf_map_create, kbpf_map_lookup, kbpf_map_update, kbpf_map_delete,
	kbpf_map_get_next_key, kbpf_map_lookup_and_delete, kbpf_map_batch, kbpf_close,
};

static int host_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags,
		       uint64_t extra)
{
	BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = flags, .map_extra = extra);

	return bpfhost_map_create(type, "kdiff", ks, vs, max, &opts);
}

static int host_elem(int cmd, int fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.value = (uint64_t)(uintptr_t)value;
	attr.flags = flags;
	return bpfhost_sys_bpf(cmd, &attr, sizeof(attr));
}

static int host_lookup(int fd, const void *key, void *value, uint64_t flags)
{
	return host_elem(BPF_MAP_LOOKUP_ELEM, fd, key, value, flags);
}

static int host_update(int fd, const void *key, const void *value, uint64_t flags)
{
	return host_elem(BPF_MAP_UPDATE_ELEM, fd, key, value, flags);
}

static int host_delete(int fd, const void *key)
{
	return host_elem(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

static int host_next(int fd, const void *key, void *next_key)
{
	return host_elem(BPF_MAP_GET_NEXT_KEY, fd, key, next_key, 0);
}

static int host_lookup_and_delete(int fd, const void *key, void *value, uint64_t flags)
{
	return host_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, flags);
}

static int host_batch(int cmd, int fd, void *in, void *out, void *keys, void *values,
		      uint32_t *count, uint64_t elem_flags, uint64_t flags)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.batch.map_fd = (uint32_t)fd;
	attr.batch.in_batch = (uint64_t)(uintptr_t)in;
	attr.batch.out_batch = (uint64_t)(uintptr_t)out;
	attr.batch.keys = (uint64_t)(uintptr_t)keys;
	attr.batch.values = (uint64_t)(uintptr_t)values;
	attr.batch.count = *count;
	attr.batch.elem_flags = elem_flags;
	attr.batch.flags = flags;
	ret = bpfhost_sys_bpf(cmd, &attr, sizeof(attr));
	*count = attr.batch.count;
	return ret;
}

static int host_close(int fd)
{
	return bpfhost_close(fd);
}

static const struct backend host_backend = {
	"bpfhost", host_create, host_lookup, host_update, host_delete, host_next,
	host_lookup_and_delete, host_batch, host_close,
};

/* Side 0 is the oracle (the kernel); side 1 is bpfhost (or the kernel with KDIFF_SELF). */
static const struct backend *side[2] = { &kernel_backend, &host_backend };
static bool strict = true;

struct spec {
	const char *name;
	uint32_t type, key_size, value_size, max_entries, map_flags;
	uint32_t keyspace;	/* distinct keys the sequence draws from */
};

/* The sequence being run, for mismatch reports. */
struct run {
	const struct spec *s;
	uint64_t rng;
	unsigned int seed;
	int step;
	const char *op;
	bool failed;
	int fd[2];
};

static uint64_t rnd(struct run *r)
{
	uint64_t z = (r->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(struct run *r, uint32_t n)
{
	return (uint32_t)(rnd(r) % n);
}

static void fill_random(struct run *r, void *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		((unsigned char *)p)[i] = (unsigned char)rnd(r);
}

static const char *errname(int e)
{
	switch (-e) {
	case 0: return "0";
	case ENOENT: return "-ENOENT";
	case EEXIST: return "-EEXIST";
	case E2BIG: return "-E2BIG";
	case EINVAL: return "-EINVAL";
	case ENOSPC: return "-ENOSPC";
	case ENOMEM: return "-ENOMEM";
	case EPERM: return "-EPERM";
	case EBADF: return "-EBADF";
	case EFAULT: return "-EFAULT";
	case EBUSY: return "-EBUSY";
	case ENOTSUPP_: return "-ENOTSUPP";
	case EOPNOTSUPP: return "-EOPNOTSUPP";
	}
	return "?";
}

static void mismatch(struct run *r, const char *what, const char *k, const char *h)
{
	test_checks++;
	test_failures++;
	r->failed = true;
	fprintf(stderr, "MISMATCH %s seed=%u step=%d op=%s: %s: kernel %s, %s %s (bpfhost last error: %s)\n",
		r->s->name, r->seed, r->step, r->op, what, k, side[1]->name, h, bpfhost_last_error());
}

/* Compares two results (return values, counts); false on a mismatch. */
static bool same(struct run *r, const char *what, long long k, long long h)
{
	char kb[48], hb[48];

	if (k == h) {
		test_checks++;
		return true;
	}
	snprintf(kb, sizeof(kb), "%lld (%s)", k, errname((int)k));
	snprintf(hb, sizeof(hb), "%lld (%s)", h, errname((int)h));
	mismatch(r, what, kb, hb);
	return false;
}

static void hex(char *out, size_t len, const void *p, uint32_t n)
{
	size_t o = 0;

	for (uint32_t i = 0; i < n && o + 3 < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%02x", ((const unsigned char *)p)[i]);
	out[o] = 0;
}

static bool same_bytes(struct run *r, const char *what, const void *k, const void *h, uint32_t n)
{
	char kb[2 * BUF + 1], hb[2 * BUF + 1];

	if (!memcmp(k, h, n)) {
		test_checks++;
		return true;
	}
	hex(kb, sizeof(kb), k, n);
	hex(hb, sizeof(hb), h, n);
	mismatch(r, what, kb, hb);
	return false;
}

/* A failure of the test's own expectations on one side (not a comparison). */
static void broken(struct run *r, int s, const char *what, int ret)
{
	char b[96];

	snprintf(b, sizeof(b), "%s returned %d (%s)", what, ret, errname(ret));
	mismatch(r, side[s]->name, s ? "(expected)" : b, s ? b : "(expected)");
}

/* ---- whole-map views ---- */

struct entry {
	unsigned char key[BUF];
	unsigned char value[BUF];
};

static int entry_cmp_len;

static int entry_cmp(const void *a, const void *b)
{
	return memcmp(a, b, (size_t)entry_cmp_len);
}

/*
 * Every key by get_next_key from NULL, each with its value, sorted; -1 if
 * the iteration fails, repeats a key or does not end.
 */
static int collect(struct run *r, int s, struct entry *out, bool values)
{
	const struct spec *sp = r->s;
	unsigned char key[BUF], next[BUF];
	int n = 0, ret;

	for (ret = side[s]->next(r->fd[s], NULL, next); ret == 0;
	     ret = side[s]->next(r->fd[s], key, next)) {
		if (n >= MAX_ELEMS || n > (int)sp->max_entries + 2) {
			broken(r, s, "get_next_key iteration does not end", n);
			return -1;
		}
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(out[n].key, next, sp->key_size);
		for (int i = 0; i < n; i++) {
			if (!memcmp(out[i].key, next, sp->key_size)) {
				broken(r, s, "get_next_key iteration repeats a key", i);
				return -1;
			}
		}
		if (values) {
			ret = side[s]->lookup(r->fd[s], next, out[n].value, 0);
			if (ret) {
				broken(r, s, "lookup of an iterated key", ret);
				return -1;
			}
		}
		memcpy(key, next, sp->key_size);
		n++;
	}
	if (ret != -ENOENT) {
		broken(r, s, "get_next_key", ret);
		return -1;
	}
	entry_cmp_len = (int)sizeof(struct entry);
	qsort(out, (size_t)n, sizeof(*out), entry_cmp);
	return n;
}

/* Both maps hold the same set of keys (and values). */
static void compare_contents(struct run *r, bool values)
{
	static struct entry e[2][MAX_ELEMS];
	int n[2];
	const char *op = r->op;

	r->op = "iterate";
	n[0] = collect(r, 0, e[0], values);
	n[1] = collect(r, 1, e[1], values);
	if (n[0] >= 0 && n[1] >= 0 && same(r, "number of keys", n[0], n[1])) {
		for (int i = 0; i < n[0] && !r->failed; i++) {
			same_bytes(r, "key (sorted)", e[0][i].key, e[1][i].key, r->s->key_size);
			if (values)
				same_bytes(r, "value of key", e[0][i].value, e[1][i].value,
					   r->s->value_size);
		}
	}
	r->op = op;
}

static int count_keys(struct run *r, int s)
{
	static struct entry e[MAX_ELEMS];

	return collect(r, s, e, false);
}

/* ---- setup ---- */

static bool host_lacks_type(int ret)
{
	return ret == -EINVAL && strstr(bpfhost_last_error(), "is not supported");
}

/* Creates both maps; false (and a printed SKIP) when bpfhost lacks the type. */
static bool open_pair(struct run *r)
{
	const struct spec *s = r->s;

	r->fd[0] = side[0]->create(s->type, s->key_size, s->value_size, s->max_entries,
				   s->map_flags, 0);
	r->fd[1] = side[1]->create(s->type, s->key_size, s->value_size, s->max_entries,
				   s->map_flags, 0);
	if (r->fd[1] < 0 && host_lacks_type(r->fd[1])) {
		if (r->fd[0] >= 0)
			side[0]->close(r->fd[0]);
		return false;
	}
	r->op = "create";
	if (!same(r, "create succeeds", r->fd[0] >= 0 ? 0 : r->fd[0], r->fd[1] >= 0 ? 0 : r->fd[1]) ||
	    r->fd[0] < 0) {
		for (int i = 0; i < 2; i++)
			if (r->fd[i] >= 0)
				side[i]->close(r->fd[i]);
		return false;
	}
	return true;
}

static void close_pair(struct run *r)
{
	side[0]->close(r->fd[0]);
	side[1]->close(r->fd[1]);
}

/* Key number @i of the key space: distinct for distinct i. */
static void make_key(const struct spec *s, uint32_t i, void *key)
{
	unsigned char *k = key;

	memset(k, 0, BUF);
	if (s->type == BPF_MAP_TYPE_ARRAY) {
		memcpy(k, &i, 4);
		return;
	}
	for (uint32_t j = 0; j < s->key_size; j++)
		k[j] = (unsigned char)(j < 4 ? i >> (8 * j) : i * 31 + j * 7);
}

static uint64_t update_flags(struct run *r)
{
	static const uint64_t odd[] = { BPF_F_LOCK, BPF_F_LOCK | BPF_EXIST, 3, 8, 1ull << 32 };
	uint32_t p = below(r, 100);

	if (p < 35)
		return BPF_ANY;
	if (p < 65)
		return BPF_NOEXIST;
	if (p < 95)
		return BPF_EXIST;
	return odd[below(r, ARRAY_SIZE(odd))];
}

static uint64_t lookup_flags(struct run *r)
{
	static const uint64_t odd[] = { BPF_F_LOCK, BPF_NOEXIST, 8 };

	return below(r, 100) < 95 ? 0 : odd[below(r, ARRAY_SIZE(odd))];
}

/* ---- HASH and ARRAY ---- */

static bool ordered(const struct spec *s)
{
	return s->type == BPF_MAP_TYPE_ARRAY;
}

static void op_update(struct run *r, const void *key)
{
	unsigned char v[BUF];
	uint64_t f = update_flags(r);

	fill_random(r, v, BUF);
	r->op = "update";
	same(r, "return", side[0]->update(r->fd[0], key, v, f), side[1]->update(r->fd[1], key, v, f));
}

static void op_lookup(struct run *r, const void *key)
{
	unsigned char v[2][BUF];
	uint64_t f = lookup_flags(r);
	int k, h;

	memset(v, 0xa5, sizeof(v));
	r->op = "lookup";
	k = side[0]->lookup(r->fd[0], key, v[0], f);
	h = side[1]->lookup(r->fd[1], key, v[1], f);
	if (same(r, "return", k, h) && k == 0)
		same_bytes(r, "value", v[0], v[1], r->s->value_size);
}

static void op_delete(struct run *r, const void *key)
{
	r->op = "delete";
	same(r, "return", side[0]->del(r->fd[0], key), side[1]->del(r->fd[1], key));
}

static void op_lookup_and_delete(struct run *r, const void *key)
{
	unsigned char v[2][BUF];
	uint64_t f = lookup_flags(r);
	int k, h;

	memset(v, 0xa5, sizeof(v));
	r->op = "lookup_and_delete";
	k = side[0]->lookup_and_delete(r->fd[0], key, v[0], f);
	h = side[1]->lookup_and_delete(r->fd[1], key, v[1], f);
	if (same(r, "return", k, h) && k == 0)
		same_bytes(r, "value", v[0], v[1], r->s->value_size);
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
		ret[s] = side[s]->next(r->fd[s], key, n[s]);
	if (ordered(r->s)) {
		if (same(r, "return", ret[0], ret[1]) && !ret[0])
			same_bytes(r, "next key", n[0], n[1], r->s->key_size);
		return;
	}
	if (key)
		exists = side[0]->lookup(r->fd[0], key, v, 0) == 0;
	if (exists)
		keys = count_keys(r, 0);
	if (!exists || keys == 1) {
		if (!same(r, "return", ret[0], ret[1]))
			return;
	}
	for (int s = 0; s < 2; s++) {
		if (ret[s] == -ENOENT)
			continue;
		if (ret[s]) {
			broken(r, s, "get_next_key", ret[s]);
		} else if (side[s]->lookup(r->fd[s], n[s], v, 0)) {
			broken(r, s, "get_next_key returned a key that lookup does not find", 0);
		} else if (key && !memcmp(key, n[s], r->s->key_size)) {
			broken(r, s, "get_next_key returned its own key", 0);
		}
	}
}

static uint32_t random_key_index(struct run *r)
{
	return below(r, r->s->keyspace);
}

static void op_update_batch(struct run *r)
{
	unsigned char keys[8 * BUF], values[8 * BUF];
	const struct spec *s = r->s;
	static const uint64_t agreed[] = { BPF_F_LOCK, 8, 1ull << 32 };
	uint32_t n = below(r, 8), c[2];
	uint64_t ef = below(r, 100) < 80 ? 0 : strict ? update_flags(r) : agreed[below(r, 3)];
	uint64_t fl = below(r, 100) < 95 || !strict ? 0 : 1;
	int ret[2];

	for (uint32_t i = 0; i < n; i++)
		make_key(s, random_key_index(r), keys + i * s->key_size);
	fill_random(r, values, sizeof(values));
	r->op = "update_batch";
	for (int i = 0; i < 2; i++) {
		c[i] = n;
		ret[i] = side[i]->batch(BPF_MAP_UPDATE_BATCH, r->fd[i], NULL, NULL, keys, values, &c[i],
					ef, fl);
	}
	if (same(r, "return", ret[0], ret[1]))
		same(r, "count", c[0], c[1]);
}

static void op_delete_batch(struct run *r)
{
	unsigned char keys[8 * BUF];
	const struct spec *s = r->s;
	uint32_t n = below(r, 8), c[2];
	uint64_t ef = below(r, 100) < 95 ? 0 : BPF_F_LOCK;
	uint64_t fl = below(r, 100) < 95 || !strict ? 0 : 1;
	int ret[2];

	if (ordered(s) && !strict)
		return;
	for (uint32_t i = 0; i < n; i++)
		make_key(s, random_key_index(r), keys + i * s->key_size);
	r->op = "delete_batch";
	for (int i = 0; i < 2; i++) {
		c[i] = n;
		ret[i] = side[i]->batch(BPF_MAP_DELETE_BATCH, r->fd[i], NULL, NULL, keys, NULL, &c[i],
					ef, fl);
	}
	if (same(r, "return", ret[0], ret[1]))
		same(r, "count", c[0], c[1]);
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
		elems = count_keys(r, 0);
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
			ret[i] = side[i]->batch(cmd, r->fd[i], call && total[i] ? tok[i] : NULL, out[i],
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
				if (!same(r, "return", first ? first_ret[0] : ret[0],
					  first ? first_ret[1] : ret[1]) ||
				    !same(r, "count", first ? first_count[0] : c[0],
					  first ? first_count[1] : c[1]))
					return;
			}
			if (ordered(s) && (ret[0] == 0 || ret[0] == -ENOENT) && c[0] &&
			    (!same_bytes(r, "keys", keys[0], keys[1], c[0] * s->key_size) ||
			     !same_bytes(r, "values", values[0], values[1], c[0] * s->value_size) ||
			     !same_bytes(r, "out_batch", out[0], out[1], s->key_size)))
				return;
		}
		first = false;
		if (done)
			break;
	}
	if (!same(r, "final return", ret[0], ret[1]) || ret[0] != -ENOENT)
		return;
	if (!same(r, "elements returned", total[0], total[1]))
		return;
	entry_cmp_len = (int)sizeof(struct entry);
	qsort(e[0], total[0], sizeof(struct entry), entry_cmp);
	qsort(e[1], total[1], sizeof(struct entry), entry_cmp);
	for (uint32_t j = 0; j < total[0] && !r->failed; j++) {
		same_bytes(r, "batch key (sorted)", e[0][j].key, e[1][j].key, s->key_size);
		same_bytes(r, "batch value", e[0][j].value, e[1][j].value, s->value_size);
	}
}

/* Batch corner cases: count 0, a token past the end, non-zero flags. */
static void op_batch_edges(struct run *r)
{
	static unsigned char keys[2][MAX_ELEMS * BUF], values[2][MAX_ELEMS * BUF];
	unsigned char tok[BUF], out[2][BUF];
	uint32_t c[2], which = below(r, 4), cnt = which == 0 ? 0 : 1 + below(r, 4);
	uint64_t ef = which == 2 ? BPF_F_LOCK : 0, fl = which == 3 ? 1 : 0;
	int cmd = below(r, 2) ? BPF_MAP_LOOKUP_BATCH : BPF_MAP_LOOKUP_AND_DELETE_BATCH;
	bool with_tok = which == 1 || below(r, 2);
	int ret[2];

	if (!strict) {
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
		ret[i] = side[i]->batch(cmd, r->fd[i], with_tok ? tok : NULL, out[i], keys[i],
					values[i], &c[i], ef, fl);
	}
	if (same(r, "return", ret[0], ret[1]) && (strict || which != 1 || ordered(r->s)))
		same(r, "count", c[0], c[1]);
}

static void run_keyed(struct run *r, int ops)
{
	unsigned char key[BUF];

	for (r->step = 0; r->step < ops && !r->failed; r->step++) {
		uint32_t p = below(r, 1000);

		make_key(r->s, random_key_index(r), key);
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
			op_drain(r, BPF_MAP_LOOKUP_BATCH, 1 + below(r, r->s->max_entries + 2));
		else if (p < 960)
			op_drain(r, BPF_MAP_LOOKUP_AND_DELETE_BATCH, 1 + below(r, r->s->max_entries + 2));
		else if (p < 975)
			op_batch_edges(r);
		else
			compare_contents(r, true);
	}
	if (!r->failed)
		compare_contents(r, true);
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
		same(r, "return", ret[0], ret[1]);
		return;
	}
	for (int k = 0; k < 2; k++)
		if (ret[k] != expected && ret[k] != evicted)
			broken(r, k, "update of the key just updated", ret[k]);
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
		uint32_t i = random_key_index(r), p = below(r, 100);

		make_key(s, i, key);
		fill_random(r, v, BUF);
		r->op = "update(ANY)";
		if (!same(r, "return", side[0]->update(r->fd[0], key, v, BPF_ANY),
			  side[1]->update(r->fd[1], key, v, BPF_ANY)))
			break;
		memcpy(last[i], v, BUF);
		written[i] = true;
		r->op = "lookup(just updated)";
		for (int k = 0; k < 2; k++)
			ret[k] = side[k]->lookup(r->fd[k], key, got[k], 0);
		if (same(r, "return", ret[0], ret[1]) && !ret[0])
			same_bytes(r, "value", got[0], got[1], s->value_size);
		if (p < 15) {
			r->op = "update(NOEXIST, just updated)";
			for (int k = 0; k < 2; k++)
				ret[k] = side[k]->update(r->fd[k], key, v, BPF_NOEXIST);
			lru_compare(r, ret, -EEXIST, 0);
		} else if (p < 30) {
			fill_random(r, v, BUF);
			r->op = "update(EXIST, just updated)";
			for (int k = 0; k < 2; k++)
				ret[k] = side[k]->update(r->fd[k], key, v, BPF_EXIST);
			lru_compare(r, ret, 0, -ENOENT);
			if (!ret[0] || !ret[1])
				memcpy(last[i], v, BUF);
		} else if (p < 40) {
			r->op = "delete(just updated)";
			same(r, "return", side[0]->del(r->fd[0], key), side[1]->del(r->fd[1], key));
			r->op = "delete(just deleted)";
			same(r, "return", side[0]->del(r->fd[0], key), side[1]->del(r->fd[1], key));
		} else if (p < 50) {
			r->op = "lookup_and_delete(just updated)";
			for (int k = 0; k < 2; k++)
				ret[k] = side[k]->lookup_and_delete(r->fd[k], key, got[k], 0);
			if (same(r, "return", ret[0], ret[1]) && !ret[0])
				same_bytes(r, "value", got[0], got[1], s->value_size);
			r->op = "lookup(just deleted)";
			same(r, "return", side[0]->lookup(r->fd[0], key, got[0], 0),
			     side[1]->lookup(r->fd[1], key, got[1], 0));
		} else if (p < 70) {
			/* Any key: present or not is eviction's choice; its value is not. */
			uint32_t j = random_key_index(r);

			make_key(s, j, key);
			r->op = "lookup(any key)";
			for (int k = 0; k < 2; k++) {
				ret[k] = side[k]->lookup(r->fd[k], key, got[k], 0);
				if (ret[k] && ret[k] != -ENOENT)
					broken(r, k, "lookup", ret[k]);
				else if (!ret[k] && (!written[j] || memcmp(got[k], last[j], s->value_size)))
					broken(r, k, "lookup found a value never written to the key", 0);
			}
		} else if (p < 75) {
			uint32_t j = random_key_index(r);

			make_key(s, j, key);
			r->op = "delete(any key)";
			for (int k = 0; k < 2; k++) {
				ret[k] = side[k]->del(r->fd[k], key);
				if (ret[k] && ret[k] != -ENOENT)
					broken(r, k, "delete", ret[k]);
			}
		}
		if (r->step % 8 == 0) {
			r->op = "count";
			for (int k = 0; k < 2; k++) {
				int n = count_keys(r, k);

				if (n > (int)s->max_entries)
					broken(r, k, "iteration yields more than max_entries keys", n);
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
	uint32_t bytes = r->s->key_size - 4, b = below(r, 3);
	unsigned char *k = key;

	memset(k, 0, BUF);
	memcpy(k, &prefixlen, 4);
	memcpy(k + 4, bases[b], bytes);
	/* Vary the low half of the bits, more rarely the high ones. */
	for (uint32_t i = bytes / 2; i < bytes; i++)
		k[4 + i] = below(r, 4) ? (unsigned char)below(r, 4) : (unsigned char)rnd(r);
	if (below(r, 10) == 0)
		k[4] ^= (unsigned char)(1u << below(r, 8));
}

static uint32_t lpm_prefixlen(struct run *r)
{
	uint32_t bits = lpm_bits(r->s);

	return below(r, 100) < 97 ? below(r, bits + 1) : bits + 1 + below(r, 8);
}

static void run_lpm(struct run *r, int ops)
{
	static unsigned char recent[32][BUF];
	const struct spec *s = r->s;
	unsigned char key[BUF], v[BUF], got[2][BUF];
	uint32_t n_recent = 0;
	int ret[2];

	for (r->step = 0; r->step < ops && !r->failed; r->step++) {
		uint32_t p = below(r, 100);

		if (p < 35) {
			lpm_key(r, key, lpm_prefixlen(r));
			uint64_t f = update_flags(r);

			fill_random(r, v, BUF);
			r->op = "update";
			if (same(r, "return", side[0]->update(r->fd[0], key, v, f),
				 side[1]->update(r->fd[1], key, v, f)))
				memcpy(recent[n_recent++ % 32], key, BUF);
		} else if (p < 50) {
			if (n_recent && below(r, 2))
				memcpy(key, recent[below(r, n_recent < 32 ? n_recent : 32)], BUF);
			else
				lpm_key(r, key, lpm_prefixlen(r));
			op_delete(r, key);
		} else if (p < 80) {
			lpm_key(r, key, lpm_bits(s));
			r->op = "lookup(full length)";
			memset(got, 0xa5, sizeof(got));
			for (int k = 0; k < 2; k++)
				ret[k] = side[k]->lookup(r->fd[k], key, got[k], 0);
			if (same(r, "return", ret[0], ret[1]) && !ret[0])
				same_bytes(r, "longest-match value", got[0], got[1], s->value_size);
		} else if (p < 90) {
			uint64_t f = lookup_flags(r);

			lpm_key(r, key, lpm_prefixlen(r));
			r->op = "lookup(prefix)";
			memset(got, 0xa5, sizeof(got));
			for (int k = 0; k < 2; k++)
				ret[k] = side[k]->lookup(r->fd[k], key, got[k], f);
			if (same(r, "return", ret[0], ret[1]) && !ret[0])
				same_bytes(r, "longest-match value", got[0], got[1], s->value_size);
		} else if (p < 93) {
			op_next(r, NULL);
		} else if (p < 96) {
			if (n_recent && below(r, 2))
				memcpy(key, recent[below(r, n_recent < 32 ? n_recent : 32)], BUF);
			else
				lpm_key(r, key, lpm_prefixlen(r));
			op_next(r, key);
		} else if (p < 97) {
			lpm_key(r, key, lpm_prefixlen(r));
			op_lookup_and_delete(r, key);
		} else {
			compare_contents(r, true);
		}
	}
	if (!r->failed)
		compare_contents(r, true);
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
		uint32_t p = below(r, 100);
		bool has_value = false;
		uint64_t f;

		memset(got, 0xa5, sizeof(got));
		if (p < 40) {
			f = below(r, 10) ? push_flags[below(r, 4)] : push_flags[below(r, 8)];
			fill_random(r, v, BUF);
			r->op = f == BPF_EXIST ? "push(EXIST)" : "push";
			same(r, "return", side[0]->update(r->fd[0], NULL, v, f),
			     side[1]->update(r->fd[1], NULL, v, f));
			continue;
		}
		if (p < 70) {
			f = below(r, 20) ? 0 : lookup_flags(r);
			r->op = "pop";
			has_value = true;
			for (int k = 0; k < 2; k++)
				ret[k] = side[k]->lookup_and_delete(r->fd[k], NULL, got[k], f);
		} else if (p < 90) {
			f = below(r, 20) ? 0 : lookup_flags(r);
			r->op = "peek";
			has_value = true;
			for (int k = 0; k < 2; k++)
				ret[k] = side[k]->lookup(r->fd[k], NULL, got[k], f);
		} else if (p < 93) {
			r->op = "delete";
			for (int k = 0; k < 2; k++)
				ret[k] = side[k]->del(r->fd[k], NULL);
		} else if (p < 96) {
			r->op = "get_next_key";
			for (int k = 0; k < 2; k++)
				ret[k] = side[k]->next(r->fd[k], NULL, got[k]);
		} else if (p < 98) {
			/* key_size is 0: a key pointer is refused. */
			bool peek = below(r, 2);

			r->op = peek ? "peek(with key)" : "push(with key)";
			fill_random(r, v, BUF);
			for (int k = 0; k < 2; k++)
				ret[k] = peek ? side[k]->lookup(r->fd[k], dummy, got[k], 0) :
						side[k]->update(r->fd[k], dummy, v, 0);
		} else {
			uint32_t c[2];

			r->op = "lookup_batch";
			for (int k = 0; k < 2; k++) {
				c[k] = 1;
				ret[k] = side[k]->batch(BPF_MAP_LOOKUP_BATCH, r->fd[k], NULL, dummy, got[k],
							got[k], &c[k], 0, 0);
			}
			if (same(r, "return", ret[0], ret[1]))
				same(r, "count", c[0], c[1]);
			continue;
		}
		if (same(r, "return", ret[0], ret[1]) && !ret[0] && has_value)
			same_bytes(r, "value", got[0], got[1], s->value_size);
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
		if (!open_pair(&r)) {
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
		close_pair(&r);
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
		int k = side[0]->create(c[i].type, c[i].ks, c[i].vs, c[i].max, c[i].flags, 0);
		int h = side[1]->create(c[i].type, c[i].ks, c[i].vs, c[i].max, c[i].flags, 0);

		if (!(h < 0 && host_lacks_type(h))) {
			snprintf(op, sizeof(op), "create(type %u, key %u, value %u, max %u, flags 0x%x)",
				 c[i].type, c[i].ks, c[i].vs, c[i].max, c[i].flags);
			r.op = op;
			same(&r, "return", k >= 0 ? 0 : k, h >= 0 ? 0 : h);
		}
		if (k >= 0)
			side[0]->close(k);
		if (h >= 0)
			side[1]->close(h);
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
		side[1] = &kernel_backend;
	if ((e = getenv("KDIFF_STRICT")) && *e == '0')
		strict = false;
	return test_run("kernel_diff", cases, ARRAY_SIZE(cases));
}
