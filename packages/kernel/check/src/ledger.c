// SPDX-License-Identifier: MIT
/*
 * The ledger: what the guide's invariants need counted. A prepared value is
 * the bytes an update left for the core to store (the provider's out_value
 * with updates_original_value, else the caller's value), keyed by map
 * context and key; each must reach a delete callback exactly once. Array
 * elements start prepared (zero-filled). Map contexts from create must each
 * reach postprocess_map_delete once; epoch allocations must each be freed.
 * Contexts may be shared between maps (a provider may return one context
 * for all), so everything is a multiset.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"

struct prepared {
	const void *ctx;
	uint8_t *key;
	uint8_t *val;
	size_t ksz, vsz;
	unsigned long count;
};

struct live_map {
	const void *ctx;
	uint32_t actual_value_size;
};

struct allocation {
	void *p;
	size_t size;
	bool aligned;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct prepared *prep;
static size_t nprep, capprep;
static struct live_map *maps;
static size_t nmaps, capmaps;
static struct allocation *allocs;
static size_t nallocs, capallocs;

static void *grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	void *p;

	if (n < *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 64;
	p = realloc(arr, *cap * elem);
	if (!p)
		abort();	/* the kit's own bookkeeping: nothing sensible to report */
	return p;
}

static struct prepared *find_prepared(const void *ctx, const uint8_t *key, size_t ksz,
				      const uint8_t *val, size_t vsz)
{
	for (size_t i = 0; i < nprep; i++) {
		struct prepared *r = &prep[i];

		if (r->ctx == ctx && r->ksz == ksz && r->vsz == vsz && !memcmp(r->key, key, ksz) &&
		    !memcmp(r->val, val, vsz))
			return r;
	}
	return NULL;
}

static void add_prepared(const void *ctx, const uint8_t *key, size_t ksz, const uint8_t *val,
			 size_t vsz, unsigned long count)
{
	struct prepared *r = find_prepared(ctx, key, ksz, val, vsz);

	if (r) {
		r->count += count;
		return;
	}
	prep = grow(prep, &capprep, nprep, sizeof(*prep));
	r = &prep[nprep++];
	r->ctx = ctx;
	r->ksz = ksz;
	r->vsz = vsz;
	r->key = malloc(ksz ? ksz : 1);
	r->val = malloc(vsz ? vsz : 1);
	if (!r->key || !r->val)
		abort();
	memcpy(r->key, key, ksz);
	memcpy(r->val, val, vsz);
	r->count = count;
}

void ledger_prepare(const void *ctx, const uint8_t *key, size_t ksz, const uint8_t *val, size_t vsz)
{
	pthread_mutex_lock(&lock);
	add_prepared(ctx, key, ksz, val, vsz, 1);
	pthread_mutex_unlock(&lock);
}

bool ledger_release(const void *ctx, const uint8_t *key, size_t ksz, const uint8_t *val, size_t vsz)
{
	struct prepared *r;
	bool ok = false;

	pthread_mutex_lock(&lock);
	r = find_prepared(ctx, key, ksz, val, vsz);
	if (r) {
		ok = true;
		if (--r->count == 0) {
			free(r->key);
			free(r->val);
			*r = prep[--nprep];
		}
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

bool ledger_holds(const void *ctx, const uint8_t *key, size_t ksz, const uint8_t *val, size_t vsz)
{
	bool ok;

	pthread_mutex_lock(&lock);
	ok = find_prepared(ctx, key, ksz, val, vsz) != NULL;
	pthread_mutex_unlock(&lock);
	return ok;
}

unsigned long ledger_prepared(void)
{
	unsigned long n = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nprep; i++)
		n += prep[i].count;
	pthread_mutex_unlock(&lock);
	return n;
}

void ledger_map_created(const void *ctx, uint32_t base, uint32_t key_size, uint32_t max_entries,
			uint32_t actual_value_size)
{
	pthread_mutex_lock(&lock);
	maps = grow(maps, &capmaps, nmaps, sizeof(*maps));
	maps[nmaps].ctx = ctx;
	maps[nmaps].actual_value_size = actual_value_size;
	nmaps++;
	/* An array's elements exist from the start, zero-filled: each leaves once. */
	if (base == BPFHOST_BASE_MAP_TYPE_ARRAY && key_size == sizeof(uint32_t)) {
		uint8_t *zero = calloc(1, actual_value_size ? actual_value_size : 1);

		if (!zero)
			abort();
		for (uint32_t i = 0; i < max_entries; i++)
			add_prepared(ctx, (const uint8_t *)&i, sizeof(i), zero, actual_value_size, 1);
		free(zero);
	}
	pthread_mutex_unlock(&lock);
}

bool ledger_map_deleted(const void *ctx)
{
	bool ok = false;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nmaps; i++)
		if (maps[i].ctx == ctx) {
			maps[i] = maps[--nmaps];
			ok = true;
			break;
		}
	pthread_mutex_unlock(&lock);
	return ok;
}

unsigned long ledger_live_maps(void)
{
	unsigned long n;

	pthread_mutex_lock(&lock);
	n = nmaps;
	pthread_mutex_unlock(&lock);
	return n;
}

uint32_t ledger_actual_value_size(const void *ctx)
{
	uint32_t size = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nmaps; i++)
		if (maps[i].ctx == ctx) {
			size = maps[i].actual_value_size;
			break;
		}
	pthread_mutex_unlock(&lock);
	return size;
}

void ledger_alloc(void *p, size_t size, bool aligned)
{
	pthread_mutex_lock(&lock);
	allocs = grow(allocs, &capallocs, nallocs, sizeof(*allocs));
	allocs[nallocs].p = p;
	allocs[nallocs].size = size;
	allocs[nallocs].aligned = aligned;
	nallocs++;
	pthread_mutex_unlock(&lock);
}

int ledger_free(void *p, bool aligned)
{
	int ret = -1;

	pthread_mutex_lock(&lock);
	for (size_t i = nallocs; i-- > 0;)
		if (allocs[i].p == p) {
			if (allocs[i].aligned != aligned) {
				ret = -2;
				break;
			}
			allocs[i] = allocs[--nallocs];
			ret = 0;
			break;
		}
	pthread_mutex_unlock(&lock);
	return ret;
}

unsigned long ledger_allocs(size_t *bytes)
{
	unsigned long n;
	size_t b = 0;

	pthread_mutex_lock(&lock);
	n = nallocs;
	for (size_t i = 0; i < nallocs; i++)
		b += allocs[i].size;
	pthread_mutex_unlock(&lock);
	if (bytes)
		*bytes = b;
	return n;
}

/* Drops what is left prepared for @ctx; returns how many were not all-zero values. */
unsigned long ledger_purge(const void *ctx, unsigned long *zeros)
{
	unsigned long nonzero = 0, z = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nprep;) {
		struct prepared *r = &prep[i];
		bool zero = true;

		if (r->ctx != ctx) {
			i++;
			continue;
		}
		for (size_t j = 0; j < r->vsz; j++)
			zero = zero && !r->val[j];
		if (zero)
			z += r->count;
		else
			nonzero += r->count;
		free(r->key);
		free(r->val);
		*r = prep[--nprep];
	}
	pthread_mutex_unlock(&lock);
	if (zeros)
		*zeros = z;
	return nonzero;
}

/* Maps still live with context @ctx. */
unsigned long ledger_maps_with(const void *ctx)
{
	unsigned long n = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nmaps; i++)
		n += maps[i].ctx == ctx;
	pthread_mutex_unlock(&lock);
	return n;
}
