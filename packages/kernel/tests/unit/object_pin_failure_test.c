// SPDX-License-Identifier: MIT
/*
 * A failed bpfhost_object__load() takes back the pins it made (as libbpf
 * does): a map pinned by name is unpinned again and destroyed with the rest,
 * while a pinned map the load only reused stays pinned. Found by fuzz_elf
 * (a mutated object whose program failed to load left its map pinned).
 */
#include "test.h"
#include "bpf_objects.h"
#include "bpfhost/libbpf.h"
#include "core/internal.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define PIN_ROOT "/bpfhost-test/pin_failure"
#define PIN_PATH PIN_ROOT "/shared_cfg"

static struct bpfhost_object *open_pinning(void)
{
	BPFHOST_OPTS(bpfhost_object_open_opts, opts, .pin_root_path = PIN_ROOT);
	struct bpfhost_object *obj = bpfhost_object__open_file(bpf_object_path("object_maps"), &opts);

	ASSERT_TRUE(obj != NULL, "open");
	return obj;
}

/* Makes the load fail after the maps (shared_cfg is pinned by name) were created. */
static void fail_a_program(struct bpfhost_object *obj)
{
	ASSERT_OK(bpfhost_program__set_type(bpfhost_object__find_program_by_name(obj, "read_cfg"), 4242),
		  "a program type nobody provides");
}

static void t_failed_load_unpins(void)
{
	int handles = bpfhost_handle_count();
	uint32_t objects = bh_id_count();
	struct bpfhost_object *obj = open_pinning();
	int fd;

	if (!obj)
		return;
	fail_a_program(obj);
	ASSERT_TRUE(bpfhost_object__load(obj) < 0, "load fails");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "program 'read_cfg'", "the message is the load's");
	fd = bpfhost_obj_get(PIN_PATH);
	ASSERT_EQ(fd, -ENOENT, "the map it pinned is unpinned again");
	if (fd > 0)
		bpfhost_close(fd);
	bpfhost_object__close(obj);
	bpfhost_synchronize();
	ASSERT_EQ(bpfhost_handle_count(), handles, "no handle left");
	ASSERT_EQ(bh_id_count(), objects, "no map left alive by a pin");
	if (fd > 0)
		bpfhost_obj_unpin(PIN_PATH);	/* so the next case starts clean */
}

static void t_failed_load_keeps_reused_pin(void)
{
	struct bpfhost_object *a = open_pinning(), *b = open_pinning();
	struct bpf_map_info before, after;
	uint32_t len = sizeof(before);
	int fd;

	if (!a || !b)
		goto out;
	ASSERT_OK(bpfhost_object__load(a), "a loads and pins");
	memset(&before, 0, sizeof(before));
	ASSERT_OK(bpfhost_map_get_info_by_fd(bpfhost_map__fd(bpfhost_object__find_map_by_name(a, "shared_cfg")),
					     &before, &len), "info");
	fail_a_program(b);
	ASSERT_TRUE(bpfhost_object__load(b) < 0, "b (reusing the pin) fails");
	fd = bpfhost_obj_get(PIN_PATH);
	ASSERT_TRUE(fd > 0, "the pin b reused is still there");
	if (fd > 0) {
		len = sizeof(after);
		memset(&after, 0, sizeof(after));
		ASSERT_OK(bpfhost_map_get_info_by_fd(fd, &after, &len), "info");
		ASSERT_EQ(after.id, before.id, "the same map");
		bpfhost_close(fd);
	}
out:
	bpfhost_object__close(a);
	bpfhost_object__close(b);
	ASSERT_OK(bpfhost_obj_unpin(PIN_PATH), "a's pin stays after close");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_failed_load_unpins),
		TEST(t_failed_load_keeps_reused_pin),
	};

	if (!bpf_objects_available()) {
		printf(BPF_OBJECTS_SKIP_MESSAGE);
		return 0;
	}
	return test_run("object_pin_failure", cases, ARRAY_SIZE(cases));
}
