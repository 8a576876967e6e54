// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_HASH (and PERCPU_HASH, basic) through the command path, with
 * Linux's semantics: flag errors, full maps, iteration, RDONLY/WRONLY maps,
 * freeze, info, attr size rules, bad handles. Each expected errno was
 * observed on the kernel's own hash map (bpf(2), Linux 6.18). After every
 * error a sentinel map must still hold exactly what it held.
 */
#include "test.h"
#include "core/internal.h"

static int sentinel = -1;

/* A map no failing call may touch: three known keys. */
static void sentinel_open(void)
{
	sentinel = test_map(BPF_MAP_TYPE_HASH, "sentinel", 4, 8, 8, 0);
	for (uint32_t k = 0; k < 3; k++) {
		uint64_t v = k * 100 + 7;

		ASSERT_OK(bpfhost_map_update_elem(sentinel, &k, &v, BPF_NOEXIST), "sentinel fill");
	}
}

static void sentinel_intact(const char *after)
{
	uint32_t k, next, n = 0;
	uint64_t v;
	char name[160];
	int err;

	snprintf(name, sizeof(name), "sentinel intact after %s", after);
	for (err = bpfhost_map_get_next_key(sentinel, NULL, &next); !err && n < 10;
	     err = bpfhost_map_get_next_key(sentinel, &k, &next), n++) {
		k = next;
		ASSERT_TRUE(k < 3 && !bpfhost_map_lookup_elem(sentinel, &k, &v) && v == k * 100 + 7, name);
	}
	ASSERT_EQ(n, 3, name);
}

static void update_flags(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "h_flags", 4, 8, 4, 0);
	static const uint64_t bad[] = { 3, 8, 1ull << 32, BPF_F_LOCK, BPF_F_LOCK | BPF_EXIST };
	uint32_t k = 1;
	uint64_t v = 11, out = 0;

	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "insert");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t w = 99;

		ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &w, bad[i]), -EINVAL, "bad update flags");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "h_flags", "message names the map");
		sentinel_intact("bad update flags");
	}
	ASSERT_EQ(bpfhost_map_lookup_elem_flags(fd, &k, &out, BPF_F_LOCK), -EINVAL,
		  "lookup BPF_F_LOCK without a spin lock");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "h_flags", "message names the map");
	ASSERT_EQ(bpfhost_map_lookup_elem_flags(fd, &k, &out, BPF_NOEXIST), -EINVAL,
		  "lookup flags other than BPF_F_LOCK");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "still there");
	ASSERT_EQ(out, 11, "value unchanged by refused updates");
	sentinel_intact("bad lookup flags");
	bpfhost_close(fd);
}

static void full_map(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "h_full", 4, 8, 4, BPF_F_NO_PREALLOC);
	uint32_t k;
	uint64_t v, out;

	for (k = 0; k < 4; k++) {
		v = k;
		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), "fill");
	}
	k = 4;
	v = 40;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), -E2BIG, "new key, full (ANY)");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "h_full", "message names the map");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), -E2BIG, "new key, full (NOEXIST)");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_EXIST), -ENOENT, "new key, full (EXIST)");
	sentinel_intact("-E2BIG");
	k = 2;
	v = 222;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "existing key, full (ANY)");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup replaced");
	ASSERT_EQ(out, 222, "replaced value (ANY)");
	v = 223;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_EXIST), "existing key, full (EXIST)");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup replaced");
	ASSERT_EQ(out, 223, "replaced value (EXIST)");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), -EEXIST, "existing key (NOEXIST)");
	ASSERT_OK(bpfhost_map_delete_elem(fd, &k), "delete one");
	k = 4;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), "room again");
	bpfhost_close(fd);
}

