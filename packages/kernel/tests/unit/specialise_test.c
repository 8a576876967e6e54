// SPDX-License-Identifier: MIT
/*
 * Load-time specialisation (prog/specialise.c): every program here is
 * loaded twice, specialised and not (bh_specialise_set_enabled), on twin
 * maps with the same contents, and run on the same inputs: r0 and the maps'
 * contents afterwards must be the same, over in-range, out-of-range,
 * negative and 2^32-1 indexes, 64-bit registers whose low half is the
 * index, empty slots, the 33-call tail call limit and per-CPU slots. Each
 * case also checks the rewrite happened (the internal opcodes in
 * prog->insns) or, where it must not (two maps at one call site, programs
 * loaded unverified), that it did not.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>

#include "test.h"
#include "insn.h"
#include "prog_run.h"
#include "bpfhost/uapi.h"
#include "epoch/epoch.h"
#include "prog/prog_internal.h"
#include "prog/specialise.h"

#define LOOKUP BPF_FUNC_map_lookup_elem
#define ARR_N 16u

/* The control map: [0] the key or index (u64), [8] a selector; programs read it by direct value access. */
static int ctl;

static void set_ctl(uint64_t key, uint64_t sel)
{
	uint64_t v[2] = { key, sel };
	uint32_t zero = 0;

	ASSERT_OK(bpfhost_map_update_elem(ctl, &zero, v, 0), "control value");
}

/* The keys every case runs: edges, negative, 2^32-1, high halves set, and random ones. */
static size_t keys(uint64_t *out, size_t cap)
{
	static const uint64_t edge[] = { ARR_N - 1, ARR_N, ARR_N + 1, 0x7fffffff, 0x80000000, 0xfffffffe,
					 0xffffffff, 0x100000003ull, 0xffffffff00000002ull,
					 0xffffffffffffffffull, 5, 9 };
	size_t n = 0;

	for (uint64_t k = 0; k < 24 && n < cap; k++)
		out[n++] = k;
	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]) && n < cap; i++)
		out[n++] = edge[i];
	srand(15);
	while (n < cap) {
		uint64_t r = (uint64_t)rand() << 33 ^ (uint64_t)rand() << 2 ^ (uint64_t)rand();

		out[n] = n % 3 ? r & 0x1f : r;	/* mostly near the range, some anywhere */
		n++;
	}
	return n;
}

static struct bh_prog *prog_of(int fd)
{
	struct bh_prog *prog = NULL;

	epoch_enter();
	ASSERT_OK(bh_prog_from_handle(fd, "test", &prog), "program of handle");
	epoch_exit();
	return prog;
}

/* How many instructions of @fd's rewritten program have opcode @code. */
static uint32_t count_op(int fd, uint8_t code)
{
	const struct bh_prog *prog = prog_of(fd);
	uint32_t n = 0;

	for (uint32_t i = 0; prog && i < prog->len; i++)
		n += prog->insns[i].code == code;
	return n;
}

static int load(const char *name, const struct bpf_insn *insns, size_t n, bool specialise)
{
	int fd;

	bh_specialise_set_enabled(specialise);
	fd = test_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, insns, n);
	bh_specialise_set_enabled(true);
	ASSERT_GE(fd, 0, name);
	return fd;
}

/* Runs both programs on the control value @key: both complete with the same r0. */
static void run_same(int spec, int plain, uint64_t key, uint64_t sel, const char *what)
{
	uint64_t r_spec = 0, r_plain = 0;
	char name[160];

	set_ctl(key, sel);
	snprintf(name, sizeof(name), "%s: key 0x%llx runs (specialised)", what, (unsigned long long)key);
	ASSERT_OK(test_prog_run(spec, 0, 0, &r_spec), name);
	snprintf(name, sizeof(name), "%s: key 0x%llx runs (helper path)", what, (unsigned long long)key);
	ASSERT_OK(test_prog_run(plain, 0, 0, &r_plain), name);
	snprintf(name, sizeof(name), "%s: key 0x%llx: the same r0", what, (unsigned long long)key);
	ASSERT_EQ(r_spec, r_plain, name);
}

/* Every index of two arrays (per-CPU: every CPU's slot) holds the same bytes. */
static void same_arrays(int a, int b, uint32_t n, uint32_t value_size, const char *what)
{
	size_t len = (size_t)value_size * (size_t)plat_num_possible_cpus();
	uint8_t *va = calloc(1, len), *vb = calloc(1, len);

	for (uint32_t i = 0; i < n; i++) {
		memset(va, 0, len);
		memset(vb, 0, len);
		ASSERT_OK(bpfhost_map_lookup_elem(a, &i, va), "read back");
		ASSERT_OK(bpfhost_map_lookup_elem(b, &i, vb), "read back the twin");
		ASSERT_TRUE(!memcmp(va, vb, len), what);
	}
	free(va);
	free(vb);
}

/*
 * A lookup of the control key in @map, then value += 1 through the pointer
 * (the store must pass the run-time checks as a helper's value does);
 * r0 the new value, or -1 on a miss. @key_in_value: the key pointer is the
 * control map's value, not the stack (the specialised call's fallback).
 */
static int lookup_prog(int map, bool key_in_value, bool specialise)
{
	const struct bpf_insn p[] = {
		LD_MAP_VALUE(6, ctl, 0), LDX_MEM(BPF_DW, 1, 6, 0), STX_MEM(BPF_DW, 10, 1, -8),
		LD_MAP_FD(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8),
		key_in_value ? MOV64_REG(2, 6) : MOV64_REG(2, 2),
		CALL(LOOKUP), JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, -1), EXIT(),
		LDX_MEM(BPF_DW, 1, 0, 0), ALU64_IMM(BPF_ADD, 1, 1), STX_MEM(BPF_DW, 0, 1, 0), MOV64_REG(0, 1),
		EXIT(),
	};

	return load("lookup", p, sizeof(p) / sizeof(p[0]), specialise);
}

static int twin_array(uint32_t type)
{
	int ncpu = plat_num_possible_cpus(), fd = test_map(type, "arr", 4, 8, ARR_N, 0);
	uint64_t *v = calloc((size_t)ncpu, 8);

	for (uint32_t i = 0; i < ARR_N; i++) {
		for (int c = 0; c < ncpu; c++)
			v[c] = (uint64_t)c * 100000 + i * 1000 + 7;
		ASSERT_OK(bpfhost_map_update_elem(fd, &i, v, 0), "fill");
	}
	free(v);
	return fd;
}

