/* SPDX-License-Identifier: MIT */
/*
 * Test control of tests/ext/test_kfunc_refs.c: a test dlopen()s the module
 * to reach test_kfunc_refs_state(), sets the mode, then loads it through
 * the core (the same handle, the same globals).
 */
#ifndef BPFHOST_TEST_KFUNC_REFS_H
#define BPFHOST_TEST_KFUNC_REFS_H

#include <stdatomic.h>
#include <stdint.h>

#define TR_OBJS 4
#define TR_VALUE(key) (1000u + (uint32_t)(key))
#define TR_TAG_OBJ 1
#define TR_TAG_OTHER 2

/* What a reference points to: 16 bytes, value first. */
struct tr_obj {
	uint64_t value;
	uint32_t held;		/* references out */
	uint32_t pad;
};

enum tr_mode {
	TR_GOOD = 0,
	TR_NO_RELEASER,		/* an acquired tag no kfunc releases */
	TR_RELEASE_TWO_ARGS,	/* a release taking one more argument */
	TR_NO_TAG,		/* an acquiring kfunc with ref_type 0 */
};

struct tr_state {
	enum tr_mode mode;
	atomic_int held;
	atomic_uint acquired, released, bad_releases;
	atomic_bool unloaded;		/* its unload callback ran (cleared at entry) */
	atomic_uint late_calls;		/* kfunc calls after that: the core let a program in too late */
};

#endif /* BPFHOST_TEST_KFUNC_REFS_H */
