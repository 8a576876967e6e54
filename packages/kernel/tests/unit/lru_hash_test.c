// SPDX-License-Identifier: MIT
/*
 * LRU_HASH and LRU_PERCPU_HASH: eviction instead of -E2BIG, eviction order
 * (program lookups mark, user lookups do not: both as Linux 6.18 answers
 * through bpf(2)), update flags, delete, iteration, batches, per-CPU
 * layout, BPF_F_NO_COMMON_LRU and create errors. Program-side operations
 * are the map ops called under epoch, as the interpreter calls them.
 */
#include "test.h"

#include "maps/map.h"

#define KEYS_MAX 4096
#define CPUS_MAX 1024	/* room for one u64 value per possible CPU */

static uint64_t value_buf[CPUS_MAX];

static int ncpus(void)
{
	return bpfhost_num_possible_cpus();
}

/* A program's bpf_map_lookup_elem(): marks the element referenced. */
static bool prog_lookup(int fd, uint32_t key)
{
	struct bh_map *map;
	bool found;

	epoch_enter();
	map = bh_map_from_handle(fd, "test");
	found = map && map->ops->lookup_elem(map, &key) != NULL;
	epoch_exit();
	return found;
}

static long prog_update(int fd, uint32_t key, const void *value, uint64_t flags)
{
	struct bh_map *map;
	long err;

	epoch_enter();
	map = bh_map_from_handle(fd, "test");
	err = map ? map->ops->update_elem(map, &key, value, flags) : -EBADF;
	epoch_exit();
	return err;
}

static long prog_delete(int fd, uint32_t key)
{
	struct bh_map *map;
	long err;

	epoch_enter();
	map = bh_map_from_handle(fd, "test");
	err = map ? map->ops->delete_elem(map, &key) : -EBADF;
	epoch_exit();
	return err;
}

/* Keys found by get_next_key (u32 keys), or -1 if one shows up twice. */
static int iterate(int fd, uint32_t *keys, int max)
{
	static unsigned char seen[KEYS_MAX];
	uint32_t k, next;
	int n = 0, err;

	memset(seen, 0, sizeof(seen));
	for (err = bpfhost_map_get_next_key(fd, NULL, &next); !err;
	     err = bpfhost_map_get_next_key(fd, &k, &next)) {
		if (next >= KEYS_MAX || seen[next]++ || n == max)
			return -1;
		keys[n++] = next;
		k = next;
	}
	return n;
}

static int count_keys(int fd)
{
	uint32_t keys[KEYS_MAX];

	return iterate(fd, keys, KEYS_MAX);
}

static bool present(int fd, uint32_t key)
{
	return bpfhost_map_lookup_elem(fd, &key, value_buf) == 0;
}

static int fill(int fd, uint32_t from, uint32_t to, uint64_t flags)
{
	int fails = 0;

	for (uint32_t k = from; k < to; k++) {
		for (int c = 0; c < CPUS_MAX; c++)
			value_buf[c] = k;
		fails += bpfhost_map_update_elem(fd, &k, value_buf, flags) != 0;
	}
	return fails;
}

/* Fill, mark a subset from a program, insert more: the unmarked oldest go first. */
static void eviction_order_type(uint32_t type)
{
	int fd = test_map(type, "lru", 4, 8, 64, 0);
	int touched = 0, old = 0, kept = 0, fresh = 0;

	ASSERT_EQ(fill(fd, 0, 64, BPF_NOEXIST), 0, "fill to max_entries");
	for (uint32_t k = 0; k < 16; k++)
		touched += prog_lookup(fd, k);
	ASSERT_EQ(touched, 16, "program lookups find the touched keys");
	ASSERT_EQ(fill(fd, 100, 132, BPF_NOEXIST), 0, "32 more inserts succeed");
	touched = 0;
	for (uint32_t k = 0; k < 16; k++)
		touched += present(fd, k);
	for (uint32_t k = 16; k < 48; k++)
		old += present(fd, k);
	for (uint32_t k = 48; k < 64; k++)
		kept += present(fd, k);
	for (uint32_t k = 100; k < 132; k++)
		fresh += present(fd, k);
	ASSERT_EQ(touched, 16, "touched keys survive");
	ASSERT_EQ(old, 0, "oldest untouched keys are evicted first");
	ASSERT_EQ(kept, 16, "younger untouched keys survive");
	ASSERT_EQ(fresh, 32, "new keys present");
	ASSERT_EQ(count_keys(fd), 64, "map holds max_entries");
	bpfhost_close(fd);
}

