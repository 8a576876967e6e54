// SPDX-License-Identifier: MIT
/*
 * bpfhost_bench: map operations in process against the Linux kernel's bpf(2),
 * a custom map type against a plain HASH map, and 2 threads against 1. It
 * prints medians and ratios to peers measured in the same run; it never
 * asserts a time (see /work/shared/PERFORMANCE.md for the targets).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bpfhost/bpfhost.h"
#include "bench.h"

/* Diagnostics of the core (e.g. module messages) go to stderr, kept short. */
static int print_diag(enum bpfhost_print_level level, const char *fmt, va_list args)
{
	if (level != BPFHOST_WARN)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* Other work on this shared machine shows here; the ratios are taken side by side anyway. */
static void print_load(const char *when)
{
	char buf[128] = "?";
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	printf("load average %s: %s\n", when, buf);
}

int main(void)
{
	static struct bench_table table;
	const struct bench_backend *kernel;
	char machine[256], why[512] = "", date[64];
	time_t now = time(NULL);

	/* Line-buffered: progress on stderr and results on stdout interleave in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	bpfhost_set_print(print_diag);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	bench_cpu_describe(machine, sizeof(machine));
	printf("bpfhost kernel benchmark, %s\nmachine: %s\n", date, machine);
	bench_print_affinity("pinned; concurrency section excepted", "not pinned");
	print_load("at start");
	printf("workload: %u ops per measurement on %u-entry maps, u32 keys (LPM: /32), u64 values, "
	       "random order (fixed-seed permutations)\n", BENCH_OPS, BENCH_ENTRIES);
	printf("method: %d repeats, bpfhost and its peer in turns within each repeat, medians; "
	       "%u-op warm-up; delete empties a filled map (refills untimed)\n",
	       bench_repeats(), BENCH_WARMUP);
	kernel = bench_kernel_backend(why, sizeof(why));
	if (!kernel)
		printf("kernel peer: skipped (%s)\n", why);
	else
		printf("kernel peer: raw bpf(2) on the running kernel\n");
	fflush(stdout);

	bench_maps_section(&table, kernel, why);
	bench_custom_section(&table);
	bench_concurrent_section(&table);
	bench_table_print(&table);
	bench_memory_section(kernel);
	bench_load_section();
	print_load("at end");
	printf("ratios: 'x kernel' = kernel ns/op over bpfhost ns/op (speed-up); 'x time' = custom map "
	       "ns/op over plain HASH ns/op;\n        'x 1 thread' = 2-thread lookups/s over 1-thread "
	       "lookups/s (ops/s and ns/op of that row are totals over all threads)\n");
	printf("targets: HASH, custom and 2-thread rows are PERFORMANCE.md's; the other map types are "
	       "held to the same bar, in parentheses, for comparison\n");
	fflush(stdout);
	return 0;
}
