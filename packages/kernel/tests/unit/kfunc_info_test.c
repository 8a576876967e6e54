// SPDX-License-Identifier: MIT
/*
 * BPFHOST_KFUNC_INFO's reference fields and the library's
 * bpfhost_kfunc_info(): the tag and the acquire, release and writable flags
 * of tests/ext/test_kfunc_refs.c's kfuncs, none for a plain kfunc or a
 * version-1 table; a caller passing the size of the layout before the
 * reference fields (attr size, or info_len) never has bytes past it written.
 */
#include "bpfhost/extension.h"

#include "prog_run.h"
#include "test_kfunc_refs.h"

#define OLD_ATTR_SIZE (offsetof(union bpf_attr, kfunc.arg_sizes) + 5 * sizeof(uint32_t))
#define SENTINEL 0xa5a5a5a5u

static int raw_info(const char *name, union bpf_attr *attr, unsigned int size)
{
	memset(attr, 0, sizeof(*attr));
	attr->kfunc.name = (uint64_t)(uintptr_t)name;
	return bpfhost_sys_bpf(BPFHOST_KFUNC_INFO, attr, size);
}

static void t_command(void)
{
	static const struct {
		const char *name;
		uint32_t ref_type, ref_flags;
	} want[] = {
		{ "tr_acquire", TR_TAG_OBJ, BPFHOST_KFUNC_INFO_ACQUIRE },
		{ "tr_release", TR_TAG_OBJ, BPFHOST_KFUNC_INFO_RELEASE },
		{ "tr_other_acquire", TR_TAG_OTHER, BPFHOST_KFUNC_INFO_ACQUIRE | BPFHOST_KFUNC_INFO_WRITABLE },
		{ "tr_other_release", TR_TAG_OTHER, BPFHOST_KFUNC_INFO_RELEASE },
		{ "tr_peek", 0, 0 },
	};
	int mod = bpfhost_extension_load(BPFHOST_TEST_MODULE_DIR "/test_kfunc_refs.so");
	union bpf_attr attr;

	ASSERT_GE(mod, 0, "load the references module");
	ASSERT_EQ(BPFHOST_KFUNC_INFO_WRITABLE, BPFHOST_KFUNC_REF_WRITABLE, "the module's bit, reported as is");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ASSERT_OK(raw_info(want[i].name, &attr, sizeof(attr)), want[i].name);
		ASSERT_EQ(attr.kfunc.ref_type, want[i].ref_type, want[i].name);
		ASSERT_EQ(attr.kfunc.ref_flags, want[i].ref_flags, want[i].name);
	}
	ASSERT_OK(raw_info("tr_acquire", &attr, sizeof(attr)), "tr_acquire");
	ASSERT_EQ(attr.kfunc.return_kind, BPFHOST_KFUNC_RET_ACQUIRED, "the prototype as before");
	ASSERT_EQ(attr.kfunc.return_size, sizeof(struct tr_obj), "of the object's size");

	/* An attr of the older layout: the prototype, and nothing written past it. */
	memset(&attr, 0, sizeof(attr));
	attr.kfunc.name = (uint64_t)(uintptr_t)"tr_other_acquire";
	attr.kfunc.ref_type = SENTINEL;
	attr.kfunc.ref_flags = SENTINEL;
	ASSERT_OK(bpfhost_sys_bpf(BPFHOST_KFUNC_INFO, &attr, OLD_ATTR_SIZE), "an attr of the old size");
	ASSERT_EQ(attr.kfunc.return_kind, BPFHOST_KFUNC_RET_ACQUIRED, "gets the prototype");
	ASSERT_EQ(attr.kfunc.ref_type, SENTINEL, "and no ref_type past its size");
	ASSERT_EQ(attr.kfunc.ref_flags, SENTINEL, "nor ref_flags");

	/* Non-zero out fields on the way in (a reused attr) are not refused. */
	attr.kfunc.name = (uint64_t)(uintptr_t)"tr_release";
	ASSERT_OK(bpfhost_sys_bpf(BPFHOST_KFUNC_INFO, &attr, sizeof(attr)), "a reused attr");
	ASSERT_EQ(attr.kfunc.ref_flags, BPFHOST_KFUNC_INFO_RELEASE, "overwritten");
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