static void eviction_order(void)
{
	eviction_order_type(BPF_MAP_TYPE_LRU_HASH);
	eviction_order_type(BPF_MAP_TYPE_LRU_PERCPU_HASH);
}

/* As Linux: user-space lookups do not mark, so a map walk does not skew eviction. */
static void user_lookup_does_not_mark(void)
{
	int fd = test_map(BPF_MAP_TYPE_LRU_HASH, "lru", 4, 8, 64, 0);
	int survivors = 0;

	ASSERT_EQ(fill(fd, 0, 64, BPF_ANY), 0, "fill");
	for (uint32_t k = 0; k < 16; k++)
		survivors += present(fd, k);
	ASSERT_EQ(survivors, 16, "user lookups find them");
	ASSERT_EQ(fill(fd, 100, 116, BPF_ANY), 0, "16 more");
	survivors = 0;
	for (uint32_t k = 0; k < 16; k++)
		survivors += present(fd, k);
	ASSERT_EQ(survivors, 0, "user-looked-up oldest keys are still evicted");
	ASSERT_EQ(count_keys(fd), 64, "count");
	bpfhost_close(fd);
}

static void noexist_exist(void)
{
	int fd = test_map(BPF_MAP_TYPE_LRU_HASH, "lru", 4, 8, 4, 0);
	uint32_t k;
	uint64_t v = 77, out = 0;

	k = 9;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_EXIST), -ENOENT, "EXIST on missing (empty map)");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "map 'lru'", "message names the map");
	ASSERT_EQ(fill(fd, 0, 4, BPF_NOEXIST), 0, "NOEXIST inserts");
	k = 1;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), -EEXIST, "NOEXIST on existing");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "map 'lru'", "EEXIST message names the map");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup");
	ASSERT_EQ(out, 1, "value unchanged by refused NOEXIST");
	k = 9;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_EXIST), -ENOENT, "EXIST on missing (full map)");
	ASSERT_EQ(count_keys(fd), 4, "refused updates evict nothing");
	k = 2;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_EXIST), "EXIST on existing");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup replaced");
	ASSERT_EQ(out, 77, "replaced value");
	k = 3;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "ANY on existing");
	ASSERT_EQ(count_keys(fd), 4, "replacing in a full map evicts nothing");
	for (k = 0; k < 4; k++)
		ASSERT_TRUE(present(fd, k), "all keys still present");
	/* Program-side flags behave the same. */
	ASSERT_EQ(prog_update(fd, 1, &v, BPF_NOEXIST), -EEXIST, "program NOEXIST on existing");
	ASSERT_EQ(prog_update(fd, 42, &v, BPF_EXIST), -ENOENT, "program EXIST on missing");
	bpfhost_close(fd);
}

static void bad_update_flags(void)
{
	int fd = test_map(BPF_MAP_TYPE_LRU_HASH, "lru_flags", 4, 8, 4, 0);
	uint32_t k = 1;
	uint64_t v = 1;

	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_F_LOCK), -EINVAL, "BPF_F_LOCK without a spin lock");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "lru_flags", "message names the map");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, 8), -EINVAL, "unknown update flag");
	ASSERT_EQ(count_keys(fd), 0, "nothing inserted");
	bpfhost_close(fd);
}

static void full_map_never_e2big_type(uint32_t type, uint32_t flags)
{
	int fd = test_map(type, "lru", 4, 8, 8, flags);
	int fails = 0, n;

	fails += fill(fd, 0, 500, BPF_ANY);
	fails += fill(fd, 500, 1000, BPF_NOEXIST);
	ASSERT_EQ(fails, 0, "no insert fails on a full map");
	n = count_keys(fd);
	if (flags & BPF_F_NO_COMMON_LRU) {
		/* Each CPU's list holds its share; this thread may have moved. */
		ASSERT_TRUE(n >= 4 && n <= 8, "per-CPU lists hold at most max_entries");
		ASSERT_TRUE(present(fd, 999), "last key present");
	} else {
		ASSERT_EQ(n, 8, "full map holds max_entries");
		for (uint32_t k = 992; k < 1000; k++)
			ASSERT_TRUE(present(fd, k), "the newest keys are the ones kept");
	}
	bpfhost_close(fd);
}

