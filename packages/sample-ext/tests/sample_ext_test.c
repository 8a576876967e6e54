// SPDX-License-Identifier: MIT
/*
 * The sample extension through the public library: load and unload, both
 * custom map types with every map command, provider-side behaviour users
 * can observe (objects freed on every path, the accumulator's running sums),
 * create-time validation, and unload with live maps (refused, forced).
 *
 * The module is dlopen()ed once more by the test (RTLD_NOLOAD after the
 * first load) to read its live-object counter; that reference also keeps
 * the .so mapped across unloads, so the counter survives them.
 */
#include <dlfcn.h>
#include <stdarg.h>

#include "test.h"
#include "sample_ext.h"

#define OBJ_VALUE 16
#ifndef ENOTSUPP
#define ENOTSUPP 524	/* Linux-internal "not supported", as bpf(2) returns it */
#endif

static sample_ext_live_objects_fn live_fn;

static long live(void)
{
	bpfhost_synchronize();
	return live_fn ? live_fn() : -1;
}

static int load(void)
{
	int h = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH);

	ASSERT_GE(h, 1, "load sample_ext.so");
	if (h >= 1 && !live_fn) {
		void *dl = dlopen(SAMPLE_EXT_MODULE_PATH, RTLD_NOLOAD | RTLD_NOW);

		ASSERT_TRUE(dl != NULL, "module is loaded (RTLD_NOLOAD)");
		if (dl)
			live_fn = (sample_ext_live_objects_fn)dlsym(dl, SAMPLE_EXT_LIVE_OBJECTS_SYMBOL);
		ASSERT_TRUE(live_fn != NULL, "module exports " SAMPLE_EXT_LIVE_OBJECTS_SYMBOL);
	}
	return h;
}

static void unload(int h)
{
	ASSERT_OK(bpfhost_extension_unload(h, 0), "unload");
}

static int obj_map(const char *name, uint32_t max)
{
	return test_map(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, name, 4, OBJ_VALUE, max, 0);
}

static int acc_map(const char *name, uint32_t max)
{
	return test_map(SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY, name, 4, 8, max, 0);
}

static void put(int fd, uint32_t k, const char *s, uint64_t flags, int expect, const char *what)
{
	char v[OBJ_VALUE] = { 0 };

	snprintf(v, sizeof(v), "%s", s);
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, v, flags), expect, what);
}

static void get(int fd, uint32_t k, const char *expect, const char *what)
{
	char v[OBJ_VALUE + 1] = { 0 };

	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, v), what);
	ASSERT_STR_CONTAINS(v, expect, what);
	ASSERT_EQ(strlen(v), strlen(expect), what);
}

/* Diagnostics the core prints (the provider's log lines among them). */
static char printed[4096];

static int capture(enum bpfhost_print_level level, const char *fmt, va_list ap)
{
	size_t used = strlen(printed);

	(void)level;
	if (used < sizeof(printed) - 1)
		vsnprintf(printed + used, sizeof(printed) - used, fmt, ap);
	return 0;
}

