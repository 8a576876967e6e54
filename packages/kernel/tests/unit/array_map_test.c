// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_ARRAY (and PERCPU_ARRAY, basic) through the command path,
 * with Linux's semantics: elements always exist, out-of-range indexes,
 * no delete, flag errors and their order, iteration, RDONLY/WRONLY, freeze,
 * info. Each expected errno was observed on the kernel's own array map
 * (bpf(2), Linux 6.18). After every error a sentinel map must still hold
 * exactly what it held.
 */
#include "test.h"

#define ENOTSUPP_ 524

static int sentinel = -1;

/* A map no failing call may touch: an array with known values. */
static void sentinel_open(void)
{
	sentinel = test_map(BPF_MAP_TYPE_ARRAY, "sentinel", 4, 8, 4, 0);
	for (uint32_t k = 0; k < 4; k++) {
		uint64_t v = k * 1000 + 1;

		ASSERT_OK(bpfhost_map_update_elem(sentinel, &k, &v, BPF_EXIST), "sentinel fill");
	}
}

static void sentinel_intact(const char *after)
{
	char name[160];

	snprintf(name, sizeof(name), "sentinel intact after %s", after);
	for (uint32_t k = 0; k < 4; k++) {
		uint64_t v = 0;

		ASSERT_OK(bpfhost_map_lookup_elem(sentinel, &k, &v), name);
		ASSERT_EQ(v, k * 1000 + 1, name);
	}
}

static void elements_always_exist(void)
{
	int fd = test_map(BPF_MAP_TYPE_ARRAY, "a_exist", 4, 12, 3, 0);
	unsigned char v[12], out[12];
	uint32_t k;

	for (k = 0; k < 3; k++) {
		memset(out, 0xff, sizeof(out));
		ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), "lookup of a never-written index");
		ASSERT_TRUE(!memcmp(out, "\0\0\0\0\0\0\0\0\0\0\0\0", 12), "zero-filled");
	}
	k = 1;
	memset(v, 0x5a, sizeof(v));
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, v, BPF_NOEXIST), -EEXIST, "NOEXIST: always exists");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "a_exist", "message names the map");
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, v, BPF_EXIST), "EXIST");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), "lookup");
	ASSERT_TRUE(!memcmp(out, v, sizeof(v)), "value written");
	v[0] = 1;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, v, BPF_ANY), "ANY");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), "lookup");
	ASSERT_EQ(out[0], 1, "value replaced");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -EINVAL, "delete refused");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "a_exist", "message names the map");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &k, out), -ENOTSUPP_,
		  "lookup_and_delete not supported");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), "still there");
	ASSERT_EQ(out[0], 1, "value kept");
	sentinel_intact("delete refused");
	bpfhost_close(fd);
}

static void out_of_range(void)
{
	int fd = test_map(BPF_MAP_TYPE_ARRAY, "a_range", 4, 8, 4, 0);
	uint32_t keys[] = { 4, 5, 1000, UINT32_MAX };
	uint64_t v = 9;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint32_t k = keys[i];

		ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &v), -ENOENT, "lookup out of range");
		ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), -E2BIG, "update out of range");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "a_range", "message names the map");
		/* Linux checks the range before NOEXIST, and flags before the range. */
		ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), -E2BIG, "out of range NOEXIST");
		ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, 3), -EINVAL, "out of range, bad flags");
		ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -EINVAL, "delete out of range");
	}
	sentinel_intact("out of range");
	bpfhost_close(fd);
}

static void update_flags(void)
{
	int fd = test_map(BPF_MAP_TYPE_ARRAY, "a_flags", 4, 8, 2, 0);
	static const uint64_t bad[] = { 3, 8, 1ull << 32, BPF_F_LOCK, BPF_F_LOCK | BPF_EXIST };
	uint32_t k = 0;
	uint64_t v = 5, out;

	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "write");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t w = 77;

		ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &w, bad[i]), -EINVAL, "bad update flags");
		sentinel_intact("bad update flags");
	}
	ASSERT_EQ(bpfhost_map_lookup_elem_flags(fd, &k, &out, BPF_F_LOCK), -EINVAL,
		  "lookup BPF_F_LOCK without a spin lock");
	ASSERT_EQ(bpfhost_map_lookup_elem_flags(fd, &k, &out, BPF_EXIST), -EINVAL, "lookup flags");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup");
	ASSERT_EQ(out, 5, "value unchanged by refused updates");
	bpfhost_close(fd);
}