static void full_map_never_e2big(void)
{
	full_map_never_e2big_type(BPF_MAP_TYPE_LRU_HASH, 0);
	full_map_never_e2big_type(BPF_MAP_TYPE_LRU_PERCPU_HASH, 0);
	full_map_never_e2big_type(BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU);
	full_map_never_e2big_type(BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_F_NO_COMMON_LRU);
}

static void delete_and_reinsert(void)
{
	int fd = test_map(BPF_MAP_TYPE_LRU_HASH, "lru", 4, 8, 4, 0);
	uint32_t k;
	uint64_t v = 5, out = 0;

	ASSERT_EQ(fill(fd, 0, 4, BPF_ANY), 0, "fill");
	k = 2;
	ASSERT_OK(bpfhost_map_delete_elem(fd, &k), "delete");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -ENOENT, "delete again");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "map 'lru'", "message names the map");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &out), -ENOENT, "deleted key gone");
	k = 10;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), "insert into the freed slot");
	ASSERT_EQ(count_keys(fd), 4, "count");
	for (k = 0; k < 4; k++)
		if (k != 2)
			ASSERT_TRUE(present(fd, k), "no eviction when a slot is free");
	k = 1;
	ASSERT_OK(bpfhost_map_lookup_and_delete_elem(fd, &k, &out), "lookup and delete");
	ASSERT_EQ(out, 1, "lookup-and-delete value");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &k, &out), -ENOENT, "lookup and delete again");
	k = 2;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), "re-insert deleted key");
	ASSERT_EQ(count_keys(fd), 4, "full again");
	ASSERT_TRUE(present(fd, 0) && present(fd, 3) && present(fd, 10), "nothing evicted");
	/* Program side. */
	ASSERT_EQ(prog_delete(fd, 3), 0, "program delete");
	ASSERT_EQ(prog_delete(fd, 3), -ENOENT, "program delete again");
	ASSERT_EQ(prog_update(fd, 3, &v, BPF_NOEXIST), 0, "program re-insert");
	ASSERT_EQ(count_keys(fd), 4, "count after program ops");
	bpfhost_close(fd);
}

static void iteration_visits_each_key_once(void)
{
	int fd = test_map(BPF_MAP_TYPE_LRU_HASH, "lru", 4, 8, 32, 0);
	uint32_t keys[64];
	int n, ok = 0;

	ASSERT_EQ(fill(fd, 0, 100, BPF_ANY), 0, "insert 100 into 32");
	n = iterate(fd, keys, 64);
	ASSERT_EQ(n, 32, "each key once, max_entries keys");
	for (int i = 0; i < n; i++) {
		uint64_t v = ~0ULL;

		ok += bpfhost_map_lookup_elem(fd, &keys[i], &v) == 0 && v == keys[i];
	}
	ASSERT_EQ(ok, 32, "every iterated key looks up with its value");
	bpfhost_close(fd);
}

static int batch_all(int fd, bool del, uint32_t *keys, uint64_t *values, int max)
{
	uint32_t batch = 0, count;
	int total = 0, err;
	bool first = true;

	do {
		count = 64;
		if (del)
			err = bpfhost_map_lookup_and_delete_batch(fd, first ? NULL : &batch, &batch,
								  keys + total, values + total, &count, NULL);
		else
			err = bpfhost_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys + total,
						       values + total, &count, NULL);
		first = false;
		if (err && err != -ENOENT)
			return err;
		total += (int)count;
	} while (!err && total + 64 <= max);
	return total;
}

