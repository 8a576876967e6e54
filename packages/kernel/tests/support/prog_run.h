/* SPDX-License-Identifier: MIT */
/*
 * Loading hand-built programs and test-running them on a packet, for the
 * tests that need nothing more (no log buffer, no ctx in or out).
 */
#ifndef BPFHOST_TEST_PROG_RUN_H
#define BPFHOST_TEST_PROG_RUN_H

#include "test.h"

/* Loads @n instructions as a program of @type: the handle or a negative errno. */
int test_prog_load(uint32_t type, const char *name, const struct bpf_insn *insns, size_t n);

/* LOAD_TYPE(type, "name", insns...) and LOAD("name", insns...) for socket filters. */
#define LOAD_TYPE(type, name, ...)                                                         \
	({                                                                                 \
		const struct bpf_insn p_[] = { __VA_ARGS__ };                              \
		test_prog_load(type, name, p_, sizeof(p_) / sizeof(p_[0]));                \
	})
#define LOAD(name, ...) LOAD_TYPE(BPF_PROG_TYPE_SOCKET_FILTER, name, __VA_ARGS__)

/*
 * Programs the verifier refuses, loaded without it (BPFHOST_F_TEST_UNVERIFIED)
 * so that a test can show the run-time checks stop them too: defence in depth.
 */
#define LOAD_UNVERIFIED_TYPE(type, name, ...)                                              \
	({                                                                                 \
		const struct bpf_insn p_[] = { __VA_ARGS__ };                              \
		test_prog_load_flags(type, name, p_, sizeof(p_) / sizeof(p_[0]),           \
				     BPFHOST_F_TEST_UNVERIFIED);                           \
	})
#define LOAD_UNVERIFIED(name, ...) LOAD_UNVERIFIED_TYPE(BPF_PROG_TYPE_SOCKET_FILTER, name, __VA_ARGS__)

/*
 * Test-runs @fd @repeat times (0: once) on a 64-byte zeroed frame with the
 * instruction budget @budget (0: the default). The errno; *ret (if not NULL)
 * gets r0.
 */
int test_prog_run(int fd, uint32_t budget, uint32_t repeat, uint64_t *ret);

/*
 * Calls @fn for each "<name>.text" file of @dir (raw instructions, as
 * llvm-objcopy -O binary writes a program's .text), after checking it holds
 * whole instructions. Returns how many it read.
 */
typedef void (*test_text_fn)(const char *name, const struct bpf_insn *insns, size_t cnt, void *ctx);
int test_for_each_text_program(const char *dir, test_text_fn fn, void *ctx);

#endif /* BPFHOST_TEST_PROG_RUN_H */
