// SPDX-License-Identifier: MIT
/* The subject: bpfhost's maps through bpfhost_sys_bpf (the bpfhost_map_* wrappers). */
#include <stdio.h>

#include "bpfhost/bpf.h"
#include "bench.h"

static int bh_create(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		     uint32_t map_flags, char *why, size_t why_len)
{
	BPFHOST_OPTS(bpfhost_map_create_opts, opts, .map_flags = map_flags);
	int fd = bpfhost_map_create(type, "bench", key_size, value_size, max_entries, &opts);

	if (fd < 0)
		snprintf(why, why_len, "%s", bpfhost_last_error());
	return fd;
}

static int bh_lookup(int fd, const void *key, void *value)
{
	return bpfhost_map_lookup_elem(fd, key, value);
}

static int bh_update(int fd, const void *key, const void *value, uint64_t flags)
{
	return bpfhost_map_update_elem(fd, key, value, flags);
}

static int bh_delete(int fd, const void *key)
{
	return bpfhost_map_delete_elem(fd, key);
}

static void bh_close(int fd)
{
	bpfhost_close(fd);
	bpfhost_synchronize();
}

static void bh_pass(int fd, enum bench_op op, const struct bench_keys *k, uint32_t ops,
		    struct bench_pass *out)
{
	bench_pass_run(fd, op, k, ops, out, bh_lookup, bh_update, bh_delete);
}

const struct bench_backend bench_bpfhost = {
	.name = "bpfhost",
	.create = bh_create,
	.update = bh_update,
	.close = bh_close,
	.pass = bh_pass,
};