static void t_v1_table(void)
{
	int mod = bpfhost_extension_load(BPFHOST_TEST_MODULE_DIR "/test_kfunc_v1.so");
	union bpf_attr attr;

	ASSERT_GE(mod, 0, "a version-1 kfunc table registers");
	memset(&attr, 0, sizeof(attr));
	attr.kfunc.name = (uint64_t)(uintptr_t)"tv1_inc";
	attr.kfunc.ref_type = SENTINEL;
	attr.kfunc.ref_flags = SENTINEL;
	ASSERT_OK(bpfhost_sys_bpf(BPFHOST_KFUNC_INFO, &attr, sizeof(attr)), "tv1_inc");
	ASSERT_EQ(attr.kfunc.ref_type, 0, "a table without the reference fields: no tag");
	ASSERT_EQ(attr.kfunc.ref_flags, 0, "and no flags");
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

static void t_library(void)
{
	int mod = bpfhost_extension_load(BPFHOST_TEST_MODULE_DIR "/test_kfunc_refs.so");
	struct bpfhost_kfunc_info info;
	union bpf_attr attr;
	uint32_t len;

	ASSERT_GE(mod, 0, "load the references module");
	ASSERT_OK(raw_info("tr_other_acquire", &attr, sizeof(attr)), "the command");
	memset(&info, 0, sizeof(info));
	ASSERT_OK(bpfhost_kfunc_info("tr_other_acquire", &info, NULL), "bpfhost_kfunc_info");
	ASSERT_EQ(info.id, attr.kfunc.id, "the id the command gives");
	ASSERT_EQ(info.return_kind, BPFHOST_KFUNC_RET_ACQUIRED, "return_kind");
	ASSERT_EQ(info.return_size, sizeof(struct tr_obj), "return_size");
	ASSERT_EQ(info.arg_count, 1, "arg_count");
	ASSERT_EQ(info.arg_kinds[0], BPFHOST_KFUNC_ARG_SCALAR, "arg_kinds[0]");
	ASSERT_EQ(info.arg_sizes[0], 4, "arg_sizes[0]");
	ASSERT_EQ(info.arg_kinds[1], BPFHOST_KFUNC_ARG_NONE, "arg_kinds[1]");
	ASSERT_EQ(info.ref_type, TR_TAG_OTHER, "ref_type");
	ASSERT_EQ(info.ref_flags, BPFHOST_KFUNC_INFO_ACQUIRE | BPFHOST_KFUNC_INFO_WRITABLE, "ref_flags");

	len = sizeof(info);
	ASSERT_OK(bpfhost_kfunc_info("tr_release", &info, &len), "with info_len");
	ASSERT_EQ(len, sizeof(info), "all of it written");
	ASSERT_EQ(info.ref_flags, BPFHOST_KFUNC_INFO_RELEASE, "tr_release releases");
	ASSERT_EQ(info.arg_kinds[0], BPFHOST_KFUNC_ARG_RELEASE, "its argument");

	/* A caller built before the reference fields: its struct ends at arg_sizes. */
	memset(&info, 0, sizeof(info));
	info.ref_type = SENTINEL;
	info.ref_flags = SENTINEL;
	len = offsetof(struct bpfhost_kfunc_info, ref_type);
	ASSERT_OK(bpfhost_kfunc_info("tr_acquire", &info, &len), "an older, shorter struct");
	ASSERT_EQ(len, offsetof(struct bpfhost_kfunc_info, ref_type), "as many bytes as it has");
	ASSERT_EQ(info.return_kind, BPFHOST_KFUNC_RET_ACQUIRED, "its fields filled");
	ASSERT_EQ(info.ref_type, SENTINEL, "nothing past them");
	ASSERT_EQ(info.ref_flags, SENTINEL, "nothing past them");

	len = 2 * sizeof(info);
	ASSERT_OK(bpfhost_kfunc_info("tr_peek", &info, &len), "a longer buffer");
	ASSERT_EQ(len, sizeof(info), "gets what the library knows");
	ASSERT_EQ(info.ref_type, 0, "a plain kfunc has no tag");
	ASSERT_EQ(info.ref_flags, 0, "nor flags");

	errno = 0;
	ASSERT_EQ(bpfhost_kfunc_info("tr_nope", &info, NULL), -ENOENT, "an unknown name");
	ASSERT_EQ(errno, ENOENT, "errno set, as libbpf's calls do");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "'tr_nope'", "the message names it");
	{
		char long_name[200];

		memset(long_name, 'a', sizeof(long_name) - 1);
		long_name[sizeof(long_name) - 1] = 0;
		ASSERT_EQ(bpfhost_kfunc_info(long_name, &info, NULL), -EINVAL, "a name of 128 bytes or more");
	}
	ASSERT_EQ(bpfhost_kfunc_info(NULL, &info, NULL), -EFAULT, "a NULL name");
	ASSERT_EQ(bpfhost_kfunc_info("tr_peek", NULL, NULL), -EFAULT, "a NULL info");
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	ASSERT_EQ(bpfhost_kfunc_info("tr_peek", &info, NULL), -ENOENT, "gone with its module");
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_command), TEST(t_v1_table), TEST(t_library) };

	return test_run("kfunc_info", cases, sizeof(cases) / sizeof(cases[0]));
}
