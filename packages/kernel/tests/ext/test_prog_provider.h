/* SPDX-License-Identifier: MIT */
/*
 * Test control of tests/ext/test_prog_provider.c: which context descriptor
 * the module registers. A test dlopen()s the module to reach
 * test_prog_provider_control(), sets the mode, then loads it through the
 * core (the same handle, so the same globals). The default (zeroed) state
 * is the module's own field table.
 */
#ifndef BPFHOST_TEST_PROG_PROVIDER_H
#define BPFHOST_TEST_PROG_PROVIDER_H

#include "bpfhost/extension.h"

enum tpp_ctx_mode {
	TPP_CTX_FIELDS = 0,	/* data, data_end (packet pointers), value; pad in no field */
	TPP_CTX_V1,		/* as a module built before the field table: header.size through meta */
	TPP_CTX_NO_FIELDS,	/* the current descriptor, field_count 0 */
	TPP_CTX_CUSTOM,		/* fields / field_count below */
};

struct tpp_control {
	enum tpp_ctx_mode ctx_mode;
	const struct bpfhost_context_field *fields;	/* TPP_CTX_CUSTOM */
	uint32_t field_count;
	uint32_t hook_program_type;	/* the hook's program type; 0: the module's own (4200) */
};

/* The module's struct test_ctx (24 bytes). */
#define TPP_CTX_DATA 0
#define TPP_CTX_DATA_END 8
#define TPP_CTX_VALUE 16
#define TPP_CTX_PAD 20
#define TPP_CTX_SIZE 24

#endif /* BPFHOST_TEST_PROG_PROVIDER_H */