static void iteration(void)
{
	int fd = test_map(BPF_MAP_TYPE_ARRAY, "a_iter", 4, 4, 3, 0);
	uint32_t k, next;

	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &next), "first");
	ASSERT_EQ(next, 0, "first is 0");
	k = 0;
	ASSERT_OK(bpfhost_map_get_next_key(fd, &k, &next), "0 -> 1");
	ASSERT_EQ(next, 1, "next of 0");
	k = 1;
	ASSERT_OK(bpfhost_map_get_next_key(fd, &k, &next), "1 -> 2");
	ASSERT_EQ(next, 2, "next of 1");
	k = 2;
	ASSERT_EQ(bpfhost_map_get_next_key(fd, &k, &next), -ENOENT, "last");
	/* An index past the end restarts, as Linux. */
	k = 3;
	next = 99;
	ASSERT_OK(bpfhost_map_get_next_key(fd, &k, &next), "past the end restarts");
	ASSERT_EQ(next, 0, "restart at 0");
	k = UINT32_MAX;
	ASSERT_OK(bpfhost_map_get_next_key(fd, &k, &next), "UINT32_MAX restarts");
	ASSERT_EQ(next, 0, "restart at 0");
	bpfhost_close(fd);
}

static void create_checks(void)
{
	BPFHOST_OPTS(bpfhost_map_create_opts, noprealloc, .map_flags = BPF_F_NO_PREALLOC);
	BPFHOST_OPTS(bpfhost_map_create_opts, rw, .map_flags = BPF_F_RDONLY | BPF_F_WRONLY);
	BPFHOST_OPTS(bpfhost_map_create_opts, mmap, .map_flags = BPF_F_MMAPABLE);

	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "a", 8, 4, 4, NULL), -EINVAL, "key_size 8");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "a", 0, 4, 4, NULL), -EINVAL, "key_size 0");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "a", 4, 0, 4, NULL), -EINVAL, "value_size 0");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "a", 4, 4, 0, NULL), -EINVAL, "max_entries 0");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "a", 4, 4, 4, &noprealloc), -EINVAL,
		  "BPF_F_NO_PREALLOC");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "a", 4, 4, 4, &rw), -EINVAL,
		  "RDONLY and WRONLY together");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "a", 4, 4, 4, &mmap), -EINVAL,
		  "per-CPU array BPF_F_MMAPABLE");
	sentinel_intact("refused creates");
	ASSERT_EQ(bpfhost_handle_count(), 1, "no handle left by refused creates");
}