static void iteration(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "h_iter", 4, 8, 16, 0);
	uint32_t k, next, first, seen = 0, n = 0, missing = 1000;
	uint64_t v = 1;
	int err;

	ASSERT_EQ(bpfhost_map_get_next_key(fd, NULL, &next), -ENOENT, "empty map");
	ASSERT_EQ(bpfhost_map_get_next_key(fd, &missing, &next), -ENOENT, "empty map, missing key");
	for (k = 0; k < 10; k++)
		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "fill");
	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &first), "first key");
	for (err = 0, k = first; !err && n < 20; n++) {
		ASSERT_TRUE(k < 10 && !(seen & (1u << k)), "each key once");
		seen |= 1u << k;
		err = bpfhost_map_get_next_key(fd, &k, &next);
		k = next;
	}
	ASSERT_EQ(err, -ENOENT, "iteration ends with -ENOENT");
	ASSERT_EQ(n, 10, "ten keys");
	ASSERT_EQ(seen, 0x3ff, "every key");
	/* From a key that is not there, Linux restarts at the first key. */
	ASSERT_OK(bpfhost_map_get_next_key(fd, &missing, &next), "missing key restarts");
	ASSERT_EQ(next, first, "restart gives the first key");
	bpfhost_close(fd);
}

static void lookup_and_delete(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "h_lad", 4, 8, 4, 0);
	uint32_t k = 5;
	uint64_t v = 55, out = 0;

	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "insert");
	ASSERT_OK(bpfhost_map_lookup_and_delete_elem(fd, &k, &out), "lookup and delete");
	ASSERT_EQ(out, 55, "value returned");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &out), -ENOENT, "gone");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &k, &out), -ENOENT, "missing");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -ENOENT, "delete missing");
	sentinel_intact("-ENOENT");
	bpfhost_close(fd);
}

static void rdonly_wronly(void)
{
	int ro = test_map(BPF_MAP_TYPE_HASH, "h_ro", 4, 8, 4, BPF_F_RDONLY);
	int wo = test_map(BPF_MAP_TYPE_HASH, "h_wo", 4, 8, 4, BPF_F_WRONLY);
	BPFHOST_OPTS(bpfhost_map_create_opts, both, .map_flags = BPF_F_RDONLY | BPF_F_WRONLY);
	uint32_t k = 1, next, keys[2] = { 1, 2 }, count, tok;
	uint64_t v = 1, values[2] = { 1, 2 };

	ASSERT_EQ(bpfhost_map_update_elem(ro, &k, &v, BPF_ANY), -EPERM, "RDONLY update");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "h_ro", "message names the map");
	ASSERT_EQ(bpfhost_map_delete_elem(ro, &k), -EPERM, "RDONLY delete");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(ro, &k, &v), -EPERM, "RDONLY lookup_and_delete");
	ASSERT_EQ(bpfhost_map_lookup_elem(ro, &k, &v), -ENOENT, "RDONLY lookup allowed");
	ASSERT_EQ(bpfhost_map_get_next_key(ro, NULL, &next), -ENOENT, "RDONLY get_next_key allowed");
	count = 2;
	ASSERT_EQ(bpfhost_map_update_batch(ro, keys, values, &count, NULL), -EPERM, "RDONLY update_batch");
	count = 2;
	ASSERT_EQ(bpfhost_map_lookup_batch(ro, NULL, &tok, keys, values, &count, NULL), -ENOENT,
		  "RDONLY lookup_batch allowed");
	sentinel_intact("RDONLY refusals");

	ASSERT_OK(bpfhost_map_update_elem(wo, &k, &v, BPF_ANY), "WRONLY update allowed");
	ASSERT_EQ(bpfhost_map_lookup_elem(wo, &k, &v), -EPERM, "WRONLY lookup");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "h_wo", "message names the map");
	ASSERT_EQ(bpfhost_map_get_next_key(wo, NULL, &next), -EPERM, "WRONLY get_next_key");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(wo, &k, &v), -EPERM, "WRONLY lookup_and_delete");
	count = 2;
	ASSERT_EQ(bpfhost_map_lookup_batch(wo, NULL, &tok, keys, values, &count, NULL), -EPERM,
		  "WRONLY lookup_batch");
	count = 2;
	ASSERT_EQ(bpfhost_map_lookup_and_delete_batch(wo, NULL, &tok, keys, values, &count, NULL),
		  -EPERM, "WRONLY lookup_and_delete_batch");
	ASSERT_OK(bpfhost_map_delete_elem(wo, &k), "WRONLY delete allowed");
	ASSERT_OK(bpfhost_map_freeze(wo), "WRONLY map can be frozen");
	ASSERT_EQ(bpfhost_map_update_elem(wo, &k, &v, BPF_ANY), -EPERM, "frozen WRONLY update");
	sentinel_intact("WRONLY refusals");

	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_HASH, "h_rw", 4, 8, 4, &both), -EINVAL,
		  "RDONLY and WRONLY together");
	bpfhost_close(ro);
	bpfhost_close(wo);
}

