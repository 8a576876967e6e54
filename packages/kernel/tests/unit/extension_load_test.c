// SPDX-License-Identifier: MIT
/*
 * Loading and unloading extension modules: every bad provider table is
 * refused with -EINVAL and a message naming module, struct and field; a
 * taken map type is -EEXIST; unloading with live maps is -EBUSY, or, forced,
 * cleans the maps up and orphans them (-ENODEV) while closing still works.
 */
#include "provider_fixture.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

/* A map that must stay intact whatever fails around it. */
static int sentinel;

static void sentinel_setup(void)
{
	uint32_t k = 1;
	uint64_t v = 0xfeed;

	sentinel = test_map(BPF_MAP_TYPE_HASH, "sentinel", 4, 8, 4, 0);
	ASSERT_OK(bpfhost_map_update_elem(sentinel, &k, &v, BPF_ANY), "sentinel value");
}

static void sentinel_check(const char *when)
{
	uint32_t k = 1;
	uint64_t v = 0;

	ASSERT_OK(bpfhost_map_lookup_elem(sentinel, &k, &v), when);
	ASSERT_EQ(v, 0xfeed, when);
}

struct bad_table {
	const char *what;
	void (*apply)(struct tp_type_config *tc, struct tp_config *c);
	int err;
	const char *needle;	/* the message must contain this */
};

static void bad_version(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->table_version = 2;
}
static void table_too_small(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->table_size = BPFHOST_BASE_MAP_PROVIDER_DISPATCH_TABLE_V1_SIZE - 8;
}
static void table_bigger_than_total(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->table_size = sizeof(struct bpfhost_base_map_provider_dispatch_table) + 8;
}
static void props_too_small(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->props_size = 8;
}
static void data_too_small(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->data_size = 16;
}
static void both_deletes(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->callbacks |= TP_HAS(TP_PRE_DELETE);
}
static void no_delete(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->callbacks &= ~TP_HAS(TP_POST_DELETE);
}
static void no_create(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->callbacks &= ~TP_HAS(TP_CREATE);
}
static void no_map_delete(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->callbacks &= ~TP_HAS(TP_MAP_DELETE);
}
static void no_associate(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->callbacks &= ~TP_HAS(TP_ASSOCIATE);
}
static void uov_no_find(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->updates_original_value = 1;
	tc->callbacks &= ~TP_HAS(TP_FIND);
}
static void uov_no_update(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->updates_original_value = 1;
	tc->callbacks &= ~TP_HAS(TP_UPDATE);
}
static void type_below_range(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->map_type = BPF_MAP_TYPE_HASH;
}
static void type_above_range(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->map_type = BPFHOST_MAP_TYPE_EXT_LIMIT;
}
static void base_lru(struct tp_type_config *tc, struct tp_config *c)
{
	(void)c;
	tc->base_map_type = BPF_MAP_TYPE_LRU_HASH;
}
static void attach_refused(struct tp_type_config *tc, struct tp_config *c)
{
	(void)tc;
	c->attach_error = -EPERM;
}
static void two_of_a_type(struct tp_type_config *tc, struct tp_config *c)
{
	c->types[1] = *tc;
	c->ntypes = 2;
}

static void bad_tables_refused(void)
{
	static const struct bad_table cases[] = {
		{ "wrong table version", bad_version, -EINVAL, "header.version is 2" },
		{ "table size too small", table_too_small, -EINVAL, "bpfhost_base_map_provider_dispatch_table header.size" },
		{ "table size over total_size", table_bigger_than_total, -EINVAL, "larger than header.total_size" },
		{ "properties size too small", props_too_small, -EINVAL, "bpfhost_base_map_provider_properties" },
		{ "provider data size too small", data_too_small, -EINVAL, "bpfhost_map_provider_data" },
		{ "both delete callbacks", both_deletes, -EINVAL, "not both" },
		{ "neither delete callback", no_delete, -EINVAL, "neither is set" },
		{ "NULL create", no_create, -EINVAL, "preprocess_map_create is NULL" },
		{ "NULL map delete", no_map_delete, -EINVAL, "postprocess_map_delete is NULL" },
		{ "NULL associate", no_associate, -EINVAL, "preprocess_associate_program_type is NULL" },
		{ "uov without find", uov_no_find, -EINVAL, "postprocess_map_find_element is NULL" },
		{ "uov without update", uov_no_update, -EINVAL, "preprocess_map_update_element is NULL" },
		{ "type below the custom range", type_below_range, -EINVAL, "outside the custom range" },
		{ "type above the custom range", type_above_range, -EINVAL, "outside the custom range" },
		{ "unsupported base type", base_lru, -EINVAL, "neither hash (1) nor array (2)" },
		{ "attach refused", attach_refused, -EPERM, "attach_client refused" },
		{ "one type twice in a module", two_of_a_type, -EEXIST, "already provided by module" },
	};

	sentinel_setup();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int h;

		tp_config_one(TP_TYPE, BPFHOST_BASE_MAP_TYPE_HASH, 0, TP_ALL_POST);
		cases[i].apply(&tp()->config.types[0], &tp()->config);
		h = tp_load();
		ASSERT_EQ(h, cases[i].err, cases[i].what);
		ASSERT_STR_CONTAINS(bpfhost_last_error(), cases[i].needle, cases[i].what);
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "test_provider", "message names the module");
		if (h > 0)
			bpfhost_extension_unload(h, BPFHOST_UNLOAD_FORCE);
		/* Nothing stays registered: the type is free afterwards. */
		ASSERT_EQ(bpfhost_map_create(TP_TYPE, "after", 4, 8, 4, NULL), -EOPNOTSUPP,
			  "refused module left no provider");
		sentinel_check(cases[i].what);
	}
	/* The table of a correct module still loads after all that. */
	tp_config_one(TP_TYPE, BPFHOST_BASE_MAP_TYPE_HASH, 0, TP_ALL_POST);
	{
		int h = tp_load();

		ASSERT_GE(h, 1, "a good table loads");
		ASSERT_OK(bpfhost_extension_unload(h, 0), "unload");
	}
	bpfhost_close(sentinel);
}

