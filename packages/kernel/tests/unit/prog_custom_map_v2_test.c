// SPDX-License-Identifier: MIT
/*
 * Custom maps contract v2 from programs: on a map whose provider sets
 * updates_original_value and programs_read, the verifier lets
 * bpf_map_lookup_elem through and types its result as read-only map value
 * (a store through it is refused at load); at run time the helper runs find
 * post-processing with HELPER into a buffer that stays readable for the
 * whole run (two lookups, both read after the second) and that the
 * interpreter refuses to write (for programs loaded without the verifier).
 * Update and delete stay refused at load and at run time.
 */
#include "provider_fixture.h"
#include "insn.h"

#include "bpfhost/uapi.h"

static uint8_t pkt[64];

static int load(const char *name, const struct bpf_insn *insns, size_t n)
{
	return bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, "GPL", insns, n, NULL);
}

static uint32_t run(int fd, int *err)
{
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));

	*err = bpfhost_prog_test_run_opts(fd, &o);
	return o.retval;
}

#define N(p) (sizeof(p) / sizeof((p)[0]))

/* r6 = map[1], r7 = map[2]; r0 = *r6 + *r7 (0xffff if either is missing). */
#define TWO_LOOKUPS(map)                                                                          \
	{ ST_MEM(BPF_W, 10, -4, 1), LD_MAP_FD(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),  \
	  CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 12), MOV64_REG(6, 0),               \
	  ST_MEM(BPF_W, 10, -8, 2), LD_MAP_FD(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8),  \
	  CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 4), LDX_MEM(BPF_DW, 0, 0, 0),       \
	  LDX_MEM(BPF_DW, 1, 6, 0), ALU64_REG(BPF_ADD, 0, 1), EXIT(), MOV64_IMM(0, 0xffff), EXIT() }
/* Looks key 1 up and stores 7 into the value. */
#define WRITE_PROG(map)                                                                           \
	{ ST_MEM(BPF_W, 10, -4, 1), LD_MAP_FD(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),  \
	  CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 1), ST_MEM(BPF_DW, 0, 0, 7),        \
	  MOV64_IMM(0, 0), EXIT() }
#define UPDATE_PROG(map)                                                                          \
	{ ST_MEM(BPF_W, 10, -4, 2), ST_MEM(BPF_DW, 10, -16, 9), LD_MAP_FD(1, map), MOV64_REG(2, 10), \
	  ALU64_IMM(BPF_ADD, 2, -4), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -16), MOV64_IMM(4, 0),   \
	  CALL(BPF_FUNC_map_update_elem), EXIT() }
#define DELETE_PROG(map)                                                                          \
	{ ST_MEM(BPF_W, 10, -4, 1), LD_MAP_FD(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),  \
	  CALL(BPF_FUNC_map_delete_elem), EXIT() }

