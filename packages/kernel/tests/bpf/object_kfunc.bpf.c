// SPDX-License-Identifier: MIT
/*
 * Kfunc calls resolved at load against tests/ext/test_kfunc_provider.c: the
 * prototypes as it registers them, and a __weak one no module provides,
 * guarded so the program never reaches its call.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern __u64 tk_add(__u64 a, __u32 b) __ksym;
struct tk_vec {
	__u32 v[4];
};

extern __u64 tk_sum4(const struct tk_vec *v) __ksym;
extern void tk_fill(__u64 *out, __u64 v) __ksym;
extern int tk_absent(int x) __ksym __weak;

SEC("socket")
int call_add(struct __sk_buff *skb)
{
	return tk_add(40, 2);
}

SEC("socket")
int call_mem(struct __sk_buff *skb)
{
	struct tk_vec v = { { 1, 2, 3, skb->len & 0xff } };
	__u64 out = 0;

	tk_fill(&out, tk_sum4(&v));
	return out;
}

SEC("socket")
int call_weak(struct __sk_buff *skb)
{
	if (tk_absent)
		return tk_absent(1);
	return 7;
}

char LICENSE[] SEC("license") = "GPL";