static void array_case(uint32_t type, uint8_t op, const char *what)
{
	uint64_t k[320];
	size_t n = keys(k, 320);

	for (int key_in_value = 0; key_in_value < 2; key_in_value++) {
		int a = twin_array(type), b = twin_array(type);
		int spec = lookup_prog(a, key_in_value, true), plain = lookup_prog(b, key_in_value, false);

		ASSERT_EQ(count_op(spec, op), 1, "the lookup is rewritten");
		ASSERT_EQ(count_op(plain, op), 0, "not when specialisation is off");
		ASSERT_EQ(count_op(plain, BPF_JMP | BPF_CALL), 1, "the helper call stays");
		for (size_t i = 0; i < n; i++)
			run_same(spec, plain, k[i], 0, what);
		same_arrays(a, b, ARR_N, 8, "the same values afterwards");
		bpfhost_close(spec);
		bpfhost_close(plain);
		bpfhost_close(a);
		bpfhost_close(b);
	}
}

static void t_array(void)
{
	array_case(BPF_MAP_TYPE_ARRAY, BH_OP_ARRAY_LOOKUP, "array");
}

/* This CPU's slot only: the thread is pinned (main), so both runs see the same CPU. */
static void t_percpu_array(void)
{
	int a = twin_array(BPF_MAP_TYPE_PERCPU_ARRAY), spec = lookup_prog(a, false, true);
	int ncpu = plat_num_possible_cpus(), cpu = sched_getcpu();
	uint64_t *v = calloc((size_t)ncpu, 8), r = 0;
	uint32_t idx = 3;

	array_case(BPF_MAP_TYPE_PERCPU_ARRAY, BH_OP_PCPU_LOOKUP, "percpu array");
	set_ctl(idx, 0);
	ASSERT_OK(test_prog_run(spec, 0, 0, &r), "run");
	ASSERT_EQ(r, (uint64_t)cpu * 100000 + idx * 1000 + 8, "this CPU's value, incremented");
	ASSERT_OK(bpfhost_map_lookup_elem(a, &idx, v), "read back");
	for (int c = 0; c < ncpu; c++)
		ASSERT_EQ(v[c], (uint64_t)c * 100000 + idx * 1000 + 7 + (c == cpu), "only this CPU's slot moved");
	free(v);
	bpfhost_close(spec);
	bpfhost_close(a);
}

static void t_hash(void)
{
	uint64_t k[320];
	size_t n = keys(k, 320);
	int a = test_map(BPF_MAP_TYPE_HASH, "h", 4, 8, 64, 0), b = test_map(BPF_MAP_TYPE_HASH, "h", 4, 8, 64, 0);
	int spec, plain;

	for (uint32_t i = 0; i < 32; i += 2) {
		uint64_t v = i * 31 + 1;

		ASSERT_OK(bpfhost_map_update_elem(a, &i, &v, 0), "fill");
		ASSERT_OK(bpfhost_map_update_elem(b, &i, &v, 0), "fill the twin");
	}
	spec = lookup_prog(a, false, true);
	plain = lookup_prog(b, false, false);
	ASSERT_EQ(count_op(spec, BH_OP_MAP_LOOKUP), 1, "the lookup calls the hash directly");
	for (size_t i = 0; i < n; i++)
		run_same(spec, plain, k[i], 0, "hash");
	for (uint32_t i = 0; i < 32; i += 2) {
		uint64_t va = 0, vb = 0;

		ASSERT_OK(bpfhost_map_lookup_elem(a, &i, &va), "read back");
		ASSERT_OK(bpfhost_map_lookup_elem(b, &i, &vb), "read back the twin");
		ASSERT_EQ(va, vb, "the same values afterwards");
	}
	bpfhost_close(spec);
	bpfhost_close(plain);
	bpfhost_close(a);
	bpfhost_close(b);
}

/*
 * Outer lookup of the control key, then inner[1] += 1; r0 the new value,
 * -1 without an inner map. The inner lookup's map is an inner one (not
 * known at load): BH_OP_INNER_MAP.
 */
static int outer_prog(int outer, bool specialise)
{
	const struct bpf_insn p[] = {
		LD_MAP_VALUE(6, ctl, 0), LDX_MEM(BPF_DW, 1, 6, 0), STX_MEM(BPF_DW, 10, 1, -8),
		LD_MAP_FD(1, outer), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8), CALL(LOOKUP),
		JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, -1), EXIT(),
		MOV64_REG(1, 0), ST_MEM(BPF_W, 10, -16, 1), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -16),
		CALL(LOOKUP), JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, -2), EXIT(),
		LDX_MEM(BPF_DW, 1, 0, 0), ALU64_IMM(BPF_ADD, 1, 1), STX_MEM(BPF_DW, 0, 1, 0), MOV64_REG(0, 1),
		EXIT(),
	};

	return load("outer", p, sizeof(p) / sizeof(p[0]), specialise);
}

/* An outer map of @type with inner arrays at @slots (the rest empty); *@inner gets them. */
static int twin_outer(uint32_t type, const uint32_t *slots, int *inner, int cnt)
{
	int tmpl = test_map(BPF_MAP_TYPE_ARRAY, "tmpl", 4, 8, 2, 0);
	BPFHOST_OPTS(bpfhost_map_create_opts, opts, .inner_map_fd = (uint32_t)tmpl);
	int outer = bpfhost_map_create(type, "outer", 4, 4, 8, &opts);

	ASSERT_GE(outer, 0, "outer map");
	for (int i = 0; i < cnt; i++) {
		uint32_t one = 1;
		uint64_t v = 40 + (uint64_t)i;

		inner[i] = test_map(BPF_MAP_TYPE_ARRAY, "inner", 4, 8, 2, 0);
		ASSERT_OK(bpfhost_map_update_elem(inner[i], &one, &v, 0), "inner value");
		ASSERT_OK(bpfhost_map_update_elem(outer, &slots[i], &inner[i], 0), "inner map in its slot");
	}
	bpfhost_close(tmpl);
	return outer;
}

static void outer_case(uint32_t type, const uint32_t *slots, uint8_t op, const char *what)
{
	uint64_t k[320];
	size_t n = keys(k, 320);
	int ia[3], ib[3], a = twin_outer(type, slots, ia, 3), b = twin_outer(type, slots, ib, 3);
	int spec = outer_prog(a, true), plain = outer_prog(b, false);

	ASSERT_EQ(count_op(spec, op), 1, "the outer lookup is rewritten");
	ASSERT_EQ(count_op(spec, BH_OP_INNER_MAP), 1, "the inner lookup checks for an inner map at run time");
	ASSERT_EQ(count_op(plain, op), 0, "not when specialisation is off");
	for (size_t i = 0; i < n; i++)
		run_same(spec, plain, k[i], 0, what);
	for (int i = 0; i < 3; i++) {
		same_arrays(ia[i], ib[i], 2, 8, "the same inner values afterwards");
		bpfhost_close(ia[i]);
		bpfhost_close(ib[i]);
	}
	bpfhost_close(spec);
	bpfhost_close(plain);
	bpfhost_close(a);
	bpfhost_close(b);
}

