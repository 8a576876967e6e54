/* SPDX-License-Identifier: MIT */
/*
 * The "map helpers inside programs" section of bpfhost_interp_bench
 * (interp_helpers.c): one map operation per BPF_PROG_TEST_RUN iteration,
 * bpfhost and the Linux kernel side by side, on 1 and on 2 CPUs.
 */
#ifndef BPFHOST_BENCH_INTERP_HELPERS_H
#define BPFHOST_BENCH_INTERP_HELPERS_H

#include <stdbool.h>

/*
 * Runs and prints the section. @kernel_ok: bpf(2) works here; otherwise
 * @kernel_why says why, and the kernel column is skipped with that reason.
 * BPFHOST_HELPER_BENCH=0 skips the section; BPFHOST_HELPER_BENCH_BATCHES
 * sets the batches per figure (default 11, of >= 50 ms each);
 * BPFHOST_HELPER_BENCH_ONLY=word runs the workloads whose name contains it.
 */
void interp_helpers_bench(bool kernel_ok, const char *kernel_why);

#endif /* BPFHOST_BENCH_INTERP_HELPERS_H */
