// SPDX-License-Identifier: MIT
/*
 * LPM trie under concurrency: one thread updates and deletes random
 * overlapping prefixes (through the command path and the program-side ops)
 * while another looks addresses up and walks the keys, lock-free. Every
 * value names its own prefix, so a reader can check that what it got covers
 * the address and was not torn; two /8s are never deleted, so every lookup
 * must find something. At the end the trie must hold exactly the writer's
 * model. Meant for ASan and TSan builds too (label "stress").
 */
#include "test.h"
#include "maps/map.h"

#define RUN_NS (3ULL * 1000 * 1000 * 1000)
#define POOL 600

struct k4 {
	uint32_t plen;
	uint8_t d[4];
};

/* The value repeats the prefix, plus a check word over it. */
struct val {
	struct k4 k;
	uint32_t check;
};

static struct k4 pool[POOL];
static bool present[POOL];	/* writer's model */
static int map_fd;
static atomic_bool stop;
static atomic_long reader_lookups, reader_walk_steps, writer_ops;
static atomic_int reader_errors;

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static uint32_t check_of(const struct k4 *k)
{
	uint32_t d;

	memcpy(&d, k->d, 4);
	return (d * 2654435761u) ^ (k->plen * 40503u) ^ 0x5a5a5a5au;
}

static struct val value_of(const struct k4 *k)
{
	struct val v = { *k, check_of(k) };

	return v;
}

/* Does @p (prefixlen bits of data) cover the address @a? */
static bool covers(const struct k4 *p, const uint8_t a[4])
{
	uint32_t pa, aa;

	if (p->plen > 32)
		return false;
	if (p->plen == 0)
		return true;
	pa = (uint32_t)p->d[0] << 24 | (uint32_t)p->d[1] << 16 | (uint32_t)p->d[2] << 8 | p->d[3];
	aa = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	return ((pa ^ aa) >> (32 - p->plen)) == 0;
}

static bool same_prefix(const struct k4 *a, const struct k4 *b)
{
	struct k4 x = *a;

	return a->plen == b->plen && covers(&x, b->d);
}

/* Addresses and prefixes from a small space, so prefixes overlap a lot. */
static void random_addr(uint32_t *s, uint8_t a[4])
{
	uint32_t r = xorshift(s);

	a[0] = (r & 1) ? 10 : 192;
	a[1] = (uint8_t)((r >> 1) & 0x0f);
	a[2] = (uint8_t)((r >> 5) & 0x13);
	a[3] = (uint8_t)(r >> 9);
}

static void build_pool(void)
{
	static const uint32_t lens[] = { 9, 12, 14, 16, 19, 20, 24, 27, 28, 32 };
	uint32_t s = 99;
	int n = 0;

	pool[n++] = (struct k4){ 8, { 10, 0, 0, 0 } };
	pool[n++] = (struct k4){ 8, { 192, 0, 0, 0 } };
	while (n < POOL) {
		struct k4 k = { lens[xorshift(&s) % ARRAY_SIZE(lens)], { 0 } };
		uint8_t a[4];
		bool dup = false;

		random_addr(&s, a);
		/* Store the address's bits: the host bits past the prefix come back from iteration. */
		memcpy(k.d, a, 4);
		for (int i = 0; i < n && !dup; i++)
			dup = same_prefix(&pool[i], &k);
		if (!dup)
			pool[n++] = k;
	}
}

static void *writer(void *arg)
{
	uint32_t s = 7;
	struct bh_map *map;
	long ops = 0;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		/* Slots 0 and 1 (the /8s) are never touched. */
		int i = 2 + (int)(xorshift(&s) % (POOL - 2));
		uint32_t r = xorshift(&s) % 10;
		struct val v = value_of(&pool[i]);
		bool prog = xorshift(&s) & 1;
		long err;

		if (prog) {
			epoch_enter();
			map = bh_map_from_handle(map_fd, "stress");
			err = r < 6 ? map->ops->update_elem(map, &pool[i], &v, BPF_ANY) :
				      map->ops->delete_elem(map, &pool[i]);
			epoch_exit();
		} else {
			err = r < 6 ? bpfhost_map_update_elem(map_fd, &pool[i], &v, BPF_ANY) :
				      bpfhost_map_delete_elem(map_fd, &pool[i]);
		}
		if (r < 6) {
			if (err == 0)
				present[i] = true;
			else
				atomic_fetch_add(&reader_errors, 1);
		} else if (err == 0) {
			present[i] = false;
		} else if (err != -ENOENT || present[i]) {
			atomic_fetch_add(&reader_errors, 1);
		}
		ops++;
	}
	atomic_store(&writer_ops, ops);
	return NULL;
}