static void bad_modules(void)
{
	FILE *f;

	ASSERT_EQ(bpfhost_extension_load("/nonexistent/ext.so"), -ENOENT, "missing file");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "/nonexistent/ext.so", "message names the path");
	f = fopen("/tmp/bpfhost_not_elf.so", "w");
	fputs("not a module\n", f);
	fclose(f);
	ASSERT_EQ(bpfhost_extension_load("/tmp/bpfhost_not_elf.so"), -ENOEXEC, "not a shared object");
	unlink("/tmp/bpfhost_not_elf.so");
	ASSERT_EQ(bpfhost_extension_load("libm.so.6"), -ENOENT, "bare name is not a path");
	ASSERT_EQ(bpfhost_extension_load(NULL), -EINVAL, "NULL path");
	{
		const char *libm = "/lib/x86_64-linux-gnu/libm.so.6";

		if (access(libm, R_OK) == 0) {
			ASSERT_EQ(bpfhost_extension_load(libm), -ENOEXEC, "no entry point");
			ASSERT_STR_CONTAINS(bpfhost_last_error(), "bpfhost_extension_entry", "names the symbol");
		}
	}
	tp_config_one(TP_TYPE, BPFHOST_BASE_MAP_TYPE_HASH, 0, TP_ALL_POST);
	tp()->config.entry_error = -EIO;
	ASSERT_EQ(tp_load(), -EIO, "entry point error propagates");
	tp_config_one(TP_TYPE, BPFHOST_BASE_MAP_TYPE_HASH, 0, TP_ALL_POST);
	tp()->config.fail_entry_after_register = 1;
	ASSERT_EQ(tp_load(), -EIO, "entry fails after registering");
	ASSERT_EQ(bpfhost_map_create(TP_TYPE, "x", 4, 8, 4, NULL), -EOPNOTSUPP,
		  "its registrations were removed");
	ASSERT_EQ(bpfhost_extension_unload(12345, 0), -EBADF, "unknown module handle");
	ASSERT_EQ(bpfhost_extension_unload(1, 0x80), -EINVAL, "unknown unload flags");
}

static void type_taken_across_modules(void)
{
	char copy[] = "/tmp/bpfhost_tp_copy_XXXXXX";
	int fd_in, fd_out, first, second;
	char buf[65536];
	ssize_t n;

	tp_config_one(TP_TYPE, BPFHOST_BASE_MAP_TYPE_HASH, 0, TP_ALL_POST);
	first = tp_load();
	ASSERT_GE(first, 1, "first module");
	/* A second copy of the module file is a second module with its own globals. */
	fd_out = mkstemp(copy);
	fd_in = open(TP_MODULE, 0);
	while ((n = read(fd_in, buf, sizeof(buf))) > 0)
		ASSERT_EQ(write(fd_out, buf, (size_t)n), n, "copy module");
	close(fd_in);
	close(fd_out);
	{
		void *dl = dlopen(copy, RTLD_NOW | RTLD_LOCAL);
		struct tp_state *s2 = ((struct tp_state * (*)(void)) dlsym(dl, "test_provider_control"))();

		s2->config = tp()->config;
		second = bpfhost_extension_load(copy);
		ASSERT_EQ(second, -EEXIST, "type already provided");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "already provided by module 'test_provider'",
				    "names the module that holds it");
		s2->config.types[0].map_type = TP_TYPE2;
		second = bpfhost_extension_load(copy);
		ASSERT_GE(second, 1, "another type from the copy loads");
		ASSERT_OK(bpfhost_extension_unload(second, 0), "unload copy");
		dlclose(dl);
	}
	unlink(copy);
	ASSERT_OK(bpfhost_extension_unload(first, 0), "unload first");
}

