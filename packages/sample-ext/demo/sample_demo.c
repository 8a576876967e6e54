// SPDX-License-Identifier: MIT
/*
 * sample_demo: loads the sample extension into the embedded core, drives
 * its two custom map types through the public library, prints what
 * happens, and unloads it. Usage: sample_demo [path/to/sample_ext.so]
 */
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfhost/bpf.h"
#include "sample_ext.h"

#define NAME_SIZE 16

static int failures;
static sample_ext_live_objects_fn live_objects;

/* Diagnostics from the core (the provider's log lines among them), indented. */
static int print_sink(enum bpfhost_print_level level, const char *fmt, va_list ap)
{
	if (level == BPFHOST_DEBUG)
		return 0;
	printf("    | ");
	return vprintf(fmt, ap);
}

static const char *errno_name(int err)
{
	switch (-err) {
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case E2BIG: return "E2BIG";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case ENOMEM: return "ENOMEM";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return strerror(-err);
	}
}

/* The core's message without the "map 'x' (id n): " prefix the step line already implies. */
static const char *reason(const char *message)
{
	const char *p = strstr(message, "): ");

	return p && strncmp(message, "map '", 5) == 0 ? p + 3 : message;
}

/* One line per step: what was done and how it went, against what we expect. */
static void step(int err, int expect, const char *fmt, ...)
{
	char what[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!err)
		printf("  %-34s ok\n", what);
	else
		printf("  %-34s %s: %s\n", what, errno_name(err), reason(bpfhost_last_error()));
	if (err != expect) {
		printf("    unexpected: wanted %s\n", expect ? errno_name(expect) : "success");
		failures++;
	}
}

