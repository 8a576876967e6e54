/* SPDX-License-Identifier: MIT */
/*
 * Soundness checks against brute force (the verifier's abstract domains):
 * SOUND(cond, fmt, ...) counts a concrete member check and prints the first
 * ten that fail; a test resets and reads checked/failed around its loops.
 */
#ifndef BPFHOST_TEST_SOUNDNESS_H
#define BPFHOST_TEST_SOUNDNESS_H

#include "test.h"

static unsigned long long checked, failed;

#define SOUND(cond, ...)                                                                   \
	do {                                                                               \
		checked++;                                                                 \
		if (!(cond) && failed++ < 10) {                                            \
			fprintf(stderr, "unsound [%s]: ", test_current);                   \
			fprintf(stderr, __VA_ARGS__);                                      \
			fputc('\n', stderr);                                               \
		}                                                                          \
	} while (0)

#endif /* BPFHOST_TEST_SOUNDNESS_H */
