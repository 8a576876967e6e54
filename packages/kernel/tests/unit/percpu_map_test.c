// SPDX-License-Identifier: MIT
/*
 * The per-CPU value layout of PERCPU_HASH, PERCPU_ARRAY and LRU_PERCPU_HASH
 * as Linux 6.18 shows it through bpf(2): from user space a value is one
 * round_up(value_size, 8) slot per possible CPU, padding included (an
 * update writes every slot, a lookup returns every slot and nothing past
 * them); a program sees its own CPU's slot only.
 */
#include "test.h"

#include "maps/map.h"

#define CANARY 0xee

static const uint32_t percpu_types[] = {
	BPF_MAP_TYPE_PERCPU_HASH,
	BPF_MAP_TYPE_PERCPU_ARRAY,
	BPF_MAP_TYPE_LRU_PERCPU_HASH,
};

static const char *type_name(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_PERCPU_HASH:
		return "percpu_hash";
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return "percpu_array";
	default:
		return "lru_percpu_hash";
	}
}

static uint32_t ncpus(void)
{
	return (uint32_t)bpfhost_num_possible_cpus();
}

static uint32_t slot_of(uint32_t vs)
{
	return (vs + 7) / 8 * 8;
}

/* Every byte of CPU c's slot (padding too) is c-dependent; @salt varies it per key. */
static void fill_pattern(unsigned char *buf, uint32_t vs, unsigned salt)
{
	uint32_t slot = slot_of(vs);

	for (uint32_t c = 0; c < ncpus(); c++)
		for (uint32_t i = 0; i < slot; i++)
			buf[(size_t)c * slot + i] = (unsigned char)(0x11 * (c + 1) + i + salt);
}

/* Runs @fn(map, key, value, flags) as a program would: under epoch. */
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

/* Copies what a program's lookup sees (vs bytes) into @out; false if not found. */
static bool prog_lookup(int fd, uint32_t key, void *out, uint32_t vs)
{
	struct bh_map *map;
	void *p = NULL;

	epoch_enter();
	map = bh_map_from_handle(fd, "test");
	if (map)
		p = map->ops->lookup_elem(map, &key);
	if (p)
		memcpy(out, p, vs);
	epoch_exit();
	return p != NULL;
}

/* User space: every slot written, every slot returned, nothing past them. */
static void user_layout_one(uint32_t type, uint32_t vs)
{
	uint32_t slot = slot_of(vs), k = 3;
	size_t total = (size_t)slot * ncpus();
	unsigned char *in = malloc(total), *out = malloc(total + 64);
	int fd = test_map(type, "pc_layout", 4, vs, 8, 0);
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	char name[96];
	bool tail_ok = true;

	snprintf(name, sizeof(name), "%s value_size %u", type_name(type), vs);
	ASSERT_OK(bpfhost_map_get_info_by_fd(fd, &info, &len), name);
	ASSERT_EQ(info.value_size, vs, "info reports the per-CPU value_size");
	fill_pattern(in, vs, 0);
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, in, BPF_ANY), name);
	memset(out, CANARY, total + 64);
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), name);
	ASSERT_OK(memcmp(out, in, total), "every CPU's slot round-trips, padding included");
	for (size_t i = total; i < total + 64; i++)
		tail_ok &= out[i] == CANARY;
	ASSERT_TRUE(tail_ok, "lookup writes round_up(value_size, 8) x CPUs bytes, no more");
	bpfhost_close(fd);
	free(in);
	free(out);
}

static void user_layout(void)
{
	static const uint32_t sizes[] = { 1, 4, 8, 12, 16, 100 };

	ASSERT_GE(ncpus(), 1, "possible CPUs");
	for (size_t t = 0; t < sizeof(percpu_types) / sizeof(percpu_types[0]); t++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			user_layout_one(percpu_types[t], sizes[s]);
}

/* A program reads its CPU's slot and writes only that slot. */
static void program_view_one(uint32_t type)
{
	uint32_t vs = 12, slot = slot_of(vs), k = 5, n = ncpus();
	size_t total = (size_t)slot * n;
	unsigned char *in = malloc(total), *out = malloc(total), seen[16], pv[16];
	int fd = test_map(type, "pc_prog", 4, vs, 8, 0), matches = 0, changed = 0;

	fill_pattern(in, vs, 0);
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, in, BPF_ANY), "user update");
	ASSERT_TRUE(prog_lookup(fd, k, seen, vs), "program lookup finds the key");
	for (uint32_t c = 0; c < n; c++)
		matches += memcmp(seen, in + (size_t)c * slot, vs) == 0;
	ASSERT_EQ(matches, 1, "program lookup sees one CPU's slot");
	memset(pv, 0x77, sizeof(pv));
	ASSERT_OK(prog_update(fd, k, pv, BPF_ANY), "program update");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), "user lookup");
	for (uint32_t c = 0; c < n; c++) {
		if (memcmp(out + (size_t)c * slot, in + (size_t)c * slot, slot) == 0)
			continue;
		changed++;
		ASSERT_OK(memcmp(out + (size_t)c * slot, pv, vs), "the changed slot holds the program's value");
	}
	ASSERT_EQ(changed, 1, "program update changed this CPU's slot only");
	bpfhost_close(fd);
	free(in);
	free(out);
}

