// SPDX-License-Identifier: MIT
/*
 * Memory of a full map, against the kernel's own accounting: PERFORMANCE.md
 * asks that a map of N entries cost no more than 1.5x what the kernel
 * charges for the same map. bpfhost's side is what the allocator hands out
 * while the map is created and filled (mallinfo2: in-use heap plus mmapped
 * blocks, plus the platform's own huge-page mappings and the committed
 * part of its reservations, as the LPM trie's node store), so it counts
 * padding, malloc headers and huge-page rounding too; the kernel's side is the "memlock" line of the map's fdinfo.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "platform/platform.h"

static size_t heap_in_use(void)
{
	struct mallinfo2 m = mallinfo2();

	return m.uordblks + m.hblkhd + plat_huge_bytes() + plat_committed_bytes();
}

/* The kernel's memlock for map @fd, or 0 if fdinfo does not say. */
static size_t kernel_memlock(int fd)
{
	char path[64], line[256];
	size_t bytes = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %zu", &bytes) == 1)
			break;
	fclose(f);
	return bytes;
}

struct mem_case {
	const char *name;
	uint32_t type;
	uint32_t flags;
};

void bench_memory_section(const struct bench_backend *kernel)
{
	static const struct mem_case cases[] = {
		{ "HASH", BENCH_HASH, 0 },
		{ "ARRAY", BENCH_ARRAY, 0 },
		{ "LRU_HASH", BENCH_LRU_HASH, 0 },
		{ "LPM_TRIE", BENCH_LPM_TRIE, 1 /* BPF_F_NO_PREALLOC */ },
	};
	bool header = false;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mem_case *c = &cases[i];
		char what[48], why[256];
		struct bench_keys k;
		size_t before, mine, theirs = 0;
		int bfd, kfd;

		snprintf(what, sizeof(what), "%s memory", c->name);
		if (!bench_selected(what))
			continue;
		if (!header) {
			printf("\nmemory of a filled %u-entry map (u32 keys, LPM /32, u64 values)\n", BENCH_ENTRIES);
			printf("%-10s %14s %14s %10s %10s  %s\n", "map", "bpfhost B", "kernel B", "B/entry",
			       "ratio", "target <= 1.5x");
			header = true;
		}
		bench_keys_init(&k, c->type, 0x6d656d00ULL + c->type);
		before = heap_in_use();
		bfd = bench_bpfhost.create(c->type, k.key_size, 8, BENCH_ENTRIES, c->flags, why, sizeof(why));
		if (bfd < 0 || bench_fill(&bench_bpfhost, bfd, &k)) {
			printf("%-10s not available (%s)\n", c->name, why);
			if (bfd >= 0)
				bench_bpfhost.close(bfd);
			bench_keys_free(&k);
			continue;
		}
		mine = heap_in_use() - before;
		if (kernel) {
			kfd = kernel->create(c->type, k.key_size, 8, BENCH_ENTRIES, c->flags, why, sizeof(why));
			if (kfd >= 0 && !bench_fill(kernel, kfd, &k))
				theirs = kernel_memlock(kfd);
			if (kfd >= 0)
				kernel->close(kfd);
		}
		if (theirs)
			printf("%-10s %14zu %14zu %10.1f %9.2fx  %s\n", c->name, mine, theirs,
			       (double)mine / BENCH_ENTRIES, (double)mine / (double)theirs,
			       (double)mine <= 1.5 * (double)theirs ? "met" : "NOT MET");
		else
			printf("%-10s %14zu %14s %10.1f %10s  (no kernel figure)\n", c->name, mine, "-",
			       (double)mine / BENCH_ENTRIES, "-");
		bench_bpfhost.close(bfd);
		bench_keys_free(&k);
	}
}
