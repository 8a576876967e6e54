// SPDX-License-Identifier: MIT
#define _GNU_SOURCE	/* sched_getcpu, sched_setaffinity */
#include "map_handle.h"

#include <sched.h>
#include <stdio.h>

#include "test.h"
#include "epoch/epoch.h"
#include "maps/map.h"

struct bh_map *test_map_of(int fd)
{
	struct bh_map *map;

	epoch_enter();
	map = bh_map_from_handle(fd, "test");
	epoch_exit();
	ASSERT_TRUE(map != NULL, "map from handle");
	return map;
}

uint64_t test_map_mem(struct bh_map *map)
{
	uint64_t bytes;

	epoch_enter();
	bytes = map->ops->mem_usage(map);
	epoch_exit();
	return bytes;
}

void test_pin_to_this_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	CPU_ZERO(&set);
	if (cpu >= 0)
		CPU_SET(cpu, &set);
	ASSERT_TRUE(cpu >= 0 && sched_setaffinity(0, sizeof(set), &set) == 0, "pinned to this CPU");
}
