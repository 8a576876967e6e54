// SPDX-License-Identifier: MIT
/*
 * A program of a type an extension registers: tests/ext/test_prog_provider.c
 * claims the "testprog/" prefix (type 4200, attach type 4300), gives the
 * context below and the helper test_add (id 65600).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct test_ctx {
	__u8 *data;
	__u8 *data_end;
	__u32 value;
	__u32 pad;
};

static __u64 (*test_add)(__u64 a, __u64 b) = (void *)65600;

/* data[0] (0 when there is no data) + ctx->value, through the module's helper. */
SEC("testprog/run")
int ext_prog(struct test_ctx *ctx)
{
	__u8 *d = ctx->data, *end = ctx->data_end;
	__u64 first = 0;

	if (d + 1 <= end)
		first = d[0];
	return test_add(first, ctx->value);
}

char LICENSE[] SEC("license") = "GPL";