static void program_view(void)
{
	for (size_t t = 0; t < sizeof(percpu_types) / sizeof(percpu_types[0]); t++)
		program_view_one(percpu_types[t]);
}

/* Hash variants: a program insert sets one slot; the others start zeroed. */
static void program_insert_zero_fills(void)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH };

	for (size_t t = 0; t < 2; t++) {
		uint32_t vs = 4, slot = 8, n = ncpus(), k = 9, v = 0xabcdef01u;
		unsigned char *out = malloc((size_t)slot * n), zero[8] = { 0 };
		int fd = test_map(types[t], "pc_ins", 4, vs, 8, 0), set = 0, zeroed = 0;

		ASSERT_OK(prog_update(fd, k, &v, BPF_NOEXIST), "program insert");
		ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), "user lookup");
		for (uint32_t c = 0; c < n; c++) {
			set += memcmp(out + (size_t)c * slot, &v, vs) == 0;
			zeroed += memcmp(out + (size_t)c * slot, zero, slot) == 0;
		}
		ASSERT_EQ(set, 1, "one slot holds the value");
		ASSERT_EQ(zeroed, (long long)n - 1, "other slots zero");
		bpfhost_close(fd);
		free(out);
	}
}

/* Array specifics: untouched indexes read as zero on every CPU; bounds. */
static void percpu_array_specifics(void)
{
	uint32_t vs = 4, slot = 8, n = ncpus(), k;
	size_t total = (size_t)slot * n;
	unsigned char *out = malloc(total), *zero = calloc(1, total), *in = malloc(total);
	int fd = test_map(BPF_MAP_TYPE_PERCPU_ARRAY, "pc_arr", 4, vs, 4, 0);

	k = 2;
	memset(out, CANARY, total);
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), "untouched index exists");
	ASSERT_OK(memcmp(out, zero, total), "zero on every CPU");
	fill_pattern(in, vs, 0);
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, in, BPF_NOEXIST), -EEXIST, "NOEXIST refused");
	k = 4;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, in, BPF_ANY), -E2BIG, "index past max_entries");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, out), -ENOENT, "lookup past max_entries");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "pc_arr", "message names the map");
	k = 1;
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -EINVAL, "delete refused");
	bpfhost_close(fd);
	free(out);
	free(zero);
	free(in);
}

/* Batches and lookup-and-delete carry whole per-CPU values. */
static void batches_carry_all_cpus(void)
{
	for (size_t t = 0; t < sizeof(percpu_types) / sizeof(percpu_types[0]); t++) {
		uint32_t type = percpu_types[t], vs = 4, slot = 8, n = ncpus(), max = 4, count = 16, out_batch;
		size_t vu = (size_t)slot * n;
		unsigned char *in = malloc(vu), *values = malloc(vu * 16);
		uint32_t keys[16];
		int fd = test_map(type, "pc_batch", 4, vs, max, 0), err, good = 0;

		for (uint32_t k = 0; k < max; k++) {
			fill_pattern(in, vs, k);
			ASSERT_OK(bpfhost_map_update_elem(fd, &k, in, BPF_ANY), "fill");
		}
		err = bpfhost_map_lookup_batch(fd, NULL, &out_batch, keys, values, &count, NULL);
		ASSERT_TRUE(err == 0 || err == -ENOENT, "lookup batch");
		ASSERT_EQ(count, max, "lookup batch count");
		for (uint32_t i = 0; i < count && i < 16; i++) {
			fill_pattern(in, vs, keys[i]);
			good += memcmp(values + i * vu, in, vu) == 0;
		}
		ASSERT_EQ(good, max, "batch values: value_size_user stride, every CPU");
		if (type != BPF_MAP_TYPE_PERCPU_ARRAY) {
			uint32_t k = 2;

			memset(values, 0, vu);
			ASSERT_OK(bpfhost_map_lookup_and_delete_elem(fd, &k, values), "lookup and delete");
			fill_pattern(in, vs, 2);
			ASSERT_OK(memcmp(values, in, vu), "lookup-and-delete returns every CPU's slot");
			count = 16;
			err = bpfhost_map_lookup_and_delete_batch(fd, NULL, &out_batch, keys, values, &count, NULL);
			ASSERT_TRUE(err == 0 || err == -ENOENT, "lookup-and-delete batch");
			ASSERT_EQ(count, max - 1, "lookup-and-delete batch count");
			good = 0;
			for (uint32_t i = 0; i < count && i < 16; i++) {
				fill_pattern(in, vs, keys[i]);
				good += memcmp(values + i * vu, in, vu) == 0;
			}
			ASSERT_EQ(good, max - 1, "lookup-and-delete batch values");
		}
		bpfhost_close(fd);
		free(in);
		free(values);
	}
}