static void t_array_of_maps(void)
{
	static const uint32_t slots[3] = { 0, 1, 3 };	/* 2 and 4-7 empty */

	outer_case(BPF_MAP_TYPE_ARRAY_OF_MAPS, slots, BH_OP_AOM_LOOKUP, "array of maps");
}

static void t_hash_of_maps(void)
{
	static const uint32_t keys3[3] = { 5, 9, 0xffffffff };

	outer_case(BPF_MAP_TYPE_HASH_OF_MAPS, keys3, BH_OP_MAP_LOOKUP, "hash of maps");
}

/*
 * Inner HASH calls (BH_OP_INNER_MAP) with the key on the stack (direct),
 * the key in a map value, or another lookup between the outer and the
 * inner one (both: the helper path). A lookup then adds 1 to the value
 * through the pointer (@rdonly, BPF_F_RDONLY_PROG inner maps: only reads,
 * as the verifier wants): r0 the new value, -2 on a miss. An update writes
 * the control key as the value with the control selector as flags; a
 * delete deletes the key: r0 their result. -1 without an inner map.
 */
enum inner_variant { INNER_STACK_KEY, INNER_VALUE_KEY, INNER_LOOKUP_BETWEEN, INNER_VARIANTS };
enum inner_call { INNER_LOOKUP, INNER_UPDATE, INNER_DELETE, INNER_CALLS };

static int inner_prog(int outer, enum inner_variant v, enum inner_call c, bool rdonly, bool specialise)
{
	const struct bpf_insn head[] = {
		LD_MAP_VALUE(6, ctl, 0), ST_MEM(BPF_W, 10, -8, 0), LD_MAP_FD(1, outer), MOV64_REG(2, 10),
		ALU64_IMM(BPF_ADD, 2, -8), CALL(LOOKUP), JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, -1), EXIT(),
		MOV64_REG(7, 0), LDX_MEM(BPF_DW, 3, 6, 0), STX_MEM(BPF_DW, 10, 3, -24),
	};
	const struct bpf_insn between[] = {
		ST_MEM(BPF_W, 10, -12, 0), LD_MAP_FD(1, ctl), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -12),
		CALL(LOOKUP),
	};
	const struct bpf_insn stack_key[] = {
		LDX_MEM(BPF_DW, 3, 6, 0), STX_MEM(BPF_W, 10, 3, -16), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -16),
	};
	const struct bpf_insn value_key[] = { MOV64_REG(2, 6) };	/* the key: ctl's first 4 bytes */
	const struct bpf_insn lookup[] = {
		MOV64_REG(1, 7), CALL(LOOKUP), JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, -2), EXIT(),
		LDX_MEM(BPF_DW, 1, 0, 0), ALU64_IMM(BPF_ADD, 1, 1), STX_MEM(BPF_DW, 0, 1, 0), MOV64_REG(0, 1),
		EXIT(),
	};
	const struct bpf_insn lookup_read[] = {
		MOV64_REG(1, 7), CALL(LOOKUP), JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, -2), EXIT(),
		LDX_MEM(BPF_DW, 0, 0, 0), EXIT(),
	};
	const struct bpf_insn update[] = {
		MOV64_REG(1, 7), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -24), LDX_MEM(BPF_DW, 4, 6, 8),
		CALL(BPF_FUNC_map_update_elem), EXIT(),
	};
	const struct bpf_insn delete[] = { MOV64_REG(1, 7), CALL(BPF_FUNC_map_delete_elem), EXIT() };
	struct bpf_insn p[48];
	size_t n = 0;

#define PUT(a) (memcpy(p + n, a, sizeof(a)), n += sizeof(a) / sizeof(a[0]))
	PUT(head);
	if (v == INNER_LOOKUP_BETWEEN)
		PUT(between);
	if (v == INNER_VALUE_KEY)
		PUT(value_key);
	else
		PUT(stack_key);
	if (c == INNER_UPDATE)
		PUT(update);
	else if (c == INNER_DELETE)
		PUT(delete);
	else if (rdonly)
		PUT(lookup_read);
	else
		PUT(lookup);
#undef PUT
	return load("inner", p, n, specialise);
}

/* An ARRAY_OF_MAPS whose slot 0 holds a 16-entry HASH (@flags) with keys 0-7 (values 100 + key). */
static int hash_outer(uint32_t flags, int *inner)
{
	int tmpl = test_map(BPF_MAP_TYPE_HASH, "tmpl", 4, 8, 16, flags);
	BPFHOST_OPTS(bpfhost_map_create_opts, opts, .inner_map_fd = (uint32_t)tmpl);
	int outer = bpfhost_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "outer", 4, 4, 1, &opts);
	uint32_t zero = 0;

	ASSERT_GE(outer, 0, "outer map");
	*inner = test_map(BPF_MAP_TYPE_HASH, "inner", 4, 8, 16, flags);
	for (uint32_t k = 0; k < 8; k++) {
		uint64_t v = 100 + k;

		ASSERT_OK(bpfhost_map_update_elem(*inner, &k, &v, 0), "inner value");
	}
	ASSERT_OK(bpfhost_map_update_elem(outer, &zero, inner, 0), "inner map in slot 0");
	bpfhost_close(tmpl);
	return outer;
}

static void inner_case(uint32_t flags, enum inner_variant v, enum inner_call c)
{
	static const uint64_t sel[] = { BPF_ANY, BPF_NOEXIST, BPF_EXIST, 7 };	/* update flags; 7: invalid */
	uint64_t k[64];
	size_t n = keys(k, 64);
	int ia, ib, a = hash_outer(flags, &ia), b = hash_outer(flags, &ib);
	int spec = inner_prog(a, v, c, flags != 0, true), plain = inner_prog(b, v, c, flags != 0, false);

	ASSERT_EQ(count_op(spec, BH_OP_INNER_MAP), 1, "the inner call is rewritten");
	ASSERT_EQ(count_op(plain, BH_OP_INNER_MAP), 0, "not when specialisation is off");
	for (size_t i = 0; i < n; i++) {
		uint64_t r[2] = { 0, 0 };
		int err[2];

		set_ctl(k[i], sel[i % 4]);
		err[0] = test_prog_run(spec, 0, 0, &r[0]);
		err[1] = test_prog_run(plain, 0, 0, &r[1]);
		ASSERT_OK(err[0], "runs (specialised)");
		ASSERT_OK(err[1], "runs (helper path)");
		ASSERT_EQ(r[0], r[1], "the same r0");
	}
	for (uint32_t key = 0; key < 64; key++) {
		uint64_t va = 0, vb = 0;

		ASSERT_EQ(bpfhost_map_lookup_elem(ia, &key, &va), bpfhost_map_lookup_elem(ib, &key, &vb),
			  "the same keys afterwards");
		ASSERT_EQ(va, vb, "the same inner values afterwards");
	}
	bpfhost_close(spec);
	bpfhost_close(plain);
	bpfhost_close(a);
	bpfhost_close(b);
	bpfhost_close(ia);
	bpfhost_close(ib);
}

