/* SPDX-License-Identifier: MIT */
/* What every benchmark program prints and reduces the same way (bench_stats.c). */
#ifndef BPFHOST_BENCH_STATS_H
#define BPFHOST_BENCH_STATS_H

/* The median of @n samples (at most 128 are used); @v is left as it was. */
double bench_median(double *v, int n);
/* "affinity: CPU 1 (pinned...)": @pinned_note follows a single CPU, @unpinned_note several. */
void bench_print_affinity(const char *pinned_note, const char *unpinned_note);

#endif /* BPFHOST_BENCH_STATS_H */