static void object_map_crud(void)
{
	int h = load(), fd = obj_map("objects", 4);
	uint32_t k = 1, next, seen = 0;
	char v[OBJ_VALUE];

	ASSERT_EQ(live(), 0, "no object yet");
	put(fd, 1, "alpha", BPF_NOEXIST, 0, "insert 1");
	get(fd, 1, "alpha", "lookup 1");
	ASSERT_EQ(live(), 1, "one object per value");
	put(fd, 1, "other", BPF_NOEXIST, -EEXIST, "NOEXIST on an existing key");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "map 'objects'", "message names the map");
	ASSERT_EQ(live(), 1, "the refused update's object was freed (undo)");
	get(fd, 1, "alpha", "value kept after a refused update");
	put(fd, 1, "beta", BPF_ANY, 0, "overwrite 1");
	get(fd, 1, "beta", "lookup the new value");
	ASSERT_EQ(live(), 1, "the replaced object was freed");
	put(fd, 1, "gamma", BPF_EXIST, 0, "EXIST on an existing key");
	get(fd, 1, "gamma", "EXIST replaced it");
	put(fd, 2, "delta", BPF_EXIST, -ENOENT, "EXIST on a missing key");
	ASSERT_EQ(live(), 1, "the refused EXIST update's object was freed");

	k = 1;
	ASSERT_OK(bpfhost_map_delete_elem(fd, &k), "delete 1");
	ASSERT_EQ(live(), 0, "delete freed the object");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -ENOENT, "delete again");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, v), -ENOENT, "lookup deleted");

	put(fd, 3, "epsilon", BPF_ANY, 0, "insert 3");
	k = 3;
	memset(v, 0, sizeof(v));
	ASSERT_OK(bpfhost_map_lookup_and_delete_elem(fd, &k, v), "lookup and delete 3");
	ASSERT_STR_CONTAINS(v, "epsilon", "lookup-and-delete returns the value");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, v), -ENOENT, "3 is gone");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &k, v), -ENOENT, "lookup-and-delete missing");
	ASSERT_EQ(live(), 0, "lookup-and-delete freed the object");

	/* Fill the map: the fifth key does not fit, and its object must not leak. */
	for (k = 10; k < 14; k++)
		put(fd, k, "full", BPF_NOEXIST, 0, "fill");
	put(fd, 14, "overflow", BPF_ANY, -E2BIG, "insert into a full map");
	put(fd, 14, "overflow", BPF_NOEXIST, -E2BIG, "NOEXIST insert into a full map");
	ASSERT_EQ(live(), 4, "a full map's refused update leaves no object");
	put(fd, 12, "replaced", BPF_ANY, 0, "a full map still takes replacements");
	get(fd, 12, "replaced", "replacement in a full map");
	ASSERT_EQ(live(), 4, "still one object per entry");

	/* get_next_key walks every key once. */
	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &next), "first key");
	for (int i = 0; i < 8; i++) {
		seen |= 1u << (next - 10);
		if (bpfhost_map_get_next_key(fd, &next, &next))
			break;
	}
	ASSERT_EQ(seen, 0xf, "get_next_key saw keys 10..13");
	k = 99;
	ASSERT_OK(bpfhost_map_get_next_key(fd, &k, &next), "missing key gives the first");
	ASSERT_GE(next, 10, "first key");

	ASSERT_OK(bpfhost_close(fd), "close");
	ASSERT_EQ(live(), 0, "closing the map freed every object (MAP_CLEANUP)");
	unload(h);
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

