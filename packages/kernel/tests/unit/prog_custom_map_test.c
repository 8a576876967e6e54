// SPDX-License-Identifier: MIT
/*
 * Custom maps used from programs (the helper path of the contract): a
 * lookup calls the provider's find post-processing with
 * BPFHOST_MAP_OPERATION_HELPER, an update its update pre-processing with
 * HELPER, a delete its delete callback with HELPER; the provider is asked
 * at load whether the program type may use the map; and on a map whose
 * provider set updates_original_value, programs get NULL from lookups and
 * -EOPNOTSUPP from updates and deletes, the stored entries untouched.
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

/* Programs: lookup key 1 (r0 = value or 0xffff), update key 2 = 9, delete key 1. */
#define LOOKUP_PROG(map)                                                                         \
	{ ST_MEM(BPF_W, 10, -4, 1), LD_MAP_FD(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), \
	  CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 2), LDX_MEM(BPF_DW, 0, 0, 0), EXIT(), \
	  MOV64_IMM(0, 0xffff), EXIT() }
#define UPDATE_PROG(map)                                                                         \
	{ ST_MEM(BPF_W, 10, -4, 2), ST_MEM(BPF_DW, 10, -16, 9), LD_MAP_FD(1, map), MOV64_REG(2, 10), \
	  ALU64_IMM(BPF_ADD, 2, -4), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -16), MOV64_IMM(4, 0),  \
	  CALL(BPF_FUNC_map_update_elem), EXIT() }
#define DELETE_PROG(map)                                                                         \
	{ ST_MEM(BPF_W, 10, -4, 1), LD_MAP_FD(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), \
	  CALL(BPF_FUNC_map_delete_elem), EXIT() }

static void helper_flags(uint32_t base)
{
	int mod, map, fd, err;
	uint32_t key = 1;
	uint64_t v = 5;

	tp_config_one(TP_TYPE, base, 0, TP_ALL_POST);
	mod = tp_load();
	ASSERT_GE(mod, 0, "load provider");
	map = bpfhost_map_create(TP_TYPE, "cm", 4, 8, 8, NULL);
	ASSERT_GE(map, 0, "create custom map");
	ASSERT_OK(bpfhost_map_update_elem(map, &key, &v, 0), "user update");
	tp_clear();
	{
		const struct bpf_insn p[] = LOOKUP_PROG(map);
		fd = load("lookup", p, sizeof(p) / sizeof(p[0]));
	}
	ASSERT_GE(fd, 0, "load lookup program");
	ASSERT_EQ(tp_count(TP_ASSOCIATE, -1), 1, "provider asked about the program type at load");
	ASSERT_EQ(tp_nth(TP_ASSOCIATE, 0)->in_value_size, BPF_PROG_TYPE_SOCKET_FILTER, "with the program type (recorded as in_value_size)");
	ASSERT_EQ(run(fd, &err), 5, "program reads the value");
	ASSERT_OK(err, "run");
	ASSERT_EQ(tp_count(TP_FIND, BPFHOST_MAP_OPERATION_HELPER), 1, "find post-processing with HELPER");
	bpfhost_close(fd);
	{
		const struct bpf_insn p[] = UPDATE_PROG(map);
		fd = load("update", p, sizeof(p) / sizeof(p[0]));
	}
	ASSERT_EQ(run(fd, &err), 0, "program update succeeds");
	ASSERT_EQ(tp_count(TP_UPDATE, BPFHOST_MAP_OPERATION_HELPER), 1, "update pre-processing with HELPER");
	key = 2;
	ASSERT_OK(bpfhost_map_lookup_elem(map, &key, &v), "user sees the program's entry");
	ASSERT_EQ(v, 9, "value 9");
	bpfhost_close(fd);
	{
		const struct bpf_insn p[] = DELETE_PROG(map);
		fd = load("delete", p, sizeof(p) / sizeof(p[0]));
	}
	ASSERT_EQ(run(fd, &err), base == BPF_MAP_TYPE_HASH ? 0 : (uint32_t)-EINVAL,
		  "program delete (arrays refuse deletes, as Linux)");
	if (base == BPF_MAP_TYPE_HASH)
		ASSERT_EQ(tp_count(TP_POST_DELETE, BPFHOST_MAP_OPERATION_HELPER), 1,
			  "delete post-processing with HELPER");
	bpfhost_close(fd);

	/* The provider refusing the association refuses the load. */
	tp()->config.associate_error = -EACCES;
	{
		const struct bpf_insn p[] = LOOKUP_PROG(map);
		fd = load("refused", p, sizeof(p) / sizeof(p[0]));
	}
	ASSERT_EQ(fd, -EACCES, "provider refuses the program type");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "refuses programs of type 1", "message");
	tp()->config.associate_error = 0;
	bpfhost_close(map);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

static void t_helper_flags_hash(void)
{
	helper_flags(BPF_MAP_TYPE_HASH);
}

static void t_helper_flags_array(void)
{
	helper_flags(BPF_MAP_TYPE_ARRAY);
}

