// SPDX-License-Identifier: MIT
#include "map_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_bpf.h"
#include "test.h"

const struct backend kdiff_kernel_backend = {
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

const struct backend kdiff_host_backend = {
	"bpfhost", host_create, host_lookup, host_update, host_delete, host_next,
	host_lookup_and_delete, host_batch, host_close,
};

/* Side 0 is the oracle (the kernel); side 1 is bpfhost (or the kernel with KDIFF_SELF). */
const struct backend *kdiff_side[2] = { &kdiff_kernel_backend, &kdiff_host_backend };
bool kdiff_strict = true;



uint64_t kdiff_rnd(struct run *r)
{
	uint64_t z = (r->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t kdiff_below(struct run *r, uint32_t n)
{
	return (uint32_t)(kdiff_rnd(r) % n);
}

void kdiff_fill_random(struct run *r, void *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		((unsigned char *)p)[i] = (unsigned char)kdiff_rnd(r);
}

const char *kdiff_errname(int e)
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

void kdiff_mismatch(struct run *r, const char *what, const char *k, const char *h)
{
	test_checks++;
	test_failures++;
	r->failed = true;
	fprintf(stderr, "MISMATCH %s seed=%u step=%d op=%s: %s: kernel %s, %s %s (bpfhost last error: %s)\n",
		r->s->name, r->seed, r->step, r->op, what, k, kdiff_side[1]->name, h, bpfhost_last_error());
}

/* Compares two results (return values, counts); false on a mismatch. */
bool kdiff_same(struct run *r, const char *what, long long k, long long h)
{
	char kb[48], hb[48];

	if (k == h) {
		test_checks++;
		return true;
	}
	snprintf(kb, sizeof(kb), "%lld (%s)", k, kdiff_errname((int)k));
	snprintf(hb, sizeof(hb), "%lld (%s)", h, kdiff_errname((int)h));
	kdiff_mismatch(r, what, kb, hb);
	return false;
}

void kdiff_hex(char *out, size_t len, const void *p, uint32_t n)
{
	size_t o = 0;

	for (uint32_t i = 0; i < n && o + 3 < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%02x", ((const unsigned char *)p)[i]);
	out[o] = 0;
}

bool kdiff_same_bytes(struct run *r, const char *what, const void *k, const void *h, uint32_t n)
{
	char kb[2 * BUF + 1], hb[2 * BUF + 1];

	if (!memcmp(k, h, n)) {
		test_checks++;
		return true;
	}
	kdiff_hex(kb, sizeof(kb), k, n);
	kdiff_hex(hb, sizeof(hb), h, n);
	kdiff_mismatch(r, what, kb, hb);
	return false;
}

/* A failure of the test's own expectations on one side (not a comparison). */
void kdiff_broken(struct run *r, int s, const char *what, int ret)
{
	char b[96];

	snprintf(b, sizeof(b), "%s returned %d (%s)", what, ret, kdiff_errname(ret));
	kdiff_mismatch(r, kdiff_side[s]->name, s ? "(expected)" : b, s ? b : "(expected)");
}

/* ---- whole-map views ---- */


static int entry_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct entry));
}

void kdiff_sort_entries(struct entry *e, size_t n)
{
	qsort(e, n, sizeof(*e), entry_cmp);
}

/*
 * Every key by get_next_key from NULL, each with its value, sorted; -1 if
 * the iteration fails, repeats a key or does not end.
 */
int kdiff_collect(struct run *r, int s, struct entry *out, bool values)
{
	const struct spec *sp = r->s;
	unsigned char key[BUF], next[BUF];
	int n = 0, ret;

	for (ret = kdiff_side[s]->next(r->fd[s], NULL, next); ret == 0;
	     ret = kdiff_side[s]->next(r->fd[s], key, next)) {
		if (n >= MAX_ELEMS || n > (int)sp->max_entries + 2) {
			kdiff_broken(r, s, "get_next_key iteration does not end", n);
			return -1;
		}
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(out[n].key, next, sp->key_size);
		for (int i = 0; i < n; i++) {
			if (!memcmp(out[i].key, next, sp->key_size)) {
				kdiff_broken(r, s, "get_next_key iteration repeats a key", i);
				return -1;
			}
		}
		if (values) {
			ret = kdiff_side[s]->lookup(r->fd[s], next, out[n].value, 0);
			if (ret) {
				kdiff_broken(r, s, "lookup of an iterated key", ret);
				return -1;
			}
		}
		memcpy(key, next, sp->key_size);
		n++;
	}
	if (ret != -ENOENT) {
		kdiff_broken(r, s, "get_next_key", ret);
		return -1;
	}
	kdiff_sort_entries(out, (size_t)n);
	return n;
}

/* Both maps hold the same set of keys (and values). */
void kdiff_compare_contents(struct run *r, bool values)
{
	static struct entry e[2][MAX_ELEMS];
	int n[2];
	const char *op = r->op;

	r->op = "iterate";
	n[0] = kdiff_collect(r, 0, e[0], values);
	n[1] = kdiff_collect(r, 1, e[1], values);
	if (n[0] >= 0 && n[1] >= 0 && kdiff_same(r, "number of keys", n[0], n[1])) {
		for (int i = 0; i < n[0] && !r->failed; i++) {
			kdiff_same_bytes(r, "key (sorted)", e[0][i].key, e[1][i].key, r->s->key_size);
			if (values)
				kdiff_same_bytes(r, "value of key", e[0][i].value, e[1][i].value,
					   r->s->value_size);
		}
	}
	r->op = op;
}

int kdiff_count_keys(struct run *r, int s)
{
	static struct entry e[MAX_ELEMS];

	return kdiff_collect(r, s, e, false);
}

/* ---- setup ---- */

bool kdiff_host_lacks_type(int ret)
{
	return ret == -EINVAL && strstr(bpfhost_last_error(), "is not supported");
}

/* Creates both maps; false (and a printed SKIP) when bpfhost lacks the type. */
bool kdiff_open_pair(struct run *r)
{
	const struct spec *s = r->s;

	r->fd[0] = kdiff_side[0]->create(s->type, s->key_size, s->value_size, s->max_entries,
				   s->map_flags, 0);
	r->fd[1] = kdiff_side[1]->create(s->type, s->key_size, s->value_size, s->max_entries,
				   s->map_flags, 0);
	if (r->fd[1] < 0 && kdiff_host_lacks_type(r->fd[1])) {
		if (r->fd[0] >= 0)
			kdiff_side[0]->close(r->fd[0]);
		return false;
	}
	r->op = "create";
	if (!kdiff_same(r, "create succeeds", r->fd[0] >= 0 ? 0 : r->fd[0], r->fd[1] >= 0 ? 0 : r->fd[1]) ||
	    r->fd[0] < 0) {
		for (int i = 0; i < 2; i++)
			if (r->fd[i] >= 0)
				kdiff_side[i]->close(r->fd[i]);
		return false;
	}
	return true;
}

void kdiff_close_pair(struct run *r)
{
	kdiff_side[0]->close(r->fd[0]);
	kdiff_side[1]->close(r->fd[1]);
}

/* Key number @i of the key space: distinct for distinct i. */
void kdiff_make_key(const struct spec *s, uint32_t i, void *key)
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

uint64_t kdiff_update_flags(struct run *r)
{
	static const uint64_t odd[] = { BPF_F_LOCK, BPF_F_LOCK | BPF_EXIST, 3, 8, 1ull << 32 };
	uint32_t p = kdiff_below(r, 100);

	if (p < 35)
		return BPF_ANY;
	if (p < 65)
		return BPF_NOEXIST;
	if (p < 95)
		return BPF_EXIST;
	return odd[kdiff_below(r, ARRAY_SIZE(odd))];
}

uint64_t kdiff_lookup_flags(struct run *r)
{
	static const uint64_t odd[] = { BPF_F_LOCK, BPF_NOEXIST, 8 };

	return kdiff_below(r, 100) < 95 ? 0 : odd[kdiff_below(r, ARRAY_SIZE(odd))];
}
