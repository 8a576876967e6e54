// SPDX-License-Identifier: MIT
/*
 * Keys and values at odd addresses. A program may pass a key at any stack
 * offset, and user space any buffer: every map reads the u32s in them
 * (array indexes, LPM prefix lengths, handles) and writes the u32s it
 * returns (ids, next keys, batch tokens) through memcpy-sized accesses.
 * The ASan+UBSan build runs this with halt_on_error: a load through a
 * misaligned uint32_t pointer ends the test there.
 *
 * Programs: update then lookup with keys at odd stack offsets on ARRAY,
 * PERCPU_ARRAY, HASH (4- and 8-byte keys: the fixed-size compare),
 * PERCPU_HASH, LRU_HASH, LPM_TRIE, custom array and custom hash maps;
 * lookup on ARRAY_OF_MAPS and HASH_OF_MAPS. User space: every element call
 * and the batches with odd key, value, next-key and token buffers, on the
 * same maps and PROG_ARRAY.
 */
#include "provider_fixture.h"
#include "insn_build.h"

#include "bpfhost/uapi.h"

#define MAXI 96
#define KEY_OFF (-41)	/* odd: fp is 16-byte aligned */
#define KEY2_OFF (-61)	/* a second copy of the key, odd too */
#define VAL_OFF (-23)
#define MISSING 0xbad

static uint8_t pkt[64];
static int ncpus;

struct prog {
	struct bpf_insn insn[MAXI];
	uint32_t n;
};

static void emit(struct prog *p, struct bpf_insn insn)
{
	ASSERT_TRUE(p->n < MAXI, "program fits");
	if (p->n < MAXI)
		p->insn[p->n++] = insn;
}

static void emit_map(struct prog *p, int reg, int map)
{
	struct bpf_insn ld[] = { LD_MAP(reg, map) };

	emit(p, ld[0]);
	emit(p, ld[1]);
}

/* Byte stores of @key at fp + @off (the interpreter's stores are unaligned-safe). */
static void emit_key(struct prog *p, int off, const uint8_t *key, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++)
		emit(p, ST(BPF_B, 10, off + (int)i, key[i]));
}

static uint32_t run(struct prog *p, const char *name)
{
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));
	/* Linux's verifier refuses misaligned stack stores; the maps' unaligned reads are tested here. */
	int fd = test_prog_load_flags(BPF_PROG_TYPE_SOCKET_FILTER, name, p->insn, p->n,
				      BPFHOST_F_TEST_UNVERIFIED);

	ASSERT_GE(fd, 0, name);
	if (fd < 0) {
		fprintf(stderr, "  %s: %s\n", name, bpfhost_last_error());
		return 0;
	}
	ASSERT_OK(bpfhost_prog_test_run_opts(fd, &o), name);
	bpfhost_close(fd);
	return o.retval;
}

/*
 * update(map, fp+KEY_OFF, fp+VAL_OFF = @v) and, if it returned 0,
 * lookup(map, fp+KEY2_OFF): the u32 at the value, or MISSING. Or, if
 * @update is false, only the lookup, returning 1 if it found something.
 */
static uint32_t prog_update_lookup(int map, const uint8_t *key, uint32_t ks, int32_t v, bool update)
{
	struct prog p = { .n = 0 };

	emit_key(&p, KEY_OFF, key, ks);
	emit_key(&p, KEY2_OFF, key, ks);
	if (update) {
		emit(&p, ST(BPF_DW, 10, VAL_OFF, v));
		emit_map(&p, 1, map);
		emit(&p, MOV64_REG(2, 10));
		emit(&p, ALU64_IMM(BPF_ADD, 2, KEY_OFF));
		emit(&p, MOV64_REG(3, 10));
		emit(&p, ALU64_IMM(BPF_ADD, 3, VAL_OFF));
		emit(&p, MOV64_IMM(4, 0));
		emit(&p, CALL(BPF_FUNC_map_update_elem));
		emit(&p, JMP_IMM(BPF_JEQ, 0, 0, 1));
		emit(&p, EXIT());
	}
	emit_map(&p, 1, map);
	emit(&p, MOV64_REG(2, 10));
	emit(&p, ALU64_IMM(BPF_ADD, 2, KEY2_OFF));
	emit(&p, CALL(BPF_FUNC_map_lookup_elem));
	emit(&p, JMP_IMM(BPF_JNE, 0, 0, 2));
	emit(&p, MOV64_IMM(0, MISSING));
	emit(&p, EXIT());
	if (update)
		emit(&p, LDX(BPF_W, 0, 0, 0));
	else
		emit(&p, MOV64_IMM(0, 1));
	emit(&p, EXIT());
	return run(&p, "unaligned");
}