static void batch_ops(void)
{
	int fd = test_map(BPF_MAP_TYPE_LRU_HASH, "lru", 4, 8, 32, 0);
	uint32_t keys[256];
	uint64_t values[256];
	unsigned char seen[256] = { 0 };
	int n, ok = 0;

	ASSERT_EQ(fill(fd, 0, 40, BPF_ANY), 0, "fill (8 evicted)");
	n = batch_all(fd, false, keys, values, 256);
	ASSERT_EQ(n, 32, "lookup batch returns every key");
	for (int i = 0; i < n && i < 256; i++)
		ok += keys[i] < 40 && keys[i] >= 8 && !seen[keys[i]]++ && values[i] == keys[i];
	ASSERT_EQ(ok, 32, "lookup batch: the kept keys, once each, with values");
	n = batch_all(fd, true, keys, values, 256);
	ASSERT_EQ(n, 32, "lookup-and-delete batch returns every key");
	ASSERT_EQ(count_keys(fd), 0, "map empty after lookup-and-delete batch");
	/* The LRU lists followed the batch: a refill evicts nothing. */
	ASSERT_EQ(fill(fd, 1000, 1032, BPF_NOEXIST), 0, "refill");
	ok = 0;
	for (uint32_t k = 1000; k < 1032; k++)
		ok += present(fd, k);
	ASSERT_EQ(ok, 32, "refill kept every key");
	ASSERT_EQ(fill(fd, 2000, 2001, BPF_NOEXIST), 0, "one more");
	ASSERT_EQ(count_keys(fd), 32, "one evicted");
	ASSERT_TRUE(!present(fd, 1000), "the oldest");
	/* Update and delete batches are the generic ones. */
	for (int i = 0; i < 8; i++) {
		keys[i] = 3000 + (uint32_t)i;
		values[i] = keys[i];
	}
	{
		uint32_t count = 8;

		ASSERT_OK(bpfhost_map_update_batch(fd, keys, values, &count, NULL), "update batch");
		ASSERT_EQ(count, 8, "update batch count");
		ASSERT_EQ(count_keys(fd), 32, "still max_entries");
		count = 8;
		ASSERT_OK(bpfhost_map_delete_batch(fd, keys, &count, NULL), "delete batch");
		ASSERT_EQ(count_keys(fd), 24, "8 deleted");
	}
	bpfhost_close(fd);
}

/* Per-CPU values from user space: round_up(value_size, 8) per possible CPU. */
static void percpu_layout_size(uint32_t vs)
{
	uint32_t slot = (vs + 7) / 8 * 8, n = (uint32_t)ncpus(), k = 7;
	size_t total = (size_t)slot * n;
	unsigned char *in = calloc(1, total), *out = calloc(1, total);
	int fd = test_map(BPF_MAP_TYPE_LRU_PERCPU_HASH, "lru_pc", 4, vs, 8, 0), changed = 0;
	unsigned char pv[64];

	for (uint32_t c = 0; c < n; c++)
		memset(in + (size_t)c * slot, 0x10 + (int)c, vs);
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, in, BPF_ANY), "update writes every CPU's slot");
	memset(out, 0xee, total);
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), "lookup");
	for (uint32_t c = 0; c < n; c++)
		ASSERT_OK(memcmp(out + (size_t)c * slot, in + (size_t)c * slot, vs), "each CPU's slot");
	/* A program update writes this CPU's slot only. */
	memset(pv, 0xab, sizeof(pv));
	ASSERT_OK(prog_update(fd, k, pv, BPF_ANY), "program update");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), "lookup after program update");
	for (uint32_t c = 0; c < n; c++)
		changed += memcmp(out + (size_t)c * slot, in + (size_t)c * slot, vs) != 0;
	ASSERT_EQ(changed, 1, "program update changed one slot");
	/* A program insert zero-fills the other CPUs. */
	k = 8;
	ASSERT_OK(prog_update(fd, k, pv, BPF_NOEXIST), "program insert");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), "lookup program insert");
	changed = 0;
	for (uint32_t c = 0; c < n; c++) {
		unsigned char zero[64] = { 0 };

		changed += memcmp(out + (size_t)c * slot, zero, vs) != 0;
	}
	ASSERT_EQ(changed, 1, "one slot set, the others zero");
	bpfhost_close(fd);
	free(in);
	free(out);
}