static void freeze(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "h_frozen", 4, 8, 4, 0);
	uint32_t k = 1, next, keys[2] = { 1, 2 }, count, tok;
	uint64_t v = 10, out = 0, values[2];

	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "insert before freeze");
	ASSERT_OK(bpfhost_map_freeze(fd), "freeze");
	v = 20;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), -EPERM, "update frozen");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "h_frozen", "message names the map");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -EPERM, "delete frozen");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &k, &out), -EPERM, "lookup_and_delete frozen");
	count = 2;
	ASSERT_EQ(bpfhost_map_update_batch(fd, keys, values, &count, NULL), -EPERM, "update_batch frozen");
	count = 2;
	ASSERT_EQ(bpfhost_map_delete_batch(fd, keys, &count, NULL), -EPERM, "delete_batch frozen");
	count = 2;
	ASSERT_EQ(bpfhost_map_lookup_and_delete_batch(fd, NULL, &tok, keys, values, &count, NULL),
		  -EPERM, "lookup_and_delete_batch frozen");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup frozen");
	ASSERT_EQ(out, 10, "frozen value unchanged");
	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &next), "get_next_key frozen");
	count = 2;
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, NULL, &tok, keys, values, &count, NULL), -ENOENT,
		  "lookup_batch frozen");
	ASSERT_EQ(count, 1, "lookup_batch frozen count");
	sentinel_intact("frozen refusals");
	bpfhost_close(fd);
}

static void info_by_fd(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "h_info", 4, 12, 7, BPF_F_NO_PREALLOC);
	struct bpf_map_info info;
	char big[sizeof(info) + 64];
	uint32_t len;

	memset(&info, 0xff, sizeof(info));
	len = sizeof(info);
	ASSERT_OK(bpfhost_map_get_info_by_fd(fd, &info, &len), "info");
	ASSERT_EQ(len, sizeof(info), "info_len");
	ASSERT_EQ(info.type, BPF_MAP_TYPE_HASH, "type");
	ASSERT_GE(info.id, 1, "id");
	ASSERT_EQ(info.key_size, 4, "key_size");
	ASSERT_EQ(info.value_size, 12, "value_size");
	ASSERT_EQ(info.max_entries, 7, "max_entries");
	ASSERT_EQ(info.map_flags, BPF_F_NO_PREALLOC, "map_flags");
	ASSERT_TRUE(!strcmp(info.name, "h_info"), "name");

	/* A shorter buffer gets the first bytes and the length actually written. */
	memset(&info, 0, sizeof(info));
	len = 8;
	ASSERT_OK(bpfhost_map_get_info_by_fd(fd, &info, &len), "short info");
	ASSERT_EQ(len, 8, "short info_len");
	ASSERT_EQ(info.type, BPF_MAP_TYPE_HASH, "short info type");
	ASSERT_EQ(info.key_size, 0, "short info stops at info_len");

	/* A longer buffer: zero tail accepted, a non-zero tail refused (-E2BIG). */
	memset(big, 0, sizeof(big));
	len = sizeof(big);
	ASSERT_OK(bpfhost_map_get_info_by_fd(fd, (struct bpf_map_info *)big, &len), "long info");
	ASSERT_EQ(len, sizeof(info), "long info_len is what the core knows");
	memset(big, 0, sizeof(big));
	big[sizeof(info) + 10] = 1;
	len = sizeof(big);
	ASSERT_EQ(bpfhost_map_get_info_by_fd(fd, (struct bpf_map_info *)big, &len), -E2BIG,
		  "non-zero info tail");
	sentinel_intact("info -E2BIG");
	bpfhost_close(fd);
	len = sizeof(info);
	ASSERT_EQ(bpfhost_map_get_info_by_fd(fd, &info, &len), -EBADF, "info of a closed handle");
}

