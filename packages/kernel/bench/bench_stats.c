// SPDX-License-Identifier: MIT
/* Medians and the affinity line, shared by bpfhost_bench and bpfhost_interp_bench. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
	double tmp[128];

	if (n <= 0)
		return 0;
	if (n > 128)
		n = 128;
	memcpy(tmp, v, sizeof(*v) * (size_t)n);
	qsort(tmp, (size_t)n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

void bench_print_affinity(const char *pinned_note, const char *unpinned_note)
{
	cpu_set_t set;
	int first = 1;

	if (sched_getaffinity(0, sizeof(set), &set)) {
		printf("affinity: unknown\n");
		return;
	}
	printf("affinity: CPU");
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (CPU_ISSET(c, &set)) {
			printf("%s%d", first ? " " : ",", c);
			first = 0;
		}
	}
	printf(" (%s)\n", CPU_COUNT(&set) == 1 ? pinned_note : unpinned_note);
}