static void t_updates_original_value(void)
{
	int mod, map, fd, err;
	uint32_t key = 1;
	uint64_t v = 5, out = 0;

	tp_config_one(TP_TYPE, BPF_MAP_TYPE_HASH, 1, TP_ALL_POST);
	mod = tp_load();
	ASSERT_GE(mod, 0, "load provider");
	map = bpfhost_map_create(TP_TYPE, "uov", 4, 8, 8, NULL);
	ASSERT_GE(map, 0, "create");
	ASSERT_OK(bpfhost_map_update_elem(map, &key, &v, 0), "user update");
	/* DESIGN.md's promise: programs cannot use such a map, refused at load. */
	{
		const struct bpf_insn p[] = LOOKUP_PROG(map);
		ASSERT_EQ(load("uovlookup", p, sizeof(p) / sizeof(p[0])), -EACCES, "program lookup refused");
		ASSERT_STR_CONTAINS(bpfhost_last_error(), "updates_original_value", "message");
		/* Loaded without the verifier, the run-time answers stand. */
		fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "uovlookup", p,
					  sizeof(p) / sizeof(p[0]), BPFHOST_F_TEST_UNVERIFIED);
	}
	ASSERT_EQ(run(fd, &err), 0xffff, "programs get NULL from lookups");
	bpfhost_close(fd);
	{
		const struct bpf_insn p[] = UPDATE_PROG(map);
		ASSERT_EQ(load("uovupdate", p, sizeof(p) / sizeof(p[0])), -EACCES, "program update refused");
		fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "uovupdate", p,
					  sizeof(p) / sizeof(p[0]), BPFHOST_F_TEST_UNVERIFIED);
	}
	ASSERT_EQ(run(fd, &err), (uint32_t)-EOPNOTSUPP, "program update refused");
	bpfhost_close(fd);
	{
		const struct bpf_insn p[] = DELETE_PROG(map);
		ASSERT_EQ(load("uovdelete", p, sizeof(p) / sizeof(p[0])), -EACCES, "program delete refused");
		fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "uovdelete", p,
					  sizeof(p) / sizeof(p[0]), BPFHOST_F_TEST_UNVERIFIED);
	}
	ASSERT_EQ(run(fd, &err), (uint32_t)-EOPNOTSUPP, "program delete refused");
	bpfhost_close(fd);
	ASSERT_OK(bpfhost_map_lookup_elem(map, &key, &out), "entry still there");
	key = 2;
	ASSERT_EQ(bpfhost_map_lookup_elem(map, &key, &out), -ENOENT, "nothing was added");
	bpfhost_close(map);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

/* A custom map reached through a map-in-map still asks its provider about the program type. */
static void t_inner_map_associate(void)
{
	int mod, inner, outer, fd, err;
	uint32_t key = 1, zero = 0;
	uint64_t v = 41;

	tp_config_one(TP_TYPE, BPF_MAP_TYPE_HASH, 0, TP_ALL_POST);
	mod = tp_load();
	ASSERT_GE(mod, 0, "load provider");
	inner = bpfhost_map_create(TP_TYPE, "inner", 4, 8, 8, NULL);
	ASSERT_GE(inner, 0, "custom inner map");
	ASSERT_OK(bpfhost_map_update_elem(inner, &key, &v, 0), "value");
	{
		BPFHOST_OPTS(bpfhost_map_create_opts, o, .inner_map_fd = (uint32_t)inner);
		outer = bpfhost_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "outer", 4, 4, 2, &o);
	}
	ASSERT_GE(outer, 0, "outer map");
	ASSERT_OK(bpfhost_map_update_elem(outer, &zero, &inner, 0), "inner into slot 0");
	{
		/* inner = outer[0]; r0 = inner[1] */
		const struct bpf_insn p[] = {
			ST_MEM(BPF_W, 10, -4, 0), LD_MAP_FD(1, outer), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
			CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 6), MOV64_REG(1, 0),
			ST_MEM(BPF_W, 10, -8, 1), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8),
			CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, 0xffff), EXIT(),
			LDX_MEM(BPF_DW, 0, 0, 0), EXIT(),
		};
		fd = load("outer_inner", p, sizeof(p) / sizeof(p[0]));
	}
	ASSERT_GE(fd, 0, "load");
	ASSERT_EQ(run(fd, &err), 41, "through the outer map when the provider agrees");
	ASSERT_OK(err, "run");
	tp()->config.associate_error = -EACCES;
	run(fd, &err);
	ASSERT_EQ(err, -EACCES, "the provider refuses the program type for the inner map");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "inner map 'inner'", "message names the inner map");
	tp()->config.associate_error = 0;
	bpfhost_close(fd);
	bpfhost_close(outer);
	bpfhost_close(inner);
	ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_helper_flags_hash), TEST(t_helper_flags_array), TEST(t_updates_original_value),
		TEST(t_inner_map_associate),
	};

	pkt[12] = 0x08;
	return test_run("prog_custom_map", cases, sizeof(cases) / sizeof(cases[0]));
}
