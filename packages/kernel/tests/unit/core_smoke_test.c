// SPDX-License-Identifier: MIT
/* The command path end to end: create, CRUD, iteration, handles, pins, ids, errors. */
#include "test.h"

static void hash_crud(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "smoke", 4, 8, 4, 0);
	uint32_t k = 1, next;
	uint64_t v = 10, out = 0;

	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), "insert");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), -EEXIST, "NOEXIST on existing");
	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "lookup");
	ASSERT_EQ(out, 10, "value");
	k = 2;
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &out), -ENOENT, "missing key");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "map 'smoke'", "message names the map");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_EXIST), -ENOENT, "EXIST on missing");
	ASSERT_OK(bpfhost_map_get_next_key(fd, NULL, &next), "first key");
	ASSERT_EQ(next, 1, "first key value");
	ASSERT_EQ(bpfhost_map_get_next_key(fd, &next, &next), -ENOENT, "end");
	ASSERT_OK(bpfhost_map_delete_elem(fd, &next), "delete");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &next), -ENOENT, "delete again");
	ASSERT_OK(bpfhost_close(fd), "close");
	ASSERT_EQ(bpfhost_close(fd), -EBADF, "close twice");
	ASSERT_EQ(bpfhost_map_lookup_elem(fd, &k, &out), -EBADF, "closed handle");
}

static void array_basics(void)
{
	int fd = test_map(BPF_MAP_TYPE_ARRAY, "arr", 4, 4, 3, 0);
	uint32_t k = 2, v = 7, out = 1;

	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &out), "zero value exists");
	ASSERT_EQ(out, 0, "zero filled");
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "update");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), -EEXIST, "NOEXIST");
	k = 3;
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), -E2BIG, "out of range update");
	ASSERT_EQ(bpfhost_map_delete_elem(fd, &k), -EINVAL, "delete refused");
	bpfhost_close(fd);
}

static void pins_and_ids(void)
{
	int fd = test_map(BPF_MAP_TYPE_HASH, "pinned", 4, 4, 8, 0), fd2, fd3;
	struct bpf_map_info info;
	uint32_t len = sizeof(info), id, next = 0;

	ASSERT_OK(bpfhost_map_get_info_by_fd(fd, &info, &len), "info");
	ASSERT_EQ(info.type, BPF_MAP_TYPE_HASH, "info type");
	ASSERT_EQ(info.max_entries, 8, "info max_entries");
	id = info.id;
	ASSERT_OK(bpfhost_obj_pin(fd, "/sys/fs/bpf/smoke"), "pin");
	ASSERT_EQ(bpfhost_obj_pin(fd, "/sys/fs/bpf/smoke"), -EEXIST, "pin twice");
	bpfhost_close(fd);
	fd2 = bpfhost_obj_get("/sys/fs/bpf/smoke");
	ASSERT_GE(fd2, 1, "get pinned");
	ASSERT_OK(bpfhost_map_get_next_id(0, &next), "next id");
	ASSERT_TRUE(next <= id, "id listed");
	fd3 = bpfhost_map_get_fd_by_id(id);
	ASSERT_GE(fd3, 1, "fd by id");
	ASSERT_OK(bpfhost_obj_unpin("/sys/fs/bpf/smoke"), "unpin");
	bpfhost_close(fd2);
	bpfhost_close(fd3);
	ASSERT_EQ(bpfhost_map_get_fd_by_id(id), -ENOENT, "gone after last close");
	ASSERT_EQ(bpfhost_obj_get("/sys/fs/bpf/smoke"), -ENOENT, "unpinned");
}

static void bad_create(void)
{
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_HASH, "x", 4, 4, 0, NULL), -EINVAL, "max_entries 0");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_HASH, "x", 4, 4, 1u << 30, NULL), -E2BIG, "too many");
	ASSERT_EQ(bpfhost_map_create(999, "x", 4, 4, 1, NULL), -EINVAL, "unknown type");
	ASSERT_EQ(bpfhost_map_create(BPFHOST_MAP_TYPE_EXT_BASE + 77, "x", 4, 4, 1, NULL), -EOPNOTSUPP,
		  "unregistered custom type");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "x", 8, 4, 1, NULL), -EINVAL, "array key 8");
	ASSERT_EQ(bpfhost_map_create(BPF_MAP_TYPE_HASH, "bad-name", 4, 4, 1, NULL), -EINVAL, "bad name");
	ASSERT_EQ(bpfhost_handle_count(), 0, "no handle leaked");
}

/* bpfhost_map_shape: the sizes bindings check buffers against, and its refusals. */
static void map_shape(void)
{
	int fd = test_map(BPF_MAP_TYPE_PERCPU_ARRAY, "shape", 4, 12, 7, 0);
	struct bpfhost_map_shape s;
	int prog;
	struct bpf_insn_raw { uint8_t code, regs; int16_t off; int32_t imm; } p[2] = {
		{ 0xb7, 0, 0, 0 }, { 0x95, 0, 0, 0 },
	};

	ASSERT_OK(bpfhost_map_shape(fd, &s), "shape");
	ASSERT_EQ(s.map_type, BPF_MAP_TYPE_PERCPU_ARRAY, "type");
	ASSERT_EQ(s.key_size, 4, "key_size");
	ASSERT_EQ(s.value_size, 12, "one CPU's value_size");
	ASSERT_EQ(s.max_entries, 7, "max_entries");
	ASSERT_EQ(bpfhost_map_shape(9999, &s), -EBADF, "not open");
	prog = bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", (const void *)p, 2, NULL);
	ASSERT_GE(prog, 0, "a program");
	ASSERT_EQ(bpfhost_map_shape(prog, &s), -EINVAL, "a program is not a map");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "is a program, not a map", "message");
	bpfhost_close(prog);
	bpfhost_close(fd);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(hash_crud), TEST(array_basics), TEST(pins_and_ids), TEST(bad_create), TEST(map_shape),
	};
	return test_run("core_smoke", cases, sizeof(cases) / sizeof(cases[0]));
}
