// SPDX-License-Identifier: MIT
/*
 * The Linux kernel's HASH map through raw bpf(2), for `nx run api:bench`:
 * the same key pattern as map_c_bench.c. This file includes <linux/bpf.h>
 * and therefore never a bpfhost header.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/syscall.h>

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((union bpf_attr *)0)->member))

int kernel_bench(uint32_t entries, uint32_t passes, double *update_ns, double *lookup_ns, char *why,
		 size_t why_len);

static int sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	long ret = syscall(__NR_bpf, cmd, attr, size);

	return ret < 0 ? -errno : (int)ret;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int elem(int cmd, int fd, uint32_t *key, uint64_t *value)
{
	const unsigned int size = offsetofend(union bpf_attr, flags);
	union bpf_attr attr;

	memset(&attr, 0, size);
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.value = (uint64_t)(uintptr_t)value;
	attr.flags = BPF_ANY;
	return sys_bpf(cmd, &attr, size);
}

int kernel_bench(uint32_t n, uint32_t passes, double *update_ns, double *lookup_ns, char *why, size_t why_len)
{
	const unsigned int size = offsetofend(union bpf_attr, map_extra);
	union bpf_attr attr;
	uint64_t t, v, sum = 0;
	int fd, err = 0;

	memset(&attr, 0, size);
	attr.map_type = BPF_MAP_TYPE_HASH;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = n;
	snprintf(attr.map_name, sizeof(attr.map_name), "api_bench");
	fd = sys_bpf(BPF_MAP_CREATE, &attr, size);
	if (fd < 0) {
		snprintf(why, why_len, "bpf(BPF_MAP_CREATE): %s", strerror(-fd));
		return fd;
	}
	for (uint32_t i = 0; i < n && !err; i++) {
		uint32_t k = (uint32_t)(i * 40503u) & (n - 1);

		v = i;
		err = elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v);
	}
	t = now_ns();
	for (uint32_t p = 0; p < passes && !err; p++)
		for (uint32_t i = 0; i < n && !err; i++) {
			uint32_t k = (uint32_t)(i * 40503u) & (n - 1);

			v = (uint64_t)i + p;
			err = elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v);
		}
	*update_ns = (double)(now_ns() - t) / ((double)passes * n);
	t = now_ns();
	for (uint32_t p = 0; p < passes && !err; p++)
		for (uint32_t i = 0; i < n && !err; i++) {
			uint32_t k = (uint32_t)(i * 40503u) & (n - 1);

			err = elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &v);
			sum += v;
		}
	*lookup_ns = (double)(now_ns() - t) / ((double)passes * n);
	close(fd);
	if (err) {
		snprintf(why, why_len, "bpf(BPF_MAP_*_ELEM): %s", strerror(-err));
		return err;
	}
	return sum == 0xffffffffffffffffull; /* keeps the loop; never true */
}