static const char *module_path(int argc, char **argv, char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (argc > 1)
		return argv[1];
	if (access(SAMPLE_EXT_MODULE_PATH, R_OK) == 0)
		return SAMPLE_EXT_MODULE_PATH;
	/* Moved build tree: the module sits one level above demo/. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return SAMPLE_EXT_MODULE_PATH;
	exe[n] = 0;
	snprintf(buf, len, "%s/../sample_ext.so", dirname(exe));
	return buf;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void put_name(int fd, uint32_t key, const char *name, uint64_t flags, int expect)
{
	char value[NAME_SIZE] = { 0 };
	const char *how = flags == BPF_NOEXIST ? " (NOEXIST)" : flags == BPF_EXIST ? " (EXIST)" : "";

	snprintf(value, sizeof(value), "%s", name);
	step(bpfhost_map_update_elem(fd, &key, value, flags), expect, "set %u = \"%s\"%s", key, name, how);
}

static void show_names(int fd)
{
	uint32_t keys[64], n = 0, *prev = NULL;

	while (n < 64 && bpfhost_map_get_next_key(fd, prev, &keys[n]) == 0) {
		prev = &keys[n];
		n++;
	}
	qsort(keys, n, sizeof(keys[0]), cmp_u32);
	printf("\n     key | value\n    -----+-----------------\n");
	for (uint32_t i = 0; i < n; i++) {
		char value[NAME_SIZE + 1] = { 0 };

		if (bpfhost_map_lookup_elem(fd, &keys[i], value) == 0)
			printf("    %4u | %s\n", keys[i], value);
	}
	printf("    (%u entries, %ld provider objects alive)\n\n", n, live_objects ? live_objects() : -1L);
}

static void show_totals(int fd, uint32_t max)
{
	uint32_t keys[16], count = max, out_batch;
	uint64_t sums[16];
	int err = bpfhost_map_lookup_batch(fd, NULL, &out_batch, keys, sums, &count, NULL);

	if (err && err != -ENOENT) {
		step(err, 0, "read the totals");
		return;
	}
	printf("\n    index |   sum\n    ------+-------\n");
	for (uint32_t i = 0; i < count; i++)
		printf("    %5u | %5llu\n", keys[i], (unsigned long long)sums[i]);
	printf("\n");
}

static void object_map_demo(void)
{
	int fd = bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, "names", 4, NAME_SIZE, 8, NULL);
	uint32_t key;
	char value[NAME_SIZE];

	printf("object_hash map 'names' (u32 -> %d-byte name): the provider copies each value\n"
	       "into an object of its own and the core stores only the object's pointer.\n", NAME_SIZE);
	step(fd < 0 ? fd : 0, 0, "create 'names'");
	if (fd < 0)
		return;
	put_name(fd, 1, "ada", BPF_ANY, 0);
	put_name(fd, 2, "grace", BPF_ANY, 0);
	put_name(fd, 3, "linus", BPF_NOEXIST, 0);
	put_name(fd, 2, "barbara", BPF_NOEXIST, -EEXIST);
	put_name(fd, 2, "barbara", BPF_EXIST, 0);
	put_name(fd, 9, "ken", BPF_EXIST, -ENOENT);
	key = 3;
	step(bpfhost_map_delete_elem(fd, &key), 0, "delete 3");
	key = 1;
	memset(value, 0, sizeof(value));
	step(bpfhost_map_lookup_and_delete_elem(fd, &key, value), 0, "take 1 (lookup and delete)");
	printf("  %-34s \"%s\"\n", "  it held", value);
	put_name(fd, 4, "dennis", BPF_ANY, 0);
	show_names(fd);
	step(bpfhost_close(fd), 0, "close 'names'");
	printf("  %-34s %ld\n", "provider objects alive", live_objects ? live_objects() : -1L);
}

static void accumulator_demo(void)
{
	const uint32_t max = 4;
	int fd = bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY, "totals", 4, 8, max, NULL);
	static const struct { uint32_t index; uint64_t add; } adds[] = {
		{ 0, 10 }, { 1, 3 }, { 0, 5 }, { 3, 1 }, { 0, 2 }, { 3, 1 },
	};
	uint32_t key;
	uint64_t value;

	printf("\naccumulator_array map 'totals' (u32 index -> u64): an update adds to the\n"
	       "element; the core stores {sum, updates} and a lookup returns the sum.\n");
	step(fd < 0 ? fd : 0, 0, "create 'totals'");
	if (fd < 0)
		return;
	for (size_t i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
		key = adds[i].index;
		value = adds[i].add;
		step(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), 0, "add %llu to %u",
		     (unsigned long long)value, key);
	}
	key = 4;
	step(bpfhost_map_update_elem(fd, &key, &value, BPF_ANY), -E2BIG, "add %llu to %u",
	     (unsigned long long)value, key);
	key = 0;
	step(bpfhost_map_delete_elem(fd, &key), -EINVAL, "delete 0");
	show_totals(fd, max);
	step(bpfhost_close(fd), 0, "close 'totals'");
}

int main(int argc, char **argv)
{
	char buf[PATH_MAX + 32];
	const char *path = module_path(argc, argv, buf, sizeof(buf));
	int module, fd;
	void *dl;

	bpfhost_set_print(print_sink);
	printf("bpfhost sample extension demo\n\n");
	module = bpfhost_extension_load(path);
	if (module < 0) {
		fprintf(stderr, "cannot load %s: %s\n", path, bpfhost_last_error());
		return 1;
	}
	printf("loaded %s (module %d): map types %u (object_hash), %u (accumulator_array)\n\n",
	       path, module, SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY);
	dl = dlopen(path, RTLD_NOLOAD | RTLD_NOW);
	if (dl)
		live_objects = (sample_ext_live_objects_fn)dlsym(dl, SAMPLE_EXT_LIVE_OBJECTS_SYMBOL);

	object_map_demo();
	accumulator_demo();

	printf("\nthe provider checks what it is asked to create:\n");
	fd = bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, "wide", 4, 128, 8, NULL);
	step(fd < 0 ? fd : 0, -EINVAL, "create with 128-byte values");
	if (fd >= 0)
		bpfhost_close(fd);

	if (dl)
		dlclose(dl);
	step(bpfhost_extension_unload(module, 0), 0, "unload sample_ext");
	printf("\n%s\n", failures ? "demo FAILED" : "done");
	return failures ? 1 : 0;
}
