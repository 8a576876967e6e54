// SPDX-License-Identifier: MIT
/*
 * Prototypes that differ from the ones tests/ext/test_kfunc_provider.c
 * registers, one program each (the test loads one at a time).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern __u64 tk_add(__u64 a, __u64 b) __ksym;		/* b is 4 bytes */
extern __u64 tk_sum4(__u64 v) __ksym;			/* v is a pointer */
extern __u64 tk_fill(__u64 *out, __u64 v) __ksym;	/* returns void */
extern __u32 tk_ctx_value(void *ctx, int extra) __ksym;	/* one argument */

SEC("socket")
int bad_size(struct __sk_buff *skb)
{
	return tk_add(1, 2);
}

SEC("socket")
int bad_kind(struct __sk_buff *skb)
{
	return tk_sum4(5);
}

SEC("socket")
int bad_return(struct __sk_buff *skb)
{
	__u64 out = 0;

	return tk_fill(&out, 1);
}

SEC("socket")
int bad_count(struct __sk_buff *skb)
{
	return tk_ctx_value(skb, 1);
}

char LICENSE[] SEC("license") = "GPL";