static void t_inner_map_calls(void)
{
	for (int c = 0; c < INNER_CALLS; c++)
		for (int v = 0; v < INNER_VARIANTS; v++) {
			inner_case(0, (enum inner_variant)v, (enum inner_call)c);
			if (c == INNER_LOOKUP)
				inner_case(BPF_F_RDONLY_PROG, (enum inner_variant)v, (enum inner_call)c);
		}
}

/* Tail call through @pa at the control index (64-bit: its low half is the index); 1000 on failure. */
static int tail_prog(int pa, bool specialise)
{
	const struct bpf_insn p[] = {
		MOV64_REG(6, 1), LD_MAP_VALUE(7, ctl, 0), LDX_MEM(BPF_DW, 3, 7, 0), MOV64_REG(1, 6),
		LD_MAP_FD(2, pa), CALL(BPF_FUNC_tail_call), MOV64_IMM(0, 1000), EXIT(),
	};

	return load("tail", p, sizeof(p) / sizeof(p[0]), specialise);
}

static void t_tail_call(void)
{
	static const uint32_t filled[] = { 0, 1, 2, 4, 6 };	/* 3, 5, 7 empty; 8 and up out of range */
	int pa = test_map(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 8, 0);
	int pb = test_map(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 8, 0);
	int target[5], spec, plain;
	uint64_t k[320];
	size_t n = keys(k, 320);

	for (int i = 0; i < 5; i++) {
		const struct bpf_insn t[] = { MOV64_IMM(0, 500 + 7 * i), EXIT() };

		target[i] = load("target", t, 2, true);
		ASSERT_OK(bpfhost_map_update_elem(pa, &filled[i], &target[i], 0), "fill");
		ASSERT_OK(bpfhost_map_update_elem(pb, &filled[i], &target[i], 0), "fill the twin");
	}
	spec = tail_prog(pa, true);
	plain = tail_prog(pb, false);
	ASSERT_EQ(count_op(spec, BH_OP_TAIL_CALL), 1, "the tail call is rewritten");
	ASSERT_EQ(count_op(plain, BH_OP_TAIL_CALL), 0, "not when specialisation is off");
	for (size_t i = 0; i < n; i++)
		run_same(spec, plain, k[i], 0, "tail call");
	{
		uint64_t r = 0;

		set_ctl(4, 0);
		ASSERT_OK(test_prog_run(spec, 0, 0, &r), "run");
		ASSERT_EQ(r, 500 + 7 * 3, "slot 4's program ran");
		set_ctl(5, 0);
		ASSERT_OK(test_prog_run(spec, 0, 0, &r), "run");
		ASSERT_EQ(r, 1000, "an empty slot goes on after the call");
		set_ctl(0x100000001ull, 0);
		ASSERT_OK(test_prog_run(spec, 0, 0, &r), "run");
		ASSERT_EQ(r, 507, "the index is the low 32 bits");
	}
	for (int i = 0; i < 5; i++)
		bpfhost_close(target[i]);
	bpfhost_close(spec);
	bpfhost_close(plain);
	bpfhost_close(pa);
	bpfhost_close(pb);
}

/* A program that counts its runs and tail-calls itself: 1 + 33 runs, then r0 = 77 after the call. */
static void chain(bool specialise, uint64_t *runs, uint64_t *r0)
{
	int pa = test_map(BPF_MAP_TYPE_PROG_ARRAY, "chain", 4, 4, 1, 0);
	int cnt = test_map(BPF_MAP_TYPE_ARRAY, "cnt", 4, 8, 1, 0);
	const struct bpf_insn p[] = {
		MOV64_REG(6, 1), LD_MAP_VALUE(7, cnt, 0), LDX_MEM(BPF_DW, 1, 7, 0), ALU64_IMM(BPF_ADD, 1, 1),
		STX_MEM(BPF_DW, 7, 1, 0), MOV64_REG(1, 6), LD_MAP_FD(2, pa), MOV64_IMM(3, 0),
		CALL(BPF_FUNC_tail_call), MOV64_IMM(0, 77), EXIT(),
	};
	int fd = load("chain", p, sizeof(p) / sizeof(p[0]), specialise);
	uint32_t zero = 0;

	ASSERT_EQ(count_op(fd, BH_OP_TAIL_CALL), specialise ? 1u : 0u, "rewritten as asked");
	char trace[4096];
	int n;

	ASSERT_OK(bpfhost_map_update_elem(pa, &zero, &fd, 0), "the program in its own slot");
	while (bpfhost_trace_read(trace, sizeof(trace)) > 0)
		;
	ASSERT_OK(test_prog_run(fd, 0, 0, r0), "run");
	ASSERT_OK(bpfhost_map_lookup_elem(cnt, &zero, runs), "runs");
	/* The trace log says so once, not at every run (interp.c: note_tail_call_limit). */
	ASSERT_OK(test_prog_run(fd, 0, 100, NULL), "100 more runs");
	n = bpfhost_trace_read(trace, sizeof(trace) - 1);
	trace[n > 0 ? n : 0] = 0;
	ASSERT_STR_CONTAINS(trace, "chain: insn 10: tail call limit (33) reached", "the trace log says so");
	ASSERT_TRUE(strstr(trace, "tail call limit") && !strstr(strstr(trace, "tail call limit") + 1, "tail call limit"),
		    "once");
	ASSERT_OK(bpfhost_map_delete_elem(pa, &zero), "break the cycle");
	bpfhost_close(fd);
	bpfhost_close(pa);
	bpfhost_close(cnt);
}

static void t_tail_call_limit(void)
{
	uint64_t runs_s = 0, runs_p = 0, r_s = 0, r_p = 0;

	chain(true, &runs_s, &r_s);
	chain(false, &runs_p, &r_p);
	ASSERT_EQ(runs_s, 34, "1 + MAX_TAIL_CALL_CNT (33) runs");
	ASSERT_EQ(runs_p, runs_s, "the same on the helper path");
	ASSERT_EQ(r_s, 77, "the 34th call goes on after the call");
	ASSERT_EQ(r_p, r_s, "the same r0");
}

/*
 * Fused constant tail calls (BH_OP_TAIL_CALL_K): `lddw r2; mov r3, K; call`
 * in either order, 64- and 32-bit movs, K in range, out of range and
 * negative, filled and empty slots; a jump lands between the lddw and the
 * call with another prog array in r2 (that path takes the helper). r0 must
 * be the unfused twin's every time.
 */
struct fuse_case {
	bool mov_first, mov32;
	int32_t k;
	bool fused;
};