static void unload_with_live_maps(void)
{
	uint32_t k;
	uint64_t v = 3, out;
	int h, fd, fd2;

	tp_config_one(TP_TYPE, BPFHOST_BASE_MAP_TYPE_HASH, 1, TP_ALL_POST);
	h = tp_load();
	fd = bpfhost_map_create(TP_TYPE, "live_one", 4, 8, 8, NULL);
	fd2 = bpfhost_map_create(TP_TYPE, "live_two", 4, 8, 8, NULL);
	for (k = 0; k < 5; k++)
		ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "fill");
	ASSERT_EQ(tp()->live_objects, 5, "objects live");
	ASSERT_EQ(bpfhost_extension_unload(h, 0), -EBUSY, "unload refused while maps live");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "live_one", "names the first map");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "live_two", "names the second map");
	k = 1;
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "map still works after the refusal");

	tp_clear();
	ASSERT_OK(bpfhost_extension_unload(h, BPFHOST_UNLOAD_FORCE), "forced unload");
	ASSERT_EQ(tp_count(TP_POST_DELETE, BPFHOST_MAP_OPERATION_MAP_CLEANUP), 5, "MAP_CLEANUP for every entry");
	ASSERT_EQ(tp_count(TP_MAP_DELETE, -1), 2, "postprocess_map_delete for every map");
	ASSERT_EQ(tp_count(TP_DETACH, -1), 1, "binding detached");
	ASSERT_EQ(tp()->live_objects, 0, "nothing lost");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &out), -ENODEV, "orphaned: lookup");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "unloaded", "orphan message");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), -ENODEV, "orphaned: update");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -ENODEV, "orphaned: delete");
	ASSERT_EQ(bpfhost_map_get_next_key(fd, NULL, &k), -ENODEV, "orphaned: next key");
	ASSERT_EQ(bpfhost_map_create(TP_TYPE, "after", 4, 8, 8, NULL), -EOPNOTSUPP, "type gone");
	tp_clear();
	ASSERT_OK(bpfhost_close(fd), "closing an orphan completes");
	ASSERT_OK(bpfhost_close(fd2), "closing the other orphan");
	ASSERT_EQ(atomic_load(&tp()->ncalls), 0, "no provider call after unload");

	/* The module loads again and serves new maps. */
	tp_config_one(TP_TYPE, BPFHOST_BASE_MAP_TYPE_HASH, 1, TP_ALL_POST);
	h = tp_load();
	ASSERT_GE(h, 1, "reload");
	fd = bpfhost_map_create(TP_TYPE, "again", 4, 8, 8, NULL);
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "works after reload");
	bpfhost_close(fd);
	ASSERT_OK(bpfhost_extension_unload(h, 0), "unload once the map is closed");
	ASSERT_EQ(tp()->live_objects, 0, "nothing leaked");
}

static void unload_without_deregistering(void)
{
	int h, fd;

	tp_config_one(TP_TYPE, BPFHOST_BASE_MAP_TYPE_ARRAY, 0, TP_ALL_POST);
	tp()->config.skip_deregister_on_unload = 1;
	h = tp_load();
	fd = bpfhost_map_create(TP_TYPE, "arr", 4, 8, 3, NULL);
	tp_clear();
	ASSERT_OK(bpfhost_extension_unload(h, BPFHOST_UNLOAD_FORCE), "forced unload");
	ASSERT_EQ(tp_count(TP_POST_DELETE, BPFHOST_MAP_OPERATION_MAP_CLEANUP), 3, "array: every element");
	ASSERT_EQ(tp_count(TP_DETACH, -1), 1, "the core detached what the module left");
	ASSERT_OK(bpfhost_close(fd), "close orphan");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(bad_tables_refused), TEST(bad_modules), TEST(type_taken_across_modules),
		TEST(unload_with_live_maps), TEST(unload_without_deregistering),
	};
	int rc = test_run("extension_load", cases, sizeof(cases) / sizeof(cases[0]));

	if (bpfhost_handle_count() != 0) {
		fprintf(stderr, "FAIL: %d handles leaked\n", bpfhost_handle_count());
		rc = 1;
	}
	return rc;
}
