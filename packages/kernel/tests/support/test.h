/* SPDX-License-Identifier: MIT */
/*
 * A small assertion harness: every check carries a name, failures print
 * the values and the core's last error, and main() returns the count.
 */
#ifndef BPFHOST_TEST_H
#define BPFHOST_TEST_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* Linux-internal, seen by bpf(2) callers */
#endif

#include "bpfhost/bpf.h"
#include "bpfhost/bpfhost.h"

extern int test_failures;
extern int test_checks;
extern const char *test_current;

#define ASSERT_EQ(actual, expected, name)                                                   \
	do {                                                                                \
		long long a_ = (long long)(actual), e_ = (long long)(expected);             \
		test_checks++;                                                              \
		if (a_ != e_) {                                                             \
			test_failures++;                                                    \
			fprintf(stderr, "FAIL %s:%d [%s] %s: got %lld, expected %lld (last error: %s)\n", \
				__FILE__, __LINE__, test_current, name, a_, e_, bpfhost_last_error()); \
		}                                                                           \
	} while (0)

#define ASSERT_TRUE(cond, name) ASSERT_EQ(!!(cond), 1, name)
#define ASSERT_OK(expr, name) ASSERT_EQ((expr), 0, name)
#define ASSERT_GE(actual, min, name)                                                        \
	do {                                                                                \
		long long a_ = (long long)(actual), m_ = (long long)(min);                  \
		test_checks++;                                                              \
		if (a_ < m_) {                                                              \
			test_failures++;                                                    \
			fprintf(stderr, "FAIL %s:%d [%s] %s: got %lld, expected >= %lld (last error: %s)\n", \
				__FILE__, __LINE__, test_current, name, a_, m_, bpfhost_last_error()); \
		}                                                                           \
	} while (0)
#define ASSERT_STR_CONTAINS(hay, needle, name)                                              \
	do {                                                                                \
		const char *h_ = (hay), *n_ = (needle);                                     \
		test_checks++;                                                              \
		if (!h_ || !strstr(h_, n_)) {                                               \
			test_failures++;                                                    \
			fprintf(stderr, "FAIL %s:%d [%s] %s: '%s' does not contain '%s'\n",  \
				__FILE__, __LINE__, test_current, name, h_ ? h_ : "(null)", n_); \
		}                                                                           \
	} while (0)

typedef void (*test_fn)(void);
struct test_case {
	const char *name;
	test_fn fn;
};
#define TEST(fn) { #fn, fn }

/* Runs the cases, prints a summary, returns the process exit status. */
int test_run(const char *suite, const struct test_case *cases, size_t n);

/* Creates a map or fails the test (returns the handle or a negative errno). */
int test_map(uint32_t type, const char *name, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags);

/* Loads a program with prog_flags @flags (BPFHOST_F_UNPRIVILEGED, BPFHOST_F_TEST_UNVERIFIED). */
struct bpf_insn;
int test_prog_load_flags(uint32_t type, const char *name, const struct bpf_insn *insns, size_t n,
			 uint32_t flags);

#endif /* BPFHOST_TEST_H */
