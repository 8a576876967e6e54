/* SPDX-License-Identifier: MIT */
/* Shared by the library's files: errno convention and libbpf-style opts. */
#ifndef BPFHOST_LIB_INTERNAL_H
#define BPFHOST_LIB_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "bpfhost/bpf.h"
#include "bpfhost/bpfhost.h"

/* The core's diagnostics sink (bpfhost_set_print): what the loader did that is not an error. */
void bh_log(enum bpfhost_print_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Returns @ret, setting errno for negative values (as libbpf_err). */
static inline int lib_err(int ret)
{
	if (ret < 0)
		errno = -ret;
	return ret;
}

#ifndef offsetofend
#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))
#endif

/* Opts bytes past what this library knows must be zero (libbpf's OPTS_VALID). */
static inline int opts_valid(const void *opts, size_t sz, size_t known)
{
	if (!opts)
		return 1;
	for (size_t i = known; i < sz; i++)
		if (((const char *)opts)[i])
			return 0;
	return 1;
}
#define OPTS_VALID(opts, type) \
	opts_valid(opts, (opts) ? (opts)->sz : 0, offsetofend(struct type, type##__last_field))
/* The caller's opts are big enough to hold @field (an out field may be written). */
#define OPTS_HAS(opts, field) ((opts) && (opts)->sz >= offsetofend(__typeof__(*(opts)), field))
#define OPTS_GET(opts, field, def)                                                        \
	(((opts) && (opts)->sz >= offsetofend(__typeof__(*(opts)), field)) ? (opts)->field : (def))

static inline int lib_sys(int cmd, union bpf_attr *attr)
{
	return lib_err(bpfhost_sys_bpf(cmd, attr, sizeof(*attr)));
}

#endif /* BPFHOST_LIB_INTERNAL_H */
