// SPDX-License-Identifier: MIT
/*
 * Stress: writer threads replace and delete the entries of a shared DEVMAP,
 * DEVMAP_HASH and CPUMAP (some entries holding an XDP program of their own)
 * while reader threads test-run an XDP program that calls bpf_redirect_map
 * and bpf_map_lookup_elem on them, and walk their keys from user space. A
 * reader may see an entry or not, but a value it reads is always whole (the
 * ifindex is the key's, times 1,000, plus a generation below 1,000), and
 * at the end each map holds what the last operations left. Run under ASan
 * and TSan.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "test.h"
#include "insn_build.h"
#include "prog_run.h"

#include "bpfhost/bpf.h"
#include "bpfhost/uapi.h"

#define KEYS 8
#define ITERS 20000
#define READERS 2

static int devmap, devhash, cpumap, entry_prog, reader_prog;
static atomic_bool stop;
static atomic_long runs, torn;

static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void *writer(void *arg)
{
	uint32_t seed = (uint32_t)(uintptr_t)arg * 2654435761u | 1;

	for (int i = 0; i < ITERS; i++) {
		uint32_t key = next_rand(&seed) % KEYS, gen = next_rand(&seed) % 1000;
		uint32_t val[2] = { key * 1000 + gen + 1, next_rand(&seed) & 1 ? (uint32_t)entry_prog : 0 };
		uint32_t cpu[2] = { 64 + gen, 0 };

		if (next_rand(&seed) % 4) {
			bpfhost_map_update_elem(devmap, &key, val, 0);
			bpfhost_map_update_elem(devhash, &key, val, 0);
			bpfhost_map_update_elem(cpumap, &(uint32_t){ key % 2 }, cpu, 0);
		} else {
			bpfhost_map_delete_elem(devmap, &key);
			bpfhost_map_delete_elem(devhash, &key);
			bpfhost_map_delete_elem(cpumap, &(uint32_t){ key % 2 });
		}
	}
	return NULL;
}

static void *reader(void *arg)
{
	uint8_t frame[64] = { 0 };
	uint32_t seed = (uint32_t)(uintptr_t)arg | 1;

	while (!atomic_load(&stop)) {
		BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame));
		uint32_t key = next_rand(&seed) % KEYS, next, v[2];

		frame[0] = (uint8_t)key;
		if (bpfhost_prog_test_run_opts(reader_prog, &o) == 0) {
			/* r0: the ifindex the program read (0: none); it must be this key's. */
			if (o.retval && (o.retval - 1) / 1000 != key)
				atomic_fetch_add(&torn, 1);
			atomic_fetch_add(&runs, 1);
		}
		if (bpfhost_map_lookup_elem(devhash, &key, v) == 0 && (v[0] - 1) / 1000 != key)
			atomic_fetch_add(&torn, 1);
		for (int more = bpfhost_map_get_next_key(devhash, NULL, &next) == 0; more;
		     more = bpfhost_map_get_next_key(devhash, &next, &next) == 0)
			;
	}
	return NULL;
}

static void t_concurrent(void)
{
	const struct bpf_insn ret2[] = { MOV64_IMM(0, XDP_PASS), EXIT() };
	BPFHOST_OPTS(bpfhost_prog_load_opts, entry_opts, .expected_attach_type = BPF_XDP_DEVMAP);
	pthread_t w[2], r[READERS];
	uint32_t live = 0, key, v[2];

	devmap = bpfhost_map_create(BPF_MAP_TYPE_DEVMAP, "dm", 4, 8, KEYS, NULL);
	devhash = bpfhost_map_create(BPF_MAP_TYPE_DEVMAP_HASH, "dh", 4, 8, KEYS, NULL);
	cpumap = bpfhost_map_create(BPF_MAP_TYPE_CPUMAP, "cm", 4, 8, 2, NULL);
	entry_prog = bpfhost_prog_load(BPF_PROG_TYPE_XDP, "entry", "GPL", ret2, 2, &entry_opts);
	ASSERT_TRUE(devmap >= 0 && devhash >= 0 && cpumap >= 0 && entry_prog >= 0, "setup");
	/*
	 * key = frame[0]; redirect through each map (the verdict unused); then
	 * r0 = the DEVMAP_HASH entry's ifindex, read through the pointer the
	 * lookup returned, or 0.
	 */
	reader_prog = LOAD_TYPE(BPF_PROG_TYPE_XDP, "reader", MOV64_IMM(0, 0), MOV64_REG(6, 1), LDX(BPF_W, 2, 6, 0),
				LDX(BPF_W, 3, 6, 4), MOV64_REG(4, 2), ALU64_IMM(BPF_ADD, 4, 1),
				JMP_REG(BPF_JGT, 4, 3, 19), LDX(BPF_B, 7, 2, 0), STX(BPF_W, 10, 7, -4),
				LD_MAP(1, devmap), MOV64_REG(2, 7), MOV64_IMM(3, XDP_PASS), CALL(51),
				LD_MAP(1, cpumap), MOV64_REG(2, 7), MOV64_IMM(3, 0), CALL(51),
				LD_MAP(1, devhash), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4),
				CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 1), LDX(BPF_W, 0, 0, 0),
				EXIT());
	ASSERT_GE(reader_prog, 0, "reader program");
	if (reader_prog < 0)
		return;
	for (int i = 0; i < READERS; i++)
		pthread_create(&r[i], NULL, reader, (void *)(uintptr_t)(i + 11));
	for (int i = 0; i < 2; i++)
		pthread_create(&w[i], NULL, writer, (void *)(uintptr_t)(i + 1));
	for (int i = 0; i < 2; i++)
		pthread_join(w[i], NULL);
	atomic_store(&stop, true);
	for (int i = 0; i < READERS; i++)
		pthread_join(r[i], NULL);
	ASSERT_EQ(atomic_load(&torn), 0, "every value read whole and for its key");
	ASSERT_TRUE(atomic_load(&runs) > 0, "the readers ran");
	for (key = 0; key < KEYS; key++) {
		int a = bpfhost_map_lookup_elem(devmap, &key, v), b = bpfhost_map_lookup_elem(devhash, &key, v);

		ASSERT_TRUE(a == 0 || a == -ENOENT, "devmap lookup");
		ASSERT_TRUE(b == 0 || b == -ENOENT, "devmap_hash lookup");
		live += b == 0;
	}
	printf("  %ld reader runs, %u devmap_hash keys live at the end\n", atomic_load(&runs), live);
	bpfhost_close(reader_prog);
	bpfhost_close(entry_prog);
	bpfhost_close(devmap);
	bpfhost_close(devhash);
	bpfhost_close(cpumap);
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_concurrent) };

	return test_run("redirect_map_stress", cases, sizeof(cases) / sizeof(cases[0]));
}