static int fuse_prog(int pa, int pb, const struct fuse_case *c, bool specialise)
{
	struct bpf_insn mov = c->mov32 ? INSN(BPF_ALU | BPF_MOV | BPF_K, 3, 0, 0, c->k) : MOV64_IMM(3, c->k);
	/* sel != 0 jumps with r2 = pb, r3 = 2 to the call (mov first) or to the mov (lddw first). */
	const struct bpf_insn head[] = {
		LD_MAP_VALUE(7, ctl, 0), LDX_MEM(BPF_DW, 8, 7, 8), LD_MAP_FD(2, pb), MOV64_IMM(3, 2),
		JMP_IMM(BPF_JNE, 8, 0, c->mov_first ? 3 : 2),
	};
	const struct bpf_insn lddw_first[] = { LD_MAP_FD(2, pa), mov }, mov_first[] = { mov, LD_MAP_FD(2, pa) };
	const struct bpf_insn tail[] = { CALL(BPF_FUNC_tail_call), MOV64_IMM(0, 1000), EXIT() };
	struct bpf_insn p[16];
	size_t n = 0;

	memcpy(p, head, sizeof(head));
	n += sizeof(head) / sizeof(head[0]);
	memcpy(p + n, c->mov_first ? mov_first : lddw_first, sizeof(lddw_first));
	n += 3;
	memcpy(p + n, tail, sizeof(tail));
	n += 3;
	return load("fuse", p, n, specialise);
}

static void t_tail_call_fused(void)
{
	static const struct fuse_case cases[] = {
		{ false, false, 0, true }, { false, false, 4, true }, { false, true, 6, true }, { true, false, 1, true },
		{ true, true, 3, true }, { false, false, 7, true }, { false, false, 8, false },
		{ false, false, -1, false }, { true, true, -1, false }, { false, false, 1 << 20, false },
	};
	static const uint32_t filled[] = { 0, 1, 2, 4, 6 };	/* 3, 5, 7 empty */
	int pa = test_map(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 8, 0);
	int pb = test_map(BPF_MAP_TYPE_PROG_ARRAY, "pb", 4, 4, 8, 0);
	int target[5];

	for (int i = 0; i < 5; i++) {
		const struct bpf_insn t[] = { MOV64_IMM(0, 500 + 7 * i), EXIT() };
		uint32_t two = 2;

		target[i] = load("target", t, 2, true);
		ASSERT_OK(bpfhost_map_update_elem(pa, &filled[i], &target[i], 0), "fill");
		if (i == 3)
			ASSERT_OK(bpfhost_map_update_elem(pb, &two, &target[i], 0), "pb's slot 2");
	}
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		int spec = fuse_prog(pa, pb, &cases[c], true), plain = fuse_prog(pa, pb, &cases[c], false);
		char what[96];

		snprintf(what, sizeof(what), "fused tail call (%s first, mov%s, K %d)",
			 cases[c].mov_first ? "mov" : "lddw", cases[c].mov32 ? "32" : "64", cases[c].k);
		ASSERT_EQ(count_op(spec, BH_OP_TAIL_CALL_K), cases[c].fused ? 1u : 0u, what);
		ASSERT_EQ(count_op(plain, BH_OP_TAIL_CALL_K), 0, "not when specialisation is off");
		/* Two prog arrays reach the call: it stays a helper call for the jump's path. */
		ASSERT_EQ(count_op(spec, BH_OP_TAIL_CALL), 0, "the call itself stays a helper call");
		for (uint64_t sel = 0; sel < 2; sel++)
			run_same(spec, plain, 0, sel, what);
		if (cases[c].fused) {
			uint64_t r = 0;
			int32_t k = cases[c].k;
			int slot = k == 0 ? 0 : k == 1 ? 1 : k == 4 ? 3 : k == 6 ? 4 : -1;

			set_ctl(0, 0);
			ASSERT_OK(test_prog_run(spec, 0, 0, &r), "run the fused path");
			ASSERT_EQ(r, slot >= 0 ? 500 + 7 * (uint64_t)slot : 1000, what);
			set_ctl(0, 1);
			ASSERT_OK(test_prog_run(spec, 0, 0, &r), "run the jump's path");
			/* Only pb's slot 2 is filled: mov first, the jump skips `mov r3, K`. */
			ASSERT_EQ(r, cases[c].mov_first || k == 2 ? 521 : 1000, "the jump's path calls through pb");
		}
		bpfhost_close(spec);
		bpfhost_close(plain);
	}
	for (int i = 0; i < 5; i++)
		bpfhost_close(target[i]);
	bpfhost_close(pa);
	bpfhost_close(pb);
}

/*
 * A fused tail call runs three instructions: the budget counts them as the
 * unfused program does, so every budget from 1 up gives both the same
 * outcome (-ELOOP where it runs out, else r0) and the same number of runs.
 * @sub: the self tail call is made from a subprogram, so each hop opens a
 * frame and the target's stack lies deeper (the checked path).
 */
static int self_prog(int pa, int cnt, bool sub, bool specialise)
{
	const struct bpf_insn body[] = {
		LD_MAP_VALUE(7, cnt, 0), LDX_MEM(BPF_DW, 2, 7, 0), ALU64_IMM(BPF_ADD, 2, 1), STX_MEM(BPF_DW, 7, 2, 0),
		ST_MEM(BPF_DW, 10, -8, 1), LD_MAP_FD(2, pa), MOV64_IMM(3, 0), CALL(BPF_FUNC_tail_call),
		MOV64_IMM(0, 77), EXIT(),
	};
	struct bpf_insn p[24] = { INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 1), EXIT() };
	size_t n = sub ? 2 : 0;

	memcpy(p + n, body, sizeof(body));
	n += sizeof(body) / sizeof(body[0]);
	return load(sub ? "self_sub" : "self", p, n, specialise);
}