static void lru_percpu_layout(void)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int fd = test_map(BPF_MAP_TYPE_LRU_PERCPU_HASH, "lru_pc", 4, 4, 8, 0);

	ASSERT_GE(ncpus(), 1, "possible CPUs");
	ASSERT_OK(bpfhost_map_get_info_by_fd(fd, &info, &len), "info");
	ASSERT_EQ(info.type, BPF_MAP_TYPE_LRU_PERCPU_HASH, "info type");
	ASSERT_EQ(info.value_size, 4, "info reports the per-CPU value_size");
	bpfhost_close(fd);
	percpu_layout_size(4);
	percpu_layout_size(12);
	percpu_layout_size(16);
}

/* Linux rounds max_entries up to a multiple of the CPUs for per-CPU lists. */
static void no_common_lru(void)
{
	uint32_t n = (uint32_t)ncpus();

	for (uint32_t max = 1; max <= 5; max++) {
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		int fd = test_map(BPF_MAP_TYPE_LRU_HASH, "lru_nc", 4, 8, max, BPF_F_NO_COMMON_LRU);

		ASSERT_OK(bpfhost_map_get_info_by_fd(fd, &info, &len), "info");
		ASSERT_EQ(info.max_entries, (max + n - 1) / n * n, "max_entries rounded up to CPUs");
		ASSERT_EQ(info.map_flags, BPF_F_NO_COMMON_LRU, "flags kept");
		ASSERT_EQ(fill(fd, 0, 100, BPF_ANY), 0, "inserts never fail");
		ASSERT_TRUE(count_keys(fd) <= (int)info.max_entries, "bounded by max_entries");
		ASSERT_TRUE(present(fd, 99), "last insert present");
		bpfhost_close(fd);
	}
	{
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		int fd = test_map(BPF_MAP_TYPE_LRU_HASH, "lru_c", 4, 8, 3, 0);

		ASSERT_OK(bpfhost_map_get_info_by_fd(fd, &info, &len), "info");
		ASSERT_EQ(info.max_entries, 3, "common LRU keeps max_entries");
		bpfhost_close(fd);
	}
}

static void expect_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags,
			  uint32_t numa, int err, const char *family, const char *name)
{
	BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = flags, .numa_node = numa);
	int fd = bpfhost_map_create(type, "bad", ks, vs, max, &opts);

	if (err == 0) {
		ASSERT_GE(fd, 1, name);
		if (fd >= 0)
			bpfhost_close(fd);
		return;
	}
	ASSERT_EQ(fd, err, name);
	if (fd >= 0)
		bpfhost_close(fd);
	else
		ASSERT_STR_CONTAINS(bpfhost_last_error(), family, name);
}