static bool good_value(const struct val *v, const uint8_t a[4])
{
	return v->check == check_of(&v->k) && v->k.plen >= 8 && covers(&v->k, a);
}

static void *reader(void *arg)
{
	uint32_t s = 11;
	long lookups = 0, steps = 0;
	struct bh_map *map;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		struct k4 key = { 32, { 0 } }, cur, next;
		struct val v;
		const struct val *p;
		int err;

		random_addr(&s, key.d);
		err = bpfhost_map_lookup_elem(map_fd, &key, &v);
		if (err || !good_value(&v, key.d))
			atomic_fetch_add(&reader_errors, 1);

		/* The program path: a pointer into the trie, read under the epoch. */
		epoch_enter();
		map = bh_map_from_handle(map_fd, "stress");
		p = map->ops->lookup_elem(map, &key);
		if (!p || !good_value(p, key.d))
			atomic_fetch_add(&reader_errors, 1);
		epoch_exit();
		lookups += 2;

		/* Now and then a bounded key walk: every key returned must be one of the pool's. */
		if ((lookups & 255) == 0) {
			err = bpfhost_map_get_next_key(map_fd, NULL, &next);
			for (int n = 0; !err && n < 2 * POOL; n++, steps++) {
				bool known = false;

				for (int i = 0; i < POOL && !known; i++)
					known = same_prefix(&pool[i], &next) &&
						!memcmp(pool[i].d, next.d, 4);
				if (!known)
					atomic_fetch_add(&reader_errors, 1);
				cur = next;
				err = bpfhost_map_get_next_key(map_fd, &cur, &next);
			}
			if (err && err != -ENOENT)
				atomic_fetch_add(&reader_errors, 1);
		}
	}
	atomic_store(&reader_lookups, lookups);
	atomic_store(&reader_walk_steps, steps);
	return NULL;
}

static void concurrent_update_lookup(void)
{
	struct plat_thread w, r;
	uint64_t end;
	struct k4 k, n;
	int stored = 0, listed = 0, err;
	bool exact = true;

	build_pool();
	map_fd = test_map(BPF_MAP_TYPE_LPM_TRIE, "stress", sizeof(struct k4), sizeof(struct val), POOL,
			  BPF_F_NO_PREALLOC);
	for (int i = 0; i < 2; i++) {
		struct val v = value_of(&pool[i]);

		ASSERT_OK(bpfhost_map_update_elem(map_fd, &pool[i], &v, BPF_NOEXIST), "stable /8");
		present[i] = true;
	}

	ASSERT_OK(plat_thread_start(&w, writer, NULL), "start writer");
	ASSERT_OK(plat_thread_start(&r, reader, NULL), "start reader");
	end = plat_ktime_ns() + RUN_NS;
	while (plat_ktime_ns() < end)
		plat_sleep_us(10000);
	atomic_store(&stop, true);
	plat_thread_join(&w);
	plat_thread_join(&r);
	printf("writer ops %ld, reader lookups %ld, walk steps %ld\n", atomic_load(&writer_ops),
	       atomic_load(&reader_lookups), atomic_load(&reader_walk_steps));
	ASSERT_EQ(atomic_load(&reader_errors), 0, "no bad result seen by either thread");
	ASSERT_TRUE(atomic_load(&writer_ops) > 1000, "writer made progress");
	ASSERT_TRUE(atomic_load(&reader_lookups) > 1000, "reader made progress");

	/* Quiescent: the trie is exactly the writer's model. */
	for (int i = 0; i < POOL; i++) {
		struct val v;

		stored += present[i];
		err = bpfhost_map_lookup_elem(map_fd, &pool[i], &v);
		if (present[i] && (err || !same_prefix(&v.k, &pool[i])))
			exact = false;
		if (!present[i] && !err && same_prefix(&v.k, &pool[i]))
			exact = false;
	}
	ASSERT_TRUE(exact, "each pool prefix is stored iff the model says so");
	for (err = bpfhost_map_get_next_key(map_fd, NULL, &n); !err && listed <= POOL;
	     k = n, err = bpfhost_map_get_next_key(map_fd, &k, &n))
		listed++;
	ASSERT_EQ(err, -ENOENT, "walk ends");
	ASSERT_EQ(listed, stored, "walk lists every stored prefix once");
	bpfhost_close(map_fd);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(concurrent_update_lookup),
	};
	return test_run("lpm_trie_stress", cases, ARRAY_SIZE(cases));
}