static void self_case(bool sub)
{
	int pa[2], cnt[2], fd[2];
	uint32_t zero = 0;

	for (int s = 0; s < 2; s++) {
		pa[s] = test_map(BPF_MAP_TYPE_PROG_ARRAY, "self", 4, 4, 1, 0);
		cnt[s] = test_map(BPF_MAP_TYPE_ARRAY, "cnt", 4, 8, 1, 0);
		fd[s] = self_prog(pa[s], cnt[s], sub, s == 0);
		ASSERT_OK(bpfhost_map_update_elem(pa[s], &zero, &fd[s], 0), "the program in its own slot");
	}
	ASSERT_EQ(count_op(fd[0], BH_OP_TAIL_CALL_K), 1, "fused");
	ASSERT_EQ(count_op(fd[1], BH_OP_TAIL_CALL_K), 0, "not fused");
	for (uint32_t budget = 1; budget < 34u * (sub ? 15u : 13u); budget++) {
		uint64_t r[2] = { 0, 0 }, runs[2] = { 0, 0 };
		int err[2];

		for (int s = 0; s < 2; s++) {
			ASSERT_OK(bpfhost_map_update_elem(cnt[s], &zero, &runs[s], 0), "reset the count");
			err[s] = test_prog_run(fd[s], budget, 0, &r[s]);
			ASSERT_OK(bpfhost_map_lookup_elem(cnt[s], &zero, &runs[s]), "runs");
		}
		ASSERT_EQ(err[0], err[1], "the same outcome at every budget");
		ASSERT_EQ(runs[0], runs[1], "the same number of runs at every budget");
		if (!err[0])
			ASSERT_EQ(r[0], r[1], "the same r0");
	}
	{
		uint64_t r = 0, runs = 0;

		ASSERT_OK(bpfhost_map_update_elem(cnt[0], &zero, &runs, 0), "reset");
		ASSERT_OK(test_prog_run(fd[0], 0, 0, &r), "run with the default budget");
		ASSERT_OK(bpfhost_map_lookup_elem(cnt[0], &zero, &runs), "runs");
		ASSERT_EQ(runs, 34, "1 + MAX_TAIL_CALL_CNT runs");
		ASSERT_EQ(r, 77, "then on after the call");
	}
	for (int s = 0; s < 2; s++) {
		ASSERT_OK(bpfhost_map_delete_elem(pa[s], &zero), "break the cycle");
		bpfhost_close(fd[s]);
		bpfhost_close(pa[s]);
		bpfhost_close(cnt[s]);
	}
}

static void t_tail_call_fused_budget(void)
{
	self_case(false);
	self_case(true);
}

/*
 * A program whose first instruction is the fused self tail call: at every
 * budget the same outcome as unfused, r0 = 77 after the 33rd hop, and
 * another program in the slot is entered as before.
 */
static void self_first_case(bool mov_first)
{
	const struct bpf_insn tail[] = { CALL(BPF_FUNC_tail_call), MOV64_IMM(0, 77), EXIT() };
	const struct bpf_insn other[] = { MOV64_IMM(0, 9), EXIT() };
	int pa[2], fd[2], target = load("other", other, 2, true);
	uint32_t zero = 0;

	for (int s = 0; s < 2; s++) {
		struct bpf_insn p[6];

		pa[s] = test_map(BPF_MAP_TYPE_PROG_ARRAY, "self_first", 4, 4, 1, 0);
		if (mov_first) {
			const struct bpf_insn head[] = { MOV64_IMM(3, 0), LD_MAP_FD(2, pa[s]) };

			memcpy(p, head, sizeof(head));
		} else {
			const struct bpf_insn head[] = { LD_MAP_FD(2, pa[s]), MOV64_IMM(3, 0) };

			memcpy(p, head, sizeof(head));
		}
		memcpy(p + 3, tail, sizeof(tail));
		fd[s] = load("self_first", p, 6, s == 0);
		ASSERT_OK(bpfhost_map_update_elem(pa[s], &zero, &fd[s], 0), "the program in its own slot");
	}
	ASSERT_EQ(count_op(fd[0], BH_OP_TAIL_CALL_K), 1, "fused at instruction 0");
	for (uint32_t budget = 1; budget < 34u * 4u + 8u; budget++) {
		uint64_t r[2] = { 0, 0 };
		int err[2];

		for (int s = 0; s < 2; s++)
			err[s] = test_prog_run(fd[s], budget, 0, &r[s]);
		ASSERT_EQ(err[0], err[1], "the same outcome at every budget");
		if (!err[0])
			ASSERT_EQ(r[0], r[1], "the same r0");
	}
	for (int s = 0; s < 2; s++) {
		uint64_t r = 0;

		ASSERT_OK(test_prog_run(fd[s], 0, 0, &r), "run with the default budget");
		ASSERT_EQ(r, 77, "on after the call at the limit");
		ASSERT_OK(bpfhost_map_update_elem(pa[s], &zero, &target, 0), "another program in the slot");
		ASSERT_OK(test_prog_run(fd[s], 0, 0, &r), "run into the other program");
		ASSERT_EQ(r, 9, "the other program's r0");
		ASSERT_OK(bpfhost_map_delete_elem(pa[s], &zero), "empty the slot");
		ASSERT_OK(test_prog_run(fd[s], 0, 0, &r), "run with the slot empty");
		ASSERT_EQ(r, 77, "on after the call");
		bpfhost_close(fd[s]);
		bpfhost_close(pa[s]);
	}
	bpfhost_close(target);
}

static void t_tail_call_fused_self_first(void)
{
	self_first_case(false);
	self_first_case(true);
}

/*
 * One call site reached with map A or map B (the control's selector): the
 * verifier records two maps there, so it stays a helper call and each
 * path reads its own map. With A on both paths it is rewritten.
 */
static int two_maps_prog(int a, int b, bool specialise)
{
	const struct bpf_insn p[] = {
		LD_MAP_VALUE(6, ctl, 0), LDX_MEM(BPF_DW, 1, 6, 0), STX_MEM(BPF_DW, 10, 1, -8),
		LDX_MEM(BPF_DW, 7, 6, 8), LD_MAP_FD(1, a), JMP_IMM(BPF_JEQ, 7, 0, 2), LD_MAP_FD(1, b),
		MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8), CALL(LOOKUP),
		JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, -1), EXIT(), LDX_MEM(BPF_DW, 0, 0, 0), EXIT(),
	};

	return load("two_maps", p, sizeof(p) / sizeof(p[0]), specialise);
}

/*
 * bpf_map_update_elem / _delete_elem in the one map the verifier proved
 * (BH_OP_INNER_MAP with the map known): the key at fp-8 is the control key
 * (its low bytes), the value at fp-16 key * 3 + 1 (or, @value_in_map, the
 * control value itself: the helper path), the flags the selector; r0 the
 * call's result.
 */
static int update_prog(int map, bool delete, bool value_in_map, bool specialise)
{
	const struct bpf_insn p[] = {
		LD_MAP_VALUE(6, ctl, 0), LDX_MEM(BPF_DW, 1, 6, 0), STX_MEM(BPF_DW, 10, 1, -8),
		ALU64_IMM(BPF_MUL, 1, 3), ALU64_IMM(BPF_ADD, 1, 1), STX_MEM(BPF_DW, 10, 1, -16),
		LDX_MEM(BPF_DW, 4, 6, 8), LD_MAP_FD(1, map), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8),
		MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -16), value_in_map ? MOV64_REG(3, 6) : MOV64_REG(3, 3),
		CALL(delete ? BPF_FUNC_map_delete_elem : BPF_FUNC_map_update_elem), EXIT(),
	};

	return load(delete ? "delete" : "update", p, sizeof(p) / sizeof(p[0]), specialise);
}

