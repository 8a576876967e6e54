// SPDX-License-Identifier: MIT
/*
 * CO-RE against an extension's BTF: the program's own flavor of the test
 * module's struct test_ctx has `value` first; the module's BTF (given with
 * its program type) puts it at byte 16. bpfhost's built-in BTF has no
 * test_ctx, so the extension's decides.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct test_ctx___mine {
	__u32 value;
} __attribute__((preserve_access_index));

SEC("testprog/run")
int ext_value(struct test_ctx___mine *ctx)
{
	return ctx->value;
}

char LICENSE[] SEC("license") = "GPL";