static const uint8_t key4[4] = { 2, 0, 0, 0 };				/* index 2 */
static const uint8_t key8[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t lpm_key[8] = { 24, 0, 0, 0, 10, 1, 2, 0 };	/* 10.1.2.0/24 */

static void t_programs(void)
{
	struct { uint32_t type; const char *name; uint32_t ks; const uint8_t *key; uint32_t flags; } maps[] = {
		{ BPF_MAP_TYPE_ARRAY, "array", 4, key4, 0 },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, "pcpu_array", 4, key4, 0 },
		{ BPF_MAP_TYPE_HASH, "hash4", 4, key4, 0 },
		{ BPF_MAP_TYPE_HASH, "hash8", 8, key8, 0 },
		{ BPF_MAP_TYPE_PERCPU_HASH, "pcpu_hash", 8, key8, 0 },
		{ BPF_MAP_TYPE_LRU_HASH, "lru", 4, key4, 0 },
		{ BPF_MAP_TYPE_LPM_TRIE, "lpm", 8, lpm_key, BPF_F_NO_PREALLOC },
	};

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		int m = test_map(maps[i].type, maps[i].name, maps[i].ks, 8, 4, maps[i].flags);

		ASSERT_EQ(prog_update_lookup(m, maps[i].key, maps[i].ks, 4242, true), 4242, maps[i].name);
		bpfhost_close(m);
	}
}

static void t_programs_custom_maps(void)
{
	uint32_t bases[] = { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH };

	for (size_t b = 0; b < 2; b++) {
		int mod, m;

		tp_config_one(TP_TYPE, bases[b], 0, TP_ALL_POST);
		mod = tp_load();
		ASSERT_GE(mod, 0, "load provider");
		m = bpfhost_map_create(TP_TYPE, "cm", 4, 8, 4, NULL);
		ASSERT_GE(m, 0, "custom map");
		ASSERT_EQ(prog_update_lookup(m, key4, 4, 99, true), 99, bases[b] == BPF_MAP_TYPE_ARRAY ?
			  "custom array" : "custom hash");
		bpfhost_close(m);
		ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	}
}

static void t_programs_map_in_map(void)
{
	int inner = test_map(BPF_MAP_TYPE_ARRAY, "inner", 4, 8, 4, 0);
	BPFHOST_OPTS(bpfhost_map_create_opts, o, .inner_map_fd = (uint32_t)inner);
	int aom = bpfhost_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "aom", 4, 4, 4, &o);
	int hom = bpfhost_map_create(BPF_MAP_TYPE_HASH_OF_MAPS, "hom", 4, 4, 4, &o);
	uint32_t k = 2;

	ASSERT_GE(aom, 0, "array of maps");
	ASSERT_GE(hom, 0, "hash of maps");
	ASSERT_OK(bpfhost_map_update_elem(aom, &k, &inner, 0), "aom slot 2");
	ASSERT_OK(bpfhost_map_update_elem(hom, &k, &inner, 0), "hom key 2");
	ASSERT_EQ(prog_update_lookup(aom, key4, 4, 0, false), 1, "array of maps lookup");
	ASSERT_EQ(prog_update_lookup(hom, key4, 4, 0, false), 1, "hash of maps lookup");
	bpfhost_close(hom);
	bpfhost_close(aom);
	bpfhost_close(inner);
}

/* Buffers one byte past an aligned start, so every u32 in them is misaligned. */
struct odd {
	uint64_t align;
	uint8_t pad;
	uint8_t b[512];
} __attribute__((packed));

/*
 * The element calls through odd buffers: a key @key (@ks bytes, the map's
 * last), values of @vs bytes. Arrays (no delete) start at index 0, the
 * others at @key, their one element.
 */