static void known_map_case(uint32_t type, uint32_t key_size, uint32_t flags)
{
	static const uint64_t sel[] = { BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK, 8 };
	int ncpu = plat_num_possible_cpus();
	size_t len = 8 * (size_t)ncpu;
	uint64_t k[200], *va = calloc(1, len), *vb = calloc(1, len);
	size_t n = keys(k, 200);
	int a = test_map(type, "a", key_size, 8, 32, flags), b = test_map(type, "b", key_size, 8, 32, flags);

	for (int variant = 0; variant < 3; variant++) {
		bool del = variant == 2, in_map = variant == 1;
		int spec = update_prog(a, del, in_map, true), plain = update_prog(b, del, in_map, false);

		ASSERT_EQ(count_op(spec, BH_OP_INNER_MAP), 1, "the call runs the map's op directly");
		ASSERT_EQ(count_op(plain, BH_OP_INNER_MAP), 0, "not when specialisation is off");
		for (size_t i = 0; i < n; i++)
			for (size_t s = 0; s < sizeof(sel) / sizeof(sel[0]); s++)
				run_same(spec, plain, k[i], sel[s], del ? "delete" : "update");
		bpfhost_close(spec);
		bpfhost_close(plain);
	}
	/* The same contents: every key the runs used, found in both or in neither. */
	for (size_t i = 0; i < n; i++) {
		int ea, eb;

		memset(va, 0, len);
		memset(vb, 0, len);
		ea = bpfhost_map_lookup_elem(a, &k[i], va);
		eb = bpfhost_map_lookup_elem(b, &k[i], vb);
		ASSERT_EQ(ea, eb, "found in both or neither");
		ASSERT_TRUE(!memcmp(va, vb, len), "the same value");
	}
	free(va);
	free(vb);
	bpfhost_close(a);
	bpfhost_close(b);
}

static void t_known_map_update_delete(void)
{
	known_map_case(BPF_MAP_TYPE_ARRAY, 4, 0);
	known_map_case(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 0);
	known_map_case(BPF_MAP_TYPE_HASH, 4, 0);
	known_map_case(BPF_MAP_TYPE_HASH, 8, BPF_F_NO_PREALLOC);
	known_map_case(BPF_MAP_TYPE_PERCPU_HASH, 4, 0);
	known_map_case(BPF_MAP_TYPE_LRU_HASH, 4, 0);
	known_map_case(BPF_MAP_TYPE_LPM_TRIE, 8, BPF_F_NO_PREALLOC);	/* prefix lengths 0..2^32-1 */
}

/*
 * bpf_ringbuf_output to the one ring the verifier proved: a record of
 * (selector & 63) bytes at fp-64; @src 1: the control value by its direct
 * address (the helper path), 2: the control value a lookup handed out (the
 * direct call); flags the control key & 3; r0 the result.
 */
static int output_prog(int ring, int src, bool specialise)
{
	const struct bpf_insn p[] = {
		LD_MAP_VALUE(6, ctl, 0), LDX_MEM(BPF_DW, 7, 6, 0), LDX_MEM(BPF_DW, 3, 6, 8),
		ALU64_IMM(BPF_AND, 3, 63), MOV64_REG(4, 7), ALU64_IMM(BPF_AND, 4, 3),
		STX_MEM(BPF_DW, 10, 7, -64), STX_MEM(BPF_DW, 10, 7, -56), STX_MEM(BPF_DW, 10, 3, -48),
		STX_MEM(BPF_DW, 10, 4, -40), STX_MEM(BPF_DW, 10, 7, -32), STX_MEM(BPF_DW, 10, 7, -24),
		STX_MEM(BPF_DW, 10, 3, -16), STX_MEM(BPF_DW, 10, 4, -8),
		/* r8 = the control value from a lookup of key 0 (stored at fp-72) */
		ST_MEM(BPF_W, 10, -72, 0), LD_MAP_FD(1, ctl), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -72),
		CALL(LOOKUP), JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, 0), EXIT(), MOV64_REG(8, 0),
		LDX_MEM(BPF_DW, 3, 6, 8), ALU64_IMM(BPF_AND, 3, 63), MOV64_REG(4, 7), ALU64_IMM(BPF_AND, 4, 3),
		LD_MAP_FD(1, ring), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -64),
		src == 1 ? MOV64_REG(2, 6) : src == 2 ? MOV64_REG(2, 8) : MOV64_REG(2, 2),
		src ? ALU64_IMM(BPF_AND, 3, 15) : MOV64_REG(3, 3),
		CALL(BPF_FUNC_ringbuf_output), EXIT(),
	};

	return load("output", p, sizeof(p) / sizeof(p[0]), specialise);
}

static void t_known_ring_output(void)
{
	uint64_t k[120];
	size_t n = keys(k, 120);

	for (int src = 0; src < 3; src++) {
		/* 4 KiB rings: the runs fill them, so full rings (-EAGAIN) are compared too. */
		int a = test_map(BPF_MAP_TYPE_RINGBUF, "ra", 0, 0, 4096, 0);
		int b = test_map(BPF_MAP_TYPE_RINGBUF, "rb", 0, 0, 4096, 0);
		int spec = output_prog(a, src, true), plain = output_prog(b, src, false);
		void *ma, *mb;
		uint64_t sa, sb, da, db;

		ASSERT_EQ(count_op(spec, BH_OP_INNER_MAP), 1, "the output calls the ring's own directly");
		ASSERT_EQ(count_op(plain, BH_OP_INNER_MAP), 0, "not when specialisation is off");
		for (size_t i = 0; i < n; i++)
			for (uint64_t sel = 0; sel < 64; sel += 9)
				run_same(spec, plain, k[i], sel, "ringbuf output");
		ASSERT_OK(bpfhost_map_mmap(a, &ma, &sa, &da), "map ring a");
		ASSERT_OK(bpfhost_map_mmap(b, &mb, &sb, &db), "map ring b");
		ASSERT_TRUE(sa == sb && da == db && !memcmp(ma, mb, sa), "the same positions and records");
		bpfhost_close(spec);
		bpfhost_close(plain);
		bpfhost_close(a);
		bpfhost_close(b);
	}
}