/* union bpf_attr size rules, straight through bpfhost_sys_bpf (Linux's values). */
static void attr_sizes(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "h_attr", 4, 8, 4, 0);
	static char page[8192];
	union bpf_attr *attr = (union bpf_attr *)page;
	uint32_t k = 1;
	uint64_t v = 3;

	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "insert");
	memset(page, 0, sizeof(page));
	attr->map_fd = (uint32_t)fd;
	attr->key = (uint64_t)(uintptr_t)&k;
	attr->value = (uint64_t)(uintptr_t)&v;
	ASSERT_OK(bpfhost_sys_bpf(BPF_MAP_LOOKUP_ELEM, attr, sizeof(*attr)), "exact size");
	ASSERT_OK(bpfhost_sys_bpf(BPF_MAP_LOOKUP_ELEM, attr, 4096), "a page, zero tail");
	ASSERT_EQ(bpfhost_sys_bpf(BPF_MAP_LOOKUP_ELEM, attr, 4097), -E2BIG, "over a page");
	page[200] = 1;
	ASSERT_EQ(bpfhost_sys_bpf(BPF_MAP_LOOKUP_ELEM, attr, 4096), -E2BIG, "non-zero tail");
	sentinel_intact("attr -E2BIG");
	page[200] = 0;
	/* Within the union but past the command's last field: -EINVAL. */
	page[40] = 1;
	ASSERT_EQ(bpfhost_sys_bpf(BPF_MAP_LOOKUP_ELEM, attr, sizeof(*attr)), -EINVAL,
		  "non-zero past the command's fields");
	page[40] = 0;
	attr->flags = 1;
	ASSERT_EQ(bpfhost_sys_bpf(BPF_MAP_DELETE_ELEM, attr, sizeof(*attr)), -EINVAL,
		  "delete takes no flags field");
	attr->flags = 0;
	ASSERT_EQ(bpfhost_sys_bpf(BPF_MAP_FREEZE, attr, sizeof(*attr)), -EINVAL,
		  "freeze takes only map_fd");
	/* A short attr reads as zero-filled: no key pointer here. */
	ASSERT_EQ(bpfhost_sys_bpf(BPF_MAP_LOOKUP_ELEM, attr, 4), -EFAULT, "short attr");
	ASSERT_EQ(bpfhost_sys_bpf(BPF_MAP_LOOKUP_ELEM, NULL, sizeof(*attr)), -EFAULT, "NULL attr");
	/* A short attr of a command that writes results: nothing is written past its size. */
	{
		const unsigned int short_size = (unsigned int)(offsetof(union bpf_attr, shape.key_size) + 4);

		memset(page, 0xa5, sizeof(page));
		memset(page, 0, short_size);
		attr->shape.map_fd = (uint32_t)fd;
		ASSERT_OK(bpfhost_sys_bpf(BPFHOST_MAP_SHAPE, attr, short_size), "shape with a short attr");
		ASSERT_EQ(attr->shape.map_type, BPF_MAP_TYPE_HASH, "the results that fit are written");
		ASSERT_EQ(attr->shape.key_size, 4, "up to the last byte of the caller's attr");
		for (size_t i = short_size; i < sizeof(*attr) + 64; i++)
			if (page[i] != (char)0xa5) {
				ASSERT_EQ(i, 0, "a byte past the caller's attr was written");
				break;
			}
		memset(page, 0, sizeof(page));
	}
	ASSERT_EQ(bpfhost_sys_bpf(999, attr, sizeof(*attr)), -EINVAL, "unknown command");
	sentinel_intact("attr -EINVAL");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &v), "map intact");
	ASSERT_EQ(v, 3, "value intact");
	bpfhost_close(fd);
}

/* An object of another kind behind a handle (white-box: no other kind has a command yet). */
static void noop_destroy(struct bh_object *obj)
{
	(void)obj;
}

