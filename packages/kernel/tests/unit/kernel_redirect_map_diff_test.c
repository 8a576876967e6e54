// SPDX-License-Identifier: MIT
/*
 * DEVMAP, DEVMAP_HASH, CPUMAP and XSKMAP against the Linux kernel's: creation
 * rules case by case; then random sequences of updates (ifindex or qsize
 * at and past their limits, flags, "no program" as -1 and 0), deletes,
 * lookups and key walks on maps of both value sizes, each call's result and
 * every value alike, and the maps equal as sets at the end; then XDP
 * programs calling bpf_redirect_map with keys and flags around the entries
 * (the verdict alike). bpfhost has no network devices: both sides use
 * ifindex 1 (loopback), which exists on Linux; other ifindexes are
 * accepted by bpfhost where Linux wants a device, so they are not compared
 * (redirect_map_test covers them). Skipped with a reason without bpf(2).
 */
#include "test.h"
#include "kernel_bpf.h"
#include <stdbool.h>
#include "insn_build.h"

#include "bpfhost/bpf.h"
#include "bpfhost/uapi.h"

static uint64_t rng = 0x6a09e667f3bcc909ull;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static int bh_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	BPFHOST_OPTS(bpfhost_map_create_opts, o, .map_flags = flags);

	return bpfhost_map_create(type, "m", ks, vs, max, &o);
}

static bool available(void)
{
	char reason[128];

	if (kbpf_probe(reason, sizeof(reason))) {
		printf("SKIP: bpf(2) not available (%s); kernel comparison skipped\n", reason);
		return false;
	}
	return true;
}

static void t_create_rules(void)
{
	static const struct {
		uint32_t type, ks, vs, max, flags;
	} cases[] = {
		{ BPF_MAP_TYPE_DEVMAP, 4, 4, 8, 0 },	  { BPF_MAP_TYPE_DEVMAP, 4, 8, 8, 0 },
		{ BPF_MAP_TYPE_DEVMAP, 4, 12, 8, 0 },	  { BPF_MAP_TYPE_DEVMAP, 8, 4, 8, 0 },
		{ BPF_MAP_TYPE_DEVMAP, 4, 4, 0, 0 },	  { BPF_MAP_TYPE_DEVMAP, 4, 4, 8, BPF_F_RDONLY_PROG },
		{ BPF_MAP_TYPE_DEVMAP, 4, 4, 8, BPF_F_NUMA_NODE }, { BPF_MAP_TYPE_DEVMAP, 4, 4, 8, 1 /* NO_PREALLOC */ },
		{ BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 8, 0 }, { BPF_MAP_TYPE_DEVMAP_HASH, 4, 8, 5, 0 },
		{ BPF_MAP_TYPE_DEVMAP_HASH, 4, 6, 8, 0 }, { BPF_MAP_TYPE_DEVMAP_HASH, 2, 4, 8, 0 },
		{ BPF_MAP_TYPE_CPUMAP, 4, 4, 8, 0 },	  { BPF_MAP_TYPE_CPUMAP, 4, 8, 8, 0 },
		{ BPF_MAP_TYPE_CPUMAP, 4, 16, 8, 0 },	  { BPF_MAP_TYPE_CPUMAP, 4, 4, 8, BPF_F_RDONLY },
		/* Linux's limit is NR_CPUS, a build option (256 here, 8192 in distributions; bpfhost: 8192). */
		{ BPF_MAP_TYPE_CPUMAP, 4, 4, 64, 0 },	  { BPF_MAP_TYPE_CPUMAP, 4, 4, 8193, 0 },
		{ BPF_MAP_TYPE_CPUMAP, 4, 4, 0, 0 },
		{ BPF_MAP_TYPE_XSKMAP, 4, 4, 8, 0 },	  { BPF_MAP_TYPE_XSKMAP, 4, 8, 8, 0 },
		{ BPF_MAP_TYPE_XSKMAP, 8, 4, 8, 0 },	  { BPF_MAP_TYPE_XSKMAP, 4, 4, 8, BPF_F_RDONLY_PROG },
	};
	int compared = 0;

	if (!available())
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int k = kbpf_map_create(cases[i].type, cases[i].ks, cases[i].vs, cases[i].max, cases[i].flags, 0);
		int b = bh_create(cases[i].type, cases[i].ks, cases[i].vs, cases[i].max, cases[i].flags);
		char name[96];

		snprintf(name, sizeof(name), "type %u key %u value %u max %u flags 0x%x", cases[i].type,
			 cases[i].ks, cases[i].vs, cases[i].max, cases[i].flags);
		ASSERT_EQ(b >= 0 ? 0 : b, k >= 0 ? 0 : k, name);
		if (k >= 0)
			kbpf_close(k);
		if (b >= 0) {
			struct bpf_map_info info;
			uint32_t len = sizeof(info);

			memset(&info, 0, sizeof(info));
			ASSERT_OK(bpfhost_map_get_info_by_fd(b, &info, &len), "info");
			ASSERT_EQ(info.map_flags & BPF_F_RDONLY_PROG,
				  cases[i].type == BPF_MAP_TYPE_CPUMAP || cases[i].type == BPF_MAP_TYPE_XSKMAP ?
				  0u : BPF_F_RDONLY_PROG,
				  "devmaps are read-only to programs, as Linux marks them");
			bpfhost_close(b);
		}
		compared++;
	}
	printf("kernel comparison: %d map creations alike\n", compared);
}