static void t_two_maps_not_specialised(void)
{
	int a = twin_array(BPF_MAP_TYPE_ARRAY), b = test_map(BPF_MAP_TYPE_ARRAY, "b", 4, 8, ARR_N, 0);
	int both = two_maps_prog(a, b, true), same = two_maps_prog(a, a, true);
	uint64_t r = 0;

	for (uint32_t i = 0; i < ARR_N; i++) {
		uint64_t v = 900 + i;

		ASSERT_OK(bpfhost_map_update_elem(b, &i, &v, 0), "fill b");
	}
	/* No one map: the inner lookup op, which finds no inner map in r1 and takes the helper path. */
	ASSERT_EQ(prog_of(both)->fast_cnt, 1, "two maps at the call site: not specialised to one");
	ASSERT_EQ(count_op(both, BH_OP_INNER_MAP), 1, "checked at run time");
	ASSERT_EQ(count_op(same, BH_OP_ARRAY_LOOKUP), 1, "the same map on both paths: specialised");
	for (uint64_t key = 0; key < ARR_N + 2; key++) {
		uint64_t want = key < ARR_N ? key * 1000 + 7 : 0xffffffff;

		set_ctl(key, 0);
		ASSERT_OK(test_prog_run(both, 0, 0, &r), "run with map a");
		ASSERT_EQ(r, want, "map a's value");
		set_ctl(key, 1);
		ASSERT_OK(test_prog_run(both, 0, 0, &r), "run with map b");
		ASSERT_EQ(r, key < ARR_N ? 900 + key : 0xffffffff, "map b's value");
		ASSERT_OK(test_prog_run(same, 0, 0, &r), "run the one-map program");
		ASSERT_EQ(r, want, "map a's value either way");
	}
	bpfhost_close(both);
	bpfhost_close(same);
	bpfhost_close(a);
	bpfhost_close(b);
}

/* The argument-less helpers: called directly; the CPU id is the pinned CPU, the clock moves forward. */
static void t_noargs_helpers(void)
{
	const struct bpf_insn p[] = {
		CALL(BPF_FUNC_get_smp_processor_id), MOV64_REG(6, 0), CALL(BPF_FUNC_ktime_get_ns), MOV64_REG(7, 0),
		CALL(BPF_FUNC_get_prandom_u32), CALL(BPF_FUNC_ktime_get_ns), JMP_REG(BPF_JGE, 0, 7, 2),
		MOV64_IMM(0, -1), EXIT(), MOV64_REG(0, 6), EXIT(),
	};
	int spec = load("noargs", p, sizeof(p) / sizeof(p[0]), true);
	int plain = load("noargs", p, sizeof(p) / sizeof(p[0]), false);
	uint64_t r = 0;

	ASSERT_EQ(count_op(spec, BH_OP_CALL_NOARGS), 4, "four direct calls");
	ASSERT_EQ(count_op(plain, BH_OP_CALL_NOARGS), 0, "none when specialisation is off");
	ASSERT_OK(test_prog_run(spec, 0, 0, &r), "run");
	ASSERT_EQ(r, (uint64_t)sched_getcpu(), "the CPU id");
	ASSERT_OK(test_prog_run(plain, 0, 0, &r), "run the helper path");
	ASSERT_EQ(r, (uint64_t)sched_getcpu(), "the same CPU id");
	bpfhost_close(spec);
	bpfhost_close(plain);
}

/* Unverified programs have no verifier facts; callers cannot write the internal opcodes. */
static void t_unverified_and_internal_opcodes(void)
{
	int a = twin_array(BPF_MAP_TYPE_ARRAY);
	const struct bpf_insn p[] = {
		ST_MEM(BPF_W, 10, -8, 2), LD_MAP_FD(1, a), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -8),
		CALL(LOOKUP), JMP_IMM(BPF_JNE, 0, 0, 2), MOV64_IMM(0, -1), EXIT(), LDX_MEM(BPF_DW, 0, 0, 0), EXIT(),
	};
	static const uint8_t internal[] = { BH_OP_ARRAY_LOOKUP, BH_OP_PCPU_LOOKUP, BH_OP_AOM_LOOKUP,
					     BH_OP_MAP_LOOKUP, BH_OP_TAIL_CALL, BH_OP_CALL_NOARGS,
					     BH_OP_TAIL_CALL_K, BH_OP_INNER_MAP };
	int fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "unverified", p, sizeof(p) / sizeof(p[0]),
				      BPFHOST_F_TEST_UNVERIFIED);
	uint64_t r = 0;

	ASSERT_GE(fd, 0, "load unverified");
	ASSERT_EQ(prog_of(fd)->fast_cnt, 0, "unverified: not specialised");
	ASSERT_OK(test_prog_run(fd, 0, 0, &r), "run");
	ASSERT_EQ(r, 2007, "index 2's value by the helper");
	bpfhost_close(fd);
	for (size_t i = 0; i < sizeof(internal); i++) {
		struct bpf_insn q[] = { MOV64_IMM(0, 0), INSN(internal[i], 0, 0, 0, 0), EXIT() };

		ASSERT_EQ(test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "internal", q, 3, 0), -EINVAL,
			  "an internal opcode from a caller is refused");
		ASSERT_EQ(test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, "internal", q, 3,
					       BPFHOST_F_TEST_UNVERIFIED), -EINVAL, "unverified too");
	}
	bpfhost_close(a);
}

/* The environment switch, read at the first load (so this case runs first). */
static void t_env_switch(void)
{
	const struct bpf_insn p[] = { CALL(BPF_FUNC_get_smp_processor_id), EXIT() };
	int fd;

	setenv("BPFHOST_NO_SPECIALISE", "1", 1);
	ASSERT_TRUE(!bh_specialise_enabled(), "BPFHOST_NO_SPECIALISE=1 turns it off");
	fd = test_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "env", p, 2);
	ASSERT_GE(fd, 0, "load");
	ASSERT_EQ(prog_of(fd)->fast_cnt, 0, "not specialised");
	bpfhost_close(fd);
	unsetenv("BPFHOST_NO_SPECIALISE");
	bh_specialise_set_enabled(true);
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_env_switch), TEST(t_array), TEST(t_percpu_array), TEST(t_hash),
		TEST(t_array_of_maps), TEST(t_hash_of_maps), TEST(t_inner_map_calls), TEST(t_tail_call), TEST(t_tail_call_limit),
		TEST(t_tail_call_fused), TEST(t_tail_call_fused_budget), TEST(t_tail_call_fused_self_first),
		TEST(t_known_map_update_delete), TEST(t_known_ring_output), TEST(t_two_maps_not_specialised), TEST(t_noargs_helpers), TEST(t_unverified_and_internal_opcodes),
	};
	cpu_set_t allowed, one;
	int rc, cpu = 0;

	/*
	 * Per-CPU slots and the CPU id: both engines must run on the same CPU,
	 * the highest allowed one (not 0, where a slot offset of 0 would hide).
	 */
	ASSERT_OK(sched_getaffinity(0, sizeof(allowed), &allowed), "affinity");
	for (int c = 0; c < CPU_SETSIZE && c < plat_num_possible_cpus(); c++)
		if (CPU_ISSET(c, &allowed))
			cpu = c;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	ASSERT_OK(sched_setaffinity(0, sizeof(one), &one), "pin to one CPU");
	ctl = test_map(BPF_MAP_TYPE_ARRAY, "ctl", 4, 16, 1, 0);
	rc = test_run("specialise", cases, sizeof(cases) / sizeof(cases[0]));
	bpfhost_close(ctl);
	return rc;
}