static void object_map_batches(void)
{
	int h = load(), fd = obj_map("batched", 16);
	uint32_t keys[8], out_keys[16], count, in_batch, out_batch;
	char values[8][OBJ_VALUE], out_values[16][OBJ_VALUE];
	uint32_t total = 0;
	int err;

	for (uint32_t i = 0; i < 8; i++) {
		keys[i] = 100 + i;
		memset(values[i], 0, OBJ_VALUE);
		snprintf(values[i], OBJ_VALUE, "v%u", 100 + i);
	}
	count = 8;
	ASSERT_OK(bpfhost_map_update_batch(fd, keys, values, &count, NULL), "update batch");
	ASSERT_EQ(count, 8, "all updated");
	ASSERT_EQ(live(), 8, "one object each");

	/* Lookup batch in steps of 3, Linux style: -ENOENT once the map is exhausted. */
	for (void *in = NULL;; in = &in_batch) {
		count = 3;
		err = bpfhost_map_lookup_batch(fd, in, &out_batch, out_keys + total, out_values + total,
					       &count, NULL);
		total += count;
		in_batch = out_batch;
		if (err) {
			ASSERT_EQ(err, -ENOENT, "lookup batch ends with ENOENT");
			break;
		}
		if (total > 8)
			break;
	}
	ASSERT_EQ(total, 8, "lookup batch saw every element");
	for (uint32_t i = 0; i < total && i < 8; i++) {
		char expect[OBJ_VALUE];

		snprintf(expect, sizeof(expect), "v%u", out_keys[i]);
		ASSERT_EQ(strcmp(out_values[i], expect), 0, "lookup batch value matches its key");
	}

	count = 3;
	ASSERT_OK(bpfhost_map_delete_batch(fd, keys, &count, NULL), "delete batch");
	ASSERT_EQ(count, 3, "three deleted");
	ASSERT_EQ(live(), 5, "delete batch freed three objects");
	count = 2;
	ASSERT_EQ(bpfhost_map_delete_batch(fd, keys, &count, NULL), -ENOENT, "delete batch of gone keys");
	ASSERT_EQ(count, 0, "none deleted");

	count = 16;
	err = bpfhost_map_lookup_and_delete_batch(fd, NULL, &out_batch, out_keys, out_values, &count, NULL);
	ASSERT_EQ(err, -ENOENT, "lookup-and-delete batch empties the map");
	ASSERT_EQ(count, 5, "five returned");
	for (uint32_t i = 0; i < count && i < 16; i++) {
		char expect[OBJ_VALUE];

		snprintf(expect, sizeof(expect), "v%u", out_keys[i]);
		ASSERT_EQ(strcmp(out_values[i], expect), 0, "lookup-and-delete batch value");
	}
	ASSERT_EQ(live(), 0, "lookup-and-delete batch freed every object");

	/*
	 * A batch with BPF_NOEXIST stopping at a present key leaves no object
	 * behind. (Linux 6.18 refuses elem_flags other than BPF_F_LOCK in update
	 * batches with -EINVAL; the core passes NOEXIST/EXIST through. Either way,
	 * nothing may leak.)
	 */
	count = 2;
	ASSERT_OK(bpfhost_map_update_batch(fd, keys + 1, values + 1, &count, NULL), "refill two");
	count = 3;
	{
		BPFHOST_OPTS(bpfhost_map_batch_opts, opts, .elem_flags = BPF_NOEXIST);

		err = bpfhost_map_update_batch(fd, keys, values, &count, &opts);
	}
	ASSERT_TRUE(err == -EEXIST || err == -EINVAL, "NOEXIST batch over a present key");
	ASSERT_EQ(live(), err == -EEXIST ? 3 : 2, "one object per stored element, none for the refused");
	ASSERT_OK(bpfhost_close(fd), "close");

	/* An update batch that stops half way (the map fills up) leaks nothing. */
	fd = obj_map("small", 3);
	count = 5;
	ASSERT_EQ(bpfhost_map_update_batch(fd, keys, values, &count, NULL), -E2BIG,
		  "update batch runs into a full map");
	ASSERT_EQ(count, 3, "three went in");
	ASSERT_EQ(live(), 3, "the refused element's object was freed (undo)");
	ASSERT_OK(bpfhost_close(fd), "close");
	ASSERT_EQ(live(), 0, "close freed the rest");
	unload(h);
}

static void accumulator(void)
{
	int h = load(), fd = acc_map("totals", 4);
	uint32_t k = 0, keys[3] = { 0, 1, 0 }, next, count;
	uint64_t v, out = 99, values[3] = { 1, 2, 3 }, out_values[8];
	uint32_t out_keys[8], out_batch;

	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "zero-filled element exists");
	ASSERT_EQ(out, 0, "starts at 0");
	v = 5;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "add 5");
	v = 7;
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_EXIST), "add 7 (EXIST: elements exist)");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup 0");
	ASSERT_EQ(out, 12, "the provider accumulated 5 + 7 (a plain array would hold 7)");
	k = 1;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup 1");
	ASSERT_EQ(out, 0, "other elements untouched");

	v = 100;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), -EEXIST, "NOEXIST refused");
	k = 4;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), -E2BIG, "index past max_entries");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &out), -ENOENT, "lookup past max_entries");
	k = 0;
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -EINVAL, "array elements cannot be deleted");
	k = 1;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup 1 again");
	ASSERT_EQ(out, 0, "refused updates added nothing");

	count = 3;
	ASSERT_OK(bpfhost_map_update_batch(fd, keys, values, &count, NULL), "update batch");
	ASSERT_EQ(count, 3, "three updates");
	count = 4;
	ASSERT_OK(bpfhost_map_lookup_batch(fd, NULL, &out_batch, out_keys, out_values, &count, NULL),
		  "lookup batch of exactly the array's size (0, as Linux arrays)");
	ASSERT_EQ(count, 4, "four elements");
	count = 8;
	ASSERT_EQ(bpfhost_map_lookup_batch(fd, NULL, &out_batch, out_keys, out_values, &count, NULL),
		  -ENOENT, "lookup batch asking for more than there is");
	ASSERT_EQ(count, 4, "still four elements");
	ASSERT_EQ(out_keys[0], 0, "index 0");
	ASSERT_EQ(out_values[0], 16, "index 0: 5 + 7 + 1 + 3");
	ASSERT_EQ(out_values[1], 2, "index 1: 2");
	ASSERT_EQ(out_values[2] + out_values[3], 0, "indexes 2 and 3 untouched");

	k = 3;
	ASSERT_EQ(bpfhost_map_get_next_key(fd, &k, &next), -ENOENT, "no key after the last index");
	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &next), "first index");
	ASSERT_EQ(next, 0, "is 0");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fd, &next, &out), -ENOTSUPP,
		  "lookup-and-delete on an array (as Linux: ENOTSUPP)");

	ASSERT_OK(bpfhost_close(fd), "close");
	unload(h);
}