static void bad_create(void)
{
	const uint32_t lru = BPF_MAP_TYPE_LRU_HASH, pc = BPF_MAP_TYPE_LRU_PERCPU_HASH;
	int handles = bpfhost_handle_count();

	expect_create(lru, 0, 8, 4, 0, 0, -EINVAL, "lru_hash", "key_size 0");
	expect_create(lru, 4, 0, 4, 0, 0, -EINVAL, "lru_hash", "value_size 0");
	expect_create(lru, 4, 8, 0, 0, 0, -EINVAL, "lru_hash", "max_entries 0");
	expect_create(pc, 0, 8, 4, 0, 0, -EINVAL, "lru_percpu_hash", "percpu key_size 0");
	expect_create(pc, 4, 0, 4, 0, 0, -EINVAL, "lru_percpu_hash", "percpu value_size 0");
	expect_create(pc, 4, 8, 0, 0, 0, -EINVAL, "lru_percpu_hash", "percpu max_entries 0");
	expect_create(lru, 4, 8, 4, 1u << 20, 0, -EINVAL, "lru_hash", "unknown flag");
	expect_create(lru, 4, 8, 4, BPF_F_MMAPABLE, 0, -EINVAL, "lru_hash", "BPF_F_MMAPABLE");
	expect_create(lru, 4, 8, 4, BPF_F_INNER_MAP, 0, -EINVAL, "lru_hash", "BPF_F_INNER_MAP");
	expect_create(lru, 4, 8, 4, BPF_F_NO_PREALLOC, 0, -524, "lru_hash",
		      "BPF_F_NO_PREALLOC is -ENOTSUPP (524)");
	expect_create(lru, 4, 8, 0, BPF_F_NO_PREALLOC, 0, -524, "lru_hash",
		      "BPF_F_NO_PREALLOC checked before sizes");
	expect_create(pc, 4, 8, 4, BPF_F_NO_PREALLOC, 0, -524, "lru_percpu_hash", "percpu BPF_F_NO_PREALLOC");
	expect_create(lru, 4, 8, 4, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, 0, -EINVAL, "BPF_F_",
		      "RDONLY_PROG with WRONLY_PROG");
	expect_create(lru, 4, 8, 4, BPF_F_RDONLY | BPF_F_WRONLY, 0, -EINVAL, "BPF_F_", "RDONLY with WRONLY");
	expect_create(lru, 4, 8, 4, BPF_F_NUMA_NODE | BPF_F_NO_COMMON_LRU, 0, -EINVAL, "lru_hash",
		      "NUMA with per-CPU lists");
	expect_create(pc, 4, 8, 4, BPF_F_NUMA_NODE, 0, -EINVAL, "lru_percpu_hash", "NUMA with per-CPU values");
	expect_create(pc, 4, 32769, 4, 0, 0, -E2BIG, "lru_percpu_hash", "per-CPU value over 32 KiB");
	expect_create(BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_NO_COMMON_LRU, 0, -EINVAL, "hash",
		      "BPF_F_NO_COMMON_LRU on a plain hash");
	/* Accepted, as Linux accepts them (err 0: expect a handle). */
	expect_create(lru, 4, 8, 4, BPF_F_NUMA_NODE, 0, 0, "", "NUMA on a common LRU");
	expect_create(pc, 4, 8, 4, BPF_F_NUMA_NODE, 0xffffffffu, 0, "", "NUMA_NO_NODE on per-CPU values");
	expect_create(pc, 4, 32768, 4, 0, 0, 0, "", "per-CPU value of 32 KiB");
	expect_create(lru, 4, 8, 4, BPF_F_ZERO_SEED | BPF_F_RDONLY_PROG | BPF_F_NO_COMMON_LRU, 0, 0, "",
		      "ZERO_SEED, RDONLY_PROG, NO_COMMON_LRU");
	ASSERT_EQ(bpfhost_handle_count(), handles, "no handle leaked");
}

/*
 * A failed allocation leaves the map as it was. Elements come from the
 * list's slab: with 3000-byte values each takes a chunk of its own, so the
 * fifth needs a new chunk and its allocation is the one that fails.
 */
static void out_of_memory(void)
{
	int fd = test_map(BPF_MAP_TYPE_LRU_HASH, "lru_oom", 4, 3000, 4, 0);
	uint32_t k = 9;

	ASSERT_EQ(fill(fd, 0, 4, BPF_ANY), 0, "fill");
	bpfhost_fault_inject_alloc(1);
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, value_buf, BPF_ANY), -ENOMEM, "allocation failure");
	bpfhost_fault_inject_alloc(0);
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "lru_oom", "message names the map");
	ASSERT_EQ(count_keys(fd), 4, "nothing evicted by a failed insert");
	for (k = 0; k < 4; k++)
		ASSERT_TRUE(present(fd, k), "keys intact");
	for (unsigned long nth = 1; nth < 8; nth++) {
		int err;

		bpfhost_fault_inject_alloc(nth);
		err = bpfhost_map_create(BPF_MAP_TYPE_LRU_HASH, "oom", 4, 8, 64, NULL);
		bpfhost_fault_inject_alloc(0);
		if (err >= 0)
			bpfhost_close(err);
		else
			ASSERT_EQ(err, -ENOMEM, "create under allocation failure");
	}
	bpfhost_close(fd);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(eviction_order),
		TEST(user_lookup_does_not_mark),
		TEST(noexist_exist),
		TEST(bad_update_flags),
		TEST(full_map_never_e2big),
		TEST(delete_and_reinsert),
		TEST(iteration_visits_each_key_once),
		TEST(batch_ops),
		TEST(lru_percpu_layout),
		TEST(no_common_lru),
		TEST(bad_create),
		TEST(out_of_memory),
	};
	return test_run("lru_hash", cases, sizeof(cases) / sizeof(cases[0]));
}
