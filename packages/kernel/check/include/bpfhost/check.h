/* SPDX-License-Identifier: MIT */
/*
 * The conformance kit for custom map providers (libbpfhost_check, the
 * `bpfhost-check` tool, `bpfhost ext check`). It loads a module through a
 * registrar of its own that wraps every map provider the module registers,
 * so it sees each callback, each flag and each epoch allocation, then drives
 * one map type through the contract's call matrix, concurrent writers and
 * readers, fault injection and a forced unload, and reports what broke an
 * invariant of the extension guide. Each phase runs in a child process: a
 * provider that crashes fails that phase, not the run.
 */
#ifndef BPFHOST_CHECK_H
#define BPFHOST_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BPFHOST_CHECK_API __attribute__((visibility("default")))

/* #region api (shown by the docs site) */
/* Report as JSON (one document) instead of text. */
#define BPFHOST_CHECK_JSON 0x1u
/* Skip the fault-injection sweeps (they run the matrix once per allocation). */
#define BPFHOST_CHECK_NO_FAULTS 0x2u
/* Text report: list passed checks too, and the call matrix. */
#define BPFHOST_CHECK_VERBOSE 0x4u

struct bpfhost_check_opts {
	size_t sz;			/* sizeof(struct bpfhost_check_opts) */
	uint32_t map_type;		/* the custom map type to check (required) */
	uint32_t key_size;		/* 0: 4 */
	uint32_t value_size;		/* 0: 8 */
	uint32_t max_entries;		/* 0: 8 */
	/* The program type of the helper-path programs; 0: socket filter, then XDP. */
	uint32_t prog_type;
	uint32_t threads;		/* concurrent phase: threads, 0: 4 */
	uint32_t iterations;		/* concurrent phase: operations per thread, 0: 2000 */
	uint32_t flags;			/* BPFHOST_CHECK_* */
	/* The value the kit writes (value_size bytes); NULL: small integers. */
	const uint8_t *value;
};

/**
 * @brief **bpfhost_check_provider()** checks the provider of
 * @p opts->map_type in the module at @p module_path and writes the report
 * to @p report (NULL: stdout).
 * @return the number of failed checks (0: the provider passed), or a
 * negative errno when the kit could not run: -ENOENT/-ENOEXEC (the module
 * does not load), -EOPNOTSUPP (it registers no provider of that map type),
 * -EINVAL (bad options). Call it from a single-threaded process that has not
 * loaded the module itself: the kit forks.
 */
BPFHOST_CHECK_API int bpfhost_check_provider(const char *module_path,
					     const struct bpfhost_check_opts *opts, FILE *report);
/* #endregion api */

#ifdef __cplusplus
}
#endif

#endif /* BPFHOST_CHECK_H */