static void user_calls(int m, const char *name, const uint8_t *key, uint32_t ks, uint32_t vs,
		       bool has_delete)
{
	static const uint8_t zero[8];
	static struct odd k, v, out, next;
	uint8_t want[512];

	memcpy(k.b, key, ks);
	for (uint32_t i = 0; i < vs; i++)
		v.b[i] = want[i] = (uint8_t)(i * 7 + 1);
	ASSERT_OK(bpfhost_map_update_elem(m, k.b, v.b, 0), name);
	memset(out.b, 0, vs);
	ASSERT_OK(bpfhost_map_lookup_elem(m, k.b, out.b), name);
	ASSERT_EQ(memcmp(out.b, want, vs), 0, name);
	ASSERT_OK(bpfhost_map_get_next_key(m, NULL, next.b), name);
	ASSERT_EQ(memcmp(next.b, has_delete ? key : zero, ks), 0, name);
	ASSERT_EQ(bpfhost_map_get_next_key(m, k.b, next.b), -ENOENT, name);
	if (has_delete)
		ASSERT_OK(bpfhost_map_delete_elem(m, k.b), name);
}

/* Lookup and update batches with an odd token, keys and values. */
static void user_batches(int m, const char *name, const uint8_t *key, uint32_t ks, uint32_t vs)
{
	static struct odd keys, vals, in, out;
	BPFHOST_OPTS(bpfhost_map_batch_opts, bo);
	uint32_t count = 1;
	int err;

	memcpy(keys.b, key, ks);
	memset(vals.b, 0x5a, vs);
	ASSERT_OK(bpfhost_map_update_batch(m, keys.b, vals.b, &count, &bo), name);
	ASSERT_EQ(count, 1, name);
	/* One element, then the rest from the token the first batch wrote. */
	count = 1;
	err = bpfhost_map_lookup_batch(m, NULL, out.b, keys.b, vals.b, &count, &bo);
	ASSERT_TRUE(err == 0 || err == -ENOENT, name);
	ASSERT_EQ(count, 1, name);
	memcpy(in.b, out.b, 8);
	count = 8;
	err = bpfhost_map_lookup_batch(m, in.b, out.b, keys.b, vals.b, &count, &bo);
	ASSERT_TRUE(err == 0 || err == -ENOENT, name);
}

static void t_user_space(void)
{
	uint32_t pcpu_vs = 8 * (uint32_t)ncpus;
	int arr = test_map(BPF_MAP_TYPE_ARRAY, "array", 4, 8, 4, 0);
	int parr = test_map(BPF_MAP_TYPE_PERCPU_ARRAY, "pcpu_array", 4, 8, 4, 0);
	int h4 = test_map(BPF_MAP_TYPE_HASH, "hash4", 4, 8, 4, 0);
	int h8 = test_map(BPF_MAP_TYPE_HASH, "hash8", 8, 8, 4, 0);
	int lpm = test_map(BPF_MAP_TYPE_LPM_TRIE, "lpm", 8, 8, 4, BPF_F_NO_PREALLOC);
	static const uint8_t last[4] = { 3, 0, 0, 0 };	/* the last index: next key is -ENOENT */

	user_calls(arr, "array", last, 4, 8, false);
	user_batches(arr, "array batch", last, 4, 8);
	user_calls(parr, "percpu array", last, 4, pcpu_vs, false);
	user_batches(parr, "percpu array batch", last, 4, pcpu_vs);
	user_calls(h4, "hash4", key4, 4, 8, true);
	user_batches(h4, "hash4 batch", key4, 4, 8);
	user_calls(h8, "hash8", key8, 8, 8, true);
	user_calls(lpm, "lpm", lpm_key, 8, 8, true);
	user_batches(lpm, "lpm batch", lpm_key, 8, 8);
	bpfhost_close(lpm);
	bpfhost_close(h8);
	bpfhost_close(h4);
	bpfhost_close(parr);
	bpfhost_close(arr);
}