static void rdonly_wronly_freeze(void)
{
	int ro = test_map(BPF_MAP_TYPE_ARRAY, "a_ro", 4, 8, 2, BPF_F_RDONLY);
	int wo = test_map(BPF_MAP_TYPE_ARRAY, "a_wo", 4, 8, 2, BPF_F_WRONLY);
	int fz = test_map(BPF_MAP_TYPE_ARRAY, "a_frozen", 4, 8, 2, 0);
	uint32_t k = 1, next, keys[2] = { 0, 1 }, count, tok;
	uint64_t v = 3, values[2] = { 1, 2 };

	ASSERT_EQ(bpfhost_map_update_elem(ro, &k, &v, BPF_ANY), -EPERM, "RDONLY update");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "a_ro", "message names the map");
	ASSERT_OK(bpfhost_map_lookup_elem(ro, &k, &v), "RDONLY lookup");
	ASSERT_OK(bpfhost_map_get_next_key(ro, NULL, &next), "RDONLY get_next_key");
	count = 2;
	ASSERT_EQ(bpfhost_map_update_batch(ro, keys, values, &count, NULL), -EPERM, "RDONLY update_batch");
	ASSERT_OK(bpfhost_map_update_elem(wo, &k, &v, BPF_ANY), "WRONLY update");
	ASSERT_EQ(bpfhost_map_lookup_elem(wo, &k, &v), -EPERM, "WRONLY lookup");
	ASSERT_EQ(bpfhost_map_get_next_key(wo, NULL, &next), -EPERM, "WRONLY get_next_key");
	count = 2;
	ASSERT_EQ(bpfhost_map_lookup_batch(wo, NULL, &tok, keys, values, &count, NULL), -EPERM,
		  "WRONLY lookup_batch");
	sentinel_intact("RDONLY/WRONLY refusals");

	v = 42;
	ASSERT_OK(bpfhost_map_update_elem(fz, &k, &v, BPF_ANY), "write before freeze");
	ASSERT_OK(bpfhost_map_freeze(fz), "freeze");
	ASSERT_EQ(bpfhost_map_update_elem(fz, &k, &v, BPF_ANY), -EPERM, "update frozen");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "a_frozen", "message names the map");
	count = 2;
	ASSERT_EQ(bpfhost_map_update_batch(fz, keys, values, &count, NULL), -EPERM, "update_batch frozen");
	v = 0;
	ASSERT_OK(bpfhost_map_lookup_elem(fz, &k, &v), "lookup frozen");
	ASSERT_EQ(v, 42, "frozen value");
	sentinel_intact("frozen refusals");
	bpfhost_close(ro);
	bpfhost_close(wo);
	bpfhost_close(fz);
}

static void info_by_fd(void)
{
	int fd = test_map(BPF_MAP_TYPE_ARRAY, "a_info", 4, 24, 9, BPF_F_MMAPABLE);
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0xff, sizeof(info));
	ASSERT_OK(bpfhost_map_get_info_by_fd(fd, &info, &len), "info");
	ASSERT_EQ(info.type, BPF_MAP_TYPE_ARRAY, "type");
	ASSERT_EQ(info.key_size, 4, "key_size");
	ASSERT_EQ(info.value_size, 24, "value_size");
	ASSERT_EQ(info.max_entries, 9, "max_entries");
	ASSERT_EQ(info.map_flags, BPF_F_MMAPABLE, "map_flags");
	ASSERT_TRUE(!strcmp(info.name, "a_info"), "name");
	bpfhost_close(fd);
}

static void percpu_array_basic(void)
{
	int ncpu = bpfhost_num_possible_cpus();
	int fd = test_map(BPF_MAP_TYPE_PERCPU_ARRAY, "a_percpu", 4, 12, 2, 0);
	size_t slot = 16, sz = (size_t)ncpu * slot;	/* round_up(12, 8) per CPU */
	unsigned char *in = calloc(1, sz), *out = calloc(1, sz);
	uint32_t k = 1;

	memset(out, 0xff, sz);
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), "lookup zero");
	for (size_t i = 0; i < sz; i++)
		if (out[i])
			ASSERT_EQ(out[i], 0, "every CPU slot zero");
	for (int c = 0; c < ncpu; c++)
		memset(in + (size_t)c * slot, 0x10 + c, 12);
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, in, BPF_ANY), "update all CPUs");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), "lookup all CPUs");
	for (int c = 0; c < ncpu; c++)
		ASSERT_TRUE(!memcmp(out + (size_t)c * slot, in + (size_t)c * slot, 12), "CPU slot");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, in, BPF_NOEXIST), -EEXIST, "NOEXIST");
	k = 2;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, in, BPF_ANY), -E2BIG, "out of range");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, out), -ENOENT, "lookup out of range");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -EINVAL, "delete refused");
	sentinel_intact("per-CPU array errors");
	free(in);
	free(out);
	bpfhost_close(fd);
}

static void no_leaks(void)
{
	bpfhost_close(sentinel);
	ASSERT_EQ(bpfhost_handle_count(), 0, "every handle closed");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(sentinel_open), TEST(elements_always_exist), TEST(out_of_range),
		TEST(update_flags), TEST(iteration), TEST(create_checks), TEST(rdonly_wronly_freeze),
		TEST(info_by_fd), TEST(percpu_array_basic), TEST(no_leaks),
	};
	return test_run("array_map", cases, sizeof(cases) / sizeof(cases[0]));
}
