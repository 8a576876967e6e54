// SPDX-License-Identifier: MIT
/*
 * Termination: loops are explored iteration by iteration; a loop whose
 * bound the verifier cannot see ends in the 1M-instruction limit, a loop
 * that returns to an identical state is infinite. bpf_loop runs a callback
 * sub-program a bounded number of times.
 */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

SEC("socket")
int accept_bounded_loop(struct __sk_buff *skb)
{
	__u32 sum = skb->len;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 16; i++) {
		sum = sum * 31 + i;
		OPAQUE(sum);
	}
	return sum;
}

/* The second program of issue 11: bounded only by skb->len (up to 4 GiB). */
SEC("socket")
int refuse_loop_bounded_by_skb_len(struct __sk_buff *skb)
{
	__u32 sum = 0;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < skb->len; i++) {
		sum = sum * 31 + i;
		OPAQUE(sum);
	}
	return sum;
}

SEC("socket")
int accept_loop_bounded_by_masked_len(struct __sk_buff *skb)
{
	__u32 sum = 0, n = skb->len & 31;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < n; i++) {
		sum = sum * 31 + i;
		OPAQUE(sum);
	}
	return sum;
}

SEC("socket")
int refuse_loop_bounded_by_map_value(struct __sk_buff *skb)
{
	__u32 k = 0, sum = 0;
	__u64 *n = bpf_map_lookup_elem(&arr, &k);

	if (!n)
		return 0;
#pragma clang loop unroll(disable)
	for (__u64 i = 0; i < *n; i++) {
		sum = sum * 31 + (__u32)i;
		OPAQUE(sum);
	}
	return sum;
}

SEC("socket")
int accept_nested_loops(struct __sk_buff *skb)
{
	__u32 sum = skb->len;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 8; i++)
#pragma clang loop unroll(disable)
		for (int j = 0; j < 8; j++) {
			sum ^= (__u32)(i * j);
			OPAQUE(sum);
		}
	return sum;
}

SEC("socket") CORPUS_NAKED int refuse_jump_to_self(void)
{
	asm volatile("r0 = 0; l0_%=: goto l0_%=;" ::: "memory");
}

/* The state repeats exactly: r0 never changes. */
SEC("socket") CORPUS_NAKED int refuse_loop_state_repeats(void)
{
	asm volatile("r0 = 0;"
		     "l0_%=: if r0 < 10 goto l0_%=;"
		     "exit;" ::: "memory");
}

/*
 * r0 unknown: the taken branch keeps r0 in [6, max], and from the second
 * iteration on the state at the jump repeats: an infinite loop.
 */
SEC("socket") CORPUS_NAKED int refuse_loop_on_unknown_value(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 0);"
		     "l0_%=: if r0 > 5 goto l0_%=;"
		     "exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int accept_countdown(void)
{
	asm volatile("r1 = 10;"
		     "r0 = 0;"
		     "l0_%=: r0 += r1;"
		     "r1 -= 1;"
		     "if r1 != 0 goto l0_%=;"
		     "exit;" ::: "memory");
}

CORPUS_ASM_SUB int spin(void)
{
	asm volatile("r0 = 0; l0_%=: if r0 == 0 goto l0_%=; exit;" ::: "memory");
}

/* The infinite loop is in a sub-program. */
SEC("socket") CORPUS_NAKED int refuse_infinite_loop_in_callee(void)
{
	asm volatile("call spin; exit;" ::: "memory");
}

/* A counter the loop test never changes: r2 is tested, r1 counts. */
SEC("socket") CORPUS_NAKED int refuse_loop_tests_wrong_register(void)
{
	asm volatile("r1 = 0;"
		     "r2 = 0;"
		     "l0_%=: r1 += 1;"
		     "r1 &= 7;"
		     "if r2 < 10 goto l0_%=;"
		     "r0 = r1;"
		     "exit;" ::: "memory");
}

struct loop_ctx {
	__u64 sum;
};

static int add_index(__u32 i, void *data)
{
	struct loop_ctx *c = data;

	c->sum += i;
	return 0;
}

SEC("socket")
int accept_bpf_loop(struct __sk_buff *skb)
{
	struct loop_ctx c = { .sum = skb->len };

	bpf_loop(64, add_index, &c, 0);
	return (int)c.sum;
}

static int stop_early(__u32 i, void *data)
{
	struct loop_ctx *c = data;

	c->sum += i;
	return c->sum > 100 ? 1 : 0;
}

SEC("socket")
int accept_bpf_loop_callback_stops(struct __sk_buff *skb)
{
	struct loop_ctx c = { .sum = skb->len & 7 };

	bpf_loop(1000, stop_early, &c, 0);
	return (int)c.sum;
}

/* A bpf_loop callback returns 0 (continue) or 1 (stop). */
CORPUS_ASM_SUB int bad_callback(void)
{
	asm volatile("r0 = 2; exit;" ::: "memory");
}

SEC("socket") CORPUS_NAKED int refuse_bpf_loop_callback_returns_2(void)
{
	asm volatile("r1 = 4;"
		     "r2 = %[cb] ll;"
		     "r3 = 0;"
		     "r4 = 0;"
		     "call %[loop];"
		     "r0 = 0;"
		     "exit;"
		     :: [cb] "i"(bad_callback), [loop] "i"(BPF_FUNC_loop) : "memory");
}

/* The callback writes past the 8-byte context it was given. */
static int write_past(__u32 i, void *data)
{
	((volatile __u64 *)data)[1] = i;
	return 0;
}

SEC("socket")
int refuse_bpf_loop_callback_oob(struct __sk_buff *skb)
{
	volatile __u64 c = skb->len;

	bpf_loop(4, write_past, (void *)&c, 0);
	return (int)c;
}
