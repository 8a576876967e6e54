// SPDX-License-Identifier: MIT
#include "kernel_mirror.h"
#include "kernel_bpf.h"
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "bpfhost/bpf.h"
#include "bpfhost/bpf_insn.h"
#include "bpfhost/uapi.h"

int kmirror_fd(const struct kmirror *km, int bh_fd)
{
	for (int i = 0; i < km->n; i++)
		if (km->bh_fd[i] == bh_fd)
			return km->k_fd[i];
	return -1;
}

bool kmirror_maps(const struct bpfhost_object *obj, struct kmirror *km)
{
	const struct bpfhost_map *m;

	km->n = 0;
	bpfhost_object__for_each_map(m, obj) {
		int fd = kbpf_map_create(bpfhost_map__type(m), bpfhost_map__key_size(m), bpfhost_map__value_size(m),
					 bpfhost_map__max_entries(m), bpfhost_map__map_flags(m), 0);

		if (fd < 0 || km->n == 16) {
			printf("note: kernel map for '%s' not created (%d); comparison skipped\n", bpfhost_map__name(m), fd);
			return false;
		}
		km->bh_fd[km->n] = bpfhost_map__fd(m);
		km->k_fd[km->n++] = fd;
		if (bpfhost_map__is_internal(m)) {
			size_t sz;
			const void *init = bpfhost_map__initial_value(m, &sz);
			uint32_t zero = 0;

			ASSERT_OK(kbpf_map_update(fd, &zero, init, 0), "kernel: initial value");
			if (bpfhost_map__map_flags(m) & BPF_F_RDONLY_PROG)
				ASSERT_OK(kbpf_map_freeze(fd), "kernel: freeze .rodata");
		}
	}
	return true;
}

int kmirror_load(const struct bpfhost_program *p, const struct kmirror *km, uint32_t prog_type)
{
	size_t n = bpfhost_program__insn_cnt(p);
	struct bpf_insn *in = malloc(n * sizeof(*in));
	static char log[65536];
	int fd;

	if (!in)
		return -ENOMEM;
	memcpy(in, bpfhost_program__insns(p), n * sizeof(*in));
	for (size_t i = 0; i < n; i++)
		if (in[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    (in[i].src_reg == BPF_PSEUDO_MAP_FD || in[i].src_reg == BPF_PSEUDO_MAP_VALUE))
			in[i].imm = kmirror_fd(km, in[i].imm);
	log[0] = '\0';
	fd = kbpf_prog_load(prog_type, in, (uint32_t)n, "GPL", log, sizeof(log));
	if (fd < 0)
		fprintf(stderr, "kernel refused '%s' (%d):\n%s\n", bpfhost_program__name(p), fd, log);
	free(in);
	return fd;
}

void kmirror_close(struct kmirror *km)
{
	for (int i = 0; i < km->n; i++)
		kbpf_close(km->k_fd[i]);
	km->n = 0;
}

int kmirror_compare_maps(const struct bpfhost_object *obj, const struct kmirror *km)
{
	int compared = 0;

	for (int k = 0; k < km->n; k++) {
		const struct bpfhost_map *m = NULL, *it;
		uint8_t key[8] = { 0 }, next[8], a[64], b[64];
		int found = 0, n = 0, more = 0;

		bpfhost_object__for_each_map(it, obj)
			if (bpfhost_map__fd(it) == km->bh_fd[k])
				m = it;
		if (!m || bpfhost_map__key_size(m) > sizeof(key) || bpfhost_map__value_size(m) > sizeof(a))
			continue;
		while (kbpf_map_get_next_key(km->k_fd[k], found ? key : NULL, next) == 0) {
			memcpy(key, next, bpfhost_map__key_size(m));
			found++;
			memset(a, 0, sizeof(a));
			memset(b, 0, sizeof(b));
			ASSERT_OK(kbpf_map_lookup(km->k_fd[k], key, b, 0), "kernel lookup");
			ASSERT_OK(bpfhost_map_lookup_elem(km->bh_fd[k], key, a), "bpfhost has the key");
			if (memcmp(a, b, bpfhost_map__value_size(m)))
				fprintf(stderr, "map %s key %u: bpfhost 0x%llx, kernel 0x%llx\n", bpfhost_map__name(m),
					*(uint32_t *)key, *(unsigned long long *)a, *(unsigned long long *)b);
			ASSERT_EQ(memcmp(a, b, bpfhost_map__value_size(m)), 0, bpfhost_map__name(m));
		}
		while (bpfhost_map_get_next_key(km->bh_fd[k], more ? key : NULL, next) == 0) {
			memcpy(key, next, bpfhost_map__key_size(m));
			more = 1;
			n++;
		}
		ASSERT_EQ(n, found, "same number of entries");
		compared++;
	}
	return compared;
}