static void bad_handles(void)
{
	static struct bh_object prog;
	int fd = test_map(BPF_MAP_TYPE_HASH, "h_closed", 4, 8, 4, 0), h;
	uint32_t k = 1, next, count = 1;
	uint64_t v = 1;

	bh_object_init(&prog, BH_OBJ_PROG, noop_destroy);
	h = bh_handle_install(&prog);
	ASSERT_GE(h, 1, "install a program handle");
	ASSERT_EQ(bpfhost_map_lookup_elem(h, &k, &v), -EINVAL, "lookup on a program handle");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "not a map", "message says what it is");
	ASSERT_EQ(bpfhost_map_update_elem(h, &k, &v, BPF_ANY), -EINVAL, "update on a program handle");
	ASSERT_EQ(bpfhost_map_delete_elem(h, &k), -EINVAL, "delete on a program handle");
	ASSERT_EQ(bpfhost_map_get_next_key(h, NULL, &next), -EINVAL, "get_next_key on a program");
	ASSERT_EQ(bpfhost_map_freeze(h), -EINVAL, "freeze on a program handle");
	ASSERT_EQ(bpfhost_map_update_batch(h, &k, &v, &count, NULL), -EINVAL, "batch on a program");
	sentinel_intact("wrong kind of handle");
	ASSERT_OK(bpfhost_close(h), "close the program handle");

	ASSERT_OK(bpfhost_close(fd), "close");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &v), -EBADF, "lookup on a closed handle");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "not open", "message says so");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), -EBADF, "update on a closed handle");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -EBADF, "delete on a closed handle");
	ASSERT_EQ(bpfhost_map_get_next_key(fd, NULL, &next), -EBADF, "get_next_key, closed");
	ASSERT_EQ(bpfhost_map_freeze(fd), -EBADF, "freeze on a closed handle");
	count = 1;
	ASSERT_EQ(bpfhost_map_update_batch(fd, &k, &v, &count, NULL), -EBADF, "batch, closed");
	ASSERT_EQ(bpfhost_map_lookup_elem(0, &k, &v), -EBADF, "handle 0");
	ASSERT_EQ(bpfhost_map_lookup_elem(-1, &k, &v), -EBADF, "handle -1");
	ASSERT_EQ(bpfhost_map_lookup_elem(1 << 30, &k, &v), -EBADF, "huge handle");
	ASSERT_EQ(bpfhost_close(fd), -EBADF, "close twice");
	sentinel_intact("closed handles");
}

static void percpu_hash_basic(void)
{
	int ncpu = bpfhost_num_possible_cpus();
	int fd = test_map(BPF_MAP_TYPE_PERCPU_HASH, "h_percpu", 4, 4, 2, 0);
	size_t sz = (size_t)ncpu * 8;	/* round_up(4, 8) per CPU */
	uint64_t *in = calloc((size_t)ncpu, 8), *out = calloc((size_t)ncpu, 8);
	uint32_t k = 7, next;

	ASSERT_GE(ncpu, 1, "possible CPUs");
	for (int c = 0; c < ncpu; c++)
		in[c] = 0x1000u + (uint64_t)c;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, in, BPF_NOEXIST), "update all CPUs");
	memset(out, 0xff, sz);
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, out), "lookup all CPUs");
	for (int c = 0; c < ncpu; c++)
		ASSERT_EQ(out[c] & 0xffffffffu, 0x1000u + (uint64_t)c, "CPU slot value");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, in, BPF_NOEXIST), -EEXIST, "NOEXIST");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, in, 3), -EINVAL, "bad flags");
	k = 8;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, in, BPF_ANY), "second key");
	k = 9;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, in, BPF_ANY), -E2BIG, "full");
	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &next), "first key");
	ASSERT_TRUE(next == 7 || next == 8, "a key of the map");
	k = 7;
	memset(out, 0, sz);
	ASSERT_OK(bpfhost_map_lookup_and_delete_elem(fd, &k, out), "lookup and delete");
	ASSERT_EQ(out[ncpu - 1] & 0xffffffffu, 0x1000u + (uint64_t)(ncpu - 1), "last CPU's slot");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, out), -ENOENT, "deleted");
	sentinel_intact("percpu errors");
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
		TEST(sentinel_open), TEST(update_flags), TEST(full_map), TEST(iteration),
		TEST(lookup_and_delete), TEST(rdonly_wronly), TEST(freeze), TEST(info_by_fd),
		TEST(attr_sizes), TEST(bad_handles), TEST(percpu_hash_basic), TEST(no_leaks),
	};
	return test_run("hash_map", cases, sizeof(cases) / sizeof(cases[0]));
}
