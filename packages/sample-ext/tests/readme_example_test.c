// SPDX-License-Identifier: MIT
/*
 * The README's "Using the core from C" example, compiled and run: the
 * region between the markers is what the README shows (keep them equal).
 */
#include <stdio.h>

#include "test.h"
#include "sample_ext.h"

static void readme_example(void)
{
	char message[256] = "";
	int result;

	/* readme_example { */
	int fd = bpfhost_map_create(BPF_MAP_TYPE_HASH, "counts", sizeof(uint32_t), sizeof(uint64_t), 1024, NULL);
	uint32_t key = 7;
	uint64_t value = 1;

	bpfhost_map_update_elem(fd, &key, &value, BPF_NOEXIST);
	if (bpfhost_map_update_elem(fd, &key, &value, BPF_NOEXIST) < 0)	/* -EEXIST */
		snprintf(message, sizeof(message), "%s", bpfhost_last_error());
	bpfhost_close(fd);

	int mod = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH);
	int objs = bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_OBJECT_HASH, "objs", 4, 16, 64, NULL);
	char name[16] = "ada";

	bpfhost_map_update_elem(objs, &key, name, BPF_ANY);	/* the provider keeps its own copy */
	result = bpfhost_extension_unload(mod, 0);		/* -EBUSY: map 'objs' still lives */
	bpfhost_close(objs);
	bpfhost_extension_unload(mod, 0);			/* 0 */
	/* } readme_example */

	ASSERT_GE(fd, 1, "hash created");
	ASSERT_STR_CONTAINS(message, "map 'counts'", "message names the map");
	ASSERT_STR_CONTAINS(message, "key exists (BPF_NOEXIST)", "message says what was wrong");
	ASSERT_GE(mod, 1, "extension loaded");
	ASSERT_GE(objs, 1, "custom map created");
	ASSERT_EQ(result, -EBUSY, "unload refused while the map lives");
	ASSERT_EQ(bpfhost_handle_count(), 0, "nothing left open");
}

int main(void)
{
	static const struct test_case cases[] = { TEST(readme_example) };

	return test_run("readme_example", cases, 1);
}