static void programs_read(uint32_t base)
{
	int mod, map, fd, err;
	uint32_t k1 = 1, k2 = 2;
	uint64_t v, out = 0;

	tp_config_one(TP_TYPE, base, 1, TP_ALL_POST);
	tp()->config.types[0].v2 = 1;
	tp()->config.types[0].programs_read = 1;
	tp()->config.types[0].combine = TP_COMBINE_MAX;
	mod = tp_load();
	ASSERT_GE(mod, 1, "load provider");
	map = bpfhost_map_create(TP_TYPE, "readable", 4, 8, 4, NULL);
	ASSERT_GE(map, 1, "create");
	v = 30;
	ASSERT_OK(bpfhost_map_update_elem(map, &k1, &v, 0), "k1 = 30");
	v = 12;
	ASSERT_OK(bpfhost_map_update_elem(map, &k2, &v, 0), "k2 = 12");
	v = 5;
	ASSERT_OK(bpfhost_map_update_elem(map, &k2, &v, 0), "k2: max(12, 5)");

	{
		const struct bpf_insn p[] = TWO_LOOKUPS(map);
		fd = load("read2", p, N(p));
	}
	ASSERT_GE(fd, 1, "the verifier accepts lookups on a programs_read map");
	tp_clear();
	ASSERT_EQ(run(fd, &err), 42, "both values read after the second lookup (30 + 12)");
	ASSERT_OK(err, "run");
	ASSERT_EQ(tp_count(TP_FIND, BPFHOST_MAP_OPERATION_HELPER), 2, "find post-processing with HELPER, per lookup");
	ASSERT_TRUE(tp_nth(TP_FIND, 0) && !tp_nth(TP_FIND, 0)->out_value_null &&
		    tp_nth(TP_FIND, 0)->out_value_size == 8, "into a value_size buffer");
	bpfhost_close(fd);

	{
		const struct bpf_insn p[] = WRITE_PROG(map);
		ASSERT_EQ(load("write", p, N(p)), -EACCES, "a store through the value is refused at load");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "read", "the message says the memory is read-only");
		fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "write", p, N(p),
					  BPFHOST_F_TEST_UNVERIFIED);
	}
	ASSERT_GE(fd, 1, "loaded without the verifier");
	run(fd, &err);
	ASSERT_EQ(err, -EFAULT, "the interpreter refuses the store");
	ASSERT_OK(bpfhost_map_lookup_elem(map, &k1, &out), "lookup");
	ASSERT_EQ(out, 30, "the stored value is untouched");
	bpfhost_close(fd);

	{
		const struct bpf_insn p[] = UPDATE_PROG(map);
		ASSERT_EQ(load("update", p, N(p)), -EACCES, "update still refused at load");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "except to read it with bpf_map_lookup_elem", "message");
		fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "update", p, N(p),
					  BPFHOST_F_TEST_UNVERIFIED);
	}
	ASSERT_EQ(run(fd, &err), (uint32_t)-EOPNOTSUPP, "and at run time");
	bpfhost_close(fd);
	{
		const struct bpf_insn p[] = DELETE_PROG(map);
		ASSERT_EQ(load("delete", p, N(p)), -EACCES, "delete still refused at load");
		fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "delete", p, N(p),
					  BPFHOST_F_TEST_UNVERIFIED);
	}
	ASSERT_EQ(run(fd, &err), (uint32_t)-EOPNOTSUPP, "and at run time");
	bpfhost_close(fd);
	ASSERT_OK(bpfhost_map_lookup_elem(map, &k1, &out), "entry still there");
	bpfhost_close(map);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	ASSERT_EQ(tp()->live_objects, 0, "nothing leaked");
}

static void t_programs_read_hash(void)
{
	programs_read(BPFHOST_BASE_MAP_TYPE_HASH);
}

static void t_programs_read_array(void)
{
	programs_read(BPFHOST_BASE_MAP_TYPE_ARRAY);
}

/* A missing hash key: NULL, and find post-processing is not called. */
static void t_missing_key(void)
{
	int mod, map, fd, err;

	tp_config_one(TP_TYPE, BPFHOST_BASE_MAP_TYPE_HASH, 1, TP_ALL_POST);
	tp()->config.types[0].v2 = 1;
	tp()->config.types[0].programs_read = 1;
	mod = tp_load();
	ASSERT_GE(mod, 1, "load provider");
	map = bpfhost_map_create(TP_TYPE, "empty", 4, 8, 4, NULL);
	ASSERT_GE(map, 1, "create");
	{
		const struct bpf_insn p[] = TWO_LOOKUPS(map);
		fd = load("missing", p, N(p));
	}
	ASSERT_GE(fd, 1, "load");
	tp_clear();
	ASSERT_EQ(run(fd, &err), 0xffff, "NULL for a missing key");
	ASSERT_EQ(tp_count(TP_FIND, -1), 0, "no find post-processing");
	/* A failing find post-processing: NULL too. */
	{
		uint32_t k = 1;
		uint64_t v = 3;

		ASSERT_OK(bpfhost_map_update_elem(map, &k, &v, 0), "k1");
		k = 2;
		ASSERT_OK(bpfhost_map_update_elem(map, &k, &v, 0), "k2");
	}
	ASSERT_EQ(run(fd, &err), 6, "found: 3 + 3");
	tp()->config.find_error = -EIO;
	ASSERT_EQ(run(fd, &err), 0xffff, "a failing find post-processing gives NULL");
	tp()->config.find_error = 0;
	bpfhost_close(fd);
	bpfhost_close(map);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	ASSERT_EQ(tp()->live_objects, 0, "nothing leaked");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_programs_read_hash), TEST(t_programs_read_array), TEST(t_missing_key),
	};

	pkt[12] = 0x08;
	return test_run("prog_custom_map_v2", cases, sizeof(cases) / sizeof(cases[0]));
}