/* Maps whose values are handles in and ids out. */
static void t_user_space_handles(void)
{
	static struct odd k, v, out, next, tok;
	const struct bpf_insn ret0[] = { MOV64_IMM(0, 0), EXIT() };
	int inner = test_map(BPF_MAP_TYPE_ARRAY, "inner", 4, 8, 4, 0);
	BPFHOST_OPTS(bpfhost_map_create_opts, o, .inner_map_fd = (uint32_t)inner);
	BPFHOST_OPTS(bpfhost_map_batch_opts, bo);
	int aom = bpfhost_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "aom", 4, 4, 4, &o);
	int hom = bpfhost_map_create(BPF_MAP_TYPE_HASH_OF_MAPS, "hom", 4, 4, 4, &o);
	int pa = test_map(BPF_MAP_TYPE_PROG_ARRAY, "pa", 4, 4, 4, 0);
	int prog = bpfhost_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", ret0, 2, NULL);
	struct bpf_map_info mi = { 0 };
	struct bpf_prog_info pi = { 0 };
	uint32_t len = sizeof(mi), count = 4, id;
	int maps[] = { aom, hom, pa };

	ASSERT_GE(prog, 0, "program");
	ASSERT_OK(bpfhost_map_get_info_by_fd(inner, &mi, &len), "inner id");
	len = sizeof(pi);
	ASSERT_OK(bpfhost_obj_get_info_by_fd(prog, &pi, &len), "program id");
	memcpy(k.b, key4, 4);
	for (int i = 0; i < 3; i++) {
		int fd = maps[i] == pa ? prog : inner;

		memcpy(v.b, &fd, 4);
		ASSERT_OK(bpfhost_map_update_elem(maps[i], k.b, v.b, 0), "update with a handle");
		ASSERT_OK(bpfhost_map_lookup_elem(maps[i], k.b, out.b), "lookup gives the id");
		memcpy(&id, out.b, 4);
		ASSERT_EQ(id, maps[i] == pa ? pi.id : mi.id, "the id");
		ASSERT_OK(bpfhost_map_get_next_key(maps[i], NULL, next.b), "first key");
		if (maps[i] != hom)
			ASSERT_EQ(next.b[0], 0, "index 0");
	}
	ASSERT_GE(bpfhost_map_lookup_batch(hom, NULL, tok.b, k.b, out.b, &count, &bo), -ENOENT, "hom batch");
	ASSERT_EQ(count, 1, "one element");
	count = 4;
	ASSERT_GE(bpfhost_map_lookup_and_delete_batch(hom, NULL, tok.b, k.b, out.b, &count, &bo), -ENOENT,
		  "hom lookup and delete batch");
	for (int i = 0; i < 3; i++) {
		memcpy(k.b, key4, 4);
		if (maps[i] != hom)
			ASSERT_OK(bpfhost_map_delete_elem(maps[i], k.b), "delete");
		bpfhost_close(maps[i]);
	}
	bpfhost_close(prog);
	bpfhost_close(inner);
}

static void t_user_space_custom_maps(void)
{
	uint32_t bases[] = { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH };
	static const uint8_t last[4] = { 3, 0, 0, 0 };

	for (size_t b = 0; b < 2; b++) {
		bool array = bases[b] == BPF_MAP_TYPE_ARRAY;
		int mod, m;

		tp_config_one(TP_TYPE, bases[b], 0, TP_ALL_POST);
		mod = tp_load();
		ASSERT_GE(mod, 0, "load provider");
		m = bpfhost_map_create(TP_TYPE, "cm", 4, 8, 4, NULL);
		ASSERT_GE(m, 0, "custom map");
		user_calls(m, array ? "custom array" : "custom hash", array ? last : key4, 4, 8, !array);
		user_batches(m, array ? "custom array batch" : "custom hash batch", array ? last : key4, 4, 8);
		bpfhost_close(m);
		ASSERT_OK(bpfhost_extension_unload(mod, 0), "unload");
	}
}

int main(void)
{
	static const struct test_case cases[] = {
		TEST(t_programs),
		TEST(t_programs_custom_maps),
		TEST(t_programs_map_in_map),
		TEST(t_user_space),
		TEST(t_user_space_handles),
		TEST(t_user_space_custom_maps),
	};

	ncpus = bpfhost_num_possible_cpus();
	return test_run("map_unaligned_key", cases, sizeof(cases) / sizeof(cases[0]));
}
