// SPDX-License-Identifier: MIT
/*
 * The Linux kernel as the oracle for programs: the clang-compiled socket
 * filters of bpf/sockfilter_diff.bpf.c (context fields, LD_ABS, skb_load_bytes,
 * bpf-to-bpf calls, .rodata/.bss, hash and array maps, 64-bit arithmetic)
 * run through BPF_PROG_TEST_RUN in the kernel and in bpfhost on the same
 * packets, in the same order; every return value and the maps they leave
 * must agree. Skipped with a printed reason where bpf(2) or clang-19 is
 * not available.
 */
#include "test.h"
#include "bpf_objects.h"
#include "kernel_bpf.h"
#include "kernel_mirror.h"

#include "bpfhost/libbpf.h"
#include "bpfhost/uapi.h"

#define NPROGS 9
static const char *const progs[NPROGS] = {
	"skb_len", "skb_fields", "ld_abs", "ld_abs_oob", "hash_payload", "load_bytes_oob",
	"count_by_byte", "arith", "delete_and_count",
};

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* A frame: a destination of each kind, IPv4/IPv6/ARP, random bytes, 14..600 bytes. */
static size_t make_packet(uint8_t *pkt, int i)
{
	size_t len = 14 + next_rand() % 587;
	static const uint16_t protos[] = { 0x0800, 0x86dd, 0x0806, 0x8100 };
	uint16_t proto = protos[next_rand() % 4];

	for (size_t k = 0; k < len; k++)
		pkt[k] = (uint8_t)next_rand();
	switch (i % 4) {
	case 0: memset(pkt, 0, 6); break;		/* to this host (loopback's address) */
	case 1: memset(pkt, 0xff, 6); break;		/* broadcast */
	case 2: pkt[0] |= 1; break;			/* multicast */
	default: pkt[0] &= 0xfe; pkt[1] |= 1; break;	/* another host */
	}
	pkt[12] = (uint8_t)(proto >> 8);
	pkt[13] = (uint8_t)proto;
	if (len > 23)
		pkt[23] = (uint8_t)(next_rand() % 8);	/* few distinct count_by_byte keys */
	return len;
}

static void t_kernel_agrees(void)
{
	struct bpfhost_object *obj;
	struct kmirror km = { .n = 0 };
	int kfd[NPROGS], bfd[NPROGS], runs = 0, mismatches = 0, refused = 0, compared_maps = 0;
	uint8_t pkt[1024];
	char reason[128];

	if (!bpf_objects_available()) {
		printf("SKIP: clang-19 or libbpf-dev was not found at build time; no BPF objects\n");
		return;
	}
	if (kbpf_probe(reason, sizeof(reason))) {
		printf("SKIP: bpf(2) not available (%s); kernel comparison skipped\n", reason);
		return;
	}
	obj = bpfhost_object__open_file(bpf_object_path("sockfilter_diff"), NULL);
	ASSERT_TRUE(obj != NULL, "open");
	if (!obj)
		return;
	ASSERT_OK(bpfhost_object__load(obj), "load in bpfhost");
	if (!kmirror_maps(obj, &km))
		goto out;
	for (int p = 0; p < NPROGS; p++) {
		const struct bpfhost_program *prog = bpfhost_object__find_program_by_name(obj, progs[p]);

		ASSERT_TRUE(prog != NULL, progs[p]);
		bfd[p] = prog ? bpfhost_program__fd(prog) : -1;
		kfd[p] = prog ? kmirror_load(prog, &km, BPF_PROG_TYPE_SOCKET_FILTER) : -1;
		ASSERT_GE(kfd[p], 0, "the kernel accepts the program");
	}
	for (int i = 0; i < 400; i++) {
		size_t len = make_packet(pkt, i);

		for (int p = 0; p < NPROGS; p++) {
			BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = pkt, .data_size_in = (uint32_t)len);
			uint32_t kret = 0;
			char name[96];

			if (kfd[p] < 0 || bfd[p] < 0)
				continue;
			int kerr = kbpf_prog_test_run(kfd[p], pkt, (uint32_t)len, 1, &kret, NULL);
			int berr = bpfhost_prog_test_run_opts(bfd[p], &o);

			snprintf(name, sizeof(name), "%s on packet %d (%zu bytes, proto %02x%02x)", progs[p], i,
				 len, pkt[12], pkt[13]);
			/* Frames the kernel refuses (short IP headers) must be refused alike. */
			ASSERT_EQ(berr, kerr, name);
			refused += kerr != 0;
			if (kerr || berr)
				continue;
			ASSERT_EQ(o.retval, kret, name);
			mismatches += o.retval != kret;
			runs++;
		}
	}
	/* The maps the programs left: hash entries, the array, .bss, .rodata. */
	for (int k = 0; k < km.n; k++) {
		const struct bpfhost_map *m = NULL, *it;
		uint8_t key[8] = { 0 }, next[8], a[64], b[64];
		int found = 0;

		bpfhost_object__for_each_map(it, obj)
			if (bpfhost_map__fd(it) == km.bh_fd[k])
				m = it;
		if (!m || bpfhost_map__key_size(m) > sizeof(key) || bpfhost_map__value_size(m) > sizeof(a))
			continue;
		while (kbpf_map_get_next_key(km.k_fd[k], found ? key : NULL, next) == 0) {
			memcpy(key, next, bpfhost_map__key_size(m));
			found++;
			memset(a, 0, sizeof(a));
			memset(b, 0, sizeof(b));
			ASSERT_OK(kbpf_map_lookup(km.k_fd[k], key, b, 0), "kernel lookup");
			ASSERT_OK(bpfhost_map_lookup_elem(km.bh_fd[k], key, a), "bpfhost has the key");
			ASSERT_EQ(memcmp(a, b, bpfhost_map__value_size(m)), 0, bpfhost_map__name(m));
		}
		/* And bpfhost has no key the kernel lacks. */
		{
			int n = 0, more = 0;

			while (bpfhost_map_get_next_key(km.bh_fd[k], more ? key : NULL, next) == 0) {
				memcpy(key, next, bpfhost_map__key_size(m));
				more = 1;
				n++;
			}
			ASSERT_EQ(n, found, "same number of entries");
		}
		compared_maps++;
	}
	ASSERT_EQ(compared_maps, km.n, "every map compared");
	printf("kernel comparison: %d program runs on 400 packets agree (%d different return values), "
	       "%d runs refused by both, %d maps compared entry by entry\n", runs, mismatches, refused,
	       compared_maps);
	for (int p = 0; p < NPROGS; p++)
		if (kfd[p] >= 0)
			kbpf_close(kfd[p]);
out:
	kmirror_close(&km);
	bpfhost_object__close(obj);
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_kernel_agrees) };

	return test_run("kernel_prog_diff", cases, sizeof(cases) / sizeof(cases[0]));
}