static void bad_create(void)
{
	int h = load();
	bpfhost_print_fn_t old = bpfhost_set_print(capture);

	printed[0] = 0;
	ASSERT_EQ(bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, "badkey", 8, 16, 4, NULL), -EINVAL,
		  "object map with 8-byte keys");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "preprocess_map_create", "core names the callback");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "badkey", "core names the map");
	ASSERT_STR_CONTAINS(printed, "object_hash: key_size 8 is not 4", "provider logs why");
	printed[0] = 0;
	ASSERT_EQ(bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, "bigval", 4,
				     SAMPLE_EXT_OBJECT_MAX_VALUE_SIZE + 1, 4, NULL),
		  -EINVAL, "object map with a 65-byte value");
	ASSERT_STR_CONTAINS(printed, "value_size 65 is not within 1..64", "provider logs the value size");
	printed[0] = 0;
	ASSERT_EQ(bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY, "acc4", 4, 4, 4, NULL),
		  -EINVAL, "accumulator with a u32 value");
	ASSERT_STR_CONTAINS(printed, "accumulator_array: value_size 4 is not 8", "provider logs it");
	ASSERT_EQ(bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_ACCUMULATOR_ARRAY, "acckey", 8, 8, 4, NULL),
		  -EINVAL, "accumulator with 8-byte keys (the core refuses first)");
	ASSERT_EQ(bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, "zero", 4, 16, 0, NULL), -EINVAL,
		  "max_entries 0");
	ASSERT_EQ(bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH + 100, "nobody", 4, 16, 4, NULL),
		  -EOPNOTSUPP, "a type nobody provides");
	bpfhost_set_print(old);
	ASSERT_EQ(bpfhost_handle_count(), 0, "nothing created");
	unload(h);
}

static void unload_busy_then_forced(void)
{
	int h = load(), fo = obj_map("held_objects", 8), fa = acc_map("held_totals", 2);
	uint32_t k, next;
	uint64_t v = 3;
	char val[OBJ_VALUE] = "x";
	bpfhost_print_fn_t old;

	for (k = 0; k < 3; k++)
		put(fo, k, "held", BPF_ANY, 0, "insert");
	k = 1;
	ASSERT_OK(bpfhost_map_update_elem(fa, &k, &v, BPF_ANY), "accumulate");
	ASSERT_EQ(live(), 3, "three objects");

	ASSERT_EQ(bpfhost_extension_unload(h, 0), -EBUSY, "unload refused while maps live");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "'held_objects'", "message names the object map");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "'held_totals'", "message names the accumulator");
	get(fo, 0, "held", "the map still works after a refused unload");
	ASSERT_EQ(bpfhost_extension_unload(h, 7), -EINVAL, "unknown unload flags");

	old = bpfhost_set_print(capture);
	printed[0] = 0;
	ASSERT_OK(bpfhost_extension_unload(h, BPFHOST_UNLOAD_FORCE), "forced unload");
	bpfhost_set_print(old);
	ASSERT_STR_CONTAINS(printed, "held_objects", "the core warns about the orphaned map");
	ASSERT_EQ(live(), 0, "forced unload freed every object (MAP_CLEANUP)");

	k = 0;
	ASSERT_EQ(bpfhost_map_lookup_elem(fo, &k, val), -ENODEV, "lookup on an orphaned map");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "unloaded", "message says the module left");
	ASSERT_EQ(bpfhost_map_update_elem(fo, &k, val, BPF_ANY), -ENODEV, "update on an orphaned map");
	ASSERT_EQ(bpfhost_map_delete_elem(fo, &k), -ENODEV, "delete on an orphaned map");
	ASSERT_EQ(bpfhost_map_get_next_key(fo, NULL, &next), -ENODEV, "next key on an orphaned map");
	ASSERT_EQ(bpfhost_map_lookup_and_delete_elem(fo, &k, val), -ENODEV, "lookup-and-delete orphaned");
	ASSERT_EQ(bpfhost_map_lookup_elem(fa, &k, &v), -ENODEV, "lookup on the orphaned accumulator");
	ASSERT_EQ(bpfhost_map_update_elem(fa, &k, &v, BPF_ANY), -ENODEV, "update on it");
	ASSERT_EQ(bpfhost_extension_unload(h, 0), -EBADF, "the module is gone");
	ASSERT_EQ(bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, "late", 4, 16, 4, NULL),
		  -EOPNOTSUPP, "its types are gone");
	ASSERT_OK(bpfhost_close(fo), "close the orphaned object map");
	ASSERT_OK(bpfhost_close(fa), "close the orphaned accumulator");
	ASSERT_EQ(live(), 0, "still no object");
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

