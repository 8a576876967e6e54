// SPDX-License-Identifier: MIT
/*
 * The peer: the Linux kernel's own maps through raw bpf(2), called the way
 * libbpf calls it (attr zeroed up to the command's last field). This file
 * includes <linux/bpf.h> and therefore never bpfhost/uapi.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/syscall.h>

#include "bench.h"

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

_Static_assert((int)BENCH_HASH == (int)BPF_MAP_TYPE_HASH &&
	       (int)BENCH_ARRAY == (int)BPF_MAP_TYPE_ARRAY &&
	       (int)BENCH_LRU_HASH == (int)BPF_MAP_TYPE_LRU_HASH &&
	       (int)BENCH_LPM_TRIE == (int)BPF_MAP_TYPE_LPM_TRIE, "bench map type numbers are Linux's");

static int sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	long ret = syscall(__NR_bpf, cmd, attr, size);

	return ret < 0 ? -errno : (int)ret;
}

static int k_create(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		    uint32_t map_flags, char *why, size_t why_len)
{
	const unsigned int size = offsetofend(union bpf_attr, map_extra);
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, size);
	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = map_flags;
	snprintf(attr.map_name, sizeof(attr.map_name), "bench");
	fd = sys_bpf(BPF_MAP_CREATE, &attr, size);
	if (fd < 0)
		snprintf(why, why_len, "bpf(BPF_MAP_CREATE): %s", strerror(-fd));
	return fd;
}

static inline int elem(int cmd, int fd, const void *key, const void *value, uint64_t flags)
{
	const unsigned int size = offsetofend(union bpf_attr, flags);
	union bpf_attr attr;

	memset(&attr, 0, size);
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.value = (uint64_t)(uintptr_t)value;
	attr.flags = flags;
	return sys_bpf(cmd, &attr, size);
}

static int k_lookup(int fd, const void *key, void *value)
{
	return elem(BPF_MAP_LOOKUP_ELEM, fd, key, value, 0);
}

static int k_update(int fd, const void *key, const void *value, uint64_t flags)
{
	return elem(BPF_MAP_UPDATE_ELEM, fd, key, value, flags);
}

static int k_delete(int fd, const void *key)
{
	return elem(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

static void k_close(int fd)
{
	close(fd);
}

static void k_pass(int fd, enum bench_op op, const struct bench_keys *k, uint32_t ops,
		   struct bench_pass *out)
{
	bench_pass_run(fd, op, k, ops, out, k_lookup, k_update, k_delete);
}

static const struct bench_backend kernel = {
	.name = "kernel bpf(2)",
	.create = k_create,
	.update = k_update,
	.close = k_close,
	.pass = k_pass,
};

const struct bench_backend *bench_kernel_backend(char *why, size_t why_len)
{
	uint32_t key = 1;
	uint64_t value = 1;
	int fd, err;

	if (getenv("BPFHOST_BENCH_NO_KERNEL")) {
		snprintf(why, why_len, "BPFHOST_BENCH_NO_KERNEL is set");
		return NULL;
	}
	/* A real map and a real update: creation alone may pass where use does not. */
	fd = k_create(BPF_MAP_TYPE_HASH, 4, 8, 1, 0, why, why_len);
	if (fd < 0)
		return NULL;
	err = k_update(fd, &key, &value, BPF_ANY);
	close(fd);
	if (err) {
		snprintf(why, why_len, "bpf(BPF_MAP_UPDATE_ELEM): %s", strerror(-err));
		return NULL;
	}
	return &kernel;
}
