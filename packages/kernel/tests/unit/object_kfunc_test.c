// SPDX-License-Identifier: MIT
/*
 * Kfunc externs in clang-compiled objects (tests/bpf/object_kfunc*.bpf.c)
 * against tests/ext/test_kfunc_provider.c:
 *  - calls declared as the module registers them resolve at load and run
 *    (numbers, const and writable memory); a __weak one no module provides
 *    reads as absent and its guarded call is never reached;
 *  - an unknown strong name, and each way a prototype can differ (a size,
 *    pointer for number, the return, the count), are refused at load with
 *    the object, program, instruction and function named;
 *  - an unguarded call of an absent __weak kfunc is refused by the verifier;
 *  - without the module, the same object is refused, naming what to load.
 */
#include <errno.h>

#include "test.h"
#include "bpf_objects.h"
#include "bpfhost/bpf.h"
#include "bpfhost/libbpf.h"

#define MODULE BPFHOST_TEST_MODULE_DIR "/test_kfunc_provider.so"

static int run(struct bpfhost_object *obj, const char *prog, uint32_t *ret)
{
	uint8_t frame[64] = { 0 };
	BPFHOST_OPTS(bpfhost_test_run_opts, t, .data_in = frame, .data_size_in = sizeof(frame));
	int err = bpfhost_prog_test_run_opts(bpfhost_program__fd(bpfhost_object__find_program_by_name(obj, prog)),
					     &t);

	*ret = t.retval;
	return err;
}

static void t_resolved(void)
{
	int mod = bpfhost_extension_load(MODULE);
	struct bpfhost_object *obj = bpfhost_object__open_file(bpf_object_path("object_kfunc"), NULL);
	uint32_t ret = 0;

	ASSERT_GE(mod, 0, "load the kfunc module");
	ASSERT_TRUE(obj != NULL, "open: kfunc externs wait for the load");
	ASSERT_OK(bpfhost_object__load(obj), "load resolves every kfunc");
	ASSERT_OK(run(obj, "call_add", &ret), "call_add runs");
	ASSERT_EQ(ret, 42, "tk_add(40, 2)");
	ASSERT_OK(run(obj, "call_mem", &ret), "call_mem runs");
	/* skb->len: the 64-byte frame less its Ethernet header, as Linux's test runs give it. */
	ASSERT_EQ(ret, 1 + 2 + 3 + 50, "tk_fill(&out, tk_sum4({1, 2, 3, len}))");
	ASSERT_OK(run(obj, "call_weak", &ret), "call_weak runs");
	ASSERT_EQ(ret, 7, "the absent __weak kfunc reads as 0, its call is not reached");
	ASSERT_EQ(bpfhost_extension_unload(mod, 0), -EBUSY, "the object's programs hold the module");
	bpfhost_object__close(obj);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "closed: the module unloads");
}

static void expect_load_refused(const char *obj_name, const char *prog, int err, const char *needle,
				const char *name)
{
	struct bpfhost_object *obj = bpfhost_object__open_file(bpf_object_path(obj_name), NULL);
	struct bpfhost_program *p;

	ASSERT_TRUE(obj != NULL, name);
	if (!obj)
		return;
	/* One program at a time: the rest of the object is not loaded. */
	for (p = bpfhost_object__next_program(obj, NULL); prog && p; p = bpfhost_object__next_program(obj, p))
		bpfhost_program__set_autoload(p, !strcmp(bpfhost_program__name(p), prog));
	ASSERT_EQ(bpfhost_object__load(obj), err, name);
	ASSERT_STR_CONTAINS(bpfhost_last_error(), needle, name);
	bpfhost_object__close(obj);
}

static void t_refused(void)
{
	int mod = bpfhost_extension_load(MODULE);

	ASSERT_GE(mod, 0, "load the kfunc module");
	expect_load_refused("object_kfunc_unknown", NULL, -EINVAL,
			    "insn 1 (program 'call_unknown'): no loaded extension module registers kfunc "
			    "'tk_unknown' (load the extension that provides it", "an unknown strong kfunc");
	expect_load_refused("object_kfunc_mismatch", "bad_size", -EINVAL,
			    "(program 'bad_size'): kfunc 'tk_add': argument 2 is declared as a number (8 bytes), "
			    "its module registers a number (4 bytes)", "a number of another size");
	expect_load_refused("object_kfunc_mismatch", "bad_kind", -EINVAL,
			    "kfunc 'tk_sum4': argument 1 is declared as a number (8 bytes), its module registers "
			    "a pointer to const memory (16 bytes)", "a number for a pointer");
	expect_load_refused("object_kfunc_mismatch", "bad_return", -EINVAL,
			    "kfunc 'tk_fill' is declared to return a number, its module registers void",
			    "a return for void");
	expect_load_refused("object_kfunc_mismatch", "bad_count", -EINVAL,
			    "kfunc 'tk_ctx_value' is declared with 2 arguments, its module registers 1",
			    "an argument too many");
	expect_load_refused("object_kfunc_weak_reached", NULL, -EINVAL,
			    "a call of a __weak kfunc no loaded module provides", "an unguarded absent __weak kfunc");
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "nothing holds the module");
}

static void t_without_module(void)
{
	expect_load_refused("object_kfunc", "call_add", -EINVAL,
			    "no loaded extension module registers kfunc 'tk_add' (load the extension",
			    "the module is not loaded");
	expect_load_refused("object_kfunc", "call_weak", 0, "", "a program using only the __weak kfunc loads");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_resolved),
		TEST(t_refused),
		TEST(t_without_module),
	};

	if (!bpf_objects_available()) {
		printf(BPF_OBJECTS_SKIP_MESSAGE);
		return 0;
	}
	return test_run("object_kfunc", cases, sizeof(cases) / sizeof(cases[0]));
}
