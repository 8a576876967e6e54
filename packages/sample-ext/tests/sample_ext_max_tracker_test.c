// SPDX-License-Identifier: MIT
/*
 * The sample's max tracker (custom maps contract v2) through the public
 * library: an update keeps the larger of the stored and the new value (the
 * provider sees the stored value; no shadow table), user lookups and
 * deletes work as on a hash, and a program of any type reads the maximum
 * with bpf_map_lookup_elem, while a store through the value, an update and
 * a delete from a program are refused at load.
 */
#include "test.h"
#include "insn.h"
#include "sample_ext.h"
#include "bpfhost/uapi.h"

#define N(p) (sizeof(p) / sizeof((p)[0]))

static uint8_t pkt[64];

static uint64_t get(int fd, uint32_t k)
{
	uint64_t v = 0;

	ASSERT_OK(bpfhost_map_lookup_elem(fd, &k, &v), "lookup");
	return v;
}

static void put(int fd, uint32_t k, uint64_t v)
{
	ASSERT_OK(bpfhost_map_update_elem(fd, &k, &v, BPF_ANY), "update");
}

static void t_keeps_the_maximum(void)
{
	int mod = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH), fd;
	uint32_t k = 4;
	uint64_t v = 1;

	ASSERT_GE(mod, 1, "load sample_ext.so");
	fd = bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_MAX_TRACKER, "maxes", 4, 8, 16, NULL);
	ASSERT_GE(fd, 1, "create a max tracker");
	put(fd, k, 50);
	ASSERT_EQ(get(fd, k), 50, "first value");
	put(fd, k, 20);
	ASSERT_EQ(get(fd, k), 50, "a smaller value does not lower it");
	put(fd, k, 70);
	ASSERT_EQ(get(fd, k), 70, "a larger one raises it");
	ASSERT_EQ(bpfhost_map_update_elem(fd, &k, &v, BPF_NOEXIST), -EEXIST, "NOEXIST on a stored key");
	ASSERT_EQ(get(fd, k), 70, "the undone update changed nothing");
	ASSERT_OK(bpfhost_map_delete_elem(fd, &k), "delete");
	put(fd, k, 3);
	ASSERT_EQ(get(fd, k), 3, "after a delete the next value starts over");
	ASSERT_EQ(bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_MAX_TRACKER, "bad", 4, 4, 16, NULL), -EINVAL,
		  "value_size 4 refused (u64 values)");
	bpfhost_close(fd);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

/* r0 = map[7] or 0xffff. */
#define READ_PROG(map)                                                                           \
	{ ST_MEM(BPF_W, 10, -4, 7), LD_MAP_FD(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), \
	  CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 2), LDX_MEM(BPF_DW, 0, 0, 0), EXIT(), \
	  MOV64_IMM(0, 0xffff), EXIT() }
#define WRITE_PROG(map)                                                                          \
	{ ST_MEM(BPF_W, 10, -4, 7), LD_MAP_FD(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), \
	  CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 1), ST_MEM(BPF_DW, 0, 0, 0),       \
	  MOV64_IMM(0, 0), EXIT() }
#define UPDATE_PROG(map)                                                                         \
	{ ST_MEM(BPF_W, 10, -4, 7), ST_MEM(BPF_DW, 10, -16, 9), LD_MAP_FD(1, map), MOV64_REG(2, 10), \
	  ALU64_IMM(BPF_ADD, 2, -4), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -16), MOV64_IMM(4, 0),  \
	  CALL(BPF_FUNC_map_update_elem), EXIT() }

static uint32_t run(int fd)
{
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));

	ASSERT_OK(bpfhost_prog_test_run_opts(fd, &o), "run");
	return o.retval;
}

static void t_programs_read(void)
{
	int mod = bpfhost_extension_load(SAMPLE_EXT_MODULE_PATH), map, fd;

	ASSERT_GE(mod, 1, "load sample_ext.so");
	map = bpfhost_map_create(SAMPLE_EXT_MAP_TYPE_MAX_TRACKER, "maxes", 4, 8, 16, NULL);
	ASSERT_GE(map, 1, "create");
	{
		const struct bpf_insn p[] = READ_PROG(map);
		fd = bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "readmax", "GPL", p, N(p), NULL);
	}
	ASSERT_GE(fd, 1, "a program that reads the max tracker loads");
	ASSERT_EQ(run(fd), 0xffff, "no value yet: NULL");
	put(map, 7, 900);
	put(map, 7, 100);
	ASSERT_EQ(run(fd), 900, "the program reads the maximum");
	bpfhost_close(fd);
	{
		const struct bpf_insn p[] = WRITE_PROG(map);
		ASSERT_EQ(bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "writemax", "GPL", p, N(p), NULL),
			  -EACCES, "a store through the value is refused");
	}
	{
		const struct bpf_insn p[] = UPDATE_PROG(map);
		ASSERT_EQ(bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "updmax", "GPL", p, N(p), NULL),
			  -EACCES, "an update from a program is refused");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "except to read it", "message");
	}
	ASSERT_EQ(get(map, 7), 900, "unchanged");
	bpfhost_close(map);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_keeps_the_maximum), TEST(t_programs_read) };

	pkt[12] = 0x08;
	return test_run("sample_ext_max_tracker", cases, N(cases));
}