/*
 * The sized calls (bindings use them): the buffers' sizes are checked against
 * the map, per-CPU sized for per-CPU maps, on plain and per-CPU maps alike;
 * a mismatch changes nothing.
 */
static void sized_calls(void)
{
	uint32_t n = ncpus(), total = slot_of(12) * n, k = 3;
	unsigned char in[4096], out[4096];
	uint64_t v = 42, got = 0;
	int h = test_map(BPF_MAP_TYPE_HASH, "plain", 4, 8, 4, 0);
	int p = test_map(BPF_MAP_TYPE_PERCPU_HASH, "pcpu", 4, 12, 4, 0);

	ASSERT_GE(sizeof(in), total, "room for every CPU");
	ASSERT_OK(bpfhost_map_update_elem_sized(h, &k, 4, &v, 8, 0), "sized update");
	ASSERT_OK(bpfhost_map_lookup_elem_sized(h, &k, 4, &got, 8, 0), "sized lookup");
	ASSERT_EQ(got, 42, "the value");
	ASSERT_EQ(bpfhost_map_lookup_elem_sized(h, &k, 3, &got, 8, 0), -EINVAL, "short key");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "map 'plain'", "names the map");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "4-byte keys; the key given is 3 bytes", "both sizes");
	v = 7;
	ASSERT_EQ(bpfhost_map_update_elem_sized(h, &k, 4, &v, 16, 0), -EINVAL, "long value");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "8-byte values; the value given is 16 bytes", "both");
	ASSERT_EQ(bpfhost_map_update_elem_sized(h, &k, 4, &v, 0, 0), -EINVAL, "value_size 0");
	ASSERT_OK(bpfhost_map_lookup_elem(h, &k, &got), "lookup");
	ASSERT_EQ(got, 42, "the refused update changed nothing");
	k = 9;
	ASSERT_EQ(bpfhost_map_lookup_elem_sized(h, &k, 4, &got, 8, 0), -ENOENT, "missing key");

	fill_pattern(in, 12, 1);
	k = 1;
	ASSERT_EQ(bpfhost_map_update_elem_sized(p, &k, 4, in, 12, 0), -EINVAL,
		  "per-CPU: one CPU's value size is not enough");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "one 8-byte aligned slot per possible CPU", "says why");
	ASSERT_OK(bpfhost_map_update_elem_sized(p, &k, 4, in, total, 0), "per-CPU sized update");
	memset(out, 0, sizeof(out));
	ASSERT_OK(bpfhost_map_lookup_elem_sized(p, &k, 4, out, total, 0), "per-CPU sized lookup");
	ASSERT_OK(memcmp(out, in, total), "every CPU's slot");
	bpfhost_close(h);
	bpfhost_close(p);
}

static void bad_create(void)
{
	struct {
		uint32_t type, ks, vs, max, flags;
		int err;
		const char *family, *name;
	} cases[] = {
		{ BPF_MAP_TYPE_PERCPU_HASH, 0, 8, 4, 0, -EINVAL, "hash map", "percpu_hash key_size 0" },
		{ BPF_MAP_TYPE_PERCPU_HASH, 4, 0, 4, 0, -EINVAL, "hash map", "percpu_hash value_size 0" },
		{ BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 0, 0, -EINVAL, "hash map", "percpu_hash max_entries 0" },
		{ BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 4, BPF_F_NO_COMMON_LRU, -EINVAL, "hash map",
		  "percpu_hash BPF_F_NO_COMMON_LRU" },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 0, 8, 4, 0, -EINVAL, "array", "percpu_array key_size 0" },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 8, 8, 4, 0, -EINVAL, "array", "percpu_array key_size 8" },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 0, 4, 0, -EINVAL, "array", "percpu_array value_size 0" },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 0, 0, -EINVAL, "array", "percpu_array max_entries 0" },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, BPF_F_MMAPABLE, -EINVAL, "per-CPU",
		  "percpu_array BPF_F_MMAPABLE" },
		{ BPF_MAP_TYPE_LRU_PERCPU_HASH, 0, 8, 4, 0, -EINVAL, "lru_percpu_hash", "lru_percpu_hash key_size 0" },
	};
	int handles = bpfhost_handle_count();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = cases[i].flags);
		int fd = bpfhost_map_create(cases[i].type, "bad", cases[i].ks, cases[i].vs, cases[i].max, &opts);

		ASSERT_EQ(fd, cases[i].err, cases[i].name);
		if (fd >= 0)
			bpfhost_close(fd);
		else
			ASSERT_STR_CONTAINS(bpfhost_last_error(), cases[i].family, cases[i].name);
	}
	ASSERT_EQ(bpfhost_handle_count(), handles, "no handle leaked");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(user_layout),
		TEST(program_view),
		TEST(program_insert_zero_fills),
		TEST(percpu_array_specifics),
		TEST(batches_carry_all_cpus),
		TEST(bad_create),
		TEST(sized_calls),
	};
	return test_run("percpu_map", cases, sizeof(cases) / sizeof(cases[0]));
}
