// SPDX-License-Identifier: MIT
#include "map_handle.h"

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
