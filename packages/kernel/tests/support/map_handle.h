/* SPDX-License-Identifier: MIT */
/* The core's map behind a handle, for tests that look at a map's internals (layout, pages). */
#ifndef BPFHOST_TEST_MAP_HANDLE_H
#define BPFHOST_TEST_MAP_HANDLE_H

#include <stdint.h>

struct bh_map;

/* The map handle @fd names (asserted found); the test keeps the handle open while it uses it. */
struct bh_map *test_map_of(int fd);

/* The map's own figure of the memory it holds (its mem_usage op, read in an epoch). */
uint64_t test_map_mem(struct bh_map *map);

/*
 * Pins the calling thread to the CPU it runs on. For tests that count a
 * map's chunks: a thread that moves between CPUs mid-fill leaves slots in
 * the first CPU's element cache, and the slab may then take one more chunk.
 */
void test_pin_to_this_cpu(void);

#endif /* BPFHOST_TEST_MAP_HANDLE_H */