/* One random operation on both maps: the same result and the same value. */
static void t_operations(void)
{
	static const uint32_t types[3] = { BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_CPUMAP };
	int ops = 0, ok = 0;

	if (!available())
		return;
	for (int t = 0; t < 3; t++)
		for (uint32_t vs = 4; vs <= 8; vs += 4) {
			const uint32_t max = 6;
			int k = kbpf_map_create(types[t], 4, vs, max, 0, 0), b = bh_create(types[t], 4, vs, max, 0);
			uint32_t key, next_k, next_b, vk[2], vb[2], val[2];
			int found_k = 0, found_b = 0;

			ASSERT_GE(k, 0, "kernel map");
			ASSERT_GE(b, 0, "bpfhost map");
			if (k < 0 || b < 0)
				continue;
			for (int i = 0; i < 600; i++) {
				uint32_t op = next_rand() % 4, flags = next_rand() % 4;
				int rk, rb;
				char name[128];

				/* Keys around max_entries; CPU keys 0, 1 exist on both (2 CPUs here). */
				key = next_rand() % (max + 3);
				if (types[t] == BPF_MAP_TYPE_CPUMAP && key >= 2 && key < max)
					key = next_rand() % 2;
				if (types[t] == BPF_MAP_TYPE_CPUMAP) {
					static const uint32_t q[] = { 0, 1, 64, 16384, 16385 };

					val[0] = q[next_rand() % 5];
				} else {
					val[0] = next_rand() % 4 ? 1 : 0;	/* loopback or none */
				}
				val[1] = next_rand() & 1 ? UINT32_MAX : 0;	/* no program: -1 or 0 */
				snprintf(name, sizeof(name), "type %u value %u op %u key %u val %u/%d flags %u", types[t],
					 vs, op, key, val[0], (int)val[1], flags);
				memset(vk, 0xa5, sizeof(vk));
				memset(vb, 0xa5, sizeof(vb));
				if (op == 0) {
					rk = kbpf_map_update(k, &key, val, flags);
					rb = bpfhost_map_update_elem(b, &key, val, flags);
				} else if (op == 1) {
					rk = kbpf_map_delete(k, &key);
					rb = bpfhost_map_delete_elem(b, &key);
				} else if (op == 2) {
					rk = kbpf_map_lookup(k, &key, vk, 0);
					rb = bpfhost_map_lookup_elem(b, &key, vb);
					if (!rk && !rb)
						ASSERT_EQ(memcmp(vk, vb, vs), 0, name);
				} else {
					rk = kbpf_map_get_next_key(k, &key, &next_k);
					rb = bpfhost_map_get_next_key(b, &key, &next_b);
					if (!rk && !rb && types[t] != BPF_MAP_TYPE_DEVMAP_HASH)
						ASSERT_EQ(next_b, next_k, name);
				}
				ASSERT_EQ(rb, rk, name);
				ok += rb == rk;
				ops++;
			}
			/* The same keys with the same values (hash iteration compared as sets). */
			for (int more = kbpf_map_get_next_key(k, NULL, &next_k) == 0; more;
			     more = kbpf_map_get_next_key(k, &key, &next_k) == 0) {
				key = next_k;
				if (kbpf_map_lookup(k, &key, vk, 0))
					continue;
				found_k++;
				ASSERT_OK(bpfhost_map_lookup_elem(b, &key, vb), "bpfhost has the key");
				ASSERT_EQ(memcmp(vk, vb, vs), 0, "same value");
			}
			for (int more = bpfhost_map_get_next_key(b, NULL, &next_b) == 0; more;
			     more = bpfhost_map_get_next_key(b, &key, &next_b) == 0) {
				key = next_b;
				found_b += bpfhost_map_lookup_elem(b, &key, vb) == 0;
			}
			ASSERT_EQ(found_b, found_k, "same entries");
			kbpf_close(k);
			bpfhost_close(b);
		}
	printf("kernel comparison: %d of %d devmap/devmap_hash/cpumap operations alike\n", ok, ops);
}

/*
 * XSKMAP: everything before a socket is needed (flags, key range, deletes,
 * walks, user lookups) alike; an update that reaches the socket cannot be
 * compared (bpfhost has none: -EOPNOTSUPP).
 */
