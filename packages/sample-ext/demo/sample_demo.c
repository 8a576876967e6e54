// SPDX-License-Identifier: MIT
/*
 * sample_demo: loads the sample extension into the embedded core, drives
 * its custom map types through the public library, loads its clang-built
 * BPF programs, links two to its hook and fires events at them, prints what
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
#include "bpfhost/libbpf.h"
#include "sample_ext.h"
#include "sample_progs.h"

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

/* The compiled programs: next to the build's bpf/ directory, or one level above demo/. */
static const char *object_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (access(SAMPLE_EXT_BPF_DIR "/sample_maps.bpf.o", R_OK) == 0)
		return SAMPLE_EXT_BPF_DIR "/sample_maps.bpf.o";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	snprintf(buf, len, "%s/../bpf/sample_maps.bpf.o", dirname(exe));
	return access(buf, R_OK) == 0 ? buf : NULL;
}

static int obj_map_fd(struct bpfhost_object *obj, const char *name)
{
	struct bpfhost_map *m = bpfhost_object__find_map_by_name(obj, name);

	return m ? bpfhost_map__fd(m) : -ENOENT;
}

static int obj_prog_fd(struct bpfhost_object *obj, const char *name)
{
	struct bpfhost_program *p = bpfhost_object__find_program_by_name(obj, name);

	return p ? bpfhost_program__fd(p) : -ENOENT;
}

static void show_counts(int fd)
{
	uint32_t keys[64], n = 0, *prev = NULL;
	uint64_t count;

	while (n < 64 && bpfhost_map_get_next_key(fd, prev, &keys[n]) == 0) {
		prev = &keys[n];
		n++;
	}
	qsort(keys, n, sizeof(keys[0]), cmp_u32);
	printf("\n    counters (what count_event counted)\n     key | count\n    -----+------\n");
	for (uint32_t i = 0; i < n; i++)
		if (bpfhost_map_lookup_elem(fd, &keys[i], &count) == 0)
			printf("    %4u | %5llu\n", keys[i], (unsigned long long)count);
	printf("\n");
}

static void program_demo(int module)
{
	static const uint32_t keys[] = { 1, 2, 1, 1, 3 };
	char buf[PATH_MAX + 32], value[SAMPLE_PROGS_OBJECT_SIZE] = "ada";
	const char *path = object_path(buf, sizeof(buf));
	struct bpfhost_object *obj;
	struct bpfhost_program *p;
	int links[2] = { -1, -1 }, counters, objects, totals;
	uint32_t key = 1;
	uint64_t add;

	printf("\nprogram type 'sample' (%u) and its hook '%s' (attach type %u)\n",
	       SAMPLE_EXT_PROGRAM_TYPE, SAMPLE_EXT_HOOK_NAME, SAMPLE_EXT_ATTACH_TYPE);
	if (!path) {
		printf("  (the BPF objects were not built: clang-19 or libbpf-dev missing; skipped)\n");
		return;
	}
	obj = bpfhost_object__open_file(path, NULL);
	step(obj ? bpfhost_object__load(obj) : -errno, 0, "load sample_maps.bpf.o");
	if (!obj)
		return;
	bpfhost_object__for_each_program(p, obj)
		printf("    %-18s %-20s type %u, attach %u\n", bpfhost_program__name(p),
		       bpfhost_program__section_name(p), bpfhost_program__type(p),
		       bpfhost_program__expected_attach_type(p));
	counters = obj_map_fd(obj, "counters");
	objects = obj_map_fd(obj, "objects");
	totals = obj_map_fd(obj, "totals");
	step(bpfhost_map_update_elem(objects, &key, value, BPF_ANY), 0, "objects: set 1 = \"ada\"");
	for (add = 10; add <= 30; add += 10)
		step(bpfhost_map_update_elem(totals, &(uint32_t){ 0 }, &add, BPF_ANY), 0,
		     "totals: add %llu to 0", (unsigned long long)add);

	/* get_object first: its result (the object's size, or an error) is the event's. */
	links[0] = bpfhost_link_create(obj_prog_fd(obj, "get_object"), 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	links[1] = bpfhost_link_create(obj_prog_fd(obj, "count_event"), 0, SAMPLE_EXT_ATTACH_TYPE, NULL);
	step(links[0] < 0 ? links[0] : links[1] < 0 ? links[1] : 0, 0, "link get_object, count_event");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct sample_event ev = { .key = keys[i] };
		uint32_t cnt = 0, r = 0;
		int err = bpfhost_hook_trigger(SAMPLE_EXT_ATTACH_TYPE, &ev, sizeof(ev), &cnt, &r);

		if (err) {
			step(err, 0, "fire an event for key %u", keys[i]);
			continue;
		}
		printf("  fire an event for key %-12u %u programs ran, result %d%s%s\n", keys[i], cnt,
		       (int32_t)r, (int32_t)r < 0 ? " " : "", (int32_t)r < 0 ? errno_name((int32_t)r) : "");
	}
	show_counts(counters);

	{
		struct sample_event ev = { .key = 0 };
		BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = &ev, .data_size_in = sizeof(ev),
			     .data_out = &ev, .data_size_out = sizeof(ev));
		int err = bpfhost_prog_test_run_opts(obj_prog_fd(obj, "read_total"), &o);

		step(err, 0, "test run read_total (key 0)");
		if (!err)
			printf("  %-34s sum %llu (through sample_accumulator_read)\n", "",
			       (unsigned long long)ev.value);
	}
	step(bpfhost_extension_unload(module, 0), -EBUSY, "unload while the object is loaded");
	for (int i = 0; i < 2; i++)
		if (links[i] >= 0)
			bpfhost_close(links[i]);
	bpfhost_object__close(obj);
	printf("  %-34s ok\n", "close the links and the object");
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
	printf("loaded %s (module %d): map types %u (object_hash), %u (accumulator_array),\n"
	       "%u (counter_hash); program type %u (sample), hook %u\n\n", path, module,
	       SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY,
	       SAMPLE_EXT_MAP_TYPE_COUNTER_HASH, SAMPLE_EXT_PROGRAM_TYPE, SAMPLE_EXT_ATTACH_TYPE);
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

	program_demo(module);

	if (dl)
		dlclose(dl);
	step(bpfhost_extension_unload(module, 0), 0, "unload sample_ext");
	printf("\n%s\n", failures ? "demo FAILED" : "done");
	return failures ? 1 : 0;
}
