/* SPDX-License-Identifier: MIT */
/*
 * The "map helpers inside programs" section of bpfhost_interp_bench
 * (interp_helpers*.c): one operation per BPF_PROG_TEST_RUN iteration for
 * every workload of the cross-runtime suite, bpfhost and the Linux kernel
 * side by side, on 1 and on 2 CPUs.
 */
#ifndef BPFHOST_BENCH_INTERP_HELPERS_H
#define BPFHOST_BENCH_INTERP_HELPERS_H

#include <stdbool.h>

/*
 * Runs and prints the section. @kernel_ok: bpf(2) works here; otherwise
 * @kernel_why says why, and the kernel column is skipped with that reason.
 * BPFHOST_HELPER_BENCH=0 skips the section; BPFHOST_HELPER_BENCH_BATCHES
 * sets the batches per figure (default 11, of >= 50 ms each);
 * BPFHOST_HELPER_BENCH_ONLY=word[,word...] runs the workloads whose name or
 * group contains one of them. @json_path (may be NULL): where the run's
 * JSON record goes (interp_helpers_json.c).
 */
void interp_helpers_bench(bool kernel_ok, const char *kernel_why, const char *json_path);

#endif /* BPFHOST_BENCH_INTERP_HELPERS_H */