static void t_xskmap(void)
{
	int k, b, compared = 0;
	uint32_t key, next_k, next_b, v = UINT32_MAX;

	if (!available())
		return;
	k = kbpf_map_create(BPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0, 0);
	b = bh_create(BPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0);
	ASSERT_GE(k, 0, "kernel map");
	ASSERT_GE(b, 0, "bpfhost map");
	for (key = 0; key < 6; key++) {
		uint32_t vk, vb;

		ASSERT_EQ(bpfhost_map_update_elem(b, &key, &v, 4), kbpf_map_update(k, &key, &v, 4), "flags 4");
		if (key >= 4)
			ASSERT_EQ(bpfhost_map_update_elem(b, &key, &v, 0), kbpf_map_update(k, &key, &v, 0),
				  "key past max_entries");
		ASSERT_EQ(bpfhost_map_delete_elem(b, &key), kbpf_map_delete(k, &key), "delete");
		ASSERT_EQ(bpfhost_map_lookup_elem(b, &key, &vb), kbpf_map_lookup(k, &key, &vk, 0), "lookup");
		ASSERT_EQ(bpfhost_map_get_next_key(b, &key, &next_b), kbpf_map_get_next_key(k, &key, &next_k),
			  "walk");
		compared += 4;
	}
	key = 0;
	ASSERT_EQ(bpfhost_map_update_elem(b, &key, &v, 0), -EOPNOTSUPP, "no sockets in bpfhost");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "AF_XDP sockets", "says why");
	kbpf_close(k);
	bpfhost_close(b);
	printf("kernel comparison: %d xskmap operations alike\n", compared);
}

/* bpf_redirect_map from XDP programs: keys with and without entries, the flags. */
static void t_redirect_map(void)
{
	static const uint32_t types[4] = { BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_CPUMAP,
					   BPF_MAP_TYPE_XSKMAP };
	static const uint64_t flags[] = { 0, 1, 2, 3, 4, 8, 8 | 16, 16, 2 | 8, 32 };
	uint8_t frame[64] = { 0 };
	int runs = 0;

	if (!available())
		return;
	for (int t = 0; t < 4; t++) {
		int k = kbpf_map_create(types[t], 4, 4, 4, 0, 0), b = bh_create(types[t], 4, 4, 4, 0);
		uint32_t key = 1, v = types[t] == BPF_MAP_TYPE_CPUMAP ? 64 : 1;

		ASSERT_GE(k, 0, "kernel map");
		ASSERT_GE(b, 0, "bpfhost map");
		if (types[t] != BPF_MAP_TYPE_XSKMAP) {	/* an xskmap stays empty: no sockets */
			ASSERT_OK(kbpf_map_update(k, &key, &v, 0), "kernel entry 1");
			ASSERT_OK(bpfhost_map_update_elem(b, &key, &v, 0), "bpfhost entry 1");
		}
		for (uint32_t kk = 0; kk < 3; kk++)
			for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
				struct bpf_insn pk[] = { LD_MAP(1, k), MOV64_IMM(2, kk), LD_IMM64(3, flags[f]),
							 CALL(51), EXIT() };
				struct bpf_insn pb[] = { LD_MAP(1, b), MOV64_IMM(2, kk), LD_IMM64(3, flags[f]),
							 CALL(51), EXIT() };
				int kf = kbpf_prog_load(BPF_PROG_TYPE_XDP, pk, sizeof(pk) / sizeof(pk[0]), "GPL", NULL, 0);
				int bf = bpfhost_prog_load(BPF_PROG_TYPE_XDP, "redir", "GPL", pb, sizeof(pb) / sizeof(pb[0]),
							   NULL);
				uint32_t rk = 0, rb = 0;
				char name[96];

				snprintf(name, sizeof(name), "type %u key %u flags 0x%llx", types[t], kk,
					 (unsigned long long)flags[f]);
				ASSERT_GE(kf, 0, name);
				ASSERT_GE(bf, 0, name);
				if (kf < 0 || bf < 0)
					continue;
				ASSERT_OK(kbpf_prog_test_run(kf, frame, sizeof(frame), 1, &rk, NULL), name);
				{
					BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = frame,
						     .data_size_in = sizeof(frame));

					ASSERT_OK(bpfhost_prog_test_run_opts(bf, &o), name);
					rb = o.retval;
				}
				ASSERT_EQ(rb, rk, name);
				runs++;
				kbpf_close(kf);
				bpfhost_close(bf);
			}
		kbpf_close(k);
		bpfhost_close(b);
	}
	printf("kernel comparison: %d bpf_redirect_map verdicts alike\n", runs);
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_create_rules), TEST(t_operations), TEST(t_xskmap),
						   TEST(t_redirect_map) };

	return test_run("kernel_redirect_map_diff", cases, sizeof(cases) / sizeof(cases[0]));
}