static void reload(void)
{
	for (int round = 0; round < 3; round++) {
		int h = load(), fd = obj_map("again", 4);

		put(fd, 7, "round", BPF_ANY, 0, "insert after reload");
		get(fd, 7, "round", "lookup after reload");
		ASSERT_OK(bpfhost_close(fd), "close");
		unload(h);
	}
	ASSERT_EQ(live(), 0, "no object left");
}

static void load_twice(void)
{
	int h1 = load(), h2, fd;

	h2 = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH);
	ASSERT_EQ(h2, -EEXIST, "the same map types registered twice");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "already provided by module '" SAMPLE_EXT_NAME "'",
			    "message names the module holding the type");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "4097", "message names the type");
	/* The first load is untouched. */
	fd = obj_map("first", 4);
	put(fd, 1, "still here", BPF_ANY, 0, "the first load still serves its types");
	get(fd, 1, "still here", "lookup");
	ASSERT_OK(bpfhost_close(fd), "close");
	fd = acc_map("first_acc", 1);
	ASSERT_OK(bpfhost_close(fd), "the accumulator type too");
	unload(h1);
	ASSERT_EQ(live(), 0, "no object left");
}

/* Every single allocation failure on the object map's paths: -ENOMEM or success, no leak. */
static void allocation_failures(void)
{
	int h = load();

	for (unsigned long nth = 1; nth < 64; nth++) {
		int fd, err;
		uint32_t k = 1;
		char v[OBJ_VALUE] = "fault";

		bpfhost_fault_inject_alloc(nth);
		fd = bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, "faulty", 4, OBJ_VALUE, 4, NULL);
		if (fd < 0) {
			bpfhost_fault_inject_alloc(0);
			ASSERT_EQ(fd, -ENOMEM, "create fails only with ENOMEM");
			continue;
		}
		err = bpfhost_map_update_elem(fd, &k, v, BPF_ANY);
		ASSERT_TRUE(err == 0 || err == -ENOMEM, "insert: 0 or ENOMEM");
		err = bpfhost_map_update_elem(fd, &k, v, BPF_ANY);
		ASSERT_TRUE(err == 0 || err == -ENOMEM, "replace: 0 or ENOMEM");
		k = 2;
		err = bpfhost_map_update_elem(fd, &k, v, BPF_ANY);
		ASSERT_TRUE(err == 0 || err == -ENOMEM, "second insert: 0 or ENOMEM");
		bpfhost_fault_inject_alloc(0);
		ASSERT_OK(bpfhost_close(fd), "close");
		ASSERT_EQ(live(), 0, "no object leaked");
	}
	bpfhost_fault_inject_alloc(0);
	unload(h);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(object_map_crud),
		TEST(object_map_batches),
		TEST(accumulator),
		TEST(bad_create),
		TEST(unload_busy_then_forced),
		TEST(reload),
		TEST(load_twice),
		TEST(allocation_failures),
	};

	return test_run("sample_ext", cases, sizeof(cases) / sizeof(cases[0]));
}
