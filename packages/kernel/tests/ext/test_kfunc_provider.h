/* SPDX-License-Identifier: MIT */
/*
 * Test control of tests/ext/test_kfunc_provider.c: a test dlopen()s the
 * module to reach test_kfunc_control() and test_kfunc_calls(), sets the
 * mode, then loads it through the core (the same handle, the same globals).
 * The default (zeroed) mode is the module's good table.
 */
#ifndef BPFHOST_TEST_KFUNC_PROVIDER_H
#define BPFHOST_TEST_KFUNC_PROVIDER_H

enum tk_mode {
	TK_GOOD = 0,
	TK_BAD_NAME,		/* tk_add's name is not a C identifier */
	TK_NO_FUNCTION,		/* tk_add has no function */
	TK_BAD_SCALAR_SIZE,	/* tk_add's second argument is 3 bytes */
	TK_TOO_MANY_ARGS,	/* tk_add's arg_count is 6 */
	TK_KIND_PAST_COUNT,	/* tk_add's third kind is set past arg_count 2 */
	TK_DUPLICATE,		/* tk_sum4 is named tk_add too */
	TK_BAD_RETURN,		/* tk_add returns 16 bytes */
	TK_NO_KFUNCS,		/* kfunc_count 0 */
};

struct tk_control {
	enum tk_mode mode;
};

/* testprog (tests/ext/test_prog_provider.c): its type and where ctx->value sits. */
#define TK_TESTPROG_TYPE 4200u
#define TK_TESTPROG_CTX_VALUE 16

#endif /* BPFHOST_TEST_KFUNC_PROVIDER_H */
