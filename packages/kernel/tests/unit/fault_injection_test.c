// SPDX-License-Identifier: MIT
/*
 * Fault injection: a scenario through load, create, update, replace,
 * delete, batches, cleanup and unload is run once per allocation it makes,
 * with exactly that allocation failing. Every step must either succeed or
 * return -ENOMEM (or a consequence of an earlier -ENOMEM), and afterwards
 * nothing is leaked: no provider object, no handle, and LeakSanitizer (CI
 * runs this under ASan) sees no core memory left behind.
 */
#include "provider_fixture.h"

static int nomem_seen;

/* Accepts success, -ENOMEM, or the listed consequence of an earlier failure. */
static void step(int ret, int consequence, const char *what)
{
	if (ret == -ENOMEM) {
		nomem_seen++;
		return;
	}
	if (ret == 0 || ret > 0)
		return;
	if (consequence && ret == consequence)
		return;
	ASSERT_EQ(ret, 0, what);
}

static void custom_scenario(uint32_t base)
{
	uint32_t keys[4] = { 1, 2, 3, 0 }, k, count;
	uint64_t values[4] = { 10, 20, 30, 40 }, v, out;
	int h, fd;

	tp_config_one(TP_TYPE, base, 1, TP_ALL_POST);
	h = tp_load();
	step(h, 0, "load");
	if (h < 0)
		return;
	fd = bpfhost_map_create(TP_TYPE, "faulty", 4, 8, 4, NULL);
	step(fd, 0, "create");
	if (fd > 0) {
		for (int i = 0; i < 3; i++)
			step(bpfhost_map_update_elem(fd, &keys[i], &values[i], BPF_ANY), 0, "update");
		k = 1;
		v = 11;
		step(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), 0, "replace");
		step(bpfhost_map_lookup_elem(fd, &k, &out), -ENOENT, "lookup");
		k = 2;
		step(bpfhost_map_delete_elem(fd, &k), base == BPFHOST_BASE_MAP_TYPE_ARRAY ? -EINVAL : -ENOENT,
		     "delete");
		k = 3;
		step(bpfhost_map_lookup_and_delete_elem(fd, &k, &out), base == BPFHOST_BASE_MAP_TYPE_ARRAY ?
		     -ENOTSUPP : -ENOENT, "lookup_and_delete");
		count = 4;
		step(bpfhost_map_update_batch(fd, keys, values, &count, NULL), -E2BIG, "update batch");
		/* Half the time the module goes first (forced), else the map does. */
		if (base == BPFHOST_BASE_MAP_TYPE_HASH) {
			step(bpfhost_extension_unload(h, BPFHOST_UNLOAD_FORCE), 0, "forced unload");
			bpfhost_close(fd);
			return;
		}
		bpfhost_close(fd);
	}
	step(bpfhost_extension_unload(h, BPFHOST_UNLOAD_FORCE), 0, "unload");
}

static void core_scenario(void)
{
	uint32_t k, count, keys[8], token;
	uint64_t v = 1, vals[8];
	int fd = bpfhost_map_create(BPF_MAP_TYPE_HASH, "core", 4, 8, 8, NULL), fd2;

	step(fd, 0, "create hash");
	if (fd < 0)
		return;
	for (k = 0; k < 6; k++)
		step(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), 0, "hash update");
	step(bpfhost_obj_pin(fd, "/fault/pin"), 0, "pin");
	fd2 = bpfhost_obj_get("/fault/pin");
	step(fd2, -ENOENT, "get pinned");
	count = 8;
	step(bpfhost_map_lookup_and_delete_batch(fd, NULL, &token, keys, vals, &count, NULL), -ENOENT,
	     "lookup_and_delete batch");
	bpfhost_obj_unpin("/fault/pin");
	if (fd2 > 0)
		bpfhost_close(fd2);
	bpfhost_close(fd);
}

static void sweep(const char *name, void (*scenario)(void))
{
	unsigned long before, needed;
	int failures_before = test_failures;

	/* A clean run counts the allocations the scenario makes. */
	before = bpfhost_alloc_count();
	scenario();
	bpfhost_synchronize();
	needed = bpfhost_alloc_count() - before;
	ASSERT_GE(needed, 5, name);
	nomem_seen = 0;
	for (unsigned long n = 1; n <= needed + 2; n++) {
		bpfhost_fault_inject_alloc(n);
		scenario();
		bpfhost_fault_inject_alloc(0);
		bpfhost_synchronize();
		ASSERT_EQ(tp()->live_objects, 0, "no provider object leaked");
		ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
		if (test_failures != failures_before) {
			fprintf(stderr, "  (%s: failing allocation #%lu)\n", name, n);
			break;
		}
	}
	ASSERT_GE(nomem_seen, 1, "some failure reached the caller as -ENOMEM");
	printf("  %s: %lu allocations swept, %d surfaced as -ENOMEM\n", name, needed, nomem_seen);
}

static void hash_scenario(void)
{
	custom_scenario(BPFHOST_BASE_MAP_TYPE_HASH);
}

static void array_scenario(void)
{
	custom_scenario(BPFHOST_BASE_MAP_TYPE_ARRAY);
}

static void custom_hash_sweep(void)
{
	sweep("custom hash", hash_scenario);
}

static void custom_array_sweep(void)
{
	sweep("custom array", array_scenario);
}

static void core_hash_sweep(void)
{
	sweep("core hash", core_scenario);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(custom_hash_sweep), TEST(custom_array_sweep), TEST(core_hash_sweep),
	};

	return test_run("fault_injection", cases, sizeof(cases) / sizeof(cases[0]));
}
